/* What the two SBOM writers (report_cyclonedx.c, report_spdx.c) work out
 * the same way from a finished report: a stable document id, the SHA-256
 * of each component's file, the components each one loads (ELF DT_NEEDED
 * names that are another component's file) and the known vulnerabilities
 * (findings with a CVE) grouped by CVE id. Private to src/lib/report/. */
#ifndef IC_REPORT_SBOM_H
#define IC_REPORT_SBOM_H

#include "iotcop/report.h"

#include <stddef.h>

struct sbom_component {
    char sha256[65]; /* of the first of its paths that is a file with content; "" if none */
    size_t *needs;   /* indices of the components it loads, ascending, no repeats */
    size_t need_count;
};

/* One CVE: the findings that name it (indices into report->findings, in
 * report order), and the components they concern. */
struct sbom_vulnerability {
    const char *cve;
    size_t *findings;
    size_t finding_count;
    size_t *components; /* indices into report->components, ascending */
    size_t component_count;
};

struct sbom {
    const struct ic_report *report;
    char uuid[37];                     /* stable for one input and run: same report, same id */
    char created[32];                  /* run start, "2024-05-01T12:00:00Z" */
    const char *name;                  /* the target's base name or address */
    struct sbom_component *components; /* one per report->components[i] */
    struct sbom_vulnerability *vulns;  /* sorted by CVE id */
    size_t vuln_count;
};

/* Fills *out from a finished report (IC_E_INVALID_ARG when it is not
 * finished or has no target). Release with sbom_release() whatever the
 * result. Reads the unpacked files (hashes, ELF headers) when the report
 * has an unpack; content that cannot be read is simply not hashed. */
int sbom_build(const struct ic_report *report, struct sbom *out);
void sbom_release(struct sbom *sbom);

/* Whether component c was seen at path (its paths hold it). */
int sbom_component_has_path(const struct ic_component *c, const char *path);

/* The firmware target's base name (never empty) or the device's address. */
const char *sbom_target_name(const struct ic_report *report);

#endif
