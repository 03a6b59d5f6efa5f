#include "iotcop/blob.h"
#include "iotcop/error.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

enum blob_kind { BLOB_MAPPED, BLOB_OWNED, BLOB_SLICE, BLOB_LAZY, BLOB_EXTENTS };

struct ic_blob {
    enum blob_kind kind;
    atomic_uint refs;
    uint64_t size;
    const uint8_t *data; /* set once materialised (always for MAPPED and OWNED) */
    struct ic_blob *parent;
    uint64_t offset; /* SLICE */
    /* LAZY and EXTENTS: produced once under the lock. */
    pthread_mutex_t lock;
    int produced;
    int produce_error;
    ic_blob_produce_fn produce;
    void *state;
    void (*free_state)(void *);
    struct ic_blob_extent *extents;
    size_t extent_count;
};

static struct ic_blob *blob_new(enum blob_kind kind, uint64_t size)
{
    struct ic_blob *b = calloc(1, sizeof(*b));
    if (!b)
        return NULL;
    b->kind = kind;
    atomic_init(&b->refs, 1);
    b->size = size;
    pthread_mutex_init(&b->lock, NULL);
    return b;
}

int ic_blob_from_file(const char *path, struct ic_blob **out)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return IC_E_IO;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return IC_E_IO;
    }
    struct ic_blob *b = blob_new(BLOB_MAPPED, (uint64_t)st.st_size);
    if (!b) {
        close(fd);
        return IC_E_NOMEM;
    }
    if (st.st_size > 0) {
        void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            close(fd);
            free(b);
            return IC_E_IO;
        }
        madvise(p, (size_t)st.st_size, MADV_WILLNEED);
        b->data = p;
    }
    close(fd);
    *out = b;
    return IC_OK;
}

int ic_blob_from_owned(void *data, uint64_t size, struct ic_blob **out)
{
    struct ic_blob *b = blob_new(BLOB_OWNED, size);
    if (!b)
        return IC_E_NOMEM;
    b->data = data;
    *out = b;
    return IC_OK;
}

int ic_blob_from_copy(const void *data, uint64_t size, struct ic_blob **out)
{
    void *copy = malloc(size ? size : 1);
    if (!copy)
        return IC_E_NOMEM;
    if (size)
        memcpy(copy, data, size);
    int rc = ic_blob_from_owned(copy, size, out);
    if (rc)
        free(copy);
    return rc;
}

int ic_blob_slice(struct ic_blob *parent, uint64_t offset, uint64_t size, struct ic_blob **out)
{
    if (offset > parent->size || size > parent->size - offset)
        return IC_E_INVALID_ARG;
    /* A slice of a slice points at the underlying blob. */
    while (parent->kind == BLOB_SLICE) {
        offset += parent->offset;
        parent = parent->parent;
    }
    struct ic_blob *b = blob_new(BLOB_SLICE, size);
    if (!b)
        return IC_E_NOMEM;
    b->parent = ic_blob_ref(parent);
    b->offset = offset;
    *out = b;
    return IC_OK;
}

int ic_blob_lazy(uint64_t size, ic_blob_produce_fn produce, void *state,
                 void (*free_state)(void *state), struct ic_blob **out)
{
    struct ic_blob *b = blob_new(BLOB_LAZY, size);
    if (!b)
        return IC_E_NOMEM;
    b->produce = produce;
    b->state = state;
    b->free_state = free_state;
    *out = b;
    return IC_OK;
}

int ic_blob_from_extents(struct ic_blob *parent, const struct ic_blob_extent *extents, size_t count,
                         struct ic_blob **out)
{
    uint64_t total = 0;
    for (size_t i = 0; i < count; i++) {
        const struct ic_blob_extent *e = &extents[i];
        if (e->parent_offset != UINT64_MAX &&
            (e->parent_offset > parent->size || e->length > parent->size - e->parent_offset))
            return IC_E_INVALID_ARG;
        if (e->length > UINT64_MAX - total)
            return IC_E_INVALID_ARG;
        total += e->length;
    }
    struct ic_blob *b = blob_new(BLOB_EXTENTS, total);
    if (!b)
        return IC_E_NOMEM;
    b->extents = malloc((count ? count : 1) * sizeof(*extents));
    if (!b->extents) {
        free(b);
        return IC_E_NOMEM;
    }
    if (count)
        memcpy(b->extents, extents, count * sizeof(*extents));
    b->extent_count = count;
    b->parent = ic_blob_ref(parent);
    *out = b;
    return IC_OK;
}

uint64_t ic_blob_size(const struct ic_blob *blob)
{
    return blob->size;
}

static int materialise(struct ic_blob *b)
{
    if (b->size > SIZE_MAX - 1)
        return IC_E_NOMEM;
    uint8_t *dst = calloc(1, b->size ? (size_t)b->size : 1);
    if (!dst)
        return IC_E_NOMEM;
    int rc = IC_OK;
    if (b->kind == BLOB_LAZY) {
        rc = b->produce(b->state, dst, b->size);
    } else {
        const uint8_t *src = ic_blob_data(b->parent, &rc);
        uint64_t pos = 0;
        for (size_t i = 0; rc == IC_OK && i < b->extent_count; i++) {
            const struct ic_blob_extent *e = &b->extents[i];
            if (e->parent_offset != UINT64_MAX && e->length)
                memcpy(dst + pos, src + e->parent_offset, (size_t)e->length);
            pos += e->length;
        }
    }
    if (rc) {
        free(dst);
        return rc;
    }
    b->data = dst;
    return IC_OK;
}

const uint8_t *ic_blob_data(struct ic_blob *blob, int *err)
{
    int rc = IC_OK;
    const uint8_t *p = NULL;
    switch (blob->kind) {
    case BLOB_MAPPED:
    case BLOB_OWNED:
        p = blob->data;
        break;
    case BLOB_SLICE:
        p = ic_blob_data(blob->parent, &rc);
        if (p)
            p += blob->offset;
        break;
    case BLOB_LAZY:
    case BLOB_EXTENTS:
        pthread_mutex_lock(&blob->lock);
        if (!blob->produced) {
            blob->produce_error = materialise(blob);
            blob->produced = 1;
        }
        rc = blob->produce_error;
        p = rc ? NULL : blob->data;
        pthread_mutex_unlock(&blob->lock);
        break;
    }
    if (blob->size == 0)
        p = NULL;
    if (err)
        *err = rc;
    return p;
}

int64_t ic_blob_read(struct ic_blob *blob, uint64_t offset, void *dst, size_t len)
{
    if (offset >= blob->size)
        return 0;
    if (len > blob->size - offset)
        len = (size_t)(blob->size - offset);
    int rc = IC_OK;
    const uint8_t *p = ic_blob_data(blob, &rc);
    if (!p)
        return rc ? -rc : 0;
    memcpy(dst, p + offset, len);
    return (int64_t)len;
}

struct ic_blob *ic_blob_ref(struct ic_blob *blob)
{
    if (blob)
        atomic_fetch_add(&blob->refs, 1);
    return blob;
}

void ic_blob_unref(struct ic_blob *blob)
{
    if (!blob || atomic_fetch_sub(&blob->refs, 1) != 1)
        return;
    switch (blob->kind) {
    case BLOB_MAPPED:
        if (blob->data)
            munmap((void *)blob->data, (size_t)blob->size);
        break;
    case BLOB_OWNED:
    case BLOB_LAZY:
    case BLOB_EXTENTS:
        free((void *)blob->data);
        break;
    case BLOB_SLICE:
        break;
    }
    if (blob->free_state)
        blob->free_state(blob->state);
    free(blob->extents);
    ic_blob_unref(blob->parent);
    pthread_mutex_destroy(&blob->lock);
    free(blob);
}

uint64_t ic_blob_owned_bytes(const struct ic_blob *blob)
{
    switch (blob->kind) {
    case BLOB_OWNED:
        return blob->size;
    case BLOB_LAZY:
    case BLOB_EXTENTS:
        return blob->produced ? blob->size : 0;
    default:
        return 0;
    }
}
