/* Component identification over an unpacked image: which blobs to read,
 * the collector that merges what every thread finds (by name and
 * version), the public list and its way into the report. */
#include "components/internal.h"
#include "components/table.h"
#include "core/arena.h"
#include "core/pool.h"
#include "iotcop/error.h"
#include "iotcop/report.h"
#include "iotcop/unpack.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- string lists ------------------------------------------------------- */

struct str_list {
    char **items;
    size_t count, cap;
};

static int str_list_add(struct str_list *l, const char *s)
{
    for (size_t i = 0; i < l->count; i++)
        if (strcmp(l->items[i], s) == 0)
            return IC_OK;
    if (l->count + 1 >= l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        char **items = realloc(l->items, cap * sizeof(*items));
        if (!items)
            return IC_E_NOMEM;
        l->items = items;
        l->cap = cap;
    }
    char *copy = strdup(s);
    if (!copy)
        return IC_E_NOMEM;
    l->items[l->count++] = copy;
    l->items[l->count] = NULL;
    return IC_OK;
}

static void str_list_release(struct str_list *l)
{
    for (size_t i = 0; i < l->count; i++)
        free(l->items[i]);
    free(l->items);
    memset(l, 0, sizeof(*l));
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ---- the collector -------------------------------------------------------- */

struct item {
    int def;
    char *name;
    char *version;
    char *purl;
    char *evidence;
    char *evidence_path; /* the path the evidence came from: the smallest wins */
    char *source;
    char *package_version;
    struct str_list paths;
    struct str_list features;
    int has_features;
    int weak;
};

struct collector {
    pthread_mutex_t lock;
    struct item *items;
    size_t count, cap;
    int error;
};

static int same_text(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static int replace(char **dst, const char *s)
{
    char *copy = s ? strdup(s) : NULL;
    if (s && !copy)
        return IC_E_NOMEM;
    free(*dst);
    *dst = copy;
    return IC_OK;
}

static int add_features(struct item *it, const struct ic_sw_hit *hit)
{
    if (!hit->features)
        return IC_OK;
    it->has_features = 1;
    /* Features come in large sets: append and deduplicate once at the end. */
    for (size_t i = 0; i < hit->feature_count; i++) {
        if (it->features.count + 1 >= it->features.cap) {
            size_t cap = it->features.cap ? it->features.cap * 2 : 64;
            char **items = realloc(it->features.items, cap * sizeof(*items));
            if (!items)
                return IC_E_NOMEM;
            it->features.items = items;
            it->features.cap = cap;
        }
        char *copy = strdup(hit->features[i]);
        if (!copy)
            return IC_E_NOMEM;
        it->features.items[it->features.count++] = copy;
        it->features.items[it->features.count] = NULL;
    }
    return IC_OK;
}

static int collect_locked(struct collector *c, const struct ic_sw_hit *hit)
{
    const char *path = hit->path ? hit->path : "layer:0";
    for (size_t i = 0; i < c->count; i++) {
        struct item *it = &c->items[i];
        if (strcmp(it->name, hit->name) != 0 || !same_text(it->version, hit->version))
            continue;
        int rc = str_list_add(&it->paths, path);
        if (!rc && strcmp(path, it->evidence_path) < 0) {
            if ((rc = replace(&it->evidence, hit->evidence)) ||
                (rc = replace(&it->evidence_path, path)) ||
                (rc = replace(&it->source, hit->source)))
                return rc;
        }
        if (!rc && hit->purl && (!it->purl || strcmp(hit->purl, it->purl) < 0))
            rc = replace(&it->purl, hit->purl);
        if (!rc && hit->package_version && !it->package_version)
            rc = replace(&it->package_version, hit->package_version);
        return rc ? rc : add_features(it, hit);
    }
    if (c->count == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 32;
        struct item *items = realloc(c->items, cap * sizeof(*items));
        if (!items)
            return IC_E_NOMEM;
        c->items = items;
        c->cap = cap;
    }
    struct item *it = &c->items[c->count];
    memset(it, 0, sizeof(*it));
    c->count++;
    it->def = hit->def;
    it->weak = hit->weak;
    int rc;
    if ((rc = replace(&it->name, hit->name)) || (rc = replace(&it->version, hit->version)) ||
        (rc = replace(&it->purl, hit->purl)) || (rc = replace(&it->evidence, hit->evidence)) ||
        (rc = replace(&it->evidence_path, path)) || (rc = replace(&it->source, hit->source)) ||
        (rc = replace(&it->package_version, hit->package_version)) ||
        (rc = str_list_add(&it->paths, path)))
        return rc;
    return add_features(it, hit);
}

static int collect(void *ctx, const struct ic_sw_hit *hit)
{
    struct collector *c = ctx;
    pthread_mutex_lock(&c->lock);
    int rc = collect_locked(c, hit);
    if (rc && !c->error)
        c->error = rc;
    pthread_mutex_unlock(&c->lock);
    return rc;
}

static void item_release(struct item *it)
{
    free(it->name);
    free(it->version);
    free(it->purl);
    free(it->evidence);
    free(it->evidence_path);
    free(it->source);
    free(it->package_version);
    str_list_release(&it->paths);
    str_list_release(&it->features);
}

/* ---- the public list -------------------------------------------------------- */

struct ic_software_private {
    struct ic_arena arena;
};

void ic_software_list_free(struct ic_software_list *list)
{
    if (!list)
        return;
    if (list->priv) {
        ic_arena_release(&list->priv->arena);
        free(list->priv);
    }
    free(list->items);
    free(list);
}

int ic_cpe23_format(const struct ic_cpe_id *id, const char *version, const char *update,
                    char *out, size_t size)
{
    if (!id || !id->vendor || !id->product)
        return IC_E_INVALID_ARG;
    const char *parts[4] = {id->vendor, id->product, version && *version ? version : NULL,
                            update && *update ? update : NULL};
    size_t k = 0;
    int w = snprintf(out, size, "cpe:2.3:%c", id->part ? id->part : 'a');
    if (w < 0 || (size_t)w >= size)
        return IC_E_INVALID_ARG;
    k = (size_t)w;
    for (int p = 0; p < 4; p++) {
        if (k + 2 >= size)
            return IC_E_INVALID_ARG;
        out[k++] = ':';
        /* "*" (any) and "-" (not applicable) are logical values, unescaped. */
        const char *v = parts[p] ? parts[p] : "*";
        int logical = strcmp(v, "*") == 0 || strcmp(v, "-") == 0;
        for (const char *s = v; *s; s++) {
            unsigned char ch = (unsigned char)*s;
            int plain = logical || (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') ||
                        (ch >= 'A' && ch <= 'Z') || ch == '_' || ch == '.' || ch == '-';
            if (k + 3 >= size)
                return IC_E_INVALID_ARG;
            if (!plain)
                out[k++] = '\\';
            out[k++] = (char)ch;
        }
    }
    w = snprintf(out + k, size - k, ":*:*:*:*:*:*");
    if (w < 0 || (size_t)w >= size - k)
        return IC_E_INVALID_ARG;
    return IC_OK;
}

void ic_cpe_split_version(const char *component, const char *version, char *cpe_version,
                          size_t version_size, char *cpe_update, size_t update_size)
{
    if (!version || !*version) {
        snprintf(cpe_version, version_size, "*");
        snprintf(cpe_update, update_size, "*");
        return;
    }
    size_t n = strlen(version);
    /* The suffix: "-rcN" always, "pN" where the component's NVD names say so. */
    size_t cut = n;
    size_t d = n;
    while (d > 0 && version[d - 1] >= '0' && version[d - 1] <= '9')
        d--;
    if (d < n && d >= 4 && strncmp(version + d - 3, "-rc", 3) == 0)
        cut = d - 3;
    int update_p = 0;
    for (size_t i = 0; component && i < ic_component_def_count; i++)
        if (strcmp(ic_component_defs[i].name, component) == 0)
            update_p = ic_component_defs[i].update_p;
    if (cut == n && update_p && d < n && d >= 2 && version[d - 1] == 'p' &&
        version[d - 2] >= '0' && version[d - 2] <= '9')
        cut = d - 1;
    if (cut == n) {
        snprintf(cpe_version, version_size, "%s", version);
        snprintf(cpe_update, update_size, "-");
        return;
    }
    snprintf(cpe_version, version_size, "%.*s", (int)cut, version);
    snprintf(cpe_update, update_size, "%s", version + cut + (version[cut] == '-'));
}

static int cmp_software(const void *pa, const void *pb)
{
    const struct ic_software *a = pa, *b = pb;
    int c = strcmp(a->name, b->name);
    if (c)
        return c;
    if (!a->version || !b->version)
        return (a->version != NULL) - (b->version != NULL);
    return strcmp(a->version, b->version);
}

static const char **arena_list(struct ic_arena *a, struct str_list *l, int *err)
{
    if (l->count > 1)
        qsort(l->items, l->count, sizeof(*l->items), cmp_str);
    const char **out = ic_arena_alloc(a, (l->count + 1) * sizeof(*out));
    if (!out) {
        *err = IC_E_NOMEM;
        return NULL;
    }
    size_t k = 0;
    for (size_t i = 0; i < l->count; i++) {
        if (k && strcmp(out[k - 1], l->items[i]) == 0)
            continue;
        if (!(out[k] = ic_arena_strdup(a, l->items[i]))) {
            *err = IC_E_NOMEM;
            return NULL;
        }
        k++;
    }
    out[k] = NULL;
    return out;
}

static char *arena_dup(struct ic_arena *a, const char *s, int *err)
{
    if (!s)
        return NULL;
    char *d = ic_arena_strdup(a, s);
    if (!d)
        *err = IC_E_NOMEM;
    return d;
}

/* "X.Y" of a version: the length of its first two numbers. */
static size_t major_minor_len(const char *v)
{
    const char *dot = v ? strchr(v, '.') : NULL;
    if (!dot)
        return 0;
    size_t n = (size_t)(dot - v) + 1;
    while (v[n] >= '0' && v[n] <= '9')
        n++;
    return n;
}

/* A kernel module's vermagic release ("6.1.0" of "6.1.0-50-armmp") yields
 * to the release a kernel banner or configuration of the same X.Y names:
 * its paths join that component. */
static int merge_weak(struct collector *c)
{
    for (size_t i = 0; i < c->count; i++) {
        struct item *w = &c->items[i];
        size_t n = major_minor_len(w->version);
        if (!w->weak || !n)
            continue;
        for (size_t k = 0; k < c->count; k++) {
            struct item *s = &c->items[k];
            if (k == i || s->weak || strcmp(s->name, w->name) != 0 || !s->version ||
                major_minor_len(s->version) != n || strncmp(s->version, w->version, n) != 0)
                continue;
            for (size_t p = 0; p < w->paths.count; p++)
                if (str_list_add(&s->paths, w->paths.items[p]))
                    return IC_E_NOMEM;
            item_release(w);
            c->items[i] = c->items[--c->count];
            i--;
            break;
        }
    }
    return IC_OK;
}

/* Turns the collector into a list; releases the collector's items. */
static int finish_list(struct collector *c, struct ic_software_list **out)
{
    int err = c->error;
    if (!err)
        err = merge_weak(c);
    struct ic_software_list *list = calloc(1, sizeof(*list));
    if (!list || !(list->priv = calloc(1, sizeof(*list->priv))))
        err = IC_E_NOMEM;
    if (!err && c->count && !(list->items = calloc(c->count, sizeof(*list->items))))
        err = IC_E_NOMEM;
    for (size_t i = 0; !err && i < c->count; i++) {
        struct item *it = &c->items[i];
        struct ic_arena *a = &list->priv->arena;
        struct ic_software *sw = &list->items[list->count++];
        sw->name = arena_dup(a, it->name, &err);
        sw->version = arena_dup(a, it->version, &err);
        /* The evidence says where it was seen. */
        size_t en = strlen(it->evidence ? it->evidence : "") + strlen(it->evidence_path) + 8;
        char *evidence = ic_arena_alloc(a, en);
        if (!evidence) {
            err = IC_E_NOMEM;
            break;
        }
        snprintf(evidence, en, "%s in %s", it->evidence ? it->evidence : "", it->evidence_path);
        sw->evidence = evidence;
        sw->source = arena_dup(a, it->source, &err);
        sw->package_version = arena_dup(a, it->package_version, &err);
        sw->paths = arena_list(a, &it->paths, &err);
        if (it->has_features)
            sw->features = arena_list(a, &it->features, &err);
        if (it->def >= 0) {
            const struct ic_component_def *d = &ic_component_defs[it->def];
            sw->cpe_ids = d->cpe;
            sw->cpe_count = d->cpe_count;
        }
        const char **cpe = ic_arena_alloc(a, (sw->cpe_count + 1) * sizeof(*cpe));
        if (!cpe) {
            err = IC_E_NOMEM;
            break;
        }
        char cpe_version[IC_SIG_MAX_VERSION + 256], cpe_update[64];
        ic_cpe_split_version(it->def >= 0 ? sw->name : NULL, sw->version, cpe_version,
                             sizeof(cpe_version), cpe_update, sizeof(cpe_update));
        sw->cpe_version = arena_dup(a, cpe_version, &err);
        sw->cpe_update = arena_dup(a, cpe_update, &err);
        for (size_t k = 0; k < sw->cpe_count && !err; k++) {
            char buf[512];
            if (ic_cpe23_format(&sw->cpe_ids[k], cpe_version, cpe_update, buf, sizeof(buf)) ==
                IC_OK)
                cpe[k] = arena_dup(a, buf, &err);
            else
                cpe[k] = arena_dup(a, "", &err);
        }
        cpe[sw->cpe_count] = NULL;
        sw->cpe = cpe;
        if (it->purl) {
            sw->purl = arena_dup(a, it->purl, &err);
        } else {
            size_t n = 32 + 3 * (strlen(it->name) + (it->version ? strlen(it->version) : 0));
            char *purl = ic_arena_alloc(a, n);
            if (!purl) {
                err = IC_E_NOMEM;
                break;
            }
            /* Names and versions from signatures are [A-Za-z0-9._+-]: only
             * '+' needs encoding. */
            size_t k = (size_t)snprintf(purl, n, "pkg:generic/");
            for (const char *s = it->name; *s && k + 4 < n; s++)
                k += (size_t)(*s == '+' ? snprintf(purl + k, n - k, "%%2B")
                                        : snprintf(purl + k, n - k, "%c", *s));
            if (it->version) {
                purl[k++] = '@';
                for (const char *s = it->version; *s && k + 4 < n; s++)
                    k += (size_t)(*s == '+' ? snprintf(purl + k, n - k, "%%2B")
                                            : snprintf(purl + k, n - k, "%c", *s));
            }
            purl[k] = '\0';
            sw->purl = purl;
        }
    }
    for (size_t i = 0; i < c->count; i++)
        item_release(&c->items[i]);
    free(c->items);
    c->items = NULL;
    c->count = c->cap = 0;
    if (err) {
        ic_software_list_free(list);
        return err;
    }
    if (list->count > 1)
        qsort(list->items, list->count, sizeof(*list->items), cmp_software);
    *out = list;
    return IC_OK;
}

/* ---- one blob ----------------------------------------------------------------- */

struct kconfig_ctx {
    struct str_list options;
    int error;
};

static int add_option(void *ctx, const char *name, size_t len)
{
    struct kconfig_ctx *k = ctx;
    if (k->options.count >= IC_FEATURES_MAX)
        return 1;
    char buf[1100];
    if (len >= sizeof(buf))
        return 0;
    memcpy(buf, name, len);
    buf[len] = '\0';
    if (k->options.count + 1 >= k->options.cap) {
        size_t cap = k->options.cap ? k->options.cap * 2 : 256;
        char **items = realloc(k->options.items, cap * sizeof(*items));
        if (!items)
            return (k->error = IC_E_NOMEM);
        k->options.items = items;
        k->options.cap = cap;
    }
    if (!(k->options.items[k->options.count] = strdup(buf)))
        return (k->error = IC_E_NOMEM);
    k->options.count++;
    k->options.items[k->options.count] = NULL;
    return 0;
}

/* A kernel .config file: the options go to the linux component. */
static int scan_kconfig_text(const uint8_t *data, size_t len, const char *path, ic_sw_hit_fn fn,
                             void *ctx)
{
    char version[64];
    if (!ic_kconfig_is_text(data, len, version, sizeof(version)))
        return IC_OK;
    struct kconfig_ctx k = {0};
    ic_kconfig_text(data, len, add_option, &k);
    int rc = k.error;
    if (!rc && k.options.count) {
        char evidence[160];
        snprintf(evidence, sizeof(evidence), "kernel configuration with %zu options set",
                 k.options.count);
        int linux_def = -1;
        for (size_t c = 0; c < ic_component_def_count; c++)
            if (strcmp(ic_component_defs[c].name, "linux") == 0)
                linux_def = (int)c;
        struct ic_sw_hit hit = {
            .def = linux_def,
            .name = "linux",
            .version = version[0] ? version : NULL,
            .path = path,
            .evidence = evidence,
            .source = "signature",
            .features = (const char *const *)k.options.items,
            .feature_count = k.options.count,
        };
        rc = fn(ctx, &hit);
    }
    str_list_release(&k.options);
    return rc;
}

/* A version found in a file's name ("libuClibc-0.9.30.1.so"): passed on
 * with the name as evidence; a name without a version says nothing. */
struct name_hits {
    ic_sw_hit_fn fn;
    void *ctx;
    const char *name;
};

static int from_name(void *ctx, const struct ic_sw_hit *hit)
{
    struct name_hits *n = ctx;
    if (!hit->version)
        return 0;
    char evidence[320];
    snprintf(evidence, sizeof(evidence), "file name \"%s\"", n->name);
    struct ic_sw_hit copy = *hit;
    copy.evidence = evidence;
    return n->fn(n->ctx, &copy);
}

static int identify_blob(struct ic_sig_scanner *s, const uint8_t *data, size_t len,
                         uint64_t base, const char *path, ic_sw_hit_fn fn, void *ctx)
{
    int kind = ic_pkgdb_kind_of(path);
    if (kind >= 0)
        return ic_pkgdb_report(data, len, (enum ic_pkgdb_kind)kind, path, fn, ctx);
    int rc = ic_sig_scan(s, data, len, base, path, fn, ctx);
    if (!rc)
        rc = scan_kconfig_text(data, len, path, fn, ctx);
    const char *slash = path ? strrchr(path, '/') : NULL;
    if (!rc && slash && slash[1]) {
        struct name_hits n = {fn, ctx, slash + 1};
        rc = ic_sig_scan(s, (const uint8_t *)n.name, strlen(n.name), 0, path, from_name, &n);
    }
    return rc;
}

int ic_components_identify_bytes(const void *data, size_t len, const char *path,
                                 struct ic_software_list **out)
{
    if (!out || (!data && len))
        return IC_E_INVALID_ARG;
    *out = NULL;
    struct ic_sig_scanner *s = ic_sig_scanner_new();
    if (!s)
        return ic_sig_init() ? IC_E_INTERNAL : IC_E_NOMEM;
    struct collector c = {.lock = PTHREAD_MUTEX_INITIALIZER};
    int rc = identify_blob(s, data, len, 0, path ? path : "layer:0", collect, &c);
    ic_sig_scanner_free(s);
    if (rc && !c.error)
        c.error = rc;
    rc = finish_list(&c, out);
    pthread_mutex_destroy(&c.lock);
    return rc;
}

/* ---- over an unpack -------------------------------------------------------------- */

struct job {
    struct ic_blob *blob;
    const char *path; /* borrowed from the unpack, or from names */
    uint64_t start, end; /* the stretch of the blob to read */
};

struct run {
    struct job *jobs;
    size_t count, cap;
    struct ic_arena names;
    struct collector collector;
    pthread_mutex_t scanners_lock;
    struct ic_sig_scanner **scanners; /* idle scanners, one per thread at most */
    size_t idle;
    int error;
};

static int add_job(struct run *r, struct ic_blob *blob, const char *path, uint64_t start,
                   uint64_t end)
{
    if (end <= start)
        return IC_OK;
    if (r->count == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 256;
        struct job *jobs = realloc(r->jobs, cap * sizeof(*jobs));
        if (!jobs)
            return IC_E_NOMEM;
        r->jobs = jobs;
        r->cap = cap;
    }
    r->jobs[r->count++] = (struct job){blob, path, start, end};
    return IC_OK;
}

/* Documentation quotes old versions of everything it mentions. */
static int is_documentation(const char *path)
{
    static const char *const dirs[] = {"/usr/share/doc/", "/usr/share/man/", "/usr/share/info/",
                                       "/usr/share/lintian/", NULL};
    for (size_t i = 0; dirs[i]; i++)
        if (strncmp(path, dirs[i], strlen(dirs[i])) == 0)
            return 1;
    return 0;
}

struct range {
    uint64_t from, to;
};

static int cmp_range(const void *a, const void *b)
{
    const struct range *x = a, *y = b;
    return (x->from > y->from) - (x->from < y->from);
}

/* The stretches of a raw layer its children do not cover. */
static int add_raw_layer(struct run *r, const struct ic_unpack *u, size_t index)
{
    const struct ic_layer *l = &u->layers[index];
    uint64_t size = ic_blob_size(l->content);
    size_t n = 0;
    for (size_t i = 0; i < u->layer_count; i++)
        n += u->layers[i].parent == (int)index;
    struct range *covered = n ? calloc(n, sizeof(*covered)) : NULL;
    if (n && !covered)
        return IC_E_NOMEM;
    size_t k = 0;
    for (size_t i = 0; i < u->layer_count; i++)
        if (u->layers[i].parent == (int)index)
            covered[k++] = (struct range){u->layers[i].offset,
                                          u->layers[i].offset + u->layers[i].size};
    if (k > 1)
        qsort(covered, k, sizeof(*covered), cmp_range);
    const char *path = l->path;
    if (!path) {
        char name[96];
        snprintf(name, sizeof(name), "layer:%s", l->id);
        path = ic_arena_strdup(&r->names, name);
        if (!path) {
            free(covered);
            return IC_E_NOMEM;
        }
    }
    uint64_t pos = 0;
    int rc = IC_OK;
    for (size_t i = 0; i < k && !rc; i++) {
        if (covered[i].from > pos)
            rc = add_job(r, l->content, path, pos, covered[i].from < size ? covered[i].from : size);
        if (covered[i].to > pos)
            pos = covered[i].to;
    }
    if (!rc && pos < size)
        rc = add_job(r, l->content, path, pos, size);
    free(covered);
    return rc;
}

static struct ic_sig_scanner *take_scanner(struct run *r)
{
    pthread_mutex_lock(&r->scanners_lock);
    struct ic_sig_scanner *s = r->idle ? r->scanners[--r->idle] : NULL;
    pthread_mutex_unlock(&r->scanners_lock);
    return s ? s : ic_sig_scanner_new();
}

static void give_scanner(struct run *r, struct ic_sig_scanner *s, size_t max)
{
    pthread_mutex_lock(&r->scanners_lock);
    if (r->idle < max)
        r->scanners[r->idle++] = s;
    else
        ic_sig_scanner_free(s);
    pthread_mutex_unlock(&r->scanners_lock);
}

struct pool_arg {
    struct run *run;
    size_t max_scanners;
};

static void run_job(void *arg, size_t index)
{
    struct pool_arg *pa = arg;
    struct run *r = pa->run;
    const struct job *j = &r->jobs[index];
    int err = IC_OK;
    const uint8_t *data = ic_blob_data(j->blob, &err);
    if (!data)
        return; /* unreadable content: the unpack already has a diagnostic */
    struct ic_sig_scanner *s = take_scanner(r);
    if (!s) {
        pthread_mutex_lock(&r->scanners_lock);
        r->error = IC_E_NOMEM;
        pthread_mutex_unlock(&r->scanners_lock);
        return;
    }
    identify_blob(s, data + j->start, (size_t)(j->end - j->start), j->start, j->path, collect,
                  &r->collector);
    give_scanner(r, s, pa->max_scanners);
}

int ic_components_identify(const struct ic_unpack *u, const struct ic_limits *limits,
                           struct ic_software_list **out)
{
    if (!u || !out)
        return IC_E_INVALID_ARG;
    *out = NULL;
    int rc = ic_sig_init();
    if (rc)
        return rc;
    struct ic_limits defaults;
    if (!limits) {
        ic_limits_default(&defaults);
        limits = &defaults;
    }
    struct run r = {.collector = {.lock = PTHREAD_MUTEX_INITIALIZER},
                    .scanners_lock = PTHREAD_MUTEX_INITIALIZER};
    for (size_t i = 0; i < u->layer_count && !rc; i++) {
        const struct ic_layer *l = &u->layers[i];
        if (l->fs) {
            for (size_t k = 0; k < ic_fs_count(l->fs) && !rc; k++) {
                const struct ic_entry *e = ic_fs_entry(l->fs, k);
                if ((e->type != IC_FT_FILE && e->type != IC_FT_HARDLINK) || !e->content ||
                    is_documentation(e->path))
                    continue;
                uint64_t size = ic_blob_size(e->content);
                if (size > limits->max_file_size)
                    continue;
                rc = add_job(&r, e->content, e->path, 0, size);
            }
        } else if (l->content && !(l->path && is_documentation(l->path))) {
            rc = add_raw_layer(&r, u, i);
        }
    }
    unsigned threads = ic_limits_threads(limits);
    if (!rc && !(r.scanners = calloc(threads + 1, sizeof(*r.scanners))))
        rc = IC_E_NOMEM;
    if (!rc) {
        struct ic_pool *pool = threads > 1 && r.count > 1 ? ic_pool_new(threads) : NULL;
        struct pool_arg pa = {&r, threads + 1};
        if (pool) {
            ic_pool_for(pool, r.count, run_job, &pa);
            ic_pool_free(pool);
        } else {
            for (size_t i = 0; i < r.count; i++)
                run_job(&pa, i);
        }
        rc = r.error;
    }
    for (size_t i = 0; i < r.idle; i++)
        ic_sig_scanner_free(r.scanners[i]);
    free(r.scanners);
    if (rc && !r.collector.error)
        r.collector.error = rc;
    rc = finish_list(&r.collector, out);
    free(r.jobs);
    ic_arena_release(&r.names);
    pthread_mutex_destroy(&r.collector.lock);
    pthread_mutex_destroy(&r.scanners_lock);
    return rc;
}

/* ---- into the report --------------------------------------------------------------- */

int ic_components_add_to_report(const struct ic_software_list *list, struct ic_report *report)
{
    if (!list || !report)
        return IC_E_INVALID_ARG;
    for (size_t i = 0; i < list->count; i++) {
        const struct ic_software *sw = &list->items[i];
        struct ic_component c = {
            .name = sw->name,
            .version = sw->version,
            .cpe = sw->cpe_count ? sw->cpe : NULL,
            .purl = sw->purl,
            .paths = sw->paths,
            .evidence = sw->evidence,
            .features = sw->features,
        };
        int rc = ic_report_add_component(report, &c);
        if (rc)
            return rc;
    }
    return IC_OK;
}

int ic_components_report(const struct ic_unpack *u, const struct ic_limits *limits,
                         struct ic_report *report)
{
    struct ic_software_list *list = NULL;
    int rc = ic_components_identify(u, limits, &list);
    if (!rc)
        rc = ic_components_add_to_report(list, report);
    if (rc) {
        char msg[160];
        snprintf(msg, sizeof(msg), "component identification stopped: %s", ic_error_message(rc));
        ic_report_add_diagnostic(report, rc, 1, NULL, msg);
    }
    ic_software_list_free(list);
    return rc;
}

/* ---- the known components ------------------------------------------------------------ */

const char *ic_component_known_name(size_t index)
{
    return index < ic_component_def_count ? ic_component_defs[index].name : NULL;
}

const struct ic_cpe_id *ic_component_known_cpe(const char *name, size_t *n)
{
    for (size_t i = 0; name && i < ic_component_def_count; i++) {
        if (strcmp(ic_component_defs[i].name, name) == 0) {
            if (n)
                *n = ic_component_defs[i].cpe_count;
            return ic_component_defs[i].cpe;
        }
    }
    if (n)
        *n = 0;
    return NULL;
}
