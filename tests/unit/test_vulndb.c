/* The vulnerability store on the real NVD API 2.0 records of
 * ../shared/data/nvd/: import counts, idempotence, every row of the README's
 * expected-match table, updates of a record, KEV, OSV, legacy 1.1 feeds with
 * AND/negate configurations, findings in a report, and bad input. */
#include "testutil.h"

#include "iotcop/error.h"
#include "iotcop/blob.h"
#include "iotcop/report.h"
#include "iotcop/standards.h"
#include "iotcop/unpack.h"
#include "iotcop/vfs.h"
#include "iotcop/vulndb.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char *nvd_dir;

static struct ic_vulndb *fresh_store(const char *name)
{
    char *dir = test_tmpdir(name);
    assert_non_null(dir);
    char path[4096];
    snprintf(path, sizeof(path), "%s/store.sqlite", dir);
    free(dir);
    unlink(path);
    struct ic_vulndb *db = NULL;
    char detail[256];
    assert_int_equal(ic_vulndb_open(path, IC_VULNDB_WRITE, &db, detail, sizeof(detail)), IC_OK);
    return db;
}

static void import_pages(struct ic_vulndb *db, struct ic_vulndb_import_stats *s1,
                         struct ic_vulndb_import_stats *s2)
{
    char path[4096], detail[256];
    snprintf(path, sizeof(path), "%s/nvd-cve-2.0-page1.json", nvd_dir);
    assert_int_equal(ic_vulndb_import_file(db, path, s1, detail, sizeof(detail)), IC_OK);
    snprintf(path, sizeof(path), "%s/nvd-cve-2.0-page2.json", nvd_dir);
    assert_int_equal(ic_vulndb_import_file(db, path, s2, detail, sizeof(detail)), IC_OK);
}

static struct ic_vulndb *real_store(const char *name)
{
    struct ic_vulndb *db = fresh_store(name);
    struct ic_vulndb_import_stats s1, s2;
    import_pages(db, &s1, &s2);
    return db;
}

static int setup(void **state)
{
    (void)state;
    nvd_dir = test_shared_path("data/nvd");
    if (!nvd_dir || !test_exists(nvd_dir)) {
        free(nvd_dir);
        nvd_dir = NULL;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(nvd_dir);
    return 0;
}

#define NEED_DATA()                                                                                \
    do {                                                                                           \
        if (!nvd_dir)                                                                              \
            skip();                                                                                \
    } while (0)

/* The README: 68 records in two pages of 34, two of them REJECTED. */
static void test_import_counts(void **state)
{
    (void)state;
    NEED_DATA();
    struct ic_vulndb *db = fresh_store("vulndb-counts");
    struct ic_vulndb_import_stats s1, s2;
    import_pages(db, &s1, &s2);
    assert_string_equal(s1.format, "nvd-2.0");
    assert_true(s1.has_page);
    assert_int_equal(s1.start_index, 0);
    assert_int_equal(s1.results_per_page, 34);
    assert_int_equal(s1.total_results, 68);
    assert_int_equal(s2.start_index, 34);
    assert_string_equal(s2.timestamp, "2026-11-28T02:22:23.000");
    assert_int_equal(s1.records + s2.records, 68);
    assert_int_equal(s1.rejected + s2.rejected, 2);
    assert_int_equal(s1.invalid + s2.invalid, 0);
    struct ic_vulndb_info info;
    assert_int_equal(ic_vulndb_get_info(db, &info), IC_OK);
    assert_int_equal(info.records, 68);
    assert_int_equal(info.rejected, 2);
    assert_int_equal(info.criteria, s1.criteria + s2.criteria);
    assert_true(info.criteria > 100);
    assert_string_equal(info.last_update, "");
    assert_true(strncmp(info.newest_record, "2026-", 5) == 0);

    /* importing again changes nothing */
    struct ic_vulndb_import_stats r1, r2;
    import_pages(db, &r1, &r2);
    struct ic_vulndb_info again;
    assert_int_equal(ic_vulndb_get_info(db, &again), IC_OK);
    assert_int_equal(again.records, 68);
    assert_int_equal(again.criteria, info.criteria);
    assert_string_equal(again.newest_record, info.newest_record);
    ic_vulndb_close(db);
}

/* ---- the expected-match table ---------------------------------------------- */

static size_t split_cves(char *list, char **out, size_t max)
{
    size_t n = 0;
    for (char *tok = strtok(list, ", "); tok && n < max; tok = strtok(NULL, ", "))
        if (strncmp(tok, "CVE-", 4) == 0)
            out[n++] = tok;
    return n;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '`')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '`'))
        s[--n] = '\0';
    return s;
}

static int in_list(char **list, size_t n, const char *cve)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i], cve) == 0)
            return 1;
    return 0;
}

/* Every row of "Expected matches": the matched set equals MUST exactly
 * (MUST NOT and every other product's CVE stay out). */
static void test_expected_table(void **state)
{
    (void)state;
    NEED_DATA();
    struct ic_vulndb *db = real_store("vulndb-table");
    char path[4096];
    snprintf(path, sizeof(path), "%s/README.md", nvd_dir);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[4096];
    int in_table = 0;
    unsigned rows = 0, must_total = 0;
    while (fgets(line, sizeof(line), f)) {
        if (strncmp(line, "## Expected matches", 19) == 0) {
            in_table = 1;
            continue;
        }
        if (in_table && strncmp(line, "## ", 3) == 0)
            break;
        if (!in_table || strncmp(line, "| ", 2) != 0 || !strchr(line, '`'))
            continue;
        char *cols[8];
        size_t nc = 0;
        char *p = line + 1;
        while (nc < 8) {
            char *bar = strchr(p, '|');
            if (!bar)
                break;
            *bar = '\0';
            cols[nc++] = trim(p);
            p = bar + 1;
        }
        assert_true(nc >= 7);
        if (cols[0][0] < '0' || cols[0][0] > '9')
            continue; /* the header row */
        char *vp = cols[1], *colon = strchr(vp, ':');
        assert_non_null(colon);
        *colon = '\0';
        struct ic_vuln_target t = {vp, colon + 1, cols[2], cols[3]};
        char *must[32], *must_not[32];
        size_t nm = split_cves(cols[4], must, 32);
        size_t nn = split_cves(cols[5], must_not, 32);
        struct ic_vuln_match *m = NULL;
        size_t n = 0;
        assert_int_equal(ic_vulndb_match(db, &t, 1, &m, &n), IC_OK);
        for (size_t i = 0; i < nm; i++) {
            int found = 0;
            for (size_t k = 0; k < n; k++)
                found |= strcmp(m[k].cve, must[i]) == 0;
            if (!found)
                fail_msg("row %s %s:%s %s %s: %s did not match", cols[0], t.vendor, t.product,
                         t.version, t.update, must[i]);
        }
        for (size_t k = 0; k < n; k++) {
            if (in_list(must_not, nn, m[k].cve))
                fail_msg("row %s %s:%s %s %s: %s (MUST NOT) matched via %s", cols[0], t.vendor,
                         t.product, t.version, t.update, m[k].cve, m[k].criterion);
            if (!in_list(must, nm, m[k].cve))
                fail_msg("row %s %s:%s %s %s: unexpected %s via %s", cols[0], t.vendor, t.product,
                         t.version, t.update, m[k].cve, m[k].criterion);
            assert_int_equal(m[k].target, 0);
            assert_true(strncmp(m[k].criterion, "cpe:2.3:", 8) == 0);
        }
        /* each CVE once, though several criteria may match (row 73) */
        for (size_t k = 1; k < n; k++)
            assert_true(strcmp(m[k - 1].cve, m[k].cve) != 0);
        must_total += (unsigned)nm;
        free(m);
        rows++;
    }
    fclose(f);
    assert_int_equal(rows, 111); /* the README says 111 target CPEs */
    assert_true(must_total > 100);
    ic_vulndb_close(db);
}

/* Versions as binaries print them reach the criteria in NVD's form. */
static void test_component_forms(void **state)
{
    (void)state;
    NEED_DATA();
    struct ic_vulndb *db = real_store("vulndb-forms");
    struct {
        const char *vendor, *product, *version;
        const char *expected; /* the README row it must agree with */
    } cases[] = {
        {"openbsd", "openssh", "9.2p1", "CVE-2023-28531 CVE-2023-38408 CVE-2024-6387"},
        {"openbsd", "openssh", "4.4p1", "CVE-2023-38408"},
        {"ntp", "ntp", "4.2.8p12", "CVE-2019-8936"},
        {"denx", "u-boot", "2019.07-rc4", "CVE-2019-13103"},
        {"linux", "linux_kernel", "6.8-rc1", "CVE-2024-1086"},
        {"openssl", "openssl", "1.0.2k", "CVE-2019-1551 CVE-2022-2068 CVE-2023-0286"},
        {"dropbear_ssh_project", "dropbear_ssh", "2019.78", "CVE-2020-36254 CVE-2021-36369"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ic_vuln_target t = {cases[i].vendor, cases[i].product, cases[i].version, NULL};
        struct ic_vuln_match *m = NULL;
        size_t n = 0;
        assert_int_equal(ic_vulndb_match(db, &t, 1, &m, &n), IC_OK);
        char got[512] = "";
        for (size_t k = 0; k < n; k++)
            snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s", k ? " " : "", m[k].cve);
        if (strcmp(got, cases[i].expected) != 0)
            fail_msg("%s %s: got '%s', expected '%s'", cases[i].product, cases[i].version, got,
                     cases[i].expected);
        free(m);
    }
    ic_vulndb_close(db);
}

/* CVSS from the record: v3.1 (NVD's own) first; v2 only when nothing newer. */
static void test_scores(void **state)
{
    (void)state;
    NEED_DATA();
    struct ic_vulndb *db = real_store("vulndb-scores");
    struct ic_vuln_target ssh = {"openbsd", "openssh", "9.2", "p1"};
    struct ic_vuln_match *m = NULL;
    size_t n = 0;
    assert_int_equal(ic_vulndb_match(db, &ssh, 1, &m, &n), IC_OK);
    assert_int_equal(n, 3);
    assert_string_equal(m[2].cve, "CVE-2024-6387");
    assert_true(m[2].has_cvss);
    assert_string_equal(m[2].cvss_version, "3.1");
    assert_true(m[2].cvss == 8.1);
    assert_string_equal(m[2].severity, "HIGH");
    assert_false(m[2].known_exploited);
    free(m);
    /* CVE-2011-2523 (vsftpd 2.3.4) */
    struct ic_vuln_target ftp = {"vsftpd_project", "vsftpd", "2.3.4", NULL};
    assert_int_equal(ic_vulndb_match(db, &ftp, 1, &m, &n), IC_OK);
    assert_int_equal(n, 1);
    assert_true(m[0].has_cvss);
    assert_string_equal(m[0].cvss_version, "3.1");
    assert_true(m[0].cvss == 9.8);
    free(m);
    ic_vulndb_close(db);
}

static int import_text(struct ic_vulndb *db, const char *json, struct ic_vulndb_import_stats *s)
{
    char detail[256];
    return ic_vulndb_import_memory(db, json, strlen(json), s, detail, sizeof(detail));
}

static size_t count_matches(struct ic_vulndb *db, const struct ic_vuln_target *t, size_t n_targets,
                            const char *cve)
{
    struct ic_vuln_match *m = NULL;
    size_t n = 0, hits = 0;
    assert_int_equal(ic_vulndb_match(db, t, n_targets, &m, &n), IC_OK);
    for (size_t i = 0; i < n; i++)
        hits += !cve || strcmp(m[i].cve, cve) == 0;
    free(m);
    return hits;
}

#define RECORD(id, modified, crit)                                                                 \
    "{\"resultsPerPage\":1,\"startIndex\":0,\"totalResults\":1,\"format\":\"NVD_CVE\","            \
    "\"version\":\"2.0\",\"timestamp\":\"2026-01-01T00:00:00.000\",\"vulnerabilities\":[{\"cve\":" \
    "{\"id\":\"" id "\",\"published\":\"2020-01-01T00:00:00.000\",\"lastModified\":\"" modified    \
    "\",\"vulnStatus\":\"Analyzed\",\"descriptions\":[{\"lang\":\"en\",\"value\":\"test\"}],"      \
    "\"configurations\":[{\"nodes\":[{\"operator\":\"OR\",\"negate\":false,\"cpeMatch\":[{"        \
    "\"vulnerable\":true,\"criteria\":\"cpe:2.3:a:example:widget:*:*:*:*:*:*:*:*\"," crit          \
    "\"matchCriteriaId\":\"X\"}]}]}]}}]}"

/* A newer copy replaces the record's criteria; an older one is ignored. */
static void test_record_updates(void **state)
{
    (void)state;
    struct ic_vulndb *db = fresh_store("vulndb-updates");
    struct ic_vulndb_import_stats s;
    struct ic_vuln_target t = {"example", "widget", "1.5", NULL};
    assert_int_equal(import_text(db,
                                 RECORD("CVE-2020-0001", "2021-01-01T00:00:00.000",
                                        "\"versionEndExcluding\":\"2.0\","),
                                 &s),
                     IC_OK);
    assert_int_equal(s.records, 1);
    assert_int_equal(count_matches(db, &t, 1, "CVE-2020-0001"), 1);
    /* newer: the range now ends before 1.5 */
    assert_int_equal(import_text(db,
                                 RECORD("CVE-2020-0001", "2022-01-01T00:00:00.000",
                                        "\"versionEndExcluding\":\"1.2\","),
                                 &s),
                     IC_OK);
    assert_int_equal(s.records, 1);
    assert_int_equal(count_matches(db, &t, 1, "CVE-2020-0001"), 0);
    /* older: ignored */
    assert_int_equal(import_text(db,
                                 RECORD("CVE-2020-0001", "2021-06-01T00:00:00.000",
                                        "\"versionEndExcluding\":\"2.0\","),
                                 &s),
                     IC_OK);
    assert_int_equal(s.unchanged, 1);
    assert_int_equal(s.records, 0);
    assert_int_equal(count_matches(db, &t, 1, "CVE-2020-0001"), 0);
    struct ic_vulndb_info info;
    assert_int_equal(ic_vulndb_get_info(db, &info), IC_OK);
    assert_int_equal(info.records, 1);
    assert_int_equal(info.criteria, 1);
    ic_vulndb_close(db);
}

/* KEV entries mark matches as known exploited; findings carry it. */
static void test_kev_and_findings(void **state)
{
    (void)state;
    NEED_DATA();
    struct ic_vulndb *db = real_store("vulndb-kev");
    static const char kev[] =
        "{\"title\":\"test catalogue\",\"catalogVersion\":\"2026.01.01\","
        "\"dateReleased\":\"2026-01-01T00:00:00.000Z\",\"count\":2,\"vulnerabilities\":["
        "{\"cveID\":\"CVE-2024-6387\",\"vendorProject\":\"OpenBSD\",\"product\":\"OpenSSH\","
        "\"vulnerabilityName\":\"test entry\",\"dateAdded\":\"2026-01-02\","
        "\"shortDescription\":\"x\",\"requiredAction\":\"y\",\"dueDate\":\"2026-01-23\","
        "\"knownRansomwareCampaignUse\":\"Unknown\",\"notes\":\"\",\"cwes\":[\"CWE-364\"]},"
        "{\"cveID\":\"CVE-2099-0001\",\"vendorProject\":\"x\",\"product\":\"y\","
        "\"vulnerabilityName\":\"z\",\"dateAdded\":\"2026-01-03\",\"shortDescription\":\"\","
        "\"requiredAction\":\"\",\"dueDate\":\"2026-01-24\"}]}";
    struct ic_vulndb_import_stats s;
    assert_int_equal(import_text(db, kev, &s), IC_OK);
    assert_string_equal(s.format, "kev");
    assert_int_equal(s.kev, 2);
    assert_int_equal(import_text(db, kev, &s), IC_OK); /* again: still two */
    struct ic_vulndb_info info;
    assert_int_equal(ic_vulndb_get_info(db, &info), IC_OK);
    assert_int_equal(info.kev, 2);

    struct ic_report *r = NULL;
    assert_int_equal(ic_report_new(&r), IC_OK);
    const char *cpe[] = {"cpe:2.3:a:openbsd:openssh:*:*:*:*:*:*:*:*", NULL};
    const char *paths[] = {"/usr/sbin/sshd", NULL};
    struct ic_component c = {.name = "openssh", .version = "9.2p1", .cpe = cpe, .paths = paths};
    size_t added = 0;
    assert_int_equal(
        ic_vulndb_add_findings(db, r, &c, ic_location_file("0.1", "/usr/sbin/sshd"), &added),
        IC_OK);
    assert_int_equal(added, 3);
    assert_int_equal(r->finding_count, 3);
    int kev_seen = 0;
    for (size_t i = 0; i < r->finding_count; i++) {
        const struct ic_finding *f = &r->findings[i];
        assert_non_null(f->cve);
        assert_string_equal(f->guideline, "CoP-3");
        assert_string_equal(f->provisions[0], "5.3-8");
        assert_true(f->has_cvss);
        assert_non_null(strstr(f->evidence, f->cve));
        assert_non_null(strstr(f->evidence, "9.2p1"));
        if (strcmp(f->cve, "CVE-2024-6387") == 0) {
            kev_seen = 1;
            assert_string_equal(f->rule, "vuln.known-exploited");
            assert_int_equal(f->severity, IC_SEVERITY_HIGH);
            assert_non_null(strstr(f->evidence, "CISA KEV"));
        } else {
            assert_string_equal(f->rule, "vuln.known-cve");
            assert_int_equal(f->severity, IC_SEVERITY_CRITICAL); /* both are 9.8 in the records */
        }
    }
    assert_true(kev_seen);
    /* the same again adds nothing (same fingerprints) */
    assert_int_equal(
        ic_vulndb_add_findings(db, r, &c, ic_location_file("0.1", "/usr/sbin/sshd"), &added),
        IC_OK);
    assert_int_equal(added, 0);
    /* a component without a version or CPE names has no targets */
    struct ic_component bare = {.name = "openssh", .cpe = cpe};
    assert_int_equal(ic_vulndb_add_findings(db, r, &bare, ic_location_file("0.1", "/x"), &added),
                     IC_OK);
    assert_int_equal(added, 0);
    assert_int_equal(ic_report_finish(r), IC_OK);
    ic_report_free(r);
    ic_vulndb_close(db);
}

/* The rule and evidence of the finding for cve in r, or NULL. */
static const struct ic_finding *finding_of(const struct ic_report *r, const char *cve)
{
    for (size_t i = 0; i < r->finding_count; i++)
        if (r->findings[i].cve && strcmp(r->findings[i].cve, cve) == 0)
            return &r->findings[i];
    return NULL;
}

static const struct ic_finding *add_for(struct ic_vulndb *db, struct ic_report **r,
                                        const struct ic_component *c, const char *cve)
{
    ic_report_free(*r);
    *r = NULL;
    assert_int_equal(ic_report_new(r), IC_OK);
    assert_int_equal(ic_vulndb_add_findings(db, *r, c, ic_location_file("0.1", "/bin/x"), NULL),
                     IC_OK);
    return finding_of(*r, cve);
}

/* A CVE in an applet or kernel option that is not compiled in is
 * vuln.not-applicable (info) with the reason; one that is, or a component
 * whose features were not read, stays vuln.known-cve. */
static void test_not_applicable(void **state)
{
    (void)state;
    NEED_DATA();
    struct ic_vulndb *db = real_store("vulndb-not-applicable");
    struct ic_report *r = NULL;
    const char *busybox_cpe[] = {"cpe:2.3:a:busybox:busybox:1.14.1:-:*:*:*:*:*:*", NULL};
    /* the applets of the real BusyBox 1.14.1 in binwalk's legacy firmware.squashfs, in part */
    const char *applets[] = {"[", "arp", "ls", "msh", "netstat", "ping", "sh", NULL};
    struct ic_component bb = {
        .name = "busybox", .version = "1.14.1", .cpe = busybox_cpe, .features = applets};
    const struct ic_finding *f = add_for(db, &r, &bb, "CVE-2016-2148");
    assert_non_null(f);
    assert_string_equal(f->rule, "vuln.not-applicable");
    assert_int_equal(f->severity, IC_SEVERITY_INFO);
    assert_string_equal(f->guideline, "CoP-3");
    assert_true(f->has_cvss);
    assert_non_null(strstr(f->evidence, "udhcpc"));
    assert_non_null(strstr(f->evidence, "its 7 applets: [ arp ls msh netstat ping sh"));
    assert_non_null(strstr(f->evidence, "<= 1.24.2"));
    f = finding_of(r, "CVE-2022-28391"); /* netstat is there */
    assert_non_null(f);
    assert_string_equal(f->rule, "vuln.known-cve");
    f = finding_of(r, "CVE-2022-48174"); /* sh may be ash: kept */
    assert_non_null(f);
    assert_string_equal(f->rule, "vuln.known-cve");
    assert_int_equal(ic_report_finish(r), IC_OK);
    /* features not read: nothing is not applicable */
    struct ic_component unread = {.name = "busybox", .version = "1.14.1", .cpe = busybox_cpe};
    f = add_for(db, &r, &unread, "CVE-2016-2148");
    assert_non_null(f);
    assert_string_equal(f->rule, "vuln.known-cve");

    const char *kernel_cpe[] = {"cpe:2.3:o:linux:linux_kernel:4.14.230:-:*:*:*:*:*:*", NULL};
    const char *options[] = {"CONFIG_NETFILTER=y", "CONFIG_NETFILTER_XTABLES=m",
                             "CONFIG_NF_TABLES_INET=y", NULL};
    struct ic_component k = {
        .name = "linux", .version = "4.14.230", .cpe = kernel_cpe, .features = options};
    f = add_for(db, &r, &k, "CVE-2024-1086");
    assert_non_null(f);
    assert_string_equal(f->rule, "vuln.not-applicable");
    assert_non_null(strstr(f->evidence, "CONFIG_NF_TABLES is not set"));
    f = finding_of(r, "CVE-2021-22555"); /* =m is compiled in */
    assert_non_null(f);
    assert_string_equal(f->rule, "vuln.known-cve");

    /* a record not in data/cve-features.json that names "the X applet" */
    static const char ftpd[] =
        "{\"resultsPerPage\":1,\"startIndex\":0,\"totalResults\":1,\"format\":\"NVD_CVE\","
        "\"version\":\"2.0\",\"timestamp\":\"2026-01-01T00:00:00.000\",\"vulnerabilities\":[{"
        "\"cve\":{\"id\":\"CVE-2099-0002\",\"published\":\"2020-01-01T00:00:00.000\","
        "\"lastModified\":\"2021-01-01T00:00:00.000\",\"vulnStatus\":\"Analyzed\","
        "\"descriptions\":[{\"lang\":\"en\",\"value\":\"A flaw in the ftpd applet of BusyBox "
        "lets remote users read files.\"}],\"configurations\":[{\"nodes\":[{\"operator\":"
        "\"OR\",\"negate\":false,\"cpeMatch\":[{\"vulnerable\":true,\"criteria\":"
        "\"cpe:2.3:a:busybox:busybox:*:*:*:*:*:*:*:*\",\"versionEndIncluding\":\"1.20\","
        "\"matchCriteriaId\":\"X\"}]}]}]}}]}";
    struct ic_vulndb_import_stats s;
    assert_int_equal(import_text(db, ftpd, &s), IC_OK);
    f = add_for(db, &r, &bb, "CVE-2099-0002");
    assert_non_null(f);
    assert_string_equal(f->rule, "vuln.not-applicable");
    assert_non_null(strstr(f->evidence, "the applet ftpd is not compiled into busybox"));
    const char *with_ftpd[] = {"ftpd", "sh", NULL};
    bb.features = with_ftpd;
    f = add_for(db, &r, &bb, "CVE-2099-0002");
    assert_non_null(f);
    assert_string_equal(f->rule, "vuln.known-cve");
    ic_report_free(r);
    ic_vulndb_close(db);
}

/* Targets from a component's CPE names: the CPE's version wins; update kept. */
static void test_component_targets(void **state)
{
    (void)state;
    const char *cpe[] = {"cpe:2.3:a:haxx:curl:*:*:*:*:*:*:*:*",
                         "cpe:2.3:a:haxx:libcurl:7.88.1:*:*:*:*:*:*:*",
                         "cpe:2.3:a:openbsd:openssh:9.2:p1:*:*:*:*:*:*", "garbage", NULL};
    struct ic_component c = {.name = "curl", .version = "7.88.1", .cpe = cpe};
    struct ic_vuln_target t[8];
    char storage[2048];
    size_t n = ic_vulndb_component_targets(&c, t, 8, storage, sizeof(storage));
    assert_int_equal(n, 3);
    assert_string_equal(t[0].product, "curl");
    assert_string_equal(t[0].version, "7.88.1");
    assert_null(t[0].update);
    assert_string_equal(t[1].product, "libcurl");
    assert_string_equal(t[2].version, "9.2");
    assert_string_equal(t[2].update, "p1");
    assert_int_equal(ic_vulndb_component_targets(&c, t, 1, storage, sizeof(storage)), 1);
    assert_int_equal(ic_vulndb_component_targets(&c, t, 8, storage, 8), 0); /* no room */
}

/* OSV: ECOSYSTEM ranges and versions, GIT ranges ignored, withdrawn skipped. */
static void test_osv(void **state)
{
    (void)state;
    struct ic_vulndb *db = fresh_store("vulndb-osv");
    static const char osv[] =
        "[{\"schema_version\":\"1.6.0\",\"id\":\"TEST-2024-1\",\"modified\":\"2024-02-01T00:00:"
        "00Z\","
        "\"aliases\":[\"GHSA-xxxx\",\"CVE-2024-9999\"],\"summary\":\"test\","
        "\"affected\":[{\"ranges\":[{\"type\":\"GIT\",\"repo\":\"r\",\"events\":[{\"introduced\":"
        "\"0\"},{\"fixed\":\"abc\"}]},{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"},"
        "{\"fixed\":\"1:1.35.0-4\"},{\"introduced\":\"1:1.36.0\"},{\"last_affected\":\"1:1.36.1\"}]"
        "}],"
        "\"versions\":[\"0.9\"],\"package\":{\"ecosystem\":\"Debian:12\",\"name\":\"busybox\"}}],"
        "\"database_specific\":{\"severity\":\"MODERATE\"}},"
        "{\"id\":\"TEST-2024-2\",\"modified\":\"2024-02-01T00:00:00Z\",\"withdrawn\":"
        "\"2024-03-01T00:00:00Z\",\"affected\":[{\"package\":{\"ecosystem\":\"Debian:12\","
        "\"name\":\"busybox\"},\"versions\":[\"1:1.35.0-1\"]}]}]";
    struct ic_vulndb_import_stats s;
    assert_int_equal(import_text(db, osv, &s), IC_OK);
    assert_string_equal(s.format, "osv");
    assert_int_equal(s.records, 2);
    assert_int_equal(s.rejected, 1);
    assert_int_equal(s.criteria, 3); /* two ECOSYSTEM ranges and one version */
    struct ic_vuln_target t = {"osv:Debian:12", "busybox", "1:1.35.0-1", "-"};
    struct ic_vuln_match *m = NULL;
    size_t n = 0;
    assert_int_equal(ic_vulndb_match(db, &t, 1, &m, &n), IC_OK);
    assert_int_equal(n, 1);
    assert_string_equal(m[0].cve, "CVE-2024-9999");
    assert_string_equal(m[0].record, "TEST-2024-1");
    assert_string_equal(m[0].severity, "MODERATE");
    free(m);
    struct ic_vuln_target fixed = {"osv:Debian:12", "busybox", "1:1.35.0-4", "-"};
    assert_int_equal(count_matches(db, &fixed, 1, NULL), 0);
    struct ic_vuln_target later = {"osv:Debian:12", "busybox", "1:1.36.1", "-"};
    assert_int_equal(count_matches(db, &later, 1, NULL), 1);
    struct ic_vuln_target listed = {"osv:Debian:12", "busybox", "0.9", "-"};
    assert_int_equal(count_matches(db, &listed, 1, NULL), 1);
    /* one OSV record as a whole file */
    static const char one[] =
        "{\"id\":\"TEST-2024-3\",\"modified\":\"2024-02-01T00:00:00Z\",\"affected\":[{"
        "\"package\":{\"ecosystem\":\"Alpine:v3.19\",\"name\":\"zlib\"},\"ranges\":[{\"type\":"
        "\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"},{\"fixed\":\"1.3-r0\"}]}]}]}";
    assert_int_equal(import_text(db, one, &s), IC_OK);
    assert_int_equal(s.records, 1);
    struct ic_vuln_target z = {"osv:Alpine:v3.19", "zlib", "1.2.13-r1", "-"};
    assert_int_equal(count_matches(db, &z, 1, "TEST-2024-3"), 1);
    ic_vulndb_close(db);
}

/* A legacy 1.1 feed: an AND configuration with a platform node, and a
 * negated node. */
static void test_feed11_and_platforms(void **state)
{
    (void)state;
    struct ic_vulndb *db = fresh_store("vulndb-feed11");
    static const char feed[] =
        "{\"CVE_data_type\":\"CVE\",\"CVE_data_format\":\"MITRE\",\"CVE_data_version\":\"4.0\","
        "\"CVE_data_numberOfCVEs\":\"2\",\"CVE_data_timestamp\":\"2021-01-01T00:00Z\","
        "\"CVE_Items\":[{\"cve\":{\"data_type\":\"CVE\",\"CVE_data_meta\":{\"ID\":\"CVE-2019-"
        "0001\","
        "\"ASSIGNER\":\"x\"},\"description\":{\"description_data\":[{\"lang\":\"en\",\"value\":"
        "\"test\"}]}},\"configurations\":{\"CVE_data_version\":\"4.0\",\"nodes\":[{\"operator\":"
        "\"AND\",\"children\":[{\"operator\":\"OR\",\"cpe_match\":[{\"vulnerable\":true,"
        "\"cpe23Uri\":\"cpe:2.3:a:example:agent:*:*:*:*:*:*:*:*\",\"versionEndIncluding\":\"3.1\","
        "\"cpe_name\":[]}]},{\"operator\":\"OR\",\"cpe_match\":[{\"vulnerable\":false,\"cpe23Uri\":"
        "\"cpe:2.3:o:example:rtos:-:*:*:*:*:*:*:*\",\"cpe_name\":[]}]}]}]},\"impact\":{"
        "\"baseMetricV3\":{\"cvssV3\":{\"version\":\"3.1\",\"vectorString\":\"CVSS:3.1/AV:N\","
        "\"baseScore\":7.5,\"baseSeverity\":\"HIGH\"}},\"baseMetricV2\":{\"cvssV2\":{\"version\":"
        "\"2.0\",\"baseScore\":5.0},\"severity\":\"MEDIUM\"}},\"publishedDate\":\"2019-01-01T00:"
        "00Z\","
        "\"lastModifiedDate\":\"2019-02-01T00:00Z\"},"
        "{\"cve\":{\"CVE_data_meta\":{\"ID\":\"CVE-2019-0002\"},\"description\":{"
        "\"description_data\":[{\"lang\":\"en\",\"value\":\"test\"}]}},\"configurations\":{"
        "\"nodes\":[{\"operator\":\"AND\",\"children\":[{\"operator\":\"OR\",\"cpe_match\":[{"
        "\"vulnerable\":true,\"cpe23Uri\":\"cpe:2.3:a:example:agent:*:*:*:*:*:*:*:*\"}]},{"
        "\"operator\":\"OR\",\"negate\":true,\"cpe_match\":[{\"vulnerable\":false,\"cpe23Uri\":"
        "\"cpe:2.3:o:example:rtos:-:*:*:*:*:*:*:*\"}]}]}]},\"impact\":{},\"publishedDate\":"
        "\"2019-01-01T00:00Z\",\"lastModifiedDate\":\"2019-02-01T00:00Z\"},"
        "{\"cve\":{\"CVE_data_meta\":{\"ID\":\"CVE-2019-0003\"},\"description\":{"
        "\"description_data\":[{\"lang\":\"en\",\"value\":\"** REJECT ** DO NOT USE\"}]}},"
        "\"configurations\":{\"nodes\":[]},\"impact\":{}}]}";
    struct ic_vulndb_import_stats s;
    assert_int_equal(import_text(db, feed, &s), IC_OK);
    assert_string_equal(s.format, "nvd-1.1");
    assert_int_equal(s.records, 3);
    assert_int_equal(s.rejected, 1);
    struct ic_vuln_target agent = {"example", "agent", "3.0", NULL};
    struct ic_vuln_target both[] = {{"example", "agent", "3.0", NULL},
                                    {"example", "rtos", "-", "-"}};
    /* CVE-2019-0001 needs the platform; CVE-2019-0002 needs its absence */
    assert_int_equal(count_matches(db, &agent, 1, "CVE-2019-0001"), 0);
    assert_int_equal(count_matches(db, both, 2, "CVE-2019-0001"), 1);
    assert_int_equal(count_matches(db, &agent, 1, "CVE-2019-0002"), 1);
    assert_int_equal(count_matches(db, both, 2, "CVE-2019-0002"), 0);
    struct ic_vuln_match *m = NULL;
    size_t n = 0;
    assert_int_equal(ic_vulndb_match(db, both, 2, &m, &n), IC_OK);
    assert_int_equal(n, 1);
    assert_int_equal(m[0].target, 0); /* attributed to the vulnerable component, not the platform */
    assert_true(m[0].cvss == 7.5);
    assert_string_equal(m[0].cvss_version, "3.1");
    free(m);
    struct ic_vuln_target newer = {"example", "agent", "3.2", NULL};
    struct ic_vuln_target newer_both[] = {newer, {"example", "rtos", "-", "-"}};
    assert_int_equal(count_matches(db, newer_both, 2, "CVE-2019-0001"), 0);
    ic_vulndb_close(db);
}

/* Bad input: a clear error, what came before it kept. */
static void test_bad_input(void **state)
{
    (void)state;
    struct ic_vulndb *db = fresh_store("vulndb-bad");
    struct ic_vulndb_import_stats s;
    char detail[256] = "";
    static const char cut[] = RECORD("CVE-2020-0002", "2021-01-01T00:00:00.000", "");
    /* two records, the second cut in the middle */
    char two[4096];
    snprintf(two, sizeof(two), "%.*s,{\"cve\":{\"id\":\"CVE-2020-0003\",\"configurations\":[",
             (int)(strlen(cut) - 2), cut);
    assert_int_equal(ic_vulndb_import_memory(db, two, strlen(two), &s, detail, sizeof(detail)),
                     IC_E_TRUNCATED);
    assert_int_equal(s.records, 1);
    assert_non_null(strstr(detail, "byte"));
    struct ic_vulndb_info info;
    assert_int_equal(ic_vulndb_get_info(db, &info), IC_OK);
    assert_int_equal(info.records, 1);

    assert_int_equal(import_text(db, "{\"hello\":[1,2,3]}", &s), IC_E_UNKNOWN_FORMAT);
    assert_int_equal(import_text(db, "42", &s), IC_E_UNKNOWN_FORMAT);
    assert_int_equal(import_text(db, "{\"vulnerabilities\":[{\"cve\":{}}]}", &s), IC_OK);
    assert_int_equal(s.invalid, 1);
    assert_int_equal(import_text(db, "{\"vulnerabilities\":[{\"cve\":{\"id\":\"CVE-1\"}}]} x", &s),
                     IC_E_FORMAT);
    assert_int_equal(import_text(db, "", &s), IC_E_TRUNCATED);
    assert_int_equal(
        ic_vulndb_import_file(db, "/nonexistent/file.json", &s, detail, sizeof(detail)), IC_E_IO);
    /* types that drift from the schema are skipped, not fatal */
    assert_int_equal(import_text(db,
                                 "{\"vulnerabilities\":[{\"cve\":{\"id\":\"CVE-2020-0004\","
                                 "\"metrics\":[],\"configurations\":{\"nodes\":5},"
                                 "\"descriptions\":\"x\"}}]}",
                                 &s),
                     IC_OK);
    assert_int_equal(s.records, 1);
    ic_vulndb_close(db);

    /* a file that is not a store */
    char *dir = test_tmpdir("vulndb-notdb");
    char path[4096];
    snprintf(path, sizeof(path), "%s/not.sqlite", dir);
    FILE *f = fopen(path, "w");
    fputs("this is not an SQLite database, just text that is long enough to be read", f);
    fclose(f);
    struct ic_vulndb *bad = NULL;
    assert_int_not_equal(ic_vulndb_open(path, IC_VULNDB_READ, &bad, detail, sizeof(detail)), IC_OK);
    assert_null(bad);
    snprintf(path, sizeof(path), "%s/missing.sqlite", dir);
    assert_int_equal(ic_vulndb_open(path, IC_VULNDB_READ, &bad, detail, sizeof(detail)),
                     IC_E_NOT_FOUND);
    free(dir);
}

static void test_default_path(void **state)
{
    (void)state;
    char out[256];
    char *old_xdg = getenv("XDG_DATA_HOME") ? strdup(getenv("XDG_DATA_HOME")) : NULL;
    setenv("XDG_DATA_HOME", "/data/x", 1);
    assert_int_equal(ic_vulndb_default_path(out, sizeof(out)), IC_OK);
    assert_string_equal(out, "/data/x/iotcop/vulndb.sqlite");
    unsetenv("XDG_DATA_HOME");
    char *old_home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
    setenv("HOME", "/home/u", 1);
    assert_int_equal(ic_vulndb_default_path(out, sizeof(out)), IC_OK);
    assert_string_equal(out, "/home/u/.local/share/iotcop/vulndb.sqlite");
    assert_int_equal(ic_vulndb_default_path(out, 8), IC_E_INVALID_ARG);
    unsetenv("HOME");
    assert_int_equal(ic_vulndb_default_path(out, sizeof(out)), IC_E_NOT_FOUND);
    if (old_home)
        setenv("HOME", old_home, 1);
    if (old_xdg)
        setenv("XDG_DATA_HOME", old_xdg, 1);
    free(old_home);
    free(old_xdg);
}

/* ic_vulndb_report: every component of a firmware report, located in the
 * file system layer holding its first path; the run names the store. */
static void test_report_components(void **state)
{
    (void)state;
    NEED_DATA();
    struct ic_vulndb *db = real_store("vulndb-report");
    struct ic_fs *fs = ic_fs_new(100);
    assert_non_null(fs);
    struct ic_blob *blob = NULL;
    assert_int_equal(ic_blob_from_copy("x", 1, &blob), IC_OK);
    struct ic_entry e = {0};
    e.path = "/usr/sbin/dnsmasq";
    e.type = IC_FT_FILE;
    e.mode = 0755;
    e.size = 1;
    e.content = blob;
    assert_int_equal(ic_fs_add(fs, &e), IC_OK);
    ic_blob_unref(blob);
    assert_int_equal(ic_fs_finish(fs), IC_OK);
    struct ic_layer layers[2];
    memset(layers, 0, sizeof(layers));
    layers[0].id = "0";
    layers[0].parent = -1;
    layers[0].format = "input";
    layers[1].id = "0.1";
    layers[1].parent = 0;
    layers[1].format = "squashfs";
    layers[1].fs = fs;
    struct ic_unpack u;
    memset(&u, 0, sizeof(u));
    u.layers = layers;
    u.layer_count = 2;
    struct ic_report *r = NULL;
    assert_int_equal(ic_report_new(&r), IC_OK);
    assert_int_equal(ic_report_set_firmware_target(r, "test.bin", NULL, 0), IC_OK);
    assert_int_equal(ic_report_set_unpack(r, &u), IC_OK);
    const char *dns_cpe[] = {"cpe:2.3:a:thekelleys:dnsmasq:2.89:*:*:*:*:*:*:*", NULL};
    const char *dns_paths[] = {"/usr/sbin/dnsmasq", NULL};
    struct ic_component dns = {.name = "dnsmasq",
                               .version = "2.89",
                               .cpe = dns_cpe,
                               .paths = dns_paths,
                               .evidence = "test"};
    const char *k_cpe[] = {"cpe:2.3:o:linux:linux_kernel:6.1.75:*:*:*:*:*:*:*", NULL};
    const char *k_paths[] = {"layer:0", NULL};
    struct ic_component kernel = {
        .name = "linux", .version = "6.1.75", .cpe = k_cpe, .paths = k_paths, .evidence = "test"};
    assert_int_equal(ic_report_add_component(r, &dns), IC_OK);
    assert_int_equal(ic_report_add_component(r, &kernel), IC_OK);
    size_t added = 0;
    assert_int_equal(ic_vulndb_report(db, r, &added), IC_OK);
    assert_int_equal(added, 2); /* README rows 32 and 88 */
    assert_int_equal(ic_report_finish(r), IC_OK);
    int dns_seen = 0, kernel_seen = 0;
    for (size_t i = 0; i < r->finding_count; i++) {
        const struct ic_finding *f = &r->findings[i];
        if (strcmp(f->cve, "CVE-2023-28450") == 0) {
            dns_seen = 1;
            assert_string_equal(f->location.layer, "0.1");
            assert_string_equal(f->location.path, "/usr/sbin/dnsmasq");
        } else if (strcmp(f->cve, "CVE-2024-1086") == 0) {
            kernel_seen = 1;
            assert_string_equal(f->location.layer, "0");
            assert_null(f->location.path);
        }
    }
    assert_true(dns_seen && kernel_seen);
    assert_non_null(r->run.vulndb_path);
    assert_non_null(strstr(r->run.vulndb_path, "vulndb-report"));
    assert_int_equal(r->run.vulndb_records, 68);
    /* 5.3-8 fails on these findings */
    for (size_t i = 0; ic_provision_at(i); i++)
        if (strcmp(ic_provision_at(i)->id, "5.3-8") == 0)
            assert_int_equal(r->provisions[i].status, IC_STATUS_FAIL);
    ic_report_free(r);
    ic_fs_free(fs);
    ic_vulndb_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_import_counts),        cmocka_unit_test(test_expected_table),
        cmocka_unit_test(test_component_forms),      cmocka_unit_test(test_scores),
        cmocka_unit_test(test_record_updates),       cmocka_unit_test(test_kev_and_findings),
        cmocka_unit_test(test_component_targets),    cmocka_unit_test(test_osv),
        cmocka_unit_test(test_feed11_and_platforms), cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_default_path),         cmocka_unit_test(test_report_components),
        cmocka_unit_test(test_not_applicable),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
