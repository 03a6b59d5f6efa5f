/* Vulnerability disclosure (CoP-2, EN 303 645 5.2-1): a security.txt
 * (RFC 9116) served by the device's web server. The web roots come from the
 * web servers' configuration (lighttpd, nginx, uhttpd, boa, Apache,
 * mini_httpd/thttpd, BusyBox httpd -h) and the usual places (/www,
 * /var/www, /usr/share/www...). A valid file records 5.2-1 as passed with
 * its evidence; a missing, expired or malformed one is a finding. An image
 * without a web server cannot show a policy: nothing is recorded and 5.2-1
 * is left to documents. */
#include "checks/boot/boot.h"
#include "checks/boot/securitytxt.h"
#include "checks/check.h"
#include "iotcop/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const policy[] = {"5.2-1", NULL};

static const struct ic_rule disclosure_rules[] = {
    {
        .id = "disclosure.security-txt-missing",
        .title = "Web server without a security.txt (RFC 9116)",
        .severity = IC_SEVERITY_LOW,
        .guideline = "CoP-2",
        .provisions = policy,
        .rationale = "security.txt tells whoever finds a vulnerability in the device where to "
                     "report it. A device that serves web pages but no /.well-known/security.txt "
                     "gives a researcher no contact; the policy may still be published elsewhere, "
                     "which documents have to show.",
        .fix = "Serve /.well-known/security.txt with at least one Contact and an Expires less "
               "than a year ahead, pointing to the published vulnerability disclosure policy "
               "(Policy:).",
    },
    {
        .id = "disclosure.security-txt-expired",
        .title = "security.txt has expired",
        .severity = IC_SEVERITY_MEDIUM,
        .guideline = "CoP-2",
        .provisions = policy,
        .rationale = "RFC 9116 says an expired security.txt must not be used: its contact "
                     "details are stale, and reporters are told to ignore it.",
        .fix = "Update Expires (less than a year ahead) with every release, and check the "
               "contact details while doing so.",
    },
    {
        .id = "disclosure.security-txt-invalid",
        .title = "security.txt does not follow RFC 9116",
        .severity = IC_SEVERITY_LOW,
        .guideline = "CoP-2",
        .provisions = policy,
        .rationale = "A security.txt without a Contact, without exactly one valid Expires, or "
                     "with lines that are not fields cannot be relied on by reporters and tools.",
        .fix = "Give at least one Contact (mailto:, https:// or tel: URI) and exactly one "
               "Expires in RFC 3339 form (2025-12-31T23:59:59Z); check it with a validator.",
    },
};

const struct ic_rule_set ic_rule_set_disclosure = {
    .family = "disclosure",
    .rules = disclosure_rules,
    .count = sizeof(disclosure_rules) / sizeof(disclosure_rules[0]),
};

static const struct ic_coverage disclosure_coverage[] = {
    {"5.2-1", 0, 1},
};

#define MAX_ROOTS 32
#define MAX_CONFIG (256u << 10)

struct roots {
    char *path[MAX_ROOTS];      /* as configured */
    char *resolved[MAX_ROOTS];  /* through links in the tree */
    size_t count;
    char server[64];            /* a web server that was found, or "" */
    char server_where[256];     /* where it was found */
};

static void roots_release(struct roots *r)
{
    for (size_t i = 0; i < r->count; i++) {
        free(r->path[i]);
        free(r->resolved[i]);
    }
}

static void add_root(const struct ic_fs *fs, struct roots *r, const char *path)
{
    if (r->count >= MAX_ROOTS || path[0] != '/')
        return;
    const struct ic_entry *e = NULL;
    if (ic_fs_resolve(fs, path, &e) != IC_OK || !e || e->type != IC_FT_DIR)
        return;
    for (size_t i = 0; i < r->count; i++)
        if (strcmp(r->resolved[i], e->path) == 0)
            return;
    char *p = strdup(path), *q = strdup(e->path);
    if (!p || !q) {
        free(p);
        free(q);
        return;
    }
    r->path[r->count] = p;
    r->resolved[r->count] = q;
    r->count++;
}

static void found_server(struct roots *r, const char *name, const char *where)
{
    if (!r->server[0]) {
        snprintf(r->server, sizeof(r->server), "%s", name);
        snprintf(r->server_where, sizeof(r->server_where), "%s", where);
    }
}

/* Finds `key` at the start of a line (after blanks) and copies the value
 * after it (=, :, blanks and quotes skipped, up to a quote, ';' or the end of
 * the line). Calls add_root for each occurrence. */
static int roots_from_config(const struct ic_fs *fs, struct roots *r, const char *file,
                             const char *key, int need_sep)
{
    size_t n = 0;
    const uint8_t *d = ic_boot_file_data(fs, file, MAX_CONFIG, &n, NULL);
    if (!d)
        return 0;
    size_t kl = strlen(key);
    size_t pos = 0;
    int any = 0;
    while (pos < n) {
        size_t a = pos, b = pos;
        while (b < n && d[b] != '\n')
            b++;
        pos = b < n ? b + 1 : b;
        while (a < b && (d[a] == ' ' || d[a] == '\t'))
            a++;
        if (b - a <= kl || memcmp(d + a, key, kl) != 0)
            continue;
        size_t i = a + kl;
        int sep = 0;
        while (i < b && (d[i] == ' ' || d[i] == '\t' || d[i] == '=' || d[i] == ':' ||
                         d[i] == '"' || d[i] == '\'')) {
            sep |= d[i] == '=' || d[i] == ' ' || d[i] == '\t';
            i++;
        }
        if (need_sep && !sep)
            continue;
        size_t e = i;
        while (e < b && d[e] != '"' && d[e] != '\'' && d[e] != ';' && d[e] != ' ' &&
               d[e] != '\t' && d[e] != '\r')
            e++;
        if (e == i || e - i >= 512)
            continue;
        char path[512];
        memcpy(path, d + i, e - i);
        path[e - i] = '\0';
        add_root(fs, r, path);
        any = 1;
    }
    return any;
}

static void find_roots(const struct ic_fs *fs, struct roots *r)
{
    /* Servers started at boot, and their command-line roots. */
    struct ic_boot_list list = {0};
    if (ic_boot_collect(fs, &list) == IC_OK) {
        for (size_t i = 0; i < list.count; i++) {
            const struct ic_boot_item *it = &list.items[i];
            if (!(it->flags & IC_BOOT_ENABLED) || ic_boot_classify(it) != IC_BOOT_KIND_HTTP)
                continue;
            char where[256];
            snprintf(where, sizeof(where), "started at boot from %s line %llu", it->file,
                     (unsigned long long)it->line);
            found_server(r, it->name, where);
            const char *h = strstr(it->command, " -h ");
            if (h) { /* BusyBox httpd, uhttpd: -h DIR */
                char dir[512];
                if (sscanf(h + 4, "%511s", dir) == 1)
                    add_root(fs, r, dir);
            }
        }
    }
    ic_boot_list_release(&list);
    /* Configuration files of known servers. */
    static const struct {
        const char *server;
        const char *file;
        const char *key;
        int need_sep;
    } configs[] = {
        {"lighttpd", "/etc/lighttpd/lighttpd.conf", "server.document-root", 0},
        {"uhttpd", "/etc/config/uhttpd", "option home", 1},
        {"nginx", "/etc/nginx/nginx.conf", "root", 1},
        {"nginx", "/etc/nginx/sites-enabled/default", "root", 1},
        {"nginx", "/etc/nginx/conf.d/default.conf", "root", 1},
        {"boa", "/etc/boa/boa.conf", "DocumentRoot", 1},
        {"boa", "/etc/boa.conf", "DocumentRoot", 1},
        {"apache", "/etc/apache2/sites-enabled/000-default.conf", "DocumentRoot", 1},
        {"apache", "/etc/httpd/conf/httpd.conf", "DocumentRoot", 1},
        {"mini_httpd", "/etc/mini_httpd.conf", "dir", 0},
        {"thttpd", "/etc/thttpd.conf", "dir", 0},
        {"goahead", "/etc/goahead/route.txt", "dir", 0},
    };
    for (size_t i = 0; i < sizeof(configs) / sizeof(configs[0]); i++) {
        if (!ic_fs_lookup(fs, configs[i].file))
            continue;
        found_server(r, configs[i].server, configs[i].file);
        roots_from_config(fs, r, configs[i].file, configs[i].key, configs[i].need_sep);
    }
    static const char *const usual[] = {"/www",      "/var/www", "/var/www/html",
                                        "/usr/share/www", "/srv/www", "/htdocs",
                                        "/home/httpd", "/web", "/webroot", NULL};
    for (size_t i = 0; usual[i]; i++)
        add_root(fs, r, usual[i]);
}

static void join(char *dst, size_t cap, const char *a, const char *b)
{
    snprintf(dst, cap, "%s%s", strcmp(a, "/") == 0 ? "" : a, b);
}

static int check_file(struct ic_check_ctx *ctx, const struct ic_layer *layer, const char *path,
                      int64_t now, int *valid)
{
    size_t n = 0;
    const char *rp = NULL;
    const uint8_t *d = ic_boot_file_data(layer->fs, path, IC_SECTXT_MAX_BYTES + 1, &n, &rp);
    if (!d && n == 0) {
        const struct ic_entry *e = NULL;
        if (ic_fs_resolve(layer->fs, path, &e) != IC_OK || !e || e->type != IC_FT_FILE)
            return 0;
        d = (const uint8_t *)"";
        rp = e->path;
    }
    struct ic_sectxt *t = malloc(sizeof(*t));
    if (!t)
        return IC_E_NOMEM;
    ic_sectxt_parse(d, n, t);
    int rc = 0;
    if (t->error_count) {
        char msg[1200];
        size_t o = 0;
        for (size_t i = 0; i < t->error_count && i < IC_SECTXT_MAX_ERRORS && o < sizeof(msg); i++) {
            int w = i == 0 ? snprintf(msg + o, sizeof(msg) - o, "%s", t->errors[i].message)
                           : t->errors[i].line
                               ? snprintf(msg + o, sizeof(msg) - o, "; line %llu: %s",
                                          (unsigned long long)t->errors[i].line,
                                          t->errors[i].message)
                               : snprintf(msg + o, sizeof(msg) - o, "; %s", t->errors[i].message);
            if (w < 0)
                break;
            o += (size_t)w;
        }
        if (t->error_count > IC_SECTXT_MAX_ERRORS && o < sizeof(msg))
            snprintf(msg + o, sizeof(msg) - o, "; and %zu more",
                     t->error_count - IC_SECTXT_MAX_ERRORS);
        rc = ic_check_finding(ctx, "disclosure.security-txt-invalid", layer->id, path,
                              t->errors[0].line, "%s", msg);
    }
    if (!rc && ic_sectxt_expired(t, now)) {
        char when[32];
        time_t tt = (time_t)now;
        struct tm tm;
        gmtime_r(&tt, &tm);
        strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
        rc = ic_check_finding(ctx, "disclosure.security-txt-expired", layer->id, path,
                              t->expires_line, "Expires: %s is before the time of the audit (%s)",
                              t->expires_text, when);
    } else if (!rc && t->error_count == 0) {
        char evidence[1400];
        snprintf(evidence, sizeof(evidence),
                 "security.txt valid at %s (layer %s): Contact %s%s, Expires %s", path, layer->id,
                 t->contact, t->contact_count > 1 ? " and more" : "", t->expires_text);
        rc = ic_report_set_provision(ctx->report, "5.2-1", IC_STATUS_PASS, evidence);
        *valid = 1;
    }
    (void)rp;
    free(t);
    return rc;
}

static int check_layer(struct ic_check_ctx *ctx, const struct ic_layer *layer, int64_t now)
{
    struct roots r;
    memset(&r, 0, sizeof(r));
    find_roots(layer->fs, &r);
    int rc = 0, any_file = 0, valid = 0;
    char searched[1024] = "";
    size_t so = 0;
    for (size_t i = 0; i < r.count && !rc; i++) {
        static const char *const names[] = {"/.well-known/security.txt", "/security.txt", NULL};
        for (size_t k = 0; names[k] && !rc; k++) {
            char p[600];
            join(p, sizeof(p), r.resolved[i], names[k]);
            const struct ic_entry *e = NULL;
            if (ic_fs_resolve(layer->fs, p, &e) != IC_OK || !e || e->type != IC_FT_FILE)
                continue;
            any_file = 1;
            rc = check_file(ctx, layer, p, now, &valid);
        }
        if (so < sizeof(searched)) {
            int w = snprintf(searched + so, sizeof(searched) - so, "%s%s", i ? ", " : "",
                             r.path[i]);
            if (w > 0)
                so += (size_t)w;
        }
    }
    if (!rc && !any_file && r.server[0]) {
        const char *where = r.count ? r.path[0] : (strncmp(r.server_where, "/", 1) == 0
                                                       ? r.server_where
                                                       : NULL);
        rc = ic_check_finding(ctx, "disclosure.security-txt-missing", layer->id, where, 0,
                              "web server %s (%s); no /.well-known/security.txt or /security.txt "
                              "in its web root%s%s",
                              r.server, r.server_where, r.count ? "s " : " (none found)",
                              r.count ? searched : "");
    }
    roots_release(&r);
    return rc;
}

static int run_disclosure(struct ic_check_ctx *ctx)
{
    int64_t now = ctx->report->run.started > 0 ? ctx->report->run.started : (int64_t)time(NULL);
    for (size_t i = 0; i < ctx->unpack->layer_count; i++) {
        const struct ic_layer *layer = &ctx->unpack->layers[i];
        if (!layer->fs)
            continue;
        int rc = check_layer(ctx, layer, now);
        if (rc)
            return rc;
    }
    return 0;
}

const struct ic_check ic_check_disclosure = {
    .name = "disclosure",
    .description = "security.txt (RFC 9116) in the web roots: present, valid, not expired",
    .rules = &ic_rule_set_disclosure,
    .coverage = disclosure_coverage,
    .coverage_count = sizeof(disclosure_coverage) / sizeof(disclosure_coverage[0]),
    .run = run_disclosure,
};
