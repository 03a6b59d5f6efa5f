/* UBIFS and UBI readers on images written here, for what mkfs.ubifs and
 * ubinize never write: a journal newer than the index (rewritten data, a new
 * file, a deleted name, a truncation), orphans, an index node reached twice,
 * a 2 GiB inode, a damaged data node, a UBI volume whose LEB was written
 * twice (the higher sequence number wins) and a damaged static volume
 * block. The writer follows the on-disk layouts (the kernel's
 * ubifs-media.h and ubi-media.h) and shares nothing with the readers.
 * Images from the real tools are compared in tests/cli/ubi.sh. */
#include "iotcop/error.h"
#include "iotcop/unpack.h"
#include "testutil.h"

#include <stdio.h>
#include <string.h>
#include <zlib.h>

#define LEB 4096u
#define LEBS 16u
#define MAIN 7u /* 3 + 2 log + 1 lpt + 1 orphan */

static uint32_t crc_ubi(const uint8_t *p, size_t n)
{
    return (uint32_t)crc32(0, p, (uInt)n) ^ 0xffffffffu;
}

static void le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static void le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}
static void le64(uint8_t *p, uint64_t v)
{
    le32(p, (uint32_t)v);
    le32(p + 4, (uint32_t)(v >> 32));
}
static void be32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[3 - i] = (uint8_t)(v >> (8 * i));
}
static void be64(uint8_t *p, uint64_t v)
{
    be32(p, (uint32_t)(v >> 32));
    be32(p + 4, (uint32_t)v);
}

/* ---- a UBIFS writer --------------------------------------------------------------------- */

struct fs_img {
    uint8_t img[LEB * LEBS];
    uint32_t head_leb, head_off; /* where the next main-area node goes */
    uint64_t sqnum;
};

struct where {
    uint32_t lnum, offs, len;
};

/* Finishes a node of len bytes at lnum:offs (common header and CRC). */
static struct where node(struct fs_img *f, uint32_t lnum, uint32_t offs, uint8_t type, uint8_t *n,
                         uint32_t len)
{
    le32(n, 0x06101831u);
    le64(n + 8, ++f->sqnum);
    le32(n + 16, len);
    n[20] = type;
    le32(n + 4, crc_ubi(n + 8, len - 8));
    assert_true(offs + len <= LEB);
    memcpy(f->img + lnum * LEB + offs, n, len);
    return (struct where){lnum, offs, len};
}

static struct where main_node(struct fs_img *f, uint8_t type, uint8_t *n, uint32_t len)
{
    if (f->head_off + len > LEB) {
        f->head_leb++;
        f->head_off = 0;
    }
    struct where w = node(f, f->head_leb, f->head_off, type, n, len);
    f->head_off = (f->head_off + len + 7) & ~7u;
    return w;
}

static struct where inode(struct fs_img *f, uint32_t inum, uint32_t mode, uint64_t size,
                          uint32_t nlink, const char *data)
{
    uint8_t n[160 + 64] = {0};
    uint32_t dlen = data ? (uint32_t)strlen(data) : 0;
    le32(n + 24, inum);
    le32(n + 28, 0u << 29);
    le64(n + 48, size);
    le64(n + 72, 1700000000);
    le32(n + 92, nlink);
    le32(n + 96, 1000);
    le32(n + 100, 100);
    le32(n + 104, mode);
    le32(n + 112, dlen);
    if (dlen)
        memcpy(n + 160, data, dlen);
    return main_node(f, 0, n, 160 + dlen);
}

static struct where dent(struct fs_img *f, uint32_t parent, const char *name, uint32_t inum,
                         uint8_t type)
{
    uint8_t n[56 + 256] = {0};
    size_t nlen = strlen(name);
    le32(n + 24, parent);
    le32(n + 28, (2u << 29) | (uint32_t)(nlen * 7919u & 0x1fffffffu));
    le64(n + 40, inum);
    n[49] = type;
    le16(n + 50, (uint16_t)nlen);
    memcpy(n + 56, name, nlen);
    return main_node(f, 2, n, (uint32_t)(56 + nlen + 1));
}

static struct where data(struct fs_img *f, uint32_t inum, uint32_t block, const char *text)
{
    uint8_t n[48 + 128] = {0};
    size_t len = strlen(text);
    le32(n + 24, inum);
    le32(n + 28, (1u << 29) | block);
    le32(n + 40, (uint32_t)len);
    le16(n + 44, 0); /* no compression */
    memcpy(n + 48, text, len);
    return main_node(f, 1, n, (uint32_t)(48 + len));
}

/* An index node of the given level over the leaves or index nodes in w. */
static struct where index_node(struct fs_img *f, uint16_t level, const struct where *w, size_t n)
{
    uint8_t b[28 + 20 * 16] = {0};
    assert_true(n <= 16);
    le16(b + 24, (uint16_t)n);
    le16(b + 26, level);
    for (size_t i = 0; i < n; i++) {
        uint8_t *br = b + 28 + 20 * i;
        le32(br, w[i].lnum);
        le32(br + 4, w[i].offs);
        le32(br + 8, w[i].len);
        /* the key of the node the branch points at */
        memcpy(br + 12, f->img + w[i].lnum * LEB + w[i].offs + 24, 8);
    }
    return main_node(f, 9, b, (uint32_t)(28 + 20 * n));
}

static void fs_init(struct fs_img *f)
{
    memset(f->img, 0xff, sizeof(f->img));
    f->head_leb = MAIN;
    f->head_off = 0;
    f->sqnum = 0;
    uint8_t sb[4096] = {0};
    le32(sb + 36, LEB);
    le32(sb + 40, LEBS);
    le32(sb + 44, LEBS);
    le32(sb + 56, 2); /* log */
    le32(sb + 60, 1); /* lpt */
    le32(sb + 64, 1); /* orphans */
    le32(sb + 72, 8);
    le32(sb + 80, 4);
    le16(sb + 84, 1);
    node(f, 0, 0, 6, sb, 4096);
}

/* Master nodes in both copies; the commit start node in the first log LEB. */
static void fs_commit(struct fs_img *f, struct where root, uint64_t cmt_no)
{
    uint8_t cs[32] = {0};
    le64(cs + 24, cmt_no);
    node(f, 3, 0, 10, cs, 32);
    uint8_t m[512] = {0};
    le64(m + 24, 100);
    le64(m + 32, cmt_no);
    le32(m + 44, 3);
    le32(m + 48, root.lnum);
    le32(m + 52, root.offs);
    le32(m + 56, root.len);
    node(f, 1, 0, 7, m, 512);
    node(f, 2, 0, 7, m, 512);
}

/* With IOTCOP_UBI_SEEDS=DIR every image is also written to DIR (seeds for
 * fuzz/corpus/fuzz_ubifs and fuzz_ubi). */
static void save_seed(const uint8_t *bytes, size_t len)
{
    static unsigned n;
    const char *dir = getenv("IOTCOP_UBI_SEEDS");
    if (!dir)
        return;
    char path[4096];
    snprintf(path, sizeof(path), "%s/unit-%02u.img", dir, n++);
    FILE *f = fopen(path, "wb");
    if (f) {
        fwrite(bytes, 1, len, f);
        fclose(f);
    }
}

static struct ic_unpack *unpack_bytes(const uint8_t *bytes, size_t len, uint64_t max_file)
{
    save_seed(bytes, len);
    struct ic_limits limits;
    ic_limits_default(&limits);
    if (max_file)
        limits.max_file_size = max_file;
    struct ic_blob *blob = NULL;
    assert_int_equal(ic_blob_from_copy(bytes, len, &blob), IC_OK);
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

static void assert_text(const struct ic_layer *l, const char *path, const char *want)
{
    const struct ic_entry *e = ic_fs_lookup(l->fs, path);
    if (!e)
        fail_msg("%s missing", path);
    size_t len = strlen(want);
    assert_int_equal(e->size, len);
    assert_non_null(e->content);
    const uint8_t *got = ic_blob_data(e->content, NULL);
    assert_non_null(got);
    if (memcmp(got, want, len) != 0)
        fail_msg("content of %s differs", path);
}

/* Root (1) with a, c and dir d (4) holding e; a and c have data. */
static struct where base_tree(struct fs_img *f, int share_subtree)
{
    struct where leaves[16];
    size_t n = 0;
    leaves[n++] = inode(f, 1, 040755, 0, 3, NULL);
    leaves[n++] = dent(f, 1, "a", 2, 8);
    leaves[n++] = dent(f, 1, "c", 3, 8);
    leaves[n++] = dent(f, 1, "d", 4, 4);
    leaves[n++] = inode(f, 2, 0100644, 9, 1, NULL);
    leaves[n++] = data(f, 2, 0, "old text\n");
    leaves[n++] = inode(f, 3, 0100600, 5, 1, NULL);
    leaves[n++] = data(f, 3, 0, "gone\n");
    struct where low1 = index_node(f, 0, leaves, n);
    struct where sub[3];
    sub[0] = inode(f, 4, 040700, 0, 2, NULL);
    sub[1] = dent(f, 4, "e", 5, 10);
    sub[2] = inode(f, 5, 0120777, 3, 1, "../a");
    struct where low2 = index_node(f, 0, sub, 3);
    struct where tops[3] = {low1, low2, low2};
    return index_node(f, 1, tops, share_subtree ? 3 : 2);
}

static void test_ubifs_index_and_journal(void **state)
{
    (void)state;
    static struct fs_img f;
    fs_init(&f);
    struct where root = base_tree(&f, 0);
    fs_commit(&f, root, 7);

    /* The journal: a reference in the log after the commit start, naming a bud. */
    uint32_t bud = f.head_leb + 1;
    uint8_t ref[64] = {0};
    le32(ref + 24, bud);
    le32(ref + 28, 0);
    le32(ref + 32, 1);
    node(&f, 3, 32, 8, ref, 64);
    f.head_leb = bud;
    f.head_off = 0;
    data(&f, 2, 0, "new text, longer\n");
    inode(&f, 2, 0100644, 17, 1, NULL); /* a grows */
    dent(&f, 1, "c", 0, 8);             /* c's name removed */
    inode(&f, 3, 0100600, 0, 0, NULL);  /* c has no links left */
    inode(&f, 6, 0100640, 4, 1, NULL);  /* a new file b */
    data(&f, 6, 0, "bee\n");
    dent(&f, 1, "b", 6, 8);
    /* An orphan (inode 9), as the commit left it. */
    uint8_t orph[40] = {0};
    le64(orph + 24, 7ULL | (1ULL << 63));
    le64(orph + 32, 9);
    node(&f, 6, 0, 11, orph, 40);

    struct ic_unpack *u = unpack_bytes(f.img, sizeof(f.img), 0);
    const struct ic_layer *l = layer_of(u, "ubifs");
    assert_non_null(l);
    assert_non_null(l->fs);
    assert_text(l, "/a", "new text, longer\n");
    assert_text(l, "/b", "bee\n");
    assert_null(ic_fs_lookup(l->fs, "/c"));
    const struct ic_entry *e = ic_fs_lookup(l->fs, "/d/e");
    assert_non_null(e);
    assert_int_equal(e->type, IC_FT_SYMLINK);
    assert_string_equal(e->link, "../a");
    e = ic_fs_lookup(l->fs, "/d");
    assert_int_equal(e->mode, 0700);
    assert_int_equal(e->uid, 1000);
    assert_int_equal(e->gid, 100);
    assert_non_null(strstr(l->info, "7 journal nodes replayed"));
    assert_non_null(strstr(l->info, "1 orphans"));
    assert_int_equal(u->diag_count, 0);
    ic_unpack_free(u);

    /* The same log with a commit number the master does not name: the
     * index alone, and a diagnostic. */
    uint8_t cs[32] = {0};
    le64(cs + 24, 6);
    node(&f, 3, 0, 10, cs, 32);
    u = unpack_bytes(f.img, sizeof(f.img), 0);
    l = layer_of(u, "ubifs");
    assert_text(l, "/a", "old text\n");
    assert_text(l, "/c", "gone\n");
    assert_null(ic_fs_lookup(l->fs, "/b"));
    assert_int_equal(diags_with(u, IC_E_NOT_FOUND, "no commit start node"), 1);
    ic_unpack_free(u);
}

static void test_ubifs_hostile(void **state)
{
    (void)state;
    static struct fs_img f;
    /* An index node reached twice: listed once, a loop diagnostic, no hang. */
    fs_init(&f);
    fs_commit(&f, base_tree(&f, 1), 1);
    struct ic_unpack *u = unpack_bytes(f.img, sizeof(f.img), 0);
    const struct ic_layer *l = layer_of(u, "ubifs");
    assert_non_null(l);
    assert_int_equal(diags_with(u, IC_E_LOOP, "reached twice"), 1);
    assert_non_null(ic_fs_lookup(l->fs, "/d/e"));
    assert_text(l, "/a", "old text\n");
    ic_unpack_free(u);

    /* A 2 GiB inode: over the per-file limit, a diagnostic, no content. */
    fs_init(&f);
    struct where leaves[4];
    leaves[0] = inode(&f, 1, 040755, 0, 2, NULL);
    leaves[1] = dent(&f, 1, "huge", 2, 8);
    leaves[2] = inode(&f, 2, 0100644, 2ULL << 30, 1, NULL);
    leaves[3] = data(&f, 2, 0, "start");
    fs_commit(&f, index_node(&f, 0, leaves, 4), 1);
    u = unpack_bytes(f.img, sizeof(f.img), 0);
    l = layer_of(u, "ubifs");
    const struct ic_entry *e = ic_fs_lookup(l->fs, "/huge");
    assert_non_null(e);
    assert_int_equal(e->size, 2ULL << 30);
    assert_null(e->content);
    assert_int_equal(diags_with(u, IC_E_LIMIT_FILE_SIZE, "/huge"), 1);
    ic_unpack_free(u);

    /* A data node whose CRC fails: reported, the file named, the rest intact. */
    fs_init(&f);
    struct where r = base_tree(&f, 0);
    fs_commit(&f, r, 1);
    uint8_t *p = f.img + MAIN * LEB;
    uint8_t *hit = NULL;
    for (uint8_t *q = p; q + 16 < f.img + sizeof(f.img); q++)
        if (memcmp(q, "gone\n", 5) == 0) {
            hit = q;
            break;
        }
    assert_non_null(hit);
    hit[0] = 'G';
    u = unpack_bytes(f.img, sizeof(f.img), 0);
    l = layer_of(u, "ubifs");
    assert_text(l, "/a", "old text\n");
    assert_int_equal(diags_with(u, IC_E_CHECKSUM, "CRC mismatch"), 1);
    assert_int_equal(diags_with(u, IC_E_NOT_FOUND, "/c: data lost"), 1);
    ic_unpack_free(u);

    /* Both master copies gone: the main area is scanned. */
    memset(f.img + LEB, 0xff, 2 * LEB);
    hit[0] = 'g';
    u = unpack_bytes(f.img, sizeof(f.img), 0);
    l = layer_of(u, "ubifs");
    assert_text(l, "/c", "gone\n");
    assert_non_null(strstr(l->info, "main area scanned"));
    ic_unpack_free(u);
}

/* ---- a UBI writer ---------------------------------------------------------------------- */

#define PEB 2048u
#define VID_OFF 64u
#define DATA_OFF 128u
#define UBI_LEB (PEB - DATA_OFF)

static void ubi_block(uint8_t *peb, uint32_t vol_id, uint32_t lnum, uint8_t type, uint64_t sqnum,
                      const uint8_t *payload, uint32_t len, uint32_t used_ebs)
{
    memset(peb, 0xff, PEB);
    uint8_t *ec = peb;
    memset(ec, 0, 64);
    memcpy(ec, "UBI#", 4);
    ec[4] = 1;
    be64(ec + 8, 3);
    be32(ec + 16, VID_OFF);
    be32(ec + 20, DATA_OFF);
    be32(ec + 24, 0x1234);
    be32(ec + 60, crc_ubi(ec, 60));
    uint8_t *v = peb + VID_OFF;
    memset(v, 0, 64);
    memcpy(v, "UBI!", 4);
    v[4] = 1;
    v[5] = type;
    be32(v + 8, vol_id);
    be32(v + 12, lnum);
    if (type == 2) {
        be32(v + 20, len);
        be32(v + 24, used_ebs);
        be32(v + 32, crc_ubi(payload, len));
    }
    be64(v + 40, sqnum);
    be32(v + 60, crc_ubi(v, 60));
    memcpy(peb + DATA_OFF, payload, len);
}

static void vtbl_record(uint8_t *r, const char *name, uint8_t type)
{
    memset(r, 0, 172);
    if (name) {
        be32(r, 4);
        be32(r + 4, 1);
        r[12] = type;
        r[14] = 0; /* name length, big-endian 16 bits */
        r[15] = (uint8_t)strlen(name);
        memcpy(r + 16, name, strlen(name));
    }
    be32(r + 168, crc_ubi(r, 168));
}

static void test_ubi_volumes(void **state)
{
    (void)state;
    enum { NPEB = 8 };
    static uint8_t img[NPEB * PEB];
    uint8_t table[UBI_LEB];
    memset(table, 0, sizeof(table));
    for (unsigned i = 0; i < UBI_LEB / 172; i++)
        vtbl_record(table + i * 172, i == 0 ? "kernel" : i == 1 ? "data" : NULL, i == 0 ? 2 : 1);
    ubi_block(img + 0 * PEB, 0x7fffefffu, 0, 1, 1, table, UBI_LEB, 0);
    ubi_block(img + 1 * PEB, 0x7fffefffu, 1, 1, 2, table, UBI_LEB, 0);
    /* Static volume 0: two LEBs, the second short. */
    uint8_t k0[UBI_LEB], k1[100];
    memset(k0, 'K', sizeof(k0));
    memset(k1, 'k', sizeof(k1));
    ubi_block(img + 2 * PEB, 0, 0, 2, 3, k0, sizeof(k0), 2);
    ubi_block(img + 3 * PEB, 0, 1, 2, 4, k1, sizeof(k1), 2);
    /* Dynamic volume 1: LEB 1 written twice (PEB 6 newer), LEB 0 after it. */
    uint8_t d[UBI_LEB];
    memset(d, 'o', sizeof(d));
    ubi_block(img + 4 * PEB, 1, 1, 1, 5, d, sizeof(d), 0);
    memset(d, 'A', sizeof(d));
    ubi_block(img + 5 * PEB, 1, 0, 1, 6, d, sizeof(d), 0);
    memset(d, 'N', sizeof(d));
    ubi_block(img + 6 * PEB, 1, 1, 1, 7, d, sizeof(d), 0);
    memset(img + 7 * PEB, 0xff, PEB); /* a free block at the end */

    struct ic_unpack *u = unpack_bytes(img, sizeof(img), 0);
    const struct ic_layer *l = layer_of(u, "ubi");
    assert_non_null(l);
    assert_int_equal(l->offset, 0);
    assert_int_equal(l->size, sizeof(img));
    assert_int_equal(u->diag_count, 0);
    const struct ic_layer *vols[2] = {NULL, NULL};
    for (size_t i = 0; i < u->layer_count; i++)
        if (strcmp(u->layers[i].format, "ubivolume") == 0) {
            assert_non_null(u->layers[i].name);
            vols[strcmp(u->layers[i].name, "kernel") == 0 ? 0 : 1] = &u->layers[i];
        }
    assert_non_null(vols[0]);
    assert_non_null(vols[1]);
    assert_string_equal(vols[1]->name, "data");
    assert_int_equal(ic_blob_size(vols[0]->content), UBI_LEB + 100);
    const uint8_t *kd = ic_blob_data(vols[0]->content, NULL);
    assert_int_equal(kd[0], 'K');
    assert_int_equal(kd[UBI_LEB - 1], 'K');
    assert_int_equal(kd[UBI_LEB], 'k');
    assert_int_equal(ic_blob_size(vols[1]->content), 2 * UBI_LEB);
    const uint8_t *dd = ic_blob_data(vols[1]->content, NULL);
    assert_int_equal(dd[0], 'A');
    assert_int_equal(dd[UBI_LEB], 'N'); /* the newer copy of LEB 1 */
    ic_unpack_free(u);

    /* The second static block damaged: its data CRC fails, named by number. */
    img[3 * PEB + DATA_OFF + 10] ^= 1;
    u = unpack_bytes(img, sizeof(img), 0);
    char want[64];
    snprintf(want, sizeof(want), "PEB 3 at 0x%x: data CRC mismatch", 3 * PEB);
    assert_int_equal(diags_with(u, IC_E_CHECKSUM, want), 1);
    assert_int_equal(diags_with(u, IC_E_TRUNCATED, "1 of its 2 LEBs"), 1);
    ic_unpack_free(u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ubifs_index_and_journal),
        cmocka_unit_test(test_ubifs_hostile),
        cmocka_unit_test(test_ubi_volumes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
