/* libFuzzer target: NVD CVE API 2.0 pages and legacy 1.1 feeds through the
 * streaming importer (src/lib/vulndb/import.c, nvd.c, jsonpull.c) and the
 * matcher (match.c, cpe.c, version.c). */
#define FUZZ_TARGETS                                                                               \
    {"example", "widget", "1.5", NULL}, {"example", "rtos", "-", "-"},                             \
        {"openbsd", "openssh", "9.2p1", NULL},                                                     \
    {                                                                                              \
        "busybox", "busybox", "1.35.0", "-"                                                        \
    }
#include "fuzz_vulndb.h"
