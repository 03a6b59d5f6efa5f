#define FUZZ_FORMAT "cpio"
#include "fuzz_format.h"
