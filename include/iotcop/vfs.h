/* The in-memory file tree of one file system or archive layer.
 *
 * Extractors add entries while the layer is unpacked; ic_fs_finish() then
 * sorts them, adds missing parent directories and freezes the tree. After
 * that the tree never changes, and any number of threads may read it.
 * Paths are absolute and normalised ("/etc/passwd"); "/" is the root. */
#ifndef IOTCOP_VFS_H
#define IOTCOP_VFS_H

#include "iotcop/blob.h"

#include <stddef.h>
#include <stdint.h>

enum ic_ftype {
    IC_FT_FILE,
    IC_FT_DIR,
    IC_FT_SYMLINK,
    IC_FT_HARDLINK, /* link names the path of the entry it shares data with */
    IC_FT_CHARDEV,
    IC_FT_BLOCKDEV,
    IC_FT_FIFO,
    IC_FT_SOCKET,
};

/* "file", "dir", "symlink", "hardlink", "chardev", "blockdev", "fifo", "socket". */
const char *ic_ftype_name(enum ic_ftype type);

struct ic_entry {
    const char *path;
    enum ic_ftype type;
    uint32_t mode; /* permission bits only (07777) */
    uint32_t uid;
    uint32_t gid;
    int64_t mtime;
    const char *link; /* symlink target, or hardlink target path; else NULL */
    uint64_t size;    /* file bytes; symlink target length; else 0 */
    uint32_t dev_major;
    uint32_t dev_minor;
    struct ic_blob *content; /* files (and hardlinks once resolved); NULL when empty */
};

struct ic_fs;

/* A new empty tree. max_entries caps ic_fs_add(). Caller frees with ic_fs_free(). */
struct ic_fs *ic_fs_new(uint64_t max_entries);
void ic_fs_free(struct ic_fs *fs);

/* Adds a copy of *e (strings copied, content referenced). The path is
 * normalised: "./a//b/" becomes "/a/b". A path with a ".." component is
 * refused with IC_E_UNSAFE_PATH and nothing is added; IC_E_LIMIT_FILES when
 * the tree is full. A later entry with the same path replaces the earlier. */
int ic_fs_add(struct ic_fs *fs, const struct ic_entry *e);

/* Sorts, fills in missing parent directories (0755, root), resolves hard
 * links to their target's content and freezes the tree. */
int ic_fs_finish(struct ic_fs *fs);

/* Entries in byte order of their paths (after ic_fs_finish). */
size_t ic_fs_count(const struct ic_fs *fs);
const struct ic_entry *ic_fs_entry(const struct ic_fs *fs, size_t index);

/* The entry at exactly this path (normalised first), without following links. */
const struct ic_entry *ic_fs_lookup(const struct ic_fs *fs, const char *path);

/* Follows symbolic links in every component of path, as the device would see
 * it with this tree as its root: absolute targets start at the tree's root,
 * ".." never climbs above it. Gives IC_E_LOOP after 40 links, IC_E_NOT_FOUND
 * when a component is missing. Never leaves the tree. */
int ic_fs_resolve(const struct ic_fs *fs, const char *path, const struct ic_entry **out);

/* Normalises path into dst (size dstlen): absolute, no "." or empty parts.
 * IC_E_UNSAFE_PATH if it has a ".." part, IC_E_INVALID_ARG if it does not fit. */
int ic_path_normalise(const char *path, char *dst, size_t dstlen);

#endif
