/* OSV records (https://ossf.github.io/osv-schema/): id, aliases, modified,
 * withdrawn, severity and affected[] with ECOSYSTEM/SEMVER ranges and
 * explicit versions. Each affected package becomes one configuration of
 * criteria named cpe:2.3:a:osv\:ECOSYSTEM:NAME:..., so a component is matched
 * against it as vendor "osv:ECOSYSTEM", product NAME. GIT ranges (commit
 * ids) are not versions and are left out. */
#include "iotcop/error.h"
#include "vulndb/vulndb_private.h"

#include <stdio.h>
#include <string.h>

/* Appends s to dst with CPE formatted-string escaping of its specials. */
static void append_escaped(char *dst, size_t size, size_t *len, const char *s)
{
    for (; *s && *len + 3 < size; s++) {
        unsigned char c = (unsigned char)*s;
        int plain =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        if (!plain)
            dst[(*len)++] = '\\';
        dst[(*len)++] = (char)c;
    }
    dst[*len] = '\0';
}

/* The criteria name for one package and version ("*" for ranges). */
static void osv_criteria(char *dst, size_t size, const char *ecosystem, const char *name,
                         const char *version)
{
    size_t len = 0;
    int n = snprintf(dst, size, "cpe:2.3:a:");
    len = n > 0 ? (size_t)n : 0;
    append_escaped(dst, size, &len, "osv:");
    append_escaped(dst, size, &len, ecosystem);
    if (len + 1 < size)
        dst[len++] = ':';
    append_escaped(dst, size, &len, name);
    if (len + 1 < size)
        dst[len++] = ':';
    if (strcmp(version, "*") == 0) {
        if (len + 1 < size)
            dst[len++] = '*';
        dst[len] = '\0';
    } else {
        append_escaped(dst, size, &len, version);
    }
    const char *tail = ":*:*:*:*:*:*:*";
    size_t tl = strlen(tail);
    if (len + tl < size) {
        memcpy(dst + len, tail, tl + 1);
    } else {
        dst[0] = '\0'; /* cut: not stored */
    }
}

/* Pending range state while reading events in order. */
struct range_state {
    char introduced[64];
    int open;
};

static struct vdb_criterion *emit(struct vdb_record *r, uint32_t config,
                                  const struct range_state *s)
{
    struct vdb_criterion *c = vdb_record_add_criterion(r);
    if (!c)
        return NULL;
    c->config = config;
    c->vulnerable = 1;
    if (s->open && strcmp(s->introduced, "0") != 0)
        snprintf(c->start_including, sizeof(c->start_including), "%s", s->introduced);
    return c;
}

/* events: [{introduced}, {fixed}, {last_affected}, {limit}] */
static int read_events(struct ic_jp *p, struct vdb_record *r, uint32_t config)
{
    int ok, kind, more, rc;
    char k[24], value[64];
    struct range_state s = {"", 0};
    if ((rc = ic_jp_expect(p, IC_JP_ARRAY_BEGIN, &ok)) || !ok)
        return rc;
    while ((rc = ic_jp_next_element(p, IC_JP_OBJECT_BEGIN, &kind)) == IC_OK && kind) {
        if (kind != 1)
            continue;
        while ((rc = ic_jp_next_key(p, k, sizeof(k), &more)) == IC_OK && more) {
            if ((rc = ic_jp_read_text(p, value, sizeof(value))))
                return rc;
            if (strcmp(k, "introduced") == 0) {
                snprintf(s.introduced, sizeof(s.introduced), "%s", value);
                s.open = 1;
            } else if ((strcmp(k, "fixed") == 0 || strcmp(k, "last_affected") == 0) && s.open) {
                struct vdb_criterion *c = emit(r, config, &s);
                if (c && k[0] == 'f')
                    snprintf(c->end_excluding, sizeof(c->end_excluding), "%s", value);
                else if (c)
                    snprintf(c->end_including, sizeof(c->end_including), "%s", value);
                s.open = 0;
            }
        }
        if (rc)
            return rc;
    }
    if (!rc && s.open)
        emit(r, config, &s);
    return rc;
}

/* ranges: [{type, events}] */
static int read_ranges(struct ic_jp *p, struct vdb_record *r, uint32_t config)
{
    int ok, kind, more, rc;
    char k[24];
    if ((rc = ic_jp_expect(p, IC_JP_ARRAY_BEGIN, &ok)) || !ok)
        return rc;
    while ((rc = ic_jp_next_element(p, IC_JP_OBJECT_BEGIN, &kind)) == IC_OK && kind) {
        if (kind != 1)
            continue;
        size_t from = r->crit_count;
        char type[16] = "";
        while ((rc = ic_jp_next_key(p, k, sizeof(k), &more)) == IC_OK && more) {
            if (strcmp(k, "type") == 0)
                rc = ic_jp_read_text(p, type, sizeof(type));
            else if (strcmp(k, "events") == 0)
                rc = read_events(p, r, config);
            else
                rc = ic_jp_skip(p);
            if (rc)
                return rc;
        }
        if (rc)
            return rc;
        if (strcmp(type, "GIT") == 0)
            r->crit_count = from; /* commit ids are not versions */
    }
    return rc;
}

static int read_versions(struct ic_jp *p, struct vdb_record *r, uint32_t config)
{
    int ok, rc;
    if ((rc = ic_jp_expect(p, IC_JP_ARRAY_BEGIN, &ok)) || !ok)
        return rc;
    for (;;) {
        enum ic_jp_type t;
        if ((rc = ic_jp_next(p, &t)) || t == IC_JP_ARRAY_END)
            return rc;
        if (t != IC_JP_STRING) {
            if ((rc = ic_jp_skip_from(p, t)))
                return rc;
            continue;
        }
        struct vdb_criterion *c = vdb_record_add_criterion(r);
        if (!c)
            continue;
        c->config = config;
        c->vulnerable = 1;
        /* the exact version waits in `criteria` until the package is known */
        snprintf(c->criteria, sizeof(c->criteria), "=%s", p->str);
    }
}

/* affected[]: each package one configuration */
static int read_affected(struct ic_jp *p, struct vdb_record *r)
{
    int ok, kind, more, rc;
    char k[24];
    uint32_t config = 0;
    if ((rc = ic_jp_expect(p, IC_JP_ARRAY_BEGIN, &ok)) || !ok)
        return rc;
    while ((rc = ic_jp_next_element(p, IC_JP_OBJECT_BEGIN, &kind)) == IC_OK && kind) {
        if (kind != 1)
            continue;
        size_t from = r->crit_count;
        char ecosystem[64] = "", name[128] = "";
        while ((rc = ic_jp_next_key(p, k, sizeof(k), &more)) == IC_OK && more) {
            if (strcmp(k, "package") == 0) {
                int is_object, m;
                char k2[16];
                if ((rc = ic_jp_expect(p, IC_JP_OBJECT_BEGIN, &is_object)))
                    return rc;
                while (is_object && (rc = ic_jp_next_key(p, k2, sizeof(k2), &m)) == IC_OK && m) {
                    if (strcmp(k2, "ecosystem") == 0)
                        rc = ic_jp_read_text(p, ecosystem, sizeof(ecosystem));
                    else if (strcmp(k2, "name") == 0)
                        rc = ic_jp_read_text(p, name, sizeof(name));
                    else
                        rc = ic_jp_skip(p);
                    if (rc)
                        return rc;
                }
            } else if (strcmp(k, "ranges") == 0) {
                rc = read_ranges(p, r, config);
            } else if (strcmp(k, "versions") == 0) {
                rc = read_versions(p, r, config);
            } else {
                rc = ic_jp_skip(p);
            }
            if (rc)
                return rc;
        }
        if (rc)
            return rc;
        if (!ecosystem[0] || !name[0]) {
            r->crit_count = from; /* nothing to match it against */
            continue;
        }
        for (size_t i = from; i < r->crit_count; i++) {
            struct vdb_criterion *c = &r->crit[i];
            char version[sizeof(c->criteria)];
            snprintf(version, sizeof(version), "%s", c->criteria[0] == '=' ? c->criteria + 1 : "*");
            osv_criteria(c->criteria, sizeof(c->criteria), ecosystem, name, version);
        }
        config++;
    }
    return rc;
}

/* severity: [{type: CVSS_V3, score: vector}]: keeps the vector only (OSV
 * gives no base score); database_specific.severity supplies a severity. */
static int read_severity(struct ic_jp *p, struct vdb_record *r)
{
    int ok, kind, more, rc;
    char k[16], type[16], score[192];
    if ((rc = ic_jp_expect(p, IC_JP_ARRAY_BEGIN, &ok)) || !ok)
        return rc;
    while ((rc = ic_jp_next_element(p, IC_JP_OBJECT_BEGIN, &kind)) == IC_OK && kind) {
        if (kind != 1)
            continue;
        type[0] = score[0] = '\0';
        while ((rc = ic_jp_next_key(p, k, sizeof(k), &more)) == IC_OK && more) {
            if (strcmp(k, "type") == 0)
                rc = ic_jp_read_text(p, type, sizeof(type));
            else if (strcmp(k, "score") == 0)
                rc = ic_jp_read_text(p, score, sizeof(score));
            else
                rc = ic_jp_skip(p);
            if (rc)
                return rc;
        }
        if (rc)
            return rc;
        if (strncmp(type, "CVSS_V3", 7) == 0 && !r->vector[0])
            snprintf(r->vector, sizeof(r->vector), "%s", score);
    }
    return rc;
}

static int read_database_specific(struct ic_jp *p, struct vdb_record *r)
{
    int ok, more, rc;
    char k[16];
    if ((rc = ic_jp_expect(p, IC_JP_OBJECT_BEGIN, &ok)) || !ok)
        return rc;
    while ((rc = ic_jp_next_key(p, k, sizeof(k), &more)) == IC_OK && more) {
        if (strcmp(k, "severity") == 0 && !r->severity[0])
            rc = ic_jp_read_text(p, r->severity, sizeof(r->severity));
        else
            rc = ic_jp_skip(p);
        if (rc)
            return rc;
    }
    return rc;
}

static int read_aliases(struct ic_jp *p, struct vdb_record *r)
{
    int ok, rc;
    if ((rc = ic_jp_expect(p, IC_JP_ARRAY_BEGIN, &ok)) || !ok)
        return rc;
    for (;;) {
        enum ic_jp_type t;
        if ((rc = ic_jp_next(p, &t)) || t == IC_JP_ARRAY_END)
            return rc;
        if (t == IC_JP_STRING && !r->cve[0] && strncmp(p->str, "CVE-", 4) == 0 &&
            p->str_len < sizeof(r->cve))
            snprintf(r->cve, sizeof(r->cve), "%s", p->str);
        else if ((rc = ic_jp_skip_from(p, t)))
            return rc;
    }
}

int vdb_osv_key(struct ic_jp *p, struct vdb_record *r, const char *k, int *known)
{
    snprintf(r->source, sizeof(r->source), "osv");
    *known = 1;
    if (strcmp(k, "id") == 0)
        return ic_jp_read_text(p, r->id, sizeof(r->id));
    if (strcmp(k, "modified") == 0)
        return ic_jp_read_text(p, r->modified, sizeof(r->modified));
    if (strcmp(k, "published") == 0)
        return ic_jp_read_text(p, r->published, sizeof(r->published));
    if (strcmp(k, "withdrawn") == 0) {
        char when[40];
        int rc = ic_jp_read_text(p, when, sizeof(when));
        if (!rc && when[0]) {
            r->rejected = 1;
            snprintf(r->status, sizeof(r->status), "Withdrawn");
        }
        return rc;
    }
    if (strcmp(k, "aliases") == 0)
        return read_aliases(p, r);
    if (strcmp(k, "summary") == 0 || (strcmp(k, "details") == 0 && !r->description[0]))
        return ic_jp_read_text(p, r->description, sizeof(r->description));
    if (strcmp(k, "severity") == 0)
        return read_severity(p, r);
    if (strcmp(k, "affected") == 0)
        return read_affected(p, r);
    if (strcmp(k, "database_specific") == 0)
        return read_database_specific(p, r);
    *known = strcmp(k, "schema_version") == 0 || strcmp(k, "related") == 0 ||
             strcmp(k, "references") == 0 || strcmp(k, "credits") == 0 ||
             strcmp(k, "details") == 0 || strcmp(k, "upstream") == 0;
    return ic_jp_skip(p);
}

void vdb_osv_finish(struct vdb_record *r)
{
    if (strncmp(r->id, "CVE-", 4) == 0 || !r->cve[0])
        snprintf(r->cve, sizeof(r->cve), "%s", r->id);
}
