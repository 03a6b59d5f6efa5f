/* D-Link "encrpted_img" firmware (DIR-X and COVR models, the spelling is
 * D-Link's): the 12-byte magic, the big-endian length of the ciphertext,
 * then the AES-256-CBC ciphertext. Reported as encrypted, not carved. */
#include "unpack/format.h"
#include "unpack/vendor/vendor.h"

#define ENCIMG_MAGIC "encrpted_img"
#define ENCIMG_HEADER 16u

static int dlinkencimg_unpack(struct ic_extract *x)
{
    if (x->size < 12 || memcmp(x->data, ENCIMG_MAGIC, 12) != 0)
        return IC_E_BAD_MAGIC;
    if (x->size < ENCIMG_HEADER)
        return IC_E_TRUNCATED;
    uint32_t length = ic_load_u32be(x->data + 12);
    if (length == 0 || length % 16 != 0)
        return IC_E_FORMAT;
    uint64_t end = (uint64_t)ENCIMG_HEADER + length, present = length;
    if (end > x->size) {
        present = x->size - ENCIMG_HEADER;
        ic_extract_diag(x, IC_DIAG_ERROR, IC_E_TRUNCATED, 12,
                        "ciphertext of %u bytes declared, only %llu present", length,
                        (unsigned long long)present);
        end = x->size;
    }
    ic_extract_set_extent(x, end);
    ic_vendor_encrypted(x, "D-Link encrpted_img", "AES-256-CBC", ENCIMG_HEADER, present);
    ic_extract_set_info(x, "encrypted: D-Link encrpted_img, AES-256-CBC, %u bytes of ciphertext",
                        length);
    return IC_OK;
}

const struct ic_format ic_format_dlinkencimg = {
    .name = "dlinkencimg",
    .description = "D-Link encrpted_img encrypted firmware",
    .magics = IC_MAGICS({ENCIMG_MAGIC, 12, 0}),
    .unpack = dlinkencimg_unpack,
};
