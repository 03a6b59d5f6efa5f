/* The mechanisms behind ic_sandbox_enter(), one file each (OpenSSH's
 * sandbox-*.c pattern). Both expect no_new_privs to be set already. */
#ifndef IC_SANDBOX_INTERNAL_H
#define IC_SANDBOX_INTERNAL_H

#include <stddef.h>

/* Restricts file system writes to beneath writable_dir_fd (an O_PATH
 * descriptor of a directory, or -1 for nowhere); reads stay allowed.
 * Returns the Landlock ABI version applied (> 0), 0 when the kernel has no
 * Landlock (why is put in reason), or a negative IC_E_* code when it has
 * Landlock but applying it failed (reason says why). */
int ic_sandbox_landlock(int writable_dir_fd, char *reason, size_t reason_len);

/* Installs the seccomp filter: network, new programs, debugging other
 * processes, mounts, namespaces, kernel administration and device nodes fail
 * with EPERM. Returns IC_OK or IC_E_SANDBOX (reason says why). */
int ic_sandbox_seccomp(char *reason, size_t reason_len);

#endif
