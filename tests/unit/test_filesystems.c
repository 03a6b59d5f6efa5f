/* SquashFS 4 and ext2/3/4 readers: file contents against independent truth
 * (the source tree an image was built from, or `unsquashfs -cat`), limits,
 * the parallel reader, and hostile images. Listings against the real tools
 * are compared in tests/cli/filesystems.sh. */
#include "iotcop/error.h"
#include "iotcop/unpack.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const squashfs_compressors[] = {"gzip", "lzo", "lz4", "xz", "zstd", "lzma"};

static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int run(const char *fmt, ...)
{
    char cmd[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    return system(cmd);
}

static void remove_tmp(char *tmp)
{
    run("rm -rf '%s'", tmp);
    free(tmp);
}

static struct ic_unpack *unpack_file(const char *path, const struct ic_limits *limits)
{
    struct ic_limits defaults;
    if (!limits) {
        ic_limits_default(&defaults);
        limits = &defaults;
    }
    struct ic_unpack *u = NULL;
    assert_int_equal(ic_unpack_path(path, limits, &u), IC_OK);
    assert_non_null(u);
    return u;
}

static const struct ic_layer *layer_of(const struct ic_unpack *u, const char *format)
{
    for (size_t i = 0; i < u->layer_count; i++)
        if (strcmp(u->layers[i].format, format) == 0)
            return &u->layers[i];
    return NULL;
}

static size_t diags_of(const struct ic_unpack *u, const char *layer, int code)
{
    size_t n = 0;
    for (size_t i = 0; i < u->diag_count; i++)
        if (strcmp(u->diags[i].layer, layer) == 0 && (code < 0 || u->diags[i].code == code))
            n++;
    return n;
}

static void assert_content(const struct ic_entry *e, const uint8_t *want, size_t want_len)
{
    assert_int_equal(e->size, want_len);
    if (want_len == 0)
        return;
    assert_non_null(e->content);
    assert_int_equal(ic_blob_size(e->content), want_len);
    const uint8_t *got = ic_blob_data(e->content, NULL);
    assert_non_null(got);
    if (memcmp(got, want, want_len) != 0)
        fail_msg("content of %s differs from the reference", e->path);
}

/* ---- shared samples against unsquashfs -cat ------------------------------------ */

static void test_squashfs_samples_content(void **state)
{
    static const char *const samples[] = {
        "samples/fact-extractor/squashFS/gzip.sqfs",
        "samples/fact-extractor/squashFS/lzma.sqfs",
        "samples/fact-extractor/squashFS/lzo.sqfs",
        "samples/fact-extractor/squashFS/xz.sqfs",
        "samples/fact-extractor/squashFS/lz4.sqfs",
        "samples/fact-extractor/squashFS/zstd.sqfs",
        "samples/binwalk/inputs/squashfs.bin",
        "samples/fact-core/file_system_metadata/squashfs.img",
    };
    char *probe = test_shared_path("samples");
    if (!probe)
        skip();
    free(probe);
    char *tmp = test_tmpdir("fs-samples");
    for (size_t s = 0; s < sizeof(samples) / sizeof(samples[0]); s++) {
        char *path = test_shared_path(samples[s]);
        if (!test_exists(path))
            fail_msg("sample %s is missing", path);
        struct ic_unpack *u = unpack_file(path, NULL);
        const struct ic_layer *l = layer_of(u, "squashfs");
        assert_non_null(l);
        assert_int_equal(l->offset, 0);
        assert_non_null(l->fs);
        assert_int_equal(diags_of(u, l->id, -1), 0);
        size_t files = 0;
        for (size_t i = 0; i < ic_fs_count(l->fs); i++) {
            const struct ic_entry *e = ic_fs_entry(l->fs, i);
            if (e->type != IC_FT_FILE)
                continue;
            char out[4096];
            snprintf(out, sizeof(out), "%s/cat.out", tmp);
            assert_int_equal(
                run("unsquashfs -cat '%s' '%s' > '%s' 2>/dev/null", path, e->path + 1, out), 0);
            size_t len = 0;
            uint8_t *want = test_read_file(out, &len);
            assert_non_null(want);
            assert_content(e, want, len);
            free(want);
            files++;
        }
        assert_true(files >= 1);
        ic_unpack_free(u);
        free(path);
    }
    remove_tmp(tmp);
}

/* A real 2013 router root file system with vendor LZMA headers (5 bytes, lc1
 * lp2 pb2) that Debian's unsquashfs cannot read: every inode must come out. */
static void test_squashfs_vendor_lzma(void **state)
{
    char *path = test_shared_path("samples/binwalk/legacy-input-vectors/firmware.squashfs");
    if (!path)
        skip();
    if (!test_exists(path))
        fail_msg("sample %s is missing", path);
    struct ic_unpack *u = unpack_file(path, NULL);
    const struct ic_layer *l = layer_of(u, "squashfs");
    assert_non_null(l);
    assert_int_equal(diags_of(u, l->id, -1), 0);
    assert_int_equal(ic_fs_count(l->fs), 1811); /* the superblock's inode count */
    const struct ic_entry *busybox = ic_fs_lookup(l->fs, "/bin/busybox");
    assert_non_null(busybox);
    assert_int_equal(busybox->size, 499376);
    assert_memory_equal(ic_blob_data(busybox->content, NULL),
                        "\x7f"
                        "ELF",
                        4);
    assert_string_equal(ic_fs_lookup(l->fs, "/bin/cat")->link, "busybox");
    ic_unpack_free(u);
    free(path);
}

/* ---- images built from a tree made here ------------------------------------------ */

struct source_file {
    const char *path;
    size_t size;
    unsigned mode;
};

static const struct source_file source_files[] = {
    {"etc/passwd", 31, 0644},       {"bin/busybox", 5000, 04755}, {"bin/sgid", 700, 02711},
    {"deep/a/b/c/d/tail", 4, 0600}, {"random-70k", 70000, 0644},  {"empty", 0, 0644},
};

static void fill(uint8_t *p, size_t n, uint32_t seed)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        p[i] = (uint8_t)(seed >> 16);
    }
}

static void write_file(const char *dir, const char *rel, const uint8_t *data, size_t n,
                       unsigned mode)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, rel);
    char *slash = strrchr(path, '/');
    *slash = '\0';
    assert_int_equal(run("mkdir -p '%s'", path), 0);
    *slash = '/';
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    if (n)
        assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
    chmod(path, mode);
}

/* The tree: plain files with known bytes, a 3 MiB file with a hole and a
 * fragment tail, a hard link, symlinks, a fifo. Returns the source dir. */
static char *make_source(void)
{
    char *tmp = test_tmpdir("fs-built");
    char src[4096];
    snprintf(src, sizeof(src), "%s/src", tmp);
    for (size_t i = 0; i < sizeof(source_files) / sizeof(source_files[0]); i++) {
        const struct source_file *sf = &source_files[i];
        uint8_t *data = malloc(sf->size + 1);
        fill(data, sf->size, (uint32_t)i + 7);
        write_file(src, sf->path, data, sf->size, sf->mode);
        free(data);
    }
    /* 1 MiB data, 1 MiB hole, 1000000 bytes data: blocks, a sparse block, a tail. */
    size_t big = 3 * 1048576 - 48576;
    uint8_t *data = calloc(1, big);
    fill(data, 1048576, 99);
    fill(data + 2097152, big - 2097152, 100);
    write_file(src, "big", data, big, 0644);
    free(data);
    assert_int_equal(run("cd '%s' && ln etc/passwd etc/passwd.link && ln -s busybox bin/sh && "
                         "ln -s /etc/passwd abs && mkfifo fifo",
                         src),
                     0);
    return tmp;
}

static void check_tree(const struct ic_fs *fs, const char *src)
{
    for (size_t i = 0; i < sizeof(source_files) / sizeof(source_files[0]); i++) {
        const struct source_file *sf = &source_files[i];
        char path[4096], abs_path[4096];
        snprintf(path, sizeof(path), "/%s", sf->path);
        snprintf(abs_path, sizeof(abs_path), "%s/%s", src, sf->path);
        const struct ic_entry *e = ic_fs_lookup(fs, path);
        if (!e)
            fail_msg("%s missing", path);
        assert_int_equal(e->type, IC_FT_FILE);
        assert_int_equal(e->mode, sf->mode);
        size_t len = 0;
        uint8_t *want = test_read_file(abs_path, &len);
        assert_non_null(want);
        assert_content(e, want, len);
        free(want);
    }
    char abs_path[4096];
    snprintf(abs_path, sizeof(abs_path), "%s/big", src);
    size_t len = 0;
    uint8_t *want = test_read_file(abs_path, &len);
    assert_non_null(want);
    assert_content(ic_fs_lookup(fs, "/big"), want, len);
    free(want);
    /* The hard link is a second file with the same bytes. */
    const struct ic_entry *a = ic_fs_lookup(fs, "/etc/passwd");
    const struct ic_entry *b = ic_fs_lookup(fs, "/etc/passwd.link");
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(b->type, IC_FT_FILE);
    assert_int_equal(b->size, a->size);
    assert_memory_equal(ic_blob_data(b->content, NULL), ic_blob_data(a->content, NULL), a->size);
    const struct ic_entry *sh = ic_fs_lookup(fs, "/bin/sh");
    assert_non_null(sh);
    assert_int_equal(sh->type, IC_FT_SYMLINK);
    assert_string_equal(sh->link, "busybox");
    assert_string_equal(ic_fs_lookup(fs, "/abs")->link, "/etc/passwd");
    assert_int_equal(ic_fs_lookup(fs, "/fifo")->type, IC_FT_FIFO);
    assert_int_equal(ic_fs_lookup(fs, "/deep/a/b/c")->type, IC_FT_DIR);
}

static void test_built_squashfs(void **state)
{
    char *tmp = make_source();
    char src[4096];
    snprintf(src, sizeof(src), "%s/src", tmp);
    for (size_t c = 0; c < sizeof(squashfs_compressors) / sizeof(squashfs_compressors[0]); c++) {
        char img[4096];
        snprintf(img, sizeof(img), "%s/%s.sqfs", tmp, squashfs_compressors[c]);
        assert_int_equal(run("mksquashfs '%s' '%s' -comp %s -noappend -quiet -no-progress "
                             "-p 'dev d 755 0 0' -p 'dev/ttyS0 c 620 0 5 4 64' "
                             "-p 'dev/mtd b 600 0 0 31 3' >/dev/null 2>&1",
                             src, img, squashfs_compressors[c]),
                         0);
        struct ic_unpack *u = unpack_file(img, NULL);
        const struct ic_layer *l = layer_of(u, "squashfs");
        assert_non_null(l);
        assert_int_equal(diags_of(u, l->id, -1), 0);
        assert_non_null(strstr(l->info, squashfs_compressors[c]));
        check_tree(l->fs, src);
        const struct ic_entry *tty = ic_fs_lookup(l->fs, "/dev/ttyS0");
        assert_non_null(tty);
        assert_int_equal(tty->type, IC_FT_CHARDEV);
        assert_int_equal(tty->dev_major, 4);
        assert_int_equal(tty->dev_minor, 64);
        assert_int_equal(tty->gid, 5);
        assert_int_equal(tty->mode, 0620);
        assert_int_equal(ic_fs_lookup(l->fs, "/dev/mtd")->type, IC_FT_BLOCKDEV);
        ic_unpack_free(u);
    }
    remove_tmp(tmp);
}

static void test_built_ext(void **state)
{
    static const char *const makers[] = {"mkfs.ext2 -b 1024", "mkfs.ext4", "mkfs.ext4 -t ext3",
                                         "mkfs.ext4 -O inline_data"};
    char *tmp = make_source();
    char src[4096];
    snprintf(src, sizeof(src), "%s/src", tmp);
    for (size_t m = 0; m < sizeof(makers) / sizeof(makers[0]); m++) {
        char img[4096];
        snprintf(img, sizeof(img), "%s/fs%zu.img", tmp, m);
        assert_int_equal(run("%s -q -F -d '%s' '%s' 16M >/dev/null 2>&1", makers[m], src, img), 0);
        struct ic_unpack *u = unpack_file(img, NULL);
        const struct ic_layer *l = layer_of(u, "ext");
        assert_non_null(l);
        assert_int_equal(l->offset, 0);
        assert_int_equal(l->size, 16u << 20);
        assert_int_equal(diags_of(u, l->id, -1), 0);
        check_tree(l->fs, src);
        assert_int_equal(ic_fs_lookup(l->fs, "/lost+found")->mode, 0700);
        ic_unpack_free(u);
    }
    remove_tmp(tmp);
}

/* The parallel reader gives the same bytes as one thread; limits hold. */
static void test_squashfs_threads_and_limits(void **state)
{
    char *tmp = make_source();
    char src[4096], img[4096];
    snprintf(src, sizeof(src), "%s/src", tmp);
    snprintf(img, sizeof(img), "%s/t.sqfs", tmp);
    /* Many files so the reader splits them into batches across threads. */
    assert_int_equal(run("cd '%s' && mkdir many && for i in $(seq 1 300); do head -c $((i * 97)) "
                         "big > many/f$i; done",
                         src),
                     0);
    assert_int_equal(run("mksquashfs '%s' '%s' -comp xz -noappend -quiet -no-progress "
                         ">/dev/null 2>&1",
                         src, img),
                     0);
    struct ic_limits limits;
    ic_limits_default(&limits);
    limits.jobs = 1;
    struct ic_unpack *one = unpack_file(img, &limits);
    limits.jobs = 4;
    struct ic_unpack *four = unpack_file(img, &limits);
    const struct ic_layer *a = layer_of(one, "squashfs"), *b = layer_of(four, "squashfs");
    assert_int_equal(ic_fs_count(a->fs), ic_fs_count(b->fs));
    for (size_t i = 0; i < ic_fs_count(a->fs); i++) {
        const struct ic_entry *x = ic_fs_entry(a->fs, i), *y = ic_fs_entry(b->fs, i);
        assert_string_equal(x->path, y->path);
        assert_int_equal(x->size, y->size);
        if (x->content)
            assert_memory_equal(ic_blob_data(x->content, NULL), ic_blob_data(y->content, NULL),
                                x->size);
    }
    check_tree(b->fs, src);
    ic_unpack_free(one);
    ic_unpack_free(four);

    /* Over the per-file limit: listed, no content, a diagnostic. */
    ic_limits_default(&limits);
    limits.max_file_size = 1 << 20;
    struct ic_unpack *u = unpack_file(img, &limits);
    const struct ic_layer *l = layer_of(u, "squashfs");
    const struct ic_entry *big = ic_fs_lookup(l->fs, "/big");
    assert_non_null(big);
    assert_null(big->content);
    assert_int_equal(big->size, 3 * 1048576 - 48576);
    assert_true(diags_of(u, l->id, IC_E_LIMIT_FILE_SIZE) >= 1);
    assert_non_null(ic_fs_lookup(l->fs, "/etc/passwd")->content);
    ic_unpack_free(u);
    remove_tmp(tmp);
}

/* ---- hostile images --------------------------------------------------------------- */

static void write_bytes(const char *path, const uint8_t *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
}

static void put_u64le(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* Accepted as squashfs, with at least one diagnostic; never a crash or hang. */
static void expect_damaged(const char *path, const char *format)
{
    struct ic_unpack *u = unpack_file(path, NULL);
    const struct ic_layer *l = layer_of(u, format);
    if (!l)
        fail_msg("%s: no %s layer", path, format);
    assert_true(diags_of(u, l->id, -1) >= 1);
    ic_unpack_free(u);
}

static void test_squashfs_hostile(void **state)
{
    char *tmp = make_source();
    char src[4096], img[4096], bad[4096];
    snprintf(src, sizeof(src), "%s/src", tmp);
    snprintf(img, sizeof(img), "%s/plain.sqfs", tmp);
    snprintf(bad, sizeof(bad), "%s/bad.sqfs", tmp);
    /* Uncompressed metadata, so the directory table can be edited below. */
    assert_int_equal(run("mkdir -p '%s/loop/inner' && mksquashfs '%s' '%s' -noI -noappend "
                         "-quiet -no-progress >/dev/null 2>&1",
                         src, src, img),
                     0);
    size_t size = 0;
    uint8_t *image = test_read_file(img, &size);
    assert_non_null(image);
    uint8_t *copy = malloc(size);

    /* Inode table far outside the image. */
    memcpy(copy, image, size);
    put_u64le(copy + 64, 0x7fffffff00ULL);
    write_bytes(bad, copy, size);
    expect_damaged(bad, "squashfs");

    /* Root inode reference pointing past the inode table. */
    memcpy(copy, image, size);
    put_u64le(copy + 32, 0xffffffff0000ULL | 0x1234);
    write_bytes(bad, copy, size);
    expect_damaged(bad, "squashfs");

    /* Truncated at many points. */
    uint64_t bytes_used = 0;
    for (int i = 7; i >= 0; i--)
        bytes_used = (bytes_used << 8) | image[40 + i];
    for (unsigned part = 1; part < 8; part++) {
        write_bytes(bad, image, (size_t)(bytes_used * part / 8));
        if (bytes_used * part / 8 >= 96)
            expect_damaged(bad, "squashfs");
    }

    /* A directory loop: /loop/inner made to point at the root directory inode.
     * Find its entry in the (uncompressed) directory table by name. */
    memcpy(copy, image, size);
    uint64_t root_ref = 0, dir_start = 0;
    for (int i = 7; i >= 0; i--) {
        root_ref = (root_ref << 8) | image[32 + i];
        dir_start = (dir_start << 8) | image[72 + i];
    }
    int patched = 0;
    for (size_t off = (size_t)dir_start; off + 5 < size && !patched; off++) {
        if (memcmp(copy + off, "inner", 5) != 0)
            continue;
        /* entry: offset u16, inode_diff s16, type u16, name_size u16, name; the
         * header (count, start_block, inode_number) precedes the first entry. */
        uint8_t *entry = copy + off - 8;
        uint8_t *header = entry - 12;
        if (header[0] != 0 || header[1] != 0) /* "inner" is the only entry of /loop */
            continue;
        uint32_t block = (uint32_t)(root_ref >> 16);
        header[4] = (uint8_t)block;
        header[5] = (uint8_t)(block >> 8);
        header[6] = (uint8_t)(block >> 16);
        header[7] = (uint8_t)(block >> 24);
        entry[0] = (uint8_t)root_ref;
        entry[1] = (uint8_t)(root_ref >> 8);
        patched = 1;
    }
    assert_true(patched);
    write_bytes(bad, copy, size);
    struct ic_unpack *u = unpack_file(bad, NULL);
    const struct ic_layer *l = layer_of(u, "squashfs");
    assert_non_null(l);
    assert_true(diags_of(u, l->id, IC_E_LOOP) >= 1);
    assert_non_null(ic_fs_lookup(l->fs, "/loop/inner"));
    assert_null(ic_fs_lookup(l->fs, "/loop/inner/loop"));
    assert_non_null(ic_fs_lookup(l->fs, "/etc/passwd")->content);
    ic_unpack_free(u);

    /* Not squashfs at all: a version 3 superblock is refused, nothing recorded. */
    memcpy(copy, image, size);
    copy[28] = 3;
    write_bytes(bad, copy, size);
    u = unpack_file(bad, NULL);
    assert_null(layer_of(u, "squashfs"));
    ic_unpack_free(u);

    free(copy);
    free(image);
    remove_tmp(tmp);
}

static void test_ext_hostile(void **state)
{
    char *tmp = make_source();
    char src[4096], img[4096], bad[4096];
    snprintf(src, sizeof(src), "%s/src", tmp);
    snprintf(img, sizeof(img), "%s/plain.ext4", tmp);
    snprintf(bad, sizeof(bad), "%s/bad.ext4", tmp);
    assert_int_equal(run("mkfs.ext4 -q -F -d '%s' '%s' 8M >/dev/null 2>&1", src, img), 0);
    size_t size = 0;
    uint8_t *image = test_read_file(img, &size);
    assert_non_null(image);
    for (unsigned part = 1; part < 8; part++) {
        write_bytes(bad, image, size * part / 8);
        expect_damaged(bad, "ext");
    }
    /* A directory linked into its own subtree. */
    assert_int_equal(run("cp '%s' '%s' && debugfs -w -R 'link / deep/a/loop' '%s' >/dev/null 2>&1",
                         img, bad, bad),
                     0);
    struct ic_unpack *u = unpack_file(bad, NULL);
    const struct ic_layer *l = layer_of(u, "ext");
    assert_non_null(l);
    assert_true(diags_of(u, l->id, IC_E_LOOP) >= 1);
    assert_non_null(ic_fs_lookup(l->fs, "/deep/a/loop"));
    assert_null(ic_fs_lookup(l->fs, "/deep/a/loop/deep"));
    ic_unpack_free(u);
    /* Block count far beyond the bytes: refused when the group table cannot fit. */
    uint8_t *copy = malloc(size);
    memcpy(copy, image, size);
    copy[1024 + 4 + 3] = 0x7f;
    write_bytes(bad, copy, size);
    u = unpack_file(bad, NULL);
    assert_null(layer_of(u, "ext"));
    ic_unpack_free(u);
    free(copy);
    free(image);
    remove_tmp(tmp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_squashfs_samples_content),
        cmocka_unit_test(test_squashfs_vendor_lzma),
        cmocka_unit_test(test_built_squashfs),
        cmocka_unit_test(test_built_ext),
        cmocka_unit_test(test_squashfs_threads_and_limits),
        cmocka_unit_test(test_squashfs_hostile),
        cmocka_unit_test(test_ext_hostile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
