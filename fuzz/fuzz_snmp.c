/* libFuzzer target: the SNMP GetResponse (BER) parser of src/lib/live/snmp.c. */
#include "live/live_internal.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct live_snmp_reply r;
    if (live_snmp_parse(data, size, &r) == 0) {
        if (strlen(r.community) >= sizeof(r.community) || strlen(r.value) >= sizeof(r.value) ||
            strlen(r.oid) >= sizeof(r.oid) || r.version < 0 || r.version > 1)
            __builtin_trap(); /* a broken invariant */
    }
    return 0;
}
