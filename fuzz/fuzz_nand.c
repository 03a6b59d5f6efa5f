#define FUZZ_FORMAT "nand"
#include "fuzz_format.h"
