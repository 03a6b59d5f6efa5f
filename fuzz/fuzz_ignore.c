/* libFuzzer target: the ignore list parser and matcher (--ignore FILE,
 * src/lib/report/suppress.c). */
#include "iotcop/suppress.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ic_ignore_list list;
    unsigned line = 0;
    char detail[256];
    ic_ignore_parse(data, size, &list, &line, detail, sizeof(detail));
    static const char *const provisions[] = {"5.1-1", NULL};
    struct ic_finding f = {
        .rule = "cred.default-password",
        .guideline = "CoP-1",
        .provisions = provisions,
        .location = ic_location_file("0.1", "/etc/shadow"),
        .evidence = "account 'root'",
    };
    memset(f.fingerprint, 'a', 64);
    f.fingerprint[64] = '\0';
    volatile size_t sink = line + strlen(detail);
    const struct ic_ignore_entry *e = ic_ignore_match(&list, &f);
    if (e)
        sink += strlen(e->justification);
    f.location = ic_location_raw("0.1", 16);
    sink += ic_ignore_match(&list, &f) != NULL;
    ic_ignore_release(&list);
    (void)sink;
    return 0;
}
