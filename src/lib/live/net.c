/* Timed TCP connections for the probes, the connection-rate cap and the
 * per-host gate. Everything is non-blocking underneath, with poll(). */
#include "live/live_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

int64_t live_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void live_random(void *out, size_t n)
{
    uint8_t *p = out;
    if (getrandom(p, n, 0) == (ssize_t)n)
        return;
    uint64_t t = (uint64_t)live_now_ns();
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(t >> (8 * (i % 8))) ^ (uint8_t)(i * 151u);
}

int live_stopped(const struct live_ctx *ctx)
{
    return ctx->o.stop && *ctx->o.stop;
}

int64_t live_rate_take(struct live_rate *r)
{
    if (!r->per_second)
        return 0;
    int64_t step = 1000000000 / (int64_t)r->per_second;
    pthread_mutex_lock(&r->lock);
    int64_t now = live_now_ns(), wait = 0;
    if (r->next_ns < now - step) /* an idle period grants no burst beyond one slot */
        r->next_ns = now - step;
    if (r->next_ns > now)
        wait = r->next_ns - now;
    else
        r->next_ns += step;
    pthread_mutex_unlock(&r->lock);
    return wait;
}

int live_rate_wait(struct live_ctx *ctx)
{
    for (;;) {
        if (live_stopped(ctx))
            return -1;
        int64_t wait = live_rate_take(&ctx->rate);
        if (!wait)
            return 0;
        if (wait > 50000000)
            wait = 50000000; /* look at the stop flag now and then */
        struct timespec ts = {0, (long)wait};
        nanosleep(&ts, NULL);
    }
}

static void gate_enter(struct live_ctx *ctx, struct live_host_gate *g)
{
    if (!g)
        return;
    pthread_mutex_lock(&g->lock);
    while (g->in_use >= ctx->o.max_per_host)
        pthread_cond_wait(&g->cond, &g->lock);
    g->in_use++;
    pthread_mutex_unlock(&g->lock);
}

static void gate_leave(struct live_host_gate *g)
{
    if (!g)
        return;
    pthread_mutex_lock(&g->lock);
    g->in_use--;
    pthread_cond_signal(&g->cond);
    pthread_mutex_unlock(&g->lock);
}

enum trouble_kind {
    TROUBLE_OPENED,
    TROUBLE_SILENT,
    TROUBLE_RESET,
    TROUBLE_REFUSED,
    TROUBLE_TIMEOUT
};

/* Counts what happened to a probe connection to port, for the diagnostics. */
static void note_trouble(struct live_host_gate *g, uint16_t port, enum trouble_kind kind)
{
    if (!g)
        return;
    pthread_mutex_lock(&g->lock);
    struct live_port_trouble *t = NULL;
    for (size_t i = 0; i < g->trouble_count && !t; i++)
        if (g->trouble[i].port == port)
            t = &g->trouble[i];
    if (!t && g->trouble_count == g->trouble_cap) {
        size_t cap = g->trouble_cap ? g->trouble_cap * 2 : 8;
        struct live_port_trouble *n = realloc(g->trouble, cap * sizeof(*n));
        if (n) {
            g->trouble = n;
            g->trouble_cap = cap;
        }
    }
    if (!t && g->trouble_count < g->trouble_cap) {
        t = &g->trouble[g->trouble_count++];
        memset(t, 0, sizeof(*t));
        t->port = port;
    }
    if (t) {
        unsigned *field[] = {&t->connections, &t->silent, &t->reset, &t->refused, &t->timed_out};
        (*field[kind])++;
    }
    pthread_mutex_unlock(&g->lock);
}

/* One attempt: 0 connected, 1 timed out (worth a retry), -1 refused or failed. */
static int connect_once(struct live_ctx *ctx, const struct ic_live_target *target, uint16_t port,
                        int *fd_out)
{
    struct sockaddr_storage addr = target->addr;
    if (addr.ss_family == AF_INET)
        ((struct sockaddr_in *)&addr)->sin_port = htons(port);
    else
        ((struct sockaddr_in6 *)&addr)->sin6_port = htons(port);
    int fd = socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    atomic_fetch_add(&ctx->connections, 1);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (connect(fd, (struct sockaddr *)&addr, target->addr_len) == 0) {
        *fd_out = fd;
        return 0;
    }
    if (errno != EINPROGRESS) {
        close(fd);
        return -1;
    }
    struct pollfd p = {fd, POLLOUT, 0};
    int64_t deadline = live_now_ns() + (int64_t)ctx->o.connect_timeout_ms * 1000000;
    for (;;) {
        int64_t left = (deadline - live_now_ns()) / 1000000;
        if (left <= 0 || live_stopped(ctx)) {
            close(fd);
            return left <= 0 ? 1 : -1;
        }
        int n = poll(&p, 1, left > 100 ? 100 : (int)left);
        if (n < 0 && errno != EINTR) {
            close(fd);
            return -1;
        }
        if (n > 0)
            break;
    }
    int err = 0;
    socklen_t len = sizeof(err);
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err) {
        close(fd);
        return err == ETIMEDOUT ? 1 : -1;
    }
    *fd_out = fd;
    return 0;
}

int live_connect(struct live_ctx *ctx, struct live_host_gate *gate,
                 const struct ic_live_target *target, uint16_t port, struct live_conn *conn)
{
    memset(conn, 0, sizeof(*conn));
    conn->fd = -1;
    conn->ctx = ctx;
    conn->port = port;
    gate_enter(ctx, gate);
    int rc = -1;
    for (unsigned attempt = 0; attempt <= ctx->o.retries; attempt++) {
        if (live_rate_wait(ctx)) {
            rc = -1;
            break;
        }
        int fd = -1;
        rc = connect_once(ctx, target, port, &fd);
        if (rc == 0) {
            conn->fd = fd;
            conn->gate = gate;
            note_trouble(gate, port, TROUBLE_OPENED);
            return 0;
        }
        if (rc < 0)
            break;
    }
    if (!live_stopped(ctx))
        note_trouble(gate, port, rc > 0 ? TROUBLE_TIMEOUT : TROUBLE_REFUSED);
    gate_leave(gate);
    return -1;
}

int live_send(struct live_conn *c, const void *data, size_t len)
{
    if (c->tls)
        return live_tls_send(c, data, len);
    const uint8_t *p = data;
    int64_t deadline = live_now_ns() + (int64_t)c->ctx->o.io_timeout_ms * 1000000;
    while (len) {
        ssize_t w = send(c->fd, p, len, MSG_NOSIGNAL);
        if (w > 0) {
            p += w;
            len -= (size_t)w;
            continue;
        }
        if (w < 0 && errno != EAGAIN && errno != EINTR) {
            c->reset |= errno == ECONNRESET || errno == EPIPE;
            return -1;
        }
        int64_t left = (deadline - live_now_ns()) / 1000000;
        if (left <= 0 || live_stopped(c->ctx))
            return -1;
        struct pollfd pf = {c->fd, POLLOUT, 0};
        poll(&pf, 1, left > 100 ? 100 : (int)left);
    }
    return 0;
}

ssize_t live_recv(struct live_conn *c, void *buf, size_t len, unsigned timeout_ms)
{
    if (c->tls)
        return live_tls_recv(c, buf, len, timeout_ms);
    if (!timeout_ms)
        timeout_ms = c->ctx->o.io_timeout_ms;
    int64_t deadline = live_now_ns() + (int64_t)timeout_ms * 1000000;
    for (;;) {
        ssize_t r = recv(c->fd, buf, len, 0);
        if (r >= 0) {
            c->received += (size_t)r;
            return r;
        }
        if (errno != EAGAIN && errno != EINTR) {
            c->reset |= errno == ECONNRESET;
            return -1;
        }
        int64_t left = (deadline - live_now_ns()) / 1000000;
        if (left <= 0 && !live_stopped(c->ctx))
            c->read_timed_out = 1;
        if (left <= 0 || live_stopped(c->ctx))
            return -1;
        struct pollfd pf = {c->fd, POLLIN, 0};
        poll(&pf, 1, left > 100 ? 100 : (int)left);
    }
}

void live_close(struct live_conn *c)
{
    live_tls_end(c);
    if (c->fd >= 0) {
        if (c->reset)
            note_trouble(c->gate, c->port, TROUBLE_RESET);
        else if (c->read_timed_out && !c->received)
            note_trouble(c->gate, c->port, TROUBLE_SILENT);
        close(c->fd);
        gate_leave(c->gate);
    }
    c->fd = -1;
    c->gate = NULL;
}

void live_gate_enter(struct live_ctx *ctx, struct live_host_gate *gate)
{
    gate_enter(ctx, gate);
}

void live_gate_leave(struct live_host_gate *gate)
{
    gate_leave(gate);
}
