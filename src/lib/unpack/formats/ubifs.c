/* UBIFS, the file system on UBI volumes.
 *
 * A volume is a run of logical erase blocks (LEBs) of the size the
 * superblock (LEB 0) gives. LEBs 1 and 2 hold copies of the master node,
 * which points at the root of the index, a B+ tree of index nodes whose
 * leaves are inode, directory entry, data and extended attribute nodes.
 * Then come the log (commit start and reference nodes naming the "buds":
 * journal LEBs written since the index was last committed), the LEB
 * properties, the orphan area and the main area. Every node starts with a
 * 24-byte common header (magic 0x06101831, CRC of the rest, sequence
 * number, length, type); everything is little-endian; CRCs are CRC-32
 * seeded with all ones and not inverted at the end.
 *
 * The reader takes the newest valid master node of either copy, walks the
 * index from its root (levels must fall by one per step; a node reached
 * twice is a loop and is reported), then replays the journal: nodes in the
 * buds newer than the commit win over the index, an inode with no links
 * left is deleted, a directory entry naming inode 0 removes the name, a
 * truncation drops the blocks past the new size. Orphans are counted. When
 * no index can be found the main area is scanned node by node, the newest
 * of each key winning. Every node's CRC is checked; bad nodes are reported
 * and not used. Extended attributes are ignored. File content is produced
 * on first use, decompressing its 4 KiB blocks (none, LZO, zlib, zstd). */
#include "core/array.h"
#include "unpack/flash/flash.h"
#include "unpack/format.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NODE_MAGIC 0x06101831u
#define CH_SIZE 24
#define SB_NODE_SIZE 4096
#define MST_NODE_SIZE 512
#define INO_NODE_SIZE 160
#define DENT_NODE_SIZE 56
#define DATA_NODE_SIZE 48
#define TRUN_NODE_SIZE 56
#define REF_NODE_SIZE 64
#define CS_NODE_SIZE 32
#define ORPH_NODE_SIZE 32
#define IDX_NODE_SIZE 28
#define KEY_SIZE 8
#define BLOCK_SIZE 4096u
#define ROOT_INO 1
#define LOG_LNUM 3
#define MAX_LEVELS 512
#define MAX_NAME 255
#define MAX_SYMLINK 4096
#define MAX_DIR_DEPTH 256
#define MAX_REPORTED 20

enum node_type {
    NT_INO = 0,
    NT_DATA = 1,
    NT_DENT = 2,
    NT_XENT = 3,
    NT_TRUN = 4,
    NT_PAD = 5,
    NT_SB = 6,
    NT_MST = 7,
    NT_REF = 8,
    NT_IDX = 9,
    NT_CS = 10,
    NT_ORPH = 11,
};

enum key_type { KEY_INO = 0, KEY_DATA = 1, KEY_DENT = 2, KEY_XENT = 3 };

#define FLG_AUTHENTICATION 0x20
#define FLG_ENCRYPTION 0x10

struct ino_rec {
    uint64_t inum, sqnum, pos;
};

struct dent_rec {
    uint64_t parent, inum, sqnum, pos;
    uint16_t nlen;
    uint8_t type;
};

struct data_rec {
    uint64_t inum, sqnum, pos;
    uint32_t block;
};

struct trun_rec {
    uint64_t inum, sqnum, new_size;
    uint64_t min_after; /* smallest new_size of this and later truncations of the inode */
};

/* What the index says a damaged or missing leaf was (from its branch key). */
struct lost_rec {
    uint64_t inum;
    uint32_t type, block;
};

struct ubifs {
    struct ic_extract *x;
    const uint8_t *d;
    uint64_t size;
    uint32_t leb_size, leb_cnt, log_lebs, lpt_lebs, orph_lebs, flags;
    uint32_t branch_size;
    uint16_t default_compr;
    uint64_t cmt_no, mst_sqnum;
    uint32_t log_lnum, root_lnum, root_offs, root_len;
    struct ino_rec *inos;
    size_t ino_count, ino_cap;
    struct dent_rec *dents;
    size_t dent_count, dent_cap;
    struct data_rec *datas;
    size_t data_count, data_cap;
    struct trun_rec *truns;
    size_t trun_count, trun_cap;
    struct lost_rec *lost;
    size_t lost_count, lost_cap;
    uint64_t nodes, bad_nodes, reported, orphans, replayed;
    int loop_reported, scanned, stop, stop_content;
};

/* ---- small helpers ------------------------------------------------------------------- */


static void bad_node(struct ubifs *fs, int code, uint64_t pos, const char *what)
{
    fs->bad_nodes++;
    if (fs->reported++ < MAX_REPORTED)
        ic_extract_diag(fs->x, IC_DIAG_WARNING, code, (int64_t)pos,
                        "node at LEB %llu offset 0x%llx: %s; not used",
                        (unsigned long long)(pos / fs->leb_size),
                        (unsigned long long)(pos % fs->leb_size), what);
}

/* A node whose header and CRC hold at pos, no longer than max; its length
 * in *len. Returns 0 for erased or foreign bytes, -1 for a damaged node. */
static int node_at(const struct ubifs *fs, uint64_t pos, uint64_t max, uint32_t *len)
{
    if (pos >= fs->size || fs->size - pos < CH_SIZE)
        return 0;
    const uint8_t *p = fs->d + pos;
    if (ic_load_u32le(p) != NODE_MAGIC)
        return 0;
    uint32_t n = ic_load_u32le(p + 16);
    if (n < CH_SIZE || n > max || n > fs->size - pos)
        return -1;
    if (ic_flash_crc32(p + 8, n - 8) != ic_load_u32le(p + 4))
        return -1;
    *len = n;
    return 1;
}

static uint64_t leb_pos(const struct ubifs *fs, uint32_t lnum, uint32_t offs)
{
    return (uint64_t)lnum * fs->leb_size + offs;
}

/* ---- leaf nodes --------------------------------------------------------------------- */

/* Records one leaf node (inode, entry, data, truncation); pos has been checked. */
static int add_leaf(struct ubifs *fs, uint64_t pos, uint32_t len)
{
    const uint8_t *p = fs->d + pos;
    uint8_t type = p[20];
    uint64_t sqnum = ic_load_u64le(p + 8);
    fs->nodes++;
    switch (type) {
    case NT_INO: {
        if (len < INO_NODE_SIZE || len - INO_NODE_SIZE < ic_load_u32le(p + 112)) {
            bad_node(fs, IC_E_FORMAT, pos, "inode node shorter than its fields");
            return IC_OK;
        }
        if (ic_array_grow((void **)&fs->inos, &fs->ino_cap, fs->ino_count, sizeof(*fs->inos)))
            return IC_E_NOMEM;
        fs->inos[fs->ino_count++] = (struct ino_rec){ic_load_u32le(p + 24), sqnum, pos};
        return IC_OK;
    }
    case NT_DENT: {
        uint16_t nlen = ic_load_u16le(p + 50);
        if (len < DENT_NODE_SIZE || nlen == 0 || nlen > MAX_NAME || nlen > len - DENT_NODE_SIZE) {
            bad_node(fs, IC_E_FORMAT, pos, "directory entry name does not fit its node");
            return IC_OK;
        }
        if (ic_array_grow((void **)&fs->dents, &fs->dent_cap, fs->dent_count, sizeof(*fs->dents)))
            return IC_E_NOMEM;
        fs->dents[fs->dent_count++] = (struct dent_rec){
            ic_load_u32le(p + 24), ic_load_u64le(p + 40), sqnum, pos, nlen, p[49]};
        return IC_OK;
    }
    case NT_DATA: {
        uint32_t dsize = len >= DATA_NODE_SIZE ? ic_load_u32le(p + 40) : UINT32_MAX;
        uint32_t key2 = len >= DATA_NODE_SIZE ? ic_load_u32le(p + 28) : 0;
        if (dsize > BLOCK_SIZE || (key2 >> 29) != KEY_DATA) {
            bad_node(fs, IC_E_FORMAT, pos, "data node with an impossible size or key");
            return IC_OK;
        }
        if (ic_array_grow((void **)&fs->datas, &fs->data_cap, fs->data_count, sizeof(*fs->datas)))
            return IC_E_NOMEM;
        fs->datas[fs->data_count++] =
            (struct data_rec){ic_load_u32le(p + 24), sqnum, pos, key2 & 0x1fffffffu};
        return IC_OK;
    }
    case NT_TRUN: {
        if (len < TRUN_NODE_SIZE) {
            bad_node(fs, IC_E_FORMAT, pos, "truncation node too short");
            return IC_OK;
        }
        if (ic_array_grow((void **)&fs->truns, &fs->trun_cap, fs->trun_count, sizeof(*fs->truns)))
            return IC_E_NOMEM;
        fs->truns[fs->trun_count++] =
            (struct trun_rec){ic_load_u32le(p + 24), sqnum, ic_load_u64le(p + 48), 0};
        return IC_OK;
    }
    default: /* extended attribute entries and anything else: ignored */
        return IC_OK;
    }
}

/* ---- the index -------------------------------------------------------------------- */

/* A map from 64-bit keys to indexes (open addressing; key+1 stored), for
 * index nodes walked, directories listed and hard-linked inodes. */
struct u64_map {
    uint64_t *keys;
    size_t *values;
    size_t cap, count;
};

static size_t u64_slot(uint64_t key, size_t cap)
{
    return (size_t)((key * 0x9e3779b97f4a7c15ULL) >> 20) & (cap - 1);
}

static size_t *u64_map_get(const struct u64_map *m, uint64_t key)
{
    if (!m->cap)
        return NULL;
    for (size_t k = u64_slot(key + 1, m->cap);; k = (k + 1) & (m->cap - 1)) {
        if (!m->keys[k])
            return NULL;
        if (m->keys[k] == key + 1)
            return &m->values[k];
    }
}

/* Adds key (value given) unless present. Returns 1 if it was present, 0 if
 * added, -1 when out of memory. */
static int u64_map_add(struct u64_map *m, uint64_t key, size_t value)
{
    if (u64_map_get(m, key))
        return 1;
    if ((m->count + 1) * 2 > m->cap) {
        size_t ncap = m->cap ? m->cap * 2 : 1024;
        uint64_t *keys = calloc(ncap, sizeof(*keys));
        size_t *values = calloc(ncap, sizeof(*values));
        if (!keys || !values) {
            free(keys);
            free(values);
            return -1;
        }
        for (size_t i = 0; i < m->cap; i++) {
            if (!m->keys[i])
                continue;
            size_t k = u64_slot(m->keys[i], ncap);
            while (keys[k])
                k = (k + 1) & (ncap - 1);
            keys[k] = m->keys[i];
            values[k] = m->values[i];
        }
        free(m->keys);
        free(m->values);
        m->keys = keys;
        m->values = values;
        m->cap = ncap;
    }
    size_t k = u64_slot(key + 1, m->cap);
    while (m->keys[k])
        k = (k + 1) & (m->cap - 1);
    m->keys[k] = key + 1;
    m->values[k] = value;
    m->count++;
    return 0;
}

static void u64_map_release(struct u64_map *m)
{
    free(m->keys);
    free(m->values);
    memset(m, 0, sizeof(*m));
}

struct idx_ref {
    uint64_t pos;
    uint32_t len;
    int level; /* expected level, -1 for the root */
};

/* Walks the index from the root; returns IC_OK, or an error when the root
 * itself is unusable (then the caller scans instead). */
static int walk_index(struct ubifs *fs)
{
    struct u64_map seen = {0};
    struct idx_ref *stack = NULL;
    size_t depth = 0, cap = 0;
    int rc = IC_OK;
    uint64_t root = leb_pos(fs, fs->root_lnum, fs->root_offs);
    uint32_t len = 0;
    if (fs->root_lnum >= fs->leb_cnt || node_at(fs, root, fs->leb_size, &len) != 1 ||
        len != fs->root_len || fs->d[root + 20] != NT_IDX) {
        ic_extract_diag(fs->x, IC_DIAG_ERROR, IC_E_CHECKSUM, (int64_t)root,
                        "index root at LEB %u offset 0x%x is not a valid index node", fs->root_lnum,
                        fs->root_offs);
        return IC_E_FORMAT;
    }
    if (ic_array_grow((void **)&stack, &cap, 0, sizeof(*stack)))
        return IC_E_NOMEM;
    stack[depth++] = (struct idx_ref){root, len, -1};
    while (depth > 0 && rc == IC_OK && !fs->stop) {
        struct idx_ref r = stack[--depth];
        if ((++fs->nodes & 1023) == 0 && ic_extract_expired(fs->x)) {
            ic_extract_diag(fs->x, IC_DIAG_ERROR, IC_E_LIMIT_TIME, -1,
                            "time limit reached while walking the index; the listing is partial");
            break;
        }
        int added = u64_map_add(&seen, r.pos, 0);
        if (added < 0) {
            rc = IC_E_NOMEM;
            break;
        }
        if (added) {
            if (!fs->loop_reported++)
                ic_extract_diag(fs->x, IC_DIAG_WARNING, IC_E_LOOP, (int64_t)r.pos,
                                "index node at LEB %llu offset 0x%llx reached twice (loop); "
                                "walked once",
                                (unsigned long long)(r.pos / fs->leb_size),
                                (unsigned long long)(r.pos % fs->leb_size));
            continue;
        }
        const uint8_t *p = fs->d + r.pos;
        if (p[20] != NT_IDX) {
            rc = add_leaf(fs, r.pos, r.len);
            continue;
        }
        uint16_t children = ic_load_u16le(p + 24);
        uint16_t level = ic_load_u16le(p + 26);
        if (r.len < IDX_NODE_SIZE || children == 0 ||
            children > (r.len - IDX_NODE_SIZE) / fs->branch_size || level >= MAX_LEVELS ||
            (r.level >= 0 && level != r.level)) {
            bad_node(fs, IC_E_FORMAT, r.pos, "index node with an impossible level or size");
            continue;
        }
        for (uint16_t i = 0; i < children; i++) {
            const uint8_t *b = p + IDX_NODE_SIZE + (size_t)i * fs->branch_size;
            uint32_t lnum = ic_load_u32le(b), offs = ic_load_u32le(b + 4);
            uint32_t blen = ic_load_u32le(b + 8);
            uint64_t cpos = leb_pos(fs, lnum, offs);
            uint32_t got = 0;
            if (lnum >= fs->leb_cnt || offs >= fs->leb_size) {
                bad_node(fs, IC_E_FORMAT, r.pos, "index branch points outside the volume");
                continue;
            }
            int ok = node_at(fs, cpos, fs->leb_size, &got);
            if ((ok != 1 || got != blen) && level == 0 &&
                !ic_array_grow((void **)&fs->lost, &fs->lost_cap, fs->lost_count, sizeof(*fs->lost))) {
                uint32_t k2 = ic_load_u32le(b + 16);
                fs->lost[fs->lost_count++] =
                    (struct lost_rec){ic_load_u32le(b + 12), k2 >> 29, k2 & 0x1fffffffu};
            }
            if (ok != 1 || got != blen) {
                bad_node(fs, ok == 0 ? IC_E_NOT_FOUND : IC_E_CHECKSUM, cpos,
                         ok == 0                  ? "no node where the index points"
                         : got != blen && ok == 1 ? "node length differs from its index branch"
                                                  : "CRC mismatch");
                continue;
            }
            int is_idx = fs->d[cpos + 20] == NT_IDX;
            if ((level > 0) != is_idx) {
                bad_node(fs, IC_E_FORMAT, cpos, "node type does not match its index level");
                continue;
            }
            if (is_idx) {
                if (ic_array_grow((void **)&stack, &cap, depth, sizeof(*stack))) {
                    rc = IC_E_NOMEM;
                    break;
                }
                stack[depth++] = (struct idx_ref){cpos, got, level - 1};
            } else if (u64_map_add(&seen, cpos, 0) == 0) {
                rc = add_leaf(fs, cpos, got);
                if (rc)
                    break;
            }
        }
    }
    free(stack);
    u64_map_release(&seen);
    return rc;
}

/* ---- the journal and the main-area scan ---------------------------------------------- */

/* Reads the nodes of LEB lnum from offs on, keeping those newer than
 * min_sqnum. A bud ends at its first invalid node; a scan (resync) skips
 * damaged bytes eight at a time. */
static int scan_leb(struct ubifs *fs, uint32_t lnum, uint32_t offs, uint64_t min_sqnum, int resync)
{
    uint64_t start = leb_pos(fs, lnum, 0);
    uint64_t end = start + fs->leb_size;
    if (end > fs->size)
        end = fs->size;
    uint64_t pos = start + offs;
    int in_bad = 0;
    while (pos + CH_SIZE <= end && !fs->stop) {
        uint32_t len = 0;
        int ok = node_at(fs, pos, end - pos, &len);
        if (ok != 1) {
            if (!resync)
                break;
            if (ok < 0 && !in_bad)
                bad_node(fs, IC_E_CHECKSUM, pos, "damaged node");
            in_bad = ok < 0 || in_bad;
            pos += 8;
            continue;
        }
        in_bad = 0;
        const uint8_t *p = fs->d + pos;
        uint64_t next = pos + len;
        if (p[20] == NT_PAD && len >= CH_SIZE + 4) {
            uint32_t pad = ic_load_u32le(p + 24);
            next = pad <= end - next ? next + pad : end;
        }
        if (ic_load_u64le(p + 8) > min_sqnum) {
            int rc = add_leaf(fs, pos, len);
            if (rc)
                return rc;
            fs->replayed++;
        }
        pos = (next + 7) & ~(uint64_t)7;
    }
    return IC_OK;
}

static uint32_t main_first(const struct ubifs *fs)
{
    uint64_t first = (uint64_t)LOG_LNUM + fs->log_lebs + fs->lpt_lebs + fs->orph_lebs;
    return first > fs->leb_cnt ? fs->leb_cnt : (uint32_t)first;
}

/* Replays the buds the log names after the commit start of this commit. */
static int replay_journal(struct ubifs *fs)
{
    uint64_t cs_sqnum = UINT64_MAX;
    uint32_t end = LOG_LNUM + fs->log_lebs;
    if (end > fs->leb_cnt)
        end = fs->leb_cnt;
    /* The commit start node: the log LEB the master names begins with it. */
    if (fs->log_lnum >= LOG_LNUM && fs->log_lnum < end) {
        uint64_t pos = leb_pos(fs, fs->log_lnum, 0);
        uint32_t len = 0;
        if (node_at(fs, pos, fs->leb_size, &len) == 1 && fs->d[pos + 20] == NT_CS &&
            len >= CS_NODE_SIZE && ic_load_u64le(fs->d + pos + 24) == fs->cmt_no)
            cs_sqnum = ic_load_u64le(fs->d + pos + 8);
    }
    if (cs_sqnum == UINT64_MAX) {
        ic_extract_diag(fs->x, IC_DIAG_WARNING, IC_E_NOT_FOUND, -1,
                        "no commit start node for commit %llu in the log; journal not replayed",
                        (unsigned long long)fs->cmt_no);
        return IC_OK;
    }
    /* Reference nodes newer than it, in any log LEB, name the buds; each is read once. */
    uint8_t *seen = calloc(fs->leb_cnt, 1);
    if (!seen)
        return IC_E_NOMEM;
    int rc = IC_OK;
    for (uint32_t lnum = LOG_LNUM; lnum < end && rc == IC_OK; lnum++) {
        uint64_t pos = leb_pos(fs, lnum, 0), lend = pos + fs->leb_size;
        while (pos + CH_SIZE <= lend) {
            uint32_t len = 0;
            if (node_at(fs, pos, lend - pos, &len) != 1)
                break;
            const uint8_t *p = fs->d + pos;
            if (p[20] == NT_REF && len >= REF_NODE_SIZE && ic_load_u64le(p + 8) > cs_sqnum) {
                uint32_t bud = ic_load_u32le(p + 24), offs = ic_load_u32le(p + 28);
                if (bud < main_first(fs) || bud >= fs->leb_cnt || offs >= fs->leb_size)
                    bad_node(fs, IC_E_FORMAT, pos, "log reference outside the main area");
                else if (!seen[bud]) {
                    seen[bud] = 1;
                    rc = scan_leb(fs, bud, offs, cs_sqnum, 0);
                    if (rc)
                        break;
                }
            }
            pos = (pos + len + 7) & ~(uint64_t)7;
        }
    }
    free(seen);
    return rc;
}

/* Counts the inodes of the orphan area (deleted while still open). */
static void count_orphans(struct ubifs *fs)
{
    uint32_t first = LOG_LNUM + fs->log_lebs + fs->lpt_lebs;
    for (uint32_t lnum = first; lnum < first + fs->orph_lebs && lnum < fs->leb_cnt; lnum++) {
        uint64_t pos = leb_pos(fs, lnum, 0), lend = pos + fs->leb_size;
        while (pos + CH_SIZE <= lend) {
            uint32_t len = 0;
            if (node_at(fs, pos, lend - pos, &len) != 1)
                break;
            if (fs->d[pos + 20] == NT_ORPH && len >= ORPH_NODE_SIZE)
                fs->orphans += (len - ORPH_NODE_SIZE) / 8;
            pos = (pos + len + 7) & ~(uint64_t)7;
        }
    }
}

/* ---- the newest of each key ---------------------------------------------------------- */

static int ino_cmp(const void *a, const void *b)
{
    const struct ino_rec *x = a, *y = b;
    if (x->inum != y->inum)
        return x->inum < y->inum ? -1 : 1;
    return (x->sqnum > y->sqnum) - (x->sqnum < y->sqnum);
}

static int data_cmp(const void *a, const void *b)
{
    const struct data_rec *x = a, *y = b;
    if (x->inum != y->inum)
        return x->inum < y->inum ? -1 : 1;
    if (x->block != y->block)
        return x->block < y->block ? -1 : 1;
    return (x->sqnum > y->sqnum) - (x->sqnum < y->sqnum);
}

static _Thread_local const uint8_t *sort_base;

static int dent_cmp(const void *a, const void *b)
{
    const struct dent_rec *x = a, *y = b;
    if (x->parent != y->parent)
        return x->parent < y->parent ? -1 : 1;
    size_t n = x->nlen < y->nlen ? x->nlen : y->nlen;
    int c = memcmp(sort_base + x->pos + DENT_NODE_SIZE, sort_base + y->pos + DENT_NODE_SIZE, n);
    if (c)
        return c;
    if (x->nlen != y->nlen)
        return x->nlen < y->nlen ? -1 : 1;
    return (x->sqnum > y->sqnum) - (x->sqnum < y->sqnum);
}

static int lost_cmp(const void *a, const void *b)
{
    const struct lost_rec *x = a, *y = b;
    if (x->inum != y->inum)
        return x->inum < y->inum ? -1 : 1;
    if (x->type != y->type)
        return x->type < y->type ? -1 : 1;
    return (x->block > y->block) - (x->block < y->block);
}

static uint32_t ino_nlink(const struct ubifs *fs, const struct ino_rec *r)
{
    return ic_load_u32le(fs->d + r->pos + 92);
}

static int trun_cmp(const void *a, const void *b)
{
    const struct trun_rec *x = a, *y = b;
    if (x->inum != y->inum)
        return x->inum < y->inum ? -1 : 1;
    return (x->sqnum > y->sqnum) - (x->sqnum < y->sqnum);
}

/* Sorts the truncations by inode and age and notes, for each, the smallest
 * size any truncation from then on left. */
static void prepare_truncations(struct ubifs *fs)
{
    if (fs->trun_count > 1)
        qsort(fs->truns, fs->trun_count, sizeof(*fs->truns), trun_cmp);
    for (size_t i = fs->trun_count; i > 0; i--) {
        struct trun_rec *t = &fs->truns[i - 1];
        t->min_after = t->new_size;
        if (i < fs->trun_count && fs->truns[i].inum == t->inum &&
            fs->truns[i].min_after < t->min_after)
            t->min_after = fs->truns[i].min_after;
    }
}

/* Whether a truncation newer than this block cut it off. */
static int truncated_after(const struct ubifs *fs, const struct data_rec *r)
{
    size_t a = 0, b = fs->trun_count;
    while (a < b) { /* the first truncation of the inode newer than the block */
        size_t m = a + (b - a) / 2;
        const struct trun_rec *t = &fs->truns[m];
        if (t->inum < r->inum || (t->inum == r->inum && t->sqnum <= r->sqnum))
            a = m + 1;
        else
            b = m;
    }
    return a < fs->trun_count && fs->truns[a].inum == r->inum &&
           (uint64_t)r->block * BLOCK_SIZE >= fs->truns[a].min_after;
}

/* Sorts every list and keeps the newest record of each key; drops deleted
 * inodes and names, and blocks a later truncation cut off. */
static void resolve(struct ubifs *fs)
{
    size_t n = 0;
    if (fs->ino_count > 1)
        qsort(fs->inos, fs->ino_count, sizeof(*fs->inos), ino_cmp);
    for (size_t i = 0; i < fs->ino_count; i++) {
        if (i + 1 < fs->ino_count && fs->inos[i + 1].inum == fs->inos[i].inum)
            continue;
        if (ino_nlink(fs, &fs->inos[i]) == 0 && fs->inos[i].inum != ROOT_INO)
            continue;
        fs->inos[n++] = fs->inos[i];
    }
    fs->ino_count = n;

    sort_base = fs->d;
    if (fs->dent_count > 1)
        qsort(fs->dents, fs->dent_count, sizeof(*fs->dents), dent_cmp);
    n = 0;
    for (size_t i = 0; i < fs->dent_count; i++) {
        if (i + 1 < fs->dent_count && fs->dents[i + 1].parent == fs->dents[i].parent &&
            fs->dents[i + 1].nlen == fs->dents[i].nlen &&
            memcmp(fs->d + fs->dents[i].pos + DENT_NODE_SIZE,
                   fs->d + fs->dents[i + 1].pos + DENT_NODE_SIZE, fs->dents[i].nlen) == 0)
            continue;
        if (fs->dents[i].inum == 0)
            continue;
        fs->dents[n++] = fs->dents[i];
    }
    fs->dent_count = n;
    sort_base = NULL;

    if (fs->data_count > 1)
        qsort(fs->datas, fs->data_count, sizeof(*fs->datas), data_cmp);
    prepare_truncations(fs);
    if (fs->lost_count > 1)
        qsort(fs->lost, fs->lost_count, sizeof(*fs->lost), lost_cmp);
    n = 0;
    for (size_t i = 0; i < fs->data_count; i++) {
        const struct data_rec *r = &fs->datas[i];
        if (i + 1 < fs->data_count && fs->datas[i + 1].inum == r->inum &&
            fs->datas[i + 1].block == r->block)
            continue;
        if (!truncated_after(fs, r))
            fs->datas[n++] = *r;
    }
    fs->data_count = n;
}

static const struct ino_rec *find_ino(const struct ubifs *fs, uint64_t inum)
{
    size_t a = 0, b = fs->ino_count;
    while (a < b) {
        size_t m = a + (b - a) / 2;
        if (fs->inos[m].inum < inum)
            a = m + 1;
        else
            b = m;
    }
    return a < fs->ino_count && fs->inos[a].inum == inum ? &fs->inos[a] : NULL;
}

static size_t first_data(const struct ubifs *fs, uint64_t inum)
{
    size_t a = 0, b = fs->data_count;
    while (a < b) {
        size_t m = a + (b - a) / 2;
        if (fs->datas[m].inum < inum)
            a = m + 1;
        else
            b = m;
    }
    return a;
}

static size_t first_dent(const struct ubifs *fs, uint64_t parent)
{
    size_t a = 0, b = fs->dent_count;
    while (a < b) {
        size_t m = a + (b - a) / 2;
        if (fs->dents[m].parent < parent)
            a = m + 1;
        else
            b = m;
    }
    return a;
}

/* Whether the index lost a leaf of this inode of this key type. */
static int lost_of(const struct ubifs *fs, uint64_t inum, int type, uint32_t *block)
{
    size_t a = 0, b = fs->lost_count; /* sorted by inode, then type */
    while (a < b) {
        size_t m = a + (b - a) / 2;
        const struct lost_rec *l = &fs->lost[m];
        if (l->inum < inum || (l->inum == inum && l->type < (uint32_t)type))
            a = m + 1;
        else
            b = m;
    }
    if (a >= fs->lost_count || fs->lost[a].inum != inum || fs->lost[a].type != (uint32_t)type)
        return 0;
    if (block)
        *block = fs->lost[a].block;
    return 1;
}

/* ---- file content, produced on first use --------------------------------------------- */

struct block_ref {
    uint64_t pos; /* the data node, in the volume */
    uint32_t block;
};

struct file_content {
    struct ic_blob *volume; /* the blob the volume lives in */
    uint64_t base;          /* where the volume starts in it */
    struct block_ref *blocks;
    size_t count;
};

static void file_content_free(void *state)
{
    struct file_content *fc = state;
    ic_blob_unref(fc->volume);
    free(fc->blocks);
    free(fc);
}

static int file_content_produce(void *state, uint8_t *dst, uint64_t size)
{
    struct file_content *fc = state;
    int err = IC_OK;
    const uint8_t *vol = ic_blob_data(fc->volume, &err);
    if (!vol)
        return err ? err : IC_E_INTERNAL;
    vol += fc->base;
    uint8_t scratch[BLOCK_SIZE];
    for (size_t i = 0; i < fc->count; i++) {
        const uint8_t *p = vol + fc->blocks[i].pos;
        uint64_t at = (uint64_t)fc->blocks[i].block * BLOCK_SIZE;
        uint32_t len = ic_load_u32le(p + 16), dsize = ic_load_u32le(p + 40);
        uint16_t compr = ic_load_u16le(p + 44);
        if (at >= size || dsize == 0)
            continue;
        uint64_t room = size - at;
        uint8_t *out = dsize <= room ? dst + at : scratch;
        int rc = ic_flash_decompress(compr, p + DATA_NODE_SIZE, len - DATA_NODE_SIZE, out, dsize);
        if (rc)
            return rc;
        if (out == scratch)
            memcpy(dst + at, scratch, (size_t)room);
    }
    return IC_OK;
}

/* The content of regular file inum of the given size (NULL when empty). */
static int file_blob(struct ubifs *fs, uint64_t inum, uint64_t size, const char *path,
                     uint64_t node_pos, struct ic_blob **out)
{
    struct ic_extract *x = fs->x;
    *out = NULL;
    if (size == 0 || fs->stop_content)
        return IC_OK;
    uint64_t max = ic_extract_max_file_size(x);
    if (size > max) {
        ic_extract_diag(x, IC_DIAG_WARNING, IC_E_LIMIT_FILE_SIZE, (int64_t)node_pos,
                        "%s: claims %llu bytes, over the limit of %llu; content not read", path,
                        (unsigned long long)size, (unsigned long long)max);
        return IC_OK;
    }
    if (fs->flags & FLG_ENCRYPTION)
        return IC_OK;
    int rc = ic_extract_charge(x, size);
    if (rc) {
        ic_extract_diag(x, IC_DIAG_ERROR, rc, -1, "%s%s: content not read (%s)", path,
                        rc == IC_E_LIMIT_FILE_SIZE ? "" : " and later files", ic_error_message(rc));
        if (rc != IC_E_LIMIT_FILE_SIZE)
            fs->stop_content = 1;
        return IC_OK;
    }
    size_t lo = first_data(fs, inum), hi = lo;
    uint64_t blocks_max = (size + BLOCK_SIZE - 1) / BLOCK_SIZE;
    while (hi < fs->data_count && fs->datas[hi].inum == inum)
        hi++;
    struct file_content *fc = calloc(1, sizeof(*fc));
    if (!fc)
        return IC_E_NOMEM;
    fc->blocks = malloc((hi - lo ? hi - lo : 1) * sizeof(*fc->blocks));
    if (!fc->blocks) {
        free(fc);
        return IC_E_NOMEM;
    }
    for (size_t i = lo; i < hi; i++)
        if (fs->datas[i].block < blocks_max)
            fc->blocks[fc->count++] = (struct block_ref){fs->datas[i].pos, fs->datas[i].block};
    fc->volume = ic_blob_ref(x->parent);
    fc->base = x->parent_offset;
    rc = ic_blob_lazy(size, file_content_produce, fc, file_content_free, out);
    if (rc)
        file_content_free(fc);
    return rc;
}

/* ---- the tree --------------------------------------------------------------------- */

struct linked {
    uint64_t inum;
    char *path;
    struct ic_blob *content;
    uint64_t size;
};

struct walk {
    struct linked *links;
    size_t link_count, link_cap;
    struct u64_map dirs_seen;
    struct u64_map link_of; /* inode -> index into links */
    struct frame {
        char *path;
        uint64_t inum;
        unsigned depth;
    } * stack;
    size_t stack_count, stack_cap;
};

static enum ic_ftype type_of_mode(uint32_t mode, int *ok)
{
    *ok = 1;
    switch (mode & 0170000) {
    case 0100000:
        return IC_FT_FILE;
    case 0040000:
        return IC_FT_DIR;
    case 0120000:
        return IC_FT_SYMLINK;
    case 0020000:
        return IC_FT_CHARDEV;
    case 0060000:
        return IC_FT_BLOCKDEV;
    case 0010000:
        return IC_FT_FIFO;
    case 0140000:
        return IC_FT_SOCKET;
    default:
        *ok = 0;
        return IC_FT_FILE;
    }
}

static struct linked *find_link(struct walk *w, uint64_t inum)
{
    size_t *i = u64_map_get(&w->link_of, inum);
    return i ? &w->links[*i] : NULL;
}

static int add(struct ubifs *fs, const struct ic_entry *e)
{
    int rc = ic_extract_add_entry(fs->x, e);
    if (rc)
        fs->stop = 1;
    return rc;
}

/* Emits the entry of inode inum at path. */
static int emit(struct ubifs *fs, struct walk *w, const char *path, uint64_t inum, unsigned depth,
                int64_t dent_pos)
{
    struct ic_extract *x = fs->x;
    const struct ino_rec *r = find_ino(fs, inum);
    struct ic_entry e;
    memset(&e, 0, sizeof(e));
    e.path = path[0] ? path : "/";
    if (!r) {
        ic_extract_diag(x, IC_DIAG_WARNING, IC_E_NOT_FOUND, dent_pos,
                        "%s: inode %llu not found; skipped", e.path, (unsigned long long)inum);
        return IC_OK;
    }
    const uint8_t *p = fs->d + r->pos;
    uint32_t mode = ic_load_u32le(p + 104);
    uint64_t size = ic_load_u64le(p + 48);
    uint32_t data_len = ic_load_u32le(p + 112);
    int ok = 0;
    e.type = type_of_mode(mode, &ok);
    if (!ok) {
        ic_extract_diag(x, IC_DIAG_WARNING, IC_E_FORMAT, (int64_t)r->pos,
                        "%s: inode %llu has no known type; skipped", e.path,
                        (unsigned long long)inum);
        return IC_OK;
    }
    e.mode = mode & 07777;
    e.uid = ic_load_u32le(p + 96);
    e.gid = ic_load_u32le(p + 100);
    e.mtime = (int64_t)ic_load_u64le(p + 72);

    if (e.type == IC_FT_DIR) {
        int seen = u64_map_add(&w->dirs_seen, inum, 0);
        if (seen < 0)
            return IC_E_NOMEM;
        if (seen) {
            ic_extract_diag(x, IC_DIAG_WARNING, IC_E_LOOP, dent_pos,
                            "%s: directory inode %llu already listed (loop); not listed again",
                            e.path, (unsigned long long)inum);
            return IC_OK;
        }
        int rc = add(fs, &e);
        if (rc)
            return rc;
        if (depth >= MAX_DIR_DEPTH) {
            ic_extract_diag(x, IC_DIAG_WARNING, IC_E_LIMIT_DEPTH, -1,
                            "%s: directories nested deeper than %d are not listed", e.path,
                            MAX_DIR_DEPTH);
            return IC_OK;
        }
        if (ic_array_grow((void **)&w->stack, &w->stack_cap, w->stack_count, sizeof(*w->stack)))
            return IC_E_NOMEM;
        char *copy = strdup(path);
        if (!copy)
            return IC_E_NOMEM;
        w->stack[w->stack_count++] = (struct frame){copy, inum, depth + 1};
        return IC_OK;
    }
    if (e.type == IC_FT_FILE) {
        struct linked *l = find_link(w, inum);
        if (l) {
            e.type = IC_FT_HARDLINK;
            e.link = l->path;
            e.content = l->content;
            e.size = l->size;
            return add(fs, &e);
        }
        struct ic_blob *blob = NULL;
        uint32_t lost_block = 0;
        if (lost_of(fs, inum, KEY_DATA, &lost_block))
            ic_extract_diag(x, IC_DIAG_WARNING, IC_E_NOT_FOUND, (int64_t)r->pos,
                            "%s: data lost with a damaged node (block %u and maybe others read "
                            "as zeros)",
                            e.path, lost_block);
        int rc = file_blob(fs, inum, size, e.path, r->pos, &blob);
        if (rc)
            return rc;
        e.size = size;
        e.content = blob;
        rc = add(fs, &e);
        if (rc == IC_OK && ic_load_u32le(p + 92) > 1 &&
            !ic_array_grow((void **)&w->links, &w->link_cap, w->link_count, sizeof(*w->links))) {
            char *copy = strdup(e.path);
            if (copy && u64_map_add(&w->link_of, inum, w->link_count) == 0) {
                w->links[w->link_count++] = (struct linked){inum, copy, blob, size};
                return rc;
            }
            free(copy);
        }
        ic_blob_unref(blob);
        return rc;
    }
    if (e.type == IC_FT_SYMLINK) {
        if (data_len > MAX_SYMLINK || data_len == 0) {
            ic_extract_diag(x, IC_DIAG_WARNING, IC_E_FORMAT, (int64_t)r->pos,
                            "%s: symbolic link target of %u bytes; skipped", e.path, data_len);
            return IC_OK;
        }
        char target[MAX_SYMLINK + 1];
        memcpy(target, p + INO_NODE_SIZE, data_len);
        target[data_len] = '\0';
        e.link = target;
        e.size = strlen(target);
        return add(fs, &e);
    }
    if (e.type == IC_FT_CHARDEV || e.type == IC_FT_BLOCKDEV) {
        /* The device number: new_encode_dev in 4 bytes (or 8), old 16-bit in 2. */
        if (data_len == 4 || data_len == 8) {
            uint32_t v = ic_load_u32le(p + INO_NODE_SIZE);
            e.dev_major = (v & 0xfff00) >> 8;
            e.dev_minor = (v & 0xff) | ((v >> 12) & 0xfff00);
        } else if (data_len == 2) {
            uint16_t v = ic_load_u16le(p + INO_NODE_SIZE);
            e.dev_major = v >> 8;
            e.dev_minor = v & 0xff;
        } else {
            ic_extract_diag(x, IC_DIAG_WARNING, IC_E_FORMAT, (int64_t)r->pos,
                            "%s: device number of %u bytes unreadable", e.path, data_len);
        }
    }
    return add(fs, &e);
}

static int valid_name(const uint8_t *name, size_t n)
{
    if ((n == 1 && name[0] == '.') || (n == 2 && name[0] == '.' && name[1] == '.'))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (name[i] == '/' || name[i] == 0)
            return 0;
    return 1;
}

/* Lists the directories on the stack and everything below them. */
static int drain(struct ubifs *fs, struct walk *w)
{
    int rc = IC_OK;
    uint64_t listed = 0;
    while (rc == IC_OK && w->stack_count > 0 && !fs->stop) {
        struct frame f = w->stack[--w->stack_count];
        size_t dir_len = strlen(f.path);
        if (lost_of(fs, f.inum, KEY_DENT, NULL))
            ic_extract_diag(fs->x, IC_DIAG_WARNING, IC_E_NOT_FOUND, -1,
                            "%s: entries lost with a damaged node; the directory is incomplete",
                            f.path[0] ? f.path : "/");
        for (size_t i = first_dent(fs, f.inum);
             i < fs->dent_count && fs->dents[i].parent == f.inum && rc == IC_OK; i++) {
            const struct dent_rec *d = &fs->dents[i];
            const uint8_t *name = fs->d + d->pos + DENT_NODE_SIZE;
            if (!valid_name(name, d->nlen)) {
                ic_extract_diag(fs->x, IC_DIAG_WARNING, IC_E_UNSAFE_PATH, (int64_t)d->pos,
                                "%s: entry with an invalid name skipped", f.path[0] ? f.path : "/");
                continue;
            }
            char *path = malloc(dir_len + d->nlen + 2);
            if (!path) {
                rc = IC_E_NOMEM;
                break;
            }
            memcpy(path, f.path, dir_len);
            path[dir_len] = '/';
            memcpy(path + dir_len + 1, name, d->nlen);
            path[dir_len + 1 + d->nlen] = '\0';
            rc = emit(fs, w, path, d->inum, f.depth, (int64_t)d->pos);
            free(path);
            if ((++listed & 255) == 0 && ic_extract_expired(fs->x)) {
                ic_extract_diag(fs->x, IC_DIAG_ERROR, IC_E_LIMIT_TIME, -1,
                                "time limit reached while listing; the listing is partial");
                rc = IC_E_LIMIT_TIME;
            }
        }
        free(f.path);
    }
    return rc;
}

static int u64_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Directories whose entries survive but which no surviving entry names
 * (their own entry or the root was lost) are listed below
 * /lost+found/<inode number>. */
static int salvage(struct ubifs *fs, struct walk *w)
{
    uint64_t *named = malloc((fs->dent_count ? fs->dent_count : 1) * sizeof(*named));
    if (!named)
        return IC_E_NOMEM;
    for (size_t i = 0; i < fs->dent_count; i++)
        named[i] = fs->dents[i].inum;
    qsort(named, fs->dent_count, sizeof(*named), u64_cmp);
    int rc = IC_OK;
    unsigned found = 0;
    for (size_t i = 0; i < fs->dent_count && rc == IC_OK && !fs->stop; i++) {
        uint64_t p = fs->dents[i].parent;
        if ((i > 0 && fs->dents[i - 1].parent == p) || u64_map_get(&w->dirs_seen, p) ||
            bsearch(&p, named, fs->dent_count, sizeof(*named), u64_cmp))
            continue;
        char path[64] = ""; /* the root's own entries stay at the root */
        if (p != ROOT_INO)
            snprintf(path, sizeof(path), "/lost+found/%llu", (unsigned long long)p);
        if (p != ROOT_INO && !found++)
            ic_extract_diag(fs->x, IC_DIAG_WARNING, IC_E_NOT_FOUND, -1,
                            "directories not reachable from the root are listed below "
                            "/lost+found");
        if (find_ino(fs, p)) {
            rc = emit(fs, w, path, p, 1, -1);
        } else {
            struct ic_entry e = {.path = path[0] ? path : "/", .type = IC_FT_DIR, .mode = 0700};
            rc = add(fs, &e);
            if (rc == IC_OK && u64_map_add(&w->dirs_seen, p, 0) < 0)
                rc = IC_E_NOMEM;
            if (rc == IC_OK &&
                ic_array_grow((void **)&w->stack, &w->stack_cap, w->stack_count, sizeof(*w->stack)))
                rc = IC_E_NOMEM;
            char *copy = rc == IC_OK ? strdup(path) : NULL;
            if (copy)
                w->stack[w->stack_count++] = (struct frame){copy, p, 2};
            else if (rc == IC_OK)
                rc = IC_E_NOMEM;
        }
        if (rc == IC_OK)
            rc = drain(fs, w);
    }
    free(named);
    return rc;
}

static int walk_tree(struct ubifs *fs)
{
    struct walk w;
    memset(&w, 0, sizeof(w));
    int rc = IC_OK;
    if (find_ino(fs, ROOT_INO))
        rc = emit(fs, &w, "", ROOT_INO, 0, -1);
    else
        ic_extract_diag(fs->x, IC_DIAG_ERROR, IC_E_NOT_FOUND, -1, "no root directory inode");
    if (rc == IC_OK)
        rc = drain(fs, &w);
    if (rc == IC_OK)
        rc = salvage(fs, &w);
    for (size_t i = 0; i < w.stack_count; i++)
        free(w.stack[i].path);
    free(w.stack);
    for (size_t i = 0; i < w.link_count; i++) {
        free(w.links[i].path);
        ic_blob_unref(w.links[i].content);
    }
    free(w.links);
    u64_map_release(&w.dirs_seen);
    u64_map_release(&w.link_of);
    return rc;
}

/* ---- superblock and master node ----------------------------------------------------- */

static int hash_len(uint16_t algo)
{
    switch (algo) { /* the kernel's hash_algo numbers */
    case 1:
        return 16; /* md5 */
    case 2:
        return 20; /* sha1 */
    case 4:
        return 32; /* sha256 */
    case 5:
        return 48; /* sha384 */
    case 6:
        return 64; /* sha512 */
    case 7:
        return 28; /* sha224 */
    default:
        return -1;
    }
}

/* The newest valid master node in LEBs 1 and 2; 0 when there is none. */
static int read_master(struct ubifs *fs)
{
    uint64_t best = UINT64_MAX, best_sqnum = 0;
    int per_leb[2] = {0, 0};
    for (uint32_t lnum = 1; lnum <= 2; lnum++) {
        uint64_t start = leb_pos(fs, lnum, 0), end = start + fs->leb_size;
        if (end > fs->size)
            end = fs->size;
        for (uint64_t pos = start; pos + MST_NODE_SIZE <= end; pos += 8) {
            uint32_t len = 0;
            if (ic_load_u32le(fs->d + pos) != NODE_MAGIC)
                continue;
            int ok = node_at(fs, pos, end - pos, &len);
            if (ok < 0 && fs->d[pos + 20] == NT_MST)
                bad_node(fs, IC_E_CHECKSUM, pos, "master node CRC mismatch");
            if (ok != 1 || fs->d[pos + 20] != NT_MST || len < MST_NODE_SIZE)
                continue;
            per_leb[lnum - 1]++;
            uint64_t sq = ic_load_u64le(fs->d + pos + 8);
            if (best == UINT64_MAX || sq > best_sqnum) {
                best = pos;
                best_sqnum = sq;
            }
            pos += len - 8;
        }
    }
    if (best == UINT64_MAX)
        return 0;
    if (!per_leb[0] || !per_leb[1])
        ic_extract_diag(fs->x, IC_DIAG_WARNING, IC_E_NOT_FOUND, -1,
                        "master node copy in LEB %d missing or damaged; LEB %d used",
                        per_leb[0] ? 2 : 1, per_leb[0] ? 1 : 2);
    const uint8_t *m = fs->d + best;
    fs->mst_sqnum = best_sqnum;
    fs->cmt_no = ic_load_u64le(m + 32);
    fs->log_lnum = ic_load_u32le(m + 44);
    fs->root_lnum = ic_load_u32le(m + 48);
    fs->root_offs = ic_load_u32le(m + 52);
    fs->root_len = ic_load_u32le(m + 56);
    return 1;
}

static int ubifs_unpack(struct ic_extract *x)
{
    struct ubifs fs = {.x = x, .d = x->data, .size = x->size};
    if (x->size < SB_NODE_SIZE || ic_load_u32le(x->data) != NODE_MAGIC || x->data[20] != NT_SB)
        return IC_E_BAD_MAGIC;
    uint32_t sb_len = ic_load_u32le(x->data + 16);
    if (sb_len < 128 || sb_len > SB_NODE_SIZE ||
        ic_flash_crc32(x->data + 8, sb_len - 8) != ic_load_u32le(x->data + 4))
        return IC_E_CHECKSUM;
    const uint8_t *sb = x->data;
    uint8_t key_fmt = sb[27];
    fs.flags = ic_load_u32le(sb + 28);
    fs.leb_size = ic_load_u32le(sb + 36);
    fs.leb_cnt = ic_load_u32le(sb + 40);
    fs.log_lebs = ic_load_u32le(sb + 56);
    fs.lpt_lebs = ic_load_u32le(sb + 60);
    fs.orph_lebs = ic_load_u32le(sb + 64);
    fs.default_compr = ic_load_u16le(sb + 84);
    if (key_fmt != 0)
        return IC_E_UNSUPPORTED;
    if (fs.leb_size < 512 || fs.leb_size > (16u << 20) || (fs.leb_size & 7) || fs.leb_cnt < 4)
        return IC_E_FORMAT;
    fs.branch_size = 12 + KEY_SIZE;
    if (fs.flags & FLG_AUTHENTICATION) {
        int h = sb_len >= 258 ? hash_len(ic_load_u16le(sb + 256)) : -1;
        if (h < 0)
            return IC_E_UNSUPPORTED;
        fs.branch_size += (uint32_t)h;
    }
    uint64_t extent = (uint64_t)fs.leb_cnt * fs.leb_size;
    if (extent > x->size)
        extent = x->size;
    fs.size = extent;
    fs.leb_cnt = (uint32_t)((extent + fs.leb_size - 1) / fs.leb_size);
    ic_extract_set_extent(x, extent);
    ic_extract_fs(x);
    if (fs.flags & FLG_ENCRYPTION)
        ic_extract_diag(x, IC_DIAG_WARNING, IC_E_ENCRYPTED, -1,
                        "file names and contents are encrypted (fscrypt); contents not read");

    int rc = IC_OK;
    if (read_master(&fs)) {
        rc = walk_index(&fs);
        if (rc == IC_OK)
            rc = replay_journal(&fs);
        else if (rc == IC_E_FORMAT)
            rc = IC_OK; /* no usable root: scanned below */
    } else {
        ic_extract_diag(x, IC_DIAG_ERROR, IC_E_NOT_FOUND, -1,
                        "no valid master node; the main area is scanned instead of the index");
    }
    if (rc == IC_OK && fs.ino_count == 0) {
        /* No usable index: every node of the main area, newest of each key wins. */
        fs.scanned = 1;
        for (uint32_t lnum = main_first(&fs); lnum < fs.leb_cnt && rc == IC_OK; lnum++)
            rc = scan_leb(&fs, lnum, 0, 0, 1);
        fs.replayed = 0;
    }
    count_orphans(&fs);
    if (rc == IC_OK) {
        resolve(&fs);
        rc = walk_tree(&fs);
    }
    if (fs.bad_nodes > MAX_REPORTED)
        ic_extract_diag(x, IC_DIAG_WARNING, IC_E_CHECKSUM, -1,
                        "%llu bad nodes in all (the first %d are reported)",
                        (unsigned long long)fs.bad_nodes, MAX_REPORTED);
    if (rc == IC_E_NOMEM)
        ic_extract_diag(x, IC_DIAG_ERROR, rc, -1, "out of memory; the listing is partial");
    ic_extract_set_info(x,
                        "UBIFS, LEB %u KiB x %u, %s by default, %s, %llu journal nodes replayed, "
                        "%llu orphans, %llu bad nodes",
                        fs.leb_size / 1024, fs.leb_cnt, ic_flash_compr_name(fs.default_compr),
                        fs.scanned ? "main area scanned" : "index walked",
                        (unsigned long long)fs.replayed, (unsigned long long)fs.orphans,
                        (unsigned long long)fs.bad_nodes);
    free(fs.inos);
    free(fs.dents);
    free(fs.datas);
    free(fs.truns);
    free(fs.lost);
    return IC_OK;
}

const struct ic_format ic_format_ubifs = {
    .name = "ubifs",
    .description = "UBIFS file system (index walk, journal replay; LZO, zlib, zstd)",
    .magics = IC_MAGICS({"\x31\x18\x10\x06", 4, 0}),
    .unpack = ubifs_unpack,
};
