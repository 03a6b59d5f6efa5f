/* UDP for the live audit: connected non-blocking sockets with the same rate
 * cap, per-host gate and timeouts as the TCP probes, request/response with
 * retries, and the run of the UDP probes of one target. Never to a
 * multicast group (only --multicast sends there, multicast.c). */
#include "live/live_internal.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int live_udp_open(struct live_ctx *ctx, struct live_host_gate *gate,
                  const struct ic_live_target *target, uint16_t port, struct live_udp *u)
{
    u->fd = -1;
    u->ctx = ctx;
    u->gate = NULL;
    struct sockaddr_storage addr = target->addr;
    if (addr.ss_family == AF_INET)
        ((struct sockaddr_in *)&addr)->sin_port = htons(port);
    else
        ((struct sockaddr_in6 *)&addr)->sin6_port = htons(port);
    /* A group named as a target would make these datagrams multicast:
     * that is --multicast's job alone (multicast.c). */
    if (addr.ss_family == AF_INET
            ? IN_MULTICAST(ntohl(((struct sockaddr_in *)&addr)->sin_addr.s_addr))
            : IN6_IS_ADDR_MULTICAST(&((struct sockaddr_in6 *)&addr)->sin6_addr))
        return -1;
    live_gate_enter(ctx, gate);
    int fd = socket(addr.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&addr, target->addr_len) != 0) {
        if (fd >= 0)
            close(fd);
        live_gate_leave(gate);
        return -1;
    }
    u->fd = fd;
    u->gate = gate;
    return 0;
}

int live_udp_send(struct live_udp *u, const void *data, size_t len)
{
    if (live_rate_wait(u->ctx))
        return -1;
    atomic_fetch_add(&u->ctx->connections, 1);
    for (;;) {
        ssize_t w = send(u->fd, data, len, MSG_NOSIGNAL);
        if (w == (ssize_t)len)
            return 0;
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && errno == EAGAIN) {
            struct pollfd p = {u->fd, POLLOUT, 0};
            if (poll(&p, 1, (int)u->ctx->o.io_timeout_ms) > 0)
                continue;
        }
        return -1; /* ECONNREFUSED here: an earlier datagram met a closed port */
    }
}

ssize_t live_udp_recv(struct live_udp *u, uint8_t *buf, size_t size, unsigned timeout_ms)
{
    int64_t deadline = live_now_ns() + (int64_t)timeout_ms * 1000000;
    for (;;) {
        ssize_t r = recv(u->fd, buf, size, 0);
        if (r > 0)
            return r;
        if (r < 0 && errno != EAGAIN && errno != EINTR)
            return -1;
        int64_t left = (deadline - live_now_ns()) / 1000000;
        if (left <= 0 || live_stopped(u->ctx))
            return 0;
        struct pollfd p = {u->fd, POLLIN, 0};
        poll(&p, 1, left > 100 ? 100 : (int)left);
    }
}

void live_udp_close(struct live_udp *u)
{
    if (u->fd >= 0) {
        close(u->fd);
        live_gate_leave(u->gate);
    }
    u->fd = -1;
    u->gate = NULL;
}

ssize_t live_udp_exchange(struct live_ctx *ctx, struct live_host_gate *gate,
                          const struct ic_live_target *target, uint16_t port, const void *request,
                          size_t request_len, uint8_t *reply, size_t reply_size)
{
    struct live_udp u;
    if (live_udp_open(ctx, gate, target, port, &u))
        return -1;
    ssize_t got = 0;
    for (unsigned attempt = 0; attempt <= ctx->o.retries && !got; attempt++) {
        if (live_udp_send(&u, request, request_len)) {
            got = -1;
            break;
        }
        got = live_udp_recv(&u, reply, reply_size, ctx->o.connect_timeout_ms);
    }
    live_udp_close(&u);
    return got;
}

void live_udp_service(struct live_service *s, const char *name, const char *banner)
{
    s->transport = "udp";
    s->name = name;
    struct ic_service svc = {s->target->address, s->port, "udp", name, banner, NULL};
    ic_report_add_service(s->report, &svc);
    char evidence[IC_LIVE_BANNER_MAX + 96];
    if (banner && *banner)
        snprintf(evidence, sizeof(evidence), "udp/%u answers (%s); '%.300s'", s->port, name,
                 banner);
    else
        snprintf(evidence, sizeof(evidence), "udp/%u answers (%s)", s->port, name);
    live_finding(s, "device.open-service", evidence);
}
