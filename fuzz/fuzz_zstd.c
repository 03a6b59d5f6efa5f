#define FUZZ_FORMAT "zstd"
#include "fuzz_format.h"
