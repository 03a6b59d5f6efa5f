#define FUZZ_FORMAT "avm-fake-squashfs"
#include "fuzz_format.h"
