/* The draft PSTI statement of compliance and the EN 303 645 counts of the
 * scorecard (scorecard.h). */
#include "report/scorecard.h"

#include "iotcop/declaration.h"

#include <stdio.h>
#include <string.h>

/* Appends text to buf (cut to fit), with sep first when buf is not empty. */
static void join(char *buf, size_t size, const char *sep, const char *text)
{
    size_t used = strlen(buf);
    if (used + 1 >= size)
        return;
    snprintf(buf + used, size - used, "%s%s", used ? sep : "", text);
}

static int psti_verdicts(const struct ic_report *r, char *value, size_t value_size, char *gap,
                         size_t gap_size)
{
    for (size_t k = 0; k < ic_psti_count(); k++) {
        if (r->psti[k].status == IC_STATUS_PASS)
            continue;
        char what[96];
        snprintf(what, sizeof(what), "%s %s is %s", ic_psti_at(k)->id, ic_psti_at(k)->title,
                 ic_status_name(r->psti[k].status));
        join(gap, gap_size, "; ", what);
    }
    if (gap[0]) {
        char lead[64] = "the evidence does not support it: ";
        size_t n = strlen(gap);
        if (strlen(lead) + n + 1 < gap_size) {
            memmove(gap + strlen(lead), gap, n + 1);
            memcpy(gap, lead, strlen(lead));
        }
        return 0;
    }
    snprintf(value, value_size, "every UK PSTI security requirement (Schedule 1) passes");
    return 1;
}

int ic_psti_statement_item(const struct ic_report *r, size_t i, char *value, size_t value_size,
                           char *gap, size_t gap_size)
{
    value[0] = '\0';
    gap[0] = '\0';
    if (i >= ic_psti_statement_item_count)
        return 0;
    const struct ic_statement_item *item = &ic_psti_statement_items[i];
    for (size_t k = 0; k < item->field_count; k++) {
        const char *field = item->fields[k];
        if (strcmp(field, IC_STATEMENT_PSTI_VERDICTS) == 0) {
            psti_verdicts(r, value, value_size, gap, gap_size);
            continue;
        }
        const char *text = ic_declaration_field(r->declaration, field);
        if (text)
            join(value, value_size, "; ", text);
        else
            join(gap, gap_size, ", ", field);
    }
    if (gap[0] && strncmp(gap, "the evidence", 12) != 0) {
        char missing[512];
        snprintf(missing, sizeof(missing), "not declared: %s", gap);
        snprintf(gap, gap_size, "%s", missing);
    }
    return gap[0] == '\0';
}

size_t ic_psti_statement_gaps(const struct ic_report *r)
{
    size_t gaps = 0;
    char value[512], gap[512];
    for (size_t i = 0; i < ic_psti_statement_item_count; i++)
        gaps += !ic_psti_statement_item(r, i, value, sizeof(value), gap, sizeof(gap));
    return gaps;
}

void ic_report_provision_counts(const struct ic_report *r, int mandatory, size_t counts[5])
{
    memset(counts, 0, 5 * sizeof(counts[0]));
    for (size_t i = 0; i < ic_provision_count(); i++)
        if (!ic_provision_at(i)->mandatory == !mandatory &&
            (unsigned)r->provisions[i].status <= IC_STATUS_NOT_APPLICABLE)
            counts[r->provisions[i].status]++;
}
