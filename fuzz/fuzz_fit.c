#define FUZZ_FORMAT "fit"
#include "fuzz_format.h"
