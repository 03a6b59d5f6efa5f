/* libFuzzer target: the DNS message parser of src/lib/live/mdns.c (names
 * with compression pointers, PTR/SRV/TXT data), and the same bytes as an
 * answer to a multicast query (src/lib/live/multicast.c). */
#include "live/live_internal.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static void each(void *arg, const struct live_dns_record *r)
{
    if (strlen(r->name) >= LIVE_DNS_NAME_MAX || strlen(r->target) >= LIVE_DNS_NAME_MAX)
        __builtin_trap(); /* a broken invariant */
    *(size_t *)arg += 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t records = 0;
    live_dns_parse(data, size, 0, each, &records);
    /* The same bytes as an answer to a multicast query (multicast.c). */
    struct live_discovery d = {0};
    live_multicast_absorb(&d, "eth0", "192.0.2.1", 5353, data, size);
    for (size_t i = 0; i < d.count; i++)
        if (d.items[i].service_count > LIVE_RESPONDER_LIST_MAX ||
            d.items[i].name_count > LIVE_RESPONDER_LIST_MAX)
            __builtin_trap();
    live_discovery_release(&d);
    return 0;
}
