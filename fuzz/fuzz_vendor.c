/* Every vendor container reader (TP-Link, Netgear .chk, SEAMA, Ubiquiti,
 * D-Link MH01, SHRS and encrpted_img, Xiaomi HDR, Dahua, Instar BNEG, Linksys code
 * pattern, CHDR and trailers, Gemtek, Belkin, Buffalo, Senao, TP-Link IMG0, DrayTek,
 * Broadcom SAO, Alpha Networks, MaxLinear, Tenvis PK2, Bosch, Buffalo bgn, DOCSIS code files): the
 * input is unpacked as each of them in turn (then recursively as usual), under small limits. */
#include "iotcop/blob.h"
#include "iotcop/limits.h"
#include "iotcop/unpack.h"

#include <stddef.h>
#include <stdint.h>

static const char *const vendor_formats[] = {
    "tplink",         "netgearchk",  "seama",         "ubnt",      "dlinkmh01", "dlinkshrs",
    "dlinkencimg",    "xiaomihdr",   "dahua",         "bneg",      "linksys",   "linksyschdr",
    "linksystrailer", "gemtek",      "belkin",        "buffalo",   "senao",     "tplinkimg0",
    "draytek",        "broadcomsao", "alphanetworks", "maxlinear", "tenvispk2", "bosch",
    "buffalobgn",     "docsiscode",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ic_limits limits;
    ic_limits_default(&limits);
    limits.max_total_bytes = 32u << 20;
    limits.max_file_size = 16u << 20;
    limits.max_files = 10000;
    limits.max_depth = 5;
    limits.max_layers = 500;
    limits.time_s = 20;
    limits.jobs = 1;
    struct ic_blob *blob = NULL;
    if (ic_blob_from_copy(data, size, &blob))
        return 0;
    for (size_t f = 0; f < sizeof(vendor_formats) / sizeof(vendor_formats[0]); f++) {
        struct ic_unpack *u = NULL;
        if (ic_unpack_blob_as(blob, vendor_formats[f], &limits, &u) != 0)
            continue;
        volatile uint64_t sink = 0;
        for (size_t i = 0; i < u->layer_count; i++)
            sink += u->layers[i].offset + u->layers[i].size;
        for (size_t i = 0; i < u->diag_count; i++)
            sink += (uint64_t)u->diags[i].offset;
        (void)sink;
        ic_unpack_free(u);
    }
    ic_blob_unref(blob);
    return 0;
}
