#define FUZZ_FORMAT "bzip2"
#include "fuzz_format.h"
