/* Dahua camera and recorder firmware: a zip archive whose first local file
 * header says "DH" where zip says "PK". The layer ends with the zip's end
 * of central directory (the first one whose central directory ends right
 * before it); its content is the archive with "PK" put back, read as zip. */
#include "unpack/format.h"
#include "unpack/vendor/vendor.h"

#define EOCD_SIZE 22u

/* End of the archive: just past the first consistent end-of-central-
 * directory record, or 0 when there is none. */
static uint64_t zip_end(const uint8_t *d, uint64_t size)
{
    for (uint64_t e = 4; e + EOCD_SIZE <= size; e++) {
        if (d[e] != 'P' || d[e + 1] != 'K' || d[e + 2] != 5 || d[e + 3] != 6)
            continue;
        uint32_t cd_size = ic_load_u32le(d + e + 12), cd_offset = ic_load_u32le(d + e + 16);
        uint16_t comment = ic_load_u16le(d + e + 20);
        if ((uint64_t)cd_offset + cd_size == e && e + EOCD_SIZE + comment <= size)
            return e + EOCD_SIZE + comment;
    }
    return 0;
}

static int dahua_unpack(struct ic_extract *x)
{
    if (x->size < 30 || memcmp(x->data, "DH\x03\x04", 4) != 0)
        return IC_E_BAD_MAGIC;
    uint64_t end = zip_end(x->data, x->size);
    if (end == 0) {
        end = x->size;
        ic_extract_diag(x, IC_DIAG_ERROR, IC_E_TRUNCATED, -1,
                        "no end of central directory: the archive is cut short");
    }
    ic_extract_set_extent(x, end);
    struct ic_buf out;
    ic_buf_init(&out, ic_extract_max_file_size(x));
    int rc = ic_extract_output(x, &out, "PK", 2);
    if (rc == IC_OK)
        rc = ic_extract_output(x, &out, x->data + 2, (size_t)(end - 2));
    if (rc == IC_OK)
        rc = ic_extract_content_from_buf(x, &out);
    ic_buf_release(&out);
    if (rc != IC_OK) {
        ic_extract_diag(x, IC_DIAG_ERROR, rc, 0, "archive not restored: %s", ic_error_message(rc));
        return IC_OK;
    }
    ic_extract_child(x, 0, end, "zip", NULL);
    ic_extract_set_info(x, "Dahua firmware: zip with a \"DH\" signature, %llu bytes",
                        (unsigned long long)end);
    return IC_OK;
}

const struct ic_format ic_format_dahua = {
    .name = "dahua",
    .description = "Dahua firmware (zip with a DH signature)",
    .magics = IC_MAGICS({"DH\x03\x04", 4, 0}),
    .unpack = dahua_unpack,
};
