/* Version comparison and splitting (src/lib/vulndb/version.c) on the forms
 * vendors really use. The expected orders are the consequences listed in
 * ../shared/data/nvd/README.md ("Matching conventions", rule 5) and the
 * release histories of OpenSSL, dropbear, OpenSSH, ntp, u-boot and Linux. */
#include "testutil.h"

#include "iotcop/vulndb.h"

#include <string.h>

static int sign(int v)
{
    return v < 0 ? -1 : v > 0;
}

/* a < b, and the comparison is antisymmetric */
static void assert_less(const char *a, const char *b)
{
    if (sign(ic_version_compare(a, b)) != -1 || sign(ic_version_compare(b, a)) != 1)
        fail_msg("expected %s < %s (got %d, %d)", a, b, ic_version_compare(a, b),
                 ic_version_compare(b, a));
}

static void assert_same(const char *a, const char *b)
{
    if (ic_version_compare(a, b) != 0 || ic_version_compare(b, a) != 0)
        fail_msg("expected %s == %s", a, b);
}

static void test_readme_rule5(void **state)
{
    (void)state;
    assert_less("2.9", "2.83");
    assert_less("2.83", "2.90");
    assert_less("1.0.2", "1.0.2a");
    assert_less("1.0.2t", "1.0.2u");
    assert_less("1.0.2u", "1.0.2z");
    assert_less("1.0.2z", "1.0.2zf");
    assert_less("1.0.2zf", "1.0.2zg");
    assert_less("1.0.1u", "1.0.2");
    assert_less("1.1.0l", "1.1.1");
    assert_less("0.52", "2011.54");
    assert_less("6.2", "6.2.0");
}

static void test_real_forms(void **state)
{
    (void)state;
    assert_less("1.0.2k", "1.0.2t"); /* OpenSSL letter releases */
    assert_less("1.0.2k", "1.1.0");
    assert_less("2019.78", "2020.79"); /* dropbear YYYY.NN */
    assert_less("2016.74", "2017.75");
    assert_less("2012.54", "2012.55");
    assert_less("7.4p1", "7.4p2"); /* OpenSSH portable */
    assert_less("7.4", "7.4p1");
    assert_less("7.4p1", "7.5p1");
    assert_less("9.2p1", "9.3");
    assert_less("2.6.36", "2.6.36.4"); /* Linux 2.6 stable */
    assert_less("2.6.36.4", "2.6.37");
    assert_less("4.14.230", "4.14.231");
    assert_less("1.4.65", "1.4.69"); /* lighttpd */
    assert_less("1.4.9", "1.4.69");
    assert_less("4.2.8p12", "4.2.8p15"); /* ntp */
    assert_less("4.2.7p11", "4.2.8");
    assert_less("3.0.2a", "3.0.11"); /* 2 < 11 before any letter */
}

static void test_prereleases(void **state)
{
    (void)state;
    assert_less("1.2.3-rc1", "1.2.3");
    assert_less("1.2.3-rc1", "1.2.3-rc2");
    assert_less("1.2.3-beta2", "1.2.3-rc1");
    assert_less("1.2.3-alpha", "1.2.3-beta");
    assert_less("1.2.3-dev", "1.2.3-alpha1");
    assert_less("1.2.2", "1.2.3-rc1");
    assert_less("6.8-rc1", "6.8");
    assert_less("2019.07-rc4", "2019.07");
    assert_less("1.2.3rc1", "1.2.3.1");
    assert_less("1.2.3", "1.2.3p1"); /* a patch level is after the release */
}

static void test_equal_forms(void **state)
{
    (void)state;
    assert_same("2019.07", "2019.7"); /* leading zeros */
    assert_same("1.2.3", "1.2.3");
    assert_same("1.0.2K", "1.0.2k");
    assert_same("1_2_3", "1.2.3");
    assert_same("", NULL);
    assert_same("00000000000000000000000000001", "1"); /* no overflow on long runs */
    assert_less("99999999999999999999999", "100000000000000000000000");
}

static void check_split(const char *full, const char *version, const char *update)
{
    char v[64], u[64];
    ic_version_split(full, v, sizeof(v), u, sizeof(u));
    if (strcmp(v, version) != 0 || strcmp(u, update) != 0)
        fail_msg("split %s: got %s / %s, expected %s / %s", full, v, u, version, update);
}

static void test_split(void **state)
{
    (void)state;
    /* README rule 1 */
    check_split("9.2p1", "9.2", "p1");
    check_split("4.2.8p12", "4.2.8", "p12");
    check_split("2019.07-rc4", "2019.07", "rc4");
    check_split("6.8-rc1", "6.8", "rc1");
    check_split("1.0.2k", "1.0.2k", "-");
    check_split("1.0.2zf", "1.0.2zf", "-");
    check_split("2019.78", "2019.78", "-");
    check_split("1.2.3-rc1", "1.2.3", "rc1");
    check_split("3.0.0-preview1", "3.0.0", "preview1");
    check_split("2.6.36.4", "2.6.36.4", "-");
    check_split("p1", "p1", "-");
    check_split("", "", "-");
    char v[4], u[2];
    ic_version_split("123456789p1", v, sizeof(v), u, sizeof(u)); /* cut, NUL-terminated */
    assert_string_equal(v, "123");
    assert_string_equal(u, "p");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_readme_rule5), cmocka_unit_test(test_real_forms),
        cmocka_unit_test(test_prereleases),  cmocka_unit_test(test_equal_forms),
        cmocka_unit_test(test_split),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
