/* Progress of a long run, for a display on a terminal.
 *
 * The library reports what it has done so far through one process-wide
 * callback; by default nothing is called. The unpack engine reports each
 * layer it adds (total unknown: 0), the checks each family that finishes
 * (total: the number of families). The callback may be called from several
 * threads at once and must be cheap: a display redraws at its own pace. */
#ifndef IOTCOP_PROGRESS_H
#define IOTCOP_PROGRESS_H

#include <stdint.h>

enum ic_progress_phase {
    IC_PROGRESS_UNPACK, /* done: layers so far; detail: the newest layer's format */
    IC_PROGRESS_CHECKS, /* done/total: check families; detail: the one that finished */
};

typedef void (*ic_progress_fn)(void *arg, enum ic_progress_phase phase, uint64_t done,
                               uint64_t total, const char *detail);

/* Sets (or with NULL clears) the callback. */
void ic_progress_set(ic_progress_fn fn, void *arg);
/* Reports progress to the callback, if any. */
void ic_progress_report(enum ic_progress_phase phase, uint64_t done, uint64_t total,
                        const char *detail);

#endif
