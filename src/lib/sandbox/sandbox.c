/* ic_sandbox_enter(): no_new_privs, then Landlock (where the kernel has
 * it), then seccomp. Landlock goes first so that the seccomp filter
 * never has to allow for its set-up. Only a failure of seccomp is an error: Landlock is missing from many
 * kernels, and then *detail says so. */
#include "sandbox/sandbox_internal.h"
#include "iotcop/error.h"
#include "iotcop/worker.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

static void set_detail(char *detail, size_t detail_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_detail(char *detail, size_t detail_len, const char *fmt, ...)
{
    if (!detail || !detail_len)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, detail_len, fmt, ap);
    va_end(ap);
}

int ic_sandbox_enter(const char *writable_dir, char *detail, size_t detail_len)
{
    char reason[160] = "";
    int dir_fd = -1;
    if (writable_dir) {
        dir_fd = open(writable_dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dir_fd < 0) {
            set_detail(detail, detail_len, "cannot open %s: %s", writable_dir, strerror(errno));
            return IC_E_INVALID_ARG;
        }
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        set_detail(detail, detail_len, "no_new_privs: %s", strerror(errno));
        if (dir_fd >= 0)
            close(dir_fd);
        return IC_E_SANDBOX;
    }
    int landlock = ic_sandbox_landlock(dir_fd, reason, sizeof(reason));
    if (dir_fd >= 0)
        close(dir_fd);
    char seccomp_reason[160] = "";
    int rc = ic_sandbox_seccomp(seccomp_reason, sizeof(seccomp_reason));
    if (rc != IC_OK) {
        set_detail(detail, detail_len, "%s", seccomp_reason);
        return rc;
    }
    if (landlock > 0)
        set_detail(detail, detail_len, "seccomp+landlock");
    else
        set_detail(detail, detail_len, "seccomp (%s)", reason);
    return IC_OK;
}
