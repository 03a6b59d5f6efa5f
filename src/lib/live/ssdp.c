/* SSDP (udp/1900): a unicast M-SEARCH to the named host, the replies'
 * headers, and the UPnP device description at LOCATION, fetched only when
 * LOCATION names the same host (a pointer elsewhere is reported, never
 * followed). Multicast discovery is not done here. */
#include "core/buf.h"
#include "live/live_internal.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void copy_value(const uint8_t *p, size_t n, char *out, size_t size)
{
    while (n && (*p == ' ' || *p == '\t')) {
        p++;
        n--;
    }
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r'))
        n--;
    live_printable(p, n < size ? n : size - 1, out, size);
}

int live_ssdp_parse(const uint8_t *data, size_t len, struct live_ssdp_reply *out)
{
    memset(out, 0, sizeof(*out));
    if (len < 12 || memcmp(data, "HTTP/1.", 7) != 0 || data[8] != ' ')
        return -1;
    int status = 0;
    for (size_t i = 9; i < 12; i++) {
        if (!isdigit(data[i]))
            return -1;
        status = status * 10 + (data[i] - '0');
    }
    out->status = status;
    size_t pos = 0;
    while (pos < len && data[pos] != '\n')
        pos++;
    while (++pos < len) {
        size_t end = pos;
        while (end < len && data[end] != '\n')
            end++;
        const uint8_t *line = data + pos;
        size_t n = end - pos, colon = 0;
        while (colon < n && line[colon] != ':')
            colon++;
        if (colon < n) {
            const uint8_t *v = line + colon + 1;
            size_t vn = n - colon - 1;
#define HEADER(name, field)                                                                        \
    if (colon == sizeof(name) - 1 && strncasecmp((const char *)line, name, colon) == 0)            \
    copy_value(v, vn, out->field, sizeof(out->field))
            HEADER("LOCATION", location);
            HEADER("SERVER", server);
            HEADER("ST", st);
            HEADER("USN", usn);
#undef HEADER
        } else if (n == 0 || (n == 1 && line[0] == '\r')) {
            break;
        }
        pos = end;
    }
    return 0;
}

/* The text of the first <tag>...</tag> at or after *from, printable. */
static int xml_text(const char *doc, size_t len, size_t *from, const char *tag, char *out,
                    size_t size)
{
    char open[64], close[64];
    snprintf(open, sizeof(open), "<%s>", tag);
    snprintf(close, sizeof(close), "</%s>", tag);
    size_t ol = strlen(open), cl = strlen(close);
    for (size_t i = *from; i + ol <= len; i++) {
        if (strncasecmp(doc + i, open, ol) != 0)
            continue;
        size_t start = i + ol;
        for (size_t k = start; k + cl <= len; k++)
            if (strncasecmp(doc + k, close, cl) == 0) {
                copy_value((const uint8_t *)doc + start, k - start, out, size);
                *from = k + cl;
                return 1;
            }
        return 0;
    }
    return 0;
}

int live_upnp_parse(const uint8_t *data, size_t len, struct live_upnp_description *out)
{
    memset(out, 0, sizeof(*out));
    const char *doc = (const char *)data;
    int device = 0;
    for (size_t i = 0; i + 7 <= len && !device; i++)
        device = strncasecmp(doc + i, "<device", 7) == 0 || strncasecmp(doc + i, "<root", 5) == 0;
    if (!device)
        return -1;
    size_t from = 0;
    xml_text(doc, len, &from, "friendlyName", out->friendly_name, sizeof(out->friendly_name));
    from = 0;
    xml_text(doc, len, &from, "manufacturer", out->manufacturer, sizeof(out->manufacturer));
    from = 0;
    xml_text(doc, len, &from, "modelName", out->model_name, sizeof(out->model_name));
    from = 0;
    xml_text(doc, len, &from, "modelNumber", out->model_number, sizeof(out->model_number));
    from = 0;
    char type[128];
    while (out->service_count < 64 &&
           xml_text(doc, len, &from, "serviceType", type, sizeof(type))) {
        size_t used = strlen(out->services);
        snprintf(out->services + used, sizeof(out->services) - used, "%s%s", used ? ", " : "",
                 type);
        out->service_count++;
    }
    return 0;
}

/* ---- the probe -------------------------------------------------------------------- */

/* Splits http://HOST[:PORT]/PATH. 0 or -1 (not plain http). */
static int split_url(const char *url, char *host, size_t host_size, uint16_t *port, char *path,
                     size_t path_size)
{
    if (strncasecmp(url, "http://", 7) != 0)
        return -1;
    const char *h = url + 7, *end;
    if (*h == '[') {
        end = strchr(h, ']');
        if (!end)
            return -1;
        h++;
    } else {
        end = h + strcspn(h, ":/");
    }
    size_t hl = (size_t)(end - h);
    if (hl == 0 || hl >= host_size)
        return -1;
    memcpy(host, h, hl);
    host[hl] = '\0';
    if (*end == ']')
        end++;
    *port = 80;
    if (*end == ':') {
        char *after;
        unsigned long p = strtoul(end + 1, &after, 10);
        if (p == 0 || p > 65535)
            return -1;
        *port = (uint16_t)p;
        end = after;
    }
    snprintf(path, path_size, "%s", *end == '/' ? end : "/");
    return 0;
}

/* Whether host (from a URL) is the target's address, in any spelling. */
static int same_host(const struct ic_live_target *t, const char *host)
{
    uint8_t a[16], b[16];
    int family = t->addr.ss_family;
    if (inet_pton(family, host, a) != 1 || inet_pton(family, t->address, b) != 1)
        return 0; /* a name (or the other family) is another host to us */
    return memcmp(a, b, family == AF_INET ? 4 : 16) == 0;
}

/* GET path from the same host; the whole response into raw. */
static int fetch(struct live_service *s, uint16_t port, const char *path, struct ic_buf *raw)
{
    struct live_conn c;
    if (live_connect(s->ctx, s->gate, s->target, port, &c))
        return -1;
    char request[700];
    int n = snprintf(request, sizeof(request),
                     "GET %s HTTP/1.1\r\nHost: %s%s%s:%u\r\nUser-Agent: iotcop\r\n"
                     "Connection: close\r\n\r\n",
                     path, s->target->addr.ss_family == AF_INET6 ? "[" : "", s->target->address,
                     s->target->addr.ss_family == AF_INET6 ? "]" : "", port);
    int rc = -1;
    if (n > 0 && (size_t)n < sizeof(request) && !strpbrk(path, "\r\n ") &&
        live_send(&c, request, (size_t)n) == 0) {
        uint8_t chunk[4096];
        ssize_t got;
        while ((got = live_recv(&c, chunk, sizeof(chunk), 0)) > 0)
            if (ic_buf_append(raw, chunk, (size_t)got))
                break;
        rc = raw->len ? 0 : -1;
    }
    live_close(&c);
    return rc;
}

static void describe(struct live_service *s, const struct live_ssdp_reply *r)
{
    char host[128], path[300], evidence[1400];
    uint16_t port;
    if (!r->location[0]) {
        snprintf(evidence, sizeof(evidence),
                 "SSDP answers a unicast M-SEARCH (SERVER '%s', ST '%s') without a LOCATION",
                 r->server, r->st);
        live_finding(s, "device.upnp-exposed", evidence);
        return;
    }
    if (split_url(r->location, host, sizeof(host), &port, path, sizeof(path)) ||
        !same_host(s->target, host)) {
        snprintf(evidence, sizeof(evidence),
                 "SSDP answers a unicast M-SEARCH (SERVER '%s'); LOCATION '%s' points to "
                 "another host or scheme: reported, not followed",
                 r->server, r->location);
        live_finding(s, "device.upnp-exposed", evidence);
        return;
    }
    struct ic_buf raw = IC_BUF_INIT(IC_LIVE_REPLY_MAX);
    uint8_t *scratch = malloc(IC_LIVE_REPLY_MAX);
    struct live_http_response h;
    struct live_upnp_description d;
    int described = scratch && fetch(s, port, path, &raw) == 0 &&
                    live_http_parse(raw.data, raw.len, scratch, IC_LIVE_REPLY_MAX, &h) == 0 &&
                    h.status == 200 && live_upnp_parse(h.body, h.body_length, &d) == 0;
    if (described)
        snprintf(evidence, sizeof(evidence),
                 "UPnP device description at %s readable without authentication: '%s' by '%s', "
                 "model '%s' %s; %zu services: %s",
                 r->location, d.friendly_name, d.manufacturer, d.model_name, d.model_number,
                 d.service_count, d.services[0] ? d.services : "none");
    else
        snprintf(evidence, sizeof(evidence),
                 "SSDP answers a unicast M-SEARCH (SERVER '%s'); LOCATION %s gave no device "
                 "description",
                 r->server, r->location);
    live_finding(s, "device.upnp-exposed", evidence);
    ic_buf_release(&raw);
    free(scratch);
}

static void ssdp_run(struct live_service *s)
{
    char request[300];
    int n = snprintf(request, sizeof(request),
                     "M-SEARCH * HTTP/1.1\r\nHOST: %s%s%s:1900\r\nMAN: \"ssdp:discover\"\r\n"
                     "ST: ssdp:all\r\nUSER-AGENT: iotcop UPnP/1.1\r\n\r\n",
                     s->target->addr.ss_family == AF_INET6 ? "[" : "", s->target->address,
                     s->target->addr.ss_family == AF_INET6 ? "]" : "");
    if (n <= 0 || (size_t)n >= sizeof(request))
        return;
    struct live_udp u;
    if (live_udp_open(s->ctx, s->gate, s->target, s->port, &u))
        return;
    struct live_ssdp_reply first, r;
    int answered = 0;
    for (unsigned attempt = 0; attempt <= s->ctx->o.retries && !answered; attempt++) {
        if (live_udp_send(&u, request, (size_t)n))
            break;
        /* A device answers once per device and service type: keep the first
         * reply with a LOCATION (the root device's, usually). */
        for (;;) {
            uint8_t reply[2048];
            ssize_t got = live_udp_recv(&u, reply, sizeof(reply),
                                        answered ? 300 : s->ctx->o.connect_timeout_ms);
            if (got <= 0)
                break;
            if (live_ssdp_parse(reply, (size_t)got, &r) || r.status != 200)
                continue;
            if (!answered || (!first.location[0] && r.location[0]))
                first = r;
            answered = 1;
        }
    }
    live_udp_close(&u);
    if (!answered)
        return;
    live_udp_service(s, "ssdp", first.server[0] ? first.server : NULL);
    describe(s, &first);
}

const struct live_udp_probe live_udp_probe_ssdp = {"ssdp", 1900, ssdp_run};
