/* Communicate securely (CoP-5, EN 303 645 5.5-1, 5.5-4, 5.5-7): plaintext
 * management services started at boot, TLS certificate verification switched
 * off in scripts and configuration, and weak TLS protocol versions or cipher
 * suites configured in web servers, OpenSSL and other TLS users. Only shell
 * scripts and configuration files are read: documentation, manual pages and
 * binaries (whose option tables name the very flags we look for) are not. */
#include "checks/boot/boot.h"
#include "checks/check.h"
#include "iotcop/error.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const plaintext_login[] = {"5.5-1", "5.5-7", NULL};
static const char *const plaintext_open[] = {"5.5-1", "5.5-4", NULL};
static const char *const crypto_only[] = {"5.5-1", NULL};
static const char *const verify_provisions[] = {"5.5-1", "5.5-6", NULL};

static const struct ic_rule comm_rules[] = {
    {
        .id = "comm.plaintext-login",
        .title = "Plaintext login service enabled at boot (telnet, FTP, rlogin)",
        .severity = IC_SEVERITY_HIGH,
        .guideline = "CoP-5",
        .provisions = plaintext_login,
        .rationale = "Telnet, FTP and the r-services send user names and passwords, and "
                     "everything after them, in the clear: anyone on the path can read the "
                     "credentials and take the session over.",
        .fix = "Replace the service by an encrypted one (SSH/SFTP, HTTPS) or remove it.",
    },
    {
        .id = "comm.plaintext-tftp",
        .title = "TFTP (unauthenticated, unencrypted file transfer) enabled at boot",
        .severity = IC_SEVERITY_MEDIUM,
        .guideline = "CoP-5",
        .provisions = plaintext_open,
        .rationale = "TFTP transfers files with no authentication and no encryption.",
        .fix = "Do not run a TFTP server on the shipped device; use an authenticated, encrypted "
               "transfer where one is needed.",
    },
    {
        .id = "comm.plaintext-http",
        .title = "Web server started at boot with no HTTPS configured",
        .severity = IC_SEVERITY_INFO,
        .guideline = "CoP-5",
        .provisions = crypto_only,
        .rationale = "A web interface served only over HTTP carries its logins and settings in "
                     "the clear. From the image alone it cannot be told whether the interface "
                     "handles credentials or personal data, so this is evidence for the "
                     "assessor (the device audit settles it on the wire), not a failure.",
        .fix = "Serve the interface over HTTPS (a per-device certificate) and redirect HTTP to "
               "it, or bind the plain HTTP server to the loopback interface only.",
    },
    {
        .id = "comm.tls-verify-disabled",
        .title = "TLS certificate verification switched off",
        .severity = IC_SEVERITY_HIGH,
        .guideline = "CoP-5",
        .provisions = verify_provisions,
        .rationale = "A client that does not check the server's certificate (curl -k, "
                     "wget --no-check-certificate, verify_peer = 0) talks to whoever answers: "
                     "a man in the middle can read the traffic and feed the device updates, "
                     "configuration or commands.",
        .fix = "Remove the option and ship the CA certificates (or pin the server's key) that "
               "the connection should be checked against.",
    },
    {
        .id = "comm.weak-tls",
        .title = "Obsolete TLS protocol version or weak cipher configured",
        .severity = IC_SEVERITY_MEDIUM,
        .guideline = "CoP-5",
        .provisions = crypto_only,
        .rationale = "SSLv2, SSLv3, TLS 1.0 and 1.1 and the RC4, NULL, EXPORT, DES and MD5 "
                     "cipher suites have practical attacks; best-practice cryptography "
                     "(EN 303 645 5.5-1) excludes them.",
        .fix = "Allow TLS 1.2 and 1.3 only (MinProtocol = TLSv1.2, ssl_protocols TLSv1.2 "
               "TLSv1.3) and use the library's default or a current recommended cipher list.",
    },
};

const struct ic_rule_set ic_rule_set_communication = {
    .family = "communication",
    .rules = comm_rules,
    .count = sizeof(comm_rules) / sizeof(comm_rules[0]),
};

static const struct ic_coverage comm_coverage[] = {
    {"5.5-1", 0, 1},
    {"5.5-4", 0, 1},
    {"5.5-6", 0, 1},
    {"5.5-7", 0, 1},
};

#define MAX_TEXT_FILE (1u << 20)

/* ---- plaintext services -------------------------------------------------- */

/* Whether any file under dir (or the file itself) contains one of needles. */
static int tree_mentions(const struct ic_fs *fs, const char *dir, const char *const *needles)
{
    size_t dl = strlen(dir);
    size_t n = ic_fs_count(fs);
    for (size_t i = 0; i < n; i++) {
        const struct ic_entry *e = ic_fs_entry(fs, i);
        if (e->type != IC_FT_FILE || strncmp(e->path, dir, dl) != 0 ||
            (e->path[dl] != '/' && e->path[dl] != '\0'))
            continue;
        size_t len = 0;
        const uint8_t *d = ic_boot_file_data(fs, e->path, MAX_TEXT_FILE, &len, NULL);
        for (size_t k = 0; d && needles[k]; k++)
            if (memmem(d, len, needles[k], strlen(needles[k])))
                return 1;
    }
    return 0;
}

/* For a web server started at boot: where its TLS would be configured, and
 * whether it is. Returns 1 plaintext only, 0 TLS found or unknown server. */
static int http_only(const struct ic_fs *fs, const struct ic_boot_item *it, char *why,
                     size_t why_size)
{
    const char *n = it->name;
    if (strcmp(n, "lighttpd") == 0) {
        static const char *const tls[] = {"ssl.engine", NULL};
        if (tree_mentions(fs, "/etc/lighttpd", tls))
            return 0;
        snprintf(why, why_size, "no ssl.engine in /etc/lighttpd");
        return 1;
    }
    if (strcmp(n, "nginx") == 0) {
        static const char *const tls[] = {" ssl", "ssl_certificate", NULL};
        if (tree_mentions(fs, "/etc/nginx", tls))
            return 0;
        snprintf(why, why_size, "no ssl listener in /etc/nginx");
        return 1;
    }
    if (strcmp(n, "uhttpd") == 0) {
        static const char *const tls[] = {"listen_https", NULL};
        if (tree_mentions(fs, "/etc/config/uhttpd", tls) || strstr(it->command, " -s "))
            return 0;
        snprintf(why, why_size, "no listen_https in /etc/config/uhttpd");
        return 1;
    }
    if (strcmp(n, "mini_httpd") == 0) {
        if (strstr(it->command, " -S"))
            return 0;
        snprintf(why, why_size, "started without -S (HTTPS)");
        return 1;
    }
    if (strcmp(n, "httpd") == 0 && it->resolved &&
        strcmp(ic_boot_basename(it->resolved), "busybox") == 0) {
        snprintf(why, why_size, "BusyBox httpd has no TLS");
        return 1;
    }
    if (strcmp(n, "boa") == 0 || strcmp(n, "thttpd") == 0) {
        snprintf(why, why_size, "%s has no TLS support", n);
        return 1;
    }
    return 0;
}

static int check_services(struct ic_check_ctx *ctx, const struct ic_layer *layer)
{
    struct ic_boot_list list = {0};
    int rc = ic_boot_collect(layer->fs, &list);
    for (size_t i = 0; rc == IC_OK && i < list.count; i++) {
        const struct ic_boot_item *it = &list.items[i];
        if (!(it->flags & IC_BOOT_ENABLED))
            continue;
        enum ic_boot_kind kind = ic_boot_classify(it);
        const char *proto = kind == IC_BOOT_KIND_TELNET ? "telnet"
                            : kind == IC_BOOT_KIND_FTP  ? "FTP"
                            : kind == IC_BOOT_KIND_RSH  ? "rlogin/rsh"
                                                        : NULL;
        if (proto) {
            rc = ic_check_finding(ctx, "comm.plaintext-login", layer->id, it->file, it->line,
                                  "%s (%s, plaintext) started at boot (%s): %s", it->name,
                                  proto, it->how, it->command);
        } else if (kind == IC_BOOT_KIND_TFTP) {
            rc = ic_check_finding(ctx, "comm.plaintext-tftp", layer->id, it->file, it->line,
                                  "%s (TFTP) started at boot (%s): %s", it->name, it->how,
                                  it->command);
        } else if (kind == IC_BOOT_KIND_HTTP) {
            char why[200];
            if (http_only(layer->fs, it, why, sizeof(why)))
                rc = ic_check_finding(ctx, "comm.plaintext-http", layer->id, it->file,
                                      it->line, "%s serves HTTP only (%s): %s", it->name, why,
                                      it->command);
        }
    }
    ic_boot_list_release(&list);
    return rc;
}

/* ---- which files are read ------------------------------------------------ */

static int ends_with(const char *s, const char *suffix)
{
    size_t sl = strlen(s), xl = strlen(suffix);
    return sl >= xl && strcmp(s + sl - xl, suffix) == 0;
}

static int starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

enum file_kind { FILE_SKIP, FILE_SHELL, FILE_CONFIG, FILE_CRONTAB };

static int is_shell(const uint8_t *d, size_t n)
{
    if (n < 4 || d[0] != '#' || d[1] != '!')
        return 0;
    size_t e = 2;
    while (e < n && e < 100 && d[e] != '\n')
        e++;
    char first[100];
    memcpy(first, d + 2, e - 2);
    first[e - 2] = '\0';
    return strstr(first, "sh") || strstr(first, "busybox") || strstr(first, "rc.common");
}

static int hard_skip(const char *path)
{
    static const char *const skip_dirs[] = {"/usr/share/doc/", "/usr/share/man/",
                                            "/usr/share/info/", "/usr/share/locale/",
                                            "/usr/share/common-licenses/", "/usr/include/",
                                            "/usr/share/zoneinfo/", "/proc/", "/sys/", NULL};
    static const char *const skip_ext[] = {".md", ".txt", ".html", ".htm", ".rst", ".pod",
                                           ".pem", ".crt", ".key", ".gz", ".xz", ".bz2", ".png",
                                           ".jpg", ".gif", ".js", ".css", ".so", ".ko", ".a",
                                           NULL};
    for (size_t i = 0; skip_dirs[i]; i++)
        if (starts_with(path, skip_dirs[i]))
            return 1;
    for (size_t i = 0; skip_ext[i]; i++)
        if (ends_with(path, skip_ext[i]))
            return 1;
    if (strstr(path, ".so."))
        return 1;
    return strstr(path, "/man/") || strstr(path, "/doc/") || strstr(path, "/examples/");
}

/* What a file is by its name alone; FILE_SKIP when only its first line can tell. */
static enum file_kind classify_path(const char *path)
{
    if (ends_with(path, ".sh") || starts_with(path, "/etc/init.d/") ||
        starts_with(path, "/etc/rc.d/") || strcmp(path, "/etc/rc.local") == 0 ||
        starts_with(path, "/etc/hotplug.d/") || starts_with(path, "/etc/uci-defaults/") ||
        starts_with(path, "/etc/profile.d/"))
        return FILE_SHELL;
    if (strcmp(path, "/etc/crontab") == 0 || starts_with(path, "/etc/crontabs/") ||
        starts_with(path, "/etc/cron.d/") || starts_with(path, "/var/spool/cron/"))
        return FILE_CRONTAB;
    if (starts_with(path, "/etc/") || starts_with(path, "/usr/etc/") ||
        starts_with(path, "/usr/local/etc/") || starts_with(path, "/usr/lib/ssl/") ||
        ends_with(path, ".conf") || ends_with(path, ".cnf") || ends_with(path, ".cfg") ||
        ends_with(path, ".ini") || ends_with(path, "rc"))
        return FILE_CONFIG;
    return FILE_SKIP;
}

/* ---- TLS verification in scripts ----------------------------------------- */

struct script_ctx {
    struct ic_check_ctx *ctx;
    const struct ic_layer *layer;
    const char *path;
    int rc;
};

/* Long options that switch verification off whatever the tool. */
static const char *const insecure_long[] = {
    "--no-check-certificate", "--no-verify-ssl", "--no-verify-peer",  "--ssl-no-verify",
    "--no-ssl-verify",        "--skip-tls-verify", "--insecure-skip-tls-verify",
    "--tls-verify=false",     "--tlsverify=false", NULL};

/* curl short options that take an argument (the rest of a cluster is its value). */
static int curl_takes_arg(char c)
{
    return strchr("AbcCdDeEFHKmoPQrTuUwxXyYz", c) != NULL;
}

static const char *insecure_option(const char *tool, const char *arg)
{
    for (size_t i = 0; insecure_long[i]; i++)
        if (strcmp(arg, insecure_long[i]) == 0 ||
            (starts_with(arg, insecure_long[i]) && arg[strlen(insecure_long[i])] == '='))
            return insecure_long[i];
    int curl = strcmp(tool, "curl") == 0;
    if ((curl || starts_with(tool, "mosquitto_") || strcmp(tool, "uclient-fetch") == 0) &&
        (strcmp(arg, "--insecure") == 0 || strcmp(arg, "--proxy-insecure") == 0))
        return arg[2] == 'p' ? "--proxy-insecure" : "--insecure";
    if (curl && arg[0] == '-' && arg[1] && arg[1] != '-') {
        for (const char *p = arg + 1; *p; p++) {
            if (*p == 'k')
                return "-k";
            if (curl_takes_arg(*p))
                break;
        }
    }
    return NULL;
}

static int on_script_command(void *vctx, const struct ic_sh_cmd *cmd)
{
    struct script_ctx *s = vctx;
    size_t i = 0;
    static const char *const wrappers[] = {"exec", "nohup", "busybox", "env", "timeout", "nice",
                                           "setsid", "command", NULL};
    for (int round = 0; round < 4 && i < cmd->argc; round++) {
        const char *b = ic_boot_basename(cmd->argv[i]);
        int wrapper = 0;
        for (size_t k = 0; wrappers[k]; k++)
            wrapper |= strcmp(b, wrappers[k]) == 0;
        if (!wrapper)
            break;
        i++;
        while (i < cmd->argc && (cmd->argv[i][0] == '-' || strchr(cmd->argv[i], '=') ||
                                 (strcmp(b, "timeout") == 0 && isdigit((unsigned char)cmd->argv[i][0]))))
            i++;
    }
    if (i >= cmd->argc)
        return 0;
    const char *tool = ic_boot_basename(cmd->argv[i]);
    for (size_t k = i + 1; k < cmd->argc; k++) {
        if (strcmp(cmd->argv[k], "--") == 0)
            break;
        const char *opt = insecure_option(tool, cmd->argv[k]);
        if (opt) {
            s->rc = ic_check_finding(s->ctx, "comm.tls-verify-disabled", s->layer->id, s->path,
                                     cmd->line, "%s %s disables certificate checks: %s", tool,
                                     opt, cmd->text);
            return s->rc;
        }
    }
    return 0;
}

/* ---- TLS verification and weak TLS in configuration ----------------------- */

static void normalise_key(const char *key, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 1 < cap; i++)
        if (isalnum((unsigned char)key[i]))
            out[o++] = (char)tolower((unsigned char)key[i]);
    out[o] = '\0';
}

static int is_false(const char *v)
{
    static const char *const f[] = {"0", "false", "no", "off", "disable", "disabled", "none",
                                    "never", NULL};
    for (size_t i = 0; f[i]; i++)
        if (strcasecmp(v, f[i]) == 0)
            return 1;
    return 0;
}

static int is_true(const char *v)
{
    static const char *const t[] = {"1", "true", "yes", "on", "enable", "enabled", NULL};
    for (size_t i = 0; t[i]; i++)
        if (strcasecmp(v, t[i]) == 0)
            return 1;
    return 0;
}

/* Keys whose false value switches verification off, and keys whose true value does. */
static const char *const verify_keys[] = {"verifypeer", "sslverifypeer", "sslverify",
                                          "verifyssl", "tlsverify", "sslverifyhost",
                                          "verifyhost", "checkcertificate", "verifycertificate",
                                          "sslcheckcert", "verifyservercert", NULL};
static const char *const insecure_keys[] = {"tlsinsecure", "bridgeinsecure", "sslnoverify",
                                            "skiptlsverify", "insecureskipverify",
                                            "allowinsecure", "sslinsecure", NULL};

static int key_ends_with_any(const char *nk, const char *const *keys)
{
    for (size_t i = 0; keys[i]; i++)
        if (ends_with(nk, keys[i]))
            return 1;
    return 0;
}

/* Protocol versions and cipher-suite words that are weak when enabled. */
static const char *weak_protocol(const char *tok)
{
    static const char *const weak[] = {"sslv2", "sslv3", "tlsv1", "tlsv1.0", "tlsv1.1", "tls1",
                                       "tls1_1", "tls1.0", "tls1.1", NULL};
    for (size_t i = 0; weak[i]; i++)
        if (strcasecmp(tok, weak[i]) == 0)
            return weak[i];
    return NULL;
}

static const char *weak_cipher(const char *tok)
{
    char up[128];
    size_t n = strlen(tok);
    if (n >= sizeof(up))
        n = sizeof(up) - 1;
    for (size_t i = 0; i < n; i++)
        up[i] = (char)toupper((unsigned char)tok[i]);
    up[n] = '\0';
    if (strstr(up, "SECLEVEL=0"))
        return "@SECLEVEL=0";
    if (strstr(up, "RC4"))
        return "RC4";
    if (strstr(up, "NULL"))
        return "NULL";
    if (starts_with(up, "EXP") || strstr(up, "-EXP") || strstr(up, "EXPORT"))
        return "EXPORT";
    if (strstr(up, "DES"))
        return "DES";
    if (strstr(up, "MD5"))
        return "MD5";
    if (strcmp(up, "LOW") == 0)
        return "LOW";
    if (starts_with(up, "ADH") || starts_with(up, "AECDH"))
        return "anonymous key exchange";
    return NULL;
}

/* Splits value into tokens; reports the first enabled weak one. mode 0:
 * protocols, 1: ciphers. */
static const char *first_weak(const char *value, int mode, char *tok_out, size_t cap)
{
    char buf[2048];
    snprintf(buf, sizeof(buf), "%s", value);
    const char *delims = mode == 0 ? ": ,;\"'()=>\t" : ": ,;\"'()>\t";
    for (char *save = NULL, *t = strtok_r(buf, delims, &save); t;
         t = strtok_r(NULL, delims, &save)) {
        if (t[0] == '!' || t[0] == '-')
            continue;
        if (t[0] == '+')
            t++;
        const char *w = mode == 0 ? weak_protocol(t) : weak_cipher(t);
        if (w) {
            snprintf(tok_out, cap, "%s", t);
            return w;
        }
    }
    return NULL;
}

struct config_line {
    char key[128];   /* normalised */
    char rawkey[128];
    char value[1024];
};

/* "key = value", "key: value", "key value", "option key 'value'" (UCI),
 * "'key' => value" (PHP), "\"key\": value" (JSON). 0 when not such a line. */
static int split_line(const char *s, size_t n, struct config_line *out)
{
    size_t i = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    if (i >= n || s[i] == '#' || s[i] == ';' || (s[i] == '/' && i + 1 < n && s[i + 1] == '/'))
        return 0;
    for (int round = 0; round < 2; round++) {
        while (i < n && (s[i] == '"' || s[i] == '\'' || s[i] == '$'))
            i++;
        size_t k = i;
        while (k < n && (isalnum((unsigned char)s[k]) || s[k] == '_' || s[k] == '-' ||
                         s[k] == '.'))
            k++;
        if (k == i)
            return 0;
        size_t kl = k - i < sizeof(out->rawkey) - 1 ? k - i : sizeof(out->rawkey) - 1;
        memcpy(out->rawkey, s + i, kl);
        out->rawkey[kl] = '\0';
        i = k;
        if (round == 0 && (strcmp(out->rawkey, "option") == 0 || strcmp(out->rawkey, "list") == 0 ||
                           strcmp(out->rawkey, "set") == 0)) {
            while (i < n && (s[i] == ' ' || s[i] == '\t'))
                i++;
            continue;
        }
        break;
    }
    normalise_key(out->rawkey, strlen(out->rawkey), out->key, sizeof(out->key));
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '"' || s[i] == '\'' || s[i] == '=' ||
                     s[i] == ':' || s[i] == '>'))
        i++;
    size_t e = n;
    while (e > i && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == ';' || s[e - 1] == ',' ||
                     s[e - 1] == '"' || s[e - 1] == '\''))
        e--;
    size_t vl = e > i ? e - i : 0;
    if (vl >= sizeof(out->value))
        vl = sizeof(out->value) - 1;
    memcpy(out->value, s + i, vl);
    out->value[vl] = '\0';
    return 1;
}

/* The first word of a value (for verify switches). */
static void first_word(const char *v, char *out, size_t cap)
{
    size_t i = 0;
    while (v[i] && (v[i] == '"' || v[i] == '\''))
        i++;
    size_t o = 0;
    while (v[i] && !strchr(" \t\"',;)", v[i]) && o + 1 < cap)
        out[o++] = v[i++];
    out[o] = '\0';
}

static int check_config_line(struct ic_check_ctx *ctx, const struct ic_layer *layer,
                             const char *path, uint64_t line, const char *raw, size_t n,
                             int curlrc)
{
    struct config_line cl;
    if (!split_line(raw, n, &cl))
        return 0;
    char text[300];
    size_t tl = n < sizeof(text) - 1 ? n : sizeof(text) - 1;
    memcpy(text, raw, tl);
    text[tl] = '\0';
    for (size_t i = 0; i < tl; i++)
        if ((unsigned char)text[i] < 0x20)
            text[i] = ' ';
    const char *trim = text;
    while (*trim == ' ')
        trim++;
    char v[128];
    first_word(cl.value, v, sizeof(v));
    /* Verification switched off */
    if ((key_ends_with_any(cl.key, verify_keys) && is_false(v)) ||
        (key_ends_with_any(cl.key, insecure_keys) && is_true(v)) ||
        (curlrc && (strcmp(cl.key, "insecure") == 0 || strcmp(cl.rawkey, "k") == 0) &&
         (!v[0] || is_true(v))))
        return ic_check_finding(ctx, "comm.tls-verify-disabled", layer->id, path, line,
                                "%s switches certificate checks off: %s", cl.rawkey, trim);
    /* Weak protocol versions */
    char tok[128];
    const char *weak = NULL;
    if (strcmp(cl.key, "sslprotocols") == 0 || strcmp(cl.key, "sslprotocol") == 0 ||
        strcmp(cl.key, "sslversion") == 0 || strcmp(cl.key, "tlsversion") == 0 ||
        strcmp(cl.key, "minprotocol") == 0 || strcmp(cl.key, "sslversionmin") == 0)
        weak = first_weak(cl.value, 0, tok, sizeof(tok));
    else if ((strcmp(cl.key, "sslusesslv2") == 0 || strcmp(cl.key, "sslusesslv3") == 0) &&
             is_true(v))
        weak = strcmp(cl.key, "sslusesslv2") == 0 ? "sslv2" : "sslv3";
    if (weak)
        return ic_check_finding(ctx, "comm.weak-tls", layer->id, path, line,
                                "%s enables %s: %s", cl.rawkey, weak, trim);
    /* lighttpd: ssl.openssl.ssl-conf-cmd = ("MinProtocol" => "TLSv1", ...) */
    if (strcmp(cl.key, "sslopensslsslconfcmd") == 0) {
        const char *mp = strstr(cl.value, "MinProtocol");
        const char *cs = strstr(cl.value, "CipherString");
        if (mp && (weak = first_weak(mp + 11, 0, tok, sizeof(tok))) != NULL)
            return ic_check_finding(ctx, "comm.weak-tls", layer->id, path, line,
                                    "MinProtocol allows %s: %s", weak, trim);
        if (cs && (weak = first_weak(cs + 12, 1, tok, sizeof(tok))) != NULL)
            return ic_check_finding(ctx, "comm.weak-tls", layer->id, path, line,
                                    "CipherString enables %s (%s): %s", weak, tok, trim);
    }
    /* Weak cipher suites */
    if (strcmp(cl.key, "sslciphers") == 0 || strcmp(cl.key, "sslciphersuite") == 0 ||
        strcmp(cl.key, "sslcipherlist") == 0 || strcmp(cl.key, "cipherstring") == 0 ||
        strcmp(cl.key, "ciphers") == 0 || strcmp(cl.key, "ciphersuites") == 0 ||
        strcmp(cl.key, "cipherlist") == 0) {
        weak = first_weak(cl.value, 1, tok, sizeof(tok));
        if (weak)
            return ic_check_finding(ctx, "comm.weak-tls", layer->id, path, line,
                                    "%s enables %s (%s): %s", cl.rawkey, weak, tok, trim);
    }
    return 0;
}

static int check_config(struct ic_check_ctx *ctx, const struct ic_layer *layer, const char *path,
                        const uint8_t *d, size_t n)
{
    int curlrc = ends_with(path, "curlrc");
    uint64_t line = 0;
    size_t pos = 0;
    while (pos < n) {
        size_t a = pos, b = pos;
        while (b < n && d[b] != '\n')
            b++;
        pos = b < n ? b + 1 : b;
        line++;
        size_t len = b - a;
        if (len > 4096)
            len = 4096;
        int rc = check_config_line(ctx, layer, path, line, (const char *)d + a, len, curlrc);
        if (rc)
            return rc;
    }
    return 0;
}

/* A crontab line: the command after the schedule (5 fields, or 6 with a user
 * in /etc/crontab and /etc/cron.d). */
static int check_crontab(struct script_ctx *s, const uint8_t *d, size_t n, int with_user)
{
    uint64_t line = 0;
    size_t pos = 0;
    while (pos < n && s->rc == 0) {
        size_t a = pos, b = pos;
        while (b < n && d[b] != '\n')
            b++;
        pos = b < n ? b + 1 : b;
        line++;
        size_t i = a;
        while (i < b && (d[i] == ' ' || d[i] == '\t'))
            i++;
        if (i >= b || d[i] == '#')
            continue;
        int fields = d[i] == '@' ? 1 : 5;
        fields += with_user;
        for (int f = 0; f < fields && i < b; f++) {
            while (i < b && d[i] != ' ' && d[i] != '\t')
                i++;
            while (i < b && (d[i] == ' ' || d[i] == '\t'))
                i++;
        }
        if (i < b) {
            int rc = ic_sh_scan(d + i, b - i, line, on_script_command, s);
            if (rc && !s->rc)
                s->rc = rc;
        }
    }
    return s->rc;
}

static int check_files(struct ic_check_ctx *ctx, const struct ic_layer *layer)
{
    size_t count = ic_fs_count(layer->fs);
    for (size_t i = 0; i < count; i++) {
        const struct ic_entry *e = ic_fs_entry(layer->fs, i);
        if (e->type != IC_FT_FILE || !e->content || ic_blob_size(e->content) > MAX_TEXT_FILE)
            continue;
        if (hard_skip(e->path))
            continue;
        enum file_kind kind = classify_path(e->path);
        if (kind == FILE_SKIP) {
            char head[2];
            if (ic_blob_read(e->content, 0, head, 2) != 2 || head[0] != '#' || head[1] != '!')
                continue;
        }
        int err = 0;
        const uint8_t *d = ic_blob_data(e->content, &err);
        size_t n = (size_t)ic_blob_size(e->content);
        if (!d || n == 0 || memchr(d, '\0', n < 4096 ? n : 4096))
            continue; /* binary */
        if (is_shell(d, n))
            kind = FILE_SHELL;
        else if (kind == FILE_SKIP)
            continue;
        int rc = 0;
        struct script_ctx s = {ctx, layer, e->path, 0};
        if (kind == FILE_SHELL) {
            rc = ic_sh_scan(d, n, 1, on_script_command, &s);
            if (!rc)
                rc = s.rc;
        } else if (kind == FILE_CRONTAB) {
            rc = check_crontab(&s, d, n,
                               strcmp(e->path, "/etc/crontab") == 0 ||
                                   starts_with(e->path, "/etc/cron.d/"));
        } else if (kind == FILE_CONFIG) {
            rc = check_config(ctx, layer, e->path, d, n);
        }
        if (rc)
            return rc;
    }
    return 0;
}

static int run_communication(struct ic_check_ctx *ctx)
{
    for (size_t i = 0; i < ctx->unpack->layer_count; i++) {
        const struct ic_layer *layer = &ctx->unpack->layers[i];
        if (!layer->fs)
            continue;
        int rc = check_services(ctx, layer);
        if (!rc)
            rc = check_files(ctx, layer);
        if (rc)
            return rc;
    }
    return 0;
}

const struct ic_check ic_check_communication = {
    .name = "communication",
    .description = "plaintext services at boot, TLS verification switched off, weak TLS "
                   "settings",
    .rules = &ic_rule_set_communication,
    .coverage = comm_coverage,
    .coverage_count = sizeof(comm_coverage) / sizeof(comm_coverage[0]),
    .run = run_communication,
};
