/* Runs the check families over an unpacked image. */
#include "checks/check.h"
#include "core/buf.h"
#include "iotcop/error.h"
#include "iotcop/progress.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#define IC_CHECK(name) extern const struct ic_check ic_check_##name;
#include "checks.gen.h"
#undef IC_CHECK

static const struct ic_check *const checks[] = {
#define IC_CHECK(name) &ic_check_##name,
#include "checks.gen.h"
#undef IC_CHECK
    NULL,
};

#define CHECK_COUNT (sizeof(checks) / sizeof(checks[0]) - 1)

const char *ic_check_name(size_t index)
{
    return index < CHECK_COUNT ? checks[index]->name : NULL;
}

int ic_check_finding(struct ic_check_ctx *ctx, const char *rule_id, const char *layer,
                     const char *path, uint64_t line, const char *fmt, ...)
{
    const struct ic_rule *rule = ic_rule_find(rule_id);
    if (!rule)
        return IC_E_INVALID_ARG;
    struct ic_buf evidence = IC_BUF_INIT(4096);
    va_list ap;
    va_start(ap, fmt);
    int rc = ic_buf_vprintf(&evidence, fmt, ap);
    va_end(ap);
    if (rc == IC_E_LIMIT_FILE_SIZE) { /* long evidence is cut, not lost */
        va_start(ap, fmt);
        char cut[4000];
        vsnprintf(cut, sizeof(cut), fmt, ap);
        va_end(ap);
        rc = ic_buf_append_str(&evidence, cut);
    }
    if (rc) {
        ic_buf_release(&evidence);
        return rc;
    }
    struct ic_location loc = ic_location_file(layer, path);
    loc.line = line;
    struct ic_finding f = ic_finding_from_rule(rule, loc, (const char *)evidence.data);
    rc = ic_report_add_finding(ctx->report, &f, NULL);
    ic_buf_release(&evidence);
    return rc == IC_E_EXISTS ? IC_OK : rc;
}

struct run_state {
    struct ic_check_ctx *ctx;
    int *results;
    atomic_size_t finished;
};

static void run_one(void *arg, size_t index)
{
    struct run_state *s = arg;
    struct ic_check_ctx ctx = *s->ctx;
    ctx.pool = NULL; /* the pool is busy running the families themselves */
    s->results[index] = checks[index]->run(&ctx);
    size_t done = atomic_fetch_add(&s->finished, 1) + 1;
    ic_progress_report(IC_PROGRESS_CHECKS, done, CHECK_COUNT, checks[index]->name);
}

int ic_checks_run(const struct ic_unpack *unpack, struct ic_report *report,
                  const struct ic_limits *limits, const struct ic_check_options *options,
                  struct ic_pool *pool)
{
    struct ic_check_options no_options = {0};
    struct ic_check_ctx ctx = {unpack, report, limits, options ? options : &no_options, pool};
    int results[CHECK_COUNT + 1];
    struct run_state state = {&ctx, results, 0};
    ic_pool_for(pool, CHECK_COUNT, run_one, &state);
    for (size_t i = 0; i < CHECK_COUNT; i++) {
        if (results[i] == IC_OK) {
            ic_report_note_coverage(report, checks[i]->name, checks[i]->coverage,
                                    checks[i]->coverage_count);
        } else {
            char msg[160];
            snprintf(msg, sizeof(msg), "check '%s' stopped: %s", checks[i]->name,
                     ic_error_message(results[i]));
            ic_report_add_diagnostic(report, results[i], 1, NULL, msg);
        }
    }
    return IC_OK;
}
