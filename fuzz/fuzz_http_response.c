/* libFuzzer target: the HTTP response parser (status, headers,
 * WWW-Authenticate challenges, chunked bodies; src/lib/live/http.c), with
 * a scratch buffer of a size the input picks. */
#include "live/live_internal.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t scratch_size = size ? (size_t)data[0] * 16 + 1 : 1;
    uint8_t *scratch = malloc(scratch_size);
    if (!scratch)
        return 0;
    struct live_http_response r;
    volatile size_t sink = 0;
    if (live_http_parse(data, size, scratch, scratch_size, &r) == 0) {
        if (r.header_length > size)
            __builtin_trap();
        if (r.body_length)
            sink += r.body[r.body_length - 1];
        sink += strlen(r.server) + strlen(r.location) + strlen(r.challenge.nonce) +
                strlen(r.challenge.realm) + (size_t)r.status;
    }
    free(scratch);
    (void)sink;
    return 0;
}
