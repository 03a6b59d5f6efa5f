/* The libarchive-backed archive formats: real samples, exact extents,
 * hostile and damaged input. The CLI test tests/cli/archives.sh compares
 * full listings with the real tools. */
#include "testutil.h"

#include "iotcop/error.h"
#include "iotcop/unpack.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct ic_limits test_limits(void)
{
    struct ic_limits limits;
    ic_limits_default(&limits);
    limits.jobs = 1;
    return limits;
}

/* Unpacks bytes with the given limits; fails the test on error. */
static struct ic_unpack *unpack_bytes(const void *data, size_t size, const struct ic_limits *limits)
{
    struct ic_blob *blob = NULL;
    assert_int_equal(ic_blob_from_copy(data, size, &blob), IC_OK);
    struct ic_unpack *u = NULL;
    assert_int_equal(ic_unpack_blob(blob, limits, &u), IC_OK);
    ic_blob_unref(blob);
    return u;
}

/* The sample's bytes; fails when IOTCOP_SHARED is set but the sample is
 * missing, skips when the variable is unset. */
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

static const struct ic_layer *layer_of(const struct ic_unpack *u, const char *format)
{
    for (size_t i = 0; i < u->layer_count; i++)
        if (strcmp(u->layers[i].format, format) == 0)
            return &u->layers[i];
    return NULL;
}

static int has_diag(const struct ic_unpack *u, int code, const char *needle)
{
    for (size_t i = 0; i < u->diag_count; i++)
        if (u->diags[i].code == code && (!needle || strstr(u->diags[i].message, needle)))
            return 1;
    return 0;
}

/* Deterministic filler bytes that hold no magic. */
static void fill_noise(uint8_t *p, size_t n, uint32_t seed)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        p[i] = (uint8_t)(seed >> 16);
    }
}

static void test_tar_sample_contents(void **state)
{
    (void)state;
    size_t size = 0;
    uint8_t *data = read_sample("samples/fact-extractor/patool/test.tar", &size);
    struct ic_limits limits = test_limits();
    struct ic_unpack *u = unpack_bytes(data, size, &limits);
    const struct ic_layer *tar = layer_of(u, "tar");
    assert_non_null(tar);
    assert_int_equal(tar->offset, 0);
    assert_int_equal(tar->size, size); /* entries, end blocks and record padding */
    const struct ic_entry *e = ic_fs_lookup(tar->fs, "/get_files_test/testfile1");
    assert_non_null(e);
    assert_int_equal(e->type, IC_FT_FILE);
    assert_int_equal(e->size, 62);
    assert_int_equal(e->mode, 0644);
    assert_int_equal(e->uid, 1000);
    assert_non_null(e->content);
    /* The file's bytes sit in the archive right after its header. */
    const uint8_t *content = ic_blob_data(e->content, NULL);
    assert_non_null(content);
    assert_non_null(memmem(data, size, content, 62));
    /* Stored data is a view of the input, not a copy. */
    assert_int_equal(ic_blob_owned_bytes(e->content), 0);
    assert_int_equal(u->bytes, 0);
    e = ic_fs_lookup(tar->fs, "/get_files_test/generic folder/test file 3_.txt");
    assert_non_null(e);
    assert_int_equal(e->size, 20);
    assert_int_equal(u->diag_count, 0);
    ic_unpack_free(u);
    free(data);
}

static void test_tar_embedded_extent(void **state)
{
    (void)state;
    size_t size = 0;
    uint8_t *tar = read_sample("samples/fact-extractor/patool/test.tar", &size);
    size_t before = 999, after = 4097;
    uint8_t *buf = malloc(before + size + after);
    assert_non_null(buf);
    fill_noise(buf, before, 1);
    memcpy(buf + before, tar, size);
    fill_noise(buf + before + size, after, 2);
    struct ic_limits limits = test_limits();
    struct ic_unpack *u = unpack_bytes(buf, before + size + after, &limits);
    const struct ic_layer *l = layer_of(u, "tar");
    assert_non_null(l);
    assert_int_equal(l->offset, before);
    assert_int_equal(l->size, size);
    ic_unpack_free(u);
    free(buf);
    free(tar);
}

static void test_tar_dirtraversal(void **state)
{
    (void)state;
    size_t size = 0;
    uint8_t *data = read_sample("samples/binwalk/legacy-input-vectors/dirtraversal.tar", &size);
    struct ic_limits limits = test_limits();
    struct ic_unpack *u = unpack_bytes(data, size, &limits);
    const struct ic_layer *tar = layer_of(u, "tar");
    assert_non_null(tar);
    const struct ic_entry *foo = ic_fs_lookup(tar->fs, "/foo");
    const struct ic_entry *bar = ic_fs_lookup(tar->fs, "/bar");
    assert_non_null(foo);
    assert_non_null(bar);
    assert_int_equal(foo->type, IC_FT_SYMLINK);
    assert_string_equal(foo->link, "../../");
    assert_int_equal(bar->type, IC_FT_SYMLINK);
    assert_string_equal(bar->link, "/etc/passwd");
    /* Following the links stays inside the tree. */
    const struct ic_entry *target = NULL;
    assert_int_equal(ic_fs_resolve(tar->fs, "/foo/ls", &target), IC_OK);
    assert_string_equal(target->path, "/ls");
    assert_int_equal(ic_fs_resolve(tar->fs, "/bar", &target), IC_E_NOT_FOUND);
    for (size_t i = 0; i < ic_fs_count(tar->fs); i++)
        assert_null(strstr(ic_fs_entry(tar->fs, i)->path, ".."));
    ic_unpack_free(u);
    free(data);
}

static void test_tar_truncated(void **state)
{
    (void)state;
    size_t size = 0;
    uint8_t *data = read_sample("samples/binwalk/legacy-input-vectors/dirtraversal.tar", &size);
    /* Cut inside the data of the first big file. */
    struct ic_limits limits = test_limits();
    struct ic_unpack *u = unpack_bytes(data, 60000, &limits);
    const struct ic_layer *tar = layer_of(u, "tar");
    assert_non_null(tar);
    assert_true(ic_fs_count(tar->fs) > 1);
    assert_true(u->diag_count > 0);
    ic_unpack_free(u);
    free(data);
}

static void test_file_size_limit(void **state)
{
    (void)state;
    size_t size = 0;
    uint8_t *data = read_sample("samples/binwalk/legacy-input-vectors/dirtraversal.tar", &size);
    struct ic_limits limits = test_limits();
    limits.max_file_size = 4096;
    struct ic_unpack *u = unpack_bytes(data, size, &limits);
    const struct ic_layer *tar = layer_of(u, "tar");
    assert_non_null(tar);
    const struct ic_entry *ls = ic_fs_lookup(tar->fs, "/ls");
    assert_non_null(ls);
    assert_int_equal(ls->size, 133792); /* listed with its size, content not kept */
    assert_null(ls->content);
    assert_true(has_diag(u, IC_E_LIMIT_FILE_SIZE, "ls"));
    const struct ic_entry *readme = ic_fs_lookup(tar->fs, "/README.txt");
    assert_non_null(readme);
    assert_non_null(readme->content);
    ic_unpack_free(u);
    free(data);
}

/* Writes a newc header and name (padded) declaring filesize bytes of data; returns its length. */
static size_t newc_entry(uint8_t *out, const char *name, uint32_t mode, uint32_t filesize)
{
    size_t namesize = strlen(name) + 1;
    char header[160];
    snprintf(header, sizeof(header), "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
             1u, mode, 0u, 0u, 1u, 0u, filesize, 0u, 0u, 0u, 0u, (unsigned)namesize, 0u);
    memcpy(out, header, 110);
    memcpy(out + 110, name, namesize);
    size_t len = 110 + namesize;
    while (len % 4)
        out[len++] = 0;
    return len;
}

static void test_cpio_4gib_size_field(void **state)
{
    (void)state;
    uint8_t buf[4096];
    memset(buf, 0, sizeof(buf));
    size_t len = newc_entry(buf, "etc/passwd", 0100644, 5);
    memcpy(buf + len, "root\n", 5);
    len += 8;
    len += newc_entry(buf + len, "huge", 0100644, 0xffffffffu);
    fill_noise(buf + len, 1000, 3);
    len += 1000;
    struct ic_limits limits = test_limits();
    struct ic_unpack *u = unpack_bytes(buf, len, &limits);
    const struct ic_layer *cpio = layer_of(u, "cpio");
    assert_non_null(cpio);
    const struct ic_entry *passwd = ic_fs_lookup(cpio->fs, "/etc/passwd");
    assert_non_null(passwd);
    assert_int_equal(passwd->size, 5);
    const struct ic_entry *huge = ic_fs_lookup(cpio->fs, "/huge");
    assert_non_null(huge);
    assert_null(huge->content);
    assert_true(has_diag(u, IC_E_LIMIT_FILE_SIZE, "huge"));
    assert_true(has_diag(u, IC_E_TRUNCATED, NULL));
    assert_true(u->bytes < 65536); /* nothing like 4 GiB was produced */
    ic_unpack_free(u);
}

static void test_cpio_size_past_end(void **state)
{
    (void)state;
    /* Under the per-file limit but far past the data: read what is there. */
    uint8_t buf[4096];
    size_t len = newc_entry(buf, "bin/busybox", 0104755, 48u << 20);
    fill_noise(buf + len, 2000, 4);
    len += 2000;
    struct ic_limits limits = test_limits();
    limits.max_file_size = 64u << 20;
    struct ic_unpack *u = unpack_bytes(buf, len, &limits);
    const struct ic_layer *cpio = layer_of(u, "cpio");
    assert_non_null(cpio);
    assert_int_equal(cpio->size, len);
    const struct ic_entry *e = ic_fs_lookup(cpio->fs, "/bin/busybox");
    assert_non_null(e);
    assert_int_equal(e->mode, 04755);
    assert_true(e->size <= 2000);
    assert_true(has_diag(u, IC_E_TRUNCATED, NULL));
    assert_true(u->bytes <= 2000);
    ic_unpack_free(u);
}

static void test_cpio_binary_sample(void **state)
{
    (void)state;
    size_t size = 0;
    uint8_t *data = read_sample("samples/fact-extractor/patool/test.cpio", &size);
    struct ic_limits limits = test_limits();
    struct ic_unpack *u = unpack_bytes(data, size, &limits);
    const struct ic_layer *cpio = layer_of(u, "cpio");
    assert_non_null(cpio);
    assert_int_equal(cpio->size, size); /* trailer and padding to 512 */
    const struct ic_entry *e = ic_fs_lookup(cpio->fs, "/get_files_test/testfile2");
    assert_non_null(e);
    assert_int_equal(e->size, 28);
    assert_non_null(e->content);
    ic_unpack_free(u);
    free(data);
}

static void test_zip_truncated(void **state)
{
    (void)state;
    size_t size = 0;
    uint8_t *data = read_sample("samples/binwalk/inputs/zip_truncated.bin", &size);
    struct ic_limits limits = test_limits();
    struct ic_unpack *u = unpack_bytes(data, size, &limits);
    const struct ic_layer *zip = layer_of(u, "zip");
    assert_non_null(zip);
    assert_true(has_diag(u, IC_E_TRUNCATED, NULL));
    const struct ic_entry *readme = ic_fs_lookup(zip->fs, "/AfuLnx64/AfuLnx64/readme.txt");
    assert_non_null(readme);
    assert_int_equal(readme->size, 5194);
    assert_non_null(readme->content);
    const struct ic_entry *tool = ic_fs_lookup(zip->fs, "/AfuLnx64/AfuLnx64/afulnx_64");
    assert_non_null(tool);
    assert_int_equal(tool->size, 1103728);
    ic_unpack_free(u);
    free(data);
}

static void test_zip_encrypted(void **state)
{
    (void)state;
    size_t size = 0;
    uint8_t *data = read_sample("samples/fact-extractor/sevenz/test_password.zip", &size);
    struct ic_limits limits = test_limits();
    struct ic_unpack *u = unpack_bytes(data, size, &limits);
    const struct ic_layer *zip = layer_of(u, "zip");
    assert_non_null(zip);
    assert_int_equal(zip->size, size);
    const struct ic_entry *e = ic_fs_lookup(zip->fs, "/get_files_test/testfile1");
    assert_non_null(e);
    assert_null(e->content);
    assert_true(has_diag(u, IC_E_ENCRYPTED, "get_files_test/testfile1"));
    ic_unpack_free(u);
    free(data);
}

static void test_zip_after_empty_zip(void **state)
{
    (void)state;
    size_t size = 0;
    uint8_t *zip = read_sample("samples/fact-extractor/fact_extractor/container/test.zip", &size);
    uint8_t *buf = calloc(1, 22 + size);
    assert_non_null(buf);
    memcpy(buf, "PK\x05\x06", 4); /* an empty archive: only its end record */
    memcpy(buf + 22, zip, size);
    struct ic_limits limits = test_limits();
    struct ic_unpack *u = unpack_bytes(buf, 22 + size, &limits);
    assert_int_equal(u->layer_count, 3);
    assert_string_equal(u->layers[1].format, "zip");
    assert_int_equal(u->layers[1].offset, 0);
    assert_int_equal(u->layers[1].size, 22);
    assert_string_equal(u->layers[2].format, "zip");
    assert_int_equal(u->layers[2].offset, 22);
    assert_int_equal(u->layers[2].size, size);
    assert_non_null(u->layers[2].fs);
    assert_true(ic_fs_count(u->layers[2].fs) > 1);
    ic_unpack_free(u);
    free(buf);
    free(zip);
}

static void test_sevenzip_and_iso_samples(void **state)
{
    (void)state;
    size_t size = 0;
    uint8_t *data = read_sample("samples/binwalk/inputs/7z.bin", &size);
    struct ic_limits limits = test_limits();
    struct ic_unpack *u = unpack_bytes(data, size, &limits);
    const struct ic_layer *l = layer_of(u, "sevenzip");
    assert_non_null(l);
    assert_int_equal(l->size, size);
    const struct ic_entry *e = ic_fs_lookup(l->fs, "/lsb-release");
    assert_non_null(e);
    assert_int_equal(e->size, 104);
    const uint8_t *text = ic_blob_data(e->content, NULL);
    assert_non_null(text);
    assert_memory_equal(text, "DISTRIB_ID=", 11);
    ic_unpack_free(u);
    free(data);

    data = read_sample("samples/fact-extractor/sevenz/test.iso", &size);
    u = unpack_bytes(data, size, &limits);
    l = layer_of(u, "iso9660");
    assert_non_null(l);
    assert_int_equal(l->size, size);
    e = ic_fs_lookup(l->fs, "/generic folder/test file 3_.txt");
    assert_non_null(e);
    assert_int_equal(e->size, 20);
    ic_unpack_free(u);
    free(data);
}

static void test_ar_deb(void **state)
{
    (void)state;
    size_t size = 0;
    uint8_t *data = read_sample("samples/fact-extractor/patool/test.deb", &size);
    struct ic_limits limits = test_limits();
    struct ic_unpack *u = unpack_bytes(data, size, &limits);
    const struct ic_layer *ar = layer_of(u, "ar");
    assert_non_null(ar);
    assert_int_equal(ar->size, size);
    const struct ic_entry *e = ic_fs_lookup(ar->fs, "/debian-binary");
    assert_non_null(e);
    assert_memory_equal(ic_blob_data(e->content, NULL), "2.0\n", 4);
    assert_non_null(ic_fs_lookup(ar->fs, "/data.tar.xz"));
    assert_non_null(ic_fs_lookup(ar->fs, "/control.tar.xz"));
    ic_unpack_free(u);
    free(data);
}

static void test_garbage_refused(void **state)
{
    (void)state;
    uint8_t buf[20000];
    fill_noise(buf, sizeof(buf), 5);
    /* Magics with nothing valid behind them. */
    memcpy(buf + 1000 + 257,
           "ustar\0"
           "00",
           8);
    memcpy(buf + 3000, "070701", 6);
    memcpy(buf + 4000, "PK\x03\x04", 4);
    memcpy(buf + 5000, "7z\xbc\xaf\x27\x1c", 6);
    memcpy(buf + 6000, "!<arch>\n", 8);
    memcpy(buf + 7000, "\xc7\x71", 2);
    struct ic_limits limits = test_limits();
    struct ic_unpack *u = unpack_bytes(buf, sizeof(buf), &limits);
    assert_int_equal(u->layer_count, 1);
    ic_unpack_free(u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tar_sample_contents),
        cmocka_unit_test(test_tar_embedded_extent),
        cmocka_unit_test(test_tar_dirtraversal),
        cmocka_unit_test(test_tar_truncated),
        cmocka_unit_test(test_file_size_limit),
        cmocka_unit_test(test_cpio_4gib_size_field),
        cmocka_unit_test(test_cpio_size_past_end),
        cmocka_unit_test(test_cpio_binary_sample),
        cmocka_unit_test(test_zip_truncated),
        cmocka_unit_test(test_zip_encrypted),
        cmocka_unit_test(test_zip_after_empty_zip),
        cmocka_unit_test(test_sevenzip_and_iso_samples),
        cmocka_unit_test(test_ar_deb),
        cmocka_unit_test(test_garbage_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
