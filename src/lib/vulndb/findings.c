/* Known vulnerabilities as report findings (CoP-3; EN 303 645 5.3-8): one
 * finding per CVE that matches a component, with the matched criterion as
 * evidence and the record's CVSS score; KEV entries get their own rule, and
 * CVEs in an applet or kernel option that is not compiled in another
 * (severity info, applicability.c). */
#include "iotcop/error.h"
#include "iotcop/unpack.h"
#include "iotcop/vfs.h"
#include "vulndb/vulndb_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const p_timely[] = {"5.3-8", NULL};

static const struct ic_rule vuln_rules[] = {
    {
        .id = "vuln.known-cve",
        .title = "Component with a known vulnerability",
        .severity = IC_SEVERITY_MEDIUM,
        .guideline = "CoP-3",
        .provisions = p_timely,
        .rationale = "A software component in the device is at a version that a published CVE "
                     "record (NVD or OSV) lists as vulnerable. Unless a fix was backported, the "
                     "device ships a known flaw for which a security update exists or is due.",
        .fix = "Update the component to a version outside the affected range (or backport the "
               "fix and record it, e.g. as a VEX statement), then ship the update to devices.",
    },
    {
        .id = "vuln.known-exploited",
        .title = "Component with a known exploited vulnerability",
        .severity = IC_SEVERITY_HIGH,
        .guideline = "CoP-3",
        .provisions = p_timely,
        .rationale = "The matching CVE is in CISA's Known Exploited Vulnerabilities catalogue: "
                     "it is being used in attacks, so an unpatched device is an easy target.",
        .fix = "Treat as urgent: update the component, ship the update, and tell users to "
               "install it.",
    },
    {
        .id = "vuln.not-applicable",
        .title = "Known vulnerability in a feature that is not compiled in",
        .severity = IC_SEVERITY_INFO,
        .guideline = "CoP-3",
        .provisions = p_timely,
        .rationale = "The component's version is in a CVE's affected range, but the CVE concerns "
                     "a busybox applet or a kernel option that this build does not have, so the "
                     "vulnerable code is not in the device. Recorded for the SBOM's VEX "
                     "statement (not_affected, code_not_present).",
        .fix = "Nothing to fix; keep the applet or option out of the build, or update the "
               "component before enabling it.",
    },
};

enum { RULE_KNOWN_CVE, RULE_KNOWN_EXPLOITED, RULE_NOT_APPLICABLE };

const struct ic_rule_set ic_rule_set_vuln = {
    .family = "vuln",
    .rules = vuln_rules,
    .count = sizeof(vuln_rules) / sizeof(vuln_rules[0]),
};

/* The finding's severity: the record's own rating, else from the score,
 * else the rule's; known exploited is at least high. */
static enum ic_severity severity_of(const struct ic_vuln_match *m, const struct ic_rule *rule)
{
    enum ic_severity s = rule->severity;
    if (m->severity[0] && ic_severity_parse(m->severity, &s) == IC_OK) {
        /* NVD's names are the report's, upper-case */
    } else if (strcasecmp(m->severity, "MODERATE") == 0) {
        s = IC_SEVERITY_MEDIUM;
    } else if (strcasecmp(m->severity, "NONE") == 0) {
        s = IC_SEVERITY_INFO;
    } else if (m->has_cvss) {
        s = m->cvss >= 9.0   ? IC_SEVERITY_CRITICAL
            : m->cvss >= 7.0 ? IC_SEVERITY_HIGH
            : m->cvss >= 4.0 ? IC_SEVERITY_MEDIUM
            : m->cvss > 0.0  ? IC_SEVERITY_LOW
                             : IC_SEVERITY_INFO;
    }
    if (m->known_exploited && s < IC_SEVERITY_HIGH)
        s = IC_SEVERITY_HIGH;
    return s;
}

#define MAX_TARGETS 16

int ic_vulndb_add_findings(struct ic_vulndb *db, struct ic_report *report,
                           const struct ic_component *component, struct ic_location location,
                           size_t *added)
{
    if (added)
        *added = 0;
    if (!db || !report || !component)
        return IC_E_INVALID_ARG;
    struct ic_vuln_target targets[MAX_TARGETS];
    char storage[MAX_TARGETS * 3 * IC_CPE_FIELD];
    size_t count =
        ic_vulndb_component_targets(component, targets, MAX_TARGETS, storage, sizeof(storage));
    if (!count)
        return IC_OK;
    struct ic_vuln_match *matches = NULL;
    size_t n = 0;
    int rc = ic_vulndb_match(db, targets, count, &matches, &n);
    if (rc)
        return rc;
    for (size_t i = 0; i < n && !rc; i++) {
        const struct ic_vuln_match *m = &matches[i];
        /* one finding per CVE: the first target that matched it */
        if (i > 0 && strcmp(matches[i - 1].cve, m->cve) == 0)
            continue;
        const struct ic_vuln_target *t = &targets[m->target];
        char reason[3072];
        int absent = vdb_not_applicable(db, component, m->cve, reason, sizeof(reason));
        const struct ic_rule *rule = &vuln_rules[absent               ? RULE_NOT_APPLICABLE
                                                 : m->known_exploited ? RULE_KNOWN_EXPLOITED
                                                                      : RULE_KNOWN_CVE];
        char evidence[4096];
        int len =
            snprintf(evidence, sizeof(evidence), "%s %s (%s:%s) is %s %s: %s",
                     component->name ? component->name : t->product,
                     component->version ? component->version : t->version, t->vendor, t->product,
                     absent ? "in the version range of" : "affected by", m->cve, m->criterion);
        if (m->known_exploited && len > 0 && (size_t)len < sizeof(evidence))
            len += snprintf(evidence + len, sizeof(evidence) - (size_t)len,
                            "; known exploited (CISA KEV, added %s)", m->kev_date_added);
        if (absent && len > 0 && (size_t)len < sizeof(evidence))
            snprintf(evidence + len, sizeof(evidence) - (size_t)len, "; not applicable: %s",
                     reason);
        struct ic_finding f = ic_finding_from_rule(rule, location, evidence);
        f.severity = absent ? IC_SEVERITY_INFO : severity_of(m, rule);
        f.cve = m->cve;
        f.cvss = m->cvss;
        f.has_cvss = m->has_cvss;
        rc = ic_report_add_finding(report, &f, NULL);
        if (rc == IC_OK && added)
            (*added)++;
        if (rc == IC_E_EXISTS)
            rc = IC_OK;
    }
    free(matches);
    return rc;
}

/* Where a component's finding goes: its first path, in the file system
 * that holds it. */
static struct ic_location component_location(const struct ic_report *report,
                                             const struct ic_component *c)
{
    const char *path = c->paths ? c->paths[0] : NULL;
    if (report->target.kind == IC_TARGET_DEVICE)
        return ic_location_device(report->target.address, 0, "tcp", c->name ? c->name : "");
    if (!path)
        return ic_location_raw("0", 0);
    if (strncmp(path, "layer:", 6) == 0)
        return ic_location_raw(path + 6, 0);
    const struct ic_unpack *u = report->unpack;
    for (size_t i = 0; u && i < u->layer_count; i++)
        if (u->layers[i].fs && ic_fs_lookup(u->layers[i].fs, path))
            return ic_location_file(u->layers[i].id, path);
    return ic_location_file("0", path);
}

int ic_vulndb_report(struct ic_vulndb *db, struct ic_report *report, size_t *added)
{
    if (added)
        *added = 0;
    if (!db || !report)
        return IC_E_INVALID_ARG;
    static const struct ic_coverage coverage[] = {{"5.3-8", 0, 1}};
    struct ic_vulndb_info info;
    int rc = ic_vulndb_get_info(db, &info);
    if (!rc)
        rc = ic_report_set_vulndb(report, db->path,
                                  info.last_update[0] ? info.last_update : info.newest_record,
                                  info.records);
    for (size_t i = 0; !rc && i < report->component_count; i++) {
        const struct ic_component *c = &report->components[i];
        size_t n = 0;
        rc = ic_vulndb_add_findings(db, report, c, component_location(report, c), &n);
        if (added)
            *added += n;
    }
    if (!rc)
        rc = ic_report_note_coverage(report, "vuln", coverage, 1);
    return rc;
}
