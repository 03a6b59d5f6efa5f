/* The stream compressors: xz, lzma, bzip2, zstd, lz4 (frame and legacy) and
 * lzop. Every stream is made at test time by the real Debian tool (or, where
 * no tool writes the variant, by the real library), hidden inside noise at
 * an odd offset, and what we unpack is compared with what the real tool
 * decompresses. Also: truncated streams, decompression bombs against the
 * limits, concatenated streams, damaged checksums, the compressed Linux
 * kernels and the compressor samples of fact-extractor. */
#include "testutil.h"

#include "iotcop/error.h"
#include "iotcop/unpack.h"

#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct codec {
    const char *label;      /* for messages */
    const char *format;     /* the layer format we expect */
    const char *compress;   /* shell command, %s = input file, output on stdout */
    const char *decompress; /* shell command, %s = compressed file, output on stdout */
};

static const struct codec codecs[] = {
    {"xz", "xz", "xz -6 -c '%s'", "xz -dc '%s'"},
    {"lzma", "lzma", "xz --format=lzma -6 -c '%s'", "xz --format=lzma -dc '%s'"},
    {"bzip2", "bzip2", "bzip2 -9 -c '%s'", "bzip2 -dc '%s'"},
    {"zstd", "zstd", "zstd -q -19 -c '%s'", "zstd -q -dc '%s'"},
    {"lz4", "lz4", "lz4 -q -9 -c '%s'", "lz4 -q -dc '%s'"},
    {"lz4-legacy", "lz4", "lz4 -q -l -c '%s'", "lz4 -q -dc '%s'"},
    {"lzop", "lzop", "lzop -c '%s'", "lzop -dc '%s'"},
};
#define CODEC_COUNT (sizeof(codecs) / sizeof(codecs[0]))

/* ---- helpers ---------------------------------------------------------------- */

static char *tmp_dir;

static int setup(void **state)
{
    (void)state;
    tmp_dir = test_tmpdir("compressors");
    return tmp_dir ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[4200];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp_dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmp_dir);
    free(tmp_dir);
    return 0;
}

static char *tmp_path(const char *name)
{
    size_t n = strlen(tmp_dir) + strlen(name) + 2;
    char *p = malloc(n);
    assert_non_null(p);
    snprintf(p, n, "%s/%s", tmp_dir, name);
    return p;
}

/* A real binary from the system to compress: busybox where there is one. */
static const char *reference_file(void)
{
    static const char *const candidates[] = {"/bin/busybox", "/usr/bin/busybox", "/usr/bin/bash",
                                             "/bin/bash"};
    for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++)
        if (test_exists(candidates[i]))
            return candidates[i];
    fail_msg("no reference binary found");
    return NULL;
}

/* Runs a shell command and returns all it writes on stdout (caller frees). */
static uint8_t *run_capture(const char *cmd, size_t *len)
{
    FILE *p = popen(cmd, "r");
    if (!p)
        fail_msg("cannot run: %s", cmd);
    size_t cap = 1 << 20, n = 0;
    uint8_t *buf = malloc(cap);
    assert_non_null(buf);
    for (;;) {
        if (n == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
        size_t got = fread(buf + n, 1, cap - n, p);
        if (got == 0)
            break;
        n += got;
    }
    int status = pclose(p);
    if (status != 0)
        fail_msg("command failed (%d): %s", status, cmd);
    *len = n;
    return buf;
}

/* Puts arg where the template says %s. */
static void command_with(char *cmd, size_t size, const char *template, const char *arg)
{
    const char *slot = strstr(template, "%s");
    assert_non_null(slot);
    int n = snprintf(cmd, size, "%.*s%s%s", (int)(slot - template), template, arg, slot + 2);
    assert_true(n > 0 && (size_t)n < size);
}

static uint8_t *run_capturef(size_t *len, const char *template, const char *arg)
{
    char cmd[4096];
    command_with(cmd, sizeof(cmd), template, arg);
    return run_capture(cmd, len);
}

static void write_file(const char *path, const uint8_t *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

static void fill_noise(uint8_t *p, size_t n, uint32_t seed)
{
    for (size_t i = 0; i < n; i++) {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        p[i] = (uint8_t)seed;
    }
}

/* noise[prefix] data noise[suffix] (caller frees) */
static uint8_t *embed(const uint8_t *data, size_t n, size_t prefix, size_t suffix, size_t *total)
{
    *total = prefix + n + suffix;
    uint8_t *img = malloc(*total);
    assert_non_null(img);
    fill_noise(img, prefix, 0x9e3779b9u);
    memcpy(img + prefix, data, n);
    fill_noise(img + prefix + n, suffix, 0x7f4a7c15u);
    return img;
}

static struct ic_unpack *unpack_bytes(const uint8_t *data, size_t n, const struct ic_limits *limits)
{
    struct ic_limits defaults;
    if (!limits) {
        ic_limits_default(&defaults);
        limits = &defaults;
    }
    struct ic_blob *blob = NULL;
    assert_int_equal(ic_blob_from_copy(data, n, &blob), IC_OK);
    struct ic_unpack *u = NULL;
    assert_int_equal(ic_unpack_blob(blob, limits, &u), IC_OK);
    ic_blob_unref(blob);
    return u;
}

/* The first layer of this format directly below the input, or NULL. */
static const struct ic_layer *top_layer(const struct ic_unpack *u, const char *format)
{
    for (size_t i = 1; i < u->layer_count; i++)
        if (u->layers[i].parent == 0 && strcmp(u->layers[i].format, format) == 0)
            return &u->layers[i];
    return NULL;
}

static const struct ic_layer *any_layer(const struct ic_unpack *u, const char *format)
{
    for (size_t i = 1; i < u->layer_count; i++)
        if (strcmp(u->layers[i].format, format) == 0)
            return &u->layers[i];
    return NULL;
}

static int layer_has_diag(const struct ic_unpack *u, const struct ic_layer *l, int code)
{
    for (size_t i = 0; i < u->diag_count; i++)
        if (u->diags[i].code == code && strcmp(u->diags[i].layer, l->id) == 0)
            return 1;
    return 0;
}

static int has_diag(const struct ic_unpack *u, int code)
{
    for (size_t i = 0; i < u->diag_count; i++)
        if (u->diags[i].code == code)
            return 1;
    return 0;
}

static void assert_content(const struct ic_layer *l, const uint8_t *expect, size_t n)
{
    assert_non_null(l->content);
    assert_int_equal(ic_blob_size(l->content), n);
    const uint8_t *got = ic_blob_data(l->content, NULL);
    assert_non_null(got);
    assert_memory_equal(got, expect, n);
}

/* Compresses the reference file with the codec's tool into tmp/name. */
static uint8_t *compress_reference(const struct codec *c, size_t *len)
{
    return run_capturef(len, c->compress, reference_file());
}

/* ---- tests ---------------------------------------------------------------- */

static void streams_are_found_at_exact_offsets_with_exact_extents(void **state)
{
    (void)state;
    size_t orig_len = 0;
    uint8_t *orig = test_read_file(reference_file(), &orig_len);
    assert_non_null(orig);
    for (size_t i = 0; i < CODEC_COUNT; i++) {
        const struct codec *c = &codecs[i];
        print_message("%s\n", c->label);
        size_t clen = 0, total = 0;
        uint8_t *comp = compress_reference(c, &clen);
        uint8_t *img = embed(comp, clen, 12345, 777, &total);
        struct ic_unpack *u = unpack_bytes(img, total, NULL);
        const struct ic_layer *l = top_layer(u, c->format);
        assert_non_null(l);
        assert_int_equal(l->offset, 12345);
        assert_int_equal(l->size, clen);
        assert_content(l, orig, orig_len);
        assert_false(has_diag(u, IC_E_DECOMPRESS));
        ic_unpack_free(u);
        free(img);
        free(comp);
    }
    free(orig);
}

static void truncated_streams_give_a_diagnostic_and_a_prefix(void **state)
{
    (void)state;
    /* Small blocks, so that a cut leaves complete blocks before it. The
     * legacy LZ4 format has 8 MiB blocks only: a cut file has none. */
    static const struct codec cut[] = {
        {"xz", "xz", "xz -6 -c '%s'", NULL},
        {"lzma", "lzma", "xz --format=lzma -6 -c '%s'", NULL},
        {"bzip2", "bzip2", "bzip2 -1 -c '%s'", NULL},
        {"zstd", "zstd", "zstd -q -3 -c '%s'", NULL},
        {"lz4", "lz4", "lz4 -q -B4 -c '%s'", NULL},
        {"lzop", "lzop", "lzop -c '%s'", NULL},
    };
    size_t orig_len = 0;
    uint8_t *orig = test_read_file(reference_file(), &orig_len);
    assert_non_null(orig);
    for (size_t i = 0; i < sizeof(cut) / sizeof(cut[0]); i++) {
        print_message("%s\n", cut[i].label);
        size_t clen = 0, total = 0;
        uint8_t *comp = compress_reference(&cut[i], &clen);
        size_t keep = clen * 7 / 10;
        uint8_t *img = embed(comp, keep, 4097, 0, &total);
        struct ic_unpack *u = unpack_bytes(img, total, NULL);
        const struct ic_layer *l = top_layer(u, cut[i].format);
        assert_non_null(l);
        assert_int_equal(l->offset, 4097);
        assert_int_equal(l->size, keep);
        assert_true(layer_has_diag(u, l, IC_E_TRUNCATED));
        assert_non_null(l->content);
        size_t got_len = (size_t)ic_blob_size(l->content);
        assert_true(got_len > 0 && got_len < orig_len);
        assert_memory_equal(ic_blob_data(l->content, NULL), orig, got_len);
        ic_unpack_free(u);
        free(img);
        free(comp);
    }
    free(orig);
}

/* Copies of one compressed stream back to back: one bigger stream to every
 * reader of concatenated streams. */
static uint8_t *repeat(const uint8_t *data, size_t n, size_t times, size_t *total)
{
    *total = n * times;
    uint8_t *p = malloc(*total);
    assert_non_null(p);
    for (size_t i = 0; i < times; i++)
        memcpy(p + i * n, data, n);
    return p;
}

static void bombs_hit_the_limits(void **state)
{
    (void)state;
    /* 1 GiB of zeros: 64 concatenated streams of 16 MiB where the format
     * allows it; one stream of 64 or 256 MiB for lzma and lzop. */
    static const struct {
        const char *label;
        const char *format;
        const char *command;
        size_t copies;
    } bombs[] = {
        {"xz", "xz", "head -c 16M /dev/zero | xz -0 -c", 64},
        {"lzma", "lzma", "head -c 64M /dev/zero | xz --format=lzma -0 -c", 1},
        {"bzip2", "bzip2", "head -c 16M /dev/zero | bzip2 -1 -c", 64},
        {"zstd", "zstd", "head -c 16M /dev/zero | zstd -q -1 -c", 64},
        {"lz4", "lz4", "head -c 16M /dev/zero | lz4 -q -1 -c", 64},
        {"lz4-legacy", "lz4", "head -c 16M /dev/zero | lz4 -q -l -c", 64},
        {"lzop", "lzop", "head -c 256M /dev/zero | lzop -1 -c", 1},
    };
    for (size_t i = 0; i < sizeof(bombs) / sizeof(bombs[0]); i++) {
        print_message("%s\n", bombs[i].label);
        size_t one = 0, total = 0, img_len = 0;
        uint8_t *stream = run_capture(bombs[i].command, &one);
        uint8_t *bomb = repeat(stream, one, bombs[i].copies, &total);
        uint8_t *img = embed(bomb, total, 11, 0, &img_len);
        struct ic_limits limits;
        ic_limits_default(&limits);
        assert_int_equal(ic_limits_set(&limits, "total-bytes=8M"), IC_OK);
        struct ic_unpack *u = unpack_bytes(img, img_len, &limits);
        const struct ic_layer *l = top_layer(u, bombs[i].format);
        assert_non_null(l);
        assert_int_equal(l->offset, 11);
        assert_true(has_diag(u, IC_E_LIMIT_BYTES));
        assert_non_null(u->limit_hit);
        assert_string_equal(u->limit_hit, "total-bytes");
        assert_true(u->bytes <= (8u << 20));
        assert_non_null(l->content);
        const uint8_t *p = ic_blob_data(l->content, NULL);
        size_t n = (size_t)ic_blob_size(l->content);
        assert_true(n > 0 && n <= (8u << 20));
        for (size_t k = 0; k < n; k++)
            if (p[k] != 0)
                fail_msg("byte %zu of the bomb's output is not zero", k);
        ic_unpack_free(u);
        free(img);
        free(bomb);
        free(stream);
    }
}

static void the_file_size_limit_stops_one_stream(void **state)
{
    (void)state;
    size_t one = 0, img_len = 0;
    uint8_t *stream = run_capture("head -c 32M /dev/zero | zstd -q -1 -c", &one);
    uint8_t *img = embed(stream, one, 3, 5, &img_len);
    struct ic_limits limits;
    ic_limits_default(&limits);
    assert_int_equal(ic_limits_set(&limits, "file-size=4M"), IC_OK);
    struct ic_unpack *u = unpack_bytes(img, img_len, &limits);
    const struct ic_layer *l = top_layer(u, "zstd");
    assert_non_null(l);
    /* zstd knows each frame's end without decoding it: the extent is exact. */
    assert_int_equal(l->offset, 3);
    assert_int_equal(l->size, one);
    assert_true(layer_has_diag(u, l, IC_E_LIMIT_FILE_SIZE));
    assert_true(ic_blob_size(l->content) <= (4u << 20));
    ic_unpack_free(u);
    free(img);
    free(stream);
}

/* Two different inputs compressed apart and joined the way each format
 * allows; we must give what the real tool gives for the joined file. */
static void concatenated_streams_are_one_layer(void **state)
{
    (void)state;
    static const struct {
        const char *label;
        const char *format;
        const char *compress;
        const char *decompress;
        const char *glue; /* bytes between the two streams */
        size_t glue_len;
    } joins[] = {
        {"xz with stream padding", "xz", "xz -3 -c '%s'", "xz -dc '%s'", "\0\0\0\0\0\0\0\0", 8},
        {"bzip2", "bzip2", "bzip2 -9 -c '%s'", "bzip2 -dc '%s'", "", 0},
        {"zstd with a skippable frame", "zstd", "zstd -q -c '%s'", "zstd -q -dc '%s'",
         "\x5e\x2a\x4d\x18\x04\x00\x00\x00skip", 12},
        {"lz4", "lz4", "lz4 -q -c '%s'", "lz4 -q -dc '%s'", "", 0},
    };
    const char *second = "/etc/services";
    if (!test_exists(second))
        second = "/etc/passwd";
    for (size_t i = 0; i < sizeof(joins) / sizeof(joins[0]); i++) {
        print_message("%s\n", joins[i].label);
        size_t a_len = 0, b_len = 0;
        uint8_t *a = run_capturef(&a_len, joins[i].compress, reference_file());
        uint8_t *b = run_capturef(&b_len, joins[i].compress, second);
        size_t joined_len = a_len + joins[i].glue_len + b_len;
        uint8_t *joined = malloc(joined_len);
        assert_non_null(joined);
        memcpy(joined, a, a_len);
        memcpy(joined + a_len, joins[i].glue, joins[i].glue_len);
        memcpy(joined + a_len + joins[i].glue_len, b, b_len);
        char *path = tmp_path("joined");
        write_file(path, joined, joined_len);
        size_t want_len = 0, total = 0;
        uint8_t *want = run_capturef(&want_len, joins[i].decompress, path);

        uint8_t *img = embed(joined, joined_len, 999, 333, &total);
        struct ic_unpack *u = unpack_bytes(img, total, NULL);
        const struct ic_layer *l = top_layer(u, joins[i].format);
        assert_non_null(l);
        assert_int_equal(l->offset, 999);
        assert_int_equal(l->size, joined_len);
        assert_content(l, want, want_len);
        ic_unpack_free(u);
        free(img);
        free(want);
        free(path);
        free(joined);
        free(a);
        free(b);
    }
}

static void damaged_streams_are_reported(void **state)
{
    (void)state;
    /* A flipped byte in the middle of the data: lzop's block checksums and
     * xz's CRCs must catch it, and the real tool must refuse it too. */
    static const struct {
        const char *label;
        const char *format;
        const char *compress;
        const char *decompress;
    } damaged[] = {
        {"lzop", "lzop", "lzop -c '%s'", "lzop -dc '%s' >/dev/null 2>&1"},
        {"xz", "xz", "xz -c '%s'", "xz -dc '%s' >/dev/null 2>&1"},
        {"bzip2", "bzip2", "bzip2 -1 -c '%s'", "bzip2 -dc '%s' >/dev/null 2>&1"},
    };
    for (size_t i = 0; i < sizeof(damaged) / sizeof(damaged[0]); i++) {
        print_message("%s\n", damaged[i].label);
        size_t clen = 0, total = 0;
        uint8_t *comp = run_capturef(&clen, damaged[i].compress, reference_file());
        comp[clen / 2] ^= 0x55;
        char *path = tmp_path("damaged");
        write_file(path, comp, clen);
        char cmd[4200];
        command_with(cmd, sizeof(cmd), damaged[i].decompress, path);
        assert_int_not_equal(system(cmd), 0);

        uint8_t *img = embed(comp, clen, 1001, 0, &total);
        struct ic_unpack *u = unpack_bytes(img, total, NULL);
        const struct ic_layer *l = top_layer(u, damaged[i].format);
        assert_non_null(l);
        assert_int_equal(l->offset, 1001);
        int reported = layer_has_diag(u, l, IC_E_CHECKSUM) || layer_has_diag(u, l, IC_E_DECOMPRESS);
        assert_true(reported);
        ic_unpack_free(u);
        free(img);
        free(path);
        free(comp);
    }
}

/* Noise after a header that looks right must not become a layer. */
static void lookalike_headers_are_refused(void **state)
{
    (void)state;
    static const struct {
        const char *format;
        const char *header;
        size_t len;
    } fakes[] = {
        {"lzma", "\x5d\x00\x00\x80\x00\xff\xff\xff\xff\xff\xff\xff\xff\x00", 14},
        {"lzma", "\x5d\x00\x00\x00\x01\x00\x10\x00\x00\x00\x00\x00\x00\x00", 14},
        {"xz", "\xfd\x37zXZ\x00\x00\x04\xe6\xd6\xb4\x46", 12},
        {"zstd", "\x28\xb5\x2f\xfd", 4},
        {"lz4", "\x04\x22\x4d\x18", 4},
        {"lz4", "\x02\x21\x4c\x18\x00\x10\x00\x00", 8},
        {"bzip2", "BZh91AY&SY", 10},
    };
    for (size_t i = 0; i < sizeof(fakes) / sizeof(fakes[0]); i++) {
        for (uint32_t seed = 1; seed <= 8; seed++) {
            uint8_t img[8192];
            fill_noise(img, sizeof(img), seed * 2654435761u);
            memcpy(img + 101, fakes[i].header, fakes[i].len);
            struct ic_unpack *u = unpack_bytes(img, sizeof(img), NULL);
            if (top_layer(u, fakes[i].format))
                fail_msg("%s look-alike %zu with noise %u was taken", fakes[i].format, i, seed);
            ic_unpack_free(u);
        }
    }
}

/* An LZMA stream with its size in the header and no end marker, as the LZMA
 * SDK writes it (TP-Link, U-Boot): made with liblzma's LZMA1 encoder, which
 * leaves the marker out, behind a header we write. */
static uint8_t *lzma_known_size(const uint8_t *src, size_t n, size_t *out_len)
{
    lzma_options_lzma opt;
    assert_false(lzma_lzma_preset(&opt, 6));
    opt.ext_flags = 0; /* no end marker */
    lzma_filter filters[] = {{LZMA_FILTER_LZMA1EXT, &opt}, {LZMA_VLI_UNKNOWN, NULL}};
    lzma_stream strm = LZMA_STREAM_INIT;
    assert_int_equal(lzma_raw_encoder(&strm, filters), LZMA_OK);
    size_t cap = n + n / 2 + 4096;
    uint8_t *out = malloc(cap + 13);
    assert_non_null(out);
    out[0] = (uint8_t)((opt.pb * 5 + opt.lp) * 9 + opt.lc);
    for (int i = 0; i < 4; i++)
        out[1 + i] = (uint8_t)(opt.dict_size >> (8 * i));
    for (int i = 0; i < 8; i++)
        out[5 + i] = (uint8_t)((uint64_t)n >> (8 * i));
    strm.next_in = src;
    strm.avail_in = n;
    strm.next_out = out + 13;
    strm.avail_out = cap;
    assert_int_equal(lzma_code(&strm, LZMA_FINISH), LZMA_STREAM_END);
    *out_len = 13 + (size_t)strm.total_out;
    lzma_end(&strm);
    return out;
}

static void lzma_with_a_known_size_stops_at_that_size(void **state)
{
    (void)state;
    size_t orig_len = 0, clen = 0, total = 0;
    uint8_t *orig = test_read_file(reference_file(), &orig_len);
    assert_non_null(orig);
    uint8_t *comp = lzma_known_size(orig, orig_len, &clen);
    /* The real tool must accept it as it is. */
    char *path = tmp_path("known-size.lzma");
    write_file(path, comp, clen);
    size_t want_len = 0;
    uint8_t *want = run_capturef(&want_len, "xz --format=lzma -dc '%s'", path);
    assert_int_equal(want_len, orig_len);
    assert_memory_equal(want, orig, orig_len);

    /* Trailing bytes follow, as in a flash image. */
    uint8_t *img = embed(comp, clen, 64 + 1, 4096, &total);
    struct ic_unpack *u = unpack_bytes(img, total, NULL);
    const struct ic_layer *l = top_layer(u, "lzma");
    assert_non_null(l);
    assert_int_equal(l->offset, 65);
    assert_int_equal(l->size, clen);
    assert_content(l, orig, orig_len);
    ic_unpack_free(u);
    free(img);
    free(want);
    free(path);
    free(comp);
    free(orig);
}

/* Payload of a bzImage: the setup header names its offset and length. */
static int bzimage_payload(const uint8_t *img, size_t n, size_t *offset, size_t *len)
{
    if (n < 0x250)
        return -1;
    unsigned setup_sects = img[0x1f1] ? img[0x1f1] : 4;
    size_t base = ((size_t)setup_sects + 1) * 512;
    size_t off = (size_t)img[0x248] | (size_t)img[0x249] << 8 | (size_t)img[0x24a] << 16 |
                 (size_t)img[0x24b] << 24;
    size_t l = (size_t)img[0x24c] | (size_t)img[0x24d] << 8 | (size_t)img[0x24e] << 16 |
               (size_t)img[0x24f] << 24;
    if (base + off > n || l > n - base - off)
        return -1;
    *offset = base + off;
    *len = l;
    return 0;
}

static void compressed_linux_kernels_are_unpacked(void **state)
{
    (void)state;
    /* The build appends the kernel's size (u32le) to the compressed stream. */
    static const struct {
        const char *sample;
        const char *format;
        const char *decompress;
    } kernels[] = {
        {"bzImage_bzip2", "bzip2", "bzip2 -dc '%s'"},
        {"bzImage_lz4", "lz4", "lz4 -q -dc '%s'"},
        {"bzImage_lzma", "lzma", "xz --format=lzma -dc '%s'"},
        {"bzImage_lzo", "lzop", "lzop -dc '%s'"},
        {"bzImage_xz", "xz", "xz -dc '%s'"},
    };
    for (size_t i = 0; i < sizeof(kernels) / sizeof(kernels[0]); i++) {
        char rel[256];
        snprintf(rel, sizeof(rel), "samples/fact-extractor/linuxkernel/%s", kernels[i].sample);
        char *path = test_shared_path(rel);
        if (!path)
            skip();
        print_message("%s\n", kernels[i].sample);
        size_t n = 0, offset = 0, len = 0;
        uint8_t *img = test_read_file(path, &n);
        if (!img)
            fail_msg("sample %s is missing", path);
        assert_int_equal(bzimage_payload(img, n, &offset, &len), 0);
        size_t stream_len = len - 4;
        uint32_t kernel_size =
            (uint32_t)img[offset + len - 4] | (uint32_t)img[offset + len - 3] << 8 |
            (uint32_t)img[offset + len - 2] << 16 | (uint32_t)img[offset + len - 1] << 24;
        char *stream_path = tmp_path("kernel-stream");
        write_file(stream_path, img + offset, stream_len);
        size_t want_len = 0;
        uint8_t *want = run_capturef(&want_len, kernels[i].decompress, stream_path);
        assert_int_equal(want_len, kernel_size);

        struct ic_unpack *u = unpack_bytes(img, n, NULL);
        const struct ic_layer *l = top_layer(u, kernels[i].format);
        assert_non_null(l);
        assert_int_equal(l->offset, offset);
        assert_int_equal(l->size, stream_len);
        assert_content(l, want, want_len);
        ic_unpack_free(u);
        free(want);
        free(stream_path);
        free(img);
        free(path);
    }
}

/* The kernel, recompressed with `xz --format=lzma` and wrapped by mkimage
 * in a uImage with flash padding after it. */
static void lzma_kernel_in_a_uimage_is_found(void **state)
{
    (void)state;
    char *sample = test_shared_path("samples/fact-extractor/linuxkernel/bzImage_xz");
    if (!sample)
        skip();
    size_t n = 0, offset = 0, len = 0;
    uint8_t *img = test_read_file(sample, &n);
    if (!img)
        fail_msg("sample %s is missing", sample);
    assert_int_equal(bzimage_payload(img, n, &offset, &len), 0);
    char *xz_path = tmp_path("kernel.xz");
    write_file(xz_path, img + offset, len - 4);
    size_t kernel_len = 0;
    uint8_t *kernel = run_capturef(&kernel_len, "xz -dc '%s'", xz_path);
    char *kernel_path = tmp_path("kernel.bin");
    write_file(kernel_path, kernel, kernel_len);
    size_t lzma_len = 0;
    uint8_t *lzma_data = run_capturef(&lzma_len, "xz --format=lzma -9 -c '%s'", kernel_path);
    char *lzma_path = tmp_path("kernel.lzma");
    write_file(lzma_path, lzma_data, lzma_len);
    char *uimage_path = tmp_path("uImage");
    char cmd[8192];
    snprintf(cmd, sizeof(cmd),
             "mkimage -A mips -O linux -T kernel -C lzma -a 0x80060000 -e 0x80060000 "
             "-n 'Linux-test' -d '%s' '%s' >/dev/null && head -c 65536 /dev/zero | tr '\\0' "
             "'\\377' >> '%s'",
             lzma_path, uimage_path, uimage_path);
    if (system(cmd) != 0)
        fail_msg("mkimage failed: %s", cmd);
    size_t u_len = 0;
    uint8_t *uimage = test_read_file(uimage_path, &u_len);
    assert_non_null(uimage);

    struct ic_unpack *u = unpack_bytes(uimage, u_len, NULL);
    const struct ic_layer *l = any_layer(u, "lzma");
    assert_non_null(l);
    assert_int_equal(l->size, lzma_len);
    assert_content(l, kernel, kernel_len);
    ic_unpack_free(u);
    free(uimage);
    free(uimage_path);
    free(lzma_path);
    free(lzma_data);
    free(kernel_path);
    free(kernel);
    free(xz_path);
    free(img);
    free(sample);
}

/* fact-extractor's compressor samples, each a whole file. */
static void patool_samples_match_the_real_tools(void **state)
{
    (void)state;
    static const struct {
        const char *sample;
        const char *format;
        const char *decompress;
    } samples[] = {
        {"test.bz2", "bzip2", "bzip2 -dc '%s'"},
        {"test.lz4", "lz4", "lz4 -q -dc '%s'"},
        {"test.lzo", "lzop", "lzop -dc '%s'"},
        {"test.zst", "zstd", "zstd -q -dc '%s'"},
    };
    for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
        char rel[256];
        snprintf(rel, sizeof(rel), "samples/fact-extractor/patool/%s", samples[i].sample);
        char *path = test_shared_path(rel);
        if (!path)
            skip();
        print_message("%s\n", samples[i].sample);
        size_t n = 0;
        uint8_t *data = test_read_file(path, &n);
        if (!data)
            fail_msg("sample %s is missing", path);
        size_t want_len = 0;
        uint8_t *want = run_capturef(&want_len, samples[i].decompress, path);
        struct ic_unpack *u = unpack_bytes(data, n, NULL);
        const struct ic_layer *l = top_layer(u, samples[i].format);
        assert_non_null(l);
        assert_int_equal(l->offset, 0);
        assert_int_equal(l->size, n);
        assert_content(l, want, want_len);
        ic_unpack_free(u);
        free(want);
        free(data);
        free(path);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(streams_are_found_at_exact_offsets_with_exact_extents),
        cmocka_unit_test(truncated_streams_give_a_diagnostic_and_a_prefix),
        cmocka_unit_test(bombs_hit_the_limits),
        cmocka_unit_test(the_file_size_limit_stops_one_stream),
        cmocka_unit_test(concatenated_streams_are_one_layer),
        cmocka_unit_test(damaged_streams_are_reported),
        cmocka_unit_test(lookalike_headers_are_refused),
        cmocka_unit_test(lzma_with_a_known_size_stops_at_that_size),
        cmocka_unit_test(compressed_linux_kernels_are_unpacked),
        cmocka_unit_test(lzma_kernel_in_a_uimage_is_found),
        cmocka_unit_test(patool_samples_match_the_real_tools),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
