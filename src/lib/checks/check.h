/* What every firmware check family provides, and what it is given.
 *
 * A family is one file src/lib/checks/families/NAME.c defining
 *     const struct ic_check ic_check_NAME = { ... };
 * (the build registers it) plus its rule set, listed once in
 * src/lib/report/rule_sets.def. run() reads the unpacked file trees (shared,
 * read-only, by all families at once on different threads) and adds findings
 * to the report; it must not keep pointers into the tree after it returns.
 * Its coverage is noted in the report after it has run. */
#ifndef IC_CHECKS_CHECK_H
#define IC_CHECKS_CHECK_H

#include "core/pool.h"
#include "iotcop/limits.h"
#include "iotcop/report.h"
#include "iotcop/unpack.h"

#include <stdarg.h>

struct ic_check_options {
    const char *wordlist;      /* extra passwords to try, one per line, or NULL */
    unsigned slow_hash_budget; /* seconds for slow hashes (bcrypt, yescrypt) */
};

struct ic_check_ctx {
    const struct ic_unpack *unpack;
    struct ic_report *report;
    const struct ic_limits *limits;
    const struct ic_check_options *options;
    struct ic_pool *pool; /* for parallel loops inside a family; may be NULL */
};

struct ic_check {
    const char *name;
    const char *description;
    const struct ic_rule_set *rules;
    const struct ic_coverage *coverage;
    size_t coverage_count;
    int (*run)(struct ic_check_ctx *ctx);
};

/* Adds a finding of rule_id (from the catalogue) at a file of a layer, with
 * evidence (printf-style; mask secrets before). line 0 when not meaningful. */
int ic_check_finding(struct ic_check_ctx *ctx, const char *rule_id, const char *layer,
                     const char *path, uint64_t line, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* Runs every registered family over the unpack into the report, families in
 * parallel on the pool, and notes their coverage. */
int ic_checks_run(const struct ic_unpack *unpack, struct ic_report *report,
                  const struct ic_limits *limits, const struct ic_check_options *options,
                  struct ic_pool *pool);

/* Names of the registered families, NULL past the end. */
const char *ic_check_name(size_t index);

#endif
