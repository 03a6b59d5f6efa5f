/* YAFFS2, Android sparse and boot image readers on images written here,
 * for what mkyaffs2image and img2simg never write: every page geometry
 * (512+16, 2048+64 with tags at 0 or 2, 4096+128, inband tags), both byte
 * orders, rewritten chunks (newest sequence wins), renames, deleted and
 * unlinked objects, orphans, hard links, device nodes, extra header tags,
 * damage; sparse images with raw, fill, don't-care and crc32 chunks,
 * truncation and bad headers; a version 4 boot image, hostile section sizes
 * and page sizes. The writers follow the on-disk layouts
 * (yaffs_guts.h, yaffs_packedtags2.h, sparse_format.h, bootimg.h) and share nothing
 * with the readers. Images from the real tools are compared in
 * tests/cli/yaffs.sh. */
#include "iotcop/error.h"
#include "iotcop/unpack.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct img {
    uint8_t *p;
    size_t len, cap;
    int be;
    unsigned page, spare, tagoff;
    int inband;
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

static void store32(const struct img *m, uint8_t *at, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        at[m->be ? 3 - i : i] = (uint8_t)(v >> (8 * i));
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
        if ((code == 0 || u->diags[i].code == code) && (!text || strstr(u->diags[i].message, text)))
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

/* ---- a YAFFS2 writer ------------------------------------------------------------------ */

static unsigned page_data(const struct img *m)
{
    return m->inband ? m->page - 16 : m->page;
}

/* One chunk: data (padded with 0xff), then the spare with packed tags. */
static void chunk(struct img *m, uint32_t seq, uint32_t obj, uint32_t id, uint32_t nbytes,
                  const void *data, size_t dlen)
{
    size_t total = m->page + (m->inband ? 0 : m->spare);
    uint8_t *c = malloc(total);
    assert_non_null(c);
    memset(c, 0xff, total);
    assert_true(dlen <= page_data(m));
    if (dlen)
        memcpy(c, data, dlen);
    uint8_t *t = m->inband ? c + m->page - 16 : c + m->page + m->tagoff;
    store32(m, t, seq);
    store32(m, t + 4, obj);
    store32(m, t + 8, id);
    store32(m, t + 12, nbytes);
    if (!m->inband && m->tagoff + 16 + 12 <= m->spare)
        memset(t + 16, 0x5a, 12); /* where ECC of the tags would be */
    put(m, c, total);
    free(c);
}

struct hdr {
    uint32_t type, parent;
    const char *name;
    uint32_t mode, uid, gid, mtime;
    uint64_t size;
    uint32_t equiv;
    const char *alias;
    uint32_t rdev;
};

static void header(struct img *m, uint32_t seq, uint32_t obj, const struct hdr *h, int extra_tags)
{
    uint8_t b[512];
    memset(b, 0xff, sizeof(b));
    store32(m, b, h->type);
    store32(m, b + 4, h->parent);
    memset(b + 10, 0, 256);
    memcpy(b + 10, h->name, strlen(h->name));
    store32(m, b + 268, h->mode);
    store32(m, b + 272, h->uid);
    store32(m, b + 276, h->gid);
    store32(m, b + 280, h->mtime);
    store32(m, b + 284, h->mtime);
    store32(m, b + 288, h->mtime);
    store32(m, b + 292, (uint32_t)h->size);
    store32(m, b + 296, h->equiv);
    memset(b + 300, 0, 160);
    if (h->alias)
        memcpy(b + 300, h->alias, strlen(h->alias));
    store32(m, b + 460, h->rdev);
    store32(m, b + 496, h->size >> 32 ? (uint32_t)(h->size >> 32) : 0xffffffffu);
    if (extra_tags)
        chunk(m, seq, obj | (h->type << 28), 0x80000000u | h->parent, (uint32_t)h->size, b,
              sizeof(b));
    else
        chunk(m, seq, obj, 0, 0xffff, b, sizeof(b));
}

/* A file's data chunks after its header. */
static void file_data(struct img *m, uint32_t seq, uint32_t obj, const uint8_t *d, size_t n)
{
    unsigned per = page_data(m);
    for (uint32_t id = 1; (size_t)(id - 1) * per < n; id++) {
        size_t off = (size_t)(id - 1) * per;
        size_t len = n - off < per ? n - off : per;
        chunk(m, seq, obj, id, (uint32_t)len, d + off, len);
    }
}

static void erased_chunks(struct img *m, unsigned count)
{
    size_t total = (m->page + (m->inband ? 0 : m->spare)) * (size_t)count;
    uint8_t *c = malloc(total);
    assert_non_null(c);
    memset(c, 0xff, total);
    put(m, c, total);
    free(c);
}

static uint8_t *pattern(size_t n, unsigned seed)
{
    uint8_t *p = malloc(n ? n : 1);
    assert_non_null(p);
    uint32_t s = seed * 2654435761u + 1;
    for (size_t i = 0; i < n; i++) {
        s = s * 1103515245u + 12345u;
        p[i] = (uint8_t)(s >> 16);
    }
    return p;
}

/* The same tree in any geometry. */
static void build_tree(struct img *m, const uint8_t *big, size_t big_len)
{
    const uint32_t seq = 0x1000;
    header(m, seq, 257, &(struct hdr){3, 1, "etc", 040755, 0, 0, 1700000000, 0, 0, NULL, 0}, 0);
    header(m, seq, 258, &(struct hdr){1, 257, "passwd", 0100644, 0, 0, 1700000001, big_len, 0, NULL, 0}, 0);
    file_data(m, seq, 258, big, big_len);
    header(m, seq, 259, &(struct hdr){2, 1, "sh", 0120777, 0, 0, 1700000002, 0, 0, "/bin/busybox", 0}, 0);
    header(m, seq, 260, &(struct hdr){4, 257, "passwd.hard", 0100644, 0, 0, 0, 0, 258, NULL, 0}, 0);
    header(m, seq, 261, &(struct hdr){5, 1, "console", 020600, 0, 5, 0, 0, 0, NULL, (5u << 8) | 1}, 0);
    header(m, seq, 262, &(struct hdr){5, 1, "initctl", 010600, 0, 0, 0, 0, 0, NULL, 0}, 0);
    header(m, seq, 263, &(struct hdr){5, 257, "mtd", 060640, 0, 6, 0, 0, 0, NULL, (31u << 8) | 3}, 0);
    header(m, seq, 264, &(struct hdr){1, 1, "empty", 0104755, 1000, 100, 0, 0, 0, NULL, 0}, 0);
    erased_chunks(m, 3);
}

static void check_tree(const struct ic_unpack *u, const uint8_t *big, size_t big_len, size_t size)
{
    const struct ic_layer *l = layer_of(u, "yaffs2");
    assert_non_null(l);
    assert_int_equal(l->offset, 0);
    assert_int_equal(l->size, size);
    assert_int_equal(entry(l, "/etc")->type, IC_FT_DIR);
    assert_int_equal(entry(l, "/etc")->mode, 0755);
    const struct ic_entry *e = entry(l, "/etc/passwd");
    assert_int_equal(e->type, IC_FT_FILE);
    assert_int_equal(e->mode, 0644);
    assert_int_equal(e->mtime, 1700000001);
    assert_content(e, big, big_len);
    e = entry(l, "/sh");
    assert_int_equal(e->type, IC_FT_SYMLINK);
    assert_string_equal(e->link, "/bin/busybox");
    e = entry(l, "/etc/passwd.hard");
    assert_int_equal(e->type, IC_FT_HARDLINK);
    assert_string_equal(e->link, "/etc/passwd");
    e = entry(l, "/console");
    assert_int_equal(e->type, IC_FT_CHARDEV);
    assert_int_equal(e->dev_major, 5);
    assert_int_equal(e->dev_minor, 1);
    assert_int_equal(e->gid, 5);
    assert_int_equal(entry(l, "/initctl")->type, IC_FT_FIFO);
    e = entry(l, "/etc/mtd");
    assert_int_equal(e->type, IC_FT_BLOCKDEV);
    assert_int_equal(e->dev_major, 31);
    assert_int_equal(e->dev_minor, 3);
    e = entry(l, "/empty");
    assert_int_equal(e->mode, 04755);
    assert_int_equal(e->uid, 1000);
    assert_int_equal(e->size, 0);
    assert_int_equal(diags_with(u, 0, NULL), 0);
}

static void test_yaffs_geometries(void **state)
{
    (void)state;
    static const struct {
        unsigned page, spare, tagoff;
        int inband;
    } geos[] = {
        {512, 16, 0, 0},   {2048, 64, 0, 0}, {2048, 64, 2, 0},
        {4096, 128, 2, 0}, {8192, 256, 0, 0}, {2048, 0, 0, 1},
        {4096, 0, 0, 1},
    };
    for (size_t g = 0; g < sizeof(geos) / sizeof(geos[0]); g++) {
        for (int be = 0; be < 2; be++) {
            struct img m = {.be = be, .page = geos[g].page, .spare = geos[g].spare,
                            .tagoff = geos[g].tagoff, .inband = geos[g].inband};
            size_t big_len = page_data(&m) * 2 + 777;
            uint8_t *big = pattern(big_len, (unsigned)g);
            build_tree(&m, big, big_len);
            struct ic_unpack *u = unpack_bytes(m.p, m.len);
            print_message("geometry %u+%u tags@%u inband=%d be=%d\n", geos[g].page, geos[g].spare,
                          geos[g].tagoff, geos[g].inband, be);
            check_tree(u, big, big_len, m.len);
            ic_unpack_free(u);
            free(big);
            free(m.p);
        }
    }
}

static void test_yaffs_versions(void **state)
{
    (void)state;
    struct img m = {.page = 2048, .spare = 64, .tagoff = 2};
    uint8_t old_data[3000], new_data[2500];
    memset(old_data, 'o', sizeof(old_data));
    memset(new_data, 'n', sizeof(new_data));
    /* Block of sequence 0x1000: the first versions. */
    header(&m, 0x1000, 257, &(struct hdr){1, 1, "config", 0100600, 0, 0, 1, sizeof(old_data), 0, NULL, 0}, 0);
    file_data(&m, 0x1000, 257, old_data, sizeof(old_data));
    header(&m, 0x1000, 258, &(struct hdr){1, 1, "doomed", 0100644, 0, 0, 1, 5, 0, NULL, 0}, 0);
    file_data(&m, 0x1000, 258, (const uint8_t *)"gone!", 5);
    header(&m, 0x1000, 259, &(struct hdr){1, 1, "tmpfile", 0100644, 0, 0, 1, 0, 0, NULL, 0}, 0);
    header(&m, 0x1000, 260, &(struct hdr){3, 1, "olddir", 040755, 0, 0, 1, 0, 0, NULL, 0}, 0);
    /* A later block (written first in the image: order does not matter). */
    struct img later = {.page = 2048, .spare = 64, .tagoff = 2};
    header(&later, 0x1001, 257, &(struct hdr){1, 260, "config.new", 0100640, 0, 0, 2, sizeof(new_data), 0, NULL, 0}, 1);
    file_data(&later, 0x1001, 257, new_data, sizeof(new_data));
    header(&later, 0x1001, 258, &(struct hdr){1, 4, "deleted", 0100644, 0, 0, 1, 0, 0, NULL, 0}, 0);
    header(&later, 0x1001, 259, &(struct hdr){1, 3, "unlinked", 0100644, 0, 0, 1, 0, 0, NULL, 0}, 0);
    header(&later, 0x1001, 261, &(struct hdr){1, 999, "orphan", 0100644, 0, 0, 1, 2, 0, NULL, 0}, 0);
    file_data(&later, 0x1001, 261, (const uint8_t *)"hi", 2);
    chunk(&later, 0x1001, 262, 1, 4, "data", 4); /* data without a header */
    header(&later, 0x1001, 263, &(struct hdr){4, 1, "dangling", 0100644, 0, 0, 1, 0, 777, NULL, 0}, 0);
    /* Same sequence, later in the block: the later copy wins. */
    header(&later, 0x1001, 264, &(struct hdr){1, 1, "twice", 0100644, 0, 0, 1, 0, 0, NULL, 0}, 0);
    header(&later, 0x1001, 264, &(struct hdr){1, 1, "twice-renamed", 0100644, 0, 0, 1, 0, 0, NULL, 0}, 0);
    struct img all = {0};
    put(&all, m.p, m.len);
    put(&all, later.p, later.len);
    struct ic_unpack *u = unpack_bytes(all.p, all.len);
    const struct ic_layer *l = layer_of(u, "yaffs2");
    assert_non_null(l);
    assert_int_equal(l->size, all.len);
    const struct ic_entry *e = entry(l, "/olddir/config.new");
    assert_int_equal(e->mode, 0640);
    assert_content(e, new_data, sizeof(new_data));
    assert_null(ic_fs_lookup(l->fs, "/config"));
    assert_null(ic_fs_lookup(l->fs, "/doomed"));
    assert_null(ic_fs_lookup(l->fs, "/deleted"));
    assert_null(ic_fs_lookup(l->fs, "/tmpfile"));
    assert_null(ic_fs_lookup(l->fs, "/unlinked"));
    assert_null(ic_fs_lookup(l->fs, "/twice"));
    entry(l, "/twice-renamed");
    assert_null(ic_fs_lookup(l->fs, "/dangling"));
    assert_content(entry(l, "/lost+found/orphan"), "hi", 2);
    assert_int_equal(diags_with(u, IC_E_NOT_FOUND, "parent directory 999"), 1);
    assert_int_equal(diags_with(u, IC_E_NOT_FOUND, "object 262 has data but no header"), 1);
    assert_int_equal(diags_with(u, IC_E_NOT_FOUND, "hard link to missing file object 777"), 1);
    ic_unpack_free(u);
    free(all.p);
    free(m.p);
    free(later.p);
}

static void test_yaffs_embedded_and_damaged(void **state)
{
    (void)state;
    struct img m = {.page = 2048, .spare = 64, .tagoff = 0, .be = 1};
    size_t big_len = 5000;
    uint8_t *big = pattern(big_len, 7);
    build_tree(&m, big, big_len);
    /* Embedded between random bytes: found at its offset with its extent. */
    struct img outer = {0};
    uint8_t *junk = pattern(3001, 9);
    put(&outer, junk, 3001);
    put(&outer, m.p, m.len);
    put(&outer, junk, 3001);
    struct ic_unpack *u = unpack_bytes(outer.p, outer.len);
    const struct ic_layer *l = layer_of(u, "yaffs2");
    assert_non_null(l);
    assert_int_equal(l->offset, 3001);
    assert_int_equal(l->size, m.len);
    entry(l, "/etc/passwd");
    ic_unpack_free(u);

    /* Cut inside the third chunk of the file data: the file reads short. */
    size_t stride = 2048 + 64;
    size_t cut = stride * 4 + 100;
    u = unpack_bytes(m.p, cut);
    l = layer_of(u, "yaffs2");
    assert_non_null(l);
    assert_int_equal(l->size, stride * 4);
    assert_int_equal(entry(l, "/etc/passwd")->size, big_len);
    assert_true(diags_with(u, IC_E_TRUNCATED, NULL) >= 2);
    ic_unpack_free(u);

    /* Garbage tags in chunk 5: the scan ends there. */
    uint8_t *copy = malloc(m.len);
    assert_non_null(copy);
    memcpy(copy, m.p, m.len);
    memset(copy + stride * 5 + 2048, 0x11, 16);
    u = unpack_bytes(copy, m.len);
    l = layer_of(u, "yaffs2");
    assert_non_null(l);
    assert_int_equal(l->size, stride * 5);
    entry(l, "/etc/passwd");
    ic_unpack_free(u);

    /* The magic without plausible tags is not YAFFS2 (the carver then
     * finds the next header in the root, the symlink's, in chunk 5). */
    memcpy(copy, m.p, m.len);
    memset(copy + 2048, 0x00, 64);
    u = unpack_bytes(copy, m.len);
    l = layer_of(u, "yaffs2");
    assert_non_null(l);
    assert_int_equal(l->offset, stride * 5);
    assert_null(ic_fs_lookup(l->fs, "/etc"));
    entry(l, "/sh");
    ic_unpack_free(u);
    for (unsigned k = 5; k <= 10; k++) /* every header in the root */
        memset(copy + stride * k, 0x00, 16);
    u = unpack_bytes(copy, m.len);
    assert_null(layer_of(u, "yaffs2"));
    ic_unpack_free(u);
    free(copy);
    free(junk);
    free(outer.p);
    free(big);
    free(m.p);
}

/* ---- an Android sparse writer --------------------------------------------------------- */

static void le16(struct img *m, uint16_t v)
{
    uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    put(m, b, 2);
}

static void le32(struct img *m, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    put(m, b, 4);
}

static void sparse_header(struct img *m, uint32_t blk, uint32_t blocks, uint32_t chunks, uint16_t fhdr,
                          uint16_t chdr)
{
    le32(m, 0xed26ff3au);
    le16(m, 1);
    le16(m, 0);
    le16(m, fhdr);
    le16(m, chdr);
    le32(m, blk);
    le32(m, blocks);
    le32(m, chunks);
    le32(m, 0);
    for (unsigned i = 28; i < fhdr; i++)
        put(m, "\0", 1);
}

static void sparse_chunk(struct img *m, uint16_t type, uint32_t blocks, const void *body, uint32_t len,
                         uint16_t chdr)
{
    le16(m, type);
    le16(m, 0);
    le32(m, blocks);
    le32(m, chdr + len);
    for (unsigned i = 12; i < chdr; i++)
        put(m, "\0", 1);
    if (len)
        put(m, body, len);
}

static void test_androidsparse(void **state)
{
    (void)state;
    for (int variant = 0; variant < 2; variant++) {
        uint16_t fh = variant ? 32 : 28, ch = variant ? 16 : 12;
        const uint32_t blk = 1024;
        struct img m = {0};
        size_t out_len = (size_t)blk * 10;
        uint8_t *want = calloc(1, out_len);
        assert_non_null(want);
        uint8_t *raw = pattern(blk * 3, 3);
        sparse_header(&m, blk, 10, 5, fh, ch);
        sparse_chunk(&m, 0xcac1, 3, raw, blk * 3, ch);            /* blocks 0-2 */
        memcpy(want, raw, blk * 3);
        sparse_chunk(&m, 0xcac2, 2, "\x01\x02\x03\x04", 4, ch);   /* blocks 3-4 */
        for (size_t i = 0; i < (size_t)blk * 2; i++)
            want[blk * 3 + i] = (uint8_t)(1 + i % 4);
        sparse_chunk(&m, 0xcac3, 4, NULL, 0, ch);                 /* blocks 5-8 */
        sparse_chunk(&m, 0xcac4, 0, "\xde\xad\xbe\xef", 4, ch);   /* a checksum */
        sparse_chunk(&m, 0xcac1, 1, raw, blk, ch);                /* block 9 */
        memcpy(want + blk * 9, raw, blk);
        size_t len = m.len;
        uint8_t *junk = pattern(500, 4);
        put(&m, junk, 500);
        struct ic_unpack *u = unpack_bytes(m.p, m.len);
        const struct ic_layer *l = layer_of(u, "androidsparse");
        assert_non_null(l);
        assert_int_equal(l->offset, 0);
        assert_int_equal(l->size, len);
        assert_non_null(l->content);
        assert_int_equal(ic_blob_size(l->content), out_len);
        const uint8_t *got = ic_blob_data(l->content, NULL);
        assert_non_null(got);
        assert_memory_equal(got, want, out_len);
        assert_int_equal(diags_with(u, 0, "sparse"), 0);
        ic_unpack_free(u);

        /* Truncated inside the last raw chunk: partial image, a diagnostic. */
        u = unpack_bytes(m.p, len - blk / 2);
        l = layer_of(u, "androidsparse");
        assert_non_null(l);
        assert_non_null(l->content);
        assert_int_equal(ic_blob_size(l->content), out_len);
        got = ic_blob_data(l->content, NULL);
        assert_non_null(got);
        assert_memory_equal(got, want, (size_t)blk * 9);
        assert_true(diags_with(u, IC_E_TRUNCATED, NULL) >= 1);
        ic_unpack_free(u);

        /* Major version 2 is not this format. */
        m.p[4] = 2;
        u = unpack_bytes(m.p, len);
        assert_null(layer_of(u, "androidsparse"));
        ic_unpack_free(u);
        free(junk);
        free(raw);
        free(want);
        free(m.p);
    }
}

static void test_androidsparse_bad_chunks(void **state)
{
    (void)state;
    const uint32_t blk = 4096;
    struct img m = {0};
    sparse_header(&m, blk, 0xffffffffu, 3, 28, 12);
    sparse_chunk(&m, 0xcac2, 0x10000000u, "\xff\xff\xff\xff", 4, 12); /* a 1 TiB fill */
    sparse_chunk(&m, 0xcac1, 5, "short", 5, 12);                        /* size mismatch */
    struct ic_unpack *u = unpack_bytes(m.p, m.len);
    const struct ic_layer *l = layer_of(u, "androidsparse");
    assert_non_null(l);
    /* 16 TiB are not expanded: the layer's content stays its own bytes. */
    assert_true(l->content == NULL || ic_blob_size(l->content) == l->size);
    assert_true(diags_with(u, 0, "not produced") == 1);
    assert_true(diags_with(u, IC_E_FORMAT, "raw size does not match") == 1);
    assert_true(u->diag_count >= 2);
    ic_unpack_free(u);
    free(m.p);
}

/* ---- Android boot images ----------------------------------------------------------------- */

static void boot_put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static size_t find_layer_named(const struct ic_unpack *u, const char *name)
{
    for (size_t i = 0; i < u->layer_count; i++)
        if (u->layers[i].name && strcmp(u->layers[i].name, name) == 0)
            return i;
    return (size_t)-1;
}

static void test_androidboot(void **state)
{
    (void)state;
    /* Version 4 (Debian's mkbootimg writes none): 4096-byte pages, kernel,
     * ramdisk, signature. A section only becomes a layer when a format
     * claims it, so each carries a gzip member written here (one stored
     * block). */
    static const uint8_t gz_head[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};
    const char *payload = "hello boot";
    uint8_t member[64];
    size_t mlen = 0;
    memcpy(member, gz_head, 10);
    mlen = 10;
    size_t plen = strlen(payload);
    member[mlen++] = 1; /* final stored block */
    member[mlen++] = (uint8_t)plen;
    member[mlen++] = 0;
    member[mlen++] = (uint8_t)~plen;
    member[mlen++] = 0xff;
    memcpy(member + mlen, payload, plen);
    mlen += plen;
    uint32_t crc = 0xffffffffu;
    for (size_t i = 0; i < plen; i++) {
        crc ^= (uint8_t)payload[i];
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
    }
    crc ^= 0xffffffffu;
    boot_put32(member + mlen, crc);
    boot_put32(member + mlen + 4, (uint32_t)plen);
    mlen += 8;

    size_t size = 4096 * 4;
    uint8_t *img = calloc(1, size);
    assert_non_null(img);
    memcpy(img, "ANDROID!", 8);
    boot_put32(img + 8, (uint32_t)mlen);  /* kernel */
    boot_put32(img + 12, (uint32_t)mlen); /* ramdisk */
    boot_put32(img + 20, 1584);           /* header size */
    boot_put32(img + 40, 4);              /* version */
    boot_put32(img + 1580, 100);          /* signature */
    memcpy(img + 4096, member, mlen);
    memcpy(img + 8192, member, mlen);
    struct ic_unpack *u = unpack_bytes(img, size);
    const struct ic_layer *l = layer_of(u, "androidboot");
    assert_non_null(l);
    assert_int_equal(l->size, 4096 * 4); /* the signature's page is padded */
    size_t k = find_layer_named(u, "kernel");
    assert_true(k != (size_t)-1);
    assert_int_equal(u->layers[k].offset, 4096);
    k = find_layer_named(u, "ramdisk");
    assert_true(k != (size_t)-1);
    assert_int_equal(u->layers[k].offset, 8192);
    ic_unpack_free(u);

    /* A kernel size past the end: cut there, with a diagnostic. */
    boot_put32(img + 12, 0xfffffff0u);
    u = unpack_bytes(img, size);
    l = layer_of(u, "androidboot");
    assert_non_null(l);
    assert_int_equal(l->size, size);
    assert_true(diags_with(u, IC_E_TRUNCATED, "ramdisk runs") == 1);
    ic_unpack_free(u);

    /* Version 0 with an impossible page size, and without a kernel: refused. */
    memset(img, 0, size);
    memcpy(img, "ANDROID!", 8);
    boot_put32(img + 8, 100);
    boot_put32(img + 36, 3000);
    u = unpack_bytes(img, size);
    assert_null(layer_of(u, "androidboot"));
    ic_unpack_free(u);
    boot_put32(img + 8, 0);
    boot_put32(img + 36, 2048);
    u = unpack_bytes(img, size);
    assert_null(layer_of(u, "androidboot"));
    ic_unpack_free(u);
    free(img);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_yaffs_geometries),
        cmocka_unit_test(test_yaffs_versions),
        cmocka_unit_test(test_yaffs_embedded_and_damaged),
        cmocka_unit_test(test_androidsparse),
        cmocka_unit_test(test_androidsparse_bad_chunks),
        cmocka_unit_test(test_androidboot),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
