/* What the report keeps besides its public fields: the lock, the arena that
 * owns every copied string, the fingerprint index and the evidence for the
 * verdicts. Shared by report.c, assess.c and report_json.c only. */
#ifndef IC_REPORT_PRIVATE_H
#define IC_REPORT_PRIVATE_H

#include "core/arena.h"
#include "iotcop/report.h"

#include <pthread.h>
#include <time.h>

/* An explicit verdict recorded for one provision. */
struct provision_evidence {
    int set;
    enum ic_status status;
    const char *note; /* in the arena */
};

/* What the coverage notes say about one provision. */
struct provision_coverage {
    const char *pass_check; /* first family that ran and can pass it, or NULL */
    const char *any_check;  /* first family that ran and covers it, or NULL */
};

struct ic_report_private {
    pthread_mutex_t lock;
    struct ic_arena arena;
    size_t finding_cap;
    size_t component_cap;
    size_t service_cap;
    size_t diag_cap;
    size_t discovered_cap;
    size_t *fingerprint_slots;           /* open addressing: finding index + 1, 0 empty */
    size_t slot_count;                   /* power of two */
    struct provision_evidence *tested;   /* one per provision */
    struct provision_evidence *declared; /* one per provision */
    struct provision_coverage *coverage; /* one per provision */
    struct timespec monotonic_start;
    int duration_set;
};

/* The worst of two statuses for combining (fail > unverified > not-tested >
 * pass > not-applicable). */
enum ic_status ic_status_worst(enum ic_status a, enum ic_status b);

/* Computes report->provisions, guidelines, psti and cra (arena memory).
 * Called by ic_report_finish() with the lock held. */
int ic_report_assess(struct ic_report *report);

struct ic_json;
/* Writes "target": {...} as the JSON report has it (report_json.c); the
 * SARIF writer puts the same object in its run properties. */
void ic_report_json_target(const struct ic_report *r, struct ic_json *j);

#endif
