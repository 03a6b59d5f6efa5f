/* libFuzzer target: the DNS message parser of src/lib/live/mdns.c (names
 * with compression pointers, PTR/SRV/TXT data). */
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
    return 0;
}
