/* A fixed pool of worker threads running parallel loops.
 *
 * ic_pool_for() runs fn(arg, i) for every i in [0, n) across the pool and
 * the calling thread, and returns when all are done. Calls to ic_pool_for()
 * on one pool must not overlap (one loop at a time). A pool of one thread
 * runs everything in the caller. */
#ifndef IC_CORE_POOL_H
#define IC_CORE_POOL_H

#include <stddef.h>

struct ic_pool;

typedef void (*ic_pool_fn)(void *arg, size_t index);

/* threads: total threads including the caller (>= 1). Returns NULL on failure. */
struct ic_pool *ic_pool_new(unsigned threads);
void ic_pool_for(struct ic_pool *pool, size_t n, ic_pool_fn fn, void *arg);
unsigned ic_pool_threads(const struct ic_pool *pool);
void ic_pool_free(struct ic_pool *pool);

#endif
