/* The signature pass: every version pattern and anchor of
 * data/components.json compiled into one Vectorscan database and run once
 * over a blob; then, per component, the version the earliest pattern gives.
 *
 * A version pattern matches PREFIX VERSION SUFFIX. Without a suffix the
 * version must end at a boundary (not followed by a letter, a digit, '_',
 * '*', or '.' and a digit); a prefix that starts with a letter or digit must
 * not continue a longer word. Gated patterns count only in a blob where an
 * anchor of the same component matched. */
#include "components/internal.h"
#include "components/table.h"
#include "core/buf.h"
#include "iotcop/error.h"

#include <hs/hs.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static hs_database_t *sig_db;
static int sig_db_error;
static pthread_once_t sig_once = PTHREAD_ONCE_INIT;

/* Appends bytes to a Vectorscan expression, every non-alphanumeric byte
 * as \xNN so nothing is read as syntax. */
static int escape_into(struct ic_buf *b, const char *bytes, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)bytes[i];
        int plain = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        char esc[4] = {'\\', 'x', hex[c >> 4], hex[c & 15]};
        int rc = plain ? ic_buf_append_byte(b, c) : ic_buf_append(b, esc, 4);
        if (rc)
            return rc;
    }
    return IC_OK;
}

static void build_db(void)
{
    size_t n = ic_version_pattern_count + ic_component_anchor_count;
    char **exprs = calloc(n, sizeof(*exprs));
    unsigned *flags = calloc(n, sizeof(*flags));
    unsigned *ids = calloc(n, sizeof(*ids));
    sig_db_error = IC_E_NOMEM;
    if (!exprs || !flags || !ids)
        goto out;
    for (size_t i = 0; i < n; i++) {
        struct ic_buf b = IC_BUF_INIT(4096);
        int rc;
        if (i < ic_version_pattern_count) {
            const struct ic_version_pattern *p = &ic_version_patterns[i];
            rc = escape_into(&b, p->prefix, p->prefix_len);
            if (!rc)
                rc = ic_buf_printf(&b, "(?:%s)", p->re);
            if (!rc)
                rc = escape_into(&b, p->suffix, p->suffix_len);
            flags[i] = HS_FLAG_SOM_LEFTMOST;
        } else {
            const struct ic_anchor *a = &ic_component_anchors[i - ic_version_pattern_count];
            rc = escape_into(&b, a->text, a->len);
            flags[i] = HS_FLAG_SINGLEMATCH;
        }
        if (rc) {
            ic_buf_release(&b);
            goto out;
        }
        exprs[i] = (char *)b.data;
        ids[i] = (unsigned)i;
    }
    hs_compile_error_t *err = NULL;
    if (hs_compile_multi((const char *const *)exprs, flags, ids, (unsigned)n, HS_MODE_BLOCK, NULL,
                         &sig_db, &err) != HS_SUCCESS) {
        hs_free_compile_error(err);
        sig_db_error = IC_E_INTERNAL;
        goto out;
    }
    sig_db_error = IC_OK;
out:
    for (size_t i = 0; exprs && i < n; i++)
        free(exprs[i]);
    free(exprs);
    free(flags);
    free(ids);
}

int ic_sig_init(void)
{
    pthread_once(&sig_once, build_db);
    return sig_db_error;
}

/* ---- per-thread scanner ---------------------------------------------------- */

struct hit {
    uint64_t from, to;
};

struct pattern_hits {
    struct hit hits[IC_SIG_MAX_HITS_PER_PATTERN];
    unsigned count;
};

struct ic_sig_scanner {
    hs_scratch_t *scratch;
    struct pattern_hits *patterns; /* ic_version_pattern_count */
    uint64_t *anchor_at;           /* per anchor: offset + 1 of its match, 0 when none */
    /* During one scan: the whole blob, and where the current piece starts. */
    const uint8_t *data;
    size_t len;
    size_t base;
};

struct ic_sig_scanner *ic_sig_scanner_new(void)
{
    if (ic_sig_init() != IC_OK)
        return NULL;
    struct ic_sig_scanner *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->patterns = calloc(ic_version_pattern_count ? ic_version_pattern_count : 1,
                         sizeof(*s->patterns));
    s->anchor_at = calloc(ic_component_anchor_count + 1, sizeof(*s->anchor_at));
    if (!s->patterns || !s->anchor_at || hs_alloc_scratch(sig_db, &s->scratch) != HS_SUCCESS) {
        ic_sig_scanner_free(s);
        return NULL;
    }
    return s;
}

void ic_sig_scanner_free(struct ic_sig_scanner *s)
{
    if (!s)
        return;
    if (s->scratch)
        hs_free_scratch(s->scratch);
    free(s->patterns);
    free(s->anchor_at);
    free(s);
}

static int is_alnum(uint8_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(uint8_t c)
{
    return c >= '0' && c <= '9';
}

static int on_match(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
                    void *ctx)
{
    struct ic_sig_scanner *s = ctx;
    from += s->base;
    to += s->base;
    if (id >= ic_version_pattern_count) {
        uint64_t *at = &s->anchor_at[id - ic_version_pattern_count];
        if (!*at)
            *at = to + 1;
        return 0;
    }
    const struct ic_version_pattern *p = &ic_version_patterns[id];
    if (to > s->len || from >= to)
        return 0;
    if (!p->suffix_len && to < s->len) {
        uint8_t next = s->data[to];
        if (is_alnum(next) || next == '_' || next == '*')
            return 0;
        if (next == '.' && to + 1 < s->len && is_digit(s->data[to + 1]))
            return 0;
    }
    if (is_alnum((uint8_t)p->prefix[0]) && from > 0 && is_alnum(s->data[from - 1]))
        return 0;
    struct pattern_hits *ph = &s->patterns[id];
    /* Vectorscan reports by end offset: a longer match from the same start
     * replaces the shorter one. */
    for (unsigned i = 0; i < ph->count; i++) {
        if (ph->hits[i].from == from) {
            if (to > ph->hits[i].to)
                ph->hits[i].to = to;
            return 0;
        }
    }
    if (ph->count < IC_SIG_MAX_HITS_PER_PATTERN)
        ph->hits[ph->count++] = (struct hit){from, to};
    return 0;
}

/* Appends bytes rendered printable: \0 for NUL, \xNN for other controls. */
static void render(char *out, size_t size, const uint8_t *p, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k + 5 < size; i++) {
        if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '"' && p[i] != '\\')
            out[k++] = (char)p[i];
        else if (p[i] == 0)
            k += (size_t)snprintf(out + k, size - k, "\\0");
        else
            k += (size_t)snprintf(out + k, size - k, "\\x%02x", p[i]);
    }
    out[k] = '\0';
}

static void transform_libxml2(const char *digits, char *out, size_t size)
{
    unsigned long v = strtoul(digits, NULL, 10);
    snprintf(out, size, "%lu.%lu.%lu", v / 10000, (v / 100) % 100, v % 100);
}

/* The anchor of component c seen in this blob with the lowest index, or -1. */
static long anchor_of(const struct ic_sig_scanner *s, unsigned c)
{
    for (size_t i = 0; i < ic_component_anchor_count; i++)
        if (ic_component_anchors[i].component == c && s->anchor_at[i])
            return (long)i;
    return -1;
}

static int has_version_patterns(unsigned c)
{
    for (size_t i = 0; i < ic_version_pattern_count; i++)
        if (ic_version_patterns[i].component == c)
            return 1;
    return 0;
}

struct found {
    int present;
    int pattern; /* index of the version pattern, or -1 (anchor only) */
    struct hit hit;
};

struct feature_list {
    char **items;
    size_t count, cap;
};

static int add_feature(void *ctx, const char *name, size_t len)
{
    struct feature_list *f = ctx;
    if (f->count >= IC_FEATURES_MAX)
        return 1;
    if (f->count == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 256;
        char **items = realloc(f->items, cap * sizeof(*items));
        if (!items)
            return 1;
        f->items = items;
        f->cap = cap;
    }
    char *copy = malloc(len + 1);
    if (!copy)
        return 1;
    memcpy(copy, name, len);
    copy[len] = '\0';
    f->items[f->count++] = copy;
    return 0;
}

static void feature_list_release(struct feature_list *f)
{
    for (size_t i = 0; i < f->count; i++)
        free(f->items[i]);
    free(f->items);
    memset(f, 0, sizeof(*f));
}

static int find_component(const char *name)
{
    for (size_t i = 0; i < ic_component_def_count; i++)
        if (strcmp(ic_component_defs[i].name, name) == 0)
            return (int)i;
    return -1;
}

int ic_sig_scan(struct ic_sig_scanner *s, const uint8_t *data, size_t len, uint64_t base,
                const char *path, ic_sw_hit_fn fn, void *ctx)
{
    if (!s || (!data && len))
        return IC_E_INVALID_ARG;
    memset(s->patterns, 0, ic_version_pattern_count * sizeof(*s->patterns));
    memset(s->anchor_at, 0, ic_component_anchor_count * sizeof(*s->anchor_at));
    s->data = data;
    s->len = len;
    /* hs_scan takes an unsigned length: scan in overlapping pieces (hits
     * found twice in an overlap are merged by their start). */
    const size_t piece = 1u << 30, overlap = 4096;
    for (size_t pos = 0; pos < len;) {
        size_t n = len - pos > piece ? piece : len - pos;
        s->base = pos;
        hs_error_t rc = hs_scan(sig_db, (const char *)data + pos, (unsigned)n, 0, s->scratch,
                                on_match, s);
        if (rc != HS_SUCCESS && rc != HS_SCAN_TERMINATED)
            return IC_E_INTERNAL;
        if (pos + n >= len)
            break;
        pos += n - overlap;
    }

    /* Per component: the earliest pattern with a hit, its first hit. */
    struct found *found = calloc(ic_component_def_count, sizeof(*found));
    if (!found)
        return IC_E_NOMEM;
    for (size_t i = 0; i < ic_version_pattern_count; i++) {
        const struct ic_version_pattern *p = &ic_version_patterns[i];
        struct pattern_hits *ph = &s->patterns[i];
        if (!ph->count || (found[p->component].present && found[p->component].pattern >= 0))
            continue;
        if (p->gated && anchor_of(s, p->component) < 0)
            continue;
        struct hit first = ph->hits[0];
        for (unsigned k = 1; k < ph->count; k++)
            if (ph->hits[k].from < first.from)
                first = ph->hits[k];
        found[p->component] = (struct found){1, (int)i, first};
    }
    /* An anchor alone names only a component that has no version patterns. */
    for (size_t c = 0; c < ic_component_def_count; c++)
        if (!found[c].present && !has_version_patterns((unsigned)c) &&
            anchor_of(s, (unsigned)c) >= 0)
            found[c] = (struct found){1, -1, {0, 0}};
    for (size_t c = 0; c < ic_component_def_count; c++) {
        int u = ic_component_defs[c].unless;
        if (found[c].present && u >= 0 && found[u].present)
            found[c].present = 0;
    }

    int result = 0;
    int busybox = find_component("busybox"), linux_kernel = find_component("linux");
    for (size_t c = 0; c < ic_component_def_count && !result; c++) {
        if (!found[c].present)
            continue;
        char version[IC_SIG_MAX_VERSION] = "";
        char evidence[IC_SIG_MAX_EVIDENCE * 10 + 64];
        char excerpt[IC_SIG_MAX_EVIDENCE * 5];
        if (found[c].pattern >= 0) {
            const struct ic_version_pattern *p = &ic_version_patterns[found[c].pattern];
            struct hit h = found[c].hit;
            uint64_t vs = h.from + p->prefix_len, ve = h.to - p->suffix_len;
            size_t vlen = (size_t)(ve - vs);
            if (vlen >= sizeof(version))
                vlen = sizeof(version) - 1;
            memcpy(version, data + vs, vlen);
            version[vlen] = '\0';
            if (p->transform == IC_VT_LIBXML2) {
                char digits[IC_SIG_MAX_VERSION];
                memcpy(digits, version, sizeof(digits));
                transform_libxml2(digits, version, sizeof(version));
            } else if (p->transform == IC_VT_KERNEL || p->transform == IC_VT_VERMAGIC) {
                size_t line = 0;
                while (vs + line < len && line < 512 && data[vs + line] >= 0x20 &&
                       data[vs + line] < 0x7f)
                    line++;
                ic_kernel_upstream_release(data + vs, line, version, sizeof(version));
            }
            size_t ex = (size_t)(h.to - h.from);
            if (p->transform == IC_VT_KERNEL) /* the whole banner: it names the release */
                while (h.from + ex < len && data[h.from + ex] >= 0x20 && data[h.from + ex] < 0x7f)
                    ex++;
            render(excerpt, sizeof(excerpt), data + h.from, ex > IC_SIG_MAX_EVIDENCE ?
                                                              IC_SIG_MAX_EVIDENCE : ex);
            long a = p->gated ? anchor_of(s, (unsigned)c) : -1;
            if (a >= 0) {
                char anchor[IC_SIG_MAX_EVIDENCE * 5];
                render(anchor, sizeof(anchor), (const uint8_t *)ic_component_anchors[a].text,
                       ic_component_anchors[a].len);
                snprintf(evidence, sizeof(evidence), "\"%s\" with \"%s\" at offset %llu",
                         excerpt, anchor, (unsigned long long)(base + h.from));
            } else {
                snprintf(evidence, sizeof(evidence), "\"%s\" at offset %llu", excerpt,
                         (unsigned long long)(base + h.from));
            }
        } else {
            long a = anchor_of(s, (unsigned)c);
            render(excerpt, sizeof(excerpt), (const uint8_t *)ic_component_anchors[a].text,
                   ic_component_anchors[a].len);
            snprintf(evidence, sizeof(evidence), "\"%s\" (no version found)", excerpt);
        }
        struct feature_list features = {0};
        if ((int)c == busybox)
            ic_busybox_applets(data, len, add_feature, &features);
        else if ((int)c == linux_kernel)
            ic_kconfig_embedded(data, len, add_feature, &features);
        struct ic_sw_hit hit = {
            .def = (int)c,
            .name = ic_component_defs[c].name,
            .version = version[0] ? version : NULL,
            .path = path,
            .evidence = evidence,
            .source = "signature",
            .weak = found[c].pattern >= 0 &&
                    ic_version_patterns[found[c].pattern].transform == IC_VT_VERMAGIC,
            .features = (const char *const *)features.items,
            .feature_count = features.count,
        };
        result = fn(ctx, &hit);
        feature_list_release(&features);
    }
    free(found);
    return result;
}
