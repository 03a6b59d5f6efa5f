/* The in-memory file tree: normalisation, implicit parents, links, lookups. */
#include "testutil.h"

#include "iotcop/error.h"
#include "iotcop/vfs.h"

#include <string.h>

static void add(struct ic_fs *fs, const char *path, enum ic_ftype type, const char *link)
{
    struct ic_entry e = {.path = path, .type = type, .mode = 0755, .link = link};
    assert_int_equal(ic_fs_add(fs, &e), IC_OK);
}

static void paths_are_normalised_and_dotdot_refused(void **state)
{
    (void)state;
    char out[64];
    assert_int_equal(ic_path_normalise("./a//b/./c/", out, sizeof(out)), IC_OK);
    assert_string_equal(out, "/a/b/c");
    assert_int_equal(ic_path_normalise("", out, sizeof(out)), IC_OK);
    assert_string_equal(out, "/");
    assert_int_equal(ic_path_normalise("a/../../etc/passwd", out, sizeof(out)), IC_E_UNSAFE_PATH);
    assert_int_equal(ic_path_normalise("/..", out, sizeof(out)), IC_E_UNSAFE_PATH);
    assert_int_equal(ic_path_normalise("/a..b/..c", out, sizeof(out)), IC_OK);
    assert_string_equal(out, "/a..b/..c");
    char small[4];
    assert_int_equal(ic_path_normalise("/abcdef", small, sizeof(small)), IC_E_INVALID_ARG);
}

static void tree_sorts_fills_parents_and_keeps_latest(void **state)
{
    (void)state;
    struct ic_fs *fs = ic_fs_new(100);
    struct ic_blob *one = NULL, *two = NULL;
    assert_int_equal(ic_blob_from_copy("one", 3, &one), IC_OK);
    assert_int_equal(ic_blob_from_copy("second", 6, &two), IC_OK);
    struct ic_entry f = {.path = "usr/bin/tool", .type = IC_FT_FILE, .mode = 0104755,
                         .uid = 0, .gid = 0, .size = 3, .content = one};
    assert_int_equal(ic_fs_add(fs, &f), IC_OK);
    f.content = two;
    f.size = 6;
    assert_int_equal(ic_fs_add(fs, &f), IC_OK); /* same path: the later wins */
    struct ic_entry bad = {.path = "../escape", .type = IC_FT_FILE};
    assert_int_equal(ic_fs_add(fs, &bad), IC_E_UNSAFE_PATH);
    add(fs, "/etc", IC_FT_DIR, NULL);
    assert_int_equal(ic_fs_finish(fs), IC_OK);
    ic_blob_unref(one);
    ic_blob_unref(two);

    const char *expected[] = {"/", "/etc", "/usr", "/usr/bin", "/usr/bin/tool"};
    assert_int_equal(ic_fs_count(fs), 5);
    for (size_t i = 0; i < 5; i++)
        assert_string_equal(ic_fs_entry(fs, i)->path, expected[i]);
    const struct ic_entry *tool = ic_fs_lookup(fs, "/usr//bin/./tool");
    assert_non_null(tool);
    assert_int_equal(tool->mode, 04755); /* type bits dropped, setuid kept */
    assert_int_equal(tool->size, 6);
    assert_memory_equal(ic_blob_data(tool->content, NULL), "second", 6);
    assert_int_equal(ic_fs_lookup(fs, "/usr")->type, IC_FT_DIR);
    assert_null(ic_fs_lookup(fs, "/nope"));
    ic_fs_free(fs);
}

static void symlinks_resolve_inside_the_tree_only(void **state)
{
    (void)state;
    struct ic_fs *fs = ic_fs_new(0);
    add(fs, "/bin/busybox", IC_FT_FILE, NULL);
    add(fs, "/bin/sh", IC_FT_SYMLINK, "busybox");
    add(fs, "/sbin/init", IC_FT_SYMLINK, "../bin/busybox");
    add(fs, "/var", IC_FT_SYMLINK, "/tmp");
    add(fs, "/tmp/log", IC_FT_FILE, NULL);
    add(fs, "/up", IC_FT_SYMLINK, "../../../../bin/sh"); /* climbs past the root */
    add(fs, "/loop1", IC_FT_SYMLINK, "loop2");
    add(fs, "/loop2", IC_FT_SYMLINK, "/loop1");
    add(fs, "/self", IC_FT_SYMLINK, ".");
    add(fs, "/hard", IC_FT_HARDLINK, "/bin/busybox");
    assert_int_equal(ic_fs_finish(fs), IC_OK);

    const struct ic_entry *e = NULL;
    assert_int_equal(ic_fs_resolve(fs, "/bin/sh", &e), IC_OK);
    assert_string_equal(e->path, "/bin/busybox");
    assert_int_equal(ic_fs_resolve(fs, "/sbin/init", &e), IC_OK);
    assert_string_equal(e->path, "/bin/busybox");
    assert_int_equal(ic_fs_resolve(fs, "/var/log", &e), IC_OK);
    assert_string_equal(e->path, "/tmp/log");
    assert_int_equal(ic_fs_resolve(fs, "/up", &e), IC_OK);
    assert_string_equal(e->path, "/bin/busybox");
    assert_int_equal(ic_fs_resolve(fs, "/loop1", &e), IC_E_LOOP);
    assert_int_equal(ic_fs_resolve(fs, "/self/self/self/bin/sh", &e), IC_OK);
    assert_string_equal(e->path, "/bin/busybox");
    assert_int_equal(ic_fs_resolve(fs, "/bin/busybox/x", &e), IC_E_NOT_FOUND);
    assert_int_equal(ic_fs_resolve(fs, "/missing", &e), IC_E_NOT_FOUND);
    assert_int_equal(ic_fs_resolve(fs, "/hard", &e), IC_OK);
    assert_string_equal(e->path, "/bin/busybox");
    /* Lookup does not follow links. */
    assert_int_equal(ic_fs_lookup(fs, "/bin/sh")->type, IC_FT_SYMLINK);
    ic_fs_free(fs);
}

static void entry_limit_is_enforced(void **state)
{
    (void)state;
    struct ic_fs *fs = ic_fs_new(2);
    add(fs, "/a", IC_FT_FILE, NULL);
    add(fs, "/b", IC_FT_FILE, NULL);
    struct ic_entry e = {.path = "/c", .type = IC_FT_FILE};
    assert_int_equal(ic_fs_add(fs, &e), IC_E_LIMIT_FILES);
    ic_fs_free(fs);
}

static void blobs_slice_and_reassemble(void **state)
{
    (void)state;
    struct ic_blob *base = NULL, *slice = NULL, *inner = NULL, *joined = NULL;
    assert_int_equal(ic_blob_from_copy("0123456789", 10, &base), IC_OK);
    assert_int_equal(ic_blob_slice(base, 2, 6, &slice), IC_OK);
    assert_int_equal(ic_blob_slice(slice, 1, 3, &inner), IC_OK);
    assert_memory_equal(ic_blob_data(inner, NULL), "345", 3);
    assert_int_equal(ic_blob_slice(base, 8, 3, &joined), IC_E_INVALID_ARG);
    struct ic_blob_extent parts[] = {{7, 3}, {UINT64_MAX, 2}, {0, 2}};
    assert_int_equal(ic_blob_from_extents(base, parts, 3, &joined), IC_OK);
    assert_int_equal(ic_blob_size(joined), 7);
    assert_memory_equal(ic_blob_data(joined, NULL), "789\0\0" "01", 7);
    char buf[4];
    assert_int_equal(ic_blob_read(joined, 5, buf, 4), 2);
    assert_memory_equal(buf, "01", 2);
    struct ic_blob_extent outside[] = {{9, 5}};
    struct ic_blob *bad = NULL;
    assert_int_equal(ic_blob_from_extents(base, outside, 1, &bad), IC_E_INVALID_ARG);
    ic_blob_unref(base); /* slices keep it alive */
    assert_memory_equal(ic_blob_data(slice, NULL), "234567", 6);
    ic_blob_unref(slice);
    ic_blob_unref(inner);
    ic_blob_unref(joined);
}

static int produce_calls;
static int produce_abc(void *state, uint8_t *dst, uint64_t size)
{
    (void)state;
    produce_calls++;
    memcpy(dst, "abc", size);
    return IC_OK;
}

static void lazy_blob_produces_once(void **state)
{
    (void)state;
    struct ic_blob *lazy = NULL;
    produce_calls = 0;
    assert_int_equal(ic_blob_lazy(3, produce_abc, NULL, NULL, &lazy), IC_OK);
    assert_int_equal(produce_calls, 0);
    assert_memory_equal(ic_blob_data(lazy, NULL), "abc", 3);
    assert_memory_equal(ic_blob_data(lazy, NULL), "abc", 3);
    assert_int_equal(produce_calls, 1);
    assert_int_equal(ic_blob_owned_bytes(lazy), 3);
    ic_blob_unref(lazy);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(paths_are_normalised_and_dotdot_refused),
        cmocka_unit_test(tree_sorts_fills_parents_and_keeps_latest),
        cmocka_unit_test(symlinks_resolve_inside_the_tree_only),
        cmocka_unit_test(entry_limit_is_enforced),
        cmocka_unit_test(blobs_slice_and_reassemble),
        cmocka_unit_test(lazy_blob_produces_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
