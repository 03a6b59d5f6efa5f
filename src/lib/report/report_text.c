/* The report for people: findings grouped by guideline, then the verdicts. */
#include "core/buf.h"
#include "iotcop/declaration.h"
#include "iotcop/assess.h"
#include "report/scorecard.h"
#include "iotcop/error.h"
#include "iotcop/report.h"
#include "iotcop/standards.h"
#include "iotcop/unpack.h"

#include <inttypes.h>
#include <string.h>

struct style {
    const char *bold, *red, *yellow, *green, *dim, *reset;
};

static const struct style plain = {"", "", "", "", "", ""};
static const struct style ansi = {"\033[1m",  "\033[31m", "\033[33m",
                                  "\033[32m", "\033[2m",  "\033[0m"};

static const char *status_colour(const struct style *s, enum ic_status status)
{
    switch (status) {
    case IC_STATUS_FAIL:
        return s->red;
    case IC_STATUS_PASS:
        return s->green;
    case IC_STATUS_UNVERIFIED:
        return s->yellow;
    default:
        return s->dim;
    }
}

static const char *severity_colour(const struct style *s, enum ic_severity sev)
{
    return sev >= IC_SEVERITY_HIGH ? s->red : sev == IC_SEVERITY_MEDIUM ? s->yellow : s->dim;
}

static int write_location(struct ic_buf *out, const struct ic_finding *f)
{
    const struct ic_location *l = &f->location;
    if (l->kind == IC_LOCATION_DEVICE)
        return ic_buf_printf(out, "%s:%u/%s (%s)", l->host ? l->host : "?", l->port,
                             l->protocol ? l->protocol : "tcp", l->service ? l->service : "?");
    int rc = ic_buf_printf(out, "%s", l->path ? l->path : "(raw data)");
    if (!rc && l->line)
        rc = ic_buf_printf(out, ":%" PRIu64, l->line);
    if (!rc && !l->path && l->offset >= 0)
        rc = ic_buf_printf(out, " at 0x%" PRIx64, (uint64_t)l->offset);
    if (!rc && l->layer)
        rc = ic_buf_printf(out, " [layer %s]", l->layer);
    return rc;
}

static int verdict_line(struct ic_buf *out, const struct ic_report *r)
{
    size_t fail = 0, pass = 0, other = 0;
    for (size_t i = 0; i < ic_guideline_count(); i++) {
        if (r->guidelines[i].status == IC_STATUS_FAIL)
            fail++;
        else if (r->guidelines[i].status == IC_STATUS_PASS)
            pass++;
        else
            other++;
    }
    const char *what = r->target.kind == IC_TARGET_DEVICE ? r->target.address : r->target.path;
    return ic_buf_printf(
        out, "%s: %zu finding%s; guidelines: %zu fail, %zu pass, %zu not settled%s\n",
        what ? what : "?", r->finding_count, r->finding_count == 1 ? "" : "s", fail, pass, other,
        r->contradiction_count ? "; the declaration is contradicted" : "");
}

/* Where a test fails what the manufacturer declared: first, so nobody misses it. */
static int write_contradictions(struct ic_buf *out, const struct style *s,
                                const struct ic_report *r)
{
    int rc = IC_OK;
    if (!r->contradiction_count)
        return rc;
    rc = ic_buf_printf(out,
                       "\n%s%sCONTRADICTED DECLARATION%s: %zu provision%s the manufacturer "
                       "declares, a test fails\n",
                       s->bold, s->red, s->reset, r->contradiction_count,
                       r->contradiction_count == 1 ? "" : "s");
    for (size_t i = 0; i < ic_provision_count() && !rc; i++) {
        const struct ic_verdict *v = &r->provisions[i];
        if (v->contradicted)
            rc = ic_buf_printf(out, "  %s%-7s%s declared: %s\n          tested:   %s %s\n", s->red,
                               ic_provision_at(i)->id, s->reset, v->declared,
                               ic_status_name(v->status), v->reason);
    }
    return rc;
}

/* `iotcop assess`: the reports combined. */
static int write_product(struct ic_buf *out, const struct style *s, const struct ic_report *r)
{
    int rc = ic_buf_printf(out, "%sProduct%s %s, combined from %zu report%s\n", s->bold, s->reset,
                           r->target.path, r->input_count, r->input_count == 1 ? "" : "s");
    for (size_t i = 0; i < r->input_count && !rc; i++)
        rc = ic_buf_printf(out, "  %-8s %s (%s)\n", r->inputs[i].kind, r->inputs[i].label,
                           r->inputs[i].path ? r->inputs[i].path : r->inputs[i].address);
    return rc;
}

/* `iotcop assess`: every provision with the evidence that settled it. */
static int write_provisions(struct ic_buf *out, const struct style *s, const struct ic_report *r)
{
    int rc = ic_buf_printf(out, "%sEN 303 645 provisions%s (verdict, source, settled by)\n",
                           s->bold, s->reset);
    for (size_t i = 0; i < ic_provision_count() && !rc; i++) {
        const struct ic_verdict *v = &r->provisions[i];
        rc = ic_buf_printf(out, "  %-7s %s%-14s%s %-8s %s%s\n", ic_provision_at(i)->id,
                           status_colour(s, v->status), ic_status_name(v->status), s->reset,
                           ic_source_name(v->source), v->settled_by ? v->settled_by : "-",
                           v->contradicted ? " (contradicts the declaration)" : "");
    }
    return rc;
}

/* The scorecard after the verdicts: EN 303 645 counts, CRA Annex I and the
 * draft PSTI statement of compliance with its gaps. */
static int write_scorecard(struct ic_buf *out, const struct style *s, const struct ic_report *r)
{
    int rc = IC_OK;
    for (int mandatory = 1; mandatory >= 0 && !rc; mandatory--) {
        size_t c[5];
        ic_report_provision_counts(r, mandatory, c);
        rc = ic_buf_printf(out,
                           "%s  %-12s %zu pass, %zu fail, %zu unverified, %zu not tested, "
                           "%zu not applicable\n",
                           mandatory ? "EN 303 645\n" : "", mandatory ? "mandatory" : "recommended",
                           c[IC_STATUS_PASS], c[IC_STATUS_FAIL], c[IC_STATUS_UNVERIFIED],
                           c[IC_STATUS_NOT_TESTED], c[IC_STATUS_NOT_APPLICABLE]);
    }
    if (!rc)
        rc = ic_buf_printf(out, "%sEU CRA Annex I%s\n", s->bold, s->reset);
    for (size_t i = 0; i < ic_cra_count() && !rc; i++) {
        const struct ic_cra_requirement *c = ic_cra_at(i);
        if (!c->guideline_count)
            continue;
        rc = ic_buf_printf(out, "  %-8s %s%-14s%s %.70s\n", c->id,
                           status_colour(s, r->cra[i].status), ic_status_name(r->cra[i].status),
                           s->reset, c->description);
    }
    size_t gaps = ic_psti_statement_gaps(r);
    if (!rc)
        rc = ic_buf_printf(out, "%sPSTI statement of compliance (draft)%s: %s\n", s->bold, s->reset,
                           gaps ? "gaps below" : "every item filled");
    for (size_t i = 0; i < ic_psti_statement_item_count && !rc; i++) {
        char value[1024], gap[1024];
        int complete = ic_psti_statement_item(r, i, value, sizeof(value), gap, sizeof(gap));
        rc = ic_buf_printf(out, "  %-10s %s: %s%s%s\n", ic_psti_statement_items[i].ref,
                           ic_psti_statement_items[i].text, complete ? "" : s->yellow,
                           complete ? value : gap, complete ? "" : s->reset);
    }
    return rc;
}

/* Multicast responders (device --multicast): one line each, not audited. */
static int write_discovered(struct ic_buf *out, const struct style *s, const struct ic_report *r)
{
    int rc = IC_OK;
    if (r->discovered_count)
        rc = ic_buf_printf(out, "\n%sDiscovered by multicast%s (reported, not audited)\n", s->bold,
                           s->reset);
    for (size_t i = 0; i < r->discovered_count && !rc; i++) {
        const struct ic_discovered *d = &r->discovered[i];
        rc =
            ic_buf_printf(out, "  %s udp/%u %s on %s", d->host, d->port, d->protocol, d->interface);
        if (!rc && d->server)
            rc = ic_buf_printf(out, "; SERVER '%s'", d->server);
        if (!rc && d->location)
            rc = ic_buf_printf(out, "; LOCATION %s (not followed)", d->location);
        for (size_t k = 0; d->services && d->services[k] && !rc; k++)
            rc = ic_buf_printf(out, "%s%s", k ? ", " : "; ", d->services[k]);
        for (size_t k = 0; d->names && d->names[k] && !rc; k++)
            rc = ic_buf_printf(out, "%s%s", k ? ", " : "; names: ", d->names[k]);
        if (!rc)
            rc = ic_buf_printf(out, "\n");
    }
    return rc;
}

int ic_report_write_text(const struct ic_report *r, unsigned flags, struct ic_buf *out)
{
    if (!r->finished)
        return IC_E_INVALID_ARG;
    const struct style *s = (flags & IC_TEXT_COLOUR) ? &ansi : &plain;
    if (flags & IC_TEXT_QUIET)
        return verdict_line(out, r);
    int rc = IC_OK;
    if (r->target.kind == IC_TARGET_FIRMWARE) {
        rc = ic_buf_printf(out, "%sFirmware%s %s (%" PRIu64 " bytes, sha256 %s)\n", s->bold,
                           s->reset, r->target.path, r->target.size, r->target.sha256);
        if (!rc && r->unpack)
            rc = ic_buf_printf(out,
                               "Unpacked %zu layers, %" PRIu64 " file system entries, %" PRIu64
                               " bytes expanded, %zu diagnostics\n",
                               r->unpack->layer_count, r->unpack->files, r->unpack->bytes,
                               r->unpack->diag_count);
    } else if (r->target.kind == IC_TARGET_PRODUCT) {
        rc = write_product(out, s, r);
    } else if (r->target.kind == IC_TARGET_DEVICE) {
        rc = ic_buf_printf(out, "%sDevice%s %s\n", s->bold, s->reset, r->target.address);
    }
    for (size_t i = 0; i < r->diag_count && !rc; i++)
        rc = ic_buf_printf(out, "%s: %s [%s]\n", r->diags[i].is_error ? "error" : "warning",
                           r->diags[i].message, ic_error_name(r->diags[i].error));
    if (!rc)
        rc = write_discovered(out, s, r);

    if (!rc)
        rc = write_contradictions(out, s, r);
    /* Findings, grouped by guideline in catalogue order. */
    for (size_t g = 0; g < ic_guideline_count() && !rc; g++) {
        const struct ic_guideline *gl = ic_guideline_at(g);
        int header = 0;
        for (size_t i = 0; i < r->finding_count && !rc; i++) {
            const struct ic_finding *f = &r->findings[i];
            if (!f->guideline || strcmp(f->guideline, gl->id) != 0)
                continue;
            if (!header) {
                rc = ic_buf_printf(out, "\n%s%s %s%s — %s%s%s\n", s->bold, gl->id, gl->title,
                                   s->reset, status_colour(s, r->guidelines[g].status),
                                   ic_status_name(r->guidelines[g].status), s->reset);
                header = 1;
            }
            if (!rc)
                rc = ic_buf_printf(out, "  %s%-8s%s %s%s: ", severity_colour(s, f->severity),
                                   ic_severity_name(f->severity), s->reset, f->rule,
                                   f->suppressed ? " (suppressed)" : "");
            if (!rc)
                rc = write_location(out, f);
            if (!rc)
                rc = ic_buf_printf(out, "\n           %s\n", f->evidence ? f->evidence : "");
            if (!rc && f->suppressed)
                rc = ic_buf_printf(out, "           suppressed (%s): %s\n",
                                   f->suppression_source ? f->suppression_source : "ignore",
                                   f->justification ? f->justification : "");
        }
    }

    if (!rc)
        rc = ic_buf_printf(out, "\n%sGuidelines%s\n", s->bold, s->reset);
    for (size_t g = 0; g < ic_guideline_count() && !rc; g++) {
        const struct ic_guideline *gl = ic_guideline_at(g);
        const struct ic_verdict *v = &r->guidelines[g];
        rc = ic_buf_printf(out, "  %-7s %s%-14s%s %s\n", gl->id, status_colour(s, v->status),
                           ic_status_name(v->status), s->reset, gl->title);
    }
    if (!rc)
        rc = ic_buf_printf(out, "%sUK PSTI%s\n", s->bold, s->reset);
    for (size_t p = 0; p < ic_psti_count() && !rc; p++) {
        const struct ic_psti_requirement *req = ic_psti_at(p);
        rc = ic_buf_printf(out, "  %-7s %s%-14s%s %s\n", req->id,
                           status_colour(s, r->psti[p].status), ic_status_name(r->psti[p].status),
                           s->reset, req->title);
    }
    if (!rc && r->target.kind == IC_TARGET_PRODUCT)
        rc = write_provisions(out, s, r);
    if (!rc)
        rc = write_scorecard(out, s, r);
    if (!rc)
        rc = ic_buf_append(out, "\n", 1);
    if (!rc)
        rc = verdict_line(out, r);
    return rc;
}
