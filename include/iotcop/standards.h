/* The standards iotcop assesses against, compiled in from data/cop-mapping.json
 * by tools/gen_standards.py: the 13 guidelines of the UK Code of Practice for
 * Consumer IoT Security, the 67 provisions of ETSI EN 303 645 and their
 * conditions, the UK PSTI security requirements and the EU CRA Annex I
 * entries, with the mappings between them.
 *
 * Everything here is static, immutable data: pointers returned are valid for
 * the life of the process and must not be freed. Lists of strings are
 * NULL-terminated and also come with their count. Any thread may read them. */
#ifndef IOTCOP_STANDARDS_H
#define IOTCOP_STANDARDS_H

#include <stddef.h>

/* How far an automated look can settle a provision (the mapping's
 * "verification" object). */
enum ic_strength {
    IC_STRENGTH_NONE,
    IC_STRENGTH_PARTIAL,
    IC_STRENGTH_STRONG,
};

/* Whether vendor documents are needed to settle a provision. */
enum ic_doc_need {
    IC_DOC_SUPPORTING, /* documents help, tests can settle it */
    IC_DOC_REQUIRED,   /* only documents can settle it fully */
};

/* A condition of EN 303 645 ("C(1)": passwords are used). */
struct ic_condition {
    unsigned number;
    const char *text;
};

/* One guideline of the Code of Practice ("CoP-1"). */
struct ic_guideline {
    size_t index;                   /* position in the table, 0..12 */
    const char *id;                 /* "CoP-1" */
    const char *title;              /* "No default passwords" */
    const char *summary;
    const char *const *provisions;  /* EN 303 645 provision ids */
    size_t provision_count;
    const char *const *psti_refs;   /* PSTI schedule references as written ("Sch1-para1") */
    size_t psti_ref_count;
    const char *const *cra;         /* CRA Annex I ids ("I(2)(b)") */
    size_t cra_count;
    const char *cra_other;          /* other CRA references, or NULL */
    const char *testable_firmware;  /* what a firmware image can show, or NULL */
    const char *testable_network;   /* what a live device can show, or NULL */
    const char *testable_documentation; /* what only documents show, or NULL */
};

/* One provision of ETSI EN 303 645 ("5.1-1"). */
struct ic_provision {
    size_t index;                /* position in the table, 0..66 */
    const char *id;              /* "5.1-1" */
    const char *category;        /* "5.1 No universal default passwords" */
    const char *title;
    const char *level;           /* as the standard writes it: "M", "R C(3,4)" */
    int mandatory;               /* 1 for M, 0 for R */
    const unsigned *conditions;  /* condition numbers of a conditional level, or NULL */
    size_t condition_count;      /* 0 when unconditional */
    const char *level_note;      /* remark on the level, or NULL */
    const char *guideline;       /* "CoP-1" */
    size_t guideline_index;      /* index of that guideline */
    enum ic_strength firmware_static;
    enum ic_strength live_network;
    enum ic_doc_need documentation;
};

/* One UK PSTI security requirement ("PSTI-1"). */
struct ic_psti_requirement {
    size_t index;
    const char *id;                        /* "PSTI-1" */
    const char *title;                     /* "Passwords" */
    const char *requirement_ref;           /* where the regulations state it */
    const char *summary;
    const char *deemed_compliance_ref;     /* where Schedule 2 deems compliance */
    const char *const *deemed_provisions;  /* EN 303 645 provisions meeting it */
    size_t deemed_provision_count;
    const char *const *other_deemed;       /* other documents deemed to meet it */
    size_t other_deemed_count;
    const char *deemed_notes;              /* or NULL */
    const char *guideline;                 /* "CoP-1" */
    const char *confidence;                /* of the mapping ("high"), or NULL */
};

/* One entry of the EU Cyber Resilience Act Annex I ("I(2)(d)"). */
struct ic_cra_requirement {
    size_t index;
    const char *id;                  /* "I(2)(d)" */
    const char *description;
    const char *const *guidelines;   /* guidelines that map to it; may be empty */
    size_t guideline_count;
};

/* Counts, access by position (NULL past the end) and lookup by id (NULL
 * when unknown; exact, case-sensitive match). */
size_t ic_guideline_count(void);
const struct ic_guideline *ic_guideline_at(size_t index);
const struct ic_guideline *ic_guideline_find(const char *id);

size_t ic_provision_count(void);
const struct ic_provision *ic_provision_at(size_t index);
const struct ic_provision *ic_provision_find(const char *id);

size_t ic_psti_count(void);
const struct ic_psti_requirement *ic_psti_at(size_t index);
const struct ic_psti_requirement *ic_psti_find(const char *id);

size_t ic_cra_count(void);
const struct ic_cra_requirement *ic_cra_at(size_t index);
const struct ic_cra_requirement *ic_cra_find(const char *id);

size_t ic_condition_count(void);
const struct ic_condition *ic_condition_at(size_t index);
const struct ic_condition *ic_condition_find(unsigned number);

/* The i-th provision of guideline g (NULL past the end). */
const struct ic_provision *ic_guideline_provision(const struct ic_guideline *g, size_t i);

/* "none", "partial", "strong"; "supporting", "required". */
const char *ic_strength_name(enum ic_strength strength);
const char *ic_doc_need_name(enum ic_doc_need need);

/* SHA-256 (hex) of the mapping file the tables were generated from. */
const char *ic_standards_source_sha256(void);

#endif
