/* libFuzzer target: the STARTTLS reply parsers (src/lib/live/starttls.c):
 * SMTP, IMAP (greeting and tagged) and POP3, each reading reply after
 * reply as the exchange does, and on every prefix, which must never yield
 * a reply the whole input denies. */
#include "live/live_internal.h"

#include <stddef.h>
#include <stdint.h>

/* Which parser: 0 SMTP, 1 IMAP greeting, 2 IMAP tag "a1", 3 POP3. 1, 0 or -1. */
static int parse(int which, const uint8_t *data, size_t size, size_t *length)
{
    int code, ok, offered;
    switch (which) {
    case 0:
        return live_smtp_parse_reply(data, size, length, &code, &offered);
    case 1:
        return live_imap_parse_reply(data, size, NULL, length, &ok, &offered);
    case 2:
        return live_imap_parse_reply(data, size, "a1", length, &ok, &offered);
    default:
        return live_pop3_parse_reply(data, size, length, &ok);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (int which = 0; which < 4; which++) {
        size_t off = 0, length = 0;
        while (off < size) {
            int got = parse(which, data + off, size - off, &length);
            if (got < -1 || got > 1)
                __builtin_trap();
            if (got <= 0)
                break;
            if (length == 0 || length > size - off)
                __builtin_trap(); /* a broken invariant */
            off += length;
        }
        size_t whole = 0;
        int first = parse(which, data, size, &whole);
        size_t step = size > 64 ? size / 64 : 1;
        for (size_t n = 0; n < size; n += step) {
            size_t part = 0;
            if (parse(which, data, n, &part) == 1 && (first != 1 || part != whole))
                __builtin_trap(); /* a prefix answered what the whole input denies */
        }
    }
    return 0;
}
