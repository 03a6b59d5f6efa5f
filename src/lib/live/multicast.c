/* Multicast discovery, only with --multicast IFACE: one SSDP M-SEARCH to
 * 239.255.255.250:1900 (ff02::c) and one mDNS query for
 * _services._dns-sd._udp.local to 224.0.0.251:5353 (ff02::fb), then one
 * query per service type learnt, out of that interface only (TTL and hop
 * limit 1). Queries leave from an ordinary port, so responders answer us
 * directly (RFC 6762 section 6.7). Responders are listed, never contacted:
 * nothing is sent to their addresses and LOCATION URLs are not followed. */
#include "iotcop/error.h"
#include "live/live_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define DNS_TYPE_A 1
#define DNS_TYPE_PTR 12
#define DNS_TYPE_AAAA 28
#define DNS_TYPE_SRV 33
#define MULTICAST_WAIT_MIN_MS 1200u /* the M-SEARCH says MX 1: answers may wait a second */

static const char services_meta[] = "_services._dns-sd._udp.local";

/* ---- answers ------------------------------------------------------------------- */

static struct live_responder *responder(struct live_discovery *d, const char *interface,
                                        const char *host, const char *protocol, uint16_t port)
{
    for (size_t i = 0; i < d->count; i++)
        if (strcmp(d->items[i].host, host) == 0 && strcmp(d->items[i].protocol, protocol) == 0 &&
            strcmp(d->items[i].interface, interface) == 0)
            return &d->items[i];
    if (d->count >= IC_LIVE_MAX_RESPONDERS) {
        d->dropped++;
        return NULL;
    }
    if (d->count == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 8;
        struct live_responder *n = realloc(d->items, cap * sizeof(*n));
        if (!n)
            return NULL;
        d->items = n;
        d->cap = cap;
    }
    struct live_responder *r = &d->items[d->count++];
    memset(r, 0, sizeof(*r));
    snprintf(r->host, sizeof(r->host), "%s", host);
    r->interface = interface;
    r->protocol = protocol;
    r->port = port;
    return r;
}

static void add_item(char (*list)[LIVE_DNS_NAME_MAX], size_t *count, const char *item)
{
    for (size_t i = 0; i < *count; i++)
        if (strcasecmp(list[i], item) == 0)
            return;
    if (*count < LIVE_RESPONDER_LIST_MAX)
        snprintf(list[(*count)++], LIVE_DNS_NAME_MAX, "%s", item);
}

static void add_name(struct live_responder *r, const char *name)
{
    for (size_t i = 0; i < r->name_count; i++)
        if (strcasecmp(r->names[i], name) == 0)
            return;
    if (r->name_count < LIVE_RESPONDER_LIST_MAX)
        snprintf(r->names[r->name_count++], sizeof(r->names[0]), "%s", name);
}

static void on_record(void *arg, const struct live_dns_record *rec)
{
    struct live_responder *r = arg;
    char item[LIVE_DNS_NAME_MAX + 16];
    if (rec->type == DNS_TYPE_PTR && rec->target[0] && strcasecmp(rec->name, services_meta) == 0) {
        add_item(r->services, &r->service_count, rec->target);
    } else if (rec->type == DNS_TYPE_PTR && rec->target[0] && rec->name[0] == '_') {
        add_item(r->services, &r->service_count, rec->name); /* an instance of this type */
        add_name(r, rec->target);
    } else if (rec->type == DNS_TYPE_SRV && rec->name[0]) {
        snprintf(item, sizeof(item), "%s port %u", rec->name, rec->port);
        add_name(r, item);
    } else if ((rec->type == DNS_TYPE_A || rec->type == DNS_TYPE_AAAA) && rec->name[0]) {
        add_name(r, rec->name);
    }
}

int live_multicast_absorb(struct live_discovery *d, const char *interface, const char *host,
                          uint16_t port, const uint8_t *data, size_t len)
{
    if (port == 1900) {
        struct live_ssdp_reply reply;
        if (live_ssdp_parse(data, len, &reply) || reply.status != 200)
            return 0;
        struct live_responder *r = responder(d, interface, host, "ssdp", port);
        if (!r)
            return -1;
        /* The first reply, unless a later one brings the LOCATION it lacked. */
        if (!r->ssdp.status || (!r->ssdp.location[0] && reply.location[0]))
            r->ssdp = reply;
        if (reply.st[0])
            add_item(r->services, &r->service_count, reply.st);
        return 1;
    }
    if (port == 5353) {
        /* Parse first: only a well-formed response makes a responder. */
        if (live_dns_parse(data, len, 0, NULL, NULL) < 0)
            return 0;
        struct live_responder *r = responder(d, interface, host, "mdns", port);
        if (!r)
            return -1;
        live_dns_parse(data, len, 0, on_record, r);
        return 1;
    }
    return 0;
}

/* ---- sockets --------------------------------------------------------------------- */

struct mc_socket {
    int fd;
    int family;
    const char *interface;
    unsigned ifindex;
    char queried[LIVE_RESPONDER_LIST_MAX][LIVE_DNS_NAME_MAX]; /* mDNS names asked */
    size_t queried_count;
};

/* "--multicast IFACE: IPv4 WHAT (the system's reason)"; family 0 names none. */
static void warn(struct live_discovery *d, const char *interface, int family, const char *what,
                 int err)
{
    if (d->warning_count >= sizeof(d->warnings) / sizeof(d->warnings[0]))
        return;
    const char *name = family == AF_INET ? "IPv4 " : family == AF_INET6 ? "IPv6 " : "";
    snprintf(d->warnings[d->warning_count++], sizeof(d->warnings[0]), "--multicast %s: %s%s (%s)",
             interface, name, what, strerror(err));
}

/* A socket on an ephemeral port whose multicast goes out of ifindex only,
 * one hop, and does not come back to this machine. -1 on failure (errno). */
static int mc_open(int family, unsigned ifindex)
{
    int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int one = 1, off = 0, rc;
    if (family == AF_INET) {
        struct ip_mreqn m = {.imr_ifindex = (int)ifindex};
        struct sockaddr_in any = {.sin_family = AF_INET};
        rc = setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &m, sizeof(m)) ||
             setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &one, sizeof(one)) ||
             setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &off, sizeof(off)) ||
             bind(fd, (struct sockaddr *)&any, sizeof(any));
    } else {
        int index = (int)ifindex;
        struct sockaddr_in6 any = {.sin6_family = AF_INET6};
        rc = setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) ||
             setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &index, sizeof(index)) ||
             setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &one, sizeof(one)) ||
             setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &off, sizeof(off)) ||
             bind(fd, (struct sockaddr *)&any, sizeof(any));
    }
    if (rc) {
        int err = errno;
        close(fd);
        errno = err;
        return -1;
    }
    return fd;
}

/* Sends to a group (never to a unicast address). 0 or -1 (errno). */
static int mc_send(struct live_ctx *ctx, const struct mc_socket *m, const char *group,
                   uint16_t port, const void *data, size_t len)
{
    struct sockaddr_storage to;
    socklen_t to_len;
    memset(&to, 0, sizeof(to));
    if (m->family == AF_INET) {
        struct sockaddr_in *a = (struct sockaddr_in *)&to;
        a->sin_family = AF_INET;
        a->sin_port = htons(port);
        inet_pton(AF_INET, group, &a->sin_addr);
        to_len = sizeof(*a);
    } else {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&to;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons(port);
        a->sin6_scope_id = m->ifindex;
        inet_pton(AF_INET6, group, &a->sin6_addr);
        to_len = sizeof(*a);
    }
    if (live_rate_wait(ctx)) {
        errno = EINTR;
        return -1;
    }
    atomic_fetch_add(&ctx->connections, 1);
    ssize_t w = sendto(m->fd, data, len, MSG_NOSIGNAL, (struct sockaddr *)&to, to_len);
    return w == (ssize_t)len ? 0 : -1;
}

static int mdns_ask(struct live_ctx *ctx, struct mc_socket *m, const char *name)
{
    uint8_t query[300];
    size_t n = live_dns_query(query, sizeof(query), 0, name, DNS_TYPE_PTR, 1);
    if (!n || m->queried_count >= LIVE_RESPONDER_LIST_MAX)
        return 0;
    snprintf(m->queried[m->queried_count++], LIVE_DNS_NAME_MAX, "%s", name);
    return mc_send(ctx, m, m->family == AF_INET ? "224.0.0.251" : "ff02::fb", 5353, query, n);
}

/* Asks for the instances of every service type a responder named that
 * this socket has not asked for yet. */
static void mdns_follow(struct live_ctx *ctx, struct mc_socket *m, const struct live_responder *r)
{
    for (size_t i = 0; i < r->service_count; i++) {
        int asked = 0;
        for (size_t k = 0; k < m->queried_count && !asked; k++)
            asked = strcasecmp(m->queried[k], r->services[i]) == 0;
        if (!asked)
            mdns_ask(ctx, m, r->services[i]);
    }
}

static void mc_start(struct live_ctx *ctx, struct live_discovery *d, struct mc_socket *m)
{
    char search[300];
    const char *host = m->family == AF_INET ? "239.255.255.250" : "[ff02::c]";
    int n = snprintf(search, sizeof(search),
                     "M-SEARCH * HTTP/1.1\r\nHOST: %s:1900\r\nMAN: \"ssdp:discover\"\r\nMX: 1\r\n"
                     "ST: ssdp:all\r\nUSER-AGENT: iotcop UPnP/1.1\r\n\r\n",
                     host);
    if (mc_send(ctx, m, m->family == AF_INET ? "239.255.255.250" : "ff02::c", 1900, search,
                (size_t)n))
        warn(d, m->interface, m->family, "SSDP M-SEARCH not sent", errno);
    if (mdns_ask(ctx, m, services_meta))
        warn(d, m->interface, m->family, "mDNS query not sent", errno);
}

static void mc_read(struct live_ctx *ctx, struct live_discovery *d, struct mc_socket *m)
{
    uint8_t data[9000];
    for (;;) {
        struct sockaddr_storage from;
        socklen_t from_len = sizeof(from);
        ssize_t got = recvfrom(m->fd, data, sizeof(data), 0, (struct sockaddr *)&from, &from_len);
        if (got <= 0)
            return;
        char host[64 + IF_NAMESIZE];
        uint16_t port;
        if (from.ss_family == AF_INET) {
            const struct sockaddr_in *a = (const struct sockaddr_in *)&from;
            inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
            port = ntohs(a->sin_port);
        } else if (from.ss_family == AF_INET6) {
            const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&from;
            inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
            if (IN6_IS_ADDR_LINKLOCAL(&a->sin6_addr)) /* usable only with its interface */
                snprintf(host + strlen(host), sizeof(host) - strlen(host), "%%%s", m->interface);
            port = ntohs(a->sin6_port);
        } else {
            continue;
        }
        if (live_multicast_absorb(d, m->interface, host, port, data, (size_t)got) != 1)
            continue;
        if (port == 5353)
            for (size_t i = 0; i < d->count; i++)
                if (strcmp(d->items[i].host, host) == 0 && d->items[i].port == 5353 &&
                    strcmp(d->items[i].interface, m->interface) == 0)
                    mdns_follow(ctx, m, &d->items[i]);
    }
}

void live_multicast_discover(struct live_ctx *ctx, struct live_discovery *d)
{
    size_t count = ctx->o.multicast_count;
    if (!ctx->o.multicast || !count)
        return;
    if (count > IC_LIVE_MAX_MULTICAST)
        count = IC_LIVE_MAX_MULTICAST;
    struct mc_socket *socks = calloc(2 * count, sizeof(*socks));
    struct pollfd *polls = calloc(2 * count, sizeof(*polls));
    size_t open = 0;
    for (size_t i = 0; socks && polls && i < count; i++) {
        const char *name = ctx->o.multicast[i];
        unsigned ifindex = if_nametoindex(name);
        if (!ifindex) {
            warn(d, name, 0, "no such interface", ENODEV);
            continue;
        }
        static const int families[] = {AF_INET, AF_INET6};
        for (size_t f = 0; f < 2; f++) {
            struct mc_socket *m = &socks[open];
            memset(m, 0, sizeof(*m));
            m->family = families[f];
            m->interface = name;
            m->ifindex = ifindex;
            m->fd = mc_open(m->family, ifindex);
            if (m->fd < 0) {
                warn(d, name, m->family, "socket not opened", errno);
                continue;
            }
            mc_start(ctx, d, m);
            polls[open] = (struct pollfd){m->fd, POLLIN, 0};
            open++;
        }
    }
    unsigned wait_ms = ctx->o.connect_timeout_ms > MULTICAST_WAIT_MIN_MS ? ctx->o.connect_timeout_ms
                                                                         : MULTICAST_WAIT_MIN_MS;
    int64_t deadline = live_now_ns() + (int64_t)wait_ms * 1000000;
    while (open && !live_stopped(ctx)) {
        int64_t left = (deadline - live_now_ns()) / 1000000;
        if (left <= 0)
            break;
        int n = poll(polls, open, left > 100 ? 100 : (int)left);
        if (n < 0 && errno != EINTR)
            break;
        for (size_t i = 0; n > 0 && i < open; i++)
            if (polls[i].revents & POLLIN)
                mc_read(ctx, d, &socks[i]);
    }
    for (size_t i = 0; i < open; i++)
        close(socks[i].fd);
    free(socks);
    free(polls);
}

/* ---- into the reports --------------------------------------------------------------- */

void live_discovery_report(const struct live_discovery *d, struct ic_report *report)
{
    for (size_t i = 0; i < d->count; i++) {
        const struct live_responder *r = &d->items[i];
        const char *services[LIVE_RESPONDER_LIST_MAX + 1], *names[LIVE_RESPONDER_LIST_MAX + 1];
        for (size_t k = 0; k < r->service_count; k++)
            services[k] = r->services[k];
        services[r->service_count] = NULL;
        for (size_t k = 0; k < r->name_count; k++)
            names[k] = r->names[k];
        names[r->name_count] = NULL;
        int ssdp = r->port == 1900;
        struct ic_discovered x = {
            .host = r->host,
            .interface = r->interface,
            .protocol = r->protocol,
            .port = r->port,
            .server = ssdp && r->ssdp.server[0] ? r->ssdp.server : NULL,
            .usn = ssdp && r->ssdp.usn[0] ? r->ssdp.usn : NULL,
            .location = ssdp && r->ssdp.location[0] ? r->ssdp.location : NULL,
            .services = services,
            .names = names,
        };
        ic_report_add_discovered(report, &x);
    }
    for (size_t i = 0; i < d->warning_count; i++)
        ic_report_add_diagnostic(report, IC_E_IO, 0, NULL, d->warnings[i]);
    if (d->dropped) {
        char message[160];
        snprintf(message, sizeof(message),
                 "--multicast: more than %u responders; %zu answers of others were left out",
                 IC_LIVE_MAX_RESPONDERS, d->dropped);
        ic_report_add_diagnostic(report, IC_E_LIMIT_FILES, 0, NULL, message);
    }
}

void live_discovery_release(struct live_discovery *d)
{
    free(d->items);
    memset(d, 0, sizeof(*d));
}
