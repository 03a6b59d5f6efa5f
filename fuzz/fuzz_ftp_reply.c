/* libFuzzer target: the FTP reply parser (src/lib/live/ftp.c), reading reply
 * after reply as the probe does. */
#include "live/live_internal.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct live_ftp_reply r;
    size_t off = 0;
    volatile size_t sink = 0;
    while (off < size) {
        int got = live_ftp_parse_reply(data + off, size - off, &r);
        sink += strlen(r.text);
        if (got <= 0)
            break;
        if (r.length == 0 || r.length > size - off || r.code < 100 || r.code > 599)
            __builtin_trap(); /* a broken invariant */
        off += r.length;
    }
    (void)sink;
    return 0;
}
