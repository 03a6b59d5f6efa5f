/* Growing a plain C array by doubling. */
#ifndef IC_CORE_ARRAY_H
#define IC_CORE_ARRAY_H

#include "iotcop/error.h"

#include <stdint.h>
#include <stdlib.h>

/* Makes room for element `count` of *array (elem bytes each, *cap
 * allocated): doubles the capacity when it is full, starting at 16.
 * IC_OK, or IC_E_NOMEM with the array left as it was. */
static inline int ic_array_grow(void **array, size_t *cap, size_t count, size_t elem)
{
    if (count < *cap)
        return IC_OK;
    size_t ncap = *cap ? *cap * 2 : 16;
    if (ncap < *cap || ncap > SIZE_MAX / elem)
        return IC_E_NOMEM;
    void *p = realloc(*array, ncap * elem);
    if (!p)
        return IC_E_NOMEM;
    *array = p;
    *cap = ncap;
    return IC_OK;
}

#endif
