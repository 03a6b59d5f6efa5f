/* The offline vulnerability store: an SQLite file filled from NVD CVE API
 * 2.0 pages, legacy NVD 1.1 feed files, OSV records and CISA's KEV list,
 * and the matcher that turns software components into the CVEs that apply
 * to them, with the matched criterion as evidence.
 *
 * Lifecycle: ic_vulndb_open() -> import / update / info / match ->
 * ic_vulndb_close(). One handle belongs to one thread; many processes may
 * read one store at once (it is a plain SQLite file, read-only when opened
 * so).
 *
 * Versions and CPE matching follow NVD's conventions (docs/vulndb.md):
 * a version with a patch or pre-release suffix that NVD keeps in the CPE
 * update field is split (9.2p1 -> 9.2 / p1, 6.8-rc1 -> 6.8 / rc1); letter
 * suffixes NVD keeps in the version stay (1.0.2k); vendor and product must
 * be equal; range bounds compare the version field only; exact criteria
 * compare version and update ('*' any, '-' only none).
 *
 * The library never prints: errors are codes from iotcop/error.h with a
 * one-line detail where a `detail` buffer is given. */
#ifndef IOTCOP_VULNDB_H
#define IOTCOP_VULNDB_H

#include "iotcop/report.h"

#include <stddef.h>
#include <stdint.h>

/* ---- versions and CPE names ---------------------------------------------- */

/* Compares two version strings: <0, 0 or >0. Runs of digits compare as
 * integers (any length), runs of letters as case-insensitive strings, other
 * characters only separate runs; a sequence that is a prefix of the other is
 * smaller (6.2 < 6.2.0, 1.0.2 < 1.0.2a), except that a pre-release word
 * (dev, alpha, beta, pre, preview, rc) sorts before the end (1.2.3-rc1 <
 * 1.2.3). NULL sorts as "". */
int ic_version_compare(const char *a, const char *b);

/* Splits a version as found in software into NVD's version and update
 * fields: a trailing p<digits>, rc/alpha/beta/pre/preview/dev[digits]
 * (after an optional '-', '_', '.', '~' or '+') goes to update; otherwise
 * update is "-". Outputs are NUL-terminated and cut to their size. */
void ic_version_split(const char *full, char *version, size_t version_size, char *update,
                      size_t update_size);

#define IC_CPE_FIELD 128

/* The fields of a CPE 2.3 formatted string name, unescaped (`\:` -> `:`).
 * Missing trailing fields are "*". */
struct ic_cpe {
    char part[4];
    char vendor[IC_CPE_FIELD];
    char product[IC_CPE_FIELD];
    char version[IC_CPE_FIELD];
    char update[IC_CPE_FIELD];
    char edition[IC_CPE_FIELD];
    char language[IC_CPE_FIELD];
    char sw_edition[IC_CPE_FIELD];
    char target_sw[IC_CPE_FIELD];
    char target_hw[IC_CPE_FIELD];
    char other[IC_CPE_FIELD];
};

/* Parses "cpe:2.3:part:vendor:product:...". IC_OK, or IC_E_FORMAT when it
 * is not a CPE 2.3 name or a field is too long. */
int ic_cpe_parse(const char *name, struct ic_cpe *out);

/* One CPE match criterion of a record (the criteria name plus its range). */
struct ic_cpe_criterion {
    const char *criteria;        /* "cpe:2.3:a:openbsd:openssh:*:*:..." */
    const char *start_including; /* NULL when absent */
    const char *start_excluding;
    const char *end_including;
    const char *end_excluding;
};

/* What is matched: a component known as vendor:product at version. update
 * NULL means "split it from version" (ic_version_split); "-" or "" means
 * none. */
struct ic_vuln_target {
    const char *vendor;
    const char *product;
    const char *version;
    const char *update;
};

/* Whether the criterion matches the target (vendor and product equal,
 * then the rules above). 1, 0; -1 when the criteria name does not parse. */
int ic_cpe_criterion_matches(const struct ic_cpe_criterion *criterion,
                             const struct ic_vuln_target *target);

/* ---- the store ----------------------------------------------------------- */

struct ic_vulndb;

/* $XDG_DATA_HOME/iotcop/vulndb.sqlite, else $HOME/.local/share/iotcop/...
 * into out. IC_OK, IC_E_NOT_FOUND (neither variable set) or
 * IC_E_INVALID_ARG (does not fit). */
int ic_vulndb_default_path(char *out, size_t size);

enum ic_vulndb_mode {
    IC_VULNDB_READ,  /* the file must exist; opened read-only */
    IC_VULNDB_WRITE, /* created (with its directory) when missing */
};

/* Opens (and for writing, creates and migrates) the store at path. Caller
 * closes with ic_vulndb_close(). IC_OK, IC_E_NOT_FOUND, IC_E_IO,
 * IC_E_FORMAT (not a store of ours), IC_E_NOMEM. */
int ic_vulndb_open(const char *path, enum ic_vulndb_mode mode, struct ic_vulndb **out, char *detail,
                   size_t detail_size);
void ic_vulndb_close(struct ic_vulndb *db);

/* What one import (a file, a buffer, or an update's pages) did. */
struct ic_vulndb_import_stats {
    uint64_t records;   /* CVE / OSV records stored (new or replaced) */
    uint64_t unchanged; /* records skipped: the store holds a newer copy */
    uint64_t rejected;  /* records stored as REJECTED / withdrawn (never matched) */
    uint64_t criteria;  /* CPE match criteria stored */
    uint64_t kev;       /* KEV entries stored */
    uint64_t invalid;   /* records dropped as malformed (no id, ...) */
    /* The page header of an NVD API 2.0 response, when there was one: */
    int has_page;
    uint64_t start_index;
    uint64_t results_per_page;
    uint64_t total_results;
    char timestamp[40];
    char format[24]; /* "nvd-2.0", "nvd-1.1", "osv", "kev" or "" */
};

/* Imports one file (streamed: memory stays bounded whatever its size).
 * Records are replaced when the incoming copy is as new or newer
 * (lastModified), so importing twice changes nothing. Everything read before
 * an error stays stored. IC_OK; IC_E_IO (unreadable); IC_E_UNKNOWN_FORMAT
 * (JSON, but none of the formats); IC_E_FORMAT / IC_E_TRUNCATED (bad JSON:
 * stats say what was stored before it); IC_E_IO also for store errors. */
int ic_vulndb_import_file(struct ic_vulndb *db, const char *path,
                          struct ic_vulndb_import_stats *stats, char *detail, size_t detail_size);
/* The same from bytes in memory (borrowed). */
int ic_vulndb_import_memory(struct ic_vulndb *db, const void *data, size_t size,
                            struct ic_vulndb_import_stats *stats, char *detail, size_t detail_size);

struct ic_vulndb_info {
    uint64_t records; /* CVE and OSV records, rejected included */
    uint64_t rejected;
    uint64_t criteria;
    uint64_t kev;
    char last_update[40];   /* end of the last successful `update` window, or "" */
    char newest_record[40]; /* the latest lastModified of any record, or "" */
};

int ic_vulndb_get_info(struct ic_vulndb *db, struct ic_vulndb_info *info);

/* ---- update over HTTPS --------------------------------------------------- */

#define IC_VULNDB_NVD_URL "https://services.nvd.nist.gov/rest/json/cves/2.0"

struct ic_vulndb_update_options {
    const char *url;           /* NULL: IC_VULNDB_NVD_URL; must be https:// */
    const char *api_key;       /* NULL: none (sent as the apiKey header) */
    const char *ca_file;       /* NULL: the system's trust store */
    double delay_s;            /* < 0: NVD's rule (6 s without a key, 0.6 s with one) */
    unsigned max_retries;      /* for 403, 429, 503 and transport errors */
    unsigned results_per_page; /* 0: 2000 (NVD's maximum) */
    int full;                  /* 1: ignore the last update and fetch everything */
    const char *now;           /* NULL: the current UTC time; else "YYYY-MM-DDTHH:MM:SS" (tests) */
    /* Called for each page fetched and each retry (may be NULL). */
    void (*progress)(void *ctx, const char *message);
    void *progress_ctx;
};

/* Fetches the records modified since the store's last update (in windows
 * of at most 120 days, NVD's limit), page by page (startIndex,
 * resultsPerPage, totalResults), pausing between requests and backing off
 * (Retry-After, else doubling) on 403/429/503. Certificate verification is
 * always on. The last update is moved only when every page arrived.
 * IC_OK; IC_E_IO (network, TLS or HTTP failure after retries, detail says);
 * IC_E_FORMAT (a page that is not an API 2.0 response); IC_E_INTERNAL (the
 * store could not be written); IC_E_INVALID_ARG. */
int ic_vulndb_update(struct ic_vulndb *db, const struct ic_vulndb_update_options *options,
                     struct ic_vulndb_import_stats *stats, char *detail, size_t detail_size);

/* ---- matching ------------------------------------------------------------ */

struct ic_vuln_match {
    char cve[64];        /* CVE id (for OSV records, the CVE alias or the OSV id) */
    char record[64];     /* the record's own id (NVD: the CVE id; OSV: its id) */
    size_t target;       /* index of the target that matched */
    char criterion[512]; /* the matched criterion as text, for evidence */
    int has_cvss;
    double cvss;          /* base score (v3.1, else v3.0, else v2) */
    char cvss_version[8]; /* "3.1", "3.0", "2.0" */
    char severity[16];    /* "CRITICAL", "HIGH", ... as the record says */
    int known_exploited;  /* in the imported KEV list */
    char kev_date_added[16];
};

/* The CVEs matching any of the targets, each once per (CVE, target), sorted
 * by CVE id then target. An AND configuration needs every node matched by
 * some target of the set (so a platform CPE can be given as a target), and
 * one of the CVE's vulnerable criteria matched by the reported target.
 * REJECTED and withdrawn records never match. *out: caller frees with
 * free(). IC_OK, IC_E_IO, IC_E_NOMEM. */
int ic_vulndb_match(struct ic_vulndb *db, const struct ic_vuln_target *targets, size_t count,
                    struct ic_vuln_match **out, size_t *out_count);

/* The targets of a component: one per CPE name (the CPE's version, else
 * the component's), or none without CPE names or a version. Fills at most
 * max targets, whose strings point into storage (caller provides,
 * storage_size bytes). Returns the number filled. */
size_t ic_vulndb_component_targets(const struct ic_component *component,
                                   struct ic_vuln_target *targets, size_t max, char *storage,
                                   size_t storage_size);

/* Adds one finding per matching CVE of the component (rule
 * vuln.known-exploited when in KEV, else vuln.known-cve; severity from the
 * record's CVSS; cve and cvss set; evidence names the component, the
 * version and the matched criterion) at location. A CVE that concerns a
 * busybox applet or kernel option the component's features show absent
 * (data/cve-features.json) is vuln.not-applicable, severity info, with the
 * reason in the evidence. Returns IC_OK or an
 * error; *added (may be NULL) counts new findings. */
int ic_vulndb_add_findings(struct ic_vulndb *db, struct ic_report *report,
                           const struct ic_component *component, struct ic_location location,
                           size_t *added);

/* For an audit: matches every component of the report (as added so far)
 * and adds the findings above, each at the component's first path (in the
 * file system layer that holds it; "layer:ID" paths give a raw location),
 * records the store in the report's run (path, freshness, records) and
 * notes the coverage of 5.3-8 (can fail, never pass). Call after the
 * components are added and before ic_report_finish(), from one thread.
 * *added (may be NULL) counts new findings. IC_OK or the first error. */
int ic_vulndb_report(struct ic_vulndb *db, struct ic_report *report, size_t *added);

#endif
