/* security.txt (RFC 9116) parser; see securitytxt.h. */
#include "checks/boot/securitytxt.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static void problem(struct ic_sectxt *t, uint64_t line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void problem(struct ic_sectxt *t, uint64_t line, const char *fmt, ...)
{
    if (t->error_count < IC_SECTXT_MAX_ERRORS) {
        struct ic_sectxt_error *e = &t->errors[t->error_count];
        e->line = line;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->message, sizeof(e->message), fmt, ap);
        va_end(ap);
    }
    t->error_count++;
}

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int ic_rfc3339_parse(const char *s, int64_t *out)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, mo, d, h, mi, se;
    if (strlen(s) < 20)
        return -1;
    if (digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) || s[7] != '-' ||
        digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't') || digits(s + 11, 2, &h) ||
        s[13] != ':' || digits(s + 14, 2, &mi) || s[16] != ':' || digits(s + 17, 2, &se))
        return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] + (mo == 2 && leap(y)) || h > 23 ||
        mi > 59 || se > 60)
        return -1;
    const char *p = s + 19;
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9')
            return -1;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    int64_t offset = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int oh, om;
        if (digits(p + 1, 2, &oh) || p[3] != ':' || digits(p + 4, 2, &om) || oh > 23 || om > 59)
            return -1;
        offset = (int64_t)(oh * 3600 + om * 60) * (*p == '-' ? -1 : 1);
        p += 6;
    } else {
        return -1;
    }
    if (*p)
        return -1;
    *out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + (se > 59 ? 59 : se) - offset;
    return 0;
}

static int is_blank(int c)
{
    return c == ' ' || c == '\t';
}

static void copy_value(char *dst, size_t cap, const char *s, size_t n)
{
    if (n >= cap)
        n = cap - 1;
    for (size_t i = 0; i < n; i++)
        dst[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? '?' : s[i];
    dst[n] = '\0';
}

static int has_scheme(const char *v, size_t n)
{
    size_t i = 0;
    if (n == 0 || !((v[0] >= 'a' && v[0] <= 'z') || (v[0] >= 'A' && v[0] <= 'Z')))
        return 0;
    while (i < n && v[i] != ':') {
        char c = v[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '-' || c == '.'))
            return 0;
        i++;
    }
    return i < n && i + 1 < n;
}

static void field(struct ic_sectxt *t, const char *name, size_t nl, const char *v, size_t vl,
                  uint64_t line)
{
    t->field_count++;
    if (nl == 7 && strncasecmp(name, "Contact", 7) == 0) {
        if (!t->contact_count) {
            copy_value(t->contact, sizeof(t->contact), v, vl);
            t->contact_line = line;
        }
        t->contact_count++;
        if (vl >= 7 && strncasecmp(v, "http://", 7) == 0)
            problem(t, line, "Contact is a web URI without https:// (RFC 9116 2.5.3)");
        else if (!has_scheme(v, vl))
            problem(t, line, "Contact is not a URI (mailto:, https:// or tel:)");
    } else if (nl == 7 && strncasecmp(name, "Expires", 7) == 0) {
        t->expires_count++;
        if (t->expires_count == 1) {
            copy_value(t->expires_text, sizeof(t->expires_text), v, vl);
            t->expires_line = line;
            int64_t when;
            if (vl < sizeof(t->expires_text) && ic_rfc3339_parse(t->expires_text, &when) == 0) {
                t->expires_valid = 1;
                t->expires = when;
            } else {
                problem(t, line, "Expires is not an RFC 3339 date-time: \"%s\"", t->expires_text);
            }
        } else {
            problem(t, line, "Expires appears more than once (RFC 9116 2.5.5: exactly once)");
        }
    }
}

void ic_sectxt_parse(const uint8_t *data, size_t len, struct ic_sectxt *t)
{
    memset(t, 0, sizeof(*t));
    if (len > IC_SECTXT_MAX_BYTES) {
        problem(t, 0, "file is larger than %u bytes; only the start was read",
                IC_SECTXT_MAX_BYTES);
        len = IC_SECTXT_MAX_BYTES;
    }
    if (memchr(data, '\0', len))
        problem(t, 0, "file holds NUL bytes: not a text file");
    /* 0: before anything; 1: in PGP armor headers; 2: fields; 3: after the signature */
    int pgp = 0;
    int seen = 0;
    uint64_t line = 0;
    size_t pos = 0;
    while (pos < len) {
        size_t a = pos, b = pos;
        while (b < len && data[b] != '\n')
            b++;
        pos = b < len ? b + 1 : b;
        line++;
        if (b > a && data[b - 1] == '\r')
            b--;
        const char *s = (const char *)data + a;
        size_t n = b - a;
        if (pgp == 3)
            continue;
        if (!seen && n >= 34 && memcmp(s, "-----BEGIN PGP SIGNED MESSAGE-----", 34) == 0) {
            pgp = 1;
            t->signed_message = 1;
            seen = 1;
            continue;
        }
        if (pgp == 1) {
            if (n == 0)
                pgp = 2;
            continue;
        }
        if (t->signed_message && n >= 29 && memcmp(s, "-----BEGIN PGP SIGNATURE-----", 29) == 0) {
            pgp = 3;
            continue;
        }
        if (t->signed_message && n >= 2 && s[0] == '-' && s[1] == ' ') {
            s += 2;
            n -= 2;
        }
        size_t i = 0;
        while (i < n && is_blank((unsigned char)s[i]))
            i++;
        if (i == n || s[i] == '#')
            continue;
        seen = 1;
        if (i > 0) {
            problem(t, line, "line starts with white space: not a field");
            continue;
        }
        size_t colon = 0;
        while (colon < n && s[colon] != ':' && !is_blank((unsigned char)s[colon]) &&
               (unsigned char)s[colon] > 0x20 && (unsigned char)s[colon] < 0x7f)
            colon++;
        if (colon == 0 || colon >= n || s[colon] != ':') {
            problem(t, line, "not a \"Field: value\" line");
            continue;
        }
        size_t v = colon + 1;
        while (v < n && is_blank((unsigned char)s[v]))
            v++;
        size_t e = n;
        while (e > v && is_blank((unsigned char)s[e - 1]))
            e--;
        if (e == v) {
            problem(t, line, "field %.*s has no value", (int)(colon < 40 ? colon : 40), s);
            continue;
        }
        field(t, s, colon, s + v, e - v, line);
    }
    if (pgp == 1 || (t->signed_message && pgp == 2))
        problem(t, 0, "OpenPGP signed message without its signature");
    if (!t->contact_count)
        problem(t, 0, "no Contact field (RFC 9116 2.5.3: at least one is required)");
    if (!t->expires_count)
        problem(t, 0, "no Expires field (RFC 9116 2.5.5: exactly one is required)");
}

int ic_sectxt_expired(const struct ic_sectxt *t, int64_t now)
{
    return t->expires_valid && t->expires <= now;
}
