#define FUZZ_FORMAT "androidsparse"
#include "fuzz_format.h"
