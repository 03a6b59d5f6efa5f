/* libFuzzer target: the CoAP message parser and the CoRE link-format reader
 * of src/lib/live/coap.c, as the probe uses them. */
#include "live/live_internal.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static void each(void *arg, const char *target)
{
    *(size_t *)arg += strlen(target);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct live_coap_message m;
    size_t sink = 0;
    if (live_coap_parse(data, size, &m) == 0) {
        if (m.token_length > 8 || m.payload_length > size ||
            (m.payload && (m.payload < data || m.payload + m.payload_length != data + size)))
            __builtin_trap(); /* a broken invariant */
        live_coap_links(m.payload, m.payload_length, each, &sink);
    }
    live_coap_links(data, size, each, &sink); /* the link format on its own */
    (void)sink;
    return 0;
}
