#define FUZZ_FORMAT "yaffs2"
#include "fuzz_format.h"
