/* The corpus summary: JSON lines from reports, an HTML table from the lines
 * (iotcop/summary.h). */
#include "iotcop/summary.h"

#include "core/buf.h"
#include "core/json.h"
#include "iotcop/error.h"
#include "iotcop/standards.h"
#include "iotcop/unpack.h"
#include "vulndb/jsonpull.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Most guidelines a summary line carries. */
#define MAX_GUIDELINES 32

static const char *outcome_of(const struct ic_report *r)
{
    if (r->unpack && !ic_unpack_found_anything(r->unpack))
        return "unreadable";
    for (size_t i = 0; i < r->diag_count; i++)
        if (r->diags[i].is_error)
            return r->unpack ? "partial" : "unreadable";
    if (!r->unpack && r->target.kind == IC_TARGET_FIRMWARE)
        return "unreadable";
    for (size_t i = 0; r->unpack && i < r->unpack->diag_count; i++)
        if (r->unpack->diags[i].level == IC_DIAG_ERROR)
            return "partial";
    if (r->unpack && r->unpack->limit_hit)
        return "partial";
    return "complete";
}

int ic_summary_line(const struct ic_report *r, const char *image, const char *report_file,
                    struct ic_buf *out)
{
    if (!r || !r->finished || !image)
        return IC_E_INVALID_ARG;
    size_t counts[IC_SEVERITY_CRITICAL + 1] = {0}, suppressed = 0;
    for (size_t i = 0; i < r->finding_count; i++) {
        if (r->findings[i].suppressed)
            suppressed++;
        else if ((unsigned)r->findings[i].severity <= IC_SEVERITY_CRITICAL)
            counts[r->findings[i].severity]++;
    }
    struct ic_json j;
    ic_json_init(&j, out, 0);
    ic_json_object_begin(&j);
    ic_json_kv_string(&j, "image", image);
    ic_json_kv_string(&j, "sha256", r->target.sha256);
    ic_json_kv_string(&j, "report", report_file);
    ic_json_kv_string(&j, "outcome", outcome_of(r));
    enum ic_severity worst;
    ic_json_kv_string(&j, "worst",
                      ic_report_max_severity(r, &worst) ? ic_severity_name(worst) : NULL);
    ic_json_key(&j, "counts");
    ic_json_object_begin(&j);
    for (int s = IC_SEVERITY_CRITICAL; s >= IC_SEVERITY_INFO; s--)
        ic_json_kv_uint(&j, ic_severity_name((enum ic_severity)s), counts[s]);
    ic_json_kv_uint(&j, "suppressed", suppressed);
    ic_json_object_end(&j);
    ic_json_kv_uint(&j, "components", r->component_count);
    ic_json_key(&j, "guidelines");
    ic_json_object_begin(&j);
    for (size_t i = 0; i < ic_guideline_count(); i++)
        ic_json_kv_string(&j, ic_guideline_at(i)->id, ic_status_name(r->guidelines[i].status));
    ic_json_object_end(&j);
    ic_json_object_end(&j);
    if (!j.error)
        j.error = ic_buf_append(out, "\n", 1);
    return j.error;
}

int ic_summary_failure_line(const char *image, const char *sha256, const char *report_file,
                            const char *outcome, const char *message, struct ic_buf *out)
{
    struct ic_json j;
    ic_json_init(&j, out, 0);
    ic_json_object_begin(&j);
    ic_json_kv_string(&j, "image", image);
    ic_json_kv_string(&j, "sha256", sha256 && *sha256 ? sha256 : NULL);
    ic_json_kv_string(&j, "report", report_file);
    ic_json_kv_string(&j, "outcome", outcome);
    ic_json_kv_string(&j, "worst", NULL);
    ic_json_key(&j, "counts");
    ic_json_null(&j);
    ic_json_kv_uint(&j, "components", 0);
    ic_json_key(&j, "guidelines");
    ic_json_object_begin(&j);
    ic_json_object_end(&j);
    if (message)
        ic_json_kv_string(&j, "message", message);
    ic_json_object_end(&j);
    if (!j.error)
        j.error = ic_buf_append(out, "\n", 1);
    return j.error;
}

/* ---- HTML ---------------------------------------------------------------- */

struct row {
    char image[512];
    char report[512];
    char outcome[32];
    char worst[16];
    char message[256];
    char counts[6][24]; /* critical .. info, suppressed */
    char guideline_id[MAX_GUIDELINES][16];
    char guideline_status[MAX_GUIDELINES][24];
    size_t guideline_count;
};

static const char *const count_keys[6] = {"critical", "high", "medium",
                                          "low",      "info", "suppressed"};

static int read_counts(struct ic_jp *p, struct row *row)
{
    enum ic_jp_type t;
    int rc = ic_jp_next(p, &t);
    if (rc || t != IC_JP_OBJECT_BEGIN)
        return rc ? rc : ic_jp_skip_from(p, t);
    while (!(rc = ic_jp_next(p, &t)) && t == IC_JP_KEY) {
        int k = 0;
        while (k < 6 && !ic_jp_is(p, count_keys[k]))
            k++;
        rc = k < 6 ? ic_jp_read_text(p, row->counts[k], sizeof(row->counts[k])) : ic_jp_skip(p);
        if (rc)
            return rc;
    }
    return rc;
}

static int read_guidelines(struct ic_jp *p, struct row *row)
{
    enum ic_jp_type t;
    int rc = ic_jp_next(p, &t);
    if (rc || t != IC_JP_OBJECT_BEGIN)
        return rc ? rc : ic_jp_skip_from(p, t);
    while (!(rc = ic_jp_next(p, &t)) && t == IC_JP_KEY) {
        if (row->guideline_count == MAX_GUIDELINES) {
            if ((rc = ic_jp_skip(p)))
                return rc;
            continue;
        }
        size_t g = row->guideline_count++;
        snprintf(row->guideline_id[g], sizeof(row->guideline_id[g]), "%s", p->str);
        if ((rc = ic_jp_read_text(p, row->guideline_status[g], sizeof(row->guideline_status[g]))))
            return rc;
    }
    return rc;
}

static int parse_row(const char *line, size_t len, struct row *row)
{
    memset(row, 0, sizeof(*row));
    struct ic_jp_memory mem = {(const uint8_t *)line, len, 0};
    struct ic_jp p;
    int rc = ic_jp_init(&p, ic_jp_read_memory, &mem);
    if (rc)
        return rc;
    enum ic_jp_type t;
    if (!(rc = ic_jp_next(&p, &t)) && t != IC_JP_OBJECT_BEGIN)
        rc = IC_E_FORMAT;
    while (!rc && !(rc = ic_jp_next(&p, &t)) && t == IC_JP_KEY) {
        if (ic_jp_is(&p, "image"))
            rc = ic_jp_read_text(&p, row->image, sizeof(row->image));
        else if (ic_jp_is(&p, "report"))
            rc = ic_jp_read_text(&p, row->report, sizeof(row->report));
        else if (ic_jp_is(&p, "outcome"))
            rc = ic_jp_read_text(&p, row->outcome, sizeof(row->outcome));
        else if (ic_jp_is(&p, "worst"))
            rc = ic_jp_read_text(&p, row->worst, sizeof(row->worst));
        else if (ic_jp_is(&p, "message"))
            rc = ic_jp_read_text(&p, row->message, sizeof(row->message));
        else if (ic_jp_is(&p, "counts"))
            rc = read_counts(&p, row);
        else if (ic_jp_is(&p, "guidelines"))
            rc = read_guidelines(&p, row);
        else
            rc = ic_jp_skip(&p);
    }
    if (!rc && !row->outcome[0])
        rc = IC_E_FORMAT;
    ic_jp_release(&p);
    return rc;
}

static void html_text(struct ic_buf *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '<')
            ic_buf_append_str(out, "&lt;");
        else if (*s == '>')
            ic_buf_append_str(out, "&gt;");
        else if (*s == '&')
            ic_buf_append_str(out, "&amp;");
        else if (*s == '"')
            ic_buf_append_str(out, "&quot;");
        else
            ic_buf_append_byte(out, (uint8_t)*s);
    }
}

/* A CSS class name from a status or outcome: letters and '-' only. */
static void css_class(struct ic_buf *out, const char *s)
{
    for (; *s; s++)
        if ((*s >= 'a' && *s <= 'z') || *s == '-')
            ic_buf_append_byte(out, (uint8_t)*s);
}

int ic_summary_write_html(const char *jsonl, size_t size, struct ic_buf *out)
{
    ic_buf_append_str(
        out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
             "<title>iotcop corpus summary</title><style>"
             "body{font:13px sans-serif;margin:1.5em}table{border-collapse:collapse}"
             "td,th{border:1px solid #ccc;padding:.15em .4em;text-align:left}"
             "td.fail{background:#f4b6b6}td.pass{background:#b9e4b9}"
             "td.unverified,td.not-tested{background:#eee}td.not-applicable{background:#ddf}"
             "tr.timeout td,tr.crashed td,tr.error td,tr.unreadable td{color:#900}"
             "</style></head><body>\n<h1>iotcop corpus summary</h1>\n"
             "<table><tr><th>image</th><th>outcome</th><th>worst</th><th>critical</th>"
             "<th>high</th><th>medium</th><th>low</th><th>info</th><th>suppressed</th>");
    for (size_t g = 0; g < ic_guideline_count(); g++) {
        ic_buf_append_str(out, "<th>");
        html_text(out, ic_guideline_at(g)->id);
        ic_buf_append_str(out, "</th>");
    }
    ic_buf_append_str(out, "</tr>\n");
    size_t rows = 0;
    struct row *row = malloc(sizeof(*row));
    if (!row)
        return IC_E_NOMEM;
    for (size_t pos = 0; pos < size;) {
        const char *nl = memchr(jsonl + pos, '\n', size - pos);
        size_t len = nl ? (size_t)(nl - (jsonl + pos)) : size - pos;
        const char *line = jsonl + pos;
        pos += len + (nl ? 1 : 0);
        if (len == 0)
            continue;
        rows++;
        if (parse_row(line, len, row) != IC_OK) {
            ic_buf_printf(out,
                          "<tr class=\"error\"><td colspan=\"9\">line %zu: not a summary "
                          "line</td></tr>\n",
                          rows);
            continue;
        }
        ic_buf_append_str(out, "<tr class=\"");
        css_class(out, row->outcome);
        ic_buf_append_str(out, "\"><td>");
        html_text(out, row->image);
        ic_buf_append_str(out, "</td><td class=\"outcome\">");
        html_text(out, row->outcome);
        if (row->message[0]) {
            ic_buf_append_str(out, ": ");
            html_text(out, row->message);
        }
        ic_buf_append_str(out, "</td><td>");
        html_text(out, row->worst);
        for (int k = 0; k < 6; k++) {
            ic_buf_append_str(out, "</td><td>");
            html_text(out, row->counts[k]);
        }
        ic_buf_append_str(out, "</td>");
        for (size_t g = 0; g < ic_guideline_count(); g++) {
            const char *status = "";
            for (size_t k = 0; k < row->guideline_count; k++)
                if (strcmp(row->guideline_id[k], ic_guideline_at(g)->id) == 0)
                    status = row->guideline_status[k];
            ic_buf_append_str(out, "<td class=\"");
            css_class(out, status);
            ic_buf_append_str(out, "\">");
            html_text(out, status);
            ic_buf_append_str(out, "</td>");
        }
        ic_buf_append_str(out, "</tr>\n");
    }
    free(row);
    ic_buf_printf(out, "</table>\n<p>%zu images.</p>\n</body></html>\n", rows);
    return out->len ? IC_OK : IC_E_NOMEM;
}
