/* Secret strings: known token formats anywhere, named secrets in text. */
#include "checks/secrets/tokens.h"

#include "iotcop/error.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

const char *ic_token_kind_name(enum ic_token_kind kind)
{
    switch (kind) {
    case IC_TOK_AWS_KEY_ID:
        return "AWS access key ID";
    case IC_TOK_AWS_SECRET:
        return "AWS secret access key";
    case IC_TOK_GOOGLE_API_KEY:
        return "Google API key";
    case IC_TOK_GITHUB:
        return "GitHub token";
    case IC_TOK_SLACK:
        return "Slack token";
    case IC_TOK_SLACK_WEBHOOK:
        return "Slack webhook URL";
    case IC_TOK_STRIPE:
        return "Stripe live secret key";
    case IC_TOK_WIFI_PSK:
        return "Wi-Fi pre-shared key";
    case IC_TOK_KEY_PASSPHRASE:
        return "private key passphrase";
    case IC_TOK_GENERIC:
        return "API secret";
    }
    return "secret";
}

double ic_tokens_entropy(const char *s, size_t n)
{
    if (n == 0)
        return 0.0;
    unsigned counts[256] = {0};
    for (size_t i = 0; i < n; i++)
        counts[(unsigned char)s[i]]++;
    double h = 0.0;
    for (size_t i = 0; i < 256; i++) {
        if (!counts[i])
            continue;
        double p = (double)counts[i] / (double)n;
        h -= p * log2(p);
    }
    return h;
}

/* ---- known formats --------------------------------------------------------- */

static int is_alnum(uint8_t c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
static int is_upnum(uint8_t c)
{
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
static int is_b64url(uint8_t c)
{
    return is_alnum(c) || c == '_' || c == '-';
}
static int is_alnum_us(uint8_t c)
{
    return is_alnum(c) || c == '_';
}
static int is_slack(uint8_t c)
{
    return is_alnum(c) || c == '-';
}

/* Length of the run of class chars at p (at most max+1, so "too long" shows). */
static size_t run(const uint8_t *p, const uint8_t *end, int (*cls)(uint8_t), size_t max)
{
    size_t n = 0;
    while (p + n < end && n <= max && cls(p[n]))
        n++;
    return n;
}

struct emitter {
    ic_token_fn fn;
    void *arg;
    size_t items;
};

static int emit(struct emitter *em, enum ic_token_kind kind, const uint8_t *v, size_t n,
                const char *key, uint64_t offset, uint64_t line)
{
    if (em->items >= IC_TOKENS_MAX_ITEMS || n == 0 || n >= IC_TOKENS_MAX_VALUE)
        return IC_OK;
    char value[IC_TOKENS_MAX_VALUE];
    memcpy(value, v, n);
    value[n] = '\0';
    em->items++;
    struct ic_token t = {kind, value, n, key, offset, line};
    return em->fn(em->arg, &t);
}

/* Documentation examples and filler: "EXAMPLE" inside, or too little entropy. */
static int looks_fake(const uint8_t *v, size_t n)
{
    if (memmem(v, n, "EXAMPLE", 7) || memmem(v, n, "example", 7) || memmem(v, n, "XXXX", 4) ||
        memmem(v, n, "xxxx", 4))
        return 1;
    return n >= 16 && ic_tokens_entropy((const char *)v, n) < 3.0;
}

struct format {
    const char *prefix;
    enum ic_token_kind kind;
    int (*cls)(uint8_t); /* class of the characters after the prefix */
    size_t min, max;     /* their number */
};

static const struct format formats[] = {
    {"AKIA", IC_TOK_AWS_KEY_ID, is_upnum, 16, 16},
    {"ASIA", IC_TOK_AWS_KEY_ID, is_upnum, 16, 16},
    {"AIza", IC_TOK_GOOGLE_API_KEY, is_b64url, 35, 35},
    {"ghp_", IC_TOK_GITHUB, is_alnum, 36, 36},
    {"gho_", IC_TOK_GITHUB, is_alnum, 36, 36},
    {"ghu_", IC_TOK_GITHUB, is_alnum, 36, 36},
    {"ghs_", IC_TOK_GITHUB, is_alnum, 36, 36},
    {"ghr_", IC_TOK_GITHUB, is_alnum, 36, 36},
    {"github_pat_", IC_TOK_GITHUB, is_alnum_us, 82, 82},
    {"xoxb-", IC_TOK_SLACK, is_slack, 24, 200},
    {"xoxp-", IC_TOK_SLACK, is_slack, 24, 200},
    {"xoxa-", IC_TOK_SLACK, is_slack, 24, 200},
    {"xoxr-", IC_TOK_SLACK, is_slack, 24, 200},
    {"xoxs-", IC_TOK_SLACK, is_slack, 24, 200},
    {"sk_live_", IC_TOK_STRIPE, is_alnum, 24, 99},
    {"rk_live_", IC_TOK_STRIPE, is_alnum, 24, 99},
};

/* Slack tokens: digits, '-', digits, '-', ... (xoxb-123456789012-1234567890123-AbC...). */
static int slack_shape(const uint8_t *v, size_t n)
{
    size_t digits = 0, dashes = 0;
    while (digits < n && v[digits] >= '0' && v[digits] <= '9')
        digits++;
    for (size_t i = 0; i < n; i++)
        dashes += v[i] == '-';
    return digits >= 8 && digits < n && v[digits] == '-' && dashes >= 2 && v[n - 1] != '-';
}

/* hooks.slack.com/services/T.../B.../secret */
static size_t slack_webhook(const uint8_t *p, const uint8_t *end)
{
    static const char host[] = "hooks.slack.com/services/";
    size_t h = sizeof(host) - 1;
    if ((size_t)(end - p) < h || memcmp(p, host, h) != 0)
        return 0;
    const uint8_t *q = p + h;
    for (int part = 0; part < 2; part++) {
        if (q >= end || *q != (part ? 'B' : 'T'))
            return 0;
        size_t n = run(q, end, is_upnum, 16);
        if (n < 9 || n > 15 || q + n >= end || q[n] != '/')
            return 0;
        q += n + 1;
    }
    size_t n = run(q, end, is_alnum, 40);
    if (n < 24 || n > 32)
        return 0;
    return (size_t)(q + n - p);
}

int ic_tokens_scan_formats(const uint8_t *data, size_t len, ic_token_fn fn, void *arg)
{
    struct emitter em = {fn, arg, 0};
    const uint8_t *end = data + len;
    for (const uint8_t *p = data; p < end; p++) {
        uint8_t c = *p;
        if (c != 'A' && c != 'g' && c != 'x' && c != 's' && c != 'r' && c != 'h')
            continue;
        if (c == 'h') {
            size_t n = slack_webhook(p, end);
            if (n) {
                int rc = emit(&em, IC_TOK_SLACK_WEBHOOK, p, n, NULL, (uint64_t)(p - data), 0);
                if (rc)
                    return rc;
                p += n - 1;
            }
            continue;
        }
        if (p > data && (is_alnum(p[-1]) || p[-1] == '_'))
            continue;
        for (size_t f = 0; f < sizeof(formats) / sizeof(formats[0]); f++) {
            const struct format *fm = &formats[f];
            size_t pl = strlen(fm->prefix);
            if ((size_t)(end - p) < pl + fm->min || memcmp(p, fm->prefix, pl) != 0)
                continue;
            const uint8_t *v = p + pl;
            size_t n = run(v, end, fm->cls, fm->max);
            if (n < fm->min || n > fm->max)
                break;
            /* the token ends here: no further token character */
            if (v + n < end && (is_alnum(v[n]) || v[n] == '_' ||
                                (fm->cls == is_b64url && v[n] == '-')))
                break;
            if (fm->kind == IC_TOK_SLACK && !slack_shape(v, n))
                break;
            if (looks_fake(v, n))
                break;
            int rc = emit(&em, fm->kind, p, pl + n, NULL, (uint64_t)(p - data), 0);
            if (rc)
                return rc;
            p += pl + n - 1;
            break;
        }
    }
    return IC_OK;
}

/* ---- named secrets in text --------------------------------------------------- */

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

enum key_class { K_NONE, K_WIFI, K_WIFI_UCI, K_PASSPHRASE, K_AWS_SECRET, K_GENERIC };

static enum key_class classify_key(const char *k, int uci_option, int wifi_section)
{
    if (uci_option && wifi_section && strcmp(k, "key") == 0)
        return K_WIFI_UCI;
    if (strcmp(k, "psk") == 0 || strcmp(k, "wpa_passphrase") == 0 || strcmp(k, "wpa_psk") == 0 ||
        ends_with(k, "_wpa_psk") || ends_with(k, "_wpapsk") || strcmp(k, "wpapsk") == 0 ||
        strcmp(k, "wpa_key") == 0 || ends_with(k, "_wpa_key") || ends_with(k, "_wpa_passphrase") ||
        ends_with(k, "_psk_key") || strcmp(k, "wifi_key") == 0 || strcmp(k, "wlan_key") == 0)
        return K_WIFI;
    if (strstr(k, "secret_access_key") || strcmp(k, "aws_secret_key") == 0)
        return K_AWS_SECRET;
    if (ends_with(k, "passphrase") || strstr(k, "pass_phrase"))
        return K_PASSPHRASE;
    static const char *const generic[] = {"api_key", "apikey", "api-key", "secret_key",
                                          "secretkey", "client_secret", "access_token",
                                          "auth_token", "authtoken", "private_token",
                                          "app_secret", "api_secret", "apisecret",
                                          "access_key", "accesskey", "refresh_token",
                                          "bearer_token", "api_token", "apitoken"};
    for (size_t i = 0; i < sizeof(generic) / sizeof(generic[0]); i++)
        if (strstr(k, generic[i]))
            return K_GENERIC;
    if (strcmp(k, "token") == 0 || strcmp(k, "secret") == 0 || ends_with(k, "_token") ||
        ends_with(k, "_secret"))
        return K_GENERIC;
    return K_NONE;
}

static int placeholder(const char *v, size_t n)
{
    if (n == 0)
        return 1;
    if (strchr("$%<@`&{[*", v[0]) || strstr(v, "${") || strstr(v, "$(") || strstr(v, "{{"))
        return 1;
    if (strspn(v, "*xX.-_ 0") == n)
        return 1;
    static const char *const words[] = {"none", "null", "nil", "undefined", "true", "false",
                                        "yes", "no", "on", "off", "enable", "enabled",
                                        "disable", "disabled", "required", "optional", "auto",
                                        "default", "changeme", "secret", "password",
                                        "passphrase"};
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (strcasecmp(v, words[i]) == 0)
            return 1;
    return 0;
}

static int all_hex(const char *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isxdigit((unsigned char)v[i]))
            return 0;
    return 1;
}

static int wifi_value_ok(const char *v, size_t n, int quoted)
{
    if (placeholder(v, n))
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)v[i] < 0x20 || (unsigned char)v[i] > 0x7e)
            return 0;
    if (n == 64 && all_hex(v, n))
        return 1; /* the raw 256-bit PSK */
    (void)quoted;
    return n >= 8 && n <= 63; /* WPA passphrase: 8..63 printable characters */
}

static int generic_value_ok(const char *v, size_t n)
{
    if (n < 16 || n > 256 || placeholder(v, n))
        return 0;
    int digit = 0, alpha = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)v[i];
        if (isdigit(ch))
            digit = 1;
        else if (isalpha(ch))
            alpha = 1;
        else if (!strchr("+/=_-.~", ch))
            return 0;
    }
    if (!digit || !alpha)
        return 0;
    static const char *const fake[] = {"example", "sample", "your", "xxxx", "changeme", "dummy",
                                       "placeholder", "fake", "test", "0000", "1234", "abcd",
                                       "token", "secret"};
    for (size_t i = 0; i < sizeof(fake) / sizeof(fake[0]); i++)
        if (strcasestr(v, fake[i]))
            return 0;
    return ic_tokens_entropy(v, n) >= 3.5;
}

static int key_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.';
}

/* Reads the value after a key ending at q (to the end of the line when
 * to_eol and it is not quoted). out gets it; returns 1 if one. */
static int read_value(const char *line, const char *key, const char *q, int uci_option,
                      int to_eol, char *out, size_t size, size_t *vlen, int *quoted,
                      const char **vstart)
{
    char opener = key > line ? key[-1] : '\0';
    int xml = 0, closed = 0;
    if ((opener == '"' || opener == '\'') && *q == opener)
        q++, closed = 1;
    const char *after_key = q;
    while (*q == ' ' || *q == '\t')
        q++;
    if (*q == '=' && q[1] != '=' && q[1] != '~')
        q++;
    else if (*q == ':' && q[1] != ':' && q[1] != '/' && q[1] != '=')
        q++;
    else if (*q == '>' && opener == '<')
        q++, xml = 1;
    else if (!uci_option || q == after_key)
        return 0;
    if (!xml)
        while (*q == ' ' || *q == '\t')
            q++;
    size_t n = 0;
    *quoted = 0;
    if (!xml && (opener == '"' || opener == '\'') && !closed && *q == opener)
        return 0; /* 'key=' . expr: the quote ends a string literal in code */
    if (!xml && (*q == '"' || *q == '\'')) {
        char quote = *q++;
        *vstart = q;
        while (*q && *q != quote && n + 1 < size) {
            if (*q == '\\' && q[1])
                q++;
            out[n++] = *q++;
        }
        if (*q != quote)
            return 0;
        *quoted = 1;
    } else {
        const char *stop = xml ? "<" : to_eol ? "" : " \t;,<})&#";
        *vstart = q;
        while (*q && !strchr(stop, *q) && n + 1 < size)
            out[n++] = *q++;
        while (to_eol && n && (out[n - 1] == ' ' || out[n - 1] == '\t' || out[n - 1] == '\r'))
            n--;
        if (xml && *q != '<')
            return 0;
    }
    out[n] = '\0';
    *vlen = n;
    if (!*quoted && !xml && strchr(out, '('))
        return 0; /* a call in code, not a value */
    return n > 0;
}

/* A key that is a variable or member in program code ("var k =", "$k =",
 * "obj.k =", "p->k ="), not a configuration key. */
static int code_key(const char *line, const char *key)
{
    if (key > line && (key[-1] == '$' || key[-1] == '.' || key[-1] == '>'))
        return 1;
    const char *p = key;
    while (p > line && (p[-1] == ' ' || p[-1] == '\t'))
        p--;
    static const char *const decl[] = {"var", "let", "const", "local", "my", "char", "int"};
    for (size_t i = 0; i < sizeof(decl) / sizeof(decl[0]); i++) {
        size_t n = strlen(decl[i]);
        if (p == key || (size_t)(p - line) < n)
            continue;
        const char *d = p - n;
        if (strncmp(d, decl[i], n) == 0 && (d == line || !key_char(d[-1])))
            return 1;
    }
    return 0;
}

int ic_tokens_scan_text(const uint8_t *data, size_t len, ic_token_fn fn, void *arg)
{
    struct emitter em = {fn, arg, 0};
    char line[IC_TOKENS_MAX_LINE + 1];
    char value[IC_TOKENS_MAX_VALUE];
    char lower[128];
    int wifi_section = 0;
    uint64_t lineno = 0;
    size_t pos = 0;
    while (pos < len) {
        const uint8_t *nl = memchr(data + pos, '\n', len - pos);
        size_t ll = nl ? (size_t)(nl - (data + pos)) : len - pos;
        size_t start = pos;
        pos += ll + (nl ? 1 : 0);
        lineno++;
        size_t n = ll < IC_TOKENS_MAX_LINE ? ll : IC_TOKENS_MAX_LINE;
        for (size_t i = 0; i < n; i++)
            line[i] = data[start + i] ? (char)data[start + i] : ' ';
        line[n] = '\0';
        const char *s = line;
        while (*s == ' ' || *s == '\t')
            s++;
        if (*s == '#' || *s == ';' || (s[0] == '/' && s[1] == '/'))
            continue;
        if (strncmp(s, "config ", 7) == 0)
            wifi_section = strstr(s, "wifi-iface") != NULL;
        int uci_option = strncmp(s, "option ", 7) == 0;
        for (const char *k = s; *k;) {
            if (!(isalpha((unsigned char)*k) || *k == '_') || (k > line && key_char(k[-1]))) {
                k++;
                continue;
            }
            const char *ke = k;
            while (key_char(*ke))
                ke++;
            size_t kl = (size_t)(ke - k);
            if (kl >= sizeof(lower)) {
                k = ke;
                continue;
            }
            for (size_t i = 0; i < kl; i++)
                lower[i] = (char)tolower((unsigned char)k[i]);
            lower[kl] = '\0';
            int is_option_key = uci_option && k > s + 6 && k == s + 7;
            enum key_class cls = classify_key(lower, is_option_key, wifi_section);
            if (cls == K_NONE || code_key(line, k)) {
                k = ke;
                continue;
            }
            size_t vlen = 0;
            int quoted = 0;
            const char *vstart = NULL;
            /* hostapd and wpa_supplicant take an unquoted value to the end of the line */
            if (!read_value(line, k, ke, is_option_key, cls == K_WIFI, value, sizeof(value),
                            &vlen, &quoted, &vstart)) {
                k = ke;
                continue;
            }
            int ok = 0;
            enum ic_token_kind kind = IC_TOK_GENERIC;
            switch (cls) {
            case K_WIFI:
            case K_WIFI_UCI:
                kind = IC_TOK_WIFI_PSK;
                ok = wifi_value_ok(value, vlen, quoted);
                break;
            case K_PASSPHRASE:
                kind = IC_TOK_KEY_PASSPHRASE;
                ok = !placeholder(value, vlen) && vlen >= 4 && vlen <= 128 &&
                     !strchr(value, '/');
                break;
            case K_AWS_SECRET:
                kind = IC_TOK_AWS_SECRET;
                ok = vlen == 40 && !looks_fake((const uint8_t *)value, vlen) &&
                     ic_tokens_entropy(value, vlen) >= 4.0;
                for (size_t i = 0; ok && i < vlen; i++)
                    ok = isalnum((unsigned char)value[i]) || value[i] == '/' || value[i] == '+';
                break;
            case K_GENERIC:
                ok = generic_value_ok(value, vlen);
                break;
            case K_NONE:
                break;
            }
            if (ok) {
                char keyname[128];
                snprintf(keyname, sizeof(keyname), "%.*s", (int)kl, k);
                uint64_t off = (uint64_t)start + (uint64_t)(vstart - line);
                int rc = emit(&em, kind, (const uint8_t *)value, vlen, keyname, off, lineno);
                if (rc)
                    return rc;
            }
            k = ke;
        }
    }
    return IC_OK;
}
