/* Error codes of the library. 0 is success; every other value names what
 * went wrong. The list lives in errors.def and only ever grows. */
#ifndef IOTCOP_ERROR_H
#define IOTCOP_ERROR_H

enum ic_error {
#define IC_ERROR(name, msg) IC_##name,
#include "iotcop/errors.def"
#undef IC_ERROR
    IC_ERROR_COUNT
};

/* "E_TRUNCATED" for IC_E_TRUNCATED; "E_UNKNOWN" for a value outside the list. */
const char *ic_error_name(int err);
/* A one-line human message for the code. */
const char *ic_error_message(int err);

#endif
