#define FUZZ_FORMAT "cramfs"
#include "fuzz_format.h"
