/* Component identification on real Debian packages: every signature against
 * a real binary that carries it. Each package is unpacked by the engine
 * (ar, data.tar.xz, the files) and identified; the component must come out
 * at the upstream version Debian ships, read here from the package's
 * control data (dpkg-deb -f), and nothing else may be claimed.
 *
 * Packages: the fixture packages (tests/fixtures/fetch-debs.sh, lock files
 * debs/SUITE/ARCH/packages.lock) and the component test packages
 * (tests/fixtures/fetch-component-debs.sh, debs/components/packages.lock).
 * A missing cache skips the test. */
#include "testutil.h"

#include "iotcop/components.h"
#include "iotcop/error.h"
#include "iotcop/unpack.h"

#include <stdio.h>
#include <string.h>

/* Lock-file role -> component name, where they differ; roles not listed
 * and not components themselves are not checked (libraries pulled in as
 * dependencies). NULL: not checked either (the openssl command lacks the
 * "OPENSSLDIR: " anchor the signature needs; the libssl role checks the
 * library it loads). */
static const char *const role_component[][2] = {
    {"libssl", "openssl"}, {"libc", "glibc"},   {"kernel", "linux"},
    {"uboot", "u-boot"},   {"libcurl", "curl"}, {"openssl", NULL},
};

static const char *component_for_role(const char *role)
{
    for (size_t i = 0; i < sizeof(role_component) / sizeof(role_component[0]); i++)
        if (strcmp(role_component[i][0], role) == 0)
            return role_component[i][1];
    for (size_t i = 0; ic_component_known_name(i); i++)
        if (strcmp(ic_component_known_name(i), role) == 0)
            return role;
    return NULL;
}

static char *cache_dir(void)
{
    const char *cache = getenv("IOTCOP_CACHE");
    const char *home = getenv("HOME");
    char buf[1024];
    if (cache && *cache)
        snprintf(buf, sizeof(buf), "%s", cache);
    else if (home)
        snprintf(buf, sizeof(buf), "%s/.cache/iotcop", home);
    else
        return NULL;
    return strdup(buf);
}

/* The upstream version in a Debian version, as NVD writes it: no epoch, no
 * revision, no "+dfsg"/".dfsg" repack marker. */
static void upstream_of(const char *debian, char *out, size_t size)
{
    const char *colon = strchr(debian, ':');
    const char *v = colon ? colon + 1 : debian;
    snprintf(out, size, "%s", v);
    char *dash = strrchr(out, '-');
    if (dash)
        *dash = '\0';
    char *repack = strstr(out, "dfsg");
    if (repack && repack > out)
        repack[-1] = '\0';
}

/* The Version field of a .deb, read with dpkg-deb. */
static int control_version(const char *deb, char *out, size_t size)
{
    char cmd[2200];
    snprintf(cmd, sizeof(cmd), "dpkg-deb -f '%s' Version 2>/dev/null", deb);
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    int ok = fgets(out, (int)size, p) != NULL;
    pclose(p);
    if (!ok)
        return -1;
    out[strcspn(out, "\n")] = '\0';
    return out[0] ? 0 : -1;
}

struct stats {
    int packages;
    int failures;
};

static void check_package(const char *deb, const char *component, struct stats *st)
{
    char debian[256], expected[256];
    if (control_version(deb, debian, sizeof(debian))) {
        printf("FAIL %s: no control Version\n", deb);
        st->failures++;
        return;
    }
    upstream_of(debian, expected, sizeof(expected));
    struct ic_limits limits;
    ic_limits_default(&limits);
    limits.jobs = 2;
    struct ic_unpack *u = NULL;
    assert_int_equal(ic_unpack_path(deb, &limits, &u), IC_OK);
    struct ic_software_list *list = NULL;
    assert_int_equal(ic_components_identify(u, &limits, &list), IC_OK);
    int found = 0;
    for (size_t i = 0; i < list->count; i++) {
        const struct ic_software *sw = &list->items[i];
        if (strcmp(sw->name, component) == 0 && sw->version && strcmp(sw->version, expected) == 0) {
            found = 1;
            assert_non_null(sw->cpe);
            assert_non_null(sw->cpe[0]);
            /* The CPE carries the version split as NVD does: 9.2p1 is 9.2 p1. */
            char fields[300], joined[300];
            snprintf(fields, sizeof(fields), ":%s:%s:", sw->cpe_version, sw->cpe_update);
            assert_non_null(strstr(sw->cpe[0], fields));
            snprintf(joined, sizeof(joined), "%s%s", sw->cpe_version,
                     strcmp(sw->cpe_update, "-") ? sw->cpe_update : "");
            assert_string_equal(joined, expected);
            continue;
        }
        printf("FAIL %s: also claims %s %s (%s)\n", deb, sw->name,
               sw->version ? sw->version : "(no version)", sw->evidence);
        st->failures++;
    }
    if (!found) {
        printf("FAIL %s: %s %s not found\n", deb, component, expected);
        st->failures++;
    } else {
        printf("ok   %-16s %-12s %s\n", component, expected, strrchr(deb, '/') + 1);
    }
    st->packages++;
    ic_software_list_free(list);
    ic_unpack_free(u);
}

/* Every row of one packages.lock whose role is a component. */
static void check_lock(const char *dir, struct stats *st)
{
    char path[1200];
    snprintf(path, sizeof(path), "%s/packages.lock", dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    char line[1024];
    while (fgets(line, sizeof(line), f)) {
        char role[128], pkg[256], version[256], file[512];
        if (line[0] == '#' ||
            sscanf(line, "%127s %255s %255s %511s", role, pkg, version, file) != 4)
            continue;
        const char *component = component_for_role(role);
        /* The kernel package unpacks thousands of modules; the fixtures
         * (tests/cli/components.sh) and test_components.c cover it. */
        if (!component || strcmp(role, "kernel") == 0)
            continue;
        char deb[2048];
        snprintf(deb, sizeof(deb), "%s/%s", dir, file);
        check_package(deb, component, st);
    }
    fclose(f);
}

static void test_signatures_on_debian_packages(void **state)
{
    (void)state;
    char *cache = cache_dir();
    if (!cache)
        skip();
    static const char *const dirs[] = {"debs/components", "debs/bookworm/armhf",
                                       "debs/bookworm/mipsel", "debs/bullseye/armhf"};
    struct stats st = {0};
    for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
        char dir[1100];
        snprintf(dir, sizeof(dir), "%s/%s", cache, dirs[i]);
        check_lock(dir, &st);
    }
    free(cache);
    if (st.packages == 0) {
        printf("no Debian packages cached (tests/fixtures/fetch-debs.sh, "
               "fetch-component-debs.sh)\n");
        skip();
    }
    printf("%d packages, %d failures\n", st.packages, st.failures);
    assert_int_equal(st.failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_signatures_on_debian_packages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
