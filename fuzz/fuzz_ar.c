/* The ar reader goes through the shared libarchive glue, archive_reader.c. */
#define FUZZ_FORMAT "ar"
#include "fuzz_format.h"
