/* libFuzzer target: the TLS and SSLv2 reply parsers (src/lib/live/tls_hello.c),
 * fed the whole input and every prefix a probe could have read so far, as
 * the probe does while bytes arrive. */
#include "live/live_internal.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct live_tls_reply r;
    int whole = live_tls_parse_reply(data, size, &r);
    if (whole < -1 || whole > 1)
        __builtin_trap(); /* a broken invariant */
    if (whole == 1 && r.kind == LIVE_TLS_ALERT && size < 7)
        __builtin_trap(); /* an alert needs a record header and two bytes */
    /* A prefix never yields an answer the whole input denies. */
    size_t step = size > 64 ? size / 64 : 1;
    for (size_t n = 0; n < size; n += step) {
        int got = live_tls_parse_reply(data, n, &r);
        if (got == 1 && whole != 1)
            __builtin_trap();
    }

    struct live_ssl2_reply v2;
    int hello = live_ssl2_parse_server_hello(data, size, &v2);
    if (hello < -1 || hello > 1)
        __builtin_trap();
    if (hello == 1) {
        /* Everything it points at lies inside the input. */
        if (v2.version != LIVE_TLS_SSL2 ||
            2 + 11 + v2.certificate_length + 3 * v2.cipher_count > size ||
            (v2.certificate &&
             (v2.certificate < data || v2.certificate + v2.certificate_length > data + size)))
            __builtin_trap();
    }
    for (size_t n = 0; n < size; n += step)
        if (live_ssl2_parse_server_hello(data, n, &v2) == 1 && hello != 1)
            __builtin_trap();
    return 0;
}
