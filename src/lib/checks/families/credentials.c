/* Credentials (CoP-1, EN 303 645 5.1-1 and 5.1-3): passwords baked into the
 * image. A password hash in a read-only image is the same on every unit
 * sold, so it is a universal default password whether or not it can be
 * cracked, unless the boot scripts lock the account or set a password made
 * on the unit; cracking it (checks/credentials/crack.c) only raises the
 * severity and shows the password. Also: empty passwords, extra UID-0
 * accounts, shared hashes, hard-coded credentials in user files, configs,
 * scripts and binaries, network logins without a password (telnetd -l
 * /bin/sh) and shells on a console without a login (CoP-6, 5.6-4). */
#include "checks/check.h"
#include "checks/credentials/crack.h"
#include "checks/credentials/dict.h"
#include "checks/credentials/hash.h"
#include "checks/credentials/parse.h"
#include "iotcop/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const p_default[] = {"5.1-1", NULL};
static const char *const p_bypass[] = {"5.1-1", "5.5-4", NULL};
static const char *const p_hardcoded[] = {"5.1-1", "5.4-3", NULL};
static const char *const p_crypto[] = {"5.1-3", NULL};
static const char *const p_debug[] = {"5.6-4", NULL};

static const struct ic_rule credential_rules[] = {
    {
        .id = "cred.default-password",
        .title = "Password is a known default",
        .severity = IC_SEVERITY_CRITICAL,
        .guideline = "CoP-1",
        .provisions = p_default,
        .rationale = "A password baked into the image is the same on every unit; when it is in "
                     "the public default-credential lists (Mirai's among them) botnets log in "
                     "with it within minutes of the device reaching the internet.",
        .fix = "Ship no usable password: lock every account in the image and have the user set "
               "a password at first use, or generate a unique per-unit password at "
               "manufacture (EN 303 645 5.1-1, 5.1-2).",
    },
    {
        .id = "cred.empty-password",
        .title = "Account with an empty password",
        .severity = IC_SEVERITY_CRITICAL,
        .guideline = "CoP-1",
        .provisions = p_default,
        .rationale = "An empty password field lets anyone log in as that account with no "
                     "password at all, on every unit.",
        .fix = "Lock the account ('!' or '*' in the password field) or remove it; never clear "
               "passwords in boot scripts (passwd -d).",
    },
    {
        .id = "cred.login-bypass",
        .title = "Network login that hands out a shell without a password",
        .severity = IC_SEVERITY_CRITICAL,
        .guideline = "CoP-1",
        .provisions = p_bypass,
        .rationale = "telnetd -l /bin/sh (or login -f) skips authentication altogether: anyone "
                     "who reaches the port gets a root shell, whatever the passwords are.",
        .fix = "Remove the service, or start it with a real login program (telnetd -l "
               "/bin/login) and a per-unit or user-set password; prefer SSH to telnet.",
    },
    {
        .id = "cred.weak-password",
        .title = "Password cracked from a password list",
        .severity = IC_SEVERITY_HIGH,
        .guideline = "CoP-1",
        .provisions = p_default,
        .rationale = "The password of an account in the image is the account name or a common "
                     "password: the same guessable password on every unit.",
        .fix = "Ship no usable password: lock the account and have the user set one at first "
               "use, or generate a unique per-unit password at manufacture.",
    },
    {
        .id = "cred.hardcoded",
        .title = "Hard-coded credential in a configuration file, script or program",
        .severity = IC_SEVERITY_HIGH,
        .guideline = "CoP-1",
        .provisions = p_hardcoded,
        .rationale = "A password written into the firmware (a configuration default, a boot "
                     "script that sets it, a program) is the same on every unit and readable "
                     "by anyone who downloads the image.",
        .fix = "Remove the credential from the image; derive a per-unit secret at manufacture "
               "or have the user set it at first use.",
    },
    {
        .id = "cred.uid0-extra",
        .title = "Second account with root's user ID and a password",
        .severity = IC_SEVERITY_HIGH,
        .guideline = "CoP-1",
        .provisions = p_default,
        .rationale = "An account other than root with user ID 0 is root under another name; "
                     "with a password baked into the image it is a universal back door that "
                     "audits of 'root' miss.",
        .fix = "Remove the account or give it its own unprivileged user ID, and lock it.",
    },
    {
        .id = "cred.shared-hash",
        .title = "Several accounts share one password hash",
        .severity = IC_SEVERITY_MEDIUM,
        .guideline = "CoP-1",
        .provisions = p_default,
        .rationale = "Identical hashes (same password and salt) mean the hash was copied between "
                     "accounts: one cracked or leaked password opens them all.",
        .fix = "Lock the accounts in the image and let each password be set separately on the "
               "unit, with a fresh random salt.",
    },
    {
        .id = "cred.hash-in-image",
        .title = "Password hash baked into the image",
        .severity = IC_SEVERITY_MEDIUM,
        .guideline = "CoP-1",
        .provisions = p_default,
        .rationale = "A usable password hash in a read-only image gives every unit the same "
                     "password: a universal default even if no list cracks it today. Anyone "
                     "who learns it once (a leak, a support note, more cracking) can log in to "
                     "every device.",
        .fix = "Lock the account in the image ('!' or '*') and have the user set a password "
               "at first use, or set a per-unit password at first boot or at manufacture.",
    },
    {
        .id = "cred.weak-hash",
        .title = "Password stored with a weak hash",
        .severity = IC_SEVERITY_LOW,
        .guideline = "CoP-1",
        .provisions = p_crypto,
        .rationale = "DES crypt (8 characters at most), md5crypt, Apache apr1, unsalted SHA-1 "
                     "and NT hashes are cheap to guess with current hardware; authentication "
                     "needs current cryptography (EN 303 645 5.1-3).",
        .fix = "Store passwords with yescrypt, bcrypt or sha512crypt with a high cost.",
    },
    {
        .id = "cred.console-shell",
        .title = "Shell on a console without a login",
        .severity = IC_SEVERITY_HIGH,
        .guideline = "CoP-6",
        .provisions = p_debug,
        .rationale = "A shell started on a serial or local console (inittab "
                     "ttyS0::respawn:/bin/sh, ::askfirst:-/bin/sh, getty auto-login) gives "
                     "root to anyone with physical access to the debug header.",
        .fix = "Run a login program (getty/login) on the console, or disable the console in "
               "production builds.",
    },
};

const struct ic_rule_set ic_rule_set_credentials = {
    .family = "credentials",
    .rules = credential_rules,
    .count = sizeof(credential_rules) / sizeof(credential_rules[0]),
};

/* 5.1-1 passes only by explicit evidence (ic_report_set_provision). */
static const struct ic_coverage credential_coverage[] = {
    {"5.1-1", 0, 1},
    {"5.1-3", 0, 1},
    {"5.4-3", 0, 1},
    {"5.5-4", 0, 1},
    {"5.6-4", 0, 1},
};

/* ---- collected state ------------------------------------------------------ */

enum record_source {
    SRC_SYSTEM,   /* passwd/shadow: login accounts */
    SRC_USERFILE, /* htpasswd, plain user files, httpd.conf */
    SRC_CONFIG,   /* a password-like key in a configuration file */
    SRC_EMBEDDED, /* user:hash inside some other file */
    SRC_SCRIPT,   /* set by a boot script (chpasswd, usermod -p) */
};

#define MAX_RECORDS 100000u
#define MAX_FILE_BYTES (64u << 20)
#define MAX_TEXT_BYTES (4u << 20)

struct record {
    const struct ic_layer *layer;
    char *path;
    uint64_t line;
    char *user;
    char *secret;
    char *key;   /* config key, or NULL */
    char *shell; /* or NULL */
    enum ic_hash_kind kind;
    enum record_source source;
    int has_uid;
    uint32_t uid;
    long job; /* index of its crack job, -1 */
};

/* What a boot script does to an account. */
struct boot_action {
    const struct ic_layer *layer;
    char *user;
    int locked;   /* passwd -l / usermod -L */
    int computed; /* a password computed on the unit (not a literal) */
    char *path;
};

struct state {
    struct ic_check_ctx *ctx;
    struct record *records;
    size_t count, cap;
    struct boot_action *actions;
    size_t action_count, action_cap;
    char **httpd_confs; /* files named by httpd -c */
    size_t httpd_conf_count;
    size_t system_files; /* passwd/shadow files examined */
    int rc;
    /* while parsing one file */
    const struct ic_layer *layer;
    const char *path;
    enum record_source source;
};

static char *dup_str(const char *s)
{
    size_t n = strlen(s);
    char *d = malloc(n + 1);
    if (d)
        memcpy(d, s, n + 1);
    return d;
}

/* A copy fit for evidence: control bytes become '?'. */
static void printable(const char *s, char *out, size_t size)
{
    size_t n = 0;
    for (; *s && n + 1 < size; s++)
        out[n++] = ((unsigned char)*s < 0x20 || *s == 0x7f) ? '?' : *s;
    out[n] = '\0';
}

/* First two characters and the length: for secrets that are not known defaults. */
static void masked(const char *s, char *out, size_t size)
{
    char head[3] = {0};
    size_t n = strlen(s);
    for (size_t i = 0; i < 2 && i < n; i++)
        head[i] = ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f) ? '?' : s[i];
    snprintf(out, size, "%s... (%zu characters)", head, n);
}

static int add_record(struct state *st, const struct ic_cred_record *r, enum ic_hash_kind kind)
{
    if (st->count >= MAX_RECORDS)
        return IC_E_LIMIT_FILES;
    if (st->count == st->cap) {
        size_t cap = st->cap ? st->cap * 2 : 64;
        struct record *n = realloc(st->records, cap * sizeof(*n));
        if (!n)
            return IC_E_NOMEM;
        st->records = n;
        st->cap = cap;
    }
    struct record *rec = &st->records[st->count];
    memset(rec, 0, sizeof(*rec));
    rec->layer = st->layer;
    rec->path = dup_str(st->path);
    rec->user = dup_str(r->user ? r->user : "");
    rec->secret = dup_str(r->secret);
    rec->key = r->key ? dup_str(r->key) : NULL;
    rec->shell = r->shell ? dup_str(r->shell) : NULL;
    rec->line = r->line;
    rec->kind = kind;
    rec->source = st->source;
    rec->has_uid = r->has_uid;
    rec->uid = r->uid;
    rec->job = -1;
    st->count++;
    if (!rec->path || !rec->user || !rec->secret || (r->key && !rec->key) ||
        (r->shell && !rec->shell))
        return IC_E_NOMEM;
    return IC_OK;
}

static struct record *find_record(struct state *st, const struct ic_layer *layer,
                                  enum record_source source, const char *user)
{
    for (size_t i = 0; i < st->count; i++)
        if (st->records[i].layer == layer && st->records[i].source == source &&
            strcmp(st->records[i].user, user) == 0)
            return &st->records[i];
    return NULL;
}

static int on_shadow(void *arg, const struct ic_cred_record *r)
{
    struct state *st = arg;
    return add_record(st, r, ic_hash_classify(r->secret, 0));
}

/* passwd after shadow: fills in uid and shell; a password kept in passwd
 * itself (no shadow entry, field not "x") is an account of its own. */
static int on_passwd(void *arg, const struct ic_cred_record *r)
{
    struct state *st = arg;
    struct record *rec = find_record(st, st->layer, SRC_SYSTEM, r->user);
    if (rec && strcmp(r->secret, "x") == 0) {
        rec->has_uid = r->has_uid;
        rec->uid = r->uid;
        free(rec->shell);
        rec->shell = r->shell ? dup_str(r->shell) : NULL;
        return IC_OK;
    }
    if (strcmp(r->secret, "x") == 0)
        return IC_OK; /* the password lives in a shadow file the image lacks: no login */
    return add_record(st, r, ic_hash_classify(r->secret, 0));
}

static int on_userfile(void *arg, const struct ic_cred_record *r)
{
    struct state *st = arg;
    enum ic_hash_kind kind = ic_hash_classify(r->secret, r->plain_allowed);
    /* uhttpd's "$p$user" refers to a system account's password */
    if (strncmp(r->secret, "$p$", 3) == 0)
        return IC_OK;
    return add_record(st, r, kind);
}

static int on_config(void *arg, const struct ic_cred_record *r)
{
    struct state *st = arg;
    return add_record(st, r, ic_hash_classify(r->secret, 1));
}

static int on_embedded(void *arg, const struct ic_cred_record *r)
{
    struct state *st = arg;
    return add_record(st, r, ic_hash_classify(r->secret, 0));
}

static int add_action(struct state *st, const char *user, int locked, int computed)
{
    if (st->action_count == st->action_cap) {
        size_t cap = st->action_cap ? st->action_cap * 2 : 16;
        struct boot_action *n = realloc(st->actions, cap * sizeof(*n));
        if (!n)
            return IC_E_NOMEM;
        st->actions = n;
        st->action_cap = cap;
    }
    struct boot_action *a = &st->actions[st->action_count++];
    a->layer = st->layer;
    a->user = dup_str(user);
    a->path = dup_str(st->path);
    a->locked = locked;
    a->computed = computed;
    return a->user && a->path ? IC_OK : IC_E_NOMEM;
}

static int on_command(void *arg, const struct ic_cred_cmd *cmd)
{
    struct state *st = arg;
    struct ic_check_ctx *ctx = st->ctx;
    char text[256], user[IC_CRED_MAX_USER];
    printable(cmd->text, text, sizeof(text));
    printable(cmd->user, user, sizeof(user));
    switch (cmd->kind) {
    case IC_CMD_LOGIN_BYPASS:
        return ic_check_finding(ctx, "cred.login-bypass", st->layer->id, st->path, cmd->line,
                                "'%s' gives a shell without asking for a password", text);
    case IC_CMD_CONSOLE_SHELL:
        return ic_check_finding(ctx, "cred.console-shell", st->layer->id, st->path, cmd->line,
                                "'%s' starts %s on %s without a login", text,
                                user[0] ? "an automatic login" : "a shell", cmd->value);
    case IC_CMD_LOCK:
        return add_action(st, cmd->user, 1, 0);
    case IC_CMD_CLEAR:
        return ic_check_finding(ctx, "cred.empty-password", st->layer->id, st->path, cmd->line,
                                "account '%s': the password is removed at boot ('%s')", user,
                                text);
    case IC_CMD_SET_PASSWORD: {
        if (!cmd->literal)
            return add_action(st, cmd->user, 0, 1);
        /* A literal password in a script is the same on every unit. */
        struct ic_cred_record r = {.user = cmd->user, .secret = cmd->value, .line = cmd->line,
                                   .plain_allowed = !cmd->hashed, .key = "boot script"};
        enum record_source saved = st->source;
        st->source = SRC_SCRIPT;
        int rc = add_record(st, &r, ic_hash_classify(cmd->value, !cmd->hashed));
        st->source = saved;
        return rc;
    }
    case IC_CMD_HTTPD_CONF: {
        char **n = realloc(st->httpd_confs, (st->httpd_conf_count + 1) * sizeof(*n));
        if (!n)
            return IC_E_NOMEM;
        st->httpd_confs = n;
        n[st->httpd_conf_count] = dup_str(cmd->value);
        return n[st->httpd_conf_count++] ? IC_OK : IC_E_NOMEM;
    }
    }
    return IC_OK;
}

/* ---- which files are what ------------------------------------------------- */

static const char *base_of(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static int ends(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

static int starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int is_text(const uint8_t *p, size_t n)
{
    size_t k = n < 1024 ? n : 1024;
    return memchr(p, '\0', k) == NULL;
}

static int is_account_file(const char *path)
{
    return ends(path, "/etc/passwd") || ends(path, "/etc/shadow");
}

static int userfile_kind(const char *path, enum ic_cred_file *kind)
{
    const char *b = base_of(path);
    if (strcmp(b, "httpd.conf") == 0) {
        *kind = IC_CRED_HTTPD_CONF;
        return 1;
    }
    if (strcmp(b, "lighttpd.user") == 0 || strcmp(b, "lighttpd-plain.user") == 0) {
        *kind = IC_CRED_PLAIN_USERS;
        return 1;
    }
    if (strcmp(b, ".htpasswd") == 0 || strcmp(b, "htpasswd") == 0 || ends(b, ".htpasswd") ||
        strcmp(b, "lighttpd-htpasswd.user") == 0 ||
        (ends(b, ".passwd") && !is_account_file(path)) ||
        (strcmp(b, "passwd") == 0 && !is_account_file(path) && !starts(path, "/usr/bin") &&
         !starts(path, "/bin") && !starts(path, "/usr/sbin") && !starts(path, "/sbin"))) {
        *kind = IC_CRED_HTPASSWD;
        return 1;
    }
    return 0;
}

static int is_config_file(const char *path)
{
    const char *b = base_of(path);
    static const char *const suffixes[] = {".conf", ".cfg", ".ini", ".xml", ".json", ".config",
                                           ".default", ".defaults", ".txt", ".dat"};
    if (starts(path, "/etc/config/") || strstr(b, "nvram") || starts(b, "default"))
        return 1;
    if (starts(path, "/usr/share/doc") || starts(path, "/usr/share/man") ||
        starts(path, "/usr/share/locale") || starts(path, "/usr/share/mime"))
        return 0;
    /* Name-service switch: "passwd: files" names the account database's
     * sources, not a password. */
    if (strcmp(b, "nsswitch.conf") == 0)
        return 0;
    for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++)
        if (ends(b, suffixes[i]))
            return 1;
    return 0;
}

static int is_script_path(const char *path)
{
    return starts(path, "/etc/init.d/") || starts(path, "/etc/rc") ||
           starts(path, "/etc/uci-defaults/") || starts(path, "/etc/preinit") ||
           starts(path, "/etc/profile") || ends(path, ".service") || ends(path, ".sh");
}

static int is_script(const char *path, const uint8_t *p, size_t n)
{
    return is_script_path(path) || (n > 2 && p[0] == '#' && p[1] == '!');
}

/* Command strings that give a shell without a login, looked for in programs. */
static const char *const bypass_strings[] = {
    "telnetd -l /bin/sh", "telnetd -l/bin/sh", "telnetd -l /bin/ash", "telnetd -l /bin/bash",
    "telnetd -p 23 -l /bin/sh", "login -f root",
};

static int is_elf(const uint8_t *p, size_t n)
{
    return n >= 4 && memcmp(p, "\177ELF", 4) == 0;
}

static int scan_binary_strings(struct state *st, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < sizeof(bypass_strings) / sizeof(bypass_strings[0]); i++) {
        const uint8_t *hit = memmem(p, n, bypass_strings[i], strlen(bypass_strings[i]));
        if (hit) {
            int rc = ic_check_finding(st->ctx, "cred.login-bypass", st->layer->id, st->path, 0,
                                      "the program contains the command '%s' (at offset %zu)",
                                      bypass_strings[i], (size_t)(hit - p));
            if (rc)
                return rc;
        }
    }
    return IC_OK;
}

static const uint8_t *file_data(const struct ic_entry *e, size_t max, size_t *n)
{
    *n = 0;
    if (e->type != IC_FT_FILE || !e->content || ic_blob_size(e->content) == 0 ||
        ic_blob_size(e->content) > max)
        return NULL;
    const uint8_t *p = ic_blob_data(e->content, NULL);
    if (p)
        *n = (size_t)ic_blob_size(e->content);
    return p;
}

/* Pass 1: inittab and scripts (boot actions, bypasses, httpd -c files). */
static int scan_boot(struct state *st, const struct ic_layer *layer)
{
    size_t count = ic_fs_count(layer->fs);
    for (size_t i = 0; i < count; i++) {
        const struct ic_entry *e = ic_fs_entry(layer->fs, i);
        size_t n;
        const uint8_t *p = file_data(e, MAX_TEXT_BYTES, &n);
        if (!p || !is_text(p, n))
            continue;
        st->path = e->path;
        int rc = IC_OK;
        if (ends(e->path, "/etc/inittab"))
            rc = ic_cred_scan_inittab(p, n, on_command, st);
        else if (is_script(e->path, p, n))
            rc = ic_cred_scan_script(p, n, on_command, st);
        if (rc)
            return rc;
    }
    return IC_OK;
}

static int named_httpd_conf(const struct state *st, const char *path)
{
    for (size_t i = 0; i < st->httpd_conf_count; i++)
        if (strcmp(st->httpd_confs[i], path) == 0)
            return 1;
    return 0;
}

/* Pass 2: account files, user files, configuration, embedded hashes. */
static int scan_files(struct state *st, const struct ic_layer *layer)
{
    size_t count = ic_fs_count(layer->fs);
    /* shadow before passwd so passwd can fill in uid and shell */
    for (int want_shadow = 1; want_shadow >= 0; want_shadow--) {
        for (size_t i = 0; i < count; i++) {
            const struct ic_entry *e = ic_fs_entry(layer->fs, i);
            if (!ends(e->path, want_shadow ? "/etc/shadow" : "/etc/passwd"))
                continue;
            st->system_files++;
            size_t n;
            const uint8_t *p = file_data(e, MAX_TEXT_BYTES, &n);
            if (!p)
                continue;
            st->path = e->path;
            st->source = SRC_SYSTEM;
            int rc = ic_cred_parse_accounts(p, n, want_shadow ? IC_CRED_SHADOW : IC_CRED_PASSWD,
                                            want_shadow ? on_shadow : on_passwd, st);
            if (rc)
                return rc;
        }
    }
    for (size_t i = 0; i < count; i++) {
        const struct ic_entry *e = ic_fs_entry(layer->fs, i);
        if (is_account_file(e->path))
            continue;
        size_t n;
        const uint8_t *p = file_data(e, MAX_FILE_BYTES, &n);
        if (!p)
            continue;
        st->path = e->path;
        enum ic_cred_file kind = IC_CRED_HTPASSWD;
        int rc = IC_OK;
        int text = is_text(p, n);
        if (named_httpd_conf(st, e->path) || (text && userfile_kind(e->path, &kind))) {
            if (named_httpd_conf(st, e->path))
                kind = IC_CRED_HTTPD_CONF;
            st->source = SRC_USERFILE;
            rc = ic_cred_parse_accounts(p, n, kind, on_userfile, st);
        } else if (text && n <= MAX_TEXT_BYTES && is_config_file(e->path)) {
            st->source = SRC_CONFIG;
            rc = ic_cred_scan_config(p, n, on_config, st);
            if (!rc) {
                st->source = SRC_EMBEDDED;
                rc = ic_cred_scan_embedded(p, n, on_embedded, st);
            }
        } else {
            st->source = SRC_EMBEDDED;
            rc = ic_cred_scan_embedded(p, n, on_embedded, st);
            if (!rc && is_elf(p, n))
                rc = scan_binary_strings(st, p, n);
        }
        if (rc)
            return rc;
    }
    return IC_OK;
}

/* ---- cracking and reporting ---------------------------------------------- */

static int crackable(enum ic_hash_kind kind)
{
    return kind != IC_HASH_EMPTY && kind != IC_HASH_LOCKED && kind != IC_HASH_PLAIN;
}

static const struct boot_action *boot_action_for(const struct state *st,
                                                 const struct record *rec)
{
    for (size_t i = 0; i < st->action_count; i++)
        if (st->actions[i].layer == rec->layer && strcmp(st->actions[i].user, rec->user) == 0)
            return &st->actions[i];
    return NULL;
}

static const char *where(const struct record *rec, char *buf, size_t size)
{
    switch (rec->source) {
    case SRC_SYSTEM:
        if (rec->has_uid)
            snprintf(buf, size, "account '%s' (uid %u, shell %s)", rec->user, rec->uid,
                     rec->shell && rec->shell[0] ? rec->shell : "none");
        else
            snprintf(buf, size, "account '%s'", rec->user);
        break;
    case SRC_USERFILE:
        snprintf(buf, size, "web user '%s'", rec->user);
        break;
    case SRC_CONFIG:
        if (rec->user[0])
            snprintf(buf, size, "'%s' (user '%s')", rec->key ? rec->key : "", rec->user);
        else
            snprintf(buf, size, "'%s'", rec->key ? rec->key : "");
        break;
    case SRC_EMBEDDED:
        snprintf(buf, size, "embedded record for '%s'", rec->user);
        break;
    case SRC_SCRIPT:
        snprintf(buf, size, "account '%s' set by a boot script", rec->user);
        break;
    }
    char clean[320];
    printable(buf, clean, sizeof(clean));
    snprintf(buf, size, "%s", clean);
    return buf;
}

static int report_known(struct state *st, const struct record *rec, const char *password,
                        const char *how, enum ic_crack_origin origin)
{
    char who[320], pw[IC_CRED_MAX_SECRET];
    where(rec, who, sizeof(who));
    printable(password, pw, sizeof(pw));
    const char *wordlist = st->ctx->options->wordlist;
    if (origin == IC_CRACK_DICTIONARY) {
        const struct ic_cred_default *d = ic_cred_default_lookup(rec->user, password);
        return ic_check_finding(st->ctx, "cred.default-password", rec->layer->id, rec->path,
                                rec->line,
                                "%s: %s '%s', a known default from the built-in dictionary "
                                "(%s %s/%s, named by %u list%s: %s)",
                                who, how, pw, d->service, d->user[0] ? d->user : "(none)",
                                d->password[0] ? d->password : "(empty)", d->lists,
                                d->lists == 1 ? "" : "s", d->sources);
    }
    return ic_check_finding(st->ctx, "cred.weak-password", rec->layer->id, rec->path, rec->line,
                            "%s: %s '%s' (%s)", who, how, pw,
                            origin == IC_CRACK_USERNAME ? "the account name"
                            : wordlist                  ? "from the wordlist, not the built-in dictionary"
                                                        : "not in the built-in dictionary");
}

static int report_record(struct state *st, struct record *rec, const struct ic_crack_job *jobs,
                         int *usable)
{
    struct ic_check_ctx *ctx = st->ctx;
    char who[320];
    where(rec, who, sizeof(who));
    const struct boot_action *act = rec->source == SRC_SYSTEM ? boot_action_for(st, rec) : NULL;
    if (act && (act->locked || act->computed))
        return IC_OK; /* locked or given a unit-made password at boot: not a baked password */
    const char *kind = ic_hash_kind_name(rec->kind);
    int rc = IC_OK;
    if (rec->kind == IC_HASH_LOCKED)
        return IC_OK;
    *usable = 1;
    if (rec->kind == IC_HASH_EMPTY)
        return ic_check_finding(ctx, "cred.empty-password", rec->layer->id, rec->path, rec->line,
                                "%s has an empty password field: it logs in without a password",
                                who);
    if (rec->source == SRC_SYSTEM && rec->has_uid && rec->uid == 0 &&
        strcmp(rec->user, "root") != 0) {
        rc = ic_check_finding(ctx, "cred.uid0-extra", rec->layer->id, rec->path, rec->line,
                              "%s has user ID 0 and a %s password", who, kind);
        if (rc)
            return rc;
    }
    if (ic_hash_weak(rec->kind) && rec->kind != IC_HASH_PLAIN) {
        rc = ic_check_finding(ctx, "cred.weak-hash", rec->layer->id, rec->path, rec->line,
                              "%s: %s hash", who, kind);
        if (rc)
            return rc;
    }
    if (rec->kind == IC_HASH_PLAIN) {
        if (ic_crack_origin_of(rec->secret, NULL) == IC_CRACK_DICTIONARY)
            return report_known(st, rec, rec->secret, "password in clear text is",
                                IC_CRACK_DICTIONARY);
        char m[64];
        masked(rec->secret, m, sizeof(m));
        return ic_check_finding(ctx, "cred.hardcoded", rec->layer->id, rec->path, rec->line,
                                "%s: password in clear text %s", who, m);
    }
    const struct ic_crack_job *job = rec->job >= 0 ? &jobs[rec->job] : NULL;
    if (job && job->cracked) {
        char how[64];
        snprintf(how, sizeof(how), "%s hash cracks to", kind);
        return report_known(st, rec, job->password, how, ic_crack_origin_of(job->password, rec->user));
    }
    if (rec->source == SRC_SCRIPT)
        return ic_check_finding(ctx, "cred.hardcoded", rec->layer->id, rec->path, rec->line,
                                "%s: a fixed %s hash written in the script", who, kind);
    return ic_check_finding(ctx, "cred.hash-in-image", rec->layer->id, rec->path, rec->line,
                            "%s: usable %s hash baked into the image, the same on every unit%s",
                            who, kind,
                            job && job->too_costly ? " (too costly to try candidates against)"
                                                   : " (not cracked)");
}

static int report_shared(struct state *st)
{
    for (size_t i = 0; i < st->count; i++) {
        struct record *a = &st->records[i];
        if (!crackable(a->kind) || a->source == SRC_SCRIPT)
            continue;
        int first = 1;
        char users[512] = "";
        size_t others = 0;
        for (size_t k = 0; k < st->count; k++) {
            struct record *b = &st->records[k];
            if (k == i || strcmp(a->secret, b->secret) != 0 || strcmp(a->user, b->user) == 0)
                continue;
            if (k < i) {
                first = 0;
                break;
            }
            if (!strstr(users, b->user) && strlen(users) + strlen(b->user) + 4 < sizeof(users)) {
                size_t len = strlen(users);
                snprintf(users + len, sizeof(users) - len, ", '%s'", b->user);
                others++;
            }
        }
        if (!first || !others)
            continue;
        char clean[512];
        printable(users, clean, sizeof(clean));
        int rc = ic_check_finding(st->ctx, "cred.shared-hash", a->layer->id, a->path, a->line,
                                  "'%s'%s have the same %s hash (same password and salt)",
                                  a->user, clean, ic_hash_kind_name(a->kind));
        if (rc)
            return rc;
    }
    return IC_OK;
}

static int crack_all(struct state *st, struct ic_crack_job **jobs_out, size_t *job_count)
{
    struct ic_crack_job *jobs = calloc(st->count ? st->count : 1, sizeof(*jobs));
    if (!jobs)
        return IC_E_NOMEM;
    size_t n = 0;
    for (size_t i = 0; i < st->count; i++) {
        struct record *rec = &st->records[i];
        if (!crackable(rec->kind))
            continue;
        const struct boot_action *act = rec->source == SRC_SYSTEM ? boot_action_for(st, rec) : NULL;
        if (act && (act->locked || act->computed))
            continue; /* replaced or locked at boot: nothing to learn from cracking it */
        for (size_t k = 0; k < n && rec->job < 0; k++)
            if (strcmp(jobs[k].hash, rec->secret) == 0)
                rec->job = (long)k;
        if (rec->job >= 0)
            continue;
        jobs[n].hash = rec->secret;
        jobs[n].kind = rec->kind;
        jobs[n].user = rec->user[0] ? rec->user : NULL;
        rec->job = (long)n++;
    }
    *jobs_out = jobs;
    *job_count = n;
    if (!n)
        return IC_OK;
    struct ic_wordlist wl = {0};
    int have_wl = 0;
    const struct ic_check_options *o = st->ctx->options;
    if (o->wordlist) {
        int rc = ic_wordlist_load(o->wordlist, &wl);
        if (rc == IC_OK) {
            have_wl = 1;
        } else {
            char msg[256];
            snprintf(msg, sizeof(msg), "credentials: cannot use the wordlist %s: %s",
                     o->wordlist, ic_error_message(rc));
            ic_report_add_diagnostic(st->ctx->report, rc, 0, NULL, msg);
        }
    }
    unsigned threads = st->ctx->limits ? ic_limits_threads(st->ctx->limits) : 1;
    double budget = o->slow_hash_budget ? (double)o->slow_hash_budget : 10.0;
    struct ic_crack_options co = {have_wl ? &wl : NULL, budget, budget * 6 > 60 ? budget * 6 : 60,
                                  threads > 8 ? 8 : threads};
    int rc = ic_crack_run(jobs, n, &co);
    if (have_wl)
        ic_wordlist_release(&wl);
    return rc;
}

static void state_release(struct state *st)
{
    for (size_t i = 0; i < st->count; i++) {
        free(st->records[i].path);
        free(st->records[i].user);
        free(st->records[i].secret);
        free(st->records[i].key);
        free(st->records[i].shell);
    }
    free(st->records);
    for (size_t i = 0; i < st->action_count; i++) {
        free(st->actions[i].user);
        free(st->actions[i].path);
    }
    free(st->actions);
    for (size_t i = 0; i < st->httpd_conf_count; i++)
        free(st->httpd_confs[i]);
    free(st->httpd_confs);
}

static int run_credentials(struct ic_check_ctx *ctx)
{
    struct state st = {.ctx = ctx};
    struct ic_crack_job *jobs = NULL;
    size_t job_count = 0;
    int rc = IC_OK;
    for (size_t i = 0; i < ctx->unpack->layer_count && !rc; i++) {
        const struct ic_layer *layer = &ctx->unpack->layers[i];
        if (!layer->fs)
            continue;
        st.layer = layer;
        rc = scan_boot(&st, layer);
        if (!rc)
            rc = scan_files(&st, layer);
    }
    if (!rc)
        rc = crack_all(&st, &jobs, &job_count);
    int usable = 0;
    for (size_t i = 0; i < st.count && !rc; i++)
        rc = report_record(&st, &st.records[i], jobs, &usable);
    if (!rc)
        rc = report_shared(&st);
    if (!rc && st.system_files && !usable) {
        size_t accounts = 0, set_at_boot = 0;
        for (size_t i = 0; i < st.count; i++)
            accounts += st.records[i].source == SRC_SYSTEM;
        for (size_t i = 0; i < st.action_count; i++)
            set_at_boot += st.actions[i].computed || st.actions[i].locked;
        char evidence[256];
        snprintf(evidence, sizeof(evidence),
                 "credentials: %zu account%s in the image, none with a usable password baked "
                 "in (%zu locked or set on the unit at boot); no hard-coded password found",
                 accounts, accounts == 1 ? "" : "s", set_at_boot);
        ic_report_set_provision(ctx->report, "5.1-1", IC_STATUS_PASS, evidence);
    }
    free(jobs);
    state_release(&st);
    return rc;
}

const struct ic_check ic_check_credentials = {
    .name = "credentials",
    .description = "passwords baked into the image: defaults, empty, shared, hard-coded, "
                   "logins without a password",
    .rules = &ic_rule_set_credentials,
    .coverage = credential_coverage,
    .coverage_count = sizeof(credential_coverage) / sizeof(credential_coverage[0]),
    .run = run_credentials,
};
