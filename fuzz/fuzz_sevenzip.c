#define FUZZ_FORMAT "sevenzip"
#include "fuzz_format.h"
