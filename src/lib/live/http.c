/* HTTP: the server's name, basic and digest authentication with default
 * credentials, and /.well-known/security.txt (RFC 9116, judged by the same
 * parser as the firmware check). A login counts only when the page that
 * answered 401 without credentials answers 2xx with them, and a random pair
 * is refused first (servers that say 200 to everything prove nothing).
 * Redirects are reported, never followed. */
#include "checks/boot/securitytxt.h"
#include "core/buf.h"
#include "live/live_internal.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* ---- parsing ------------------------------------------------------------------ */

static size_t line_end(const uint8_t *d, size_t len, size_t pos)
{
    while (pos < len && d[pos] != '\n')
        pos++;
    return pos;
}

static void copy_trimmed(const uint8_t *p, size_t n, char *out, size_t size)
{
    while (n && (*p == ' ' || *p == '\t')) {
        p++;
        n--;
    }
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r'))
        n--;
    live_printable(p, n, out, size);
}

/* Copies a string, cut to fit. */
static void set_field(char *dst, size_t size, const char *src)
{
    size_t n = strnlen(src, size - 1);
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* Reads one auth-param value (token or quoted string) into out. */
static size_t auth_value(const char *s, char *out, size_t size)
{
    size_t i = 0, n = 0;
    if (s[0] == '"') {
        for (i = 1; s[i] && s[i] != '"'; i++) {
            if (s[i] == '\\' && s[i + 1])
                i++;
            if (n + 1 < size)
                out[n++] = s[i];
        }
        if (s[i] == '"')
            i++;
    } else {
        for (; s[i] && s[i] != ',' && s[i] != ' '; i++)
            if (n + 1 < size)
                out[n++] = s[i];
    }
    if (size)
        out[n] = '\0';
    return i;
}

/* One WWW-Authenticate value (one challenge per header; the first digest
 * challenge using MD5, or else the first digest one, is kept). */
static void parse_challenge(const char *value, struct live_http_challenge *c)
{
    while (*value == ' ')
        value++;
    if (strncasecmp(value, "basic", 5) == 0 && (!value[5] || value[5] == ' ')) {
        c->basic = 1;
        return;
    }
    if (strncasecmp(value, "digest", 6) != 0 || (value[6] && value[6] != ' '))
        return;
    struct live_http_challenge d = {0};
    d.digest = 1;
    const char *p = value + 6;
    while (*p) {
        while (*p == ' ' || *p == ',')
            p++;
        const char *key = p;
        while (*p && *p != '=' && *p != ',' && *p != ' ')
            p++;
        size_t klen = (size_t)(p - key);
        if (*p != '=') {
            if (!*p)
                break;
            continue;
        }
        p++;
        char v[256];
        p += auth_value(p, v, sizeof(v));
        if (klen == 5 && strncasecmp(key, "realm", 5) == 0)
            set_field(d.realm, sizeof(d.realm), v);
        else if (klen == 5 && strncasecmp(key, "nonce", 5) == 0)
            set_field(d.nonce, sizeof(d.nonce), v);
        else if (klen == 6 && strncasecmp(key, "opaque", 6) == 0)
            set_field(d.opaque, sizeof(d.opaque), v);
        else if (klen == 9 && strncasecmp(key, "algorithm", 9) == 0)
            set_field(d.algorithm, sizeof(d.algorithm), v);
        else if (klen == 3 && strncasecmp(key, "qop", 3) == 0) {
            char *save = NULL;
            for (char *t = strtok_r(v, ", ", &save); t; t = strtok_r(NULL, ", ", &save))
                if (strcasecmp(t, "auth") == 0)
                    d.qop_auth = 1;
        }
    }
    int md5 = !d.algorithm[0] || strcasecmp(d.algorithm, "MD5") == 0;
    int have_md5 = c->digest && (!c->algorithm[0] || strcasecmp(c->algorithm, "MD5") == 0);
    if (!c->digest || (md5 && !have_md5)) {
        int basic = c->basic;
        *c = d;
        c->basic = basic;
    }
}

/* Decodes a chunked body into scratch. Returns the decoded length; stops at
 * the last chunk, at malformed sizes or when scratch is full. */
static size_t dechunk(const uint8_t *d, size_t len, uint8_t *scratch, size_t size, int *complete)
{
    size_t pos = 0, out = 0;
    *complete = 0;
    while (pos < len) {
        size_t eol = line_end(d, len, pos);
        if (eol >= len)
            break;
        uint64_t chunk = 0;
        size_t digits = 0;
        for (size_t i = pos; i < eol && isxdigit(d[i]) && digits < 15; i++, digits++)
            chunk =
                chunk * 16 + (uint64_t)(isdigit(d[i]) ? d[i] - '0' : (tolower(d[i]) - 'a' + 10));
        if (!digits)
            break;
        pos = eol + 1;
        if (chunk == 0) {
            *complete = 1;
            break;
        }
        size_t take = chunk > len - pos ? len - pos : (size_t)chunk;
        if (take > size - out)
            take = size - out;
        memcpy(scratch + out, d + pos, take);
        out += take;
        if (chunk > len - pos)
            break;
        pos += (size_t)chunk;
        if (pos < len && d[pos] == '\r')
            pos++;
        if (pos < len && d[pos] == '\n')
            pos++;
    }
    return out;
}

int live_http_parse(const uint8_t *data, size_t len, uint8_t *scratch, size_t scratch_size,
                    struct live_http_response *out)
{
    memset(out, 0, sizeof(*out));
    out->content_length = -1;
    if (len < 12 || memcmp(data, "HTTP/", 5) != 0)
        return -1;
    size_t eol = line_end(data, len, 0);
    const uint8_t *sp = memchr(data, ' ', eol);
    if (!sp || (size_t)(sp - data) + 4 > eol || !isdigit(sp[1]) || !isdigit(sp[2]) ||
        !isdigit(sp[3]))
        return -1;
    out->status = (sp[1] - '0') * 100 + (sp[2] - '0') * 10 + (sp[3] - '0');
    if (out->status < 100 || out->status > 599)
        return -1;
    size_t pos = eol + 1;
    int headers = 0;
    while (pos < len) {
        eol = line_end(data, len, pos);
        if (eol >= len)
            return 0; /* the header is not complete */
        size_t n = eol - pos;
        if (n && data[pos + n - 1] == '\r')
            n--;
        if (n == 0) {
            out->header_length = eol + 1;
            break;
        }
        if (++headers > LIVE_HTTP_MAX_HEADERS) {
            pos = eol + 1;
            continue;
        }
        const uint8_t *colon = memchr(data + pos, ':', n);
        if (colon) {
            size_t klen = (size_t)(colon - (data + pos));
            const uint8_t *v = colon + 1;
            size_t vlen = n - klen - 1;
            char key[32], value[512];
            live_printable(data + pos, klen < sizeof(key) - 1 ? klen : sizeof(key) - 1, key,
                           sizeof(key));
            copy_trimmed(v, vlen, value, sizeof(value));
            if (strcasecmp(key, "server") == 0)
                set_field(out->server, sizeof(out->server), value);
            else if (strcasecmp(key, "location") == 0)
                set_field(out->location, sizeof(out->location), value);
            else if (strcasecmp(key, "content-type") == 0)
                set_field(out->content_type, sizeof(out->content_type), value);
            else if (strcasecmp(key, "www-authenticate") == 0)
                parse_challenge(value, &out->challenge);
            else if (strcasecmp(key, "transfer-encoding") == 0)
                out->chunked = strcasestr(value, "chunked") != NULL;
            else if (strcasecmp(key, "content-length") == 0) {
                char *end = NULL;
                long long cl = strtoll(value, &end, 10);
                if (end != value && *end == '\0' && cl >= 0)
                    out->content_length = cl;
            }
        }
        pos = eol + 1;
    }
    if (!out->header_length)
        return 0;
    const uint8_t *body = data + out->header_length;
    size_t body_len = len - out->header_length;
    if (out->chunked) {
        int done = 0;
        out->body_length = dechunk(body, body_len, scratch, scratch_size, &done);
        out->body = scratch;
        out->complete = done;
    } else {
        if (out->content_length >= 0 && (uint64_t)out->content_length < body_len)
            body_len = (size_t)out->content_length;
        out->body = body;
        out->body_length = body_len;
        out->complete = out->content_length < 0 || (uint64_t)out->content_length <= body_len;
    }
    return 0;
}

/* ---- requests ----------------------------------------------------------------- */

struct http_result {
    int ok; /* a response was parsed */
    struct ic_buf raw;
    uint8_t *scratch;
    struct live_http_response r;
};

static void http_result_release(struct http_result *h)
{
    ic_buf_release(&h->raw);
    free(h->scratch);
    h->scratch = NULL;
}

/* GET path with an optional Authorization header; reads until the response
 * is complete or the peer closes. */
static int http_get(struct live_service *svc, const char *path, const char *authorization,
                    struct http_result *h)
{
    memset(h, 0, sizeof(*h));
    ic_buf_init(&h->raw, IC_LIVE_REPLY_MAX);
    struct live_conn c;
    if (live_connect(svc->ctx, svc->gate, svc->target, svc->port, &c))
        return -1;
    if (svc->use_tls && live_tls_start(&c, live_tls_server_name(svc))) {
        live_close(&c);
        return -1;
    }
    char host[96];
    if (svc->target->addr.ss_family == AF_INET6)
        snprintf(host, sizeof(host), "[%s]:%u", svc->target->address, svc->port);
    else
        snprintf(host, sizeof(host), "%s:%u", svc->target->address, svc->port);
    char request[1024];
    snprintf(request, sizeof(request),
             "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: iotcop/%s\r\nAccept: */*\r\n%s%s%s"
             "Connection: close\r\n\r\n",
             path, host, "1", authorization ? "Authorization: " : "",
             authorization ? authorization : "", authorization ? "\r\n" : "");
    int rc = -1;
    if (live_send(&c, request, strlen(request)))
        goto done;
    h->scratch = malloc(IC_LIVE_REPLY_MAX);
    if (!h->scratch)
        goto done;
    for (;;) {
        uint8_t chunk[4096];
        ssize_t n = live_recv(&c, chunk, sizeof(chunk), 0);
        if (n > 0 && ic_buf_append(&h->raw, chunk, (size_t)n) != 0)
            n = 0; /* enough read */
        if (h->raw.len &&
            live_http_parse(h->raw.data, h->raw.len, h->scratch, IC_LIVE_REPLY_MAX, &h->r) == 0 &&
            h->r.complete && (h->r.content_length >= 0 || h->r.chunked)) {
            rc = 0;
            break;
        }
        if (n <= 0) {
            if (h->raw.len &&
                live_http_parse(h->raw.data, h->raw.len, h->scratch, IC_LIVE_REPLY_MAX, &h->r) ==
                    0 &&
                h->r.header_length)
                rc = 0;
            break;
        }
    }
done:
    live_close(&c);
    h->ok = rc == 0;
    return rc;
}

/* ---- authentication ----------------------------------------------------------- */

static void base64(const uint8_t *in, size_t len, char *out, size_t size)
{
    static const char table[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0;
    for (size_t i = 0; i < len && o + 5 < size; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16;
        if (i + 1 < len)
            v |= (uint32_t)in[i + 1] << 8;
        if (i + 2 < len)
            v |= in[i + 2];
        out[o++] = table[(v >> 18) & 63];
        out[o++] = table[(v >> 12) & 63];
        out[o++] = i + 1 < len ? table[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < len ? table[v & 63] : '=';
    }
    out[o] = '\0';
}

/* Hex digest of text with the challenge's algorithm (MD5 or SHA-256). */
static void hex_digest(const char *algorithm, const char *text, char *out)
{
    const EVP_MD *md = strncasecmp(algorithm, "SHA-256", 7) == 0 ? EVP_sha256() : EVP_md5();
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    out[0] = '\0';
    if (!EVP_Digest(text, strlen(text), d, &n, md, NULL))
        return;
    for (unsigned i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

void live_http_digest_response(const char *algorithm, const char *user, const char *realm,
                               const char *password, const char *method, const char *uri,
                               const char *nonce, const char *nc, const char *cnonce,
                               const char *qop, char *out)
{
    char ha1[2 * EVP_MAX_MD_SIZE + 1], ha2[2 * EVP_MAX_MD_SIZE + 1], text[1200];
    snprintf(text, sizeof(text), "%s:%s:%s", user, realm, password);
    hex_digest(algorithm, text, ha1);
    snprintf(text, sizeof(text), "%s:%s", method, uri);
    hex_digest(algorithm, text, ha2);
    if (qop && *qop)
        snprintf(text, sizeof(text), "%s:%s:%s:%s:%s:%s", ha1, nonce, nc, cnonce, qop, ha2);
    else
        snprintf(text, sizeof(text), "%s:%s:%s", ha1, nonce, ha2);
    hex_digest(algorithm, text, out);
}

int live_http_basic(const char *user, const char *password, char *out, size_t size)
{
    char pair[300], encoded[420];
    int w = snprintf(pair, sizeof(pair), "%s:%s", user, password);
    if (w < 0 || (size_t)w >= sizeof(pair))
        return -1;
    base64((const uint8_t *)pair, (size_t)w, encoded, sizeof(encoded));
    w = snprintf(out, size, "Basic %s", encoded);
    return w > 0 && (size_t)w < size ? 0 : -1;
}

static int auth_header(const struct live_http_challenge *c, const char *uri, const char *user,
                       const char *password, char *out, size_t size)
{
    if (c->digest && c->nonce[0]) {
        char response[2 * EVP_MAX_MD_SIZE + 1];
        const char *alg = c->algorithm[0] ? c->algorithm : "MD5";
        uint32_t cn = 0;
        live_random(&cn, sizeof(cn));
        char cnonce[16];
        snprintf(cnonce, sizeof(cnonce), "%08x", cn);
        live_http_digest_response(alg, user, c->realm, password, "GET", uri, c->nonce, "00000001",
                                  cnonce, c->qop_auth ? "auth" : NULL, response);
        char qop[64] = "", opaque[300] = "";
        if (c->qop_auth)
            snprintf(qop, sizeof(qop), ", qop=auth, nc=00000001, cnonce=\"%s\"", cnonce);
        if (c->opaque[0])
            snprintf(opaque, sizeof(opaque), ", opaque=\"%s\"", c->opaque);
        int w = snprintf(out, size,
                         "Digest username=\"%s\", realm=\"%s\", nonce=\"%s\", uri=\"%s\", "
                         "algorithm=%s, response=\"%s\"%s%s",
                         user, c->realm, c->nonce, uri, alg, response, qop, opaque);
        return w > 0 && (size_t)w < size ? 0 : -1;
    }
    if (c->basic)
        return live_http_basic(user, password, out, size);
    return -1;
}

/* Nothing in user names and passwords may break the header. */
static int header_safe(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == '"' || *s == '\\')
            return 0;
    return 1;
}

static enum live_login http_login(struct live_service *svc, const char *user, const char *password)
{
    if (!header_safe(user) || !header_safe(password))
        return LIVE_LOGIN_UNKNOWN;
    /* A fresh challenge each time: digest nonces may be single-use. */
    struct http_result first;
    enum live_login result = LIVE_LOGIN_UNKNOWN;
    if (http_get(svc, "/", NULL, &first) || first.r.status != 401) {
        http_result_release(&first);
        return result;
    }
    char authorization[1200];
    if (auth_header(&first.r.challenge, "/", user, password, authorization,
                    sizeof(authorization)) == 0) {
        struct http_result second;
        if (http_get(svc, "/", authorization, &second) == 0) {
            if (second.r.status >= 200 && second.r.status < 300)
                result = LIVE_LOGIN_OK;
            else if (second.r.status == 401)
                result = LIVE_LOGIN_FAILED;
        }
        http_result_release(&second);
    }
    http_result_release(&first);
    return result;
}

static enum live_login http_attempt(struct live_service *svc, const struct live_cred *cred)
{
    return http_login(svc, cred->user, cred->password);
}

/* ---- security.txt ----------------------------------------------------------- */

static int looks_like_html(const struct live_http_response *r)
{
    if (strncasecmp(r->content_type, "text/html", 9) == 0)
        return 1;
    for (size_t i = 0; i < r->body_length; i++) {
        if (isspace(r->body[i]))
            continue;
        return r->body[i] == '<';
    }
    return 0;
}

static void check_security_txt(struct live_service *svc)
{
    struct http_result h;
    char evidence[512];
    if (http_get(svc, "/.well-known/security.txt", NULL, &h)) {
        http_result_release(&h);
        return; /* no answer: nothing can be said */
    }
    const struct live_http_response *r = &h.r;
    if (r->status >= 300 && r->status < 400 && r->location[0]) {
        snprintf(evidence, sizeof(evidence),
                 "/.well-known/security.txt redirects (%d) to '%s', which is not followed",
                 r->status, r->location);
        live_finding(svc, "device.security-txt-missing", evidence);
    } else if (r->status != 200 || looks_like_html(r) || r->body_length == 0) {
        snprintf(evidence, sizeof(evidence), "GET /.well-known/security.txt answered %d%s",
                 r->status, r->status == 200 ? " with a page that is not a security.txt" : "");
        live_finding(svc, "device.security-txt-missing", evidence);
    } else {
        struct ic_sectxt *t = malloc(sizeof(*t));
        if (t) {
            ic_sectxt_parse(r->body, r->body_length, t);
            int64_t now = (int64_t)time(NULL);
            if (t->error_count) {
                snprintf(evidence, sizeof(evidence), "security.txt: line %llu: %s%s",
                         (unsigned long long)t->errors[0].line, t->errors[0].message,
                         t->error_count > 1 ? " (and more)" : "");
                live_finding(svc, "device.security-txt-invalid", evidence);
            }
            if (ic_sectxt_expired(t, now)) {
                snprintf(evidence, sizeof(evidence), "security.txt expired at %s", t->expires_text);
                live_finding(svc, "device.security-txt-expired", evidence);
            } else if (!t->error_count) {
                snprintf(evidence, sizeof(evidence),
                         "security.txt served at %s:%u/.well-known/security.txt: Contact %s, "
                         "Expires %s",
                         svc->target->address, svc->port, t->contact, t->expires_text);
                ic_report_set_provision(svc->report, "5.2-1", IC_STATUS_PASS, evidence);
            }
            free(t);
        }
    }
    http_result_release(&h);
}

void live_http_run(struct live_service *svc)
{
    struct http_result root;
    if (http_get(svc, "/", NULL, &root) == 0) {
        const struct live_http_response *r = &root.r;
        if (r->server[0]) {
            svc->banner_len =
                strlen(r->server) < sizeof(svc->banner) ? strlen(r->server) : sizeof(svc->banner);
            memcpy(svc->banner, r->server, svc->banner_len);
        }
        if (r->status == 401 && (r->challenge.basic || r->challenge.digest)) {
            svc->scheme = r->challenge.digest ? "digest" : "basic";
            struct live_control_pair pair;
            live_control_pair(&pair);
            if (http_login(svc, pair.user, pair.password) == LIVE_LOGIN_FAILED)
                live_try_credentials(svc, "http", 0, http_attempt);
        }
    }
    http_result_release(&root);
    if (!live_stopped(svc->ctx))
        check_security_txt(svc);
}

static int http_banner(const uint8_t *banner, size_t len)
{
    return len >= 5 && memcmp(banner, "HTTP/", 5) == 0;
}

static const uint16_t http_ports[] = {80, 8080, 8000, 8081, 8888, 81, 7547, 0};

const struct live_probe live_probe_http = {
    .name = "http",
    .ports = http_ports,
    .banner_says = http_banner,
    .run = live_http_run,
};
