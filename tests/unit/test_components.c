/* Component identification: the busybox applet table against
 * `busybox --list` of the host's busybox-static, the dpkg and opkg status
 * readers on status files made from real control data (dpkg-deb -f), the
 * kernel configuration of a Debian kernel package (plain and embedded as
 * IKCFG) against grep, and the version rules on small inputs: word
 * boundaries, gated patterns, 'unless', transforms, CPE 2.3 formatting. */
#include "testutil.h"

#include "components/internal.h"
#include "iotcop/components.h"
#include "iotcop/error.h"
#include "iotcop/report.h"
#include "iotcop/unpack.h"

#include <stdio.h>
#include <string.h>

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

/* The whole output of a shell command (caller frees), NULL on failure. */
static char *run_command(const char *cmd, size_t *len)
{
    FILE *p = popen(cmd, "r");
    if (!p)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n - 1, p)) > 0) {
        n += got;
        if (cap - n < 2) {
            char *bigger = realloc(buf, cap * 2);
            if (!bigger) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
    }
    int status = pclose(p);
    if (!buf || status != 0) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

static const struct ic_software *find(const struct ic_software_list *l, const char *name)
{
    for (size_t i = 0; i < l->count; i++)
        if (strcmp(l->items[i].name, name) == 0)
            return &l->items[i];
    return NULL;
}

static struct ic_software_list *identify(const void *data, size_t len, const char *path)
{
    struct ic_software_list *l = NULL;
    assert_int_equal(ic_components_identify_bytes(data, len, path, &l), IC_OK);
    assert_non_null(l);
    return l;
}

static size_t list_length(const char *const *list)
{
    size_t n = 0;
    while (list && list[n])
        n++;
    return n;
}

/* ---- busybox ---------------------------------------------------------------- */

static void test_busybox_applets_match_busybox_list(void **state)
{
    (void)state;
    const char *bb = "/usr/bin/busybox";
    if (!test_exists(bb))
        skip();
    char *listed = run_command("/usr/bin/busybox --list | LC_ALL=C sort", NULL);
    if (!listed)
        skip();
    size_t size = 0;
    uint8_t *data = test_read_file(bb, &size);
    assert_non_null(data);
    struct ic_software_list *l = identify(data, size, "/bin/busybox");
    const struct ic_software *sw = find(l, "busybox");
    assert_non_null(sw);
    assert_non_null(sw->features);
    /* The features are sorted in byte order, like LC_ALL=C sort. */
    size_t n = 0;
    char *save = NULL;
    for (char *name = strtok_r(listed, "\n", &save); name; name = strtok_r(NULL, "\n", &save)) {
        assert_non_null(sw->features[n]);
        assert_string_equal(sw->features[n], name);
        n++;
    }
    assert_true(n > 100);
    assert_null(sw->features[n]);
    printf("%zu applets, as busybox --list says\n", n);
    ic_software_list_free(l);
    free(data);
    free(listed);
}

/* ---- package databases ------------------------------------------------------- */

struct status_case {
    const char *component; /* NULL: an unknown package, reported under its own name */
    const char *deb;       /* file under debs/ */
};

/* A status file as dpkg writes one: each package's control fields with a
 * Status line, separated by blank lines; plus a removed package. */
static char *status_from_debs(const char *cache, const struct status_case *cases, size_t n)
{
    char cmd[8192] = "{ ";
    size_t k = strlen(cmd);
    for (size_t i = 0; i < n; i++) {
        k += (size_t)snprintf(cmd + k, sizeof(cmd) - k,
                              "dpkg-deb -f '%s/debs/%s' | grep -v '^Status:'; "
                              "echo 'Status: install ok installed'; echo; ",
                              cache, cases[i].deb);
    }
    snprintf(cmd + k, sizeof(cmd) - k,
             "printf 'Package: telnetd\\nStatus: deinstall ok config-files\\n"
             "Version: 0.17-44\\n\\n'; } 2>/dev/null");
    return run_command(cmd, NULL);
}

static void upstream_of(const char *debian, char *out, size_t size)
{
    const char *colon = strchr(debian, ':');
    snprintf(out, size, "%s", colon ? colon + 1 : debian);
    char *dash = strrchr(out, '-');
    if (dash)
        *dash = '\0';
    char *repack = strstr(out, "dfsg");
    if (repack && repack > out)
        repack[-1] = '\0';
}

static void check_status(const char *status, const char *path, const char *purl_type,
                         const char *cache, const struct status_case *cases, size_t n)
{
    struct ic_software_list *l = identify(status, strlen(status), path);
    for (size_t i = 0; i < n; i++) {
        char cmd[2048], debian[256], expected[256], purl[512];
        snprintf(cmd, sizeof(cmd), "dpkg-deb -f '%s/debs/%s' Package Version Architecture",
                 cache, cases[i].deb);
        char *fields = run_command(cmd, NULL);
        assert_non_null(fields);
        char package[128], arch[64];
        assert_int_equal(sscanf(fields, "Package: %127s Version: %255s Architecture: %63s",
                                package, debian, arch), 3);
        free(fields);
        upstream_of(debian, expected, sizeof(expected));
        const char *name = cases[i].component ? cases[i].component : package;
        const struct ic_software *sw = NULL;
        for (size_t k = 0; k < l->count; k++)
            if (strcmp(l->items[k].name, name) == 0 && l->items[k].version &&
                strcmp(l->items[k].version, expected) == 0)
                sw = &l->items[k];
        if (!sw)
            fail_msg("%s %s not reported from %s", name, expected, path);
        assert_string_equal(sw->paths[0], path);
        assert_string_equal(sw->package_version, debian);
        assert_int_equal(cases[i].component ? sw->cpe_count > 0 : sw->cpe_count == 0, 1);
        /* The purl names the package (the first one when several map to
         * one component) with its full version. */
        snprintf(purl, sizeof(purl), "%s%s@", purl_type, package);
        if (!cases[i].component)
            assert_true(strncmp(sw->purl, purl, strlen(purl)) == 0);
        else
            assert_true(strncmp(sw->purl, purl_type, strlen(purl_type)) == 0);
    }
    /* Removed packages are not installed. */
    assert_null(find(l, "telnetd"));
    ic_software_list_free(l);
}

static void test_dpkg_and_opkg_status_from_control_data(void **state)
{
    (void)state;
    char *cache = cache_dir();
    static const struct status_case cases[] = {
        {"busybox", "bookworm/armhf/busybox-static_1.35.0-4+deb12u1+b1_armhf.deb"},
        {"dropbear", "bookworm/armhf/dropbear-bin_2022.83-1+deb12u3_armhf.deb"},
        {"openssl", "bullseye/armhf/libssl1.1_1.1.1w-0+deb11u1_armhf.deb"},
        {"zlib", "bookworm/armhf/zlib1g_1.2.13.dfsg-1_armhf.deb"},
        {"glibc", "bookworm/armhf/libc6_2.36-9+deb12u14_armhf.deb"},
        {NULL, "bookworm/armhf/libcap2_2.66-4+deb12u3+b1_armhf.deb"},
    };
    for (size_t i = 0; cache && i < sizeof(cases) / sizeof(cases[0]); i++) {
        char path[2048];
        snprintf(path, sizeof(path), "%s/debs/%s", cache, cases[i].deb);
        if (!test_exists(path)) {
            printf("%s not cached\n", path);
            free(cache);
            skip();
        }
    }
    if (!cache)
        skip();
    size_t n = sizeof(cases) / sizeof(cases[0]);
    char *status = status_from_debs(cache, cases, n);
    assert_non_null(status);
    check_status(status, "/var/lib/dpkg/status", "pkg:deb/debian/", cache, cases, n);
    check_status(status, "/usr/lib/opkg/status", "pkg:opkg/", cache, cases, n);
    /* The same bytes anywhere else are not a package database. */
    struct ic_software_list *l = identify(status, strlen(status), "/tmp/status");
    assert_null(find(l, "libcap2"));
    ic_software_list_free(l);
    free(status);
    free(cache);
}

static void test_upstream_versions(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"1:1.35.0-4+deb12u1+b1", "1.35.0"}, {"2022.83-1+deb12u3", "2022.83"},
        {"1:1.2.13.dfsg-1", "1.2.13"},      {"1:4.2.8p15+dfsg-1", "4.2.8p15"},
        {"1.1.1w-0+deb11u1", "1.1.1w"},     {"2.90-4~deb12u2", "2.90"},
        {"2.9.14+dfsg-1.3~deb12u6", "2.9.14"}, {"1.36.1-r2", "1.36.1"},
        {"2022.82-6", "2022.82"},          {"5.10.176", "5.10.176"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char out[64];
        ic_pkgdb_upstream_version(cases[i][0], out, sizeof(out));
        assert_string_equal(out, cases[i][1]);
    }
}

/* ---- kernel configuration ------------------------------------------------------ */

static void test_kernel_config_of_a_debian_kernel(void **state)
{
    (void)state;
    char *cache = cache_dir();
    if (!cache)
        skip();
    char cmd[4096];
    snprintf(cmd, sizeof(cmd), "ls %s/debs/bookworm/armhf/linux-image-*.deb 2>/dev/null | head -1",
             cache);
    char *deb = run_command(cmd, NULL);
    free(cache);
    if (!deb || !deb[0]) {
        free(deb);
        skip();
    }
    deb[strcspn(deb, "\n")] = '\0';
    char *tmp = test_tmpdir("components-kconfig");
    assert_non_null(tmp);
    char cfg_path[1024];
    snprintf(cfg_path, sizeof(cfg_path), "%s/config", tmp);
    snprintf(cmd, sizeof(cmd),
             "dpkg-deb --fsys-tarfile '%s' | tar -xO --wildcards './boot/config-*' >'%s'", deb,
             cfg_path);
    assert_int_equal(system(cmd), 0);
    size_t len = 0;
    char *config = (char *)test_read_file(cfg_path, &len);
    assert_non_null(config);
    snprintf(cmd, sizeof(cmd), "grep -c '^CONFIG_' '%s'", cfg_path);
    char *count_text = run_command(cmd, NULL);
    assert_non_null(count_text);
    size_t expected_options = strtoul(count_text, NULL, 10);
    free(count_text);
    snprintf(cmd, sizeof(cmd), "dpkg-deb -f '%s' Version", deb);
    char *debian = run_command(cmd, NULL);
    assert_non_null(debian);
    char release[64];
    upstream_of(strtok(debian, "\n"), release, sizeof(release));
    assert_true(expected_options > 1000);

    /* As a file: /boot/config-VERSION. */
    struct ic_software_list *l = identify(config, len, "/boot/config-6.1.0-50-armmp");
    const struct ic_software *sw = find(l, "linux");
    assert_non_null(sw);
    assert_string_equal(sw->version, release);
    assert_int_equal(list_length(sw->features), expected_options);
    ic_software_list_free(l);

    /* Embedded in a kernel image: a banner, then IKCFG_ST gzip IKCFG_ED. */
    snprintf(cmd, sizeof(cmd), "gzip -9 -c '%s'", cfg_path);
    size_t gz_len = 0;
    char *gz = run_command(cmd, &gz_len);
    assert_non_null(gz);
    char banner[256];
    snprintf(banner, sizeof(banner),
             "Linux version 6.1.0-50-armmp (debian-kernel@lists.debian.org) (gcc-12 (Debian "
             "12.2.0-14+deb12u1) 12.2.0) #1 SMP Debian %s-1 (2026-07-01)\n", release);
    size_t img_len = 4096 + strlen(banner) + 8 + gz_len + 8 + 4096;
    uint8_t *img = calloc(1, img_len);
    assert_non_null(img);
    size_t at = 4096;
    memcpy(img + at, banner, strlen(banner));
    at += strlen(banner) + 100;
    memcpy(img + at, "IKCFG_ST", 8);
    memcpy(img + at + 8, gz, gz_len);
    memcpy(img + at + 8 + gz_len, "IKCFG_ED", 8);
    l = identify(img, img_len, NULL);
    sw = find(l, "linux");
    assert_non_null(sw);
    assert_string_equal(sw->version, release);
    assert_string_equal(sw->paths[0], "layer:0");
    assert_int_equal(list_length(sw->features), expected_options);
    ic_software_list_free(l);
    /* The same with the gzip stream cut short: the options before the cut. */
    memset(img + at + 8 + gz_len / 2, 0, gz_len / 2 + 8);
    l = identify(img, img_len, NULL);
    sw = find(l, "linux");
    assert_non_null(sw);
    size_t partial = list_length(sw->features);
    assert_true(partial > 0 && partial < expected_options);
    ic_software_list_free(l);
    free(img);
    free(gz);
    free(tmp);
    free(debian);
    free(config);
    free(deb);
}

/* ---- version rules on small inputs ---------------------------------------------- */

static const char *version_of(const char *name, const void *data, size_t len)
{
    static char out[64];
    struct ic_software_list *l = identify(data, len, "/x");
    const struct ic_software *sw = find(l, name);
    out[0] = '\0';
    if (sw)
        snprintf(out, sizeof(out), "%s", sw->version ? sw->version : "(none)");
    ic_software_list_free(l);
    return out;
}

#define S(lit) lit, sizeof(lit) - 1

static void test_version_rules(void **state)
{
    (void)state;
    /* OpenSSH's compatibility patterns are not versions. */
    assert_string_equal(version_of("openssh", S("\0OpenSSH_2*,OpenSSH_3*\0OpenSSH_6.6.1*\0")), "");
    assert_string_equal(version_of("openssh", S("\0OpenSSH_6.6.1p1 Ubuntu\0")), "6.6.1p1");
    /* A version ends at a word boundary: "1.2.13" is never cut to "1.2.1". */
    assert_string_equal(version_of("zlib", S(" deflate 1.2.13 Copyright 1995")), "1.2.13");
    assert_string_equal(version_of("glibc", S("stable release version 2.36.\0")), "2.36");
    assert_string_equal(version_of("lighttpd", S("xlighttpd/1.4.69")), "");
    /* OpenSSL needs its own library's OPENSSLDIR; LibreSSL excludes it. */
    assert_string_equal(version_of("openssl", S("\0OpenSSL 1.0.2k  26 Jan 2017\0")), "");
    assert_string_equal(version_of("openssl",
                                   S("\0OpenSSL 1.0.2k  26 Jan 2017\0OPENSSLDIR: \"/usr/ssl\"\0")),
                        "1.0.2k");
    assert_string_equal(version_of("libressl",
                                   S("\0LibreSSL 3.7.3\0OPENSSLDIR: \"/etc/ssl\"\0")), "3.7.3");
    assert_string_equal(version_of("openssl", S("\0LibreSSL 3.7.3\0OPENSSL 1.0.0 \0"
                                                "OPENSSLDIR: \"/etc/ssl\"\0")),
                        "");
    /* A gated standalone version needs its anchor. */
    assert_string_equal(version_of("mosquitto", S("\0002.0.18\0")), "");
    assert_string_equal(version_of("mosquitto", S("\0002.0.18\0mosquitto version %s running\0")),
                        "2.0.18");
    /* Transforms. */
    assert_string_equal(version_of("libxml2",
                                   S("\00021004\0program compiled against libxml %d\0")), "2.10.4");
    assert_string_equal(version_of("linux", S("Linux version 5.10.176 (builder@buildhost) "
                                              "(mipsel-openwrt-linux-musl-gcc) #0 SMP\0")),
                        "5.10.176");
    assert_string_equal(version_of("linux", S("vermagic=5.4.238 SMP mod_unload MIPS32_R2\0")),
                        "5.4.238");
    /* Components no Debian package carries: OpenWrt's uhttpd, Boa,
     * GoAhead, uClibc(-ng). */
    assert_string_equal(version_of("uhttpd", S("\0uhttpd - Tiny HTTP daemon\0")), "(none)");
    assert_string_equal(version_of("boa", S("\0Server: Boa/0.94.14rc21\r\n\0")), "0.94.14rc21");
    assert_string_equal(version_of("goahead", S("\0Server: GoAhead-Webs/2.5.0\0")), "2.5.0");
    assert_string_equal(version_of("uclibc-ng", S("\0ld-uClibc-1.0.39.so\0")), "1.0.39");
    assert_string_equal(version_of("uclibc", S("\0ld-uClibc-0.9.33.2.so\0")), "0.9.33.2");
    assert_string_equal(version_of("uclibc-ng", S("\0ld-uClibc-0.9.33.2.so\0")), "");
}

static void test_kernel_release_rules(void **state)
{
    (void)state;
    char out[32];
    const char *debian = "6.1.0-50-armmp (debian-kernel@lists.debian.org) (gcc-12 (Debian "
                         "12.2.0-14+deb12u1) 12.2.0) #1 SMP Debian 6.1.176-1 (2026-07-01)";
    assert_int_equal(ic_kernel_upstream_release((const uint8_t *)debian, strlen(debian), out,
                                                sizeof(out)), 1);
    assert_string_equal(out, "6.1.176");
    const char *plain = "5.10.176 (builder@host) (gcc (Debian 12.2.0-14) 12.2.0) #0 SMP";
    assert_int_equal(ic_kernel_upstream_release((const uint8_t *)plain, strlen(plain), out,
                                                sizeof(out)), 0);
}

static void test_cpe_names(void **state)
{
    (void)state;
    char out[256];
    struct ic_cpe_id libcurl = {'a', "haxx", "libcurl"}, hostapd = {'a', "w1.fi", "hostapd"};
    struct ic_cpe_id kernel = {'o', "linux", "linux_kernel"}, odd = {'a', "x", "y-z"};
    assert_int_equal(ic_cpe23_format(&libcurl, "7.88.1", "-", out, sizeof(out)), IC_OK);
    assert_string_equal(out, "cpe:2.3:a:haxx:libcurl:7.88.1:-:*:*:*:*:*:*");
    assert_int_equal(ic_cpe23_format(&hostapd, NULL, NULL, out, sizeof(out)), IC_OK);
    assert_string_equal(out, "cpe:2.3:a:w1.fi:hostapd:*:*:*:*:*:*:*:*");
    assert_int_equal(ic_cpe23_format(&kernel, "6.8", "rc1", out, sizeof(out)), IC_OK);
    assert_string_equal(out, "cpe:2.3:o:linux:linux_kernel:6.8:rc1:*:*:*:*:*:*");
    assert_int_equal(ic_cpe23_format(&odd, "2023.01+dfsg", "-", out, sizeof(out)), IC_OK);
    assert_string_equal(out, "cpe:2.3:a:x:y-z:2023.01\\+dfsg:-:*:*:*:*:*:*");
    assert_int_equal(ic_cpe23_format(&odd, "c", "-", out, 10), IC_E_INVALID_ARG);
    /* Version and update as NVD splits them (shared/data/nvd/README.md). */
    static const char *const splits[][4] = {
        {"openssh", "9.2p1", "9.2", "p1"},     {"ntp", "4.2.8p15", "4.2.8", "p15"},
        {"u-boot", "2019.07-rc4", "2019.07", "rc4"}, {"linux", "6.8-rc1", "6.8", "rc1"},
        {"openssl", "1.0.2k", "1.0.2k", "-"}, {"dropbear", "2022.83", "2022.83", "-"},
        {"busybox", "1.35.0", "1.35.0", "-"}, {"openssl", "1.0.2zf", "1.0.2zf", "-"},
        {"dnsmasq", NULL, "*", "*"},
    };
    for (size_t i = 0; i < sizeof(splits) / sizeof(splits[0]); i++) {
        char v[64], u[16];
        ic_cpe_split_version(splits[i][0], splits[i][1], v, sizeof(v), u, sizeof(u));
        assert_string_equal(v, splits[i][2]);
        assert_string_equal(u, splits[i][3]);
    }
    size_t n = 0;
    const struct ic_cpe_id *ids = ic_component_known_cpe("curl", &n);
    assert_int_equal(n, 3);
    assert_string_equal(ids[0].vendor, "haxx");
    assert_string_equal(ids[1].product, "libcurl");
    assert_string_equal(ids[2].vendor, "curl");
    ids = ic_component_known_cpe("linux", &n);
    assert_int_equal(ids[0].part, 'o');
    ids = ic_component_known_cpe("dnsmasq", &n);
    assert_string_equal(ids[0].vendor, "thekelleys");
    ids = ic_component_known_cpe("dropbear", &n);
    assert_string_equal(ids[0].product, "dropbear_ssh");
    assert_null(ic_component_known_cpe("no-such-component", &n));
}

/* Components reach the report with their CPE names, purl and features. */
static void test_into_the_report(void **state)
{
    (void)state;
    static const char blob[] = "\0SSH-2.0-dropbear_2022.83\0BusyBox v1.36.1 (2023-06-10)\0"
                               "[\0[[\0acpid\0ash\0cat\0chmod\0cp\0date\0dd\0echo\0ls\0sh\0"
                               "telnetd\0\0";
    struct ic_software_list *l = identify(blob, sizeof(blob), "/bin/busybox");
    struct ic_report *r = NULL;
    assert_int_equal(ic_report_new(&r), IC_OK);
    assert_int_equal(ic_components_add_to_report(l, r), IC_OK);
    assert_int_equal(ic_report_set_firmware_target(r, "x.bin", NULL, 1), IC_OK);
    assert_int_equal(ic_report_finish(r), IC_OK);
    assert_int_equal(r->component_count, 2);
    assert_string_equal(r->components[0].name, "busybox");
    assert_string_equal(r->components[0].version, "1.36.1");
    assert_string_equal(r->components[0].purl, "pkg:generic/busybox@1.36.1");
    assert_string_equal(r->components[0].cpe[0], "cpe:2.3:a:busybox:busybox:1.36.1:-:*:*:*:*:*:*");
    assert_int_equal(list_length(r->components[0].features), 13);
    assert_string_equal(r->components[1].cpe[0],
                        "cpe:2.3:a:dropbear_ssh_project:dropbear_ssh:2022.83:-:*:*:*:*:*:*");
    assert_null(r->components[1].features);
    ic_report_free(r);
    ic_software_list_free(l);
}

static void add_file(struct ic_fs *fs, const char *path, const void *data, size_t len)
{
    struct ic_blob *blob = NULL;
    assert_int_equal(ic_blob_from_copy(data, len, &blob), IC_OK);
    struct ic_entry e = {0};
    e.path = path;
    e.type = IC_FT_FILE;
    e.mode = 0644;
    e.size = len;
    e.content = blob;
    assert_int_equal(ic_fs_add(fs, &e), IC_OK);
    ic_blob_unref(blob);
}

/* A tree with a Debian-style module (vermagic 6.1.0-50-armmp), a kernel
 * .config naming 6.1.176, documentation quoting an old version and a dpkg
 * status: one linux 6.1.176 with both paths, nothing from the docs. */
static void test_tree(void **state)
{
    (void)state;
    struct ic_fs *fs = ic_fs_new(100);
    assert_non_null(fs);
    static const char module[] = "\0license=GPL\0vermagic=6.1.0-50-armmp SMP mod_unload ARMv7\0";
    static const char config[] = "#\n# Automatically generated file; DO NOT EDIT.\n"
                                 "# Linux/arm 6.1.176 Kernel Configuration\n#\n"
                                 "CONFIG_MMU=y\nCONFIG_USB=m\n# CONFIG_USB_STORAGE is not set\n"
                                 "CONFIG_HZ=250\n";
    static const char doc[] = "Changes in dnsmasq-2.45\0 lighttpd/1.4.20 and BusyBox v1.2.0\n";
    static const char status[] = "Package: dropbear\nStatus: install ok installed\n"
                                 "Architecture: armhf\nVersion: 2022.83-1+deb12u1\n";
    add_file(fs, "/lib/modules/6.1.0-50-armmp/kernel/x.ko", module, sizeof(module) - 1);
    add_file(fs, "/boot/config-6.1.0-50-armmp", config, sizeof(config) - 1);
    add_file(fs, "/usr/share/doc/dnsmasq/changelog", doc, sizeof(doc) - 1);
    add_file(fs, "/var/lib/dpkg/status", status, sizeof(status) - 1);
    assert_int_equal(ic_fs_finish(fs), IC_OK);
    struct ic_layer layer = {0};
    layer.id = "0.1";
    layer.parent = -1;
    layer.format = "squashfs";
    layer.fs = fs;
    struct ic_unpack u = {0};
    u.layers = &layer;
    u.layer_count = 1;
    struct ic_software_list *l = NULL;
    assert_int_equal(ic_components_identify(&u, NULL, &l), IC_OK);
    assert_int_equal(l->count, 2);
    const struct ic_software *k = find(l, "linux");
    assert_non_null(k);
    assert_string_equal(k->version, "6.1.176");
    assert_string_equal(k->cpe[0], "cpe:2.3:o:linux:linux_kernel:6.1.176:-:*:*:*:*:*:*");
    assert_string_equal(k->paths[0], "/boot/config-6.1.0-50-armmp");
    assert_string_equal(k->paths[1], "/lib/modules/6.1.0-50-armmp/kernel/x.ko");
    assert_null(k->paths[2]);
    assert_int_equal(list_length(k->features), 3);
    assert_string_equal(k->features[0], "CONFIG_HZ=250");
    const struct ic_software *d = find(l, "dropbear");
    assert_non_null(d);
    assert_string_equal(d->version, "2022.83");
    assert_string_equal(d->source, "dpkg");
    assert_string_equal(d->purl, "pkg:deb/debian/dropbear@2022.83-1%2Bdeb12u1?arch=armhf");
    ic_software_list_free(l);
    ic_fs_free(fs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_busybox_applets_match_busybox_list),
        cmocka_unit_test(test_dpkg_and_opkg_status_from_control_data),
        cmocka_unit_test(test_upstream_versions),
        cmocka_unit_test(test_kernel_config_of_a_debian_kernel),
        cmocka_unit_test(test_version_rules),
        cmocka_unit_test(test_kernel_release_rules),
        cmocka_unit_test(test_cpe_names),
        cmocka_unit_test(test_into_the_report),
        cmocka_unit_test(test_tree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
