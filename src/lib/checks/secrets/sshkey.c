/* SSH key containers: openssh-key-v1, Dropbear key files, public key blobs.
 * The wire format is RFC 4251 (uint32, string, mpint); the containers are
 * described in OpenSSH's PROTOCOL.key and Dropbear's signkey.c layout. */
#include "checks/secrets/sshkey.h"

#include "core/cursor.h"
#include "iotcop/error.h"

#include <stdio.h>
#include <string.h>

/* Longest string field accepted; key material is far smaller. */
#define MAX_FIELD (1u << 20)

static int get_string(struct ic_cursor *c, const uint8_t **p, uint32_t *n)
{
    size_t save = c->pos;
    uint32_t len;
    if (ic_cursor_u32be(c, &len))
        return IC_E_TRUNCATED;
    if (len > MAX_FIELD || ic_cursor_bytes(c, len, p)) {
        c->pos = save;
        return IC_E_TRUNCATED;
    }
    *n = len;
    return IC_OK;
}

/* A printable name (key type, cipher, kdf) into out; IC_E_FORMAT otherwise. */
static int get_name(struct ic_cursor *c, char *out, size_t size)
{
    const uint8_t *p;
    uint32_t n;
    if (get_string(c, &p, &n))
        return IC_E_TRUNCATED;
    if (n == 0 || n >= size)
        return IC_E_FORMAT;
    for (uint32_t i = 0; i < n; i++)
        if (p[i] <= 0x20 || p[i] >= 0x7f)
            return IC_E_FORMAT;
    memcpy(out, p, n);
    out[n] = '\0';
    return IC_OK;
}

/* An mpint; *bits receives its size (leading zero bytes ignored). */
static int get_mpint(struct ic_cursor *c, unsigned *bits)
{
    const uint8_t *p;
    uint32_t n;
    if (get_string(c, &p, &n))
        return IC_E_TRUNCATED;
    if (n && (p[0] & 0x80))
        return IC_E_FORMAT; /* negative: no key field is */
    while (n && p[0] == 0)
        p++, n--;
    unsigned b = 0;
    if (n) {
        b = (n - 1) * 8;
        for (uint8_t top = p[0]; top; top >>= 1)
            b++;
    }
    if (bits)
        *bits = b;
    return IC_OK;
}

static int skip_strings(struct ic_cursor *c, unsigned count)
{
    const uint8_t *p;
    uint32_t n;
    for (unsigned i = 0; i < count; i++)
        if (get_string(c, &p, &n))
            return IC_E_TRUNCATED;
    return IC_OK;
}

static int starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static unsigned curve_bits(const char *name)
{
    if (strstr(name, "nistp256"))
        return 256;
    if (strstr(name, "nistp384"))
        return 384;
    if (strstr(name, "nistp521"))
        return 521;
    return 0;
}

enum part { PUBLIC, OPENSSH_PRIVATE, DROPBEAR_PRIVATE };

/* The fields of one key of type info->keytype at the cursor. */
static int key_fields(struct ic_cursor *c, struct ic_sshkey_info *info, enum part part)
{
    const char *t = info->keytype;
    unsigned bits = 0, ignored;
    const uint8_t *p;
    uint32_t n;
    if (strcmp(t, "ssh-rsa") == 0) {
        snprintf(info->algorithm, sizeof(info->algorithm), "RSA");
        if (part == OPENSSH_PRIVATE) { /* n, e, d, iqmp, p, q */
            if (get_mpint(c, &bits) || get_mpint(c, &ignored) || get_mpint(c, &ignored) ||
                get_mpint(c, &ignored) || get_mpint(c, &ignored) || get_mpint(c, &ignored))
                return IC_E_TRUNCATED;
        } else { /* e, n (public); e, n, d, p, q (Dropbear) */
            unsigned ebits;
            if (get_mpint(c, &ebits) || get_mpint(c, &bits))
                return IC_E_TRUNCATED;
            if (ebits == 0 || ebits > 64)
                return IC_E_FORMAT;
            if (part == DROPBEAR_PRIVATE &&
                (get_mpint(c, &ignored) || get_mpint(c, &ignored) || get_mpint(c, &ignored)))
                return IC_E_TRUNCATED;
        }
        if (bits < 256)
            return IC_E_FORMAT;
    } else if (strcmp(t, "ssh-dss") == 0) {
        snprintf(info->algorithm, sizeof(info->algorithm), "DSA");
        if (get_mpint(c, &bits) || get_mpint(c, &ignored) || get_mpint(c, &ignored) ||
            get_mpint(c, &ignored))
            return IC_E_TRUNCATED;
        if (part != PUBLIC && get_mpint(c, &ignored))
            return IC_E_TRUNCATED;
        if (bits < 256)
            return IC_E_FORMAT;
    } else if (starts(t, "ecdsa-sha2-") || starts(t, "sk-ecdsa-sha2-")) {
        snprintf(info->algorithm, sizeof(info->algorithm), "EC");
        char curve[32];
        if (get_name(c, curve, sizeof(curve)) || get_string(c, &p, &n))
            return IC_E_FORMAT;
        bits = curve_bits(curve);
        if (!bits || !strstr(t, curve) || n < 2 || p[0] != 0x04)
            return IC_E_FORMAT;
        if (starts(t, "sk-") && skip_strings(c, 1))
            return IC_E_TRUNCATED;
        if (part != PUBLIC && get_mpint(c, &ignored))
            return IC_E_TRUNCATED;
    } else if (strcmp(t, "ssh-ed25519") == 0 || strcmp(t, "sk-ssh-ed25519@openssh.com") == 0) {
        snprintf(info->algorithm, sizeof(info->algorithm), "ED25519");
        bits = 256;
        if (get_string(c, &p, &n))
            return IC_E_TRUNCATED;
        /* public and OpenSSH: the 32-byte public key; Dropbear: private||public */
        if (n != (part == DROPBEAR_PRIVATE ? 64u : 32u))
            return IC_E_FORMAT;
        if (starts(t, "sk-") && skip_strings(c, 1))
            return IC_E_TRUNCATED;
        if (part == OPENSSH_PRIVATE && (get_string(c, &p, &n) || n != 64))
            return IC_E_FORMAT;
    } else if (strcmp(t, "ssh-ed448") == 0) {
        snprintf(info->algorithm, sizeof(info->algorithm), "ED448");
        bits = 456;
        if (get_string(c, &p, &n) || n != 57)
            return IC_E_FORMAT;
        if (part == OPENSSH_PRIVATE && (get_string(c, &p, &n) || n != 114))
            return IC_E_FORMAT;
    } else {
        return IC_E_UNSUPPORTED;
    }
    info->bits = bits;
    return IC_OK;
}

int ic_sshkey_parse_public(const uint8_t *data, size_t len, struct ic_sshkey_info *out)
{
    struct ic_cursor c;
    ic_cursor_init(&c, data, len);
    memset(out, 0, sizeof(*out));
    int rc = get_name(&c, out->keytype, sizeof(out->keytype));
    if (!rc)
        rc = key_fields(&c, out, PUBLIC);
    if (rc)
        return rc == IC_E_UNSUPPORTED ? IC_E_FORMAT : rc;
    if (ic_cursor_remaining(&c) != 0)
        return IC_E_FORMAT;
    out->nkeys = 1;
    out->consumed = c.pos;
    return IC_OK;
}

int ic_sshkey_parse_dropbear(const uint8_t *data, size_t len, struct ic_sshkey_info *out)
{
    struct ic_cursor c;
    ic_cursor_init(&c, data, len);
    memset(out, 0, sizeof(*out));
    int rc = get_name(&c, out->keytype, sizeof(out->keytype));
    if (!rc)
        rc = key_fields(&c, out, DROPBEAR_PRIVATE);
    if (rc)
        return rc == IC_E_UNSUPPORTED ? IC_E_FORMAT : rc;
    if (ic_cursor_remaining(&c) != 0)
        return IC_E_FORMAT; /* Dropbear writes the key and nothing else */
    out->nkeys = 1;
    snprintf(out->cipher, sizeof(out->cipher), "none");
    out->consumed = c.pos;
    return IC_OK;
}

int ic_sshkey_parse_openssh(const uint8_t *data, size_t len, struct ic_sshkey_info *out)
{
    struct ic_cursor c;
    ic_cursor_init(&c, data, len);
    memset(out, 0, sizeof(*out));
    if (len < IC_OPENSSH_MAGIC_LEN || memcmp(data, IC_OPENSSH_MAGIC, IC_OPENSSH_MAGIC_LEN) != 0)
        return IC_E_BAD_MAGIC;
    c.pos = IC_OPENSSH_MAGIC_LEN;
    if (get_name(&c, out->cipher, sizeof(out->cipher)) || get_name(&c, out->kdf, sizeof(out->kdf)))
        return IC_E_FORMAT;
    const uint8_t *p;
    uint32_t n;
    if (get_string(&c, &p, &n))
        return IC_E_TRUNCATED;
    int cipher_none = strcmp(out->cipher, "none") == 0;
    if (strcmp(out->kdf, "bcrypt") == 0) {
        struct ic_cursor k;
        ic_cursor_init(&k, p, n);
        const uint8_t *salt;
        uint32_t salt_len;
        if (get_string(&k, &salt, &salt_len) || ic_cursor_u32be(&k, &out->rounds) ||
            ic_cursor_remaining(&k) != 0)
            return IC_E_FORMAT;
    } else if (strcmp(out->kdf, "none") != 0 || n != 0) {
        return IC_E_FORMAT;
    }
    if (cipher_none != (strcmp(out->kdf, "none") == 0))
        return IC_E_FORMAT; /* a cipher needs a kdf and the other way round */
    if (ic_cursor_u32be(&c, &out->nkeys) || out->nkeys == 0 || out->nkeys > IC_OPENSSH_MAX_KEYS)
        return IC_E_FORMAT;
    for (uint32_t i = 0; i < out->nkeys; i++) {
        if (get_string(&c, &p, &n))
            return IC_E_TRUNCATED;
        if (i == 0) {
            struct ic_sshkey_info pub;
            int rc = ic_sshkey_parse_public(p, n, &pub);
            if (rc == IC_OK) {
                memcpy(out->keytype, pub.keytype, sizeof(out->keytype));
                memcpy(out->algorithm, pub.algorithm, sizeof(out->algorithm));
                out->bits = pub.bits;
            } else {
                /* a type this parser does not know (certificates, new
                 * algorithms): keep its name, size unknown */
                struct ic_cursor k;
                ic_cursor_init(&k, p, n);
                if (get_name(&k, out->keytype, sizeof(out->keytype)))
                    return IC_E_FORMAT;
                snprintf(out->algorithm, sizeof(out->algorithm), "unknown");
            }
        }
    }
    if (get_string(&c, &p, &n))
        return IC_E_TRUNCATED;
    out->consumed = c.pos;
    out->encrypted = !cipher_none;
    if (out->encrypted) {
        if (n == 0 || n % 8 != 0)
            return IC_E_FORMAT; /* every cipher OpenSSH offers has 8- or 16-byte blocks */
        return IC_OK;
    }
    /* Unencrypted: check words, then the first key's type and fields. */
    struct ic_cursor k;
    ic_cursor_init(&k, p, n);
    uint32_t check1, check2;
    if (ic_cursor_u32be(&k, &check1) || ic_cursor_u32be(&k, &check2) || check1 != check2)
        return IC_E_FORMAT;
    char type[48];
    if (get_name(&k, type, sizeof(type)) || strcmp(type, out->keytype) != 0)
        return IC_E_FORMAT;
    if (strcmp(out->algorithm, "unknown") != 0 && !starts(type, "sk-")) {
        struct ic_sshkey_info priv = {0};
        memcpy(priv.keytype, type, sizeof(priv.keytype));
        if (key_fields(&k, &priv, OPENSSH_PRIVATE) || priv.bits != out->bits)
            return IC_E_FORMAT;
    }
    return IC_OK;
}
