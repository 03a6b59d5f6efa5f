/* The cpio reader goes through the shared libarchive glue, archive_reader.c. */
#define FUZZ_FORMAT "cpio"
#include "fuzz_format.h"
