/* libFuzzer target: version comparison and splitting (version.c), CPE 2.3
 * parsing and criterion matching (cpe.c). The input is split at its first
 * NUL (or its middle) into two strings. Broken orderings abort: a sort built
 * on the comparison must be able to trust it. */
#include "iotcop/vulndb.h"

#include <stdlib.h>
#include <string.h>

static int sign(int v)
{
    return v < 0 ? -1 : v > 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *buf = malloc(size + 2);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    buf[size + 1] = '\0';
    size_t first = strlen(buf);
    const char *a = buf, *b;
    if (first < size) {
        b = buf + first + 1;
    } else {
        size_t half = size / 2;
        memmove(buf + half + 1, buf + half, size - half + 1);
        buf[half] = '\0';
        b = buf + half + 1;
    }
    int ab = sign(ic_version_compare(a, b)), ba = sign(ic_version_compare(b, a));
    if (ab != -ba || ic_version_compare(a, a) != 0)
        abort();
    char version[64], update[64];
    ic_version_split(a, version, sizeof(version), update, sizeof(update));
    struct ic_cpe cpe;
    ic_cpe_parse(a, &cpe);
    struct ic_cpe_criterion c = {a, b, NULL, NULL, b};
    struct ic_vuln_target t = {"openbsd", "openssh", b, NULL};
    ic_cpe_criterion_matches(&c, &t);
    free(buf);
    return 0;
}
