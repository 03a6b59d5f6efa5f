/* Password hash fields: classification, cost and verification. The crypt(3)
 * family goes to libcrypt (crypt_rn); Apache's $apr1$ (MD5-crypt with its
 * own magic) and the LDAP-style {SHA}/{SSHA} are computed here with
 * OpenSSL's digests. */
#include "checks/credentials/hash.h"

#include "iotcop/error.h"

#include <openssl/evp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char crypt64[] = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

const char *ic_hash_kind_name(enum ic_hash_kind kind)
{
    switch (kind) {
    case IC_HASH_EMPTY: return "empty";
    case IC_HASH_LOCKED: return "locked";
    case IC_HASH_PLAIN: return "plaintext";
    case IC_HASH_DES: return "descrypt";
    case IC_HASH_BSDI: return "bsdicrypt";
    case IC_HASH_MD5: return "md5crypt";
    case IC_HASH_SHA256: return "sha256crypt";
    case IC_HASH_SHA512: return "sha512crypt";
    case IC_HASH_BCRYPT: return "bcrypt";
    case IC_HASH_YESCRYPT: return "yescrypt";
    case IC_HASH_GOST_YESCRYPT: return "gost-yescrypt";
    case IC_HASH_SCRYPT: return "scrypt";
    case IC_HASH_SHA1CRYPT: return "sha1crypt";
    case IC_HASH_SUNMD5: return "sunmd5";
    case IC_HASH_NT: return "nthash";
    case IC_HASH_APR1: return "apr1";
    case IC_HASH_LDAP_SHA: return "{SHA}";
    case IC_HASH_LDAP_SSHA: return "{SSHA}";
    }
    return "unknown";
}

static int is_c64(char c)
{
    return c && strchr(crypt64, c) != NULL;
}

static int c64_index(char c)
{
    const char *p = c ? strchr(crypt64, c) : NULL;
    return p ? (int)(p - crypt64) : -1;
}

static int all_c64(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_c64(s[i]))
            return 0;
    return 1;
}

static int is_b64(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '+' || c == '/';
}

/* Length of the last '$'-separated segment, and whether the whole string
 * after the prefix is crypt64 characters and '$' only. */
static int c64_segments(const char *s, size_t *last_len)
{
    const char *last = s;
    for (const char *p = s; *p; p++) {
        if (*p == '$')
            last = p + 1;
        else if (!is_c64(*p))
            return 0;
    }
    *last_len = strlen(last);
    return 1;
}

/* "$1$" / "$apr1$" style: magic, salt (0..8, no '$' or ':'), '$', 22 chars. */
static int md5_shaped(const char *s, const char *magic)
{
    size_t m = strlen(magic);
    if (strncmp(s, magic, m) != 0)
        return 0;
    const char *salt = s + m, *end = strchr(salt, '$');
    if (!end || end - salt > 8)
        return 0;
    for (const char *p = salt; p < end; p++)
        if ((unsigned char)*p < 0x21 || *p == ':' || (unsigned char)*p > 0x7e)
            return 0;
    return strlen(end + 1) == 22 && all_c64(end + 1, 22);
}

/* "$5$" / "$6$": magic, optional "rounds=N$", salt (0..16), '$', n chars. */
static int sha_shaped(const char *s, const char *magic, size_t n)
{
    if (strncmp(s, magic, 3) != 0)
        return 0;
    const char *p = s + 3;
    if (strncmp(p, "rounds=", 7) == 0) {
        p += 7;
        const char *d = p;
        while (*p >= '0' && *p <= '9')
            p++;
        if (p == d || p - d > 10 || *p != '$')
            return 0;
        p++;
    }
    const char *end = strchr(p, '$');
    if (!end || end - p > 16)
        return 0;
    for (const char *q = p; q < end; q++)
        if ((unsigned char)*q < 0x21 || *q == ':' || (unsigned char)*q > 0x7e)
            return 0;
    return strlen(end + 1) == n && all_c64(end + 1, n);
}

static int bcrypt_shaped(const char *s)
{
    return strlen(s) == 60 && s[0] == '$' && s[1] == '2' && strchr("abxy", s[2]) && s[2] &&
           s[3] == '$' && s[4] >= '0' && s[4] <= '3' && s[5] >= '0' && s[5] <= '9' &&
           s[6] == '$' && all_c64(s + 7, 53);
}

static int ldap_sha_shaped(const char *s)
{
    if (strncmp(s, "{SHA}", 5) != 0 || strlen(s + 5) != 28 || s[32] != '=')
        return 0;
    for (size_t i = 5; i < 32; i++)
        if (!is_b64(s[i]))
            return 0;
    return 1;
}

static int ldap_ssha_shaped(const char *s)
{
    if (strncmp(s, "{SSHA}", 6) != 0)
        return 0;
    size_t n = strlen(s + 6);
    if (n < 32 || n > 128 || n % 4)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[6 + i];
        if (!is_b64(c) && !(c == '=' && i >= n - 2))
            return 0;
    }
    return 1;
}

enum ic_hash_kind ic_hash_classify(const char *f, int plain_allowed)
{
    size_t n = strlen(f);
    size_t last = 0;
    if (n == 0)
        return IC_HASH_EMPTY;
    if (n == 13 && all_c64(f, 13))
        return IC_HASH_DES;
    if (n == 20 && f[0] == '_' && all_c64(f + 1, 19))
        return IC_HASH_BSDI;
    if (md5_shaped(f, "$1$"))
        return IC_HASH_MD5;
    if (md5_shaped(f, "$apr1$"))
        return IC_HASH_APR1;
    if (sha_shaped(f, "$5$", 43))
        return IC_HASH_SHA256;
    if (sha_shaped(f, "$6$", 86))
        return IC_HASH_SHA512;
    if (bcrypt_shaped(f))
        return IC_HASH_BCRYPT;
    if (strncmp(f, "$y$", 3) == 0 && n < 200 && c64_segments(f + 3, &last) && last == 43)
        return IC_HASH_YESCRYPT;
    if (strncmp(f, "$gy$", 4) == 0 && n < 200 && c64_segments(f + 4, &last) && last == 43)
        return IC_HASH_GOST_YESCRYPT;
    if (strncmp(f, "$7$", 3) == 0 && n < 200 && c64_segments(f + 3, &last) && last == 43)
        return IC_HASH_SCRYPT;
    if (strncmp(f, "$sha1$", 6) == 0 && n < 200 && c64_segments(f + 6, &last) && last == 28)
        return IC_HASH_SHA1CRYPT;
    if (strncmp(f, "$3$$", 4) == 0 && n == 36 && strspn(f + 4, "0123456789abcdef") == 32)
        return IC_HASH_NT;
    if (strncmp(f, "$md5", 4) == 0 && n < 200) {
        const char *tail = strrchr(f, '$');
        if (tail && strlen(tail + 1) == 22 && all_c64(tail + 1, 22))
            return IC_HASH_SUNMD5;
    }
    if (ldap_sha_shaped(f))
        return IC_HASH_LDAP_SHA;
    if (ldap_ssha_shaped(f))
        return IC_HASH_LDAP_SSHA;
    return plain_allowed ? IC_HASH_PLAIN : IC_HASH_LOCKED;
}

int ic_hash_usable(enum ic_hash_kind kind)
{
    return kind != IC_HASH_LOCKED;
}

int ic_hash_weak(enum ic_hash_kind kind)
{
    switch (kind) {
    case IC_HASH_PLAIN:
    case IC_HASH_DES:
    case IC_HASH_BSDI:
    case IC_HASH_MD5:
    case IC_HASH_APR1:
    case IC_HASH_LDAP_SHA:
    case IC_HASH_LDAP_SSHA:
    case IC_HASH_NT:
        return 1;
    default:
        return 0;
    }
}

static unsigned long long rounds_param(const char *s, const char *key)
{
    const char *p = strstr(s, key);
    if (!p)
        return 0;
    p += strlen(key);
    unsigned long long v = 0;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (v > 100000000000ULL)
            break;
        v = v * 10 + (unsigned)(*p - '0');
    }
    return v;
}

int ic_hash_cost(enum ic_hash_kind kind, const char *hash)
{
    switch (kind) {
    case IC_HASH_SHA256:
    case IC_HASH_SHA512: {
        unsigned long long r = rounds_param(hash, "$rounds=");
        return r <= 20000 ? 0 : r <= 2000000 ? 1 : 2;
    }
    case IC_HASH_BSDI: {
        unsigned long long r = 0;
        for (int i = 4; i >= 1; i--)
            r = (r << 6) | (unsigned)c64_index(hash[i]);
        return r <= 100000 ? 0 : r <= 2000000 ? 1 : 2;
    }
    case IC_HASH_BCRYPT: {
        int cost = (hash[4] - '0') * 10 + (hash[5] - '0');
        return cost <= 12 ? 1 : 2;
    }
    case IC_HASH_YESCRYPT:
    case IC_HASH_GOST_YESCRYPT: {
        /* params: flavour, log2(N) - 1, r - 1 (one character each while small) */
        const char *p = hash + (kind == IC_HASH_YESCRYPT ? 3 : 4);
        if (p[0] == '$' || !p[0] || !p[1] || !p[2])
            return 2;
        int nlog = c64_index(p[1]) + 1, r = c64_index(p[2]) + 1;
        return (nlog >= 1 && nlog <= 16 && r >= 1 && r <= 32) ? 1 : 2;
    }
    case IC_HASH_SCRYPT: {
        int nlog = c64_index(hash[3]);
        return (nlog >= 1 && nlog <= 16) ? 1 : 2;
    }
    case IC_HASH_SHA1CRYPT: {
        unsigned long long r = rounds_param(hash, "$sha1$");
        return r <= 2000000 ? 1 : 2;
    }
    case IC_HASH_SUNMD5: {
        unsigned long long r = rounds_param(hash, "rounds=");
        return r <= 100000 ? 1 : 2;
    }
    default:
        return 0;
    }
}

static int digest(const EVP_MD *md, const void *a, size_t an, const void *b, size_t bn,
                  unsigned char *out)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned len = 0;
    int ok = ctx && EVP_DigestInit_ex(ctx, md, NULL) && EVP_DigestUpdate(ctx, a, an) &&
             (!bn || EVP_DigestUpdate(ctx, b, bn)) && EVP_DigestFinal_ex(ctx, out, &len);
    EVP_MD_CTX_free(ctx);
    return ok ? IC_OK : IC_E_INTERNAL;
}

static void to64(char *dst, unsigned long v, int n)
{
    while (n-- > 0) {
        *dst++ = crypt64[v & 0x3f];
        v >>= 6;
    }
}

int ic_md5crypt(const char *pw, const char *setting, const char *magic, char *out,
                size_t out_size)
{
    size_t mlen = strlen(magic), plen = strlen(pw);
    if (strncmp(setting, magic, mlen) != 0)
        return IC_E_INVALID_ARG;
    const char *salt = setting + mlen;
    size_t slen = 0;
    while (slen < 8 && salt[slen] && salt[slen] != '$')
        slen++;
    if (out_size < mlen + slen + 1 + 22 + 1)
        return IC_E_INVALID_ARG;

    /* fetched once per call: an implicit fetch on each of the 1002 inits costs more */
    EVP_MD *md5 = EVP_MD_fetch(NULL, "MD5", NULL);
    unsigned char fin[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    int rc = IC_E_INTERNAL;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx || !md5) {
        EVP_MD_CTX_free(ctx);
        EVP_MD_free(md5);
        return IC_E_NOMEM;
    }
    /* The "alternate" sum: password, salt, password. */
    if (!EVP_DigestInit_ex(ctx, md5, NULL) || !EVP_DigestUpdate(ctx, pw, plen) ||
        !EVP_DigestUpdate(ctx, salt, slen) || !EVP_DigestUpdate(ctx, pw, plen) ||
        !EVP_DigestFinal_ex(ctx, fin, &len))
        goto done;
    if (!EVP_DigestInit_ex(ctx, md5, NULL) || !EVP_DigestUpdate(ctx, pw, plen) ||
        !EVP_DigestUpdate(ctx, magic, mlen) || !EVP_DigestUpdate(ctx, salt, slen))
        goto done;
    for (size_t i = plen; i > 0; i -= i > 16 ? 16 : i)
        if (!EVP_DigestUpdate(ctx, fin, i > 16 ? 16 : i))
            goto done;
    for (size_t i = plen; i; i >>= 1)
        if (!EVP_DigestUpdate(ctx, (i & 1) ? "" : pw, 1))
            goto done;
    if (!EVP_DigestFinal_ex(ctx, fin, &len))
        goto done;
    /* 1000 rounds to slow down guessing. */
    for (int i = 0; i < 1000; i++) {
        if (!EVP_DigestInit_ex(ctx, md5, NULL))
            goto done;
        int ok = (i & 1) ? EVP_DigestUpdate(ctx, pw, plen) : EVP_DigestUpdate(ctx, fin, 16);
        ok = ok && (!(i % 3) || EVP_DigestUpdate(ctx, salt, slen));
        ok = ok && (!(i % 7) || EVP_DigestUpdate(ctx, pw, plen));
        ok = ok && ((i & 1) ? EVP_DigestUpdate(ctx, fin, 16) : EVP_DigestUpdate(ctx, pw, plen));
        if (!ok || !EVP_DigestFinal_ex(ctx, fin, &len))
            goto done;
    }
    char *p = out;
    memcpy(p, magic, mlen);
    p += mlen;
    memcpy(p, salt, slen);
    p += slen;
    *p++ = '$';
    static const int order[5][3] = {{0, 6, 12}, {1, 7, 13}, {2, 8, 14}, {3, 9, 15}, {4, 10, 5}};
    for (int k = 0; k < 5; k++) {
        unsigned long v = ((unsigned long)fin[order[k][0]] << 16) |
                          ((unsigned long)fin[order[k][1]] << 8) | fin[order[k][2]];
        to64(p, v, 4);
        p += 4;
    }
    to64(p, fin[11], 2);
    p += 2;
    *p = '\0';
    rc = IC_OK;
done:
    EVP_MD_CTX_free(ctx);
    EVP_MD_free(md5);
    return rc;
}

static int verify_ldap(enum ic_hash_kind kind, const char *hash, const char *pw)
{
    unsigned char raw[128], sum[EVP_MAX_MD_SIZE];
    size_t plen = strlen(pw);
    if (kind == IC_HASH_LDAP_SHA) {
        char enc[64];
        if (digest(EVP_sha1(), pw, plen, NULL, 0, sum))
            return IC_E_INTERNAL;
        EVP_EncodeBlock((unsigned char *)enc, sum, 20);
        return strcmp(enc, hash + 5) == 0;
    }
    const char *b64 = hash + 6;
    size_t n = strlen(b64);
    if (n > 128 || n % 4)
        return IC_E_FORMAT;
    int got = EVP_DecodeBlock(raw, (const unsigned char *)b64, (int)n);
    if (got < 0)
        return IC_E_FORMAT;
    size_t pad = (n >= 1 && b64[n - 1] == '=') + (n >= 2 && b64[n - 2] == '=');
    size_t rawlen = (size_t)got - pad;
    if (rawlen <= 20)
        return IC_E_FORMAT;
    if (digest(EVP_sha1(), pw, plen, raw + 20, rawlen - 20, sum))
        return IC_E_INTERNAL;
    return memcmp(sum, raw, 20) == 0;
}

int ic_hash_verify(enum ic_hash_kind kind, const char *hash, const char *candidate,
                   struct ic_hash_scratch *scratch)
{
    switch (kind) {
    case IC_HASH_EMPTY:
        return candidate[0] == '\0';
    case IC_HASH_LOCKED:
        return 0;
    case IC_HASH_PLAIN:
        return strcmp(hash, candidate) == 0;
    case IC_HASH_APR1: {
        char out[64];
        int rc = ic_md5crypt(candidate, hash, "$apr1$", out, sizeof(out));
        return rc ? rc : strcmp(out, hash) == 0;
    }
    case IC_HASH_LDAP_SHA:
    case IC_HASH_LDAP_SSHA:
        return verify_ldap(kind, hash, candidate);
    default: {
        const char *out = crypt_rn(candidate, hash, &scratch->crypt, (int)sizeof(scratch->crypt));
        if (!out || out[0] == '*')
            return IC_E_UNSUPPORTED;
        return strcmp(out, hash) == 0;
    }
    }
}
