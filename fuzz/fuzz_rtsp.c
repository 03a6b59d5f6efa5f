/* libFuzzer target: the RTSP response parser of src/lib/live/rtsp.c. */
#include "live/live_internal.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *copy = malloc(size ? size : 1), *scratch = malloc(IC_LIVE_REPLY_MAX);
    struct live_rtsp_response r;
    if (copy && scratch) {
        memcpy(copy, data, size);
        if (live_rtsp_parse(copy, size, scratch, IC_LIVE_REPLY_MAX, &r) == 0 &&
            (memcmp(copy, data, size) != 0 || strlen(r.methods) >= sizeof(r.methods) ||
             r.http.header_length > size))
            __builtin_trap(); /* a broken invariant: the input must come back unchanged */
    }
    free(copy);
    free(scratch);
    return 0;
}
