#define FUZZ_FORMAT "squashfs"
#include "fuzz_format.h"
