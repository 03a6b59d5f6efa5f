/* SNMP (udp/161): GetRequest sysDescr.0 with the default communities
 * ("public", "private", then the dictionary's snmp entries), v2c and v1,
 * all sent on one socket and matched by request id. An agent drops a wrong
 * community silently, so an answer proves the community. BER is encoded
 * and decoded here (definite lengths only). */
#include "checks/credentials/dict.h"
#include "live/live_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- BER ------------------------------------------------------------------------ */

struct ber_out {
    uint8_t *p;
    size_t len, size;
    int overflow;
};

static void put(struct ber_out *o, const void *data, size_t n)
{
    if (o->overflow || n > o->size - o->len) {
        o->overflow = 1;
        return;
    }
    if (n) /* a NULL has no content */
        memcpy(o->p + o->len, data, n);
    o->len += n;
}

static void put_tlv(struct ber_out *o, uint8_t tag, const void *content, size_t n)
{
    uint8_t head[6] = {tag};
    size_t h = 1;
    if (n < 0x80) {
        head[h++] = (uint8_t)n;
    } else if (n < 0x100) {
        head[h++] = 0x81;
        head[h++] = (uint8_t)n;
    } else {
        head[h++] = 0x82;
        head[h++] = (uint8_t)(n >> 8);
        head[h++] = (uint8_t)n;
    }
    put(o, head, h);
    put(o, content, n);
}

static void put_int(struct ber_out *o, uint32_t v)
{
    uint8_t b[5];
    size_t n = 0;
    for (int shift = 24; shift >= 0; shift -= 8) {
        uint8_t byte = (uint8_t)(v >> shift);
        if (!n && !byte && shift)
            continue; /* leading zero octets */
        if (!n && (byte & 0x80))
            b[n++] = 0; /* keep it positive */
        b[n++] = byte;
    }
    put_tlv(o, 0x02, b, n);
}

size_t live_snmp_get_sysdescr(uint8_t *out, size_t size, int version, const char *community,
                              uint32_t request_id)
{
    static const uint8_t sysdescr[] = {0x2b, 6, 1, 2, 1, 1, 1, 0}; /* 1.3.6.1.2.1.1.1.0 */
    uint8_t b1[64], b2[64], b3[128], b4[512];
    struct ber_out varbind = {b1, 0, sizeof(b1), 0};
    put_tlv(&varbind, 0x06, sysdescr, sizeof(sysdescr));
    put_tlv(&varbind, 0x05, NULL, 0);
    struct ber_out list = {b2, 0, sizeof(b2), 0};
    put_tlv(&list, 0x30, varbind.p, varbind.len);
    struct ber_out pdu = {b3, 0, sizeof(b3), 0};
    put_int(&pdu, request_id & 0x7fffffff);
    put_int(&pdu, 0);
    put_int(&pdu, 0);
    put_tlv(&pdu, 0x30, list.p, list.len);
    struct ber_out msg = {b4, 0, sizeof(b4), 0};
    put_int(&msg, (uint32_t)version);
    put_tlv(&msg, 0x04, community, strlen(community));
    put_tlv(&msg, 0xa0, pdu.p, pdu.len);
    struct ber_out whole = {out, 0, size, 0};
    put_tlv(&whole, 0x30, msg.p, msg.len);
    if (varbind.overflow || list.overflow || pdu.overflow || msg.overflow || whole.overflow)
        return 0;
    return whole.len;
}

struct ber_in {
    const uint8_t *p;
    size_t len;
};

/* The next TLV of in: its tag and content; in moves past it. 0 or -1. */
static int get_tlv(struct ber_in *in, uint8_t *tag, struct ber_in *content)
{
    if (in->len < 2)
        return -1;
    *tag = in->p[0];
    if ((*tag & 0x1f) == 0x1f)
        return -1; /* multi-byte tags are not used by SNMP */
    size_t pos = 2, n = in->p[1];
    if (n & 0x80) {
        size_t octets = n & 0x7f;
        if (octets == 0 || octets > 4 || in->len < 2 + octets)
            return -1; /* indefinite or absurd */
        n = 0;
        for (size_t i = 0; i < octets; i++)
            n = (n << 8) | in->p[2 + i];
        pos += octets;
    }
    if (n > in->len - pos)
        return -1;
    content->p = in->p + pos;
    content->len = n;
    in->p += pos + n;
    in->len -= pos + n;
    return 0;
}

static int get_int(struct ber_in *in, int64_t *v)
{
    uint8_t tag;
    struct ber_in c;
    if (get_tlv(in, &tag, &c) || tag != 0x02 || c.len == 0 || c.len > 5)
        return -1;
    int64_t x = (c.p[0] & 0x80) ? -1 : 0;
    for (size_t i = 0; i < c.len; i++)
        x = (int64_t)((uint64_t)x << 8) | c.p[i];
    *v = x;
    return 0;
}

static void oid_text(const struct ber_in *c, char *out, size_t size)
{
    size_t n = 0;
    uint64_t arc = 0;
    int first = 1;
    out[0] = '\0';
    for (size_t i = 0; i < c->len; i++) {
        if (arc > (UINT64_MAX >> 8))
            break; /* an arc too long to mean anything */
        arc = (arc << 7) | (c->p[i] & 0x7f);
        if (c->p[i] & 0x80)
            continue;
        int w;
        if (first)
            w = snprintf(out + n, size - n, "%u.%llu", arc < 80 ? (unsigned)(arc / 40) : 2,
                         (unsigned long long)(arc < 80 ? arc % 40 : arc - 80));
        else
            w = snprintf(out + n, size - n, ".%llu", (unsigned long long)arc);
        if (w < 0 || (size_t)w >= size - n)
            break;
        n += (size_t)w;
        first = 0;
        arc = 0;
    }
}

int live_snmp_parse(const uint8_t *data, size_t len, struct live_snmp_reply *out)
{
    memset(out, 0, sizeof(*out));
    struct ber_in in = {data, len}, msg, s, pdu, list, bind;
    uint8_t tag;
    int64_t v;
    if (get_tlv(&in, &tag, &msg) || tag != 0x30)
        return -1;
    if (get_int(&msg, &v) || v < 0 || v > 1)
        return -1;
    out->version = (int)v;
    if (get_tlv(&msg, &tag, &s) || tag != 0x04)
        return -1;
    live_printable(s.p, s.len, out->community, sizeof(out->community));
    if (get_tlv(&msg, &tag, &pdu) || tag != 0xa2) /* GetResponse */
        return -1;
    if (get_int(&pdu, &v))
        return -1;
    out->request_id = (uint32_t)v;
    if (get_int(&pdu, &v))
        return -1;
    out->error_status = (int)v;
    if (get_int(&pdu, &v))
        return -1;
    if (get_tlv(&pdu, &tag, &list) || tag != 0x30)
        return 0; /* no varbinds: still an answer */
    if (get_tlv(&list, &tag, &bind) || tag != 0x30)
        return 0;
    if (get_tlv(&bind, &tag, &s) || tag != 0x06)
        return 0;
    oid_text(&s, out->oid, sizeof(out->oid));
    if (get_tlv(&bind, &tag, &s) || tag != 0x04)
        return 0; /* noSuchObject and the like */
    out->has_value = 1;
    live_printable(s.p, s.len, out->value, sizeof(out->value));
    return 0;
}

/* ---- the probe -------------------------------------------------------------------- */

#define SNMP_MAX_COMMUNITIES 128
#define SNMP_ID_BASE 0x1c0000u

static size_t communities(const struct live_ctx *ctx, const char **list)
{
    size_t n = 0, builtin = 0;
    size_t want = ctx->o.full_dictionary ? SNMP_MAX_COMMUNITIES : ctx->o.credentials_per_service;
    list[n++] = "public";
    list[n++] = "private";
    for (size_t i = 0; i < ic_cred_default_count && n < SNMP_MAX_COMMUNITIES && builtin < want;
         i++) {
        const struct ic_cred_default *d = &ic_cred_defaults[i];
        if (strcmp(d->service, "snmp") || !d->password[0] || strlen(d->password) > 64)
            continue;
        int dup = 0;
        for (size_t k = 0; k < n && !dup; k++)
            dup = strcmp(list[k], d->password) == 0;
        if (!dup) {
            list[n++] = d->password;
            builtin++;
        }
    }
    return n;
}

struct snmp_state {
    const char *list[SNMP_MAX_COMMUNITIES];
    size_t count;
    unsigned char answered[SNMP_MAX_COMMUNITIES];
    struct live_snmp_reply first; /* of the best-known community that answered */
    size_t first_index, worked;
};

static void take_reply(struct snmp_state *st, const uint8_t *reply, size_t n)
{
    struct live_snmp_reply r;
    if (live_snmp_parse(reply, n, &r) || r.request_id < SNMP_ID_BASE)
        return;
    size_t i = (r.request_id - SNMP_ID_BASE) / 2;
    if (i >= st->count || st->answered[i] || strcmp(r.community, st->list[i]) != 0)
        return;
    st->answered[i] = 1;
    if (!st->worked || i < st->first_index) {
        st->first = r;
        st->first_index = i;
    }
    st->worked++;
}

static int send_request(struct live_udp *u, const struct snmp_state *st, size_t i, int version)
{
    uint8_t req[256];
    uint32_t id = SNMP_ID_BASE + 2 * (uint32_t)i + (uint32_t)(1 - version);
    size_t n = live_snmp_get_sysdescr(req, sizeof(req), version, st->list[i], id);
    return n ? live_udp_send(u, req, n) : 0;
}

static void snmp_run(struct live_service *s)
{
    static struct snmp_state zero;
    struct snmp_state st = zero;
    st.count = communities(s->ctx, st.list);
    uint8_t reply[4096];
    struct live_udp u;
    if (live_udp_open(s->ctx, s->gate, s->target, s->port, &u))
        return;
    /* One datagram alone first: a closed port answers it with ICMP port
     * unreachable, and a burst would use up the host's ICMP budget that the
     * other UDP probes need to learn the same quickly. */
    ssize_t n = send_request(&u, &st, 0, 1) ? -1 : live_udp_recv(&u, reply, sizeof(reply), 250);
    int closed = n < 0;
    if (n > 0)
        take_reply(&st, reply, (size_t)n);
    for (unsigned attempt = 0;
         attempt <= s->ctx->o.retries && (!st.worked || s->ctx->o.all_credentials) && !closed;
         attempt++) {
        /* Every community in v2c and v1 (ids: 2i and 2i+1 above the base). */
        for (size_t i = 0; i < st.count && !closed; i++)
            for (int version = 1; version >= 0 && !closed; version--)
                closed = send_request(&u, &st, i, version) != 0;
        while (st.worked < st.count) {
            n = live_udp_recv(&u, reply, sizeof(reply), s->ctx->o.connect_timeout_ms);
            if (n < 0)
                closed = !st.worked;
            if (n <= 0)
                break;
            take_reply(&st, reply, (size_t)n);
        }
    }
    live_udp_close(&u);
    if (!st.worked)
        return;
    const struct live_snmp_reply *first = &st.first;
    live_udp_service(s, "snmp", first->has_value ? first->value : NULL);
    for (size_t i = 0; i < st.count; i++) {
        if (!st.answered[i] || (i != st.first_index && !s->ctx->o.all_credentials))
            continue;
        int value = i == st.first_index && first->has_value;
        char evidence[512];
        snprintf(evidence, sizeof(evidence),
                 "SNMP agent answered GetRequest sysDescr.0 with community '%s'%s%.200s%s",
                 st.list[i], value ? ": '" : "", value ? first->value : "", value ? "'" : "");
        live_finding(s, "device.snmp-default-community", evidence);
    }
}

const struct live_udp_probe live_udp_probe_snmp = {"snmp", 161, snmp_run};
