/* The updates and evidence families on trees built in memory: OpenWrt
 * sysupgrade with usign keys, opkg with an http feed, RAUC with a keyring,
 * a vendor wget | mtd write script without verification, no mechanism at
 * all; and the text readers of checks/updates/scan.c. */
#include "testutil.h"

#include "checks/check.h"
#include "checks/updates/scan.h"
#include "iotcop/error.h"
#include "iotcop/report.h"

#include <string.h>

extern const struct ic_check ic_check_updates;
extern const struct ic_check ic_check_evidence;

static void add_file(struct ic_fs *fs, const char *path, const char *text)
{
    struct ic_blob *blob = NULL;
    assert_int_equal(ic_blob_from_copy(text, strlen(text), &blob), IC_OK);
    struct ic_entry e = {0};
    e.path = path;
    e.type = IC_FT_FILE;
    e.mode = 0755;
    e.size = strlen(text);
    e.mtime = 1686355200; /* 2023-06-10 */
    e.content = blob;
    assert_int_equal(ic_fs_add(fs, &e), IC_OK);
    ic_blob_unref(blob);
}

static struct ic_report *run(const struct ic_check *check, struct ic_fs *fs, struct ic_unpack *u,
                             struct ic_layer *layer)
{
    assert_int_equal(ic_fs_finish(fs), IC_OK);
    memset(u, 0, sizeof(*u));
    memset(layer, 0, sizeof(*layer));
    layer->id = "0.1";
    layer->parent = -1;
    layer->format = "squashfs";
    layer->fs = fs;
    u->layers = layer;
    u->layer_count = 1;
    struct ic_report *r = NULL;
    assert_int_equal(ic_report_new(&r), IC_OK);
    assert_int_equal(ic_report_set_firmware_target(r, "test.bin", NULL, 0), IC_OK);
    assert_int_equal(ic_report_set_unpack(r, u), IC_OK);
    struct ic_limits limits;
    ic_limits_default(&limits);
    struct ic_check_options options = {0};
    struct ic_check_ctx ctx = {u, r, &limits, &options, NULL};
    assert_int_equal(check->run(&ctx), IC_OK);
    assert_int_equal(
        ic_report_note_coverage(r, check->name, check->coverage, check->coverage_count), IC_OK);
    assert_int_equal(ic_report_finish(r), IC_OK);
    return r;
}

static size_t count(const struct ic_report *r, const char *rule, const char *path,
                    const char *contains)
{
    size_t n = 0;
    for (size_t i = 0; i < r->finding_count; i++) {
        const struct ic_finding *f = &r->findings[i];
        n += strcmp(f->rule, rule) == 0 &&
             (!path || (f->location.path && strcmp(f->location.path, path) == 0)) &&
             (!contains || strstr(f->evidence, contains));
    }
    return n;
}

static enum ic_status prov(const struct ic_report *r, const char *id)
{
    for (size_t i = 0; ic_provision_at(i); i++)
        if (strcmp(ic_provision_at(i)->id, id) == 0)
            return r->provisions[i].status;
    fail();
    return IC_STATUS_NOT_TESTED;
}

static void test_openwrt_signed(void **state)
{
    (void)state;
    struct ic_fs *fs = ic_fs_new(1000);
    add_file(fs, "/sbin/sysupgrade", "#!/bin/sh\n. /lib/upgrade/common.sh\n");
    add_file(fs, "/usr/bin/usign", "\177ELF");
    add_file(fs, "/bin/opkg", "\177ELF");
    add_file(fs, "/etc/opkg/keys/b5043e70f9a75cde", "untrusted comment: key\nRWS...\n");
    add_file(fs, "/etc/opkg.conf", "dest root /\noption check_signature\n");
    add_file(fs, "/etc/opkg/distfeeds.conf",
             "src/gz openwrt_core https://downloads.openwrt.org/releases/23.05/core\n");
    add_file(fs, "/sbin/firstboot", "#!/bin/sh\n/sbin/jffs2reset $@\n");
    struct ic_unpack u;
    struct ic_layer l;
    struct ic_report *r = run(&ic_check_updates, fs, &u, &l);
    assert_int_equal(count(r, "update.mechanism", "/sbin/sysupgrade", "usign with 1 key"), 1);
    assert_int_equal(count(r, "update.mechanism", "/bin/opkg", "check_signature"), 1);
    assert_int_equal(count(r, "update.no-signature-check", NULL, NULL), 0);
    assert_int_equal(count(r, "update.insecure-transport", NULL, NULL), 0);
    assert_int_equal(count(r, "update.none", NULL, NULL), 0);
    assert_int_equal(count(r, "build.age", NULL, "2023-06-10"), 1);
    assert_int_equal(prov(r, "5.3-10"), IC_STATUS_UNVERIFIED);
    ic_report_free(r);
    r = run(&ic_check_evidence, fs, &u, &l);
    assert_int_equal(count(r, "deletion.factory-reset", "/sbin/firstboot", NULL), 1);
    assert_int_equal(prov(r, "5.11-1"), IC_STATUS_UNVERIFIED);
    ic_report_free(r);
    ic_fs_free(fs);
}

static void test_opkg_http_feed(void **state)
{
    (void)state;
    struct ic_fs *fs = ic_fs_new(1000);
    add_file(fs, "/usr/bin/opkg", "\177ELF");
    add_file(fs, "/etc/opkg.conf", "# feeds\nsrc/gz base http://feeds.vendor.com/base\n");
    struct ic_unpack u;
    struct ic_layer l;
    struct ic_report *r = run(&ic_check_updates, fs, &u, &l);
    assert_int_equal(
        count(r, "update.insecure-transport", "/etc/opkg.conf", "http://feeds.vendor.com/base"), 1);
    assert_int_equal(r->findings[0].location.line, 2);
    assert_int_equal(count(r, "update.no-signature-check", "/usr/bin/opkg", NULL), 1);
    assert_int_equal(prov(r, "5.3-7"), IC_STATUS_FAIL);
    assert_int_equal(prov(r, "5.3-10"), IC_STATUS_FAIL);
    ic_report_free(r);
    ic_fs_free(fs);
}

static void test_rauc_keyring(void **state)
{
    (void)state;
    struct ic_fs *fs = ic_fs_new(1000);
    add_file(fs, "/usr/bin/rauc", "\177ELF");
    add_file(fs, "/etc/rauc/system.conf",
             "[system]\ncompatible=cam\n[keyring]\npath=ca.cert.pem\n");
    add_file(fs, "/etc/rauc/ca.cert.pem", "-----BEGIN CERTIFICATE-----\n");
    struct ic_unpack u;
    struct ic_layer l;
    struct ic_report *r = run(&ic_check_updates, fs, &u, &l);
    assert_int_equal(count(r, "update.mechanism", "/usr/bin/rauc", "keyring /etc/rauc/ca.cert.pem"),
                     1);
    assert_int_equal(count(r, "update.no-signature-check", NULL, NULL), 0);
    ic_report_free(r);
    ic_fs_free(fs);

    /* The keyring named but missing: no verification. */
    fs = ic_fs_new(1000);
    add_file(fs, "/usr/bin/rauc", "\177ELF");
    add_file(fs, "/etc/rauc/system.conf", "[keyring]\npath=/etc/rauc/missing.pem\n");
    r = run(&ic_check_updates, fs, &u, &l);
    assert_int_equal(count(r, "update.no-signature-check", "/usr/bin/rauc", "not in the image"), 1);
    ic_report_free(r);
    ic_fs_free(fs);
}

static void test_vendor_script(void **state)
{
    (void)state;
    struct ic_fs *fs = ic_fs_new(1000);
    add_file(fs, "/usr/sbin/fw_update",
             "#!/bin/sh\nURL=http://fw.vendor.com/cam.bin\n"
             "wget -O /tmp/fw.bin \"$URL\"\nmtd write /tmp/fw.bin firmware\nreboot\n");
    add_file(fs, "/etc/syslog.conf", "*.* @logs.vendor.com\n");
    struct ic_unpack u;
    struct ic_layer l;
    struct ic_report *r = run(&ic_check_updates, fs, &u, &l);
    assert_int_equal(count(r, "update.mechanism", "/usr/sbin/fw_update", "mtd write"), 1);
    assert_int_equal(count(r, "update.insecure-transport", "/usr/sbin/fw_update",
                           "http://fw.vendor.com/cam.bin"),
                     1);
    assert_int_equal(count(r, "update.no-signature-check", "/usr/sbin/fw_update", NULL), 1);
    ic_report_free(r);
    r = run(&ic_check_evidence, fs, &u, &l);
    assert_int_equal(
        count(r, "data.plaintext-endpoint", "/usr/sbin/fw_update", "http://fw.vendor.com/cam.bin"),
        0); /* /usr/sbin is not scanned */
    assert_int_equal(count(r, "telemetry.remote-log", "/etc/syslog.conf", "logs.vendor.com"), 1);
    assert_int_equal(count(r, "deletion.no-factory-reset", NULL, NULL), 1);
    ic_report_free(r);
    ic_fs_free(fs);

    /* The same script verifying a signature first, against a key in the image. */
    static const char verifying[] =
        "#!/bin/sh\nwget -O /tmp/fw.bin https://fw.vendor.com/cam.bin\n"
        "openssl dgst -sha256 -verify /etc/fw.pub -signature /tmp/fw.sig /tmp/fw.bin || exit 1\n"
        "mtd write /tmp/fw.bin firmware\n";
    fs = ic_fs_new(1000);
    add_file(fs, "/usr/sbin/fw_update", verifying);
    add_file(fs, "/etc/fw.pub", "-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n");
    r = run(&ic_check_updates, fs, &u, &l);
    assert_int_equal(count(r, "update.mechanism", "/usr/sbin/fw_update", "openssl dgst"), 1);
    assert_int_equal(count(r, "update.no-signature-check", NULL, NULL), 0);
    assert_int_equal(count(r, "update.insecure-transport", NULL, NULL), 0);
    ic_report_free(r);
    ic_fs_free(fs);

    /* The key it names is not in the image: nothing is verified. */
    fs = ic_fs_new(1000);
    add_file(fs, "/usr/sbin/fw_update", verifying);
    r = run(&ic_check_updates, fs, &u, &l);
    assert_int_equal(count(r, "update.mechanism", "/usr/sbin/fw_update", "signature check: none"),
                     1);
    assert_int_equal(count(r, "update.no-signature-check", "/usr/sbin/fw_update",
                           "verifies against /etc/fw.pub, a key that is not in the image"),
                     1);
    ic_report_free(r);
    ic_fs_free(fs);

    /* usign -P with a key directory that is there; a key path made of
     * variables cannot be judged and counts as a verification. */
    fs = ic_fs_new(1000);
    add_file(fs, "/sbin/fwup",
             "#!/bin/sh\nwget -O /tmp/fw.bin https://fw.vendor.com/update.bin\n"
             "usign -V -m /tmp/fw.bin -P /etc/opkg/keys || exit 1\n"
             "mtd write /tmp/fw.bin firmware\n");
    add_file(fs, "/etc/opkg/keys/b5043e70f9a75cde", "untrusted comment: key\nRWS...\n");
    add_file(
        fs, "/sbin/fwup2",
        "#!/bin/sh\nwget -O /tmp/fw.bin https://fw.vendor.com/update.bin\n"
        "openssl dgst -sha256 -verify \"$KEYDIR/fw.pub\" -signature /tmp/s /tmp/fw.bin || exit\n"
        "mtd write /tmp/fw.bin firmware\n");
    r = run(&ic_check_updates, fs, &u, &l);
    assert_int_equal(count(r, "update.mechanism", "/sbin/fwup", "usign -V"), 1);
    assert_int_equal(count(r, "update.mechanism", "/sbin/fwup2", "openssl dgst"), 1);
    assert_int_equal(count(r, "update.no-signature-check", NULL, NULL), 0);
    ic_report_free(r);
    ic_fs_free(fs);
}

static void test_none(void **state)
{
    (void)state;
    struct ic_fs *fs = ic_fs_new(1000);
    add_file(fs, "/etc/config/app",
             "server http://api.cloud.vendor.com/v1\nlocal http://192.168.1.1/\n");
    struct ic_unpack u;
    struct ic_layer l;
    struct ic_report *r = run(&ic_check_updates, fs, &u, &l);
    assert_int_equal(count(r, "update.none", "/", NULL), 1);
    assert_int_equal(count(r, "update.mechanism", NULL, NULL), 0);
    assert_int_equal(prov(r, "5.3-2"), IC_STATUS_UNVERIFIED);
    ic_report_free(r);
    r = run(&ic_check_evidence, fs, &u, &l);
    assert_int_equal(count(r, "data.plaintext-endpoint", "/etc/config/app", "api.cloud.vendor.com"),
                     1);
    assert_int_equal(count(r, "data.plaintext-endpoint", NULL, "192.168.1.1"), 0);
    assert_int_equal(count(r, "resilience.cloud-dependency", NULL, "1 Internet host"), 1);
    for (size_t i = 0; i < r->finding_count; i++)
        assert_int_equal(r->findings[i].severity, IC_SEVERITY_INFO);
    ic_report_free(r);
    ic_fs_free(fs);
}

static void test_scan(void **state)
{
    (void)state;
    char banner[400], date[11];
    const char *k = "xx Linux version %s\0Linux version 5.10.0 (b@h) #1 SMP Tue Jun  6 12:00:00 "
                    "UTC 2023\0";
    assert_true(ic_scan_kernel_banner((const uint8_t *)k, 90, banner, sizeof(banner), date) > 0);
    assert_string_equal(date, "2023-06-06");
    assert_non_null(strstr(banner, "5.10.0"));
    const char *d = "Linux version 6.1.0 (x) #1 SMP Debian 6.1.55-1 (2023-09-29)";
    assert_true(
        ic_scan_kernel_banner((const uint8_t *)d, strlen(d), banner, sizeof(banner), date) == 0);
    assert_string_equal(date, "2023-09-29");
    char out[64];
    const char *ini = "[a]\npath=no\n[keyring]\n# path=x\npath=ca.pem\n";
    assert_int_equal(
        ic_scan_setting((const uint8_t *)ini, strlen(ini), "keyring", "path", out, sizeof(out)), 5);
    assert_string_equal(out, "ca.pem");
    assert_true(ic_scan_host_is_local("172.20.0.1"));
    assert_false(ic_scan_host_is_local("172.32.0.1"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_openwrt_signed), cmocka_unit_test(test_opkg_http_feed),
        cmocka_unit_test(test_rauc_keyring),   cmocka_unit_test(test_vendor_script),
        cmocka_unit_test(test_none),           cmocka_unit_test(test_scan),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
