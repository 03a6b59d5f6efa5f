/* AVM's "fake SquashFS": FRITZ!OS images carry their root file system (an
 * ext2 image) behind a 256-byte block that holds the big-endian SquashFS
 * magic "sqsh" and nothing else, so that the boot loader takes it for a
 * SquashFS. fkie-cad/fact_extractor unpacks it by dropping the first 256
 * bytes (plugins/unpacking/avm_sqfs_fake); its test expects the bytes after
 * them, "Test File", from its sample. Those bytes are this layer's content
 * (what -C writes as ID.bin), carved like any other content. */
#include "unpack/format.h"

#define HEADER_SIZE 256

static int avm_fake_squashfs_unpack(struct ic_extract *x)
{
    if (x->size <= HEADER_SIZE || memcmp(x->data, "sqsh", 4) != 0)
        return IC_E_BAD_MAGIC;
    for (size_t i = 4; i < HEADER_SIZE; i++)
        if (x->data[i] != 0)
            return IC_E_BAD_MAGIC; /* a real SquashFS superblock has fields here */
    uint64_t rest = x->size - HEADER_SIZE;
    ic_extract_set_extent(x, x->size);
    struct ic_blob *image = NULL;
    int rc = ic_extract_slice(x, HEADER_SIZE, rest, &image);
    if (rc == IC_OK)
        rc = ic_extract_set_content(x, image);
    if (rc)
        return rc;
    ic_extract_set_info(x, "AVM fake SquashFS header, %llu bytes of file system image behind it",
                        (unsigned long long)rest);
    return IC_OK;
}

const struct ic_format ic_format_avm_fake_squashfs = {
    .name = "avm-fake-squashfs",
    .description = "AVM FRITZ!OS fake SquashFS header (\"sqsh\" and zeros) before an ext2 image",
    .magics = IC_MAGICS({"sqsh\0\0\0\0\0\0\0\0", 12, 0}),
    .unpack = avm_fake_squashfs_unpack,
};
