#ifndef IC_UNPACK_REGISTRY_H
#define IC_UNPACK_REGISTRY_H

#include "unpack/format.h"

#include <string.h>

/* Every format, in file-name order, NULL-terminated. */
extern const struct ic_format *const ic_formats[];
extern const size_t ic_format_count;

const struct ic_format *ic_format_find(const char *name);

#endif
