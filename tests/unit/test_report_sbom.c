/* The CycloneDX and SPDX writers with real content: the bundled sample is
 * unpacked, components are placed on its real mipsel binaries and libraries
 * (dropbear's dbclient, zlib, glibc, OpenSSL's libcrypto, mosquitto_passwd),
 * CVE findings are added (one CVE on two files, one suppressed), and the
 * output is checked by tests/cli/lib/: validate_schema.py against the
 * official CycloneDX 1.5 and SPDX 2.3 schemas, report_compare.py against the
 * JSON report of the same model, against sha256 of the files that
 * `iotcop unpack -C` extracts and against `readelf -d` for the
 * dependencies. Nothing expected is written here. */
#include "testutil.h"

#include "core/buf.h"
#include "iotcop/error.h"
#include "iotcop/report.h"
#include "iotcop/unpack.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

static const char *const vuln_provisions[] = {"5.3-2", NULL};

struct fixture {
    char *image;
    char *dir;
    struct ic_unpack *u;
    const char *layer; /* the root file system's layer id */
};

static int skip_unless_ready(struct fixture *fx)
{
    fx->image = test_fixture_path("sample/firmware.uimage");
    if (!fx->image || !test_exists(fx->image) || !getenv("IOTCOP_SHARED") ||
        !getenv("IOTCOP_SOURCE") || !getenv("IOTCOP_BIN") ||
        system("command -v readelf >/dev/null") != 0 ||
        system("python3 -c 'import jsonschema, referencing' 2>/dev/null") != 0) {
        free(fx->image);
        return 0;
    }
    return 1;
}

static int write_file(const char *path, const struct ic_buf *b)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t w = fwrite(b->data, 1, b->len, f);
    return fclose(f) == 0 && w == b->len ? 0 : -1;
}

/* Runs a shell command; its exit status. */
static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int run(const char *fmt, ...)
{
    char cmd[8192];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    assert_true(n > 0 && (size_t)n < sizeof(cmd));
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : 128;
}

static void add_component(struct ic_report *r, const char *name, const char *version,
                          const char *const *cpe, const char *purl, const char *const *paths,
                          const char *evidence)
{
    struct ic_component c = {.name = name,
                             .version = version,
                             .cpe = cpe,
                             .purl = purl,
                             .paths = paths,
                             .evidence = evidence};
    assert_int_equal(ic_report_add_component(r, &c), IC_OK);
}

static void add_cve(struct ic_report *r, const char *layer, const char *path, const char *cve,
                    double cvss, enum ic_severity sev, const char *justification)
{
    char evidence[256];
    snprintf(evidence, sizeof(evidence), "%s: version in the affected range at %s", cve, path);
    struct ic_finding f = {
        .rule = "vuln.known-cve",
        .severity = sev,
        .title = "Component with a known vulnerability",
        .guideline = "CoP-3",
        .provisions = vuln_provisions,
        .location = ic_location_file(layer, path),
        .evidence = evidence,
        .cve = cve,
        .cvss = cvss,
        .has_cvss = 1,
        .suppressed = justification != NULL,
        .justification = justification,
    };
    int rc = ic_report_add_finding(r, &f, NULL);
    assert_true(rc == IC_OK);
}

static struct ic_report *sample_report(struct fixture *fx)
{
    struct ic_limits limits;
    ic_limits_default(&limits);
    assert_int_equal(ic_unpack_path(fx->image, &limits, &fx->u), IC_OK);
    for (size_t i = 0; i < fx->u->layer_count && !fx->layer; i++)
        if (fx->u->layers[i].fs && ic_fs_lookup(fx->u->layers[i].fs, "/usr/bin/dbclient"))
            fx->layer = fx->u->layers[i].id;
    assert_non_null(fx->layer);

    struct ic_report *r = NULL;
    assert_int_equal(ic_report_for_firmware(fx->image, fx->u, NULL, &r), IC_OK);
    static const char *const dropbear_cpe[] = {
        "cpe:2.3:a:dropbear_ssh_project:dropbear_ssh:2022.83:*:*:*:*:*:*:*", NULL};
    static const char *const dropbear_paths[] = {"/usr/bin/dbclient", "/usr/bin/dropbearkey", NULL};
    static const char *const zlib_cpe[] = {"cpe:2.3:a:zlib:zlib:1.2.13:*:*:*:*:*:*:*", NULL};
    static const char *const zlib_paths[] = {"/lib/mipsel-linux-gnu/libz.so.1.2.13", NULL};
    static const char *const glibc_cpe[] = {"cpe:2.3:a:gnu:glibc:2.36:*:*:*:*:*:*:*", NULL};
    static const char *const glibc_paths[] = {"/lib/mipsel-linux-gnu/libc.so.6",
                                              "/lib/mipsel-linux-gnu/ld.so.1", NULL};
    static const char *const openssl_cpe[] = {"cpe:2.3:a:openssl:openssl:3.0.11:*:*:*:*:*:*:*",
                                              NULL};
    static const char *const openssl_paths[] = {"/usr/lib/mipsel-linux-gnu/libcrypto.so.3", NULL};
    static const char *const mosquitto_cpe[] = {"cpe:2.3:a:eclipse:mosquitto:2.0.11:*:*:*:*:*:*:*",
                                                NULL};
    static const char *const mosquitto_paths[] = {"/usr/bin/mosquitto_passwd", NULL};
    /* Two CPE names; a path that is not in the image (no hash). */
    static const char *const curl_cpe[] = {"cpe:2.3:a:haxx:curl:7.88.1:*:*:*:*:*:*:*",
                                           "cpe:2.3:a:haxx:libcurl:7.88.1:*:*:*:*:*:*:*", NULL};
    static const char *const curl_paths[] = {"/usr/lib/libcurl.so.4", NULL};
    /* Strings from the image are untrusted: quotes, markup, bytes that are not UTF-8. */
    static const char *const odd_paths[] = {"/opt/\"odd\" <dir>/tool\xff", NULL};
    add_component(r, "dropbear", "2022.83", dropbear_cpe, NULL, dropbear_paths,
                  "version string 'dropbear_2022.83' in /usr/bin/dbclient");
    add_component(r, "zlib", "1.2.13", zlib_cpe, NULL, zlib_paths, "deflate 1.2.13 Copyright");
    add_component(r, "glibc", "2.36", glibc_cpe, "pkg:deb/debian/libc6@2.36-9", glibc_paths,
                  "dpkg status: libc6 2.36-9");
    add_component(r, "openssl", "3.0.11", openssl_cpe, NULL, openssl_paths, "OpenSSL 3.0.11");
    add_component(r, "mosquitto", "2.0.11", mosquitto_cpe, NULL, mosquitto_paths,
                  "mosquitto 2.0.11");
    add_component(r, "curl", "7.88.1", curl_cpe, NULL, curl_paths, "libcurl/7.88.1");
    add_component(r, "odd\"<b>name\xc0\xaf", NULL, NULL, NULL, odd_paths,
                  "a 'quoted' \"evidence\"");

    add_cve(r, fx->layer, "/usr/bin/dbclient", "CVE-2023-48795", 5.9, IC_SEVERITY_MEDIUM, NULL);
    add_cve(r, fx->layer, "/usr/bin/dropbearkey", "CVE-2023-48795", 5.9, IC_SEVERITY_MEDIUM, NULL);
    add_cve(r, fx->layer, "/lib/mipsel-linux-gnu/libz.so.1.2.13", "CVE-2022-37434", 9.8,
            IC_SEVERITY_CRITICAL, NULL);
    add_cve(r, fx->layer, "/usr/bin/dbclient", "CVE-2021-36369", 7.5, IC_SEVERITY_HIGH,
            "the client is not built with the affected option");
    /* A CVE no component holds: it affects the firmware as a whole. */
    add_cve(r, fx->layer, "/etc/init.d/S50dropbear", "CVE-2016-7406", 9.8, IC_SEVERITY_CRITICAL,
            NULL);
    assert_int_equal(ic_report_finish(r), IC_OK);
    return r;
}

static void release(struct fixture *fx, struct ic_report *r)
{
    ic_report_free(r);
    ic_unpack_free(fx->u);
    free(fx->image);
    free(fx->dir);
}

static void test_sbom_against_schemas_files_and_readelf(void **state)
{
    (void)state;
    struct fixture fx = {0};
    if (!skip_unless_ready(&fx))
        skip();
    struct ic_report *r = sample_report(&fx);
    fx.dir = test_tmpdir("report_sbom");
    assert_non_null(fx.dir);

    struct ic_buf json = IC_BUF_INIT(64u << 20), cdx = IC_BUF_INIT(64u << 20),
                  spdx = IC_BUF_INIT(64u << 20);
    assert_int_equal(ic_report_write_json(r, 1, &json), IC_OK);
    assert_int_equal(ic_report_write_cyclonedx(r, &cdx), IC_OK);
    assert_int_equal(ic_report_write_spdx(r, &spdx), IC_OK);
    char path[4096];
    snprintf(path, sizeof(path), "%s/report.json", fx.dir);
    assert_int_equal(write_file(path, &json), 0);
    snprintf(path, sizeof(path), "%s/bom.cdx.json", fx.dir);
    assert_int_equal(write_file(path, &cdx), 0);
    snprintf(path, sizeof(path), "%s/bom.spdx.json", fx.dir);
    assert_int_equal(write_file(path, &spdx), 0);

    const char *src = getenv("IOTCOP_SOURCE"), *shared = getenv("IOTCOP_SHARED");
    assert_int_equal(run("python3 '%s/tests/cli/lib/validate_schema.py' '%s/schemas' cyclonedx "
                         "'%s/bom.cdx.json'",
                         src, shared, fx.dir),
                     0);
    assert_int_equal(run("python3 '%s/tests/cli/lib/validate_schema.py' '%s/schemas' spdx "
                         "'%s/bom.spdx.json'",
                         src, shared, fx.dir),
                     0);
    assert_int_equal(run("python3 '%s/tests/cli/lib/report_compare.py' cyclonedx '%s/report.json' "
                         "'%s/bom.cdx.json' %s",
                         src, fx.dir, fx.dir, r->target.sha256),
                     0);
    assert_int_equal(run("python3 '%s/tests/cli/lib/report_compare.py' spdx '%s/report.json' "
                         "'%s/bom.spdx.json' %s",
                         src, fx.dir, fx.dir, r->target.sha256),
                     0);
    assert_int_equal(
        run("'%s' unpack -C '%s/files' '%s' >/dev/null", getenv("IOTCOP_BIN"), fx.dir, fx.image),
        0);
    assert_int_equal(run("python3 '%s/tests/cli/lib/report_compare.py' sbom-files '%s/report.json' "
                         "'%s/bom.cdx.json' '%s/bom.spdx.json' '%s/files' --require-deps",
                         src, fx.dir, fx.dir, fx.dir, fx.dir),
                     0);

    /* The same report gives the same bytes (the document ids included). */
    struct ic_buf again = IC_BUF_INIT(64u << 20);
    assert_int_equal(ic_report_write_cyclonedx(r, &again), IC_OK);
    assert_int_equal(again.len, cdx.len);
    assert_memory_equal(again.data, cdx.data, cdx.len);
    ic_buf_release(&again);
    assert_int_equal(ic_report_write_spdx(r, &again), IC_OK);
    assert_int_equal(again.len, spdx.len);
    assert_memory_equal(again.data, spdx.data, spdx.len);
    ic_buf_release(&again);

    ic_buf_release(&json);
    ic_buf_release(&cdx);
    ic_buf_release(&spdx);
    run("rm -rf '%s'", fx.dir);
    release(&fx, r);
}

/* A buffer too small for the document: the writers stop with the buffer's
 * error instead of writing half a document silently. */
static void test_sbom_small_buffer(void **state)
{
    (void)state;
    struct ic_report *r = NULL;
    assert_int_equal(ic_report_new(&r), IC_OK);
    assert_int_equal(ic_report_set_device_target(r, "192.0.2.7", "cam\"era"), IC_OK);
    static const char *const paths[] = {"/bin/x", NULL};
    add_component(r, "busybox", "1.35.0", NULL, NULL, paths, "BusyBox v1.35.0");
    struct ic_buf out = IC_BUF_INIT(64);
    assert_int_equal(ic_report_write_cyclonedx(r, &out), IC_E_INVALID_ARG); /* not finished */
    assert_int_equal(ic_report_finish(r), IC_OK);
    assert_int_equal(ic_report_write_cyclonedx(r, &out), IC_E_LIMIT_FILE_SIZE);
    ic_buf_release(&out);
    assert_int_equal(ic_report_write_spdx(r, &out), IC_E_LIMIT_FILE_SIZE);
    ic_buf_release(&out);
    /* A device report without an unpack still writes both (no hashes). */
    struct ic_buf big = IC_BUF_INIT(1u << 20);
    assert_int_equal(ic_report_write_cyclonedx(r, &big), IC_OK);
    assert_non_null(strstr((const char *)big.data, "\"type\": \"device\""));
    assert_null(strstr((const char *)big.data, "\"hashes\""));
    ic_buf_release(&big);
    assert_int_equal(ic_report_write_spdx(r, &big), IC_OK);
    assert_non_null(strstr((const char *)big.data, "\"primaryPackagePurpose\": \"DEVICE\""));
    ic_buf_release(&big);
    ic_report_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sbom_against_schemas_files_and_readelf),
        cmocka_unit_test(test_sbom_small_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
