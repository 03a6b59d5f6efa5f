#define FUZZ_FORMAT "androidboot"
#include "fuzz_format.h"
