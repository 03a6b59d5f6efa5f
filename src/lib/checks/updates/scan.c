/* Bounded readers of untrusted text for the updates and evidence families
 * (see scan.h). */
#include "checks/updates/scan.h"

#include <stdio.h>
#include <string.h>

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int is_alnum(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int is_host_char(int c)
{
    return is_alnum(c) || c == '.' || c == '-' || c == '_';
}

/* Characters that may follow the host in a URL as written in a file. */
static int is_url_char(int c)
{
    return c > 0x20 && c < 0x7f && c != '"' && c != '\'' && c != '<' && c != '>' && c != '`' &&
           c != '\\' && c != '{' && c != '}' && c != '|' && c != '^';
}

static const struct {
    const char *name;
    int plaintext;
} schemes[] = {
    {"https", 0}, {"http", 1},  {"mqtts", 0}, {"mqtt", 1},   {"wss", 0},  {"ws", 1},
    {"ftps", 0},  {"sftp", 0},  {"ftp", 1},   {"tftp", 1},   {"coaps", 0}, {"coap", 1},
    {"amqps", 0}, {"amqp", 1},  {"ssl", 0},   {"tls", 0},    {"telnet", 1},
};

int ic_scan_host_is_local(const char *host)
{
    static const char *const exact[] = {"localhost", "0.0.0.0", "::1", "ip6-localhost", NULL};
    for (size_t i = 0; exact[i]; i++)
        if (strcmp(host, exact[i]) == 0)
            return 1;
    static const char *const prefix[] = {"127.", "10.", "192.168.", "169.254.", NULL};
    for (size_t i = 0; prefix[i]; i++)
        if (strncmp(host, prefix[i], strlen(prefix[i])) == 0)
            return 1;
    if (strncmp(host, "172.", 4) == 0) {
        unsigned second = 0;
        if (sscanf(host + 4, "%3u", &second) == 1 && second >= 16 && second <= 31)
            return 1;
    }
    size_t n = strlen(host);
    static const char *const suffix[] = {".local", ".lan", ".localdomain", ".home.arpa",
                                         ".invalid", ".test", NULL};
    for (size_t i = 0; suffix[i]; i++) {
        size_t s = strlen(suffix[i]);
        if (n >= s && strcmp(host + n - s, suffix[i]) == 0)
            return 1;
    }
    /* Names of standards and schemas, not services the device talks to. */
    static const char *const docs[] = {"www.w3.org", "w3.org", "schemas.xmlsoap.org",
                                       "schemas.microsoft.com", "purl.org", "ns.adobe.com",
                                       "www.apache.org", "www.gnu.org", "gnu.org",
                                       "www.openssl.org", "busybox.net", "www.busybox.net",
                                       "tools.ietf.org", "www.ietf.org", "xml.org", NULL};
    for (size_t i = 0; docs[i]; i++)
        if (strcmp(host, docs[i]) == 0)
            return 1;
    return 0;
}

int ic_scan_urls(const uint8_t *data, size_t len, ic_scan_url_fn fn, void *ctx)
{
    uint64_t line = 1;
    for (size_t i = 0; i < len; i++) {
        if (data[i] == '\n') {
            line++;
            continue;
        }
        if (data[i] != ':' || i + 2 >= len || data[i + 1] != '/' || data[i + 2] != '/')
            continue;
        /* The scheme: letters before the colon. */
        size_t s = i;
        while (s > 0 && i - s < 8 && ((data[s - 1] >= 'a' && data[s - 1] <= 'z') ||
                                      (data[s - 1] >= 'A' && data[s - 1] <= 'Z')))
            s--;
        if (s == i || (s > 0 && is_alnum(data[s - 1])))
            continue;
        char scheme[9];
        size_t sl = i - s;
        for (size_t k = 0; k < sl; k++)
            scheme[k] = (char)lower(data[s + k]);
        scheme[sl] = '\0';
        int known = -1;
        for (size_t k = 0; k < sizeof(schemes) / sizeof(schemes[0]); k++)
            if (strcmp(scheme, schemes[k].name) == 0)
                known = (int)k;
        if (known < 0)
            continue;
        /* Authority: skip user:password@, take the host up to ':', '/' ... */
        size_t a = i + 3, e = a;
        while (e < len && is_url_char(data[e]) && data[e] != '/' && data[e] != '?' &&
               data[e] != '#')
            e++;
        size_t h = a;
        for (size_t k = a; k < e; k++)
            if (data[k] == '@')
                h = k + 1;
        size_t he = h;
        if (he < e && data[he] == '[') { /* IPv6 literal */
            while (he < e && data[he] != ']')
                he++;
            if (he >= e)
                continue;
            he++;
        } else {
            while (he < e && is_host_char(data[he]))
                he++;
        }
        size_t hl = he - h;
        if (hl == 0 || hl >= IC_SCAN_MAX_HOST || he - s >= IC_SCAN_MAX_URL - 1)
            continue;
        /* A variable or template in the host: not a real endpoint. */
        if (he < e && data[he] != ':' && data[he] != '/' && data[he] != '?' && data[he] != '#')
            continue;
        if (data[h] == '.' || data[h] == '-' || data[he - 1] == '.')
            continue;
        char host[IC_SCAN_MAX_HOST];
        size_t o = 0;
        int dot = 0;
        for (size_t k = h; k < he; k++) {
            int c = lower(data[k]);
            if (data[h] == '[' && (k == h || k + 1 == he))
                continue;
            dot |= c == '.' || c == ':';
            host[o++] = (char)c;
        }
        host[o] = '\0';
        if (!o || (!dot && strcmp(host, "localhost") != 0))
            continue; /* "http://server/" in a comment or a usage text */
        size_t ue = he;
        while (ue < len && is_url_char(data[ue]) && ue - s < IC_SCAN_MAX_URL - 1)
            ue++;
        /* Trailing punctuation of prose or code. */
        while (ue > he && (data[ue - 1] == '.' || data[ue - 1] == ',' || data[ue - 1] == ';' ||
                           data[ue - 1] == ')' || data[ue - 1] == ']'))
            ue--;
        char url[IC_SCAN_MAX_URL];
        size_t ul = ue - s;
        memcpy(url, data + s, ul);
        url[ul] = '\0';
        struct ic_scan_url u = {line, schemes[known].name, host, url, schemes[known].plaintext};
        int rc = fn(ctx, &u);
        if (rc)
            return rc;
        i = ue > i ? ue - 1 : i;
    }
    return 0;
}

/* Iterates lines: [a, b) is the line without its end, blanks trimmed at the
 * start. Returns 0 at the end. */
struct lines {
    const uint8_t *d;
    size_t len, pos;
    uint64_t line;
};

static int next_line(struct lines *l, size_t *a, size_t *b)
{
    if (l->pos >= l->len)
        return 0;
    size_t s = l->pos, e = s;
    while (e < l->len && l->d[e] != '\n')
        e++;
    l->pos = e < l->len ? e + 1 : e;
    l->line++;
    while (s < e && (l->d[s] == ' ' || l->d[s] == '\t'))
        s++;
    while (e > s && (l->d[e - 1] == '\r' || l->d[e - 1] == ' ' || l->d[e - 1] == '\t'))
        e--;
    *a = s;
    *b = e;
    return 1;
}

/* The next blank-separated word of [*p, b) into out; 0 when there is none. */
static int word(const uint8_t *d, size_t *p, size_t b, char *out, size_t cap)
{
    size_t i = *p;
    while (i < b && (d[i] == ' ' || d[i] == '\t'))
        i++;
    size_t s = i;
    while (i < b && d[i] != ' ' && d[i] != '\t')
        i++;
    *p = i;
    if (i == s || i - s >= cap)
        return 0;
    memcpy(out, d + s, i - s);
    out[i - s] = '\0';
    return 1;
}

int ic_scan_opkg_conf(const uint8_t *data, size_t len, int *check_signature, ic_scan_feed_fn fn,
                      void *ctx)
{
    struct lines l = {data, len, 0, 0};
    size_t a, b;
    if (check_signature)
        *check_signature = 0;
    while (next_line(&l, &a, &b)) {
        if (a == b || data[a] == '#')
            continue;
        size_t p = a;
        char w1[32], name[128], url[IC_SCAN_MAX_URL];
        if (!word(data, &p, b, w1, sizeof(w1)))
            continue;
        if (strcmp(w1, "option") == 0) {
            char opt[64], val[16] = "1";
            if (word(data, &p, b, opt, sizeof(opt)) && strcmp(opt, "check_signature") == 0) {
                word(data, &p, b, val, sizeof(val));
                if (check_signature && strcmp(val, "0") != 0 && strcmp(val, "false") != 0)
                    *check_signature = 1;
            }
            continue;
        }
        if (strcmp(w1, "src") != 0 && strcmp(w1, "src/gz") != 0 && strcmp(w1, "dist") != 0 &&
            strcmp(w1, "dist/gz") != 0)
            continue;
        if (!word(data, &p, b, name, sizeof(name)) || !word(data, &p, b, url, sizeof(url)))
            continue;
        struct ic_scan_feed f = {l.line, name, url};
        int rc = fn(ctx, &f);
        if (rc)
            return rc;
    }
    return 0;
}

uint64_t ic_scan_setting(const uint8_t *data, size_t len, const char *section, const char *key,
                         char *out, size_t cap)
{
    if (!cap)
        return 0;
    out[0] = '\0';
    size_t kl = strlen(key);
    struct lines l = {data, len, 0, 0};
    size_t a, b;
    int in_section = section == NULL;
    while (next_line(&l, &a, &b)) {
        if (a == b || data[a] == '#' || data[a] == ';')
            continue;
        if (data[a] == '[' && section) {
            size_t sl = strlen(section);
            in_section = b - a >= sl + 2 && memcmp(data + a + 1, section, sl) == 0 &&
                         data[a + 1 + sl] == ']';
            continue;
        }
        if (!in_section)
            continue;
        size_t i = a;
        if (i < b && (data[i] == '"' || data[i] == '\''))
            i++;
        if (b - i < kl || memcmp(data + i, key, kl) != 0)
            continue;
        i += kl;
        if (i < b && is_host_char(data[i]))
            continue; /* a longer key */
        size_t sep = i;
        while (i < b && (data[i] == ' ' || data[i] == '\t' || data[i] == '=' || data[i] == ':' ||
                         data[i] == '"' || data[i] == '\''))
            i++;
        if (i == sep)
            continue;
        size_t e = i;
        while (e < b && data[e] != '"' && data[e] != '\'' && data[e] != ',' && data[e] != ';' &&
               data[e] != ' ' && data[e] != '\t')
            e++;
        size_t n = e - i < cap - 1 ? e - i : cap - 1;
        memcpy(out, data + i, n);
        out[n] = '\0';
        return l.line;
    }
    return 0;
}

/* Copies a host (name, address, optional :port dropped) starting at p. */
static size_t take_host(const uint8_t *d, size_t p, size_t b, char *out, size_t cap)
{
    size_t s = p, o = 0;
    if (p < b && d[p] == '[') {
        p++;
        while (p < b && d[p] != ']' && o + 1 < cap) {
            out[o++] = (char)d[p];
            p++;
        }
    } else {
        while (p < b && (is_host_char(d[p])) && o + 1 < cap) {
            out[o++] = (char)lower(d[p]);
            p++;
        }
    }
    out[o] = '\0';
    return p > s ? o : 0;
}

static int emit_target(ic_scan_log_fn fn, void *ctx, uint64_t line, const char *host,
                       const char *transport)
{
    if (!host[0])
        return 0;
    struct ic_scan_logtarget t = {line, host, transport};
    return fn(ctx, &t);
}

static const uint8_t *find_in(const uint8_t *d, size_t a, size_t b, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = a; i + n <= b; i++)
        if (memcmp(d + i, needle, n) == 0)
            return d + i;
    return NULL;
}

int ic_scan_syslog_remote(const uint8_t *data, size_t len, ic_scan_log_fn fn, void *ctx)
{
    struct lines l = {data, len, 0, 0};
    size_t a, b;
    char host[IC_SCAN_MAX_HOST];
    while (next_line(&l, &a, &b)) {
        if (a == b || data[a] == '#')
            continue;
        int rc = 0;
        /* OpenWrt: option log_ip 192.0.2.1 (option log_proto tcp|udp elsewhere) */
        if (b - a > 13 && memcmp(data + a, "option log_ip", 13) == 0) {
            size_t p = a + 13;
            while (p < b && (data[p] == ' ' || data[p] == '\t' || data[p] == '\'' ||
                             data[p] == '"'))
                p++;
            if (take_host(data, p, b, host, sizeof(host)))
                rc = emit_target(fn, ctx, l.line, host, "");
        } else if (find_in(data, a, b, "omfwd")) {
            const uint8_t *t = find_in(data, a, b, "target=\"");
            if (t) {
                size_t p = (size_t)(t - data) + 8;
                const uint8_t *tls = find_in(data, a, b, "StreamDriverMode=\"1\"");
                const uint8_t *tcp = find_in(data, a, b, "protocol=\"tcp\"");
                if (take_host(data, p, b, host, sizeof(host)))
                    rc = emit_target(fn, ctx, l.line, host, tls ? "tls" : tcp ? "tcp" : "udp");
            }
        } else {
            /* syslog-ng: destination d { udp("host" ...); tcp(...); network(...); }; */
            static const char *const ng[] = {"udp(\"", "tcp(\"", "network(\"", "syslog(\"",
                                             NULL};
            int done = 0;
            for (size_t k = 0; ng[k] && !done; k++) {
                const uint8_t *t = find_in(data, a, b, ng[k]);
                if (!t)
                    continue;
                done = 1;
                size_t p = (size_t)(t - data) + strlen(ng[k]);
                const char *tr = k == 0 ? "udp" : k == 1 ? "tcp" : "";
                if (find_in(data, a, b, "transport(\"tls\")") || find_in(data, a, b, "tls("))
                    tr = "tls";
                if (take_host(data, p, b, host, sizeof(host)))
                    rc = emit_target(fn, ctx, l.line, host, tr);
            }
            /* sysklogd / rsyslog legacy: SELECTOR  @host or @@host */
            if (!done) {
                size_t p = a;
                while (p < b && data[p] != ' ' && data[p] != '\t')
                    p++;
                while (p < b && (data[p] == ' ' || data[p] == '\t'))
                    p++;
                if (p > a && p < b && data[p] == '@' && memchr(data + a, '.', p - a)) {
                    int tcp = p + 1 < b && data[p + 1] == '@';
                    p += tcp ? 2 : 1;
                    if (p < b && data[p] == '(') { /* @(o)host options */
                        while (p < b && data[p] != ')')
                            p++;
                        p++;
                    }
                    if (take_host(data, p, b, host, sizeof(host)))
                        rc = emit_target(fn, ctx, l.line, host, tcp ? "tcp" : "udp");
                }
            }
        }
        if (rc)
            return rc;
    }
    return 0;
}

static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

static int digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* The build date of a banner: an ISO date "YYYY-MM-DD" (Debian puts it in
 * parentheses) or the date(1) form "... Mon DD HH:MM:SS TZ YYYY". */
static void banner_date(const char *b, char date[11])
{
    date[0] = '\0';
    const char *hash = strchr(b, '#');
    const char *from = hash ? hash : b;
    size_t n = strlen(from);
    for (size_t i = 0; i + 10 <= n; i++) {
        const char *s = from + i;
        if (digits(s, 4) && s[4] == '-' && digits(s + 5, 2) && s[7] == '-' && digits(s + 8, 2) &&
            (i + 10 == n || !(s[10] >= '0' && s[10] <= '9')) &&
            (i == 0 || !(s[-1] >= '0' && s[-1] <= '9'))) {
            int month = (s[5] - '0') * 10 + (s[6] - '0');
            int day = (s[8] - '0') * 10 + (s[9] - '0');
            if (month >= 1 && month <= 12 && day >= 1 && day <= 31 && s[0] >= '1' &&
                s[0] <= '2') {
                memcpy(date, s, 10);
                date[10] = '\0';
                return;
            }
        }
    }
    /* "Mon DD HH:MM:SS ... YYYY": the month name, then the year at the end. */
    for (size_t i = 0; i + 3 <= n; i++) {
        for (int m = 0; m < 12; m++) {
            if (memcmp(from + i, months[m], 3) != 0 || (i + 3 < n && from[i + 3] != ' '))
                continue;
            unsigned day = 0;
            if (sscanf(from + i + 3, "%2u", &day) != 1 || day < 1 || day > 31)
                continue;
            size_t e = n;
            while (e > i && (from[e - 1] == ' ' || from[e - 1] == ')'))
                e--;
            if (e < i + 4 || !digits(from + e - 4, 4) || (from[e - 4] != '1' && from[e - 4] != '2'))
                continue;
            snprintf(date, 11, "%.4s-%02d-%02u", from + e - 4, m + 1, day);
            return;
        }
    }
}

int64_t ic_scan_kernel_banner(const uint8_t *data, size_t len, char *banner, size_t banner_cap,
                              char date[11])
{
    static const char key[] = "Linux version ";
    const size_t kl = sizeof(key) - 1;
    int64_t best = -1;
    int best_numbered = 0;
    if (banner_cap)
        banner[0] = '\0';
    date[0] = '\0';
    if (banner_cap < 2)
        return -1;
    size_t i = 0;
    while (i + kl < len) {
        const uint8_t *hit = memchr(data + i, 'L', len - i - kl);
        if (!hit)
            break;
        size_t at = (size_t)(hit - data);
        i = at + 1;
        if (memcmp(hit, key, kl) != 0)
            continue;
        size_t e = at + kl;
        if (e >= len || !(data[e] >= '0' && data[e] <= '9'))
            continue; /* "Linux version %s" format strings */
        while (e < len && data[e] >= 0x20 && data[e] < 0x7f && e - at < banner_cap - 1)
            e++;
        int numbered = 0;
        for (size_t k = at; k + 1 < e; k++)
            if (data[k] == '#' && data[k + 1] >= '0' && data[k + 1] <= '9')
                numbered = 1;
        if (best < 0 || (numbered && !best_numbered)) {
            memcpy(banner, data + at, e - at);
            banner[e - at] = '\0';
            best = (int64_t)at;
            best_numbered = numbered;
            if (numbered)
                break;
        }
    }
    if (best >= 0)
        banner_date(banner, date);
    return best;
}
