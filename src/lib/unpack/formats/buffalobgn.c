/* The 20-byte prefix some Buffalo images carry before their buffalo-enc
 * header: big-endian "bgn\0", a zero word, a checksum word (its algorithm is
 * not published: not checked), the size of the whole image (prefix
 * included) and the marker 11 22 33 44. The rest is the encrypted image,
 * declared as the child `image` and read as `buffalo`. */
#include "unpack/format.h"
#include "unpack/vendor/vendor.h"

#define BGN_PREFIX 20u
#define BGN_MARKER 0x11223344u

static int bgn_unpack(struct ic_extract *x)
{
    if (x->size < 4 || memcmp(x->data, "bgn\0", 4) != 0)
        return IC_E_BAD_MAGIC;
    if (x->size < BGN_PREFIX)
        return IC_E_TRUNCATED;
    uint32_t size = ic_load_u32be(x->data + 12);
    if (ic_load_u32be(x->data + 16) != BGN_MARKER || size <= BGN_PREFIX)
        return IC_E_FORMAT;
    uint64_t end = size;
    if (end > x->size) {
        ic_extract_diag(x, IC_DIAG_ERROR, IC_E_TRUNCATED, 12,
                        "image of %u bytes declared, only %llu present", size,
                        (unsigned long long)x->size);
        end = x->size;
    }
    ic_extract_set_extent(x, end);
    ic_vendor_part(x, BGN_PREFIX, size - BGN_PREFIX, end, "buffalo", "image");
    ic_extract_set_info(x, "Buffalo bgn prefix, image of %u bytes, checksum %08x (not checked)",
                        size, ic_load_u32be(x->data + 8));
    return IC_OK;
}

const struct ic_format ic_format_buffalobgn = {
    .name = "buffalobgn",
    .description = "Buffalo bgn prefix before a buffalo-enc image",
    .magics = IC_MAGICS({"bgn\0", 4, 0}),
    .unpack = bgn_unpack,
};
