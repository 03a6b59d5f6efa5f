/* The table of formats, built from the files in unpack/formats/. */
#include "unpack/registry.h"

#define IC_FORMAT(name) extern const struct ic_format ic_format_##name;
#include "formats.gen.h"
#undef IC_FORMAT

const struct ic_format *const ic_formats[] = {
#define IC_FORMAT(name) &ic_format_##name,
#include "formats.gen.h"
#undef IC_FORMAT
    NULL,
};

const size_t ic_format_count = sizeof(ic_formats) / sizeof(ic_formats[0]) - 1;

const struct ic_format *ic_format_find(const char *name)
{
    for (size_t i = 0; i < ic_format_count; i++)
        if (strcmp(ic_formats[i]->name, name) == 0)
            return ic_formats[i];
    return NULL;
}

const char *ic_unpack_format_name(size_t index)
{
    return index < ic_format_count ? ic_formats[index]->name : NULL;
}
