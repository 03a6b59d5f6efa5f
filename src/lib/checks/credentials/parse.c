/* Parsers of account, user and configuration files, inittab and boot
 * scripts (see parse.h). Input is copied line by line into a bounded buffer
 * and parsed there; nothing is read outside [data, data+len). */
#include "checks/credentials/parse.h"

#include "checks/credentials/hash.h"
#include "iotcop/error.h"

#include <ctype.h>
#include <string.h>

/* ---- lines and words ------------------------------------------------------ */

struct lines {
    const uint8_t *data;
    size_t len, pos, offset;
    uint64_t number;
    char buf[IC_CRED_MAX_LINE];
};

static void lines_init(struct lines *l, const uint8_t *data, size_t len)
{
    l->data = data;
    l->len = data ? len : 0;
    l->pos = l->offset = 0;
    l->number = 0;
    l->buf[0] = '\0';
}

/* The next line, NUL-terminated in l->buf without its end of line (cut at
 * the first NUL byte and at IC_CRED_MAX_LINE - 1 bytes). 0 at the end. */
static int next_line(struct lines *l)
{
    if (l->pos >= l->len)
        return 0;
    const uint8_t *start = l->data + l->pos;
    size_t rest = l->len - l->pos;
    const uint8_t *nl = memchr(start, '\n', rest);
    size_t n = nl ? (size_t)(nl - start) : rest;
    l->offset = l->pos;
    l->pos += n + (nl ? 1 : 0);
    l->number++;
    size_t keep = n < sizeof(l->buf) - 1 ? n : sizeof(l->buf) - 1;
    memcpy(l->buf, start, keep);
    l->buf[keep] = '\0';
    size_t k = strlen(l->buf);
    while (k && (l->buf[k - 1] == '\r' || l->buf[k - 1] == ' ' || l->buf[k - 1] == '\t'))
        l->buf[--k] = '\0';
    return 1;
}

static char *skip_space(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

/* Splits s at sep into at most max fields (the last keeps the rest). */
static size_t split(char *s, char sep, char **fields, size_t max)
{
    size_t n = 0;
    fields[n++] = s;
    for (char *p = s; *p && n < max; p++) {
        if (*p == sep) {
            *p = '\0';
            fields[n++] = p + 1;
        }
    }
    return n;
}

static int user_char(int c)
{
    return isalnum(c) || c == '_' || c == '-' || c == '.' || c == '@' || c == '$';
}

static int valid_user(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= IC_CRED_MAX_USER || s[0] == '-' || s[0] == '+' || s[0] == '$')
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!user_char((unsigned char)s[i]))
            return 0;
    return 1;
}

static int parse_u32(const char *s, uint32_t *out)
{
    uint64_t v = 0;
    if (!*s)
        return 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return 0;
        v = v * 10 + (uint64_t)(*s - '0');
        if (v > UINT32_MAX)
            return 0;
    }
    *out = (uint32_t)v;
    return 1;
}

/* ---- account files -------------------------------------------------------- */

int ic_cred_parse_accounts(const uint8_t *data, size_t len, enum ic_cred_file kind,
                           ic_cred_record_fn fn, void *arg)
{
    struct lines l;
    lines_init(&l, data, len);
    while (next_line(&l)) {
        char *s = skip_space(l.buf);
        if (!*s || *s == '#')
            continue;
        char *f[8];
        size_t n = split(s, ':', f, 8);
        struct ic_cred_record r = {.line = l.number, .offset = l.offset};
        switch (kind) {
        case IC_CRED_PASSWD:
            if (n < 4 || !parse_u32(f[2], &r.uid))
                continue;
            r.has_uid = 1;
            r.user = f[0];
            r.secret = f[1];
            r.shell = n >= 7 ? f[6] : NULL;
            break;
        case IC_CRED_SHADOW:
        case IC_CRED_HTPASSWD:
        case IC_CRED_PLAIN_USERS:
            if (n < 2)
                continue;
            r.user = f[0];
            r.secret = f[1];
            r.plain_allowed = kind == IC_CRED_PLAIN_USERS;
            break;
        case IC_CRED_HTTPD_CONF:
            /* "/path:user:password"; A:, D:, H:, E404:, .ext: and I: lines are not users */
            if (f[0][0] != '/' || n < 3)
                continue;
            r.user = f[1];
            r.secret = f[2];
            r.plain_allowed = 1;
            break;
        }
        if (!valid_user(r.user) || strlen(r.secret) >= IC_CRED_MAX_SECRET)
            continue;
        int rc = fn(arg, &r);
        if (rc)
            return rc;
    }
    return IC_OK;
}

/* ---- hashes anywhere ------------------------------------------------------ */

static int hash_start(const uint8_t *p, size_t rest)
{
    static const char *const prefixes[] = {"$1$", "$5$", "$6$", "$2a$", "$2b$", "$2x$", "$2y$",
                                           "$y$", "$gy$", "$7$", "$apr1$", "$sha1$", "$md5",
                                           "{SHA}", "{SSHA}"};
    for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
        size_t n = strlen(prefixes[i]);
        if (n <= rest && memcmp(p, prefixes[i], n) == 0)
            return 1;
    }
    return 0;
}

int ic_cred_scan_embedded(const uint8_t *data, size_t len, ic_cred_record_fn fn, void *arg)
{
    if (!data)
        return IC_OK;
    size_t pos = 0;
    while (pos < len) {
        const uint8_t *colon = memchr(data + pos, ':', len - pos);
        if (!colon)
            break;
        size_t c = (size_t)(colon - data);
        pos = c + 1;
        if (!hash_start(data + c + 1, len - c - 1))
            continue;
        /* the user name before the colon */
        size_t u = c;
        while (u > 0 && c - u < IC_CRED_MAX_USER - 1 && user_char(data[u - 1]))
            u--;
        if (u == c || (u > 0 && user_char(data[u - 1])))
            continue;
        /* the hash after it */
        size_t h = c + 1, end = h;
        while (end < len && end - h < 200 && data[end] > 0x20 && data[end] < 0x7f &&
               data[end] != ':' && data[end] != '"' && data[end] != '\'' && data[end] != ',' &&
               data[end] != ';')
            end++;
        if (end - h >= 200)
            continue;
        char user[IC_CRED_MAX_USER], hash[208];
        memcpy(user, data + u, c - u);
        user[c - u] = '\0';
        memcpy(hash, data + h, end - h);
        hash[end - h] = '\0';
        if (!valid_user(user) || ic_hash_classify(hash, 0) == IC_HASH_LOCKED)
            continue;
        struct ic_cred_record r = {.user = user, .secret = hash, .offset = u};
        int rc = fn(arg, &r);
        if (rc)
            return rc;
        pos = end;
    }
    return IC_OK;
}

/* ---- configuration files -------------------------------------------------- */

static int key_char(int c)
{
    return isalnum(c) || c == '_' || c == '.' || c == '-';
}

static int ends_with(const char *lower, size_t n, const char *suffix, size_t *at)
{
    size_t k = strlen(suffix);
    if (n < k || memcmp(lower + n - k, suffix, k) != 0)
        return 0;
    *at = n - k;
    return 1;
}

/* A key whose value is a password: ...password, ...passwd, and pass/pwd/pw
 * as a separate part of the name ("http_pass", "adminPwd", "pw"). */
static int password_key(const char *key, size_t n)
{
    char lower[64];
    if (n == 0 || n >= sizeof(lower))
        return 0;
    for (size_t i = 0; i < n; i++)
        lower[i] = (char)tolower((unsigned char)key[i]);
    lower[n] = '\0';
    size_t at;
    if (ends_with(lower, n, "password", &at) || ends_with(lower, n, "passwd", &at))
        return 1;
    if (strcmp(lower, "pw") == 0)
        return 1;
    if (ends_with(lower, n, "pass", &at) || ends_with(lower, n, "pwd", &at) ||
        ends_with(lower, n, "_pw", &at))
        return at == 0 || !isalpha((unsigned char)key[at - 1]) ||
               isupper((unsigned char)key[at]) || lower[at] == '_';
    return 0;
}

static int user_key(const char *key, size_t n)
{
    char lower[64];
    if (n == 0 || n >= sizeof(lower))
        return 0;
    for (size_t i = 0; i < n; i++)
        lower[i] = (char)tolower((unsigned char)key[i]);
    lower[n] = '\0';
    size_t at;
    return ends_with(lower, n, "username", &at) || ends_with(lower, n, "user", &at) ||
           ends_with(lower, n, "user_name", &at) || strcmp(lower, "login") == 0 ||
           ends_with(lower, n, "_login", &at) || strcmp(lower, "usr") == 0;
}

/* Values that are not passwords: empty, placeholders, variables, booleans. */
static int placeholder(const char *v)
{
    static const char *const words[] = {"none", "null", "nil", "undefined", "true", "false",
                                        "yes", "no", "on", "off", "0", "1", "enable",
                                        "enabled", "disable", "disabled", "required", "optional"};
    size_t n = strlen(v);
    if (n == 0 || n > 128)
        return 1;
    if (strchr("$%<@`&", v[0]) || strstr(v, "{{") || strstr(v, "${") || strstr(v, "$("))
        return 1;
    if (strspn(v, "*xX.-_ ") == n)
        return 1;
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (strcasecmp(v, words[i]) == 0)
            return 1;
    return 0;
}

/* Reads the value that follows a key ending at p; returns the end of what
 * was consumed and fills out (NUL-terminated), or NULL when no value. */
static char *read_value(char *line, char *key_start, char *p, int after_option, char *out,
                        size_t out_size)
{
    char opener = key_start > line ? key_start[-1] : '\0';
    char *q = p;
    int xml = 0;
    if ((opener == '"' || opener == '\'') && *q == opener)
        q++;
    q = skip_space(q);
    if (*q == '=' && q[1] != '=' && q[1] != '~')
        q++;
    else if (*q == ':' && q[1] != ':' && q[1] != '/')
        q++;
    else if (*q == '>' && opener == '<')
        q++, xml = 1;
    else if (!after_option || q == p)
        return NULL;
    if (!xml)
        q = skip_space(q);
    size_t n = 0;
    if (!xml && (*q == '"' || *q == '\'')) {
        char quote = *q++;
        while (*q && *q != quote && n + 1 < out_size) {
            if (*q == '\\' && q[1])
                q++;
            out[n++] = *q++;
        }
        if (*q != quote)
            return NULL;
        q++;
    } else {
        const char *stop = xml ? "<" : " \t;,<})&";
        while (*q && !strchr(stop, *q) && n + 1 < out_size)
            out[n++] = *q++;
        if (xml && *q != '<')
            return NULL;
    }
    out[n] = '\0';
    return q;
}

int ic_cred_scan_config(const uint8_t *data, size_t len, ic_cred_record_fn fn, void *arg)
{
    struct lines l;
    lines_init(&l, data, len);
    char user[IC_CRED_MAX_USER] = "";
    uint64_t user_line = 0;
    while (next_line(&l)) {
        char *s = skip_space(l.buf);
        if (!*s || *s == '#' || *s == ';' || (s[0] == '/' && s[1] == '/'))
            continue;
        if (user_line && l.number - user_line > 5)
            user[0] = '\0';
        int after_option = 0;
        for (char *p = s; *p;) {
            if (!key_char((unsigned char)*p)) {
                p++;
                continue;
            }
            char *start = p;
            while (key_char((unsigned char)*p))
                p++;
            size_t klen = (size_t)(p - start);
            int is_option = (klen == 6 && memcmp(start, "option", 6) == 0) ||
                            (klen == 3 && memcmp(start, "set", 3) == 0);
            int pw = password_key(start, klen), us = !pw && user_key(start, klen);
            if (!pw && !us) {
                after_option = is_option;
                continue;
            }
            char key[64], value[IC_CRED_MAX_SECRET];
            memcpy(key, start, klen < sizeof(key) ? klen : sizeof(key) - 1);
            key[klen < sizeof(key) ? klen : sizeof(key) - 1] = '\0';
            char *end = read_value(s, start, p, after_option, value, sizeof(value));
            after_option = 0;
            if (!end)
                continue;
            p = end;
            if (us) {
                if (valid_user(value)) {
                    memcpy(user, value, strlen(value) + 1);
                    user_line = l.number;
                }
                continue;
            }
            if (placeholder(value))
                continue;
            struct ic_cred_record r = {.user = user, .secret = value, .plain_allowed = 1,
                                       .key = key, .line = l.number, .offset = l.offset};
            int rc = fn(arg, &r);
            if (rc)
                return rc;
        }
    }
    return IC_OK;
}

/* ---- inittab and scripts -------------------------------------------------- */

static const char *base_name(const char *w)
{
    const char *slash = strrchr(w, '/');
    return slash ? slash + 1 : w;
}

static int is_shell(const char *word)
{
    static const char *const shells[] = {"sh", "ash", "bash", "dash", "hush", "msh", "zsh", "ksh"};
    const char *b = base_name(word[0] == '-' ? word + 1 : word);
    for (size_t i = 0; i < sizeof(shells) / sizeof(shells[0]); i++)
        if (strcmp(b, shells[i]) == 0)
            return 1;
    return 0;
}

/* Splits a command into words (quotes removed, no expansion). */
static size_t words_of(char *s, char **w, size_t max)
{
    size_t n = 0;
    while (*s && n < max) {
        s = skip_space(s);
        if (!*s)
            break;
        char *out = s;
        w[n++] = out;
        char quote = 0;
        while (*s && (quote || (*s != ' ' && *s != '\t'))) {
            if (!quote && (*s == '"' || *s == '\''))
                quote = *s++;
            else if (quote && *s == quote)
                quote = 0, s++;
            else
                *out++ = *s++;
        }
        if (*s)
            s++;
        *out = '\0';
    }
    return n;
}

enum proc_kind { PROC_NONE, PROC_TELNETD_SHELL, PROC_LOGIN_F, PROC_SHELL, PROC_AUTOLOGIN };

/* What a command does to logins; *user gets the account for login -f and
 * getty auto-login. */
static enum proc_kind classify_command(char **w, size_t n, const char **user)
{
    *user = "";
    for (size_t i = 0; i < n; i++) {
        const char *b = base_name(w[i]);
        if (strcmp(b, "telnetd") == 0 || strcmp(b, "utelnetd") == 0) {
            for (size_t k = i + 1; k < n; k++) {
                if (strcmp(w[k], "-l") == 0 && k + 1 < n && is_shell(w[k + 1]))
                    return PROC_TELNETD_SHELL;
                if (strncmp(w[k], "-l", 2) == 0 && w[k][2] && is_shell(w[k] + 2))
                    return PROC_TELNETD_SHELL;
            }
            return PROC_NONE;
        }
        if (strcmp(b, "login") == 0) {
            for (size_t k = i + 1; k < n; k++)
                if (strcmp(w[k], "-f") == 0) {
                    *user = k + 1 < n ? w[k + 1] : "";
                    return PROC_LOGIN_F;
                }
            return PROC_NONE;
        }
        if (strstr(b, "getty")) {
            int no_login = 0, shell = 0;
            for (size_t k = i + 1; k < n; k++) {
                if (strcmp(w[k], "-n") == 0 || strcmp(w[k], "--skip-login") == 0)
                    no_login = 1;
                if ((strcmp(w[k], "-l") == 0 || strcmp(w[k], "--login-program") == 0) &&
                    k + 1 < n && is_shell(w[k + 1]))
                    shell = 1;
                if ((strcmp(w[k], "-a") == 0 || strcmp(w[k], "--autologin") == 0) && k + 1 < n) {
                    *user = w[k + 1];
                    return PROC_AUTOLOGIN;
                }
                if (strncmp(w[k], "--autologin=", 12) == 0) {
                    *user = w[k] + 12;
                    return PROC_AUTOLOGIN;
                }
            }
            return no_login && shell ? PROC_AUTOLOGIN : PROC_NONE;
        }
        if (i == 0 && is_shell(w[0])) {
            /* an interactive shell: no script or -c argument */
            for (size_t k = 1; k < n; k++)
                if (w[k][0] != '-' || strcmp(w[k], "-c") == 0)
                    return PROC_NONE;
            return PROC_SHELL;
        }
        if (i == 0 && strcmp(b, "busybox") != 0 && strcmp(b, "exec") != 0 &&
            strcmp(b, "nohup") != 0 && strcmp(b, "start-stop-daemon") != 0 &&
            strcmp(b, "setsid") != 0)
            return PROC_NONE;
    }
    return PROC_NONE;
}

static void trimmed_text(const char *line, char *out, size_t size)
{
    const char *s = line;
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    if (n >= size)
        n = size - 1;
    memcpy(out, s, n);
    out[n] = '\0';
}

int ic_cred_scan_inittab(const uint8_t *data, size_t len, ic_cred_cmd_fn fn, void *arg)
{
    struct lines l;
    lines_init(&l, data, len);
    while (next_line(&l)) {
        char shown[256];
        trimmed_text(l.buf, shown, sizeof(shown));
        char *s = skip_space(l.buf);
        if (!*s || *s == '#')
            continue;
        char *f[4];
        if (split(s, ':', f, 4) != 4)
            continue;
        const char *action = f[2];
        if (strcmp(action, "respawn") != 0 && strcmp(action, "askfirst") != 0 &&
            strcmp(action, "once") != 0 && strcmp(action, "wait") != 0)
            continue;
        char *proc = skip_space(f[3]);
        char *w[32];
        size_t n = words_of(proc, w, 32);
        if (!n)
            continue;
        const char *user;
        enum proc_kind k = classify_command(w, n, &user);
        if (k == PROC_NONE)
            continue;
        struct ic_cred_cmd cmd = {.user = user, .value = f[0][0] ? f[0] : "console",
                                  .text = shown, .line = l.number};
        cmd.kind = k == PROC_TELNETD_SHELL ? IC_CMD_LOGIN_BYPASS : IC_CMD_CONSOLE_SHELL;
        int rc = fn(arg, &cmd);
        if (rc)
            return rc;
    }
    return IC_OK;
}

/* "echo 'user:value' | chpasswd" and "echo -e 'pw\npw' | passwd user":
 * the argument of the echo/printf before the pipe. */
static int piped_value(char **w, size_t n, size_t pipe_at, char *out, size_t size)
{
    for (size_t i = 0; i < pipe_at; i++) {
        const char *b = base_name(w[i]);
        if (strcmp(b, "echo") != 0 && strcmp(b, "printf") != 0)
            continue;
        for (size_t k = i + 1; k < pipe_at; k++) {
            if (w[k][0] == '-' && strcmp(b, "echo") == 0)
                continue;
            size_t len = strlen(w[k]);
            if (len >= size)
                return 0;
            memcpy(out, w[k], len + 1);
            return 1;
        }
    }
    (void)n;
    return 0;
}

static int is_literal(const char *v)
{
    return !strchr(v, '$') && !strchr(v, '`');
}

static int script_command(char *cmdline, const char *shown, uint64_t number, ic_cred_cmd_fn fn,
                          void *arg)
{
    char *w[64];
    size_t n = words_of(cmdline, w, 64);
    if (!n)
        return IC_OK;
    struct ic_cred_cmd cmd = {.user = "", .value = "", .text = shown, .line = number};
    const char *user;
    enum proc_kind k = classify_command(w, n, &user);
    if (k == PROC_TELNETD_SHELL || k == PROC_LOGIN_F) {
        cmd.kind = IC_CMD_LOGIN_BYPASS;
        cmd.user = user;
        return fn(arg, &cmd);
    }
    size_t pipe_at = n;
    for (size_t i = 0; i < n; i++)
        if (strcmp(w[i], "|") == 0) {
            pipe_at = i;
            break;
        }
    char value[IC_CRED_MAX_SECRET];
    for (size_t i = 0; i < n; i++) {
        const char *b = base_name(w[i]);
        if (strcmp(b, "chpasswd") == 0 && i > pipe_at &&
            piped_value(w, n, pipe_at, value, sizeof(value))) {
            char *colon = strchr(value, ':');
            if (!colon)
                return IC_OK;
            *colon = '\0';
            char *nl = strstr(colon + 1, "\\n");
            if (nl)
                *nl = '\0';
            cmd.kind = IC_CMD_SET_PASSWORD;
            cmd.user = value;
            cmd.value = colon + 1;
            cmd.literal = is_literal(value) && is_literal(colon + 1);
            for (size_t k2 = i + 1; k2 < n; k2++)
                if (strcmp(w[k2], "-e") == 0 || strcmp(w[k2], "--encrypted") == 0)
                    cmd.hashed = 1;
            return fn(arg, &cmd);
        }
        if (strcmp(b, "passwd") == 0 && (i == 0 || i > pipe_at)) {
            const char *target = "root";
            int lock = 0, clear = 0;
            for (size_t k2 = i + 1; k2 < n && strcmp(w[k2], "|") != 0; k2++) {
                if (strcmp(w[k2], "-l") == 0)
                    lock = 1;
                else if (strcmp(w[k2], "-d") == 0)
                    clear = 1;
                else if (w[k2][0] != '-' && w[k2][0] != '>' && w[k2][0] != '<')
                    target = w[k2];
            }
            if (!valid_user(target))
                return IC_OK;
            cmd.user = target;
            if (lock || clear) {
                cmd.kind = lock ? IC_CMD_LOCK : IC_CMD_CLEAR;
                return fn(arg, &cmd);
            }
            if (i > pipe_at && piped_value(w, n, pipe_at, value, sizeof(value))) {
                char *nl = strstr(value, "\\n");
                if (nl)
                    *nl = '\0';
                cmd.kind = IC_CMD_SET_PASSWORD;
                cmd.value = value;
                cmd.literal = is_literal(value);
                return fn(arg, &cmd);
            }
            return IC_OK;
        }
        if (strcmp(b, "usermod") == 0 && i == 0) {
            for (size_t k2 = 1; k2 < n; k2++) {
                if (strcmp(w[k2], "-L") == 0 || strcmp(w[k2], "--lock") == 0)
                    cmd.kind = IC_CMD_LOCK;
                else if ((strcmp(w[k2], "-p") == 0 || strcmp(w[k2], "--password") == 0) &&
                         k2 + 1 < n) {
                    cmd.kind = IC_CMD_SET_PASSWORD;
                    cmd.value = w[++k2];
                    cmd.hashed = 1;
                    cmd.literal = is_literal(cmd.value);
                } else if (w[k2][0] != '-')
                    cmd.user = w[k2];
            }
            if (!valid_user(cmd.user) || (cmd.kind != IC_CMD_LOCK && cmd.kind != IC_CMD_SET_PASSWORD))
                return IC_OK;
            return fn(arg, &cmd);
        }
        if (strcmp(b, "httpd") == 0 || strcmp(b, "busybox-httpd") == 0) {
            for (size_t k2 = i + 1; k2 + 1 < n; k2++)
                if (strcmp(w[k2], "-c") == 0 && w[k2 + 1][0] == '/') {
                    cmd.kind = IC_CMD_HTTPD_CONF;
                    cmd.value = w[k2 + 1];
                    return fn(arg, &cmd);
                }
            return IC_OK;
        }
    }
    return IC_OK;
}

int ic_cred_scan_script(const uint8_t *data, size_t len, ic_cred_cmd_fn fn, void *arg)
{
    struct lines l;
    lines_init(&l, data, len);
    while (next_line(&l)) {
        char shown[256];
        trimmed_text(l.buf, shown, sizeof(shown));
        char *s = skip_space(l.buf);
        if (!*s || *s == '#')
            continue;
        if (strncmp(s, "ExecStart", 9) == 0 || strncmp(s, "ExecStartPre", 12) == 0) {
            char *eq = strchr(s, '=');
            if (!eq)
                continue;
            s = eq + 1;
            while (*s && strchr("-@+!:", *s))
                s++;
        }
        /* one command at a time: split at ; && || and a lone & (pipes stay) */
        char *cmd = s;
        char in_quote = 0;
        for (char *p = s;; p++) {
            if (*p && (in_quote ? *p == in_quote : (*p == '"' || *p == '\''))) {
                in_quote = in_quote ? 0 : *p;
                continue;
            }
            if (*p && in_quote)
                continue;
            int end = *p == '\0' || *p == ';' || (*p == '&' && p[1] == '&') ||
                      (*p == '|' && p[1] == '|') || (*p == '&' && p[1] != '&' && p[1] != '>' &&
                                                      (p == s || p[-1] != '>'));
            if (!end)
                continue;
            int last = *p == '\0';
            size_t skip = (p[0] && (p[1] == '&' || p[1] == '|') && p[0] == p[1]) ? 2 : 1;
            *p = '\0';
            /* separate a pipe into its own word so words_of() sees it */
            char spaced[IC_CRED_MAX_LINE];
            size_t o = 0;
            char quote = 0;
            for (const char *q = cmd; *q && o + 4 < sizeof(spaced); q++) {
                if (!quote && (*q == '"' || *q == '\''))
                    quote = *q;
                else if (quote && *q == quote)
                    quote = 0;
                if (*q == '|' && !quote) {
                    spaced[o++] = ' ';
                    spaced[o++] = '|';
                    spaced[o++] = ' ';
                } else {
                    spaced[o++] = *q;
                }
            }
            spaced[o] = '\0';
            int rc = script_command(spaced, shown, l.number, fn, arg);
            if (rc)
                return rc;
            if (last)
                break;
            p += skip - 1;
            cmd = p + 1;
        }
    }
    return IC_OK;
}
