/* Placeholder until seccomp and Landlock land: applies nothing and says so. */
#include "iotcop/worker.h"
#include "iotcop/error.h"

#include <stdio.h>

int ic_sandbox_enter(const char *writable_dir, char *detail, size_t detail_len)
{
    (void)writable_dir;
    if (detail && detail_len)
        snprintf(detail, detail_len, "none");
    return IC_E_UNSUPPORTED;
}
