/* Line-oriented boot file parsers: inittab, systemd units, upstart jobs,
 * inetd.conf and xinetd. Each reads through a bounded line iterator and copies
 * at most LINE_MAX bytes of a line into fixed buffers; longer lines are cut. */
#include "checks/boot/boot.h"
#include "iotcop/error.h"

#include <stdlib.h>
#include <string.h>

#define LINE_MAX_BYTES 4096
#define VALUE_MAX_BYTES 8192

struct lines {
    const uint8_t *p;
    size_t len;
    size_t pos;
    uint64_t line; /* number of the line last returned */
};

/* The next line (without its '\n' or "\r\n"); 0 at the end. */
static int next_line(struct lines *it, const uint8_t **start, size_t *n)
{
    if (it->pos >= it->len)
        return 0;
    size_t a = it->pos, b = a;
    while (b < it->len && it->p[b] != '\n')
        b++;
    it->pos = b < it->len ? b + 1 : b;
    it->line++;
    if (b > a && it->p[b - 1] == '\r')
        b--;
    *start = it->p + a;
    *n = b - a;
    return 1;
}

static int blank(int c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* Copies [s, s+n) trimmed into dst (size cap), NUL-terminated; non-printable
 * bytes become '?'. Returns the length. */
static size_t copy_trim(char *dst, size_t cap, const uint8_t *s, size_t n)
{
    while (n && blank(s[0])) {
        s++;
        n--;
    }
    while (n && blank(s[n - 1]))
        n--;
    if (n >= cap)
        n = cap - 1;
    for (size_t i = 0; i < n; i++)
        dst[i] = (s[i] < 0x20 && s[i] != '\t') || s[i] == 0x7f ? '?' : (char)s[i];
    dst[n] = '\0';
    return n;
}

/* ---- inittab ------------------------------------------------------------- */

int ic_inittab_parse(const uint8_t *data, size_t len, ic_inittab_fn fn, void *ctx)
{
    struct lines it = {data, len, 0, 0};
    const uint8_t *s;
    size_t n;
    char line[LINE_MAX_BYTES];
    while (next_line(&it, &s, &n)) {
        size_t l = copy_trim(line, sizeof(line), s, n);
        if (l == 0 || line[0] == '#')
            continue;
        char *field[4];
        field[0] = line;
        int k = 1;
        for (char *c = line; *c && k < 4; c++)
            if (*c == ':') {
                *c = '\0';
                field[k++] = c + 1;
            }
        if (k < 4)
            continue; /* not id:runlevels:action:process */
        char *proc = field[3];
        while (blank((unsigned char)*proc))
            proc++;
        char *action = field[2];
        while (blank((unsigned char)*action))
            action++;
        size_t al = strlen(action);
        while (al && blank((unsigned char)action[al - 1]))
            action[--al] = '\0';
        if (al == 0)
            continue;
        struct ic_inittab_entry e = {it.line, field[0], field[1], action, proc};
        int rc = fn(ctx, &e);
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- systemd units ------------------------------------------------------- */

int ic_unit_parse(const uint8_t *data, size_t len, ic_unit_fn fn, void *ctx)
{
    struct lines it = {data, len, 0, 0};
    char *buf = malloc(LINE_MAX_BYTES + VALUE_MAX_BYTES + 256);
    if (!buf)
        return IC_E_NOMEM;
    char *line = buf;
    char *value = buf + LINE_MAX_BYTES;
    char *section = value + VALUE_MAX_BYTES;
    section[0] = '\0';
    const uint8_t *s;
    size_t n;
    int rc = 0;
    while (rc == 0 && next_line(&it, &s, &n)) {
        size_t l = copy_trim(line, LINE_MAX_BYTES, s, n);
        if (l == 0 || line[0] == '#' || line[0] == ';')
            continue;
        if (line[0] == '[') {
            char *end = strchr(line, ']');
            if (end) {
                size_t sl = (size_t)(end - line - 1);
                if (sl > 255)
                    sl = 255;
                memcpy(section, line + 1, sl);
                section[sl] = '\0';
            }
            continue;
        }
        char *eq = strchr(line, '=');
        if (!eq)
            continue;
        uint64_t first = it.line;
        char *key = line;
        *eq = '\0';
        size_t kl = strlen(key);
        while (kl && blank((unsigned char)key[kl - 1]))
            key[--kl] = '\0';
        size_t vl = copy_trim(value, VALUE_MAX_BYTES, (const uint8_t *)eq + 1, strlen(eq + 1));
        /* A value ending in '\' goes on on the next line (comments in between skipped). */
        while (vl && value[vl - 1] == '\\') {
            value[vl - 1] = ' ';
            const uint8_t *ns;
            size_t nn, ml = 0;
            int got = 0;
            char more[LINE_MAX_BYTES];
            while (next_line(&it, &ns, &nn)) {
                ml = copy_trim(more, sizeof(more), ns, nn);
                if (ml && (more[0] == '#' || more[0] == ';'))
                    continue;
                got = 1;
                break;
            }
            if (!got)
                break;
            if (vl + ml >= VALUE_MAX_BYTES)
                ml = VALUE_MAX_BYTES - 1 - vl;
            memcpy(value + vl, more, ml);
            vl += ml;
            value[vl] = '\0';
        }
        value[vl] = '\0';
        rc = fn(ctx, section, key, value, first);
    }
    free(buf);
    return rc;
}

/* ---- upstart ------------------------------------------------------------- */

static int word_is(const char *s, size_t n, const char *w)
{
    size_t wl = strlen(w);
    return n >= wl && memcmp(s, w, wl) == 0 && (n == wl || blank((unsigned char)s[wl]));
}

int ic_upstart_parse(const uint8_t *data, size_t len, int *starts, ic_upstart_fn fn, void *ctx)
{
    struct lines it = {data, len, 0, 0};
    const uint8_t *s;
    size_t n;
    *starts = 0;
    static const char *const blocks[] = {"pre-start", "post-start", "pre-stop", "post-stop", NULL};
    while (next_line(&it, &s, &n)) {
        while (n && blank(s[0])) {
            s++;
            n--;
        }
        const char *t = (const char *)s;
        if (n == 0 || t[0] == '#')
            continue;
        if (word_is(t, n, "start")) {
            size_t i = 5;
            while (i < n && blank(s[i]))
                i++;
            if (word_is(t + i, n - i, "on"))
                *starts = 1;
            continue;
        }
        const char *kind = NULL;
        size_t skip = 0;
        if (word_is(t, n, "script")) {
            kind = "script";
            skip = n; /* the block starts on the next line */
        } else if (word_is(t, n, "exec")) {
            kind = "exec";
            skip = 4;
        } else {
            for (int b = 0; blocks[b]; b++)
                if (word_is(t, n, blocks[b])) {
                    size_t i = strlen(blocks[b]);
                    while (i < n && blank(s[i]))
                        i++;
                    if (word_is(t + i, n - i, "script")) {
                        kind = blocks[b];
                        skip = n;
                    } else if (word_is(t + i, n - i, "exec")) {
                        kind = blocks[b];
                        skip = i + 4;
                    }
                }
        }
        if (!kind)
            continue;
        struct ic_upstart_part part = {kind, NULL, 0, it.line};
        if (skip < n) {
            /* One command on this line (and its continuations). */
            size_t start = (size_t)(s + skip - data);
            size_t end = start;
            while (end < len && data[end] != '\n')
                end++;
            while (end < len && end > start && data[end - 1] == '\\') {
                end++;
                while (end < len && data[end] != '\n')
                    end++;
            }
            while (it.pos < end && it.pos < len) { /* consume the continuation lines */
                const uint8_t *x;
                size_t xn;
                if (!next_line(&it, &x, &xn))
                    break;
            }
            part.body = (const char *)data + start;
            part.body_len = end - start;
        } else {
            /* A script block: up to a line "end script". */
            size_t start = it.pos;
            size_t end = len;
            part.line = it.line + 1;
            const uint8_t *x;
            size_t xn;
            while (next_line(&it, &x, &xn)) {
                while (xn && blank(x[0])) {
                    x++;
                    xn--;
                }
                while (xn && blank(x[xn - 1]))
                    xn--;
                if (word_is((const char *)x, xn, "end")) {
                    size_t i = 3;
                    while (i < xn && blank(x[i]))
                        i++;
                    if (xn - i == 6 && memcmp(x + i, "script", 6) == 0) {
                        end = (size_t)(x - data);
                        while (end > start && data[end - 1] != '\n')
                            end--;
                        break;
                    }
                }
            }
            part.body = (const char *)data + start;
            part.body_len = end >= start ? end - start : 0;
        }
        int rc = fn(ctx, &part);
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- inetd ---------------------------------------------------------------- */

int ic_inetd_parse(const uint8_t *data, size_t len, ic_inetd_fn fn, void *ctx)
{
    struct lines it = {data, len, 0, 0};
    const uint8_t *s;
    size_t n;
    char line[LINE_MAX_BYTES];
    while (next_line(&it, &s, &n)) {
        size_t l = copy_trim(line, sizeof(line), s, n);
        if (l == 0 || line[0] == '#')
            continue;
        char *field[6];
        int k = 0;
        char *c = line;
        while (k < 6) {
            while (blank((unsigned char)*c))
                c++;
            if (!*c)
                break;
            field[k++] = c;
            while (*c && !blank((unsigned char)*c))
                c++;
            if (*c)
                *c++ = '\0';
        }
        if (k < 6)
            continue;
        while (blank((unsigned char)*c))
            c++;
        const char *args = *c ? c : field[5];
        char proto[16];
        size_t pl = strlen(field[2]);
        if (pl >= sizeof(proto))
            pl = sizeof(proto) - 1;
        memcpy(proto, field[2], pl);
        proto[pl] = '\0';
        struct ic_inetd_service svc = {it.line, field[0], proto, field[5], args, 0};
        int rc = fn(ctx, &svc);
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- xinetd -------------------------------------------------------------- */

struct xsvc {
    char name[128];
    char protocol[16];
    char server[512];
    char args[1024];
    int disabled;
    uint64_t line;
};

static void xset(char *dst, size_t cap, const char *v, int append)
{
    size_t have = append ? strlen(dst) : 0;
    if (append && have && have + 1 < cap)
        dst[have++] = ' ';
    size_t vl = strlen(v);
    if (have + vl >= cap)
        vl = cap - 1 - have;
    memcpy(dst + have, v, vl);
    dst[have + vl] = '\0';
}

int ic_xinetd_parse(const uint8_t *data, size_t len, ic_inetd_fn fn, void *ctx)
{
    struct lines it = {data, len, 0, 0};
    const uint8_t *s;
    size_t n;
    char line[LINE_MAX_BYTES];
    struct xsvc *x = calloc(1, sizeof(*x));
    if (!x)
        return IC_E_NOMEM;
    int in_service = 0, in_block = 0, rc = 0;
    while (rc == 0 && next_line(&it, &s, &n)) {
        size_t l = copy_trim(line, sizeof(line), s, n);
        if (l == 0 || line[0] == '#')
            continue;
        if (!in_block && strncmp(line, "service", 7) == 0 && blank((unsigned char)line[7])) {
            memset(x, 0, sizeof(*x));
            const char *nm = line + 8;
            while (blank((unsigned char)*nm))
                nm++;
            xset(x->name, sizeof(x->name), nm, 0);
            x->line = it.line;
            in_service = 1;
            continue;
        }
        if (line[0] == '{') {
            in_block = 1;
            continue;
        }
        if (line[0] == '}') {
            if (in_service && in_block) {
                char command[1600];
                size_t cl = strlen(x->server);
                memcpy(command, x->server, cl);
                command[cl] = '\0';
                if (x->args[0] && cl + 1 + strlen(x->args) < sizeof(command)) {
                    command[cl] = ' ';
                    memcpy(command + cl + 1, x->args, strlen(x->args) + 1);
                }
                struct ic_inetd_service svc = {x->line, x->name, x->protocol,
                                               x->server[0] ? x->server : "internal",
                                               command[0] ? command : "internal", x->disabled};
                rc = fn(ctx, &svc);
            }
            in_service = in_block = 0;
            continue;
        }
        if (!in_service || !in_block)
            continue;
        char *eq = strchr(line, '=');
        if (!eq)
            continue;
        int append = eq > line && eq[-1] == '+';
        char *kend = append ? eq - 1 : eq;
        while (kend > line && blank((unsigned char)kend[-1]))
            kend--;
        *kend = '\0';
        char *v = eq + 1;
        while (blank((unsigned char)*v))
            v++;
        if (strcmp(line, "server") == 0)
            xset(x->server, sizeof(x->server), v, 0);
        else if (strcmp(line, "server_args") == 0)
            xset(x->args, sizeof(x->args), v, append);
        else if (strcmp(line, "protocol") == 0)
            xset(x->protocol, sizeof(x->protocol), v, 0);
        else if (strcmp(line, "disable") == 0)
            x->disabled = strcmp(v, "yes") == 0;
    }
    free(x);
    return rc;
}
