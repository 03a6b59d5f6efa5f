/* Fuzz target for the kernel configuration readers
 * (src/lib/components/kconfig.c): an embedded IKCFG gzip stream, a .config
 * text, its header, and the release a Debian kernel banner names; plus the
 * busybox applet-table reader on the same bytes. */
#include "components/internal.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static volatile size_t sink;

static int on_name(void *ctx, const char *name, size_t len)
{
    (void)ctx;
    sink += len + (size_t)(name[0] == 'C');
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char version[64], release[32];
    sink += ic_kconfig_embedded(data, size, on_name, NULL);
    sink += ic_kconfig_text(data, size, on_name, NULL);
    sink += (size_t)ic_kconfig_is_text(data, size, version, sizeof(version)) + strlen(version);
    if (ic_kernel_upstream_release(data, size, release, sizeof(release)))
        sink += strlen(release);
    sink += ic_busybox_applets(data, size, on_name, NULL);
    return 0;
}
