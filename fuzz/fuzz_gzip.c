#define FUZZ_FORMAT "gzip"
#include "fuzz_format.h"
