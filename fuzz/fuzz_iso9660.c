/* The iso9660 reader goes through the shared libarchive glue, archive_reader.c. */
#define FUZZ_FORMAT "iso9660"
#include "fuzz_format.h"
