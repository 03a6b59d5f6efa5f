#include "core/pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

struct ic_pool {
    pthread_mutex_t lock;
    pthread_cond_t work_ready;
    pthread_cond_t work_done;
    pthread_cond_t task_done;
    pthread_t *threads;
    unsigned helper_count;
    /* The current loop; generation changes each time a loop starts. */
    unsigned long generation;
    ic_pool_fn fn;
    void *arg;
    size_t n;
    atomic_size_t next;
    unsigned busy_helpers;
    int stopping;
    /* Queued tasks, oldest first. */
    struct ic_pool_task *queue_head, *queue_tail;
};

enum { TASK_QUEUED = 1, TASK_RUNNING, TASK_DONE };

/* Unlinks task from the queue (lock held). */
static void unqueue(struct ic_pool *pool, struct ic_pool_task *task)
{
    struct ic_pool_task **link = &pool->queue_head, *prev = NULL;
    while (*link && *link != task) {
        prev = *link;
        link = &(*link)->next;
    }
    if (!*link)
        return;
    *link = task->next;
    if (pool->queue_tail == task)
        pool->queue_tail = prev;
    task->next = NULL;
}

static void run_items(struct ic_pool *pool, ic_pool_fn fn, void *arg, size_t n)
{
    for (;;) {
        size_t i = atomic_fetch_add(&pool->next, 1);
        if (i >= n)
            break;
        fn(arg, i);
    }
}

static void *helper_main(void *p)
{
    struct ic_pool *pool = p;
    unsigned long seen = 0;
    pthread_mutex_lock(&pool->lock);
    for (;;) {
        while (!pool->stopping && pool->generation == seen && !pool->queue_head)
            pthread_cond_wait(&pool->work_ready, &pool->lock);
        if (pool->stopping)
            break;
        if (pool->generation == seen) {
            struct ic_pool_task *task = pool->queue_head;
            unqueue(pool, task);
            task->state = TASK_RUNNING;
            pthread_mutex_unlock(&pool->lock);
            task->fn(task->arg, task->index);
            pthread_mutex_lock(&pool->lock);
            task->state = TASK_DONE;
            pthread_cond_broadcast(&pool->task_done);
            continue;
        }
        seen = pool->generation;
        ic_pool_fn fn = pool->fn;
        void *arg = pool->arg;
        size_t n = pool->n;
        pool->busy_helpers++;
        pthread_mutex_unlock(&pool->lock);
        run_items(pool, fn, arg, n);
        pthread_mutex_lock(&pool->lock);
        if (--pool->busy_helpers == 0)
            pthread_cond_broadcast(&pool->work_done);
    }
    pthread_mutex_unlock(&pool->lock);
    return NULL;
}

struct ic_pool *ic_pool_new(unsigned threads)
{
    struct ic_pool *pool = calloc(1, sizeof(*pool));
    if (!pool)
        return NULL;
    pthread_mutex_init(&pool->lock, NULL);
    pthread_cond_init(&pool->work_ready, NULL);
    pthread_cond_init(&pool->work_done, NULL);
    pthread_cond_init(&pool->task_done, NULL);
    atomic_init(&pool->next, 0);
    unsigned helpers = threads > 1 ? threads - 1 : 0;
    if (helpers) {
        pool->threads = calloc(helpers, sizeof(pthread_t));
        if (!pool->threads) {
            ic_pool_free(pool);
            return NULL;
        }
    }
    for (unsigned i = 0; i < helpers; i++) {
        if (pthread_create(&pool->threads[i], NULL, helper_main, pool) != 0)
            break;
        pool->helper_count++;
    }
    return pool;
}

void ic_pool_for(struct ic_pool *pool, size_t n, ic_pool_fn fn, void *arg)
{
    if (n == 0)
        return;
    if (!pool || pool->helper_count == 0 || n == 1) {
        for (size_t i = 0; i < n; i++)
            fn(arg, i);
        return;
    }
    pthread_mutex_lock(&pool->lock);
    pool->fn = fn;
    pool->arg = arg;
    pool->n = n;
    atomic_store(&pool->next, 0);
    pool->generation++;
    pthread_cond_broadcast(&pool->work_ready);
    pthread_mutex_unlock(&pool->lock);

    run_items(pool, fn, arg, n);

    /* Helpers that woke late find no items left; wait for the ones still busy.
     * A helper that has not yet woken will see next >= n and do nothing. */
    pthread_mutex_lock(&pool->lock);
    while (pool->busy_helpers > 0)
        pthread_cond_wait(&pool->work_done, &pool->lock);
    pthread_mutex_unlock(&pool->lock);
}

unsigned ic_pool_threads(const struct ic_pool *pool)
{
    return pool ? pool->helper_count + 1 : 1;
}

void ic_pool_submit(struct ic_pool *pool, struct ic_pool_task *task, ic_pool_fn fn, void *arg,
                    size_t index)
{
    *task = (struct ic_pool_task){fn, arg, index, TASK_QUEUED, NULL};
    if (!pool || pool->helper_count == 0)
        return;
    pthread_mutex_lock(&pool->lock);
    if (pool->queue_tail)
        pool->queue_tail->next = task;
    else
        pool->queue_head = task;
    pool->queue_tail = task;
    pthread_cond_signal(&pool->work_ready);
    pthread_mutex_unlock(&pool->lock);
}

/* Waits for a started task, or takes back a queued one (returns 1). */
static int claim_or_wait(struct ic_pool *pool, struct ic_pool_task *task)
{
    if (!pool || pool->helper_count == 0) {
        int queued = task->state == TASK_QUEUED;
        task->state = TASK_DONE;
        return queued;
    }
    pthread_mutex_lock(&pool->lock);
    int queued = task->state == TASK_QUEUED;
    if (queued)
        unqueue(pool, task);
    else
        while (task->state != TASK_DONE)
            pthread_cond_wait(&pool->task_done, &pool->lock);
    task->state = TASK_DONE;
    pthread_mutex_unlock(&pool->lock);
    return queued;
}

void ic_pool_wait(struct ic_pool *pool, struct ic_pool_task *task)
{
    if (claim_or_wait(pool, task))
        task->fn(task->arg, task->index);
}

int ic_pool_withdraw(struct ic_pool *pool, struct ic_pool_task *task)
{
    return claim_or_wait(pool, task);
}

void ic_pool_free(struct ic_pool *pool)
{
    if (!pool)
        return;
    pthread_mutex_lock(&pool->lock);
    pool->stopping = 1;
    pthread_cond_broadcast(&pool->work_ready);
    pthread_mutex_unlock(&pool->lock);
    for (unsigned i = 0; i < pool->helper_count; i++)
        pthread_join(pool->threads[i], NULL);
    free(pool->threads);
    pthread_cond_destroy(&pool->work_ready);
    pthread_cond_destroy(&pool->work_done);
    pthread_cond_destroy(&pool->task_done);
    pthread_mutex_destroy(&pool->lock);
    free(pool);
}
