/* Finds keys and certificates inside any bytes and classifies them.
 *
 * ic_keyscan_pem() looks for PEM armour ("-----BEGIN LABEL-----" ...
 * "-----END LABEL-----") anywhere in the data (text files, binaries,
 * blobs), raw openssh-key-v1 containers, and OpenSSH public key lines
 * ("ssh-rsa AAAA..."). ic_keyscan_der() treats the whole data as one DER
 * object (X.509 certificate, PKCS#1/SEC1/DSA/PKCS#8 private key, encrypted
 * PKCS#8, SubjectPublicKeyInfo, PKCS#12). Classification uses OpenSSL 3
 * through a library context of the scanner's own (default and, when
 * installed, legacy providers: old PKCS#12 files use RC2-40), so the host's
 * OpenSSL configuration never changes what is found. The openssh and
 * Dropbear containers are parsed by checks/secrets/sshkey.c.
 *
 * Only well-formed objects are reported: a block whose base64 does not
 * decode, or whose DER does not parse to exactly its own length, is
 * ignored (empty armour, format strings in programs, truncated data).
 * Nothing is decrypted; a PKCS#12 file is opened only with the empty
 * password (and then counts as unprotected).
 *
 * Items are handed to a callback; the item and its strings are borrowed for
 * the call. A callback returning non-zero stops the scan with its value.
 * One struct ic_keyscan may be used by one thread at a time. */
#ifndef IC_CHECKS_SECRETS_KEYSCAN_H
#define IC_CHECKS_SECRETS_KEYSCAN_H

#include <stddef.h>
#include <stdint.h>

/* Largest PEM body (base64 between the armour lines) looked at. */
#define IC_KEYSCAN_MAX_BLOCK (1u << 20)
/* Most items one scan reports; the rest of the data is skipped. */
#define IC_KEYSCAN_MAX_ITEMS 4096u

enum ic_km_type {
    IC_KM_PRIVATE_KEY,
    IC_KM_PUBLIC_KEY,
    IC_KM_CERTIFICATE,
    IC_KM_PKCS12, /* a PKCS#12 file that the empty password does not open */
};

/* "private key", "public key", "certificate", "PKCS#12". */
const char *ic_km_type_name(enum ic_km_type type);

struct ic_km {
    enum ic_km_type type;
    const char *container; /* "PEM PKCS#1", "PEM PKCS#8", "PEM encrypted PKCS#8",
                              "PEM SEC1", "PEM DSA", "OpenSSH", "OpenSSH public key",
                              "DER PKCS#8", ..., "PKCS#12", "PEM X.509", "DER X.509" */
    char algorithm[16];    /* "RSA", "EC", "DSA", "ED25519", "ED448", "X25519", ...;
                              "unknown" when encryption hides it */
    unsigned bits;         /* key size, 0 when unknown */
    char curve[32];        /* EC group ("prime256v1"), or "" */
    int encrypted;         /* private keys: protected by a passphrase */
    char cipher[48];       /* how: "AES-128-CBC", "aes256-ctr/bcrypt", "PBES2 aes-256-cbc"; or "" */
    uint64_t offset;       /* of the object (its BEGIN line) in the data */
    uint64_t line;         /* 1-based line of the BEGIN line; 0 for DER and binary data */
    /* certificates */
    char subject[256];     /* one line, RFC 2253, printable ASCII */
    char issuer[256];
    int64_t not_before;    /* Unix time */
    int64_t not_after;
    int self_signed;       /* issuer is subject and its own key verifies the signature */
    int is_ca;             /* basicConstraints CA:TRUE */
    char signature[48];    /* signature algorithm ("sha256WithRSAEncryption") */
    int weak_signature;    /* MD2/MD4/MD5/SHA-1 or under 80 bits of security */
    unsigned security_bits; /* of the key (EVP_PKEY_get_security_bits), 0 when unknown */
};

typedef int (*ic_km_fn)(void *arg, const struct ic_km *item);

struct ic_keyscan;

/* A scanner. IC_OK, IC_E_NOMEM or IC_E_INTERNAL (OpenSSL's default provider
 * cannot be loaded). Caller frees with ic_keyscan_free(). */
int ic_keyscan_new(struct ic_keyscan **out);
void ic_keyscan_free(struct ic_keyscan *ks);

/* PEM blocks, raw openssh-key-v1 containers and OpenSSH public key lines
 * anywhere in [data, data+len). */
int ic_keyscan_pem(struct ic_keyscan *ks, const uint8_t *data, size_t len, ic_km_fn fn, void *arg);

/* The whole of [data, data+len) as one DER object (trailing whitespace
 * allowed). Nothing reported when it is not one. */
int ic_keyscan_der(struct ic_keyscan *ks, const uint8_t *data, size_t len, ic_km_fn fn, void *arg);

/* Whether data looks like one DER SEQUENCE that spans it exactly (the cheap
 * test callers use before ic_keyscan_der on files of any name). */
int ic_keyscan_der_candidate(const uint8_t *data, size_t len);

#endif
