/* libFuzzer target: CISA KEV catalogues (kev.json) through the streaming
 * importer (src/lib/vulndb/import.c, kev.c); matching then reads the KEV
 * table for the records imported alongside in the same input. */
#define FUZZ_TARGETS                                                                               \
    {"example", "widget", "1.5", NULL},                                                            \
    {                                                                                              \
        "openbsd", "openssh", "9.2", "p1"                                                          \
    }
#include "fuzz_vulndb.h"
