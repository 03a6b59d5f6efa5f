/* One self-contained HTML page for people: the summary first (the 13
 * guidelines as a grid, the three UK PSTI requirements, the most serious
 * findings), then the detail behind <details> (findings with evidence,
 * components with their CVEs, the unpack layer tree, the provisions, the
 * CRA view, diagnostics). Inline CSS and SVG only; no script, no link, no
 * image, nothing that could fetch. Every string that came from the input is
 * escaped and made valid UTF-8. docs/report-html.md describes the page. */
#include "report/report_private.h"

#include "core/buf.h"
#include "iotcop/assess.h"
#include "report/scorecard.h"
#include "iotcop/error.h"
#include "iotcop/unpack.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef IOTCOP_VERSION
#define IOTCOP_VERSION "0.0.0"
#endif

/* Most findings listed under "Most serious findings". */
#define HTML_WORST_FINDINGS 5
/* Deepest nesting of the layer tree drawn as nested lists; deeper layers are
 * listed flat under the last level (the unpack's own depth limit is lower). */
#define HTML_MAX_TREE_DEPTH 32

struct page {
    struct ic_buf *out;
    int rc; /* first append error; later writes do nothing */
};

static void raw(struct page *p, const char *s)
{
    if (!p->rc)
        p->rc = ic_buf_append_str(p->out, s);
}

/* Trusted formatting only: the format is a literal, the values numbers or
 * static strings of our own. Untrusted text goes through text(). */
static void rawf(struct page *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void rawf(struct page *p, const char *fmt, ...)
{
    if (p->rc)
        return;
    va_list ap;
    va_start(ap, fmt);
    p->rc = ic_buf_vprintf(p->out, fmt, ap);
    va_end(ap);
}

static void replacement(struct page *p)
{
    raw(p, "\xEF\xBF\xBD");
}

/* Length of the valid UTF-8 sequence at s (1-4), 0 when it is not one
 * (overlong forms, surrogates and code points past U+10FFFF are not). */
static size_t utf8_sequence(const unsigned char *s, uint32_t *cp)
{
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    size_t n;
    uint32_t min;
    if ((s[0] & 0xE0) == 0xC0) {
        n = 2, min = 0x80, *cp = s[0] & 0x1F;
    } else if ((s[0] & 0xF0) == 0xE0) {
        n = 3, min = 0x800, *cp = s[0] & 0x0F;
    } else if ((s[0] & 0xF8) == 0xF0) {
        n = 4, min = 0x10000, *cp = s[0] & 0x07;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) /* also stops at the terminating NUL */
            return 0;
        *cp = (*cp << 6) | (s[i] & 0x3F);
    }
    if (*cp < min || *cp > 0x10FFFF || (*cp >= 0xD800 && *cp <= 0xDFFF))
        return 0;
    return n;
}

/* Characters HTML calls parse errors even when escaped: controls other than
 * tab, newline and carriage return, and the noncharacters. */
static int unwanted(uint32_t cp)
{
    if (cp < 0x20)
        return cp != '\t' && cp != '\n' && cp != '\r';
    if (cp >= 0x7F && cp <= 0x9F)
        return 1;
    return (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE;
}

/* Untrusted text, for element content and quoted attribute values alike:
 * the five special characters as entities, anything that is not valid
 * UTF-8 or is an unwanted character as U+FFFD. */
static void text(struct page *p, const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t run = 0; /* bytes from u that need no change */
    while (u && u[run] && !p->rc) {
        const char *entity = NULL;
        switch (u[run]) {
        case '&':
            entity = "&amp;";
            break;
        case '<':
            entity = "&lt;";
            break;
        case '>':
            entity = "&gt;";
            break;
        case '"':
            entity = "&quot;";
            break;
        case '\'':
            entity = "&#39;";
            break;
        default:
            break;
        }
        uint32_t cp = 0;
        /* utf8_sequence() stops at the NUL: it never reads past the string. */
        size_t n = entity ? 1 : utf8_sequence(u + run, &cp);
        if (!entity && n && !unwanted(cp)) {
            run += n;
            continue;
        }
        if (run && (p->rc = ic_buf_append(p->out, u, run)) != IC_OK)
            return;
        if (entity)
            raw(p, entity);
        else
            replacement(p);
        u += run + (n ? n : 1);
        run = 0;
    }
    if (run && !p->rc)
        p->rc = ic_buf_append(p->out, u, run);
}

/* <tag class="cls">escaped text</tag> */
static void element(struct page *p, const char *tag, const char *cls, const char *s)
{
    rawf(p, "<%s", tag);
    if (cls)
        rawf(p, " class=\"%s\"", cls);
    raw(p, ">");
    text(p, s);
    rawf(p, "</%s>", tag);
}

static const char *status_class(enum ic_status s)
{
    switch (s) {
    case IC_STATUS_FAIL:
        return "st-fail";
    case IC_STATUS_PASS:
        return "st-pass";
    case IC_STATUS_UNVERIFIED:
        return "st-unverified";
    case IC_STATUS_NOT_APPLICABLE:
        return "st-na";
    default:
        return "st-nottested";
    }
}

/* What a status means, for someone who has not read the standard. */
static const char *status_words(enum ic_status s)
{
    switch (s) {
    case IC_STATUS_FAIL:
        return "Fails";
    case IC_STATUS_PASS:
        return "Passes";
    case IC_STATUS_UNVERIFIED:
        return "Needs documents or manual review";
    case IC_STATUS_NOT_APPLICABLE:
        return "Does not apply";
    default:
        return "Not tested";
    }
}

/* A 16 px status icon in SVG, so the verdict reads without colour too. */
static void status_icon(struct page *p, enum ic_status s)
{
    raw(p, "<svg class=\"icon\" viewBox=\"0 0 16 16\" width=\"16\" height=\"16\" "
           "aria-hidden=\"true\">");
    switch (s) {
    case IC_STATUS_PASS:
        raw(p, "<circle cx=\"8\" cy=\"8\" r=\"7.5\" fill=\"currentColor\"/>"
               "<path d=\"M4.2 8.4l2.4 2.4 5-5.2\" stroke=\"#fff\" stroke-width=\"2\" "
               "fill=\"none\"/>");
        break;
    case IC_STATUS_FAIL:
        raw(p, "<circle cx=\"8\" cy=\"8\" r=\"7.5\" fill=\"currentColor\"/>"
               "<path d=\"M5 5l6 6M11 5l-6 6\" stroke=\"#fff\" stroke-width=\"2\"/>");
        break;
    case IC_STATUS_UNVERIFIED:
        raw(p, "<circle cx=\"8\" cy=\"8\" r=\"7.5\" fill=\"currentColor\"/>"
               "<path d=\"M5.8 6a2.2 2.2 0 1 1 3.2 2c-.7.4-1 .8-1 1.6\" stroke=\"#fff\" "
               "stroke-width=\"1.7\" fill=\"none\"/><circle cx=\"8\" cy=\"12.2\" r=\"1\" "
               "fill=\"#fff\"/>");
        break;
    case IC_STATUS_NOT_APPLICABLE:
        raw(p,
            "<circle cx=\"8\" cy=\"8\" r=\"6.8\" stroke=\"currentColor\" stroke-width=\"1.4\" "
            "fill=\"none\"/><path d=\"M4 12L12 4\" stroke=\"currentColor\" stroke-width=\"1.4\"/>");
        break;
    default:
        raw(p, "<circle cx=\"8\" cy=\"8\" r=\"6.8\" stroke=\"currentColor\" stroke-width=\"1.4\" "
               "fill=\"none\" stroke-dasharray=\"2 2\"/><path d=\"M5 8h6\" stroke=\"currentColor\" "
               "stroke-width=\"1.6\"/>");
        break;
    }
    raw(p, "</svg>");
}

static const char css[] =
    ":root{--fail:#b3261e;--pass:#1e7b34;--unv:#8a5300;--nt:#5f6368;--na:#6b7178;"
    "--line:#d0d4d9;--soft:#f4f6f8;color-scheme:light}"
    "*{box-sizing:border-box}"
    "body{font:15px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;"
    "color:#1b1f23;margin:0 auto;max-width:72rem;padding:1.5rem}"
    "h1{font-size:1.6rem;margin:.2rem 0}h2{font-size:1.3rem;margin-top:2rem;"
    "border-bottom:2px solid var(--line);padding-bottom:.2rem}h3{font-size:1.05rem;margin:1.4rem 0 "
    ".5rem}"
    ".lede{color:#444;margin:.2rem 0 .8rem}"
    ".facts{display:grid;grid-template-columns:max-content 1fr;gap:.1rem "
    "1rem;margin:0;font-size:.9rem}"
    ".facts dt{color:#555}.facts dd{margin:0;overflow-wrap:anywhere}"
    ".mono,code{font-family:ui-monospace,'DejaVu Sans "
    "Mono',monospace;font-size:.88em;overflow-wrap:anywhere}"
    ".verdict{font-size:1.15rem;font-weight:600;padding:.7rem 1rem;border-radius:6px;"
    "border-left:6px solid var(--nt);background:var(--soft)}"
    ".verdict.st-fail{border-color:var(--fail)}.verdict.st-pass{border-color:var(--pass)}"
    ".verdict.st-unverified{border-color:var(--unv)}"
    ".sevbar{width:100%;height:22px;display:block;margin:.6rem 0 .2rem}"
    ".legend,.key{font-size:.85rem;color:#444;margin:.2rem 0}.legend "
    "span{margin-right:1rem;white-space:nowrap}"
    ".swatch{display:inline-block;width:.8em;height:.8em;border-radius:2px;margin-right:.3em;"
    "vertical-align:-.05em}"
    ".grid{list-style:none;padding:0;margin:0;display:grid;"
    "grid-template-columns:repeat(auto-fill,minmax(13rem,1fr));gap:.5rem}"
    ".cell{border:1px solid var(--line);border-top:5px solid var(--nt);border-radius:6px;"
    "padding:.5rem .6rem;break-inside:avoid;background:#fff}"
    ".cell .gid{font-weight:700;margin-right:.4rem}.cell .gtitle{display:block;min-height:2.8em}"
    ".cell .gstatus{font-weight:600}.cell .gcount{display:block;color:#555;font-size:.85rem}"
    ".st-fail{color:var(--fail)}.st-pass{color:var(--pass)}.st-unverified{color:var(--unv)}"
    ".st-nottested{color:var(--nt)}.st-na{color:var(--na)}"
    ".cell.st-fail{border-top-color:var(--fail)}.cell.st-pass{border-top-color:var(--pass)}"
    ".cell.st-unverified{border-top-color:var(--unv)}.cell.st-na{border-top-color:var(--na)}"
    ".cell .gtitle,.cell .gcount,.psti .ptitle,.psti .reason{color:#1b1f23}"
    ".icon{vertical-align:-3px;margin-right:.3rem;flex:none}"
    ".psti{list-style:none;padding:0;margin:0;display:grid;gap:.5rem}"
    ".psti li{border:1px solid var(--line);border-left:5px solid var(--nt);border-radius:6px;"
    "padding:.5rem .7rem;break-inside:avoid}"
    ".psti li.st-fail{border-left-color:var(--fail)}.psti li.st-pass{border-left-color:var(--pass)}"
    ".psti li.st-unverified{border-left-color:var(--unv)}"
    ".psti .pid{font-weight:700;margin-right:.4rem}.psti "
    ".reason{display:block;font-size:.88rem;color:#444}"
    ".worst{padding-left:1.4rem}.worst li{margin:.4rem 0;break-inside:avoid}"
    ".sev{display:inline-block;min-width:4.6rem;text-align:center;border-radius:3px;padding:0 "
    ".3rem;"
    "font-size:.8rem;font-weight:700;color:#fff;background:var(--nt);margin-right:.4rem}"
    ".sev-critical{background:#7d1a14}.sev-high{background:var(--fail)}.sev-medium{background:#"
    "b45f06}"
    ".sev-low{background:#3c6e9c}.sev-info{background:var(--na)}"
    ".where{color:#444;font-size:.9rem}"
    ".evidence{display:block;background:var(--soft);border-radius:4px;padding:.3rem "
    ".5rem;margin:.2rem 0;"
    "white-space:pre-wrap;overflow-wrap:anywhere}"
    "details{border:1px solid var(--line);border-radius:6px;margin:.6rem 0;padding:.2rem .8rem}"
    "details>summary{cursor:pointer;font-weight:600;padding:.3rem 0}"
    "details details{margin:.4rem 0}details details>summary{font-weight:400}"
    ".finding dl{display:grid;grid-template-columns:max-content 1fr;gap:.15rem .9rem;margin:.3rem "
    "0 .6rem}"
    ".finding dt{color:#555}.finding dd{margin:0;overflow-wrap:anywhere}"
    ".suppressed{opacity:.75}"
    "table{border-collapse:collapse;width:100%;font-size:.9rem;margin:.4rem 0 .8rem}"
    "th,td{border-bottom:1px solid var(--line);padding:.25rem "
    ".4rem;text-align:left;vertical-align:top;"
    "overflow-wrap:anywhere}th{background:var(--soft)}"
    ".tree,.tree ul{list-style:none;padding-left:1.1rem;margin:0}.tree li{margin:.15rem 0}"
    ".tree li::before{content:'\\2514\\2500 ';color:#999}"
    ".fmt{font-weight:600}"
    "footer{margin-top:2rem;border-top:1px solid "
    "var(--line);padding-top:.6rem;font-size:.85rem;color:#555}"
    ".banner{border:2px solid var(--fail);background:#fdecea;border-radius:6px;padding:.6rem 1rem;"
    "margin:.8rem 0}.banner h3{margin:0 0 .3rem;color:var(--fail)}.gap{color:var(--unv)}"
    "@media print{body{font-size:10pt;max-width:none;padding:0}"
    "details{border:none;padding:0}details>summary{list-style:none;font-size:1.1rem;font-weight:"
    "700}"
    "details>summary::-webkit-details-marker{display:none}"
    "details::details-content{content-visibility:visible;display:block}"
    ".cell,.psti li,.finding,tr{break-inside:avoid}h2{break-after:avoid}}";

static const char *severity_colours[] = {
    [IC_SEVERITY_INFO] = "#6b7178",     [IC_SEVERITY_LOW] = "#3c6e9c",
    [IC_SEVERITY_MEDIUM] = "#b45f06",   [IC_SEVERITY_HIGH] = "#b3261e",
    [IC_SEVERITY_CRITICAL] = "#7d1a14",
};

static const char *layer_format(const struct ic_report *r, const struct ic_location *loc)
{
    if (loc->layer_format)
        return loc->layer_format;
    for (size_t i = 0; r->unpack && loc->layer && i < r->unpack->layer_count; i++)
        if (strcmp(r->unpack->layers[i].id, loc->layer) == 0)
            return r->unpack->layers[i].format;
    return NULL;
}

static void location_text(struct page *p, const struct ic_report *r, const struct ic_location *l)
{
    if (l->kind == IC_LOCATION_DEVICE) {
        text(p, l->host ? l->host : "?");
        rawf(p, ":%u/", l->port);
        text(p, l->protocol ? l->protocol : "tcp");
        if (l->service) {
            raw(p, " (");
            text(p, l->service);
            raw(p, ")");
        }
        return;
    }
    raw(p, "<code>");
    if (l->path)
        text(p, l->path);
    else
        raw(p, "raw data");
    raw(p, "</code>");
    if (l->line)
        rawf(p, ", line %" PRIu64, l->line);
    if (!l->path && l->offset >= 0)
        rawf(p, " at offset 0x%" PRIx64, (uint64_t)l->offset);
    if (l->layer) {
        const char *format = layer_format(r, l);
        raw(p, " in layer ");
        text(p, l->layer);
        if (format) {
            raw(p, " (");
            text(p, format);
            raw(p, ")");
        }
    }
}

static void severity_badge(struct page *p, enum ic_severity s)
{
    rawf(p, "<span class=\"sev sev-%s\">%s</span>", ic_severity_name(s), ic_severity_name(s));
}

static size_t guideline_finding_count(const struct ic_report *r, const struct ic_guideline *g)
{
    size_t n = 0;
    for (size_t i = 0; i < r->finding_count; i++)
        n += !r->findings[i].suppressed && r->findings[i].guideline &&
             strcmp(r->findings[i].guideline, g->id) == 0;
    return n;
}

static const char *audit_title(const struct ic_report *r)
{
    return r->target.kind == IC_TARGET_DEVICE    ? "Device security audit: "
           : r->target.kind == IC_TARGET_PRODUCT ? "Product security assessment: "
                                                 : "Firmware security audit: ";
}

static void write_head(struct page *p, const struct ic_report *r, const char *name)
{
    raw(p, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
           /* Belt and braces: even an escaping bug could not make it fetch. */
           "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
           "style-src 'unsafe-inline'; img-src data:\">\n"
           "<meta name=\"referrer\" content=\"no-referrer\">\n"
           "<meta name=\"generator\" content=\"iotcop " IOTCOP_VERSION "\">\n<title>");
    raw(p, audit_title(r));
    text(p, name);
    raw(p, "</title>\n<style>");
    raw(p, css);
    raw(p, "</style>\n</head>\n<body>\n");
}

static void write_header(struct page *p, const struct ic_report *r, const char *name)
{
    char started[32] = "";
    time_t t = (time_t)r->run.started;
    struct tm tm;
    if (gmtime_r(&t, &tm))
        strftime(started, sizeof(started), "%Y-%m-%d %H:%M UTC", &tm);
    raw(p, "<header>\n<h1>");
    raw(p, audit_title(r));
    element(p, "span", "mono", name);
    raw(p, "</h1>\n<p class=\"lede\">Checked against the UK Code of Practice for Consumer IoT "
           "Security, ETSI EN 303 645 and the UK PSTI security requirements by "
           "iotcop " IOTCOP_VERSION);
    if (started[0])
        rawf(p, " on %s", started);
    raw(p, ".</p>\n<dl class=\"facts\">");
    if (r->target.kind == IC_TARGET_FIRMWARE) {
        raw(p, "<dt>Image</dt><dd class=\"mono\">");
        text(p, r->target.path);
        rawf(p,
             "</dd><dt>Size</dt><dd>%" PRIu64
             " bytes</dd><dt>SHA-256</dt><dd class=\"mono\">%s</dd>",
             r->target.size, r->target.sha256[0] ? r->target.sha256 : "unknown");
        if (r->unpack)
            rawf(p, "<dt>Unpacked</dt><dd>%zu layers, %" PRIu64 " files, %zu diagnostics</dd>",
                 r->unpack->layer_count, r->unpack->files, r->unpack->diag_count);
    } else if (r->target.kind == IC_TARGET_PRODUCT) {
        for (size_t i = 0; i < r->input_count; i++) {
            rawf(p, "<dt>%s report</dt><dd class=\"mono\" data-input=\"%zu\">",
                 strcmp(r->inputs[i].kind, "device") == 0 ? "Device" : "Firmware", i);
            text(p, r->inputs[i].label);
            raw(p, " (");
            text(p, r->inputs[i].path ? r->inputs[i].path : r->inputs[i].address);
            raw(p, ")</dd>");
        }
    } else {
        raw(p, "<dt>Address</dt><dd class=\"mono\">");
        text(p, r->target.address);
        raw(p, "</dd>");
        if (r->target.hostname) {
            raw(p, "<dt>Host name</dt><dd class=\"mono\">");
            text(p, r->target.hostname);
            raw(p, "</dd>");
        }
    }
    rawf(p, "<dt>Rules</dt><dd class=\"mono\">%s</dd></dl>\n</header>\n", ic_rules_version());
}

/* Findings by severity as one stacked bar, with a legend that says it in words. */
static void write_severity_bar(struct page *p, const struct ic_report *r)
{
    size_t counts[IC_SEVERITY_CRITICAL + 1] = {0}, total = 0;
    for (size_t i = 0; i < r->finding_count; i++)
        if (!r->findings[i].suppressed && r->findings[i].severity <= IC_SEVERITY_CRITICAL) {
            counts[r->findings[i].severity]++;
            total++;
        }
    if (!total) {
        raw(p, "<p class=\"legend\">No findings.</p>\n");
        return;
    }
    raw(p,
        "<svg class=\"sevbar\" viewBox=\"0 0 1000 22\" preserveAspectRatio=\"none\" role=\"img\" "
        "aria-label=\"Findings by severity\">");
    double x = 0;
    for (int s = IC_SEVERITY_CRITICAL; s >= IC_SEVERITY_INFO; s--) {
        if (!counts[s])
            continue;
        double w = 1000.0 * (double)counts[s] / (double)total;
        rawf(p,
             "<rect x=\"%.1f\" y=\"0\" width=\"%.1f\" height=\"22\" fill=\"%s\"><title>%zu "
             "%s</title></rect>",
             x, w, severity_colours[s], counts[s], ic_severity_name((enum ic_severity)s));
        x += w;
    }
    raw(p, "</svg>\n<p class=\"legend\" id=\"severity-counts\">");
    for (int s = IC_SEVERITY_CRITICAL; s >= IC_SEVERITY_INFO; s--)
        rawf(p,
             "<span data-severity=\"%s\" data-count=\"%zu\"><i class=\"swatch\" "
             "style=\"background:%s\"></i>%zu %s</span>",
             ic_severity_name((enum ic_severity)s), counts[s], severity_colours[s], counts[s],
             ic_severity_name((enum ic_severity)s));
    raw(p, "</p>\n");
}

/* A test fails what the manufacturer declared: the first thing on the page. */
static void write_contradiction_banner(struct page *p, const struct ic_report *r)
{
    if (!r->contradiction_count)
        return;
    rawf(p,
         "<div class=\"banner\" id=\"contradictions\" role=\"alert\"><h3>The manufacturer&#39;s "
         "declaration is contradicted by the tests (%zu provision%s)</h3>\n<ul>\n",
         r->contradiction_count, r->contradiction_count == 1 ? "" : "s");
    for (size_t i = 0; i < ic_provision_count(); i++) {
        const struct ic_verdict *v = &r->provisions[i];
        if (!v->contradicted)
            continue;
        raw(p, "<li data-provision=\"");
        text(p, ic_provision_at(i)->id);
        raw(p, "\"><strong>");
        text(p, ic_provision_at(i)->id);
        raw(p, "</strong> ");
        text(p, ic_provision_at(i)->title);
        raw(p, "<br>Declared: ");
        text(p, v->declared);
        rawf(p, "<br>Tested: <strong class=\"st-fail\">%s</strong> &mdash; ",
             ic_status_name(v->status));
        text(p, v->reason);
        raw(p, "</li>\n");
    }
    raw(p, "</ul></div>\n");
}

/* EN 303 645 counts per level, the scorecard's headline numbers. */
static void write_level_counts(struct page *p, const struct ic_report *r)
{
    raw(p, "<h3>ETSI EN 303 645 provisions</h3>\n<table id=\"en303645-counts\"><thead><tr>"
           "<th>Level</th><th>Pass</th><th>Fail</th><th>Unverified</th><th>Not tested</th>"
           "<th>Not applicable</th></tr></thead><tbody>\n");
    for (int mandatory = 1; mandatory >= 0; mandatory--) {
        size_t c[5];
        ic_report_provision_counts(r, mandatory, c);
        rawf(p,
             "<tr data-level=\"%s\"><td>%s</td><td>%zu</td><td>%zu</td><td>%zu</td>"
             "<td>%zu</td><td>%zu</td></tr>\n",
             mandatory ? "mandatory" : "recommended", mandatory ? "Mandatory" : "Recommended",
             c[IC_STATUS_PASS], c[IC_STATUS_FAIL], c[IC_STATUS_UNVERIFIED], c[IC_STATUS_NOT_TESTED],
             c[IC_STATUS_NOT_APPLICABLE]);
    }
    raw(p, "</tbody></table>\n");
}

/* The draft PSTI statement of compliance, filled from the declaration. */
static void write_statement(struct page *p, const struct ic_report *r)
{
    size_t gaps = ic_psti_statement_gaps(r);
    rawf(p,
         "<details id=\"psti-statement\" data-gaps=\"%zu\"><summary>Draft UK PSTI statement of "
         "compliance (%s)</summary>\n",
         gaps, gaps ? "gaps to fill" : "every item filled");
    if (!r->declaration)
        raw(p, "<p>No manufacturer&#39;s declaration was given (<code>--declaration</code>), so "
               "every item is a gap.</p>\n");
    raw(p, "<table><thead><tr><th>Item</th><th>What it must say</th><th>Draft</th></tr></thead>"
           "<tbody>\n");
    for (size_t i = 0; i < ic_psti_statement_item_count; i++) {
        char value[1024], gap[1024];
        int complete = ic_psti_statement_item(r, i, value, sizeof(value), gap, sizeof(gap));
        raw(p, "<tr data-item=\"");
        text(p, ic_psti_statement_items[i].id);
        rawf(p, "\" data-complete=\"%s\"><td>", complete ? "yes" : "no");
        text(p, ic_psti_statement_items[i].ref);
        raw(p, "</td><td>");
        text(p, ic_psti_statement_items[i].text);
        raw(p, complete ? "</td><td>" : "</td><td class=\"gap\">Gap: ");
        text(p, complete ? value : gap);
        raw(p, "</td></tr>\n");
    }
    raw(p, "</tbody></table></details>\n");
}

static void write_summary(struct page *p, const struct ic_report *r)
{
    size_t fail = 0, pass = 0, unsettled = 0;
    for (size_t i = 0; i < ic_guideline_count(); i++) {
        enum ic_status s = r->guidelines[i].status;
        fail += s == IC_STATUS_FAIL;
        pass += s == IC_STATUS_PASS;
        unsettled += s != IC_STATUS_FAIL && s != IC_STATUS_PASS;
    }
    raw(p, "<main>\n<section id=\"summary\">\n<h2>Summary</h2>\n");
    write_contradiction_banner(p, r);
    if (fail)
        rawf(p,
             "<p class=\"verdict st-fail\" id=\"verdict\">Does not meet %zu of the %zu guidelines "
             "of the UK Code of Practice.",
             fail, ic_guideline_count());
    else
        rawf(p, "<p class=\"verdict %s\" id=\"verdict\">No guideline fails.",
             unsettled ? "st-unverified" : "st-pass");
    rawf(p,
         " Passed: %zu. Not settled by the tests (documents or a manual review needed): %zu.</p>\n",
         pass, unsettled);
    write_severity_bar(p, r);

    raw(p, "<h3>The 13 guidelines of the UK Code of Practice</h3>\n<ol class=\"grid\" "
           "id=\"guideline-grid\">\n");
    for (size_t i = 0; i < ic_guideline_count(); i++) {
        const struct ic_guideline *g = ic_guideline_at(i);
        enum ic_status s = r->guidelines[i].status;
        size_t n = guideline_finding_count(r, g);
        rawf(p, "<li class=\"cell %s\" data-guideline=\"", status_class(s));
        text(p, g->id);
        rawf(p, "\" data-status=\"%s\">", ic_status_name(s));
        status_icon(p, s);
        element(p, "span", "gid", g->id);
        element(p, "span", "gtitle", g->title);
        rawf(p, "<span class=\"gstatus\">%s</span><span class=\"gcount\">%s &middot; ",
             status_words(s), ic_status_name(s));
        if (n)
            rawf(p, "%zu finding%s</span></li>\n", n, n == 1 ? "" : "s");
        else
            raw(p, "no findings</span></li>\n");
    }
    raw(p, "</ol>\n<p class=\"key\">"
           "<b class=\"st-fail\">Fails</b>: a test found a problem. "
           "<b class=\"st-pass\">Passes</b>: a test established it. "
           "<b class=\"st-unverified\">Needs documents or manual review</b>: nothing automatic can "
           "settle it. "
           "<b class=\"st-nottested\">Not tested</b>: this audit did not look.</p>\n");

    raw(p, "<h3>UK PSTI security requirements</h3>\n<ul class=\"psti\" id=\"psti\">\n");
    for (size_t i = 0; i < ic_psti_count(); i++) {
        const struct ic_psti_requirement *t = ic_psti_at(i);
        enum ic_status s = r->psti[i].status;
        rawf(p, "<li class=\"%s\" data-psti=\"", status_class(s));
        text(p, t->id);
        rawf(p, "\" data-status=\"%s\">", ic_status_name(s));
        status_icon(p, s);
        element(p, "span", "pid", t->id);
        element(p, "span", "ptitle", t->title);
        rawf(p, " &mdash; <strong>%s</strong> (%s)", status_words(s), ic_status_name(s));
        element(p, "span", "reason", r->psti[i].reason);
        raw(p, "</li>\n");
    }
    raw(p, "</ul>\n");

    write_level_counts(p, r);
    raw(p, "<h3>Most serious findings</h3>\n");
    size_t shown = 0;
    for (size_t i = 0; i < r->finding_count && shown < HTML_WORST_FINDINGS; i++) {
        const struct ic_finding *f = &r->findings[i];
        if (f->suppressed || f->severity == IC_SEVERITY_INFO)
            continue;
        if (!shown)
            raw(p, "<ol class=\"worst\" id=\"worst-findings\">\n");
        raw(p, "<li>");
        severity_badge(p, f->severity);
        element(p, "strong", NULL, f->title);
        raw(p, " <span class=\"where\">(");
        text(p, f->guideline);
        raw(p, ") ");
        location_text(p, r, &f->location);
        raw(p, "</span>");
        element(p, "span", "evidence", f->evidence);
        raw(p, "</li>\n");
        shown++;
    }
    raw(p, shown ? "</ol>\n" : "<p>None: no finding of low severity or above.</p>\n");
    raw(p, "</section>\n");
}

static void write_finding(struct page *p, const struct ic_report *r, const struct ic_finding *f)
{
    const struct ic_rule *rule = ic_rule_find(f->rule);
    rawf(p, "<details class=\"finding%s\" data-fingerprint=\"%s\"><summary>",
         f->suppressed ? " suppressed" : "", f->fingerprint);
    severity_badge(p, f->severity);
    text(p, f->title);
    if (f->suppressed)
        raw(p, " (suppressed)");
    raw(p, " <span class=\"where\">&mdash; ");
    location_text(p, r, &f->location);
    raw(p, "</span></summary>\n<dl>");
    raw(p, "<dt>Evidence</dt><dd>");
    element(p, "span", "evidence", f->evidence);
    raw(p, "</dd><dt>Where</dt><dd>");
    location_text(p, r, &f->location);
    raw(p, "</dd><dt>Rule</dt><dd><code>");
    text(p, f->rule);
    raw(p, "</code></dd><dt>Provisions</dt><dd>");
    for (size_t k = 0; f->provisions && f->provisions[k]; k++) {
        const struct ic_provision *pr = ic_provision_find(f->provisions[k]);
        if (k)
            raw(p, "; ");
        text(p, f->provisions[k]);
        if (pr) {
            raw(p, " ");
            text(p, pr->title);
        }
    }
    raw(p, "</dd>");
    if (f->cve) {
        raw(p, "<dt>Vulnerability</dt><dd>");
        text(p, f->cve);
        if (f->has_cvss)
            rawf(p, ", CVSS %.1f", f->cvss);
        raw(p, "</dd>");
    }
    if (f->suppressed) {
        raw(p, "<dt>Suppressed</dt><dd>");
        text(p, f->suppression_source && strcmp(f->suppression_source, "baseline") == 0
                    ? "(in the baseline) "
                    : "(ignore list) ");
        text(p, f->justification ? f->justification : "no justification given");
        raw(p, "</dd>");
    }
    if (rule) {
        raw(p, "<dt>Why it matters</dt><dd>");
        text(p, rule->rationale);
        raw(p, "</dd><dt>How to fix</dt><dd>");
        text(p, rule->fix);
        raw(p, "</dd>");
    }
    rawf(p, "<dt>Fingerprint</dt><dd class=\"mono\">%s</dd></dl></details>\n", f->fingerprint);
}

static void write_findings(struct page *p, const struct ic_report *r)
{
    rawf(p, "<details id=\"findings\"><summary>Findings (%zu)</summary>\n", r->finding_count);
    if (!r->finding_count)
        raw(p, "<p>No findings.</p>\n");
    for (size_t g = 0; g < ic_guideline_count(); g++) {
        const struct ic_guideline *gl = ic_guideline_at(g);
        int header = 0;
        for (size_t i = 0; i < r->finding_count; i++) {
            const struct ic_finding *f = &r->findings[i];
            if (!f->guideline || strcmp(f->guideline, gl->id) != 0)
                continue;
            if (!header) {
                raw(p, "<h3>");
                text(p, gl->id);
                raw(p, " ");
                text(p, gl->title);
                rawf(p, " &mdash; <span class=\"%s\">%s</span></h3>\n",
                     status_class(r->guidelines[g].status), status_words(r->guidelines[g].status));
                header = 1;
            }
            write_finding(p, r, f);
        }
    }
    /* A finding naming no known guideline still shows. */
    for (size_t i = 0; i < r->finding_count; i++)
        if (!r->findings[i].guideline || !ic_guideline_find(r->findings[i].guideline))
            write_finding(p, r, &r->findings[i]);
    raw(p, "</details>\n");
}

static int component_has_path(const struct ic_component *c, const char *path)
{
    for (size_t i = 0; path && c->paths && c->paths[i]; i++)
        if (strcmp(c->paths[i], path) == 0)
            return 1;
    return 0;
}

static void write_components(struct page *p, const struct ic_report *r)
{
    rawf(p, "<details id=\"components\"><summary>Software components (%zu)</summary>\n",
         r->component_count);
    if (!r->component_count) {
        raw(p, "<p>No software component was identified.</p></details>\n");
        return;
    }
    raw(p, "<table><thead><tr><th>Component</th><th>Version</th><th>Known vulnerabilities</th>"
           "<th>Identifiers</th><th>Found at</th></tr></thead><tbody>\n");
    for (size_t i = 0; i < r->component_count; i++) {
        const struct ic_component *c = &r->components[i];
        raw(p, "<tr><td>");
        text(p, c->name);
        raw(p, "</td><td>");
        text(p, c->version ? c->version : "unknown");
        raw(p, "</td><td>");
        size_t cves = 0;
        for (size_t k = 0; k < r->finding_count; k++) {
            const struct ic_finding *f = &r->findings[k];
            if (!f->cve || f->location.kind != IC_LOCATION_FIRMWARE ||
                !component_has_path(c, f->location.path))
                continue;
            if (cves++)
                raw(p, "<br>");
            severity_badge(p, f->severity);
            text(p, f->cve);
            if (f->has_cvss)
                rawf(p, " (CVSS %.1f)", f->cvss);
            if (f->suppressed)
                raw(p, " (suppressed)");
        }
        if (!cves)
            raw(p, "none known");
        raw(p, "</td><td class=\"mono\">");
        for (size_t k = 0; c->cpe && c->cpe[k]; k++) {
            text(p, c->cpe[k]);
            raw(p, "<br>");
        }
        text(p, c->purl);
        raw(p, "</td><td class=\"mono\">");
        for (size_t k = 0; c->paths && c->paths[k]; k++) {
            if (k)
                raw(p, "<br>");
            text(p, c->paths[k]);
        }
        raw(p, "</td></tr>\n");
    }
    raw(p, "</tbody></table></details>\n");
}

struct tree {
    const struct ic_unpack *u;
    size_t *first_child; /* layer index + 1, 0 none */
    size_t *next_sibling;
};

static void write_layer(struct page *p, const struct tree *t, size_t index, unsigned depth)
{
    const struct ic_layer *l = &t->u->layers[index];
    raw(p, "<li><code>");
    text(p, l->id);
    raw(p, "</code> ");
    element(p, "span", "fmt", l->format);
    rawf(p, " at offset %" PRIu64 ", %" PRIu64 " bytes", l->offset, l->size);
    if (l->path) {
        raw(p, ", from <code>");
        text(p, l->path);
        raw(p, "</code>");
    }
    if (l->name) {
        raw(p, ", named ");
        text(p, l->name);
    }
    if (l->info) {
        raw(p, " &mdash; ");
        text(p, l->info);
    }
    if (t->first_child[index]) {
        int nest = depth < HTML_MAX_TREE_DEPTH;
        if (nest)
            raw(p, "<ul>");
        for (size_t c = t->first_child[index]; c; c = t->next_sibling[c - 1]) {
            if (nest)
                write_layer(p, t, c - 1, depth + 1);
        }
        if (nest)
            raw(p, "</ul>");
    }
    raw(p, "</li>\n");
}

static void write_layers(struct page *p, const struct ic_report *r)
{
    const struct ic_unpack *u = r->unpack;
    if (!u)
        return;
    rawf(p, "<details id=\"layers\"><summary>Unpacked layers (%zu)</summary>\n", u->layer_count);
    struct tree t = {u, calloc(u->layer_count + 1, sizeof(size_t)),
                     calloc(u->layer_count + 1, sizeof(size_t))};
    if (!t.first_child || !t.next_sibling) {
        if (!p->rc)
            p->rc = IC_E_NOMEM;
    } else {
        /* Children in discovery order: link them from the last one back. */
        for (size_t i = u->layer_count; i-- > 0;) {
            int parent = u->layers[i].parent;
            if (parent >= 0 && (size_t)parent < u->layer_count && (size_t)parent != i) {
                t.next_sibling[i] = t.first_child[parent];
                t.first_child[parent] = i + 1;
            }
        }
        raw(p, "<ul class=\"tree\">\n");
        for (size_t i = 0; i < u->layer_count; i++)
            if (u->layers[i].parent < 0 || (size_t)u->layers[i].parent >= u->layer_count ||
                (size_t)u->layers[i].parent == i)
                write_layer(p, &t, i, 0);
        raw(p, "</ul>\n");
        /* Deeper than the nesting shown: listed flat, so nothing is lost. */
        for (size_t i = 0; i < u->layer_count; i++)
            if (u->layers[i].depth > HTML_MAX_TREE_DEPTH) {
                raw(p, "<p>Layers nested too deep to draw are in the JSON report.</p>\n");
                break;
            }
    }
    free(t.first_child);
    free(t.next_sibling);
    raw(p, "</details>\n");
}

static void write_provisions(struct page *p, const struct ic_report *r)
{
    raw(p, "<details id=\"provisions\"><summary>ETSI EN 303 645 provisions</summary>\n"
           "<table><thead><tr><th>Provision</th><th>Level</th><th>Title</th><th>Verdict</th>"
           "<th>Source</th><th>Why</th></tr></thead><tbody>\n");
    for (size_t i = 0; i < ic_provision_count(); i++) {
        const struct ic_provision *pr = ic_provision_at(i);
        const struct ic_verdict *v = &r->provisions[i];
        raw(p, "<tr data-provision=\"");
        text(p, pr->id);
        rawf(p, "\" data-status=\"%s\"><td>", ic_status_name(v->status));
        text(p, pr->id);
        raw(p, "</td><td>");
        text(p, pr->level);
        raw(p, "</td><td>");
        text(p, pr->title);
        rawf(p, "</td><td class=\"%s\">", status_class(v->status));
        status_icon(p, v->status);
        rawf(p, "%s</td><td>%s</td><td>", ic_status_name(v->status), ic_source_name(v->source));
        text(p, v->reason);
        if (v->contradicted) {
            raw(p, " <strong class=\"st-fail\">Contradicts the declaration:</strong> ");
            text(p, v->declared);
        }
        if (v->settled_by) {
            raw(p, " <em>Settled by: ");
            text(p, v->settled_by);
            raw(p, "</em>");
        }
        raw(p, "</td></tr>\n");
    }
    raw(p, "</tbody></table></details>\n");
}

static void write_cra(struct page *p, const struct ic_report *r)
{
    raw(p, "<details id=\"cra\"><summary>EU Cyber Resilience Act, Annex I</summary>\n"
           "<table><thead><tr><th>Entry</th><th>Requirement</th><th>Guidelines</th><th>Verdict</th>"
           "</tr></thead><tbody>\n");
    for (size_t i = 0; i < ic_cra_count(); i++) {
        const struct ic_cra_requirement *c = ic_cra_at(i);
        raw(p, "<tr><td>");
        text(p, c->id);
        raw(p, "</td><td>");
        text(p, c->description);
        raw(p, "</td><td>");
        for (size_t k = 0; k < c->guideline_count; k++) {
            if (k)
                raw(p, ", ");
            text(p, c->guidelines[k]);
        }
        rawf(p, "</td><td class=\"%s\">%s</td></tr>\n", status_class(r->cra[i].status),
             ic_status_name(r->cra[i].status));
    }
    raw(p, "</tbody></table></details>\n");
}

static void write_diagnostics(struct page *p, const struct ic_report *r)
{
    size_t n = r->diag_count + (r->unpack ? r->unpack->diag_count : 0);
    if (!n)
        return;
    rawf(p, "<details id=\"diagnostics\"><summary>Diagnostics (%zu)</summary>\n<ul>\n", n);
    for (size_t i = 0; r->unpack && i < r->unpack->diag_count; i++) {
        const struct ic_diag *d = &r->unpack->diags[i];
        rawf(p, "<li><strong>%s</strong> <code>%s</code> in layer ",
             d->level == IC_DIAG_ERROR ? "error" : "warning", ic_error_name(d->code));
        text(p, d->layer ? d->layer : "0");
        if (d->offset >= 0)
            rawf(p, " at offset 0x%" PRIx64, (uint64_t)d->offset);
        raw(p, ": ");
        text(p, d->message);
        raw(p, "</li>\n");
    }
    for (size_t i = 0; i < r->diag_count; i++) {
        const struct ic_report_diag *d = &r->diags[i];
        rawf(p, "<li><strong>%s</strong> <code>%s</code>: ", d->is_error ? "error" : "warning",
             ic_error_name(d->error));
        text(p, d->message);
        raw(p, "</li>\n");
    }
    raw(p, "</ul></details>\n");
}

int ic_report_write_html(const struct ic_report *r, struct ic_buf *out)
{
    if (!r || !out || !r->finished || r->target.kind == IC_TARGET_NONE)
        return IC_E_INVALID_ARG;
    struct page p = {out, IC_OK};
    const char *name = r->target.kind == IC_TARGET_DEVICE ? r->target.address : r->target.path;
    if (!name)
        name = "?";
    if (r->target.kind == IC_TARGET_FIRMWARE) {
        const char *slash = strrchr(name, '/');
        if (slash && slash[1])
            name = slash + 1;
    }
    write_head(&p, r, name);
    write_header(&p, r, name);
    write_summary(&p, r);
    raw(&p, "<section id=\"details\">\n<h2>Details</h2>\n");
    write_findings(&p, r);
    write_components(&p, r);
    write_layers(&p, r);
    write_provisions(&p, r);
    write_cra(&p, r);
    write_statement(&p, r);
    write_diagnostics(&p, r);
    raw(&p, "</section>\n</main>\n<footer>Generated by iotcop " IOTCOP_VERSION
            ". A verdict of <em>fail</em> rests on the findings listed; <em>pass</em> on a check "
            "that positively established it; the rest needs the manufacturer&#39;s documents or a "
            "manual review. The JSON report of the same run holds every detail.</footer>\n"
            "</body>\n</html>\n");
    return p.rc;
}
