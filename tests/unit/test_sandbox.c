/* The sandbox, applied in a forked child: what must fail fails, what an
 * unpacker needs still works. The child reports back through a pipe: one
 * line "ok DETAIL" or "FAIL what". */
#include "iotcop/error.h"
#include "iotcop/worker.h"
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

static int kernel_has_landlock(void)
{
    return syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION) > 0;
}

/* ---- running a check in a child ----------------------------------------- */

static char child_report[1024];

static void report(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void report(int fd, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n > 0 && write(fd, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1) < 0)
        _exit(99);
}

#define CHECK(fd, cond, ...)                                                                       \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            report(fd, "FAIL " __VA_ARGS__);                                                       \
            return;                                                                                \
        }                                                                                          \
    } while (0)

typedef void (*child_check)(int fd, const char *dir);

/* Runs check(fd, dir) in a child; returns its report (static storage). */
static const char *in_child(child_check check, const char *dir)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        check(fds[1], dir);
        _exit(0);
    }
    close(fds[1]);
    size_t len = 0;
    ssize_t got;
    while (len < sizeof(child_report) - 1 &&
           (got = read(fds[0], child_report + len, sizeof(child_report) - 1 - len)) > 0)
        len += (size_t)got;
    child_report[len] = '\0';
    close(fds[0]);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (!WIFEXITED(status))
        fail_msg("the child died by signal %d after: %s", WTERMSIG(status), child_report);
    return child_report;
}

static void expect_ok(const char *r)
{
    if (strncmp(r, "ok", 2) != 0)
        fail_msg("%s", r[0] ? r : "child reported nothing");
}

static void *thread_body(void *arg)
{
    return (char *)arg + 1;
}

/* What an unpacker needs keeps working inside the sandbox. */
static const char *needs_still_work(void)
{
    static char x;
    pthread_t t;
    void *ret = NULL;
    if (pthread_create(&t, NULL, thread_body, &x) != 0 || pthread_join(t, &ret) != 0 ||
        ret != &x + 1)
        return "threads";
    void *m = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return "mmap";
    memset(m, 1, 1 << 20);
    munmap(m, 1 << 20);
    void *big = malloc(64u << 20);
    if (!big)
        return "malloc";
    free(big);
    int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    char buf[4];
    if (fd < 0 || read(fd, buf, 4) != 4 || memcmp(buf, "\177ELF", 4) != 0)
        return "reading a file";
    close(fd);
    return NULL;
}

/* ---- checks ------------------------------------------------------------- */

static void check_nothing_writable(int fd, const char *dir)
{
    char detail[256] = "";
    int rc = ic_sandbox_enter(NULL, detail, sizeof(detail));
    CHECK(fd, rc == IC_OK, "ic_sandbox_enter(NULL) = %s (%s)", ic_error_name(rc), detail);
    CHECK(fd, strncmp(detail, "seccomp", 7) == 0, "detail '%s'", detail);

    errno = 0;
    int s = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(fd, s < 0 && errno == EPERM, "socket(AF_INET) = %d, errno %d", s, errno);
    s = socket(AF_UNIX, SOCK_DGRAM, 0);
    CHECK(fd, s < 0 && errno == EPERM, "socket(AF_UNIX) = %d", s);
    int pair[2];
    CHECK(fd, socketpair(AF_UNIX, SOCK_STREAM, 0, pair) != 0, "socketpair");

    char *const argv[] = {"true", NULL};
    char *const envp[] = {NULL};
    errno = 0;
    int e = execve("/bin/true", argv, envp);
    CHECK(fd, e < 0 && errno == EPERM, "execve = %d, errno %d", e, errno);

#if !defined(__SANITIZE_ADDRESS__)
    /* Sanitized builds keep ptrace for LeakSanitizer (sandbox_seccomp.c). */
    errno = 0;
    CHECK(fd, ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0 && errno == EPERM, "ptrace");
#endif
    CHECK(fd, unshare(CLONE_NEWUSER) != 0, "unshare(CLONE_NEWUSER)");
    char node[4096];
    snprintf(node, sizeof(node), "%s/null", dir);
    CHECK(fd, mknod(node, S_IFCHR | 0600, makedev(1, 3)) != 0, "mknod");

    const char *broken = needs_still_work();
    CHECK(fd, broken == NULL, "%s no longer works", broken);

    int landlock = strcmp(detail, "seccomp+landlock") == 0;
    if (landlock) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/forbidden.txt", dir);
        errno = 0;
        int w = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
        CHECK(fd, w < 0 && errno == EACCES, "creating %s = %d, errno %d", path, w, errno);
        snprintf(path, sizeof(path), "%s/forbidden.d", dir);
        CHECK(fd, mkdir(path, 0755) != 0, "mkdir %s", path);
        /* An existing file cannot be opened for writing either. */
        snprintf(path, sizeof(path), "%s/existing.txt", dir);
        w = open(path, O_WRONLY);
        CHECK(fd, w < 0 && errno == EACCES, "writing existing %s", path);
        /* ... while reading it still works. */
        w = open(path, O_RDONLY);
        CHECK(fd, w >= 0, "reading existing %s", path);
        close(w);
    }
    report(fd, "ok %s", detail);
}

static void test_no_network_no_exec_no_writes(void **state)
{
    (void)state;
    char *dir = test_tmpdir("sandbox-none");
    char path[4096];
    snprintf(path, sizeof(path), "%s/existing.txt", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("x\n", f);
    fclose(f);
    const char *r = in_child(check_nothing_writable, dir);
    expect_ok(r);
    if (kernel_has_landlock())
        assert_string_equal(r, "ok seccomp+landlock");
    else
        print_message("Landlock is not in this kernel: write restrictions not tested (%s)\n",
                      r + 3);
    snprintf(path, sizeof(path), "%s/forbidden.txt", dir);
    if (kernel_has_landlock())
        assert_false(test_exists(path));
    free(dir);
}

static void check_writable_dir(int fd, const char *base)
{
    char inside[4096], outside[4096], path[4200];
    snprintf(inside, sizeof(inside), "%s/inside", base);
    snprintf(outside, sizeof(outside), "%s/outside", base);
    char detail[256] = "";
    int rc = ic_sandbox_enter(inside, detail, sizeof(detail));
    CHECK(fd, rc == IC_OK, "ic_sandbox_enter(dir) = %s (%s)", ic_error_name(rc), detail);

    snprintf(path, sizeof(path), "%s/file.txt", inside);
    int w = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
    CHECK(fd, w >= 0, "creating %s: %s", path, strerror(errno));
    CHECK(fd, write(w, "data\n", 5) == 5, "writing %s", path);
    CHECK(fd, ftruncate(w, 2) == 0, "truncating %s", path);
    close(w);
    snprintf(path, sizeof(path), "%s/sub", inside);
    CHECK(fd, mkdir(path, 0755) == 0, "mkdir %s: %s", path, strerror(errno));
    snprintf(path, sizeof(path), "%s/sub/link", inside);
    CHECK(fd, symlink("/etc/passwd", path) == 0, "symlink %s: %s", path, strerror(errno));
    CHECK(fd, unlink(path) == 0, "unlink %s: %s", path, strerror(errno));
    /* No FIFOs or devices even inside. */
    snprintf(path, sizeof(path), "%s/fifo", inside);
    CHECK(fd, mkfifo(path, 0600) != 0, "mkfifo %s succeeded", path);

    const char *broken = needs_still_work();
    CHECK(fd, broken == NULL, "%s no longer works", broken);

    if (strcmp(detail, "seccomp+landlock") == 0) {
        snprintf(path, sizeof(path), "%s/file.txt", outside);
        errno = 0;
        w = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
        CHECK(fd, w < 0 && errno == EACCES, "creating %s outside = %d", path, w);
        snprintf(path, sizeof(path), "%s/escape.txt", base);
        w = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
        CHECK(fd, w < 0, "creating %s above", path);
        /* A link inside that points outside does not help. */
        snprintf(path, sizeof(path), "%s/up", inside);
        CHECK(fd, symlink(outside, path) == 0, "symlink up: %s", strerror(errno));
        snprintf(path, sizeof(path), "%s/up/through-link.txt", inside);
        w = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
        CHECK(fd, w < 0 && errno == EACCES, "creating %s through a link", path);
        /* Renaming out of the directory is a write outside too. */
        char from[4200];
        snprintf(from, sizeof(from), "%s/file.txt", inside);
        snprintf(path, sizeof(path), "%s/moved.txt", outside);
        CHECK(fd, rename(from, path) != 0, "rename out of the directory");
    }
    report(fd, "ok %s", detail);
}

static void test_writes_only_below_the_directory(void **state)
{
    (void)state;
    char *base = test_tmpdir("sandbox-dir");
    char inside[4096], outside[4096], path[4200];
    snprintf(inside, sizeof(inside), "%s/inside", base);
    snprintf(outside, sizeof(outside), "%s/outside", base);
    assert_int_equal(mkdir(inside, 0755), 0);
    assert_int_equal(mkdir(outside, 0755), 0);
    const char *r = in_child(check_writable_dir, base);
    expect_ok(r);
    snprintf(path, sizeof(path), "%s/file.txt", inside);
    size_t size = 0;
    uint8_t *data = test_read_file(path, &size);
    assert_non_null(data);
    assert_int_equal(size, 2);
    free(data);
    if (kernel_has_landlock()) {
        assert_string_equal(r, "ok seccomp+landlock");
        snprintf(path, sizeof(path), "%s/file.txt", outside);
        assert_false(test_exists(path));
        snprintf(path, sizeof(path), "%s/through-link.txt", outside);
        assert_false(test_exists(path));
        snprintf(path, sizeof(path), "%s/escape.txt", base);
        assert_false(test_exists(path));
    } else {
        print_message("Landlock is not in this kernel: outside writes not tested\n");
    }
    free(base);
}

static void check_missing_dir(int fd, const char *base)
{
    char path[4200], detail[256] = "";
    snprintf(path, sizeof(path), "%s/does-not-exist", base);
    int rc = ic_sandbox_enter(path, detail, sizeof(detail));
    CHECK(fd, rc == IC_E_INVALID_ARG, "missing dir gave %s (%s)", ic_error_name(rc), detail);
    /* Nothing was applied: the network is still there. */
    int s = socket(AF_UNIX, SOCK_DGRAM, 0);
    CHECK(fd, s >= 0, "socket() refused after a failed ic_sandbox_enter");
    close(s);
    report(fd, "ok");
}

static void test_missing_directory_is_an_error(void **state)
{
    (void)state;
    char *base = test_tmpdir("sandbox-missing");
    expect_ok(in_child(check_missing_dir, base));
    free(base);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_network_no_exec_no_writes),
        cmocka_unit_test(test_writes_only_below_the_directory),
        cmocka_unit_test(test_missing_directory_is_an_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
