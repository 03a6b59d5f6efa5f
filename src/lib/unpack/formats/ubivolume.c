/* One UBI volume, as the UBI reader declares it: the volume's bytes,
 * reassembled from its erase blocks, named after the volume. Only reached
 * through that hint (no magic of its own). A volume holding UBIFS is read as
 * "ubifs"; anything else is carved like any other content. */
#include "unpack/format.h"

#define UBIFS_NODE_MAGIC 0x06101831u

static int ubivolume_unpack(struct ic_extract *x)
{
    if (x->size == 0)
        return IC_E_FORMAT;
    int ubifs = x->size >= 4 && ic_load_u32le(x->data) == UBIFS_NODE_MAGIC;
    ic_extract_set_extent(x, x->size);
    ic_extract_set_info(x, "UBI volume, %llu bytes%s", (unsigned long long)x->size,
                        ubifs ? ", UBIFS" : "");
    return ic_extract_child(x, 0, x->size, ubifs ? "ubifs" : NULL, NULL);
}

const struct ic_format ic_format_ubivolume = {
    .name = "ubivolume",
    .description = "one volume of a UBI image (reached from the ubi reader only)",
    .flags = IC_FORMAT_HINT_ONLY,
    .unpack = ubivolume_unpack,
};
