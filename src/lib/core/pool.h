/* A fixed pool of worker threads running parallel loops.
 *
 * ic_pool_for() runs fn(arg, i) for every i in [0, n) across the pool and
 * the calling thread, and returns when all are done. Calls to ic_pool_for()
 * on one pool must not overlap (one loop at a time). A pool of one thread
 * runs everything in the caller. Helpers between loops run queued tasks. */
#ifndef IC_CORE_POOL_H
#define IC_CORE_POOL_H

#include <stddef.h>

struct ic_pool;

typedef void (*ic_pool_fn)(void *arg, size_t index);

/* A one-off job the pool's helper threads run while the caller goes on
 * (speculative work). The caller owns the task and keeps it in place until
 * ic_pool_wait() or ic_pool_withdraw() returned. */
struct ic_pool_task {
    ic_pool_fn fn;
    void *arg;
    size_t index;
    int state; /* internal */
    struct ic_pool_task *next;
};

/* threads: total threads including the caller (>= 1). Returns NULL on failure. */
struct ic_pool *ic_pool_new(unsigned threads);
void ic_pool_for(struct ic_pool *pool, size_t n, ic_pool_fn fn, void *arg);
unsigned ic_pool_threads(const struct ic_pool *pool);
/* Queues fn(arg, index) for a helper thread. Without helpers it stays queued
 * until ic_pool_wait() runs it in the caller. */
void ic_pool_submit(struct ic_pool *pool, struct ic_pool_task *task, ic_pool_fn fn, void *arg,
                    size_t index);
/* Returns once the task has run: runs it in the caller when no helper has
 * started it yet, else waits for the helper. */
void ic_pool_wait(struct ic_pool *pool, struct ic_pool_task *task);
/* Takes the task back: 1 when it never ran (it will not), 0 when a helper
 * had started it (this waits until it finished). */
int ic_pool_withdraw(struct ic_pool *pool, struct ic_pool_task *task);
void ic_pool_free(struct ic_pool *pool);

#endif
