/* YAFFS2, the NAND flash file system, as dumped with its spare areas or
 * with inband tags, in either byte order.
 *
 * The image is a run of chunks. Each chunk is one NAND page of data followed
 * by its spare (out-of-band) area, where the packed tags sit: sequence
 * number, object id, chunk id and byte count, four 32-bit words in the
 * image's byte order, at offset 0 or 2 of the spare (the first two bytes
 * are often left for the bad-block marker), optionally followed by their
 * ECC (not checked here: the tags are checked for plausibility instead).
 * With inband tags there is no spare: the tags are the last 16 bytes of
 * the page. Chunk id 0 is an object header (type, parent, name, mode, uid,
 * gid, times, size, hard-link target, symlink alias, device number); chunk
 * id n >= 1 holds bytes (n-1)*D .. of a file, D being the page's data size.
 * Tags whose chunk id has the top bit set carry extra header information;
 * the chunk is a header and the object id sits in the low 28 bits.
 *
 * A chunk is rewritten by writing it again with a higher sequence number
 * (or later in the same block): the newest copy wins. Objects whose newest
 * header puts them in the "unlinked" (3) or "deleted" (4) pseudo directory
 * are gone. Object 1 is the root, 2 lost+found.
 *
 * There is no magic: the engine finds the usual first chunk (a header of a
 * file, directory, symlink, hard link or special object in the root,
 * "ffff" after the parent id), and the reader then requires the first
 * chunk's tags to be those of an object header under one of the geometries
 * (page 512..16384 bytes, spare page/32, tags at 0 or 2, or inband), and
 * the chunks after it to be valid or erased. The geometry with the longest
 * run of valid chunks wins. The extent ends after the last valid chunk and
 * the erased chunks that follow it. */
#include "unpack/format.h"

#include <stdlib.h>
#include <string.h>

#define TAGS_SIZE 16
#define HEADER_SIZE 512
#define NAME_MAX_LEN 256
#define ALIAS_LEN 160
#define SEQ_LOWEST 0x1000u
#define SEQ_HIGHEST 0xefffff00u
#define EXTRA_HEADER_FLAG 0x80000000u
#define EXTRA_OBJ_MASK 0x0fffffffu
#define MAX_CHUNK_ID 0xfffffu
#define MAX_OBJ_ID 0x0fffffffu
#define PROBE_CHUNKS 32
#define MAX_DEPTH 256
#define MAX_REPORTED 20

enum obj_type {
    OT_UNKNOWN = 0,
    OT_FILE = 1,
    OT_SYMLINK = 2,
    OT_DIR = 3,
    OT_HARDLINK = 4,
    OT_SPECIAL = 5,
};

enum { OBJ_ROOT = 1, OBJ_LOSTFOUND = 2, OBJ_UNLINKED = 3, OBJ_DELETED = 4 };

struct geometry {
    uint32_t page;    /* bytes of the page (data + inband tags) */
    uint32_t spare;   /* bytes of the spare area (0 for inband) */
    uint32_t tag_off; /* tags offset in the spare */
    int inband;
    int be;
};

struct chunk {
    uint32_t obj, id, seq, nbytes;
    uint64_t pos; /* chunk start in the image */
};

struct object {
    uint32_t id, parent, type, mode, uid, gid, mtime, equiv, rdev;
    uint64_t size;
    uint64_t pos;     /* the header's chunk */
    char name[NAME_MAX_LEN];
    char alias[ALIAS_LEN + 1];
    size_t first, end; /* data chunks [first, end) in the sorted chunk array */
    char *path;        /* once resolved; "" for the root */
    int state;         /* 0 unresolved, 1 resolving, 2 resolved, 3 unreachable */
};

struct yaffs {
    struct ic_extract *x;
    struct geometry g;
    uint32_t stride, data_bytes;
    struct chunk *chunks;
    size_t chunk_count;
    struct object *objs;
    size_t obj_count;
    uint64_t reported;
    int stop, stop_content;
};

/* ---- tags and geometry -------------------------------------------------------- */

enum tag_kind { TAG_BAD, TAG_ERASED, TAG_HEADER, TAG_DATA };

static int erased(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != 0xff)
            return 0;
    return 1;
}

static uint32_t data_size(const struct geometry *g)
{
    return g->inband ? g->page - TAGS_SIZE : g->page;
}

/* Reads the tags of the chunk at pos (whole chunk known to be in bounds). */
static enum tag_kind read_tags(const struct geometry *g, const uint8_t *chunk, struct chunk *out)
{
    const uint8_t *t = g->inband ? chunk + g->page - TAGS_SIZE : chunk + g->page + g->tag_off;
    if (erased(t, TAGS_SIZE))
        return TAG_ERASED;
    uint32_t seq = ic_load_u32(t, g->be), obj = ic_load_u32(t + 4, g->be);
    uint32_t id = ic_load_u32(t + 8, g->be), nbytes = ic_load_u32(t + 12, g->be);
    if (seq < SEQ_LOWEST || seq > SEQ_HIGHEST)
        return TAG_BAD;
    enum tag_kind kind;
    if (id & EXTRA_HEADER_FLAG) {
        obj &= EXTRA_OBJ_MASK;
        id = 0;
        kind = TAG_HEADER;
    } else {
        if (id > MAX_CHUNK_ID)
            return TAG_BAD;
        kind = id == 0 ? TAG_HEADER : TAG_DATA;
        if (kind == TAG_DATA && nbytes > data_size(g))
            return TAG_BAD;
    }
    if (obj == 0 || obj > MAX_OBJ_ID)
        return TAG_BAD;
    out->seq = seq;
    out->obj = obj;
    out->id = id;
    out->nbytes = nbytes;
    return kind;
}

/* Whether an object header plausibly starts at p (data_bytes available). */
static int header_plausible(const uint8_t *p, int be)
{
    uint32_t type = ic_load_u32(p, be);
    if (type < OT_FILE || type > OT_SPECIAL)
        return 0;
    const uint8_t *name = p + 10;
    size_t n = 0;
    /* Names are text: no control bytes, and never erased flash (0xff). */
    while (n < NAME_MAX_LEN && name[n]) {
        if (name[n] < 0x20 || name[n] == 0x7f || name[n] == 0xff)
            return 0;
        n++;
    }
    return n < NAME_MAX_LEN;
}

/* How many of the first PROBE_CHUNKS chunks are valid under g (0: g does not
 * fit the first chunk). */
static unsigned probe(const struct ic_extract *x, const struct geometry *g)
{
    uint64_t stride = (uint64_t)g->page + g->spare;
    if (x->size < stride || data_size(g) < HEADER_SIZE)
        return 0;
    struct chunk c;
    /* The first object sits in the root and so has a name. */
    if (read_tags(g, x->data, &c) != TAG_HEADER || !header_plausible(x->data, g->be) ||
        x->data[10] == 0)
        return 0;
    unsigned valid = 1;
    for (uint64_t i = 1; i < PROBE_CHUNKS && (i + 1) * stride <= x->size; i++) {
        enum tag_kind k = read_tags(g, x->data + i * stride, &c);
        if (k == TAG_BAD)
            break;
        if (k == TAG_HEADER && !header_plausible(x->data + i * stride, g->be))
            break;
        if (k != TAG_ERASED)
            valid++;
    }
    return valid;
}

static int detect(struct yaffs *fs)
{
    struct ic_extract *x = fs->x;
    int be;
    uint32_t le_type = ic_load_u32le(x->data), be_type = ic_load_u32be(x->data);
    if (le_type >= OT_FILE && le_type <= OT_SPECIAL)
        be = 0;
    else if (be_type >= OT_FILE && be_type <= OT_SPECIAL)
        be = 1;
    else
        return IC_E_BAD_MAGIC;
    unsigned best = 0;
    for (uint32_t page = 512; page <= 16384; page *= 2) {
        struct geometry cand[3] = {
            {page, page / 32, 0, 0, be},
            {page, page / 32, 2, 0, be},
            {page, 0, 0, 1, be},
        };
        for (unsigned k = 0; k < 3; k++) {
            if (!cand[k].inband && cand[k].tag_off + TAGS_SIZE > cand[k].spare)
                continue;
            unsigned score = probe(x, &cand[k]);
            if (score > best) {
                best = score;
                fs->g = cand[k];
            }
        }
    }
    if (!best)
        return IC_E_BAD_MAGIC;
    fs->stride = fs->g.page + fs->g.spare;
    fs->data_bytes = data_size(&fs->g);
    return IC_OK;
}

/* A warning, the first MAX_REPORTED of them. */
#define warn(fs, code, pos, ...)                                                                   \
    do {                                                                                           \
        if ((fs)->reported++ < MAX_REPORTED)                                                       \
            ic_extract_diag((fs)->x, IC_DIAG_WARNING, (code), (pos), __VA_ARGS__);                 \
    } while (0)

/* Walks the chunks; returns the extent. */
static uint64_t scan(struct yaffs *fs)
{
    struct ic_extract *x = fs->x;
    uint64_t stride = fs->stride, last_end = 0, pos = 0, bad = 0;
    size_t cap = 0;
    for (; stride <= x->size - pos; pos += stride) {
        struct chunk c;
        enum tag_kind k = read_tags(&fs->g, x->data + pos, &c);
        if (k == TAG_ERASED)
            continue;
        if (k == TAG_BAD) {
            bad = 1;
            break;
        }
        if (k == TAG_HEADER && !header_plausible(x->data + pos, fs->g.be)) {
            bad = 1;
            break;
        }
        if (fs->chunk_count == cap) {
            size_t ncap = cap ? cap * 2 : 256;
            struct chunk *p = realloc(fs->chunks, ncap * sizeof(*p));
            if (!p) {
                fs->stop = 1;
                break;
            }
            fs->chunks = p;
            cap = ncap;
        }
        c.pos = pos;
        fs->chunks[fs->chunk_count++] = c;
        last_end = pos + stride;
        if ((fs->chunk_count & 4095) == 0 && ic_extract_expired(x)) {
            ic_extract_diag(x, IC_DIAG_ERROR, IC_E_LIMIT_TIME, (int64_t)pos,
                            "time limit reached while scanning chunks; the rest is not read");
            break;
        }
    }
    /* The erased chunks after the last valid one are free space of the file system. */
    uint64_t extent = last_end;
    while (stride <= x->size - extent && erased(x->data + extent, stride))
        extent += stride;
    if (!bad && !fs->stop && extent == pos && pos < x->size &&
        !erased(x->data + pos, (size_t)(x->size - pos)))
        ic_extract_diag(x, IC_DIAG_WARNING, IC_E_TRUNCATED, (int64_t)pos,
                        "the image ends inside a chunk: %llu bytes after the last whole chunk ignored",
                        (unsigned long long)(x->size - pos));
    return extent;
}

/* ---- objects --------------------------------------------------------------------- */

static int chunk_cmp(const void *a, const void *b)
{
    const struct chunk *x = a, *y = b;
    if (x->obj != y->obj)
        return x->obj < y->obj ? -1 : 1;
    if (x->id != y->id)
        return x->id < y->id ? -1 : 1;
    if (x->seq != y->seq)
        return x->seq < y->seq ? -1 : 1;
    return (x->pos > y->pos) - (x->pos < y->pos);
}

static void copy_str(char *dst, size_t cap, const uint8_t *src, size_t max)
{
    size_t n = 0;
    while (n < max && n + 1 < cap && src[n])
        n++;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* Builds one object per object id from its newest header; data chunks keep
 * only the newest copy of each chunk id. */
static int build_objects(struct yaffs *fs)
{
    struct ic_extract *x = fs->x;
    if (fs->chunk_count > 1)
        qsort(fs->chunks, fs->chunk_count, sizeof(*fs->chunks), chunk_cmp);
    /* Keep the newest copy of each (object, chunk id). */
    size_t n = 0;
    for (size_t i = 0; i < fs->chunk_count; i++) {
        if (i + 1 < fs->chunk_count && fs->chunks[i + 1].obj == fs->chunks[i].obj &&
            fs->chunks[i + 1].id == fs->chunks[i].id)
            continue;
        fs->chunks[n++] = fs->chunks[i];
    }
    fs->chunk_count = n;
    fs->objs = calloc(n ? n : 1, sizeof(*fs->objs));
    if (!fs->objs)
        return IC_E_NOMEM;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && fs->chunks[j].obj == fs->chunks[i].obj)
            j++;
        if (fs->chunks[i].id != 0) {
            warn(fs, IC_E_NOT_FOUND, (int64_t)fs->chunks[i].pos,
                 "object %llu has data but no header; skipped",
                 (unsigned long long)fs->chunks[i].obj);
            i = j;
            continue;
        }
        const uint8_t *h = x->data + fs->chunks[i].pos;
        int be = fs->g.be;
        struct object *o = &fs->objs[fs->obj_count];
        o->id = fs->chunks[i].obj;
        o->pos = fs->chunks[i].pos;
        o->type = ic_load_u32(h, be);
        o->parent = ic_load_u32(h + 4, be);
        copy_str(o->name, sizeof(o->name), h + 10, NAME_MAX_LEN);
        o->mode = ic_load_u32(h + 268, be);
        o->uid = ic_load_u32(h + 272, be);
        o->gid = ic_load_u32(h + 276, be);
        o->mtime = ic_load_u32(h + 284, be);
        o->size = ic_load_u32(h + 292, be);
        uint32_t high = ic_load_u32(h + 496, be);
        if (high != 0xffffffffu)
            o->size |= (uint64_t)high << 32;
        o->equiv = ic_load_u32(h + 296, be);
        copy_str(o->alias, sizeof(o->alias), h + 300, ALIAS_LEN);
        o->rdev = ic_load_u32(h + 460, be);
        o->first = i + 1;
        o->end = j;
        fs->obj_count++;
        i = j;
    }
    return IC_OK;
}

static struct object *find_obj(struct yaffs *fs, uint32_t id)
{
    size_t a = 0, b = fs->obj_count;
    while (a < b) {
        size_t m = a + (b - a) / 2;
        if (fs->objs[m].id < id)
            a = m + 1;
        else
            b = m;
    }
    return a < fs->obj_count && fs->objs[a].id == id ? &fs->objs[a] : NULL;
}

static int valid_name(const char *name)
{
    if (!name[0] || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return 0;
    return strchr(name, '/') == NULL;
}

static char *join(const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name);
    char *p = malloc(a + b + 2);
    if (!p)
        return NULL;
    memcpy(p, dir, a);
    p[a] = '/';
    memcpy(p + a + 1, name, b + 1);
    return p;
}

/* Resolves o's path; leaves state 3 when it cannot be listed. */
static int resolve(struct yaffs *fs, struct object *o, unsigned depth)
{
    if (o->state == 2 || o->state == 3)
        return IC_OK;
    if (o->state == 1 || depth > MAX_DEPTH) {
        warn(fs, IC_E_LOOP, (int64_t)o->pos, "%s (object %llu): directory loop or too deep; skipped",
             o->name, (unsigned long long)o->id);
        o->state = 3;
        return IC_OK;
    }
    if (o->id == OBJ_ROOT) {
        o->path = strdup("");
        o->state = o->path ? 2 : 3;
        return o->path ? IC_OK : IC_E_NOMEM;
    }
    if (o->parent == OBJ_UNLINKED || o->parent == OBJ_DELETED || o->type < OT_FILE ||
        o->type > OT_SPECIAL) {
        o->state = 3;
        return IC_OK;
    }
    if (!valid_name(o->name)) {
        warn(fs, IC_E_UNSAFE_PATH, (int64_t)o->pos, "object with an invalid name \"%s\" (id %llu); skipped",
             o->name, (unsigned long long)o->id);
        o->state = 3;
        return IC_OK;
    }
    const char *dir = NULL;
    struct object *p = NULL;
    if (o->parent == OBJ_ROOT)
        dir = "";
    else if (o->parent == OBJ_LOSTFOUND)
        dir = "/lost+found";
    else {
        p = find_obj(fs, o->parent);
        if (p && p->type == OT_DIR) {
            o->state = 1;
            int rc = resolve(fs, p, depth + 1);
            o->state = 0;
            if (rc)
                return rc;
            if (p->state == 2)
                dir = p->path;
        } else {
            p = NULL;
        }
        if (!dir) {
            warn(fs, IC_E_NOT_FOUND, (int64_t)o->pos,
                 "%s: parent directory %llu is missing; listed under /lost+found", o->name,
                 (unsigned long long)o->parent);
            dir = "/lost+found";
        }
    }
    o->path = join(dir, o->name);
    o->state = o->path ? 2 : 3;
    return o->path ? IC_OK : IC_E_NOMEM;
}

/* ---- entries ----------------------------------------------------------------------- */

static enum ic_ftype special_type(uint32_t mode, int *ok)
{
    *ok = 1;
    switch (mode & 0170000) {
    case 0020000: return IC_FT_CHARDEV;
    case 0060000: return IC_FT_BLOCKDEV;
    case 0010000: return IC_FT_FIFO;
    case 0140000: return IC_FT_SOCKET;
    default: *ok = 0; return IC_FT_FILE;
    }
}

/* The file's bytes from its newest data chunks; NULL when empty or not read. */
static int assemble(struct yaffs *fs, const struct object *o, struct ic_blob **out)
{
    struct ic_extract *x = fs->x;
    *out = NULL;
    if (o->size == 0 || fs->stop_content)
        return IC_OK;
    uint64_t max = ic_extract_max_file_size(x);
    if (o->size > max) {
        ic_extract_diag(x, IC_DIAG_WARNING, IC_E_LIMIT_FILE_SIZE, (int64_t)o->pos,
                        "%s: claims %llu bytes, over the limit of %llu; content not read", o->path,
                        (unsigned long long)o->size, (unsigned long long)max);
        return IC_OK;
    }
    int rc = ic_extract_charge(x, o->size);
    if (rc) {
        ic_extract_diag(x, IC_DIAG_ERROR, rc, -1, "%s%s: content not read (%s)", o->path,
                        rc == IC_E_LIMIT_FILE_SIZE ? "" : " and later files", ic_error_message(rc));
        if (rc != IC_E_LIMIT_FILE_SIZE)
            fs->stop_content = 1;
        return IC_OK;
    }
    uint8_t *buf = calloc(1, (size_t)o->size);
    if (!buf)
        return IC_E_NOMEM;
    uint64_t covered = 0;
    for (size_t i = o->first; i < o->end; i++) {
        const struct chunk *c = &fs->chunks[i];
        uint64_t off = (uint64_t)(c->id - 1) * fs->data_bytes;
        if (off >= o->size)
            continue;
        uint64_t len = c->nbytes;
        if (len > o->size - off)
            len = o->size - off;
        memcpy(buf + off, x->data + c->pos, (size_t)len);
        covered += len;
    }
    if (covered < o->size)
        warn(fs, IC_E_TRUNCATED, (int64_t)o->pos, "%s: %llu bytes have no data chunk (read as zeros)",
             o->path, (unsigned long long)(o->size - covered));
    rc = ic_blob_from_owned(buf, o->size, out);
    if (rc)
        free(buf);
    return rc;
}

static int emit(struct yaffs *fs, struct object *o)
{
    struct ic_extract *x = fs->x;
    struct ic_entry e;
    memset(&e, 0, sizeof(e));
    e.path = o->path[0] ? o->path : "/";
    e.mode = o->mode & 07777;
    e.uid = o->uid;
    e.gid = o->gid;
    e.mtime = o->mtime;
    struct ic_blob *blob = NULL;
    switch (o->type) {
    case OT_FILE: {
        e.type = IC_FT_FILE;
        e.size = o->size;
        int rc = assemble(fs, o, &blob);
        if (rc)
            return rc;
        e.content = blob;
        break;
    }
    case OT_DIR:
        e.type = IC_FT_DIR;
        break;
    case OT_SYMLINK:
        e.type = IC_FT_SYMLINK;
        e.link = o->alias;
        e.size = strlen(o->alias);
        break;
    case OT_HARDLINK: {
        struct object *t = find_obj(fs, o->equiv);
        if (t && t->type == OT_FILE) {
            int rc = resolve(fs, t, 0);
            if (rc)
                return rc;
        }
        if (!t || t->type != OT_FILE || t->state != 2) {
            warn(fs, IC_E_NOT_FOUND, (int64_t)o->pos, "%s: hard link to missing file object %llu; skipped",
                 e.path, (unsigned long long)o->equiv);
            return IC_OK;
        }
        e.type = IC_FT_HARDLINK;
        e.link = t->path[0] ? t->path : "/";
        e.size = t->size;
        break;
    }
    case OT_SPECIAL: {
        int ok;
        e.type = special_type(o->mode, &ok);
        if (!ok) {
            warn(fs, IC_E_FORMAT, (int64_t)o->pos, "%s: special object of unknown mode 0%llo; skipped",
                 e.path, (unsigned long long)o->mode);
            return IC_OK;
        }
        if (e.type == IC_FT_CHARDEV || e.type == IC_FT_BLOCKDEV) {
            e.dev_major = (o->rdev >> 8) & 0xfff;
            e.dev_minor = (o->rdev & 0xff) | ((o->rdev >> 12) & 0xfff00);
        }
        break;
    }
    default:
        return IC_OK;
    }
    int rc = ic_extract_add_entry(x, &e);
    ic_blob_unref(blob);
    if (rc)
        fs->stop = 1;
    return rc;
}

static int list_tree(struct yaffs *fs)
{
    struct ic_extract *x = fs->x;
    struct object *root = find_obj(fs, OBJ_ROOT);
    struct ic_entry e;
    memset(&e, 0, sizeof(e));
    e.path = "/";
    e.type = IC_FT_DIR;
    e.mode = root ? root->mode & 07777 : 0755;
    e.uid = root ? root->uid : 0;
    e.gid = root ? root->gid : 0;
    e.mtime = root ? root->mtime : 0;
    int rc = ic_extract_add_entry(x, &e);
    for (size_t i = 0; i < fs->obj_count && rc == IC_OK && !fs->stop; i++) {
        struct object *o = &fs->objs[i];
        if (o->id == OBJ_ROOT)
            continue;
        rc = resolve(fs, o, 0);
        if (rc == IC_OK && o->state == 2)
            rc = emit(fs, o);
        if ((i & 255) == 255 && ic_extract_expired(x)) {
            ic_extract_diag(x, IC_DIAG_ERROR, IC_E_LIMIT_TIME, -1,
                            "time limit reached while listing; the listing is partial");
            break;
        }
    }
    return rc;
}

/* ---- the format ---------------------------------------------------------------------- */

static int yaffs2_unpack(struct ic_extract *x)
{
    if (x->size < 512 + TAGS_SIZE)
        return IC_E_BAD_MAGIC;
    struct yaffs fs;
    memset(&fs, 0, sizeof(fs));
    fs.x = x;
    int rc = detect(&fs);
    if (rc)
        return rc;
    uint64_t extent = scan(&fs);
    if (extent < fs.stride)
        extent = fs.stride;
    ic_extract_set_extent(x, extent);
    ic_extract_fs(x);
    rc = IC_OK;
    if (!fs.stop)
        rc = build_objects(&fs);
    if (rc == IC_OK && !fs.stop)
        rc = list_tree(&fs);
    if (fs.reported > MAX_REPORTED)
        ic_extract_diag(x, IC_DIAG_WARNING, IC_E_FORMAT, -1,
                        "%llu problems in all (the first %d are reported)",
                        (unsigned long long)fs.reported, MAX_REPORTED);
    if (rc == IC_E_NOMEM)
        ic_extract_diag(x, IC_DIAG_ERROR, rc, -1, "out of memory; the listing is partial");
    if (fs.g.inband)
        ic_extract_set_info(x, "YAFFS2 %s-endian, %u-byte pages with inband tags, %zu chunks, %zu objects",
                            fs.g.be ? "big" : "little", fs.g.page, fs.chunk_count, fs.obj_count);
    else
        ic_extract_set_info(x, "YAFFS2 %s-endian, %u+%u-byte pages (tags at spare offset %u), %zu chunks, %zu objects",
                            fs.g.be ? "big" : "little", fs.g.page, fs.g.spare, fs.g.tag_off,
                            fs.chunk_count, fs.obj_count);
    for (size_t i = 0; i < fs.obj_count; i++)
        free(fs.objs[i].path);
    free(fs.objs);
    free(fs.chunks);
    return IC_OK;
}

/* The usual first chunk: a header of type 1..5 whose parent is the root (1),
 * then the unused 16-bit checksum 0xffff. (The signature engine takes no
 * literal that starts with a NUL: the big-endian ones start at byte 3.) */

const struct ic_format ic_format_yaffs2 = {
    .name = "yaffs2",
    .description = "YAFFS2 NAND flash file system (with spare areas or inband tags, either byte order)",
    .magics = IC_MAGICS({"\x01\x00\x00\x00\x01\x00\x00\x00\xff\xff", 10, 0},
                        {"\x02\x00\x00\x00\x01\x00\x00\x00\xff\xff", 10, 0},
                        {"\x03\x00\x00\x00\x01\x00\x00\x00\xff\xff", 10, 0},
                        {"\x04\x00\x00\x00\x01\x00\x00\x00\xff\xff", 10, 0},
                        {"\x05\x00\x00\x00\x01\x00\x00\x00\xff\xff", 10, 0},
                        {"\x01\x00\x00\x00\x01\xff\xff", 7, 3},
                        {"\x02\x00\x00\x00\x01\xff\xff", 7, 3},
                        {"\x03\x00\x00\x00\x01\xff\xff", 7, 3},
                        {"\x04\x00\x00\x00\x01\xff\xff", 7, 3},
                        {"\x05\x00\x00\x00\x01\xff\xff", 7, 3}),
    .unpack = yaffs2_unpack,
};
