/* The tables tools/gen_standards.py generates (standards.gen.c in the build
 * directory). Only src/lib/report/standards.c reads them; everyone else uses
 * the accessors of iotcop/standards.h. */
#ifndef IC_REPORT_STANDARDS_TABLES_H
#define IC_REPORT_STANDARDS_TABLES_H

#include "iotcop/standards.h"

extern const char ic_standards_mapping_sha256[];
extern const struct ic_condition ic_standards_conditions[];
extern const size_t ic_standards_condition_count;
extern const struct ic_guideline ic_standards_guidelines[];
extern const size_t ic_standards_guideline_count;
extern const struct ic_provision ic_standards_provisions[];
extern const size_t ic_standards_provision_count;
extern const struct ic_psti_requirement ic_standards_psti[];
extern const size_t ic_standards_psti_count;
extern const struct ic_cra_requirement ic_standards_cra[];
extern const size_t ic_standards_cra_count;

#endif
