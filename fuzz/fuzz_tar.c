#define FUZZ_FORMAT "tar"
#include "fuzz_format.h"
