/* CoAP (udp/5683, RFC 7252): GET /.well-known/core, read the CoRE link
 * format (RFC 6690) it returns, then GET a few of the listed resources: a
 * resource whose content comes back without any credentials is readable by
 * anyone on the network. */
#include "live/live_internal.h"

#include <stdio.h>
#include <string.h>

#define COAP_OPTION_URI_PATH 11
#define COAP_OPTION_CONTENT_FORMAT 12
#define COAP_RESOURCES_READ 8

size_t live_coap_get(uint8_t *out, size_t size, const char *path, uint16_t message_id,
                     const uint8_t *token, size_t token_length)
{
    if (token_length > 8 || size < 4 + token_length)
        return 0;
    out[0] = (uint8_t)(0x40 | token_length); /* version 1, confirmable */
    out[1] = 0x01;                           /* 0.01 GET */
    out[2] = (uint8_t)(message_id >> 8);
    out[3] = (uint8_t)message_id;
    memcpy(out + 4, token, token_length);
    size_t n = 4 + token_length;
    unsigned last = 0;
    while (*path) {
        while (*path == '/')
            path++;
        size_t seg = strcspn(path, "/");
        if (!seg)
            break;
        unsigned delta = COAP_OPTION_URI_PATH - last;
        last = COAP_OPTION_URI_PATH;
        if (seg > 255 + 13 || size - n < 3 + seg)
            return 0;
        uint8_t len_nibble = seg < 13 ? (uint8_t)seg : 13;
        out[n++] = (uint8_t)(delta << 4 | len_nibble);
        if (seg >= 13)
            out[n++] = (uint8_t)(seg - 13);
        memcpy(out + n, path, seg);
        n += seg;
        path += seg;
    }
    return n;
}

/* An option's delta or length nibble with its extension bytes. -1: bad. */
static long option_value(unsigned nibble, const uint8_t *data, size_t len, size_t *pos)
{
    if (nibble < 13)
        return nibble;
    if (nibble == 13) {
        if (*pos >= len)
            return -1;
        return 13 + data[(*pos)++];
    }
    if (nibble == 14) {
        if (len - *pos < 2)
            return -1;
        long v = 269 + ((long)data[*pos] << 8 | data[*pos + 1]);
        *pos += 2;
        return v;
    }
    return -1; /* 15 is reserved outside the payload marker */
}

int live_coap_parse(const uint8_t *data, size_t len, struct live_coap_message *out)
{
    memset(out, 0, sizeof(*out));
    out->content_format = -1;
    if (len < 4 || (data[0] >> 6) != 1)
        return -1;
    out->type = (data[0] >> 4) & 3;
    out->token_length = data[0] & 0x0f;
    if (out->token_length > 8 || len < 4 + out->token_length)
        return -1;
    out->code = (data[1] >> 5) * 100 + (data[1] & 0x1f);
    out->message_id = (uint16_t)(data[2] << 8 | data[3]);
    memcpy(out->token, data + 4, out->token_length);
    size_t pos = 4 + out->token_length;
    unsigned long number = 0;
    while (pos < len) {
        uint8_t b = data[pos++];
        if (b == 0xff) {
            if (pos == len)
                return -1; /* a marker with no payload is a format error */
            out->payload = data + pos;
            out->payload_length = len - pos;
            return 0;
        }
        long delta = option_value(b >> 4, data, len, &pos);
        long length = option_value(b & 0x0f, data, len, &pos);
        if (delta < 0 || length < 0 || (size_t)length > len - pos)
            return -1;
        number += (unsigned long)delta;
        if (number == COAP_OPTION_CONTENT_FORMAT && length <= 2) {
            int v = 0;
            for (long i = 0; i < length; i++)
                v = v << 8 | data[pos + (size_t)i];
            out->content_format = v;
        }
        pos += (size_t)length;
    }
    return 0;
}

size_t live_coap_links(const uint8_t *data, size_t len, void (*each)(void *arg, const char *target),
                       void *arg)
{
    size_t count = 0, pos = 0;
    while (pos < len) {
        while (pos < len && (data[pos] == ' ' || data[pos] == '\r' || data[pos] == '\n'))
            pos++;
        if (pos >= len || data[pos] != '<')
            break; /* not link format */
        size_t start = ++pos;
        while (pos < len && data[pos] != '>')
            pos++;
        if (pos >= len)
            break;
        char target[256];
        size_t n = pos - start < sizeof(target) - 1 ? pos - start : sizeof(target) - 1;
        live_printable(data + start, n, target, sizeof(target));
        count++;
        if (each)
            each(arg, target);
        /* Attributes up to the next comma outside quotes. */
        int quoted = 0;
        while (++pos < len && (quoted || data[pos] != ','))
            if (data[pos] == '"')
                quoted = !quoted;
        pos++;
    }
    return count;
}

/* ---- the probe -------------------------------------------------------------------- */

struct coap_exchange {
    struct live_service *s;
    struct live_udp u;
    uint16_t next_id;
};

/* GET path; the response (piggybacked or separate) into reply. > 0 its
 * length, 0 no answer, -1 the port is closed. */
static ssize_t coap_request(struct coap_exchange *x, const char *path, uint8_t *reply, size_t size,
                            struct live_coap_message *m)
{
    uint8_t req[300], token[4];
    uint16_t id = x->next_id++;
    for (size_t i = 0; i < sizeof(token); i++)
        token[i] = (uint8_t)(id >> (i % 2 * 8)) ^ (uint8_t)(0x5a + i);
    size_t n = live_coap_get(req, sizeof(req), path, id, token, sizeof(token));
    if (!n)
        return 0;
    for (unsigned attempt = 0; attempt <= x->s->ctx->o.retries; attempt++) {
        if (live_udp_send(&x->u, req, n))
            return -1;
        for (;;) {
            ssize_t got = live_udp_recv(&x->u, reply, size, x->s->ctx->o.connect_timeout_ms);
            if (got <= 0) {
                if (got < 0)
                    return -1;
                break;
            }
            if (live_coap_parse(reply, (size_t)got, m))
                continue;
            if (m->type == 3 && m->message_id == id)
                return 0; /* reset: the server does not know what to do with it */
            if (m->token_length != sizeof(token) || memcmp(m->token, token, sizeof(token)))
                continue;       /* an empty ACK (the answer comes separately) or another exchange */
            if (m->type == 0) { /* a separate response wants its ACK */
                uint8_t ack[4] = {0x60, 0, reply[2], reply[3]};
                live_udp_send(&x->u, ack, sizeof(ack));
            }
            return got;
        }
    }
    return 0;
}

struct coap_links {
    char list[COAP_RESOURCES_READ][256];
    size_t count;
    char all[400];
};

static void collect_link(void *arg, const char *target)
{
    struct coap_links *l = arg;
    size_t used = strlen(l->all);
    snprintf(l->all + used, sizeof(l->all) - used, "%s%s", used ? " " : "", target);
    if (strcmp(target, "/.well-known/core") == 0 || target[0] != '/' ||
        l->count >= COAP_RESOURCES_READ)
        return; /* only paths on this server, never links to elsewhere */
    snprintf(l->list[l->count++], sizeof(l->list[0]), "%s", target);
}

static void coap_run(struct live_service *s)
{
    struct coap_exchange x = {.s = s, .next_id = 0x4c30};
    if (live_udp_open(s->ctx, s->gate, s->target, s->port, &x.u))
        return;
    uint8_t reply[2048];
    struct live_coap_message m;
    ssize_t n = coap_request(&x, "/.well-known/core", reply, sizeof(reply), &m);
    if (n <= 0) {
        live_udp_close(&x.u);
        return;
    }
    struct coap_links links = {0};
    if (m.code == 205)
        live_coap_links(m.payload, m.payload_length, collect_link, &links);
    char banner[IC_LIVE_BANNER_MAX];
    snprintf(banner, sizeof(banner), "/.well-known/core %d.%02d%s%s", m.code / 100, m.code % 100,
             links.all[0] ? ": " : "", links.all);
    live_udp_service(s, "coap", banner);
    char readable[600] = "";
    size_t readable_count = 0;
    for (size_t i = 0; i < links.count && !live_stopped(s->ctx); i++) {
        n = coap_request(&x, links.list[i], reply, sizeof(reply), &m);
        if (n <= 0 || m.code / 100 != 2)
            continue;
        char sample[48];
        live_printable(m.payload, m.payload_length < 40 ? m.payload_length : 40, sample,
                       sizeof(sample));
        size_t used = strlen(readable);
        snprintf(readable + used, sizeof(readable) - used, "%s%s (%d.%02d, '%s')", used ? ", " : "",
                 links.list[i], m.code / 100, m.code % 100, sample);
        readable_count++;
    }
    live_udp_close(&x.u);
    if (readable_count) {
        char evidence[800];
        snprintf(evidence, sizeof(evidence),
                 "%zu of %zu CoAP resources listed in /.well-known/core answered GET without "
                 "credentials: %s",
                 readable_count, links.count, readable);
        live_finding(s, "device.coap-unauthenticated", evidence);
    }
}

const struct live_udp_probe live_udp_probe_coap = {"coap", 5683, coap_run};
