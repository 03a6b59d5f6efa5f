/* SPDX 2.3 JSON: one package for the audited firmware (or device) and one
 * per component found, with checksums, CPE and purl references, the CVEs
 * that apply as advisory references, and the relationships: the document
 * describes the target, the target contains each component, a component
 * depends on the components whose libraries it loads. docs/sbom.md. */
#include "report/report_sbom.h"

#include "core/buf.h"
#include "core/json.h"
#include "iotcop/error.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#ifndef IOTCOP_VERSION
#define IOTCOP_VERSION "0.0.0"
#endif

#define TARGET_ID "SPDXRef-Target"

/* SPDX ids allow only letters, digits, '.' and '-': the component's number
 * keeps them unique, its name (cleaned) keeps them readable. */
static void component_id(const struct ic_report *r, size_t index, char *out, size_t size)
{
    int n = snprintf(out, size, "SPDXRef-Package-%zu-", index + 1);
    size_t o = n > 0 && (size_t)n < size ? (size_t)n : 0;
    const char *name = r->components[index].name ? r->components[index].name : "";
    for (size_t i = 0; name[i] && o + 1 < size && i < 64; i++) {
        unsigned char ch = (unsigned char)name[i];
        out[o++] = (isalnum(ch) || ch == '.' || ch == '-') && ch < 0x80 ? (char)ch : '-';
    }
    out[o] = '\0';
}

static void noassertion(struct ic_json *j, const char *key)
{
    ic_json_kv_string(j, key, "NOASSERTION");
}

static void external_ref(struct ic_json *j, const char *category, const char *type,
                         const char *locator)
{
    ic_json_object_begin(j);
    ic_json_kv_string(j, "referenceCategory", category);
    ic_json_kv_string(j, "referenceType", type);
    ic_json_kv_string(j, "referenceLocator", locator);
    ic_json_object_end(j);
}

static void checksum(struct ic_json *j, const char *sha256)
{
    ic_json_key(j, "checksums");
    ic_json_array_begin(j);
    ic_json_object_begin(j);
    ic_json_kv_string(j, "algorithm", "SHA256");
    ic_json_kv_string(j, "checksumValue", sha256);
    ic_json_object_end(j);
    ic_json_array_end(j);
}

static void write_target_package(const struct sbom *s, struct ic_json *j)
{
    const struct ic_report *r = s->report;
    ic_json_object_begin(j);
    ic_json_kv_string(j, "SPDXID", TARGET_ID);
    ic_json_kv_string(j, "name", s->name);
    noassertion(j, "downloadLocation");
    ic_json_kv_bool(j, "filesAnalyzed", 0);
    if (r->target.kind == IC_TARGET_FIRMWARE && r->target.sha256[0])
        checksum(j, r->target.sha256);
    if (r->target.kind == IC_TARGET_FIRMWARE)
        ic_json_kv_string(j, "packageFileName", r->target.path);
    ic_json_kv_string(j, "primaryPackagePurpose",
                      r->target.kind == IC_TARGET_DEVICE ? "DEVICE" : "FIRMWARE");
    noassertion(j, "licenseConcluded");
    noassertion(j, "licenseDeclared");
    noassertion(j, "copyrightText");
    ic_json_object_end(j);
}

/* What is compiled in (busybox applets, kernel options "CONFIG_X=y"): one
 * annotation of the package, the features space-separated. */
static void write_features(const struct sbom *s, const struct ic_component *c, struct ic_json *j)
{
    struct ic_buf text = IC_BUF_INIT(1024 * 1024);
    int kernel = strncmp(c->features[0], "CONFIG_", 7) == 0;
    int rc = ic_buf_append_str(&text, kernel ? "iotcop:feature kernel options set:"
                                             : "iotcop:feature compiled in:");
    for (size_t k = 0; !rc && c->features[k]; k++)
        rc = ic_buf_printf(&text, " %s", c->features[k]);
    if (!rc) {
        ic_json_key(j, "annotations");
        ic_json_array_begin(j);
        ic_json_object_begin(j);
        ic_json_kv_string(j, "annotationDate", s->created);
        ic_json_kv_string(j, "annotationType", "OTHER");
        ic_json_kv_string(j, "annotator", "Tool: iotcop-" IOTCOP_VERSION);
        ic_json_kv_string(j, "comment", (const char *)text.data);
        ic_json_object_end(j);
        ic_json_array_end(j);
    }
    ic_buf_release(&text);
}

static void write_component_package(const struct sbom *s, size_t i, struct ic_json *j)
{
    const struct ic_report *r = s->report;
    const struct ic_component *c = &r->components[i];
    char id[96];
    component_id(r, i, id, sizeof(id));
    ic_json_object_begin(j);
    ic_json_kv_string(j, "SPDXID", id);
    ic_json_kv_string(j, "name", c->name);
    if (c->version)
        ic_json_kv_string(j, "versionInfo", c->version);
    noassertion(j, "downloadLocation");
    ic_json_kv_bool(j, "filesAnalyzed", 0);
    if (s->components[i].sha256[0])
        checksum(j, s->components[i].sha256);
    noassertion(j, "licenseConcluded");
    noassertion(j, "licenseDeclared");
    noassertion(j, "copyrightText");
    if (c->evidence && *c->evidence)
        ic_json_kv_string(j, "sourceInfo", c->evidence);
    if (c->paths && c->paths[0]) {
        struct ic_buf paths = IC_BUF_INIT(64 * 1024);
        int rc = ic_buf_append_str(&paths, "found at:");
        for (size_t p = 0; !rc && c->paths[p]; p++)
            rc = ic_buf_printf(&paths, " %s", c->paths[p]);
        if (!rc)
            ic_json_kv_string(j, "comment", (const char *)paths.data);
        ic_buf_release(&paths);
    }
    if (c->features && c->features[0])
        write_features(s, c, j);
    ic_json_key(j, "externalRefs");
    ic_json_array_begin(j);
    for (size_t k = 0; c->cpe && c->cpe[k]; k++)
        external_ref(j, "SECURITY", "cpe23Type", c->cpe[k]);
    if (c->purl)
        external_ref(j, "PACKAGE-MANAGER", "purl", c->purl);
    for (size_t v = 0; v < s->vuln_count; v++) {
        const struct sbom_vulnerability *vuln = &s->vulns[v];
        int affects = 0;
        for (size_t k = 0; k < vuln->component_count; k++)
            affects |= vuln->components[k] == i;
        if (affects && strncmp(vuln->cve, "CVE-", 4) == 0) {
            char url[160];
            snprintf(url, sizeof(url), "https://nvd.nist.gov/vuln/detail/%.120s", vuln->cve);
            external_ref(j, "SECURITY", "advisory", url);
        }
    }
    ic_json_array_end(j);
    ic_json_object_end(j);
}

static void relationship(struct ic_json *j, const char *from, const char *type, const char *to)
{
    ic_json_object_begin(j);
    ic_json_kv_string(j, "spdxElementId", from);
    ic_json_kv_string(j, "relationshipType", type);
    ic_json_kv_string(j, "relatedSpdxElement", to);
    ic_json_object_end(j);
}

static void write_relationships(const struct sbom *s, struct ic_json *j)
{
    const struct ic_report *r = s->report;
    char a[96], b[96];
    ic_json_key(j, "relationships");
    ic_json_array_begin(j);
    relationship(j, "SPDXRef-DOCUMENT", "DESCRIBES", TARGET_ID);
    for (size_t i = 0; i < r->component_count; i++) {
        component_id(r, i, a, sizeof(a));
        relationship(j, TARGET_ID, "CONTAINS", a);
    }
    for (size_t i = 0; i < r->component_count; i++) {
        component_id(r, i, a, sizeof(a));
        for (size_t k = 0; k < s->components[i].need_count; k++) {
            component_id(r, s->components[i].needs[k], b, sizeof(b));
            relationship(j, a, "DEPENDS_ON", b);
        }
    }
    ic_json_array_end(j);
}

int ic_report_write_spdx(const struct ic_report *r, struct ic_buf *out)
{
    if (!r || !out)
        return IC_E_INVALID_ARG;
    struct sbom s;
    int rc = sbom_build(r, &s);
    if (rc) {
        sbom_release(&s);
        return rc;
    }
    struct ic_json j;
    ic_json_init(&j, out, 1);
    ic_json_object_begin(&j);
    ic_json_kv_string(&j, "spdxVersion", "SPDX-2.3");
    ic_json_kv_string(&j, "dataLicense", "CC0-1.0");
    ic_json_kv_string(&j, "SPDXID", "SPDXRef-DOCUMENT");
    char name[512];
    snprintf(name, sizeof(name), "iotcop SBOM of %.400s", s.name);
    ic_json_kv_string(&j, "name", name);
    /* A unique URI for this document; it need not resolve (SPDX 2.3, 6.5). */
    char ns[128];
    snprintf(ns, sizeof(ns), "https://spdx.org/spdxdocs/iotcop-%s", s.uuid);
    ic_json_kv_string(&j, "documentNamespace", ns);
    ic_json_key(&j, "creationInfo");
    ic_json_object_begin(&j);
    ic_json_kv_string(&j, "created", s.created);
    ic_json_key(&j, "creators");
    ic_json_array_begin(&j);
    ic_json_string(&j, "Tool: iotcop-" IOTCOP_VERSION);
    ic_json_array_end(&j);
    ic_json_object_end(&j);
    ic_json_key(&j, "documentDescribes");
    ic_json_array_begin(&j);
    ic_json_string(&j, TARGET_ID);
    ic_json_array_end(&j);
    ic_json_key(&j, "packages");
    ic_json_array_begin(&j);
    write_target_package(&s, &j);
    for (size_t i = 0; i < r->component_count; i++)
        write_component_package(&s, i, &j);
    ic_json_array_end(&j);
    write_relationships(&s, &j);
    ic_json_object_end(&j);
    rc = j.error ? j.error : ic_buf_append(out, "\n", 1);
    sbom_release(&s);
    return rc;
}
