/* mDNS (udp/5353, RFC 6762/6763): a unicast query to the named host for
 * _services._dns-sd._udp.local PTR (from an ordinary port, so the responder
 * answers us directly), then one query per service type for its instances.
 * The DNS message parser follows compression pointers only backwards and a
 * bounded number of times, so a looping name cannot hang it. */
#include "live/live_internal.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define DNS_TYPE_PTR 12
#define DNS_TYPE_TXT 16
#define DNS_TYPE_SRV 33
#define DNS_MAX_JUMPS 16
#define MDNS_TYPES_MAX 8

size_t live_dns_query(uint8_t *out, size_t size, uint16_t id, const char *name, uint16_t type,
                      int unicast_response)
{
    if (size < 12)
        return 0;
    memset(out, 0, 12);
    out[0] = (uint8_t)(id >> 8);
    out[1] = (uint8_t)id;
    out[5] = 1; /* one question */
    size_t n = 12;
    while (*name) {
        size_t label = strcspn(name, ".");
        if (label == 0 || label > 63 || size - n < label + 1)
            return 0;
        out[n++] = (uint8_t)label;
        memcpy(out + n, name, label);
        n += label;
        name += label;
        if (*name == '.')
            name++;
    }
    if (size - n < 5 || n - 12 > 254)
        return 0;
    out[n++] = 0;
    out[n++] = (uint8_t)(type >> 8);
    out[n++] = (uint8_t)type;
    out[n++] = unicast_response ? 0x80 : 0;
    out[n++] = 1; /* IN */
    return n;
}

/* Reads the name at *pos into out (dotted, printable); *pos moves past it
 * in the message (not past where pointers lead). 0 or -1. */
static int read_name(const uint8_t *d, size_t len, size_t *pos, char *out, size_t size)
{
    size_t p = *pos, n = 0, end = 0;
    unsigned jumps = 0;
    out[0] = '\0';
    for (;;) {
        if (p >= len)
            return -1;
        uint8_t b = d[p];
        if ((b & 0xc0) == 0xc0) {
            if (p + 1 >= len || ++jumps > DNS_MAX_JUMPS)
                return -1;
            size_t target = (size_t)(b & 0x3f) << 8 | d[p + 1];
            if (!end)
                end = p + 2;
            if (target >= p)
                return -1; /* forward or self: a loop in the making */
            p = target;
            continue;
        }
        if (b & 0xc0)
            return -1; /* extended label types */
        if (b == 0) {
            p++;
            break;
        }
        if (p + 1 + b > len || n + b + 2 > size || n + b + 1 > 255)
            return -1;
        if (n)
            out[n++] = '.';
        live_printable(d + p + 1, b, out + n, size - n);
        n += b;
        p += 1 + (size_t)b;
    }
    *pos = end ? end : p;
    return 0;
}

int live_dns_parse(const uint8_t *data, size_t len, uint16_t id,
                   void (*each)(void *arg, const struct live_dns_record *r), void *arg)
{
    if (len < 12 || !(data[2] & 0x80))
        return -1; /* not a response */
    if (id && (uint16_t)(data[0] << 8 | data[1]) != id)
        return -1;
    unsigned questions = (unsigned)(data[4] << 8 | data[5]);
    unsigned records = (unsigned)(data[6] << 8 | data[7]) + (unsigned)(data[8] << 8 | data[9]) +
                       (unsigned)(data[10] << 8 | data[11]);
    size_t pos = 12;
    struct live_dns_record r;
    for (unsigned i = 0; i < questions; i++) {
        if (read_name(data, len, &pos, r.name, sizeof(r.name)) || len - pos < 4)
            return 0;
        pos += 4;
    }
    int count = 0;
    for (unsigned i = 0; i < records; i++) {
        memset(&r, 0, sizeof(r));
        if (read_name(data, len, &pos, r.name, sizeof(r.name)) || len - pos < 10)
            break;
        r.type = (uint16_t)(data[pos] << 8 | data[pos + 1]);
        size_t rdlength = (size_t)(data[pos + 8] << 8 | data[pos + 9]);
        pos += 10;
        if (rdlength > len - pos)
            break;
        size_t rd = pos, rd_end = pos + rdlength;
        if (r.type == DNS_TYPE_PTR) {
            if (read_name(data, rd_end, &rd, r.target, sizeof(r.target)))
                r.target[0] = '\0';
        } else if (r.type == DNS_TYPE_SRV && rdlength >= 7) {
            r.port = (uint16_t)(data[rd + 4] << 8 | data[rd + 5]);
            rd += 6;
            if (read_name(data, rd_end, &rd, r.target, sizeof(r.target)))
                r.target[0] = '\0';
        } else if (r.type == DNS_TYPE_TXT && rdlength) {
            size_t t = rd, n = 0;
            while (t < rd_end && n + 2 < sizeof(r.target)) {
                size_t l = data[t++];
                if (l > rd_end - t)
                    l = rd_end - t;
                if (n)
                    r.target[n++] = ' ';
                live_printable(data + t, l, r.target + n, sizeof(r.target) - n);
                n = strlen(r.target);
                t += l;
            }
        }
        pos = rd_end;
        count++;
        if (each)
            each(arg, &r);
    }
    return count;
}

/* ---- the probe -------------------------------------------------------------------- */

struct mdns_seen {
    const char *question;
    char types[MDNS_TYPES_MAX][LIVE_DNS_NAME_MAX];
    size_t type_count;
    char text[IC_LIVE_BANNER_MAX];
};

static void add_text(char *text, size_t size, const char *item)
{
    size_t used = strlen(text);
    if (strstr(text, item))
        return;
    snprintf(text + used, size - used, "%s%s", used ? ", " : "", item);
}

static void on_type(void *arg, const struct live_dns_record *r)
{
    struct mdns_seen *m = arg;
    if (r->type != DNS_TYPE_PTR || strcasecmp(r->name, m->question) || !r->target[0])
        return;
    for (size_t i = 0; i < m->type_count; i++)
        if (strcasecmp(m->types[i], r->target) == 0)
            return;
    if (m->type_count < MDNS_TYPES_MAX)
        snprintf(m->types[m->type_count++], LIVE_DNS_NAME_MAX, "%s", r->target);
    add_text(m->text, sizeof(m->text), r->target);
}

static void on_instance(void *arg, const struct live_dns_record *r)
{
    struct mdns_seen *m = arg;
    char item[LIVE_DNS_NAME_MAX + 16];
    if (r->type == DNS_TYPE_PTR && strcasecmp(r->name, m->question) == 0 && r->target[0])
        snprintf(item, sizeof(item), "%s", r->target);
    else if (r->type == DNS_TYPE_SRV)
        snprintf(item, sizeof(item), "%s port %u", r->name, r->port);
    else
        return;
    add_text(m->text, sizeof(m->text), item);
}

static ssize_t ask(struct live_service *s, uint16_t id, const char *name, uint8_t *reply,
                   size_t size)
{
    uint8_t query[300];
    size_t n = live_dns_query(query, sizeof(query), id, name, DNS_TYPE_PTR, 1);
    if (!n)
        return 0;
    return live_udp_exchange(s->ctx, s->gate, s->target, s->port, query, n, reply, size);
}

static void mdns_run(struct live_service *s)
{
    static const char services[] = "_services._dns-sd._udp.local";
    uint8_t reply[9000];
    struct mdns_seen m = {.question = services};
    ssize_t n = ask(s, 0x6d64, services, reply, sizeof(reply));
    if (n <= 0 || live_dns_parse(reply, (size_t)n, 0x6d64, on_type, &m) < 0)
        return;
    size_t types = m.type_count;
    for (size_t i = 0; i < types && !live_stopped(s->ctx); i++) {
        m.question = m.types[i];
        n = ask(s, (uint16_t)(0x6d65 + i), m.types[i], reply, sizeof(reply));
        if (n > 0)
            live_dns_parse(reply, (size_t)n, (uint16_t)(0x6d65 + i), on_instance, &m);
    }
    live_udp_service(s, "mdns", m.text[0] ? m.text : "answers DNS-SD queries");
}

const struct live_udp_probe live_udp_probe_mdns = {"mdns", 5353, mdns_run};
