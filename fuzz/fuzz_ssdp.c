/* libFuzzer target: the SSDP reply parser and the UPnP device description
 * reader of src/lib/live/ssdp.c. */
#include "live/live_internal.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct live_ssdp_reply r;
    struct live_upnp_description d;
    if (live_ssdp_parse(data, size, &r) == 0 &&
        (strlen(r.location) >= sizeof(r.location) || strlen(r.server) >= sizeof(r.server)))
        __builtin_trap(); /* a broken invariant */
    if (live_upnp_parse(data, size, &d) == 0 && strlen(d.services) >= sizeof(d.services))
        __builtin_trap();
    return 0;
}
