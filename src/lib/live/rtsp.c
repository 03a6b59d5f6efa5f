/* RTSP (tcp/554, 8554; RFC 2326): OPTIONS, then DESCRIBE of the base URL.
 * A session description (SDP) returned without credentials means anyone on
 * the network can watch the stream; a 401 challenge (basic or digest) gets
 * the default-credential dictionary, after a random pair has been refused
 * (a server that lets anything in proves nothing). A login counts only
 * when the DESCRIBE that carried it is answered 200. */
#include "live/live_internal.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int live_rtsp_parse(uint8_t *data, size_t len, uint8_t *scratch, size_t scratch_size,
                    struct live_rtsp_response *out)
{
    memset(out, 0, sizeof(*out));
    out->cseq = -1;
    if (len < 12 || memcmp(data, "RTSP/1.", 7) != 0)
        return -1;
    /* Same header grammar as HTTP/1.x: the HTTP parser reads the rest. */
    memcpy(data, "HTTP", 4);
    int rc = live_http_parse(data, len, scratch, scratch_size, &out->http);
    memcpy(data, "RTSP", 4);
    if (rc)
        return -1;
    size_t end = out->http.header_length ? out->http.header_length : len;
    for (size_t pos = 0; pos < end;) {
        size_t eol = pos;
        while (eol < end && data[eol] != '\n')
            eol++;
        size_t n = eol - pos;
        const char *line = (const char *)data + pos;
        if (n > 5 && strncasecmp(line, "CSeq:", 5) == 0) {
            int v = 0;
            for (size_t i = 5; i < n && v < 1000000; i++)
                if (line[i] >= '0' && line[i] <= '9')
                    v = v * 10 + (line[i] - '0');
            out->cseq = v;
        } else if (n > 7 && strncasecmp(line, "Public:", 7) == 0) {
            size_t skip = 7;
            while (skip < n && line[skip] == ' ')
                skip++;
            size_t vn = n - skip;
            while (vn && (line[skip + vn - 1] == '\r' || line[skip + vn - 1] == ' '))
                vn--;
            live_printable((const uint8_t *)line + skip,
                           vn < sizeof(out->methods) - 1 ? vn : sizeof(out->methods) - 1,
                           out->methods, sizeof(out->methods));
        }
        pos = eol + 1;
    }
    return 0;
}

/* ---- requests ---------------------------------------------------------------------- */

struct rtsp_session {
    struct live_service *s;
    struct live_conn c;
    int cseq;
    char url[128];
    uint8_t raw[IC_LIVE_REPLY_MAX];
    size_t raw_len;
    uint8_t *scratch;
    struct live_rtsp_response r;
};

static int rtsp_open(struct rtsp_session *x, struct live_service *s)
{
    memset(x, 0, sizeof(*x));
    x->s = s;
    x->c.fd = -1;
    int v6 = s->target->addr.ss_family == AF_INET6;
    snprintf(x->url, sizeof(x->url), "rtsp://%s%s%s:%u/", v6 ? "[" : "", s->target->address,
             v6 ? "]" : "", s->port);
    x->scratch = malloc(IC_LIVE_REPLY_MAX);
    if (!x->scratch)
        return -1;
    return live_connect(s->ctx, s->gate, s->target, s->port, &x->c);
}

static void rtsp_close(struct rtsp_session *x)
{
    live_close(&x->c);
    free(x->scratch);
    x->scratch = NULL;
}

/* Sends METHOD url with an optional Authorization and reads the response on
 * the same connection. 0 (x->r holds it) or -1. */
static int rtsp_request(struct rtsp_session *x, const char *method, const char *authorization)
{
    char request[1600];
    int n =
        snprintf(request, sizeof(request),
                 "%s %s RTSP/1.0\r\nCSeq: %d\r\nUser-Agent: iotcop\r\n%s%s%s%s\r\n", method, x->url,
                 ++x->cseq, strcmp(method, "DESCRIBE") == 0 ? "Accept: application/sdp\r\n" : "",
                 authorization ? "Authorization: " : "", authorization ? authorization : "",
                 authorization ? "\r\n" : "");
    if (n <= 0 || (size_t)n >= sizeof(request) || live_send(&x->c, request, (size_t)n))
        return -1;
    x->raw_len = 0;
    for (;;) {
        ssize_t got = live_recv(&x->c, x->raw + x->raw_len, sizeof(x->raw) - x->raw_len, 0);
        if (got <= 0)
            return -1;
        x->raw_len += (size_t)got;
        if (x->raw_len < 12)
            continue; /* not even a status line yet */
        if (live_rtsp_parse(x->raw, x->raw_len, x->scratch, IC_LIVE_REPLY_MAX, &x->r))
            return -1;
        if (x->r.http.header_length && (x->r.http.complete || x->raw_len == sizeof(x->raw)))
            return x->r.cseq == x->cseq ? 0 : -1;
        if (x->raw_len == sizeof(x->raw))
            return -1;
    }
}

static int header_safe(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == '"' || *s == '\\')
            return 0;
    return 1;
}

static int authorization(const struct live_http_challenge *c, const char *url, const char *user,
                         const char *password, char *out, size_t size)
{
    if (c->digest && c->nonce[0]) {
        char response[2 * EVP_MAX_MD_SIZE + 1], cnonce[16] = "", qop[64] = "", opaque[300] = "";
        const char *alg = c->algorithm[0] ? c->algorithm : "MD5";
        uint32_t cn = 0;
        live_random(&cn, sizeof(cn));
        snprintf(cnonce, sizeof(cnonce), "%08x", cn);
        live_http_digest_response(alg, user, c->realm, password, "DESCRIBE", url, c->nonce,
                                  "00000001", cnonce, c->qop_auth ? "auth" : NULL, response);
        if (c->qop_auth)
            snprintf(qop, sizeof(qop), ", qop=auth, nc=00000001, cnonce=\"%s\"", cnonce);
        if (c->opaque[0])
            snprintf(opaque, sizeof(opaque), ", opaque=\"%s\"", c->opaque);
        int w = snprintf(out, size,
                         "Digest username=\"%s\", realm=\"%s\", nonce=\"%s\", uri=\"%s\", "
                         "response=\"%s\"%s%s",
                         user, c->realm, c->nonce, url, response, qop, opaque);
        return w > 0 && (size_t)w < size ? 0 : -1;
    }
    return c->basic ? live_http_basic(user, password, out, size) : -1;
}

/* DESCRIBE without credentials, then with the pair against the fresh
 * challenge, on one connection. */
static enum live_login rtsp_login(struct live_service *s, const char *user, const char *password)
{
    if (!header_safe(user) || !header_safe(password))
        return LIVE_LOGIN_UNKNOWN;
    struct rtsp_session x;
    enum live_login result = LIVE_LOGIN_UNKNOWN;
    char auth[1200];
    if (rtsp_open(&x, s) == 0 && rtsp_request(&x, "DESCRIBE", NULL) == 0 &&
        x.r.http.status == 401 &&
        authorization(&x.r.http.challenge, x.url, user, password, auth, sizeof(auth)) == 0 &&
        rtsp_request(&x, "DESCRIBE", auth) == 0) {
        if (x.r.http.status == 200)
            result = LIVE_LOGIN_OK;
        else if (x.r.http.status == 401 || x.r.http.status == 403)
            result = LIVE_LOGIN_FAILED;
    }
    rtsp_close(&x);
    return result;
}

static enum live_login rtsp_attempt(struct live_service *s, const struct live_cred *cred)
{
    return rtsp_login(s, cred->user, cred->password);
}

static void rtsp_run(struct live_service *s)
{
    struct rtsp_session x;
    if (rtsp_open(&x, s)) {
        rtsp_close(&x);
        return;
    }
    char banner[IC_LIVE_BANNER_MAX] = "";
    if (rtsp_request(&x, "OPTIONS", NULL) == 0)
        snprintf(banner, sizeof(banner), "%s%s%s", x.r.http.server,
                 x.r.methods[0] && x.r.http.server[0] ? "; " : "", x.r.methods);
    int described = rtsp_request(&x, "DESCRIBE", NULL) == 0;
    struct live_rtsp_response first = x.r;
    char sdp[160] = "";
    if (described && first.http.body_length)
        live_printable(first.http.body, first.http.body_length < 120 ? first.http.body_length : 120,
                       sdp, sizeof(sdp));
    rtsp_close(&x);
    if (!described)
        return;
    if (!banner[0] && first.http.server[0])
        snprintf(banner, sizeof(banner), "%s", first.http.server);
    s->banner_len = strlen(banner);
    memcpy(s->banner, banner, s->banner_len);
    if (first.http.status == 200 && strcasestr(first.http.content_type, "application/sdp")) {
        char evidence[512];
        snprintf(evidence, sizeof(evidence),
                 "DESCRIBE %s answered 200 with a session description and no credentials: "
                 "'%.150s'",
                 x.url, sdp);
        live_finding(s, "device.rtsp-unauthenticated", evidence);
        return;
    }
    if (first.http.status != 401 || !(first.http.challenge.basic || first.http.challenge.digest))
        return;
    s->scheme = first.http.challenge.digest ? "digest" : "basic";
    struct live_control_pair pair;
    live_control_pair(&pair);
    if (rtsp_login(s, pair.user, pair.password) == LIVE_LOGIN_FAILED)
        live_try_credentials(s, "http", 0, rtsp_attempt);
}

static const uint16_t rtsp_ports[] = {554, 8554, 0};

const struct live_probe live_probe_rtsp = {
    .name = "rtsp",
    .ports = rtsp_ports,
    .banner_says = NULL,
    .run = rtsp_run,
};
