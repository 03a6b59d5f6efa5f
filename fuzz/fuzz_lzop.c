#define FUZZ_FORMAT "lzop"
#include "fuzz_format.h"
