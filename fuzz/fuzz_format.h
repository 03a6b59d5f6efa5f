/* The body of a per-format fuzz target: include after defining FUZZ_FORMAT.
 * The input is unpacked as FUZZ_FORMAT first, then recursively as usual,
 * under small limits, and every file's content is read once. */
#include "iotcop/blob.h"
#include "iotcop/limits.h"
#include "iotcop/unpack.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ic_limits limits;
    ic_limits_default(&limits);
    limits.max_total_bytes = 64u << 20;
    limits.max_file_size = 32u << 20;
    limits.max_files = 20000;
    limits.max_depth = 6;
    limits.max_layers = 2000;
    limits.time_s = 20;
    limits.jobs = 1;
    struct ic_blob *blob = NULL;
    if (ic_blob_from_copy(data, size, &blob))
        return 0;
    struct ic_unpack *u = NULL;
    if (ic_unpack_blob_as(blob, FUZZ_FORMAT, &limits, &u) == 0) {
        volatile uint8_t sink = 0;
        for (size_t i = 0; i < u->layer_count; i++) {
            struct ic_fs *fs = u->layers[i].fs;
            for (size_t k = 0; fs && k < ic_fs_count(fs); k++) {
                const struct ic_entry *e = ic_fs_entry(fs, k);
                const struct ic_entry *target = NULL;
                ic_fs_resolve(fs, e->path, &target);
                if (e->content) {
                    const uint8_t *p = ic_blob_data(e->content, NULL);
                    if (p && ic_blob_size(e->content))
                        sink ^= p[ic_blob_size(e->content) - 1];
                }
            }
        }
        (void)sink;
        ic_unpack_free(u);
    }
    ic_blob_unref(blob);
    return 0;
}
