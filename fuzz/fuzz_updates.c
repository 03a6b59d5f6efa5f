/* Fuzz target for the text readers of the updates and evidence families
 * (src/lib/checks/updates/scan.c): URLs, opkg feeds, settings, remote
 * syslog targets and the kernel banner, all on the same bytes. */
#include "checks/updates/scan.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static volatile size_t sink;

static int on_url(void *arg, const struct ic_scan_url *u)
{
    (void)arg;
    sink += strlen(u->url) + strlen(u->host) + strlen(u->scheme) + (size_t)u->plaintext +
            (size_t)ic_scan_host_is_local(u->host);
    return 0;
}

static int on_feed(void *arg, const struct ic_scan_feed *f)
{
    (void)arg;
    sink += strlen(f->name) + strlen(f->url);
    return 0;
}

static int on_log(void *arg, const struct ic_scan_logtarget *t)
{
    (void)arg;
    sink += strlen(t->host) + strlen(t->transport);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int sig = 0;
    char out[64], banner[400], date[11];
    ic_scan_urls(data, size, on_url, NULL);
    ic_scan_opkg_conf(data, size, &sig, on_feed, NULL);
    sink += ic_scan_setting(data, size, "keyring", "path", out, sizeof(out));
    sink += ic_scan_setting(data, size, NULL, "ServerURL", out, sizeof(out));
    ic_scan_syslog_remote(data, size, on_log, NULL);
    sink += (size_t)(ic_scan_kernel_banner(data, size, banner, sizeof(banner), date) + 1);
    sink += strlen(banner) + strlen(date);
    return 0;
}
