/* libFuzzer target: telnet option negotiation and prompt detection
 * (src/lib/live/telnet.c), fed whole and in small pieces as from a socket. */
#include "live/live_internal.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct live_telnet t = {0};
    uint8_t text[4096], reply[96];
    size_t tn = sizeof(text), rn = sizeof(reply);
    live_telnet_filter(&t, data, size, text, &tn, reply, &rn);
    volatile int sink = (int)live_telnet_prompt(text, tn) + (int)rn;
    /* The first byte picks a chunk size: state must carry across reads. */
    size_t step = size ? (size_t)(data[0] % 7) + 1 : 1;
    struct live_telnet t2 = {0};
    for (size_t off = 0; off < size; off += step) {
        size_t n = size - off < step ? size - off : step;
        size_t a = 16, b = 6; /* small outputs: answers that do not fit are dropped */
        uint8_t small_text[16], small_reply[6];
        live_telnet_filter(&t2, data + off, n, small_text, &a, small_reply, &b);
        sink += (int)live_telnet_prompt(small_text, a);
    }
    (void)sink;
    return 0;
}
