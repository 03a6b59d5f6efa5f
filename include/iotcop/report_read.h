/* A JSON report (docs/report-json.md) read back: what `iotcop diff`,
 * `--baseline` and the corpus summary need from a report written earlier,
 * possibly by another version of iotcop, possibly damaged.
 *
 * The reader keeps the findings (with their fingerprints), the components
 * and the verdicts; unknown keys are skipped, so reports of later minor
 * versions of the schema read fine. Bad input ends the reading with an
 * error and a detail message; what was read up to that point stays in the
 * result (partial results), never a crash.
 *
 * Ownership: every string of a struct ic_report_doc lives in its arena and is
 * freed by ic_report_doc_release(). */
#ifndef IOTCOP_REPORT_READ_H
#define IOTCOP_REPORT_READ_H

#include "iotcop/report.h"

#include <stddef.h>
#include <stdint.h>

/* Longest string kept from a report; longer ones are cut. */
#define IC_REPORT_READ_MAX_STRING 4096u

struct ic_doc_finding {
    const char *rule;
    char fingerprint[65]; /* 64 hex digits, lower case */
    enum ic_severity severity;
    const char *title;
    const char *guideline;
    const char *layer; /* firmware location, or NULL */
    const char *path;  /* firmware location, or NULL */
    const char *host;  /* device location, or NULL */
    uint64_t port;
    const char *service;
    const char *evidence;
    const char *cve; /* or NULL */
    int suppressed;
    const char *suppression_source; /* "ignore", "baseline", or NULL */
    const char *justification;      /* or NULL */
};

struct ic_doc_component {
    const char *name;
    const char *version; /* or NULL */
};

/* A verdict of a guideline, provision, PSTI requirement or CRA entry. */
struct ic_doc_verdict {
    const char *id;
    enum ic_status status; /* IC_STATUS_NOT_TESTED when the file said something unknown */
    const char *status_text;
};

struct ic_doc_diag_count {
    size_t errors;
    size_t warnings;
};

struct ic_report_doc {
    const char *schema;
    const char *target_kind; /* "firmware", "device", or NULL */
    const char *target_path;
    const char *target_sha256;
    const char *target_address;
    uint64_t target_size;
    struct ic_doc_diag_count diagnostics; /* unpack diagnostics by level */
    size_t layer_count;

    struct ic_doc_finding *findings;
    size_t finding_count;
    struct ic_doc_component *components;
    size_t component_count;
    struct ic_doc_verdict *guidelines;
    size_t guideline_count;
    struct ic_doc_verdict *provisions;
    size_t provision_count;
    struct ic_doc_verdict *psti;
    size_t psti_count;

    void *priv; /* the arena */
};

/* Reads one JSON report from size bytes of data into *doc (initialised here;
 * release it with ic_report_doc_release() whatever the result). Returns
 * IC_OK; IC_E_FORMAT when it is not JSON or not an iotcop report (a
 * "schema" other than iotcop-report/N, a finding without a valid
 * fingerprint, a severity or status of the wrong type), IC_E_TRUNCATED when
 * the input ends inside the report, IC_E_LIMIT_DEPTH / IC_E_LIMIT_MEMORY
 * beyond the caps, IC_E_NOMEM. detail (may be NULL) receives one line saying
 * what was wrong and where. */
int ic_report_read(const uint8_t *data, size_t size, struct ic_report_doc *doc, char *detail,
                   size_t detail_size);
void ic_report_doc_release(struct ic_report_doc *doc);

/* The finding with this fingerprint, or NULL. Linear; callers with many
 * lookups sort or index themselves. */
const struct ic_doc_finding *ic_report_doc_find(const struct ic_report_doc *doc,
                                                const char *fingerprint);

#endif
