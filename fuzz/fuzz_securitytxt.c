/* libFuzzer target: the security.txt (RFC 9116) parser and the RFC 3339
 * date-time parser. */
#include "checks/boot/securitytxt.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ic_sectxt t;
    ic_sectxt_parse(data, size, &t);
    volatile size_t sink = t.error_count + t.contact_count + strlen(t.contact) +
                           strlen(t.expires_text);
    for (size_t i = 0; i < t.error_count && i < IC_SECTXT_MAX_ERRORS; i++)
        sink += strlen(t.errors[i].message);
    (void)ic_sectxt_expired(&t, 1700000000);
    char s[64];
    size_t n = size < sizeof(s) - 1 ? size : sizeof(s) - 1;
    memcpy(s, data, n);
    s[n] = '\0';
    int64_t when;
    if (ic_rfc3339_parse(s, &when) == 0)
        sink += (size_t)(when & 1);
    (void)sink;
    return 0;
}
