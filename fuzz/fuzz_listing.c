/* The listing and summary writers (src/lib/unpack/listing.c) on whatever
 * any reader makes of the input: hostile names, link targets and
 * diagnostics must come out as valid, bounded text and JSON. */
#include "core/buf.h"
#include "iotcop/blob.h"
#include "iotcop/limits.h"
#include "iotcop/unpack.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ic_limits limits;
    ic_limits_default(&limits);
    limits.max_total_bytes = 32u << 20;
    limits.max_file_size = 16u << 20;
    limits.max_files = 5000;
    limits.max_depth = 4;
    limits.max_layers = 500;
    limits.time_s = 20;
    limits.jobs = 1;
    struct ic_blob *blob = NULL;
    if (ic_blob_from_copy(data, size, &blob))
        return 0;
    struct ic_unpack *u = NULL;
    if (ic_unpack_blob(blob, &limits, &u) == 0) {
        struct ic_buf out = IC_BUF_INIT(64u << 20);
        ic_unpack_write_listing(u, IC_LISTING_JSON, IC_LISTING_SHA256, &out);
        ic_unpack_write_listing(u, IC_LISTING_TEXT, IC_LISTING_SHA256, &out);
        ic_unpack_write_summary(u, IC_LISTING_TEXT, &out);
        ic_buf_release(&out);
        ic_unpack_free(u);
    }
    ic_blob_unref(blob);
    return 0;
}
