/* `iotcop assess`: several JSON reports of one product (a firmware report
 * and a device report, as `iotcop firmware -f json` and `iotcop device -f
 * json` write them) and a manufacturer's declaration combined into one
 * report with one verdict per guideline and provision, each citing the
 * evidence that settled it (docs/assess.md).
 *
 * Combining, per provision: a fail in any report fails it; otherwise a pass
 * (or not-applicable) established by a test in any report settles it;
 * otherwise the declaration; otherwise an "unverified" from a report that
 * looked. Findings, components and services of every report are kept (the
 * same finding in two reports once). Guidelines, PSTI and CRA verdicts are
 * then computed from the combined provisions as for one report.
 *
 * Reports are untrusted input: each is parsed into a bounded document tree
 * (core/dom.h); a report that is not JSON or not an iotcop report is refused
 * with a detail message, a bad item inside one is a diagnostic of the
 * combined report and the rest is read.
 *
 * Lifecycle: ic_assessment_new() -> ic_assessment_add() per report ->
 * ic_assessment_finish() -> write the report with the usual writers ->
 * ic_report_free() -> ic_assessment_free() (the report borrows the inputs).
 */
#ifndef IOTCOP_ASSESS_H
#define IOTCOP_ASSESS_H

#include "iotcop/report.h"

#include <stddef.h>
#include <stdint.h>

struct ic_declaration;

/* Largest report read (bytes). */
#define IC_ASSESS_MAX_REPORT_BYTES (512u * 1024u * 1024u)
/* Most reports one assessment combines. */
#define IC_ASSESS_MAX_INPUTS 64u

/* One report combined. */
struct ic_report_input {
    const char *label;   /* how verdicts cite it: the file name as given */
    const char *kind;    /* "firmware" or "device" */
    const char *path;    /* firmware: the image */
    const char *sha256;  /* firmware: its digest, or NULL */
    const char *address; /* device */
};

struct ic_assessment;

/* IC_OK or IC_E_NOMEM. Caller frees with ic_assessment_free(). */
int ic_assessment_new(struct ic_assessment **out);
void ic_assessment_free(struct ic_assessment *a);

/* Adds the JSON report in data as evidence cited as label. IC_OK (items it
 * could not use are diagnostics of the combined report); IC_E_FORMAT (not
 * JSON, not an iotcop-report/1 with a firmware or device target),
 * IC_E_TRUNCATED, IC_E_LIMIT_DEPTH, IC_E_LIMIT_MEMORY or IC_E_NOMEM with
 * detail (may be NULL) saying what and where; nothing of it is kept then.
 * IC_E_LIMIT_FILES past IC_ASSESS_MAX_INPUTS. */
int ic_assessment_add(struct ic_assessment *a, const uint8_t *data, size_t size, const char *label,
                      char *detail, size_t detail_size);
/* Records an input that could not be read at all (a diagnostic of the
 * combined report). */
int ic_assessment_add_failure(struct ic_assessment *a, const char *label, int error,
                              const char *message);

/* Builds the combined, finished report (caller frees with ic_report_free(),
 * before ic_assessment_free()). decl (may be NULL) is borrowed and must
 * outlive the report; name (may be NULL: the declaration's product name and
 * model, else "product") names the target. */
int ic_assessment_finish(struct ic_assessment *a, const struct ic_declaration *decl,
                         const char *name, struct ic_report **out);

#endif
