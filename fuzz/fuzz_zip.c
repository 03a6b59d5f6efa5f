#define FUZZ_FORMAT "zip"
#include "fuzz_format.h"
