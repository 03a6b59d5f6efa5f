/* Verdicts: per provision from findings, explicit evidence, coverage and the
 * mapping's verification data; per guideline and PSTI requirement from their
 * provisions; per CRA entry from the guidelines mapped to it. The rules are
 * written out in docs/report-json.md ("Verdicts"). */
#include "report/report_private.h"

#include "iotcop/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Findings below this severity are evidence only and never fail anything. */
#define FAILING_SEVERITY IC_SEVERITY_LOW

struct failures {
    size_t count;
    size_t unsuppressed;    /* of count, the findings not suppressed */
    const char *first_rule; /* of the most severe (findings are sorted) */
};

/* Suppressed findings still fail what they bear on (the verdict stays
 * honest); only the gates ignore them (docs/gating.md). */
static int failing(const struct ic_finding *f)
{
    return f->severity >= FAILING_SEVERITY;
}

static const char *reason(struct ic_report *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static const char *reason(struct ic_report *r, const char *fmt, ...)
{
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    return ic_arena_strdup(&r->priv->arena, text);
}

static const char *failure_reason(struct ic_report *r, const struct failures *f)
{
    const char *note = f->unsuppressed ? "" : " (suppressed)";
    if (f->count == 1)
        return reason(r, "finding %s%s", f->first_rule, note);
    return reason(r, "findings %s and %zu more%s", f->first_rule, f->count - 1, note);
}

static void assess_provision(struct ic_report *r, size_t i, const struct failures *fail,
                             struct ic_verdict *v)
{
    const struct ic_provision *p = ic_provision_at(i);
    const struct provision_evidence *tested = &r->priv->tested[i];
    const struct provision_evidence *declared = &r->priv->declared[i];
    const struct provision_coverage *cov = &r->priv->coverage[i];
    v->source = IC_SOURCE_TEST;
    if (fail->count) {
        v->status = IC_STATUS_FAIL;
        v->reason = failure_reason(r, fail);
        v->suppressed_only =
            !fail->unsuppressed && !(tested->set && tested->status == IC_STATUS_FAIL);
    } else if (tested->set && !(tested->status == IC_STATUS_UNVERIFIED && declared->set)) {
        /* A test settles it; an unverified one leaves it to the declaration. */
        v->status = tested->status;
        v->reason = tested->note ? tested->note : reason(r, "recorded by a check");
    } else if (cov->pass_check && !tested->set) {
        v->status = IC_STATUS_PASS;
        v->reason = reason(r, "checked by %s: nothing found", cov->pass_check);
    } else if (declared->set) {
        v->status = declared->status;
        v->source = IC_SOURCE_DECLARED;
        v->reason = declared->note ? declared->note : reason(r, "declared by the manufacturer");
    } else if (cov->any_check) {
        v->status = IC_STATUS_UNVERIFIED;
        v->reason = reason(r, "checked by %s: nothing found, which does not establish compliance",
                           cov->any_check);
    } else if (p->firmware_static == IC_STRENGTH_NONE && p->live_network == IC_STRENGTH_NONE) {
        v->status = IC_STATUS_UNVERIFIED;
        v->reason = reason(r, "no automated test can settle it; documents can");
    } else if (p->documentation == IC_DOC_REQUIRED) {
        v->status = IC_STATUS_UNVERIFIED;
        v->reason = reason(r, "needs the manufacturer's documentation");
    } else {
        v->status = IC_STATUS_NOT_TESTED;
        v->reason = reason(r, "no check covering it ran");
    }
    /* A test that fails what the manufacturer declares is a contradiction. */
    v->declared = declared->set ? declared->note : NULL;
    v->contradicted = declared->set && v->status == IC_STATUS_FAIL;
}

/* Whether this run settled a provision or at least looked at it. */
static int looked_at(const struct ic_report *r, size_t i)
{
    enum ic_status s = r->provisions[i].status;
    return s == IC_STATUS_PASS || s == IC_STATUS_FAIL || s == IC_STATUS_NOT_APPLICABLE ||
           r->priv->coverage[i].any_check != NULL;
}

/* A verdict over a set of provisions (a guideline's, or those deemed to meet
 * a PSTI requirement). all_mandatory: treat every one as mandatory. */
static void combine(struct ic_report *r, const char *const *ids, size_t count, int all_mandatory,
                    const struct failures *direct, struct ic_verdict *v)
{
    size_t looked = 0, unverified = 0, not_applicable = 0, passes = 0;
    const char *blocking = NULL;
    enum ic_status blocking_status = IC_STATUS_PASS;
    int declared = 0;
    const struct ic_provision *failed = NULL; /* a real fail first, else a suppressed one */
    v->source = IC_SOURCE_TEST;
    for (size_t k = 0; k < count; k++) {
        const struct ic_provision *p = ic_provision_find(ids[k]);
        const struct ic_verdict *pv = &r->provisions[p->index];
        if (pv->status == IC_STATUS_FAIL) {
            if (!failed || (r->provisions[failed->index].suppressed_only && !pv->suppressed_only))
                failed = p;
            continue;
        }
        looked += looked_at(r, p->index) ? 1 : 0;
        unverified += pv->status == IC_STATUS_UNVERIFIED;
        not_applicable += pv->status == IC_STATUS_NOT_APPLICABLE;
        passes += pv->status == IC_STATUS_PASS;
        if (pv->status == IC_STATUS_PASS || pv->status == IC_STATUS_NOT_APPLICABLE)
            declared |= pv->source == IC_SOURCE_DECLARED;
        else if ((all_mandatory || p->mandatory) && !blocking) {
            blocking = p->id;
            blocking_status = pv->status;
        }
    }
    if (failed &&
        (!r->provisions[failed->index].suppressed_only || !direct || !direct->unsuppressed)) {
        v->status = IC_STATUS_FAIL;
        v->reason = reason(r, "provision %s fails%s", failed->id,
                           r->provisions[failed->index].suppressed_only ? " (suppressed)" : "");
        v->suppressed_only = r->provisions[failed->index].suppressed_only;
    } else if (direct && direct->count) {
        v->status = IC_STATUS_FAIL;
        v->reason = failure_reason(r, direct);
        v->suppressed_only = !direct->unsuppressed;
    } else if (!looked && count && unverified == count) {
        v->status = IC_STATUS_UNVERIFIED;
        v->reason = reason(r, "only documents can settle its provisions");
    } else if (!looked) {
        v->status = IC_STATUS_NOT_TESTED;
        v->reason = reason(r, "none of its provisions was tested");
    } else if (not_applicable == count) {
        v->status = IC_STATUS_NOT_APPLICABLE;
        v->reason = reason(r, "none of its provisions applies");
        v->source = declared ? IC_SOURCE_DECLARED : IC_SOURCE_TEST;
    } else if (!blocking && passes) {
        v->status = IC_STATUS_PASS;
        v->reason = reason(r, all_mandatory ? "every provision passes or does not apply"
                                            : "every mandatory provision passes or does not apply");
        v->source = declared ? IC_SOURCE_DECLARED : IC_SOURCE_TEST;
    } else {
        v->status = IC_STATUS_UNVERIFIED;
        v->reason = blocking ? reason(r, "provision %s is %s", blocking,
                                      ic_status_name(blocking_status))
                             : reason(r, "no provision passes");
    }
}

int ic_report_assess(struct ic_report *r)
{
    size_t np = ic_provision_count(), ng = ic_guideline_count();
    size_t nt = ic_psti_count(), nc = ic_cra_count();
    int rc = IC_E_NOMEM;
    struct failures *by_provision = calloc(np, sizeof(*by_provision));
    struct failures *by_guideline = calloc(ng, sizeof(*by_guideline));
    free(r->provisions);
    free(r->guidelines);
    free(r->psti);
    free(r->cra);
    r->provisions = calloc(np, sizeof(*r->provisions));
    r->guidelines = calloc(ng, sizeof(*r->guidelines));
    r->psti = calloc(nt ? nt : 1, sizeof(*r->psti));
    r->cra = calloc(nc ? nc : 1, sizeof(*r->cra));
    if (!by_provision || !by_guideline || !r->provisions || !r->guidelines || !r->psti || !r->cra)
        goto done;

    for (size_t i = 0; i < r->finding_count; i++) {
        const struct ic_finding *f = &r->findings[i];
        if (!failing(f))
            continue;
        for (size_t k = 0; f->provisions && f->provisions[k]; k++) {
            struct failures *pf = &by_provision[ic_provision_find(f->provisions[k])->index];
            if (!pf->count++)
                pf->first_rule = f->rule;
            pf->unsuppressed += !f->suppressed;
        }
        /* A finding fails the guideline it names, even with no provision of it. */
        struct failures *gf = &by_guideline[ic_guideline_find(f->guideline)->index];
        if (!gf->count++)
            gf->first_rule = f->rule;
        gf->unsuppressed += !f->suppressed;
    }

    r->contradiction_count = 0;
    for (size_t i = 0; i < np; i++) {
        assess_provision(r, i, &by_provision[i], &r->provisions[i]);
        r->contradiction_count += r->provisions[i].contradicted ? 1 : 0;
    }
    for (size_t i = 0; i < ng; i++) {
        const struct ic_guideline *g = ic_guideline_at(i);
        combine(r, g->provisions, g->provision_count, 0, &by_guideline[i], &r->guidelines[i]);
    }
    for (size_t i = 0; i < nt; i++) {
        const struct ic_psti_requirement *t = ic_psti_at(i);
        combine(r, t->deemed_provisions, t->deemed_provision_count, 1, NULL, &r->psti[i]);
    }
    for (size_t i = 0; i < nc; i++) {
        const struct ic_cra_requirement *c = ic_cra_at(i);
        struct ic_verdict *v = &r->cra[i];
        v->source = IC_SOURCE_TEST;
        if (!c->guideline_count) {
            v->status = IC_STATUS_UNVERIFIED;
            v->reason = reason(r, "no guideline maps to it");
            continue;
        }
        const char *worst_id = NULL;
        for (size_t k = 0; k < c->guideline_count; k++) {
            const struct ic_verdict *gv = &r->guidelines[ic_guideline_find(c->guidelines[k])->index];
            if (!worst_id || ic_status_worst(v->status, gv->status) != v->status) {
                v->status = gv->status;
                worst_id = c->guidelines[k];
            }
            if (gv->source == IC_SOURCE_DECLARED)
                v->source = IC_SOURCE_DECLARED;
        }
        v->reason = reason(r, "worst of its guidelines: %s is %s", worst_id,
                           ic_status_name(v->status));
    }
    rc = IC_OK;
    for (size_t i = 0; i < np && rc == IC_OK; i++)
        if (!r->provisions[i].reason)
            rc = IC_E_NOMEM;
    for (size_t i = 0; i < ng && rc == IC_OK; i++)
        if (!r->guidelines[i].reason)
            rc = IC_E_NOMEM;
    for (size_t i = 0; i < nt && rc == IC_OK; i++)
        if (!r->psti[i].reason)
            rc = IC_E_NOMEM;
    for (size_t i = 0; i < nc && rc == IC_OK; i++)
        if (!r->cra[i].reason)
            rc = IC_E_NOMEM;
done:
    free(by_provision);
    free(by_guideline);
    return rc;
}
