/* The sevenzip reader goes through the shared libarchive glue, archive_reader.c. */
#define FUZZ_FORMAT "sevenzip"
#include "fuzz_format.h"
