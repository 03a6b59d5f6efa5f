/* CPE 2.3 names and match criteria (src/lib/vulndb/cpe.c), with criteria
 * strings as NVD writes them (taken from the records in
 * ../shared/data/nvd/). */
#include "testutil.h"

#include "iotcop/error.h"
#include "iotcop/vulndb.h"

#include <string.h>

static void test_parse(void **state)
{
    (void)state;
    struct ic_cpe c;
    assert_int_equal(ic_cpe_parse("cpe:2.3:a:openbsd:openssh:8.5:p1:*:*:*:*:*:*", &c), IC_OK);
    assert_string_equal(c.part, "a");
    assert_string_equal(c.vendor, "openbsd");
    assert_string_equal(c.product, "openssh");
    assert_string_equal(c.version, "8.5");
    assert_string_equal(c.update, "p1");
    assert_string_equal(c.other, "*");
    /* escaped specials (CVE-2020-8597 escapes parentheses the same way in a bound) */
    assert_int_equal(
        ic_cpe_parse("cpe:2.3:o:wago:pfc200_firmware:03.02.02\\(14\\):*:*:*:*:*:*:*", &c), IC_OK);
    assert_string_equal(c.version, "03.02.02(14)");
    assert_int_equal(ic_cpe_parse("cpe:2.3:a:osv\\:Debian\\:12:busybox:*", &c), IC_OK);
    assert_string_equal(c.vendor, "osv:Debian:12");
    assert_string_equal(c.update, "*"); /* missing fields are ANY */
    assert_int_equal(ic_cpe_parse("cpe:/a:openbsd:openssh:7.4", &c), IC_E_FORMAT); /* 2.2 URI */
    assert_int_equal(ic_cpe_parse("cpe:2.3:a", &c), IC_E_FORMAT);
    assert_int_equal(ic_cpe_parse("cpe:2.3:a:b:c:d:e:f:g:h:i:j:k:extra", &c), IC_E_FORMAT);
    assert_int_equal(ic_cpe_parse(NULL, &c), IC_E_FORMAT);
    char longname[400];
    memset(longname, 'x', sizeof(longname));
    memcpy(longname, "cpe:2.3:a:", 10);
    longname[sizeof(longname) - 1] = '\0';
    assert_int_equal(ic_cpe_parse(longname, &c), IC_E_FORMAT); /* vendor too long */
}

static int matches(const char *criteria, const char *si, const char *se, const char *ei,
                   const char *ee, const char *vendor, const char *product, const char *version,
                   const char *update)
{
    struct ic_cpe_criterion c = {criteria, si, se, ei, ee};
    struct ic_vuln_target t = {vendor, product, version, update};
    return ic_cpe_criterion_matches(&c, &t);
}

static void test_ranges(void **state)
{
    (void)state;
    const char *ssh = "cpe:2.3:a:openbsd:openssh:*:*:*:*:*:*:*:*";
    /* CVE-2023-28531: 8.9 <= v < 9.3 */
    assert_int_equal(matches(ssh, "8.9", NULL, NULL, "9.3", "openbsd", "openssh", "9.2", "p1"), 1);
    assert_int_equal(matches(ssh, "8.9", NULL, NULL, "9.3", "openbsd", "openssh", "9.2p1", NULL),
                     1); /* split from the version */
    assert_int_equal(matches(ssh, "8.9", NULL, NULL, "9.3", "openbsd", "openssh", "9.3", "p1"), 0);
    assert_int_equal(matches(ssh, "8.9", NULL, NULL, "9.3", "openbsd", "openssh", "8.8", "p1"), 0);
    assert_int_equal(matches(ssh, "8.9", NULL, NULL, "9.3", "OpenBSD", "OpenSSH", "8.9", "-"), 1);
    assert_int_equal(matches(ssh, "8.9", NULL, NULL, "9.3", "openbsd", "openssh", "", "-"), 0);
    /* excluding start, including end */
    const char *bb = "cpe:2.3:a:busybox:busybox:*:*:*:*:*:*:*:*";
    assert_int_equal(
        matches(bb, NULL, "1.16.0", "1.33.1", NULL, "busybox", "busybox", "1.16.0", NULL), 0);
    assert_int_equal(
        matches(bb, NULL, "1.16.0", "1.33.1", NULL, "busybox", "busybox", "1.33.1", NULL), 1);
    assert_int_equal(matches(bb, NULL, NULL, "1.33.1", NULL, "busybox", "busybox", "1.33.2", NULL),
                     0);
    /* '*' without any range: every version */
    assert_int_equal(matches(bb, NULL, NULL, NULL, NULL, "busybox", "busybox", "0.1", NULL), 1);
    /* other vendor or product */
    assert_int_equal(matches(bb, NULL, NULL, "1.33.1", NULL, "busybox", "busybox-w32", "1.0", NULL),
                     0);
    assert_int_equal(matches("cpe:2.3:a:haxx:curl:*:*:*:*:*:*:*:*", NULL, NULL, NULL, NULL, "curl",
                             "curl", "8.4.0", NULL),
                     0);
    assert_int_equal(matches("not a cpe", NULL, NULL, NULL, NULL, "a", "b", "1", NULL), -1);
}

static void test_exact(void **state)
{
    (void)state;
    /* CVE-2024-6387 lists openssh:8.5:p1 and openssh:4.4:- */
    assert_int_equal(matches("cpe:2.3:a:openbsd:openssh:8.5:p1:*:*:*:*:*:*", NULL, NULL, NULL, NULL,
                             "openbsd", "openssh", "8.5", "p1"),
                     1);
    assert_int_equal(matches("cpe:2.3:a:openbsd:openssh:8.5:p1:*:*:*:*:*:*", NULL, NULL, NULL, NULL,
                             "openbsd", "openssh", "8.5p2", NULL),
                     0);
    assert_int_equal(matches("cpe:2.3:a:openbsd:openssh:4.4:-:*:*:*:*:*:*", NULL, NULL, NULL, NULL,
                             "openbsd", "openssh", "4.4p1", NULL),
                     0);
    assert_int_equal(matches("cpe:2.3:a:openbsd:openssh:4.4:-:*:*:*:*:*:*", NULL, NULL, NULL, NULL,
                             "openbsd", "openssh", "4.4", NULL),
                     1);
    /* CVE-2023-49441: dnsmasq:2.9 is not 2.90 */
    const char *dm = "cpe:2.3:a:thekelleys:dnsmasq:2.9:*:*:*:*:*:*:*";
    assert_int_equal(matches(dm, NULL, NULL, NULL, NULL, "thekelleys", "dnsmasq", "2.90", NULL), 0);
    assert_int_equal(matches(dm, NULL, NULL, NULL, NULL, "thekelleys", "dnsmasq", "2.9", NULL), 1);
    /* an update value on the criterion: the Linux 6.8:rc1 entry of CVE-2024-1086 */
    const char *rc = "cpe:2.3:o:linux:linux_kernel:6.8:rc1:*:*:*:*:*:*";
    assert_int_equal(matches(rc, NULL, NULL, NULL, NULL, "linux", "linux_kernel", "6.8-rc1", NULL),
                     1);
    assert_int_equal(matches(rc, NULL, NULL, NULL, NULL, "linux", "linux_kernel", "6.8", NULL), 0);
    assert_int_equal(matches(rc, NULL, NULL, NULL, NULL, "linux", "linux_kernel", "6.8", "RC1"), 1);
    /* version NA */
    assert_int_equal(matches("cpe:2.3:h:netapp:h410c:-:*:*:*:*:*:*:*", NULL, NULL, NULL, NULL,
                             "netapp", "h410c", "-", "-"),
                     1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_ranges),
        cmocka_unit_test(test_exact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
