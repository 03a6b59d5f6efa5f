/* SquashFS 4.0, little-endian ("hsqs", or a vendor's magic on an otherwise
 * standard image, shown to libsquashfs as "hsqs"), read with libsquashfs
 * (squashfs-tools-ng) from the bytes in memory. Debian's libsquashfs has no
 * LZO, so LZO blocks go through liblzo2 here; LZMA blocks libsquashfs
 * refuses are retried as vendor LZMA (5-byte header). The directory walk is ours:
 * it lists each directory once (no loops, no exponential fan-out through
 * shared directories) and keeps what it read when the image is damaged.
 * File contents are decompressed in parallel, one data reader per task. */
#include "core/pool.h"
#include "unpack/format.h"

#include <lzma.h>
#include <lzo/lzo1x.h>
#include <pthread.h>
#include <sqfs/block.h>
#include <sqfs/compressor.h>
#include <sqfs/data_reader.h>
#include <sqfs/dir.h>
#include <sqfs/dir_reader.h>
#include <sqfs/error.h>
#include <sqfs/id_table.h>
#include <sqfs/inode.h>
#include <sqfs/io.h>
#include <sqfs/super.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define SUPERBLOCK_SIZE 96
/* Deeper directory nesting than this is not walked (paths stop at 4 KiB anyway). */
#define MAX_DIR_DEPTH 256
/* Files handed to a reading task at a time: neighbours share fragment blocks. */
#define FILES_PER_BATCH 16
/* Bytes asked of the data reader at once (its size argument is 32-bit). */
#define READ_CHUNK (64u << 20)

/* ---- the image as a read-only sqfs_file_t ----------------------------------- */

struct memory_file {
    sqfs_file_t base;
    const uint8_t *data;
    uint64_t size;
    int standard_magic; /* show libsquashfs "hsqs" over a vendor magic */
};

static int memory_read_at(sqfs_file_t *file, sqfs_u64 offset, void *buffer, size_t size)
{
    const struct memory_file *m = (const struct memory_file *)file;
    if (!ic_range_ok(offset, size, m->size))
        return SQFS_ERROR_OUT_OF_BOUNDS;
    memcpy(buffer, m->data + offset, size);
    for (sqfs_u64 i = offset; m->standard_magic && i < 4 && i < offset + size; i++)
        ((uint8_t *)buffer)[i - offset] = (uint8_t)"hsqs"[i];
    return 0;
}

static int memory_write_at(sqfs_file_t *file, sqfs_u64 offset, const void *buffer, size_t size)
{
    return SQFS_ERROR_IO;
}

static sqfs_u64 memory_get_size(const sqfs_file_t *file)
{
    return ((const struct memory_file *)file)->size;
}

static int memory_truncate(sqfs_file_t *file, sqfs_u64 size)
{
    return SQFS_ERROR_IO;
}

static void memory_destroy(sqfs_object_t *obj)
{
    /* Lives on the caller's stack; libsquashfs never owns it. */
}

static void memory_file_init(struct memory_file *m, const uint8_t *data, uint64_t size)
{
    memset(m, 0, sizeof(*m));
    m->base.base.destroy = memory_destroy;
    m->base.read_at = memory_read_at;
    m->base.write_at = memory_write_at;
    m->base.get_size = memory_get_size;
    m->base.truncate = memory_truncate;
    m->data = data;
    m->size = size;
}

/* ---- LZO through liblzo2 ----------------------------------------------------- */

struct lzo_decompressor {
    sqfs_compressor_t base;
    sqfs_u32 block_size;
};

static pthread_once_t lzo_once = PTHREAD_ONCE_INIT;
static int lzo_ready;

static void lzo_setup(void)
{
    lzo_ready = lzo_init() == LZO_E_OK;
}

static void lzo_get_configuration(const sqfs_compressor_t *cmp, sqfs_compressor_config_t *cfg)
{
    const struct lzo_decompressor *lzo = (const struct lzo_decompressor *)cmp;
    memset(cfg, 0, sizeof(*cfg));
    cfg->id = SQFS_COMP_LZO;
    cfg->flags = SQFS_COMP_FLAG_UNCOMPRESS;
    cfg->block_size = lzo->block_size;
    cfg->opt.lzo.algorithm = SQFS_LZO_DEFAULT_ALG;
    cfg->level = SQFS_LZO_DEFAULT_LEVEL;
}

static int refuse_write_options(sqfs_compressor_t *cmp, sqfs_file_t *file)
{
    return SQFS_ERROR_UNSUPPORTED;
}

/* The options (algorithm, level) only matter when compressing. */
static int lzo_read_options(sqfs_compressor_t *cmp, sqfs_file_t *file)
{
    return 0;
}

static sqfs_s32 lzo_do_block(sqfs_compressor_t *cmp, const sqfs_u8 *in, sqfs_u32 size, sqfs_u8 *out,
                             sqfs_u32 outsize)
{
    if (outsize > 0x7fffffffu)
        outsize = 0x7fffffffu;
    lzo_uint produced = outsize;
    int rc = lzo1x_decompress_safe(in, size, out, &produced, NULL);
    if (rc != LZO_E_OK && rc != LZO_E_INPUT_NOT_CONSUMED)
        return SQFS_ERROR_COMPRESSOR;
    return (sqfs_s32)produced;
}

static sqfs_object_t *lzo_copy(const sqfs_object_t *obj)
{
    struct lzo_decompressor *copy = malloc(sizeof(*copy));
    if (copy)
        memcpy(copy, obj, sizeof(*copy));
    return (sqfs_object_t *)copy;
}

static void lzo_destroy(sqfs_object_t *obj)
{
    free(obj);
}

static sqfs_compressor_t *lzo_decompressor_new(sqfs_u32 block_size)
{
    pthread_once(&lzo_once, lzo_setup);
    if (!lzo_ready)
        return NULL;
    struct lzo_decompressor *lzo = calloc(1, sizeof(*lzo));
    if (!lzo)
        return NULL;
    lzo->base.base.destroy = lzo_destroy;
    lzo->base.base.copy = lzo_copy;
    lzo->base.get_configuration = lzo_get_configuration;
    lzo->base.write_options = refuse_write_options;
    lzo->base.read_options = lzo_read_options;
    lzo->base.do_block = lzo_do_block;
    lzo->block_size = block_size;
    return &lzo->base;
}

/* ---- LZMA with vendor headers ----------------------------------------------------
 * Standard SquashFS LZMA blocks carry the 13-byte lzma_alone header. Vendor
 * kernels of the 2010s (Broadcom, Realtek SDKs) wrote a 5-byte header:
 * properties and dictionary size, no length, often with odd lc/lp/pb. When
 * libsquashfs refuses a block, it is decoded again as raw LZMA1. */

struct lzma_decompressor {
    sqfs_compressor_t base;
    sqfs_compressor_t *standard; /* libsquashfs's own, may be NULL */
    sqfs_u32 block_size;
};

static sqfs_s32 raw_lzma1(const sqfs_u8 *in, sqfs_u32 size, size_t header, sqfs_u8 *out,
                          sqfs_u32 outsize)
{
    if (size <= header || in[0] >= 9 * 5 * 5 || outsize == 0)
        return SQFS_ERROR_COMPRESSOR;
    unsigned props = in[0];
    lzma_options_lzma options;
    memset(&options, 0, sizeof(options));
    options.lc = props % 9;
    options.lp = (props / 9) % 5;
    options.pb = props / 45;
    if (options.lc + options.lp > LZMA_LCLP_MAX)
        return SQFS_ERROR_COMPRESSOR;
    /* Output never exceeds outsize, so neither need the window. */
    options.dict_size = outsize < LZMA_DICT_SIZE_MIN ? LZMA_DICT_SIZE_MIN : outsize;
    lzma_filter filters[2] = {{LZMA_FILTER_LZMA1, &options}, {LZMA_VLI_UNKNOWN, NULL}};
    lzma_stream strm = LZMA_STREAM_INIT;
    if (lzma_raw_decoder(&strm, filters) != LZMA_OK)
        return SQFS_ERROR_ALLOC;
    strm.next_in = in + header;
    strm.avail_in = size - header;
    strm.next_out = out;
    strm.avail_out = outsize;
    lzma_ret rc = LZMA_OK;
    while (rc == LZMA_OK && strm.avail_in > 0 && strm.avail_out > 0) {
        size_t before_in = strm.avail_in, before_out = strm.avail_out;
        rc = lzma_code(&strm, LZMA_RUN);
        if (rc == LZMA_OK && before_in == strm.avail_in && before_out == strm.avail_out)
            break;
    }
    size_t produced = outsize - strm.avail_out;
    lzma_end(&strm);
    if ((rc != LZMA_OK && rc != LZMA_STREAM_END) || produced == 0)
        return SQFS_ERROR_COMPRESSOR;
    return (sqfs_s32)produced;
}

static sqfs_s32 lzma_do_block(sqfs_compressor_t *cmp, const sqfs_u8 *in, sqfs_u32 size,
                              sqfs_u8 *out, sqfs_u32 outsize)
{
    struct lzma_decompressor *lz = (struct lzma_decompressor *)cmp;
    if (outsize > 0x7fffffffu)
        outsize = 0x7fffffffu;
    if (lz->standard) {
        sqfs_s32 rc = lz->standard->do_block(lz->standard, in, size, out, outsize);
        if (rc > 0)
            return rc;
    }
    sqfs_s32 rc = raw_lzma1(in, size, 5, out, outsize);
    if (rc <= 0)
        rc = raw_lzma1(in, size, 13, out, outsize); /* standard header, wrong length */
    return rc;
}

static void lzma_get_configuration(const sqfs_compressor_t *cmp, sqfs_compressor_config_t *cfg)
{
    const struct lzma_decompressor *lz = (const struct lzma_decompressor *)cmp;
    memset(cfg, 0, sizeof(cfg[0]));
    cfg->id = SQFS_COMP_LZMA;
    cfg->flags = SQFS_COMP_FLAG_UNCOMPRESS;
    cfg->block_size = lz->block_size;
}

static int lzma_read_options(sqfs_compressor_t *cmp, sqfs_file_t *file)
{
    return 0;
}

static void lzma_destroy(sqfs_object_t *obj)
{
    struct lzma_decompressor *lz = (struct lzma_decompressor *)obj;
    sqfs_destroy(lz->standard);
    free(lz);
}

static sqfs_compressor_t *lzma_decompressor_new(sqfs_u32 block_size, sqfs_compressor_t *standard);

static sqfs_object_t *lzma_copy(const sqfs_object_t *obj)
{
    const struct lzma_decompressor *lz = (const struct lzma_decompressor *)obj;
    sqfs_compressor_t *standard = lz->standard ? sqfs_copy(lz->standard) : NULL;
    if (lz->standard && !standard)
        return NULL;
    sqfs_compressor_t *copy = lzma_decompressor_new(lz->block_size, standard);
    if (!copy)
        sqfs_destroy(standard);
    return (sqfs_object_t *)copy;
}

/* Takes standard. */
static sqfs_compressor_t *lzma_decompressor_new(sqfs_u32 block_size, sqfs_compressor_t *standard)
{
    struct lzma_decompressor *lz = calloc(1, sizeof(*lz));
    if (!lz)
        return NULL;
    lz->base.base.destroy = lzma_destroy;
    lz->base.base.copy = lzma_copy;
    lz->base.get_configuration = lzma_get_configuration;
    lz->base.write_options = refuse_write_options;
    lz->base.read_options = lzma_read_options;
    lz->base.do_block = lzma_do_block;
    lz->standard = standard;
    lz->block_size = block_size;
    return &lz->base;
}

static int decompressor_new(const sqfs_super_t *super, sqfs_compressor_t **out)
{
    *out = NULL;
    if (super->compression_id == SQFS_COMP_LZO) {
        *out = lzo_decompressor_new(super->block_size);
        return *out ? 0 : SQFS_ERROR_ALLOC;
    }
    sqfs_compressor_config_t cfg;
    int rc = sqfs_compressor_config_init(&cfg, (SQFS_COMPRESSOR)super->compression_id,
                                         super->block_size, SQFS_COMP_FLAG_UNCOMPRESS);
    if (rc == 0)
        rc = sqfs_compressor_create(&cfg, out);
    if (super->compression_id == SQFS_COMP_LZMA) {
        sqfs_compressor_t *standard = rc == 0 ? *out : NULL;
        *out = lzma_decompressor_new(super->block_size, standard);
        if (!*out) {
            sqfs_destroy(standard);
            return SQFS_ERROR_ALLOC;
        }
        return 0;
    }
    return rc;
}

/* ---- small helpers ------------------------------------------------------------ */

static int sqfs_to_ic(int err)
{
    switch (err) {
    case SQFS_ERROR_ALLOC:
        return IC_E_NOMEM;
    case SQFS_ERROR_COMPRESSOR:
        return IC_E_DECOMPRESS;
    case SQFS_ERROR_OUT_OF_BOUNDS:
        return IC_E_TRUNCATED;
    case SQFS_ERROR_UNSUPPORTED:
        return IC_E_UNSUPPORTED;
    case SQFS_ERROR_LINK_LOOP:
        return IC_E_LOOP;
    default:
        return IC_E_FORMAT;
    }
}

static const char *sqfs_error_text(int err)
{
    switch (err) {
    case SQFS_ERROR_ALLOC:
        return "out of memory";
    case SQFS_ERROR_IO:
        return "read error";
    case SQFS_ERROR_COMPRESSOR:
        return "decompression failed";
    case SQFS_ERROR_CORRUPTED:
        return "corrupted data";
    case SQFS_ERROR_UNSUPPORTED:
        return "unsupported feature";
    case SQFS_ERROR_OVERFLOW:
        return "numeric overflow";
    case SQFS_ERROR_OUT_OF_BOUNDS:
        return "location outside the image";
    case SQFS_ERROR_NOT_DIR:
        return "not a directory";
    case SQFS_ERROR_NO_ENTRY:
        return "no such entry";
    case SQFS_ERROR_LINK_LOOP:
        return "directory loop";
    default:
        return "malformed data";
    }
}

static const char *compressor_name(unsigned id)
{
    static const char *const names[] = {"?", "gzip", "lzma", "lzo", "xz", "lz4", "zstd"};
    return id < sizeof(names) / sizeof(names[0]) ? names[id] : "?";
}

/* An open-addressing map from 64-bit keys to values; keys are stored +1 so 0 marks a free slot. */
struct u64_map {
    uint64_t *keys;
    uint64_t *values;
    size_t cap, count;
};

static int u64_map_grow(struct u64_map *m);

static uint64_t *u64_map_slot(const struct u64_map *m, uint64_t key, int *found)
{
    uint64_t h = (key + 1) * 0x9e3779b97f4a7c15ULL;
    size_t mask = m->cap - 1;
    for (size_t i = (size_t)(h >> 20) & mask;; i = (i + 1) & mask) {
        if (m->keys[i] == key + 1) {
            *found = 1;
            return &m->keys[i];
        }
        if (m->keys[i] == 0) {
            *found = 0;
            return &m->keys[i];
        }
    }
}

/* Returns 1 and the stored value when key is present; else stores value and returns 0
 * (or a negative IC error when memory runs out). */
static int u64_map_get_or_put(struct u64_map *m, uint64_t key, uint64_t value, uint64_t *stored)
{
    if ((m->count + 1) * 2 > m->cap && u64_map_grow(m))
        return -IC_E_NOMEM;
    int found = 0;
    uint64_t *slot = u64_map_slot(m, key, &found);
    size_t index = (size_t)(slot - m->keys);
    if (found) {
        if (stored)
            *stored = m->values[index];
        return 1;
    }
    *slot = key + 1;
    m->values[index] = value;
    m->count++;
    return 0;
}

static int u64_map_grow(struct u64_map *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 64;
    uint64_t *keys = calloc(ncap, sizeof(*keys));
    uint64_t *values = calloc(ncap, sizeof(*values));
    if (!keys || !values) {
        free(keys);
        free(values);
        return IC_E_NOMEM;
    }
    struct u64_map bigger = {keys, values, ncap, 0};
    for (size_t i = 0; i < m->cap; i++) {
        if (m->keys[i]) {
            int found = 0;
            uint64_t *slot = u64_map_slot(&bigger, m->keys[i] - 1, &found);
            *slot = m->keys[i];
            bigger.values[slot - bigger.keys] = m->values[i];
            bigger.count++;
        }
    }
    free(m->keys);
    free(m->values);
    *m = bigger;
    return IC_OK;
}

static void u64_map_release(struct u64_map *m)
{
    free(m->keys);
    free(m->values);
    memset(m, 0, sizeof(*m));
}

/* ---- the walk ----------------------------------------------------------------- */

struct dir_job {
    char *path; /* "" for the root */
    sqfs_inode_generic_t *inode;
    unsigned depth;
};

struct file_job {
    char *path;
    sqfs_inode_generic_t *inode;
    uint64_t size;
    size_t same_as; /* index of an earlier job sharing the inode, or SIZE_MAX */
    int wanted;     /* charged: read the content */
    int err;        /* IC error of the read */
    int sqfs_err;
    struct ic_blob *content;
};

struct sqfs_image {
    struct ic_extract *x;
    struct memory_file file;
    sqfs_super_t super;
    sqfs_compressor_t *cmp;
    sqfs_dir_reader_t *dir_reader;
    sqfs_id_table_t *ids;
    int ids_ok;
    int fragments_ok;
    int id_error_reported;

    struct dir_job *dirs;
    size_t dir_count, dir_cap;
    struct file_job *files;
    size_t file_count, file_cap;
    struct u64_map listed_dirs; /* directory listing locations already walked */
    struct u64_map hardlinks;   /* inode number -> first file job */
    uint64_t entries;
    int stop; /* a limit was hit: add no more entries */
    int stop_content;

    /* Reading in parallel. */
    atomic_size_t next_batch;
    atomic_int out_of_time; /* set by task 0 alone: the engine is not thread-safe */
    size_t skipped_for_time;
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

static uint32_t lookup_id(struct sqfs_image *img, sqfs_u16 index, const char *path)
{
    sqfs_u32 id = 0;
    if (img->ids_ok && sqfs_id_table_index_to_id(img->ids, index, &id) == 0)
        return id;
    if (!img->id_error_reported) {
        img->id_error_reported = 1;
        ic_extract_diag(img->x, IC_DIAG_WARNING, IC_E_FORMAT, -1,
                        "owner index %u of %s is not in the id table; using 0", index,
                        path[0] ? path : "/");
    }
    return 0;
}

static void fill_common(struct sqfs_image *img, const sqfs_inode_generic_t *inode, const char *path,
                        struct ic_entry *e)
{
    memset(e, 0, sizeof(*e));
    e->path = path[0] ? path : "/";
    e->mode = inode->base.mode & 07777;
    e->uid = lookup_id(img, inode->base.uid_idx, path);
    e->gid = lookup_id(img, inode->base.gid_idx, path);
    e->mtime = inode->base.mod_time;
}

static int add_entry(struct sqfs_image *img, const struct ic_entry *e)
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

/* Directory listing location, the key for "already walked". */
static int dir_listing(const sqfs_inode_generic_t *inode, uint64_t *key, uint64_t *size)
{
    if (inode->base.type == SQFS_INODE_DIR) {
        *key = ((uint64_t)inode->data.dir.start_block << 16) | inode->data.dir.offset;
        *size = inode->data.dir.size;
        return 1;
    }
    if (inode->base.type == SQFS_INODE_EXT_DIR) {
        *key = ((uint64_t)inode->data.dir_ext.start_block << 16) | inode->data.dir_ext.offset;
        *size = inode->data.dir_ext.size;
        return 1;
    }
    return 0;
}

/* Queues a directory for walking unless it was walked already. Takes the inode. */
static int queue_dir(struct sqfs_image *img, char *path, sqfs_inode_generic_t *inode,
                     unsigned depth)
{
    uint64_t key = 0, size = 0;
    dir_listing(inode, &key, &size);
    if (size <= 3) { /* empty: nothing to list */
        free(path);
        free(inode);
        return IC_OK;
    }
    if (depth > MAX_DIR_DEPTH) {
        ic_extract_diag(img->x, IC_DIAG_WARNING, IC_E_LIMIT_DEPTH, -1,
                        "%s: directories nested deeper than %d are not listed", path,
                        MAX_DIR_DEPTH);
        free(path);
        free(inode);
        return IC_OK;
    }
    int seen = u64_map_get_or_put(&img->listed_dirs, key, 0, NULL);
    if (seen != 0) {
        if (seen > 0)
            ic_extract_diag(img->x, IC_DIAG_WARNING, IC_E_LOOP, -1,
                            "%s: directory already listed elsewhere (loop or shared "
                            "directory); not listed again",
                            path[0] ? path : "/");
        free(path);
        free(inode);
        return seen > 0 ? IC_OK : IC_E_NOMEM;
    }
    if (grow_array((void **)&img->dirs, &img->dir_cap, img->dir_count, sizeof(*img->dirs))) {
        free(path);
        free(inode);
        return IC_E_NOMEM;
    }
    img->dirs[img->dir_count++] = (struct dir_job){path, inode, depth};
    return IC_OK;
}

static int queue_file(struct sqfs_image *img, char *path, sqfs_inode_generic_t *inode)
{
    if (grow_array((void **)&img->files, &img->file_cap, img->file_count, sizeof(*img->files))) {
        free(path);
        free(inode);
        return IC_E_NOMEM;
    }
    sqfs_u64 size = 0;
    sqfs_inode_get_file_size(inode, &size);
    size_t same_as = SIZE_MAX;
    if (inode->base.type == SQFS_INODE_EXT_FILE && inode->data.file_ext.nlink > 1) {
        uint64_t first = 0;
        int found =
            u64_map_get_or_put(&img->hardlinks, inode->base.inode_number, img->file_count, &first);
        if (found < 0) {
            free(path);
            free(inode);
            return IC_E_NOMEM;
        }
        if (found)
            same_as = (size_t)first;
    }
    img->files[img->file_count++] =
        (struct file_job){.path = path, .inode = inode, .size = size, .same_as = same_as};
    return IC_OK;
}

/* Emits one directory entry that is not a regular file; files are queued. Takes path and inode. */
static int handle_inode(struct sqfs_image *img, char *path, sqfs_inode_generic_t *inode,
                        unsigned depth)
{
    struct ic_entry e;
    fill_common(img, inode, path, &e);
    int rc = IC_OK;
    switch (inode->base.type) {
    case SQFS_INODE_DIR:
    case SQFS_INODE_EXT_DIR:
        e.type = IC_FT_DIR;
        rc = add_entry(img, &e);
        if (rc == IC_OK)
            return queue_dir(img, path, inode, depth);
        break;
    case SQFS_INODE_FILE:
    case SQFS_INODE_EXT_FILE:
        return queue_file(img, path, inode);
    case SQFS_INODE_SLINK:
    case SQFS_INODE_EXT_SLINK: {
        size_t len = inode->data.slink.target_size;
        if (len > inode->payload_bytes_used)
            len = inode->payload_bytes_used;
        char *target = malloc(len + 1);
        if (!target) {
            rc = IC_E_NOMEM;
            break;
        }
        memcpy(target, inode->extra, len);
        target[len] = '\0';
        e.type = IC_FT_SYMLINK;
        e.link = target;
        e.size = strlen(target);
        rc = add_entry(img, &e);
        free(target);
        break;
    }
    case SQFS_INODE_BDEV:
    case SQFS_INODE_CDEV:
    case SQFS_INODE_EXT_BDEV:
    case SQFS_INODE_EXT_CDEV: {
        uint32_t devno =
            (inode->base.type == SQFS_INODE_BDEV || inode->base.type == SQFS_INODE_CDEV)
                ? inode->data.dev.devno
                : inode->data.dev_ext.devno;
        int block = inode->base.type == SQFS_INODE_BDEV || inode->base.type == SQFS_INODE_EXT_BDEV;
        e.type = block ? IC_FT_BLOCKDEV : IC_FT_CHARDEV;
        e.dev_major = (devno >> 8) & 0xfff;
        e.dev_minor = (devno & 0xff) | ((devno >> 12) & 0xfff00);
        rc = add_entry(img, &e);
        break;
    }
    case SQFS_INODE_FIFO:
    case SQFS_INODE_EXT_FIFO:
        e.type = IC_FT_FIFO;
        rc = add_entry(img, &e);
        break;
    case SQFS_INODE_SOCKET:
    case SQFS_INODE_EXT_SOCKET:
        e.type = IC_FT_SOCKET;
        rc = add_entry(img, &e);
        break;
    default:
        ic_extract_diag(img->x, IC_DIAG_WARNING, IC_E_FORMAT, -1, "%s: unknown inode type %u", path,
                        inode->base.type);
        break;
    }
    free(path);
    free(inode);
    return rc;
}

static int valid_name(const char *name)
{
    return name[0] && strcmp(name, ".") != 0 && strcmp(name, "..") != 0 && !strchr(name, '/');
}

/* Lists one directory: its subdirectories are queued, its files collected. */
static int walk_dir(struct sqfs_image *img, const struct dir_job *dir)
{
    const char *shown = dir->path[0] ? dir->path : "/";
    int err = sqfs_dir_reader_open_dir(img->dir_reader, dir->inode, SQFS_DIR_OPEN_NO_DOT_ENTRIES);
    if (err) {
        ic_extract_diag(img->x, IC_DIAG_ERROR, sqfs_to_ic(err), -1, "%s: directory unreadable: %s",
                        shown, sqfs_error_text(err));
        return IC_OK;
    }
    size_t dir_len = strlen(dir->path);
    for (unsigned n = 0;; n++) {
        if ((n & 255) == 255 && ic_extract_expired(img->x)) {
            img->stop = 1;
            return IC_E_LIMIT_TIME;
        }
        sqfs_dir_entry_t *ent = NULL;
        err = sqfs_dir_reader_read(img->dir_reader, &ent);
        if (err > 0)
            break;
        if (err < 0) {
            ic_extract_diag(img->x, IC_DIAG_ERROR, sqfs_to_ic(err), -1,
                            "%s: directory listing broken after %u entries: %s", shown, n,
                            sqfs_error_text(err));
            break;
        }
        const char *name = (const char *)ent->name;
        if (!valid_name(name)) {
            ic_extract_diag(img->x, IC_DIAG_WARNING, IC_E_UNSAFE_PATH, -1,
                            "%s: entry with an invalid name skipped", shown);
            sqfs_free(ent);
            continue;
        }
        size_t name_len = strlen(name);
        char *path = malloc(dir_len + name_len + 2);
        if (!path) {
            sqfs_free(ent);
            return IC_E_NOMEM;
        }
        memcpy(path, dir->path, dir_len);
        path[dir_len] = '/';
        memcpy(path + dir_len + 1, name, name_len + 1);
        sqfs_free(ent);

        sqfs_inode_generic_t *inode = NULL;
        err = sqfs_dir_reader_get_inode(img->dir_reader, &inode);
        if (err) {
            ic_extract_diag(img->x, IC_DIAG_ERROR, sqfs_to_ic(err), -1, "%s: inode unreadable: %s",
                            path, sqfs_error_text(err));
            free(path);
            continue;
        }
        int rc = handle_inode(img, path, inode, dir->depth + 1);
        if (rc)
            return rc;
    }
    return IC_OK;
}

static void walk(struct sqfs_image *img)
{
    sqfs_inode_generic_t *root = NULL;
    int err = sqfs_dir_reader_get_root_inode(img->dir_reader, &root);
    if (err) {
        ic_extract_diag(img->x, IC_DIAG_ERROR, sqfs_to_ic(err), -1, "root inode unreadable: %s",
                        sqfs_error_text(err));
        return;
    }
    if (root->base.type != SQFS_INODE_DIR && root->base.type != SQFS_INODE_EXT_DIR) {
        ic_extract_diag(img->x, IC_DIAG_ERROR, IC_E_FORMAT, -1, "root inode is not a directory");
        free(root);
        return;
    }
    char *root_path = calloc(1, 1);
    if (!root_path) {
        free(root);
        return;
    }
    if (handle_inode(img, root_path, root, 0))
        return;
    /* Depth first, last queued first; each directory was queued at most once. */
    while (img->dir_count > 0 && !img->stop) {
        struct dir_job dir = img->dirs[--img->dir_count];
        int rc = walk_dir(img, &dir);
        free(dir.path);
        free(dir.inode);
        if (rc && rc != IC_E_LIMIT_TIME && !img->stop)
            img->stop = 1;
    }
}

/* ---- file contents -------------------------------------------------------------- */

static int read_file(sqfs_data_reader_t *reader, struct file_job *job)
{
    uint8_t *data = malloc(job->size);
    if (!data)
        return IC_E_NOMEM;
    uint64_t done = 0;
    while (done < job->size) {
        uint64_t want = job->size - done;
        sqfs_u32 chunk = want > READ_CHUNK ? READ_CHUNK : (sqfs_u32)want;
        sqfs_s32 got = sqfs_data_reader_read(reader, job->inode, done, data + done, chunk);
        if (got <= 0) {
            job->sqfs_err = got;
            free(data);
            return got == 0 ? IC_E_TRUNCATED : sqfs_to_ic(got);
        }
        done += (uint64_t)got;
    }
    int rc = ic_blob_from_owned(data, job->size, &job->content);
    if (rc)
        free(data);
    return rc;
}

static void read_task(void *arg, size_t task)
{
    struct sqfs_image *img = arg;
    sqfs_compressor_t *cmp = sqfs_copy(img->cmp);
    if (!cmp && decompressor_new(&img->super, &cmp))
        cmp = NULL;
    sqfs_data_reader_t *reader = NULL;
    int setup_err = IC_E_NOMEM;
    if (cmp) {
        reader = sqfs_data_reader_create(&img->file.base, img->super.block_size, cmp, 0);
        if (reader && img->fragments_ok)
            sqfs_data_reader_load_fragment_table(reader, &img->super);
    }
    size_t batches = (img->file_count + FILES_PER_BATCH - 1) / FILES_PER_BATCH;
    for (;;) {
        size_t b = atomic_fetch_add(&img->next_batch, 1);
        if (b >= batches)
            break;
        size_t end = (b + 1) * FILES_PER_BATCH;
        if (end > img->file_count)
            end = img->file_count;
        if (task == 0 && ic_extract_expired(img->x))
            atomic_store(&img->out_of_time, 1);
        int late = atomic_load(&img->out_of_time);
        for (size_t i = b * FILES_PER_BATCH; i < end; i++) {
            struct file_job *job = &img->files[i];
            if (!job->wanted)
                continue;
            if (late)
                job->err = IC_E_LIMIT_TIME;
            else
                job->err = reader ? read_file(reader, job) : setup_err;
        }
    }
    sqfs_destroy(reader);
    sqfs_destroy(cmp);
}

static void read_contents(struct sqfs_image *img)
{
    uint64_t wanted_bytes = 0;
    if (img->stop)
        return;
    for (size_t i = 0; i < img->file_count; i++) {
        struct file_job *job = &img->files[i];
        if (job->same_as != SIZE_MAX || job->size == 0 || img->stop_content)
            continue;
        if (job->size > ic_extract_max_file_size(img->x)) {
            ic_extract_diag(img->x, IC_DIAG_WARNING, IC_E_LIMIT_FILE_SIZE, -1,
                            "%s: %llu bytes, over the per-file limit; content not read", job->path,
                            (unsigned long long)job->size);
            continue;
        }
        int rc = ic_extract_charge(img->x, job->size);
        if (rc == IC_E_LIMIT_FILE_SIZE)
            continue;
        if (rc) {
            ic_extract_diag(img->x, IC_DIAG_ERROR, rc, -1,
                            "%s and later files: content not read (%s)", job->path,
                            ic_error_message(rc));
            img->stop_content = 1;
            continue;
        }
        job->wanted = 1;
        wanted_bytes += job->size;
    }
    if (wanted_bytes == 0)
        return;
    unsigned threads = ic_limits_threads(img->x->limits);
    size_t batches = (img->file_count + FILES_PER_BATCH - 1) / FILES_PER_BATCH;
    /* Small images are not worth the threads. */
    if (wanted_bytes < (4u << 20) || batches < 2)
        threads = 1;
    if (threads > batches)
        threads = (unsigned)batches;
    atomic_init(&img->next_batch, 0);
    atomic_init(&img->out_of_time, 0);
    struct ic_pool *pool = threads > 1 ? ic_pool_new(threads) : NULL;
    ic_pool_for(pool, pool ? ic_pool_threads(pool) : 1, read_task, img);
    ic_pool_free(pool);
}

static void emit_files(struct sqfs_image *img)
{
    for (size_t i = 0; i < img->file_count && !img->stop; i++) {
        struct file_job *job = &img->files[i];
        struct ic_entry e;
        fill_common(img, job->inode, job->path, &e);
        e.type = IC_FT_FILE;
        e.size = job->size;
        const struct file_job *source = job->same_as != SIZE_MAX ? &img->files[job->same_as] : job;
        e.content = source->content;
        if (source->err == IC_E_LIMIT_TIME && job == source)
            img->skipped_for_time++;
        else if (source->wanted && source->err && job == source)
            ic_extract_diag(img->x, IC_DIAG_ERROR, source->err, -1, "%s: content unreadable: %s",
                            job->path,
                            source->sqfs_err ? sqfs_error_text(source->sqfs_err)
                                             : ic_error_message(source->err));
        if (e.content)
            e.size = ic_blob_size(e.content);
        add_entry(img, &e);
    }
    if (img->skipped_for_time)
        ic_extract_diag(img->x, IC_DIAG_ERROR, IC_E_LIMIT_TIME, -1,
                        "content of %zu files not read: time limit reached", img->skipped_for_time);
}

static void image_release(struct sqfs_image *img)
{
    for (size_t i = 0; i < img->dir_count; i++) {
        free(img->dirs[i].path);
        free(img->dirs[i].inode);
    }
    free(img->dirs);
    for (size_t i = 0; i < img->file_count; i++) {
        free(img->files[i].path);
        free(img->files[i].inode);
        ic_blob_unref(img->files[i].content);
    }
    free(img->files);
    u64_map_release(&img->listed_dirs);
    u64_map_release(&img->hardlinks);
    sqfs_destroy(img->dir_reader);
    sqfs_destroy(img->ids);
    sqfs_destroy(img->cmp);
}

/* ---- the format ------------------------------------------------------------------ */

/* Checks what must hold for this to be SquashFS 4.0 at all. */
static int superblock_plausible(const uint8_t *p)
{
    uint32_t block_size = ic_load_u32le(p + 12);
    uint16_t compressor = ic_load_u16le(p + 20);
    uint16_t block_log = ic_load_u16le(p + 22);
    uint16_t major = ic_load_u16le(p + 28), minor = ic_load_u16le(p + 30);
    if (major != 4 || minor != 0)
        return 0;
    if (block_size < SQFS_MIN_BLOCK_SIZE || block_size > SQFS_MAX_BLOCK_SIZE ||
        (block_size & (block_size - 1)) || block_log >= 32 || (1u << block_log) != block_size)
        return 0;
    return compressor >= SQFS_COMP_MIN && compressor <= SQFS_COMP_MAX;
}

/* Magics vendors put on otherwise standard little-endian images (binwalk's
 * src/signatures/squashfs.rs lists them); NULL for the standard one. */
static const char *vendor_magic(const uint8_t *p)
{
    static const char *const magics[] = {"shsq", "qshs", "tqsh", "hsqt", "sqlz", "zlqs", "sqsh"};
    for (size_t i = 0; i < sizeof(magics) / sizeof(magics[0]); i++)
        if (memcmp(p, magics[i], 4) == 0)
            return magics[i];
    return NULL;
}

static int squashfs_unpack(struct ic_extract *x)
{
    if (x->size < SUPERBLOCK_SIZE)
        return IC_E_BAD_MAGIC;
    const char *vendor = vendor_magic(x->data);
    if (!vendor && memcmp(x->data, "hsqs", 4) != 0)
        return IC_E_BAD_MAGIC;
    if (!superblock_plausible(x->data))
        return IC_E_BAD_MAGIC;
    uint64_t bytes_used = ic_load_u64le(x->data + 40);
    if (bytes_used < SUPERBLOCK_SIZE)
        return IC_E_FORMAT;

    struct sqfs_image img = {.x = x};
    uint64_t available = bytes_used;
    if (bytes_used > x->size) {
        ic_extract_diag(x, IC_DIAG_ERROR, IC_E_TRUNCATED, (int64_t)x->size,
                        "image is truncated: %llu of %llu bytes present",
                        (unsigned long long)x->size, (unsigned long long)bytes_used);
        available = x->size;
    }
    memory_file_init(&img.file, x->data, available);
    img.file.standard_magic = vendor != NULL;
    ic_extract_set_extent(x, available);

    int err = sqfs_super_read(&img.super, &img.file.base);
    if (err) {
        /* libsquashfs also insists on table order and bounds. */
        ic_extract_diag(x, IC_DIAG_ERROR, sqfs_to_ic(err), 0, "superblock rejected: %s",
                        sqfs_error_text(err));
        ic_extract_set_info(x, "SquashFS 4.0 %s, damaged superblock",
                            compressor_name(ic_load_u16le(x->data + 20)));
        return IC_OK;
    }
    sqfs_super_t *super = &img.super;
    ic_extract_set_info(x, "SquashFS 4.0 %s%s%s%s, %u inodes, block %u",
                        compressor_name(super->compression_id), vendor ? ", vendor magic \"" : "",
                        vendor ? vendor : "", vendor ? "\"" : "", super->inode_count,
                        super->block_size);

    err = decompressor_new(super, &img.cmp);
    if (err) {
        ic_extract_diag(x, IC_DIAG_ERROR, IC_E_UNSUPPORTED, -1, "no %s decompressor: %s",
                        compressor_name(super->compression_id), sqfs_error_text(err));
        image_release(&img);
        return IC_OK;
    }
    if ((super->flags & SQFS_FLAG_COMPRESSOR_OPTIONS) &&
        (err = img.cmp->read_options(img.cmp, &img.file.base)) != 0)
        ic_extract_diag(x, IC_DIAG_WARNING, sqfs_to_ic(err), SUPERBLOCK_SIZE,
                        "compressor options unreadable: %s", sqfs_error_text(err));

    img.ids = sqfs_id_table_create(0);
    if (img.ids && (err = sqfs_id_table_read(img.ids, &img.file.base, super, img.cmp)) == 0)
        img.ids_ok = 1;
    else if (img.ids)
        ic_extract_diag(x, IC_DIAG_ERROR, sqfs_to_ic(err), (int64_t)super->id_table_start,
                        "owner id table unreadable: %s", sqfs_error_text(err));

    /* Probe the fragment table once here; readers load their own copy later.
     * libsquashfs allocates the whole table from the count: the index of its
     * metadata blocks must be in the image before the count is believed. */
    sqfs_data_reader_t *probe = NULL;
    if (super->fragment_entry_count && !(super->flags & SQFS_FLAG_NO_FRAGMENTS)) {
        uint64_t table_bytes = (uint64_t)super->fragment_entry_count * 16;
        uint64_t index_bytes = (table_bytes + SQFS_META_BLOCK_SIZE - 1) / SQFS_META_BLOCK_SIZE * 8;
        if (!ic_range_ok(super->fragment_table_start, index_bytes, available))
            ic_extract_diag(x, IC_DIAG_ERROR, IC_E_TRUNCATED, (int64_t)super->fragment_table_start,
                            "fragment table of %u entries lies outside the image; file tails "
                            "will be missing",
                            super->fragment_entry_count);
        else
            probe = sqfs_data_reader_create(&img.file.base, super->block_size, img.cmp, 0);
    }
    if (probe) {
        err = sqfs_data_reader_load_fragment_table(probe, super);
        if (err == 0)
            img.fragments_ok = 1;
        else
            ic_extract_diag(x, IC_DIAG_ERROR, sqfs_to_ic(err), (int64_t)super->fragment_table_start,
                            "fragment table unreadable: %s; file tails will be missing",
                            sqfs_error_text(err));
        sqfs_destroy(probe);
    }

    img.dir_reader = sqfs_dir_reader_create(super, img.cmp, &img.file.base, 0);
    if (!img.dir_reader) {
        ic_extract_diag(x, IC_DIAG_ERROR, IC_E_NOMEM, -1, "directory reader unavailable");
        image_release(&img);
        return IC_OK;
    }
    walk(&img);
    read_contents(&img);
    emit_files(&img);
    if (img.entries == 0)
        ic_extract_fs(x); /* an empty tree still says "this is a file system" */
    image_release(&img);
    return IC_OK;
}

const struct ic_format ic_format_squashfs = {
    .name = "squashfs",
    .description = "SquashFS 4.0 file system (little-endian; standard and vendor magics)",
    .magics = IC_MAGICS({"hsqs", 4, 0}, {"shsq", 4, 0}, {"qshs", 4, 0}, {"tqsh", 4, 0},
                        {"hsqt", 4, 0}, {"sqlz", 4, 0}, {"zlqs", 4, 0}, {"sqsh", 4, 0}),
    .unpack = squashfs_unpack,
};
