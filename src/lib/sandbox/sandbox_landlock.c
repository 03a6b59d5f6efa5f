/* Landlock: file system writes only beneath one directory.
 *
 * Uses the raw system calls (glibc has no wrappers). The installed
 * <linux/landlock.h> may be older than the running kernel, so the access
 * bits and the ruleset attribute of later ABI versions are defined here;
 * what is asked for is cut down to what the kernel's ABI version knows. */
#include "sandbox/sandbox_internal.h"
#include "iotcop/error.h"

#include <errno.h>
#include <linux/landlock.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Access rights by the ABI version that introduced them. */
#define FS_ABI1_WRITE                                                                              \
    ((uint64_t)((1ULL << 1) |   /* WRITE_FILE */                                                   \
                (1ULL << 4) |   /* REMOVE_DIR */                                                   \
                (1ULL << 5) |   /* REMOVE_FILE */                                                  \
                (1ULL << 6) |   /* MAKE_CHAR */                                                    \
                (1ULL << 7) |   /* MAKE_DIR */                                                     \
                (1ULL << 8) |   /* MAKE_REG */                                                     \
                (1ULL << 9) |   /* MAKE_SOCK */                                                    \
                (1ULL << 10) |  /* MAKE_FIFO */                                                    \
                (1ULL << 11) |  /* MAKE_BLOCK */                                                   \
                (1ULL << 12)))  /* MAKE_SYM */
#define FS_REFER (1ULL << 13)     /* ABI 2 */
#define FS_TRUNCATE (1ULL << 14)  /* ABI 3 */
#define FS_IOCTL_DEV (1ULL << 15) /* ABI 5 */
#define NET_BIND_TCP (1ULL << 0)  /* ABI 4 */
#define NET_CONNECT_TCP (1ULL << 1)
#define SCOPE_ABSTRACT_UNIX (1ULL << 0) /* ABI 6 */
#define SCOPE_SIGNAL (1ULL << 1)

/* What may be done beneath the writable directory: everything handled
 * except making device nodes, FIFOs and sockets, and device ioctls. */
#define FS_ALLOWED_BENEATH                                                                         \
    ((uint64_t)((1ULL << 1) | (1ULL << 4) | (1ULL << 5) | (1ULL << 7) | (1ULL << 8) |             \
                (1ULL << 12) | FS_REFER | FS_TRUNCATE))

#ifndef LANDLOCK_RULE_PATH_BENEATH
#define LANDLOCK_RULE_PATH_BENEATH 1
#endif

/* The kernel's struct landlock_ruleset_attr as of ABI 6; its size is cut to
 * what the running ABI knows (the kernel refuses unknown non-zero fields). */
struct ruleset_attr {
    uint64_t handled_access_fs;
    uint64_t handled_access_net; /* ABI 4 */
    uint64_t scoped;             /* ABI 6 */
};

struct path_beneath_attr {
    uint64_t allowed_access;
    int32_t parent_fd;
} __attribute__((packed));

int ic_sandbox_landlock(int writable_dir_fd, char *reason, size_t reason_len)
{
    long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
    if (abi <= 0) {
        snprintf(reason, reason_len, "landlock unavailable: %s", strerror(errno));
        return 0;
    }
    struct ruleset_attr attr = {.handled_access_fs = FS_ABI1_WRITE};
    size_t attr_size = sizeof(attr.handled_access_fs);
    if (abi >= 2)
        attr.handled_access_fs |= FS_REFER;
    if (abi >= 3)
        attr.handled_access_fs |= FS_TRUNCATE;
    if (abi >= 4) {
        attr.handled_access_net = NET_BIND_TCP | NET_CONNECT_TCP; /* no rule: no TCP at all */
        attr_size = offsetof(struct ruleset_attr, scoped);
    }
    if (abi >= 5)
        attr.handled_access_fs |= FS_IOCTL_DEV;
    if (abi >= 6) {
        attr.scoped = SCOPE_ABSTRACT_UNIX | SCOPE_SIGNAL;
        attr_size = sizeof(attr);
    }
    int ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr, attr_size, 0);
    if (ruleset < 0) {
        snprintf(reason, reason_len, "landlock ruleset refused: %s", strerror(errno));
        return IC_E_SANDBOX;
    }
    int rc = (int)abi;
    if (writable_dir_fd >= 0) {
        struct path_beneath_attr beneath = {
            .allowed_access = FS_ALLOWED_BENEATH & attr.handled_access_fs,
            .parent_fd = writable_dir_fd,
        };
        if (syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &beneath, 0) != 0) {
            snprintf(reason, reason_len, "landlock rule refused: %s", strerror(errno));
            rc = IC_E_SANDBOX;
            goto out;
        }
    }
    if (syscall(SYS_landlock_restrict_self, ruleset, 0) != 0) {
        snprintf(reason, reason_len, "landlock not applied: %s", strerror(errno));
        rc = IC_E_SANDBOX;
    }
out:
    close(ruleset);
    return rc;
}
