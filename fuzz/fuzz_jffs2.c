#define FUZZ_FORMAT "jffs2"
#include "fuzz_format.h"
