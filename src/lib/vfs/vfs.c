#include "iotcop/vfs.h"
#include "iotcop/error.h"
#include "core/arena.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PATH_LEN 4096
#define MAX_LINK_HOPS 40

struct fs_node {
    struct ic_entry e;
    size_t seq; /* order of addition: a later entry with the same path wins */
};

struct ic_fs {
    struct ic_arena strings;
    struct fs_node *nodes;
    size_t count;
    size_t cap;
    size_t next_seq;
    uint64_t max_entries;
    int finished;
};

static const char *const ftype_names[] = {"file",    "dir",      "symlink", "hardlink",
                                          "chardev", "blockdev", "fifo",    "socket"};

const char *ic_ftype_name(enum ic_ftype type)
{
    if ((unsigned)type >= sizeof(ftype_names) / sizeof(ftype_names[0]))
        return "unknown";
    return ftype_names[type];
}

int ic_path_normalise(const char *path, char *dst, size_t dstlen)
{
    if (dstlen < 2)
        return IC_E_INVALID_ARG;
    size_t out = 0;
    const char *p = path;
    while (*p) {
        while (*p == '/')
            p++;
        if (!*p)
            break;
        const char *end = p;
        while (*end && *end != '/')
            end++;
        size_t n = (size_t)(end - p);
        if (n == 1 && p[0] == '.') {
            p = end;
            continue;
        }
        if (n == 2 && p[0] == '.' && p[1] == '.')
            return IC_E_UNSAFE_PATH;
        if (out + 1 + n + 1 > dstlen)
            return IC_E_INVALID_ARG;
        dst[out++] = '/';
        memcpy(dst + out, p, n);
        out += n;
        p = end;
    }
    if (out == 0)
        dst[out++] = '/';
    dst[out] = '\0';
    return IC_OK;
}

struct ic_fs *ic_fs_new(uint64_t max_entries)
{
    struct ic_fs *fs = calloc(1, sizeof(*fs));
    if (fs)
        fs->max_entries = max_entries ? max_entries : UINT64_MAX;
    return fs;
}

void ic_fs_free(struct ic_fs *fs)
{
    if (!fs)
        return;
    for (size_t i = 0; i < fs->count; i++)
        ic_blob_unref(fs->nodes[i].e.content);
    free(fs->nodes);
    ic_arena_release(&fs->strings);
    free(fs);
}

static int push_node(struct ic_fs *fs, const struct ic_entry *e, const char *norm_path)
{
    if (fs->count == fs->cap) {
        size_t cap = fs->cap ? fs->cap * 2 : 256;
        struct fs_node *n = realloc(fs->nodes, cap * sizeof(*n));
        if (!n)
            return IC_E_NOMEM;
        fs->nodes = n;
        fs->cap = cap;
    }
    struct fs_node *node = &fs->nodes[fs->count];
    node->e = *e;
    node->e.path = ic_arena_strdup(&fs->strings, norm_path);
    node->e.link = e->link ? ic_arena_strdup(&fs->strings, e->link) : NULL;
    if (!node->e.path || (e->link && !node->e.link))
        return IC_E_NOMEM;
    node->e.mode &= 07777;
    node->e.content = ic_blob_ref(e->content);
    node->seq = fs->next_seq++;
    fs->count++;
    return IC_OK;
}

int ic_fs_add(struct ic_fs *fs, const struct ic_entry *e)
{
    if (fs->finished || !e->path)
        return IC_E_INVALID_ARG;
    if (fs->count >= fs->max_entries)
        return IC_E_LIMIT_FILES;
    char norm[MAX_PATH_LEN];
    int rc = ic_path_normalise(e->path, norm, sizeof(norm));
    if (rc)
        return rc;
    return push_node(fs, e, norm);
}

static int node_cmp(const void *a, const void *b)
{
    const struct fs_node *x = a, *y = b;
    int c = strcmp(x->e.path, y->e.path);
    if (c)
        return c;
    return x->seq > y->seq ? -1 : (x->seq < y->seq ? 1 : 0); /* newest first */
}

static void sort_and_dedupe(struct ic_fs *fs)
{
    if (fs->count > 1)
        qsort(fs->nodes, fs->count, sizeof(*fs->nodes), node_cmp);
    size_t out = 0;
    for (size_t i = 0; i < fs->count; i++) {
        if (out > 0 && strcmp(fs->nodes[out - 1].e.path, fs->nodes[i].e.path) == 0) {
            ic_blob_unref(fs->nodes[i].e.content);
            continue;
        }
        fs->nodes[out++] = fs->nodes[i];
    }
    fs->count = out;
}

static struct fs_node *find_in(const struct ic_fs *fs, size_t count, const char *path)
{
    size_t lo = 0, hi = count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(fs->nodes[mid].e.path, path);
        if (c == 0)
            return &fs->nodes[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static struct fs_node *find_node(const struct ic_fs *fs, const char *path)
{
    return find_in(fs, fs->count, path);
}

/* Adds the directories that entries imply but the archive did not list.
 * Runs on a sorted, de-duplicated tree; searches only that sorted part. */
static int add_missing_parents(struct ic_fs *fs)
{
    size_t sorted = fs->count;
    int added = 0;
    struct ic_entry dir = {.type = IC_FT_DIR, .mode = 0755};
    char buf[MAX_PATH_LEN];
    char last_added[MAX_PATH_LEN] = "";
    if (!find_in(fs, sorted, "/")) {
        dir.path = "/";
        if (push_node(fs, &dir, "/"))
            return IC_E_NOMEM;
        added = 1;
    }
    for (size_t i = 0; i < sorted; i++) {
        size_t len = strlen(fs->nodes[i].e.path);
        memcpy(buf, fs->nodes[i].e.path, len + 1);
        for (;;) { /* /a/b/c -> /a/b -> /a */
            char *slash = strrchr(buf, '/');
            if (!slash || slash == buf)
                break;
            *slash = '\0';
            if (strcmp(buf, last_added) == 0 || find_in(fs, sorted, buf))
                break;
            dir.path = buf;
            if (push_node(fs, &dir, buf))
                return IC_E_NOMEM;
            memcpy(last_added, buf, strlen(buf) + 1);
            added = 1;
        }
    }
    if (added)
        sort_and_dedupe(fs);
    return IC_OK;
}

int ic_fs_finish(struct ic_fs *fs)
{
    if (fs->finished)
        return IC_OK;
    sort_and_dedupe(fs);
    int rc = add_missing_parents(fs);
    if (rc)
        return rc;
    for (size_t i = 0; i < fs->count; i++) {
        struct ic_entry *e = &fs->nodes[i].e;
        if (e->type != IC_FT_HARDLINK || !e->link || e->content)
            continue;
        char norm[MAX_PATH_LEN];
        if (ic_path_normalise(e->link, norm, sizeof(norm)))
            continue;
        struct fs_node *target = find_node(fs, norm);
        if (target && target->e.type == IC_FT_FILE) {
            e->content = ic_blob_ref(target->e.content);
            e->size = target->e.size;
        }
    }
    fs->finished = 1;
    return IC_OK;
}

size_t ic_fs_count(const struct ic_fs *fs)
{
    return fs->count;
}

const struct ic_entry *ic_fs_entry(const struct ic_fs *fs, size_t index)
{
    return index < fs->count ? &fs->nodes[index].e : NULL;
}

const struct ic_entry *ic_fs_lookup(const struct ic_fs *fs, const char *path)
{
    char norm[MAX_PATH_LEN];
    if (ic_path_normalise(path, norm, sizeof(norm)))
        return NULL;
    struct fs_node *n = find_node(fs, norm);
    return n ? &n->e : NULL;
}

int ic_fs_resolve(const struct ic_fs *fs, const char *path, const struct ic_entry **out)
{
    char cur[MAX_PATH_LEN] = "";   /* resolved prefix; "" is the root */
    char todo[MAX_PATH_LEN * 2];   /* components still to walk */
    char scratch[MAX_PATH_LEN * 2];
    size_t plen = strlen(path);
    if (plen >= sizeof(todo))
        return IC_E_INVALID_ARG;
    memcpy(todo, path, plen + 1);
    unsigned hops = 0;
    const struct ic_entry *found = ic_fs_lookup(fs, "/");
    char *p = todo;
    for (;;) {
        while (*p == '/')
            p++;
        if (!*p)
            break;
        char *end = p;
        while (*end && *end != '/')
            end++;
        size_t n = (size_t)(end - p);
        if (n == 1 && p[0] == '.') {
            p = end;
            continue;
        }
        if (n == 2 && p[0] == '.' && p[1] == '.') {
            char *slash = strrchr(cur, '/');
            if (slash)
                *slash = '\0';
            found = ic_fs_lookup(fs, cur[0] ? cur : "/");
            p = end;
            continue;
        }
        size_t clen = strlen(cur);
        if (clen + 1 + n >= sizeof(cur))
            return IC_E_INVALID_ARG;
        char candidate[MAX_PATH_LEN];
        memcpy(candidate, cur, clen);
        candidate[clen] = '/';
        memcpy(candidate + clen + 1, p, n);
        candidate[clen + 1 + n] = '\0';
        struct fs_node *node = find_node(fs, candidate);
        if (!node)
            return IC_E_NOT_FOUND;
        if (node->e.type == IC_FT_SYMLINK && node->e.link) {
            if (++hops > MAX_LINK_HOPS)
                return IC_E_LOOP;
            /* Replace this component by the link target, keep the rest. */
            int w = snprintf(scratch, sizeof(scratch), "%s/%s", node->e.link, end);
            if (w < 0 || (size_t)w >= sizeof(scratch))
                return IC_E_INVALID_ARG;
            if (node->e.link[0] == '/')
                cur[0] = '\0';
            memcpy(todo, scratch, (size_t)w + 1);
            p = todo;
            continue;
        }
        if (node->e.type == IC_FT_HARDLINK && node->e.link) {
            const struct ic_entry *t = ic_fs_lookup(fs, node->e.link);
            if (t && t->type != IC_FT_HARDLINK)
                node = (struct fs_node *)(const void *)t;
        }
        const char *rest = end;
        while (*rest == '/')
            rest++;
        if (*rest && node->e.type != IC_FT_DIR)
            return IC_E_NOT_FOUND;
        memcpy(cur, candidate, clen + 1 + n + 1);
        found = &node->e;
        p = end;
    }
    if (!found)
        return IC_E_NOT_FOUND;
    *out = found;
    return IC_OK;
}
