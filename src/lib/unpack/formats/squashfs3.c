/* SquashFS 2.x and 3.x in both byte orders, with the vendor variants of that
 * era: LZMA in place of zlib, and non-standard magics; and big-endian
 * SquashFS 4.0 (AVM's, and the same with any SquashFS 4 compressor: gzip,
 * lzma, lzo, xz, lz4, zstd), which libsquashfs does not read.
 *
 * The layouts are those of squashfs-tools 3.x (squashfs_fs.h): packed
 * bit-fields written in the image's byte order, so a little-endian image
 * fills each field from the low bits up and a big-endian one from the high
 * bits down (bitfield_* below). The byte order is told by the major version
 * field, as binwalk does (src/signatures/squashfs.rs), whatever the magic
 * says: "hsqs"/"sqsh" are the standard ones, "shsq", "qshs", "tqsh",
 * "hsqt", "sqlz" and "zlqs" the vendor ones binwalk and sasquatch list.
 *
 * Blocks carry no compressor id before SquashFS 4, and vendors framed their
 * LZMA streams in several ways (sasquatch, lzma_wrapper.c and the lzmawrt
 * wrapper, documents them): zlib; the 13-byte lzma_alone header
 * (squashfs-lzma, Realtek); a 5-byte header of properties and dictionary
 * size (Broadcom SDKs); DD-WRT's 4 bytes pb, lc, lp, fast-bytes; or a bare
 * stream whose properties must be found. The framing is found on the first
 * block that needs it and tried first afterwards; a block it does not
 * decode is tried with the others.
 *
 * Metadata is read through a cache of decompressed blocks keyed by their
 * position, so chains only run forwards; file contents are lazy blobs that
 * decompress their blocks on first use. */
#include "unpack/format.h"

#include <lz4.h>
#include <lzma.h>
#include <lzo/lzo1x.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#define SUPER_SIZE_V2 63
#define SUPER_SIZE_V3 119
#define SUPER_SIZE_V4 96
#define METADATA_SIZE 8192
#define METADATA_UNCOMPRESSED 0x8000u
#define DATA_UNCOMPRESSED (1u << 24)
#define NO_FRAGMENT 0xffffffffu
#define GID_IS_UID 255 /* guid index meaning "same as the uid" */
#define MAX_DIR_DEPTH 256
/* Decompressed metadata kept at once; a larger table is damaged or hostile. */
#define MAX_METADATA_BYTES (256u << 20)

enum flag_bits {
    FLAG_INODES_UNCOMPRESSED = 1 << 0,
    FLAG_CHECK = 1 << 2,
    FLAG_NO_FRAGMENTS = 1 << 4,
};

enum inode_type {
    T_DIR = 1,
    T_FILE = 2,
    T_SYMLINK = 3,
    T_BLKDEV = 4,
    T_CHRDEV = 5,
    T_FIFO = 6,
    T_SOCKET = 7,
    T_LDIR = 8,
    T_LFILE = 9,
};

/* ---- packed bit-fields ---------------------------------------------------------- */

struct bitfield {
    const uint8_t *p;
    size_t bits; /* available */
    size_t pos;
    int big_endian;
};

static uint64_t bitfield_get(struct bitfield *b, unsigned width)
{
    uint64_t v = 0;
    if (b->pos + width > b->bits) {
        b->pos = b->bits;
        return 0;
    }
    for (unsigned i = 0; i < width; i++) {
        size_t at = b->pos + i;
        unsigned bit;
        if (b->big_endian) {
            bit = (b->p[at / 8] >> (7 - at % 8)) & 1;
            v = (v << 1) | bit;
        } else {
            bit = (b->p[at / 8] >> (at % 8)) & 1;
            v |= (uint64_t)bit << i;
        }
    }
    b->pos += width;
    return v;
}

static void bitfield_init(struct bitfield *b, const uint8_t *p, size_t bytes, int big_endian)
{
    b->p = p;
    b->bits = bytes * 8;
    b->pos = 0;
    b->big_endian = big_endian;
}

/* ---- what file contents need after unpacking: shared, reference counted ---------- */

enum framing {
    FRAMING_UNKNOWN,
    FRAMING_ZLIB,
    FRAMING_LZMA_ALONE,   /* props, dictionary, 64-bit size */
    FRAMING_LZMA_HEADER5, /* props, dictionary (Broadcom) */
    FRAMING_LZMA_DDWRT,   /* pb, lc, lp, fast bytes */
    FRAMING_LZMA_BARE,    /* no header; properties found by trying */
    FRAMING_XZ,           /* SquashFS 4 only, named by its superblock */
    FRAMING_LZO,          /* SquashFS 4 only: an LZO1X block */
    FRAMING_LZ4,          /* SquashFS 4 only: an LZ4 block */
    FRAMING_ZSTD,         /* SquashFS 4 only: a zstd frame */
    FRAMING_COUNT,
};

static const char *const framing_names[FRAMING_COUNT] = {
    "uncompressed",
    "gzip",
    "lzma",
    "lzma (5-byte header, Broadcom)",
    "lzma (DD-WRT header)",
    "lzma (bare stream)",
    "xz",
    "lzo",
    "lz4",
    "zstd",
};

/* Fragment blocks decoded lately: files that share one are read one after
 * the other, and each needs only its tail. */
#define FRAGMENT_CACHE_SLOTS 4
struct fragment_cache {
    pthread_mutex_t lock;
    struct {
        uint64_t start;
        size_t len;
        uint8_t *data; /* NULL: free slot */
    } slot[FRAGMENT_CACHE_SLOTS];
    unsigned next;
};

struct shared {
    atomic_int refs;
    struct fragment_cache fragments;
    struct ic_blob *image; /* the image's own bytes */
    const uint8_t *data;
    uint64_t size;
    uint32_t block_size;
    /* framing | lc << 8 | lp << 12 | pb << 16 (the last three for bare streams) */
    atomic_uint codec;
};

static void shared_unref(struct shared *s)
{
    if (s && atomic_fetch_sub(&s->refs, 1) == 1) {
        ic_blob_unref(s->image);
        for (unsigned i = 0; i < FRAGMENT_CACHE_SLOTS; i++)
            free(s->fragments.slot[i].data);
        pthread_mutex_destroy(&s->fragments.lock);
        free(s);
    }
}

/* ---- decompression ---------------------------------------------------------------- */

/* A decode succeeds when it produced exactly `expect` bytes, or, with expect
 * 0 (not known), when it ended cleanly with between 1 and cap bytes. */
static int inflate_block(const uint8_t *src, size_t n, uint8_t *dst, size_t cap, size_t expect,
                         size_t *produced)
{
    z_stream z;
    memset(&z, 0, sizeof(z));
    if (inflateInit(&z) != Z_OK)
        return IC_E_NOMEM;
    z.next_in = (Bytef *)src;
    z.avail_in = (uInt)n;
    z.next_out = dst;
    z.avail_out = (uInt)cap;
    int rc = inflate(&z, Z_FINISH);
    *produced = cap - z.avail_out;
    inflateEnd(&z);
    if (expect)
        return *produced == expect && (rc == Z_STREAM_END || rc == Z_BUF_ERROR || rc == Z_OK)
                   ? IC_OK
                   : IC_E_DECOMPRESS;
    return rc == Z_STREAM_END && *produced > 0 ? IC_OK : IC_E_DECOMPRESS;
}

static int lzma1_block(const uint8_t *src, size_t n, unsigned lc, unsigned lp, unsigned pb,
                       uint8_t *dst, size_t cap, size_t expect, size_t *produced)
{
    *produced = 0;
    if (lc > 8 || lp > 4 || pb > 4 || lc + lp > LZMA_LCLP_MAX || n == 0 || cap == 0)
        return IC_E_DECOMPRESS;
    lzma_options_lzma options;
    memset(&options, 0, sizeof(options));
    options.lc = lc;
    options.lp = lp;
    options.pb = pb;
    /* Output never exceeds cap, so neither need the window. */
    options.dict_size = cap < LZMA_DICT_SIZE_MIN ? LZMA_DICT_SIZE_MIN : (uint32_t)cap;
    lzma_filter filters[2] = {{LZMA_FILTER_LZMA1, &options}, {LZMA_VLI_UNKNOWN, NULL}};
    lzma_stream strm = LZMA_STREAM_INIT;
    if (lzma_raw_decoder(&strm, filters) != LZMA_OK)
        return IC_E_NOMEM;
    strm.next_in = src;
    strm.avail_in = n;
    strm.next_out = dst;
    strm.avail_out = cap;
    lzma_ret rc = LZMA_OK;
    while (rc == LZMA_OK && strm.avail_in > 0 && strm.avail_out > 0) {
        size_t in_before = strm.avail_in, out_before = strm.avail_out;
        rc = lzma_code(&strm, LZMA_RUN);
        if (rc == LZMA_OK && in_before == strm.avail_in && out_before == strm.avail_out)
            break;
    }
    *produced = cap - strm.avail_out;
    size_t left = strm.avail_in;
    lzma_end(&strm);
    if (rc != LZMA_OK && rc != LZMA_STREAM_END)
        return IC_E_DECOMPRESS;
    if (expect)
        return *produced == expect ? IC_OK : IC_E_DECOMPRESS;
    return *produced > 0 && (rc == LZMA_STREAM_END || left == 0) ? IC_OK : IC_E_DECOMPRESS;
}

static int props_byte_ok(uint8_t props, unsigned *lc, unsigned *lp, unsigned *pb)
{
    if (props >= 9 * 5 * 5)
        return 0;
    *lc = props % 9;
    *lp = (props / 9) % 5;
    *pb = props / 45;
    return *lc + *lp <= LZMA_LCLP_MAX;
}

static int lzo_ready;
static void lzo_setup(void)
{
    lzo_ready = lzo_init() == LZO_E_OK;
}

static int lzo_block(const uint8_t *src, size_t n, uint8_t *dst, size_t cap, size_t *produced)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, lzo_setup);
    lzo_uint out = cap;
    if (!lzo_ready || lzo1x_decompress_safe(src, n, dst, &out, NULL) != LZO_E_OK)
        return IC_E_DECOMPRESS;
    *produced = out;
    return IC_OK;
}

/* One framing, one try. For a bare stream, codec carries the properties. */
static int decode_as(unsigned codec, const uint8_t *src, size_t n, uint8_t *dst, size_t cap,
                     size_t expect, size_t *produced)
{
    unsigned lc, lp, pb;
    *produced = 0;
    switch (codec & 0xff) {
    case FRAMING_ZLIB:
        if (n < 2 || (src[0] & 0x0f) != 8 || ((src[0] << 8) | src[1]) % 31 != 0)
            return IC_E_DECOMPRESS;
        return inflate_block(src, n, dst, cap, expect, produced);
    case FRAMING_LZMA_ALONE:
        if (n <= 13 || !props_byte_ok(src[0], &lc, &lp, &pb))
            return IC_E_DECOMPRESS;
        return lzma1_block(src + 13, n - 13, lc, lp, pb, dst, cap, expect, produced);
    case FRAMING_LZMA_HEADER5:
        if (n <= 5 || !props_byte_ok(src[0], &lc, &lp, &pb))
            return IC_E_DECOMPRESS;
        return lzma1_block(src + 5, n - 5, lc, lp, pb, dst, cap, expect, produced);
    case FRAMING_LZMA_DDWRT:
        if (n <= 4)
            return IC_E_DECOMPRESS;
        return lzma1_block(src + 4, n - 4, src[1], src[2], src[0], dst, cap, expect, produced);
    case FRAMING_LZMA_BARE:
        return lzma1_block(src, n, (codec >> 8) & 0xf, (codec >> 12) & 0xf, (codec >> 16) & 0xf,
                           dst, cap, expect, produced);
    case FRAMING_XZ: {
        uint64_t memlimit = UINT64_MAX;
        size_t in_pos = 0;
        lzma_ret rc =
            lzma_stream_buffer_decode(&memlimit, 0, NULL, src, &in_pos, n, dst, produced, cap);
        if (rc != LZMA_OK || (expect && *produced != expect) || *produced == 0)
            return IC_E_DECOMPRESS;
        return IC_OK;
    }
    case FRAMING_LZO:
        if (lzo_block(src, n, dst, cap, produced) != IC_OK)
            return IC_E_DECOMPRESS;
        return (expect && *produced != expect) || *produced == 0 ? IC_E_DECOMPRESS : IC_OK;
    case FRAMING_LZ4: {
        if (n > INT32_MAX || cap > INT32_MAX)
            return IC_E_DECOMPRESS;
        int got = LZ4_decompress_safe((const char *)src, (char *)dst, (int)n, (int)cap);
        if (got <= 0 || (expect && (size_t)got != expect))
            return IC_E_DECOMPRESS;
        *produced = (size_t)got;
        return IC_OK;
    }
    case FRAMING_ZSTD: {
        size_t got = ZSTD_decompress(dst, cap, src, n);
        if (ZSTD_isError(got) || got == 0 || (expect && got != expect))
            return IC_E_DECOMPRESS;
        *produced = got;
        return IC_OK;
    }
    default:
        return IC_E_DECOMPRESS;
    }
}

static unsigned bare_codec(unsigned lc, unsigned lp, unsigned pb)
{
    return FRAMING_LZMA_BARE | lc << 8 | lp << 12 | pb << 16;
}

/* Decodes one block: the framing found so far first, then every other one
 * (remembering the one that worked). */
static int decode_block(struct shared *s, const uint8_t *src, size_t n, uint8_t *dst, size_t cap,
                        size_t expect, size_t *produced)
{
    unsigned known = atomic_load_explicit(&s->codec, memory_order_relaxed);
    if (known != FRAMING_UNKNOWN && decode_as(known, src, n, dst, cap, expect, produced) == IC_OK)
        return IC_OK;
    for (unsigned f = FRAMING_ZLIB; f < FRAMING_LZMA_BARE; f++) {
        if (f == (known & 0xff))
            continue;
        if (decode_as(f, src, n, dst, cap, expect, produced) == IC_OK) {
            atomic_store_explicit(&s->codec, f, memory_order_relaxed);
            return IC_OK;
        }
    }
    /* A bare LZMA stream starts with the range coder's zero byte. */
    if (n < 5 || src[0] != 0)
        return IC_E_DECOMPRESS;
    if ((known & 0xff) != FRAMING_LZMA_BARE &&
        decode_as(bare_codec(3, 0, 2), src, n, dst, cap, expect, produced) == IC_OK) {
        atomic_store_explicit(&s->codec, bare_codec(3, 0, 2), memory_order_relaxed);
        return IC_OK;
    }
    for (unsigned pb = 0; pb <= 4; pb++)
        for (unsigned lc = 0; lc <= 4; lc++)
            for (unsigned lp = 0; lp + lc <= 4; lp++) {
                unsigned c = bare_codec(lc, lp, pb);
                if (c == known || c == bare_codec(3, 0, 2))
                    continue;
                if (decode_as(c, src, n, dst, cap, expect, produced) == IC_OK) {
                    atomic_store_explicit(&s->codec, c, memory_order_relaxed);
                    return IC_OK;
                }
            }
    return IC_E_DECOMPRESS;
}

/* ---- file contents ---------------------------------------------------------------- */

struct file_state {
    struct shared *s;
    uint64_t start;   /* first data block */
    uint32_t *blocks; /* size words of the full blocks */
    uint32_t block_count;
    uint64_t frag_start; /* fragment block, when the file has a tail there */
    uint32_t frag_word;
    uint32_t frag_offset;
    int has_fragment;
};

static void file_state_free(void *arg)
{
    struct file_state *f = arg;
    shared_unref(f->s);
    free(f->blocks);
    free(f);
}

/* Fills dst with one stored block: zeros when sparse, a copy, or decompressed. */
static int read_data_block(struct shared *s, uint64_t pos, uint32_t word, uint8_t *dst,
                           size_t expect)
{
    uint32_t len = word & ~DATA_UNCOMPRESSED;
    if (len == 0)
        return IC_OK; /* a hole: dst is zeroed already */
    if (!ic_range_ok(pos, len, s->size))
        return IC_E_TRUNCATED;
    if (word & DATA_UNCOMPRESSED) {
        if (len != expect)
            return IC_E_FORMAT;
        memcpy(dst, s->data + pos, len);
        return IC_OK;
    }
    size_t produced = 0;
    return decode_block(s, s->data + pos, len, dst, expect, expect, &produced);
}

/* Copies a file's tail out of the cached fragment block at start; 1 on a hit. */
static int fragment_cache_copy(struct fragment_cache *c, uint64_t start, uint32_t offset,
                               uint8_t *dst, uint64_t tail, int *rc)
{
    int hit = 0;
    pthread_mutex_lock(&c->lock);
    for (unsigned i = 0; i < FRAGMENT_CACHE_SLOTS; i++) {
        if (c->slot[i].data && c->slot[i].start == start) {
            hit = 1;
            *rc = ic_range_ok(offset, tail, c->slot[i].len) ? IC_OK : IC_E_FORMAT;
            if (*rc == IC_OK)
                memcpy(dst, c->slot[i].data + offset, (size_t)tail);
            break;
        }
    }
    pthread_mutex_unlock(&c->lock);
    return hit;
}

/* Keeps block (taken) in the cache, dropping the oldest. */
static void fragment_cache_put(struct fragment_cache *c, uint64_t start, uint8_t *block, size_t len)
{
    pthread_mutex_lock(&c->lock);
    unsigned i = c->next++ % FRAGMENT_CACHE_SLOTS;
    free(c->slot[i].data);
    c->slot[i].start = start;
    c->slot[i].len = len;
    c->slot[i].data = block;
    pthread_mutex_unlock(&c->lock);
}

static int read_tail(struct shared *s, const struct file_state *f, uint8_t *dst, uint64_t tail)
{
    int rc = IC_OK;
    if (fragment_cache_copy(&s->fragments, f->frag_start, f->frag_offset, dst, tail, &rc))
        return rc;
    uint8_t *block = malloc(s->block_size);
    if (!block)
        return IC_E_NOMEM;
    uint32_t len = f->frag_word & ~DATA_UNCOMPRESSED;
    size_t produced = 0;
    if (!ic_range_ok(f->frag_start, len, s->size) || len == 0)
        rc = IC_E_TRUNCATED;
    else if (f->frag_word & DATA_UNCOMPRESSED) {
        produced = len;
        memcpy(block, s->data + f->frag_start, len);
    } else
        rc = decode_block(s, s->data + f->frag_start, len, block, s->block_size, 0, &produced);
    if (rc == IC_OK && !ic_range_ok(f->frag_offset, tail, produced))
        rc = IC_E_FORMAT;
    if (rc) {
        free(block);
        return rc;
    }
    memcpy(dst, block + f->frag_offset, (size_t)tail);
    fragment_cache_put(&s->fragments, f->frag_start, block, produced);
    return IC_OK;
}

static int produce_file(void *arg, uint8_t *dst, uint64_t size)
{
    struct file_state *f = arg;
    struct shared *s = f->s;
    uint64_t pos = f->start, done = 0;
    for (uint32_t i = 0; i < f->block_count && done < size; i++) {
        uint64_t want = size - done < s->block_size ? size - done : s->block_size;
        int rc = read_data_block(s, pos, f->blocks[i], dst + done, (size_t)want);
        if (rc)
            return rc;
        pos += f->blocks[i] & ~DATA_UNCOMPRESSED;
        done += want;
    }
    if (done < size && f->has_fragment)
        return read_tail(s, f, dst + done, size - done);
    return done == size ? IC_OK : IC_E_TRUNCATED;
}

/* ---- the image --------------------------------------------------------------------- */

struct superblock {
    char magic[5];
    int big_endian;
    unsigned major, minor;
    uint32_t inodes, block_size, block_log, fragments, mkfs_time;
    uint8_t flags, no_uids, no_guids;
    uint64_t root_inode, bytes_used, uid_start, guid_start;
    uint64_t inode_table_start, dir_table_start, fragment_table_start;
    unsigned compression, id_count; /* SquashFS 4 */
    uint64_t id_table_start;
};

struct meta_block {
    uint64_t pos;  /* where its header sits */
    uint64_t next; /* where the block after it sits */
    uint32_t len;
    uint8_t data[METADATA_SIZE];
};

/* A place in a metadata table: the block's position and an offset into it. */
struct meta_pos {
    uint64_t block;
    uint32_t offset;
};

struct u64_set {
    uint64_t *keys; /* stored +1; 0 is free */
    void **values;
    size_t cap, count;
};

struct dir_job {
    char *path;
    uint64_t listing_block;
    uint32_t listing_offset;
    uint32_t listing_size;
    unsigned depth;
};

struct image {
    struct ic_extract *x;
    struct superblock sb;
    struct shared *s;
    const uint8_t *data;
    uint64_t size;
    struct u64_set cache; /* metadata blocks by position */
    uint64_t cached_bytes;
    struct u64_set listed; /* directory listings walked */
    struct u64_set files;  /* file inodes seen -> content blob (hard links) */
    struct dir_job *dirs;
    size_t dir_count, dir_cap;
    uint32_t *uids, *gids;
    uint64_t probe_pos; /* a compressed data block, to name the compressor */
    uint32_t probe_len, probe_expect;
    uint64_t entries;
    int stop;
    int no_content; /* a total limit was reached: list files without content */
    int id_warned, meta_warned;
};

static uint64_t *u64_set_slot(const struct u64_set *m, uint64_t key, int *found)
{
    uint64_t h = (key + 1) * 0x9e3779b97f4a7c15ULL;
    size_t mask = m->cap - 1;
    for (size_t i = (size_t)(h >> 20) & mask;; i = (i + 1) & mask) {
        if (m->keys[i] == key + 1 || m->keys[i] == 0) {
            *found = m->keys[i] != 0;
            return &m->keys[i];
        }
    }
}

static int u64_set_grow(struct u64_set *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 64;
    struct u64_set bigger = {calloc(ncap, sizeof(uint64_t)), calloc(ncap, sizeof(void *)), ncap, 0};
    if (!bigger.keys || !bigger.values) {
        free(bigger.keys);
        free(bigger.values);
        return IC_E_NOMEM;
    }
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->keys[i])
            continue;
        int found = 0;
        uint64_t *slot = u64_set_slot(&bigger, m->keys[i] - 1, &found);
        *slot = m->keys[i];
        bigger.values[slot - bigger.keys] = m->values[i];
        bigger.count++;
    }
    free(m->keys);
    free(m->values);
    *m = bigger;
    return IC_OK;
}

/* The value stored for key, or NULL; *found says whether key is there. */
static void *u64_set_get(const struct u64_set *m, uint64_t key, int *found)
{
    *found = 0;
    if (!m->cap)
        return NULL;
    uint64_t *slot = u64_set_slot(m, key, found);
    return *found ? m->values[slot - m->keys] : NULL;
}

static int u64_set_put(struct u64_set *m, uint64_t key, void *value)
{
    if ((m->count + 1) * 2 > m->cap && u64_set_grow(m))
        return IC_E_NOMEM;
    int found = 0;
    uint64_t *slot = u64_set_slot(m, key, &found);
    if (!found)
        m->count++;
    *slot = key + 1;
    m->values[slot - m->keys] = value;
    return IC_OK;
}

static void u64_set_release(struct u64_set *m, void (*free_value)(void *))
{
    for (size_t i = 0; free_value && i < m->cap; i++)
        if (m->keys[i])
            free_value(m->values[i]);
    free(m->keys);
    free(m->values);
    memset(m, 0, sizeof(*m));
}

static void blob_unref_value(void *v)
{
    ic_blob_unref(v);
}

static uint16_t load16(const struct image *img, const uint8_t *p)
{
    return ic_load_u16(p, img->sb.big_endian);
}
static uint32_t load32(const struct image *img, const uint8_t *p)
{
    return ic_load_u32(p, img->sb.big_endian);
}
static uint64_t load64(const struct image *img, const uint8_t *p)
{
    return ic_load_u64(p, img->sb.big_endian);
}

/* The decompressed metadata block whose header sits at pos (cached). */
static int meta_block_at(struct image *img, uint64_t pos, const struct meta_block **out)
{
    int found = 0;
    struct meta_block *mb = u64_set_get(&img->cache, pos, &found);
    if (found) {
        *out = mb;
        return mb ? IC_OK : IC_E_DECOMPRESS;
    }
    int rc = IC_OK;
    unsigned header = img->sb.major < 4 && (img->sb.flags & FLAG_CHECK) ? 3 : 2;
    if (!ic_range_ok(pos, header, img->size))
        return IC_E_TRUNCATED;
    /* AVM's big-endian SquashFS 4 keeps these length words little-endian
     * (fact_extractor's avm_be.sqfs4 sample). */
    uint16_t word =
        img->sb.major == 4 ? ic_load_u16le(img->data + pos) : load16(img, img->data + pos);
    uint32_t len = word & ~METADATA_UNCOMPRESSED;
    if (!ic_range_ok(pos + header, len, img->size) || len == 0)
        return IC_E_TRUNCATED;
    if (img->cached_bytes + sizeof(*mb) > MAX_METADATA_BYTES)
        return IC_E_LIMIT_MEMORY;
    mb = malloc(sizeof(*mb));
    if (!mb)
        return IC_E_NOMEM;
    mb->pos = pos;
    mb->next = pos + header + len;
    const uint8_t *src = img->data + pos + header;
    if (word & METADATA_UNCOMPRESSED) {
        if (len > METADATA_SIZE)
            rc = IC_E_FORMAT;
        else {
            memcpy(mb->data, src, len);
            mb->len = len;
        }
    } else {
        size_t produced = 0;
        rc = decode_block(img->s, src, len, mb->data, METADATA_SIZE, 0, &produced);
        mb->len = (uint32_t)produced;
    }
    if (rc) {
        free(mb);
        mb = NULL;
    } else
        img->cached_bytes += sizeof(*mb);
    if (u64_set_put(&img->cache, pos, mb)) {
        free(mb);
        return IC_E_NOMEM;
    }
    *out = mb;
    return rc;
}

/* Copies n bytes of a metadata table from *at into dst and advances *at,
 * following the chain of blocks (which only ever runs forwards). */
static int meta_read(struct image *img, struct meta_pos *at, void *dst, size_t n)
{
    uint8_t *out = dst;
    while (n > 0) {
        const struct meta_block *mb = NULL;
        int rc = meta_block_at(img, at->block, &mb);
        if (rc)
            return rc;
        if (at->offset >= mb->len) {
            if (at->offset > mb->len)
                return IC_E_FORMAT;
            at->block = mb->next;
            at->offset = 0;
            continue;
        }
        size_t take = mb->len - at->offset < n ? mb->len - at->offset : n;
        memcpy(out, mb->data + at->offset, take);
        out += take;
        n -= take;
        at->offset += (uint32_t)take;
    }
    return IC_OK;
}

static void meta_diag(struct image *img, int rc, int64_t pos, const char *what, const char *path)
{
    ic_extract_diag(img->x, IC_DIAG_ERROR, rc, pos, "%s: %s unreadable (%s)", path[0] ? path : "/",
                    what, ic_error_message(rc));
}

/* ---- inodes -------------------------------------------------------------------------- */

struct inode {
    unsigned type;
    uint32_t mode, uid_index, gid_index;
    int64_t mtime;
    /* directories */
    uint64_t dir_block; /* absolute */
    uint32_t dir_offset, dir_size;
    /* files */
    uint64_t file_size, start_block;
    uint32_t fragment, frag_offset;
    struct meta_pos after; /* where the block list or link target follows */
    /* links and devices */
    uint32_t link_size, rdev;
};

/* SquashFS 4 inodes: whole fields, no bit-fields; extended types 8-14. */
static int read_inode_v4(struct image *img, struct meta_pos at, struct inode *ino)
{
    const struct superblock *sb = &img->sb;
    uint8_t buf[40];
    int rc = meta_read(img, &at, buf, 16);
    if (rc)
        return rc;
    memset(ino, 0, sizeof(*ino));
    struct bitfield b;
    bitfield_init(&b, buf, 16, sb->big_endian);
    unsigned type = (unsigned)bitfield_get(&b, 16);
    ino->mode = (uint32_t)bitfield_get(&b, 16) & 07777;
    ino->uid_index = (uint32_t)bitfield_get(&b, 16);
    ino->gid_index = (uint32_t)bitfield_get(&b, 16);
    ino->mtime = (int32_t)bitfield_get(&b, 32);
    static const size_t more[15] = {0, 16, 16, 8, 8, 8, 4, 4, 24, 40, 8, 12, 12, 8, 8};
    if (type < 1 || type > 14)
        return IC_E_FORMAT;
    if ((rc = meta_read(img, &at, buf, more[type])) != 0)
        return rc;
    bitfield_init(&b, buf, more[type], sb->big_endian);
    static const unsigned basic[15] = {0,         T_DIR,    T_FILE,   T_SYMLINK, T_BLKDEV,
                                       T_CHRDEV,  T_FIFO,   T_SOCKET, T_DIR,     T_FILE,
                                       T_SYMLINK, T_BLKDEV, T_CHRDEV, T_FIFO,    T_SOCKET};
    ino->type = basic[type];
    uint32_t size = 0;
    switch (type) {
    case 1:
        ino->dir_block = sb->dir_table_start + bitfield_get(&b, 32);
        bitfield_get(&b, 32); /* nlink */
        size = (uint32_t)bitfield_get(&b, 16);
        ino->dir_offset = (uint32_t)bitfield_get(&b, 16);
        ino->dir_size = size >= 3 ? size - 3 : 0;
        break;
    case 8:
        bitfield_get(&b, 32);
        size = (uint32_t)bitfield_get(&b, 32);
        ino->dir_block = sb->dir_table_start + bitfield_get(&b, 32);
        bitfield_get(&b, 32 + 16); /* parent, index count */
        ino->dir_offset = (uint32_t)bitfield_get(&b, 16);
        ino->dir_size = size >= 3 ? size - 3 : 0;
        break;
    case 2:
        ino->start_block = bitfield_get(&b, 32);
        ino->fragment = (uint32_t)bitfield_get(&b, 32);
        ino->frag_offset = (uint32_t)bitfield_get(&b, 32);
        ino->file_size = bitfield_get(&b, 32);
        break;
    case 9:
        ino->start_block = bitfield_get(&b, 64);
        ino->file_size = bitfield_get(&b, 64);
        bitfield_get(&b, 64); /* sparse bytes */
        bitfield_get(&b, 32); /* nlink */
        ino->fragment = (uint32_t)bitfield_get(&b, 32);
        ino->frag_offset = (uint32_t)bitfield_get(&b, 32);
        break;
    case 3:
    case 10:
        bitfield_get(&b, 32);
        ino->link_size = (uint32_t)bitfield_get(&b, 32);
        if (ino->link_size > 4096)
            return IC_E_FORMAT;
        break;
    case 4:
    case 5:
    case 11:
    case 12:
        bitfield_get(&b, 32);
        ino->rdev = (uint32_t)bitfield_get(&b, 32);
        break;
    default:
        break;
    }
    ino->after = at;
    return IC_OK;
}

static int read_inode(struct image *img, uint64_t ref, struct inode *ino)
{
    const struct superblock *sb = &img->sb;
    if (sb->major == 4)
        return read_inode_v4(
            img, (struct meta_pos){sb->inode_table_start + (ref >> 16), (uint32_t)(ref & 0xffff)},
            ino);
    int v3 = sb->major == 3;
    struct meta_pos at = {sb->inode_table_start + (ref >> 16), (uint32_t)(ref & 0xffff)};
    uint8_t buf[48];
    size_t base = v3 ? 12 : 4;
    int rc = meta_read(img, &at, buf, base);
    if (rc)
        return rc;
    memset(ino, 0, sizeof(*ino));
    struct bitfield b;
    bitfield_init(&b, buf, base, sb->big_endian);
    ino->type = (unsigned)bitfield_get(&b, 4);
    ino->mode = (uint32_t)bitfield_get(&b, 12);
    ino->uid_index = (uint32_t)bitfield_get(&b, 8);
    ino->gid_index = (uint32_t)bitfield_get(&b, 8);
    if (v3) {
        ino->mtime = (int32_t)bitfield_get(&b, 32);
        bitfield_get(&b, 32); /* inode number */
    }
    size_t more;
    switch (ino->type) {
    case T_DIR:
        more = v3 ? 16 : 11;
        break;
    case T_LDIR:
        more = v3 ? 19 : 14;
        break;
    case T_FILE:
        more = v3 ? 20 : 20;
        break;
    case T_LFILE:
        more = v3 ? 28 : 0;
        break;
    case T_SYMLINK:
        more = v3 ? 6 : 2;
        break;
    case T_BLKDEV:
    case T_CHRDEV:
        more = v3 ? 6 : 2;
        break;
    case T_FIFO:
    case T_SOCKET:
        more = v3 ? 4 : 0;
        break;
    default:
        return IC_E_FORMAT;
    }
    if (ino->type == T_LFILE && !v3)
        return IC_E_FORMAT;
    if ((rc = meta_read(img, &at, buf, more)) != 0)
        return rc;
    bitfield_init(&b, buf, more, sb->big_endian);
    switch (ino->type) {
    case T_DIR:
    case T_LDIR: {
        if (v3)
            bitfield_get(&b, 32); /* nlink */
        unsigned size_bits = ino->type == T_DIR ? 19 : 27;
        uint32_t size = (uint32_t)bitfield_get(&b, size_bits);
        ino->dir_offset = (uint32_t)bitfield_get(&b, 13);
        if (!v3)
            ino->mtime = (int32_t)bitfield_get(&b, 32);
        ino->dir_block = sb->dir_table_start + bitfield_get(&b, v3 ? 32 : 24);
        /* 3.x counts the "." and ".." it does not store. */
        ino->dir_size = v3 ? (size >= 3 ? size - 3 : 0) : size;
        break;
    }
    case T_FILE:
        if (!v3)
            ino->mtime = (int32_t)bitfield_get(&b, 32);
        ino->start_block = bitfield_get(&b, v3 ? 64 : 32);
        ino->fragment = (uint32_t)bitfield_get(&b, 32);
        ino->frag_offset = (uint32_t)bitfield_get(&b, 32);
        ino->file_size = bitfield_get(&b, 32);
        break;
    case T_LFILE:
        bitfield_get(&b, 32); /* nlink */
        ino->start_block = bitfield_get(&b, 64);
        ino->fragment = (uint32_t)bitfield_get(&b, 32);
        ino->frag_offset = (uint32_t)bitfield_get(&b, 32);
        ino->file_size = bitfield_get(&b, 64);
        break;
    case T_SYMLINK:
        if (v3)
            bitfield_get(&b, 32);
        ino->link_size = (uint32_t)bitfield_get(&b, 16);
        break;
    case T_BLKDEV:
    case T_CHRDEV:
        if (v3)
            bitfield_get(&b, 32);
        ino->rdev = (uint32_t)bitfield_get(&b, 16);
        break;
    default:
        break;
    }
    ino->after = at;
    return IC_OK;
}

/* ---- entries --------------------------------------------------------------------------- */

static uint32_t owner(struct image *img, uint32_t index, const uint32_t *table, unsigned count,
                      const char *path)
{
    if (index < count && table)
        return table[index];
    if (!img->id_warned) {
        img->id_warned = 1;
        ic_extract_diag(img->x, IC_DIAG_WARNING, IC_E_FORMAT, -1,
                        "%s: owner index %u is not in the id table; using 0", path[0] ? path : "/",
                        index);
    }
    return 0;
}

static void fill_common(struct image *img, const struct inode *ino, const char *path,
                        struct ic_entry *e)
{
    memset(e, 0, sizeof(*e));
    e->path = path[0] ? path : "/";
    e->mode = ino->mode & 07777;
    e->mtime = ino->mtime;
    if (img->sb.major == 4) {
        e->uid = owner(img, ino->uid_index, img->uids, img->sb.id_count, path);
        e->gid = owner(img, ino->gid_index, img->uids, img->sb.id_count, path);
        return;
    }
    e->uid = owner(img, ino->uid_index, img->uids, img->sb.no_uids, path);
    e->gid = ino->gid_index == GID_IS_UID
                 ? e->uid
                 : owner(img, ino->gid_index, img->gids, img->sb.no_guids, path);
}

static int add_entry(struct image *img, const struct ic_entry *e)
{
    if (img->stop)
        return IC_E_LIMIT_FILES;
    int rc = ic_extract_add_entry(img->x, e);
    if (rc) {
        img->stop = 1;
        return rc;
    }
    img->entries++;
    return IC_OK;
}

/* Where fragment `index` lives: its block's position and size word. */
static int fragment_entry(struct image *img, uint32_t index, uint64_t *start, uint32_t *word)
{
    const struct superblock *sb = &img->sb;
    if (index >= sb->fragments)
        return IC_E_FORMAT;
    unsigned entry_size = sb->major >= 3 ? 16 : 8, pointer_size = sb->major >= 3 ? 8 : 4;
    uint64_t byte = (uint64_t)index * entry_size;
    uint64_t slot = sb->fragment_table_start + byte / METADATA_SIZE * pointer_size;
    if (!ic_range_ok(slot, pointer_size, img->size))
        return IC_E_TRUNCATED;
    uint64_t block =
        pointer_size == 8 ? load64(img, img->data + slot) : load32(img, img->data + slot);
    struct meta_pos at = {block, (uint32_t)(byte % METADATA_SIZE)};
    uint8_t buf[16];
    int rc = meta_read(img, &at, buf, entry_size);
    if (rc)
        return rc;
    *start = entry_size == 16 ? load64(img, buf) : load32(img, buf);
    *word = load32(img, buf + (entry_size == 16 ? 8 : 4));
    return IC_OK;
}

/* Builds the lazy content of a regular file after checking every extent. */
static int file_content(struct image *img, const struct inode *ino, const char *path,
                        struct ic_blob **out)
{
    const struct superblock *sb = &img->sb;
    *out = NULL;
    if (ino->file_size == 0 || img->no_content)
        return IC_OK;
    if (ino->file_size > ic_extract_max_file_size(img->x)) {
        ic_extract_diag(img->x, IC_DIAG_WARNING, IC_E_LIMIT_FILE_SIZE, -1,
                        "%s: %llu bytes, over the per-file limit; content not read", path,
                        (unsigned long long)ino->file_size);
        return IC_OK;
    }
    int has_fragment = ino->fragment != NO_FRAGMENT && !(sb->flags & FLAG_NO_FRAGMENTS);
    uint64_t full = ino->file_size >> sb->block_log;
    uint64_t count = has_fragment ? full : (ino->file_size + sb->block_size - 1) >> sb->block_log;
    if (has_fragment && (ino->file_size & (sb->block_size - 1)) == 0)
        has_fragment = 0; /* a whole number of blocks needs no tail */
    /* Each block needs a 4-byte word in the inode table. */
    if (count * 4 > img->size) {
        ic_extract_diag(img->x, IC_DIAG_ERROR, IC_E_FORMAT, -1,
                        "%s: %llu blocks cannot fit in the image; content not read", path,
                        (unsigned long long)count);
        return IC_OK;
    }
    struct file_state *f = calloc(1, sizeof(*f));
    if (!f)
        return IC_E_NOMEM;
    f->blocks = count ? malloc(count * 4) : NULL;
    if (count && !f->blocks) {
        free(f);
        return IC_E_NOMEM;
    }
    f->block_count = (uint32_t)count;
    f->start = ino->start_block;
    struct meta_pos at = ino->after;
    int rc = count ? meta_read(img, &at, f->blocks, count * 4) : IC_OK;
    const char *problem = NULL;
    if (rc)
        problem = "block list unreadable";
    uint64_t pos = f->start;
    for (uint64_t i = 0; !problem && i < count; i++) {
        f->blocks[i] = load32(img, (const uint8_t *)&f->blocks[i]);
        uint32_t len = f->blocks[i] & ~DATA_UNCOMPRESSED;
        if (len > sb->block_size || !ic_range_ok(pos, len, img->size))
            problem = "a data block lies outside the image";
        else if (len && !(f->blocks[i] & DATA_UNCOMPRESSED) && !img->probe_len) {
            img->probe_pos = pos;
            img->probe_len = len;
            img->probe_expect = i + 1 < count || ino->file_size % sb->block_size == 0
                                    ? sb->block_size
                                    : (uint32_t)(ino->file_size % sb->block_size);
        }
        pos += len;
    }
    if (!problem && has_fragment) {
        f->has_fragment = 1;
        f->frag_offset = ino->frag_offset;
        rc = fragment_entry(img, ino->fragment, &f->frag_start, &f->frag_word);
        uint32_t len = f->frag_word & ~DATA_UNCOMPRESSED;
        if (rc)
            problem = "fragment entry unreadable";
        else if (len > sb->block_size || !ic_range_ok(f->frag_start, len, img->size) ||
                 !ic_range_ok(ino->frag_offset, ino->file_size & (sb->block_size - 1),
                              sb->block_size))
            problem = "fragment lies outside the image";
    }
    if (problem) {
        ic_extract_diag(img->x, IC_DIAG_ERROR, rc ? rc : IC_E_FORMAT, -1,
                        "%s: %s; content not read", path, problem);
        free(f->blocks);
        free(f);
        return IC_OK;
    }
    rc = ic_extract_charge(img->x, ino->file_size);
    if (rc) {
        free(f->blocks);
        free(f);
        if (rc == IC_E_LIMIT_FILE_SIZE)
            return IC_OK;
        ic_extract_diag(img->x, IC_DIAG_ERROR, rc, -1, "%s and later files: content not read (%s)",
                        path, ic_error_message(rc));
        img->no_content = 1;
        return IC_OK;
    }
    atomic_fetch_add(&img->s->refs, 1);
    f->s = img->s;
    rc = ic_blob_lazy(ino->file_size, produce_file, f, file_state_free, out);
    if (rc)
        file_state_free(f);
    return rc;
}

static int emit_file(struct image *img, uint64_t ref, const struct inode *ino, const char *path)
{
    struct ic_entry e;
    fill_common(img, ino, path, &e);
    e.type = IC_FT_FILE;
    e.size = ino->file_size;
    int found = 0;
    struct ic_blob *content = u64_set_get(&img->files, ref, &found);
    if (!found) {
        int rc = file_content(img, ino, path, &content);
        if (rc)
            return rc; /* out of memory */
        if (u64_set_put(&img->files, ref, content)) {
            ic_blob_unref(content);
            return IC_E_NOMEM;
        }
    }
    e.content = content;
    return add_entry(img, &e);
}

static int emit_symlink(struct image *img, const struct inode *ino, const char *path)
{
    struct ic_entry e;
    fill_common(img, ino, path, &e);
    char *target = malloc((size_t)ino->link_size + 1);
    if (!target)
        return IC_E_NOMEM;
    struct meta_pos at = ino->after;
    int rc = meta_read(img, &at, target, ino->link_size);
    if (rc) {
        meta_diag(img, rc, -1, "symbolic link target", path);
        free(target);
        return IC_OK;
    }
    target[ino->link_size] = '\0';
    e.type = IC_FT_SYMLINK;
    e.link = target;
    e.size = strlen(target);
    rc = add_entry(img, &e);
    free(target);
    return rc;
}

static int queue_dir(struct image *img, char *path, const struct inode *ino, unsigned depth)
{
    if (ino->dir_size == 0) {
        free(path);
        return IC_OK;
    }
    if (depth > MAX_DIR_DEPTH) {
        ic_extract_diag(img->x, IC_DIAG_WARNING, IC_E_LIMIT_DEPTH, -1,
                        "%s: directories nested deeper than %d are not listed", path,
                        MAX_DIR_DEPTH);
        free(path);
        return IC_OK;
    }
    uint64_t key = (ino->dir_block << 16) ^ ino->dir_offset;
    int found = 0;
    u64_set_get(&img->listed, key, &found);
    if (found) {
        ic_extract_diag(img->x, IC_DIAG_WARNING, IC_E_LOOP, -1,
                        "%s: directory already listed elsewhere (loop or shared directory); "
                        "not listed again",
                        path[0] ? path : "/");
        free(path);
        return IC_OK;
    }
    if (u64_set_put(&img->listed, key, NULL))
        goto nomem;
    if (img->dir_count == img->dir_cap) {
        size_t ncap = img->dir_cap ? img->dir_cap * 2 : 64;
        struct dir_job *p = realloc(img->dirs, ncap * sizeof(*p));
        if (!p)
            goto nomem;
        img->dirs = p;
        img->dir_cap = ncap;
    }
    img->dirs[img->dir_count++] =
        (struct dir_job){path, ino->dir_block, ino->dir_offset, ino->dir_size, depth};
    return IC_OK;
nomem:
    free(path);
    return IC_E_NOMEM;
}

/* Emits the entry for the inode at ref; directories are queued. Takes path. */
static int handle_inode(struct image *img, uint64_t ref, char *path, unsigned depth)
{
    struct inode ino;
    int rc = read_inode(img, ref, &ino);
    if (rc) {
        if (rc == IC_E_LIMIT_MEMORY || rc == IC_E_NOMEM)
            img->stop = 1;
        meta_diag(img, rc, (int64_t)(img->sb.inode_table_start + (ref >> 16)), "inode", path);
        free(path);
        return rc == IC_E_NOMEM ? rc : IC_OK;
    }
    struct ic_entry e;
    fill_common(img, &ino, path, &e);
    switch (ino.type) {
    case T_DIR:
    case T_LDIR:
        e.type = IC_FT_DIR;
        rc = add_entry(img, &e);
        if (rc == IC_OK)
            return queue_dir(img, path, &ino, depth);
        break;
    case T_FILE:
    case T_LFILE:
        rc = emit_file(img, ref, &ino, e.path);
        break;
    case T_SYMLINK:
        rc = emit_symlink(img, &ino, e.path);
        break;
    case T_BLKDEV:
    case T_CHRDEV:
        e.type = ino.type == T_BLKDEV ? IC_FT_BLOCKDEV : IC_FT_CHARDEV;
        /* 16 bits before SquashFS 4, the kernel's 32-bit encoding after. */
        e.dev_major = (ino.rdev >> 8) & 0xfff;
        e.dev_minor = (ino.rdev & 0xff) | ((ino.rdev >> 12) & 0xfff00);
        rc = add_entry(img, &e);
        break;
    case T_FIFO:
        e.type = IC_FT_FIFO;
        rc = add_entry(img, &e);
        break;
    case T_SOCKET:
        e.type = IC_FT_SOCKET;
        rc = add_entry(img, &e);
        break;
    }
    free(path);
    return rc;
}

static int valid_name(const char *name)
{
    return name[0] && strcmp(name, ".") != 0 && strcmp(name, "..") != 0 && !strchr(name, '/');
}

/* Lists one directory: each entry's inode is handled in turn. */
static int walk_dir(struct image *img, const struct dir_job *dir)
{
    const struct superblock *sb = &img->sb;
    int v3 = sb->major == 3, v4 = sb->major == 4;
    size_t header_size = v4 ? 12 : v3 ? 9 : 4, entry_size = v4 ? 8 : v3 ? 5 : 3;
    const char *shown = dir->path[0] ? dir->path : "/";
    struct meta_pos at = {dir->listing_block, dir->listing_offset};
    uint64_t left = dir->listing_size;
    size_t dir_len = strlen(dir->path);
    unsigned listed = 0;
    while (left >= header_size && !img->stop) {
        uint8_t buf[12];
        int rc = meta_read(img, &at, buf, header_size);
        if (rc) {
            meta_diag(img, rc, (int64_t)at.block, "directory listing", dir->path);
            return IC_OK;
        }
        left -= header_size;
        struct bitfield b;
        bitfield_init(&b, buf, header_size, sb->big_endian);
        unsigned count = (unsigned)bitfield_get(&b, v4 ? 32 : 8) + 1;
        uint64_t inode_block = bitfield_get(&b, v4 || v3 ? 32 : 24);
        if (count > 256) {
            ic_extract_diag(img->x, IC_DIAG_ERROR, IC_E_FORMAT, (int64_t)at.block,
                            "%s: directory header claims %u entries", shown, count);
            return IC_OK;
        }
        for (unsigned i = 0; i < count && left >= entry_size; i++) {
            if ((++listed & 255) == 0 && ic_extract_expired(img->x)) {
                img->stop = 1;
                ic_extract_diag(img->x, IC_DIAG_ERROR, IC_E_LIMIT_TIME, -1,
                                "%s: listing stopped: time limit reached", shown);
                return IC_E_LIMIT_TIME;
            }
            uint8_t eb[8];
            char name[257];
            if ((rc = meta_read(img, &at, eb, entry_size)) != 0) {
                meta_diag(img, rc, (int64_t)at.block, "directory entry", dir->path);
                return IC_OK;
            }
            bitfield_init(&b, eb, entry_size, sb->big_endian);
            uint32_t offset;
            unsigned name_len;
            if (v4) {
                offset = (uint32_t)bitfield_get(&b, 16);
                bitfield_get(&b, 32); /* inode number delta, type */
                name_len = (unsigned)bitfield_get(&b, 16) + 1;
                if (name_len > 256) {
                    meta_diag(img, IC_E_FORMAT, (int64_t)at.block, "directory entry name",
                              dir->path);
                    return IC_OK;
                }
            } else {
                offset = (uint32_t)bitfield_get(&b, 13);
                bitfield_get(&b, 3); /* type: the inode says it again */
                name_len = (unsigned)bitfield_get(&b, 8) + 1;
            }
            left -= entry_size;
            if (name_len > left || (rc = meta_read(img, &at, name, name_len)) != 0) {
                meta_diag(img, rc ? rc : IC_E_TRUNCATED, (int64_t)at.block, "directory entry name",
                          dir->path);
                return IC_OK;
            }
            left -= name_len;
            name[name_len] = '\0';
            if (strlen(name) != name_len || !valid_name(name)) {
                ic_extract_diag(img->x, IC_DIAG_WARNING, IC_E_UNSAFE_PATH, -1,
                                "%s: entry with an invalid name skipped", shown);
                continue;
            }
            char *path = malloc(dir_len + name_len + 2);
            if (!path)
                return IC_E_NOMEM;
            memcpy(path, dir->path, dir_len);
            path[dir_len] = '/';
            memcpy(path + dir_len + 1, name, name_len + 1);
            rc = handle_inode(img, (inode_block << 16) | offset, path, dir->depth + 1);
            if (rc)
                return rc;
        }
    }
    return IC_OK;
}

/* ---- superblock -------------------------------------------------------------------------- */

/* Big-endian SquashFS 4.0, as AVM's kernels read it: the standard layout
 * (squashfs-tools 4.x squashfs_fs.h) in the other byte order. */
static int parse_superblock_v4(const uint8_t *p, uint64_t avail, struct superblock *sb)
{
    if (avail < SUPER_SIZE_V4 || ic_load_u16be(p + 30) != 0)
        return IC_E_BAD_MAGIC;
    memcpy(sb->magic, p, 4);
    sb->major = 4;
    sb->inodes = ic_load_u32be(p + 4);
    sb->mkfs_time = ic_load_u32be(p + 8);
    sb->block_size = ic_load_u32be(p + 12);
    sb->fragments = ic_load_u32be(p + 16);
    sb->compression = ic_load_u16be(p + 20);
    sb->block_log = ic_load_u16be(p + 22);
    sb->flags = (uint8_t)ic_load_u16be(p + 24);
    sb->id_count = ic_load_u16be(p + 26);
    sb->root_inode = ic_load_u64be(p + 32);
    sb->bytes_used = ic_load_u64be(p + 40);
    sb->id_table_start = ic_load_u64be(p + 48);
    sb->inode_table_start = ic_load_u64be(p + 64);
    sb->dir_table_start = ic_load_u64be(p + 72);
    sb->fragment_table_start = ic_load_u64be(p + 80);
    if (sb->block_log < 12 || sb->block_log > 20 || sb->block_size != (1u << sb->block_log) ||
        sb->compression < 1 || sb->compression > 6)
        return IC_E_BAD_MAGIC;
    if (sb->bytes_used < SUPER_SIZE_V4 || sb->inode_table_start < SUPER_SIZE_V4 ||
        sb->inode_table_start >= sb->dir_table_start || sb->dir_table_start >= sb->bytes_used ||
        (sb->root_inode >> 16) >= sb->dir_table_start - sb->inode_table_start ||
        (sb->root_inode & 0xffff) >= METADATA_SIZE)
        return IC_E_BAD_MAGIC;
    return IC_OK;
}

static int parse_superblock(const uint8_t *p, uint64_t avail, struct superblock *sb)
{
    memset(sb, 0, sizeof(*sb));
    if (avail < SUPER_SIZE_V2)
        return IC_E_BAD_MAGIC;
    uint16_t le = ic_load_u16le(p + 28), be = ic_load_u16be(p + 28);
    if (le == 2 || le == 3)
        sb->big_endian = 0;
    else if (be == 2 || be == 3 || be == 4) /* little-endian 4.0 is libsquashfs's */
        sb->big_endian = 1;
    else
        return IC_E_BAD_MAGIC;
    if (be == 4)
        return parse_superblock_v4(p, avail, sb);
    int B = sb->big_endian;
    memcpy(sb->magic, p, 4);
    sb->major = ic_load_u16(p + 28, B);
    sb->minor = ic_load_u16(p + 30, B);
    if (sb->major == 3 && avail < SUPER_SIZE_V3)
        return IC_E_BAD_MAGIC;
    sb->inodes = ic_load_u32(p + 4, B);
    sb->block_log = ic_load_u16(p + 34, B);
    struct bitfield b;
    bitfield_init(&b, p + 36, 3, B);
    sb->flags = (uint8_t)bitfield_get(&b, 8);
    sb->no_uids = (uint8_t)bitfield_get(&b, 8);
    sb->no_guids = (uint8_t)bitfield_get(&b, 8);
    sb->mkfs_time = ic_load_u32(p + 39, B);
    sb->root_inode = ic_load_u64(p + 43, B);
    sb->block_size = ic_load_u32(p + 51, B);
    sb->fragments = ic_load_u32(p + 55, B);
    if (sb->major == 2) {
        sb->bytes_used = ic_load_u32(p + 8, B);
        sb->uid_start = ic_load_u32(p + 12, B);
        sb->guid_start = ic_load_u32(p + 16, B);
        sb->inode_table_start = ic_load_u32(p + 20, B);
        sb->dir_table_start = ic_load_u32(p + 24, B);
        sb->fragment_table_start = ic_load_u32(p + 59, B);
    } else {
        sb->bytes_used = ic_load_u64(p + 63, B);
        sb->uid_start = ic_load_u64(p + 71, B);
        sb->guid_start = ic_load_u64(p + 79, B);
        sb->inode_table_start = ic_load_u64(p + 87, B);
        sb->dir_table_start = ic_load_u64(p + 95, B);
        sb->fragment_table_start = ic_load_u64(p + 103, B);
    }
    uint64_t header = sb->major == 3 ? SUPER_SIZE_V3 : SUPER_SIZE_V2;
    if (sb->block_log < 12 || sb->block_log > 20 || sb->block_size != (1u << sb->block_log))
        return IC_E_BAD_MAGIC;
    if (sb->bytes_used < header || sb->inode_table_start < header ||
        sb->inode_table_start >= sb->dir_table_start || sb->dir_table_start >= sb->bytes_used ||
        (sb->root_inode >> 16) >= sb->dir_table_start - sb->inode_table_start ||
        (sb->root_inode & 0xffff) >= METADATA_SIZE)
        return IC_E_BAD_MAGIC;
    return IC_OK;
}

static uint32_t *read_ids(struct image *img, uint64_t start, unsigned count, const char *what)
{
    if (count == 0)
        return NULL;
    if (!ic_range_ok(start, (uint64_t)count * 4, img->size)) {
        ic_extract_diag(img->x, IC_DIAG_ERROR, IC_E_TRUNCATED, (int64_t)start,
                        "%s table lies outside the image", what);
        return NULL;
    }
    uint32_t *ids = malloc(count * sizeof(*ids));
    for (unsigned i = 0; ids && i < count; i++)
        ids[i] = load32(img, img->data + start + 4 * (uint64_t)i);
    return ids;
}

/* SquashFS 4 keeps owners in metadata blocks named by an index of pointers. */
static uint32_t *read_ids_v4(struct image *img)
{
    const struct superblock *sb = &img->sb;
    if (sb->id_count == 0)
        return NULL;
    uint32_t *ids = calloc(sb->id_count, sizeof(*ids));
    if (!ids)
        return NULL;
    for (unsigned i = 0; i < sb->id_count; i++) {
        uint64_t slot = sb->id_table_start + (uint64_t)i * 4 / METADATA_SIZE * 8;
        uint8_t raw[4];
        int rc = ic_range_ok(slot, 8, img->size) ? IC_OK : IC_E_TRUNCATED;
        if (rc == IC_OK) {
            struct meta_pos at = {load64(img, img->data + slot), (uint32_t)(i * 4 % METADATA_SIZE)};
            rc = meta_read(img, &at, raw, 4);
        }
        if (rc) {
            ic_extract_diag(img->x, IC_DIAG_ERROR, rc, (int64_t)sb->id_table_start,
                            "owner id table unreadable: %s", ic_error_message(rc));
            free(ids);
            return NULL;
        }
        ids[i] = load32(img, raw);
    }
    return ids;
}

static const char *vendor_magic(const char *magic)
{
    return strcmp(magic, "hsqs") == 0 || strcmp(magic, "sqsh") == 0 ? NULL : magic;
}

static void image_release(struct image *img)
{
    for (size_t i = 0; i < img->dir_count; i++)
        free(img->dirs[i].path);
    free(img->dirs);
    u64_set_release(&img->cache, free);
    u64_set_release(&img->listed, NULL);
    u64_set_release(&img->files, blob_unref_value);
    free(img->uids);
    free(img->gids);
    shared_unref(img->s);
}

static int squashfs3_unpack(struct ic_extract *x)
{
    struct image img = {.x = x};
    if (parse_superblock(x->data, x->size, &img.sb))
        return IC_E_BAD_MAGIC;
    struct superblock *sb = &img.sb;
    uint64_t available = sb->bytes_used;
    if (sb->bytes_used > x->size) {
        /* A truncated image is only believed when its root is there. */
        if (sb->dir_table_start >= x->size)
            return IC_E_BAD_MAGIC;
        ic_extract_diag(x, IC_DIAG_ERROR, IC_E_TRUNCATED, (int64_t)x->size,
                        "image is truncated: %llu of %llu bytes present",
                        (unsigned long long)x->size, (unsigned long long)sb->bytes_used);
        available = x->size;
    }
    img.data = x->data;
    img.size = available;
    img.s = calloc(1, sizeof(*img.s));
    if (!img.s)
        return IC_E_NOMEM;
    atomic_init(&img.s->refs, 1);
    pthread_mutex_init(&img.s->fragments.lock, NULL);
    atomic_init(&img.s->codec, FRAMING_UNKNOWN);
    img.s->block_size = sb->block_size;
    int rc = ic_extract_slice(x, 0, available, &img.s->image);
    if (rc == IC_OK)
        img.s->data = ic_blob_data(img.s->image, &rc);
    if (rc || !img.s->data) {
        image_release(&img);
        return rc ? rc : IC_E_NOMEM;
    }
    img.s->size = available;
    ic_extract_set_extent(x, available);
    ic_extract_fs(x);

    if (sb->major == 4) {
        static const unsigned codecs[7] = {FRAMING_UNKNOWN, FRAMING_ZLIB, FRAMING_LZMA_ALONE,
                                           FRAMING_LZO,     FRAMING_XZ,   FRAMING_LZ4,
                                           FRAMING_ZSTD};
        atomic_store(&img.s->codec, codecs[sb->compression]);
        if (codecs[sb->compression] == FRAMING_UNKNOWN)
            ic_extract_diag(x, IC_DIAG_ERROR, IC_E_UNSUPPORTED, 20,
                            "big-endian SquashFS 4 with compressor %u is not read",
                            sb->compression);
        img.uids = read_ids_v4(&img);
    } else {
        img.uids = read_ids(&img, sb->uid_start, sb->no_uids, "uid");
        img.gids = read_ids(&img, sb->guid_start, sb->no_guids, "gid");
    }

    char *root = calloc(1, 1);
    rc = root ? handle_inode(&img, sb->root_inode, root, 0) : IC_E_NOMEM;
    /* Depth first, last queued first; each listing is walked at most once. */
    while (rc == IC_OK && img.dir_count > 0 && !img.stop) {
        struct dir_job dir = img.dirs[--img.dir_count];
        rc = walk_dir(&img, &dir);
        free(dir.path);
    }
    if (rc == IC_E_NOMEM)
        ic_extract_diag(x, IC_DIAG_ERROR, rc, -1, "listing stopped: out of memory");
    if (img.cached_bytes + sizeof(struct meta_block) > MAX_METADATA_BYTES)
        ic_extract_diag(x, IC_DIAG_ERROR, IC_E_LIMIT_MEMORY, -1,
                        "metadata larger than %u MiB; listing incomplete",
                        MAX_METADATA_BYTES >> 20);

    /* Name the compressor even when every metadata block was stored plain. */
    if (atomic_load(&img.s->codec) == FRAMING_UNKNOWN && img.probe_len) {
        uint8_t *probe = malloc(img.probe_expect);
        size_t produced = 0;
        if (probe && decode_block(img.s, img.data + img.probe_pos, img.probe_len, probe,
                                  img.probe_expect, img.probe_expect, &produced) != IC_OK)
            ic_extract_diag(x, IC_DIAG_WARNING, IC_E_UNSUPPORTED, (int64_t)img.probe_pos,
                            "data blocks are compressed in a way not recognised");
        free(probe);
    }
    unsigned codec = atomic_load(&img.s->codec) & 0xff;
    const char *magic = vendor_magic(sb->magic);
    if (sb->major == 4) {
        static const char *const names[7] = {"?", "gzip", "lzma", "lzo", "xz", "lz4", "zstd"};
        ic_extract_set_info(x, "SquashFS 4.0 %s, big-endian (AVM)%s%s%s, %u inodes, block %u",
                            names[sb->compression], magic ? ", vendor magic \"" : "",
                            magic ? magic : "", magic ? "\"" : "", sb->inodes, sb->block_size);
        image_release(&img);
        return IC_OK;
    }
    ic_extract_set_info(x, "SquashFS %u.%u %s, %s-endian%s%s%s, %u inodes, block %u", sb->major,
                        sb->minor, framing_names[codec], sb->big_endian ? "big" : "little",
                        magic ? ", vendor magic \"" : "", magic ? magic : "", magic ? "\"" : "",
                        sb->inodes, sb->block_size);
    image_release(&img);
    return IC_OK;
}

const struct ic_format ic_format_squashfs3 = {
    .name = "squashfs3",
    .description = "SquashFS 2.x/3.x, both byte orders, gzip and vendor LZMA framings "
                   "(Broadcom, DD-WRT, squashfs-lzma), vendor magics",
    .magics = IC_MAGICS({"hsqs", 4, 0}, {"sqsh", 4, 0}, {"shsq", 4, 0}, {"qshs", 4, 0},
                        {"tqsh", 4, 0}, {"hsqt", 4, 0}, {"sqlz", 4, 0}, {"zlqs", 4, 0}),
    .unpack = squashfs3_unpack,
};
