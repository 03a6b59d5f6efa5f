/* Extraction to disk (-C DIR): trees built by hand with ic_fs_add, written
 * with ic_unpack_extract, then checked on disk. The point is what does NOT
 * happen: nothing outside DIR, no link followed, no device, no setuid. */
#include "iotcop/error.h"
#include "iotcop/unpack.h"
#include "iotcop/vfs.h"
#include "testutil.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* An unpack of two layers made by hand: the input "0" and "0.1", which has
 * the tree fs and, when given, content. */
struct fake_unpack {
    struct ic_layer layers[2];
    struct ic_unpack u;
};

static void fake_init(struct fake_unpack *f, struct ic_fs *fs, struct ic_blob *content)
{
    memset(f, 0, sizeof(*f));
    f->layers[0] = (struct ic_layer){.id = "0", .parent = -1, .format = "input"};
    f->layers[1] = (struct ic_layer){.id = "0.1", .parent = 0, .format = "tar", .depth = 1,
                                     .content = content, .fs = fs};
    f->u.layers = f->layers;
    f->u.layer_count = 2;
}

static void add(struct ic_fs *fs, const char *path, enum ic_ftype type, uint32_t mode,
                const char *link, const char *text)
{
    struct ic_entry e = {.path = path, .type = type, .mode = mode, .link = link, .mtime = 1000000};
    struct ic_blob *blob = NULL;
    if (text) {
        assert_int_equal(ic_blob_from_copy(text, strlen(text), &blob), IC_OK);
        e.content = blob;
        e.size = strlen(text);
    }
    if (link && type == IC_FT_SYMLINK)
        e.size = strlen(link);
    if (type == IC_FT_CHARDEV) {
        e.dev_major = 1;
        e.dev_minor = 3;
    }
    assert_int_equal(ic_fs_add(fs, &e), IC_OK);
    ic_blob_unref(blob);
}

static char *join(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 2;
    char *p = malloc(n);
    assert_non_null(p);
    snprintf(p, n, "%s/%s", a, b);
    return p;
}

static char *read_text(const char *dir, const char *rel)
{
    char *p = join(dir, rel);
    size_t size = 0;
    uint8_t *data = test_read_file(p, &size);
    free(p);
    if (!data)
        return NULL;
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    free(data);
    return s;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int lstat_at(const char *dir, const char *rel, struct stat *st)
{
    char *p = join(dir, rel);
    int rc = lstat(p, st);
    free(p);
    return rc;
}

/* Entries in a directory other than "." and "..". */
static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL)
        n += strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
    closedir(d);
    return n;
}

static int has_note(const struct ic_extract_stats *st, enum ic_diag_level level, int code,
                    const char *path, const char *fragment)
{
    for (size_t i = 0; i < st->note_count; i++) {
        const struct ic_extract_note *n = &st->notes[i];
        if (n->level == level && n->code == code && n->path && strcmp(n->path, path) == 0 &&
            strstr(n->message, fragment))
            return 1;
    }
    return 0;
}

static void test_ordinary_tree(void **state)
{
    (void)state;
    struct ic_fs *fs = ic_fs_new(0);
    add(fs, "/etc", IC_FT_DIR, 0755, NULL, NULL);
    add(fs, "/etc/passwd", IC_FT_FILE, 0644, NULL, "root:x:0:0:root:/root:/bin/sh\n");
    add(fs, "/etc/shadow", IC_FT_FILE, 0600, NULL, "root::0:0:99999:7:::\n");
    add(fs, "/bin/busybox", IC_FT_FILE, 04755, NULL, "\177ELF busybox");
    add(fs, "/bin/sh", IC_FT_SYMLINK, 0777, "busybox", NULL);
    add(fs, "/bin/abs", IC_FT_SYMLINK, 0777, "/etc/passwd", NULL);
    add(fs, "/bin/up", IC_FT_SYMLINK, 0777, "../../../../../etc", NULL);
    add(fs, "/usr/bin/passwd-copy", IC_FT_HARDLINK, 0644, "/etc/passwd", NULL);
    add(fs, "/var/empty", IC_FT_DIR, 0555, NULL, NULL);
    add(fs, "/tmp", IC_FT_DIR, 01777, NULL, NULL);
    add(fs, "/dev/null", IC_FT_CHARDEV, 0666, NULL, NULL);
    add(fs, "/dev/initctl", IC_FT_FIFO, 0600, NULL, NULL);
    add(fs, "/empty-file", IC_FT_FILE, 0640, NULL, NULL);
    assert_int_equal(ic_fs_finish(fs), IC_OK);
    struct ic_blob *content = NULL;
    assert_int_equal(ic_blob_from_copy("raw layer bytes", 15, &content), IC_OK);
    struct fake_unpack f;
    fake_init(&f, fs, content);

    char *dir = test_tmpdir("extract-ordinary");
    struct ic_extract_stats st;
    assert_int_equal(ic_unpack_extract(&f.u, dir, 1, &st), IC_OK);

    char *text = read_text(dir, "0.1/etc/passwd");
    assert_non_null(text);
    assert_string_equal(text, "root:x:0:0:root:/root:/bin/sh\n");
    free(text);
    text = read_text(dir, "0.1/usr/bin/passwd-copy"); /* hard link: a copy */
    assert_non_null(text);
    assert_string_equal(text, "root:x:0:0:root:/root:/bin/sh\n");
    free(text);
    text = read_text(dir, "0.1.bin");
    assert_non_null(text);
    assert_string_equal(text, "raw layer bytes");
    free(text);

    struct stat sb;
    assert_int_equal(lstat_at(dir, "0.1/etc/shadow", &sb), 0);
    assert_int_equal(sb.st_mode & 07777, 0600);
    assert_int_equal(sb.st_mtime, 1000000);
    assert_int_equal(lstat_at(dir, "0.1/bin/busybox", &sb), 0);
    assert_true(S_ISREG(sb.st_mode));
    assert_int_equal(sb.st_mode & 07777, 0755); /* setuid dropped */
    assert_int_equal(lstat_at(dir, "0.1/var/empty", &sb), 0);
    assert_true(S_ISDIR(sb.st_mode));
    assert_int_equal(sb.st_mode & 07777, 0555);
    assert_int_equal(lstat_at(dir, "0.1/tmp", &sb), 0);
    assert_int_equal(sb.st_mode & 07777, 01777);
    assert_int_equal(lstat_at(dir, "0.1/empty-file", &sb), 0);
    assert_int_equal(sb.st_size, 0);

    /* Symbolic links are links, with their targets exactly as in the tree. */
    const char *links[][2] = {{"0.1/bin/sh", "busybox"},
                              {"0.1/bin/abs", "/etc/passwd"},
                              {"0.1/bin/up", "../../../../../etc"}};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(lstat_at(dir, links[i][0], &sb), 0);
        assert_true(S_ISLNK(sb.st_mode));
        char *p = join(dir, links[i][0]);
        char target[256];
        ssize_t n = readlink(p, target, sizeof(target) - 1);
        free(p);
        assert_true(n > 0);
        target[n] = '\0';
        assert_string_equal(target, links[i][1]);
    }

    /* No device node, no FIFO: recorded as left out. */
    assert_int_not_equal(lstat_at(dir, "0.1/dev/null", &sb), 0);
    assert_int_not_equal(lstat_at(dir, "0.1/dev/initctl", &sb), 0);
    assert_int_equal(st.skipped, 2);
    assert_true(has_note(&st, IC_DIAG_WARNING, IC_E_UNSUPPORTED, "/dev/null", "chardev 1,3"));
    assert_true(has_note(&st, IC_DIAG_WARNING, IC_E_UNSUPPORTED, "/dev/initctl", "fifo"));

    assert_int_equal(st.errors, 0);
    assert_int_equal(st.files, 5);    /* passwd, shadow, busybox, passwd-copy, empty-file */
    assert_int_equal(st.symlinks, 3);
    assert_int_equal(st.dirs, 9);     /* 0.1, bin, dev, etc, tmp, usr, usr/bin, var, var/empty */
    assert_int_equal(st.blobs, 1);
    ic_extract_stats_release(&st);
    assert_null(st.notes);

    /* A second run into the same place refuses to overwrite anything. */
    assert_int_equal(ic_unpack_extract(&f.u, dir, 1, &st), IC_OK);
    assert_true(st.errors >= 2);
    assert_int_equal(st.files, 0);
    ic_extract_stats_release(&st);

    ic_fs_free(fs);
    ic_blob_unref(content);
    free(dir);
}

/* The classic: a link to somewhere outside, then a file "inside" the link.
 * Every link points into this test's own directory, so that a regression
 * writes there and nowhere else (the tests may run as root). */
static void test_links_are_never_followed(void **state)
{
    (void)state;
    /* base/out is DIR; base/sentinel and base/outside must stay empty. */
    char *base = test_tmpdir("extract-links");
    char *dir = join(base, "out");
    char *sentinel = join(base, "sentinel");
    char *outside = join(base, "outside");
    assert_int_equal(mkdir(dir, 0755), 0);
    assert_int_equal(mkdir(sentinel, 0755), 0);
    assert_int_equal(mkdir(outside, 0755), 0);

    struct ic_fs *fs = ic_fs_new(0);
    add(fs, "/foo", IC_FT_SYMLINK, 0777, "../../", NULL);
    add(fs, "/foo/bar", IC_FT_FILE, 0644, NULL, "written through foo\n");
    add(fs, "/link", IC_FT_SYMLINK, 0777, sentinel, NULL); /* absolute */
    add(fs, "/link/pwned", IC_FT_FILE, 0644, NULL, "pwned\n");
    add(fs, "/link/sub/deeper", IC_FT_FILE, 0644, NULL, "deeper\n");
    add(fs, "/out", IC_FT_SYMLINK, 0777, "../../outside", NULL);
    add(fs, "/out/made", IC_FT_DIR, 0755, NULL, NULL);
    add(fs, "/safe", IC_FT_FILE, 0644, NULL, "fine\n");
    assert_int_equal(ic_fs_finish(fs), IC_OK);
    struct fake_unpack f;
    fake_init(&f, fs, NULL);

    struct ic_extract_stats st;
    assert_int_equal(ic_unpack_extract(&f.u, dir, 1, &st), IC_OK);
    assert_int_equal(count_entries(base), 3);
    assert_int_equal(count_entries(sentinel), 0);
    assert_int_equal(count_entries(outside), 0);
    assert_int_equal(count_entries(dir), 1); /* 0.1 only: no content, no .bin */
    struct stat sb;
    assert_int_not_equal(lstat_at(base, "bar", &sb), 0);
    assert_int_equal(lstat_at(dir, "0.1/foo", &sb), 0);
    assert_true(S_ISLNK(sb.st_mode));
    assert_int_equal(lstat_at(dir, "0.1/safe", &sb), 0);

    assert_int_equal(st.errors, 5); /* foo/bar, link/pwned, link/sub(/deeper), out/made */
    assert_true(has_note(&st, IC_DIAG_ERROR, IC_E_UNSAFE_PATH, "/foo/bar", "/foo is a symbolic"));
    assert_true(has_note(&st, IC_DIAG_ERROR, IC_E_UNSAFE_PATH, "/link/pwned", "/link is a"));
    assert_true(has_note(&st, IC_DIAG_ERROR, IC_E_UNSAFE_PATH, "/out/made", "/out is a"));
    assert_int_equal(st.files, 1);
    ic_extract_stats_release(&st);
    ic_fs_free(fs);
    free(base);
    free(dir);
    free(sentinel);
    free(outside);
}

static void test_dotdot_never_reaches_the_disk(void **state)
{
    (void)state;
    struct ic_fs *fs = ic_fs_new(0);
    struct ic_entry e = {.path = "../../escape.txt", .type = IC_FT_FILE, .mode = 0644};
    assert_int_equal(ic_fs_add(fs, &e), IC_E_UNSAFE_PATH);
    e.path = "/a/../../escape.txt";
    assert_int_equal(ic_fs_add(fs, &e), IC_E_UNSAFE_PATH);
    e.path = "/a/..";
    assert_int_equal(ic_fs_add(fs, &e), IC_E_UNSAFE_PATH);
    add(fs, "/a/b", IC_FT_FILE, 0644, NULL, "b\n");
    assert_int_equal(ic_fs_finish(fs), IC_OK);
    assert_int_equal(ic_fs_count(fs), 3); /* /, /a, /a/b */

    /* A layer whose id is not a plain name is refused whole. */
    struct fake_unpack f;
    fake_init(&f, fs, NULL);
    f.layers[1].id = "..";
    char *base = test_tmpdir("extract-dotdot");
    char *dir = join(base, "out");
    assert_int_equal(mkdir(dir, 0755), 0);
    struct ic_extract_stats st;
    assert_int_equal(ic_unpack_extract(&f.u, dir, 1, &st), IC_OK);
    assert_int_equal(st.errors, 1);
    assert_int_equal(st.files, 0);
    assert_int_equal(count_entries(dir), 0);
    assert_int_equal(count_entries(base), 1);
    ic_extract_stats_release(&st);

    /* DIR itself must not be a symbolic link, nor missing. */
    char *link = join(base, "link");
    assert_int_equal(symlink(dir, link), 0);
    f.layers[1].id = "0.1";
    assert_int_equal(ic_unpack_extract(&f.u, link, 1, &st), IC_E_INVALID_ARG);
    ic_extract_stats_release(&st);
    char *missing = join(base, "missing");
    assert_int_equal(ic_unpack_extract(&f.u, missing, 1, &st), IC_E_IO);
    ic_extract_stats_release(&st);
    assert_int_equal(count_entries(dir), 0);

    ic_fs_free(fs);
    free(base);
    free(dir);
    free(link);
    free(missing);
}

static void test_symlink_loops_do_not_hang(void **state)
{
    (void)state;
    struct ic_fs *fs = ic_fs_new(0);
    add(fs, "/a", IC_FT_SYMLINK, 0777, "b", NULL);
    add(fs, "/b", IC_FT_SYMLINK, 0777, "/a", NULL);
    add(fs, "/self", IC_FT_SYMLINK, 0777, "./self", NULL);
    add(fs, "/dir/up", IC_FT_SYMLINK, 0777, "..", NULL);
    add(fs, "/target", IC_FT_FILE, 0644, NULL, "end\n");
    /* A chain of 60 links: l0 -> l1 -> ... -> l59 -> target. */
    char path[32], link[32];
    for (int i = 0; i < 60; i++) {
        snprintf(path, sizeof(path), "/l%d", i);
        if (i == 59)
            snprintf(link, sizeof(link), "/target");
        else
            snprintf(link, sizeof(link), "l%d", i + 1);
        add(fs, path, IC_FT_SYMLINK, 0777, link, NULL);
    }
    assert_int_equal(ic_fs_finish(fs), IC_OK);

    const struct ic_entry *e = NULL;
    assert_int_equal(ic_fs_resolve(fs, "/a", &e), IC_E_LOOP);
    assert_int_equal(ic_fs_resolve(fs, "/b/x/y", &e), IC_E_LOOP);
    assert_int_equal(ic_fs_resolve(fs, "/self", &e), IC_E_LOOP);
    assert_int_equal(ic_fs_resolve(fs, "/l0", &e), IC_E_LOOP); /* more than 40 links */
    assert_int_equal(ic_fs_resolve(fs, "/l30", &e), IC_OK);   /* 30 links: fine */
    assert_string_equal(e->path, "/target");
    /* ".." through a link climbs inside the tree only. */
    assert_int_equal(ic_fs_resolve(fs, "/dir/up/up/target", &e), IC_E_NOT_FOUND);
    assert_int_equal(ic_fs_resolve(fs, "/dir/up/target", &e), IC_OK);
    assert_string_equal(e->path, "/target");

    /* Writing the loops out makes links, and nothing loops. */
    struct fake_unpack f;
    fake_init(&f, fs, NULL);
    char *dir = test_tmpdir("extract-loops");
    struct ic_extract_stats st;
    assert_int_equal(ic_unpack_extract(&f.u, dir, 1, &st), IC_OK);
    assert_int_equal(st.errors, 0);
    assert_int_equal(st.symlinks, 64);
    assert_int_equal(st.files, 1);
    ic_extract_stats_release(&st);
    ic_fs_free(fs);
    free(dir);
}

/* Walks rel below dir, appending "path type mode size content-sum" lines. */
static void describe_tree(const char *dir, const char *rel, char **out, size_t *len)
{
    char *path = rel[0] ? join(dir, rel) : strdup(dir);
    DIR *d = opendir(path);
    assert_non_null(d);
    struct dirent *de;
    char **names = NULL;
    size_t count = 0;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        names = realloc(names, (count + 1) * sizeof(*names));
        names[count++] = strdup(de->d_name);
    }
    closedir(d);
    if (count)
        qsort(names, count, sizeof(*names), compare_names);
    for (size_t i = 0; i < count; i++) {
        char *child = rel[0] ? join(rel, names[i]) : strdup(names[i]);
        struct stat st;
        assert_int_equal(lstat_at(dir, child, &st), 0);
        unsigned sum = 0;
        if (S_ISREG(st.st_mode)) {
            char *text = read_text(dir, child);
            for (const char *c = text; c && *c; c++)
                sum = sum * 31 + (unsigned char)*c;
            free(text);
        }
        char line[600];
        int n = snprintf(line, sizeof(line), "%s %o %lld %u\n", child, (unsigned)st.st_mode,
                         (long long)st.st_size, sum);
        *out = realloc(*out, *len + (size_t)n + 1);
        memcpy(*out + *len, line, (size_t)n + 1);
        *len += (size_t)n;
        if (S_ISDIR(st.st_mode))
            describe_tree(dir, child, out, len);
        free(child);
        free(names[i]);
    }
    free(names);
    free(path);
}

/* Many files written by several threads: the same files, modes, notes (in
 * the same order) and counts as with one thread. */
static void test_threads_write_the_same_tree(void **state)
{
    (void)state;
    struct ic_fs *fs = ic_fs_new(0);
    assert_non_null(fs);
    char path[64], text[64];
    for (int d = 0; d < 40; d++) {
        snprintf(path, sizeof(path), "/d%02d", d);
        add(fs, path, IC_FT_DIR, d % 7 == 0 ? 0555 : 0755, NULL, NULL);
        for (int f = 0; f < 50; f++) {
            snprintf(path, sizeof(path), "/d%02d/f%02d", d, f);
            snprintf(text, sizeof(text), "file %d of directory %d\n", f, d);
            add(fs, path, IC_FT_FILE, f % 3 == 0 ? 0600 : 0644, NULL, text);
        }
    }
    /* A link named like a directory: files "below" it are refused. */
    add(fs, "/link", IC_FT_SYMLINK, 0777, "/d00", NULL);
    for (int f = 0; f < 30; f++) {
        snprintf(path, sizeof(path), "/link/f%02d", f);
        add(fs, path, IC_FT_FILE, 0644, NULL, "x");
    }
    add(fs, "/dev/console", IC_FT_CHARDEV, 0600, NULL, NULL);
    assert_int_equal(ic_fs_finish(fs), IC_OK);
    struct ic_blob *content = NULL;
    assert_int_equal(ic_blob_from_copy("layer", 5, &content), IC_OK);
    struct fake_unpack f;
    fake_init(&f, fs, content);

    char *dirs[2] = {test_tmpdir("extract-threads-1"), test_tmpdir("extract-threads-4")};
    unsigned threads[2] = {1, 4};
    struct ic_extract_stats st[2];
    char *trees[2] = {NULL, NULL};
    for (int k = 0; k < 2; k++) {
        assert_int_equal(ic_unpack_extract(&f.u, dirs[k], threads[k], &st[k]), IC_OK);
        size_t len = 0;
        describe_tree(dirs[k], "", &trees[k], &len);
    }
    assert_non_null(trees[0]);
    assert_string_equal(trees[0], trees[1]);
    assert_non_null(strstr(trees[0], "0.1/d39/f49 100644 24 "));
    assert_non_null(strstr(trees[0], "0.1/d07 40555 "));
    for (int k = 0; k < 2; k++) {
        assert_int_equal(st[k].files, 2000);
        assert_int_equal(st[k].blobs, 1);
        assert_int_equal(st[k].errors, 30);
        assert_int_equal(st[k].skipped, 1);
    }
    assert_int_equal(st[0].note_count, st[1].note_count);
    for (size_t i = 0; i < st[0].note_count; i++) {
        assert_string_equal(st[0].notes[i].path ? st[0].notes[i].path : "",
                            st[1].notes[i].path ? st[1].notes[i].path : "");
        assert_string_equal(st[0].notes[i].message, st[1].notes[i].message);
    }
    assert_true(has_note(&st[1], IC_DIAG_ERROR, IC_E_UNSAFE_PATH, "/link/f29",
                         "is a symbolic link"));
    for (int k = 0; k < 2; k++) {
        ic_extract_stats_release(&st[k]);
        free(trees[k]);
        free(dirs[k]);
    }
    ic_blob_unref(content);
    ic_fs_free(fs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ordinary_tree),
        cmocka_unit_test(test_links_are_never_followed),
        cmocka_unit_test(test_dotdot_never_reaches_the_disk),
        cmocka_unit_test(test_symlink_loops_do_not_hang),
        cmocka_unit_test(test_threads_write_the_same_tree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
