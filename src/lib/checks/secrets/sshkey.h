/* SSH key containers, parsed from untrusted bytes without OpenSSL:
 *   - the OpenSSH private key format ("openssh-key-v1\0" + wire fields, as
 *     written by ssh-keygen since 6.5, usually base64 inside
 *     "-----BEGIN OPENSSH PRIVATE KEY-----");
 *   - Dropbear's own private key files (dropbear_*_host_key: the key type
 *     string followed by its numbers, no container);
 *   - SSH public key blobs ("ssh-rsa AAAA..." lines decoded from base64).
 *
 * Every function reads [data, data+len) through a bounded cursor (no NUL
 * needed), never allocates, and fills *out only on success (IC_OK). On
 * malformed input it returns IC_E_FORMAT / IC_E_TRUNCATED / IC_E_BAD_MAGIC
 * and *out is unspecified. Nothing secret is copied into *out. */
#ifndef IC_CHECKS_SECRETS_SSHKEY_H
#define IC_CHECKS_SECRETS_SSHKEY_H

#include <stddef.h>
#include <stdint.h>

/* The magic of openssh-key-v1, with its terminating NUL (15 bytes). */
#define IC_OPENSSH_MAGIC "openssh-key-v1"
#define IC_OPENSSH_MAGIC_LEN 15
/* Most keys one openssh-key-v1 container may declare. */
#define IC_OPENSSH_MAX_KEYS 16

struct ic_sshkey_info {
    char keytype[48];   /* "ssh-rsa", "ssh-ed25519", "ecdsa-sha2-nistp256", ... */
    char algorithm[16]; /* "RSA", "DSA", "EC", "ED25519", "ED448", "unknown" */
    unsigned bits;      /* key size; 0 when it cannot be known */
    int encrypted;      /* openssh-key-v1: cipher is not "none" */
    char cipher[32];    /* openssh-key-v1: "none", "aes256-ctr", ... */
    char kdf[16];       /* openssh-key-v1: "none", "bcrypt" */
    uint32_t rounds;    /* bcrypt rounds, 0 otherwise */
    uint32_t nkeys;     /* keys in the container (1 for the others) */
    size_t consumed;    /* bytes the structure occupies from data */
};

/* An openssh-key-v1 container starting at data (magic included). The size
 * and type come from the first public key; for an unencrypted container the
 * private section must be well formed too (matching check words). */
int ic_sshkey_parse_openssh(const uint8_t *data, size_t len, struct ic_sshkey_info *out);

/* A Dropbear private key file (the whole file). */
int ic_sshkey_parse_dropbear(const uint8_t *data, size_t len, struct ic_sshkey_info *out);

/* An SSH public key blob (the decoded base64 of an authorized_keys line). */
int ic_sshkey_parse_public(const uint8_t *data, size_t len, struct ic_sshkey_info *out);

#endif
