/* File permissions in the image: setuid/setgid programs and files anyone may
 * change (CoP-6, EN 303 645 5.6-7: software runs with least privilege). */
#include "checks/check.h"

#include <stdio.h>
#include <string.h>

static const char *const least_privilege[] = {"5.6-7", NULL};

static const struct ic_rule permission_rules[] = {
    {
        .id = "perm.setuid",
        .title = "Program runs with its owner's privileges (setuid/setgid)",
        .severity = IC_SEVERITY_MEDIUM,
        .guideline = "CoP-6",
        .provisions = least_privilege,
        .rationale = "A setuid or setgid program runs with its owner's rights whoever starts it; "
                     "on a device any flaw in it hands those rights (usually root) to an attacker "
                     "who has a foothold. Embedded systems rarely need one.",
        .fix = "Remove the setuid/setgid bit, or give the program only the capabilities it "
               "needs; for a multi-call binary like BusyBox never make the whole binary setuid.",
    },
    {
        .id = "perm.setuid-shell",
        .title = "Shell or multi-call binary runs with its owner's privileges",
        .severity = IC_SEVERITY_HIGH,
        .guideline = "CoP-6",
        .provisions = least_privilege,
        .rationale = "A setuid shell, or a setuid BusyBox/Toybox (every applet, sh included, then "
                     "runs as the owner), gives a root shell to anyone who can run it: no flaw "
                     "is needed.",
        .fix = "Remove the setuid/setgid bit; install the few programs that need privileges as "
               "separate binaries.",
    },
    {
        .id = "perm.setuid-standard",
        .title = "Standard system tool that is setuid/setgid by design",
        .severity = IC_SEVERITY_LOW,
        .guideline = "CoP-6",
        .provisions = least_privilege,
        .rationale = "Tools such as passwd, su, mount or ping are setuid or setgid on general "
                     "purpose systems by design and are widely reviewed; on a device they are "
                     "still privileged code that an attacker with a foothold can reach.",
        .fix = "Remove the tools the device does not need, or replace the setuid bit with the "
               "capability the tool needs (e.g. cap_net_raw for ping).",
    },
    {
        .id = "perm.world-writable",
        .title = "File or directory anyone on the device may change",
        .severity = IC_SEVERITY_MEDIUM,
        .guideline = "CoP-6",
        .provisions = least_privilege,
        .rationale = "A world-writable file lets any process on the device change it; a "
                     "world-writable script or configuration that root reads is a way to root. "
                     "A world-writable directory without the sticky bit lets anyone replace "
                     "others' files in it.",
        .fix = "Remove write permission for others (chmod o-w), or set the sticky bit on shared "
               "directories such as /tmp.",
    },
};

const struct ic_rule_set ic_rule_set_permissions = {
    .family = "permissions",
    .rules = permission_rules,
    .count = sizeof(permission_rules) / sizeof(permission_rules[0]),
};

static const struct ic_coverage permission_coverage[] = {
    {"5.6-7", 1, 1},
};

static void mode_text(uint32_t mode, char out[6])
{
    snprintf(out, 6, "%04o", mode & 07777);
}

/* Programs that general-purpose Linux systems install setuid or setgid on
 * purpose (shadow, util-linux, iputils, sudo, polkit, fuse, openssh, dbus,
 * cron, at, bsdutils, dotlockfile, Xorg). */
static const char *const standard_setuid[] = {
    "passwd", "su", "sudo", "sudoedit", "mount", "umount", "chsh", "chfn", "gpasswd",
    "newgrp", "chage", "expiry", "unix_chkpwd", "ping", "ping6", "pkexec", "fusermount",
    "fusermount3", "ssh-keysign", "dbus-daemon-launch-helper", "crontab", "at", "wall",
    "write", "dotlockfile", "Xorg.wrap", "polkit-agent-helper-1", "newuidmap", "newgidmap",
    "pam_extrausers_chkpwd", "ntfs-3g", "mount.cifs", "mount.nfs", "traceroute6.iputils",
};

/* Shells and multi-call binaries, by name. */
static const char *const shells[] = {"sh", "ash", "bash", "dash", "ksh", "mksh", "zsh",
                                     "busybox", "toybox"};

static int in_list(const char *name, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(name, list[i]) == 0)
            return 1;
    return 0;
}

/* Whether the file is BusyBox or Toybox whatever its name (a setuid copy
 * renamed to look harmless): their banners are in the binary. */
static int is_multicall(const struct ic_entry *e)
{
    if (!e->content)
        return 0;
    int err = 0;
    const uint8_t *p = ic_blob_data(e->content, &err);
    size_t n = (size_t)ic_blob_size(e->content);
    if (!p)
        return 0;
    return memmem(p, n, "BusyBox v", 9) != NULL || memmem(p, n, "toybox ", 7) != NULL;
}

static const char *setuid_rule(const struct ic_entry *e)
{
    const char *slash = strrchr(e->path, '/');
    const char *name = slash ? slash + 1 : e->path;
    if (in_list(name, shells, sizeof(shells) / sizeof(shells[0])) || is_multicall(e))
        return "perm.setuid-shell";
    if (in_list(name, standard_setuid, sizeof(standard_setuid) / sizeof(standard_setuid[0])))
        return "perm.setuid-standard";
    return "perm.setuid";
}

static int check_tree(struct ic_check_ctx *ctx, const struct ic_layer *layer)
{
    size_t n = ic_fs_count(layer->fs);
    for (size_t i = 0; i < n; i++) {
        const struct ic_entry *e = ic_fs_entry(layer->fs, i);
        char mode[6];
        mode_text(e->mode, mode);
        int rc = 0;
        if (e->type == IC_FT_FILE && (e->mode & 06000)) {
            rc = ic_check_finding(ctx, setuid_rule(e), layer->id, e->path, 0,
                                  "%s%s file owned by uid %u, mode %s",
                                  (e->mode & 04000) ? "setuid" : "",
                                  (e->mode & 06000) == 06000 ? "+setgid" :
                                  (e->mode & 02000) ? "setgid" : "",
                                  e->uid, mode);
        } else if ((e->type == IC_FT_FILE && (e->mode & 0002)) ||
                   (e->type == IC_FT_DIR && (e->mode & 0002) && !(e->mode & 01000))) {
            rc = ic_check_finding(ctx, "perm.world-writable", layer->id, e->path, 0,
                                  "%s with mode %s (writable by everyone%s)",
                                  e->type == IC_FT_DIR ? "directory" : "file", mode,
                                  e->type == IC_FT_DIR ? ", no sticky bit" : "");
        }
        if (rc)
            return rc;
    }
    return 0;
}

static int run_permissions(struct ic_check_ctx *ctx)
{
    for (size_t i = 0; i < ctx->unpack->layer_count; i++) {
        const struct ic_layer *layer = &ctx->unpack->layers[i];
        if (!layer->fs)
            continue;
        int rc = check_tree(ctx, layer);
        if (rc)
            return rc;
    }
    return 0;
}

const struct ic_check ic_check_permissions = {
    .name = "permissions",
    .description = "setuid/setgid programs and world-writable files",
    .rules = &ic_rule_set_permissions,
    .coverage = permission_coverage,
    .coverage_count = sizeof(permission_coverage) / sizeof(permission_coverage[0]),
    .run = run_permissions,
};
