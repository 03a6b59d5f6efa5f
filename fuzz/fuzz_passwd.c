/* Fuzz target for the credential parsers (src/lib/checks/credentials/parse.c):
 * the same bytes go through every account-file parser, the embedded-hash
 * scanner, the configuration scanner, the inittab and script scanners and
 * the wordlist parser; every password field found is classified and
 * costed (never hashed: that is libcrypt's job, not a parser's). */
#include "checks/credentials/crack.h"
#include "checks/credentials/hash.h"
#include "checks/credentials/parse.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static volatile size_t sink;

static int on_record(void *arg, const struct ic_cred_record *r)
{
    (void)arg;
    enum ic_hash_kind kind = ic_hash_classify(r->secret, r->plain_allowed);
    sink += strlen(r->user) + (size_t)kind + (size_t)ic_hash_cost(kind, r->secret) +
            (size_t)ic_hash_weak(kind) + strlen(ic_hash_kind_name(kind));
    if (r->shell)
        sink += strlen(r->shell);
    if (r->key)
        sink += strlen(r->key);
    return 0;
}

static int on_cmd(void *arg, const struct ic_cred_cmd *c)
{
    (void)arg;
    sink += strlen(c->user) + strlen(c->value) + strlen(c->text) + (size_t)c->kind;
    if (c->kind == IC_CMD_SET_PASSWORD) {
        enum ic_hash_kind kind = ic_hash_classify(c->value, !c->hashed);
        sink += (size_t)ic_hash_cost(kind, c->value);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (int kind = IC_CRED_PASSWD; kind <= IC_CRED_HTTPD_CONF; kind++)
        ic_cred_parse_accounts(data, size, (enum ic_cred_file)kind, on_record, NULL);
    ic_cred_scan_embedded(data, size, on_record, NULL);
    ic_cred_scan_config(data, size, on_record, NULL);
    ic_cred_scan_inittab(data, size, on_cmd, NULL);
    ic_cred_scan_script(data, size, on_cmd, NULL);
    struct ic_wordlist wl;
    if (ic_wordlist_parse(data, size, &wl) == 0) {
        for (size_t i = 0; i < wl.count; i++)
            sink += strlen(wl.words[i]);
        ic_wordlist_release(&wl);
    }
    return 0;
}
