/* Ignore lists and baselines (iotcop/suppress.h). */
#include "iotcop/suppress.h"

#include "core/arena.h"
#include "iotcop/error.h"
#include "iotcop/report_read.h"

#include <ctype.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- ignore lists -------------------------------------------------------- */

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

static int is_hex64(const char *s, size_t n)
{
    if (n != 64)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isxdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

/* One non-comment line [s, s+n): selector, blanks, justification. */
static int parse_entry(struct ic_arena *arena, const char *s, size_t n, struct ic_ignore_entry *e,
                       char *detail, size_t detail_size)
{
    size_t sel = 0;
    while (sel < n && !is_blank(s[sel]))
        sel++;
    size_t j = sel;
    while (j < n && is_blank(s[j]))
        j++;
    size_t end = n;
    while (end > j && is_blank(s[end - 1]))
        end--;
    if (j >= end) {
        snprintf(detail, detail_size, "no justification after '%.*s'", (int)(sel < 80 ? sel : 80),
                 s);
        return IC_E_FORMAT;
    }
    if (memchr(s, '\0', n)) {
        snprintf(detail, detail_size, "a NUL byte in the line");
        return IC_E_FORMAT;
    }
    e->justification = ic_arena_strndup(arena, s + j, end - j);
    if (!e->justification)
        return IC_E_NOMEM;
    if (is_hex64(s, sel)) {
        for (size_t i = 0; i < 64; i++)
            e->fingerprint[i] = (char)tolower((unsigned char)s[i]);
        e->fingerprint[64] = '\0';
        return IC_OK;
    }
    const char *colon = memchr(s, ':', sel);
    size_t rule_len = colon ? (size_t)(colon - s) : sel;
    char *rule = ic_arena_strndup(arena, s, rule_len);
    if (!rule)
        return IC_E_NOMEM;
    if (!ic_rule_find(rule)) {
        snprintf(detail, detail_size,
                 "'%.80s' is neither a fingerprint (64 hex digits) nor a known rule id", rule);
        return IC_E_FORMAT;
    }
    e->rule = rule;
    if (colon) {
        if (colon + 1 == s + sel) {
            snprintf(detail, detail_size, "an empty path glob after '%.80s:'", rule);
            return IC_E_FORMAT;
        }
        e->glob = ic_arena_strndup(arena, colon + 1, sel - rule_len - 1);
        if (!e->glob)
            return IC_E_NOMEM;
    }
    return IC_OK;
}

int ic_ignore_parse(const uint8_t *data, size_t size, struct ic_ignore_list *list,
                    unsigned *bad_line, char *detail, size_t detail_size)
{
    char scratch[8];
    if (!detail || !detail_size) {
        detail = scratch;
        detail_size = sizeof(scratch);
    }
    detail[0] = '\0';
    *bad_line = 0;
    memset(list, 0, sizeof(*list));
    struct ic_arena *arena = calloc(1, sizeof(*arena));
    if (!arena)
        return IC_E_NOMEM;
    list->priv = arena;
    size_t cap = 0;
    unsigned line = 0;
    const char *text = (const char *)data;
    for (size_t pos = 0; pos < size;) {
        line++;
        const char *nl = memchr(text + pos, '\n', size - pos);
        size_t len = nl ? (size_t)(nl - (text + pos)) : size - pos;
        const char *s = text + pos;
        pos += len + (nl ? 1 : 0);
        if (len > IC_IGNORE_MAX_LINE) {
            *bad_line = line;
            snprintf(detail, detail_size, "line longer than %u bytes", IC_IGNORE_MAX_LINE);
            return IC_E_LIMIT_FILE_SIZE;
        }
        while (len && is_blank(*s)) {
            s++;
            len--;
        }
        if (!len || *s == '#' || (len == 1 && *s == '\r'))
            continue;
        if (list->count >= IC_IGNORE_MAX_ENTRIES) {
            *bad_line = line;
            snprintf(detail, detail_size, "more than %u entries", IC_IGNORE_MAX_ENTRIES);
            return IC_E_LIMIT_FILES;
        }
        if (list->count == cap) {
            size_t next = cap ? cap * 2 : 16;
            void *p = realloc(list->entries, next * sizeof(*list->entries));
            if (!p)
                return IC_E_NOMEM;
            list->entries = p;
            cap = next;
        }
        struct ic_ignore_entry *e = &list->entries[list->count];
        memset(e, 0, sizeof(*e));
        e->line = line;
        int rc = parse_entry(arena, s, len, e, detail, detail_size);
        if (rc) {
            *bad_line = line;
            return rc;
        }
        list->count++;
    }
    return IC_OK;
}

void ic_ignore_release(struct ic_ignore_list *list)
{
    if (!list)
        return;
    if (list->priv) {
        ic_arena_release(list->priv);
        free(list->priv);
    }
    free(list->entries);
    memset(list, 0, sizeof(*list));
}

const struct ic_ignore_entry *ic_ignore_match(const struct ic_ignore_list *list,
                                              const struct ic_finding *f)
{
    for (size_t i = 0; list && i < list->count; i++) {
        const struct ic_ignore_entry *e = &list->entries[i];
        if (e->fingerprint[0]) {
            if (strcmp(e->fingerprint, f->fingerprint) == 0)
                return e;
            continue;
        }
        if (strcmp(e->rule, f->rule) != 0)
            continue;
        if (!e->glob)
            return e;
        if (f->location.kind == IC_LOCATION_FIRMWARE && f->location.path &&
            fnmatch(e->glob, f->location.path, 0) == 0)
            return e;
    }
    return NULL;
}

/* ---- baselines ----------------------------------------------------------- */

static int baseline_push(struct ic_baseline *b, const char *fp)
{
    if (b->count == b->cap) {
        if (b->cap >= IC_REPORT_MAX_ITEMS)
            return IC_E_LIMIT_MEMORY;
        size_t next = b->cap ? b->cap * 2 : 64;
        void *p = realloc(b->fingerprints, next * sizeof(*b->fingerprints));
        if (!p)
            return IC_E_NOMEM;
        b->fingerprints = p;
        b->cap = next;
    }
    memcpy(b->fingerprints[b->count++], fp, 65);
    return IC_OK;
}

int ic_baseline_add(struct ic_baseline *b, const uint8_t *data, size_t size, char *detail,
                    size_t detail_size)
{
    /* JSON Lines or one (possibly pretty-printed) report: a line that does
     * not start a new object continues the previous one, so read the whole
     * input first and fall back to lines only when that fails. */
    struct ic_report_doc doc;
    int rc = ic_report_read(data, size, &doc, detail, detail_size);
    if (rc == IC_OK) {
        for (size_t i = 0; i < doc.finding_count && !rc; i++)
            rc = baseline_push(b, doc.findings[i].fingerprint);
        ic_report_doc_release(&doc);
        return rc;
    }
    ic_report_doc_release(&doc);
    int first_error = rc;
    char first_detail[256] = "";
    if (detail && detail_size)
        snprintf(first_detail, sizeof(first_detail), "%s", detail);
    rc = IC_OK;
    size_t reports = 0;
    for (size_t pos = 0; pos < size && !rc;) {
        const uint8_t *nl = memchr(data + pos, '\n', size - pos);
        size_t len = nl ? (size_t)(nl - (data + pos)) : size - pos;
        size_t k = 0;
        while (k < len && isspace(data[pos + k]))
            k++;
        if (k < len) {
            rc = ic_report_read(data + pos, len, &doc, detail, detail_size);
            for (size_t i = 0; i < doc.finding_count && !rc; i++)
                rc = baseline_push(b, doc.findings[i].fingerprint);
            ic_report_doc_release(&doc);
            reports++;
        }
        pos += len + (nl ? 1 : 0);
    }
    if (rc && reports <= 1 && detail && detail_size)
        snprintf(detail, detail_size, "%s", first_detail);
    return rc && reports <= 1 ? first_error : rc;
}

static int compare_fp(const void *a, const void *b)
{
    return memcmp(a, b, 64);
}

int ic_baseline_seal(struct ic_baseline *b, const char *name)
{
    if (b->count)
        qsort(b->fingerprints, b->count, sizeof(*b->fingerprints), compare_fp);
    size_t k = 0;
    for (size_t i = 0; i < b->count; i++)
        if (!k || memcmp(b->fingerprints[k - 1], b->fingerprints[i], 64) != 0)
            memmove(b->fingerprints[k++], b->fingerprints[i], 65);
    b->count = k;
    free((void *)b->name);
    b->name = name ? strdup(name) : NULL;
    return name && !b->name ? IC_E_NOMEM : IC_OK;
}

int ic_baseline_has(const struct ic_baseline *b, const char *fingerprint)
{
    return b && b->count &&
           bsearch(fingerprint, b->fingerprints, b->count, sizeof(*b->fingerprints), compare_fp) !=
               NULL;
}

void ic_baseline_release(struct ic_baseline *b)
{
    if (!b)
        return;
    free(b->fingerprints);
    free((void *)b->name);
    memset(b, 0, sizeof(*b));
}

int ic_report_apply_suppressions(struct ic_report *r, const struct ic_ignore_list *ignore,
                                 const struct ic_baseline *baseline, size_t *count)
{
    size_t n = 0;
    int rc = IC_OK;
    char because[512];
    snprintf(because, sizeof(because), "already in the baseline %s",
             baseline && baseline->name ? baseline->name : "report");
    for (size_t i = 0; r && i < r->finding_count && !rc; i++) {
        const struct ic_finding *f = &r->findings[i];
        const struct ic_ignore_entry *e = ignore ? ic_ignore_match(ignore, f) : NULL;
        if (e)
            rc = ic_report_suppress(r, i, "ignore", e->justification);
        else if (ic_baseline_has(baseline, f->fingerprint))
            rc = ic_report_suppress(r, i, "baseline", because);
        else
            continue;
        n += !rc;
    }
    if (count)
        *count = n;
    return rc;
}
