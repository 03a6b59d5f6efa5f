/* Fuzz target for the component signature pass
 * (src/lib/components/signatures.c, busybox.c, kconfig.c): the input is one
 * file's bytes, identified as /bin/busybox would be; every version pattern,
 * anchor, transform, the applet table and an embedded kernel configuration
 * are tried on it. */
#include "iotcop/components.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static volatile size_t sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ic_software_list *list = NULL;
    if (ic_components_identify_bytes(data, size, "/bin/busybox", &list) != 0)
        return 0;
    for (size_t i = 0; i < list->count; i++) {
        const struct ic_software *sw = &list->items[i];
        sink += strlen(sw->name) + strlen(sw->purl) + strlen(sw->evidence);
        if (sw->version)
            sink += strlen(sw->version);
        for (size_t k = 0; sw->cpe && sw->cpe[k]; k++)
            sink += strlen(sw->cpe[k]);
        for (size_t k = 0; sw->features && sw->features[k]; k++)
            sink += strlen(sw->features[k]);
    }
    ic_software_list_free(list);
    return 0;
}
