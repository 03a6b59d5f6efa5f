/* The zip reader goes through the shared libarchive glue, archive_reader.c. */
#define FUZZ_FORMAT "zip"
#include "fuzz_format.h"
