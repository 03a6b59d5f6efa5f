/* The report model: what one audit of one input (a firmware image or a live
 * device) found, and the verdict it reaches per guideline, provision, PSTI
 * requirement and CRA entry.
 *
 * Every source of evidence fills the same model:
 *   - checks add findings (ic_report_add_finding) and components;
 *   - device probes add services;
 *   - each check family says which provisions it can settle
 *     (ic_report_note_coverage) once it has run;
 *   - explicit evidence of a pass or of a condition that does not hold is
 *     recorded with ic_report_set_provision (tested) or
 *     ic_report_declare_provision (from a manufacturer's declaration).
 * ic_report_finish() then sorts everything into a deterministic order and
 * computes the verdicts; reporters read the result.
 *
 * Lifecycle: ic_report_new() -> set target/run/unpack -> add ... ->
 * ic_report_finish() -> read / write -> ic_report_free(). Adding after
 * ic_report_finish() is refused (IC_E_INVALID_ARG).
 *
 * Ownership: every ic_report_add_... and ic_report_set_... function copies
 * the strings and arrays it is given; the caller keeps its own. The unpack
 * result is the exception: it is borrowed and must outlive the report.
 *
 * Threads: the add, note, set and declare functions may be called from many
 * threads at once (they take the report's lock). Reading the public fields
 * is safe once ic_report_finish() has returned, from any number of threads. */
#ifndef IOTCOP_REPORT_H
#define IOTCOP_REPORT_H

#include "iotcop/standards.h"

#include <stddef.h>
#include <stdint.h>

struct ic_unpack;
struct ic_buf;
struct ic_json;

/* The version of the report schema written as "schema". */
#define IC_REPORT_SCHEMA "iotcop-report/1"
/* Most findings, components or services one report holds; more is refused
 * with IC_E_LIMIT_MEMORY (a report that large is a broken check). */
#define IC_REPORT_MAX_ITEMS 1000000u

/* ---- severities and statuses --------------------------------------------- */

/* Ordered: a higher value is more severe. */
enum ic_severity {
    IC_SEVERITY_INFO,
    IC_SEVERITY_LOW,
    IC_SEVERITY_MEDIUM,
    IC_SEVERITY_HIGH,
    IC_SEVERITY_CRITICAL,
};

/* "critical", "high", "medium", "low", "info" ("unknown" outside the enum). */
const char *ic_severity_name(enum ic_severity severity);
/* Parses one of those names (case-insensitive). IC_OK or IC_E_INVALID_ARG. */
int ic_severity_parse(const char *name, enum ic_severity *out);

/* The verdict on a provision, guideline, PSTI requirement or CRA entry. */
enum ic_status {
    IC_STATUS_NOT_TESTED, /* the run did not look */
    IC_STATUS_PASS,       /* an automated check positively established it */
    IC_STATUS_FAIL,
    IC_STATUS_UNVERIFIED,     /* nothing automatic settles it */
    IC_STATUS_NOT_APPLICABLE, /* a condition of the provision does not hold */
};

/* "not-tested", "pass", "fail", "unverified", "not-applicable". */
const char *ic_status_name(enum ic_status status);
/* Parses one of those names. IC_OK or IC_E_INVALID_ARG. */
int ic_status_parse(const char *name, enum ic_status *out);

/* Where a verdict comes from. */
enum ic_source {
    IC_SOURCE_TEST,     /* established (or not) by this run */
    IC_SOURCE_DECLARED, /* stated by the manufacturer's declaration */
};

/* "test", "declared". */
const char *ic_source_name(enum ic_source source);

/* ---- rules --------------------------------------------------------------- */

/* A rule: one kind of finding, with a stable id. A check family defines its
 * rules as a const array and publishes them as one struct ic_rule_set (see
 * ic_rule_set_* below); all strings are static. */
struct ic_rule {
    const char *id;                /* stable: "cred.default-password" */
    const char *title;             /* one line: "Default password accepted" */
    enum ic_severity severity;     /* default severity of its findings */
    const char *guideline;         /* "CoP-1" */
    const char *const *provisions; /* NULL-terminated: {"5.1-1", "5.1-2", NULL} */
    const char *rationale;         /* why it matters */
    const char *fix;               /* how to fix it */
};

struct ic_rule_set {
    const char *family; /* "credentials"; the check family's name */
    const struct ic_rule *rules;
    size_t count;
};

/* The rule catalogue: every registered rule set's rules, in registry order
 * (src/lib/report/rule_sets.def lists the sets). NULL past the end / when
 * the id is unknown. */
size_t ic_rule_count(void);
const struct ic_rule *ic_rule_at(size_t index);
const struct ic_rule *ic_rule_find(const char *id);
/* The registered rule sets, NULL past the end. */
const struct ic_rule_set *ic_rule_set_at(size_t index);
/* Checks a rule set against the standards: ids present and unique within the
 * catalogue, guideline known, every provision known, title/rationale/fix
 * present. IC_OK, or IC_E_FORMAT with a description of the first problem in
 * detail (may be NULL). */
int ic_rule_set_validate(const struct ic_rule_set *set, char *detail, size_t detail_size);
/* Validates every registered set, and that no id repeats across sets. */
int ic_rules_validate(char *detail, size_t detail_size);
/* A short version of the rule catalogue and the mapping data it is judged
 * against: changes whenever a rule or the mapping changes. Static string. */
const char *ic_rules_version(void);

/* ---- findings ------------------------------------------------------------ */

enum ic_location_kind {
    IC_LOCATION_FIRMWARE,
    IC_LOCATION_DEVICE,
};

struct ic_location {
    enum ic_location_kind kind;
    /* Firmware: */
    const char *layer;        /* id of the file system or blob layer ("0.1") */
    const char *layer_format; /* its format; NULL: looked up in the report's unpack */
    const char *path;         /* path inside that file system; NULL for raw data */
    uint64_t line;            /* 1-based line, 0 when not meaningful */
    int64_t offset;           /* byte offset in the layer (raw data), -1 when not set */
    /* Device: */
    const char *host;
    uint16_t port;
    const char *protocol; /* "tcp" or "udp" */
    const char *service;  /* "telnet", "mqtt", ... */
};

/* A firmware location in a file: IC_LOCATION_FIRMWARE with line 0, offset -1. */
struct ic_location ic_location_file(const char *layer, const char *path);
/* A firmware location in raw data: no path, the offset set. */
struct ic_location ic_location_raw(const char *layer, int64_t offset);
/* A device location. */
struct ic_location ic_location_device(const char *host, uint16_t port, const char *protocol,
                                      const char *service);

struct ic_finding {
    const char *rule;     /* rule id */
    char fingerprint[65]; /* set by ic_report_add_finding(); input ignored */
    enum ic_severity severity;
    const char *title;
    const char *guideline;         /* "CoP-N" */
    const char *const *provisions; /* NULL-terminated; NULL means none */
    struct ic_location location;
    const char *evidence; /* what was seen; secrets already masked by the caller */
    const char *cve;      /* "CVE-2021-1234", or NULL */
    double cvss;          /* base score, meaningful when has_cvss */
    int has_cvss;
    int suppressed;                 /* kept in the report; counts for verdicts, not gates */
    const char *justification;      /* why it is suppressed, or NULL */
    const char *suppression_source; /* "ignore" or "baseline"; NULL: "ignore" */
};

/* A finding filled from a rule (id, title, severity, guideline, provisions)
 * at a location with evidence. The strings are borrowed from the arguments. */
struct ic_finding ic_finding_from_rule(const struct ic_rule *rule, struct ic_location location,
                                       const char *evidence);

/* The fingerprint of a finding (64 hex digits + NUL into out): SHA-256 of the
 * rule id, the layer's format (firmware) or "device", the path (firmware) or
 * protocol/port/service (device), and the evidence with its whitespace
 * collapsed — NUL-separated. Never the layer id, offset, line, host or time,
 * so it is stable across rebuilds of one product. layer_format is the
 * resolved format (NULL treated as ""). IC_OK or IC_E_INTERNAL. */
int ic_finding_fingerprint(const struct ic_finding *finding, const char *layer_format,
                           char out[65]);

/* ---- components and services --------------------------------------------- */

struct ic_component {
    const char *name;
    const char *version;         /* or NULL when unknown */
    const char *const *cpe;      /* NULL-terminated CPE 2.3 names; NULL means none */
    const char *purl;            /* NULL: pkg:generic/NAME@VERSION is made */
    const char *const *paths;    /* NULL-terminated paths where it was seen */
    const char *evidence;        /* how it was identified */
    const char *const *features; /* NULL-terminated: busybox applets compiled in, kernel
                                  * options set ("CONFIG_X=y"); NULL when not read */
};

/* The protocol versions a TLS probe offers, each alone; bit (1u << v) of
 * ic_service_tls.versions_tested and versions_accepted. */
enum ic_tls_version {
    IC_TLS_SSL2,
    IC_TLS_SSL3,
    IC_TLS_1_0,
    IC_TLS_1_1,
    IC_TLS_1_2,
    IC_TLS_1_3,
    IC_TLS_VERSION_COUNT
};
/* "SSLv2", "SSLv3", "TLSv1.0" ... "TLSv1.3"; NULL for another value. */
const char *ic_tls_version_name(unsigned version);

struct ic_service_tls {
    const char *version;   /* highest protocol version accepted: "TLSv1.3" */
    const char *cipher;    /* negotiated cipher suite */
    const char *subject;   /* certificate subject, or NULL */
    const char *issuer;    /* certificate issuer, or NULL */
    const char *not_after; /* certificate expiry, ISO 8601, or NULL */
    int self_signed;
    unsigned key_bits;          /* certificate key size, 0 when unknown */
    unsigned versions_tested;   /* bits of enum ic_tls_version offered */
    unsigned versions_accepted; /* bits of those the server accepted */
    const char *starttls;       /* the upgrade command ("STARTTLS", "AUTH TLS"), or NULL */
};

struct ic_service {
    const char *host;
    uint16_t port;
    const char *protocol;             /* "tcp" or "udp" */
    const char *service;              /* "ssh", "http", ... */
    const char *banner;               /* or NULL */
    const struct ic_service_tls *tls; /* NULL when not TLS */
};

/* A device that answered multicast discovery (`iotcop device --multicast`):
 * reported, never audited or contacted (unless it is also a target). */
struct ic_discovered {
    const char *host;            /* the responder's address */
    const char *interface;       /* the interface the query went out of */
    const char *protocol;        /* "ssdp" or "mdns" */
    uint16_t port;               /* the port it answered from (1900, 5353) */
    const char *server;          /* SSDP SERVER, or NULL */
    const char *usn;             /* SSDP USN, or NULL */
    const char *location;        /* SSDP LOCATION (reported, never fetched), or NULL */
    const char *const *services; /* SSDP ST / mDNS service types; NULL-terminated, or NULL */
    const char *const *names; /* mDNS instances ("NAME", "NAME port N"); NULL-terminated, or NULL */
};

/* ---- coverage ------------------------------------------------------------ */

/* What one check family can settle about one provision. A family declares a
 * const array of these and notes it in the report once it has run. */
struct ic_coverage {
    const char *provision; /* "5.1-1" */
    int can_pass;          /* finding nothing establishes compliance */
    int can_fail;          /* its findings establish non-compliance */
};

/* ---- the report ---------------------------------------------------------- */

enum ic_target_kind {
    IC_TARGET_NONE,
    IC_TARGET_FIRMWARE,
    IC_TARGET_DEVICE,
    IC_TARGET_PRODUCT, /* `iotcop assess`: several reports of one product (path: its name) */
};

struct ic_target {
    enum ic_target_kind kind;
    const char *path;     /* firmware: the input as given */
    char sha256[65];      /* firmware: hex digest of the input */
    uint64_t size;        /* firmware: bytes */
    const char *address;  /* device */
    const char *hostname; /* device, or NULL */
};

struct ic_run {
    int64_t started; /* Unix time (UTC seconds) */
    double duration_s;
    const char *options;     /* the options that shaped the run, as one string */
    const char *vulndb_path; /* NULL: no vulnerability store used */
    const char *vulndb_last_modified;
    uint64_t vulndb_records;
};

/* A diagnostic of the run itself (not of the unpack): a worker that crashed
 * or timed out before any unpack result existed. */
struct ic_report_diag {
    int error;         /* IC_E_* code */
    int is_error;      /* 1 error, 0 warning */
    const char *layer; /* or NULL */
    const char *message;
};

/* A verdict. `reason` explains it in one line: the evidence recorded, the
 * check that covered it, or why nothing could. */
struct ic_verdict {
    enum ic_status status;
    enum ic_source source;
    const char *reason;
    int suppressed_only;    /* a fail that rests only on suppressed findings: the
                             * verdict stays fail, gates ignore it */
    int contradicted;       /* provisions: the test fails what the declaration
                             * states (implemented or not applicable) */
    const char *declared;   /* provisions: the declaration's statement when one
                             * was made (whatever settled the verdict), or NULL */
    const char *settled_by; /* `iotcop assess`: the evidence that settled it
                             * (an input report, or the declaration), or NULL */
};

struct ic_report_private;

/* Read-only after ic_report_finish(); change only through the functions. */
struct ic_report {
    struct ic_target target;
    struct ic_run run;
    const struct ic_unpack *unpack; /* borrowed; NULL for devices or when unpack failed */

    struct ic_finding *findings; /* deduplicated; sorted by ic_report_finish() */
    size_t finding_count;
    size_t duplicate_count;          /* findings dropped as duplicates */
    struct ic_component *components; /* merged by name+version; sorted */
    size_t component_count;
    struct ic_service *services; /* sorted by host, protocol, port */
    size_t service_count;
    struct ic_report_diag *diags;
    size_t diag_count;
    struct ic_discovered *discovered; /* sorted by host, protocol, interface */
    size_t discovered_count;

    /* Verdicts, valid after ic_report_finish(); indexed like the tables of
     * iotcop/standards.h (provisions[i] is ic_provision_at(i)). */
    struct ic_verdict *provisions;
    struct ic_verdict *guidelines;
    struct ic_verdict *psti;
    struct ic_verdict *cra;
    int finished;

    /* The manufacturer's declaration (iotcop/declaration.h), borrowed; NULL
     * without one. Provisions where a test fails what it declares are
     * contradicted (ic_verdict.contradicted), counted here. */
    const struct ic_declaration *declaration;
    size_t contradiction_count;

    /* `iotcop assess` (iotcop/assess.h): the reports combined, borrowed from
     * the assessment; none otherwise. */
    const struct ic_report_input *inputs;
    size_t input_count;

    struct ic_report_private *priv;
};

/* A new empty report (target kind IC_TARGET_NONE, started = now). Caller
 * frees with ic_report_free(). IC_OK or IC_E_NOMEM. */
int ic_report_new(struct ic_report **out);
void ic_report_free(struct ic_report *report);

/* Target of the audit. sha256 is 64 hex digits or NULL. */
int ic_report_set_firmware_target(struct ic_report *report, const char *path, const char *sha256,
                                  uint64_t size);
int ic_report_set_device_target(struct ic_report *report, const char *address,
                                const char *hostname);
/* Borrowed until ic_report_free(); NULL clears it. Fills a firmware target's
 * sha256 and size from the unpack when they are not set yet. */
int ic_report_set_unpack(struct ic_report *report, const struct ic_unpack *unpack);
/* Run information. started < 0 keeps the time ic_report_new() recorded;
 * duration_s < 0 lets ic_report_finish() measure it. options may be NULL. */
int ic_report_set_run(struct ic_report *report, int64_t started, double duration_s,
                      const char *options);
int ic_report_set_vulndb(struct ic_report *report, const char *path, const char *last_modified,
                         uint64_t records);
int ic_report_add_diagnostic(struct ic_report *report, int error, int is_error, const char *layer,
                             const char *message);

/* Adds a copy of *finding and computes its fingerprint (see
 * ic_finding_fingerprint). rule, title and guideline are required; the
 * guideline and every provision must exist in the standards
 * (IC_E_INVALID_ARG otherwise). A finding whose fingerprint is already in the
 * report is dropped and IC_E_EXISTS returned: callers may treat that as
 * success. fingerprint_out (may be NULL) receives the fingerprint either way. */
int ic_report_add_finding(struct ic_report *report, const struct ic_finding *finding,
                          char fingerprint_out[65]);
/* Adds a copy; a component with the same name and version is merged into the
 * earlier one (paths and CPE names united, first evidence kept). */
int ic_report_add_component(struct ic_report *report, const struct ic_component *component);
/* Adds a copy; the same host/protocol/port again replaces nothing and
 * returns IC_E_EXISTS. */
int ic_report_add_service(struct ic_report *report, const struct ic_service *service);
/* Adds a copy; the same host/protocol/interface again is merged into the
 * earlier one (lists united, first SSDP headers kept). */
int ic_report_add_discovered(struct ic_report *report, const struct ic_discovered *discovered);

/* Records that a check family ran with this coverage (copied). check names
 * the family ("credentials") for the verdict reasons. Unknown provision ids
 * are refused with IC_E_INVALID_ARG (nothing recorded). */
int ic_report_note_coverage(struct ic_report *report, const char *check,
                            const struct ic_coverage *coverage, size_t count);
/* Records a tested verdict for a provision with its evidence ("security.txt
 * valid at /www/.well-known/security.txt"). Several calls for one provision
 * keep the worst (fail over unverified over pass over not-applicable).
 * IC_E_INVALID_ARG for an unknown provision or IC_STATUS_NOT_TESTED. */
int ic_report_set_provision(struct ic_report *report, const char *provision, enum ic_status status,
                            const char *evidence);
/* The same, from a manufacturer's declaration (source "declared"). Test
 * evidence of this run takes precedence over a declaration. */
int ic_report_declare_provision(struct ic_report *report, const char *provision,
                                enum ic_status status, const char *statement);

/* Sorts findings (severity descending, rule, location, fingerprint),
 * components (name, version) and services (host, protocol, port), and
 * computes every verdict (see docs/report-json.md, "Verdicts"). Measures the
 * duration unless set. Calling it twice is harmless. */
int ic_report_finish(struct ic_report *report);

/* Marks finding `index` suppressed (before ic_report_finish(); checks must
 * have stopped adding). source is "ignore" or "baseline"; justification is
 * required. Both are copied. IC_E_INVALID_ARG when finished or out of range. */
int ic_report_suppress(struct ic_report *report, size_t index, const char *source,
                       const char *justification);

/* The highest severity among unsuppressed findings; returns 0 and leaves
 * *out alone when there is none, 1 otherwise. */
int ic_report_max_severity(const struct ic_report *report, enum ic_severity *out);

/* ---- output -------------------------------------------------------------- */

enum ic_text_flags {
    IC_TEXT_COLOUR = 1 << 0, /* ANSI colours, for a terminal */
    IC_TEXT_QUIET = 1 << 1,  /* only the one-line verdict */
};
/* The finished report for people: findings grouped by guideline, then the
 * verdicts of the guidelines and PSTI requirements, then a verdict line.
 * Appends to out. */
int ic_report_write_text(const struct ic_report *report, unsigned flags, struct ic_buf *out);

/* Writes the finished report as one JSON object (schema IC_REPORT_SCHEMA, keys
 * in docs/report-json.md). pretty: indented, ending in a newline; otherwise
 * one line with no trailing newline (the caller ends the JSON Lines record).
 * Appends to out. The report must be finished and have a target
 * (IC_E_INVALID_ARG otherwise). */
int ic_report_write_json(const struct ic_report *report, int pretty, struct ic_buf *out);
/* The same into a JSON writer that is already open (as a value). */
void ic_report_json(const struct ic_report *report, struct ic_json *j);

/* For `iotcop firmware`: a report of an unpacked firmware image with its
 * target (path as given; sha256 and size from the unpack) and the unpack
 * (borrowed: it must outlive the report), no findings yet and not finished,
 * so checks can still add to it. options may be NULL. Caller frees with
 * ic_report_free(). */
int ic_report_for_firmware(const char *path, const struct ic_unpack *unpack, const char *options,
                           struct ic_report **out);
/* Finishes the report if needed, then writes it as ic_report_write_json(). */
int ic_report_finish_and_write_json(struct ic_report *report, int pretty, struct ic_buf *out);

/* The other output formats. Each appends one complete document to out (ending
 * in a newline) from a finished report with a target; IC_E_INVALID_ARG
 * otherwise, or the first append error.
 *
 * SARIF 2.1.0 (docs/report-sarif.md): rules from the rule catalogue, the
 * guidelines and provisions as taxonomies, one result per finding.
 * exit_code is the run's exit status for the invocation, or -1 to omit it. */
int ic_report_write_sarif(const struct ic_report *report, int exit_code, struct ic_buf *out);
/* One self-contained HTML page (docs/report-html.md): inline CSS and SVG, no
 * script, nothing fetched; every string from the input escaped. */
int ic_report_write_html(const struct ic_report *report, struct ic_buf *out);
/* CycloneDX 1.5 JSON and SPDX 2.3 JSON (docs/sbom.md). Both hash the
 * components' files and read their ELF dependencies from the report's
 * unpack when it has one. */
int ic_report_write_cyclonedx(const struct ic_report *report, struct ic_buf *out);
int ic_report_write_spdx(const struct ic_report *report, struct ic_buf *out);

#endif
