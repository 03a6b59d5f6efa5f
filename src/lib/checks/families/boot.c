/* The boot process: what the image starts when it boots (inittab, rcS and
 * /etc/init.d with rc links, OpenWrt procd, systemd, upstart, runit,
 * inetd/xinetd), and which of those services widen the attack surface
 * (CoP-6, EN 303 645 5.6-1 and 5.6-5). Every started service is listed as an
 * info finding (boot.service) so the report shows what runs. */
#include "checks/boot/boot.h"
#include "checks/check.h"
#include "iotcop/error.h"

#include <stdio.h>
#include <string.h>

static const char *const service_provisions[] = {"5.6-5", NULL};
static const char *const exposed[] = {"5.6-1", "5.6-5", NULL};
static const char *const upnp_provisions[] = {"5.6-1", "5.6-2", "5.6-5", NULL};

static const struct ic_rule boot_rules[] = {
    {
        .id = "boot.service",
        .title = "Service started at boot",
        .severity = IC_SEVERITY_INFO,
        .guideline = "CoP-6",
        .provisions = service_provisions,
        .rationale = "Every program the init system starts is attack surface. The list of what "
                     "starts at boot is the evidence a reviewer needs to judge that only the "
                     "services the device's intended use needs are enabled.",
        .fix = "Review the list; remove or disable every service the product does not need "
               "(delete its inittab line, rc link, *.wants link or procd script).",
    },
    {
        .id = "boot.telnet",
        .title = "Telnet server started at boot",
        .severity = IC_SEVERITY_HIGH,
        .guideline = "CoP-6",
        .provisions = exposed,
        .rationale = "A telnet server gives a remote login over an unencrypted channel; on "
                     "consumer devices it is the first thing botnets such as Mirai try. It is "
                     "almost never needed for the device's intended use.",
        .fix = "Remove telnetd from the boot process (inittab, init scripts, inetd.conf); use "
               "SSH with per-device credentials or keys where remote maintenance is needed.",
    },
    {
        .id = "boot.ftp",
        .title = "FTP server started at boot",
        .severity = IC_SEVERITY_MEDIUM,
        .guideline = "CoP-6",
        .provisions = exposed,
        .rationale = "An FTP server exposes the file system over a plaintext protocol whose "
                     "logins cross the network in the clear; often it is left over from "
                     "development.",
        .fix = "Remove the FTP server from the boot process, or replace it with SFTP/HTTPS if "
               "the product really needs file transfer.",
    },
    {
        .id = "boot.tftp",
        .title = "TFTP server started at boot",
        .severity = IC_SEVERITY_MEDIUM,
        .guideline = "CoP-6",
        .provisions = exposed,
        .rationale = "TFTP has no authentication at all: anyone on the network can read (and "
                     "often write) the files it serves.",
        .fix = "Do not start a TFTP server on a shipped device; keep it for the factory or "
               "recovery mode only.",
    },
    {
        .id = "boot.rlogin",
        .title = "rlogin/rsh/rexec server started at boot",
        .severity = IC_SEVERITY_HIGH,
        .guideline = "CoP-6",
        .provisions = exposed,
        .rationale = "The Berkeley r-services authenticate by host name or send passwords in the "
                     "clear; they have been obsolete for decades.",
        .fix = "Remove rlogind, rshd and rexecd from the boot process and from inetd.conf.",
    },
    {
        .id = "boot.debug",
        .title = "Debug server or network shell started at boot",
        .severity = IC_SEVERITY_HIGH,
        .guideline = "CoP-6",
        .provisions = exposed,
        .rationale = "A debugger stub (gdbserver), Android's adbd or a shell bound to a port "
                     "(nc -e /bin/sh) lets anyone who reaches the port run code on the device. "
                     "Such services belong to development builds.",
        .fix = "Build release images without debug services; start them only in a "
               "development mode that cannot be enabled remotely.",
    },
    {
        .id = "boot.upnp",
        .title = "UPnP daemon started at boot",
        .severity = IC_SEVERITY_MEDIUM,
        .guideline = "CoP-6",
        .provisions = upnp_provisions,
        .rationale = "A UPnP IGD daemon (miniupnpd) lets any program on the LAN open ports in "
                     "the router without authentication and announces the device over SSDP; "
                     "exposed on the WAN side it has been abused for reflection attacks.",
        .fix = "Disable UPnP by default and let the user turn it on; never bind it to the WAN "
               "interface.",
    },
};

const struct ic_rule_set ic_rule_set_boot = {
    .family = "boot",
    .rules = boot_rules,
    .count = sizeof(boot_rules) / sizeof(boot_rules[0]),
};

static const struct ic_coverage boot_coverage[] = {
    {"5.6-1", 0, 1},
    {"5.6-5", 0, 1},
};

static const char *rule_for(enum ic_boot_kind kind)
{
    switch (kind) {
    case IC_BOOT_KIND_TELNET:
        return "boot.telnet";
    case IC_BOOT_KIND_FTP:
        return "boot.ftp";
    case IC_BOOT_KIND_TFTP:
        return "boot.tftp";
    case IC_BOOT_KIND_RSH:
        return "boot.rlogin";
    case IC_BOOT_KIND_DEBUG:
        return "boot.debug";
    case IC_BOOT_KIND_UPNP:
        return "boot.upnp";
    default:
        return NULL;
    }
}

static int check_layer(struct ic_check_ctx *ctx, const struct ic_layer *layer)
{
    struct ic_boot_list list = {0};
    int rc = ic_boot_collect(layer->fs, &list);
    for (size_t i = 0; rc == IC_OK && i < list.count; i++) {
        const struct ic_boot_item *it = &list.items[i];
        if (!(it->flags & IC_BOOT_ENABLED))
            continue;
        const char *rule = rule_for(ic_boot_classify(it));
        if (rule)
            rc = ic_check_finding(ctx, rule, layer->id, it->file, it->line,
                                  "%s started at boot (%s): %s", it->name, it->how,
                                  it->command);
        if (rc == IC_OK && !(it->flags & IC_BOOT_SCRIPT))
            rc = ic_check_finding(ctx, "boot.service", layer->id, it->file, it->line,
                                  "%s (%s%s%s, %s): %s", it->name, it->program,
                                  it->resolved && strcmp(it->resolved, it->program) != 0
                                      ? " -> "
                                      : "",
                                  it->resolved && strcmp(it->resolved, it->program) != 0
                                      ? it->resolved
                                      : "",
                                  it->how, it->command);
    }
    if (rc == IC_OK && list.truncated)
        rc = ic_report_add_diagnostic(ctx->report, IC_E_LIMIT_FILES, 0, layer->id,
                                      "boot: more services than the boot list keeps; the rest "
                                      "were not checked");
    ic_boot_list_release(&list);
    return rc;
}

static int run_boot(struct ic_check_ctx *ctx)
{
    for (size_t i = 0; i < ctx->unpack->layer_count; i++) {
        const struct ic_layer *layer = &ctx->unpack->layers[i];
        if (!layer->fs)
            continue;
        int rc = check_layer(ctx, layer);
        if (rc)
            return rc;
    }
    return 0;
}

const struct ic_check ic_check_boot = {
    .name = "boot",
    .description = "services started at boot: telnet, FTP, TFTP, r-services, debug and UPnP "
                   "daemons",
    .rules = &ic_rule_set_boot,
    .coverage = boot_coverage,
    .coverage_count = sizeof(boot_coverage) / sizeof(boot_coverage[0]),
    .run = run_boot,
};
