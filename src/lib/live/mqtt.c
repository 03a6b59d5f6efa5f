/* MQTT (3.1.1): CONNECT without credentials, then with default ones; access
 * is proven only by a SUBSCRIBE to '#' that the broker grants (SUBACK with
 * a QoS, not 0x80). A broker that accepts a random pair accepts anything
 * and is not reported as accepting defaults. */
#include "live/live_internal.h"

#include <stdio.h>
#include <string.h>

enum { CONNECT = 1, CONNACK = 2, PUBLISH = 3, SUBSCRIBE = 8, SUBACK = 9 };

int live_mqtt_parse(const uint8_t *data, size_t len, struct live_mqtt_packet *out)
{
    memset(out, 0, sizeof(*out));
    if (len < 2)
        return 0;
    /* Remaining length: at most four 7-bit groups. */
    size_t remaining = 0, pos = 1;
    unsigned shift = 0;
    for (;;) {
        if (pos >= len)
            return 0;
        uint8_t b = data[pos++];
        remaining |= (size_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            break;
        shift += 7;
        if (shift > 21)
            return -1;
    }
    if (remaining > len - pos)
        return 0;
    out->type = data[0] >> 4;
    out->flags = data[0] & 0x0f;
    if (out->type == 0)
        return -1;
    out->payload = data + pos;
    out->payload_length = remaining;
    out->length = pos + remaining;
    return 1;
}

static size_t put_string(uint8_t *out, size_t size, size_t pos, const char *s)
{
    size_t n = strlen(s);
    if (n > 0xffff || pos + 2 + n > size)
        return 0;
    out[pos] = (uint8_t)(n >> 8);
    out[pos + 1] = (uint8_t)n;
    memcpy(out + pos + 2, s, n);
    return pos + 2 + n;
}

size_t live_mqtt_connect(uint8_t *out, size_t size, const char *client_id, const char *user,
                         const char *password)
{
    uint8_t body[1024];
    size_t pos = put_string(body, sizeof(body), 0, "MQTT");
    if (!pos)
        return 0;
    uint8_t flags = 0x02; /* clean session */
    if (user)
        flags |= 0x80;
    if (user && password)
        flags |= 0x40;
    body[pos++] = 4; /* protocol level 3.1.1 */
    body[pos++] = flags;
    body[pos++] = 0;
    body[pos++] = 30; /* keep alive, seconds */
    if (!(pos = put_string(body, sizeof(body), pos, client_id)))
        return 0;
    if (user && !(pos = put_string(body, sizeof(body), pos, user)))
        return 0;
    if (user && password && !(pos = put_string(body, sizeof(body), pos, password)))
        return 0;
    size_t header = pos < 128 ? 2 : 3;
    if (pos >= 16384 || header + pos > size)
        return 0;
    out[0] = CONNECT << 4;
    if (pos < 128) {
        out[1] = (uint8_t)pos;
    } else {
        out[1] = (uint8_t)(0x80 | (pos & 0x7f));
        out[2] = (uint8_t)(pos >> 7);
    }
    memcpy(out + header, body, pos);
    return header + pos;
}

struct mqtt_session {
    struct live_conn c;
    uint8_t buf[8192];
    size_t len;
};

/* The next packet of a wanted type (others, such as retained PUBLISHes, are
 * skipped). 1 got it, 0 timeout/closed/malformed. */
static int next_packet(struct mqtt_session *m, uint8_t type, struct live_mqtt_packet *p)
{
    for (int skipped = 0; skipped < 1000;) {
        int got = live_mqtt_parse(m->buf, m->len, p);
        if (got < 0)
            return 0;
        if (got > 0) {
            if (p->type == type)
                return 1; /* the caller reads it before the next call */
            memmove(m->buf, m->buf + p->length, m->len - p->length);
            m->len -= p->length;
            skipped++;
            continue;
        }
        if (m->len == sizeof(m->buf)) {
            /* A packet larger than the buffer: not one we want; give up. */
            return 0;
        }
        ssize_t n = live_recv(&m->c, m->buf + m->len, sizeof(m->buf) - m->len, 0);
        if (n <= 0)
            return 0;
        m->len += (size_t)n;
    }
    return 0;
}

/* CONNECT (and SUBSCRIBE '#'); OK only when the subscription is granted. */
static enum live_login mqtt_session(struct live_service *svc, const char *user,
                                    const char *password, int *connack_code)
{
    struct mqtt_session m = {0};
    *connack_code = -1;
    if (live_connect(svc->ctx, svc->gate, svc->target, svc->port, &m.c))
        return LIVE_LOGIN_UNKNOWN;
    enum live_login result = LIVE_LOGIN_UNKNOWN;
    uint32_t nonce = 0;
    live_random(&nonce, sizeof(nonce));
    char client_id[24];
    snprintf(client_id, sizeof(client_id), "iotcop-%08x", nonce);
    uint8_t packet[1100];
    size_t n = live_mqtt_connect(packet, sizeof(packet), client_id, user, password);
    struct live_mqtt_packet p;
    if (!n || live_send(&m.c, packet, n) || !next_packet(&m, CONNACK, &p) || p.payload_length < 2)
        goto done;
    *connack_code = p.payload[1];
    if (p.payload[1] != 0) {
        result = (p.payload[1] == 4 || p.payload[1] == 5) ? LIVE_LOGIN_FAILED : LIVE_LOGIN_UNKNOWN;
        goto done;
    }
    m.len -= p.length;
    memmove(m.buf, m.buf + p.length, m.len);
    static const uint8_t subscribe[] = {SUBSCRIBE << 4 | 2, 6, 0x12, 0x34, 0, 1, '#', 0};
    if (live_send(&m.c, subscribe, sizeof(subscribe)) || !next_packet(&m, SUBACK, &p) ||
        p.payload_length < 3)
        goto done;
    if (p.payload[0] == 0x12 && p.payload[1] == 0x34)
        result = p.payload[2] <= 2 ? LIVE_LOGIN_OK : LIVE_LOGIN_FAILED;
    static const uint8_t disconnect[] = {0xe0, 0};
    live_send(&m.c, disconnect, sizeof(disconnect));
done:
    live_close(&m.c);
    return result;
}

static enum live_login mqtt_attempt(struct live_service *svc, const struct live_cred *cred)
{
    int code;
    if (!cred->user[0])
        return LIVE_LOGIN_FAILED; /* an empty user name is the anonymous case */
    return mqtt_session(svc, cred->user, cred->password, &code);
}

static void mqtt_run(struct live_service *svc)
{
    int code;
    enum live_login anonymous = mqtt_session(svc, NULL, NULL, &code);
    if (code >= 0) {
        static const char connack[] = "MQTT 3.1.1 broker (CONNACK)";
        memcpy(svc->banner, connack, sizeof(connack) - 1);
        svc->banner_len = sizeof(connack) - 1;
    }
    if (anonymous == LIVE_LOGIN_OK) {
        live_finding(svc, "device.mqtt-anonymous",
                     "CONNECT without credentials accepted (CONNACK 0) and SUBSCRIBE '#' "
                     "granted");
        return;
    }
    if (anonymous != LIVE_LOGIN_FAILED || live_stopped(svc->ctx))
        return;
    struct live_control_pair pair;
    live_control_pair(&pair);
    if (mqtt_session(svc, pair.user, pair.password, &code) != LIVE_LOGIN_FAILED)
        return;
    live_try_credentials(svc, "mqtt", 0, mqtt_attempt);
}

static const uint16_t mqtt_ports[] = {1883, 0};

const struct live_probe live_probe_mqtt = {
    .name = "mqtt",
    .ports = mqtt_ports,
    .banner_says = NULL,
    .run = mqtt_run,
};
