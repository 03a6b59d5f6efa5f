/* Shared groundwork of the SBOM writers: document id, file hashes, the
 * components each component loads, and the CVEs grouped by id. */
#include "report/report_sbom.h"

#include "checks/elf/elf.h"
#include "iotcop/error.h"
#include "iotcop/unpack.h"
#include "iotcop/vfs.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Most bytes of one file read to find what it loads (ELF headers and the
 * dynamic section sit well inside this in real binaries). */
#define SBOM_ELF_READ_MAX (64u * 1024u * 1024u)

const char *sbom_target_name(const struct ic_report *r)
{
    if (r->target.kind == IC_TARGET_DEVICE)
        return r->target.address ? r->target.address : "device";
    const char *path = r->target.path ? r->target.path : "";
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    return *base ? base : "firmware";
}

int sbom_component_has_path(const struct ic_component *c, const char *path)
{
    for (size_t i = 0; path && c->paths && c->paths[i]; i++)
        if (strcmp(c->paths[i], path) == 0)
            return 1;
    return 0;
}

/* The content a component path names: "layer:ID" is that layer's content
 * (a kernel image); "ID:/path" the file in that layer's tree; "/path" the
 * file in every file system layer, first match wins. Links are followed
 * inside the tree. NULL when there is no such regular file with content. */
static struct ic_blob *find_file(const struct ic_unpack *u, const char *path)
{
    if (!u || !path)
        return NULL;
    if (strncmp(path, "layer:", 6) == 0) {
        for (size_t i = 0; i < u->layer_count; i++)
            if (strcmp(u->layers[i].id, path + 6) == 0)
                return u->layers[i].content;
        return NULL;
    }
    const char *layer = NULL;
    size_t layer_len = 0;
    const char *colon = strchr(path, ':');
    if (path[0] != '/' && colon && colon[1] == '/') {
        layer = path;
        layer_len = (size_t)(colon - path);
        path = colon + 1;
    }
    for (size_t i = 0; i < u->layer_count; i++) {
        const struct ic_layer *l = &u->layers[i];
        if (!l->fs)
            continue;
        if (layer && (strlen(l->id) != layer_len || strncmp(l->id, layer, layer_len) != 0))
            continue;
        const struct ic_entry *e = NULL;
        if (ic_fs_resolve(l->fs, path, &e) == IC_OK && e && e->type == IC_FT_FILE && e->content)
            return e->content;
    }
    return NULL;
}

static int hash_blob(struct ic_blob *blob, char out[65])
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx)
        return IC_E_NOMEM;
    int rc = EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 ? IC_OK : IC_E_INTERNAL;
    uint8_t chunk[65536];
    uint64_t size = ic_blob_size(blob);
    for (uint64_t off = 0; !rc && off < size;) {
        int64_t got = ic_blob_read(blob, off, chunk, sizeof(chunk));
        if (got <= 0) {
            rc = got < 0 ? (int)-got : IC_E_TRUNCATED;
            break;
        }
        if (EVP_DigestUpdate(ctx, chunk, (size_t)got) != 1)
            rc = IC_E_INTERNAL;
        off += (uint64_t)got;
    }
    unsigned char md[32];
    unsigned len = 0;
    if (!rc && EVP_DigestFinal_ex(ctx, md, &len) != 1)
        rc = IC_E_INTERNAL;
    EVP_MD_CTX_free(ctx);
    if (rc)
        return rc;
    for (unsigned i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
    return IC_OK;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* Whether a library file name provides a DT_NEEDED name: the same name, or
 * the name with a longer version ("libz.so.1.2.13" provides "libz.so.1"). */
static int provides(const char *file, const char *needed)
{
    size_t n = strlen(needed);
    return n && strncmp(file, needed, n) == 0 && (file[n] == '\0' || file[n] == '.');
}

/* The component (other than self) one of whose paths provides a library. */
static int component_with_file(const struct ic_report *r, size_t self, const char *name,
                               size_t *out)
{
    for (size_t k = 0; k < r->component_count; k++) {
        const struct ic_component *c = &r->components[k];
        for (size_t p = 0; k != self && c->paths && c->paths[p]; p++) {
            if (provides(base_name(c->paths[p]), name)) {
                *out = k;
                return 1;
            }
        }
    }
    return 0;
}

static int add_index(size_t **list, size_t *count, size_t value)
{
    size_t at = 0;
    while (at < *count && (*list)[at] < value)
        at++;
    if (at < *count && (*list)[at] == value)
        return IC_OK;
    size_t *grown = realloc(*list, (*count + 1) * sizeof(**list));
    if (!grown)
        return IC_E_NOMEM;
    memmove(grown + at + 1, grown + at, (*count - at) * sizeof(*grown));
    grown[at] = value;
    *list = grown;
    (*count)++;
    return IC_OK;
}

/* Reads what component i's files load and records the components that
 * provide those libraries. */
static int find_needs(const struct ic_report *r, size_t i, struct sbom_component *out)
{
    const struct ic_component *c = &r->components[i];
    int rc = IC_OK;
    for (size_t p = 0; !rc && c->paths && c->paths[p]; p++) {
        struct ic_blob *content = find_file(r->unpack, c->paths[p]);
        if (!content || ic_blob_size(content) > SBOM_ELF_READ_MAX)
            continue;
        int err = IC_OK;
        const uint8_t *data = ic_blob_data(content, &err);
        size_t size = (size_t)ic_blob_size(content);
        if (!data || !ic_elf_is_elf(data, size))
            continue;
        struct ic_elf elf;
        if (ic_elf_parse(data, size, &elf) == IC_OK) {
            for (size_t n = 0; !rc && n < elf.needed_count; n++) {
                size_t k;
                if (elf.needed[n] && component_with_file(r, i, elf.needed[n], &k))
                    rc = add_index(&out->needs, &out->need_count, k);
            }
        }
        ic_elf_release(&elf);
    }
    return rc;
}

static int by_cve_then_index(const void *a, const void *b, void *ctx)
{
    const struct ic_report *r = ctx;
    size_t ia = *(const size_t *)a, ib = *(const size_t *)b;
    int c = strcmp(r->findings[ia].cve, r->findings[ib].cve);
    return c ? c : (ia > ib) - (ia < ib);
}

static int group_vulnerabilities(const struct ic_report *r, struct sbom *s)
{
    size_t n = 0;
    for (size_t i = 0; i < r->finding_count; i++)
        n += r->findings[i].cve && *r->findings[i].cve;
    if (!n)
        return IC_OK;
    size_t *order = malloc(n * sizeof(*order));
    s->vulns = calloc(n, sizeof(*s->vulns));
    if (!order || !s->vulns) {
        free(order);
        return IC_E_NOMEM;
    }
    n = 0;
    for (size_t i = 0; i < r->finding_count; i++)
        if (r->findings[i].cve && *r->findings[i].cve)
            order[n++] = i;
    qsort_r(order, n, sizeof(*order), by_cve_then_index, (void *)r);
    int rc = IC_OK;
    for (size_t i = 0; i < n && !rc; i++) {
        const struct ic_finding *f = &r->findings[order[i]];
        struct sbom_vulnerability *v = s->vuln_count ? &s->vulns[s->vuln_count - 1] : NULL;
        if (!v || strcmp(v->cve, f->cve) != 0) {
            v = &s->vulns[s->vuln_count++];
            v->cve = f->cve;
        }
        rc = add_index(&v->findings, &v->finding_count, order[i]);
        for (size_t k = 0; !rc && k < r->component_count; k++)
            if (f->location.kind == IC_LOCATION_FIRMWARE &&
                sbom_component_has_path(&r->components[k], f->location.path))
                rc = add_index(&v->components, &v->component_count, k);
    }
    free(order);
    return rc;
}

/* A UUID (RFC 9562 version 8: application-defined) from the SHA-256 of what
 * identifies this report: the same run gives the same id. */
static void make_uuid(const struct ic_report *r, char out[37])
{
    char seed[256];
    snprintf(seed, sizeof(seed), "iotcop-sbom\n%s\n%s\n%lld\n%s",
             r->target.kind == IC_TARGET_DEVICE ? "device" : "firmware",
             r->target.kind == IC_TARGET_DEVICE ? (r->target.address ? r->target.address : "")
                                                : r->target.sha256,
             (long long)r->run.started, ic_rules_version());
    unsigned char md[32];
    unsigned len = 0;
    memset(md, 0, sizeof(md));
    EVP_Digest(seed, strlen(seed), md, &len, EVP_sha256(), NULL);
    md[6] = (unsigned char)((md[6] & 0x0f) | 0x80);
    md[8] = (unsigned char)((md[8] & 0x3f) | 0x80);
    size_t o = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        snprintf(out + o, 3, "%02x", md[i]);
        o += 2;
    }
    out[o] = '\0';
}

int sbom_build(const struct ic_report *r, struct sbom *s)
{
    memset(s, 0, sizeof(*s));
    if (!r || !r->finished || r->target.kind == IC_TARGET_NONE)
        return IC_E_INVALID_ARG;
    s->report = r;
    s->name = sbom_target_name(r);
    make_uuid(r, s->uuid);
    time_t t = (time_t)r->run.started;
    struct tm tm;
    if (!gmtime_r(&t, &tm) || !strftime(s->created, sizeof(s->created), "%Y-%m-%dT%H:%M:%SZ", &tm))
        snprintf(s->created, sizeof(s->created), "1970-01-01T00:00:00Z");
    if (r->component_count) {
        s->components = calloc(r->component_count, sizeof(*s->components));
        if (!s->components)
            return IC_E_NOMEM;
    }
    int rc = IC_OK;
    for (size_t i = 0; i < r->component_count && !rc; i++) {
        const struct ic_component *c = &r->components[i];
        for (size_t p = 0; c->paths && c->paths[p]; p++) {
            struct ic_blob *content = find_file(r->unpack, c->paths[p]);
            if (content && hash_blob(content, s->components[i].sha256) == IC_OK)
                break;
            s->components[i].sha256[0] = '\0';
        }
        rc = find_needs(r, i, &s->components[i]);
    }
    return rc ? rc : group_vulnerabilities(r, s);
}

void sbom_release(struct sbom *s)
{
    if (!s)
        return;
    if (s->report && s->components)
        for (size_t i = 0; i < s->report->component_count; i++)
            free(s->components[i].needs);
    free(s->components);
    for (size_t i = 0; i < s->vuln_count; i++) {
        free(s->vulns[i].findings);
        free(s->vulns[i].components);
    }
    free(s->vulns);
    memset(s, 0, sizeof(*s));
}
