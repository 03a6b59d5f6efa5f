#include "iotcop/limits.h"
#include "iotcop/error.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct limit_info {
    const char *name;
    const char *description;
    uint64_t def;
    size_t field_offset;
};

static const struct limit_info limit_table[] = {
#define IC_LIMIT_INFO(field, name, def, desc) {name, desc, def, offsetof(struct ic_limits, field)},
    IC_LIMITS_LIST(IC_LIMIT_INFO)
#undef IC_LIMIT_INFO
};

#define LIMIT_COUNT (sizeof(limit_table) / sizeof(limit_table[0]))

static uint64_t *limit_field(struct ic_limits *limits, const struct limit_info *info)
{
    return (uint64_t *)((char *)limits + info->field_offset);
}

void ic_limits_default(struct ic_limits *limits)
{
    for (size_t i = 0; i < LIMIT_COUNT; i++)
        *limit_field(limits, &limit_table[i]) = limit_table[i].def;
}

int ic_limits_set(struct ic_limits *limits, const char *assignment)
{
    const char *eq = strchr(assignment, '=');
    if (!eq || eq == assignment || eq[1] == '\0')
        return IC_E_INVALID_ARG;
    size_t name_len = (size_t)(eq - assignment);
    for (size_t i = 0; i < LIMIT_COUNT; i++) {
        const struct limit_info *info = &limit_table[i];
        if (strlen(info->name) != name_len || memcmp(info->name, assignment, name_len) != 0)
            continue;
        errno = 0;
        char *end = NULL;
        unsigned long long v = strtoull(eq + 1, &end, 10);
        if (errno || end == eq + 1 || eq[1] == '-')
            return IC_E_INVALID_ARG;
        unsigned shift = 0;
        if (*end == 'K' || *end == 'k')
            shift = 10;
        else if (*end == 'M' || *end == 'm')
            shift = 20;
        else if (*end == 'G' || *end == 'g')
            shift = 30;
        if (shift)
            end++;
        if (*end != '\0' || (shift && v > (UINT64_MAX >> shift)))
            return IC_E_INVALID_ARG;
        *limit_field(limits, info) = (uint64_t)v << shift;
        return IC_OK;
    }
    return IC_E_INVALID_ARG;
}

const char *ic_limits_describe(unsigned i, const char **description, uint64_t *def)
{
    if (i >= LIMIT_COUNT)
        return NULL;
    if (description)
        *description = limit_table[i].description;
    if (def)
        *def = limit_table[i].def;
    return limit_table[i].name;
}

unsigned ic_limits_threads(const struct ic_limits *limits)
{
    if (limits->jobs > 0)
        return limits->jobs > 256 ? 256 : (unsigned)limits->jobs;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1;
}
