#define FUZZ_FORMAT "iso9660"
#include "fuzz_format.h"
