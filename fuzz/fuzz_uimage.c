#define FUZZ_FORMAT "uimage"
#include "fuzz_format.h"
