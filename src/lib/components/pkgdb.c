/* Installed-package databases: the dpkg status file (/var/lib/dpkg/status)
 * and the opkg status files (/usr/lib/opkg/status, /var/lib/opkg/status);
 * rpm's rpmdb.sqlite is read by rpmdb.c and reported here.
 * Both are RFC 822-style stanzas separated by blank lines: "Package:",
 * "Version:", "Architecture:", "Status:", "Source:"; continuation lines
 * start with a blank. Every length is bounded; values longer than
 * FIELD_MAX are cut. */
#include "components/internal.h"
#include "components/table.h"
#include "iotcop/error.h"

#include <stdio.h>
#include <string.h>

#define FIELD_MAX 256

struct stanza {
    char package[FIELD_MAX];
    char version[FIELD_MAX];
    char architecture[FIELD_MAX];
    char status[FIELD_MAX];
    char source[FIELD_MAX];
    int has_status;
};

int ic_pkgdb_kind_of(const char *path)
{
    if (!path)
        return -1;
    if (strcmp(path, "/var/lib/dpkg/status") == 0)
        return IC_PKGDB_DPKG;
    if (strcmp(path, "/usr/lib/opkg/status") == 0 || strcmp(path, "/var/lib/opkg/status") == 0)
        return IC_PKGDB_OPKG;
    if (strcmp(path, "/var/lib/rpm/rpmdb.sqlite") == 0 ||
        strcmp(path, "/usr/lib/sysimage/rpm/rpmdb.sqlite") == 0)
        return IC_PKGDB_RPM;
    return -1;
}

static void set_field(char *dst, const uint8_t *v, size_t n)
{
    while (n && (v[0] == ' ' || v[0] == '\t')) {
        v++;
        n--;
    }
    while (n && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\r'))
        n--;
    if (n >= FIELD_MAX)
        n = FIELD_MAX - 1;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (v[i] >= 0x20 && v[i] != 0x7f)
            dst[k++] = (char)v[i];
    dst[k] = '\0';
}

static int installed(const struct stanza *s)
{
    if (!s->has_status)
        return 1;
    /* "install ok installed", "install user installed", "hold ok installed" */
    size_t n = strlen(s->status);
    return n >= 10 && strcmp(s->status + n - 10, " installed") == 0;
}

static int emit(const struct stanza *s, ic_pkgdb_fn fn, void *ctx, size_t *count)
{
    if (!s->package[0] || !installed(s) || *count >= IC_PKGDB_MAX_PACKAGES)
        return 0;
    (*count)++;
    /* "Source: openssl (3.0.11-1)": the source package's name only. */
    char source[FIELD_MAX];
    snprintf(source, sizeof(source), "%s", s->source);
    char *sp = strchr(source, ' ');
    if (sp)
        *sp = '\0';
    struct ic_pkgdb_entry e = {s->package, s->version, s->architecture, source};
    return fn(ctx, &e);
}

int ic_pkgdb_parse(const uint8_t *data, size_t len, ic_pkgdb_fn fn, void *ctx)
{
    struct stanza s;
    memset(&s, 0, sizeof(s));
    size_t count = 0;
    int rc = 0;
    for (size_t i = 0; i <= len && !rc;) {
        const uint8_t *nl = i < len ? memchr(data + i, '\n', len - i) : NULL;
        size_t end = nl ? (size_t)(nl - data) : len;
        const uint8_t *line = data + i;
        size_t n = end - i;
        while (n && line[n - 1] == '\r')
            n--;
        if (n == 0) {
            rc = emit(&s, fn, ctx, &count);
            memset(&s, 0, sizeof(s));
        } else if (line[0] != ' ' && line[0] != '\t') {
            const uint8_t *colon = memchr(line, ':', n);
            if (colon) {
                size_t kn = (size_t)(colon - line);
                const uint8_t *v = colon + 1;
                size_t vn = n - kn - 1;
                if (kn == 7 && memcmp(line, "Package", 7) == 0)
                    set_field(s.package, v, vn);
                else if (kn == 7 && memcmp(line, "Version", 7) == 0)
                    set_field(s.version, v, vn);
                else if (kn == 12 && memcmp(line, "Architecture", 12) == 0)
                    set_field(s.architecture, v, vn);
                else if (kn == 6 && memcmp(line, "Status", 6) == 0) {
                    set_field(s.status, v, vn);
                    s.has_status = 1;
                } else if (kn == 6 && memcmp(line, "Source", 6) == 0)
                    set_field(s.source, v, vn);
            }
        }
        if (!nl) {
            if (!rc)
                rc = emit(&s, fn, ctx, &count);
            break;
        }
        i = end + 1;
    }
    return rc;
}

void ic_pkgdb_upstream_version(const char *version, char *out, size_t size)
{
    if (!size)
        return;
    const char *v = version;
    const char *colon = strchr(v, ':');
    if (colon && colon > v && strspn(v, "0123456789") == (size_t)(colon - v))
        v = colon + 1;
    size_t n = strlen(v);
    const char *dash = strrchr(v, '-');
    if (dash && dash > v)
        n = (size_t)(dash - v);
    /* Repack and pre-release markers Debian and OpenWrt add. */
    static const char *const cuts[] = {"+dfsg", ".dfsg", "+ds", "~", "+really", NULL};
    for (size_t k = 0; cuts[k]; k++) {
        const char *c = strstr(v, cuts[k]);
        if (c && (size_t)(c - v) < n && c > v)
            n = (size_t)(c - v);
    }
    if (n >= size)
        n = size - 1;
    memcpy(out, v, n);
    out[n] = '\0';
}

struct report_ctx {
    enum ic_pkgdb_kind kind;
    const char *path;
    ic_sw_hit_fn fn;
    void *ctx;
};

static int lists(const char *const *names, const char *name)
{
    for (size_t i = 0; names && names[i]; i++)
        if (strcmp(names[i], name) == 0)
            return 1;
    return 0;
}

static int purl_safe(char *out, size_t size, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t k = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        int plain = (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
                    (*p >= 'A' && *p <= 'Z') || *p == '.' || *p == '-' || *p == '_' || *p == '~';
        if (k + 4 >= size)
            return -1;
        if (plain) {
            out[k++] = (char)*p;
        } else {
            out[k++] = '%';
            out[k++] = hex[*p >> 4];
            out[k++] = hex[*p & 15];
        }
    }
    out[k] = '\0';
    return 0;
}

/* purl's rpm form: the epoch is a qualifier ("pkg:rpm/x@2019.78-3?arch=noarch&epoch=1"). */
static void rpm_purl(char *out, size_t size, const char *name, const char *full, const char *arch)
{
    const char *colon = strchr(full, ':');
    size_t digits = strspn(full, "0123456789");
    int has_epoch = colon && digits > 0 && full + digits == colon;
    char version[3 * FIELD_MAX] = "";
    if (purl_safe(version, sizeof(version), has_epoch ? colon + 1 : full))
        version[0] = '\0';
    int n = snprintf(out, size, "pkg:rpm/%s@%s", name, version);
    const char *sep = "?";
    if (arch[0] && n > 0 && (size_t)n < size) {
        n += snprintf(out + n, size - (size_t)n, "%sarch=%s", sep, arch);
        sep = "&";
    }
    if (has_epoch && n > 0 && (size_t)n < size)
        snprintf(out + n, size - (size_t)n, "%sepoch=%.*s", sep, (int)digits, full);
}

static int report_entry(void *arg, const struct ic_pkgdb_entry *e)
{
    struct report_ctx *r = arg;
    char upstream[FIELD_MAX], name[3 * FIELD_MAX], version[3 * FIELD_MAX], arch[3 * FIELD_MAX];
    ic_pkgdb_upstream_version(e->version, upstream, sizeof(upstream));
    if (purl_safe(name, sizeof(name), e->name) || purl_safe(version, sizeof(version), e->version) ||
        purl_safe(arch, sizeof(arch), e->architecture))
        return 0;
    char purl[12 * FIELD_MAX];
    if (r->kind == IC_PKGDB_DPKG)
        snprintf(purl, sizeof(purl), "pkg:deb/debian/%s@%s%s%s", name, version,
                 arch[0] ? "?arch=" : "", arch);
    else if (r->kind == IC_PKGDB_RPM)
        rpm_purl(purl, sizeof(purl), name, e->version, arch);
    else
        snprintf(purl, sizeof(purl), "pkg:opkg/%s@%s%s%s", name, version, arch[0] ? "?arch=" : "",
                 arch);
    char evidence[4 * FIELD_MAX];
    snprintf(evidence, sizeof(evidence), "package %s %s%s%s installed", e->name, e->version,
             e->architecture[0] ? " " : "", e->architecture);
    struct ic_sw_hit hit = {
        .def = -1,
        .name = e->name,
        .version = upstream[0] ? upstream : NULL,
        .purl = purl,
        .path = r->path,
        .evidence = evidence,
        .source = r->kind == IC_PKGDB_DPKG  ? "dpkg"
                  : r->kind == IC_PKGDB_RPM ? "rpm"
                                            : "opkg",
        .package_version = e->version[0] ? e->version : NULL,
    };
    int known = 0;
    for (size_t c = 0; c < ic_component_def_count; c++) {
        const struct ic_component_def *d = &ic_component_defs[c];
        if (!lists(d->packages, e->name) && !(e->source[0] && lists(d->packages, e->source)))
            continue;
        known = 1;
        hit.def = (int)c;
        hit.name = d->name;
        int rc = r->fn(r->ctx, &hit);
        if (rc)
            return rc;
    }
    if (known)
        return 0;
    hit.def = -1;
    hit.name = e->name;
    return r->fn(r->ctx, &hit);
}

int ic_pkgdb_report(const uint8_t *data, size_t len, enum ic_pkgdb_kind kind, const char *path,
                    ic_sw_hit_fn fn, void *ctx)
{
    struct report_ctx r = {kind, path, fn, ctx};
    if (kind == IC_PKGDB_RPM)
        return ic_rpmdb_parse(data, len, report_entry, &r);
    return ic_pkgdb_parse(data, len, report_entry, &r);
}
