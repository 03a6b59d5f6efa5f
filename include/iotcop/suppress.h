/* Suppressions for CI gates (docs/gating.md): an ignore list written by
 * people, and a baseline (the fingerprints of an earlier report).
 *
 * Ignore list, one entry per line; blank lines and lines starting with '#'
 * are skipped:
 *     FINGERPRINT      JUSTIFICATION
 *     RULE[:GLOB]      JUSTIFICATION
 * FINGERPRINT is the 64 hex digits of a finding; RULE a rule id of the
 * catalogue, optionally with a shell glob (fnmatch, '*' also crosses '/')
 * on the finding's file path. The justification is the rest of the line and
 * may not be empty.
 *
 * A suppressed finding stays in every report, marked with its source and
 * justification; it still counts for verdicts and no longer for gates.
 *
 * Ownership: a list and a baseline own their strings; release them. */
#ifndef IOTCOP_SUPPRESS_H
#define IOTCOP_SUPPRESS_H

#include "iotcop/report.h"

#include <stddef.h>
#include <stdint.h>

/* Longest line of an ignore list. */
#define IC_IGNORE_MAX_LINE 4096u
/* Most entries of an ignore list. */
#define IC_IGNORE_MAX_ENTRIES 100000u

struct ic_ignore_entry {
    char fingerprint[65]; /* "" when the entry names a rule */
    const char *rule;     /* NULL when the entry is a fingerprint */
    const char *glob;     /* NULL: every path (and findings without one) */
    const char *justification;
    unsigned line;
};

struct ic_ignore_list {
    struct ic_ignore_entry *entries;
    size_t count;
    void *priv;
};

/* Parses an ignore list. On error returns IC_E_FORMAT (or IC_E_LIMIT_*,
 * IC_E_NOMEM), sets *bad_line to the 1-based line and detail to what is
 * wrong; the entries before it stay in the list. Release the list whatever
 * the result. */
int ic_ignore_parse(const uint8_t *data, size_t size, struct ic_ignore_list *list,
                    unsigned *bad_line, char *detail, size_t detail_size);
void ic_ignore_release(struct ic_ignore_list *list);
/* The first entry that matches the finding, or NULL. */
const struct ic_ignore_entry *ic_ignore_match(const struct ic_ignore_list *list,
                                              const struct ic_finding *finding);

/* A baseline: the fingerprints of the findings of one or more reports. */
struct ic_baseline {
    char (*fingerprints)[65]; /* sorted, unique once ic_baseline_seal() ran */
    size_t count;
    size_t cap;
    const char *name; /* shown in justifications; owned */
};

/* Adds the fingerprints of every report in data: one JSON report, or JSON
 * Lines (one report per line). IC_OK or the reader's error with detail. */
int ic_baseline_add(struct ic_baseline *baseline, const uint8_t *data, size_t size, char *detail,
                    size_t detail_size);
/* Sorts; call once after the last add. name is copied. */
int ic_baseline_seal(struct ic_baseline *baseline, const char *name);
int ic_baseline_has(const struct ic_baseline *baseline, const char *fingerprint);
void ic_baseline_release(struct ic_baseline *baseline);

/* Suppresses every finding of an unfinished report that the ignore list
 * matches (source "ignore", the entry's justification) or, failing that,
 * that the baseline holds (source "baseline"). Either may be NULL. Returns
 * IC_OK or the first error of ic_report_suppress(); *count (may be NULL)
 * receives the number suppressed. */
int ic_report_apply_suppressions(struct ic_report *report, const struct ic_ignore_list *ignore,
                                 const struct ic_baseline *baseline, size_t *count);

#endif
