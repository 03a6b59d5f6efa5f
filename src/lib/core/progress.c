#include "iotcop/progress.h"

#include <stdatomic.h>
#include <stddef.h>

struct progress_sink {
    ic_progress_fn fn;
    void *arg;
};

static struct progress_sink sinks[2];
static atomic_int current = -1; /* index into sinks of the live one, -1 for none */

void ic_progress_set(ic_progress_fn fn, void *arg)
{
    if (!fn) {
        atomic_store(&current, -1);
        return;
    }
    /* Fill the slot not in use, then publish it. */
    int next = atomic_load(&current) == 0 ? 1 : 0;
    sinks[next] = (struct progress_sink){fn, arg};
    atomic_store(&current, next);
}

void ic_progress_report(enum ic_progress_phase phase, uint64_t done, uint64_t total,
                        const char *detail)
{
    int i = atomic_load(&current);
    if (i < 0)
        return;
    sinks[i].fn(sinks[i].arg, phase, done, total, detail);
}
