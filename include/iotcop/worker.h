/* A supervised worker process per input.
 *
 * ic_worker_run() forks; the child applies CPU-time and address-space
 * limits, runs fn(arg, out_fd) and exits with its return value. The parent
 * passes everything the child writes to sink() as it arrives, and kills the
 * child when the wall-clock limit passes. Whatever happens in the child
 * (crash, hang, runaway memory), the parent returns with a result. */
#ifndef IOTCOP_WORKER_H
#define IOTCOP_WORKER_H

#include <stddef.h>
#include <stdint.h>

struct ic_worker_limits {
    uint64_t wall_s;       /* 0: none */
    uint64_t cpu_s;        /* 0: none */
    uint64_t memory_bytes; /* address space; 0: none */
};

struct ic_worker_result {
    int exited;    /* the child exited normally ... */
    int exit_code; /* ... with this status */
    int signal;    /* or was ended by this signal */
    int timed_out; /* the parent ended it at the wall-clock limit */
    int cpu_limit; /* it used up its CPU time */
};

typedef int (*ic_worker_fn)(void *arg, int out_fd);
typedef void (*ic_worker_sink)(void *ctx, const char *data, size_t len);

/* Returns IC_OK when the child ran (however it ended: see *res), or an
 * error when it could not be started. */
int ic_worker_run(const struct ic_worker_limits *limits, ic_worker_fn fn, void *arg,
                  ic_worker_sink sink, void *sink_ctx, struct ic_worker_result *res);

/* Gives up what an unpacking process does not need: no network, no new
 * programs, and file writes only below writable_dir (NULL: none at all).
 * Uses seccomp and, where the kernel has it, Landlock. On success *detail
 * says what was applied ("seccomp+landlock"). */
int ic_sandbox_enter(const char *writable_dir, char *detail, size_t detail_len);

#endif
