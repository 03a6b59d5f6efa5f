/* Firmware containers: U-Boot legacy images, Broadcom TRX, device trees and
 * FIT images. Real samples are checked against what U-Boot's dumpimage and
 * dtc's fdtdump report for them (values noted where used); hostile inputs
 * are built here byte by byte. tests/cli/containers.sh compares images made
 * with mkimage and dtc at test time against the tools' own listings. */
#include "testutil.h"

#include "iotcop/error.h"
#include "iotcop/unpack.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* ---- helpers ----------------------------------------------------------------- */

static struct ic_unpack *unpack_bytes(const uint8_t *data, size_t size)
{
    struct ic_limits limits;
    ic_limits_default(&limits);
    limits.jobs = 1;
    struct ic_blob *blob = NULL;
    assert_int_equal(ic_blob_from_copy(data, size, &blob), IC_OK);
    struct ic_unpack *u = NULL;
    assert_int_equal(ic_unpack_blob(blob, &limits, &u), IC_OK);
    ic_blob_unref(blob);
    return u;
}

/* The sample's bytes; skips when IOTCOP_SHARED is unset, fails when it is set
 * and the sample is missing. */
static uint8_t *read_sample(const char *rel, size_t *size)
{
    char *path = test_shared_path(rel);
    if (!path) {
        skip();
        return NULL;
    }
    uint8_t *data = test_read_file(path, size);
    if (!data)
        fail_msg("sample %s is missing", path);
    free(path);
    return data;
}

static const struct ic_layer *find_layer(const struct ic_unpack *u, const char *format,
                                         int parent)
{
    for (size_t i = 0; i < u->layer_count; i++) {
        const struct ic_layer *l = &u->layers[i];
        if (strcmp(l->format, format) == 0 && (parent == -2 || l->parent == parent))
            return l;
    }
    return NULL;
}

static int layer_index(const struct ic_unpack *u, const struct ic_layer *l)
{
    return (int)(l - u->layers);
}

static const struct ic_layer *child_at(const struct ic_unpack *u, const struct ic_layer *parent,
                                       uint64_t offset)
{
    int p = layer_index(u, parent);
    for (size_t i = 0; i < u->layer_count; i++)
        if (u->layers[i].parent == p && u->layers[i].offset == offset)
            return &u->layers[i];
    return NULL;
}

static int has_diag(const struct ic_unpack *u, const char *layer, int code)
{
    for (size_t i = 0; i < u->diag_count; i++)
        if (u->diags[i].code == code && strcmp(u->diags[i].layer, layer) == 0)
            return 1;
    return 0;
}

static int format_known(const char *name)
{
    for (size_t i = 0; ic_unpack_format_name(i); i++)
        if (strcmp(ic_unpack_format_name(i), name) == 0)
            return 1;
    return 0;
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static void put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* A gzip stream of text, made with zlib (caller frees). */
static uint8_t *gzip_of(const char *text, size_t *out_len)
{
    z_stream z = {0};
    assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    size_t cap = strlen(text) + 128;
    uint8_t *out = malloc(cap);
    z.next_in = (Bytef *)(uintptr_t)text;
    z.avail_in = (uInt)strlen(text);
    z.next_out = out;
    z.avail_out = (uInt)cap;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    *out_len = cap - z.avail_out;
    deflateEnd(&z);
    return out;
}

/* A uImage header for size bytes of data (CRCs filled in from data when given). */
static void uimage_header(uint8_t h[64], uint32_t size, const uint8_t *data, uint8_t type,
                          uint8_t comp, const char *name)
{
    memset(h, 0, 64);
    put_be32(h, 0x27051956);
    put_be32(h + 12, size);
    if (data)
        put_be32(h + 24, (uint32_t)crc32(0, data, size));
    h[28] = 5; /* Linux */
    h[29] = 2; /* ARM */
    h[30] = type;
    h[31] = comp;
    snprintf((char *)h + 32, 32, "%s", name);
    put_be32(h + 4, (uint32_t)crc32(0, h, 64));
}

/* ---- uImage ------------------------------------------------------------------------ */

/* dumpimage -l on the image cut to its declared size: "Image Name: u-boot image",
 * "Image Type: MIPS Linux Firmware (lzma compressed)", "Data Size: 32753 Bytes".
 * The rest of the file is 0xff padding and a second LZMA stream. */
static void test_uimage_sample(void **state)
{
    (void)state;
    size_t size = 0;
    uint8_t *data = read_sample("samples/fact-extractor/uboot/uboot.image_with_header", &size);
    struct ic_unpack *u = unpack_bytes(data, size);
    const struct ic_layer *l = find_layer(u, "uimage", 0);
    assert_non_null(l);
    assert_int_equal(l->offset, 0);
    assert_int_equal(l->size, 64 + 32753);
    assert_non_null(strstr(l->info, "'u-boot image': MIPS Linux Firmware (lzma compressed)"));
    assert_false(has_diag(u, l->id, IC_E_CHECKSUM));
    assert_false(has_diag(u, l->id, IC_E_TRUNCATED));
    if (format_known("lzma")) {
        const struct ic_layer *payload = child_at(u, l, 64);
        assert_non_null(payload);
        assert_string_equal(payload->format, "lzma");
        assert_int_equal(payload->size, 32753);
    }
    ic_unpack_free(u);
    free(data);
}

/* fact-extractor's uboot.dtb starts with a uImage header whose header CRC is
 * wrong (dumpimage: "verify_header failed"); the device tree inside, at 0x980,
 * is what fdtdump reads: totalsize 0x8079, model "Manufac XYZ1234ABC", and
 * dtc -O dts prints 140 nodes. */
static void test_uimage_bad_header_crc_sample(void **state)
{
    (void)state;
    size_t size = 0;
    uint8_t *data = read_sample("samples/fact-extractor/uboot/uboot.dtb", &size);
    struct ic_unpack *u = unpack_bytes(data, size);
    assert_null(find_layer(u, "uimage", -2));
    const struct ic_layer *dt = find_layer(u, "fit", 0);
    assert_non_null(dt);
    assert_int_equal(dt->offset, 0x980);
    assert_int_equal(dt->size, 0x8079);
    assert_non_null(strstr(dt->info, "model 'Manufac XYZ1234ABC'"));
    assert_non_null(strstr(dt->info, "140 nodes"));
    ic_unpack_free(u);
    free(data);
}

static void test_uimage_header_crc_refused(void **state)
{
    (void)state;
    size_t gz_len = 0;
    uint8_t *gz = gzip_of("a kernel that is not one\n", &gz_len);
    uint8_t image[256];
    uimage_header(image, (uint32_t)gz_len, gz, 2, 1, "Linux-6.1");
    memcpy(image + 64, gz, gz_len);

    struct ic_unpack *u = unpack_bytes(image, 64 + gz_len);
    const struct ic_layer *l = find_layer(u, "uimage", 0);
    assert_non_null(l);
    assert_non_null(strstr(l->info, "'Linux-6.1': ARM Linux Kernel Image (gzip compressed)"));
    const struct ic_layer *payload = child_at(u, l, 64);
    assert_non_null(payload);
    assert_string_equal(payload->format, "gzip");
    ic_unpack_free(u);

    image[40] ^= 0x20; /* the name changes, the header CRC does not */
    u = unpack_bytes(image, 64 + gz_len);
    assert_null(find_layer(u, "uimage", -2));
    ic_unpack_free(u);

    image[40] ^= 0x20;
    image[64 + 12] ^= 0xff; /* a data byte: accepted with a diagnostic */
    u = unpack_bytes(image, 64 + gz_len);
    l = find_layer(u, "uimage", 0);
    assert_non_null(l);
    assert_true(has_diag(u, l->id, IC_E_CHECKSUM));
    ic_unpack_free(u);
    free(gz);
}

static void test_uimage_size_4gib(void **state)
{
    (void)state;
    uint8_t image[64 + 100];
    memset(image + 64, 0x5a, 100);
    uimage_header(image, 0xffffffffu, NULL, 2, 0, "huge");
    struct ic_unpack *u = unpack_bytes(image, sizeof(image));
    const struct ic_layer *l = find_layer(u, "uimage", 0);
    assert_non_null(l);
    assert_int_equal(l->size, sizeof(image));
    assert_true(has_diag(u, l->id, IC_E_TRUNCATED));
    ic_unpack_free(u);
}

/* Multi-file: sizes table, zero, then parts each padded to 4 bytes. */
static void test_uimage_multi(void **state)
{
    (void)state;
    size_t len0 = 0, len1 = 0;
    uint8_t *p0 = gzip_of("first part, the kernel\n", &len0);
    uint8_t *p1 = gzip_of("second part, the ramdisk\n", &len1);
    assert_true(len0 % 4 != 0 || len1 % 4 != 0);
    size_t aligned0 = (len0 + 3) & ~(size_t)3;
    size_t data_len = 12 + aligned0 + len1;
    uint8_t *image = calloc(1, 64 + data_len);
    uint8_t *d = image + 64;
    put_be32(d, (uint32_t)len0);
    put_be32(d + 4, (uint32_t)len1);
    memcpy(d + 12, p0, len0);
    memcpy(d + 12 + aligned0, p1, len1);
    uimage_header(image, (uint32_t)data_len, d, 4, 1, "multi");

    struct ic_unpack *u = unpack_bytes(image, 64 + data_len);
    const struct ic_layer *l = find_layer(u, "uimage", 0);
    assert_non_null(l);
    assert_non_null(strstr(l->info, "Multi-File Image (gzip compressed)"));
    assert_non_null(strstr(l->info, "2 parts"));
    const struct ic_layer *c0 = child_at(u, l, 64 + 12);
    const struct ic_layer *c1 = child_at(u, l, 64 + 12 + aligned0);
    assert_non_null(c0);
    assert_non_null(c1);
    assert_int_equal(c0->size, len0);
    assert_int_equal(c1->size, len1);
    ic_unpack_free(u);

    /* A table without its terminating zero: the image, no parts. */
    memset(d, 0x11, data_len);
    uimage_header(image, (uint32_t)data_len, d, 4, 1, "multi");
    u = unpack_bytes(image, 64 + data_len);
    l = find_layer(u, "uimage", 0);
    assert_non_null(l);
    assert_true(has_diag(u, l->id, IC_E_TRUNCATED));
    ic_unpack_free(u);
    free(image);
    free(p0);
    free(p1);
}

/* ---- TRX ------------------------------------------------------------------------------- */

/* fact-extractor's trx.img: TRX v1, length 4096, one partition at 0x1c
 * holding a zip archive; the header CRC matches the data. */
static void test_trx_sample(void **state)
{
    (void)state;
    size_t size = 0;
    uint8_t *data = read_sample("samples/fact-extractor/trx/trx.img", &size);
    assert_int_equal(size, 4096);
    struct ic_unpack *u = unpack_bytes(data, size);
    const struct ic_layer *l = find_layer(u, "trx", 0);
    assert_non_null(l);
    assert_int_equal(l->offset, 0);
    assert_int_equal(l->size, 4096);
    assert_non_null(strstr(l->info, "TRX v1, 1 partition"));
    assert_false(has_diag(u, l->id, IC_E_CHECKSUM));
    /* The partition is either claimed by a reader or left as a region. */
    int seen = child_at(u, l, 0x1c) != NULL;
    for (size_t i = 0; i < u->region_count; i++)
        if (strcmp(u->regions[i].layer, l->id) == 0 && u->regions[i].offset == 0x1c)
            seen = 1;
    assert_true(seen);
    ic_unpack_free(u);

    data[100] ^= 1;
    u = unpack_bytes(data, size);
    l = find_layer(u, "trx", 0);
    assert_non_null(l);
    assert_true(has_diag(u, l->id, IC_E_CHECKSUM));
    ic_unpack_free(u);

    u = unpack_bytes(data, 2000);
    l = find_layer(u, "trx", 0);
    assert_non_null(l);
    assert_int_equal(l->size, 2000);
    assert_true(has_diag(u, l->id, IC_E_TRUNCATED));
    ic_unpack_free(u);
    free(data);
}

static size_t trx_build(uint8_t *out, unsigned version, const uint32_t *offsets, size_t body_len)
{
    unsigned slots = version == 1 ? 3 : 4;
    size_t header = 16 + 4 * slots;
    size_t length = header + body_len;
    memcpy(out, "HDR0", 4);
    put_le32(out + 4, (uint32_t)length);
    put_le32(out + 12, version << 16);
    for (unsigned i = 0; i < slots; i++)
        put_le32(out + 16 + 4 * i, offsets[i]);
    put_le32(out + 8, (uint32_t)crc32(0, out + 12, (uInt)(length - 12)) ^ 0xffffffffu);
    return length;
}

static void test_trx_v2_partitions(void **state)
{
    (void)state;
    size_t len0 = 0, len1 = 0;
    uint8_t *p0 = gzip_of("kernel partition\n", &len0);
    uint8_t *p1 = gzip_of("root file system partition\n", &len1);
    uint8_t image[512] = {0};
    uint32_t off0 = 32, off1 = 32 + 64;
    memcpy(image + off0, p0, len0);
    memcpy(image + off1, p1, len1);
    /* Offsets out of order: partitions are ordered by where they start. */
    uint32_t offsets[4] = {off1, 0, off0, 0};
    size_t length = trx_build(image, 2, offsets, 64 + len1);

    struct ic_unpack *u = unpack_bytes(image, length);
    const struct ic_layer *l = find_layer(u, "trx", 0);
    assert_non_null(l);
    assert_non_null(strstr(l->info, "TRX v2, 2 partitions"));
    assert_false(has_diag(u, l->id, IC_E_CHECKSUM));
    const struct ic_layer *c0 = child_at(u, l, off0);
    const struct ic_layer *c1 = child_at(u, l, off1);
    assert_non_null(c0);
    assert_non_null(c1);
    assert_string_equal(c0->name, "partition2");
    assert_string_equal(c1->name, "partition0");
    ic_unpack_free(u);

    /* "HDR0" with no usable partition is not a TRX. */
    uint32_t none[4] = {0, 0, 0, 0};
    length = trx_build(image, 2, none, 64);
    u = unpack_bytes(image, length);
    assert_null(find_layer(u, "trx", -2));
    ic_unpack_free(u);
    free(p0);
    free(p1);
}

/* ---- device trees and FIT ------------------------------------------------------------ */

/* dumpimage -l fit.itb: FIT description "FACT Test FIT Image"; images kernel
 * (gzip, 1048765 bytes), fdt (uncompressed, 155 bytes), rootfs (gzip,
 * 1049072 bytes); fdtdump: totalsize 0x2009a8, no hash or signature nodes. */
static void test_fit_sample(void **state)
{
    (void)state;
    size_t size = 0;
    uint8_t *data = read_sample("samples/fact-extractor/uboot/fit.itb", &size);
    struct ic_unpack *u = unpack_bytes(data, size);
    const struct ic_layer *l = find_layer(u, "fit", 0);
    assert_non_null(l);
    assert_int_equal(l->offset, 0);
    assert_int_equal(l->size, 0x2009a8);
    assert_non_null(strstr(l->info, "FIT: 3 images"));
    assert_non_null(strstr(l->info, "description 'FACT Test FIT Image'"));
    assert_non_null(strstr(l->info, "unsigned"));
    assert_non_null(strstr(l->info, "no hashes"));
    const char *names[] = {"kernel", "fdt", "rootfs"};
    const char *formats[] = {"gzip", "fit", "gzip"};
    uint64_t sizes[] = {1048765, 155, 1049072};
    int parent = layer_index(u, l);
    for (int k = 0; k < 3; k++) {
        const struct ic_layer *c = NULL;
        for (size_t i = 0; i < u->layer_count; i++)
            if (u->layers[i].parent == parent && u->layers[i].name &&
                strcmp(u->layers[i].name, names[k]) == 0)
                c = &u->layers[i];
        assert_non_null(c);
        assert_string_equal(c->format, formats[k]);
        assert_int_equal(c->size, sizes[k]);
        /* The gzip member starts where the image's data starts. */
        assert_int_equal(memcmp(data + c->offset, k == 1 ? "\xd0\x0d\xfe\xed" : "\x1f\x8b", 2),
                         0);
    }
    ic_unpack_free(u);
    free(data);
}

/* A minimal tree builder for hostile inputs. */
struct tree {
    uint8_t *s; /* structure block */
    size_t len, cap;
};

static void tree_u32(struct tree *t, uint32_t v)
{
    if (t->len + 4 > t->cap) {
        t->cap = t->cap ? t->cap * 2 : 256;
        t->s = realloc(t->s, t->cap);
    }
    put_be32(t->s + t->len, v);
    t->len += 4;
}

static void tree_begin(struct tree *t, const char *name)
{
    size_t n = strlen(name) + 1;
    tree_u32(t, 1);
    for (size_t i = 0; i < n; i += 4) {
        uint8_t w[4] = {0};
        memcpy(w, name + i, n - i < 4 ? n - i : 4);
        tree_u32(t, ((uint32_t)w[0] << 24) | ((uint32_t)w[1] << 16) | ((uint32_t)w[2] << 8) | w[3]);
    }
}

static void tree_prop_u32(struct tree *t, uint32_t nameoff, uint32_t value)
{
    tree_u32(t, 3);
    tree_u32(t, 4);
    tree_u32(t, nameoff);
    tree_u32(t, value);
}

/* Header + reserve map + structure + strings (caller frees). */
static uint8_t *tree_finish(struct tree *t, const char *strings, size_t strings_len, size_t *size)
{
    size_t struct_off = 56, strings_off = struct_off + t->len;
    *size = strings_off + strings_len;
    uint8_t *out = calloc(1, *size);
    put_be32(out, 0xd00dfeed);
    put_be32(out + 4, (uint32_t)*size);
    put_be32(out + 8, (uint32_t)struct_off);
    put_be32(out + 12, (uint32_t)strings_off);
    put_be32(out + 16, 40);
    put_be32(out + 20, 17);
    put_be32(out + 24, 16);
    put_be32(out + 32, (uint32_t)strings_len);
    put_be32(out + 36, (uint32_t)t->len);
    memcpy(out + struct_off, t->s, t->len);
    memcpy(out + strings_off, strings, strings_len);
    free(t->s);
    return out;
}

static void test_fdt_struct_outside(void **state)
{
    (void)state;
    struct tree t = {0};
    tree_begin(&t, "");
    tree_u32(&t, 2);
    tree_u32(&t, 9);
    size_t size = 0;
    uint8_t *dtb = tree_finish(&t, "", 1, &size);
    struct ic_unpack *u = unpack_bytes(dtb, size);
    assert_non_null(find_layer(u, "fit", 0));
    ic_unpack_free(u);

    put_be32(dtb + 8, (uint32_t)size + 64); /* structure block past totalsize */
    u = unpack_bytes(dtb, size);
    assert_null(find_layer(u, "fit", -2));
    ic_unpack_free(u);
    free(dtb);
}

static void test_fdt_deep_nesting(void **state)
{
    (void)state;
    struct tree t = {0};
    tree_begin(&t, "");
    for (int i = 0; i < 10000; i++)
        tree_begin(&t, "n");
    for (int i = 0; i < 10001; i++)
        tree_u32(&t, 2);
    tree_u32(&t, 9);
    size_t size = 0;
    uint8_t *dtb = tree_finish(&t, "", 1, &size);
    struct ic_unpack *u = unpack_bytes(dtb, size);
    const struct ic_layer *l = find_layer(u, "fit", 0);
    assert_non_null(l);
    assert_int_equal(l->size, size);
    assert_true(has_diag(u, l->id, IC_E_LIMIT_DEPTH));
    ic_unpack_free(u);
    free(dtb);
}

static void test_fdt_property_past_end(void **state)
{
    (void)state;
    struct tree t = {0};
    tree_begin(&t, "");
    tree_u32(&t, 3);
    tree_u32(&t, 0x7ffffff0); /* value length */
    tree_u32(&t, 0);
    tree_u32(&t, 0x61626364);
    tree_u32(&t, 2);
    tree_u32(&t, 9);
    size_t size = 0;
    uint8_t *dtb = tree_finish(&t, "model", 6, &size);
    struct ic_unpack *u = unpack_bytes(dtb, size);
    const struct ic_layer *l = find_layer(u, "fit", 0);
    assert_non_null(l);
    assert_true(has_diag(u, l->id, IC_E_TRUNCATED));
    ic_unpack_free(u);
    free(dtb);
}

/* A FIT whose one image keeps its data after the tree ("data-offset"), and
 * one whose external data would run past the end of the input. */
static void test_fit_external_data(void **state)
{
    (void)state;
    static const char strings[] = "data-offset\0data-size\0compression";
    size_t gz_len = 0;
    uint8_t *gz = gzip_of("external kernel data\n", &gz_len);
    for (int hostile = 0; hostile < 2; hostile++) {
        struct tree t = {0};
        tree_begin(&t, "");
        tree_begin(&t, "images");
        tree_begin(&t, "kernel-1");
        tree_prop_u32(&t, 0, 8);
        tree_prop_u32(&t, 12, hostile ? 0xfffffff0u : (uint32_t)gz_len);
        tree_u32(&t, 3); /* compression = "gzip" */
        tree_u32(&t, 5);
        tree_u32(&t, 22);
        tree_u32(&t, 0x677a6970);
        tree_u32(&t, 0);
        tree_u32(&t, 2);
        tree_u32(&t, 2);
        tree_u32(&t, 2);
        tree_u32(&t, 9);
        size_t tree_size = 0;
        uint8_t *dtb = tree_finish(&t, strings, sizeof(strings), &tree_size);
        size_t tree_end = (tree_size + 3) & ~(size_t)3;
        size_t size = tree_end + 8 + gz_len;
        uint8_t *image = calloc(1, size);
        memcpy(image, dtb, tree_size);
        memcpy(image + tree_end + 8, gz, gz_len);

        struct ic_unpack *u = unpack_bytes(image, size);
        const struct ic_layer *l = find_layer(u, "fit", 0);
        assert_non_null(l);
        assert_non_null(strstr(l->info, "FIT: 1 image"));
        assert_int_equal(l->size, size);
        const struct ic_layer *c = child_at(u, l, tree_end + 8);
        assert_non_null(c);
        assert_string_equal(c->name, "kernel-1");
        assert_string_equal(c->format, "gzip");
        assert_int_equal(has_diag(u, l->id, IC_E_TRUNCATED), hostile);
        ic_unpack_free(u);
        free(image);
        free(dtb);
    }
    free(gz);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uimage_sample),
        cmocka_unit_test(test_uimage_bad_header_crc_sample),
        cmocka_unit_test(test_uimage_header_crc_refused),
        cmocka_unit_test(test_uimage_size_4gib),
        cmocka_unit_test(test_uimage_multi),
        cmocka_unit_test(test_trx_sample),
        cmocka_unit_test(test_trx_v2_partitions),
        cmocka_unit_test(test_fit_sample),
        cmocka_unit_test(test_fdt_struct_outside),
        cmocka_unit_test(test_fdt_deep_nesting),
        cmocka_unit_test(test_fdt_property_past_end),
        cmocka_unit_test(test_fit_external_data),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
