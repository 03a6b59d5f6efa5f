#define FUZZ_FORMAT "ubi"
#include "fuzz_format.h"
