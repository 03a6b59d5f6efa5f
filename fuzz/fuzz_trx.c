#define FUZZ_FORMAT "trx"
#include "fuzz_format.h"
