/* Web login forms on HTTP and HTTPS services: fingerprint the web UI (title, Server
 * header, page markers: data/web-fingerprints.tsv), find the first form with
 * a password input, and try the vendor's factory pairs first, then the
 * short default list. A pair counts only on evidence: two random pairs must
 * first come back to the password form (or 401/403), and the pair must,
 * twice, lead to a 2xx page without any password form. A server that
 * answers every login alike is never credited. */
#include "core/buf.h"
#include "live/live_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- HTML ---------------------------------------------------------------------------- */

static const uint8_t *find_ci(const uint8_t *hay, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; n && i + n <= len; i++)
        if (strncasecmp((const char *)hay + i, needle, n) == 0)
            return hay + i;
    return NULL;
}

/* Decodes the few entities that matter in attribute values. */
static void decode_entities(const uint8_t *p, size_t n, char *out, size_t size)
{
    static const struct {
        const char *name;
        char c;
    } entities[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#39;", '\''}};
    size_t o = 0;
    for (size_t i = 0; i < n && o + 1 < size;) {
        int done = 0;
        for (size_t e = 0; e < sizeof(entities) / sizeof(entities[0]) && !done; e++) {
            size_t l = strlen(entities[e].name);
            if (i + l <= n && strncasecmp((const char *)p + i, entities[e].name, l) == 0) {
                out[o++] = entities[e].c;
                i += l;
                done = 1;
            }
        }
        if (!done) {
            out[o++] = (p[i] < 0x20 || p[i] >= 0x7f) ? '.' : (char)p[i];
            i++;
        }
    }
    out[o] = '\0';
}

/* Reads the attributes of the tag whose name ends at *pos, up to '>'. */
struct tag_attrs {
    char type[24], name[64], value[256], action[256], method[16];
};

static size_t read_attrs(const uint8_t *d, size_t len, size_t pos, struct tag_attrs *a)
{
    memset(a, 0, sizeof(*a));
    while (pos < len && d[pos] != '>') {
        while (pos < len && (isspace(d[pos]) || d[pos] == '/'))
            pos++;
        size_t k = pos;
        while (pos < len && !isspace(d[pos]) && d[pos] != '=' && d[pos] != '>' && d[pos] != '/')
            pos++;
        size_t klen = pos - k;
        if (!klen) {
            if (pos < len && d[pos] != '>')
                pos++;
            continue;
        }
        const uint8_t *v = NULL;
        size_t vlen = 0;
        while (pos < len && isspace(d[pos]))
            pos++;
        if (pos < len && d[pos] == '=') {
            pos++;
            while (pos < len && isspace(d[pos]))
                pos++;
            if (pos < len && (d[pos] == '"' || d[pos] == '\'')) {
                uint8_t q = d[pos++];
                v = d + pos;
                while (pos < len && d[pos] != q)
                    pos++;
                vlen = (size_t)(d + pos - v);
                if (pos < len)
                    pos++;
            } else {
                v = d + pos;
                while (pos < len && !isspace(d[pos]) && d[pos] != '>')
                    pos++;
                vlen = (size_t)(d + pos - v);
            }
        }
        const char *key = (const char *)d + k;
#define ATTR(attr, field)                                                                          \
    if (klen == sizeof(attr) - 1 && strncasecmp(key, attr, klen) == 0 && v)                        \
    decode_entities(v, vlen, a->field, sizeof(a->field))
        ATTR("type", type);
        ATTR("name", name);
        ATTR("value", value);
        ATTR("action", action);
        ATTR("method", method);
#undef ATTR
    }
    return pos;
}

int live_webform_parse(const uint8_t *html, size_t len, struct live_web_form *out)
{
    memset(out, 0, sizeof(*out));
    const uint8_t *form = html;
    while ((form = find_ci(form, len - (size_t)(form - html), "<form")) != NULL) {
        size_t start = (size_t)(form - html), pos;
        struct tag_attrs a;
        pos = read_attrs(html, len, start + 5, &a);
        struct live_web_form f = {0};
        snprintf(f.action, sizeof(f.action), "%s", a.action);
        f.post = strcasecmp(a.method, "post") == 0;
        const uint8_t *end = find_ci(html + pos, len - pos, "</form");
        size_t stop = end ? (size_t)(end - html) : len;
        char user[64] = "";
        for (size_t i = pos; i + 6 <= stop; i++) {
            if (strncasecmp((const char *)html + i, "<input", 6) != 0)
                continue;
            i = read_attrs(html, stop, i + 6, &a);
            if (!a.name[0])
                continue;
            const char *t = a.type[0] ? a.type : "text";
            if (strcasecmp(t, "password") == 0 && !f.password_field[0])
                snprintf(f.password_field, sizeof(f.password_field), "%s", a.name);
            else if ((strcasecmp(t, "text") == 0 || strcasecmp(t, "email") == 0 ||
                      strcasecmp(t, "tel") == 0) &&
                     !user[0] && !f.password_field[0])
                snprintf(user, sizeof(user), "%s", a.name);
            else if ((strcasecmp(t, "hidden") == 0 || strcasecmp(t, "submit") == 0) &&
                     f.hidden_count < LIVE_FORM_MAX_HIDDEN) {
                snprintf(f.hidden[f.hidden_count].name, sizeof(f.hidden[0].name), "%s", a.name);
                snprintf(f.hidden[f.hidden_count].value, sizeof(f.hidden[0].value), "%s", a.value);
                f.hidden_count++;
            }
        }
        if (f.password_field[0]) {
            snprintf(f.user_field, sizeof(f.user_field), "%s", user);
            *out = f;
            return 1;
        }
        form = html + (stop > start + 5 ? stop : start + 5);
        if ((size_t)(form - html) >= len)
            break;
    }
    return 0;
}

void live_web_title(const uint8_t *html, size_t len, char *out, size_t size)
{
    out[0] = '\0';
    const uint8_t *t = find_ci(html, len, "<title");
    if (!t)
        return;
    const uint8_t *gt = memchr(t, '>', len - (size_t)(t - html));
    if (!gt)
        return;
    gt++;
    const uint8_t *end = find_ci(gt, len - (size_t)(gt - html), "</title");
    size_t n = end ? (size_t)(end - gt) : 0;
    while (n && isspace(*gt)) {
        gt++;
        n--;
    }
    while (n && isspace(gt[n - 1]))
        n--;
    decode_entities(gt, n, out, size);
}

const struct live_web_fingerprint *live_web_identify(const char *title, const char *server,
                                                     const uint8_t *body, size_t len)
{
    for (size_t i = 0; i < live_web_fingerprint_count; i++) {
        const struct live_web_fingerprint *f = &live_web_fingerprints[i];
        const char *marker = f->marker;
        if ((f->field == LIVE_WEB_TITLE && strcasestr(title, marker)) ||
            (f->field == LIVE_WEB_SERVER && strcasestr(server, marker)) ||
            (f->field == LIVE_WEB_BODY && body && find_ci(body, len, marker)))
            return f;
    }
    return NULL;
}

/* ---- HTTP with a cookie jar -------------------------------------------------------------- */

struct web_page {
    struct ic_buf raw;
    uint8_t *scratch;
    struct live_http_response r;
    int ok;
};

struct web_session {
    struct live_service *s;
    char cookies[1024]; /* "a=b; c=d" */
    int cookie_set;     /* a Set-Cookie came since the jar was emptied */
    char path[256];     /* of the last page fetched */
};

static void page_release(struct web_page *p)
{
    ic_buf_release(&p->raw);
    free(p->scratch);
    memset(p, 0, sizeof(*p));
}

static void take_cookies(struct web_session *w, const struct web_page *p)
{
    const uint8_t *d = p->raw.data;
    size_t end = p->r.header_length;
    for (size_t pos = 0; pos < end;) {
        size_t eol = pos;
        while (eol < end && d[eol] != '\n')
            eol++;
        if (eol - pos > 11 && strncasecmp((const char *)d + pos, "Set-Cookie:", 11) == 0) {
            size_t v = pos + 11;
            while (v < eol && d[v] == ' ')
                v++;
            size_t n = 0;
            while (v + n < eol && d[v + n] != ';' && d[v + n] != '\r')
                n++;
            char pair[256];
            live_printable(d + v, n < sizeof(pair) - 1 ? n : sizeof(pair) - 1, pair, sizeof(pair));
            size_t used = strlen(w->cookies);
            if (pair[0] && strchr(pair, '=') && used + strlen(pair) + 3 < sizeof(w->cookies))
                snprintf(w->cookies + used, sizeof(w->cookies) - used, "%s%s", used ? "; " : "",
                         pair);
            w->cookie_set = 1;
        }
        pos = eol + 1;
    }
}

static int safe_path(const char *p)
{
    if (p[0] != '/')
        return 0;
    for (; *p; p++)
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
            return 0;
    return 1;
}

static int web_request(struct web_session *w, const char *method, const char *path,
                       const char *body, struct web_page *p)
{
    struct live_service *s = w->s;
    memset(p, 0, sizeof(*p));
    ic_buf_init(&p->raw, IC_LIVE_REPLY_MAX);
    p->scratch = malloc(IC_LIVE_REPLY_MAX);
    if (!p->scratch || !safe_path(path))
        return -1;
    struct live_conn c;
    if (live_connect(s->ctx, s->gate, s->target, s->port, &c))
        return -1;
    if (s->use_tls && live_tls_start(&c, live_tls_server_name(s))) {
        live_close(&c);
        return -1;
    }
    int v6 = s->target->addr.ss_family == AF_INET6;
    struct ic_buf req = IC_BUF_INIT(8192);
    ic_buf_printf(&req,
                  "%s %s HTTP/1.1\r\nHost: %s%s%s:%u\r\nUser-Agent: iotcop\r\nAccept: */*\r\n"
                  "Connection: close\r\n",
                  method, path, v6 ? "[" : "", s->target->address, v6 ? "]" : "", s->port);
    if (w->cookies[0])
        ic_buf_printf(&req, "Cookie: %s\r\n", w->cookies);
    if (body)
        ic_buf_printf(&req,
                      "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %zu\r\n",
                      strlen(body));
    ic_buf_printf(&req, "\r\n%s", body ? body : "");
    int rc = -1;
    if (req.data && live_send(&c, req.data, req.len) == 0) {
        uint8_t chunk[4096];
        ssize_t n;
        while ((n = live_recv(&c, chunk, sizeof(chunk), 0)) > 0)
            if (ic_buf_append(&p->raw, chunk, (size_t)n))
                break;
        if (p->raw.len &&
            live_http_parse(p->raw.data, p->raw.len, p->scratch, IC_LIVE_REPLY_MAX, &p->r) == 0 &&
            p->r.header_length)
            rc = 0;
    }
    ic_buf_release(&req);
    live_close(&c);
    p->ok = rc == 0;
    if (p->ok) {
        take_cookies(w, p);
        snprintf(w->path, sizeof(w->path), "%s", path);
    }
    return rc;
}

/* Where a link or Location leads on this host ("" : elsewhere, not followed). */
static void resolve(const struct web_session *w, const char *base, const char *ref, char *out,
                    size_t size)
{
    const struct live_service *s = w->s;
    out[0] = '\0';
    char prefix[128];
    int v6 = s->target->addr.ss_family == AF_INET6;
    const char *scheme = s->use_tls ? "https://" : "http://";
    if (strncasecmp(ref, scheme, strlen(scheme)) == 0) {
        snprintf(prefix, sizeof(prefix), "%s%s%s%s", scheme, v6 ? "[" : "", s->target->address,
                 v6 ? "]" : "");
        size_t n = strlen(prefix);
        if (strncasecmp(ref, prefix, n) != 0)
            return;
        ref += n;
        if (*ref == ':') {
            char *after;
            if (strtoul(ref + 1, &after, 10) != s->port)
                return;
            ref = after;
        } else if (s->port != (s->use_tls ? 443 : 80)) {
            return;
        }
        if (!*ref)
            ref = "/";
    } else if (strstr(ref, "://") || strncmp(ref, "//", 2) == 0) {
        return; /* another host or scheme */
    }
    if (ref[0] == '/') {
        snprintf(out, size, "%s", ref);
    } else if (!ref[0] || ref[0] == '?') { /* the page itself */
        snprintf(out, size, "%.*s%s", (int)strcspn(base, "?"), base, ref);
    } else {
        const char *slash = strrchr(base, '/');
        int dir = slash ? (int)(slash - base) + 1 : 1;
        snprintf(out, size, "%.*s%s", dir, slash ? base : "/", ref);
    }
    char *hash = strchr(out, '#');
    if (hash)
        *hash = '\0';
}

/* Follows redirects on this host (at most 3), GET with the jar. */
static int follow(struct web_session *w, struct web_page *p)
{
    for (int hops = 0; hops < 3 && p->ok && p->r.status >= 300 && p->r.status < 400; hops++) {
        char next[256];
        resolve(w, w->path, p->r.location, next, sizeof(next));
        if (!next[0])
            return -1;
        page_release(p);
        if (web_request(w, "GET", next, NULL, p))
            return -1;
    }
    return p->ok ? 0 : -1;
}

/* ---- logins ---------------------------------------------------------------------------------- */

static void url_encode(const char *in, struct ic_buf *out)
{
    for (; *in; in++) {
        unsigned char c = (unsigned char)*in;
        if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
            ic_buf_append_byte(out, c);
        else
            ic_buf_printf(out, "%%%02X", c);
    }
}

enum outcome { OUT_NONE, OUT_FAILED, OUT_IN };

struct attempt_result {
    enum outcome outcome;
    int status;
    int cookie_set;
    char final_path[256];
};

/* One login: a fresh jar, the form page (fresh hidden fields), the submit,
 * the redirects. */
static void attempt(struct live_service *s, const char *page_path, const char *user,
                    const char *password, struct attempt_result *res)
{
    memset(res, 0, sizeof(*res));
    struct web_session w = {.s = s};
    struct web_page p;
    struct live_web_form form;
    if (web_request(&w, "GET", page_path, NULL, &p) || follow(&w, &p) ||
        !live_webform_parse(p.r.body, p.r.body_length, &form)) {
        page_release(&p);
        return;
    }
    char form_page[256], target[256];
    snprintf(form_page, sizeof(form_page), "%s", w.path);
    page_release(&p);
    resolve(&w, form_page, form.action, target, sizeof(target));
    if (!target[0])
        return; /* the form posts to another host: never followed */
    struct ic_buf body = IC_BUF_INIT(8192);
    for (size_t i = 0; i < form.hidden_count; i++) {
        url_encode(form.hidden[i].name, &body);
        ic_buf_append_byte(&body, '=');
        url_encode(form.hidden[i].value, &body);
        ic_buf_append_byte(&body, '&');
    }
    if (form.user_field[0]) {
        url_encode(form.user_field, &body);
        ic_buf_append_byte(&body, '=');
        url_encode(user, &body);
        ic_buf_append_byte(&body, '&');
    }
    url_encode(form.password_field, &body);
    ic_buf_append_byte(&body, '=');
    url_encode(password, &body);
    ic_buf_append_byte(&body, '\0');
    w.cookie_set = 0;
    atomic_fetch_add(&s->ctx->logins_tried, 1);
    int rc = -1;
    if (body.data) {
        if (form.post) {
            rc = web_request(&w, "POST", target, (const char *)body.data, &p);
        } else {
            char get[512];
            snprintf(get, sizeof(get), "%s?%s", target, (const char *)body.data);
            rc = web_request(&w, "GET", get, NULL, &p);
        }
    }
    ic_buf_release(&body);
    if (rc == 0 && follow(&w, &p) == 0) {
        struct live_web_form again;
        res->status = p.r.status;
        res->cookie_set = w.cookie_set;
        snprintf(res->final_path, sizeof(res->final_path), "%s", w.path);
        if (p.r.status == 401 || p.r.status == 403 ||
            live_webform_parse(p.r.body, p.r.body_length, &again))
            res->outcome = OUT_FAILED;
        else if (p.r.status >= 200 && p.r.status < 300)
            res->outcome = OUT_IN;
    }
    page_release(&p);
}

static void random_text(char *out, size_t size, const char *prefix)
{
    uint32_t v = 0;
    live_random(&v, sizeof(v));
    snprintf(out, size, "%s%08x", prefix, v);
}

struct form_pair {
    const char *user, *password;
    int from_user;
    const char *vendor;
};

static void report(struct live_service *s, const char *path, const struct form_pair *c,
                   const struct attempt_result *r)
{
    char user[96], password[96], evidence[1024];
    live_printable((const uint8_t *)c->user, strlen(c->user), user, sizeof(user));
    if (c->from_user)
        snprintf(password, sizeof(password), "%.2s... (%zu characters, from --credentials)",
                 c->password, strlen(c->password));
    else
        live_printable((const uint8_t *)c->password, strlen(c->password), password,
                       sizeof(password));
    snprintf(evidence, sizeof(evidence),
             "%s (form at %.120s) login accepted: user '%s', password '%s'%s%s%s; twice led to "
             "%d at %.120s without a password form%s, where two random pairs got the form back",
             s->use_tls ? "https" : "http", path, user, password, c->vendor ? " (" : "",
             c->vendor ? c->vendor : "", c->vendor ? " default)" : "", r->status, r->final_path,
             r->cookie_set ? " and set a cookie" : "");
    live_finding(s, "device.default-credentials", evidence);
}

void live_webform_run(struct live_service *s)
{
    struct web_session w = {.s = s};
    struct web_page p;
    if (web_request(&w, "GET", "/", NULL, &p) || follow(&w, &p)) {
        page_release(&p);
        return;
    }
    char title[128], page_path[256];
    struct live_web_form form;
    live_web_title(p.r.body, p.r.body_length, title, sizeof(title));
    const struct live_web_fingerprint *fp =
        live_web_identify(title, p.r.server, p.r.body, p.r.body_length);
    int has_form = live_webform_parse(p.r.body, p.r.body_length, &form);
    snprintf(page_path, sizeof(page_path), "%s", w.path);
    page_release(&p);
    if (!has_form || live_stopped(s->ctx))
        return;
    /* Two random pairs must fail visibly, or nothing can be told apart. */
    struct attempt_result r;
    char ru[32], rp[32];
    for (int i = 0; i < 2; i++) {
        random_text(ru, sizeof(ru), "ic");
        random_text(rp, sizeof(rp), "Zq");
        attempt(s, page_path, ru, rp, &r);
        if (r.outcome != OUT_FAILED)
            return;
    }
    struct live_cred *dict = NULL;
    size_t dict_count = 0;
    if (live_credentials_for(s->ctx, "http-form", &dict, &dict_count))
        return;
    struct form_pair *pairs = calloc(dict_count + 4, sizeof(*pairs));
    size_t n = 0;
    /* The user's pairs, then the fingerprinted vendor's, then the dictionary's. */
    for (size_t i = 0; pairs && i < dict_count && dict[i].from_user; i++)
        pairs[n++] = (struct form_pair){dict[i].user, dict[i].password, 1, NULL};
    for (size_t i = 0; pairs && fp && i < fp->pair_count; i++)
        pairs[n++] = (struct form_pair){fp->users[i], fp->passwords[i], 0, fp->vendor};
    for (size_t i = 0; pairs && i < dict_count; i++) {
        int dup = 0;
        for (size_t k = 0; k < n && !dup; k++)
            dup = strcmp(pairs[k].user, dict[i].user) == 0 &&
                  strcmp(pairs[k].password, dict[i].password) == 0;
        if (!dup)
            pairs[n++] =
                (struct form_pair){dict[i].user, dict[i].password, dict[i].from_user, NULL};
    }
    size_t worked = 0;
    for (size_t i = 0; i < n && !live_stopped(s->ctx); i++) {
        attempt(s, page_path, pairs[i].user, pairs[i].password, &r);
        if (r.outcome != OUT_IN)
            continue;
        struct attempt_result again;
        attempt(s, page_path, pairs[i].user, pairs[i].password, &again);
        if (again.outcome != OUT_IN)
            continue; /* not stable: proves nothing */
        report(s, page_path, &pairs[i], &r);
        if (++worked && !s->ctx->o.all_credentials)
            break;
    }
    free(pairs);
    free(dict);
}
