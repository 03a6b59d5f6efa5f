#define FUZZ_FORMAT "lz4"
#include "fuzz_format.h"
