/* Password hash fields: what kind a field is, whether a password can match
 * it at all, what it costs to try one candidate, and trying one.
 *
 * Everything here is pure (no global state); ic_hash_verify() needs a
 * caller-provided scratch area so any number of threads may verify at once. */
#ifndef IC_CHECKS_CREDENTIALS_HASH_H
#define IC_CHECKS_CREDENTIALS_HASH_H

#include <crypt.h>
#include <stddef.h>

enum ic_hash_kind {
    IC_HASH_EMPTY,         /* empty field: no password at all */
    IC_HASH_LOCKED,        /* '!', '*', "x" or anything no password can match */
    IC_HASH_PLAIN,         /* a plaintext password (plain user files, configs) */
    IC_HASH_DES,           /* traditional 13-character DES crypt */
    IC_HASH_BSDI,          /* BSDi extended DES, "_" */
    IC_HASH_MD5,           /* $1$ md5crypt */
    IC_HASH_SHA256,        /* $5$ sha256crypt */
    IC_HASH_SHA512,        /* $6$ sha512crypt */
    IC_HASH_BCRYPT,        /* $2a$ $2b$ $2x$ $2y$ */
    IC_HASH_YESCRYPT,      /* $y$ */
    IC_HASH_GOST_YESCRYPT, /* $gy$ */
    IC_HASH_SCRYPT,        /* $7$ */
    IC_HASH_SHA1CRYPT,     /* $sha1$ (NetBSD) */
    IC_HASH_SUNMD5,        /* $md5 (Solaris) */
    IC_HASH_NT,            /* $3$ (FreeBSD NT hash) */
    IC_HASH_APR1,          /* $apr1$ Apache MD5 */
    IC_HASH_LDAP_SHA,      /* {SHA} base64(SHA-1(password)) */
    IC_HASH_LDAP_SSHA,     /* {SSHA} base64(SHA-1(password salt) salt) */
};

/* "md5crypt", "sha512crypt", "bcrypt", ... ("empty", "locked", "plaintext"). */
const char *ic_hash_kind_name(enum ic_hash_kind kind);

/* What a password field holds. Anything that is not a well-formed hash of a
 * known kind is IC_HASH_LOCKED: no password matches it. plain_allowed: the
 * file keeps plaintext passwords (then a non-hash is IC_HASH_PLAIN). */
enum ic_hash_kind ic_hash_classify(const char *field, int plain_allowed);

/* Whether the kind can authenticate someone (a usable password). */
int ic_hash_usable(enum ic_hash_kind kind);

/* Cost class of one attempt: 0 fast (DES, MD5, default SHA-crypt, apr1,
 * {SHA}), 1 slow (bcrypt, yescrypt, scrypt, many SHA-crypt rounds: short
 * candidate list and a time budget), 2 too costly to try at all. */
int ic_hash_cost(enum ic_hash_kind kind, const char *hash);

/* Whether an algorithm is too weak for passwords today (DES, md5crypt,
 * apr1, {SHA}, {SSHA}, NT, plaintext). */
int ic_hash_weak(enum ic_hash_kind kind);

/* Scratch for ic_hash_verify(); one per thread. */
struct ic_hash_scratch {
    struct crypt_data crypt;
};

/* 1 when candidate matches hash, 0 when not, negative IC_E_* when the hash
 * cannot be computed. */
int ic_hash_verify(enum ic_hash_kind kind, const char *hash, const char *candidate,
                   struct ic_hash_scratch *scratch);

/* MD5-crypt with a chosen magic ("$1$" or "$apr1$"): out receives
 * magic + salt + '$' + 22 characters. setting is magic + salt [+ '$' ...].
 * IC_OK, IC_E_INVALID_ARG (setting does not start with magic, out too small)
 * or IC_E_INTERNAL (digest failure). */
int ic_md5crypt(const char *password, const char *setting, const char *magic, char *out,
                size_t out_size);

#endif
