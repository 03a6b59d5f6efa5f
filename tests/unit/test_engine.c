/* The unpack engine: carving at exact offsets, layer ids, unknown regions,
 * recursion and limits. Uses gzip (zlib makes the streams) as the format. */
#include "testutil.h"

#include "core/buf.h"
#include "iotcop/error.h"
#include "iotcop/unpack.h"

#include <bzlib.h>
#include <lzma.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

/* Gzip-compresses src into a new buffer (caller frees). */
static uint8_t *gzip_bytes(const uint8_t *src, size_t n, size_t *out_len)
{
    z_stream z = {0};
    assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    size_t cap = deflateBound(&z, n) + 64;
    uint8_t *out = malloc(cap);
    z.next_in = (Bytef *)src;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    *out_len = z.total_out;
    deflateEnd(&z);
    return out;
}

static void fill_noise(uint8_t *p, size_t n, uint32_t seed)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        p[i] = (uint8_t)(seed >> 16);
    }
}

static struct ic_unpack *unpack_bytes(const uint8_t *data, size_t n, struct ic_limits *limits)
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

static int has_diag(const struct ic_unpack *u, int code)
{
    for (size_t i = 0; i < u->diag_count; i++)
        if (u->diags[i].code == code)
            return 1;
    return 0;
}

static void streams_are_found_at_their_exact_offsets(void **state)
{
    (void)state;
    const char *text = "hello firmware, hello firmware, hello firmware";
    size_t glen = 0;
    uint8_t *gz = gzip_bytes((const uint8_t *)text, strlen(text), &glen);
    /* noise(1001) gz zeros(500) gz noise(777) */
    size_t n = 1001 + glen + 500 + glen + 777;
    uint8_t *img = malloc(n);
    fill_noise(img, 1001, 1);
    memcpy(img + 1001, gz, glen);
    memset(img + 1001 + glen, 0, 500);
    memcpy(img + 1501 + glen, gz, glen);
    fill_noise(img + 1501 + 2 * glen, 777, 2);

    struct ic_unpack *u = unpack_bytes(img, n, NULL);
    assert_int_equal(u->layer_count, 3);
    assert_string_equal(u->layers[0].id, "0");
    assert_string_equal(u->layers[0].format, "input");
    assert_string_equal(u->layers[1].id, "0.1");
    assert_string_equal(u->layers[1].format, "gzip");
    assert_int_equal(u->layers[1].offset, 1001);
    assert_int_equal(u->layers[1].size, glen);
    assert_string_equal(u->layers[2].id, "0.2");
    assert_int_equal(u->layers[2].offset, 1501 + glen);
    assert_int_equal(u->layers[2].size, glen);
    assert_int_equal(ic_blob_size(u->layers[1].content), strlen(text));
    assert_memory_equal(ic_blob_data(u->layers[1].content, NULL), text, strlen(text));
    /* The noise before and after is reported; the zero padding is not. */
    assert_int_equal(u->region_count, 2);
    assert_int_equal(u->regions[0].offset, 0);
    assert_int_equal(u->regions[0].size, 1001);
    assert_true(u->regions[0].entropy > 7.0);
    assert_int_equal(u->regions[1].offset, 1501 + 2 * glen);
    assert_int_equal(u->regions[1].size, 777);
    assert_int_equal(u->bytes, 2 * strlen(text));
    assert_true(ic_unpack_found_anything(u));
    /* Hashed on request only, from the input's bytes. */
    assert_int_equal(u->input_sha256[0], '\0');
    char digest[65];
    ic_unpack_input_sha256(u, digest);
    assert_int_equal(strlen(digest), 64);
    unsigned char md[32];
    unsigned int mdlen = 0;
    assert_int_equal(EVP_Digest(img, n, md, &mdlen, EVP_sha256(), NULL), 1);
    char expected[65];
    for (unsigned i = 0; i < 32; i++)
        snprintf(expected + 2 * i, 3, "%02x", md[i]);
    assert_string_equal(digest, expected);
    ic_unpack_free(u);
    free(img);
    free(gz);
}

static void nested_layers_get_nested_ids_and_depth_is_capped(void **state)
{
    (void)state;
    size_t len = 12;
    uint8_t *cur = malloc(len);
    memcpy(cur, "innermost!!!", len);
    for (int i = 0; i < 6; i++) {
        size_t next_len = 0;
        uint8_t *next = gzip_bytes(cur, len, &next_len);
        free(cur);
        cur = next;
        len = next_len;
    }
    struct ic_unpack *u = unpack_bytes(cur, len, NULL);
    assert_int_equal(u->layer_count, 7);
    assert_string_equal(u->layers[6].id, "0.1.1.1.1.1.1");
    assert_int_equal(u->layers[6].depth, 6);
    assert_memory_equal(ic_blob_data(u->layers[6].content, NULL), "innermost!!!", 12);
    ic_unpack_free(u);

    struct ic_limits limits;
    ic_limits_default(&limits);
    limits.max_depth = 3;
    u = unpack_bytes(cur, len, &limits);
    assert_int_equal(u->layer_count, 4);
    assert_true(has_diag(u, IC_E_LIMIT_DEPTH));
    assert_string_equal(u->limit_hit, "depth");
    ic_unpack_free(u);
    free(cur);
}

static void expansion_limits_stop_a_bomb(void **state)
{
    (void)state;
    size_t n = 64u << 20;
    uint8_t *zeros = calloc(1, n);
    size_t glen = 0;
    uint8_t *gz = gzip_bytes(zeros, n, &glen);
    free(zeros);
    struct ic_limits limits;
    ic_limits_default(&limits);
    limits.max_total_bytes = 8u << 20;
    struct ic_unpack *u = unpack_bytes(gz, glen, &limits);
    assert_true(has_diag(u, IC_E_LIMIT_BYTES));
    assert_true(u->bytes <= limits.max_total_bytes);
    ic_unpack_free(u);

    ic_limits_default(&limits);
    limits.max_file_size = 1u << 20;
    u = unpack_bytes(gz, glen, &limits);
    assert_true(has_diag(u, IC_E_LIMIT_FILE_SIZE));
    assert_true(u->bytes <= (1u << 20));
    ic_unpack_free(u);
    free(gz);
}

static void truncated_stream_keeps_partial_output(void **state)
{
    (void)state;
    uint8_t *plain = malloc(200000);
    fill_noise(plain, 200000, 7);
    size_t glen = 0;
    uint8_t *gz = gzip_bytes(plain, 200000, &glen);
    struct ic_unpack *u = unpack_bytes(gz, glen / 2, NULL);
    assert_int_equal(u->layer_count, 2);
    assert_true(has_diag(u, IC_E_DECOMPRESS));
    uint64_t got = ic_blob_size(u->layers[1].content);
    assert_true(got > 0 && got < 200000);
    assert_memory_equal(ic_blob_data(u->layers[1].content, NULL), plain, got);
    ic_unpack_free(u);
    free(plain);
    free(gz);
}

static void nothing_recognisable_is_one_region(void **state)
{
    (void)state;
    uint8_t noise[5000];
    fill_noise(noise, sizeof(noise), 3);
    noise[100] = 0x1f; /* a false gzip magic must be refused */
    noise[101] = 0x8b;
    noise[102] = 0x08;
    noise[103] = 0x00;
    struct ic_unpack *u = unpack_bytes(noise, sizeof(noise), NULL);
    assert_int_equal(u->layer_count, 1);
    assert_false(ic_unpack_found_anything(u));
    assert_int_equal(u->region_count, 1);
    assert_int_equal(u->regions[0].size, sizeof(noise));
    ic_unpack_free(u);
}

static void listing_and_summary_are_json_lines(void **state)
{
    (void)state;
    size_t glen = 0;
    uint8_t *gz = gzip_bytes((const uint8_t *)"x", 1, &glen);
    struct ic_unpack *u = unpack_bytes(gz, glen, NULL);
    struct ic_buf out = IC_BUF_INIT(1 << 20);
    assert_int_equal(ic_unpack_write_listing(u, IC_LISTING_JSON, 0, &out), IC_OK);
    assert_non_null(strstr((char *)out.data, "{\"summary\":{\"layers\":[{\"id\":\"0\""));
    assert_non_null(strstr((char *)out.data, "\"format\":\"gzip\""));
    assert_int_equal(out.data[out.len - 1], '\n');
    ic_buf_release(&out);
    ic_unpack_free(u);
    free(gz);
}

/* Compresses src as xz (0), bzip2 (1) or zstd (2) into out; returns the length. */
static size_t compress_as(int kind, const uint8_t *src, size_t n, uint8_t *out, size_t cap)
{
    size_t len = 0;
    if (kind == 0) {
        assert_int_equal(lzma_easy_buffer_encode(1, LZMA_CHECK_CRC32, NULL, src, n, out, &len, cap),
                         LZMA_OK);
    } else if (kind == 1) {
        unsigned int blen = (unsigned int)cap;
        assert_int_equal(
            BZ2_bzBuffToBuffCompress((char *)out, &blen, (char *)src, (unsigned)n, 1, 0, 0), BZ_OK);
        len = blen;
    } else {
        len = ZSTD_compress(out, cap, src, n, 1);
        assert_false(ZSTD_isError(len));
    }
    return len;
}

static void assert_same_unpack(const struct ic_unpack *a, const struct ic_unpack *b)
{
    assert_int_equal(a->layer_count, b->layer_count);
    for (size_t i = 0; i < a->layer_count; i++) {
        assert_string_equal(a->layers[i].id, b->layers[i].id);
        assert_string_equal(a->layers[i].format, b->layers[i].format);
        assert_int_equal(a->layers[i].offset, b->layers[i].offset);
        assert_int_equal(a->layers[i].size, b->layers[i].size);
    }
    assert_int_equal(a->diag_count, b->diag_count);
    for (size_t i = 0; i < a->diag_count; i++) {
        assert_int_equal(a->diags[i].code, b->diags[i].code);
        assert_string_equal(a->diags[i].layer, b->diags[i].layer);
        assert_string_equal(a->diags[i].message, b->diags[i].message);
    }
    assert_int_equal(a->region_count, b->region_count);
    assert_int_equal(a->bytes, b->bytes);
    assert_true((a->limit_hit == NULL) == (b->limit_hit == NULL));
    if (a->limit_hit)
        assert_string_equal(a->limit_hit, b->limit_hit);
}

/* Strong hits further on are unpacked ahead on other threads; the result,
 * limits included, must be the serial one. Nine streams of 1 MiB each in
 * three formats, with a total-bytes limit that stops the sixth. */
static void threads_give_the_serial_result_even_at_a_limit(void **state)
{
    (void)state;
    const size_t plain = 1u << 20, cap = plain + 65536;
    uint8_t *src = malloc(plain);
    uint8_t *img = malloc(9 * (cap + 777) + 1000);
    size_t n = 0;
    fill_noise(img, 1000, 7);
    n = 1000;
    for (int k = 0; k < 9; k++) {
        memset(src, 'a' + k, plain);
        fill_noise(src + 4096 * k, 4096, (uint32_t)k); /* each stream differs */
        n += compress_as(k % 3, src, plain, img + n, cap);
        fill_noise(img + n, 777, 100 + (uint32_t)k);
        n += 777;
    }
    for (uint64_t limit = 5u << 19; limit <= (12u << 20); limit += 7u << 20) {
        struct ic_limits limits;
        ic_limits_default(&limits);
        limits.max_total_bytes = limit;
        limits.jobs = 1;
        struct ic_unpack *serial = unpack_bytes(img, n, &limits);
        for (unsigned jobs = 2; jobs <= 4; jobs += 2) {
            limits.jobs = jobs;
            struct ic_unpack *parallel = unpack_bytes(img, n, &limits);
            assert_same_unpack(serial, parallel);
            ic_unpack_free(parallel);
        }
        if (limit < (9u << 20)) {
            assert_string_equal(serial->limit_hit, "total-bytes");
            assert_true(serial->layer_count < 10);
        } else {
            assert_null(serial->limit_hit);
            assert_int_equal(serial->layer_count, 10);
            assert_int_equal(serial->bytes, 9 * plain);
        }
        ic_unpack_free(serial);
    }
    free(src);
    free(img);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(streams_are_found_at_their_exact_offsets),
        cmocka_unit_test(nested_layers_get_nested_ids_and_depth_is_capped),
        cmocka_unit_test(expansion_limits_stop_a_bomb),
        cmocka_unit_test(truncated_stream_keeps_partial_output),
        cmocka_unit_test(nothing_recognisable_is_one_region),
        cmocka_unit_test(listing_and_summary_are_json_lines),
        cmocka_unit_test(threads_give_the_serial_result_even_at_a_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
