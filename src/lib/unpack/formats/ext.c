/* ext2, ext3 and ext4 file systems, read with libext2fs (e2fsprogs) through
 * an I/O manager of our own that serves the bytes in memory and fails any
 * read past them. The superblock is checked here first, so libext2fs only
 * sees images whose geometry fits the bytes we have. */
#include "unpack/format.h"

#include <ext2fs/ext2_fs.h>
#include <ext2fs/ext2fs.h>
#include <stdlib.h>
#include <string.h>

#define SUPERBLOCK_OFFSET 1024
#define EXT_MAGIC 0xEF53
/* Deeper directory nesting than this is not walked (paths stop at 4 KiB anyway). */
#define MAX_DIR_DEPTH 256
/* Longest symbolic link target read (Linux's PATH_MAX). */
#define MAX_LINK_TARGET 4096

/* ---- an io_manager over the bytes in memory ---------------------------------- */

struct memory_image {
    const uint8_t *data;
    uint64_t size;
    struct struct_io_stats stats;
};

/* ext2fs_open2() takes a name, not a handle: the image to open is passed
 * beside it, for the duration of the call, in this thread only. */
static _Thread_local struct memory_image *image_to_open;

static errcode_t memory_open(const char *name, int flags, io_channel *channel);
static errcode_t memory_close(io_channel channel);
static errcode_t memory_set_blksize(io_channel channel, int blksize);
static errcode_t memory_read_blk(io_channel channel, unsigned long block, int count, void *data);
static errcode_t memory_read_blk64(io_channel channel, unsigned long long block, int count,
                                   void *data);
static errcode_t memory_write_blk(io_channel channel, unsigned long block, int count,
                                  const void *data);
static errcode_t memory_write_blk64(io_channel channel, unsigned long long block, int count,
                                    const void *data);
static errcode_t memory_flush(io_channel channel);
static errcode_t memory_write_byte(io_channel channel, unsigned long offset, int count,
                                   const void *data);
static errcode_t memory_set_option(io_channel channel, const char *option, const char *arg);
static errcode_t memory_get_stats(io_channel channel, io_stats *stats);
static errcode_t memory_discard(io_channel channel, unsigned long long block,
                                unsigned long long count);

static struct struct_io_manager memory_io_manager = {
    .magic = EXT2_ET_MAGIC_IO_MANAGER,
    .name = "iotcop in-memory image",
    .open = memory_open,
    .close = memory_close,
    .set_blksize = memory_set_blksize,
    .read_blk = memory_read_blk,
    .write_blk = memory_write_blk,
    .flush = memory_flush,
    .write_byte = memory_write_byte,
    .set_option = memory_set_option,
    .get_stats = memory_get_stats,
    .read_blk64 = memory_read_blk64,
    .write_blk64 = memory_write_blk64,
    .discard = memory_discard,
    .cache_readahead = memory_discard,
    .zeroout = memory_discard,
};

static errcode_t memory_open(const char *name, int flags, io_channel *channel)
{
    if (!image_to_open || (flags & IO_FLAG_RW))
        return EXT2_ET_UNIMPLEMENTED;
    io_channel io = calloc(1, sizeof(*io));
    char *copy = io ? strdup(name ? name : "") : NULL;
    if (!copy) {
        free(io);
        return EXT2_ET_NO_MEMORY;
    }
    io->magic = EXT2_ET_MAGIC_IO_CHANNEL;
    io->manager = &memory_io_manager;
    io->name = copy;
    io->block_size = 1024;
    io->refcount = 1;
    io->private_data = image_to_open;
    *channel = io;
    return 0;
}

static errcode_t memory_close(io_channel channel)
{
    if (--channel->refcount > 0)
        return 0;
    free(channel->name);
    free(channel);
    return 0;
}

static errcode_t memory_set_blksize(io_channel channel, int blksize)
{
    if (blksize <= 0)
        return EXT2_ET_INVALID_ARGUMENT;
    channel->block_size = blksize;
    return 0;
}

static errcode_t memory_read_blk64(io_channel channel, unsigned long long block, int count,
                                   void *data)
{
    struct memory_image *img = channel->private_data;
    uint64_t length =
        count < 0 ? (uint64_t)(-(int64_t)count) : (uint64_t)count * (uint64_t)channel->block_size;
    if (block > UINT64_MAX / (uint64_t)channel->block_size)
        return EXT2_ET_SHORT_READ;
    uint64_t offset = block * (uint64_t)channel->block_size;
    if (!ic_range_ok(offset, length, img->size)) {
        memset(data, 0, length);
        return EXT2_ET_SHORT_READ;
    }
    memcpy(data, img->data + offset, length);
    img->stats.bytes_read += length;
    return 0;
}

static errcode_t memory_read_blk(io_channel channel, unsigned long block, int count, void *data)
{
    return memory_read_blk64(channel, block, count, data);
}

static errcode_t memory_write_blk(io_channel channel, unsigned long block, int count,
                                  const void *data)
{
    return EXT2_ET_UNIMPLEMENTED;
}

static errcode_t memory_write_blk64(io_channel channel, unsigned long long block, int count,
                                    const void *data)
{
    return EXT2_ET_UNIMPLEMENTED;
}

static errcode_t memory_flush(io_channel channel)
{
    return 0;
}

static errcode_t memory_write_byte(io_channel channel, unsigned long offset, int count,
                                   const void *data)
{
    return EXT2_ET_UNIMPLEMENTED;
}

static errcode_t memory_set_option(io_channel channel, const char *option, const char *arg)
{
    return EXT2_ET_INVALID_ARGUMENT;
}

static errcode_t memory_get_stats(io_channel channel, io_stats *stats)
{
    struct memory_image *img = channel->private_data;
    img->stats.num_fields = 2;
    if (stats)
        *stats = &img->stats;
    return 0;
}

static errcode_t memory_discard(io_channel channel, unsigned long long block,
                                unsigned long long count)
{
    return EXT2_ET_UNIMPLEMENTED;
}

/* ---- helpers ------------------------------------------------------------------- */

static const char *ext_error_text(errcode_t err)
{
    switch (err) {
    case EXT2_ET_SHORT_READ:
        return "data lies past the end of the image";
    case EXT2_ET_BAD_MAGIC:
        return "bad magic number";
    case EXT2_ET_UNSUPP_FEATURE:
        return "unsupported incompatible feature";
    case EXT2_ET_RO_UNSUPP_FEATURE:
        return "unsupported read-only feature";
    case EXT2_ET_CORRUPT_SUPERBLOCK:
        return "corrupt superblock";
    case EXT2_ET_DIR_CORRUPTED:
        return "corrupt directory";
    case EXT2_ET_BAD_INODE_NUM:
        return "inode number out of range";
    case EXT2_ET_NO_MEMORY:
        return "out of memory";
    case EXT2_ET_EXTENT_HEADER_BAD:
        return "corrupt extent tree";
    case EXT2_ET_INODE_CSUM_INVALID:
        return "inode checksum mismatch";
    case EXT2_ET_DIR_CSUM_INVALID:
        return "directory checksum mismatch";
    case EXT2_ET_BAD_DESC_SIZE:
        return "bad group descriptor size";
    case EXT2_ET_UNEXPECTED_BLOCK_SIZE:
        return "unexpected block size";
    case EXT2_ET_FILE_TOO_BIG:
        return "file too big";
    default:
        return "corrupt or unsupported structure";
    }
}

static int ext_to_ic(errcode_t err)
{
    switch (err) {
    case EXT2_ET_SHORT_READ:
        return IC_E_TRUNCATED;
    case EXT2_ET_NO_MEMORY:
        return IC_E_NOMEM;
    case EXT2_ET_UNSUPP_FEATURE:
    case EXT2_ET_RO_UNSUPP_FEATURE:
        return IC_E_UNSUPPORTED;
    case EXT2_ET_INODE_CSUM_INVALID:
    case EXT2_ET_DIR_CSUM_INVALID:
        return IC_E_CHECKSUM;
    default:
        return IC_E_FORMAT;
    }
}

/* A set of 32-bit inode numbers (open addressing; stored +1, 0 is free). */
struct ino_set {
    uint64_t *slots;
    size_t cap, count;
};

/* Adds ino; 1 when it was there already, 0 when added, -1 without memory. */
static int ino_set_add(struct ino_set *s, uint32_t ino)
{
    if ((s->count + 1) * 2 > s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 64;
        uint64_t *slots = calloc(ncap, sizeof(*slots));
        if (!slots)
            return -1;
        for (size_t i = 0; i < s->cap; i++) {
            if (!s->slots[i])
                continue;
            size_t k = (size_t)((s->slots[i] * 0x9e3779b97f4a7c15ULL) >> 20) & (ncap - 1);
            while (slots[k])
                k = (k + 1) & (ncap - 1);
            slots[k] = s->slots[i];
        }
        free(s->slots);
        s->slots = slots;
        s->cap = ncap;
    }
    uint64_t key = (uint64_t)ino + 1;
    size_t k = (size_t)((key * 0x9e3779b97f4a7c15ULL) >> 20) & (s->cap - 1);
    while (s->slots[k]) {
        if (s->slots[k] == key)
            return 1;
        k = (k + 1) & (s->cap - 1);
    }
    s->slots[k] = key;
    s->count++;
    return 0;
}

/* ---- the walk ------------------------------------------------------------------- */

struct child {
    ext2_ino_t ino;
    char *name;
};

struct dir_job {
    char *path; /* "" for the root */
    ext2_ino_t ino;
    unsigned depth;
};

/* Content already read for an inode with several links. */
struct shared_content {
    ext2_ino_t ino;
    struct ic_blob *content;
};

struct ext_image {
    struct ic_extract *x;
    ext2_filsys fs;
    struct dir_job *dirs;
    size_t dir_count, dir_cap;
    struct ino_set listed_dirs;
    struct shared_content *shared;
    size_t shared_count, shared_cap;
    /* The directory being listed. */
    struct child *children;
    size_t child_count, child_cap;
    int listing_error;
    int stop;
    int stop_content;
    uint64_t entries;
};

static int grow_array(void **array, size_t *cap, size_t count, size_t elem)
{
    if (count < *cap)
        return IC_OK;
    size_t ncap = *cap ? *cap * 2 : 64;
    void *p = realloc(*array, ncap * elem);
    if (!p)
        return IC_E_NOMEM;
    *array = p;
    *cap = ncap;
    return IC_OK;
}

static int collect_child(ext2_ino_t dir, int entry, struct ext2_dir_entry *dirent, int offset,
                         int blocksize, char *buf, void *priv)
{
    struct ext_image *img = priv;
    if (entry == DIRENT_DOT_FILE || entry == DIRENT_DOT_DOT_FILE || dirent->inode == 0)
        return 0;
    if ((img->child_count & 1023) == 1023 && ic_extract_expired(img->x)) {
        img->stop = 1;
        return DIRENT_ABORT;
    }
    int len = ext2fs_dirent_name_len(dirent);
    /* The iterator checked rec_len against the block; the name must fit in it too. */
    if (len <= 0 || len > EXT2_NAME_LEN || (unsigned)len + 8u > dirent->rec_len)
        return 0;
    if (grow_array((void **)&img->children, &img->child_cap, img->child_count,
                   sizeof(*img->children))) {
        img->listing_error = IC_E_NOMEM;
        return DIRENT_ABORT;
    }
    char *name = malloc((size_t)len + 1);
    if (!name) {
        img->listing_error = IC_E_NOMEM;
        return DIRENT_ABORT;
    }
    memcpy(name, dirent->name, (size_t)len);
    name[len] = '\0';
    img->children[img->child_count++] = (struct child){dirent->inode, name};
    return 0;
}

static int add_entry(struct ext_image *img, const struct ic_entry *e)
{
    if (img->stop)
        return IC_E_LIMIT_FILES;
    int rc = ic_extract_add_entry(img->x, e);
    if (rc) {
        img->stop = 1;
        return rc;
    }
    img->entries++;
    return IC_OK;
}

static int valid_name(const char *name)
{
    return name[0] && strcmp(name, ".") != 0 && strcmp(name, "..") != 0 && !strchr(name, '/');
}

/* Reads size bytes of an inode's data (files, slow symlinks). Caller frees *out. */
static errcode_t read_data(struct ext_image *img, ext2_ino_t ino, struct ext2_inode *inode,
                           uint64_t size, uint8_t **out)
{
    *out = NULL;
    ext2_file_t file = NULL;
    errcode_t err = ext2fs_file_open2(img->fs, ino, inode, 0, &file);
    if (err)
        return err;
    uint8_t *data = malloc(size ? size : 1);
    if (!data) {
        ext2fs_file_close(file);
        return EXT2_ET_NO_MEMORY;
    }
    uint64_t done = 0;
    while (done < size) {
        uint64_t want = size - done;
        unsigned int chunk = want > (1u << 30) ? (1u << 30) : (unsigned int)want;
        unsigned int got = 0;
        err = ext2fs_file_read(file, data + done, chunk, &got);
        if (err)
            break;
        if (got == 0) {
            err = EXT2_ET_SHORT_READ;
            break;
        }
        done += got;
    }
    ext2fs_file_close(file);
    if (err) {
        free(data);
        return err;
    }
    *out = data;
    return 0;
}

static struct ic_blob *shared_find(struct ext_image *img, ext2_ino_t ino)
{
    for (size_t i = 0; i < img->shared_count; i++)
        if (img->shared[i].ino == ino)
            return img->shared[i].content;
    return NULL;
}

static void file_content(struct ext_image *img, ext2_ino_t ino, struct ext2_inode *inode,
                         struct ic_entry *e)
{
    if (e->size == 0 || img->stop_content)
        return;
    int linked = inode->i_links_count > 1;
    struct ic_blob *shared = linked ? shared_find(img, ino) : NULL;
    if (shared) {
        e->content = ic_blob_ref(shared);
        return;
    }
    if (e->size > ic_extract_max_file_size(img->x)) {
        ic_extract_diag(img->x, IC_DIAG_WARNING, IC_E_LIMIT_FILE_SIZE, -1,
                        "%s: %llu bytes, over the per-file limit; content not read", e->path,
                        (unsigned long long)e->size);
        return;
    }
    int rc = ic_extract_charge(img->x, e->size);
    if (rc) {
        if (rc != IC_E_LIMIT_FILE_SIZE) {
            ic_extract_diag(img->x, IC_DIAG_ERROR, rc, -1,
                            "%s and later files: content not read (%s)", e->path,
                            ic_error_message(rc));
            img->stop_content = 1;
        }
        return;
    }
    uint8_t *data = NULL;
    errcode_t err = read_data(img, ino, inode, e->size, &data);
    if (err) {
        ic_extract_diag(img->x, IC_DIAG_ERROR, ext_to_ic(err), -1, "%s: content unreadable: %s",
                        e->path, ext_error_text(err));
        return;
    }
    if (ic_blob_from_owned(data, e->size, &e->content)) {
        free(data);
        return;
    }
    /* Hard links share one blob: keep it until the walk ends. */
    if (linked && grow_array((void **)&img->shared, &img->shared_cap, img->shared_count,
                             sizeof(*img->shared)) == IC_OK)
        img->shared[img->shared_count++] = (struct shared_content){ino, ic_blob_ref(e->content)};
}

/* The target of a symbolic link: in the inode (fast), inline data, or a block. */
static char *symlink_target(struct ext_image *img, ext2_ino_t ino, struct ext2_inode *inode,
                            const char *path)
{
    uint64_t size = EXT2_I_SIZE(inode);
    if (size == 0 || size > MAX_LINK_TARGET) {
        ic_extract_diag(img->x, IC_DIAG_WARNING, IC_E_FORMAT, -1,
                        "%s: symbolic link of %llu bytes ignored", path, (unsigned long long)size);
        return NULL;
    }
    char *target = NULL;
    if (ext2fs_is_fast_symlink(inode)) {
        if (size >= sizeof(inode->i_block))
            return NULL;
        target = malloc(size + 1);
        if (target)
            memcpy(target, inode->i_block, size);
    } else if (inode->i_flags & EXT4_INLINE_DATA_FL) {
        char buf[MAX_LINK_TARGET + 256];
        size_t got = sizeof(buf);
        size_t inline_size = 0;
        if (ext2fs_inline_data_size(img->fs, ino, &inline_size) == 0 &&
            inline_size <= sizeof(buf) &&
            ext2fs_inline_data_get(img->fs, ino, inode, buf, &got) == 0 && got >= size) {
            target = malloc(size + 1);
            if (target)
                memcpy(target, buf, size);
        }
    } else {
        uint8_t *data = NULL;
        errcode_t err = read_data(img, ino, inode, size, &data);
        if (err) {
            ic_extract_diag(img->x, IC_DIAG_ERROR, ext_to_ic(err), -1,
                            "%s: link target unreadable: %s", path, ext_error_text(err));
            return NULL;
        }
        target = (char *)data;
        char *bigger = realloc(target, size + 1);
        if (!bigger) {
            free(target);
            return NULL;
        }
        target = bigger;
    }
    if (target) {
        target[size] = '\0';
        if (strlen(target) != size) /* NUL inside: keep what a path can hold */
            ic_extract_diag(img->x, IC_DIAG_WARNING, IC_E_FORMAT, -1,
                            "%s: link target holds a NUL byte", path);
    }
    return target;
}

static int queue_dir(struct ext_image *img, char *path, ext2_ino_t ino, unsigned depth)
{
    if (depth > MAX_DIR_DEPTH) {
        ic_extract_diag(img->x, IC_DIAG_WARNING, IC_E_LIMIT_DEPTH, -1,
                        "%s: directories nested deeper than %d are not listed", path,
                        MAX_DIR_DEPTH);
        free(path);
        return IC_OK;
    }
    int seen = ino_set_add(&img->listed_dirs, ino);
    if (seen != 0) {
        if (seen > 0)
            ic_extract_diag(img->x, IC_DIAG_WARNING, IC_E_LOOP, -1,
                            "%s: directory inode %u already listed elsewhere (loop or hard "
                            "link); not listed again",
                            path[0] ? path : "/", ino);
        free(path);
        return seen > 0 ? IC_OK : IC_E_NOMEM;
    }
    if (grow_array((void **)&img->dirs, &img->dir_cap, img->dir_count, sizeof(*img->dirs))) {
        free(path);
        return IC_E_NOMEM;
    }
    img->dirs[img->dir_count++] = (struct dir_job){path, ino, depth};
    return IC_OK;
}

/* Adds the entry for one inode. Takes path. */
static int handle_inode(struct ext_image *img, char *path, ext2_ino_t ino, unsigned depth)
{
    struct ext2_inode inode;
    errcode_t err = ext2fs_read_inode(img->fs, ino, &inode);
    if (err) {
        ic_extract_diag(img->x, IC_DIAG_ERROR, ext_to_ic(err), -1, "%s: inode %u unreadable: %s",
                        path[0] ? path : "/", ino, ext_error_text(err));
        free(path);
        return IC_OK;
    }
    struct ic_entry e;
    memset(&e, 0, sizeof(e));
    e.path = path[0] ? path : "/";
    e.mode = inode.i_mode & 07777;
    e.uid = inode_uid(inode);
    e.gid = inode_gid(inode);
    e.mtime = (int32_t)inode.i_mtime;
    char *target = NULL;
    int rc = IC_OK;
    uint16_t kind = inode.i_mode & LINUX_S_IFMT;
    switch (kind) {
    case LINUX_S_IFDIR:
        e.type = IC_FT_DIR;
        rc = add_entry(img, &e);
        if (rc == IC_OK)
            return queue_dir(img, path, ino, depth);
        break;
    case LINUX_S_IFREG:
        e.type = IC_FT_FILE;
        e.size = EXT2_I_SIZE(&inode);
        file_content(img, ino, &inode, &e);
        rc = add_entry(img, &e);
        ic_blob_unref(e.content);
        break;
    case LINUX_S_IFLNK:
        e.type = IC_FT_SYMLINK;
        target = symlink_target(img, ino, &inode, e.path);
        e.link = target ? target : "";
        e.size = strlen(e.link);
        rc = add_entry(img, &e);
        break;
    case LINUX_S_IFCHR:
    case LINUX_S_IFBLK: {
        e.type = kind == LINUX_S_IFCHR ? IC_FT_CHARDEV : IC_FT_BLOCKDEV;
        if (inode.i_block[0]) {
            e.dev_major = (inode.i_block[0] >> 8) & 0xff;
            e.dev_minor = inode.i_block[0] & 0xff;
        } else {
            uint32_t dev = inode.i_block[1];
            e.dev_major = (dev & 0xfff00) >> 8;
            e.dev_minor = (dev & 0xff) | ((dev >> 12) & 0xfff00);
        }
        rc = add_entry(img, &e);
        break;
    }
    case LINUX_S_IFIFO:
        e.type = IC_FT_FIFO;
        rc = add_entry(img, &e);
        break;
    case LINUX_S_IFSOCK:
        e.type = IC_FT_SOCKET;
        rc = add_entry(img, &e);
        break;
    default:
        ic_extract_diag(img->x, IC_DIAG_WARNING, IC_E_FORMAT, -1,
                        "%s: inode %u has unknown type %#o", e.path, ino, kind);
        break;
    }
    free(target);
    free(path);
    return rc;
}

static void free_children(struct ext_image *img)
{
    for (size_t i = 0; i < img->child_count; i++)
        free(img->children[i].name);
    img->child_count = 0;
}

static int walk_dir(struct ext_image *img, const struct dir_job *dir)
{
    const char *shown = dir->path[0] ? dir->path : "/";
    img->listing_error = 0;
    errcode_t err = ext2fs_dir_iterate2(img->fs, dir->ino, 0, NULL, collect_child, img);
    if (img->listing_error) {
        free_children(img);
        return img->listing_error;
    }
    if (err)
        ic_extract_diag(img->x, IC_DIAG_ERROR, ext_to_ic(err), -1,
                        "%s: directory %s after %zu entries: %s", shown,
                        img->child_count ? "broken" : "unreadable", img->child_count,
                        ext_error_text(err));
    size_t dir_len = strlen(dir->path);
    int rc = IC_OK;
    for (size_t i = 0; i < img->child_count && rc == IC_OK && !img->stop; i++) {
        const char *name = img->children[i].name;
        if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
            continue; /* inline-data directories list them without flags */
        if (!valid_name(name)) {
            ic_extract_diag(img->x, IC_DIAG_WARNING, IC_E_UNSAFE_PATH, -1,
                            "%s: entry with an invalid name skipped", shown);
            continue;
        }
        size_t name_len = strlen(name);
        char *path = malloc(dir_len + name_len + 2);
        if (!path) {
            rc = IC_E_NOMEM;
            break;
        }
        memcpy(path, dir->path, dir_len);
        path[dir_len] = '/';
        memcpy(path + dir_len + 1, name, name_len + 1);
        rc = handle_inode(img, path, img->children[i].ino, dir->depth + 1);
        if ((i & 255) == 255 && ic_extract_expired(img->x))
            img->stop = 1;
    }
    free_children(img);
    return rc;
}

static void walk(struct ext_image *img)
{
    char *root = calloc(1, 1);
    if (!root || handle_inode(img, root, EXT2_ROOT_INO, 0))
        return;
    while (img->dir_count > 0 && !img->stop) {
        struct dir_job dir = img->dirs[--img->dir_count];
        int rc = walk_dir(img, &dir);
        free(dir.path);
        if (rc)
            img->stop = 1;
    }
}

static void image_release(struct ext_image *img)
{
    for (size_t i = 0; i < img->dir_count; i++)
        free(img->dirs[i].path);
    free(img->dirs);
    free(img->listed_dirs.slots);
    for (size_t i = 0; i < img->shared_count; i++)
        ic_blob_unref(img->shared[i].content);
    free(img->shared);
    free_children(img);
    free(img->children);
}

/* ---- the format ------------------------------------------------------------------ */

struct ext_geometry {
    uint64_t blocks;
    uint32_t block_size;
    uint32_t inodes;
    const char *flavour;
};

/* Checks the superblock enough to call this ext2/3/4 and to let libext2fs
 * near it: sizes in range, and a group descriptor table that fits the bytes. */
static int superblock_check(const struct ic_extract *x, struct ext_geometry *g)
{
    if (x->size < SUPERBLOCK_OFFSET + 1024)
        return IC_E_TRUNCATED;
    const uint8_t *sb = x->data + SUPERBLOCK_OFFSET;
    if (ic_load_u16le(sb + 56) != EXT_MAGIC)
        return IC_E_BAD_MAGIC;
    uint32_t inodes = ic_load_u32le(sb + 0);
    uint64_t blocks = ic_load_u32le(sb + 4);
    uint32_t first_data_block = ic_load_u32le(sb + 20);
    uint32_t log_block = ic_load_u32le(sb + 24);
    uint32_t blocks_per_group = ic_load_u32le(sb + 32);
    uint32_t inodes_per_group = ic_load_u32le(sb + 40);
    uint32_t rev = ic_load_u32le(sb + 76);
    uint16_t inode_size = rev == 0 ? 128 : ic_load_u16le(sb + 88);
    uint32_t compat = ic_load_u32le(sb + 92);
    uint32_t incompat = ic_load_u32le(sb + 96);
    uint32_t ro_compat = ic_load_u32le(sb + 100);
    uint32_t desc_size = 32;
    if (incompat & EXT4_FEATURE_INCOMPAT_64BIT) {
        blocks |= (uint64_t)ic_load_u32le(sb + 0x150) << 32;
        desc_size = ic_load_u16le(sb + 0xfe);
        if (desc_size < 32 || desc_size > 1024 || (desc_size & (desc_size - 1)))
            return IC_E_FORMAT;
    }
    if (log_block > 6 || rev > 1 || inodes == 0 || blocks == 0 || inodes_per_group == 0)
        return IC_E_FORMAT;
    uint32_t block_size = 1024u << log_block;
    if (inode_size < 128 || inode_size > block_size || (inode_size & (inode_size - 1)))
        return IC_E_FORMAT;
    if (blocks_per_group < 8 || blocks_per_group > 8 * block_size ||
        inodes_per_group > 8 * block_size || first_data_block >= blocks ||
        first_data_block != (block_size == 1024 ? 1u : 0u))
        return IC_E_FORMAT;
    if (blocks > UINT64_MAX / block_size)
        return IC_E_FORMAT;
    uint64_t groups = (blocks - first_data_block + blocks_per_group - 1) / blocks_per_group;
    if (groups * (uint64_t)inodes_per_group < inodes)
        return IC_E_FORMAT;
    /* libext2fs reads the whole descriptor table on open: it must lie in the bytes we have. */
    uint64_t table_end = (uint64_t)(first_data_block + 1) * block_size + groups * desc_size;
    if (table_end > x->size)
        return IC_E_TRUNCATED;
    g->blocks = blocks;
    g->block_size = block_size;
    g->inodes = inodes;
    if ((incompat & (EXT3_FEATURE_INCOMPAT_EXTENTS | EXT4_FEATURE_INCOMPAT_64BIT |
                     EXT4_FEATURE_INCOMPAT_FLEX_BG | EXT4_FEATURE_INCOMPAT_INLINE_DATA)) ||
        (ro_compat & (EXT4_FEATURE_RO_COMPAT_HUGE_FILE | EXT4_FEATURE_RO_COMPAT_GDT_CSUM |
                      EXT4_FEATURE_RO_COMPAT_DIR_NLINK | EXT4_FEATURE_RO_COMPAT_EXTRA_ISIZE |
                      EXT4_FEATURE_RO_COMPAT_METADATA_CSUM)))
        g->flavour = "ext4";
    else if (compat & EXT3_FEATURE_COMPAT_HAS_JOURNAL)
        g->flavour = "ext3";
    else
        g->flavour = "ext2";
    return IC_OK;
}

static int ext_unpack(struct ic_extract *x)
{
    struct ext_geometry g;
    int rc = superblock_check(x, &g);
    if (rc)
        return rc;
    uint64_t extent = g.blocks * g.block_size;
    if (extent > x->size) {
        ic_extract_diag(x, IC_DIAG_ERROR, IC_E_TRUNCATED, (int64_t)x->size,
                        "image is truncated: %llu of %llu bytes present",
                        (unsigned long long)x->size, (unsigned long long)extent);
        extent = x->size;
    }
    ic_extract_set_extent(x, extent);
    ic_extract_set_info(x, "%s, %u inodes, block %u", g.flavour, g.inodes, g.block_size);

    struct memory_image memory = {.data = x->data, .size = extent};
    struct ext_image img = {.x = x};
    image_to_open = &memory;
    errcode_t err =
        ext2fs_open2("iotcop-memory", NULL, EXT2_FLAG_64BITS | EXT2_FLAG_IGNORE_CSUM_ERRORS, 0, 0,
                     &memory_io_manager, &img.fs);
    image_to_open = NULL;
    if (err) {
        ic_extract_diag(x, IC_DIAG_ERROR, ext_to_ic(err), SUPERBLOCK_OFFSET,
                        "file system cannot be opened: %s", ext_error_text(err));
        ic_extract_fs(x);
        return IC_OK;
    }
    walk(&img);
    if (img.entries == 0)
        ic_extract_fs(x);
    image_release(&img);
    ext2fs_close_free(&img.fs);
    return IC_OK;
}

const struct ic_format ic_format_ext = {
    .name = "ext",
    .description = "ext2, ext3 or ext4 file system",
    /* The magic and s_state (0 mounted, 1 clean, 2 errors, 3 both). */
    .magics = IC_MAGICS({"\x53\xef\x00\x00", 4, SUPERBLOCK_OFFSET + 56},
                        {"\x53\xef\x01\x00", 4, SUPERBLOCK_OFFSET + 56},
                        {"\x53\xef\x02\x00", 4, SUPERBLOCK_OFFSET + 56},
                        {"\x53\xef\x03\x00", 4, SUPERBLOCK_OFFSET + 56}),
    .unpack = ext_unpack,
};
