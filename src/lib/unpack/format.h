/* What every format reader provides, and what the engine offers it.
 *
 * A format is one file in unpack/formats/NAME.c that defines
 *     const struct ic_format ic_format_NAME = { ... };
 * The build finds the file and registers it. The engine finds candidate
 * offsets with one multi-pattern scan over all magics, then calls the
 * format's unpack() with the bytes from that offset to the end of the
 * parent's content. unpack() validates everything it reads (never trusting
 * a length), and either refuses (returns an error: not this format here,
 * nothing is recorded) or accepts (returns IC_OK after setting the extent),
 * giving the layer's content, its file tree or its child regions, and
 * diagnostics for what it could not read. */
#ifndef IC_UNPACK_FORMAT_H
#define IC_UNPACK_FORMAT_H

#include "core/buf.h"
#include "core/cursor.h"
#include "iotcop/blob.h"
#include "iotcop/error.h"
#include "iotcop/limits.h"
#include "iotcop/unpack.h"
#include "iotcop/vfs.h"

#include <stddef.h>
#include <stdint.h>

struct ic_magic {
    const char *bytes; /* may contain NULs: give len */
    uint8_t len;
    uint32_t at; /* where the magic sits, counted from the format's first byte */
};

enum ic_format_flags {
    /* Magic too weak to carve at any offset: only tried where a container
     * names the format (a hint) or at the start of a file in a file tree. */
    IC_FORMAT_HINT_ONLY = 1 << 0,
};

struct ic_extract;

struct ic_format {
    const char *name;
    const char *description;
    const struct ic_magic *magics;
    size_t magic_count;
    unsigned flags;
    int (*unpack)(struct ic_extract *x);
};

#define IC_MAGICS(...) (const struct ic_magic[]){__VA_ARGS__}, \
    (sizeof((const struct ic_magic[]){__VA_ARGS__}) / sizeof(struct ic_magic))

/* What unpack() sees. data/size run from the candidate offset to the end of
 * the parent's content (or of the window a container declared). */
struct ic_extract {
    const uint8_t *data;
    uint64_t size;
    struct ic_blob *parent;   /* the parent's content */
    uint64_t parent_offset;   /* where data starts in parent */
    const struct ic_limits *limits;
    struct ic_engine_private *engine; /* engine state: use the functions below */
};

/* Required on accept: how many bytes of data the format occupies. */
void ic_extract_set_extent(struct ic_extract *x, uint64_t extent);
/* A one-line description ("Linux-6.1 mips multi-file, 2 images"). */
void ic_extract_set_info(struct ic_extract *x, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The bytes this layer yields (takes the reference). Derived content is
 * charged against the limits here; on IC_E_LIMIT_* nothing is kept. When no
 * content is set, the layer's content is its own extent in the parent. */
int ic_extract_set_content(struct ic_extract *x, struct ic_blob *content);
/* A slice of the parent: data[offset, offset+size) as a blob (caller owns one
 * reference). */
int ic_extract_slice(struct ic_extract *x, uint64_t offset, uint64_t size, struct ic_blob **out);
/* Makes this layer a file tree and returns it for filling; the engine
 * finishes and owns it. Calling again returns the same tree. */
struct ic_fs *ic_extract_fs(struct ic_extract *x);
/* Adds an entry to the tree, turning refusals (unsafe path, limits) into
 * diagnostics. Returns IC_OK, or the limit error when the caller should stop. */
int ic_extract_add_entry(struct ic_extract *x, const struct ic_entry *e);
/* Declares a child region [offset, offset+size) of this layer's content
 * (the derived content when set, else the layer's own extent). The engine
 * tries hint_format (may be NULL) at the region's start, then carves the
 * rest of the region. Without any declared child, derived content is carved
 * whole; a layer with neither is not looked into again. name may be NULL. */
int ic_extract_child(struct ic_extract *x, uint64_t offset, uint64_t size, const char *hint_format,
                     const char *name);
/* Charges bytes of derived content against the limits before producing them. */
int ic_extract_charge(struct ic_extract *x, uint64_t bytes);
/* Diagnostics about this layer; offset counts from data[0] (-1 for none). */
void ic_extract_diag(struct ic_extract *x, enum ic_diag_level level, int code, int64_t offset,
                     const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Non-zero once the input's time limit has passed: stop early, keep partial results. */
int ic_extract_expired(struct ic_extract *x);
/* The per-file size limit in bytes. */
uint64_t ic_extract_max_file_size(struct ic_extract *x);

/* Appends n bytes of decompressed output to out, charging them against the
 * limits first (out->max should be ic_extract_max_file_size()). */
int ic_extract_output(struct ic_extract *x, struct ic_buf *out, const void *bytes, size_t n);
/* Turns out into this layer's content (derived) and empties it. */
int ic_extract_content_from_buf(struct ic_extract *x, struct ic_buf *out);

/* Shannon entropy of a byte range, 0..8 bits per byte. */
double ic_entropy(const uint8_t *data, size_t size);

#endif
