/* libFuzzer target: the SSDP reply parser and the UPnP device description
 * reader of src/lib/live/ssdp.c, and the merging of M-SEARCH answers of
 * src/lib/live/multicast.c. */
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
    /* The same bytes as an answer to a multicast M-SEARCH (multicast.c). */
    struct live_discovery m = {0};
    live_multicast_absorb(&m, "eth0", "192.0.2.1", 1900, data, size);
    live_multicast_absorb(&m, "eth0", "192.0.2.1", 1900, data, size);
    if (m.count > 1 || (m.count && m.items[0].service_count > LIVE_RESPONDER_LIST_MAX))
        __builtin_trap();
    live_discovery_release(&m);
    return 0;
}
