/* libFuzzer target: OSV records (one object or an array) through the
 * streaming importer (src/lib/vulndb/import.c, osv.c) and the matcher. */
#define FUZZ_TARGETS                                                                               \
    {"osv:Debian:12", "busybox", "1:1.35.0-1", "-"}, {"osv:PyPI", "pkg", "1.0", NULL},             \
    {                                                                                              \
        "osv:Alpine:v3.19", "zlib", "1.2.13-r1", "-"                                               \
    }
#include "fuzz_vulndb.h"
