/* A manufacturer's declaration: what only documents can establish about a
 * product (who makes it, how long it gets security updates, where to report
 * vulnerabilities) and, per ETSI EN 303 645 provision, whether the
 * manufacturer states it is implemented or does not apply, with a
 * justification and a reference. The schema is in docs/declaration.md.
 *
 * A declaration is read from YAML or JSON (the same schema). It is untrusted
 * input: a syntax error ends the parse with the line; a bad value (an unknown
 * key, an unknown provision, a status that is not allowed) is a diagnostic
 * with its line and key, and the rest is still read.
 *
 * Ownership: a declaration owns every string in it; ic_declaration_free()
 * frees them all. Once parsed it is read-only and may be shared by threads
 * and by a report (ic_report_set_declaration borrows it). */
#ifndef IOTCOP_DECLARATION_H
#define IOTCOP_DECLARATION_H

#include "iotcop/report.h"

#include <stddef.h>
#include <stdint.h>

/* The schema name a declaration may state as "schema". */
#define IC_DECLARATION_SCHEMA "iotcop-declaration/1"
/* Largest declaration file read (bytes). */
#define IC_DECLARATION_MAX_BYTES (4u * 1024u * 1024u)
/* Most diagnostics kept; later ones are counted only. */
#define IC_DECLARATION_MAX_DIAGS 64u

enum ic_declaration_syntax {
    IC_DECLARATION_AUTO, /* JSON when the first non-blank byte is '{', else YAML */
    IC_DECLARATION_YAML,
    IC_DECLARATION_JSON,
};

/* What the manufacturer states about one provision. */
struct ic_declared_provision {
    const char *id;            /* "5.1-1", a known provision */
    enum ic_status status;     /* IC_STATUS_PASS ("implemented") or IC_STATUS_NOT_APPLICABLE */
    const char *justification; /* or NULL */
    const char *reference;     /* document, section or URL; or NULL */
    unsigned line;             /* where it is declared */
};

/* A problem with one value: its line, the key path ("provisions.5.1-1.status")
 * and what is wrong. */
struct ic_declaration_diag {
    unsigned line;
    const char *key;
    const char *message;
};

struct ic_declaration {
    const char *source; /* the file name given, or NULL */
    /* product */
    const char *product_name;
    const char *product_model;
    const char *product_type;  /* the kind of product: "smart camera" */
    const char *product_batch; /* batch, serial range or firmware versions covered */
    /* manufacturer */
    const char *manufacturer_name;
    const char *manufacturer_address;
    const char *representative; /* authorised representative (name and address), or NULL */
    /* support period (PSTI Schedule 1 para 3) */
    const char *support_end; /* "YYYY-MM-DD" */
    const char *support_url; /* where the period is published */
    /* vulnerability disclosure (PSTI Schedule 1 para 2) */
    const char *disclosure_contact;
    const char *disclosure_url;
    const char *disclosure_timelines; /* when reporters hear back */
    /* the statement of compliance */
    const char *prepared_by; /* "manufacturer" or "on behalf of the manufacturer: ..." */
    const char *signatory_name;
    const char *signatory_function;
    const char *signed_place;
    const char *signed_date; /* "YYYY-MM-DD" */

    struct ic_declared_provision *provisions;
    size_t provision_count;

    struct ic_declaration_diag *diags;
    size_t diag_count;
    size_t diags_dropped;

    struct ic_declaration_private *priv;
};

/* Parses a declaration from memory. On IC_OK *out is a declaration (which
 * may carry diagnostics about values it skipped). On a syntax error
 * (IC_E_FORMAT, IC_E_TRUNCATED, IC_E_UNSUPPORTED, IC_E_LIMIT_*) *out is
 * still set, holding no values and one diagnostic with the line; the caller
 * frees it either way with ic_declaration_free(). IC_E_NOMEM leaves *out
 * NULL. source (may be NULL) is copied and used in reasons. */
int ic_declaration_parse(const uint8_t *data, size_t size, enum ic_declaration_syntax syntax,
                         const char *source, struct ic_declaration **out);
/* Reads and parses a file; the syntax from its name (.json is JSON, .yaml and
 * .yml YAML, otherwise auto). IC_E_IO when it cannot be read,
 * IC_E_LIMIT_FILE_SIZE when larger than IC_DECLARATION_MAX_BYTES (*out NULL
 * for both); otherwise as ic_declaration_parse(). */
int ic_declaration_load(const char *path, struct ic_declaration **out);
void ic_declaration_free(struct ic_declaration *decl);

/* A field by its dotted schema name ("manufacturer.address",
 * "support_period.end"), NULL when unset or unknown. */
const char *ic_declaration_field(const struct ic_declaration *decl, const char *name);

/* What the manufacturer states about a provision, or NULL. */
const struct ic_declared_provision *ic_declaration_find(const struct ic_declaration *decl,
                                                        const char *provision);

/* Records every declared provision in the report (ic_report_declare_provision)
 * and borrows decl for the report's declaration, scorecard and PSTI statement
 * sections (it must outlive the report). Before ic_report_finish(). */
int ic_report_set_declaration(struct ic_report *report, const struct ic_declaration *decl);

#endif
