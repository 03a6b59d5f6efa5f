/* The live audit: one epoll event loop runs the connect scan of every
 * (target, port) pair under the global and per-host limits and the rate
 * cap, and reads what each open port says first (its banner). Then every
 * open service is identified and its probe runs (in a pool of threads;
 * probe connections pass the same rate cap and per-host gate), and each
 * target's findings, services and coverage go into its report. */
#include "core/pool.h"
#include "iotcop/error.h"
#include "live/live_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

const uint16_t ic_live_default_ports[] = {
    23,   2323, 22, 80,    8080, 8000, 8081,  8888,  443, 8443, 21,  554, 8554, 1883, 8883, 7547,
    5555, 502,  81, 49152, 5000, 9000, 37777, 34567, 25,  587,  465, 110, 995,  143,  993,
};
const size_t ic_live_default_port_count =
    sizeof(ic_live_default_ports) / sizeof(ic_live_default_ports[0]);

/* In the order banners are matched: SMTP's "220 ... ESMTP" before FTP's "220". */
static const struct live_probe *const probes[] = {
    &live_probe_telnet, &live_probe_smtp,  &live_probe_ftp,   &live_probe_http,  &live_probe_mqtt,
    &live_probe_ssh,    &live_probe_https, &live_probe_mqtts, &live_probe_rtsp,  &live_probe_imap,
    &live_probe_pop3,   &live_probe_smtps, &live_probe_imaps, &live_probe_pop3s,
};
#define PROBE_COUNT (sizeof(probes) / sizeof(probes[0]))

static const struct live_udp_probe *const udp_probes[] = {
    &live_udp_probe_snmp,
    &live_udp_probe_coap,
    &live_udp_probe_mdns,
    &live_udp_probe_ssdp,
};
#define UDP_PROBE_COUNT (sizeof(udp_probes) / sizeof(udp_probes[0]))

void ic_live_options_default(struct ic_live_options *o)
{
    memset(o, 0, sizeof(*o));
    o->connect_timeout_ms = IC_LIVE_DEFAULT_CONNECT_TIMEOUT_MS;
    o->io_timeout_ms = IC_LIVE_DEFAULT_IO_TIMEOUT_MS;
    o->banner_wait_ms = IC_LIVE_DEFAULT_BANNER_WAIT_MS;
    o->retries = IC_LIVE_DEFAULT_RETRIES;
    o->max_connections = IC_LIVE_DEFAULT_MAX_CONNECTIONS;
    o->max_per_host = IC_LIVE_DEFAULT_MAX_PER_HOST;
    o->rate = IC_LIVE_DEFAULT_RATE;
    o->credentials_per_service = IC_LIVE_DEFAULT_CREDENTIALS_PER_SERVICE;
    o->login_tasks = IC_LIVE_DEFAULT_LOGIN_TASKS;
}

int ic_live_parse_ports(const char *text, uint16_t *ports, size_t max, size_t *count)
{
    size_t n = 0;
    const char *p = text;
    if (!text || !*text)
        return IC_E_INVALID_ARG;
    while (*p) {
        char *end = NULL;
        if (*p < '0' || *p > '9')
            return IC_E_INVALID_ARG;
        unsigned long lo = strtoul(p, &end, 10), hi = lo;
        p = end;
        if (*p == '-') {
            p++;
            if (*p < '0' || *p > '9')
                return IC_E_INVALID_ARG;
            hi = strtoul(p, &end, 10);
            p = end;
        }
        if (lo == 0 || hi > 65535 || lo > hi)
            return IC_E_INVALID_ARG;
        for (unsigned long v = lo; v <= hi; v++) {
            int dup = 0;
            for (size_t i = 0; i < n && !dup; i++)
                dup = ports[i] == v;
            if (dup)
                continue;
            if (n >= max)
                return IC_E_INVALID_ARG;
            ports[n++] = (uint16_t)v;
        }
        if (*p == ',' && p[1])
            p++;
        else if (*p)
            return IC_E_INVALID_ARG;
    }
    *count = n;
    return IC_OK;
}

/* ---- the scan ------------------------------------------------------------------ */

enum slot_state { SLOT_FREE, SLOT_CONNECTING, SLOT_BANNER };

struct slot {
    enum slot_state state;
    int fd;
    size_t target;
    size_t port_index;
    unsigned attempt;
    int64_t deadline;
};

struct open_port {
    size_t target;
    uint16_t port;
    uint8_t banner[IC_LIVE_BANNER_MAX];
    size_t banner_len;
};

struct scan {
    struct live_ctx *ctx;
    const struct ic_live_targets *t;
    const uint16_t *ports;
    size_t port_count;
    int epoll;
    struct slot *slots;
    size_t active;
    unsigned *host_active;
    unsigned char *alive;
    struct open_port *open;
    size_t open_count, open_cap;
    struct slot *retry; /* pairs to try again (target, port, attempt) */
    size_t retry_count, retry_cap;
    unsigned char *unreachable; /* per target: a connect said no route to it */
    size_t local_errors;        /* sockets this machine could not open */
    int local_errno;
};

static int add_open(struct scan *sc, const struct slot *s, const uint8_t *banner, size_t len)
{
    if (sc->open_count == sc->open_cap) {
        size_t cap = sc->open_cap ? sc->open_cap * 2 : 32;
        struct open_port *n = realloc(sc->open, cap * sizeof(*n));
        if (!n)
            return IC_E_NOMEM;
        sc->open = n;
        sc->open_cap = cap;
    }
    struct open_port *o = &sc->open[sc->open_count++];
    o->target = s->target;
    o->port = sc->ports[s->port_index];
    o->banner_len = len > IC_LIVE_BANNER_MAX ? IC_LIVE_BANNER_MAX : len;
    if (o->banner_len)
        memcpy(o->banner, banner, o->banner_len);
    return IC_OK;
}

static void slot_end(struct scan *sc, struct slot *s)
{
    if (s->fd >= 0) {
        epoll_ctl(sc->epoll, EPOLL_CTL_DEL, s->fd, NULL);
        close(s->fd);
    }
    s->fd = -1;
    s->state = SLOT_FREE;
    sc->active--;
    sc->host_active[s->target]--;
}

static void slot_retry(struct scan *sc, struct slot *s)
{
    if (s->attempt < sc->ctx->o.retries) {
        if (sc->retry_count == sc->retry_cap) {
            size_t cap = sc->retry_cap ? sc->retry_cap * 2 : 32;
            struct slot *n = realloc(sc->retry, cap * sizeof(*n));
            if (!n)
                goto end;
            sc->retry = n;
            sc->retry_cap = cap;
        }
        struct slot r = *s;
        r.attempt++;
        sc->retry[sc->retry_count++] = r;
    }
end:
    slot_end(sc, s);
}

/* Starts a connection in a free slot; returns -1 when it ended at once. */
static int slot_start(struct scan *sc, struct slot *s, size_t target, size_t port_index,
                      unsigned attempt)
{
    const struct ic_live_target *x = &sc->t->items[target];
    struct sockaddr_storage addr = x->addr;
    uint16_t port = sc->ports[port_index];
    if (addr.ss_family == AF_INET)
        ((struct sockaddr_in *)&addr)->sin_port = htons(port);
    else
        ((struct sockaddr_in6 *)&addr)->sin6_port = htons(port);
    *s = (struct slot){SLOT_CONNECTING, -1, target, port_index, attempt, 0};
    sc->active++;
    sc->host_active[target]++;
    s->fd = socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s->fd < 0) {
        sc->local_errors++;
        sc->local_errno = errno;
        slot_end(sc, s);
        return -1;
    }
    atomic_fetch_add(&sc->ctx->connections, 1);
    int64_t now = live_now_ns();
    int rc = connect(s->fd, (struct sockaddr *)&addr, x->addr_len);
    struct epoll_event ev = {.data.ptr = s};
    if (rc == 0) {
        s->state = SLOT_BANNER;
        s->deadline = now + (int64_t)sc->ctx->o.banner_wait_ms * 1000000;
        sc->alive[target] = 1;
        ev.events = EPOLLIN | EPOLLRDHUP;
    } else if (errno == EINPROGRESS) {
        s->deadline = now + (int64_t)sc->ctx->o.connect_timeout_ms * 1000000;
        ev.events = EPOLLOUT;
    } else {
        if (errno == ECONNREFUSED)
            sc->alive[target] = 1;
        if (errno == EHOSTUNREACH || errno == ENETUNREACH)
            sc->unreachable[target] = 1;
        slot_end(sc, s);
        return -1;
    }
    if (epoll_ctl(sc->epoll, EPOLL_CTL_ADD, s->fd, &ev) != 0) {
        slot_end(sc, s);
        return -1;
    }
    return 0;
}

static void slot_event(struct scan *sc, struct slot *s, uint32_t events)
{
    if (s->state == SLOT_CONNECTING) {
        int err = 0;
        socklen_t len = sizeof(err);
        if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
            err = errno;
        if (err) {
            /* Refused or reset: the host is there, the port is not open. */
            if (err != ETIMEDOUT && err != EHOSTUNREACH && err != ENETUNREACH && err != EHOSTDOWN)
                sc->alive[s->target] = 1;
            else if (err != ETIMEDOUT)
                sc->unreachable[s->target] = 1;
            if (err == ETIMEDOUT)
                slot_retry(sc, s);
            else
                slot_end(sc, s);
            return;
        }
        sc->alive[s->target] = 1;
        s->state = SLOT_BANNER;
        s->deadline = live_now_ns() + (int64_t)sc->ctx->o.banner_wait_ms * 1000000;
        struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = s};
        epoll_ctl(sc->epoll, EPOLL_CTL_MOD, s->fd, &ev);
        return;
    }
    /* SLOT_BANNER: the first bytes the service sends, if any. */
    uint8_t banner[IC_LIVE_BANNER_MAX];
    ssize_t n = recv(s->fd, banner, sizeof(banner), 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR) && !(events & (EPOLLERR | EPOLLHUP)))
        return;
    add_open(sc, s, banner, n > 0 ? (size_t)n : 0);
    slot_end(sc, s);
}

static void slot_expire(struct scan *sc, struct slot *s)
{
    if (s->state == SLOT_CONNECTING) {
        slot_retry(sc, s); /* no answer: filtered, or lost; try again */
    } else {
        add_open(sc, s, NULL, 0); /* open, silent */
        slot_end(sc, s);
    }
}

static int run_scan(struct scan *sc)
{
    const struct ic_live_options *o = &sc->ctx->o;
    size_t total = sc->t->count * sc->port_count, next = 0;
    struct epoll_event events[64];
    int rc = IC_OK;
    while ((next < total || sc->retry_count || sc->active) && !live_stopped(sc->ctx)) {
        int timeout_ms = 100;
        /* Start what the limits allow. */
        while (sc->active < o->max_connections && (sc->retry_count || next < total)) {
            size_t target, port_index;
            unsigned attempt = 0;
            if (sc->retry_count) {
                target = sc->retry[sc->retry_count - 1].target;
                port_index = sc->retry[sc->retry_count - 1].port_index;
                attempt = sc->retry[sc->retry_count - 1].attempt;
            } else {
                /* Port-major order spreads the load over the hosts. */
                port_index = next / sc->t->count;
                target = next % sc->t->count;
            }
            if (sc->host_active[target] >= o->max_per_host)
                break;
            int64_t wait = live_rate_take(&sc->ctx->rate);
            if (wait) {
                timeout_ms = (int)(wait / 1000000) + 1;
                break;
            }
            if (sc->retry_count)
                sc->retry_count--;
            else
                next++;
            struct slot *s = NULL;
            for (size_t i = 0; i < o->max_connections && !s; i++)
                if (sc->slots[i].state == SLOT_FREE)
                    s = &sc->slots[i];
            if (!s)
                break;
            slot_start(sc, s, target, port_index, attempt);
        }
        int64_t now = live_now_ns();
        for (size_t i = 0; i < o->max_connections; i++)
            if (sc->slots[i].state != SLOT_FREE) {
                int64_t left = (sc->slots[i].deadline - now) / 1000000 + 1;
                if (left < timeout_ms)
                    timeout_ms = left < 0 ? 0 : (int)left;
            }
        int n = epoll_wait(sc->epoll, events, 64, timeout_ms);
        if (n < 0 && errno != EINTR) {
            rc = IC_E_IO;
            break;
        }
        for (int i = 0; i < n; i++) {
            struct slot *s = events[i].data.ptr;
            if (s->state != SLOT_FREE)
                slot_event(sc, s, events[i].events);
        }
        now = live_now_ns();
        for (size_t i = 0; i < o->max_connections; i++)
            if (sc->slots[i].state != SLOT_FREE && sc->slots[i].deadline <= now)
                slot_expire(sc, &sc->slots[i]);
    }
    for (size_t i = 0; i < o->max_connections; i++)
        if (sc->slots[i].state != SLOT_FREE)
            slot_end(sc, &sc->slots[i]);
    return rc;
}

/* ---- probes and reports ------------------------------------------------------- */

static const struct live_probe *identify(const struct open_port *p)
{
    for (size_t i = 0; i < PROBE_COUNT; i++)
        if (p->banner_len && probes[i]->banner_says &&
            probes[i]->banner_says(p->banner, p->banner_len))
            return probes[i];
    for (size_t i = 0; i < PROBE_COUNT; i++)
        for (const uint16_t *q = probes[i]->ports; *q; q++)
            if (*q == p->port)
                return probes[i];
    return NULL;
}

static void run_probe(void *arg, size_t index)
{
    struct live_service *s = &((struct live_service *)arg)[index];
    if (live_stopped(s->ctx))
        return;
    if (s->udp)
        s->udp->run(s);
    else if (s->probe)
        s->probe->run(s);
    if ((s->probe == &live_probe_http || (s->probe == &live_probe_https && s->use_tls)) &&
        !live_stopped(s->ctx))
        live_webform_run(s); /* login forms of the same web server */
    live_lockout_run(s);     /* --intrusive only */
}

static const struct ic_coverage device_coverage[] = {
    {"5.1-1", 0, 1}, {"5.5-1", 0, 1}, {"5.5-4", 0, 1}, {"5.5-7", 0, 1}, {"5.6-1", 0, 1},
};
static const struct ic_coverage web_coverage[] = {
    {"5.2-1", 0, 1},
};

static void report_service(struct live_service *s)
{
    char banner[IC_LIVE_BANNER_MAX + 1], evidence[IC_LIVE_BANNER_MAX + 96];
    /* A telnet banner is mostly negotiation: show the text only. */
    const uint8_t *b = s->banner;
    size_t n = s->banner_len;
    while (n >= 3 && b[0] == 255) {
        b += 3;
        n -= 3;
    }
    /* The first line of text (an SSH banner is followed by binary KEXINIT). */
    while (n && (b[0] == '\r' || b[0] == '\n')) {
        b++;
        n--;
    }
    for (size_t i = 0; i < n; i++)
        if (b[i] == '\r' || b[i] == '\n') {
            n = i;
            break;
        }
    live_printable(b, n, banner, sizeof(banner));
    const char *name = s->probe ? s->probe->name : "unknown";
    struct ic_service_tls tls = {s->tls.version,
                                 s->tls.cipher,
                                 s->tls.subject[0] ? s->tls.subject : NULL,
                                 s->tls.issuer[0] ? s->tls.issuer : NULL,
                                 s->tls.not_after[0] ? s->tls.not_after : NULL,
                                 s->tls.self_signed,
                                 s->tls.key_bits,
                                 s->tls.versions_tested,
                                 s->tls.versions_accepted,
                                 s->tls.starttls};
    struct ic_service svc = {s->target->address,          s->port, "tcp", name, n ? banner : NULL,
                             s->tls.present ? &tls : NULL};
    ic_report_add_service(s->report, &svc);
    if (n)
        snprintf(evidence, sizeof(evidence), "tcp/%u open (%s); banner '%.200s'", s->port, name,
                 banner);
    else
        snprintf(evidence, sizeof(evidence), "tcp/%u open (%s)", s->port, name);
    live_finding(s, "device.open-service", evidence);
}

/* The diagnostics of one host's probe connections (net.c counts them per
 * port): ports that accepted and never answered, reset, refused or timed
 * out, in port order. */
static void report_trouble(struct live_host_gate *g, const struct live_service *services,
                           size_t count, const struct ic_live_target *target,
                           struct ic_report *report)
{
    for (size_t i = 0; i < g->trouble_count; i++) {
        size_t first = i;
        for (size_t k = i + 1; k < g->trouble_count; k++)
            if (g->trouble[k].port < g->trouble[first].port)
                first = k;
        struct live_port_trouble t = g->trouble[first];
        g->trouble[first] = g->trouble[i];
        g->trouble[i] = t;
        const char *name = "unknown";
        for (size_t k = 0; k < count; k++)
            if (services[k].target == target && services[k].port == t.port && !services[k].udp &&
                services[k].probe)
                name = services[k].probe->name;
        char where[64], message[256];
        snprintf(where, sizeof(where), "tcp/%u (%s)", t.port, name);
        if (t.silent) {
            snprintf(message, sizeof(message),
                     "%s: %u of %u probe connections were accepted but never answered within "
                     "the timeout (a tarpit, or a busy service); a check left unanswered is "
                     "not settled",
                     where, t.silent, t.connections);
            ic_report_add_diagnostic(report, IC_E_LIMIT_TIME, 0, NULL, message);
        }
        if (t.reset) {
            snprintf(message, sizeof(message),
                     "%s: the peer reset %u of %u probe connections; a check cut short is not "
                     "settled",
                     where, t.reset, t.connections);
            ic_report_add_diagnostic(report, IC_E_IO, 0, NULL, message);
        }
        if (t.refused) {
            snprintf(message, sizeof(message),
                     "%s: %u probe connection attempts refused or failed after the scan found "
                     "the port open",
                     where, t.refused);
            ic_report_add_diagnostic(report, IC_E_IO, 0, NULL, message);
        }
        if (t.timed_out) {
            snprintf(message, sizeof(message), "%s: %u probe connection attempts timed out", where,
                     t.timed_out);
            ic_report_add_diagnostic(report, IC_E_LIMIT_TIME, 0, NULL, message);
        }
    }
}

int ic_live_audit(const struct ic_live_targets *t, const struct ic_live_options *options,
                  const char *options_text, struct ic_report **reports, struct ic_live_stats *stats)
{
    if (!t || !options || !reports)
        return IC_E_INVALID_ARG;
    struct live_ctx ctx;
    memset(&ctx, 0, sizeof(ctx));
    ctx.o = *options;
    struct ic_live_options d;
    ic_live_options_default(&d);
#define DEFAULT(field)                                                                             \
    if (!ctx.o.field)                                                                              \
    ctx.o.field = d.field
    DEFAULT(connect_timeout_ms);
    DEFAULT(io_timeout_ms);
    DEFAULT(banner_wait_ms);
    DEFAULT(max_connections);
    DEFAULT(max_per_host);
    DEFAULT(credentials_per_service);
    DEFAULT(login_tasks);
#undef DEFAULT
    if (!ctx.o.ports) {
        ctx.o.ports = ic_live_default_ports;
        ctx.o.port_count = ic_live_default_port_count;
    }
    pthread_mutex_init(&ctx.rate.lock, NULL);
    ctx.rate.per_second = ctx.o.rate;
    ctx.rate.next_ns = live_now_ns();

    int rc = IC_OK;
    for (size_t i = 0; i < t->count; i++)
        reports[i] = NULL;
    struct scan sc = {.ctx = &ctx, .t = t, .ports = ctx.o.ports, .port_count = ctx.o.port_count};
    struct live_host_gate *gates = calloc(t->count ? t->count : 1, sizeof(*gates));
    sc.slots = calloc(ctx.o.max_connections, sizeof(*sc.slots));
    sc.host_active = calloc(t->count ? t->count : 1, sizeof(*sc.host_active));
    sc.alive = calloc(t->count ? t->count : 1, 1);
    sc.unreachable = calloc(t->count ? t->count : 1, 1);
    sc.epoll = epoll_create1(EPOLL_CLOEXEC);
    struct live_service *services = NULL;
    struct live_discovery discovery = {0};
    if (!gates || !sc.slots || !sc.host_active || !sc.alive || !sc.unreachable || sc.epoll < 0) {
        rc = sc.epoll < 0 ? IC_E_IO : IC_E_NOMEM;
        goto done;
    }
    for (size_t i = 0; i < t->count; i++) {
        pthread_mutex_init(&gates[i].lock, NULL);
        pthread_cond_init(&gates[i].cond, NULL);
        if ((rc = ic_report_new(&reports[i])) != IC_OK)
            goto done;
        ic_report_set_device_target(reports[i], t->items[i].address,
                                    t->items[i].hostname[0] ? t->items[i].hostname : NULL);
        ic_report_set_run(reports[i], -1, -1, options_text);
    }
    for (size_t i = 0; i < ctx.o.max_connections; i++)
        sc.slots[i].fd = -1;

    /* Multicast discovery first (--multicast only): its responders are
     * listed in every report, never probed unless they are targets too. */
    live_multicast_discover(&ctx, &discovery);
    for (size_t i = 0; i < t->count; i++)
        live_discovery_report(&discovery, reports[i]);

    rc = run_scan(&sc);

    /* The TCP services first, then one UDP probe job per target and UDP probe. */
    size_t udp_jobs = ctx.o.no_udp ? 0 : t->count * UDP_PROBE_COUNT;
    size_t jobs = sc.open_count + udp_jobs;
    services = calloc(jobs ? jobs : 1, sizeof(*services));
    if (!services) {
        rc = IC_E_NOMEM;
        goto done;
    }
    for (size_t i = 0; i < sc.open_count; i++) {
        struct live_service *s = &services[i];
        const struct open_port *p = &sc.open[i];
        s->ctx = &ctx;
        s->target = &t->items[p->target];
        s->gate = &gates[p->target];
        s->report = reports[p->target];
        s->port = p->port;
        memcpy(s->banner, p->banner, p->banner_len);
        s->banner_len = p->banner_len;
        s->probe = identify(p);
    }
    for (size_t i = 0; i < udp_jobs; i++) {
        struct live_service *s = &services[sc.open_count + i];
        size_t target = i / UDP_PROBE_COUNT;
        s->ctx = &ctx;
        if (t->items[target].from_range && !sc.alive[target])
            continue; /* an address of a range where nothing answered: left alone */
        s->target = &t->items[target];
        s->gate = &gates[target];
        s->report = reports[target];
        s->udp = udp_probes[i % UDP_PROBE_COUNT];
        s->port = s->udp->port;
        s->transport = "udp";
        s->name = s->udp->name;
    }
    if (jobs && !live_stopped(&ctx)) {
        unsigned threads = jobs < 32 ? (unsigned)jobs : 32;
        struct ic_pool *pool = ic_pool_new(threads);
        if (pool) {
            ic_pool_for(pool, jobs, run_probe, services);
            ic_pool_free(pool);
        } else {
            for (size_t i = 0; i < jobs; i++)
                run_probe(services, i);
        }
    }
    for (size_t i = 0; i < sc.open_count; i++)
        report_service(&services[i]);
    for (size_t i = 0; i < t->count; i++) {
        int web = 0;
        for (size_t k = 0; k < sc.open_count; k++)
            web |= services[k].target == &t->items[i] && (services[k].probe == &live_probe_http ||
                                                          services[k].probe == &live_probe_https);
        report_trouble(&gates[i], services, jobs, &t->items[i], reports[i]);
        if (sc.local_errors) {
            char message[200];
            snprintf(message, sizeof(message),
                     "%zu connection attempts could not be made on this machine (%s); their "
                     "ports were not scanned",
                     sc.local_errors, strerror(sc.local_errno));
            ic_report_add_diagnostic(reports[i], IC_E_IO, 1, NULL, message);
        }
        if (live_stopped(&ctx)) {
            ic_report_add_diagnostic(reports[i], IC_E_INTERRUPTED, 1, NULL,
                                     "interrupted: the report holds what was done until then");
            continue; /* nothing settled: no coverage */
        }
        ic_report_note_coverage(reports[i], "device", device_coverage,
                                sizeof(device_coverage) / sizeof(device_coverage[0]));
        if (web)
            ic_report_note_coverage(reports[i], "device", web_coverage, 1);
        if (!sc.alive[i] && !reports[i]->service_count)
            ic_report_add_diagnostic(reports[i], IC_E_NOT_FOUND, 0, NULL,
                                     sc.unreachable[i]
                                         ? "the host answered on none of the ports scanned "
                                           "(no route to it: host or network unreachable)"
                                         : "the host answered on none of the ports scanned");
    }
    if (rc == IC_OK && live_stopped(&ctx))
        rc = IC_E_INTERRUPTED;
done:
    if (stats) {
        stats->connections = atomic_load(&ctx.connections);
        stats->open_ports = sc.open_count;
        stats->logins_tried = atomic_load(&ctx.logins_tried);
    }
    if (gates)
        for (size_t i = 0; i < t->count; i++) {
            pthread_mutex_destroy(&gates[i].lock);
            pthread_cond_destroy(&gates[i].cond);
            free(gates[i].trouble);
        }
    if (sc.epoll >= 0)
        close(sc.epoll);
    pthread_mutex_destroy(&ctx.rate.lock);
    live_discovery_release(&discovery);
    free(services);
    free(gates);
    free(sc.slots);
    free(sc.host_active);
    free(sc.alive);
    free(sc.unreachable);
    free(sc.open);
    free(sc.retry);
    if (rc != IC_OK && rc != IC_E_INTERRUPTED)
        for (size_t i = 0; i < t->count; i++) {
            ic_report_free(reports[i]);
            reports[i] = NULL;
        }
    return rc;
}
