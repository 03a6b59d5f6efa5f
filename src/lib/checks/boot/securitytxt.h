/* security.txt (RFC 9116): a bounded parser and validator.
 *
 * The parser reads the fields a vulnerability reporter relies on (Contact,
 * Expires) and records every way the file breaks the RFC's syntax or its
 * MUSTs, with the line. It accepts any bytes; an OpenPGP cleartext signature
 * around the fields is understood (the signature itself is not checked). */
#ifndef IC_CHECKS_SECURITYTXT_H
#define IC_CHECKS_SECURITYTXT_H

#include <stddef.h>
#include <stdint.h>

#define IC_SECTXT_MAX_BYTES (64u << 10) /* bytes parsed; more is an error */
#define IC_SECTXT_MAX_ERRORS 8          /* problems kept (the rest counted) */

struct ic_sectxt_error {
    uint64_t line; /* 0: about the whole file */
    char message[160];
};

struct ic_sectxt {
    unsigned contact_count;
    char contact[256];       /* the first Contact value */
    uint64_t contact_line;
    unsigned expires_count;
    char expires_text[64];   /* the first Expires value as written */
    uint64_t expires_line;
    int expires_valid;       /* the first Expires is an RFC 3339 date-time */
    int64_t expires;         /* ...as Unix time (UTC), when expires_valid */
    int signed_message;      /* wrapped in an OpenPGP cleartext signature */
    unsigned field_count;
    size_t error_count;      /* all problems, also those not kept */
    struct ic_sectxt_error errors[IC_SECTXT_MAX_ERRORS];
};

/* Parses data into *out (zeroed first). Never fails: problems are in
 * out->errors. A missing Contact, a missing or repeated Expires and an
 * Expires that is not RFC 3339 are errors; expiry relative to a time is the
 * caller's to judge (ic_sectxt_expired). */
void ic_sectxt_parse(const uint8_t *data, size_t len, struct ic_sectxt *out);

/* Whether the file has expired at `now` (Unix time); 0 when Expires is unusable. */
int ic_sectxt_expired(const struct ic_sectxt *t, int64_t now);

/* Parses an RFC 3339 date-time ("2025-06-30T23:59:59Z", "...+02:00",
 * fractions allowed) into Unix time. 0 on success, -1 when malformed. */
int ic_rfc3339_parse(const char *s, int64_t *out);

#endif
