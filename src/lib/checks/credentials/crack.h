/* Trying candidate passwords against the password hashes found in an image:
 * the account name, the built-in default-credential dictionary (most-named
 * first) and an optional user wordlist, one job per distinct hash, in
 * parallel. Slow hashes (bcrypt, yescrypt, scrypt, many SHA-crypt rounds)
 * get a short list first and then a time budget; hashes too costly to try
 * (bcrypt cost > 12, huge memory or round parameters) are left alone. */
#ifndef IC_CHECKS_CREDENTIALS_CRACK_H
#define IC_CHECKS_CREDENTIALS_CRACK_H

#include "checks/credentials/hash.h"
#include "checks/credentials/parse.h"

#include <stddef.h>
#include <stdint.h>

/* Candidates every slow hash gets whatever the budget. */
#define IC_CRACK_SHORT_LIST 8
/* Wordlist caps: longest word kept, most words, most bytes read. */
#define IC_WORDLIST_MAX_WORD 255
#define IC_WORDLIST_MAX_WORDS 20000000u
#define IC_WORDLIST_MAX_BYTES (512u << 20)

/* A user wordlist: one password per line; "#!comment:" lines (John the
 * Ripper's convention) and over-long lines are skipped, CR LF accepted. */
struct ic_wordlist {
    const char **words;
    size_t count;
    char *storage;
};

/* Parses bytes (copied). Caller releases with ic_wordlist_release(). */
int ic_wordlist_parse(const uint8_t *data, size_t len, struct ic_wordlist *out);
/* Reads and parses a file. IC_E_IO when it cannot be read,
 * IC_E_LIMIT_FILE_SIZE when it is larger than IC_WORDLIST_MAX_BYTES. */
int ic_wordlist_load(const char *path, struct ic_wordlist *out);
void ic_wordlist_release(struct ic_wordlist *wl);

enum ic_crack_origin {
    IC_CRACK_NONE,
    IC_CRACK_DICTIONARY, /* a password of the built-in default-credential dictionary */
    IC_CRACK_USERNAME,   /* the account name itself */
    IC_CRACK_WORDLIST,   /* only in the user's wordlist */
};

struct ic_crack_job {
    /* in */
    const char *hash; /* borrowed for ic_crack_run() */
    enum ic_hash_kind kind;
    const char *user; /* a name to try first, or NULL */
    /* out */
    int cracked;
    char password[IC_CRED_MAX_SECRET];
    enum ic_crack_origin origin;
    int exhausted; /* every candidate was tried */
    int too_costly;
    size_t tried;
};

struct ic_crack_options {
    const struct ic_wordlist *wordlist; /* or NULL */
    double slow_budget_s;               /* per slow hash, after the short list */
    double fast_budget_s;               /* per fast hash */
    unsigned threads;                   /* 1: in the caller */
};

/* Cracks every job (in parallel when threads > 1). IC_OK or IC_E_NOMEM. */
int ic_crack_run(struct ic_crack_job *jobs, size_t count, const struct ic_crack_options *options);

/* Where a known password comes from: DICTIONARY when the built-in list has
 * it, USERNAME when it equals user, else WORDLIST. */
enum ic_crack_origin ic_crack_origin_of(const char *password, const char *user);

#endif
