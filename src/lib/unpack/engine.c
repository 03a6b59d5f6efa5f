/* The unpack engine: finds formats in each layer's content with one
 * multi-pattern scan, lets each format validate and unpack itself, and
 * recurses into what it yields, within the limits. */
#include "core/array.h"
#include "core/arena.h"
#include "core/pool.h"
#include "iotcop/progress.h"
#include "unpack/registry.h"

#include <hs/hs.h>
#include <math.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* How much of a file inside a file tree is searched for a format at its start. */
#define FILE_HEAD_SCAN 65536
/* Unclaimed stretches shorter than this, or all padding, are not reported. */
#define MIN_REGION 64

/* ---- the signature database (built once per process) -------------------- */

struct magic_ref {
    unsigned format; /* index into ic_formats */
    uint32_t len;
    uint32_t at;
};

static hs_database_t *signature_db;
static struct magic_ref *magic_refs;
static const struct ic_magic **magic_bytes; /* the magic of each magic_refs entry */
static size_t magic_ref_count;
static int signature_db_error;
static pthread_once_t signature_once = PTHREAD_ONCE_INIT;

static void build_signature_db(void)
{
    size_t n = 0;
    for (size_t f = 0; f < ic_format_count; f++)
        n += ic_formats[f]->magic_count;
    if (n == 0) {
        signature_db_error = IC_E_INTERNAL;
        return;
    }
    size_t k = 0;
    const char **exprs = calloc(n, sizeof(*exprs));
    unsigned *ids = calloc(n, sizeof(*ids));
    unsigned *flags = calloc(n, sizeof(*flags));
    magic_refs = calloc(n, sizeof(*magic_refs));
    magic_bytes = calloc(n, sizeof(*magic_bytes));
    if (!exprs || !ids || !flags || !magic_refs || !magic_bytes) {
        signature_db_error = IC_E_NOMEM;
        goto out;
    }
    for (size_t f = 0; f < ic_format_count; f++) {
        for (size_t m = 0; m < ic_formats[f]->magic_count; m++) {
            const struct ic_magic *mg = &ic_formats[f]->magics[m];
            /* Each magic as a pattern of escaped bytes ("\\x00\\x00UBI..."):
             * Vectorscan's literal API cannot take a leading NUL. */
            char *pattern = malloc((size_t)mg->len * 4 + 1);
            if (!pattern) {
                signature_db_error = IC_E_NOMEM;
                goto out;
            }
            for (uint32_t b = 0; b < mg->len; b++)
                snprintf(pattern + b * 4, 5, "\\x%02x", (unsigned char)mg->bytes[b]);
            exprs[k] = pattern;
            ids[k] = (unsigned)k;
            magic_refs[k] = (struct magic_ref){(unsigned)f, mg->len, mg->at};
            magic_bytes[k] = mg;
            k++;
        }
    }
    hs_compile_error_t *err = NULL;
    if (hs_compile_multi(exprs, flags, ids, (unsigned)k, HS_MODE_BLOCK, NULL, &signature_db,
                         &err) != HS_SUCCESS) {
        hs_free_compile_error(err);
        signature_db_error = IC_E_INTERNAL;
    }
    magic_ref_count = k;
out:
    for (size_t i = 0; exprs && i < k; i++)
        free((char *)exprs[i]);
    free(exprs);
    free(ids);
    free(flags);
}

/* ---- engine state ---------------------------------------------------------- */

struct pending_child {
    uint64_t offset;
    uint64_t size;
    const char *hint;
    const char *name;
};

struct pending_diag {
    enum ic_diag_level level;
    int code;
    int64_t offset;
    const char *message;
};

struct engine {
    const struct ic_limits *limits;
    struct ic_unpack *u;
    struct ic_arena strings;
    size_t layer_cap, diag_cap, region_cap;
    unsigned *child_counts; /* per layer: children numbered so far */
    hs_scratch_t *scratch;
    struct timespec deadline;
    int stopped; /* a whole-input limit was hit: unpack no further */
    int time_reported;
    /* Sibling parts are tried on these threads (NULL: one thread). Formats
     * running there reach the shared state above only under the lock. */
    struct ic_pool *pool;
    pthread_mutex_t lock;       /* recursive */
    uint64_t speculative_bytes; /* charged by attempts not yet taken by the serial pass */
    /* Hits tried ahead wait on this for a start signal (see speculate_run). */
    pthread_mutex_t spec_lock;
    pthread_cond_t spec_cond; /* CLOCK_MONOTONIC */
};

/* Everything one candidate produces before it is accepted or refused. */
struct ic_engine_private {
    struct engine *eng;
    uint64_t extent;
    int extent_set;
    struct ic_blob *content;
    struct ic_fs *fs;
    const char *info;
    uint64_t charged;
    struct pending_child *children;
    size_t child_count, child_cap;
    struct pending_diag *diags;
    size_t diag_count, diag_cap;
    /* Attempts made ahead of the serial pass charge speculative_bytes and
     * never report a limit: reaching one marks them to be redone serially. */
    int speculative;
    int limit_refused;
    const atomic_int *cancel; /* set: the result will not be used, stop early */
};

static void add_diag(struct engine *eng, enum ic_diag_level level, int code, const char *layer,
                     int64_t offset, const char *message)
{
    struct ic_unpack *u = eng->u;
    pthread_mutex_lock(&eng->lock);
    const char *msg = NULL;
    if (!ic_array_grow((void **)&u->diags, &eng->diag_cap, u->diag_count, sizeof(*u->diags)))
        msg = ic_arena_strdup(&eng->strings, message);
    if (msg)
        u->diags[u->diag_count++] = (struct ic_diag){level, code, layer, offset, msg};
    pthread_mutex_unlock(&eng->lock);
}

static void add_diagf(struct engine *eng, enum ic_diag_level level, int code, const char *layer,
                      int64_t offset, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static void add_diagf(struct engine *eng, enum ic_diag_level level, int code, const char *layer,
                      int64_t offset, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    add_diag(eng, level, code, layer, offset, msg);
}

static void hit_limit(struct engine *eng, const char *limit, int code, const char *layer)
{
    pthread_mutex_lock(&eng->lock);
    if (!eng->u->limit_hit)
        eng->u->limit_hit = limit;
    add_diagf(eng, IC_DIAG_ERROR, code, layer, -1, "%s (limit '%s')", ic_error_message(code),
              limit);
    pthread_mutex_unlock(&eng->lock);
}

static int expired(struct engine *eng)
{
    pthread_mutex_lock(&eng->lock);
    int stop = eng->stopped;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (!stop && (now.tv_sec > eng->deadline.tv_sec ||
                  (now.tv_sec == eng->deadline.tv_sec && now.tv_nsec >= eng->deadline.tv_nsec))) {
        if (!eng->time_reported) {
            eng->time_reported = 1;
            hit_limit(eng, "time", IC_E_LIMIT_TIME, "0");
        }
        eng->stopped = stop = 1;
    }
    pthread_mutex_unlock(&eng->lock);
    return stop;
}

/* The shared state formats change (strings, byte counts, limits) is reached
 * under the engine lock: sibling parts may be unpacked on two threads. */
static const char *shared_strdup(struct engine *eng, const char *s)
{
    pthread_mutex_lock(&eng->lock);
    const char *copy = ic_arena_strdup(&eng->strings, s);
    pthread_mutex_unlock(&eng->lock);
    return copy;
}

/* ---- the interface formats use ---------------------------------------------- */

void ic_extract_set_extent(struct ic_extract *x, uint64_t extent)
{
    x->engine->extent = extent;
    x->engine->extent_set = 1;
}

void ic_extract_set_info(struct ic_extract *x, const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    x->engine->info = shared_strdup(x->engine->eng, buf);
}

/* Whether `bytes` more on top of `total` stay within the whole-input limits. */
static int over_limit(const struct engine *eng, uint64_t total, uint64_t bytes)
{
    const struct ic_limits *l = eng->limits;
    if (bytes > l->max_total_bytes || total > l->max_total_bytes - bytes)
        return IC_E_LIMIT_BYTES;
    /* The ratio guards against bombs; small inputs may expand freely up to 64 MiB. */
    uint64_t ratio_cap = eng->u->input_size * l->max_ratio;
    if (ratio_cap < (64ULL << 20))
        ratio_cap = 64ULL << 20;
    if (total + bytes > ratio_cap)
        return IC_E_LIMIT_RATIO;
    return IC_OK;
}

static int charge_locked(struct ic_extract *x, uint64_t bytes)
{
    struct ic_engine_private *p = x->engine;
    struct engine *eng = p->eng;
    if (bytes > eng->limits->max_file_size)
        return IC_E_LIMIT_FILE_SIZE;
    /* Bytes held ahead count too (they are in memory), but only for attempts
     * made ahead: the serial pass sees exactly what it would on one thread. */
    uint64_t total = eng->u->bytes + (p->speculative ? eng->speculative_bytes : 0);
    int rc = over_limit(eng, total, bytes);
    if (rc && p->speculative) {
        p->limit_refused = 1;
        return rc;
    }
    if (rc) {
        hit_limit(eng, rc == IC_E_LIMIT_BYTES ? "total-bytes" : "ratio", rc, "0");
        eng->stopped = 1;
        return rc;
    }
    if (p->speculative)
        eng->speculative_bytes += bytes;
    else
        eng->u->bytes += bytes;
    p->charged += bytes;
    return IC_OK;
}

int ic_extract_charge(struct ic_extract *x, uint64_t bytes)
{
    struct engine *eng = x->engine->eng;
    pthread_mutex_lock(&eng->lock);
    int rc = charge_locked(x, bytes);
    pthread_mutex_unlock(&eng->lock);
    return rc;
}

int ic_extract_set_content(struct ic_extract *x, struct ic_blob *content)
{
    struct ic_engine_private *p = x->engine;
    ic_blob_unref(p->content);
    p->content = content;
    return IC_OK;
}

int ic_extract_output(struct ic_extract *x, struct ic_buf *out, const void *bytes, size_t n)
{
    if (n > out->max || out->len > out->max - n)
        return IC_E_LIMIT_FILE_SIZE;
    int rc = ic_extract_charge(x, n);
    if (rc)
        return rc;
    return ic_buf_append(out, bytes, n);
}

int ic_extract_content_from_buf(struct ic_extract *x, struct ic_buf *out)
{
    size_t len = 0;
    uint8_t *data = ic_buf_detach(out, &len);
    if (!data)
        return IC_E_NOMEM;
    struct ic_blob *blob = NULL;
    int rc = ic_blob_from_owned(data, len, &blob);
    if (rc) {
        free(data);
        return rc;
    }
    return ic_extract_set_content(x, blob);
}

int ic_extract_slice(struct ic_extract *x, uint64_t offset, uint64_t size, struct ic_blob **out)
{
    if (!ic_range_ok(offset, size, x->size))
        return IC_E_TRUNCATED;
    return ic_blob_slice(x->parent, x->parent_offset + offset, size, out);
}

struct ic_fs *ic_extract_fs(struct ic_extract *x)
{
    struct ic_engine_private *p = x->engine;
    if (!p->fs)
        p->fs = ic_fs_new(p->eng->limits->max_files);
    return p->fs;
}

int ic_extract_add_entry(struct ic_extract *x, const struct ic_entry *e)
{
    struct ic_fs *fs = ic_extract_fs(x);
    if (!fs)
        return IC_E_NOMEM;
    struct engine *eng = x->engine->eng;
    pthread_mutex_lock(&eng->lock);
    int full = eng->u->files + ic_fs_count(fs) >= eng->limits->max_files;
    if (full && x->engine->speculative) {
        x->engine->limit_refused = 1;
        pthread_mutex_unlock(&eng->lock);
        return IC_E_LIMIT_FILES;
    }
    if (full && !eng->u->limit_hit)
        eng->u->limit_hit = "files";
    pthread_mutex_unlock(&eng->lock);
    if (full) {
        ic_extract_diag(x, IC_DIAG_ERROR, IC_E_LIMIT_FILES, -1, "file count limit reached at %s",
                        e->path);
        return IC_E_LIMIT_FILES;
    }
    int rc = ic_fs_add(fs, e);
    if (rc == IC_E_UNSAFE_PATH) {
        ic_extract_diag(x, IC_DIAG_WARNING, rc, -1, "entry '%s' leaves its tree; not kept",
                        e->path);
        return IC_OK;
    }
    if (rc == IC_E_INVALID_ARG) {
        ic_extract_diag(x, IC_DIAG_WARNING, rc, -1, "entry path too long; not kept");
        return IC_OK;
    }
    return rc;
}

int ic_extract_child(struct ic_extract *x, uint64_t offset, uint64_t size, const char *hint_format,
                     const char *name)
{
    struct ic_engine_private *p = x->engine;
    if (ic_array_grow((void **)&p->children, &p->child_cap, p->child_count, sizeof(*p->children)))
        return IC_E_NOMEM;
    struct pending_child *c = &p->children[p->child_count++];
    c->offset = offset;
    c->size = size;
    c->hint = hint_format;
    c->name = name ? shared_strdup(p->eng, name) : NULL;
    return IC_OK;
}

void ic_extract_diag(struct ic_extract *x, enum ic_diag_level level, int code, int64_t offset,
                     const char *fmt, ...)
{
    struct ic_engine_private *p = x->engine;
    if (p->diag_count >= 1000) /* one broken image must not flood the report */
        return;
    if (ic_array_grow((void **)&p->diags, &p->diag_cap, p->diag_count, sizeof(*p->diags)))
        return;
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    const char *msg = shared_strdup(p->eng, buf);
    if (msg)
        p->diags[p->diag_count++] = (struct pending_diag){level, code, offset, msg};
}

int ic_extract_expired(struct ic_extract *x)
{
    if (x->engine->cancel && atomic_load(x->engine->cancel))
        return 1;
    return expired(x->engine->eng);
}

uint64_t ic_extract_max_file_size(struct ic_extract *x)
{
    return x->limits->max_file_size;
}

double ic_entropy(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0.0;
    /* Four histograms, so that runs of one byte value do not stall on one counter. */
    size_t counts[4][256];
    memset(counts, 0, sizeof(counts));
    size_t i = 0;
    for (; i + 4 <= size; i += 4) {
        counts[0][data[i]]++;
        counts[1][data[i + 1]]++;
        counts[2][data[i + 2]]++;
        counts[3][data[i + 3]]++;
    }
    for (; i < size; i++)
        counts[0][data[i]]++;
    double h = 0.0;
    for (int b = 0; b < 256; b++) {
        size_t c = counts[0][b] + counts[1][b] + counts[2][b] + counts[3][b];
        if (!c)
            continue;
        double p = (double)c / (double)size;
        h -= p * log2(p);
    }
    return h;
}

/* ---- layers ---------------------------------------------------------------- */

static int new_layer(struct engine *eng, int parent, const char *format, uint64_t offset,
                     uint64_t size)
{
    struct ic_unpack *u = eng->u;
    if (u->layer_count >= eng->limits->max_layers) {
        if (!eng->stopped)
            hit_limit(eng, "layers", IC_E_LIMIT_LAYERS, "0");
        eng->stopped = 1;
        return -1;
    }
    size_t cap = eng->layer_cap;
    if (ic_array_grow((void **)&u->layers, &eng->layer_cap, u->layer_count, sizeof(*u->layers)))
        return -1;
    if (cap != eng->layer_cap) {
        unsigned *cc = realloc(eng->child_counts, eng->layer_cap * sizeof(*cc));
        if (!cc)
            return -1;
        eng->child_counts = cc;
    }
    char id[256];
    if (parent < 0) {
        snprintf(id, sizeof(id), "0");
    } else {
        unsigned n = ++eng->child_counts[parent];
        int w = snprintf(id, sizeof(id), "%s.%u", u->layers[parent].id, n);
        if (w < 0 || (size_t)w >= sizeof(id))
            return -1;
    }
    int index = (int)u->layer_count;
    struct ic_layer *l = &u->layers[u->layer_count++];
    memset(l, 0, sizeof(*l));
    eng->child_counts[index] = 0;
    l->id = ic_arena_strdup(&eng->strings, id);
    l->parent = parent;
    l->format = format;
    l->offset = offset;
    l->size = size;
    l->depth = parent < 0 ? 0 : u->layers[parent].depth + 1;
    ic_progress_report(IC_PROGRESS_UNPACK, u->layer_count, 0, format);
    return l->id ? index : -1;
}

static int is_padding(const uint8_t *p, size_t n)
{
    uint8_t b = p[0];
    if (b != 0x00 && b != 0xff)
        return 0;
    for (size_t i = 1; i < n; i++)
        if (p[i] != b)
            return 0;
    return 1;
}

static void add_region(struct engine *eng, int layer, const uint8_t *data, uint64_t start,
                       uint64_t end)
{
    if (end <= start || end - start < MIN_REGION || is_padding(data + start, end - start))
        return;
    struct ic_unpack *u = eng->u;
    if (ic_array_grow((void **)&u->regions, &eng->region_cap, u->region_count, sizeof(*u->regions)))
        return;
    u->regions[u->region_count++] = (struct ic_region){u->layers[layer].id, start, end - start,
                                                       ic_entropy(data + start, end - start)};
}

/* ---- trying one format at one offset ----------------------------------------- */

static void process_layer(struct engine *eng, int index, struct pending_child *children,
                          size_t child_count, int derived);

static void pending_release(struct ic_engine_private *p)
{
    ic_blob_unref(p->content);
    ic_fs_free(p->fs);
    free(p->children);
    free(p->diags);
}

/* Gives back the bytes an attempt charged. */
static void uncharge(struct engine *eng, struct ic_engine_private *p)
{
    pthread_mutex_lock(&eng->lock);
    if (p->speculative)
        eng->speculative_bytes -= p->charged;
    else
        eng->u->bytes -= p->charged;
    p->charged = 0;
    pthread_mutex_unlock(&eng->lock);
}

/* An attempt made ahead of the serial pass, on another thread: for the first
 * format of a declared part, or for a strong signature hit further on in the
 * window being carved. The serial pass takes it when it comes to try the
 * same format at the same offset, so layers, ids, order and diagnostics are
 * the same as with one thread. */
struct attempt {
    const struct ic_format *fmt; /* NULL: nothing tried ahead */
    uint64_t offset;
    int accepted;
    int redo;          /* a limit stopped it: the serial pass tries again itself */
    atomic_int cancel; /* set when the serial pass will not take it */
    struct ic_engine_private p;
};

/* Lets fmt unpack data[off, window_end) into *p. 1 when it accepted the
 * bytes; 0 when it refused (p released, its bytes uncharged). Safe on any
 * thread: it changes nothing but *p and, under the lock, the shared state.
 * ahead is the attempt when it runs ahead of the serial pass, else NULL. */
static int attempt_format(struct engine *eng, const struct ic_format *fmt, struct ic_blob *blob,
                          const uint8_t *data, uint64_t off, uint64_t window_end,
                          struct attempt *ahead, struct ic_engine_private *p)
{
    *p = (struct ic_engine_private){
        .eng = eng, .speculative = ahead != NULL, .cancel = ahead ? &ahead->cancel : NULL};
    struct ic_extract x = {
        .data = data + off,
        .size = window_end - off,
        .parent = blob,
        .parent_offset = off,
        .limits = eng->limits,
        .engine = p,
    };
    int rc = fmt->unpack(&x);
    if (rc == IC_OK && p->extent_set && p->extent > 0 && p->extent <= x.size)
        return 1;
    uncharge(eng, p);
    pending_release(p);
    return 0;
}

/* Runs an attempt ahead of the serial pass (any thread). */
static void attempt_ahead_of_serial(struct engine *eng, struct attempt *a,
                                    const struct ic_format *fmt, struct ic_blob *blob,
                                    const uint8_t *data, uint64_t off, uint64_t window_end)
{
    a->accepted = attempt_format(eng, fmt, blob, data, off, window_end, a, &a->p);
    a->redo = a->p.limit_refused;
    a->offset = off;
    a->fmt = fmt;
}

/* Turns an accepted attempt into a layer and unpacks what it holds.
 * Returns the extent taken. */
static uint64_t commit_format(struct engine *eng, int parent, const struct ic_format *fmt,
                              struct ic_blob *blob, uint64_t off, struct ic_engine_private *pp,
                              const char *path, const char *name)
{
    struct ic_engine_private p = *pp;
    int index = new_layer(eng, parent, fmt->name, off, p.extent);
    if (index < 0) {
        pending_release(&p);
        return p.extent;
    }
    struct ic_layer *l = &eng->u->layers[index];
    l->info = p.info;
    l->path = path ? ic_arena_strdup(&eng->strings, path) : NULL;
    l->name = name;
    for (size_t i = 0; i < p.diag_count; i++)
        add_diag(eng, p.diags[i].level, p.diags[i].code, l->id, p.diags[i].offset,
                 p.diags[i].message);
    int derived = p.content != NULL;
    if (p.content) {
        l->content = p.content;
        p.content = NULL;
    } else if (ic_blob_slice(blob, off, p.extent, &l->content) != IC_OK) {
        l->content = NULL;
    }
    if (p.fs) {
        if (ic_fs_finish(p.fs) == IC_OK) {
            l->fs = p.fs;
            eng->u->files += ic_fs_count(p.fs);
        } else {
            ic_fs_free(p.fs);
        }
        p.fs = NULL;
    }
    uint64_t extent = p.extent;
    struct pending_child *children = p.children;
    size_t child_count = p.child_count;
    p.children = NULL;
    pending_release(&p);
    process_layer(eng, index, children, child_count, derived);
    free(children);
    return extent;
}

/* Returns the extent taken (0 when the format refused). */
static uint64_t try_format(struct engine *eng, int parent, const struct ic_format *fmt,
                           struct ic_blob *blob, const uint8_t *data, uint64_t off,
                           uint64_t window_end, const char *path, const char *name)
{
    struct ic_engine_private p;
    if (!attempt_format(eng, fmt, blob, data, off, window_end, NULL, &p))
        return 0;
    return commit_format(eng, parent, fmt, blob, off, &p, path, name);
}

/* Drops an attempt made ahead that the serial pass does not take. */
static void attempt_release(struct engine *eng, struct attempt *a)
{
    if (a->fmt && a->accepted) {
        uncharge(eng, &a->p);
        pending_release(&a->p);
    }
    a->fmt = NULL;
}

/* The serial pass settles an attempt made ahead for the format it is about
 * to try at the same offset: 1 with *p ready to commit, 0 when the format
 * refused. The attempt counted its bytes and files apart from the serial
 * pass; they are moved over when the serial pass, from where it stands now,
 * would have got them without reaching a limit. Otherwise (or when a limit
 * stopped the attempt) the serial pass tries again itself, so limits end
 * exactly as with one thread. */
static int settle_attempt(struct engine *eng, struct attempt *a, struct ic_blob *blob,
                          const uint8_t *data, uint64_t window_end, struct ic_engine_private *p)
{
    const struct ic_format *fmt = a->fmt;
    uint64_t off = a->offset;
    if (!a->accepted && !a->redo) {
        a->fmt = NULL;
        return 0;
    }
    if (a->accepted && !a->redo) {
        struct ic_engine_private *ap = &a->p;
        pthread_mutex_lock(&eng->lock);
        uint64_t files = ap->fs ? ic_fs_count(ap->fs) : 0;
        int fits = over_limit(eng, eng->u->bytes, ap->charged) == IC_OK &&
                   eng->u->files + files <= eng->limits->max_files;
        if (fits) {
            eng->speculative_bytes -= ap->charged;
            eng->u->bytes += ap->charged;
            ap->speculative = 0;
        }
        pthread_mutex_unlock(&eng->lock);
        if (fits) {
            *p = *ap;
            a->fmt = NULL;
            return 1;
        }
    }
    attempt_release(eng, a);
    return attempt_format(eng, fmt, blob, data, off, window_end, NULL, p);
}

static uint64_t take_attempt(struct engine *eng, int parent, struct attempt *a,
                             struct ic_blob *blob, const uint8_t *data, uint64_t window_end,
                             const char *path, const char *name)
{
    const struct ic_format *fmt = a->fmt;
    uint64_t off = a->offset;
    struct ic_engine_private p;
    if (!settle_attempt(eng, a, blob, data, window_end, &p))
        return 0;
    return commit_format(eng, parent, fmt, blob, off, &p, path, name);
}

/* try_format, or the attempt made ahead when it is for fmt at off. */
static uint64_t take_format(struct engine *eng, int parent, const struct ic_format *fmt,
                            struct ic_blob *blob, const uint8_t *data, uint64_t off,
                            uint64_t window_end, const char *name, struct attempt *ahead)
{
    if (ahead && ahead->fmt == fmt && ahead->offset == off)
        return take_attempt(eng, parent, ahead, blob, data, window_end, NULL, name);
    return try_format(eng, parent, fmt, blob, data, off, window_end, NULL, name);
}

/* ---- scanning a window of content ----------------------------------------- */

/* The window is scanned piece by piece as the serial pass moves on, so the
 * bytes a format claimed are never scanned; with threads, up to
 * SPECULATE_AHEAD bytes past the serial pass are scanned for strong hits to
 * try ahead. A magic sits less than SCAN_OVERLAP bytes after its format's
 * first byte, so pieces overlap by that much. */
#define SCAN_PIECE (4u << 20)
#define SCAN_OVERLAP 65536u
#define SPECULATE_AHEAD (8u << 20)
/* Magics this long are rare enough in random bytes to be worth trying ahead. */
#define STRONG_MAGIC 4

struct candidate {
    uint64_t offset;
    unsigned format;
    unsigned strong;
};

/* Candidates found so far in content[start, end): every hit starting before
 * `covered`, in offset order. */
struct scan_state {
    struct candidate *items;
    size_t count, cap;
    uint64_t base; /* where the bytes being scanned start in the content */
    uint64_t keep_below;
    uint64_t covered, end;
    uint64_t max;
    int overflow;
};

static int on_match(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
                    void *ctx)
{
    struct scan_state *s = ctx;
    const struct magic_ref *m = &magic_refs[id];
    (void)from;
    (void)flags;
    if (to < (unsigned long long)m->len + m->at)
        return 0;
    uint64_t start = s->base + to - m->len - m->at;
    if (start >= s->keep_below)
        return 0; /* the next piece finds it again */
    if (s->count >= s->max) {
        s->overflow = 1;
        return 1; /* stop scanning */
    }
    if (ic_array_grow((void **)&s->items, &s->cap, s->count, sizeof(*s->items)))
        return 1;
    s->items[s->count++] = (struct candidate){start, m->format, m->len >= STRONG_MAGIC};
    return 0;
}

static int candidate_cmp(const void *a, const void *b)
{
    const struct candidate *x = a, *y = b;
    if (x->offset != y->offset)
        return x->offset < y->offset ? -1 : 1;
    if (x->format != y->format)
        return (x->format > y->format) - (x->format < y->format);
    return (x->strong > y->strong) - (x->strong < y->strong);
}

static void scan_init(struct scan_state *s, const struct ic_limits *limits, uint64_t start,
                      uint64_t end)
{
    memset(s, 0, sizeof(*s));
    s->covered = start;
    s->end = end;
    s->max = limits->max_carve_candidates;
}

/* Scans the next piece, from `from` (>= covered: bytes before it are not
 * wanted). Afterwards every hit before s->covered is in s->items. */
static int scan_piece(hs_scratch_t *scratch, const uint8_t *data, uint64_t from,
                      struct scan_state *s)
{
    if (from < s->covered)
        from = s->covered;
    if (from >= s->end || s->overflow) {
        s->covered = s->end;
        return IC_OK;
    }
    uint64_t piece_end = s->end - from > SCAN_PIECE ? from + SCAN_PIECE : s->end;
    s->base = from;
    s->keep_below = piece_end == s->end ? s->end : piece_end - SCAN_OVERLAP;
    size_t before = s->count;
    hs_error_t rc = hs_scan(signature_db, (const char *)data + from, (unsigned)(piece_end - from),
                            0, scratch, on_match, s);
    if (rc != HS_SUCCESS && rc != HS_SCAN_TERMINATED)
        return IC_E_INTERNAL;
    s->covered = s->overflow ? s->end : s->keep_below;
    if (s->count - before > 1)
        qsort(s->items + before, s->count - before, sizeof(*s->items), candidate_cmp);
    return IC_OK;
}

/* The formats whose magic sits where it should for a format starting at
 * data[0], in the order a scan gives. A direct comparison per magic: far
 * cheaper than scanning the first FILE_HEAD_SCAN bytes of every file. */
static int formats_at_start(const uint8_t *data, uint64_t size, struct scan_state *s)
{
    memset(s, 0, sizeof(*s));
    for (size_t k = 0; k < magic_ref_count; k++) {
        const struct magic_ref *m = &magic_refs[k];
        if ((uint64_t)m->at + m->len > size || memcmp(data + m->at, magic_bytes[k]->bytes, m->len))
            continue;
        if (ic_array_grow((void **)&s->items, &s->cap, s->count, sizeof(*s->items)))
            return IC_E_NOMEM;
        s->items[s->count++] = (struct candidate){0, m->format, m->len >= STRONG_MAGIC};
    }
    if (s->count > 1)
        qsort(s->items, s->count, sizeof(*s->items), candidate_cmp);
    return IC_OK;
}

/* Strong hits tried ahead of the serial pass while it works on earlier ones
 * (a raw-LZMA kernel decoded here, the SquashFS after it on another thread). */
struct speculation {
    struct attempt a;
    int go; /* the serial pass wants it now (under spec_lock) */
    struct ic_pool_task task;
    size_t item; /* index into the scan's candidates */
    struct engine *eng;
    struct ic_blob *blob;
    const uint8_t *data;
    uint64_t end;
};

struct speculations {
    struct speculation *slots; /* a ring, in candidate order */
    size_t cap, head, count;
    size_t next_item; /* the next candidate to consider */
};

/* Most attempts of the serial pass end at once (a header checked, parts
 * declared), and then it knows whether a hit further on lies inside what it
 * took: a uImage's SquashFS is unpacked as its part, never ahead as a hit.
 * A hit is tried ahead only beside an attempt still running after this. */
#define SPECULATE_DELAY_MS 30

static void speculation_signal(struct engine *eng, struct speculation *slot, int go)
{
    pthread_mutex_lock(&eng->spec_lock);
    if (go)
        slot->go = 1;
    else
        atomic_store(&slot->a.cancel, 1);
    pthread_cond_broadcast(&eng->spec_cond);
    pthread_mutex_unlock(&eng->spec_lock);
}

static void speculate_run(void *arg, size_t index)
{
    struct speculation *sp = arg;
    struct engine *eng = sp->eng;
    (void)index;
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_nsec += SPECULATE_DELAY_MS * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&eng->spec_lock);
    while (!sp->go && !atomic_load(&sp->a.cancel) &&
           pthread_cond_timedwait(&eng->spec_cond, &eng->spec_lock, &until) == 0)
        ;
    pthread_mutex_unlock(&eng->spec_lock);
    if (atomic_load(&sp->a.cancel))
        return;
    attempt_ahead_of_serial(eng, &sp->a, sp->a.fmt, sp->blob, sp->data, sp->a.offset, sp->end);
}

static int format_in_flight(const struct speculations *sp, unsigned format)
{
    for (size_t k = 0; k < sp->count; k++)
        if (sp->slots[(sp->head + k) % sp->cap].a.fmt == ic_formats[format])
            return 1;
    return 0;
}

/* Starts attempts for strong hits after candidate `current`, one per format
 * at a time (a UBI image has a hit per erase block: only the first is worth
 * it), at most sp->cap at once. */
static void speculate(struct engine *eng, struct speculations *sp, struct scan_state *s,
                      size_t current, uint64_t pos, struct ic_blob *blob, const uint8_t *data,
                      const struct attempt *ahead)
{
    if (sp->next_item <= current)
        sp->next_item = current + 1;
    while (sp->count < sp->cap && !eng->stopped) {
        if (sp->next_item >= s->count) {
            if (s->covered >= s->end || s->covered >= pos + SPECULATE_AHEAD ||
                scan_piece(eng->scratch, data, pos, s) != IC_OK || sp->next_item >= s->count)
                return;
            continue;
        }
        size_t item = sp->next_item++;
        const struct candidate *c = &s->items[item];
        const struct ic_format *fmt = ic_formats[c->format];
        if (!c->strong || c->offset < pos || (fmt->flags & IC_FORMAT_HINT_ONLY) ||
            c->format == s->items[current].format || format_in_flight(sp, c->format) ||
            (item > 0 && s->items[item - 1].offset == c->offset &&
             s->items[item - 1].format == c->format) ||
            (ahead && ahead->fmt == fmt && ahead->offset == c->offset))
            continue;
        struct speculation *slot = &sp->slots[(sp->head + sp->count) % sp->cap];
        memset(slot, 0, sizeof(*slot));
        atomic_init(&slot->a.cancel, 0);
        slot->a.fmt = fmt;
        slot->a.offset = c->offset;
        slot->item = item;
        slot->eng = eng;
        slot->blob = blob;
        slot->data = data;
        slot->end = s->end;
        sp->count++;
        ic_pool_submit(eng->pool, &slot->task, speculate_run, slot, 0);
    }
}

/* The attempt made ahead for candidate `item`, once done, or NULL. */
static struct attempt *speculation_for(struct engine *eng, struct speculations *sp, size_t item)
{
    if (!sp->count || sp->slots[sp->head].item != item)
        return NULL;
    struct speculation *slot = &sp->slots[sp->head];
    speculation_signal(eng, slot, 1);
    ic_pool_wait(eng->pool, &slot->task);
    return &slot->a;
}

/* Tells attempts made ahead below `end` that they will not be wanted. */
static void speculations_cancel_below(struct engine *eng, struct speculations *sp, uint64_t end)
{
    for (size_t k = 0; k < sp->count; k++) {
        struct speculation *slot = &sp->slots[(sp->head + k) % sp->cap];
        if (slot->a.offset < end)
            speculation_signal(eng, slot, 0);
    }
}

/* Drops the oldest attempt made ahead (cancelled when not wanted). */
static void speculation_pop(struct engine *eng, struct speculations *sp, int wanted)
{
    struct speculation *slot = &sp->slots[sp->head];
    if (!wanted) {
        speculation_signal(eng, slot, 0);
        ic_pool_withdraw(eng->pool, &slot->task);
    }
    attempt_release(eng, &slot->a);
    sp->head = (sp->head + 1) % sp->cap;
    sp->count--;
}

/* Finds and unpacks formats in content[start, end) of layer `index`. */
static void carve_window(struct engine *eng, int index, struct ic_blob *blob, const uint8_t *data,
                         uint64_t start, uint64_t end, const char *hint, const char *name,
                         struct attempt *ahead)
{
    uint64_t pos = start;
    if (hint) {
        const struct ic_format *fmt = ic_format_find(hint);
        if (fmt) {
            uint64_t taken = take_format(eng, index, fmt, blob, data, start, end, name, ahead);
            pos += taken;
            if (taken)
                name = NULL;
        }
    }
    if (pos >= end || eng->stopped)
        return;
    uint64_t scan_start = pos;
    struct scan_state s;
    scan_init(&s, eng->limits, pos, end);
    struct speculation slots[16];
    struct speculations sp = {.slots = slots};
    if (eng->pool) {
        sp.cap = 2 * (size_t)ic_pool_threads(eng->pool);
        if (sp.cap > sizeof(slots) / sizeof(slots[0]))
            sp.cap = sizeof(slots) / sizeof(slots[0]);
    }
    uint64_t gap_start = pos;
    int overflow_reported = 0;
    for (size_t i = 0; !eng->stopped; i++) {
        while (i >= s.count && s.covered < end) {
            if (scan_piece(eng->scratch, data, pos, &s) != IC_OK) {
                add_diag(eng, IC_DIAG_ERROR, IC_E_INTERNAL, eng->u->layers[index].id,
                         (int64_t)s.covered, "signature scan failed");
                s.covered = end;
            }
        }
        if (s.overflow && !overflow_reported) {
            overflow_reported = 1;
            add_diagf(eng, IC_DIAG_WARNING, IC_E_LIMIT_LAYERS, eng->u->layers[index].id,
                      (int64_t)scan_start,
                      "more than %llu signature hits; the rest was not examined",
                      (unsigned long long)s.max);
        }
        if (i >= s.count)
            break;
        const struct candidate *c = &s.items[i];
        const struct ic_format *fmt = ic_formats[c->format];
        uint64_t offset = c->offset;
        if (sp.cap)
            speculate(eng, &sp, &s, i, pos, blob, data, ahead);
        struct attempt *a = sp.count && sp.slots[sp.head].item == i ? &sp.slots[sp.head].a : NULL;
        if (offset < pos || (fmt->flags & IC_FORMAT_HINT_ONLY)) {
            if (a)
                speculation_pop(eng, &sp, 0);
            continue;
        }
        if (expired(eng))
            break;
        struct ic_engine_private p;
        int accepted;
        if (a) {
            accepted = settle_attempt(eng, speculation_for(eng, &sp, i), blob, data, end, &p);
            speculation_pop(eng, &sp, 1);
        } else if (ahead && ahead->fmt == fmt && ahead->offset == offset) {
            accepted = settle_attempt(eng, ahead, blob, data, end, &p);
        } else {
            accepted = attempt_format(eng, fmt, blob, data, offset, end, NULL, &p);
        }
        uint64_t taken = 0;
        if (accepted) {
            /* What lies inside is not wanted ahead: stop it before recursing. */
            speculations_cancel_below(eng, &sp, offset + p.extent);
            taken = commit_format(eng, index, fmt, blob, offset, &p, NULL, name);
        }
        if (taken) {
            add_region(eng, index, data, gap_start, offset);
            pos = offset + taken;
            gap_start = pos;
            name = NULL;
        }
    }
    while (sp.count)
        speculation_pop(eng, &sp, 0);
    add_region(eng, index, data, gap_start, end);
    free(s.items);
}

/* ---- declared parts unpacked side by side ------------------------------------ */

struct ahead_job {
    struct engine *eng;
    struct ic_blob *blob;
    const uint8_t *data;
    const struct pending_child *children;
    struct attempt *out;
};

/* The first format the serial pass will try in part i: its hint, else the
 * first signature hit (the serial pass tries hits in this same order). */
static void attempt_ahead_one(void *arg, size_t i)
{
    struct ahead_job *job = arg;
    struct engine *eng = job->eng;
    const struct pending_child *c = &job->children[i];
    uint64_t start = c->offset, end = c->offset + c->size;
    const struct ic_format *fmt = c->hint ? ic_format_find(c->hint) : NULL;
    uint64_t at = start;
    if (!fmt) {
        hs_scratch_t *scratch = NULL;
        if (hs_alloc_scratch(signature_db, &scratch) != HS_SUCCESS)
            return;
        struct scan_state s;
        scan_init(&s, eng->limits, start, end);
        for (size_t k = 0; !fmt;) {
            if (k >= s.count) {
                if (s.covered >= end || scan_piece(scratch, job->data, s.covered, &s) != IC_OK)
                    break;
                continue;
            }
            const struct ic_format *f = ic_formats[s.items[k].format];
            if (!(f->flags & IC_FORMAT_HINT_ONLY)) {
                fmt = f;
                at = s.items[k].offset;
            }
            k++;
        }
        free(s.items);
        hs_free_scratch(scratch);
        if (!fmt)
            return;
    }
    attempt_ahead_of_serial(eng, &job->out[i], fmt, job->blob, job->data, at, end);
}

/* Unpacks the first format of each declared part on the engine's threads,
 * or returns NULL (one thread, or fewer than two parts). */
static struct attempt *attempt_ahead(struct engine *eng, struct ic_blob *blob, const uint8_t *data,
                                     uint64_t size, const struct pending_child *children,
                                     size_t count)
{
    if (!eng->pool || count < 2 || eng->stopped)
        return NULL;
    for (size_t i = 0; i < count; i++)
        if (!ic_range_ok(children[i].offset, children[i].size, size))
            return NULL;
    struct attempt *out = calloc(count, sizeof(*out));
    if (!out)
        return NULL;
    for (size_t i = 0; i < count; i++)
        atomic_init(&out[i].cancel, 0);
    struct ahead_job job = {eng, blob, data, children, out};
    ic_pool_for(eng->pool, count, attempt_ahead_one, &job);
    return out;
}

/* What the serial pass does for one file of a file tree: tries the formats
 * whose magic is at its start, in order, until one accepts. ahead (may be
 * NULL) holds what was done ahead on another thread for this file. */
struct file_ahead {
    int scanned;  /* s holds the formats at the start */
    size_t tried; /* s.items[tried] was attempted ahead (s.count: none) */
    struct scan_state s;
    struct attempt a;
};

static int file_wanted(const struct ic_entry *e)
{
    return e->type == IC_FT_FILE && e->content && e->size >= 4;
}

static void process_file(struct engine *eng, int index, const struct ic_entry *e,
                         struct file_ahead *ahead)
{
    int err = IC_OK;
    const uint8_t *data = ic_blob_data(e->content, &err);
    if (!data) {
        add_diagf(eng, IC_DIAG_WARNING, err, eng->u->layers[index].id, -1,
                  "content of %s unreadable: %s", e->path, ic_error_message(err));
        return;
    }
    uint64_t size = ic_blob_size(e->content);
    struct scan_state local, *s = &local;
    if (ahead && ahead->scanned) {
        s = &ahead->s;
    } else {
        uint64_t head = size < FILE_HEAD_SCAN ? size : FILE_HEAD_SCAN;
        if (formats_at_start(data, head, &local) != IC_OK) {
            free(local.items);
            return;
        }
        ahead = NULL;
    }
    for (size_t k = 0; k < s->count; k++) {
        if (k > 0 && s->items[k].format == s->items[k - 1].format)
            continue;
        /* Formats before the one tried ahead refused there, as they would here. */
        if (ahead && k < ahead->tried)
            continue;
        uint64_t taken;
        if (ahead && k == ahead->tried)
            taken = take_attempt(eng, index, &ahead->a, e->content, data, size, e->path, NULL);
        else
            taken = try_format(eng, index, ic_formats[s->items[k].format], e->content, data, 0,
                               size, e->path, NULL);
        if (taken)
            break;
    }
    if (s == &local)
        free(local.items);
}

/* Files are looked into in batches: on the engine's threads each file of a
 * batch is read (decompressed, reassembled) and its formats tried ahead; the
 * serial pass then takes the results in file order. */
#define FILE_BATCH 64

struct files_job {
    struct engine *eng;
    const struct ic_entry *entries[FILE_BATCH];
    struct file_ahead *ahead;
};

static void file_ahead_run(void *arg, size_t j)
{
    struct files_job *job = arg;
    const struct ic_entry *e = job->entries[j];
    struct file_ahead *f = &job->ahead[j];
    const uint8_t *data = ic_blob_data(e->content, NULL);
    if (!data)
        return;
    uint64_t size = ic_blob_size(e->content);
    uint64_t head = size < FILE_HEAD_SCAN ? size : FILE_HEAD_SCAN;
    if (formats_at_start(data, head, &f->s) != IC_OK)
        return;
    f->scanned = 1;
    for (f->tried = 0; f->tried < f->s.count; f->tried++) {
        size_t k = f->tried;
        if (k > 0 && f->s.items[k].format == f->s.items[k - 1].format)
            continue;
        attempt_ahead_of_serial(job->eng, &f->a, ic_formats[f->s.items[k].format], e->content, data,
                                0, size);
        if (f->a.accepted || f->a.redo)
            return;
        f->a.fmt = NULL;
    }
}

/* Looks for a format at the very start of each file of a file tree. */
static void process_files(struct engine *eng, int index)
{
    struct ic_fs *fs = eng->u->layers[index].fs;
    size_t n = ic_fs_count(fs);
    if (!eng->pool) {
        for (size_t i = 0; i < n && !eng->stopped; i++) {
            const struct ic_entry *e = ic_fs_entry(fs, i);
            if (!file_wanted(e))
                continue;
            process_file(eng, index, e, NULL);
            if (expired(eng))
                break;
        }
        return;
    }
    struct file_ahead *ahead = calloc(FILE_BATCH, sizeof(*ahead));
    if (!ahead)
        return;
    struct files_job job = {.eng = eng, .ahead = ahead};
    for (size_t i = 0; i < n && !eng->stopped;) {
        size_t count = 0;
        for (; i < n && count < FILE_BATCH; i++)
            if (file_wanted(ic_fs_entry(fs, i)))
                job.entries[count++] = ic_fs_entry(fs, i);
        memset(ahead, 0, FILE_BATCH * sizeof(*ahead));
        for (size_t j = 0; j < count; j++)
            atomic_init(&ahead[j].a.cancel, 0);
        ic_pool_for(eng->pool, count, file_ahead_run, &job);
        int stop = 0;
        for (size_t j = 0; j < count; j++) {
            if (!stop && !eng->stopped) {
                process_file(eng, index, job.entries[j], &ahead[j]);
                stop = expired(eng);
            }
            attempt_release(eng, &ahead[j].a);
            free(ahead[j].s.items);
        }
        if (stop)
            break;
    }
    free(ahead);
}

static void process_layer(struct engine *eng, int index, struct pending_child *children,
                          size_t child_count, int derived)
{
    struct ic_layer *l = &eng->u->layers[index];
    if (eng->stopped)
        return;
    if (l->depth + 1 > eng->limits->max_depth) {
        if (child_count || derived || l->fs) {
            add_diag(eng, IC_DIAG_WARNING, IC_E_LIMIT_DEPTH, l->id, -1,
                     "not unpacked further: nesting depth limit reached");
            if (!eng->u->limit_hit)
                eng->u->limit_hit = "depth";
        }
        return;
    }
    if (l->fs) {
        process_files(eng, index);
        return;
    }
    if (!l->content || (!child_count && !derived))
        return;
    struct ic_blob *blob = l->content;
    uint64_t size = ic_blob_size(blob);
    int err = IC_OK;
    const uint8_t *data = ic_blob_data(blob, &err);
    if (!data) {
        if (err)
            add_diagf(eng, IC_DIAG_ERROR, err, l->id, -1, "content unreadable: %s",
                      ic_error_message(err));
        return;
    }
    const char *id = l->id; /* l may move as layers grow */
    if (child_count) {
        struct attempt *ahead = attempt_ahead(eng, blob, data, size, children, child_count);
        for (size_t i = 0; i < child_count && !eng->stopped; i++) {
            const struct pending_child *c = &children[i];
            if (!ic_range_ok(c->offset, c->size, size)) {
                add_diagf(eng, IC_DIAG_WARNING, IC_E_TRUNCATED, id, (int64_t)c->offset,
                          "declared part of %llu bytes runs past the end",
                          (unsigned long long)c->size);
                continue;
            }
            carve_window(eng, index, blob, data, c->offset, c->offset + c->size, c->hint, c->name,
                         ahead ? &ahead[i] : NULL);
        }
        for (size_t i = 0; ahead && i < child_count; i++)
            attempt_release(eng, &ahead[i]);
        free(ahead);
    } else {
        carve_window(eng, index, blob, data, 0, size, NULL, NULL, NULL);
    }
}

/* ---- public entry points ------------------------------------------------------ */

static void sha256_hex(const uint8_t *data, uint64_t size, char out[65])
{
    unsigned char md[32];
    unsigned int len = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    out[0] = '\0';
    if (!ctx)
        return;
    if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
        (size == 0 || EVP_DigestUpdate(ctx, data, (size_t)size) == 1) &&
        EVP_DigestFinal_ex(ctx, md, &len) == 1) {
        for (unsigned i = 0; i < 32; i++)
            snprintf(out + 2 * i, 3, "%02x", md[i]);
    }
    EVP_MD_CTX_free(ctx);
}

/* Hashing is left to the callers that report the hash (firmware reports):
 * on a plain unpack it would be pure overhead. */
void ic_unpack_input_sha256(const struct ic_unpack *u, char out[65])
{
    if (u->input_sha256[0]) {
        memcpy(out, u->input_sha256, 65);
        return;
    }
    out[0] = '\0';
    if (u->layer_count == 0 || !u->layers[0].content)
        return;
    int err = IC_OK;
    const uint8_t *data = ic_blob_data(u->layers[0].content, &err);
    if (data || !err)
        sha256_hex(data, data ? ic_blob_size(u->layers[0].content) : 0, out);
}

/* Regions in layer order (ids compared as version strings), then by offset. */
static int region_cmp(const void *a, const void *b)
{
    const struct ic_region *x = a, *y = b;
    int c = strverscmp(x->layer, y->layer);
    if (c)
        return c;
    return (x->offset > y->offset) - (x->offset < y->offset);
}

struct ic_unpack_owner {
    struct ic_unpack u;
    struct ic_arena strings;
};

int ic_unpack_blob_as(struct ic_blob *input, const char *format, const struct ic_limits *limits,
                      struct ic_unpack **out)
{
    pthread_once(&signature_once, build_signature_db);
    if (signature_db_error)
        return signature_db_error;
    struct ic_unpack_owner *owner = calloc(1, sizeof(*owner));
    if (!owner)
        return IC_E_NOMEM;
    struct engine eng = {.limits = limits, .u = &owner->u};
    if (hs_alloc_scratch(signature_db, &eng.scratch) != HS_SUCCESS) {
        free(owner);
        return IC_E_NOMEM;
    }
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&eng.lock, &attr);
    pthread_mutex_init(&eng.spec_lock, NULL);
    pthread_condattr_t cond_attr;
    pthread_condattr_init(&cond_attr);
    pthread_condattr_setclock(&cond_attr, CLOCK_MONOTONIC);
    pthread_cond_init(&eng.spec_cond, &cond_attr);
    pthread_condattr_destroy(&cond_attr);
    pthread_mutexattr_destroy(&attr);
    unsigned threads = ic_limits_threads(limits);
    eng.pool = threads > 1 ? ic_pool_new(threads) : NULL;
    clock_gettime(CLOCK_MONOTONIC, &eng.deadline);
    eng.deadline.tv_sec += (time_t)(limits->time_s ? limits->time_s : 1);

    struct ic_unpack *u = &owner->u;
    u->input_size = ic_blob_size(input);
    int err = IC_OK;
    const uint8_t *data = ic_blob_data(input, &err);

    int root = new_layer(&eng, -1, "input", 0, u->input_size);
    if (root == 0) {
        u->layers[0].content = ic_blob_ref(input);
        if (data)
            carve_window(&eng, 0, input, data, 0, u->input_size, format, NULL, NULL);
    }
    if (u->region_count > 1)
        qsort(u->regions, u->region_count, sizeof(*u->regions), region_cmp);
    hs_free_scratch(eng.scratch);
    ic_pool_free(eng.pool);
    pthread_mutex_destroy(&eng.lock);
    pthread_mutex_destroy(&eng.spec_lock);
    pthread_cond_destroy(&eng.spec_cond);
    free(eng.child_counts);
    owner->strings = eng.strings;
    *out = u;
    return IC_OK;
}

int ic_unpack_blob(struct ic_blob *input, const struct ic_limits *limits, struct ic_unpack **out)
{
    return ic_unpack_blob_as(input, NULL, limits, out);
}

int ic_unpack_path(const char *path, const struct ic_limits *limits, struct ic_unpack **out)
{
    struct ic_blob *input = NULL;
    int rc = ic_blob_from_file(path, &input);
    if (rc)
        return rc;
    rc = ic_unpack_blob(input, limits, out);
    ic_blob_unref(input);
    return rc;
}

void ic_unpack_free(struct ic_unpack *u)
{
    if (!u)
        return;
    struct ic_unpack_owner *owner = (struct ic_unpack_owner *)u;
    for (size_t i = 0; i < u->layer_count; i++) {
        ic_blob_unref(u->layers[i].content);
        ic_fs_free(u->layers[i].fs);
    }
    free(u->layers);
    free(u->diags);
    free(u->regions);
    ic_arena_release(&owner->strings);
    free(owner);
}

int ic_unpack_found_anything(const struct ic_unpack *u)
{
    return u->layer_count > 1;
}
