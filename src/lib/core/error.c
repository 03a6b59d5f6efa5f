#include "iotcop/error.h"

static const char *const error_names[] = {
#define IC_ERROR(name, msg) #name,
#include "iotcop/errors.def"
#undef IC_ERROR
};

static const char *const error_messages[] = {
#define IC_ERROR(name, msg) msg,
#include "iotcop/errors.def"
#undef IC_ERROR
};

const char *ic_error_name(int err)
{
    if (err < 0 || err >= IC_ERROR_COUNT)
        return "E_UNKNOWN";
    return error_names[err];
}

const char *ic_error_message(int err)
{
    if (err < 0 || err >= IC_ERROR_COUNT)
        return "unknown error";
    return error_messages[err];
}
