#define FUZZ_FORMAT "ext"
#include "fuzz_format.h"
