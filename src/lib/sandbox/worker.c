/* The supervised worker: fork, limit, watch, collect.
 *
 * The parent waits on two things at once: the pipe the child writes to and
 * the child itself (a pidfd, or a short poll interval where the kernel has
 * none). Watching the child directly matters: a descendant that inherited
 * the pipe must not keep the parent waiting after the child has gone. */
#include "iotcop/worker.h"
#include "iotcop/error.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

/* Without a pidfd the parent looks at the child this often (ms). */
#define CHILD_POLL_MS 50
/* Reads of what is left in the pipe once the child is gone. */
#define MAX_FINAL_READS 4096

static void set_limit(int resource, uint64_t value)
{
    if (!value)
        return;
    struct rlimit rl = {(rlim_t)value, (rlim_t)value};
    if (resource == RLIMIT_CPU)
        rl.rlim_max = (rlim_t)value + 5; /* SIGXCPU first, SIGKILL a little later */
    setrlimit(resource, &rl);
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void run_child(const struct ic_worker_limits *limits, ic_worker_fn fn, void *arg,
                      int out_fd, pid_t parent)
{
    /* Die with the parent rather than outlive it unsupervised. */
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    if (getppid() != parent)
        _exit(127);
    /* A crash is the parent's to report: no handler inherited from the
     * caller (a test runner, a crash reporter) may turn it into an exit. */
    static const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGXCPU, SIGSYS};
    for (size_t i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]); i++)
        signal(fatal_signals[i], SIG_DFL);
    set_limit(RLIMIT_CPU, limits->cpu_s);
#ifndef UNDER_ASAN
    /* AddressSanitizer reserves terabytes of address space up front. */
    set_limit(RLIMIT_AS, limits->memory_bytes);
#endif
    set_limit(RLIMIT_CORE, 0);
    int rc = fn(arg, out_fd);
    fflush(NULL);
    close(out_fd);
    _exit(rc & 0xff);
}

/* Passes what the pipe holds to the sink. Returns 0 at end of file or on a
 * read error, 1 while it stays open. */
static int drain(int fd, char *buf, size_t size, ic_worker_sink sink, void *sink_ctx,
                 int until_empty)
{
    for (int reads = 0; reads < (until_empty ? MAX_FINAL_READS : 1); reads++) {
        ssize_t got = read(fd, buf, size);
        if (got > 0) {
            if (sink)
                sink(sink_ctx, buf, (size_t)got);
            continue;
        }
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0 && errno == EAGAIN)
            return 1;
        return 0;
    }
    return 1;
}

static int open_pidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
    return (int)syscall(SYS_pidfd_open, pid, 0);
#else
    (void)pid;
    errno = ENOSYS;
    return -1;
#endif
}

static void fill_result(int status, const struct rusage *ru, const struct ic_worker_limits *limits,
                        struct ic_worker_result *res)
{
    if (WIFEXITED(status)) {
        res->exited = 1;
        res->exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        res->signal = WTERMSIG(status);
        uint64_t cpu_s = (uint64_t)ru->ru_utime.tv_sec + (uint64_t)ru->ru_stime.tv_sec;
        if (!res->timed_out && (res->signal == SIGXCPU ||
                                (limits->cpu_s && res->signal == SIGKILL && cpu_s >= limits->cpu_s)))
            res->cpu_limit = 1;
    }
}

int ic_worker_run(const struct ic_worker_limits *limits, ic_worker_fn fn, void *arg,
                  ic_worker_sink sink, void *sink_ctx, struct ic_worker_result *res)
{
    memset(res, 0, sizeof(*res));
    if (!limits || !fn)
        return IC_E_INVALID_ARG;
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        return IC_E_IO;
    /* What stdio holds now would otherwise be written twice. */
    fflush(NULL);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return IC_E_IO;
    }
    if (pid == 0) {
        close(fds[0]);
        run_child(limits, fn, arg, fds[1], parent);
    }
    close(fds[1]);
    int out = fds[0];
    fcntl(out, F_SETFL, fcntl(out, F_GETFL) | O_NONBLOCK);
    int pidfd = open_pidfd(pid);
    int64_t deadline = limits->wall_s ? now_ms() + (int64_t)limits->wall_s * 1000 : 0;
    char buf[65536];
    int pipe_open = 1;
    int status = 0;
    struct rusage ru;
    memset(&ru, 0, sizeof(ru));
    int reaped = 0;
    while (!reaped) {
        int timeout = -1;
        if (deadline) {
            int64_t left = deadline - now_ms();
            if (left <= 0 && !res->timed_out) {
                res->timed_out = 1;
                kill(pid, SIGKILL);
                left = 0;
            }
            timeout = left > 1000000 ? 1000000 : (int)left;
        }
        if (pidfd < 0 && (timeout < 0 || timeout > CHILD_POLL_MS))
            timeout = CHILD_POLL_MS;
        if (res->timed_out)
            timeout = CHILD_POLL_MS; /* killed: only waiting for it to go */
        struct pollfd p[2] = {{pipe_open ? out : -1, POLLIN, 0}, {pidfd, POLLIN, 0}};
        int n = poll(p, 2, timeout);
        if (n < 0 && errno != EINTR) {
            struct timespec pause = {0, CHILD_POLL_MS * 1000 * 1000};
            nanosleep(&pause, NULL);
        }
        if (n > 0 && pipe_open && (p[0].revents & (POLLIN | POLLHUP | POLLERR)))
            pipe_open = drain(out, buf, sizeof(buf), sink, sink_ctx, 0);
        pid_t w = wait4(pid, &status, WNOHANG, &ru);
        if (w == pid)
            reaped = 1;
        else if (w < 0 && errno != EINTR)
            break;
    }
    if (pipe_open)
        drain(out, buf, sizeof(buf), sink, sink_ctx, 1);
    close(out);
    if (pidfd >= 0)
        close(pidfd);
    if (!reaped) {
        /* wait4 failed: only possible if someone else reaped the child. */
        return IC_E_INTERNAL;
    }
    fill_result(status, &ru, limits, res);
    return IC_OK;
}
