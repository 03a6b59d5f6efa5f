/* CramFS, the compressed ROM file system, in either byte order.
 *
 * A 76-byte superblock (magic 0x28cd3d45, size, flags, the signature
 * "Compressed ROMFS", fsid {crc, edition, blocks, files}, name, root inode),
 * optionally after 512 bytes of padding for boot code, then 12-byte inodes
 * packed as bit fields (mode 16, uid 16 | size 24, gid 8 | namelen 6,
 * offset 26: least significant first on little-endian images, most
 * significant first on big-endian ones), each followed by its name in
 * 4-byte units. A directory's offset points at its first child, its size is
 * the bytes of its entries. A file's offset points at a table of block
 * pointers, each the end of one zlib-compressed block (4 KiB of output);
 * an empty block is a hole. With CRAMFS_FLAG_EXT_BLOCK_POINTERS a pointer
 * may also mark its block uncompressed and/or direct (an absolute start
 * >> 2; a compressed direct block starts with its 16-bit length). Devices
 * keep their number in size. Offsets count from the start of the image,
 * padding included.
 *
 * Extent: the size the superblock gives (version 2), else the end of the
 * last structure read. Data blocks that overlap each other or the metadata
 * are reported. */
#include "core/array.h"
#include "unpack/format.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define SUPER_SIZE 76
#define PAD_SIZE 512
#define INODE_SIZE 12
#define MAGIC 0x28cd3d45u
#define MAX_DIR_DEPTH 256
#define MAX_SYMLINK 4096
#define MAX_REPORTED 10

enum cramfs_flags {
    FLAG_FSID_VERSION_2 = 0x1,
    FLAG_SORTED_DIRS = 0x2,
    FLAG_HOLES = 0x100,
    FLAG_WRONG_SIGNATURE = 0x200,
    FLAG_SHIFTED_ROOT_OFFSET = 0x400,
    FLAG_EXT_BLOCK_POINTERS = 0x800,
    FLAGS_SUPPORTED = 0xfff,
};

#define BLK_UNCOMPRESSED 0x80000000u
#define BLK_DIRECT 0x40000000u
#define BLK_FLAGS (BLK_UNCOMPRESSED | BLK_DIRECT)

struct cram_inode {
    uint32_t mode, uid, size, gid, namelen, offset;
};

/* A byte range of the image and what it holds, for the overlap check. */
struct span {
    uint64_t start, end;
    uint64_t owner; /* table offset of the file (0: metadata) */
    const char *kind;
};

/* Content already read, by block table offset (open addressing, 0 = free). */
struct cached {
    uint64_t offset;
    uint32_t size;
    struct ic_blob *blob;
};

struct cramfs {
    struct ic_extract *x;
    int be;
    uint64_t sb; /* where the superblock is: 0 or 512 */
    uint64_t avail;
    uint32_t flags;
    uint32_t block_size;
    int block_size_known;
    uint64_t high; /* end of the furthest structure read */
    struct span *spans;
    size_t span_count, span_cap;
    struct cached *cache;
    size_t cache_count, cache_cap;
    uint64_t *dirs_seen;
    size_t dirs_seen_count, dirs_seen_cap;
    unsigned failures;
    uint64_t files;
    int stop, stop_content;
};


static void decode_inode(const uint8_t *p, int be, struct cram_inode *in)
{
    uint32_t w0 = ic_load_u32(p, be), w1 = ic_load_u32(p + 4, be), w2 = ic_load_u32(p + 8, be);
    if (be) {
        in->mode = w0 >> 16;
        in->uid = w0 & 0xffff;
        in->size = w1 >> 8;
        in->gid = w1 & 0xff;
        in->namelen = w2 >> 26;
        in->offset = w2 & 0x3ffffff;
    } else {
        in->mode = w0 & 0xffff;
        in->uid = w0 >> 16;
        in->size = w1 & 0xffffff;
        in->gid = w1 >> 24;
        in->namelen = w2 & 0x3f;
        in->offset = w2 >> 6;
    }
}

static void note_span(struct cramfs *c, uint64_t start, uint64_t end, uint64_t owner,
                      const char *kind)
{
    if (end > c->high)
        c->high = end;
    if (end <= start)
        return;
    if (ic_array_grow((void **)&c->spans, &c->span_cap, c->span_count, sizeof(*c->spans)))
        return;
    c->spans[c->span_count++] = (struct span){start, end, owner, kind};
}

static void fail(struct cramfs *c, int code, uint64_t offset, const char *path, const char *detail)
{
    if (c->failures++ < MAX_REPORTED * 3)
        ic_extract_diag(c->x, IC_DIAG_ERROR, code, (int64_t)offset, "%s: %s", path, detail);
}

/* ---- file data ----------------------------------------------------------------- */

/* Inflates one zlib block into out (capacity cap); returns bytes produced or -1. */
static long inflate_block(const uint8_t *in, uint64_t in_len, uint8_t *out, size_t cap)
{
    z_stream z = {0};
    if (inflateInit(&z) != Z_OK)
        return -1;
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)in_len;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    int rc = inflate(&z, Z_FINISH);
    long produced = (long)(cap - z.avail_out);
    inflateEnd(&z);
    if (rc != Z_STREAM_END)
        return -1;
    return produced;
}

/* Finds the block size from a file of more than one block: the first block
 * of a standard table decompresses to exactly one block. */
static void detect_block_size(struct cramfs *c, const struct cram_inode *in)
{
    if (c->block_size_known || (c->flags & FLAG_EXT_BLOCK_POINTERS) || in->size <= 4096)
        return;
    uint8_t *scratch = malloc(65536 * 2);
    if (!scratch)
        return;
    uint64_t table = (uint64_t)in->offset * 4;
    for (uint32_t bs = 4096; bs <= 65536; bs *= 2) {
        uint64_t nblocks = ((uint64_t)in->size + bs - 1) / bs;
        uint64_t table_end = table + nblocks * 4;
        if (!ic_range_ok(table, nblocks * 4, c->avail))
            continue;
        /* The first block that is not a hole (at most 8 looked at). */
        uint64_t start = table_end;
        for (uint64_t i = 0; i < nblocks && i < 8; i++) {
            uint32_t end = ic_load_u32(c->x->data + table + 4 * i, c->be);
            if (end < start || end > c->avail || end - start > 2ULL * bs)
                break;
            if (end == start)
                continue;
            long got = inflate_block(c->x->data + start, end - start, scratch, 65536 * 2);
            uint64_t left = in->size - i * bs;
            if (got >= 0 && (uint64_t)got == (left < bs ? left : bs)) {
                c->block_size = bs;
                c->block_size_known = 1;
            }
            break;
        }
        if (c->block_size_known)
            break;
    }
    free(scratch);
}

/* Reads the data of a file or symlink: size bytes from the block table at
 * offset. *out is NULL when nothing could be read. */
static int read_data(struct cramfs *c, const struct cram_inode *in, const char *path,
                     uint8_t **out)
{
    *out = NULL;
    const uint8_t *d = c->x->data;
    uint32_t bs = c->block_size;
    uint64_t size = in->size;
    uint64_t nblocks = (size + bs - 1) / bs;
    uint64_t table = (uint64_t)in->offset * 4;
    if (!ic_range_ok(table, nblocks * 4, c->avail)) {
        fail(c, IC_E_TRUNCATED, table, path, "block table lies outside the image");
        return IC_OK;
    }
    note_span(c, table, table + nblocks * 4, table, "block table");
    uint8_t *buf = calloc(1, (size_t)size);
    uint8_t *scratch = malloc(2 * (size_t)bs);
    if (!buf || !scratch) {
        free(buf);
        free(scratch);
        return IC_E_NOMEM;
    }
    int ext = (c->flags & FLAG_EXT_BLOCK_POINTERS) != 0;
    uint64_t prev_end = table + nblocks * 4;
    unsigned bad = 0;
    for (uint64_t i = 0; i < nblocks; i++) {
        uint32_t ptr = ic_load_u32(d + table + 4 * i, c->be);
        uint64_t want = size - i * bs < bs ? size - i * bs : bs;
        int uncompressed = 0;
        uint64_t start, len, next;
        if (ext && (ptr & BLK_DIRECT)) {
            uncompressed = (ptr & BLK_UNCOMPRESSED) != 0;
            start = (uint64_t)(ptr & ~BLK_FLAGS) << 2;
            if (uncompressed) {
                len = want;
                next = start + bs;
            } else {
                if (!ic_range_ok(start, 2, c->avail)) {
                    bad++;
                    fail(c, IC_E_TRUNCATED, table + 4 * i, path,
                         "direct block lies outside the image");
                    break;
                }
                len = ic_load_u16(d + start, c->be);
                note_span(c, start, start + 2, table, "data");
                start += 2;
                next = start + len;
            }
        } else {
            if (ext)
                uncompressed = (ptr & BLK_UNCOMPRESSED) != 0;
            uint64_t end = ext ? (ptr & ~BLK_FLAGS) : ptr;
            start = prev_end;
            if (end < start) {
                bad++;
                fail(c, IC_E_FORMAT, table + 4 * i, path,
                     "block pointer goes backwards");
                break;
            }
            len = end - start;
            next = end;
        }
        prev_end = next;
        if (len == 0)
            continue; /* a hole */
        if (!ic_range_ok(start, len, c->avail)) {
            bad++;
            fail(c, IC_E_TRUNCATED, start, path, "data block lies outside the image");
            break;
        }
        note_span(c, start, start + len, table, "data");
        if (len > 2ULL * bs || (uncompressed && len > bs)) {
            bad++;
            fail(c, IC_E_FORMAT, start, path, "data block larger than possible");
            continue;
        }
        if (uncompressed) {
            memcpy(buf + i * bs, d + start, (size_t)(len < want ? len : want));
            continue;
        }
        long got = inflate_block(d + start, len, scratch, 2 * (size_t)bs);
        if (got < 0) {
            bad++;
            fail(c, IC_E_DECOMPRESS, start, path, "zlib block does not decompress");
            continue;
        }
        memcpy(buf + i * bs, scratch, (size_t)((uint64_t)got < want ? (uint64_t)got : want));
    }
    free(scratch);
    *out = buf;
    (void)bad;
    return IC_OK;
}

/* The slot of table offset key (non-zero): its entry, or the free slot where it goes. */
static struct cached *cache_slot(struct cramfs *c, uint64_t key)
{
    if (!c->cache_cap)
        return NULL;
    size_t mask = c->cache_cap - 1;
    for (size_t i = (size_t)((key * 0x9e3779b97f4a7c15ULL) >> 20) & mask;; i = (i + 1) & mask)
        if (c->cache[i].offset == key || c->cache[i].offset == 0)
            return &c->cache[i];
}

static int cache_reserve(struct cramfs *c)
{
    if ((c->cache_count + 1) * 2 <= c->cache_cap)
        return IC_OK;
    size_t ncap = c->cache_cap ? c->cache_cap * 2 : 256;
    struct cached *old = c->cache;
    size_t old_cap = c->cache_cap;
    c->cache = calloc(ncap, sizeof(*c->cache));
    if (!c->cache) {
        c->cache = old;
        return IC_E_NOMEM;
    }
    c->cache_cap = ncap;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i].offset)
            *cache_slot(c, old[i].offset) = old[i];
    free(old);
    return IC_OK;
}

/* The content of a regular file as a blob (shared by files with the same data). */
static int file_content(struct cramfs *c, const struct cram_inode *in, const char *path,
                        struct ic_blob **out)
{
    *out = NULL;
    if (in->size == 0)
        return IC_OK;
    uint64_t table = (uint64_t)in->offset * 4;
    struct cached *hit = cache_slot(c, table);
    if (hit && hit->offset == table) {
        if (hit->size == in->size) {
            *out = ic_blob_ref(hit->blob);
            return IC_OK;
        }
    }
    if (c->stop_content)
        return IC_OK;
    int rc = ic_extract_charge(c->x, in->size);
    if (rc) {
        ic_extract_diag(c->x, IC_DIAG_ERROR, rc, -1, "%s%s: content not read (%s)", path,
                        rc == IC_E_LIMIT_FILE_SIZE ? "" : " and later files",
                        ic_error_message(rc));
        if (rc != IC_E_LIMIT_FILE_SIZE)
            c->stop_content = 1;
        return IC_OK;
    }
    detect_block_size(c, in);
    uint8_t *data = NULL;
    rc = read_data(c, in, path, &data);
    if (rc || !data)
        return rc;
    rc = ic_blob_from_owned(data, in->size, out);
    if (rc) {
        free(data);
        return rc;
    }
    if (cache_reserve(c) == IC_OK) {
        hit = cache_slot(c, table);
        if (hit->offset == 0) {
            *hit = (struct cached){table, in->size, ic_blob_ref(*out)};
            c->cache_count++;
        }
    }
    return IC_OK;
}

/* ---- the tree ------------------------------------------------------------------- */

struct dir_job {
    char *path;
    uint64_t start, end;
    unsigned depth;
};

struct walk {
    struct dir_job *jobs;
    size_t count, cap;
};

static int add(struct cramfs *c, const struct ic_entry *e)
{
    int rc = ic_extract_add_entry(c->x, e);
    if (rc)
        c->stop = 1;
    else
        c->files++;
    return rc;
}

static int dir_seen(struct cramfs *c, uint64_t offset)
{
    for (size_t i = 0; i < c->dirs_seen_count; i++)
        if (c->dirs_seen[i] == offset)
            return 1;
    if (!ic_array_grow((void **)&c->dirs_seen, &c->dirs_seen_cap, c->dirs_seen_count,
              sizeof(*c->dirs_seen)))
        c->dirs_seen[c->dirs_seen_count++] = offset;
    return 0;
}

static int emit(struct cramfs *c, struct walk *w, const char *path, const struct cram_inode *in,
                unsigned depth)
{
    struct ic_entry e;
    memset(&e, 0, sizeof(e));
    e.path = path[0] ? path : "/";
    e.mode = in->mode & 07777;
    e.uid = in->uid;
    e.gid = in->gid;
    switch (in->mode & 0170000) {
    case 0040000: {
        e.type = IC_FT_DIR;
        int rc = add(c, &e);
        if (rc || in->size == 0)
            return rc;
        uint64_t start = (uint64_t)in->offset * 4;
        if (!ic_range_ok(start, in->size, c->avail) || start < c->sb + SUPER_SIZE) {
            fail(c, IC_E_TRUNCATED, start, e.path, "directory lies outside the image");
            return IC_OK;
        }
        if (depth >= MAX_DIR_DEPTH) {
            ic_extract_diag(c->x, IC_DIAG_WARNING, IC_E_LIMIT_DEPTH, (int64_t)start,
                            "%s: directories nested deeper than %d are not listed", e.path,
                            MAX_DIR_DEPTH);
            return IC_OK;
        }
        if (dir_seen(c, start)) {
            ic_extract_diag(c->x, IC_DIAG_WARNING, IC_E_LOOP, (int64_t)start,
                            "%s: directory already listed (loop or shared); not listed again",
                            e.path);
            return IC_OK;
        }
        note_span(c, start, start + in->size, 0, "directory");
        if (ic_array_grow((void **)&w->jobs, &w->cap, w->count, sizeof(*w->jobs)))
            return IC_E_NOMEM;
        char *copy = strdup(path);
        if (!copy)
            return IC_E_NOMEM;
        w->jobs[w->count++] = (struct dir_job){copy, start, start + in->size, depth + 1};
        return IC_OK;
    }
    case 0100000: {
        e.type = IC_FT_FILE;
        e.size = in->size;
        int rc = file_content(c, in, e.path, &e.content);
        if (rc)
            return rc;
        rc = add(c, &e);
        ic_blob_unref(e.content);
        return rc;
    }
    case 0120000: {
        e.type = IC_FT_SYMLINK;
        if (in->size > MAX_SYMLINK) {
            fail(c, IC_E_FORMAT, (uint64_t)in->offset * 4, e.path,
                 "symbolic link target too long");
            return IC_OK;
        }
        uint8_t *data = NULL;
        if (in->size) {
            int rc = read_data(c, in, e.path, &data);
            if (rc)
                return rc;
        }
        char target[MAX_SYMLINK + 1];
        size_t n = data ? in->size : 0;
        if (n)
            memcpy(target, data, n);
        target[n] = '\0';
        free(data);
        e.link = target;
        e.size = strlen(target);
        return add(c, &e);
    }
    case 0020000:
    case 0060000:
        e.type = (in->mode & 0170000) == 0020000 ? IC_FT_CHARDEV : IC_FT_BLOCKDEV;
        e.dev_major = (in->size >> 8) & 0xfff;
        e.dev_minor = (in->size & 0xff) | ((in->size >> 12) & 0xfff00);
        return add(c, &e);
    case 0010000:
        e.type = IC_FT_FIFO;
        return add(c, &e);
    case 0140000:
        e.type = IC_FT_SOCKET;
        return add(c, &e);
    default:
        fail(c, IC_E_FORMAT, 0, e.path, "unknown file type");
        return IC_OK;
    }
}

static int list_dir(struct cramfs *c, struct walk *w, const struct dir_job *job)
{
    const uint8_t *d = c->x->data;
    size_t dir_len = strlen(job->path);
    const char *shown = job->path[0] ? job->path : "/";
    uint64_t pos = job->start;
    unsigned n = 0;
    while (pos < job->end && !c->stop) {
        if ((++n & 255) == 0 && ic_extract_expired(c->x)) {
            ic_extract_diag(c->x, IC_DIAG_ERROR, IC_E_LIMIT_TIME, -1,
                            "time limit reached while listing; the listing is partial");
            c->stop = 1;
            return IC_E_LIMIT_TIME;
        }
        if (job->end - pos < INODE_SIZE) {
            fail(c, IC_E_TRUNCATED, pos, shown, "directory ends inside an entry");
            return IC_OK;
        }
        struct cram_inode in;
        decode_inode(d + pos, c->be, &in);
        uint64_t name_len = (uint64_t)in.namelen * 4;
        if (in.namelen == 0 || name_len > job->end - pos - INODE_SIZE) {
            fail(c, IC_E_FORMAT, pos, shown, "entry name does not fit the directory");
            return IC_OK;
        }
        const char *name = (const char *)d + pos + INODE_SIZE;
        size_t len = strnlen(name, (size_t)name_len);
        pos += INODE_SIZE + name_len;
        if (len == 0 || memchr(name, '/', len) || (len == 1 && name[0] == '.') ||
            (len == 2 && name[0] == '.' && name[1] == '.')) {
            ic_extract_diag(c->x, IC_DIAG_WARNING, IC_E_UNSAFE_PATH, (int64_t)pos,
                            "%s: entry with an invalid name skipped", shown);
            continue;
        }
        char *path = malloc(dir_len + len + 2);
        if (!path)
            return IC_E_NOMEM;
        memcpy(path, job->path, dir_len);
        path[dir_len] = '/';
        memcpy(path + dir_len + 1, name, len);
        path[dir_len + 1 + len] = '\0';
        int rc = emit(c, w, path, &in, job->depth);
        free(path);
        if (rc)
            return rc;
    }
    return IC_OK;
}

static int span_cmp(const void *a, const void *b)
{
    const struct span *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return (x->end > y->end) - (x->end < y->end);
}

/* Reports data that overlaps other data or the metadata. Files sharing one
 * block table (identical content) share their blocks legitimately. */
static void check_overlaps(struct cramfs *c)
{
    if (c->span_count < 2)
        return;
    qsort(c->spans, c->span_count, sizeof(*c->spans), span_cmp);
    size_t reach = 0; /* the span reaching furthest so far */
    uint64_t overlaps = 0;
    for (size_t i = 1; i < c->span_count; i++) {
        const struct span *a = &c->spans[reach], *b = &c->spans[i];
        int same = a->start == b->start && a->end == b->end && a->owner == b->owner &&
                   strcmp(a->kind, b->kind) == 0;
        if (b->start < a->end && !same) {
            if (overlaps++ < MAX_REPORTED)
                ic_extract_diag(c->x, IC_DIAG_ERROR, IC_E_FORMAT, (int64_t)b->start,
                                "%s at 0x%llx..0x%llx overlaps %s at 0x%llx..0x%llx", b->kind,
                                (unsigned long long)b->start, (unsigned long long)b->end,
                                a->kind, (unsigned long long)a->start,
                                (unsigned long long)a->end);
        }
        if (b->end > a->end)
            reach = i;
    }
    if (overlaps > MAX_REPORTED)
        ic_extract_diag(c->x, IC_DIAG_ERROR, IC_E_FORMAT, -1,
                        "%llu overlapping blocks in all (the first %d are reported)",
                        (unsigned long long)overlaps, MAX_REPORTED);
}

static int magic_at(const uint8_t *p, int *be)
{
    if (ic_load_u32le(p) == MAGIC) {
        *be = 0;
        return 1;
    }
    if (ic_load_u32be(p) == MAGIC) {
        *be = 1;
        return 1;
    }
    return 0;
}

static int cramfs_unpack(struct ic_extract *x)
{
    struct cramfs c = {.x = x, .block_size = 4096};
    if (x->size >= SUPER_SIZE && magic_at(x->data, &c.be))
        c.sb = 0;
    else if (x->size >= PAD_SIZE + SUPER_SIZE && magic_at(x->data + PAD_SIZE, &c.be))
        c.sb = PAD_SIZE;
    else
        return IC_E_BAD_MAGIC;
    const uint8_t *sb = x->data + c.sb;
    if (memcmp(sb + 16, "Compressed ROMFS", 16) != 0)
        return IC_E_BAD_MAGIC;
    uint32_t size = ic_load_u32(sb + 4, c.be);
    c.flags = ic_load_u32(sb + 8, c.be);
    struct cram_inode root;
    decode_inode(sb + 64, c.be, &root);
    uint64_t root_offset = (uint64_t)root.offset * 4;
    if ((root.mode & 0170000) != 0040000)
        return IC_E_FORMAT;
    if (!(c.flags & FLAG_SHIFTED_ROOT_OFFSET) && root_offset != 0 &&
        root_offset != c.sb + SUPER_SIZE)
        return IC_E_FORMAT; /* e.g. an unpadded image seen from 512 bytes before it */

    int v2 = (c.flags & FLAG_FSID_VERSION_2) != 0;
    uint64_t extent = x->size;
    if (v2) {
        if (size < c.sb + SUPER_SIZE)
            return IC_E_FORMAT;
        if (size > x->size)
            ic_extract_diag(x, IC_DIAG_ERROR, IC_E_TRUNCATED, (int64_t)x->size,
                            "image is truncated: %llu of %u bytes present",
                            (unsigned long long)x->size, size);
        else
            extent = size;
    }
    c.avail = extent;
    if (c.flags & ~(uint32_t)FLAGS_SUPPORTED)
        ic_extract_diag(x, IC_DIAG_WARNING, IC_E_UNSUPPORTED, (int64_t)c.sb + 8,
                        "unknown flags 0x%x", c.flags & ~(uint32_t)FLAGS_SUPPORTED);
    if (v2 && size <= x->size) {
        uLong crc = crc32(0L, Z_NULL, 0);
        static const uint8_t zero[4] = {0};
        /* Over [superblock, size) with the CRC field zeroed; the pad is not included. */
        crc = crc32(crc, x->data + c.sb, 32);
        crc = crc32(crc, zero, 4);
        uint64_t rest = size - (c.sb + 36);
        const uint8_t *p = x->data + c.sb + 36;
        while (rest > 0) {
            uInt piece = rest > (1u << 30) ? (1u << 30) : (uInt)rest;
            crc = crc32(crc, p, piece);
            p += piece;
            rest -= piece;
        }
        if ((uint32_t)crc != ic_load_u32(sb + 32, c.be))
            ic_extract_diag(x, IC_DIAG_WARNING, IC_E_CHECKSUM, (int64_t)c.sb + 32,
                            "image CRC mismatch (stored 0x%08x, computed 0x%08x)",
                            ic_load_u32(sb + 32, c.be), (unsigned)crc);
    }
    note_span(&c, 0, c.sb + SUPER_SIZE, 0, "superblock");
    ic_extract_fs(x);

    struct walk w = {0};
    int rc = emit(&c, &w, "", &root, 0);
    while (rc == IC_OK && w.count > 0 && !c.stop) {
        struct dir_job job = w.jobs[--w.count];
        rc = list_dir(&c, &w, &job);
        free(job.path);
    }
    for (size_t i = 0; i < w.count; i++)
        free(w.jobs[i].path);
    free(w.jobs);
    if (rc == IC_E_NOMEM)
        ic_extract_diag(x, IC_DIAG_ERROR, rc, -1, "out of memory; the listing is partial");
    check_overlaps(&c);
    if (c.failures > MAX_REPORTED * 3)
        ic_extract_diag(x, IC_DIAG_ERROR, IC_E_FORMAT, -1,
                        "%u damaged structures in all (the first %d are reported)", c.failures,
                        MAX_REPORTED * 3);

    if (!v2) {
        /* Version 1 gives no reliable size: up to the last structure read. */
        extent = c.high < x->size ? c.high : x->size;
        if (extent < c.sb + SUPER_SIZE)
            extent = c.sb + SUPER_SIZE;
    }
    ic_extract_set_extent(x, extent);
    ic_extract_set_info(x, "CramFS %s-endian%s, %llu entries, block %u%s%s",
                        c.be ? "big" : "little", v2 ? "" : " (version 1)",
                        (unsigned long long)c.files, c.block_size,
                        c.flags & FLAG_EXT_BLOCK_POINTERS ? ", extended block pointers" : "",
                        c.sb ? ", 512-byte pad" : "");
    for (size_t i = 0; i < c.cache_cap; i++)
        ic_blob_unref(c.cache[i].blob);
    free(c.cache);
    free(c.spans);
    free(c.dirs_seen);
    return IC_OK;
}

const struct ic_format ic_format_cramfs = {
    .name = "cramfs",
    .description = "CramFS compressed ROM file system (either byte order)",
    .magics = IC_MAGICS({"\x45\x3d\xcd\x28", 4, 0}, {"\x28\xcd\x3d\x45", 4, 0},
                        {"\x45\x3d\xcd\x28", 4, PAD_SIZE}, {"\x28\xcd\x3d\x45", 4, PAD_SIZE}),
    .unpack = cramfs_unpack,
};
