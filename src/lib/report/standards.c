/* Accessors over the generated standards tables. */
#include "report/standards_tables.h"

#include <string.h>

size_t ic_guideline_count(void)
{
    return ic_standards_guideline_count;
}

const struct ic_guideline *ic_guideline_at(size_t index)
{
    return index < ic_standards_guideline_count ? &ic_standards_guidelines[index] : NULL;
}

const struct ic_guideline *ic_guideline_find(const char *id)
{
    for (size_t i = 0; id && i < ic_standards_guideline_count; i++)
        if (strcmp(ic_standards_guidelines[i].id, id) == 0)
            return &ic_standards_guidelines[i];
    return NULL;
}

size_t ic_provision_count(void)
{
    return ic_standards_provision_count;
}

const struct ic_provision *ic_provision_at(size_t index)
{
    return index < ic_standards_provision_count ? &ic_standards_provisions[index] : NULL;
}

const struct ic_provision *ic_provision_find(const char *id)
{
    for (size_t i = 0; id && i < ic_standards_provision_count; i++)
        if (strcmp(ic_standards_provisions[i].id, id) == 0)
            return &ic_standards_provisions[i];
    return NULL;
}

size_t ic_psti_count(void)
{
    return ic_standards_psti_count;
}

const struct ic_psti_requirement *ic_psti_at(size_t index)
{
    return index < ic_standards_psti_count ? &ic_standards_psti[index] : NULL;
}

const struct ic_psti_requirement *ic_psti_find(const char *id)
{
    for (size_t i = 0; id && i < ic_standards_psti_count; i++)
        if (strcmp(ic_standards_psti[i].id, id) == 0)
            return &ic_standards_psti[i];
    return NULL;
}

size_t ic_cra_count(void)
{
    return ic_standards_cra_count;
}

const struct ic_cra_requirement *ic_cra_at(size_t index)
{
    return index < ic_standards_cra_count ? &ic_standards_cra[index] : NULL;
}

const struct ic_cra_requirement *ic_cra_find(const char *id)
{
    for (size_t i = 0; id && i < ic_standards_cra_count; i++)
        if (strcmp(ic_standards_cra[i].id, id) == 0)
            return &ic_standards_cra[i];
    return NULL;
}

size_t ic_condition_count(void)
{
    return ic_standards_condition_count;
}

const struct ic_condition *ic_condition_at(size_t index)
{
    return index < ic_standards_condition_count ? &ic_standards_conditions[index] : NULL;
}

const struct ic_condition *ic_condition_find(unsigned number)
{
    for (size_t i = 0; i < ic_standards_condition_count; i++)
        if (ic_standards_conditions[i].number == number)
            return &ic_standards_conditions[i];
    return NULL;
}

const struct ic_provision *ic_guideline_provision(const struct ic_guideline *g, size_t i)
{
    if (!g || i >= g->provision_count)
        return NULL;
    return ic_provision_find(g->provisions[i]);
}

const char *ic_strength_name(enum ic_strength strength)
{
    switch (strength) {
    case IC_STRENGTH_NONE:
        return "none";
    case IC_STRENGTH_PARTIAL:
        return "partial";
    case IC_STRENGTH_STRONG:
        return "strong";
    }
    return "unknown";
}

const char *ic_doc_need_name(enum ic_doc_need need)
{
    switch (need) {
    case IC_DOC_SUPPORTING:
        return "supporting";
    case IC_DOC_REQUIRED:
        return "required";
    }
    return "unknown";
}

const char *ic_standards_source_sha256(void)
{
    return ic_standards_mapping_sha256;
}
