/* libarchive glue shared by the archive formats (see archive_reader.h).
 *
 * Entries are collected first and added to the tree at the end, because in
 * cpio the data of a multiply-linked file travels with its last name while
 * libarchive reports the first name as the file and the others as hard links
 * to it: the data then moves to the first name. */
#include "unpack/archive_reader.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Holes of sparse files are filled this much at a time. */
#define DATA_CHUNK 65536

struct collected {
    struct ic_entry e; /* path and link point into malloc'd copies below */
    char *path;
    char *link;
};

struct collection {
    struct collected *items;
    size_t count, cap;
    size_t *index; /* open-addressing hash of raw paths -> item + 1; 0 = empty */
    size_t index_cap;
};

static uint64_t hash_path(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 1099511628211ULL;
    return h;
}

static int index_insert(struct collection *c, size_t item)
{
    size_t mask = c->index_cap - 1;
    size_t slot = (size_t)hash_path(c->items[item].path) & mask;
    while (c->index[slot])
        slot = (slot + 1) & mask;
    c->index[slot] = item + 1;
    return IC_OK;
}

static int index_grow(struct collection *c)
{
    size_t cap = c->index_cap ? c->index_cap * 2 : 256;
    size_t *fresh = calloc(cap, sizeof(*fresh));
    if (!fresh)
        return IC_E_NOMEM;
    free(c->index);
    c->index = fresh;
    c->index_cap = cap;
    for (size_t i = 0; i < c->count; i++)
        index_insert(c, i);
    return IC_OK;
}

/* The latest collected entry with exactly this path, or NULL. */
static struct collected *collection_find(struct collection *c, const char *path)
{
    if (!c->index_cap)
        return NULL;
    size_t mask = c->index_cap - 1;
    size_t slot = (size_t)hash_path(path) & mask;
    struct collected *found = NULL;
    while (c->index[slot]) {
        struct collected *it = &c->items[c->index[slot] - 1];
        if (strcmp(it->path, path) == 0 && (!found || it > found))
            found = it;
        slot = (slot + 1) & mask;
    }
    return found;
}

static char *dup_string(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

/* Takes the reference to e->content. */
static int collection_add(struct collection *c, const struct ic_entry *e)
{
    int rc = IC_E_NOMEM;
    struct collected item = {.e = *e};
    item.path = dup_string(e->path);
    item.link = e->link ? dup_string(e->link) : NULL;
    if (!item.path || (e->link && !item.link))
        goto fail;
    if (c->count == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 64;
        struct collected *p = realloc(c->items, cap * sizeof(*p));
        if (!p)
            goto fail;
        c->items = p;
        c->cap = cap;
    }
    if ((c->count + 1) * 2 > c->index_cap && index_grow(c) != IC_OK)
        goto fail;
    item.e.path = item.path;
    item.e.link = item.link;
    c->items[c->count] = item;
    index_insert(c, c->count);
    c->count++;
    return IC_OK;
fail:
    free(item.path);
    free(item.link);
    ic_blob_unref(e->content);
    return rc;
}

static void collection_release(struct collection *c)
{
    for (size_t i = 0; i < c->count; i++) {
        free(c->items[i].path);
        free(c->items[i].link);
        ic_blob_unref(c->items[i].e.content);
    }
    free(c->items);
    free(c->index);
}

int ic_archive_all_zero(const uint8_t *p, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

static enum ic_ftype entry_type(struct archive_entry *entry)
{
    switch (archive_entry_filetype(entry)) {
    case AE_IFDIR:
        return IC_FT_DIR;
    case AE_IFLNK:
        return IC_FT_SYMLINK;
    case AE_IFCHR:
        return IC_FT_CHARDEV;
    case AE_IFBLK:
        return IC_FT_BLOCKDEV;
    case AE_IFIFO:
        return IC_FT_FIFO;
    case AE_IFSOCK:
        return IC_FT_SOCKET;
    default:
        return IC_FT_FILE;
    }
}

/* The library error code that best names libarchive's complaint. */
static int error_code(struct archive *a, int fallback)
{
    const char *msg = archive_error_string(a);
    if (!msg)
        return fallback;
    if (strstr(msg, "ncrypt") || strstr(msg, "assphrase"))
        return IC_E_ENCRYPTED;
    if (strstr(msg, "runcat") || strstr(msg, "remature"))
        return IC_E_TRUNCATED;
    return fallback;
}

static const char *error_text(struct archive *a)
{
    const char *msg = archive_error_string(a);
    return msg ? msg : "unknown error";
}

struct reading {
    struct ic_extract *x;
    struct archive *a;
    const struct ic_archive_reader *reader;
    struct ic_archive_result *result;
    struct collection entries;
    int stop; /* a whole-input limit was reached */
};

/* An entry's data as it arrives from libarchive. While every block is the
 * next stretch of the input itself (stored data), the content stays a slice
 * of the parent; otherwise (compressed, sparse) it is copied and charged. */
struct data_sink {
    struct ic_buf copy;
    const uint8_t *run; /* start of the stretch of x->data so far, or NULL */
    uint64_t run_len;
    int copying;
    uint64_t total; /* logical bytes so far */
};

static int in_input(const struct ic_extract *x, const void *p, size_t len)
{
    uintptr_t start = (uintptr_t)x->data, at = (uintptr_t)p;
    return at >= start && ic_range_ok(at - start, len, x->size);
}

static int sink_zeros(struct ic_extract *x, struct data_sink *s, uint64_t n)
{
    static const uint8_t zeros[DATA_CHUNK];
    while (n > 0) {
        size_t step = n > sizeof(zeros) ? sizeof(zeros) : (size_t)n;
        int rc = ic_extract_output(x, &s->copy, zeros, step);
        if (rc)
            return rc;
        n -= step;
    }
    return IC_OK;
}

/* Adds len bytes at logical offset; holes before it are zeros. */
static int sink_block(struct ic_extract *x, struct data_sink *s, const void *p, size_t len,
                      uint64_t offset, uint64_t max)
{
    if (offset < s->total)
        return IC_E_FORMAT;
    uint64_t hole = offset - s->total;
    if (hole > max || len > max - hole || s->total > max - hole - len)
        return IC_E_LIMIT_FILE_SIZE;
    if (!s->copying && hole == 0 && in_input(x, p, len) &&
        (!s->run || (const uint8_t *)p == s->run + s->run_len)) {
        if (!s->run)
            s->run = p;
        s->run_len += len;
        s->total += len;
        return IC_OK;
    }
    int rc = IC_OK;
    if (!s->copying) {
        s->copying = 1;
        if (s->run_len)
            rc = ic_extract_output(x, &s->copy, s->run, (size_t)s->run_len);
    }
    if (rc == IC_OK)
        rc = sink_zeros(x, s, hole);
    if (rc == IC_OK && len)
        rc = ic_extract_output(x, &s->copy, p, len);
    if (rc == IC_OK)
        s->total += hole + len;
    return rc;
}

static int sink_finish(struct ic_extract *x, struct data_sink *s, struct ic_blob **out)
{
    int rc = IC_OK;
    if (!s->copying && s->run_len) {
        rc = ic_extract_slice(x, (uint64_t)((uintptr_t)s->run - (uintptr_t)x->data), s->run_len,
                              out);
    } else if (s->copying && s->copy.len) {
        size_t len = 0;
        uint8_t *data = ic_buf_detach(&s->copy, &len);
        if (!data || ic_blob_from_owned(data, len, out) != IC_OK) {
            free(data);
            *out = NULL;
            rc = IC_E_NOMEM;
        }
    }
    ic_buf_release(&s->copy);
    return rc;
}

/* Reads the current entry's data into a blob (*out NULL when empty).
 * Returns IC_OK, or the code of what went wrong; partial data is kept. */
static int read_data(struct reading *r, struct archive_entry *entry, const char *path, int64_t at,
                     struct ic_blob **out)
{
    struct ic_extract *x = r->x;
    uint64_t max = ic_extract_max_file_size(x);
    *out = NULL;
    if (archive_entry_size_is_set(entry)) {
        int64_t declared = archive_entry_size(entry);
        if (declared < 0 || (uint64_t)declared > max) {
            ic_extract_diag(x, IC_DIAG_WARNING, IC_E_LIMIT_FILE_SIZE, at,
                            "%s '%s': declared size %lld is over the per-file limit; content "
                            "not read",
                            r->reader->label, path, (long long)declared);
            return IC_E_LIMIT_FILE_SIZE;
        }
        if (declared == 0)
            return IC_OK;
    }
    struct data_sink sink = {.copy = IC_BUF_INIT((size_t)max)};
    int rc = IC_OK;
    for (;;) {
        const void *block = NULL;
        size_t len = 0;
        la_int64_t offset = 0;
        int status = archive_read_data_block(r->a, &block, &len, &offset);
        if (status == ARCHIVE_EOF)
            break;
        if (status < ARCHIVE_WARN || offset < 0) {
            int short_read = archive_entry_size_is_set(entry) &&
                             sink.total < (uint64_t)archive_entry_size(entry);
            const char *why = archive_error_string(r->a);
            if (!why)
                why = short_read ? "the archive ends first" : "unknown error";
            rc = error_code(r->a, short_read ? IC_E_TRUNCATED : IC_E_DECOMPRESS);
            ic_extract_diag(x, IC_DIAG_ERROR, rc, at,
                            "%s '%s': data unreadable after %llu bytes: %s", r->reader->label, path,
                            (unsigned long long)sink.total, why);
            if (status == ARCHIVE_FATAL)
                r->result->damaged = 1;
            break;
        }
        rc = sink_block(x, &sink, block, len, (uint64_t)offset, max);
        if (rc) {
            if (rc == IC_E_LIMIT_FILE_SIZE || rc == IC_E_FORMAT)
                ic_extract_diag(x, IC_DIAG_WARNING, rc, at, "%s '%s': %s; cut at %llu bytes",
                                r->reader->label, path,
                                rc == IC_E_FORMAT ? "data blocks out of order"
                                                  : "content over the per-file limit",
                                (unsigned long long)sink.total);
            else
                r->stop = 1; /* a whole-input limit */
            break;
        }
        if (ic_extract_expired(x)) {
            r->stop = 1;
            rc = IC_E_LIMIT_TIME;
            break;
        }
    }
    int finish = sink_finish(x, &sink, out);
    return rc ? rc : finish;
}

/* Turns one libarchive entry into a collected entry. */
static int take_entry(struct reading *r, struct archive_entry *entry, int64_t at)
{
    struct ic_extract *x = r->x;
    const char *path = archive_entry_pathname(entry);
    if (!path)
        path = archive_entry_pathname_utf8(entry);
    if (!path || !*path) {
        ic_extract_diag(x, IC_DIAG_WARNING, IC_E_FORMAT, at, "%s entry without a usable name",
                        r->reader->label);
        return IC_OK;
    }
    if (r->reader->skip_entry && r->reader->skip_entry(path))
        return IC_OK;

    struct ic_entry e = {
        .path = path,
        .type = entry_type(entry),
        .mode = (uint32_t)archive_entry_perm(entry) & 07777,
        .uid = (uint32_t)archive_entry_uid(entry),
        .gid = (uint32_t)archive_entry_gid(entry),
        .mtime = (int64_t)archive_entry_mtime(entry),
    };
    const char *hardlink = archive_entry_hardlink(entry);
    const char *symlink = archive_entry_symlink(entry);
    if (hardlink) {
        e.type = IC_FT_HARDLINK;
        e.link = hardlink;
    } else if (e.type == IC_FT_SYMLINK) {
        e.link = symlink ? symlink : "";
        e.size = strlen(e.link);
    } else if (e.type == IC_FT_CHARDEV || e.type == IC_FT_BLOCKDEV) {
        e.dev_major = (uint32_t)archive_entry_rdevmajor(entry);
        e.dev_minor = (uint32_t)archive_entry_rdevminor(entry);
    }

    if (archive_entry_is_data_encrypted(entry) || archive_entry_is_metadata_encrypted(entry)) {
        ic_extract_diag(x, IC_DIAG_WARNING, IC_E_ENCRYPTED, at,
                        "%s entry '%s' is encrypted; content not read", r->reader->label, path);
        if (e.type == IC_FT_FILE && archive_entry_size_is_set(entry) &&
            archive_entry_size(entry) > 0)
            e.size = (uint64_t)archive_entry_size(entry);
    } else if (e.type == IC_FT_FILE || e.type == IC_FT_HARDLINK) {
        struct ic_blob *content = NULL;
        int rc = read_data(r, entry, path, at, &content);
        if (content) {
            e.content = content;
            e.size = ic_blob_size(content);
        } else if (rc == IC_E_LIMIT_FILE_SIZE && archive_entry_size_is_set(entry) &&
                   archive_entry_size(entry) > 0) {
            e.size = (uint64_t)archive_entry_size(entry);
        }
    }

    /* A hard link that carries the data (cpio): the data belongs to the
     * name it links to, which was listed empty. */
    if (e.type == IC_FT_HARDLINK && e.content) {
        struct collected *target = collection_find(&r->entries, e.link);
        if (target && target->e.type == IC_FT_FILE && !target->e.content) {
            target->e.content = e.content;
            target->e.size = e.size;
            e.content = NULL;
            e.size = 0;
        }
    }
    return collection_add(&r->entries, &e);
}

/* Adds the collected entries to the tree, hard link targets as tree paths. */
static void flush_entries(struct reading *r)
{
    for (size_t i = 0; i < r->entries.count; i++) {
        struct ic_entry *e = &r->entries.items[i].e;
        char norm[4096];
        if (e->type == IC_FT_HARDLINK && e->link &&
            ic_path_normalise(e->link, norm, sizeof(norm)) == IC_OK)
            e->link = norm;
        int rc = ic_extract_add_entry(r->x, e);
        e->link = r->entries.items[i].link;
        if (rc != IC_OK)
            break;
    }
}

int ic_archive_read(struct ic_extract *x, uint64_t size, const struct ic_archive_reader *reader,
                    struct ic_archive_result *result)
{
    memset(result, 0, sizeof(*result));
    if (size > x->size)
        size = x->size;
    struct reading *r = calloc(1, sizeof(*r));
    if (!r)
        return IC_E_NOMEM;
    r->x = x;
    r->reader = reader;
    r->result = result;
    int rc = IC_OK;
    struct archive *a = archive_read_new();
    if (!a) {
        free(r);
        return IC_E_NOMEM;
    }
    r->a = a;
    if (reader->enable(a) != ARCHIVE_OK ||
        archive_read_open_memory(a, x->data, (size_t)size) != ARCHIVE_OK) {
        rc = IC_E_BAD_MAGIC;
        goto out;
    }
    const char *name = archive_format_name(a);
    if (name)
        snprintf(result->format_name, sizeof(result->format_name), "%s", name);

    uint64_t max_files = x->limits->max_files ? x->limits->max_files : UINT64_MAX;
    for (;;) {
        int64_t at = archive_filter_bytes(a, 0);
        struct archive_entry *entry = NULL;
        int status = archive_read_next_header(a, &entry);
        if (status == ARCHIVE_EOF) {
            result->reached_end = 1;
            break;
        }
        if (result->entries == 0) {
            name = archive_format_name(a);
            if (name)
                snprintf(result->format_name, sizeof(result->format_name), "%s", name);
        }
        if (status == ARCHIVE_WARN) {
            ic_extract_diag(x, IC_DIAG_WARNING, error_code(a, IC_E_FORMAT),
                            (int64_t)x->parent_offset + at, "%s: %s", reader->label, error_text(a));
        } else if (status != ARCHIVE_OK) {
            int code = error_code(a, IC_E_FORMAT);
            ic_extract_diag(x, IC_DIAG_ERROR, code, (int64_t)x->parent_offset + at,
                            "%s: reading stopped after %llu entries: %s", reader->label,
                            (unsigned long long)result->entries, error_text(a));
            result->damaged = 1;
            break;
        }
        result->entries++;
        if (r->entries.count >= max_files) {
            ic_extract_diag(x, IC_DIAG_ERROR, IC_E_LIMIT_FILES, (int64_t)x->parent_offset + at,
                            "%s: file count limit reached; the rest is not listed", reader->label);
            break;
        }
        rc = take_entry(r, entry, (int64_t)x->parent_offset + at);
        if (rc != IC_OK || r->stop || result->damaged)
            break;
        if (archive_read_data_skip(a) != ARCHIVE_OK) {
            ic_extract_diag(
                x, IC_DIAG_ERROR, error_code(a, IC_E_TRUNCATED), (int64_t)x->parent_offset + at,
                "%s: cannot skip past '%s': %s", reader->label,
                archive_entry_pathname(entry) ? archive_entry_pathname(entry) : "?", error_text(a));
            result->damaged = 1;
            break;
        }
        int64_t done = archive_filter_bytes(a, 0);
        result->good_end = done > 0 ? (uint64_t)done : 0;
        if (ic_extract_expired(x))
            break;
    }
    int64_t end = archive_filter_bytes(a, 0);
    result->end = end > 0 ? (uint64_t)end : 0;
    if (result->end > size)
        result->end = size;
    if (result->good_end > result->end)
        result->good_end = result->end;
    if (result->reached_end)
        result->good_end = result->end;
    flush_entries(r);
    if (rc != IC_E_NOMEM)
        rc = IC_OK;
out:
    archive_read_free(a);
    collection_release(&r->entries);
    free(r);
    return rc;
}

void ic_archive_set_info(struct ic_extract *x, const struct ic_archive_result *result)
{
    ic_extract_set_info(x, "%s, %llu entr%s%s",
                        result->format_name[0] ? result->format_name : "archive",
                        (unsigned long long)result->entries, result->entries == 1 ? "y" : "ies",
                        result->damaged ? ", damaged" : "");
}
