/* JFFS2, the journalling flash file system, in either byte order.
 *
 * An image is a log of nodes, each 4-byte aligned and starting with a
 * 12-byte header (magic 0x1985, node type, total length, header CRC). Inode
 * nodes carry a version, the inode's attributes and one compressed range of
 * its data; directory entry nodes name an inode inside a parent. The newest
 * version of each piece wins. Erased flash (0xff), cleanmarkers, padding
 * and summary nodes are skipped; nodes whose CRCs fail are reported and not
 * trusted. CRCs are CRC-32 (reflected 0xedb88320) seeded with 0 and not
 * inverted at the end: zlib's crc32(~0, ...) ^ ~0.
 *
 * Extent: from the first node to the end of the last valid node, extended
 * to the end of its erase block when the rest of that block is erased
 * (0xff). The scan ends after more than an erase block (at least 64 KiB) of
 * data that holds no valid node; erased runs do not count, so free blocks
 * inside a flash dump do not end it. The erase size is the distance between
 * cleanmarkers, or else the smallest power of two no valid node crosses. */
#include "core/array.h"
#include "unpack/flash/flash.h"
#include "unpack/format.h"

#include <lzma.h>
#include <lzo/lzo1x.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define NODE_HEADER 12
#define INODE_HEADER 68
#define DIRENT_HEADER 40
#define MAGIC 0x1985
/* A node longer than this is not believed (erase blocks are smaller). */
#define MAX_NODE_LEN (16u << 20)
/* Uncompressed bytes of one inode node (a page in practice). */
#define MAX_NODE_DATA (1u << 20)
#define MIN_GAP (64u << 10)
#define MAX_SYMLINK 4096
#define MAX_DIR_DEPTH 256
#define MAX_REPORTED 20

enum node_type {
    NT_DIRENT = 0xe001,
    NT_INODE = 0xe002,
    NT_CLEANMARKER = 0x2003,
    NT_PADDING = 0x2004,
    NT_SUMMARY = 0x2006,
    NT_XATTR = 0xe008,
    NT_XREF = 0xe009,
};
#define NODE_ACCURATE 0x2000
#define FEATURE_MASK 0xc000
#define FEATURE_INCOMPAT 0xc000

enum compression {
    COMPR_NONE = 0,
    COMPR_ZERO = 1,
    COMPR_RTIME = 2,
    COMPR_RUBINMIPS = 3,
    COMPR_COPY = 4,
    COMPR_DYNRUBIN = 5,
    COMPR_ZLIB = 6,
    COMPR_LZO = 7,
    COMPR_LZMA = 8,
};

struct inode_node {
    uint32_t ino, version, mode, uid, gid, isize, mtime, offset, csize, dsize;
    uint8_t compr;
    uint64_t pos; /* node start in the image */
};

struct dirent_node {
    uint32_t pino, version, ino;
    uint8_t type, nsize;
    uint64_t pos;
};

struct jffs2 {
    struct ic_extract *x;
    int be;
    struct inode_node *inodes;
    size_t inode_count, inode_cap;
    struct dirent_node *dirents;
    size_t dirent_count, dirent_cap;
    struct dirent_node *live; /* newest entry per (parent, name), deletions dropped */
    size_t live_count;
    uint64_t nodes, bad_nodes, reported;
    uint32_t erase_size;
    int stop;         /* a file count limit or allocation failure: add nothing more */
    int stop_content; /* a whole-input byte limit: read no more content */
};

/* ---- CRC and small helpers -------------------------------------------------- */

static uint32_t jffs2_crc(const uint8_t *p, size_t n)
{
    uLong c = 0xffffffffUL;
    while (n > 0) {
        uInt piece = n > (1u << 30) ? (1u << 30) : (uInt)n;
        c = crc32(c, p, piece);
        p += piece;
        n -= piece;
    }
    return (uint32_t)(c ^ 0xffffffffUL);
}

static uint32_t u32_at(const struct jffs2 *fs, const uint8_t *p)
{
    return ic_load_u32(p, fs->be);
}

static uint16_t u16_at(const struct jffs2 *fs, const uint8_t *p)
{
    return ic_load_u16(p, fs->be);
}

static void bad_node(struct jffs2 *fs, int code, uint64_t pos, const char *what)
{
    fs->bad_nodes++;
    if (fs->reported++ < MAX_REPORTED)
        ic_extract_diag(fs->x, IC_DIAG_WARNING, code, (int64_t)pos, "node at 0x%llx: %s; ignored",
                        (unsigned long long)pos, what);
}

/* ---- the node scan ------------------------------------------------------------- */

/* Whether a valid node header (magic, known accurate type, CRC) starts at pos. */
static int header_ok(const struct jffs2 *fs, const uint8_t *p, uint64_t left)
{
    if (left < NODE_HEADER || u16_at(fs, p) != MAGIC)
        return 0;
    return jffs2_crc(p, 8) == u32_at(fs, p + 8);
}

static void parse_inode(struct jffs2 *fs, const uint8_t *p, uint32_t totlen, uint64_t pos)
{
    if (totlen < INODE_HEADER) {
        bad_node(fs, IC_E_FORMAT, pos, "inode node too short");
        return;
    }
    if (jffs2_crc(p, 60) != u32_at(fs, p + 64)) {
        bad_node(fs, IC_E_CHECKSUM, pos, "inode node CRC mismatch");
        return;
    }
    struct inode_node n = {
        .ino = u32_at(fs, p + 12),
        .version = u32_at(fs, p + 16),
        .mode = u32_at(fs, p + 20),
        .uid = u16_at(fs, p + 24),
        .gid = u16_at(fs, p + 26),
        .isize = u32_at(fs, p + 28),
        .mtime = u32_at(fs, p + 36),
        .offset = u32_at(fs, p + 44),
        .csize = u32_at(fs, p + 48),
        .dsize = u32_at(fs, p + 52),
        .compr = p[56],
        .pos = pos,
    };
    if (n.csize > totlen - INODE_HEADER) {
        bad_node(fs, IC_E_FORMAT, pos, "inode data longer than its node");
        return;
    }
    if (jffs2_crc(p + INODE_HEADER, n.csize) != u32_at(fs, p + 60)) {
        bad_node(fs, IC_E_CHECKSUM, pos, "inode data CRC mismatch");
        return;
    }
    if (n.ino == 0) {
        bad_node(fs, IC_E_FORMAT, pos, "inode number 0");
        return;
    }
    if (ic_array_grow((void **)&fs->inodes, &fs->inode_cap, fs->inode_count, sizeof(n))) {
        fs->stop = 1;
        return;
    }
    fs->inodes[fs->inode_count++] = n;
}

static void parse_dirent(struct jffs2 *fs, const uint8_t *p, uint32_t totlen, uint64_t pos)
{
    if (totlen < DIRENT_HEADER) {
        bad_node(fs, IC_E_FORMAT, pos, "directory entry node too short");
        return;
    }
    if (jffs2_crc(p, 32) != u32_at(fs, p + 32)) {
        bad_node(fs, IC_E_CHECKSUM, pos, "directory entry CRC mismatch");
        return;
    }
    struct dirent_node d = {
        .pino = u32_at(fs, p + 12),
        .version = u32_at(fs, p + 16),
        .ino = u32_at(fs, p + 20),
        .nsize = p[28],
        .type = p[29],
        .pos = pos,
    };
    if (d.nsize == 0 || d.nsize > totlen - DIRENT_HEADER) {
        bad_node(fs, IC_E_FORMAT, pos, "directory entry name does not fit its node");
        return;
    }
    if (jffs2_crc(p + DIRENT_HEADER, d.nsize) != u32_at(fs, p + 36)) {
        bad_node(fs, IC_E_CHECKSUM, pos, "directory entry name CRC mismatch");
        return;
    }
    if (ic_array_grow((void **)&fs->dirents, &fs->dirent_cap, fs->dirent_count, sizeof(d))) {
        fs->stop = 1;
        return;
    }
    fs->dirents[fs->dirent_count++] = d;
}

static int all_erased(const uint8_t *p, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        if (p[i] != 0xff)
            return 0;
    return 1;
}

/* Walks the log; returns the extent. */
static uint64_t scan_nodes(struct jffs2 *fs)
{
    struct ic_extract *x = fs->x;
    const uint8_t *d = x->data;
    uint64_t size = x->size & ~(uint64_t)3;
    uint64_t pos = 0, last_end = 0, junk = 0;
    uint64_t prev_marker = UINT64_MAX;
    uint32_t marker_gap = 0;
    int incompat_reported = 0;
    /* Erase sizes 4 KiB .. 2 MiB that no valid node crosses. */
    uint32_t consistent = 0x3ff;

    while (pos + NODE_HEADER <= size && !fs->stop) {
        uint64_t gap_limit = fs->erase_size > MIN_GAP ? fs->erase_size : MIN_GAP;
        if (junk > gap_limit)
            break;
        const uint8_t *p = d + pos;
        if (p[0] == 0xff && p[1] == 0xff && p[2] == 0xff && p[3] == 0xff) {
            pos += 4;
            continue;
        }
        if (!header_ok(fs, p, size - pos)) {
            if (u16_at(fs, p) == MAGIC && pos + NODE_HEADER <= size && junk == 0 && last_end)
                bad_node(fs, IC_E_CHECKSUM, pos, "header CRC mismatch");
            pos += 4;
            junk += 4;
            continue;
        }
        uint16_t type = u16_at(fs, p + 2);
        uint32_t totlen = u32_at(fs, p + 4);
        if (totlen < NODE_HEADER || totlen > MAX_NODE_LEN) {
            bad_node(fs, IC_E_FORMAT, pos, "impossible node length");
            pos += 4;
            junk += 4;
            continue;
        }
        if (totlen > x->size - pos) {
            ic_extract_diag(x, IC_DIAG_ERROR, IC_E_TRUNCATED, (int64_t)pos,
                            "node at 0x%llx runs %u bytes past the end of the image",
                            (unsigned long long)pos, (unsigned)(totlen - (x->size - pos)));
            break;
        }
        if ((++fs->nodes & 4095) == 0 && ic_extract_expired(x)) {
            ic_extract_diag(x, IC_DIAG_ERROR, IC_E_LIMIT_TIME, (int64_t)pos,
                            "time limit reached while scanning nodes; the rest is not read");
            break;
        }
        if (type & NODE_ACCURATE) {
            switch (type) {
            case NT_INODE:
                parse_inode(fs, p, totlen, pos);
                break;
            case NT_DIRENT:
                parse_dirent(fs, p, totlen, pos);
                break;
            case NT_CLEANMARKER:
                if (prev_marker != UINT64_MAX && pos > prev_marker &&
                    (marker_gap == 0 || pos - prev_marker < marker_gap) &&
                    pos - prev_marker <= (2u << 20))
                    marker_gap = (uint32_t)(pos - prev_marker);
                prev_marker = pos;
                if (marker_gap && (marker_gap & (marker_gap - 1)) == 0)
                    fs->erase_size = marker_gap;
                break;
            case NT_PADDING:
            case NT_SUMMARY:
            case NT_XATTR:
            case NT_XREF:
                break;
            default:
                if ((type & FEATURE_MASK) == FEATURE_INCOMPAT && !incompat_reported++)
                    ic_extract_diag(x, IC_DIAG_WARNING, IC_E_UNSUPPORTED, (int64_t)pos,
                                    "node type 0x%04x is unknown and marked incompatible", type);
                break;
            }
        }
        uint64_t end = pos + totlen;
        for (unsigned k = 0; k < 10; k++) {
            uint64_t e = 4096ULL << k;
            if (pos / e != (end - 1) / e)
                consistent &= ~(1u << k);
        }
        last_end = end;
        pos = (end + 3) & ~(uint64_t)3;
        junk = 0;
    }
    if (!fs->erase_size) {
        fs->erase_size = 4096u << 9;
        for (unsigned k = 0; k < 10; k++)
            if (consistent & (1u << k)) {
                fs->erase_size = 4096u << k;
                break;
            }
    }
    uint64_t extent = last_end;
    uint64_t block_end = (last_end + fs->erase_size - 1) / fs->erase_size * fs->erase_size;
    if (block_end > x->size)
        block_end = x->size;
    if (block_end > last_end && all_erased(d + last_end, block_end - last_end)) {
        extent = block_end;
        /* Free erase blocks after it belong to the partition too. */
        while (x->size - extent >= fs->erase_size && all_erased(d + extent, fs->erase_size))
            extent += fs->erase_size;
    }
    return extent;
}

/* ---- decompression ----------------------------------------------------------------- */

static pthread_once_t lzo_once = PTHREAD_ONCE_INIT;
static int lzo_ready;

static void lzo_setup(void)
{
    lzo_ready = lzo_init() == LZO_E_OK;
}

/* JFFS2's "rtime": each input pair (byte, count) emits the byte, then copies
 * count bytes from just after where that byte value was last emitted. */
static int rtime_decode(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_len)
{
    size_t last[256] = {0};
    size_t o = 0, i = 0;
    while (o < out_len) {
        if (in_len - i < 2)
            return IC_E_DECOMPRESS;
        uint8_t value = in[i++];
        uint8_t repeat = in[i++];
        out[o++] = value;
        size_t from = last[value];
        last[value] = o;
        if (repeat > out_len - o)
            return IC_E_DECOMPRESS;
        for (unsigned r = 0; r < repeat; r++)
            out[o++] = out[from++]; /* from < o always: byte by byte overlaps correctly */
    }
    return IC_OK;
}

static int zlib_decode(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_len)
{
    z_stream z = {0};
    if (inflateInit(&z) != Z_OK)
        return IC_E_NOMEM;
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)in_len;
    z.next_out = out;
    z.avail_out = (uInt)out_len;
    int zrc = inflate(&z, Z_FINISH);
    size_t produced = out_len - z.avail_out;
    inflateEnd(&z);
    if ((zrc != Z_STREAM_END && zrc != Z_OK && zrc != Z_BUF_ERROR) || produced != out_len)
        return IC_E_DECOMPRESS;
    return IC_OK;
}

static int lzo_decode(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_len)
{
    pthread_once(&lzo_once, lzo_setup);
    if (!lzo_ready)
        return IC_E_INTERNAL;
    lzo_uint produced = out_len;
    int rc = lzo1x_decompress_safe(in, in_len, out, &produced, NULL);
    if ((rc != LZO_E_OK && rc != LZO_E_INPUT_NOT_CONSUMED) || produced != out_len)
        return IC_E_DECOMPRESS;
    return IC_OK;
}

/* The OpenWrt JFFS2 LZMA variant: a raw LZMA1 stream, no header, with fixed
 * properties lc=0 lp=0 pb=0 and an 8 KiB dictionary; ends at dsize bytes. */
static int lzma_decode(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_len)
{
    lzma_options_lzma opt;
    memset(&opt, 0, sizeof(opt));
    opt.dict_size = 0x2000;
    opt.lc = 0;
    opt.lp = 0;
    opt.pb = 0;
    lzma_filter filters[2] = {{LZMA_FILTER_LZMA1, &opt}, {LZMA_VLI_UNKNOWN, NULL}};
    lzma_stream s = LZMA_STREAM_INIT;
    if (lzma_raw_decoder(&s, filters) != LZMA_OK)
        return IC_E_NOMEM;
    s.next_in = in;
    s.avail_in = in_len;
    s.next_out = out;
    s.avail_out = out_len;
    lzma_ret rc = LZMA_OK;
    while (rc == LZMA_OK && s.avail_out > 0) {
        size_t before_in = s.avail_in, before_out = s.avail_out;
        rc = lzma_code(&s, LZMA_RUN);
        if (rc == LZMA_OK && before_in == s.avail_in && before_out == s.avail_out)
            break;
    }
    size_t produced = out_len - s.avail_out;
    lzma_end(&s);
    if ((rc != LZMA_OK && rc != LZMA_STREAM_END) || produced != out_len)
        return IC_E_DECOMPRESS;
    return IC_OK;
}

static const char *compr_name(unsigned c)
{
    static const char *const names[] = {"none",     "zero", "rtime", "rubinmips", "copy",
                                        "dynrubin", "zlib", "lzo",   "lzma"};
    return c < sizeof(names) / sizeof(names[0]) ? names[c] : "unknown";
}

/* Decodes one node's data into out (dsize bytes, zeroed). */
static int decode_node(const uint8_t *in, const struct inode_node *n, uint8_t *out)
{
    switch (n->compr) {
    case COMPR_NONE:
    case COMPR_COPY:
        if (n->csize < n->dsize)
            return IC_E_TRUNCATED;
        memcpy(out, in, n->dsize);
        return IC_OK;
    case COMPR_ZERO:
        return IC_OK;
    case COMPR_RTIME:
        return rtime_decode(in, n->csize, out, n->dsize);
    case COMPR_ZLIB:
        return zlib_decode(in, n->csize, out, n->dsize);
    case COMPR_LZO:
        return lzo_decode(in, n->csize, out, n->dsize);
    case COMPR_LZMA:
        return lzma_decode(in, n->csize, out, n->dsize);
    default:
        return IC_E_UNSUPPORTED;
    }
}

/* ---- inodes -------------------------------------------------------------------------- */

static int inode_cmp(const void *a, const void *b)
{
    const struct inode_node *x = a, *y = b;
    if (x->ino != y->ino)
        return x->ino < y->ino ? -1 : 1;
    if (x->version != y->version)
        return x->version < y->version ? -1 : 1;
    return (x->pos > y->pos) - (x->pos < y->pos);
}

/* The nodes of inode ino: [*lo, *hi) in version order. */
static int inode_range(const struct jffs2 *fs, uint32_t ino, size_t *lo, size_t *hi)
{
    size_t a = 0, b = fs->inode_count;
    while (a < b) {
        size_t m = a + (b - a) / 2;
        if (fs->inodes[m].ino < ino)
            a = m + 1;
        else
            b = m;
    }
    size_t e = a;
    while (e < fs->inode_count && fs->inodes[e].ino == ino)
        e++;
    *lo = a;
    *hi = e;
    return e > a;
}

/* Assembles an inode's data, newest version last. *out is NULL for an
 * empty or unreadable inode; diagnostics say why. */
static int assemble(struct jffs2 *fs, size_t lo, size_t hi, const char *path, uint64_t max,
                    uint8_t **out, uint64_t *out_size)
{
    struct ic_extract *x = fs->x;
    *out = NULL;
    *out_size = 0;
    uint64_t size = fs->inodes[hi - 1].isize;
    if (size == 0)
        return IC_OK;
    if (size > max) {
        ic_extract_diag(x, IC_DIAG_WARNING, IC_E_LIMIT_FILE_SIZE, (int64_t)fs->inodes[hi - 1].pos,
                        "%s: claims %llu bytes, over the limit of %llu; content not read", path,
                        (unsigned long long)size, (unsigned long long)max);
        return IC_OK;
    }
    if (fs->stop_content)
        return IC_OK;
    int rc = ic_extract_charge(x, size);
    if (rc) {
        ic_extract_diag(x, IC_DIAG_ERROR, rc, -1, "%s%s: content not read (%s)", path,
                        rc == IC_E_LIMIT_FILE_SIZE ? "" : " and later files", ic_error_message(rc));
        if (rc != IC_E_LIMIT_FILE_SIZE)
            fs->stop_content = 1;
        return IC_OK;
    }
    uint8_t *buf = calloc(1, (size_t)size);
    uint8_t *scratch = NULL;
    size_t scratch_cap = 0;
    if (!buf)
        return IC_E_NOMEM;
    uint64_t cur = 0;
    unsigned failures = 0;
    for (size_t i = lo; i < hi; i++) {
        const struct inode_node *n = &fs->inodes[i];
        if (n->isize < cur && n->isize < size) /* truncated here */
            memset(buf + n->isize, 0, (size_t)((cur < size ? cur : size) - n->isize));
        cur = n->isize;
        if (n->dsize == 0)
            continue;
        if (n->dsize > MAX_NODE_DATA) {
            if (failures++ < 3)
                ic_extract_diag(x, IC_DIAG_WARNING, IC_E_FORMAT, (int64_t)n->pos,
                                "%s: node of %u bytes is larger than any page; skipped", path,
                                n->dsize);
            continue;
        }
        if (n->offset >= size)
            continue;
        if (scratch_cap < n->dsize) {
            uint8_t *p = realloc(scratch, n->dsize);
            if (!p) {
                rc = IC_E_NOMEM;
                break;
            }
            scratch = p;
            scratch_cap = n->dsize;
        }
        memset(scratch, 0, n->dsize);
        int drc = decode_node(x->data + n->pos + INODE_HEADER, n, scratch);
        if (drc) {
            if (failures++ < 3)
                ic_extract_diag(x, IC_DIAG_ERROR, drc, (int64_t)n->pos,
                                "%s: %s data at file offset %u unreadable (%s)", path,
                                compr_name(n->compr), n->offset, ic_error_message(drc));
            continue;
        }
        uint64_t len = n->dsize;
        if (len > size - n->offset)
            len = size - n->offset;
        memcpy(buf + n->offset, scratch, (size_t)len);
    }
    free(scratch);
    if (rc) {
        free(buf);
        return rc;
    }
    *out = buf;
    *out_size = size;
    return IC_OK;
}

/* ---- directory entries and the tree ------------------------------------------------ */

static const uint8_t *dirent_name(const struct jffs2 *fs, const struct dirent_node *d)
{
    return fs->x->data + d->pos + DIRENT_HEADER;
}

static int dirent_cmp_ctx(const struct jffs2 *fs, const struct dirent_node *x,
                          const struct dirent_node *y)
{
    if (x->pino != y->pino)
        return x->pino < y->pino ? -1 : 1;
    size_t n = x->nsize < y->nsize ? x->nsize : y->nsize;
    int c = memcmp(dirent_name(fs, x), dirent_name(fs, y), n);
    if (c)
        return c;
    if (x->nsize != y->nsize)
        return x->nsize < y->nsize ? -1 : 1;
    if (x->version != y->version)
        return x->version < y->version ? -1 : 1;
    return (x->pos > y->pos) - (x->pos < y->pos);
}

/* qsort has no context argument: the image is passed through a thread-local. */
static _Thread_local const struct jffs2 *sort_fs;

static int dirent_cmp(const void *a, const void *b)
{
    return dirent_cmp_ctx(sort_fs, a, b);
}

static int same_name(const struct jffs2 *fs, const struct dirent_node *x,
                     const struct dirent_node *y)
{
    return x->pino == y->pino && x->nsize == y->nsize &&
           memcmp(dirent_name(fs, x), dirent_name(fs, y), x->nsize) == 0;
}

static int build_live(struct jffs2 *fs)
{
    sort_fs = fs;
    if (fs->dirent_count > 1)
        qsort(fs->dirents, fs->dirent_count, sizeof(*fs->dirents), dirent_cmp);
    sort_fs = NULL;
    fs->live = malloc((fs->dirent_count ? fs->dirent_count : 1) * sizeof(*fs->live));
    if (!fs->live)
        return IC_E_NOMEM;
    for (size_t i = 0; i < fs->dirent_count; i++) {
        if (i + 1 < fs->dirent_count && same_name(fs, &fs->dirents[i], &fs->dirents[i + 1]))
            continue; /* a newer version follows */
        if (fs->dirents[i].ino != 0)
            fs->live[fs->live_count++] = fs->dirents[i];
    }
    return IC_OK;
}

static size_t children_start(const struct jffs2 *fs, uint32_t pino)
{
    size_t a = 0, b = fs->live_count;
    while (a < b) {
        size_t m = a + (b - a) / 2;
        if (fs->live[m].pino < pino)
            a = m + 1;
        else
            b = m;
    }
    return a;
}

/* A set of 32-bit numbers with a value each (open addressing; key+1 stored). */
struct u32_map {
    uint64_t *keys;
    size_t *values;
    size_t cap, count;
};

static size_t *u32_map_find(struct u32_map *m, uint32_t key)
{
    if (!m->cap)
        return NULL;
    for (size_t i = (key * 2654435761u) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        if (m->keys[i] == 0)
            return NULL;
        if (m->keys[i] == (uint64_t)key + 1)
            return &m->values[i];
    }
}

static int u32_map_put(struct u32_map *m, uint32_t key, size_t value)
{
    if ((m->count + 1) * 2 > m->cap) {
        size_t ncap = m->cap ? m->cap * 2 : 64;
        uint64_t *keys = calloc(ncap, sizeof(*keys));
        size_t *values = calloc(ncap, sizeof(*values));
        if (!keys || !values) {
            free(keys);
            free(values);
            return IC_E_NOMEM;
        }
        for (size_t i = 0; i < m->cap; i++) {
            if (!m->keys[i])
                continue;
            size_t k = (size_t)(((uint32_t)(m->keys[i] - 1) * 2654435761u) & (ncap - 1));
            while (keys[k])
                k = (k + 1) & (ncap - 1);
            keys[k] = m->keys[i];
            values[k] = m->values[i];
        }
        free(m->keys);
        free(m->values);
        m->keys = keys;
        m->values = values;
        m->cap = ncap;
    }
    size_t i = (key * 2654435761u) & (m->cap - 1);
    while (m->keys[i] && m->keys[i] != (uint64_t)key + 1)
        i = (i + 1) & (m->cap - 1);
    if (!m->keys[i])
        m->count++;
    m->keys[i] = (uint64_t)key + 1;
    m->values[i] = value;
    return IC_OK;
}

static void u32_map_release(struct u32_map *m)
{
    free(m->keys);
    free(m->values);
    memset(m, 0, sizeof(*m));
}

struct linked {
    char *path;
    struct ic_blob *content;
    uint64_t size;
};

struct walk {
    struct u32_map dirs_seen;
    struct u32_map files_seen; /* ino -> index into links */
    struct linked *links;
    size_t link_count, link_cap;
    char **stack_path;
    uint32_t *stack_ino;
    unsigned *stack_depth;
    size_t stack_count, stack_cap;
};

static enum ic_ftype type_of_mode(uint32_t mode, int *ok)
{
    *ok = 1;
    switch (mode & 0170000) {
    case 0100000:
        return IC_FT_FILE;
    case 0040000:
        return IC_FT_DIR;
    case 0120000:
        return IC_FT_SYMLINK;
    case 0020000:
        return IC_FT_CHARDEV;
    case 0060000:
        return IC_FT_BLOCKDEV;
    case 0010000:
        return IC_FT_FIFO;
    case 0140000:
        return IC_FT_SOCKET;
    default:
        *ok = 0;
        return IC_FT_FILE;
    }
}

static enum ic_ftype type_of_dt(uint8_t dt, int *ok)
{
    *ok = 1;
    switch (dt) {
    case 8:
        return IC_FT_FILE;
    case 4:
        return IC_FT_DIR;
    case 10:
        return IC_FT_SYMLINK;
    case 2:
        return IC_FT_CHARDEV;
    case 6:
        return IC_FT_BLOCKDEV;
    case 1:
        return IC_FT_FIFO;
    case 12:
        return IC_FT_SOCKET;
    default:
        *ok = 0;
        return IC_FT_FILE;
    }
}

static int push_dir(struct walk *w, char *path, uint32_t ino, unsigned depth)
{
    if (w->stack_count == w->stack_cap) {
        size_t ncap = w->stack_cap ? w->stack_cap * 2 : 64;
        char **p = realloc(w->stack_path, ncap * sizeof(*p));
        if (p)
            w->stack_path = p;
        uint32_t *q = realloc(w->stack_ino, ncap * sizeof(*q));
        if (q)
            w->stack_ino = q;
        unsigned *r = realloc(w->stack_depth, ncap * sizeof(*r));
        if (r)
            w->stack_depth = r;
        if (!p || !q || !r) {
            free(path);
            return IC_E_NOMEM;
        }
        w->stack_cap = ncap;
    }
    w->stack_path[w->stack_count] = path;
    w->stack_ino[w->stack_count] = ino;
    w->stack_depth[w->stack_count] = depth;
    w->stack_count++;
    return IC_OK;
}

static int add(struct jffs2 *fs, const struct ic_entry *e)
{
    int rc = ic_extract_add_entry(fs->x, e);
    if (rc)
        fs->stop = 1;
    return rc;
}

/* Emits the entry for ino at path (named by dirent d, NULL for the root). */
static int emit(struct jffs2 *fs, struct walk *w, const char *path, uint32_t ino,
                const struct dirent_node *d, unsigned depth)
{
    struct ic_extract *x = fs->x;
    struct ic_entry e;
    memset(&e, 0, sizeof(e));
    e.path = path[0] ? path : "/";
    size_t lo = 0, hi = 0;
    int have = inode_range(fs, ino, &lo, &hi);
    int ok = 0;
    if (have) {
        const struct inode_node *n = &fs->inodes[hi - 1];
        e.type = type_of_mode(n->mode, &ok);
        e.mode = n->mode & 07777;
        e.uid = n->uid;
        e.gid = n->gid;
        e.mtime = n->mtime;
    }
    if (!ok) {
        if (d)
            e.type = type_of_dt(d->type, &ok);
        else
            e.type = IC_FT_DIR, ok = 1, e.mode = have ? e.mode : 0755;
        if (!ok) {
            ic_extract_diag(x, IC_DIAG_WARNING, IC_E_FORMAT, d ? (int64_t)d->pos : -1,
                            "%s: inode %u has no known type; skipped", e.path, ino);
            return IC_OK;
        }
        if (d && !have)
            ic_extract_diag(x, IC_DIAG_WARNING, IC_E_NOT_FOUND, (int64_t)d->pos,
                            "%s: inode %u has no valid inode node; attributes unknown", e.path,
                            ino);
    }

    if (e.type == IC_FT_DIR) {
        if (u32_map_find(&w->dirs_seen, ino)) {
            ic_extract_diag(x, IC_DIAG_WARNING, IC_E_LOOP, d ? (int64_t)d->pos : -1,
                            "%s: directory inode %u already listed (loop); not listed again",
                            e.path, ino);
            return IC_OK;
        }
        int rc = u32_map_put(&w->dirs_seen, ino, 0);
        if (rc == IC_OK)
            rc = add(fs, &e);
        if (rc)
            return rc;
        if (depth >= MAX_DIR_DEPTH) {
            ic_extract_diag(x, IC_DIAG_WARNING, IC_E_LIMIT_DEPTH, -1,
                            "%s: directories nested deeper than %d are not listed", e.path,
                            MAX_DIR_DEPTH);
            return IC_OK;
        }
        char *copy = strdup(path);
        return copy ? push_dir(w, copy, ino, depth + 1) : IC_E_NOMEM;
    }

    if (e.type == IC_FT_FILE) {
        size_t *seen = u32_map_find(&w->files_seen, ino);
        if (seen) {
            const struct linked *l = &w->links[*seen];
            e.type = IC_FT_HARDLINK;
            e.link = l->path;
            e.content = l->content;
            e.size = l->size;
            return add(fs, &e);
        }
        uint8_t *data = NULL;
        uint64_t size = 0;
        struct ic_blob *blob = NULL;
        if (have) {
            int rc = assemble(fs, lo, hi, e.path, ic_extract_max_file_size(x), &data, &size);
            if (rc)
                return rc;
            e.size = fs->inodes[hi - 1].isize;
        }
        if (data && ic_blob_from_owned(data, size, &blob) != IC_OK) {
            free(data);
            return IC_E_NOMEM;
        }
        e.content = blob;
        int rc = add(fs, &e);
        if (rc == IC_OK &&
            !ic_array_grow((void **)&w->links, &w->link_cap, w->link_count, sizeof(*w->links))) {
            char *copy = strdup(e.path);
            if (copy && u32_map_put(&w->files_seen, ino, w->link_count) == IC_OK)
                w->links[w->link_count++] = (struct linked){copy, blob, e.size};
            else {
                free(copy);
                ic_blob_unref(blob);
            }
        } else {
            ic_blob_unref(blob);
        }
        return rc;
    }

    if (have && e.type == IC_FT_SYMLINK) {
        uint8_t *data = NULL;
        uint64_t size = 0;
        int rc = assemble(fs, lo, hi, e.path, MAX_SYMLINK, &data, &size);
        if (rc)
            return rc;
        char *target = malloc((size_t)size + 1);
        if (!target) {
            free(data);
            return IC_E_NOMEM;
        }
        if (size)
            memcpy(target, data, (size_t)size);
        target[size] = '\0';
        free(data);
        e.link = target;
        e.size = strlen(target);
        rc = add(fs, &e);
        free(target);
        return rc;
    }
    if (have && (e.type == IC_FT_CHARDEV || e.type == IC_FT_BLOCKDEV)) {
        /* The newest node's data is the device number (isize stays 0):
         * 16 bits in the old encoding, 32 in the new. */
        const struct inode_node *n = &fs->inodes[hi - 1];
        uint8_t dev[4] = {0};
        int drc = n->dsize == 2 || n->dsize == 4
                      ? decode_node(x->data + n->pos + INODE_HEADER, n, dev)
                      : IC_E_FORMAT;
        if (drc)
            ic_extract_diag(x, IC_DIAG_WARNING, drc, (int64_t)n->pos,
                            "%s: device number unreadable (%u bytes, %s)", e.path, n->dsize,
                            compr_name(n->compr));
        else if (n->dsize == 2) {
            uint16_t v = u16_at(fs, dev);
            e.dev_major = (v >> 8) & 0xff;
            e.dev_minor = v & 0xff;
        } else {
            uint32_t v = u32_at(fs, dev);
            e.dev_major = (v & 0xfff00) >> 8;
            e.dev_minor = (v & 0xff) | ((v >> 12) & 0xfff00);
        }
    }
    return add(fs, &e);
}

static int valid_name(const uint8_t *name, size_t n)
{
    if ((n == 1 && name[0] == '.') || (n == 2 && name[0] == '.' && name[1] == '.'))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (name[i] == '/' || name[i] == 0)
            return 0;
    return 1;
}

static int walk_tree(struct jffs2 *fs)
{
    struct walk w;
    memset(&w, 0, sizeof(w));
    int rc = emit(fs, &w, "", 1, NULL, 0);
    while (rc == IC_OK && w.stack_count > 0 && !fs->stop) {
        w.stack_count--;
        char *dir = w.stack_path[w.stack_count];
        uint32_t pino = w.stack_ino[w.stack_count];
        unsigned depth = w.stack_depth[w.stack_count];
        size_t dir_len = strlen(dir);
        for (size_t i = children_start(fs, pino);
             i < fs->live_count && fs->live[i].pino == pino && rc == IC_OK; i++) {
            const struct dirent_node *d = &fs->live[i];
            const uint8_t *name = dirent_name(fs, d);
            if (!valid_name(name, d->nsize)) {
                ic_extract_diag(fs->x, IC_DIAG_WARNING, IC_E_UNSAFE_PATH, (int64_t)d->pos,
                                "%s: entry with an invalid name skipped", dir[0] ? dir : "/");
                continue;
            }
            char *path = malloc(dir_len + d->nsize + 2);
            if (!path) {
                rc = IC_E_NOMEM;
                break;
            }
            memcpy(path, dir, dir_len);
            path[dir_len] = '/';
            memcpy(path + dir_len + 1, name, d->nsize);
            path[dir_len + 1 + d->nsize] = '\0';
            rc = emit(fs, &w, path, d->ino, d, depth);
            free(path);
            if ((i & 255) == 255 && ic_extract_expired(fs->x)) {
                ic_extract_diag(fs->x, IC_DIAG_ERROR, IC_E_LIMIT_TIME, -1,
                                "time limit reached while listing; the listing is partial");
                rc = IC_E_LIMIT_TIME;
            }
        }
        free(dir);
    }
    for (size_t i = 0; i < w.stack_count; i++)
        free(w.stack_path[i]);
    free(w.stack_path);
    free(w.stack_ino);
    free(w.stack_depth);
    for (size_t i = 0; i < w.link_count; i++) {
        free(w.links[i].path);
        ic_blob_unref(w.links[i].content);
    }
    free(w.links);
    u32_map_release(&w.dirs_seen);
    u32_map_release(&w.files_seen);
    return rc;
}

/* ---- the format ---------------------------------------------------------------------- */

static int jffs2_unpack(struct ic_extract *x)
{
    if (x->size < NODE_HEADER)
        return IC_E_BAD_MAGIC;
    struct jffs2 fs = {.x = x};
    if (ic_load_u16le(x->data) == MAGIC)
        fs.be = 0;
    else if (ic_load_u16be(x->data) == MAGIC)
        fs.be = 1;
    else
        return IC_E_BAD_MAGIC;
    /* The first node decides: a valid header of a known accurate type. */
    if (!header_ok(&fs, x->data, x->size))
        return IC_E_BAD_MAGIC;
    uint16_t type = u16_at(&fs, x->data + 2);
    uint32_t totlen = u32_at(&fs, x->data + 4);
    if (type != NT_DIRENT && type != NT_INODE && type != NT_CLEANMARKER && type != NT_PADDING &&
        type != NT_SUMMARY)
        return IC_E_BAD_MAGIC;
    if (totlen < NODE_HEADER || totlen > MAX_NODE_LEN)
        return IC_E_FORMAT;
    /* Pages interleaved with their spare bytes: the nand reader's, which
     * gives the pages alone to be read here. */
    struct ic_nand_geometry nand;
    uint32_t nand_block = 0;
    if (ic_flash_jffs2_in_nand(x->data, x->size, &nand, &nand_block))
        return IC_E_BAD_MAGIC;

    uint64_t extent = scan_nodes(&fs);
    if (extent < NODE_HEADER)
        extent = NODE_HEADER;
    ic_extract_set_extent(x, extent);
    ic_extract_fs(x);
    int rc = IC_OK;
    if (!fs.stop) {
        if (fs.inode_count > 1)
            qsort(fs.inodes, fs.inode_count, sizeof(*fs.inodes), inode_cmp);
        rc = build_live(&fs);
        if (rc == IC_OK)
            rc = walk_tree(&fs);
    }
    if (fs.bad_nodes > MAX_REPORTED)
        ic_extract_diag(x, IC_DIAG_WARNING, IC_E_CHECKSUM, -1,
                        "%llu bad nodes in all (the first %d are reported)",
                        (unsigned long long)fs.bad_nodes, MAX_REPORTED);
    if (rc == IC_E_NOMEM)
        ic_extract_diag(x, IC_DIAG_ERROR, rc, -1, "out of memory; the listing is partial");
    ic_extract_set_info(x, "JFFS2 %s-endian, %llu nodes (%llu bad), erase block %u KiB",
                        fs.be ? "big" : "little", (unsigned long long)fs.nodes,
                        (unsigned long long)fs.bad_nodes, fs.erase_size / 1024);
    free(fs.inodes);
    free(fs.dirents);
    free(fs.live);
    return IC_OK;
}

const struct ic_format ic_format_jffs2 = {
    .name = "jffs2",
    .description = "JFFS2 flash file system (either byte order)",
    .magics = IC_MAGICS({"\x85\x19\x03\x20", 4, 0}, {"\x85\x19\x01\xe0", 4, 0},
                        {"\x85\x19\x02\xe0", 4, 0}, {"\x19\x85\x20\x03", 4, 0},
                        {"\x19\x85\xe0\x01", 4, 0}, {"\x19\x85\xe0\x02", 4, 0}),
    .unpack = jffs2_unpack,
};
