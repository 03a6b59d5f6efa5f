#define FUZZ_FORMAT "ar"
#include "fuzz_format.h"
