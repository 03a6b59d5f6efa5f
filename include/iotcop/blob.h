/* Content: the bytes of a layer or a file, whatever their origin.
 *
 * A blob is a read-only, reference-counted byte range. It may be a mapped
 * input file, memory the library owns, a slice of another blob, or content
 * produced on first use (decompressed lazily, reassembled from scattered
 * extents). Every blob reads the same way: ic_blob_data() gives a pointer to
 * all of its bytes, materialising them once if needed (thread-safe), and
 * ic_blob_read() copies a range. Blobs never change after creation. */
#ifndef IOTCOP_BLOB_H
#define IOTCOP_BLOB_H

#include <stddef.h>
#include <stdint.h>

struct ic_blob;

/* Maps the file read-only. On success *out holds one reference. */
int ic_blob_from_file(const char *path, struct ic_blob **out);
/* Takes ownership of data (malloc'd; freed with free()). */
int ic_blob_from_owned(void *data, uint64_t size, struct ic_blob **out);
/* Copies size bytes. */
int ic_blob_from_copy(const void *data, uint64_t size, struct ic_blob **out);
/* A view of [offset, offset+size) of parent; holds a reference to parent. */
int ic_blob_slice(struct ic_blob *parent, uint64_t offset, uint64_t size, struct ic_blob **out);

/* Content produced on first use. produce() must fill exactly `size` bytes
 * into dst (zeroed beforehand) or return an error; it is called at most once,
 * from whichever thread first asks. free_state() releases state. */
typedef int (*ic_blob_produce_fn)(void *state, uint8_t *dst, uint64_t size);
int ic_blob_lazy(uint64_t size, ic_blob_produce_fn produce, void *state,
                 void (*free_state)(void *state), struct ic_blob **out);

/* Content reassembled from pieces of a parent; a piece with parent offset
 * UINT64_MAX is a hole (zeros). Pieces are copied; the parent is referenced. */
struct ic_blob_extent {
    uint64_t parent_offset;
    uint64_t length;
};
int ic_blob_from_extents(struct ic_blob *parent, const struct ic_blob_extent *extents, size_t count,
                         struct ic_blob **out);

uint64_t ic_blob_size(const struct ic_blob *blob);
/* All bytes of the blob, valid while the caller holds a reference. NULL when
 * materialising failed (then *err, if given, says why) or the blob is empty
 * (then *err is IC_OK). */
const uint8_t *ic_blob_data(struct ic_blob *blob, int *err);
/* Copies up to len bytes at offset into dst; returns the number copied, or
 * a negative error code. */
int64_t ic_blob_read(struct ic_blob *blob, uint64_t offset, void *dst, size_t len);

struct ic_blob *ic_blob_ref(struct ic_blob *blob);
void ic_blob_unref(struct ic_blob *blob);

/* Bytes held in memory by blobs that own their content (for memory limits). */
uint64_t ic_blob_owned_bytes(const struct ic_blob *blob);

#endif
