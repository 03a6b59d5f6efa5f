/* Software updates and integrity (CoP-3, CoP-7; EN 303 645 5.3-x, 5.7-1).
 *
 * Update mechanisms: OpenWrt sysupgrade, opkg and its feeds, SWUpdate, RAUC,
 * Mender, fwupd, and vendor scripts that fetch (wget, curl, uclient-fetch,
 * tftp) a firmware or an update manifest and flash it (mtd write, dd to a
 * flash device, flashcp, nandwrite, ubiupdatevol). For each: where it is,
 * whether it fetches over plain HTTP/FTP/TFTP, and whether anything in the
 * image verifies what it fetches (usign keys, signify, `openssl ... -verify`,
 * gpg, a RAUC keyring, an SWUpdate public key, a Mender artifact key); a
 * script's verification counts only when the key it names is in the image.
 * No mechanism at all is an info finding and leaves 5.3-2 unverified: a
 * device may be updated by means the image does not show.
 *
 * Integrity: FIT images (the unpack layer says "signed" or "unsigned"),
 * legacy uImages (a CRC only), dm-verity. Build age: the newest file time
 * stamp and the kernel's build date. */
#include "checks/boot/boot.h"
#include "checks/check.h"
#include "checks/updates/scan.h"
#include "iotcop/error.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const p_install[] = {"5.3-2", NULL};
static const char *const p_none[] = {"5.3-1", "5.3-2", NULL};
static const char *const p_crypto[] = {"5.3-7", NULL};
static const char *const p_authentic[] = {"5.3-9", "5.3-10", NULL};
static const char *const p_timely[] = {"5.3-8", NULL};
static const char *const p_boot[] = {"5.7-1", NULL};

static const struct ic_rule update_rules[] = {
    {
        .id = "update.mechanism",
        .title = "Software update mechanism",
        .severity = IC_SEVERITY_INFO,
        .guideline = "CoP-3",
        .provisions = p_install,
        .rationale = "Evidence: the image contains a way to install updates. Whether it is "
                     "secure depends on its transport and on whether it checks signatures, "
                     "reported separately.",
        .fix = "Nothing to fix; keep the update client current and make it verify signatures "
               "over an authenticated channel.",
    },
    {
        .id = "update.insecure-transport",
        .title = "Updates fetched over a plaintext protocol",
        .severity = IC_SEVERITY_MEDIUM,
        .guideline = "CoP-3",
        .provisions = p_crypto,
        .rationale = "An update or feed fetched over http://, ftp:// or TFTP can be read and "
                     "replaced by anyone on the path. Unless every update is signed and "
                     "verified, that is a way to install any software on the device.",
        .fix = "Fetch updates and feeds over HTTPS with certificate verification, and verify a "
               "signature on what is fetched.",
    },
    {
        .id = "update.no-signature-check",
        .title = "Update mechanism without signature verification",
        .severity = IC_SEVERITY_MEDIUM,
        .guideline = "CoP-3",
        .provisions = p_authentic,
        .rationale = "The image has an update mechanism but nothing that checks a signature on "
                     "what it installs (no usign or signify keys, no `openssl ... -verify`, "
                     "no RAUC keyring or SWUpdate/Mender public key). The device then "
                     "installs whatever the server, or whoever stands in for it, sends.",
        .fix = "Sign update images and packages and verify the signature on the device "
               "against a key built into the image before installing (usign/signify, RAUC "
               "or SWUpdate signed bundles, signed FIT images).",
    },
    {
        .id = "update.none",
        .title = "No software update mechanism found",
        .severity = IC_SEVERITY_INFO,
        .guideline = "CoP-3",
        .provisions = p_none,
        .rationale = "Nothing in the image is recognised as a way to install updates. The "
                     "device may still be updated through its boot loader, a vendor app or "
                     "an unrecognised tool; documents have to show how.",
        .fix = "Provide a secure update mechanism (SWUpdate, RAUC, Mender, sysupgrade with "
               "signature checks) or document why the device cannot be updated.",
    },
    {
        .id = "integrity.unsigned-image",
        .title = "Boot image is not signed",
        .severity = IC_SEVERITY_LOW,
        .guideline = "CoP-7",
        .provisions = p_boot,
        .rationale = "A FIT image without signature nodes, or a legacy uImage (which has only "
                     "a CRC), cannot be verified by a secure boot chain: anyone who can write "
                     "to the flash can change the kernel or the root file system.",
        .fix = "Build a FIT image signed with mkimage -k/-K, and have U-Boot require the "
               "signature (CONFIG_FIT_SIGNATURE, required = \"conf\").",
    },
    {
        .id = "integrity.signed-image",
        .title = "Signed boot image",
        .severity = IC_SEVERITY_INFO,
        .guideline = "CoP-7",
        .provisions = p_boot,
        .rationale = "Evidence: the image carries a signature. Whether the boot loader "
                     "requires it cannot be seen from the image alone.",
        .fix = "Nothing to fix; make sure the boot loader's device tree holds the public key "
               "with required = \"conf\".",
    },
    {
        .id = "integrity.verity",
        .title = "dm-verity protects a file system",
        .severity = IC_SEVERITY_INFO,
        .guideline = "CoP-7",
        .provisions = p_boot,
        .rationale = "Evidence: dm-verity checks every block of a read-only file system "
                     "against a hash tree whose root is fixed at boot.",
        .fix = "Nothing to fix; make sure the root hash itself is covered by a signature.",
    },
    {
        .id = "build.age",
        .title = "Build date of the firmware",
        .severity = IC_SEVERITY_INFO,
        .guideline = "CoP-3",
        .provisions = p_timely,
        .rationale = "Evidence: the newest file time stamp and the kernel's build date tell "
                     "how old the software is; old builds usually carry known "
                     "vulnerabilities.",
        .fix = "Rebuild and release updates regularly over the defined support period.",
    },
};

const struct ic_rule_set ic_rule_set_updates = {
    .family = "updates",
    .rules = update_rules,
    .count = sizeof(update_rules) / sizeof(update_rules[0]),
};

static const struct ic_coverage update_coverage[] = {
    {"5.3-7", 0, 1},
    {"5.3-9", 0, 1},
    {"5.3-10", 0, 1},
    {"5.7-1", 0, 1},
};

#define MAX_MECHS 32
#define MAX_SCRIPT (256u << 10)
#define MAX_CONF (256u << 10)
#define MAX_KERNEL_SCAN (64ull << 20)

struct mech {
    char what[48];  /* "opkg", "vendor script" */
    char path[256]; /* where it was found */
    uint64_t line;
    char detail[600]; /* feeds, URLs, flashing commands */
    char verify[300]; /* how signatures are checked, or "" */
};

struct layer_state {
    struct ic_check_ctx *ctx;
    const struct ic_layer *layer;
    const struct ic_fs *fs;
    struct mech mechs[MAX_MECHS];
    size_t count;
    char keys[256]; /* usign/signify keys found: "3 keys in /etc/opkg/keys" */
    int usign;      /* usign or signify present */
    int rc;
};

static struct mech *add_mech(struct layer_state *s, const char *what, const char *path,
                             uint64_t line)
{
    if (s->count >= MAX_MECHS)
        return NULL;
    struct mech *m = &s->mechs[s->count++];
    memset(m, 0, sizeof(*m));
    snprintf(m->what, sizeof(m->what), "%s", what);
    snprintf(m->path, sizeof(m->path), "%s", path);
    m->line = line;
    return m;
}

static void appendf(char *dst, size_t cap, const char *a, const char *b)
{
    size_t o = strlen(dst);
    if (o + 1 < cap)
        snprintf(dst + o, cap - o, "%s%s", a, b);
}

static const struct ic_entry *exists(const struct ic_fs *fs, const char *path)
{
    const struct ic_entry *e = ic_fs_lookup(fs, path);
    return e;
}

static const char *first_existing(const struct ic_fs *fs, const char *const *paths)
{
    for (size_t i = 0; paths[i]; i++)
        if (exists(fs, paths[i]))
            return paths[i];
    return NULL;
}

static int has_prefix(const char *s, const char *p)
{
    return strncmp(s, p, strlen(p)) == 0;
}

static int has_suffix(const char *s, const char *p)
{
    size_t n = strlen(s), m = strlen(p);
    return n >= m && strcmp(s + n - m, p) == 0;
}

static int insecure(struct layer_state *s, const char *path, uint64_t line, const char *what,
                    const char *url)
{
    return ic_check_finding(s->ctx, "update.insecure-transport", s->layer->id, path, line,
                            "%s fetches %s over a plaintext protocol", what, url);
}

/* ---- opkg ---------------------------------------------------------------- */

struct feed_state {
    struct layer_state *s;
    const char *path;
    struct mech *m;
    unsigned feeds, plain;
};

static int on_feed(void *arg, const struct ic_scan_feed *f)
{
    struct feed_state *fs = arg;
    fs->feeds++;
    if (fs->feeds <= 4)
        appendf(fs->m->detail, sizeof(fs->m->detail), fs->feeds > 1 ? ", " : "; feeds: ", f->url);
    if (has_prefix(f->url, "http://") || has_prefix(f->url, "ftp://")) {
        fs->plain++;
        char what[200];
        snprintf(what, sizeof(what), "opkg feed '%s'", f->name);
        return insecure(fs->s, fs->path, f->line, what, f->url);
    }
    return 0;
}

static int find_opkg(struct layer_state *s)
{
    static const char *const bins[] = {"/bin/opkg", "/usr/bin/opkg", "/usr/sbin/opkg", NULL};
    const char *bin = first_existing(s->fs, bins);
    int check_signature = 0;
    struct mech *m = NULL;
    size_t n = ic_fs_count(s->fs);
    for (size_t i = 0; i < n; i++) {
        const struct ic_entry *e = ic_fs_entry(s->fs, i);
        if (e->type != IC_FT_FILE ||
            !(strcmp(e->path, "/etc/opkg.conf") == 0 ||
              (has_prefix(e->path, "/etc/opkg/") && has_suffix(e->path, ".conf") &&
               !strchr(e->path + 10, '/'))))
            continue;
        if (!m && !(m = add_mech(s, "opkg package manager", bin ? bin : e->path, 0)))
            return 0;
        size_t len = 0;
        const uint8_t *d = ic_boot_file_data(s->fs, e->path, MAX_CONF, &len, NULL);
        if (!d)
            continue;
        struct feed_state st = {s, e->path, m, 0, 0};
        int sig = 0;
        int rc = ic_scan_opkg_conf(d, len, &sig, on_feed, &st);
        if (rc)
            return rc;
        check_signature |= sig;
    }
    if (!m && bin)
        m = add_mech(s, "opkg package manager", bin, 0);
    if (m && check_signature)
        snprintf(m->verify, sizeof(m->verify), "option check_signature set%s%.200s",
                 s->keys[0] ? ", " : " (but no keys found)", s->keys);
    return 0;
}

/* ---- the known clients --------------------------------------------------- */

static void count_keys(struct layer_state *s)
{
    static const char *const dirs[] = {"/etc/opkg/keys/", "/etc/signify/", "/usr/share/keys/",
                                       "/etc/keys/", NULL};
    size_t n = ic_fs_count(s->fs);
    for (size_t k = 0; dirs[k]; k++) {
        unsigned keys = 0;
        for (size_t i = 0; i < n; i++) {
            const struct ic_entry *e = ic_fs_entry(s->fs, i);
            if (e->type == IC_FT_FILE && has_prefix(e->path, dirs[k]) && e->size > 0)
                keys++;
        }
        if (keys && !s->keys[0])
            snprintf(s->keys, sizeof(s->keys), "%u key%s in %.*s", keys, keys == 1 ? "" : "s",
                     (int)strlen(dirs[k]) - 1, dirs[k]);
    }
    static const char *const tools[] = {"/usr/bin/usign", "/bin/usign", "/usr/bin/signify",
                                        "/usr/bin/signify-openbsd", NULL};
    s->usign = first_existing(s->fs, tools) != NULL;
}

static void setting(const struct ic_fs *fs, const char *file, const char *section, const char *key,
                    char *out, size_t cap, uint64_t *line)
{
    size_t len = 0;
    out[0] = '\0';
    const uint8_t *d = ic_boot_file_data(fs, file, MAX_CONF, &len, NULL);
    uint64_t l = d ? ic_scan_setting(d, len, section, key, out, cap) : 0;
    if (line)
        *line = l;
}

static int find_clients(struct layer_state *s)
{
    const struct ic_fs *fs = s->fs;
    struct mech *m;
    if (exists(fs, "/sbin/sysupgrade")) {
        m = add_mech(s, "OpenWrt sysupgrade", "/sbin/sysupgrade", 0);
        if (m && s->usign && s->keys[0])
            snprintf(m->verify, sizeof(m->verify), "usign with %s", s->keys);
    }
    int rc = find_opkg(s);
    if (rc)
        return rc;

    static const char *const swu[] = {"/usr/bin/swupdate", "/usr/sbin/swupdate",
                                      "/etc/swupdate.cfg", NULL};
    const char *p = first_existing(fs, swu);
    if (p && (m = add_mech(s, "SWUpdate", p, 0))) {
        char key[256];
        setting(fs, "/etc/swupdate.cfg", NULL, "public-key-file", key, sizeof(key), NULL);
        if (key[0])
            snprintf(m->verify, sizeof(m->verify), "public-key-file %.200s in /etc/swupdate.cfg",
                     key);
    }

    static const char *const rauc[] = {"/usr/bin/rauc", "/usr/sbin/rauc", "/etc/rauc/system.conf",
                                       NULL};
    p = first_existing(fs, rauc);
    if (p && (m = add_mech(s, "RAUC", p, 0))) {
        char keyring[256], full[300];
        setting(fs, "/etc/rauc/system.conf", "keyring", "path", keyring, sizeof(keyring), NULL);
        if (!keyring[0])
            setting(fs, "/etc/rauc/system.conf", "keyring", "directory", keyring, sizeof(keyring),
                    NULL);
        if (keyring[0]) {
            snprintf(full, sizeof(full), "%s%s", keyring[0] == '/' ? "" : "/etc/rauc/", keyring);
            const struct ic_entry *e = NULL;
            if (ic_fs_resolve(fs, full, &e) == IC_OK && e)
                snprintf(m->verify, sizeof(m->verify), "keyring %.280s", full);
            else {
                appendf(m->detail, sizeof(m->detail), "; keyring ", full);
                appendf(m->detail, sizeof(m->detail), " named in /etc/rauc/system.conf",
                        " is not in the image");
            }
        } else if (exists(fs, "/etc/rauc/system.conf")) {
            appendf(m->detail, sizeof(m->detail), "; /etc/rauc/system.conf has no ", "[keyring]");
        }
    }

    static const char *const mender[] = {"/usr/bin/mender", "/usr/bin/mender-update",
                                         "/etc/mender/mender.conf", NULL};
    p = first_existing(fs, mender);
    if (p && (m = add_mech(s, "Mender", p, 0))) {
        char url[IC_SCAN_MAX_URL], key[256];
        uint64_t line = 0;
        setting(fs, "/etc/mender/mender.conf", NULL, "ServerURL", url, sizeof(url), &line);
        if (url[0]) {
            appendf(m->detail, sizeof(m->detail), "; server ", url);
            if (has_prefix(url, "http://") &&
                (rc = insecure(s, "/etc/mender/mender.conf", line, "Mender", url)))
                return rc;
        }
        setting(fs, "/etc/mender/mender.conf", NULL, "ArtifactVerifyKey", key, sizeof(key), NULL);
        if (key[0])
            snprintf(m->verify, sizeof(m->verify), "ArtifactVerifyKey %.250s", key);
    }

    static const char *const fwupd[] = {"/usr/libexec/fwupd/fwupd", "/usr/lib/fwupd/fwupd",
                                        "/usr/bin/fwupdmgr", NULL};
    p = first_existing(fs, fwupd);
    if (p && (m = add_mech(s, "fwupd", p, 0))) {
        size_t n = ic_fs_count(fs);
        for (size_t i = 0; i < n; i++) {
            const struct ic_entry *e = ic_fs_entry(fs, i);
            if (e->type != IC_FT_FILE || !has_prefix(e->path, "/etc/fwupd/remotes.d/"))
                continue;
            char url[IC_SCAN_MAX_URL];
            uint64_t line = 0;
            setting(fs, e->path, NULL, "MetadataURI", url, sizeof(url), &line);
            if (url[0] && has_prefix(url, "http://") &&
                (rc = insecure(s, e->path, line, "fwupd remote", url)))
                return rc;
        }
        if (exists(fs, "/etc/pki/fwupd") || exists(fs, "/etc/pki/fwupd-metadata"))
            snprintf(m->verify, sizeof(m->verify), "%s",
                     "fwupd verifies metadata and firmware signatures (keys in /etc/pki/fwupd*)");
    }
    return 0;
}

/* ---- vendor scripts ------------------------------------------------------ */

struct script_state {
    struct layer_state *s;
    const char *path;
    uint64_t fetch_line;
    char fetch[IC_SCAN_MAX_URL]; /* the first URL fetched */
    char fetch_tool[32];
    char flash[160];       /* the first flashing command */
    char verify[160];      /* the first verification command */
    char missing_key[160]; /* the key a verification names that the image lacks */
    int update_words;      /* URL or script name speaks of firmware updates */
    char plain[4][IC_SCAN_MAX_URL];
    uint64_t plain_line[4];
    size_t plain_count;
};

static int words_of_update(const char *s)
{
    static const char *const w[] = {"update", "upgrade", "firmware", "/fw", "fw_",
                                    "fw-",    "ota",     "flash",    NULL};
    char low[IC_SCAN_MAX_URL];
    size_t i = 0;
    for (; s[i] && i + 1 < sizeof(low); i++)
        low[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
    low[i] = '\0';
    for (size_t k = 0; w[k]; k++)
        if (strstr(low, w[k]))
            return 1;
    return 0;
}

static int arg_is(const struct ic_sh_cmd *c, const char *a)
{
    for (size_t i = 1; i < c->argc; i++)
        if (strcmp(c->argv[i], a) == 0)
            return 1;
    return 0;
}

/* The argument after option OPT, or NULL. */
static const char *arg_after(const struct ic_sh_cmd *c, const char *opt)
{
    for (size_t i = 1; i + 1 < c->argc; i++)
        if (strcmp(c->argv[i], opt) == 0)
            return c->argv[i + 1];
    return NULL;
}

/* The public key or keyring a verification command names: `openssl dgst
 * -verify KEY`, `openssl pkeyutl -verify -inkey KEY`, `usign -V -p KEY`
 * (-P DIR), `signify -V -p KEY`, `gpgv --keyring KEY`. */
static const char *verify_key(const struct ic_sh_cmd *c, const char *name)
{
    const char *k = NULL;
    if (strcmp(name, "openssl") == 0) {
        k = arg_after(c, "-verify");
        if (!k || k[0] == '-')
            k = arg_after(c, "-inkey");
    } else if (strcmp(name, "usign") == 0 || strncmp(name, "signify", 7) == 0) {
        k = arg_after(c, "-p");
        if (!k)
            k = arg_after(c, "-P");
    } else if (strcmp(name, "gpgv") == 0 || strcmp(name, "gpg") == 0) {
        k = arg_after(c, "--keyring");
    }
    return k && k[0] != '-' ? k : NULL;
}

static int on_cmd(void *arg, const struct ic_sh_cmd *c)
{
    struct script_state *st = arg;
    if (!c->argc)
        return 0;
    const char *name = ic_boot_basename(c->argv[0]);
    size_t first = 0;
    if (strcmp(name, "busybox") == 0 && c->argc > 1) {
        name = c->argv[1];
        first = 1;
    }
    int fetch = strcmp(name, "wget") == 0 || strcmp(name, "curl") == 0 ||
                strcmp(name, "uclient-fetch") == 0 || strcmp(name, "tftp") == 0 ||
                strcmp(name, "ftpget") == 0;
    if (fetch) {
        for (size_t i = first + 1; i < c->argc; i++) {
            const char *a = c->argv[i];
            const char *u = strstr(a, "://");
            if (!u)
                continue;
            if (!st->fetch[0]) {
                snprintf(st->fetch, sizeof(st->fetch), "%s", a);
                snprintf(st->fetch_tool, sizeof(st->fetch_tool), "%s", name);
                st->fetch_line = c->line;
            }
            st->update_words |= words_of_update(a);
            if ((has_prefix(a, "http://") || has_prefix(a, "ftp://") || has_prefix(a, "tftp://")) &&
                st->plain_count < 4) {
                snprintf(st->plain[st->plain_count], IC_SCAN_MAX_URL, "%s", a);
                st->plain_line[st->plain_count++] = c->line;
            }
        }
        if ((strcmp(name, "tftp") == 0 || strcmp(name, "ftpget") == 0) && !st->fetch[0]) {
            snprintf(st->fetch, sizeof(st->fetch), "%.400s", c->text);
            snprintf(st->fetch_tool, sizeof(st->fetch_tool), "%s", name);
            st->fetch_line = c->line;
            if (st->plain_count < 4) {
                snprintf(st->plain[st->plain_count], IC_SCAN_MAX_URL, "(%s) %.400s", name, c->text);
                st->plain_line[st->plain_count++] = c->line;
            }
        }
        return 0;
    }
    int flash = (strcmp(name, "mtd") == 0 && arg_is(c, "write")) || strcmp(name, "flashcp") == 0 ||
                strcmp(name, "nandwrite") == 0 || strcmp(name, "ubiupdatevol") == 0 ||
                strcmp(name, "sysupgrade") == 0 || strcmp(name, "flash_erase") == 0;
    if (strcmp(name, "dd") == 0)
        for (size_t i = first + 1; i < c->argc; i++)
            if (has_prefix(c->argv[i], "of=/dev/mtd") || has_prefix(c->argv[i], "of=/dev/mmcblk") ||
                has_prefix(c->argv[i], "of=/dev/sd") || has_prefix(c->argv[i], "of=/dev/ubi") ||
                has_prefix(c->argv[i], "of=/dev/nand"))
                flash = 1;
    if (flash && !st->flash[0])
        snprintf(st->flash, sizeof(st->flash), "%.150s", c->text);
    int verify = ((strcmp(name, "usign") == 0 || strcmp(name, "signify") == 0 ||
                   strcmp(name, "signify-openbsd") == 0) &&
                  arg_is(c, "-V")) ||
                 (strcmp(name, "openssl") == 0 && (arg_is(c, "-verify") || arg_is(c, "verify"))) ||
                 (strcmp(name, "gpg") == 0 && arg_is(c, "--verify")) || strcmp(name, "gpgv") == 0 ||
                 (strcmp(name, "fwtool") == 0 && arg_is(c, "-s")) ||
                 (strcmp(name, "swupdate") == 0 && arg_is(c, "-k"));
    /* A verification against a key the image does not have verifies nothing;
     * a path built from variables cannot be judged and counts. */
    const char *key = verify ? verify_key(c, name) : NULL;
    const struct ic_entry *found = NULL;
    if (key && key[0] == '/' && !strchr(key, '$') &&
        !(ic_fs_resolve(st->s->fs, key, &found) == IC_OK && found)) {
        if (!st->missing_key[0])
            snprintf(st->missing_key, sizeof(st->missing_key), "%.150s", key);
        verify = 0;
    }
    if (verify && !st->verify[0])
        snprintf(st->verify, sizeof(st->verify), "%.150s", c->text);
    return 0;
}

static int script_like(const struct ic_entry *e, const uint8_t *d, size_t n)
{
    if (has_prefix(e->path, "/usr/share/doc/") || has_prefix(e->path, "/usr/share/man/") ||
        has_prefix(e->path, "/usr/include/"))
        return 0;
    if (n >= 2 && d[0] == '#' && d[1] == '!')
        return 1;
    return has_prefix(e->path, "/etc/init.d/") || has_prefix(e->path, "/etc/rc.d/") ||
           has_suffix(e->path, ".sh");
}

static int known_client_path(const struct layer_state *s, const char *path)
{
    for (size_t i = 0; i < s->count; i++)
        if (strcmp(s->mechs[i].path, path) == 0)
            return 1;
    return has_prefix(path, "/lib/upgrade/");
}

static int find_scripts(struct layer_state *s)
{
    size_t n = ic_fs_count(s->fs);
    for (size_t i = 0; i < n; i++) {
        const struct ic_entry *e = ic_fs_entry(s->fs, i);
        if (e->type != IC_FT_FILE || !e->content || e->size > MAX_SCRIPT)
            continue;
        int err = 0;
        const uint8_t *d = ic_blob_data(e->content, &err);
        size_t len = (size_t)ic_blob_size(e->content);
        if (!d || !script_like(e, d, len) || memchr(d, '\0', len < 512 ? len : 512))
            continue;
        struct script_state *st = calloc(1, sizeof(*st));
        if (!st)
            return IC_E_NOMEM;
        st->s = s;
        st->path = e->path;
        int rc = ic_sh_scan(d, len, 1, on_cmd, st);
        if (rc == IC_E_NOMEM) {
            free(st);
            return rc;
        }
        st->update_words |= words_of_update(ic_boot_basename(e->path));
        rc = 0;
        if (st->fetch[0] && (st->flash[0] || st->update_words) && !known_client_path(s, e->path)) {
            struct mech *m =
                add_mech(s, st->flash[0] ? "vendor update script" : "vendor update check", e->path,
                         st->fetch_line);
            if (m) {
                snprintf(m->detail, sizeof(m->detail), "; fetches %.400s with %s", st->fetch,
                         st->fetch_tool);
                if (st->flash[0]) {
                    appendf(m->detail, sizeof(m->detail), "; flashes with '", st->flash);
                    appendf(m->detail, sizeof(m->detail), "'", "");
                } else
                    appendf(m->detail, sizeof(m->detail), "; no flashing command in the script",
                            "");
                if (st->verify[0])
                    snprintf(m->verify, sizeof(m->verify), "'%s'", st->verify);
                else if (st->missing_key[0])
                    appendf(m->detail, sizeof(m->detail), "; verifies against ", st->missing_key);
                if (!st->verify[0] && st->missing_key[0])
                    appendf(m->detail, sizeof(m->detail), ", a key that is not in the image", "");
            }
            for (size_t k = 0; k < st->plain_count && !rc; k++) {
                char what[300];
                snprintf(what, sizeof(what), "%s (%s)", e->path, st->fetch_tool);
                rc = insecure(s, e->path, st->plain_line[k], what, st->plain[k]);
            }
        }
        free(st);
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- integrity and build age --------------------------------------------- */

/* info without its ", N bytes" parts: the evidence (and so the fingerprint)
 * of an image must not change with every rebuild of the same product. */
static void without_byte_counts(const char *info, char *out, size_t size)
{
    size_t n = 0;
    for (const char *p = info; *p && n + 1 < size;) {
        if (p[0] == ',' && p[1] == ' ' && isdigit((unsigned char)p[2])) {
            const char *q = p + 2;
            while (isdigit((unsigned char)*q))
                q++;
            if (strncmp(q, " bytes", 6) == 0) {
                p = q + 6;
                continue;
            }
        }
        out[n++] = *p++;
    }
    out[n] = '\0';
}

static int check_boot_images(struct ic_check_ctx *ctx, int *any_signed)
{
    for (size_t i = 0; i < ctx->unpack->layer_count; i++) {
        const struct ic_layer *l = &ctx->unpack->layers[i];
        if (!l->format || !l->info)
            continue;
        int rc = 0;
        if (strcmp(l->format, "fit") == 0 && has_prefix(l->info, "FIT:")) {
            if (strstr(l->info, ", unsigned,")) {
                rc = ic_check_finding(ctx, "integrity.unsigned-image", l->id, l->path, 0,
                                      "FIT image without signatures (%s)", l->info);
            } else if (strstr(l->info, ", signed")) {
                *any_signed = 1;
                rc = ic_check_finding(ctx, "integrity.signed-image", l->id, l->path, 0,
                                      "signed FIT image (%s)", l->info);
                if (!rc) {
                    char ev[700];
                    snprintf(ev, sizeof(ev),
                             "signed FIT image in layer %s (%.500s); whether the boot loader "
                             "requires the signature is not visible in the image",
                             l->id, l->info);
                    rc = ic_report_set_provision(ctx->report, "5.7-1", IC_STATUS_UNVERIFIED, ev);
                }
            }
        } else if (strcmp(l->format, "uimage") == 0) {
            char stable[256];
            without_byte_counts(l->info, stable, sizeof(stable));
            rc = ic_check_finding(ctx, "integrity.unsigned-image", l->id, l->path, 0,
                                  "legacy U-Boot image, protected by a CRC32 only (%s)", stable);
        }
        if (rc)
            return rc;
    }
    return 0;
}

static int check_verity(struct ic_check_ctx *ctx, const struct ic_layer *l)
{
    static const char *const tools[] = {"/sbin/veritysetup", "/usr/sbin/veritysetup",
                                        "/usr/bin/veritysetup", NULL};
    const char *t = first_existing(l->fs, tools);
    const char *where = t;
    char what[200] = "";
    if (t)
        snprintf(what, sizeof(what), "veritysetup present");
    static const char *const cmdlines[] = {"/boot/cmdline.txt",   "/boot/extlinux/extlinux.conf",
                                           "/boot/grub/grub.cfg", "/etc/default/grub",
                                           "/boot/boot.cmd",      "/etc/fw_env.config",
                                           "/boot/uEnv.txt",      NULL};
    for (size_t i = 0; cmdlines[i] && !where; i++) {
        size_t n = 0;
        const uint8_t *d = ic_boot_file_data(l->fs, cmdlines[i], MAX_CONF, &n, NULL);
        if (!d)
            continue;
        static const char *const keys[] = {"roothash=", "dm-verity", "verity", NULL};
        for (size_t k = 0; keys[k] && !where; k++) {
            size_t kl = strlen(keys[k]);
            for (size_t j = 0; j + kl <= n; j++)
                if (memcmp(d + j, keys[k], kl) == 0) {
                    where = cmdlines[i];
                    snprintf(what, sizeof(what), "'%s' on the kernel command line", keys[k]);
                    break;
                }
        }
    }
    if (!where)
        return 0;
    int rc = ic_check_finding(ctx, "integrity.verity", l->id, where, 0, "dm-verity: %s", what);
    if (!rc) {
        char ev[400];
        snprintf(ev, sizeof(ev), "dm-verity in layer %s (%s at %s)", l->id, what, where);
        rc = ic_report_set_provision(ctx->report, "5.7-1", IC_STATUS_UNVERIFIED, ev);
    }
    return rc;
}

static void date_of(int64_t t, char out[11])
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm)) {
        snprintf(out, 11, "?");
        return;
    }
    strftime(out, 11, "%Y-%m-%d", &tm);
}

static int check_build_age(struct ic_check_ctx *ctx)
{
    int64_t now = ctx->report->run.started > 0 ? ctx->report->run.started : (int64_t)time(NULL);
    int64_t newest = 0;
    const char *newest_path = NULL, *newest_layer = NULL;
    char banner[400] = "", kdate[11] = "";
    const char *klayer = NULL;
    int64_t koffset = -1;
    for (size_t i = 0; i < ctx->unpack->layer_count; i++) {
        const struct ic_layer *l = &ctx->unpack->layers[i];
        if (l->fs) {
            size_t n = ic_fs_count(l->fs);
            for (size_t k = 0; k < n; k++) {
                const struct ic_entry *e = ic_fs_entry(l->fs, k);
                /* Time stamps in the future of the audit are clock errors. */
                if (e->mtime > newest && e->mtime <= now + 86400) {
                    newest = e->mtime;
                    newest_path = e->path;
                    newest_layer = l->id;
                }
            }
        } else if (l->content && !klayer && ic_blob_size(l->content) <= MAX_KERNEL_SCAN &&
                   ic_blob_size(l->content) > 0) {
            int err = 0;
            const uint8_t *d = ic_blob_data(l->content, &err);
            if (!d)
                continue;
            char b[400], dt[11];
            int64_t at =
                ic_scan_kernel_banner(d, (size_t)ic_blob_size(l->content), b, sizeof(b), dt);
            if (at >= 0) {
                memcpy(banner, b, sizeof(banner));
                memcpy(kdate, dt, sizeof(kdate));
                klayer = l->id;
                koffset = at;
            }
        }
    }
    if (!newest_path && !klayer)
        return 0;
    char ev[1200] = "";
    size_t o = 0;
    if (klayer) {
        int w = snprintf(ev, sizeof(ev), "kernel built %s ('%s')", kdate[0] ? kdate : "(no date)",
                         banner);
        o = w > 0 ? (size_t)w : 0;
    }
    if (newest_path && o < sizeof(ev)) {
        char d[11];
        date_of(newest, d);
        snprintf(ev + o, sizeof(ev) - o, "%snewest file time stamp %s (%s, layer %s)",
                 o ? "; " : "", d, newest_path, newest_layer);
    }
    const struct ic_rule *rule = ic_rule_find("build.age");
    if (!rule)
        return IC_E_INTERNAL;
    struct ic_location loc =
        klayer ? ic_location_raw(klayer, koffset) : ic_location_file(newest_layer, NULL);
    struct ic_finding f = ic_finding_from_rule(rule, loc, ev);
    int rc = ic_report_add_finding(ctx->report, &f, NULL);
    return rc == IC_E_EXISTS ? IC_OK : rc;
}

/* ---- the family ---------------------------------------------------------- */

static int report_layer(struct layer_state *s)
{
    int rc = 0;
    for (size_t i = 0; i < s->count && !rc; i++) {
        const struct mech *m = &s->mechs[i];
        rc = ic_check_finding(s->ctx, "update.mechanism", s->layer->id, m->path, m->line,
                              "%s at %s%s; signature check: %s", m->what, m->path, m->detail,
                              m->verify[0] ? m->verify : "none found");
        if (!rc && !m->verify[0])
            rc = ic_check_finding(s->ctx, "update.no-signature-check", s->layer->id, m->path,
                                  m->line,
                                  "%s at %s%s; nothing in the image verifies what it installs "
                                  "(no usign/signify keys, openssl -verify, keyring or public "
                                  "key)",
                                  m->what, m->path, m->detail);
    }
    return rc;
}

static int run_updates(struct ic_check_ctx *ctx)
{
    int rc = 0, any_signed = 0;
    size_t mechanisms = 0, trees = 0;
    const struct ic_layer *biggest = NULL;
    char summary[700] = "";
    struct layer_state *s = malloc(sizeof(*s));
    if (!s)
        return IC_E_NOMEM;
    for (size_t i = 0; i < ctx->unpack->layer_count && !rc; i++) {
        const struct ic_layer *layer = &ctx->unpack->layers[i];
        if (!layer->fs)
            continue;
        trees++;
        if (!biggest || ic_fs_count(layer->fs) > ic_fs_count(biggest->fs))
            biggest = layer;
        memset(s, 0, sizeof(*s));
        s->ctx = ctx;
        s->layer = layer;
        s->fs = layer->fs;
        count_keys(s);
        rc = find_clients(s);
        if (!rc)
            rc = find_scripts(s);
        if (!rc)
            rc = report_layer(s);
        for (size_t k = 0; k < s->count; k++) {
            size_t o = strlen(summary);
            if (o + 1 < sizeof(summary))
                snprintf(summary + o, sizeof(summary) - o, "%s%s at %s (layer %s)%s",
                         mechanisms + k ? "; " : "", s->mechs[k].what, s->mechs[k].path, layer->id,
                         s->mechs[k].verify[0] ? ", verifies signatures" : "");
        }
        mechanisms += s->count;
        if (!rc)
            rc = check_verity(ctx, layer);
    }
    free(s);
    if (!rc && trees) {
        char ev[800];
        if (mechanisms) {
            snprintf(ev, sizeof(ev),
                     "update mechanism found: %s; whether it can update every "
                     "component securely needs documents",
                     summary);
        } else {
            snprintf(ev, sizeof(ev), "no update mechanism found in %zu file system%s", trees,
                     trees == 1 ? "" : "s");
            rc = ic_check_finding(ctx, "update.none", biggest->id, "/", 0,
                                  "no update client (sysupgrade, opkg, SWUpdate, RAUC, Mender, "
                                  "fwupd) and no script that fetches and flashes an image; the "
                                  "device may still be updated by means the image does not show");
        }
        if (!rc)
            rc = ic_report_set_provision(ctx->report, "5.3-2", IC_STATUS_UNVERIFIED, ev);
    }
    if (!rc)
        rc = check_boot_images(ctx, &any_signed);
    if (!rc)
        rc = check_build_age(ctx);
    return rc;
}

const struct ic_check ic_check_updates = {
    .name = "updates",
    .description = "update mechanisms, their transport and signature checks; signed images, "
                   "dm-verity; build age",
    .rules = &ic_rule_set_updates,
    .coverage = update_coverage,
    .coverage_count = sizeof(update_coverage) / sizeof(update_coverage[0]),
    .run = run_updates,
};
