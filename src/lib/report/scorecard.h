/* The compliance scorecard shared by the report writers: the draft UK PSTI
 * statement of compliance (the items SI 2023/1007 Schedule 4 asks it to
 * contain, generated from data/psti-statement.json by
 * tools/gen_psti_statement.py, each filled from the report's declaration,
 * with what is missing) and the EN 303 645 counts per level. */
#ifndef IC_REPORT_SCORECARD_H
#define IC_REPORT_SCORECARD_H

#include "iotcop/report.h"

#include <stddef.h>

/* The field name standing for "every PSTI requirement passes". */
#define IC_STATEMENT_PSTI_VERDICTS "@psti-verdicts"

struct ic_statement_item {
    const char *id;            /* "support-period" */
    const char *ref;           /* "Sch. 4(e)" */
    const char *text;          /* what the item is */
    const char *const *fields; /* declaration fields that fill it, NULL-terminated */
    size_t field_count;
};

extern const struct ic_statement_item ic_psti_statement_items[];
extern const size_t ic_psti_statement_item_count;

/* Item i of a finished report: its value ("; "-joined declared fields, or the
 * compliance sentence) into value, and what is missing into gap (empty when
 * complete). Returns 1 when complete, 0 when there is a gap. */
int ic_psti_statement_item(const struct ic_report *r, size_t i, char *value, size_t value_size,
                           char *gap, size_t gap_size);
/* How many items have a gap. */
size_t ic_psti_statement_gaps(const struct ic_report *r);

/* Provision counts per status (indexed by enum ic_status) over the mandatory
 * (mandatory = 1) or recommended (0) provisions of EN 303 645. */
void ic_report_provision_counts(const struct ic_report *r, int mandatory, size_t counts[5]);

struct ic_json;
/* JSON (report_scorecard.c): the extra keys of provision i inside its object
 * ("findings", "declared", "contradiction", "settled_by"), and the top-level
 * "declaration", "contradictions", "scorecard" and "psti_statement". */
void ic_report_json_provision_extra(const struct ic_report *r, size_t i, struct ic_json *j);
void ic_report_json_scorecard(const struct ic_report *r, struct ic_json *j);
/* The members of "target" for an `iotcop assess` report: "kind": "product",
 * "name" and "inputs" (the reports combined). */
void ic_report_json_product_target(const struct ic_report *r, struct ic_json *j);

#endif
