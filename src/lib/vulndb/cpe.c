/* CPE 2.3 formatted-string names and the match criteria of NVD records. */
#include "iotcop/error.h"
#include "iotcop/vulndb.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Copies one colon-separated field starting at *s (unescaping `\x`). */
static int take_field(const char **s, char *dst, size_t size)
{
    const char *p = *s;
    size_t n = 0;
    while (*p && *p != ':') {
        char c = *p++;
        if (c == '\\' && *p)
            c = *p++;
        if (n + 1 >= size)
            return IC_E_FORMAT;
        dst[n++] = c;
    }
    dst[n] = '\0';
    if (*p == ':')
        p++;
    *s = p;
    return IC_OK;
}

int ic_cpe_parse(const char *name, struct ic_cpe *out)
{
    static const char prefix[] = "cpe:2.3:";
    memset(out, 0, sizeof(*out));
    if (!name || strncasecmp(name, prefix, sizeof(prefix) - 1) != 0)
        return IC_E_FORMAT;
    const char *s = name + sizeof(prefix) - 1;
    struct {
        char *dst;
        size_t size;
    } fields[] = {
        {out->part, sizeof(out->part)},           {out->vendor, sizeof(out->vendor)},
        {out->product, sizeof(out->product)},     {out->version, sizeof(out->version)},
        {out->update, sizeof(out->update)},       {out->edition, sizeof(out->edition)},
        {out->language, sizeof(out->language)},   {out->sw_edition, sizeof(out->sw_edition)},
        {out->target_sw, sizeof(out->target_sw)}, {out->target_hw, sizeof(out->target_hw)},
        {out->other, sizeof(out->other)},
    };
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        if (!*s) {
            if (i < 3)
                return IC_E_FORMAT; /* part, vendor and product are needed */
            memcpy(fields[i].dst, "*", 2);
            continue;
        }
        if (take_field(&s, fields[i].dst, fields[i].size))
            return IC_E_FORMAT;
        if (!fields[i].dst[0])
            memcpy(fields[i].dst, "*", 2);
    }
    return *s ? IC_E_FORMAT : IC_OK;
}

static int is_any(const char *v)
{
    return !v || !*v || strcmp(v, "*") == 0;
}

static int is_na(const char *v)
{
    return !v || !*v || strcmp(v, "-") == 0;
}

/* The update rule: '*' any, '-' only none, else equal ignoring case. */
static int update_agrees(const char *criterion_update, const char *target_update)
{
    if (is_any(criterion_update))
        return 1;
    if (strcmp(criterion_update, "-") == 0)
        return is_na(target_update);
    return !is_na(target_update) && strcasecmp(criterion_update, target_update) == 0;
}

static int set(const char *s)
{
    return s && *s;
}

int ic_cpe_criterion_matches(const struct ic_cpe_criterion *criterion,
                             const struct ic_vuln_target *target)
{
    struct ic_cpe c;
    if (ic_cpe_parse(criterion->criteria, &c))
        return -1;
    if (!target->vendor || !target->product)
        return 0;
    if ((!is_any(c.vendor) && strcasecmp(c.vendor, target->vendor) != 0) ||
        (!is_any(c.product) && strcasecmp(c.product, target->product) != 0))
        return 0;

    char version[IC_CPE_FIELD], update[IC_CPE_FIELD];
    if (target->update) {
        snprintf(version, sizeof(version), "%s", target->version ? target->version : "");
        snprintf(update, sizeof(update), "%s", *target->update ? target->update : "-");
    } else {
        ic_version_split(target->version, version, sizeof(version), update, sizeof(update));
    }
    if (!update_agrees(c.update, update))
        return 0;

    int ranged = set(criterion->start_including) || set(criterion->start_excluding) ||
                 set(criterion->end_including) || set(criterion->end_excluding);
    if (is_any(c.version)) {
        if (!ranged)
            return 1;
        if (is_na(version))
            return 0;
        if (set(criterion->start_including) &&
            ic_version_compare(version, criterion->start_including) < 0)
            return 0;
        if (set(criterion->start_excluding) &&
            ic_version_compare(version, criterion->start_excluding) <= 0)
            return 0;
        if (set(criterion->end_including) &&
            ic_version_compare(version, criterion->end_including) > 0)
            return 0;
        if (set(criterion->end_excluding) &&
            ic_version_compare(version, criterion->end_excluding) >= 0)
            return 0;
        return 1;
    }
    if (strcmp(c.version, "-") == 0)
        return is_na(version);
    return !is_na(version) && ic_version_compare(version, c.version) == 0;
}
