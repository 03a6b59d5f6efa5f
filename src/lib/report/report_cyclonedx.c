/* CycloneDX 1.5 JSON: the software found in the image (or named by a
 * device's services), with hashes, identity evidence and occurrences, the
 * library dependencies that could be read, and the known vulnerabilities as
 * VEX. docs/sbom.md describes every choice made here. */
#include "report/report_sbom.h"

#include "core/buf.h"
#include "core/json.h"
#include "iotcop/error.h"

#include <stdio.h>
#include <string.h>

#ifndef IOTCOP_VERSION
#define IOTCOP_VERSION "0.0.0"
#endif

/* The bom-ref of the audited firmware or device, and of component i. */
#define TARGET_REF "target"

static void component_ref(size_t index, char *out, size_t size)
{
    snprintf(out, size, "component-%zu", index + 1);
}

static void write_tools(struct ic_json *j)
{
    ic_json_key(j, "tools");
    ic_json_object_begin(j);
    ic_json_key(j, "components");
    ic_json_array_begin(j);
    ic_json_object_begin(j);
    ic_json_kv_string(j, "type", "application");
    ic_json_kv_string(j, "name", "iotcop");
    ic_json_kv_string(j, "version", IOTCOP_VERSION);
    ic_json_object_end(j);
    ic_json_array_end(j);
    ic_json_object_end(j);
}

static void write_sha256(struct ic_json *j, const char *hex)
{
    ic_json_key(j, "hashes");
    ic_json_array_begin(j);
    ic_json_object_begin(j);
    ic_json_kv_string(j, "alg", "SHA-256");
    ic_json_kv_string(j, "content", hex);
    ic_json_object_end(j);
    ic_json_array_end(j);
}

static void write_property(struct ic_json *j, const char *name, const char *value)
{
    ic_json_object_begin(j);
    ic_json_kv_string(j, "name", name);
    ic_json_kv_string(j, "value", value);
    ic_json_object_end(j);
}

static void write_metadata(const struct sbom *s, struct ic_json *j)
{
    const struct ic_report *r = s->report;
    ic_json_key(j, "metadata");
    ic_json_object_begin(j);
    ic_json_kv_string(j, "timestamp", s->created);
    write_tools(j);
    ic_json_key(j, "component");
    ic_json_object_begin(j);
    ic_json_kv_string(j, "type", r->target.kind == IC_TARGET_DEVICE ? "device" : "firmware");
    ic_json_kv_string(j, "bom-ref", TARGET_REF);
    ic_json_kv_string(j, "name", s->name);
    if (r->target.kind == IC_TARGET_FIRMWARE && r->target.sha256[0])
        write_sha256(j, r->target.sha256);
    ic_json_key(j, "properties");
    ic_json_array_begin(j);
    if (r->target.kind == IC_TARGET_FIRMWARE) {
        write_property(j, "iotcop:path", r->target.path);
        char size[32];
        snprintf(size, sizeof(size), "%llu", (unsigned long long)r->target.size);
        write_property(j, "iotcop:size", size);
    } else if (r->target.hostname) {
        write_property(j, "iotcop:hostname", r->target.hostname);
    }
    ic_json_array_end(j);
    ic_json_object_end(j);
    ic_json_object_end(j);
}

/* Identified from a package database (a manifest) or from the bytes of a
 * binary or script. */
static int from_package_db(const struct ic_component *c)
{
    return c->purl &&
           (strncmp(c->purl, "pkg:deb/", 8) == 0 || strncmp(c->purl, "pkg:opkg/", 9) == 0 ||
            strncmp(c->purl, "pkg:rpm/", 8) == 0);
}

static void write_evidence(const struct ic_component *c, struct ic_json *j)
{
    int manifest = from_package_db(c);
    /* Confidence: a package database names the package and version
     * outright; a version string found in a binary is strong but can be
     * a copy (a vendored library). */
    double confidence = manifest ? 1.0 : 0.8;
    ic_json_key(j, "evidence");
    ic_json_object_begin(j);
    ic_json_key(j, "identity");
    ic_json_object_begin(j);
    ic_json_kv_string(j, "field", c->version ? "version" : "name");
    ic_json_key(j, "confidence");
    ic_json_double(j, confidence, 1);
    ic_json_key(j, "methods");
    ic_json_array_begin(j);
    ic_json_object_begin(j);
    ic_json_kv_string(j, "technique", manifest ? "manifest-analysis" : "binary-analysis");
    ic_json_key(j, "confidence");
    ic_json_double(j, confidence, 1);
    ic_json_kv_string(j, "value", c->evidence && *c->evidence ? c->evidence : "(none recorded)");
    ic_json_object_end(j);
    ic_json_array_end(j);
    ic_json_object_end(j);
    ic_json_key(j, "occurrences");
    ic_json_array_begin(j);
    for (size_t p = 0; c->paths && c->paths[p]; p++) {
        ic_json_object_begin(j);
        ic_json_kv_string(j, "location", c->paths[p]);
        ic_json_object_end(j);
    }
    ic_json_array_end(j);
    ic_json_object_end(j);
}

static void write_components(const struct sbom *s, struct ic_json *j)
{
    const struct ic_report *r = s->report;
    ic_json_key(j, "components");
    ic_json_array_begin(j);
    for (size_t i = 0; i < r->component_count; i++) {
        const struct ic_component *c = &r->components[i];
        char ref[32];
        component_ref(i, ref, sizeof(ref));
        ic_json_object_begin(j);
        /* CycloneDX has no "unknown" type; "library" is its general one. */
        ic_json_kv_string(j, "type", "library");
        ic_json_kv_string(j, "bom-ref", ref);
        ic_json_kv_string(j, "name", c->name);
        if (c->version)
            ic_json_kv_string(j, "version", c->version);
        if (s->components[i].sha256[0])
            write_sha256(j, s->components[i].sha256);
        if (c->cpe && c->cpe[0])
            ic_json_kv_string(j, "cpe", c->cpe[0]);
        if (c->purl)
            ic_json_kv_string(j, "purl", c->purl);
        write_evidence(c, j);
        /* A component known under several CPE names: the rest here; then
         * what is compiled in (busybox applets, kernel options "CONFIG_X=y"). */
        int more_cpe = c->cpe && c->cpe[0] && c->cpe[1];
        if (more_cpe || (c->features && c->features[0])) {
            ic_json_key(j, "properties");
            ic_json_array_begin(j);
            for (size_t k = 1; more_cpe && c->cpe[k]; k++)
                write_property(j, "iotcop:cpe", c->cpe[k]);
            for (size_t k = 0; c->features && c->features[k]; k++)
                write_property(j, "iotcop:feature", c->features[k]);
            ic_json_array_end(j);
        }
        ic_json_object_end(j);
    }
    ic_json_array_end(j);
}

/* The target depends on every component; a component on the components
 * whose libraries its ELF files load. Only what was read is stated. */
static void write_dependencies(const struct sbom *s, struct ic_json *j)
{
    const struct ic_report *r = s->report;
    char ref[32];
    ic_json_key(j, "dependencies");
    ic_json_array_begin(j);
    ic_json_object_begin(j);
    ic_json_kv_string(j, "ref", TARGET_REF);
    ic_json_key(j, "dependsOn");
    ic_json_array_begin(j);
    for (size_t i = 0; i < r->component_count; i++) {
        component_ref(i, ref, sizeof(ref));
        ic_json_string(j, ref);
    }
    ic_json_array_end(j);
    ic_json_object_end(j);
    for (size_t i = 0; i < r->component_count; i++) {
        if (!s->components[i].need_count)
            continue;
        ic_json_object_begin(j);
        component_ref(i, ref, sizeof(ref));
        ic_json_kv_string(j, "ref", ref);
        ic_json_key(j, "dependsOn");
        ic_json_array_begin(j);
        for (size_t k = 0; k < s->components[i].need_count; k++) {
            component_ref(s->components[i].needs[k], ref, sizeof(ref));
            ic_json_string(j, ref);
        }
        ic_json_array_end(j);
        ic_json_object_end(j);
    }
    ic_json_array_end(j);
}

/* CycloneDX severities are ours plus "none" and "unknown". */
static const char *rating_severity(enum ic_severity sev)
{
    const char *name = ic_severity_name(sev);
    return strcmp(name, "unknown") == 0 ? "unknown" : name;
}

static void write_vulnerability(const struct sbom *s, const struct sbom_vulnerability *v,
                                struct ic_json *j)
{
    const struct ic_report *r = s->report;
    const struct ic_finding *first = &r->findings[v->findings[0]];
    int all_suppressed = 1, all_absent = 1;
    for (size_t k = 0; k < v->finding_count; k++) {
        all_suppressed &= r->findings[v->findings[k]].suppressed != 0;
        all_absent &= strcmp(r->findings[v->findings[k]].rule, "vuln.not-applicable") == 0;
    }

    ic_json_object_begin(j);
    ic_json_kv_string(j, "bom-ref", v->cve);
    ic_json_kv_string(j, "id", v->cve);
    ic_json_key(j, "source");
    ic_json_object_begin(j);
    ic_json_kv_string(j, "name", strncmp(v->cve, "CVE-", 4) == 0 ? "NVD" : "iotcop");
    if (strncmp(v->cve, "CVE-", 4) == 0) {
        char url[160];
        snprintf(url, sizeof(url), "https://nvd.nist.gov/vuln/detail/%.120s", v->cve);
        ic_json_kv_string(j, "url", url);
    }
    ic_json_object_end(j);
    ic_json_key(j, "ratings");
    ic_json_array_begin(j);
    ic_json_object_begin(j);
    if (first->has_cvss) {
        ic_json_key(j, "score");
        ic_json_double(j, first->cvss, 1);
    }
    ic_json_kv_string(j, "severity", rating_severity(first->severity));
    ic_json_kv_string(j, "method", "other");
    ic_json_object_end(j);
    ic_json_array_end(j);
    ic_json_kv_string(j, "description", first->title);
    ic_json_kv_string(j, "detail", first->evidence);

    /* VEX: a version match alone is in triage; a CVE in an applet or kernel
     * option that is not compiled in (vuln.not-applicable) is not_affected,
     * code_not_present; a finding suppressed with a justification (baseline,
     * ignore list) is not_affected with that justification. */
    ic_json_key(j, "analysis");
    ic_json_object_begin(j);
    ic_json_kv_string(j, "state", all_suppressed || all_absent ? "not_affected" : "in_triage");
    if (all_absent) {
        /* the applet or kernel option it concerns is not compiled in */
        ic_json_kv_string(j, "justification", "code_not_present");
        ic_json_kv_string(j, "detail", first->evidence);
    } else if (all_suppressed)
        ic_json_kv_string(j, "detail",
                          first->justification ? first->justification
                                               : "suppressed without a justification");
    else
        ic_json_kv_string(j, "detail",
                          "the component's version is in the affected range; "
                          "not analysed further");
    ic_json_object_end(j);

    ic_json_key(j, "affects");
    ic_json_array_begin(j);
    char ref[32];
    for (size_t k = 0; k < v->component_count; k++) {
        component_ref(v->components[k], ref, sizeof(ref));
        ic_json_object_begin(j);
        ic_json_kv_string(j, "ref", ref);
        ic_json_object_end(j);
    }
    if (!v->component_count) {
        ic_json_object_begin(j);
        ic_json_kv_string(j, "ref", TARGET_REF);
        ic_json_object_end(j);
    }
    ic_json_array_end(j);

    ic_json_key(j, "properties");
    ic_json_array_begin(j);
    for (size_t k = 0; k < v->finding_count; k++)
        write_property(j, "iotcop:fingerprint", r->findings[v->findings[k]].fingerprint);
    ic_json_array_end(j);
    ic_json_object_end(j);
}

int ic_report_write_cyclonedx(const struct ic_report *r, struct ic_buf *out)
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
    ic_json_kv_string(&j, "bomFormat", "CycloneDX");
    ic_json_kv_string(&j, "specVersion", "1.5");
    char serial[48];
    snprintf(serial, sizeof(serial), "urn:uuid:%s", s.uuid);
    ic_json_kv_string(&j, "serialNumber", serial);
    ic_json_kv_int(&j, "version", 1);
    write_metadata(&s, &j);
    write_components(&s, &j);
    write_dependencies(&s, &j);
    ic_json_key(&j, "vulnerabilities");
    ic_json_array_begin(&j);
    for (size_t i = 0; i < s.vuln_count; i++)
        write_vulnerability(&s, &s.vulns[i], &j);
    ic_json_array_end(&j);
    ic_json_object_end(&j);
    rc = j.error ? j.error : ic_buf_append(out, "\n", 1);
    sbom_release(&s);
    return rc;
}
