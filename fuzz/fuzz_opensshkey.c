/* Fuzz target for the SSH key containers (src/lib/checks/secrets/sshkey.c):
 * the same bytes as an openssh-key-v1 container (with and without the magic
 * prepended), a Dropbear key file and an SSH public key blob. */
#include "checks/secrets/sshkey.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static volatile size_t sink;

static void use(int rc, const struct ic_sshkey_info *info)
{
    if (rc == 0)
        sink += strlen(info->keytype) + strlen(info->algorithm) + info->bits + info->nkeys +
                strlen(info->cipher) + strlen(info->kdf) + info->consumed;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ic_sshkey_info info;
    use(ic_sshkey_parse_openssh(data, size, &info), &info);
    use(ic_sshkey_parse_dropbear(data, size, &info), &info);
    use(ic_sshkey_parse_public(data, size, &info), &info);
    uint8_t *buf = malloc(size + IC_OPENSSH_MAGIC_LEN);
    if (buf) {
        memcpy(buf, IC_OPENSSH_MAGIC, IC_OPENSSH_MAGIC_LEN);
        if (size)
            memcpy(buf + IC_OPENSSH_MAGIC_LEN, data, size);
        use(ic_sshkey_parse_openssh(buf, size + IC_OPENSSH_MAGIC_LEN, &info), &info);
        free(buf);
    }
    return 0;
}
