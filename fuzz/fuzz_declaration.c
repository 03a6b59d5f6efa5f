/* libFuzzer target: manufacturer declarations (YAML and JSON through the
 * document tree of core/dom.h) and the report parts they fill. */
#include "iotcop/declaration.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static void use(const struct ic_declaration *d)
{
    volatile size_t sink = d->provision_count + d->diags_dropped;
    for (size_t i = 0; i < d->diag_count; i++)
        sink += strlen(d->diags[i].key) + strlen(d->diags[i].message) + d->diags[i].line;
    for (size_t i = 0; i < d->provision_count; i++)
        sink += strlen(d->provisions[i].id) + (size_t)d->provisions[i].status +
                (d->provisions[i].justification ? strlen(d->provisions[i].justification) : 0);
    const char *end = ic_declaration_field(d, "support_period.end");
    sink += end ? strlen(end) : 0;
    (void)sink;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Both syntaxes on every input: the first byte does not choose. */
    for (int syntax = IC_DECLARATION_YAML; syntax <= IC_DECLARATION_JSON; syntax++) {
        struct ic_declaration *d = NULL;
        ic_declaration_parse(data, size, (enum ic_declaration_syntax)syntax, "fuzz", &d);
        if (d) {
            use(d);
            struct ic_report *r = NULL;
            if (ic_report_new(&r) == 0) {
                ic_report_set_device_target(r, "127.0.0.1", NULL);
                ic_report_set_declaration(r, d);
                ic_report_finish(r);
                ic_report_free(r);
            }
        }
        ic_declaration_free(d);
    }
    return 0;
}
