/* Recursive unpacking of a firmware image into layers and file trees.
 *
 * A layer is one occurrence of a format: where it sits in its parent's
 * content (offset, size), the bytes it yields (content, possibly derived:
 * decompressed or reassembled) and, for file systems and archives, the file
 * tree it holds. Layer ids are stable: the input is "0", its children
 * "0.1", "0.2", ..., their children "0.1.1", ... in order of discovery.
 * Children of a file system layer carry the path of the file they came from.
 * The result is immutable; many threads may read it at once. */
#ifndef IOTCOP_UNPACK_H
#define IOTCOP_UNPACK_H

#include "iotcop/blob.h"
#include "iotcop/limits.h"
#include "iotcop/vfs.h"

#include <stddef.h>
#include <stdint.h>

enum ic_diag_level { IC_DIAG_WARNING, IC_DIAG_ERROR };

struct ic_diag {
    enum ic_diag_level level;
    int code;          /* an IC_E_* code */
    const char *layer; /* id of the layer it concerns */
    int64_t offset;    /* in that layer's content, or -1 */
    const char *message;
};

struct ic_layer {
    const char *id;
    int parent;         /* index into layers, -1 for the input */
    const char *format; /* "input" for the root, else a format name */
    uint64_t offset;    /* in the parent's content */
    uint64_t size;      /* bytes taken in the parent's content */
    const char *path;   /* file inside the parent's file system, or NULL */
    const char *name;   /* name a container gave the region (FIT image, TRX partition), or NULL */
    const char *info;   /* short format-specific description, or NULL */
    unsigned depth;
    struct ic_blob *content; /* bytes this layer yields, or NULL */
    struct ic_fs *fs;        /* file tree, for file systems and archives */
};

/* A stretch of a scanned layer that no format claimed. */
struct ic_region {
    const char *layer;
    uint64_t offset;
    uint64_t size;
    double entropy; /* bits per byte, 0..8 */
};

struct ic_unpack {
    struct ic_layer *layers;
    size_t layer_count;
    struct ic_diag *diags;
    size_t diag_count;
    struct ic_region *regions;
    size_t region_count;
    uint64_t files; /* entries in all file trees */
    uint64_t bytes; /* bytes expanded (derived content) */
    uint64_t input_size;
    char input_sha256[65]; /* "" from the engine: see ic_unpack_input_sha256() */
    const char *limit_hit; /* name of the first limit reached, or NULL */
};

/* Unpacks the file at path. On success *out is set (caller frees with
 * ic_unpack_free()) even when parts failed: those are diagnostics. Returns
 * IC_E_IO when the file cannot be read at all. */
int ic_unpack_path(const char *path, const struct ic_limits *limits, struct ic_unpack **out);
/* The same for bytes already in a blob (a reference is taken). */
int ic_unpack_blob(struct ic_blob *input, const struct ic_limits *limits, struct ic_unpack **out);
/* The same, treating the whole input as `format` first (then carving what it
 * does not cover). For fuzzing one reader and for users who know the format. */
int ic_unpack_blob_as(struct ic_blob *input, const char *format, const struct ic_limits *limits,
                      struct ic_unpack **out);
void ic_unpack_free(struct ic_unpack *u);
/* The input's SHA-256 in hex: u->input_sha256 when set, else hashed now from
 * the input's bytes ("" when they cannot be read). Only what reports the hash
 * pays for it. */
void ic_unpack_input_sha256(const struct ic_unpack *u, char out[65]);

/* Output of an unpack, as the command line prints it. */
enum ic_listing_format { IC_LISTING_TEXT, IC_LISTING_JSON };
struct ic_buf;
struct ic_json;
enum ic_listing_flags {
    IC_LISTING_SHA256 = 1 << 0, /* add each file's SHA-256 */
};
/* Every file system entry, then (JSON) a final summary line. Appends to out. */
int ic_unpack_write_listing(const struct ic_unpack *u, enum ic_listing_format format,
                            unsigned flags, struct ic_buf *out);
/* The layer tree, regions, totals and diagnostics. Appends to out. */
int ic_unpack_write_summary(const struct ic_unpack *u, enum ic_listing_format format,
                            struct ic_buf *out);
/* The "unpack" object of the JSON report: {"layers", "files", "bytes",
 * "regions", "diagnostics", "limit_hit"}. */
void ic_unpack_json(const struct ic_unpack *u, struct ic_json *j);

/* ---- extraction to disk (iotcop unpack -C DIR; see docs/unpack.md) ----
 *
 * Layout: the file tree of layer ID goes to DIR/ID/ (DIR/0.1/etc/passwd);
 * the content of every layer below the input (decompressed, reassembled or
 * carved) goes to DIR/ID.bin. Nothing is ever written outside DIR: DIR is
 * opened once and everything is created relative to directory descriptors,
 * without following any symbolic link (a path through a link is refused).
 * Symbolic links are made with their targets verbatim; hard links become
 * copies; device nodes, FIFOs and sockets are recorded, never created;
 * setuid and setgid bits are dropped; owners are not applied. */
struct ic_extract_note {
    enum ic_diag_level level; /* warning: left out by design; error: refused or failed */
    int code;                 /* an IC_E_* code */
    char *layer;              /* layer id */
    char *path;               /* path in the layer's tree, or NULL for DIR/ID.bin */
    char *message;
};

/* At most this many notes are kept; the rest are only counted. */
#define IC_EXTRACT_MAX_NOTES 1000

struct ic_extract_stats {
    uint64_t files;                /* regular files (and hard links, as copies) written */
    uint64_t dirs;                 /* directories made */
    uint64_t symlinks;             /* symbolic links made */
    uint64_t blobs;                /* DIR/ID.bin files written */
    uint64_t bytes;                /* bytes written in all */
    uint64_t skipped;              /* device nodes, FIFOs and sockets left out */
    uint64_t errors;               /* entries refused or that could not be written */
    struct ic_extract_note *notes; /* one per skip or error, up to IC_EXTRACT_MAX_NOTES */
    size_t note_count;
};

/* Writes u below dir, which must be an existing directory (not a symbolic
 * link), with `threads` threads writing files at once (0: one per core);
 * what is written and noted does not depend on the number of threads.
 * *stats is filled (caller releases it with ic_extract_stats_release()
 * whatever the result). Returns IC_OK when dir could be used, even if some
 * entries were refused (counted in stats->errors, each with a note), or
 * IC_E_IO / IC_E_INVALID_ARG when dir itself cannot be opened. */
int ic_unpack_extract(const struct ic_unpack *u, const char *dir, unsigned threads,
                      struct ic_extract_stats *stats);
void ic_extract_stats_release(struct ic_extract_stats *stats);

/* Whether anything at all was understood: a layer below the input. */
int ic_unpack_found_anything(const struct ic_unpack *u);

/* Names of the formats the engine knows, NULL past the end. */
const char *ic_unpack_format_name(size_t index);

#endif
