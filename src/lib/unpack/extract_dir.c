/* Writing an unpack to disk below one directory, and nowhere else.
 *
 * The directory is opened once; every file, directory and link is created
 * with an *at() call relative to a directory descriptor that was itself
 * opened one component at a time with O_NOFOLLOW. A symbolic link the tree
 * made earlier therefore can never be walked through: a later entry below
 * it is refused. Names are checked again here ("..", ".", empty, too long)
 * although the tree already refuses such paths. */
#include "core/array.h"
#include "core/pool.h"
#include "iotcop/error.h"
#include "iotcop/unpack.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_TREE_PATH 4096
#define CHAIN_DEPTH 32
/* Mode bits kept on disk: permissions and the sticky bit, never setuid/setgid. */
#define KEPT_MODE_BITS 01777u

/* One writer's state. The sequential phases use one; the parallel phase
 * gives each slice of the work its own, with its own stats merged after. */
struct extractor {
    struct ic_extract_stats *stats;
    const struct ic_unpack *u;
    int top_fd;         /* DIR */
    size_t layer_index; /* layer whose directory layer_fd is, or NO_LAYER */
    const char *layer;  /* id of the layer being written (for notes) */
    const struct ic_fs *fs;
    int layer_fd; /* DIR/ID */
    /* The last parent directory opened below layer_fd ("/a/b"; "" is
     * layer_fd itself), one descriptor per component, so the next entry
     * opens only the components its parent does not share with it. */
    char parent_path[MAX_TREE_PATH];
    int chain_fd[CHAIN_DEPTH];     /* chain_fd[k]: the first k + 1 components */
    size_t chain_end[CHAIN_DEPTH]; /* where component k ends in parent_path */
    unsigned chain_len;
    int deep_fd; /* the parent itself when deeper than CHAIN_DEPTH, else -1 */
};

#define NO_LAYER SIZE_MAX

/* A file to write: an entry of a layer's tree, or (entry NULL) the layer's
 * own content as DIR/ID.bin. Directories are noted the same way, to get
 * their mode and time at the end. */
struct work_item {
    size_t layer;
    const struct ic_entry *entry;
};

struct work_list {
    struct work_item *items;
    size_t count, cap;
};

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* Records a skip (warning) or a refusal or failure (error). */
static void note(struct extractor *x, enum ic_diag_level level, int code, const char *path,
                 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void note(struct extractor *x, enum ic_diag_level level, int code, const char *path,
                 const char *fmt, ...)
{
    struct ic_extract_stats *s = x->stats;
    if (level == IC_DIAG_ERROR)
        s->errors++;
    else
        s->skipped++;
    if (s->note_count >= IC_EXTRACT_MAX_NOTES)
        return;
    if (!s->notes) {
        s->notes = calloc(IC_EXTRACT_MAX_NOTES, sizeof(*s->notes));
        if (!s->notes)
            return;
    }
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    struct ic_extract_note *n = &s->notes[s->note_count];
    n->level = level;
    n->code = code;
    n->layer = dup_or_null(x->layer);
    n->path = dup_or_null(path);
    n->message = strdup(msg);
    if (!n->layer || !n->message || (path && !n->path)) {
        free(n->layer);
        free(n->path);
        free(n->message);
        return;
    }
    s->note_count++;
}

void ic_extract_stats_release(struct ic_extract_stats *stats)
{
    if (!stats)
        return;
    for (size_t i = 0; i < stats->note_count; i++) {
        free(stats->notes[i].layer);
        free(stats->notes[i].path);
        free(stats->notes[i].message);
    }
    free(stats->notes);
    memset(stats, 0, sizeof(*stats));
}

/* A name we are willing to create: one component, not "." or "..". */
static int safe_name(const char *name, size_t len)
{
    if (len == 0 || len > NAME_MAX)
        return 0;
    if (name[0] == '.' && (len == 1 || (len == 2 && name[1] == '.')))
        return 0;
    return memchr(name, '/', len) == NULL && memchr(name, '\0', len) == NULL;
}

/* Layer ids are digits and dots ("0.1.2"); anything else is not a name we make. */
static int safe_layer_id(const char *id)
{
    size_t len = strlen(id);
    if (len == 0 || len > 200 || id[0] == '.')
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!(id[i] == '.' || (id[i] >= '0' && id[i] <= '9')))
            return 0;
    return 1;
}

static int write_all(int fd, const uint8_t *data, uint64_t size)
{
    while (size > 0) {
        size_t chunk = size > (1u << 30) ? (1u << 30) : (size_t)size;
        ssize_t w = write(fd, data, chunk);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return w < 0 ? errno : EIO;
        data += w;
        size -= (uint64_t)w;
    }
    return 0;
}

static void close_parent(struct extractor *x)
{
    if (x->deep_fd >= 0)
        close(x->deep_fd);
    x->deep_fd = -1;
    for (unsigned k = 0; k < x->chain_len; k++)
        close(x->chain_fd[k]);
    x->chain_len = 0;
    x->parent_path[0] = '\0';
}

/* Opens the directory `dir` ("/a/b", or "" for the layer's root) below the
 * layer directory, one component at a time, never following a link, and
 * reusing the components it shares with the last one. Returns a
 * descriptor the caller does not close, or -1 after a note naming the
 * entry at `path`. */
static int open_parent(struct extractor *x, const char *dir, size_t dir_len, const char *path)
{
    if (dir_len == 0)
        return x->layer_fd;
    if (x->chain_len && strlen(x->parent_path) == dir_len &&
        memcmp(x->parent_path, dir, dir_len) == 0)
        return x->deep_fd >= 0 ? x->deep_fd : x->chain_fd[x->chain_len - 1];
    if (dir_len >= sizeof(x->parent_path)) {
        note(x, IC_DIAG_ERROR, IC_E_INVALID_ARG, path, "path too long; not written");
        return -1;
    }
    if (x->deep_fd >= 0)
        close(x->deep_fd);
    x->deep_fd = -1;
    unsigned keep = 0;
    while (keep < x->chain_len) {
        size_t end = x->chain_end[keep];
        if (end > dir_len || (end < dir_len && dir[end] != '/') ||
            memcmp(x->parent_path, dir, end) != 0)
            break;
        keep++;
    }
    while (x->chain_len > keep)
        close(x->chain_fd[--x->chain_len]);
    memcpy(x->parent_path, dir, dir_len);
    x->parent_path[dir_len] = '\0';
    int fd = keep ? x->chain_fd[keep - 1] : x->layer_fd, transient = -1;
    size_t pos = keep ? x->chain_end[keep - 1] : 0;
    while (pos < dir_len) {
        while (pos < dir_len && dir[pos] == '/')
            pos++;
        size_t end = pos;
        while (end < dir_len && dir[end] != '/')
            end++;
        if (end == pos)
            break;
        char name[NAME_MAX + 1];
        size_t len = end - pos;
        if (!safe_name(dir + pos, len)) {
            note(x, IC_DIAG_ERROR, IC_E_UNSAFE_PATH, path,
                 "a component of the path is not a plain name; not written");
            goto fail;
        }
        memcpy(name, dir + pos, len);
        name[len] = '\0';
        int next = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (next < 0) {
            int err = errno;
            struct stat st;
            if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
                note(x, IC_DIAG_ERROR, IC_E_UNSAFE_PATH, path,
                     "%.*s is a symbolic link, which is never followed; not written", (int)end,
                     dir);
            else if (err == ENOENT)
                note(x, IC_DIAG_ERROR, IC_E_NOT_FOUND, path,
                     "parent directory %.*s was not created; not written", (int)end, dir);
            else
                note(x, IC_DIAG_ERROR, IC_E_UNSAFE_PATH, path,
                     "%.*s is not a directory (%s); not written", (int)end, dir, strerror(err));
            goto fail;
        }
        if (x->chain_len < CHAIN_DEPTH) {
            x->chain_fd[x->chain_len] = next;
            x->chain_end[x->chain_len++] = end;
        } else {
            if (transient >= 0)
                close(transient);
            transient = next;
        }
        fd = next;
        pos = end;
    }
    x->deep_fd = transient;
    return fd;
fail:
    if (transient >= 0)
        close(transient);
    close_parent(x);
    return -1;
}

/* Splits path "/a/b/c" into its parent ("/a/b") and last name ("c"), and
 * opens the parent. Returns the parent's descriptor or -1 (noted). */
static int parent_of(struct extractor *x, const char *path, const char **name)
{
    const char *slash = strrchr(path, '/');
    if (!slash || path[0] != '/') {
        note(x, IC_DIAG_ERROR, IC_E_UNSAFE_PATH, path, "not an absolute tree path; not written");
        return -1;
    }
    *name = slash + 1;
    if (!safe_name(*name, strlen(*name))) {
        note(x, IC_DIAG_ERROR, IC_E_UNSAFE_PATH, path, "name is not a plain name; not written");
        return -1;
    }
    return open_parent(x, path, (size_t)(slash - path), path);
}

static void set_times(int fd, const char *name, const struct ic_entry *e)
{
    struct timespec times[2] = {{(time_t)e->mtime, 0}, {(time_t)e->mtime, 0}};
    if (name)
        utimensat(fd, name, times, AT_SYMLINK_NOFOLLOW);
    else
        futimens(fd, times);
}

/* Content of a regular file or of a hard link (a copy of its target's). */
static int entry_content(struct extractor *x, const struct ic_entry *e, const uint8_t **data,
                         uint64_t *size)
{
    *data = NULL;
    *size = 0;
    if (e->type == IC_FT_HARDLINK && !e->content) {
        const struct ic_entry *target = e->link ? ic_fs_lookup(x->fs, e->link) : NULL;
        if (!target || target->type != IC_FT_FILE) {
            note(x, IC_DIAG_ERROR, IC_E_NOT_FOUND, e->path,
                 "hard link to %s, which is not a regular file in this tree; not written",
                 e->link ? e->link : "(nothing)");
            return -1;
        }
        return 0; /* an empty file */
    }
    if (!e->content)
        return 0;
    int err = IC_OK;
    *size = ic_blob_size(e->content);
    *data = ic_blob_data(e->content, &err);
    if (!*data && *size) {
        note(x, IC_DIAG_ERROR, err ? err : IC_E_IO, e->path, "content unreadable: %s",
             ic_error_message(err ? err : IC_E_IO));
        return -1;
    }
    return 0;
}

static void write_file(struct extractor *x, int parent, const char *name, const struct ic_entry *e)
{
    const uint8_t *data;
    uint64_t size;
    if (entry_content(x, e, &data, &size))
        return;
    int fd = openat(parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        note(x, IC_DIAG_ERROR, errno == EEXIST ? IC_E_EXISTS : IC_E_IO, e->path,
             "cannot create: %s", strerror(errno));
        return;
    }
    int err = write_all(fd, data, size);
    if (err) {
        note(x, IC_DIAG_ERROR, IC_E_IO, e->path, "cannot write: %s", strerror(err));
        close(fd);
        unlinkat(parent, name, 0);
        return;
    }
    fchmod(fd, e->mode & KEPT_MODE_BITS);
    set_times(fd, NULL, e);
    close(fd);
    x->stats->files++;
    x->stats->bytes += size;
}

static void make_symlink(struct extractor *x, int parent, const char *name,
                         const struct ic_entry *e)
{
    if (!e->link || !e->link[0]) {
        note(x, IC_DIAG_ERROR, IC_E_FORMAT, e->path, "symbolic link without a target; not made");
        return;
    }
    if (symlinkat(e->link, parent, name) != 0) {
        note(x, IC_DIAG_ERROR, errno == EEXIST ? IC_E_EXISTS : IC_E_IO, e->path,
             "cannot make the symbolic link: %s", strerror(errno));
        return;
    }
    set_times(parent, name, e);
    x->stats->symlinks++;
}

static int push_item(struct work_list *list, size_t layer, const struct ic_entry *e)
{
    if (ic_array_grow((void **)&list->items, &list->cap, list->count, sizeof(*list->items)))
        return IC_E_NOMEM;
    list->items[list->count++] = (struct work_item){layer, e};
    return IC_OK;
}

/* Returns 0 when the directory exists (made now or before), -1 (noted) if not. */
static int make_dir(struct extractor *x, int parent, const char *name, const struct ic_entry *e)
{
    /* Owner-writable until filled; the real mode comes at the end. */
    if (mkdirat(parent, name, 0700) != 0) {
        struct stat st;
        int err = errno;
        if (err != EEXIST || fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
            !S_ISDIR(st.st_mode)) {
            note(x, IC_DIAG_ERROR, err == EEXIST ? IC_E_EXISTS : IC_E_IO, e->path,
                 "cannot make the directory: %s", strerror(err));
            return -1;
        }
    } else {
        x->stats->dirs++;
    }
    return 0;
}

static void skip_special(struct extractor *x, const struct ic_entry *e)
{
    if (e->type == IC_FT_CHARDEV || e->type == IC_FT_BLOCKDEV)
        note(x, IC_DIAG_WARNING, IC_E_UNSUPPORTED, e->path,
             "%s %u,%u not created (device nodes are never extracted)", ic_ftype_name(e->type),
             (unsigned)e->dev_major, (unsigned)e->dev_minor);
    else
        note(x, IC_DIAG_WARNING, IC_E_UNSUPPORTED, e->path,
             "%s not created (special files are never extracted)", ic_ftype_name(e->type));
}

static void leave_layer(struct extractor *x)
{
    close_parent(x);
    if (x->layer_fd >= 0)
        close(x->layer_fd);
    x->layer_fd = -1;
    x->layer_index = NO_LAYER;
    x->fs = NULL;
}

/* Makes layer i the current one: its id for notes, its tree and (when
 * open_dir) its directory DIR/ID, opened without following a link. */
static int enter_layer(struct extractor *x, size_t i, int open_dir)
{
    const struct ic_layer *l = &x->u->layers[i];
    x->layer = l->id;
    if (!open_dir)
        return 0;
    if (x->layer_index == i)
        return 0;
    leave_layer(x);
    x->layer_fd = openat(x->top_fd, l->id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (x->layer_fd < 0) {
        note(x, IC_DIAG_ERROR, IC_E_IO, NULL, "cannot open the directory %s: %s", l->id,
             strerror(errno));
        return -1;
    }
    x->layer_index = i;
    x->fs = l->fs;
    return 0;
}

/* First pass over a layer's tree, in tree order: directories and symbolic
 * links are made now, special files noted, files queued for the parallel
 * pass. Because the tree is sorted, a directory comes before what is in it. */
static void plan_entry(struct extractor *x, size_t layer, const struct ic_entry *e,
                       struct work_list *files, struct work_list *dirs)
{
    if (strcmp(e->path, "/") == 0) {
        if (e->type == IC_FT_DIR && push_item(dirs, layer, e))
            note(x, IC_DIAG_ERROR, IC_E_NOMEM, e->path, "mode and time not set: out of memory");
        return;
    }
    if (strlen(e->path) >= MAX_TREE_PATH) {
        note(x, IC_DIAG_ERROR, IC_E_INVALID_ARG, e->path, "path too long; not written");
        return;
    }
    switch (e->type) {
    case IC_FT_FILE:
    case IC_FT_HARDLINK:
        if (push_item(files, layer, e))
            note(x, IC_DIAG_ERROR, IC_E_NOMEM, e->path, "not written: out of memory");
        return;
    case IC_FT_DIR:
    case IC_FT_SYMLINK:
        break;
    default:
        skip_special(x, e);
        return;
    }
    const char *name = NULL;
    int parent = parent_of(x, e->path, &name);
    if (parent < 0)
        return;
    if (e->type == IC_FT_SYMLINK) {
        make_symlink(x, parent, name, e);
        return;
    }
    if (make_dir(x, parent, name, e))
        return;
    if (push_item(dirs, layer, e))
        note(x, IC_DIAG_ERROR, IC_E_NOMEM, e->path, "mode and time not set: out of memory");
}

static void write_layer_content(struct extractor *x, const struct ic_layer *l)
{
    char name[256];
    snprintf(name, sizeof(name), "%s.bin", l->id);
    int err = IC_OK;
    uint64_t size = ic_blob_size(l->content);
    const uint8_t *data = ic_blob_data(l->content, &err);
    if (!data && size) {
        note(x, IC_DIAG_ERROR, err ? err : IC_E_IO, NULL, "content of the layer unreadable: %s",
             ic_error_message(err ? err : IC_E_IO));
        return;
    }
    int fd = openat(x->top_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) {
        note(x, IC_DIAG_ERROR, errno == EEXIST ? IC_E_EXISTS : IC_E_IO, NULL,
             "cannot create %s: %s", name, strerror(errno));
        return;
    }
    int werr = write_all(fd, data, size);
    close(fd);
    if (werr) {
        note(x, IC_DIAG_ERROR, IC_E_IO, NULL, "cannot write %s: %s", name, strerror(werr));
        unlinkat(x->top_fd, name, 0);
        return;
    }
    x->stats->blobs++;
    x->stats->bytes += size;
}

/* The parallel pass: the file list is cut into contiguous slices (keeping
 * files of one directory together for the parent cache); each slice is
 * written by one thread with its own state and stats. */
struct slice_job {
    const struct ic_unpack *u;
    int top_fd;
    const struct work_list *files;
    size_t per_slice;
    struct ic_extract_stats *slice_stats;
};

static void write_slice(void *arg, size_t index)
{
    struct slice_job *job = arg;
    struct extractor x = {.stats = &job->slice_stats[index],
                          .u = job->u,
                          .top_fd = job->top_fd,
                          .layer_index = NO_LAYER,
                          .layer_fd = -1,
                          .deep_fd = -1};
    size_t first = index * job->per_slice;
    size_t last = first + job->per_slice;
    if (last > job->files->count)
        last = job->files->count;
    for (size_t i = first; i < last; i++) {
        const struct work_item *w = &job->files->items[i];
        const struct ic_layer *l = &job->u->layers[w->layer];
        if (!w->entry) {
            enter_layer(&x, w->layer, 0);
            write_layer_content(&x, l);
            continue;
        }
        if (enter_layer(&x, w->layer, 1))
            continue;
        const char *name = NULL;
        int parent = parent_of(&x, w->entry->path, &name);
        if (parent >= 0)
            write_file(&x, parent, name, w->entry);
    }
    leave_layer(&x);
}

/* Adds a slice's counts and notes (in order, up to the cap) to the total. */
static void merge_stats(struct ic_extract_stats *into, struct ic_extract_stats *from)
{
    into->files += from->files;
    into->dirs += from->dirs;
    into->symlinks += from->symlinks;
    into->blobs += from->blobs;
    into->bytes += from->bytes;
    into->skipped += from->skipped;
    into->errors += from->errors;
    for (size_t i = 0; i < from->note_count; i++) {
        struct ic_extract_note *n = &from->notes[i];
        if (into->note_count < IC_EXTRACT_MAX_NOTES && !into->notes)
            into->notes = calloc(IC_EXTRACT_MAX_NOTES, sizeof(*into->notes));
        if (into->notes && into->note_count < IC_EXTRACT_MAX_NOTES) {
            into->notes[into->note_count++] = *n;
            memset(n, 0, sizeof(*n));
        }
    }
    ic_extract_stats_release(from);
}

static void write_files(struct extractor *x, const struct work_list *files, unsigned threads)
{
    if (files->count == 0)
        return;
    size_t slices = (size_t)threads * 8;
    size_t per_slice = (files->count + slices - 1) / slices;
    if (per_slice < 32)
        per_slice = 32;
    slices = (files->count + per_slice - 1) / per_slice;
    struct ic_extract_stats *slice_stats = calloc(slices, sizeof(*slice_stats));
    struct ic_pool *pool = threads > 1 && slices > 1 ? ic_pool_new(threads) : NULL;
    struct slice_job job = {x->u, x->top_fd, files, per_slice, slice_stats};
    if (!slice_stats) {
        note(x, IC_DIAG_ERROR, IC_E_NOMEM, NULL, "files not written: out of memory");
        ic_pool_free(pool);
        return;
    }
    if (pool) {
        ic_pool_for(pool, slices, write_slice, &job);
        ic_pool_free(pool);
    } else {
        for (size_t i = 0; i < slices; i++)
            write_slice(&job, i);
    }
    for (size_t i = 0; i < slices; i++)
        merge_stats(x->stats, &slice_stats[i]);
    free(slice_stats);
}

/* Gives the directories their own mode and time, deepest first (each
 * layer's tree is in byte order, so walking the list backwards reaches a
 * directory after everything below it), so that a read-only directory is
 * made so last. */
static void finish_dirs(struct extractor *x, const struct work_list *dirs)
{
    for (size_t i = dirs->count; i-- > 0;) {
        const struct ic_entry *e = dirs->items[i].entry;
        if (enter_layer(x, dirs->items[i].layer, 1))
            continue;
        int fd;
        if (strcmp(e->path, "/") == 0) {
            fd = x->layer_fd;
        } else {
            const char *name = NULL;
            int parent = parent_of(x, e->path, &name);
            if (parent < 0)
                continue;
            fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (fd < 0)
                continue;
        }
        fchmod(fd, e->mode & KEPT_MODE_BITS);
        set_times(fd, NULL, e);
        if (fd != x->layer_fd)
            close(fd);
    }
    leave_layer(x);
}

/* Makes DIR/ID for a layer's tree and plans its entries. */
static void plan_tree(struct extractor *x, size_t i, struct work_list *files,
                      struct work_list *dirs)
{
    const struct ic_layer *l = &x->u->layers[i];
    if (mkdirat(x->top_fd, l->id, 0700) != 0) {
        note(x, IC_DIAG_ERROR, errno == EEXIST ? IC_E_EXISTS : IC_E_IO, NULL,
             "cannot make the directory %s for the layer's files: %s", l->id, strerror(errno));
        return;
    }
    x->stats->dirs++;
    if (enter_layer(x, i, 1))
        return;
    size_t n = ic_fs_count(l->fs);
    for (size_t k = 0; k < n; k++)
        plan_entry(x, i, ic_fs_entry(l->fs, k), files, dirs);
    leave_layer(x);
}

int ic_unpack_extract(const struct ic_unpack *u, const char *dir, unsigned threads,
                      struct ic_extract_stats *stats)
{
    memset(stats, 0, sizeof(*stats));
    if (!u || !dir)
        return IC_E_INVALID_ARG;
    struct extractor x = {
        .stats = stats, .u = u, .layer_index = NO_LAYER, .layer_fd = -1, .deep_fd = -1};
    x.top_fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (x.top_fd < 0)
        return errno == ENOTDIR || errno == ELOOP ? IC_E_INVALID_ARG : IC_E_IO;
    if (threads == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 ? (unsigned)n : 1;
    }
    struct work_list files = {0}, dirs = {0};
    for (size_t i = 0; i < u->layer_count; i++) {
        const struct ic_layer *l = &u->layers[i];
        x.layer = l->id;
        if (!l->id || !safe_layer_id(l->id)) {
            note(&x, IC_DIAG_ERROR, IC_E_UNSAFE_PATH, NULL, "layer id is not a plain name");
            continue;
        }
        if (l->parent >= 0 && l->content && ic_blob_size(l->content) > 0 &&
            push_item(&files, i, NULL))
            note(&x, IC_DIAG_ERROR, IC_E_NOMEM, NULL, "layer content not written: out of memory");
        if (l->fs)
            plan_tree(&x, i, &files, &dirs);
    }
    write_files(&x, &files, threads);
    finish_dirs(&x, &dirs);
    free(files.items);
    free(dirs.items);
    close(x.top_fd);
    return IC_OK;
}
