/* The supervised worker: whatever the child does, the parent comes back
 * with a result that says what happened. */
#include "iotcop/error.h"
#include "iotcop/worker.h"
#include "testutil.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct collected {
    char *data;
    size_t len;
};

static void collect(void *ctx, const char *data, size_t len)
{
    struct collected *c = ctx;
    char *p = realloc(c->data, c->len + len + 1);
    assert_non_null(p);
    memcpy(p + c->len, data, len);
    c->len += len;
    p[c->len] = '\0';
    c->data = p;
}

static int loop_forever(void *arg, int fd)
{
    (void)arg;
    (void)fd;
    for (;;)
        pause();
    return 0;
}

static void test_wall_clock_limit_ends_a_hang(void **state)
{
    (void)state;
    struct ic_worker_limits limits = {.wall_s = 1};
    struct ic_worker_result res;
    double start = seconds_now();
    assert_int_equal(ic_worker_run(&limits, loop_forever, NULL, NULL, NULL, &res), IC_OK);
    double took = seconds_now() - start;
    assert_true(res.timed_out);
    assert_false(res.exited);
    assert_int_equal(res.signal, SIGKILL);
    assert_true(took >= 0.9 && took < 30.0); /* ended by the limit, not by itself */
}

static int crash(void *arg, int fd)
{
    (void)arg;
    (void)fd;
    volatile int *nowhere = NULL;
    *nowhere = 1;
    return 0;
}

static void test_crash_is_reported_with_its_signal(void **state)
{
    (void)state;
    struct ic_worker_limits limits = {.wall_s = 10};
    struct ic_worker_result res;
    assert_int_equal(ic_worker_run(&limits, crash, NULL, NULL, NULL, &res), IC_OK);
    assert_false(res.timed_out);
#if defined(__SANITIZE_ADDRESS__)
    /* AddressSanitizer catches the fault itself and aborts (or exits non-zero). */
    assert_true((!res.exited && (res.signal == SIGABRT || res.signal == SIGSEGV)) ||
                (res.exited && res.exit_code != 0));
#else
    assert_false(res.exited);
    assert_int_equal(res.signal, SIGSEGV);
#endif
}

/* Allocates and touches memory until refused, at most 8 GiB so that a
 * broken limit cannot take the machine. Returns 42 when malloc said no. */
static int allocate_without_end(void *arg, int fd)
{
    (void)arg;
    (void)fd;
    const size_t chunk = 16u << 20;
    for (int i = 0; i < 512; i++) {
        char *p = malloc(chunk);
        if (!p)
            return 42;
        memset(p, 0xa5, chunk);
    }
    return 1;
}

static void test_memory_limit_stops_runaway_allocation(void **state)
{
    (void)state;
#ifdef UNDER_ASAN
    skip(); /* the address-space limit is not applied under AddressSanitizer */
#endif
    struct ic_worker_limits limits = {.wall_s = 30, .memory_bytes = 256u << 20};
    struct ic_worker_result res;
    assert_int_equal(ic_worker_run(&limits, allocate_without_end, NULL, NULL, NULL, &res), IC_OK);
    assert_false(res.timed_out);
    /* Either malloc failed inside the limit, or the child was killed. */
    if (res.exited)
        assert_int_equal(res.exit_code, 42);
    else
        assert_true(res.signal == SIGKILL || res.signal == SIGSEGV || res.signal == SIGABRT);
}

static int spin(void *arg, int fd)
{
    (void)arg;
    (void)fd;
    volatile unsigned long n = 0;
    for (;;)
        n++;
    return 0;
}

static void test_cpu_limit_is_reported(void **state)
{
    (void)state;
    /* The wall-clock limit is only a backstop: on a loaded machine one CPU
     * second can take many seconds of wall time. */
    struct ic_worker_limits limits = {.wall_s = 300, .cpu_s = 1};
    struct ic_worker_result res;
    assert_int_equal(ic_worker_run(&limits, spin, NULL, NULL, NULL, &res), IC_OK);
    assert_false(res.exited);
    assert_false(res.timed_out);
    assert_true(res.cpu_limit);
}

/* Writes 1 MiB of a known pattern, more than a pipe holds at once. */
#define OUTPUT_SIZE (1u << 20)
static int write_pattern(void *arg, int fd)
{
    (void)arg;
    static char buf[OUTPUT_SIZE];
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (char)('a' + i % 26);
    for (size_t off = 0; off < sizeof(buf);) {
        ssize_t w = write(fd, buf + off, sizeof(buf) - off);
        if (w <= 0)
            return 1;
        off += (size_t)w;
    }
    return 7;
}

static void test_output_reaches_the_sink_and_exit_code_is_kept(void **state)
{
    (void)state;
    struct ic_worker_limits limits = {.wall_s = 30};
    struct ic_worker_result res;
    struct collected c = {0};
    assert_int_equal(ic_worker_run(&limits, write_pattern, NULL, collect, &c, &res), IC_OK);
    assert_true(res.exited);
    assert_int_equal(res.exit_code, 7);
    assert_int_equal(c.len, OUTPUT_SIZE);
    for (size_t i = 0; i < c.len; i++)
        if (c.data[i] != (char)('a' + i % 26))
            fail_msg("byte %zu differs", i);
    free(c.data);
}

/* The child leaves a grandchild holding the pipe open, then exits. */
static int leave_a_grandchild(void *arg, int fd)
{
    (void)arg;
    if (write(fd, "bye\n", 4) != 4)
        return 1;
    pid_t pid = fork();
    if (pid == 0) {
        /* Holds only the worker's pipe: not the test's own output, which
         * ctest waits on. */
        close(STDIN_FILENO);
        close(STDOUT_FILENO);
        close(STDERR_FILENO);
        sleep(60);
        _exit(0);
    }
    return 3;
}

static void test_grandchild_holding_the_pipe_does_not_keep_the_parent(void **state)
{
    (void)state;
    struct ic_worker_limits limits = {.wall_s = 30};
    struct ic_worker_result res;
    struct collected c = {0};
    double start = seconds_now();
    assert_int_equal(ic_worker_run(&limits, leave_a_grandchild, NULL, collect, &c, &res), IC_OK);
    /* Far less than the grandchild's minute, however loaded the machine. */
    assert_true(seconds_now() - start < 30.0);
    assert_true(res.exited);
    assert_int_equal(res.exit_code, 3);
    assert_non_null(c.data);
    assert_string_equal(c.data, "bye\n");
    free(c.data);
}

static void test_without_wall_limit_the_parent_waits_for_the_end(void **state)
{
    (void)state;
    struct ic_worker_limits limits = {0};
    struct ic_worker_result res;
    assert_int_equal(ic_worker_run(&limits, crash, NULL, NULL, NULL, &res), IC_OK);
#if defined(__SANITIZE_ADDRESS__)
    assert_true(res.signal == SIGSEGV || res.signal == SIGABRT || (res.exited && res.exit_code));
#else
    assert_int_equal(res.signal, SIGSEGV);
#endif
    assert_int_equal(ic_worker_run(NULL, crash, NULL, NULL, NULL, &res), IC_E_INVALID_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wall_clock_limit_ends_a_hang),
        cmocka_unit_test(test_crash_is_reported_with_its_signal),
        cmocka_unit_test(test_memory_limit_stops_runaway_allocation),
        cmocka_unit_test(test_cpu_limit_is_reported),
        cmocka_unit_test(test_output_reaches_the_sink_and_exit_code_is_kept),
        cmocka_unit_test(test_grandchild_holding_the_pipe_does_not_keep_the_parent),
        cmocka_unit_test(test_without_wall_limit_the_parent_waits_for_the_end),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
