/* JFFS2 and CramFS readers on images written here node by node and inode by
 * inode, for what mkfs tools never write: several versions of one inode, a
 * truncation, deletions and renames, rtime/lzma/zero nodes, bad CRCs, a
 * 2 GiB size claim, CramFS extended block pointers (direct and uncompressed
 * blocks), holes, overlapping blocks and directory loops. The writers below
 * follow the on-disk layouts (linux/jffs2.h, linux/cramfs_fs.h) and share
 * nothing with the readers. Images from the real mkfs tools are compared in
 * tests/cli/flashfs.sh. */
#include "iotcop/error.h"
#include "iotcop/unpack.h"
#include "testutil.h"

#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

struct img {
    uint8_t *p;
    size_t len, cap;
    int be;
};

static void put(struct img *m, const void *d, size_t n)
{
    if (m->len + n > m->cap) {
        m->cap = (m->len + n) * 2 + 4096;
        m->p = realloc(m->p, m->cap);
        assert_non_null(m->p);
    }
    memcpy(m->p + m->len, d, n);
    m->len += n;
}

static void put8(struct img *m, uint8_t v)
{
    put(m, &v, 1);
}

static void put16(struct img *m, uint16_t v)
{
    uint8_t b[2];
    if (m->be) {
        b[0] = (uint8_t)(v >> 8);
        b[1] = (uint8_t)v;
    } else {
        b[0] = (uint8_t)v;
        b[1] = (uint8_t)(v >> 8);
    }
    put(m, b, 2);
}

static void put32(struct img *m, uint32_t v)
{
    uint8_t b[4];
    for (int i = 0; i < 4; i++)
        b[m->be ? 3 - i : i] = (uint8_t)(v >> (8 * i));
    put(m, b, 4);
}

static void set32(struct img *m, size_t at, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        m->p[at + (size_t)(m->be ? 3 - i : i)] = (uint8_t)(v >> (8 * i));
}

static void align4(struct img *m)
{
    while (m->len % 4)
        put8(m, 0xff);
}

static struct ic_unpack *unpack_bytes(const uint8_t *data, size_t len)
{
    struct ic_limits limits;
    ic_limits_default(&limits);
    struct ic_blob *blob = NULL;
    assert_int_equal(ic_blob_from_copy(data, len, &blob), IC_OK);
    struct ic_unpack *u = NULL;
    assert_int_equal(ic_unpack_blob(blob, &limits, &u), IC_OK);
    ic_blob_unref(blob);
    return u;
}

static const struct ic_layer *layer_of(const struct ic_unpack *u, const char *format)
{
    for (size_t i = 0; i < u->layer_count; i++)
        if (strcmp(u->layers[i].format, format) == 0)
            return &u->layers[i];
    return NULL;
}

static size_t diags_with(const struct ic_unpack *u, int code, const char *text)
{
    size_t n = 0;
    for (size_t i = 0; i < u->diag_count; i++)
        if (u->diags[i].code == code && (!text || strstr(u->diags[i].message, text)))
            n++;
    return n;
}

static const struct ic_entry *entry(const struct ic_layer *l, const char *path)
{
    const struct ic_entry *e = ic_fs_lookup(l->fs, path);
    if (!e)
        fail_msg("%s missing", path);
    return e;
}

static void assert_content(const struct ic_entry *e, const void *want, size_t len)
{
    assert_int_equal(e->size, len);
    assert_non_null(e->content);
    assert_int_equal(ic_blob_size(e->content), len);
    const uint8_t *got = ic_blob_data(e->content, NULL);
    assert_non_null(got);
    if (memcmp(got, want, len) != 0)
        fail_msg("content of %s differs", e->path);
}

/* ---- a JFFS2 writer ------------------------------------------------------------------ */

/* JFFS2's CRC-32: seed 0, no final inversion. */
static uint32_t jcrc(const uint8_t *p, size_t n)
{
    return (uint32_t)(crc32(0xffffffffUL, p, (uInt)n) ^ 0xffffffffUL);
}

static void jffs2_dirent(struct img *m, uint32_t pino, uint32_t version, uint32_t ino, uint8_t dt,
                         const char *name)
{
    size_t at = m->len;
    size_t nsize = strlen(name);
    put16(m, 0x1985);
    put16(m, 0xe001);
    put32(m, (uint32_t)(40 + nsize));
    put32(m, 0); /* header CRC */
    put32(m, pino);
    put32(m, version);
    put32(m, ino);
    put32(m, 1700000000);
    put8(m, (uint8_t)nsize);
    put8(m, dt);
    put8(m, 0);
    put8(m, 0);
    put32(m, 0); /* node CRC */
    put32(m, jcrc((const uint8_t *)name, nsize));
    put(m, name, nsize);
    set32(m, at + 8, jcrc(m->p + at, 8));
    set32(m, at + 32, jcrc(m->p + at, 32));
    align4(m);
}

static size_t jffs2_inode(struct img *m, uint32_t ino, uint32_t version, uint32_t mode,
                          uint32_t isize, uint32_t offset, uint8_t compr, const void *data,
                          uint32_t csize, uint32_t dsize)
{
    size_t at = m->len;
    put16(m, 0x1985);
    put16(m, 0xe002);
    put32(m, 68 + csize);
    put32(m, 0);
    put32(m, ino);
    put32(m, version);
    put32(m, mode);
    put16(m, 1000); /* uid */
    put16(m, 100);  /* gid */
    put32(m, isize);
    put32(m, 1700000000); /* atime */
    put32(m, 1700000000 + version);
    put32(m, 1700000000);
    put32(m, offset);
    put32(m, csize);
    put32(m, dsize);
    put8(m, compr);
    put8(m, 0);
    put16(m, 0);
    put32(m, jcrc(data, csize));
    put32(m, 0);
    put(m, data, csize);
    set32(m, at + 8, jcrc(m->p + at, 8));
    set32(m, at + 64, jcrc(m->p + at, 60));
    align4(m);
    return at;
}

static size_t raw_lzma(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
    lzma_options_lzma opt;
    assert_false(lzma_lzma_preset(&opt, 6));
    opt.dict_size = 0x2000;
    opt.lc = 0;
    opt.lp = 0;
    opt.pb = 0;
    lzma_filter f[2] = {{LZMA_FILTER_LZMA1, &opt}, {LZMA_VLI_UNKNOWN, NULL}};
    size_t pos = 0;
    assert_int_equal(lzma_raw_buffer_encode(f, NULL, in, n, out, &pos, cap), LZMA_OK);
    return pos;
}

/* The pattern the tests write into files. */
static void pattern(uint8_t *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)("the quick brown fox "[i % 20] + (i / 997 + seed) % 3);
}

static void build_jffs2(struct img *m, int be)
{
    memset(m, 0, sizeof(*m));
    m->be = be;
    static uint8_t big[5000], packed[8192];
    pattern(big, sizeof(big), 1);
    /* a cleanmarker opens the erase block */
    size_t at = m->len;
    put16(m, 0x1985);
    put16(m, 0x2003);
    put32(m, 12);
    put32(m, 0);
    set32(m, at + 8, jcrc(m->p + at, 8));

    jffs2_dirent(m, 1, 1, 2, 4, "etc");
    jffs2_inode(m, 2, 1, 040755, 0, 0, 0, "", 0, 0);
    /* /etc/a: version 2 overwrites the start of version 1 */
    jffs2_dirent(m, 2, 2, 3, 8, "a");
    jffs2_inode(m, 3, 1, 0100640, 12, 0, 0, "old content!", 12, 12);
    jffs2_inode(m, 3, 2, 0104755, 12, 0, 0, "NEW", 3, 3);
    /* version 3 has a bad data CRC and must be ignored */
    size_t bad = jffs2_inode(m, 3, 3, 0100600, 12, 0, 0, "BAD", 3, 3);
    m->p[bad + 68] ^= 0x20;
    /* /z: zlib page then an lzma tail */
    uLongf zlen = sizeof(packed);
    assert_int_equal(compress2(packed, &zlen, big, 4096, 9), Z_OK);
    jffs2_dirent(m, 1, 3, 4, 8, "z");
    jffs2_inode(m, 4, 1, 0100644, 4096, 0, 6, packed, (uint32_t)zlen, 4096);
    size_t llen = raw_lzma(big + 4096, 904, packed, sizeof(packed));
    jffs2_inode(m, 4, 2, 0100644, 5000, 4096, 8, packed, (uint32_t)llen, 904);
    /* /r: rtime pairs (a,0) (b,0) (a,3) give "ababab" */
    jffs2_dirent(m, 1, 4, 5, 8, "r");
    jffs2_inode(m, 5, 1, 0100644, 6, 0, 2, "a\0b\0a\3", 6, 6);
    /* /zero: a zero node */
    jffs2_dirent(m, 1, 5, 6, 8, "zero");
    jffs2_inode(m, 6, 1, 0100644, 100, 0, 1, "", 0, 100);
    /* /gone: deleted by a newer entry with inode 0 */
    jffs2_dirent(m, 1, 6, 7, 8, "gone");
    jffs2_inode(m, 7, 1, 0100644, 2, 0, 0, "hi", 2, 2);
    jffs2_dirent(m, 1, 7, 0, 8, "gone");
    /* /old renamed to /new */
    jffs2_dirent(m, 1, 8, 8, 8, "old");
    jffs2_inode(m, 8, 1, 0100644, 5, 0, 0, "moved", 5, 5);
    jffs2_dirent(m, 1, 9, 0, 8, "old");
    jffs2_dirent(m, 1, 10, 8, 8, "new");
    /* /h1: a second name of /etc/a */
    jffs2_dirent(m, 1, 11, 3, 8, "h1");
    /* /t: written, then truncated to 5 bytes */
    jffs2_dirent(m, 1, 12, 9, 8, "t");
    jffs2_inode(m, 9, 1, 0100644, 11, 0, 0, "hello world", 11, 11);
    jffs2_inode(m, 9, 2, 0100644, 5, 0, 0, "", 0, 0);
    /* /huge: claims 2 GiB */
    jffs2_dirent(m, 1, 13, 10, 8, "huge");
    jffs2_inode(m, 10, 1, 0100644, 0x80000000u, 0, 0, "x", 1, 1);
    /* /lnk -> /etc/a */
    jffs2_dirent(m, 1, 14, 11, 10, "lnk");
    jffs2_inode(m, 11, 1, 0120777, 6, 0, 0, "/etc/a", 6, 6);
    /* /dev0: character device 200:300, new encoding */
    jffs2_dirent(m, 1, 15, 12, 2, "dev0");
    uint32_t devno = (300 & 0xff) | (200u << 8) | ((300u & ~0xffu) << 12);
    uint8_t dev[4];
    for (int i = 0; i < 4; i++)
        dev[be ? 3 - i : i] = (uint8_t)(devno >> (8 * i));
    jffs2_inode(m, 12, 1, 020600, 0, 0, 0, dev, 4, 4);
}

static void check_jffs2(int be)
{
    struct img m;
    build_jffs2(&m, be);
    size_t fs_len = m.len;
    /* embed between junk: 1 KiB before, 70 KiB after */
    struct img all = {0};
    uint8_t junk[1024];
    memset(junk, 0x5a, sizeof(junk));
    put(&all, junk, sizeof(junk));
    put(&all, m.p, m.len);
    for (int i = 0; i < 70; i++)
        put(&all, junk, sizeof(junk));
    struct ic_unpack *u = unpack_bytes(all.p, all.len);
    const struct ic_layer *l = layer_of(u, "jffs2");
    assert_non_null(l);
    assert_non_null(l->fs);
    assert_int_equal(l->offset, 1024);
    assert_true(l->size + 4 > fs_len && l->size <= fs_len);

    uint8_t big[5000];
    pattern(big, sizeof(big), 1);
    const struct ic_entry *a = entry(l, "/etc/a");
    assert_true(a->type == IC_FT_FILE || a->type == IC_FT_HARDLINK);
    assert_int_equal(a->mode, 04755); /* from the newest valid node */
    assert_int_equal(a->uid, 1000);
    assert_int_equal(a->gid, 100);
    assert_int_equal(a->mtime, 1700000002);
    assert_content(a, "NEW content!", 12);
    assert_true(diags_with(u, IC_E_CHECKSUM, "data CRC") >= 1);
    assert_content(entry(l, "/z"), big, sizeof(big));
    assert_content(entry(l, "/r"), "ababab", 6);
    static const uint8_t zeros[100];
    assert_content(entry(l, "/zero"), zeros, 100);
    assert_null(ic_fs_lookup(l->fs, "/gone"));
    assert_null(ic_fs_lookup(l->fs, "/old"));
    assert_content(entry(l, "/new"), "moved", 5);
    const struct ic_entry *h = entry(l, "/h1");
    assert_true(h->type == IC_FT_HARDLINK || h->type == IC_FT_FILE);
    assert_content(h, "NEW content!", 12);
    assert_content(entry(l, "/t"), "hello", 5);
    const struct ic_entry *huge = entry(l, "/huge");
    assert_null(huge->content);
    assert_true(diags_with(u, IC_E_LIMIT_FILE_SIZE, "/huge") >= 1);
    const struct ic_entry *lnk = entry(l, "/lnk");
    assert_int_equal(lnk->type, IC_FT_SYMLINK);
    assert_string_equal(lnk->link, "/etc/a");
    const struct ic_entry *dev = entry(l, "/dev0");
    assert_int_equal(dev->type, IC_FT_CHARDEV);
    assert_int_equal(dev->dev_major, 200);
    assert_int_equal(dev->dev_minor, 300);
    ic_unpack_free(u);
    free(all.p);
    free(m.p);
}

static void test_jffs2_le(void **state)
{
    check_jffs2(0);
}

static void test_jffs2_be(void **state)
{
    check_jffs2(1);
}

/* Every prefix of an image and every single-byte change ends normally. */
static void test_jffs2_damage(void **state)
{
    struct img m;
    build_jffs2(&m, 0);
    for (size_t cut = 0; cut < m.len; cut += 37)
        ic_unpack_free(unpack_bytes(m.p, cut));
    for (size_t i = 0; i < m.len; i += 13) {
        m.p[i] ^= 0xa5;
        ic_unpack_free(unpack_bytes(m.p, m.len));
        m.p[i] ^= 0xa5;
    }
    free(m.p);
}

/* ---- a CramFS writer ----------------------------------------------------------------- */

static void cram_inode(struct img *m, uint32_t mode, uint32_t uid, uint32_t size, uint32_t gid,
                       uint32_t namelen, uint32_t offset)
{
    uint32_t w0, w1, w2;
    if (m->be) {
        w0 = (mode << 16) | (uid & 0xffff);
        w1 = (size << 8) | (gid & 0xff);
        w2 = (namelen << 26) | (offset & 0x3ffffff);
    } else {
        w0 = (mode & 0xffff) | (uid << 16);
        w1 = (size & 0xffffff) | (gid << 24);
        w2 = (namelen & 0x3f) | (offset << 6);
    }
    put32(m, w0);
    put32(m, w1);
    put32(m, w2);
}

/* An entry with a name padded to 4 bytes; returns where its inode is. */
static size_t cram_entry(struct img *m, uint32_t mode, uint32_t size, const char *name)
{
    size_t at = m->len;
    size_t n = strlen(name), padded = (n + 3) / 4 * 4;
    cram_inode(m, mode, 1000, size, 100, (uint32_t)(padded / 4), 0);
    put(m, name, n);
    for (size_t i = n; i < padded; i++)
        put8(m, 0);
    return at;
}

static void cram_set_offset(struct img *m, size_t inode_at, uint32_t offset)
{
    /* rewrite word 2 keeping namelen */
    const uint8_t *p = m->p + inode_at + 8;
    uint32_t w2 = m->be ? ((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3])
                        : ((uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0]);
    if (m->be)
        w2 = (w2 & 0xfc000000u) | (offset / 4);
    else
        w2 = (w2 & 0x3f) | ((offset / 4) << 6);
    set32(m, inode_at + 8, w2);
}

static void cram_set_dir(struct img *m, size_t inode_at, uint32_t offset, uint32_t size)
{
    cram_set_offset(m, inode_at, offset);
    const uint8_t *p = m->p + inode_at + 4;
    uint32_t gid = m->be ? p[3] : p[3];
    set32(m, inode_at + 4, m->be ? (size << 8) | gid : (size & 0xffffff) | (gid << 24));
}

static uint32_t zblock(struct img *m, const uint8_t *d, size_t n)
{
    uint8_t out[8192];
    uLongf len = sizeof(out);
    assert_int_equal(compress2(out, &len, d, n, 9), Z_OK);
    put(m, out, len);
    return (uint32_t)len;
}

enum { CRAM_OVERLAP = 1, CRAM_LOOP = 2 };

/* Root: a (direct raw + direct zlib), b (standard blocks), hole, lnk, tty, sub/ */
static void build_cramfs(struct img *m, int be, int variant)
{
    memset(m, 0, sizeof(*m));
    m->be = be;
    static uint8_t a[4196], b[9000], hole[8192];
    pattern(a, sizeof(a), 2);
    pattern(b, sizeof(b), 3);
    memset(hole, 0, sizeof(hole));
    pattern(hole + 4096, 4096, 4);

    put32(m, 0x28cd3d45);
    put32(m, 0); /* size, set below */
    put32(m, 0x1 | 0x100 | 0x800);
    put32(m, 0);
    put(m, "Compressed ROMFS", 16);
    put32(m, 0); /* crc */
    put32(m, 0);
    put32(m, 0);
    put32(m, 6);
    put(m, "test volume\0\0\0\0\0", 16);
    size_t root = m->len;
    cram_inode(m, 040755, 0, 0, 0, 0, 0);
    size_t dir_start = m->len;
    size_t ia = cram_entry(m, 0100644, sizeof(a), "a");
    size_t ib = cram_entry(m, 0100755, sizeof(b), "b");
    size_t ih = cram_entry(m, 0100644, sizeof(hole), "hole");
    size_t il = cram_entry(m, 0120777, 6, "lnk");
    cram_entry(m, 020620, (5u << 8) | 64, "tty");
    size_t is = cram_entry(m, 040700, 0, "sub");
    size_t dir_end = m->len;
    size_t sub_start = m->len;
    size_t isf = cram_entry(m, 0100600, 4, "f");
    size_t sub_end = m->len;
    cram_set_dir(m, root, (uint32_t)dir_start, (uint32_t)(dir_end - dir_start));
    cram_set_dir(m, is, (uint32_t)sub_start, (uint32_t)(sub_end - sub_start));
    if (variant == CRAM_LOOP) /* sub lists the root's entries again */
        cram_set_dir(m, is, (uint32_t)dir_start, (uint32_t)(dir_end - dir_start));

    /* a: two pointers; block 0 direct uncompressed, block 1 direct zlib with a length */
    size_t ta = m->len;
    cram_set_offset(m, ia, (uint32_t)ta);
    put32(m, 0);
    put32(m, 0);
    size_t d0 = m->len;
    put(m, a, 4096);
    align4(m);
    size_t d1 = m->len;
    put16(m, 0); /* length, below */
    uint32_t z1 = zblock(m, a + 4096, 100);
    m->p[d1 + (be ? 0 : 1)] = (uint8_t)(z1 >> 8);
    m->p[d1 + (be ? 1 : 0)] = (uint8_t)z1;
    align4(m);
    set32(m, ta, 0xc0000000u | (uint32_t)(d0 >> 2));
    set32(m, ta + 4, 0x40000000u | (uint32_t)(d1 >> 2));

    /* b: three standard zlib blocks */
    size_t tb = m->len;
    cram_set_offset(m, ib, (uint32_t)tb);
    put32(m, 0);
    put32(m, 0);
    put32(m, 0);
    for (int i = 0; i < 3; i++) {
        size_t n = sizeof(b) - (size_t)i * 4096 < 4096 ? sizeof(b) - (size_t)i * 4096 : 4096;
        zblock(m, b + i * 4096, n);
        set32(m, tb + 4 * (size_t)i, (uint32_t)m->len);
    }
    align4(m);

    /* hole: block 0 empty, block 1 zlib */
    size_t th = m->len;
    cram_set_offset(m, ih, (uint32_t)th);
    put32(m, 0);
    put32(m, 0);
    set32(m, th, (uint32_t)m->len);
    zblock(m, hole + 4096, 4096);
    set32(m, th + 4, (uint32_t)m->len);
    align4(m);

    /* lnk and sub/f */
    size_t tl = m->len;
    cram_set_offset(m, il, (uint32_t)tl);
    put32(m, 0);
    zblock(m, (const uint8_t *)"/sub/f", 6);
    set32(m, tl, (uint32_t)m->len);
    align4(m);
    size_t tf = m->len;
    cram_set_offset(m, isf, (uint32_t)tf);
    put32(m, 0);
    zblock(m, (const uint8_t *)"deep", 4);
    set32(m, tf, (uint32_t)m->len);
    if (variant == CRAM_OVERLAP) /* sub/f's one block now overlaps b's table and block 0 */
        cram_set_offset(m, isf, (uint32_t)tb);
    while (m->len % 4096)
        put8(m, 0);
    set32(m, 4, (uint32_t)m->len);
    uint32_t crc = (uint32_t)crc32(crc32(0L, Z_NULL, 0), m->p, (uInt)m->len);
    set32(m, 32, crc);
}

static void check_cramfs(int be)
{
    struct img m;
    build_cramfs(&m, be, 0);
    struct ic_unpack *u = unpack_bytes(m.p, m.len);
    const struct ic_layer *l = layer_of(u, "cramfs");
    assert_non_null(l);
    assert_int_equal(l->offset, 0);
    assert_int_equal(l->size, m.len);
    for (size_t i = 0; i < u->diag_count; i++)
        fail_msg("unexpected diagnostic: %s", u->diags[i].message);
    uint8_t a[4196], b[9000], hole[8192];
    pattern(a, sizeof(a), 2);
    pattern(b, sizeof(b), 3);
    memset(hole, 0, sizeof(hole));
    pattern(hole + 4096, 4096, 4);
    assert_content(entry(l, "/a"), a, sizeof(a));
    const struct ic_entry *eb = entry(l, "/b");
    assert_content(eb, b, sizeof(b));
    assert_int_equal(eb->mode, 0755);
    assert_int_equal(eb->uid, 1000);
    assert_int_equal(eb->gid, 100);
    assert_content(entry(l, "/hole"), hole, sizeof(hole));
    assert_string_equal(entry(l, "/lnk")->link, "/sub/f");
    const struct ic_entry *tty = entry(l, "/tty");
    assert_int_equal(tty->type, IC_FT_CHARDEV);
    assert_int_equal(tty->dev_major, 5);
    assert_int_equal(tty->dev_minor, 64);
    assert_int_equal(entry(l, "/sub")->mode, 0700);
    assert_content(entry(l, "/sub/f"), "deep", 4);
    ic_unpack_free(u);
    free(m.p);
}

static void test_cramfs_ext_le(void **state)
{
    check_cramfs(0);
}

static void test_cramfs_ext_be(void **state)
{
    check_cramfs(1);
}

static void test_cramfs_overlap(void **state)
{
    struct img m;
    build_cramfs(&m, 0, CRAM_OVERLAP);
    struct ic_unpack *u = unpack_bytes(m.p, m.len);
    assert_non_null(layer_of(u, "cramfs"));
    assert_true(diags_with(u, IC_E_FORMAT, "overlaps") >= 1);
    ic_unpack_free(u);
    free(m.p);
}

static void test_cramfs_loop(void **state)
{
    struct img m;
    build_cramfs(&m, 1, CRAM_LOOP);
    struct ic_unpack *u = unpack_bytes(m.p, m.len);
    const struct ic_layer *l = layer_of(u, "cramfs");
    assert_non_null(l);
    assert_true(diags_with(u, IC_E_LOOP, NULL) >= 1);
    assert_non_null(ic_fs_lookup(l->fs, "/a"));
    ic_unpack_free(u);
    free(m.p);
}

static void test_cramfs_damage(void **state)
{
    struct img m;
    build_cramfs(&m, 0, 0);
    for (size_t cut = 0; cut < m.len; cut += 41)
        ic_unpack_free(unpack_bytes(m.p, cut));
    for (size_t i = 0; i < m.len; i += 7) {
        m.p[i] ^= 0x5a;
        ic_unpack_free(unpack_bytes(m.p, m.len));
        m.p[i] ^= 0x5a;
    }
    free(m.p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jffs2_le),        cmocka_unit_test(test_jffs2_be),
        cmocka_unit_test(test_jffs2_damage),    cmocka_unit_test(test_cramfs_ext_le),
        cmocka_unit_test(test_cramfs_ext_be),   cmocka_unit_test(test_cramfs_overlap),
        cmocka_unit_test(test_cramfs_loop),     cmocka_unit_test(test_cramfs_damage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
