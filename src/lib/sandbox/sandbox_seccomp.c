/* seccomp: a deny-list on top of allow-by-default.
 *
 * Everything an unpacker needs (memory, threads, files, time, exit) keeps
 * working; what it never needs fails with EPERM rather than killing the
 * process, so a library's harmless probe (a socket for a locale service, a
 * io_uring feature test) costs an error return, not the worker. Calls are
 * named, not numbered: names the architecture lacks are skipped. */
#include "sandbox/sandbox_internal.h"
#include "iotcop/error.h"

#include <errno.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

/* LeakSanitizer stops the threads with ptrace when a sanitized build exits,
 * so those builds (tests only) keep ptrace. */
#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED_BUILD 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(leak_sanitizer)
#define SANITIZED_BUILD 1
#endif
#endif
#ifndef SANITIZED_BUILD
#define SANITIZED_BUILD 0
#endif

static const char *const denied_calls[] = {
    /* network */
    "socket", "socketpair", "connect", "bind", "listen", "accept", "accept4", "sendto", "sendmsg",
    "sendmmsg", "recvfrom", "recvmsg", "recvmmsg", "shutdown",
    /* new programs */
    "execve", "execveat",
    /* reaching into other processes */
    "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd", "process_madvise",
    /* mounts, namespaces, roots */
    "mount", "umount", "umount2", "pivot_root", "chroot", "unshare", "setns", "fsopen", "fsconfig",
    "fsmount", "fspick", "move_mount", "open_tree", "mount_setattr", "open_tree_attr",
    /* administering the kernel and the machine */
    "init_module", "finit_module", "delete_module", "kexec_load", "kexec_file_load", "reboot",
    "swapon", "swapoff", "acct", "settimeofday", "clock_settime", "clock_adjtime", "adjtimex",
    "sethostname", "setdomainname", "iopl", "ioperm", "quotactl", "quotactl_fd", "syslog",
    "vhangup", "lookup_dcookie", "nfsservctl", "uselib", "_sysctl",
    /* kernel attack surface nothing here uses */
    "bpf", "perf_event_open", "userfaultfd", "keyctl", "add_key", "request_key", "io_uring_setup",
    "io_uring_enter", "io_uring_register", "name_to_handle_at", "open_by_handle_at",
    "fanotify_init",
    /* device nodes (and FIFOs): extraction never makes them */
    "mknod", "mknodat",
};

/* clone() flags that make new namespaces. */
static const unsigned long namespace_flags[] = {
    CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWIPC, CLONE_NEWUTS,
    CLONE_NEWCGROUP,
};

#define DENY SCMP_ACT_ERRNO(EPERM)

int ic_sandbox_seccomp(char *reason, size_t reason_len)
{
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    if (!ctx) {
        snprintf(reason, reason_len, "seccomp_init failed");
        return IC_E_SANDBOX;
    }
    int rc = 0;
    const char *what = "filter attributes";
    /* no_new_privs is set by the caller; apply to every thread at once. */
    if ((rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1)) != 0)
        goto fail;
    for (size_t i = 0; i < sizeof(denied_calls) / sizeof(denied_calls[0]); i++) {
        if (SANITIZED_BUILD && strcmp(denied_calls[i], "ptrace") == 0)
            continue;
        int nr = seccomp_syscall_resolve_name(denied_calls[i]);
        if (nr == __NR_SCMP_ERROR)
            continue; /* not on this architecture */
        what = denied_calls[i];
        rc = seccomp_rule_add(ctx, DENY, nr, 0);
        if (rc == -EDOM || rc == -EOPNOTSUPP)
            continue; /* a pseudo-call libseccomp cannot filter here */
        if (rc != 0)
            goto fail;
    }
    /* Threads use clone(CLONE_THREAD|...): allowed. New namespaces: denied. */
    what = "clone";
    for (size_t i = 0; i < sizeof(namespace_flags) / sizeof(namespace_flags[0]); i++) {
        rc = seccomp_rule_add(ctx, DENY, SCMP_SYS(clone), 1,
                              SCMP_A0(SCMP_CMP_MASKED_EQ, namespace_flags[i], namespace_flags[i]));
        if (rc != 0)
            goto fail;
    }
    /* clone3 passes its flags in memory a filter cannot read; ENOSYS makes
     * the C library fall back to clone(), which is filtered above. */
    what = "clone3";
    int clone3_nr = seccomp_syscall_resolve_name("clone3");
    if (clone3_nr != __NR_SCMP_ERROR &&
        (rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), clone3_nr, 0)) != 0)
        goto fail;
    /* Typing into the controlling terminal. */
    what = "ioctl";
    if ((rc = seccomp_rule_add(ctx, DENY, SCMP_SYS(ioctl), 1,
                               SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffUL, (unsigned long)TIOCSTI))) !=
            0 ||
        (rc = seccomp_rule_add(ctx, DENY, SCMP_SYS(ioctl), 1,
                               SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffUL,
                                       (unsigned long)TIOCLINUX))) != 0)
        goto fail;
    what = "loading the filter";
    if ((rc = seccomp_load(ctx)) != 0)
        goto fail;
    seccomp_release(ctx);
    return IC_OK;
fail:
    snprintf(reason, reason_len, "seccomp: %s: %s", what, strerror(rc < 0 ? -rc : rc));
    seccomp_release(ctx);
    return IC_E_SANDBOX;
}
