#define FUZZ_FORMAT "lzma"
#include "fuzz_format.h"
