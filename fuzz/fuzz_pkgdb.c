/* Fuzz target for the installed-package database readers
 * (src/lib/components/pkgdb.c, rpmdb.c): the input is read as a dpkg status
 * file, as an opkg status file and as an RPM database (rpmdb.sqlite),
 * through the same path the firmware audit takes. */
#include "iotcop/components.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static volatile size_t sink;

static void identify(const uint8_t *data, size_t size, const char *path)
{
    struct ic_software_list *list = NULL;
    if (ic_components_identify_bytes(data, size, path, &list) != 0)
        return;
    for (size_t i = 0; i < list->count; i++) {
        const struct ic_software *sw = &list->items[i];
        sink += strlen(sw->name) + strlen(sw->purl) + strlen(sw->evidence);
        if (sw->version)
            sink += strlen(sw->version);
        if (sw->package_version)
            sink += strlen(sw->package_version);
        for (size_t k = 0; sw->cpe && sw->cpe[k]; k++)
            sink += strlen(sw->cpe[k]);
    }
    ic_software_list_free(list);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    identify(data, size, "/var/lib/dpkg/status");
    identify(data, size, "/usr/lib/opkg/status");
    identify(data, size, "/var/lib/rpm/rpmdb.sqlite");
    return 0;
}
