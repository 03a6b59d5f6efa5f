/* Fuzz target for the key and certificate scanner
 * (src/lib/checks/secrets/keyscan.c): the same bytes are scanned for PEM
 * blocks, raw openssh-key-v1 containers and OpenSSH public key lines, and
 * classified as one whole DER object (certificate, PKCS#12, PKCS#8, PKCS#1,
 * SEC1, DSA, SubjectPublicKeyInfo). */
#include "checks/secrets/keyscan.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static volatile size_t sink;

static int on_item(void *arg, const struct ic_km *k)
{
    (void)arg;
    sink += strlen(k->container) + strlen(k->algorithm) + k->bits + strlen(k->subject) +
            strlen(k->issuer) + strlen(k->cipher) + strlen(k->signature) + (size_t)k->type +
            strlen(ic_km_type_name(k->type));
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct ic_keyscan *ks;
    if (!ks && ic_keyscan_new(&ks) != 0)
        return 0;
    ic_keyscan_pem(ks, data, size, on_item, NULL);
    ic_keyscan_der(ks, data, size, on_item, NULL);
    return 0;
}
