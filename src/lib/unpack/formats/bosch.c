/* Bosch security camera firmware (.fw): big-endian 0x400-byte headers
 * (magic 10 12 20 03, target, variant, version, data length at 16, base,
 * checksum, type at 28, an RSA signature at 76 and a wrapped key at 588).
 * A file for several cameras is an outer header directly followed by
 * sub-headers, each with its data after it. Data of firmware up to 6.50 is
 * XORed with 0x42 and holds file records (de ad af fe, record length, name
 * at 8, data size at 0x28, data at 0x40); later firmware carries a wrapped
 * key and encrypted data, reported as encrypted. Records become files. */
#include "unpack/format.h"
#include "unpack/vendor/vendor.h"

#include <stdlib.h>

#define BOSCH_HEADER 0x400u
#define BOSCH_KEY_BLOB 588u
#define BOSCH_KEY_SIZE 256u
#define BOSCH_XOR 0x42u
#define BOSCH_RECORD 0x40u
#define BOSCH_RECORD_MAGIC 0xdeadaffeu
#define BOSCH_MAX_IMAGES 64u

static const uint8_t bosch_magic[4] = {0x10, 0x12, 0x20, 0x03};

static int is_header(const uint8_t *p, uint64_t avail)
{
    return avail >= BOSCH_HEADER && memcmp(p, bosch_magic, 4) == 0;
}

static int has_key(const uint8_t *h)
{
    for (unsigned i = 0; i < BOSCH_KEY_SIZE; i++)
        if (h[BOSCH_KEY_BLOB + i])
            return 1;
    return 0;
}

static uint32_t xor_u32(const uint8_t *p)
{
    return ic_load_u32be(p) ^ 0x42424242u;
}

/* The XORed file records of data[at, at + size): each becomes a file. */
static unsigned add_records(struct ic_extract *x, uint64_t at, uint64_t size)
{
    unsigned files = 0;
    uint64_t pos = 0;
    while (size - pos >= BOSCH_RECORD && xor_u32(x->data + at + pos) == BOSCH_RECORD_MAGIC) {
        const uint8_t *r = x->data + at + pos;
        uint32_t length = xor_u32(r + 4), data_size = xor_u32(r + 0x28);
        if (length < BOSCH_RECORD || data_size > length - BOSCH_RECORD || length > size - pos) {
            ic_extract_diag(x, IC_DIAG_ERROR, IC_E_FORMAT, (int64_t)(at + pos),
                            "file record of %u bytes does not fit", length);
            break;
        }
        uint8_t name[32];
        for (unsigned i = 0; i < sizeof(name); i++)
            name[i] = r[8 + i] ^ BOSCH_XOR;
        char path[40] = "/";
        ic_vendor_string(name, sizeof(name), path + 1, sizeof(path) - 1);
        if (ic_extract_charge(x, data_size) != IC_OK)
            break;
        uint8_t *plain = malloc(data_size ? data_size : 1);
        struct ic_blob *content = NULL;
        if (!plain)
            break;
        for (uint32_t i = 0; i < data_size; i++)
            plain[i] = r[BOSCH_RECORD + i] ^ BOSCH_XOR;
        if (data_size == 0)
            free(plain);
        else if (ic_blob_from_owned(plain, data_size, &content) != IC_OK) {
            free(plain);
            break;
        }
        struct ic_entry e = {
            .path = path, .type = IC_FT_FILE, .mode = 0644, .size = data_size, .content = content};
        int rc = ic_extract_add_entry(x, &e);
        ic_blob_unref(content);
        if (rc != IC_OK)
            break;
        files++;
        pos += length;
    }
    return files;
}

static int bosch_unpack(struct ic_extract *x)
{
    if (x->size < 4 || memcmp(x->data, bosch_magic, 4) != 0)
        return IC_E_BAD_MAGIC;
    if (x->size < BOSCH_HEADER)
        return IC_E_TRUNCATED;
    /* An outer header is followed at once by a sub-header; a single one by its data. */
    const int outer = is_header(x->data + BOSCH_HEADER, x->size - BOSCH_HEADER);
    uint64_t pos = outer ? BOSCH_HEADER : 0;
    /* Four magic bytes are little to go on: the first image must hold file
     * records or carry a wrapped key. */
    const uint8_t *first = x->data + pos;
    if (!has_key(first) &&
        (x->size - pos < BOSCH_HEADER + 4 || xor_u32(first + BOSCH_HEADER) != BOSCH_RECORD_MAGIC))
        return IC_E_FORMAT;
    unsigned images = 0, files = 0, encrypted = 0;
    ic_extract_fs(x);
    while (images < BOSCH_MAX_IMAGES && is_header(x->data + pos, x->size - pos)) {
        const uint8_t *h = x->data + pos;
        uint32_t length = ic_load_u32be(h + 16);
        uint64_t at = pos + BOSCH_HEADER, present = length;
        if (present > x->size - at) {
            present = x->size - at;
            ic_extract_diag(x, IC_DIAG_ERROR, IC_E_TRUNCATED, (int64_t)pos + 16,
                            "image of %u bytes cut short: %llu bytes present", length,
                            (unsigned long long)present);
        }
        images++;
        if (has_key(h)) {
            encrypted++;
            ic_vendor_encrypted(x, "Bosch", "key wrapped in the header", at, present);
        } else {
            files += add_records(x, at, present);
        }
        pos = at + present;
    }
    if (images == 0)
        return IC_E_FORMAT;
    ic_extract_set_extent(x, pos);
    ic_extract_set_info(x, "%sBosch firmware, %u image%s%s, %u file%s",
                        encrypted ? "encrypted: " : "", images, images == 1 ? "" : "s",
                        outer ? " in an outer header" : "", files, files == 1 ? "" : "s");
    return IC_OK;
}

const struct ic_format ic_format_bosch = {
    .name = "bosch",
    .description = "Bosch camera firmware (.fw)",
    .magics = IC_MAGICS({"\x10\x12\x20\x03", 4, 0}),
    .unpack = bosch_unpack,
};
