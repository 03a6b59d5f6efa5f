#define FUZZ_FORMAT "squashfs3"
#include "fuzz_format.h"
