/* The tar reader goes through the shared libarchive glue, archive_reader.c. */
#define FUZZ_FORMAT "tar"
#include "fuzz_format.h"
