/* Evidence for the guidelines a firmware image cannot settle on its own
 * (CoP-8 personal data, CoP-9 resilience, CoP-10 telemetry, CoP-11 deletion).
 * Everything here is an info finding: endpoints named in configuration files
 * and scripts (plaintext ones marked), the logging set-up and remote log
 * targets, and the factory-reset mechanism. 5.11-1 is recorded as
 * unverified with what was found: a reset script does not prove that it
 * erases user data. */
#include "checks/boot/boot.h"
#include "checks/check.h"
#include "checks/updates/scan.h"
#include "iotcop/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const p_data[] = {"5.8-1", "5.8-2", NULL};
static const char *const p_outage[] = {"5.9-1", "5.9-2", NULL};
static const char *const p_telemetry[] = {"5.10-1", NULL};
static const char *const p_erase[] = {"5.11-1", NULL};

static const struct ic_rule evidence_rules[] = {
    {
        .id = "data.endpoint",
        .title = "Network endpoint named in the firmware",
        .severity = IC_SEVERITY_INFO,
        .guideline = "CoP-8",
        .provisions = p_data,
        .rationale = "Evidence: a service the device may send data to. Which data goes there "
                     "and how it is protected needs the vendor's documentation.",
        .fix = "Nothing to fix; document which personal data each service receives.",
    },
    {
        .id = "data.plaintext-endpoint",
        .title = "Plaintext endpoint (http://, mqtt://, ftp://...) named in the firmware",
        .severity = IC_SEVERITY_INFO,
        .guideline = "CoP-8",
        .provisions = p_data,
        .rationale = "Evidence: a service reached without encryption. Personal data sent there "
                     "can be read on the way; whether any is sent cannot be seen from the image.",
        .fix = "Use the TLS form of the protocol (https://, mqtts://) for anything that may "
               "carry personal data.",
    },
    {
        .id = "resilience.cloud-dependency",
        .title = "Internet services the device depends on",
        .severity = IC_SEVERITY_INFO,
        .guideline = "CoP-9",
        .provisions = p_outage,
        .rationale = "Evidence: the hosts on the Internet named in the image. Whether the "
                     "device keeps working locally when they are unreachable needs testing or "
                     "documents.",
        .fix = "Nothing to fix; make sure local functions keep working when these services "
               "are unreachable.",
    },
    {
        .id = "telemetry.logging",
        .title = "Logging configuration",
        .severity = IC_SEVERITY_INFO,
        .guideline = "CoP-10",
        .provisions = p_telemetry,
        .rationale = "Evidence: how the device records events. Whether telemetry is examined "
                     "for security anomalies is a matter for the vendor's processes.",
        .fix = "Nothing to fix; keep security-relevant events and examine them.",
    },
    {
        .id = "telemetry.remote-log",
        .title = "Logs sent to a remote host",
        .severity = IC_SEVERITY_INFO,
        .guideline = "CoP-10",
        .provisions = p_telemetry,
        .rationale = "Evidence: logs leave the device for a collector. Plain syslog over UDP "
                     "or TCP is neither confidential nor authenticated.",
        .fix = "Send logs over TLS (RFC 5425) and document what they contain.",
    },
    {
        .id = "deletion.factory-reset",
        .title = "Factory-reset mechanism",
        .severity = IC_SEVERITY_INFO,
        .guideline = "CoP-11",
        .provisions = p_erase,
        .rationale = "Evidence: the image has a way to return to factory state. Whether it "
                     "erases all user data (and how a user reaches it) needs testing or "
                     "documents.",
        .fix = "Nothing to fix; make sure the reset erases every user data partition and "
               "tell users how to run it.",
    },
    {
        .id = "deletion.no-factory-reset",
        .title = "No factory-reset mechanism found",
        .severity = IC_SEVERITY_INFO,
        .guideline = "CoP-11",
        .provisions = p_erase,
        .rationale = "No reset script, reset button handler or OpenWrt firstboot/jffs2reset "
                     "was found. The device may still offer one through its boot loader, "
                     "hardware or an app.",
        .fix = "Provide a simple way to erase user data (a reset button or menu entry that "
               "wipes the data partition).",
    },
};

const struct ic_rule_set ic_rule_set_evidence = {
    .family = "evidence",
    .rules = evidence_rules,
    .count = sizeof(evidence_rules) / sizeof(evidence_rules[0]),
};

#define MAX_TEXT (512u << 10)
#define MAX_HOSTS 64
#define MAX_ENDPOINT_FINDINGS 500

struct ev_state {
    struct ic_check_ctx *ctx;
    const struct ic_layer *layer;
    const char *path;
    char hosts[MAX_HOSTS][IC_SCAN_MAX_HOST];
    size_t host_count, more_hosts;
    size_t findings;
    char plain[400];
    int rc;
};

static int has_prefix(const char *s, const char *p)
{
    return strncmp(s, p, strlen(p)) == 0;
}

static int has_suffix(const char *s, const char *p)
{
    size_t n = strlen(s), m = strlen(p);
    return n >= m && strcmp(s + n - m, p) == 0;
}

static void note_host(struct ev_state *s, const char *host)
{
    for (size_t i = 0; i < s->host_count; i++)
        if (strcmp(s->hosts[i], host) == 0)
            return;
    if (s->host_count < MAX_HOSTS)
        snprintf(s->hosts[s->host_count++], IC_SCAN_MAX_HOST, "%s", host);
    else
        s->more_hosts++;
}

static int on_url(void *arg, const struct ic_scan_url *u)
{
    struct ev_state *s = arg;
    if (ic_scan_host_is_local(u->host))
        return 0;
    note_host(s, u->host);
    if (s->findings >= MAX_ENDPOINT_FINDINGS)
        return 0;
    s->findings++;
    if (u->plaintext && !s->plain[0])
        snprintf(s->plain, sizeof(s->plain), "%.300s at %.80s", u->url, s->path);
    return ic_check_finding(s->ctx, u->plaintext ? "data.plaintext-endpoint" : "data.endpoint",
                            s->layer->id, s->path, u->line, "%s endpoint %s (host %s)%s",
                            u->scheme, u->url, u->host,
                            u->plaintext ? ": not encrypted" : "");
}

/* Configuration files, scripts and web content: where endpoints are set. */
static int endpoint_file(const struct ic_entry *e)
{
    if (e->type != IC_FT_FILE || !e->content || e->size == 0 || e->size > MAX_TEXT)
        return 0;
    static const char *const skip[] = {"/usr/share/doc/", "/usr/share/man/", "/usr/share/info/",
                                       "/usr/share/locale/", "/usr/share/zoneinfo/",
                                       "/usr/share/common-licenses/", "/usr/share/mime/",
                                       "/etc/ssl/", "/usr/share/ca-certificates/", NULL};
    for (size_t i = 0; skip[i]; i++)
        if (has_prefix(e->path, skip[i]))
            return 0;
    return has_prefix(e->path, "/etc/") || has_prefix(e->path, "/usr/share/") ||
           has_prefix(e->path, "/www/") || has_prefix(e->path, "/var/www/") ||
           has_prefix(e->path, "/opt/") || has_prefix(e->path, "/usr/lib/lua/");
}

static int scan_endpoints(struct ev_state *s)
{
    const struct ic_fs *fs = s->layer->fs;
    size_t n = ic_fs_count(fs);
    for (size_t i = 0; i < n; i++) {
        const struct ic_entry *e = ic_fs_entry(fs, i);
        if (!endpoint_file(e))
            continue;
        int err = 0;
        const uint8_t *d = ic_blob_data(e->content, &err);
        size_t len = (size_t)ic_blob_size(e->content);
        /* Text only: binary blobs (images, certificates in DER) are skipped. */
        if (!d || memchr(d, '\0', len < 4096 ? len : 4096))
            continue;
        s->path = e->path;
        int rc = ic_scan_urls(d, len, on_url, s);
        if (rc)
            return rc;
    }
    if (s->host_count) {
        char list[1200] = "";
        size_t o = 0;
        for (size_t i = 0; i < s->host_count && o < sizeof(list); i++) {
            int w = snprintf(list + o, sizeof(list) - o, "%s%s", i ? ", " : "", s->hosts[i]);
            if (w < 0)
                break;
            o += (size_t)w;
        }
        int rc = ic_check_finding(s->ctx, "resilience.cloud-dependency", s->layer->id, NULL, 0,
                                  "%zu Internet host%s named in configuration files and scripts: "
                                  "%s%s",
                                  s->host_count + s->more_hosts,
                                  s->host_count + s->more_hosts == 1 ? "" : "s", list,
                                  s->more_hosts ? " and more" : "");
        if (rc)
            return rc;
        char ev[700];
        snprintf(ev, sizeof(ev), "%s%s", s->plain[0] ? "plaintext endpoint " : "",
                 s->plain[0] ? s->plain : "endpoints use TLS schemes only");
        rc = ic_report_set_provision(s->ctx->report, "5.8-1", IC_STATUS_UNVERIFIED, ev);
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- logging ------------------------------------------------------------- */

struct log_state {
    struct ic_check_ctx *ctx;
    const struct ic_layer *layer;
    const char *path;
    unsigned count;
};

static int on_log_target(void *arg, const struct ic_scan_logtarget *t)
{
    struct log_state *s = arg;
    s->count++;
    return ic_check_finding(s->ctx, "telemetry.remote-log", s->layer->id, s->path, t->line,
                            "logs sent to %s%s%s%s", t->host, t->transport[0] ? " over " : "",
                            t->transport,
                            strcmp(t->transport, "tls") == 0 ? "" : " (not encrypted)");
}

static int scan_logging(struct ic_check_ctx *ctx, const struct ic_layer *layer, char *summary,
                        size_t cap)
{
    const struct ic_fs *fs = layer->fs;
    int rc = 0;
    struct ic_boot_list list = {0};
    if (ic_boot_collect(fs, &list) == IC_OK) {
        for (size_t i = 0; i < list.count && !rc; i++) {
            const struct ic_boot_item *it = &list.items[i];
            static const char *const loggers[] = {"syslogd", "klogd", "logd", "rsyslogd",
                                                  "syslog-ng", "systemd-journald", "metalog",
                                                  NULL};
            int is_logger = 0;
            for (size_t k = 0; loggers[k]; k++)
                is_logger |= strcmp(it->name, loggers[k]) == 0;
            if (!is_logger || !(it->flags & IC_BOOT_ENABLED))
                continue;
            rc = ic_check_finding(ctx, "telemetry.logging", layer->id, it->file, it->line,
                                  "%s started at boot (%s)", it->name, it->command);
            if (!rc && !summary[0])
                snprintf(summary, cap, "%s started from %s", it->name, it->file);
            /* BusyBox syslogd -R HOST[:PORT] sends to a remote host over UDP. */
            const char *r = strstr(it->command, " -R ");
            if (!rc && r) {
                char host[IC_SCAN_MAX_HOST];
                if (sscanf(r + 4, "%255s", host) == 1)
                    rc = ic_check_finding(ctx, "telemetry.remote-log", layer->id, it->file,
                                          it->line, "logs sent to %s over udp (not encrypted)",
                                          host);
            }
        }
    }
    ic_boot_list_release(&list);
    if (rc)
        return rc;
    size_t n = ic_fs_count(fs);
    for (size_t i = 0; i < n && !rc; i++) {
        const struct ic_entry *e = ic_fs_entry(fs, i);
        if (e->type != IC_FT_FILE)
            continue;
        int conf = strcmp(e->path, "/etc/syslog.conf") == 0 ||
                   strcmp(e->path, "/etc/rsyslog.conf") == 0 ||
                   (has_prefix(e->path, "/etc/rsyslog.d/") && has_suffix(e->path, ".conf")) ||
                   has_prefix(e->path, "/etc/syslog-ng/") ||
                   strcmp(e->path, "/etc/systemd/journald.conf") == 0 ||
                   strcmp(e->path, "/etc/config/system") == 0;
        if (!conf)
            continue;
        size_t len = 0;
        const uint8_t *d = ic_boot_file_data(fs, e->path, MAX_TEXT, &len, NULL);
        if (!d)
            continue;
        rc = ic_check_finding(ctx, "telemetry.logging", layer->id, e->path, 0,
                              "logging configuration %s", e->path);
        if (!rc && !summary[0])
            snprintf(summary, cap, "logging configured in %s", e->path);
        struct log_state ls = {ctx, layer, e->path, 0};
        if (!rc)
            rc = ic_scan_syslog_remote(d, len, on_log_target, &ls);
    }
    return rc;
}

/* ---- factory reset ------------------------------------------------------- */

static int contains_ci(const uint8_t *d, size_t n, const char *needle)
{
    size_t m = strlen(needle);
    for (size_t i = 0; i + m <= n; i++) {
        size_t k = 0;
        while (k < m) {
            int c = d[i + k];
            if (c >= 'A' && c <= 'Z')
                c += 32;
            if (c != needle[k])
                break;
            k++;
        }
        if (k == m)
            return 1;
    }
    return 0;
}

static int scan_reset(struct ic_check_ctx *ctx, const struct ic_layer *layer, char *summary,
                      size_t cap)
{
    const struct ic_fs *fs = layer->fs;
    unsigned found = 0;
    int rc = 0;
    static const struct {
        const char *path;
        const char *what;
    } known[] = {
        {"/sbin/firstboot", "OpenWrt firstboot (wipes the overlay)"},
        {"/sbin/jffs2reset", "OpenWrt jffs2reset (wipes the overlay)"},
        {"/usr/sbin/jffs2reset", "jffs2reset (wipes the overlay)"},
        {"/etc/rc.button/reset", "reset button handler"},
    };
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]) && !rc; i++) {
        if (!ic_fs_lookup(fs, known[i].path))
            continue;
        found++;
        rc = ic_check_finding(ctx, "deletion.factory-reset", layer->id, known[i].path, 0, "%s",
                              known[i].what);
        if (!rc && !summary[0])
            snprintf(summary, cap, "%s at %s", known[i].what, known[i].path);
    }
    size_t n = ic_fs_count(fs);
    for (size_t i = 0; i < n && !rc; i++) {
        const struct ic_entry *e = ic_fs_entry(fs, i);
        if (e->type != IC_FT_FILE || !e->content || e->size > MAX_TEXT)
            continue;
        int button = has_prefix(e->path, "/etc/hotplug.d/button/");
        const char *base = ic_boot_basename(e->path);
        int named = strstr(base, "factory") != NULL || strstr(base, "reset_default") != NULL ||
                    strstr(base, "restore_default") != NULL;
        int script_dir = has_prefix(e->path, "/etc/") || has_prefix(e->path, "/sbin/") ||
                         has_prefix(e->path, "/usr/sbin/") || has_prefix(e->path, "/usr/bin/") ||
                         has_prefix(e->path, "/bin/") || has_prefix(e->path, "/www/") ||
                         has_prefix(e->path, "/lib/");
        int listed = 0;
        for (size_t k = 0; k < sizeof(known) / sizeof(known[0]); k++)
            listed |= strcmp(e->path, known[k].path) == 0;
        if (!script_dir || listed)
            continue;
        int err = 0;
        const uint8_t *d = ic_blob_data(e->content, &err);
        size_t len = (size_t)ic_blob_size(e->content);
        if (!d || len < 2 || memchr(d, '\0', len < 4096 ? len : 4096))
            continue; /* scripts and configuration only */
        int says = contains_ci(d, len, "factory reset") || contains_ci(d, len, "factory_reset") ||
                   contains_ci(d, len, "factoryreset") || contains_ci(d, len, "factory-reset") ||
                   contains_ci(d, len, "jffs2reset") || contains_ci(d, len, "firstboot -y");
        if (!named && !(says && (button || (d[0] == '#' && d[1] == '!'))))
            continue;
        found++;
        rc = ic_check_finding(ctx, "deletion.factory-reset", layer->id, e->path, 0, "%s%s",
                              button ? "button handler" : "script",
                              says ? " that performs a factory reset" : " named for a reset");
        if (!rc && !summary[0])
            snprintf(summary, cap, "%s at %s", button ? "button handler" : "reset script",
                     e->path);
    }
    (void)found;
    return rc;
}

static int run_evidence(struct ic_check_ctx *ctx)
{
    char logs[400] = "", reset[400] = "";
    size_t trees = 0;
    const struct ic_layer *biggest = NULL;
    struct ev_state *s = malloc(sizeof(*s));
    if (!s)
        return IC_E_NOMEM;
    int rc = 0;
    for (size_t i = 0; i < ctx->unpack->layer_count && !rc; i++) {
        const struct ic_layer *layer = &ctx->unpack->layers[i];
        if (!layer->fs)
            continue;
        trees++;
        if (!biggest || ic_fs_count(layer->fs) > ic_fs_count(biggest->fs))
            biggest = layer;
        memset(s, 0, sizeof(*s));
        s->ctx = ctx;
        s->layer = layer;
        rc = scan_endpoints(s);
        if (!rc)
            rc = scan_logging(ctx, layer, logs, sizeof(logs));
        if (!rc)
            rc = scan_reset(ctx, layer, reset, sizeof(reset));
    }
    free(s);
    if (rc || !trees)
        return rc;
    if (logs[0])
        rc = ic_report_set_provision(ctx->report, "5.10-1", IC_STATUS_UNVERIFIED, logs);
    if (!rc && reset[0]) {
        char ev[600];
        snprintf(ev, sizeof(ev), "factory reset: %s; whether it erases all user data is not "
                 "shown by the image", reset);
        rc = ic_report_set_provision(ctx->report, "5.11-1", IC_STATUS_UNVERIFIED, ev);
    } else if (!rc) {
        rc = ic_check_finding(ctx, "deletion.no-factory-reset", biggest->id, "/", 0,
                              "no firstboot/jffs2reset, reset button handler or factory-reset "
                              "script in %zu file system%s", trees, trees == 1 ? "" : "s");
        if (!rc)
            rc = ic_report_set_provision(ctx->report, "5.11-1", IC_STATUS_UNVERIFIED,
                                         "no factory-reset mechanism found in the image; the "
                                         "device may offer one through hardware or an app");
    }
    return rc;
}

const struct ic_check ic_check_evidence = {
    .name = "evidence",
    .description = "evidence only: endpoints (plaintext marked), logging, factory reset",
    .rules = &ic_rule_set_evidence,
    .coverage = NULL,
    .coverage_count = 0,
    .run = run_evidence,
};
