/* TLS handshakes of our own over plain sockets: a ClientHello offering one
 * protocol version and a chosen list of suites, and the parser of the
 * server's first answer (ServerHello, HelloRetryRequest or alert). This is
 * how versions and suites that Debian's OpenSSL no longer speaks (SSLv3,
 * RC4, EXPORT, ...) are still tested: the handshake stops at the ServerHello,
 * so nothing needs to be computed with them. SSLv2, which has its own
 * record and message layout, gets its own CLIENT-HELLO and parser. */
#include "live/live_internal.h"

#include <stdlib.h>
#include <string.h>

/* The largest first handshake message read (a ServerHello is far smaller). */
#define TLS_HANDSHAKE_MAX 4096u
/* RFC 8446: the largest record body a peer may send (ciphertext). */
#define TLS_RECORD_MAX (16384u + 2048u)

/* The ServerHello.random of a HelloRetryRequest (RFC 8446, 4.1.3). */
static const uint8_t retry_request_random[32] = {
    0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
    0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
};

enum {
    EXT_SERVER_NAME = 0,
    EXT_SUPPORTED_GROUPS = 10,
    EXT_EC_POINT_FORMATS = 11,
    EXT_SIGNATURE_ALGORITHMS = 13,
    EXT_SUPPORTED_VERSIONS = 43,
    EXT_KEY_SHARE = 51,
};
enum { GROUP_X25519 = 0x001D, GROUP_SECP256R1 = 0x0017, GROUP_SECP384R1 = 0x0018 };

/* Old and new signature schemes, SHA-1 included so that old servers answer. */
static const uint16_t signature_schemes[] = {
    0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601, 0x0201, 0x0203, 0x0202,
};
static const uint16_t groups[] = {GROUP_X25519, GROUP_SECP256R1, GROUP_SECP384R1};

const struct live_tls_suite *live_tls_suite_find(uint16_t id)
{
    for (size_t i = 0; i < live_tls_suite_count; i++)
        if (live_tls_suites[i].id == id)
            return &live_tls_suites[i];
    return NULL;
}

const char *live_tls_version_name(uint16_t version)
{
    switch (version) {
    case LIVE_TLS_SSL2:
        return "SSLv2";
    case LIVE_TLS_SSL3:
        return "SSLv3";
    case LIVE_TLS_1_0:
        return "TLSv1.0";
    case LIVE_TLS_1_1:
        return "TLSv1.1";
    case LIVE_TLS_1_2:
        return "TLSv1.2";
    case LIVE_TLS_1_3:
        return "TLSv1.3";
    default:
        return NULL;
    }
}

/* ---- the ClientHello ------------------------------------------------------------ */

/* A bounded writer: once something does not fit, every later write is
 * dropped and full is set. */
struct writer {
    uint8_t *p;
    size_t size, len;
    int full;
};

static void put(struct writer *w, const void *data, size_t n)
{
    if (w->full || n > w->size - w->len) {
        w->full = 1;
        return;
    }
    memcpy(w->p + w->len, data, n);
    w->len += n;
}

static void put8(struct writer *w, unsigned v)
{
    uint8_t b = (uint8_t)v;
    put(w, &b, 1);
}

static void put16(struct writer *w, unsigned v)
{
    uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    put(w, b, 2);
}

/* Reserves a length field of `bytes` bytes; returns its position. */
static size_t open_length(struct writer *w, unsigned bytes)
{
    size_t at = w->len;
    for (unsigned i = 0; i < bytes; i++)
        put8(w, 0);
    return at;
}

/* Fills the length field at `at` with the bytes written after it. */
static void close_length(struct writer *w, size_t at, unsigned bytes)
{
    if (w->full)
        return;
    size_t n = w->len - at - bytes;
    for (unsigned i = 0; i < bytes; i++)
        w->p[at + i] = (uint8_t)(n >> (8 * (bytes - 1 - i)));
}

static int is_dns_name(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > 253)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.' || c == '_'))
            return 0;
    }
    return 1;
}

size_t live_tls_client_hello(uint8_t *out, size_t size, uint16_t version, const uint16_t *suites,
                             size_t suite_count, const char *server_name, const uint8_t random[32],
                             const uint8_t key_share[32])
{
    struct writer w = {out, size, 0, 0};
    put8(&w, 22); /* handshake record */
    put16(&w, version == LIVE_TLS_SSL3 ? LIVE_TLS_SSL3 : LIVE_TLS_1_0);
    size_t record = open_length(&w, 2);
    put8(&w, 1); /* client_hello */
    size_t message = open_length(&w, 3);
    put16(&w, version > LIVE_TLS_1_2 ? LIVE_TLS_1_2 : version);
    put(&w, random, 32);
    put8(&w, 0); /* no session id */
    size_t list = open_length(&w, 2);
    for (size_t i = 0; i < suite_count; i++)
        put16(&w, suites[i]);
    close_length(&w, list, 2);
    put8(&w, 1); /* compression methods: null only */
    put8(&w, 0);
    if (version != LIVE_TLS_SSL3) {
        size_t extensions = open_length(&w, 2);
        if (is_dns_name(server_name)) {
            size_t n = strlen(server_name);
            put16(&w, EXT_SERVER_NAME);
            put16(&w, (unsigned)n + 5);
            put16(&w, (unsigned)n + 3);
            put8(&w, 0); /* host_name */
            put16(&w, (unsigned)n);
            put(&w, server_name, n);
        }
        put16(&w, EXT_SUPPORTED_GROUPS);
        put16(&w, 2 + 2 * (unsigned)(sizeof(groups) / sizeof(groups[0])));
        put16(&w, 2 * (unsigned)(sizeof(groups) / sizeof(groups[0])));
        for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
            put16(&w, groups[i]);
        put16(&w, EXT_EC_POINT_FORMATS);
        put16(&w, 2);
        put8(&w, 1);
        put8(&w, 0); /* uncompressed */
        if (version >= LIVE_TLS_1_2) {
            size_t n = sizeof(signature_schemes) / sizeof(signature_schemes[0]);
            put16(&w, EXT_SIGNATURE_ALGORITHMS);
            put16(&w, 2 + 2 * (unsigned)n);
            put16(&w, 2 * (unsigned)n);
            for (size_t i = 0; i < n; i++)
                put16(&w, signature_schemes[i]);
        }
        if (version == LIVE_TLS_1_3) {
            put16(&w, EXT_SUPPORTED_VERSIONS);
            put16(&w, 3);
            put8(&w, 2);
            put16(&w, LIVE_TLS_1_3);
            put16(&w, EXT_KEY_SHARE);
            put16(&w, 2 + 4 + 32);
            put16(&w, 4 + 32);
            put16(&w, GROUP_X25519);
            put16(&w, 32);
            put(&w, key_share, 32);
        }
        close_length(&w, extensions, 2);
    }
    close_length(&w, message, 3);
    close_length(&w, record, 2);
    return w.full ? 0 : w.len;
}

/* ---- the server's answer ---------------------------------------------------------- */

static unsigned be16(const uint8_t *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

/* The body of a ServerHello (after the 4-byte handshake header). 0 or -1. */
static int parse_server_hello(const uint8_t *b, size_t n, struct live_tls_reply *out)
{
    size_t pos = 0;
    if (n < 2 + 32 + 1)
        return -1;
    out->version = (uint16_t)be16(b);
    out->kind = memcmp(b + 2, retry_request_random, 32) == 0 ? LIVE_TLS_RETRY_REQUEST
                                                             : LIVE_TLS_SERVER_HELLO;
    pos = 2 + 32;
    size_t session_id = b[pos++];
    if (session_id > 32 || n - pos < session_id + 3)
        return -1;
    pos += session_id;
    out->suite = (uint16_t)be16(b + pos);
    out->compression = b[pos + 2];
    pos += 3;
    if (pos == n)
        return 0; /* no extensions */
    if (n - pos < 2 || be16(b + pos) != n - pos - 2)
        return -1;
    pos += 2;
    while (pos < n) {
        if (n - pos < 4)
            return -1;
        unsigned type = be16(b + pos), len = be16(b + pos + 2);
        pos += 4;
        if (len > n - pos)
            return -1;
        if (type == EXT_SUPPORTED_VERSIONS) {
            if (len != 2)
                return -1;
            out->version = (uint16_t)be16(b + pos);
        }
        pos += len;
    }
    return 0;
}

int live_tls_parse_reply(const uint8_t *data, size_t len, struct live_tls_reply *out)
{
    uint8_t hs[TLS_HANDSHAKE_MAX];
    size_t hs_len = 0, pos = 0;
    memset(out, 0, sizeof(*out));
    while (len - pos >= 5) {
        unsigned type = data[pos], version = be16(data + pos + 1), rlen = be16(data + pos + 3);
        if (type < 20 || type > 23 || (version >> 8) != 3 || rlen == 0 || rlen > TLS_RECORD_MAX)
            return -1;
        if (pos == 0)
            out->record_version = (uint16_t)version;
        if (len - pos - 5 < rlen)
            return 0;
        const uint8_t *body = data + pos + 5;
        if (type == 21) { /* alert */
            if (rlen < 2)
                return -1;
            out->kind = LIVE_TLS_ALERT;
            out->alert_level = body[0];
            out->alert_description = body[1];
            return 1;
        }
        if (type != 22)
            return -1; /* anything else before a ServerHello is not an answer */
        size_t take = rlen < sizeof(hs) - hs_len ? rlen : sizeof(hs) - hs_len;
        memcpy(hs + hs_len, body, take);
        hs_len += take;
        if (hs_len >= 4) {
            size_t mlen = (size_t)hs[1] << 16 | (size_t)hs[2] << 8 | hs[3];
            if (hs[0] != 2 || mlen > sizeof(hs) - 4)
                return -1;
            if (hs_len >= 4 + mlen)
                return parse_server_hello(hs + 4, mlen, out) == 0 ? 1 : -1;
        }
        pos += 5 + (size_t)rlen;
    }
    return 0;
}

/* ---- SSLv2 ------------------------------------------------------------------------ */

/* The SSLv2 cipher kinds (3-byte codes of the SSLv2 specification). */
static const struct {
    uint32_t kind;
    const char *name;
} ssl2_ciphers[] = {
    {0x010080, "SSL_CK_RC4_128_WITH_MD5"},
    {0x020080, "SSL_CK_RC4_128_EXPORT40_WITH_MD5"},
    {0x030080, "SSL_CK_RC2_128_CBC_WITH_MD5"},
    {0x040080, "SSL_CK_RC2_128_CBC_EXPORT40_WITH_MD5"},
    {0x050080, "SSL_CK_IDEA_128_CBC_WITH_MD5"},
    {0x060040, "SSL_CK_DES_64_CBC_WITH_MD5"},
    {0x0700C0, "SSL_CK_DES_192_EDE3_CBC_WITH_MD5"},
};
#define SSL2_CIPHER_COUNT (sizeof(ssl2_ciphers) / sizeof(ssl2_ciphers[0]))
enum { SSL2_CLIENT_HELLO = 1, SSL2_SERVER_HELLO = 4 };
/* A record with a 2-byte header holds at most 0x7FFF bytes. */
#define SSL2_RECORD_MAX 0x7FFFu

const char *live_ssl2_cipher_name(uint32_t kind)
{
    for (size_t i = 0; i < SSL2_CIPHER_COUNT; i++)
        if (ssl2_ciphers[i].kind == kind)
            return ssl2_ciphers[i].name;
    return NULL;
}

size_t live_ssl2_client_hello(uint8_t *out, size_t size, const uint8_t challenge[16])
{
    struct writer w = {out, size, 0, 0};
    size_t body = 9 + 3 * SSL2_CIPHER_COUNT + 16;
    put8(&w, 0x80 | (unsigned)(body >> 8)); /* 2-byte header, no padding */
    put8(&w, (unsigned)body & 0xFF);
    put8(&w, SSL2_CLIENT_HELLO);
    put16(&w, LIVE_TLS_SSL2);
    put16(&w, 3 * (unsigned)SSL2_CIPHER_COUNT);
    put16(&w, 0);  /* no session id */
    put16(&w, 16); /* challenge */
    for (size_t i = 0; i < SSL2_CIPHER_COUNT; i++) {
        put8(&w, ssl2_ciphers[i].kind >> 16);
        put16(&w, ssl2_ciphers[i].kind & 0xFFFF);
    }
    put(&w, challenge, 16);
    return w.full ? 0 : w.len;
}

int live_ssl2_parse_server_hello(const uint8_t *data, size_t len, struct live_ssl2_reply *out)
{
    memset(out, 0, sizeof(*out));
    if (len >= 1 && !(data[0] & 0x80))
        return -1; /* a TLS record, or an SSLv2 header with padding: not a server hello */
    if (len >= 3 && data[2] != SSL2_SERVER_HELLO)
        return -1; /* an ERROR message, or not SSLv2 */
    if (len < 2 + 11)
        return 0;
    size_t rlen = (size_t)(data[0] & 0x7F) << 8 | data[1];
    const uint8_t *b = data + 2;
    /* type, session-id-hit, certificate type, version, then three lengths */
    size_t cert = be16(b + 5), specs = be16(b + 7), connection_id = be16(b + 9);
    if (be16(b + 3) != LIVE_TLS_SSL2 || specs % 3 || connection_id < 16 || connection_id > 32 ||
        11 + cert + specs + connection_id != rlen)
        return -1;
    if (len - 2 < rlen)
        return 0;
    out->version = LIVE_TLS_SSL2;
    out->certificate_length = cert;
    out->certificate = cert ? b + 11 : NULL;
    out->cipher_count = specs / 3;
    const uint8_t *p = b + 11 + cert;
    for (size_t i = 0; i < out->cipher_count && i < sizeof(out->ciphers) / sizeof(out->ciphers[0]);
         i++)
        out->ciphers[i] = (uint32_t)p[3 * i] << 16 | (uint32_t)p[3 * i + 1] << 8 | p[3 * i + 2];
    return 1;
}

/* ---- over the network ---------------------------------------------------------------- */

/* Connects (through STARTTLS when `how` says so), sends the hello and reads
 * into buf until parse gives a verdict. 1: parse accepted a reply, 0: no
 * usable reply (refused, closed, silent or malformed), -1: no connection or
 * no upgrade. */
static int hello_exchange(struct live_service *s, enum live_starttls how, const uint8_t *hello,
                          size_t len, uint8_t *buf, size_t cap,
                          int (*parse)(const uint8_t *data, size_t len, void *out), void *out)
{
    struct live_conn c;
    if (live_connect(s->ctx, s->gate, s->target, s->port, &c))
        return -1;
    int rc = -1;
    if (how != LIVE_STARTTLS_NONE && live_starttls(&c, how))
        goto done;
    rc = 0;
    if (live_send(&c, hello, len))
        goto done;
    size_t have = 0;
    while (have < cap) {
        ssize_t n = live_recv(&c, buf + have, cap - have, 0);
        if (n <= 0)
            break;
        have += (size_t)n;
        int got = parse(buf, have, out);
        if (got) {
            rc = got > 0;
            break;
        }
    }
done:
    live_close(&c);
    return rc;
}

static int parse_tls(const uint8_t *data, size_t len, void *out)
{
    return live_tls_parse_reply(data, len, out);
}

static int parse_ssl2(const uint8_t *data, size_t len, void *out)
{
    return live_ssl2_parse_server_hello(data, len, out);
}

int live_tls_hello(struct live_service *s, enum live_starttls how, uint16_t version,
                   const uint16_t *suites, size_t suite_count, struct live_tls_reply *out)
{
    uint8_t random[64], hello[1024], buf[8192];
    live_random(random, sizeof(random));
    size_t len = live_tls_client_hello(hello, sizeof(hello), version, suites, suite_count,
                                       live_tls_server_name(s), random, random + 32);
    if (!len)
        return -1;
    return hello_exchange(s, how, hello, len, buf, sizeof(buf), parse_tls, out);
}

int live_ssl2_hello(struct live_service *s, enum live_starttls how, struct live_ssl2_reply *out)
{
    uint8_t challenge[16], hello[128];
    memset(out, 0, sizeof(*out));
    live_random(challenge, sizeof(challenge));
    size_t len = live_ssl2_client_hello(hello, sizeof(hello), challenge);
    uint8_t *buf = malloc(2 + SSL2_RECORD_MAX);
    if (!len || !buf) {
        free(buf);
        return -1;
    }
    int rc = hello_exchange(s, how, hello, len, buf, 2 + SSL2_RECORD_MAX, parse_ssl2, out);
    /* A SERVER-HELLO without a cipher kind accepts nothing. */
    if (rc == 1 && out->cipher_count == 0)
        rc = 0;
    uint8_t *copy = NULL;
    if (rc == 1 && out->certificate && (copy = malloc(out->certificate_length)))
        memcpy(copy, out->certificate, out->certificate_length);
    out->certificate = copy; /* it pointed into buf */
    free(buf);
    return rc;
}
