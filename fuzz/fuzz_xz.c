#define FUZZ_FORMAT "xz"
#include "fuzz_format.h"
