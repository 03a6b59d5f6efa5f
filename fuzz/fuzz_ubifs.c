#define FUZZ_FORMAT "ubifs"
#include "fuzz_format.h"
