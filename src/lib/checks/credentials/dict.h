/* The built-in default-credential dictionary, generated at build time by
 * tools/gen_credentials.py from data/default-credentials.tsv (never edited
 * by hand). Static, immutable; any thread may read it. */
#ifndef IC_CHECKS_CREDENTIALS_DICT_H
#define IC_CHECKS_CREDENTIALS_DICT_H

#include <stddef.h>

struct ic_cred_default {
    const char *service;  /* "telnet", "ssh", "ftp", "http", "http-basic", "http-form", "snmp", "any" */
    const char *user;     /* may be "" */
    const char *password; /* may be "" */
    const char *sources;  /* comma-separated names of the lists that name the pair */
    unsigned lists;       /* how many lists name it */
};

/* Every pair, grouped by service, most-named first within a service. */
extern const struct ic_cred_default ic_cred_defaults[];
extern const size_t ic_cred_default_count;
/* Every distinct password once, most-named first: the cracking order. */
extern const char *const ic_cred_passwords[];
extern const size_t ic_cred_password_count;

/* The best-known pair with this password: the same user if one exists,
 * else the pair named by the most lists. NULL when no pair has it. */
const struct ic_cred_default *ic_cred_default_lookup(const char *user, const char *password);

#endif
