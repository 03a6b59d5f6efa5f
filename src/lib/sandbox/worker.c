#include "iotcop/worker.h"
#include "iotcop/error.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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

int ic_worker_run(const struct ic_worker_limits *limits, ic_worker_fn fn, void *arg,
                  ic_worker_sink sink, void *sink_ctx, struct ic_worker_result *res)
{
    memset(res, 0, sizeof(*res));
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        return IC_E_IO;
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return IC_E_IO;
    }
    if (pid == 0) {
        close(fds[0]);
        set_limit(RLIMIT_CPU, limits->cpu_s);
        set_limit(RLIMIT_AS, limits->memory_bytes);
        set_limit(RLIMIT_CORE, 0);
        int rc = fn(arg, fds[1]);
        close(fds[1]);
        _exit(rc & 0xff);
    }
    close(fds[1]);
    int64_t deadline = limits->wall_s ? now_ms() + (int64_t)limits->wall_s * 1000 : 0;
    char buf[65536];
    int open_pipe = 1;
    while (open_pipe) {
        int timeout = -1;
        if (deadline) {
            int64_t left = deadline - now_ms();
            if (left <= 0) {
                res->timed_out = 1;
                kill(pid, SIGKILL);
                break;
            }
            timeout = left > 1000000 ? 1000000 : (int)left;
        }
        struct pollfd p = {fds[0], POLLIN, 0};
        int n = poll(&p, 1, timeout);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            continue;
        ssize_t got = read(fds[0], buf, sizeof(buf));
        if (got > 0) {
            if (sink)
                sink(sink_ctx, buf, (size_t)got);
        } else if (got == 0 || errno != EINTR) {
            open_pipe = 0;
        }
    }
    close(fds[0]);
    int status = 0;
    for (;;) {
        pid_t w = waitpid(pid, &status, deadline ? WNOHANG : 0);
        if (w == pid)
            break;
        if (w < 0 && errno != EINTR)
            return IC_E_INTERNAL;
        if (w == 0) {
            /* Output closed but the child lives on: it still has the deadline. */
            if (now_ms() >= deadline) {
                res->timed_out = 1;
                kill(pid, SIGKILL);
                deadline = 0;
            } else {
                struct timespec pause = {0, 10 * 1000 * 1000};
                nanosleep(&pause, NULL);
            }
        }
    }
    if (WIFEXITED(status)) {
        res->exited = 1;
        res->exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        res->signal = WTERMSIG(status);
        if (res->signal == SIGXCPU)
            res->cpu_limit = 1;
    }
    return IC_OK;
}
