/* Fuzz target for the secret-string scanners (src/lib/checks/secrets/tokens.c):
 * known token formats and named secrets in configuration text. */
#include "checks/secrets/tokens.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static volatile size_t sink;

static int on_token(void *arg, const struct ic_token *t)
{
    (void)arg;
    sink += strlen(t->value) + t->value_len + (size_t)t->kind + (t->key ? strlen(t->key) : 0) +
            strlen(ic_token_kind_name(t->kind)) + (size_t)t->line;
    sink += (size_t)(ic_tokens_entropy(t->value, t->value_len) * 8);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ic_tokens_scan_formats(data, size, on_token, NULL);
    ic_tokens_scan_text(data, size, on_token, NULL);
    return 0;
}
