/* The rule catalogue: the rule sets every check family registers. */
#include "iotcop/error.h"
#include "iotcop/report.h"

#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define IC_RULE_SET(name) extern const struct ic_rule_set ic_rule_set_##name;
#include "report/rule_sets.def"
#undef IC_RULE_SET

static const struct ic_rule_set *const rule_sets[] = {
#define IC_RULE_SET(name) &ic_rule_set_##name,
#include "report/rule_sets.def"
#undef IC_RULE_SET
    NULL,
};

const struct ic_rule_set *ic_rule_set_at(size_t index)
{
    for (size_t i = 0; rule_sets[i]; i++)
        if (i == index)
            return rule_sets[i];
    return NULL;
}

size_t ic_rule_count(void)
{
    size_t n = 0;
    for (size_t i = 0; rule_sets[i]; i++)
        n += rule_sets[i]->count;
    return n;
}

const struct ic_rule *ic_rule_at(size_t index)
{
    for (size_t i = 0; rule_sets[i]; i++) {
        if (index < rule_sets[i]->count)
            return &rule_sets[i]->rules[index];
        index -= rule_sets[i]->count;
    }
    return NULL;
}

const struct ic_rule *ic_rule_find(const char *id)
{
    for (size_t i = 0; id && rule_sets[i]; i++)
        for (size_t k = 0; k < rule_sets[i]->count; k++)
            if (strcmp(rule_sets[i]->rules[k].id, id) == 0)
                return &rule_sets[i]->rules[k];
    return NULL;
}

static int problem(char *detail, size_t detail_size, const char *family, const char *rule,
                   const char *what)
{
    if (detail && detail_size)
        snprintf(detail, detail_size, "rule set %s, rule %s: %s", family ? family : "(unnamed)",
                 rule ? rule : "(no id)", what);
    return IC_E_FORMAT;
}

static int filled(const char *s)
{
    return s && *s;
}

int ic_rule_set_validate(const struct ic_rule_set *set, char *detail, size_t detail_size)
{
    if (!set || !filled(set->family) || (set->count && !set->rules))
        return problem(detail, detail_size, set ? set->family : NULL, NULL,
                       "rule set without a family name or rules");
    for (size_t i = 0; i < set->count; i++) {
        const struct ic_rule *r = &set->rules[i];
        if (!filled(r->id))
            return problem(detail, detail_size, set->family, NULL, "rule without an id");
        for (size_t k = 0; k < i; k++)
            if (strcmp(set->rules[k].id, r->id) == 0)
                return problem(detail, detail_size, set->family, r->id, "id used twice");
        if (!filled(r->title) || !filled(r->rationale) || !filled(r->fix))
            return problem(detail, detail_size, set->family, r->id,
                           "title, rationale and fix are all required");
        if ((unsigned)r->severity > IC_SEVERITY_CRITICAL)
            return problem(detail, detail_size, set->family, r->id, "severity out of range");
        if (!ic_guideline_find(r->guideline))
            return problem(detail, detail_size, set->family, r->id, "unknown guideline");
        for (size_t k = 0; r->provisions && r->provisions[k]; k++)
            if (!ic_provision_find(r->provisions[k]))
                return problem(detail, detail_size, set->family, r->id, "unknown provision");
    }
    return IC_OK;
}

int ic_rules_validate(char *detail, size_t detail_size)
{
    for (size_t i = 0; rule_sets[i]; i++) {
        int rc = ic_rule_set_validate(rule_sets[i], detail, detail_size);
        if (rc)
            return rc;
        for (size_t k = 0; k < rule_sets[i]->count; k++) {
            const char *id = rule_sets[i]->rules[k].id;
            for (size_t j = 0; j < i; j++)
                for (size_t m = 0; m < rule_sets[j]->count; m++)
                    if (strcmp(rule_sets[j]->rules[m].id, id) == 0)
                        return problem(detail, detail_size, rule_sets[i]->family, id,
                                       "id also used by another rule set");
        }
    }
    return IC_OK;
}

/* 12 hex digits of SHA-256 over the mapping data's digest and every rule's
 * id, severity, guideline and provisions. */
static char rules_version[16] = "unknown";
static pthread_once_t rules_version_once = PTHREAD_ONCE_INIT;

static void hash_text(EVP_MD_CTX *ctx, const char *s)
{
    EVP_DigestUpdate(ctx, s ? s : "", strlen(s ? s : "") + 1);
}

static void compute_rules_version(void)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
        goto done;
    hash_text(ctx, ic_standards_source_sha256());
    for (size_t i = 0; i < ic_rule_count(); i++) {
        const struct ic_rule *r = ic_rule_at(i);
        hash_text(ctx, r->id);
        hash_text(ctx, ic_severity_name(r->severity));
        hash_text(ctx, r->guideline);
        for (size_t k = 0; r->provisions && r->provisions[k]; k++)
            hash_text(ctx, r->provisions[k]);
        hash_text(ctx, "");
    }
    if (EVP_DigestFinal_ex(ctx, digest, &len) == 1 && len >= 6)
        for (unsigned i = 0; i < 6; i++)
            snprintf(rules_version + 2 * i, 3, "%02x", digest[i]);
done:
    EVP_MD_CTX_free(ctx);
}

const char *ic_rules_version(void)
{
    pthread_once(&rules_version_once, compute_rules_version);
    return rules_version;
}
