/* --declaration FILE, shared by `iotcop firmware` and `iotcop assess`. */
#include "cli.h"
#include "iotcop/declaration.h"
#include "iotcop/error.h"

int cli_load_declaration(const char *cmd, const char *path, struct ic_declaration **out)
{
    struct ic_declaration *d = NULL;
    int rc = ic_declaration_load(path, &d);
    if (!d) {
        cli_error("%s: --declaration %s: %s", cmd, path, ic_error_message(rc));
        return EXIT_USAGE;
    }
    for (size_t i = 0; i < d->diag_count; i++) {
        const struct ic_declaration_diag *g = &d->diags[i];
        cli_error("%s: %s:%u: %s%s%s", rc ? "error" : "warning", path, g->line, g->key,
                  g->key[0] ? ": " : "", g->message);
    }
    if (d->diags_dropped)
        cli_error("warning: %s: %zu more problems not shown", path, d->diags_dropped);
    if (rc) {
        cli_error("%s: --declaration %s is not a declaration (docs/declaration.md)", cmd, path);
        ic_declaration_free(d);
        return EXIT_USAGE;
    }
    *out = d;
    return EXIT_DONE;
}
