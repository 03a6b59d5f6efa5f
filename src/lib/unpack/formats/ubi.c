/* UBI, the volume layer of raw NAND flash.
 *
 * An image is a run of physical erase blocks (PEBs) of one size. Each
 * starts with an erase-counter (EC) header ("UBI#": version, erase count,
 * where the VID header and the data start, image sequence, CRC) and, once
 * mapped, a volume-identifier (VID) header ("UBI!": volume id, logical
 * erase block number, sequence number, static-volume sizes and data CRC).
 * The volume table lives in two copies in the internal layout volume
 * (LEBs 0 and 1): 172-byte records with a name, a type and a CRC each.
 * All fields are big-endian; CRCs are CRC-32 seeded with all ones and not
 * inverted at the end.
 *
 * The PEB size is not stored: it is the smallest power of two at which the
 * next EC header of the same image appears. Each volume is reassembled from
 * its PEBs (dynamic: LEB order from the VID headers, the highest sequence
 * number winning for a LEB written twice; static: used_ebs LEBs of
 * data_size bytes each, data CRCs checked). The layer's content is the
 * volumes one after another; each volume is a child region read as
 * "ubivolume" and named after the volume. A PEB whose headers or data fail
 * their checks is reported with its number and offset and left out. */
#include "unpack/flash/flash.h"
#include "unpack/format.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EC_HDR_SIZE 64
#define VID_HDR_SIZE 64
#define VTBL_REC_SIZE 172
#define VTBL_MAX_RECS 128
#define LAYOUT_VOL_ID 0x7fffefffu
#define VOL_DYNAMIC 1
#define VOL_STATIC 2
#define MIN_PEB 512u
#define MAX_PEB (16u << 20)
/* Blocks that are neither UBI nor erased end the image after this many. */
#define MAX_FOREIGN_RUN 8
#define MAX_REPORTED 20

struct ec_hdr {
    uint32_t vid_off, data_off, image_seq;
};

struct leb {
    uint32_t vol_id, lnum, data_size, used_ebs, data_pad, data_crc;
    uint64_t sqnum;
    uint32_t peb;
    uint8_t vol_type, copy_flag;
    uint8_t data_ok; /* data CRC holds, or there is none to check */
};

struct volume {
    uint32_t id;
    uint8_t type;
    uint32_t data_pad;
    char name[129];
    int in_table;
};

struct ubi {
    struct ic_extract *x;
    uint32_t peb_size, vid_off, data_off, image_seq, leb_size;
    uint64_t peb_count;
    struct leb *lebs;
    size_t leb_count, leb_cap;
    uint64_t bad, free_pebs, reported;
};

static int ec_valid(const uint8_t *p, uint64_t left, struct ec_hdr *out)
{
    if (left < EC_HDR_SIZE || memcmp(p, "UBI#", 4) != 0 || p[4] != 1)
        return 0;
    if (ic_flash_crc32(p, EC_HDR_SIZE - 4) != ic_load_u32be(p + EC_HDR_SIZE - 4))
        return 0;
    out->vid_off = ic_load_u32be(p + 16);
    out->data_off = ic_load_u32be(p + 20);
    out->image_seq = ic_load_u32be(p + 24);
    return 1;
}

static int erased(const uint8_t *p, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        if (p[i] != 0xff)
            return 0;
    return 1;
}

static void bad_peb(struct ubi *u, uint64_t peb, int code, const char *what)
{
    u->bad++;
    uint64_t at = peb * u->peb_size;
    if (u->reported++ < MAX_REPORTED)
        ic_extract_diag(u->x, IC_DIAG_WARNING, code, (int64_t)at, "PEB %llu at 0x%llx: %s; skipped",
                        (unsigned long long)peb, (unsigned long long)at, what);
}

/* Whether an EC header of this image starts at off. */
static int same_image_at(const struct ubi *u, uint64_t off)
{
    struct ec_hdr h;
    if (off >= u->x->size || !ec_valid(u->x->data + off, u->x->size - off, &h))
        return 0;
    return h.image_seq == u->image_seq && h.vid_off == u->vid_off && h.data_off == u->data_off;
}

/* The smallest power of two with the next EC header there, or at both twice
 * and three times it (the second PEB may be the broken one). 0 if none. */
static uint32_t find_peb_size(const struct ubi *u)
{
    for (uint32_t s = MIN_PEB; s <= MAX_PEB; s <<= 1) {
        if (s <= u->data_off)
            continue;
        if (same_image_at(u, s) || (same_image_at(u, 2ULL * s) && same_image_at(u, 3ULL * s)))
            return s;
    }
    return 0;
}

/* Reads the VID header of one PEB into the LEB list. */
static int scan_peb(struct ubi *u, uint64_t peb, int ec_ok)
{
    const uint8_t *p = u->x->data + peb * u->peb_size;
    const uint8_t *v = p + u->vid_off;
    if (erased(v, VID_HDR_SIZE)) {
        if (ec_ok)
            u->free_pebs++;
        return IC_OK;
    }
    if (memcmp(v, "UBI!", 4) != 0) {
        bad_peb(u, peb, IC_E_BAD_MAGIC, "VID header magic missing");
        return IC_OK;
    }
    if (ic_flash_crc32(v, VID_HDR_SIZE - 4) != ic_load_u32be(v + VID_HDR_SIZE - 4)) {
        bad_peb(u, peb, IC_E_CHECKSUM, "VID header CRC mismatch");
        return IC_OK;
    }
    struct leb l = {
        .vol_type = v[5],
        .copy_flag = v[6],
        .vol_id = ic_load_u32be(v + 8),
        .lnum = ic_load_u32be(v + 12),
        .data_size = ic_load_u32be(v + 20),
        .used_ebs = ic_load_u32be(v + 24),
        .data_pad = ic_load_u32be(v + 28),
        .data_crc = ic_load_u32be(v + 32),
        .sqnum = ic_load_u64be(v + 40),
        .peb = (uint32_t)peb,
        .data_ok = 1,
    };
    if (v[4] != 1 || (l.vol_type != VOL_DYNAMIC && l.vol_type != VOL_STATIC)) {
        bad_peb(u, peb, IC_E_FORMAT, "VID header of an unknown version or volume type");
        return IC_OK;
    }
    if (l.data_pad >= u->leb_size || l.data_size > u->leb_size - l.data_pad) {
        bad_peb(u, peb, IC_E_FORMAT, "VID header sizes larger than the erase block");
        return IC_OK;
    }
    if (l.vol_type == VOL_STATIC || l.copy_flag) {
        if (ic_flash_crc32(p + u->data_off, l.data_size) != l.data_crc) {
            l.data_ok = 0;
            bad_peb(u, peb, IC_E_CHECKSUM, "data CRC mismatch");
        }
    }
    if (!l.data_ok)
        return IC_OK;
    if (u->leb_count == u->leb_cap) {
        size_t ncap = u->leb_cap ? u->leb_cap * 2 : 256;
        struct leb *n = realloc(u->lebs, ncap * sizeof(*n));
        if (!n)
            return IC_E_NOMEM;
        u->lebs = n;
        u->leb_cap = ncap;
    }
    u->lebs[u->leb_count++] = l;
    return IC_OK;
}

/* Walks the PEBs; returns how many belong to the image. */
static uint64_t scan_pebs(struct ubi *u, int *rc)
{
    const uint8_t *d = u->x->data;
    uint64_t total = u->x->size / u->peb_size;
    uint64_t last_ubi = 0, run = 0;
    /* Blocks that failed, waiting to see whether the image goes on after them. */
    uint64_t pending[MAX_FOREIGN_RUN];
    int pending_code[MAX_FOREIGN_RUN];
    *rc = IC_OK;
    for (uint64_t i = 0; i < total && *rc == IC_OK; i++) {
        const uint8_t *p = d + i * u->peb_size;
        if ((i & 1023) == 1023 && ic_extract_expired(u->x)) {
            ic_extract_diag(u->x, IC_DIAG_ERROR, IC_E_LIMIT_TIME, (int64_t)(i * u->peb_size),
                            "time limit reached while scanning erase blocks");
            break;
        }
        struct ec_hdr h;
        if (ec_valid(p, u->peb_size, &h)) {
            if (h.image_seq != u->image_seq || h.vid_off != u->vid_off || h.data_off != u->data_off)
                break; /* another UBI image starts here */
            for (uint64_t k = 0; k < run; k++)
                bad_peb(u, pending[k], pending_code[k],
                        pending_code[k] == IC_E_CHECKSUM ? "EC header CRC mismatch"
                                                         : "neither UBI nor erased");
            run = 0;
            *rc = scan_peb(u, i, 1);
            last_ubi = i + 1;
            continue;
        }
        if (erased(p, u->peb_size)) {
            /* Free space; belongs to the image only if more UBI follows, or at the end. */
            if (run == 0) {
                last_ubi = i + 1;
                u->free_pebs++;
            }
            continue;
        }
        if (memcmp(p, "UBI#", 4) == 0 && memcmp(p + u->vid_off, "UBI!", 4) == 0) {
            /* A damaged EC header with a VID header of its own: the data may be fine. */
            bad_peb(u, i, IC_E_CHECKSUM, "EC header CRC mismatch (its VID header is used)");
            u->bad--;
            *rc = scan_peb(u, i, 0);
            last_ubi = i + 1;
            run = 0;
            continue;
        }
        if (run == MAX_FOREIGN_RUN)
            break;
        pending[run] = i;
        pending_code[run] = memcmp(p, "UBI#", 4) == 0 ? IC_E_CHECKSUM : IC_E_BAD_MAGIC;
        run++;
    }
    return last_ubi;
}

/* ---- the volume table ------------------------------------------------------------- */

/* The newest copy of (vol_id, lnum), or NULL. */
static const struct leb *find_leb(const struct ubi *u, uint32_t vol_id, uint32_t lnum)
{
    const struct leb *best = NULL;
    for (size_t i = 0; i < u->leb_count; i++) {
        const struct leb *l = &u->lebs[i];
        if (l->vol_id == vol_id && l->lnum == lnum && (!best || l->sqnum > best->sqnum))
            best = l;
    }
    return best;
}

/* Fills vols from one copy of the table; returns how many records failed. */
static unsigned read_vtbl(const struct ubi *u, const struct leb *l, struct volume *vols,
                          size_t *count)
{
    const uint8_t *p = u->x->data + (uint64_t)l->peb * u->peb_size + u->data_off;
    uint32_t recs = u->leb_size / VTBL_REC_SIZE;
    if (recs > VTBL_MAX_RECS)
        recs = VTBL_MAX_RECS;
    unsigned bad = 0;
    *count = 0;
    for (uint32_t i = 0; i < recs; i++) {
        const uint8_t *r = p + (size_t)i * VTBL_REC_SIZE;
        if (ic_flash_crc32(r, VTBL_REC_SIZE - 4) != ic_load_u32be(r + VTBL_REC_SIZE - 4)) {
            bad++;
            continue;
        }
        uint32_t reserved = ic_load_u32be(r);
        uint16_t name_len = ic_load_u16be(r + 14);
        if (reserved == 0 && name_len == 0)
            continue;
        struct volume *v = &vols[(*count)++];
        memset(v, 0, sizeof(*v));
        v->id = i;
        v->data_pad = ic_load_u32be(r + 8);
        v->type = r[12];
        v->in_table = 1;
        if (name_len > 128)
            name_len = 128;
        for (uint16_t k = 0; k < name_len; k++) {
            uint8_t c = r[16 + k];
            v->name[k] = (char)(c >= 0x20 && c < 0x7f && c != '/' ? c : '_');
        }
        v->name[name_len] = '\0';
    }
    return bad;
}

static size_t volumes_from_vids(const struct ubi *u, struct volume *vols)
{
    size_t count = 0;
    for (size_t i = 0; i < u->leb_count && count < VTBL_MAX_RECS; i++) {
        const struct leb *l = &u->lebs[i];
        if (l->vol_id >= VTBL_MAX_RECS)
            continue;
        size_t k = 0;
        while (k < count && vols[k].id != l->vol_id)
            k++;
        if (k < count)
            continue;
        struct volume *v = &vols[count++];
        memset(v, 0, sizeof(*v));
        v->id = l->vol_id;
        v->type = l->vol_type;
        v->data_pad = l->data_pad;
        snprintf(v->name, sizeof(v->name), "volume%u", l->vol_id);
    }
    return count;
}

static size_t load_volumes(struct ubi *u, struct volume *vols)
{
    size_t count = 0;
    for (uint32_t copy = 0; copy < 2; copy++) {
        const struct leb *l = find_leb(u, LAYOUT_VOL_ID, copy);
        if (!l)
            continue;
        unsigned bad = read_vtbl(u, l, vols, &count);
        if (bad == 0)
            return count;
        ic_extract_diag(
            u->x, IC_DIAG_WARNING, IC_E_CHECKSUM, (int64_t)((uint64_t)l->peb * u->peb_size),
            "volume table copy %u in PEB %u: %u records fail their CRC", copy, l->peb, bad);
    }
    ic_extract_diag(u->x, IC_DIAG_WARNING, IC_E_NOT_FOUND, -1,
                    "no intact volume table; volumes named after their ids");
    return volumes_from_vids(u, vols);
}

/* ---- reassembly ----------------------------------------------------------------------- */

struct extents {
    struct ic_blob_extent *items;
    size_t count, cap;
};

static int extents_add(struct extents *e, uint64_t offset, uint64_t length)
{
    if (length == 0)
        return IC_OK;
    if (e->count && offset != UINT64_MAX && e->items[e->count - 1].parent_offset != UINT64_MAX &&
        e->items[e->count - 1].parent_offset + e->items[e->count - 1].length == offset) {
        e->items[e->count - 1].length += length;
        return IC_OK;
    }
    if (e->count && offset == UINT64_MAX && e->items[e->count - 1].parent_offset == UINT64_MAX) {
        e->items[e->count - 1].length += length;
        return IC_OK;
    }
    if (e->count == e->cap) {
        size_t ncap = e->cap ? e->cap * 2 : 64;
        struct ic_blob_extent *n = realloc(e->items, ncap * sizeof(*n));
        if (!n)
            return IC_E_NOMEM;
        e->items = n;
        e->cap = ncap;
    }
    e->items[e->count++] = (struct ic_blob_extent){offset, length};
    return IC_OK;
}

/* The LEBs of one volume, newest copy of each, in LEB order. */
static int lebs_of(const struct ubi *u, uint32_t vol_id, const struct leb ***out, uint32_t *n)
{
    uint32_t max = 0;
    int any = 0;
    for (size_t i = 0; i < u->leb_count; i++)
        if (u->lebs[i].vol_id == vol_id) {
            any = 1;
            if (u->lebs[i].lnum > max)
                max = u->lebs[i].lnum;
        }
    *out = NULL;
    *n = 0;
    if (!any)
        return IC_OK;
    if (max >= u->peb_count) {
        /* More LEBs than there are PEBs: only the ones that fit are kept. */
        max = (uint32_t)(u->peb_count - 1);
    }
    const struct leb **map = calloc((size_t)max + 1, sizeof(*map));
    if (!map)
        return IC_E_NOMEM;
    for (size_t i = 0; i < u->leb_count; i++) {
        const struct leb *l = &u->lebs[i];
        if (l->vol_id != vol_id || l->lnum > max)
            continue;
        if (!map[l->lnum] || l->sqnum > map[l->lnum]->sqnum)
            map[l->lnum] = l;
    }
    *out = map;
    *n = max + 1;
    return IC_OK;
}

static int assemble_volume(struct ubi *u, const struct volume *v, struct extents *ext,
                           uint64_t *size)
{
    const struct leb **map = NULL;
    uint32_t n = 0;
    uint64_t base = u->x->parent_offset;
    *size = 0;
    int rc = lebs_of(u, v->id, &map, &n);
    if (rc || n == 0)
        return rc;
    uint32_t usable = u->leb_size - (v->data_pad < u->leb_size ? v->data_pad : 0);
    unsigned missing = 0;
    if (v->type == VOL_STATIC) {
        const struct leb *first = NULL;
        for (uint32_t i = 0; i < n && !first; i++)
            first = map[i];
        uint32_t used = first ? first->used_ebs : 0;
        if (used > n) {
            ic_extract_diag(u->x, IC_DIAG_WARNING, IC_E_TRUNCATED, -1,
                            "static volume '%s': %u of its %u LEBs present", v->name, n, used);
            used = n;
        }
        for (uint32_t i = 0; i < used && rc == IC_OK; i++) {
            const struct leb *l = map[i];
            if (!l) {
                missing++;
                rc = extents_add(ext, UINT64_MAX, usable);
                *size += usable;
                continue;
            }
            rc =
                extents_add(ext, base + (uint64_t)l->peb * u->peb_size + u->data_off, l->data_size);
            *size += l->data_size;
        }
    } else {
        for (uint32_t i = 0; i < n && rc == IC_OK; i++) {
            const struct leb *l = map[i];
            if (!l)
                missing++;
            rc = extents_add(
                ext, l ? base + (uint64_t)l->peb * u->peb_size + u->data_off : UINT64_MAX, usable);
            *size += usable;
        }
        missing = 0; /* unmapped LEBs of a dynamic volume are normal */
    }
    if (missing)
        ic_extract_diag(u->x, IC_DIAG_WARNING, IC_E_NOT_FOUND, -1,
                        "volume '%s': %u LEBs missing, read as zeros", v->name, missing);
    free(map);
    return rc;
}

static int ubi_unpack(struct ic_extract *x)
{
    struct ec_hdr h0;
    if (!ec_valid(x->data, x->size, &h0))
        return IC_E_BAD_MAGIC;
    if (h0.vid_off < EC_HDR_SIZE || h0.data_off < h0.vid_off + VID_HDR_SIZE ||
        h0.data_off >= MAX_PEB)
        return IC_E_FORMAT;
    struct ubi u = {
        .x = x, .vid_off = h0.vid_off, .data_off = h0.data_off, .image_seq = h0.image_seq};
    u.peb_size = find_peb_size(&u);
    if (!u.peb_size || u.peb_size <= u.data_off)
        return IC_E_FORMAT;
    u.leb_size = u.peb_size - u.data_off;
    if (u.leb_size < VTBL_REC_SIZE)
        return IC_E_FORMAT;

    int rc = IC_OK;
    u.peb_count = scan_pebs(&u, &rc);
    if (u.peb_count == 0) {
        free(u.lebs);
        return IC_E_FORMAT;
    }
    ic_extract_set_extent(x, u.peb_count * u.peb_size);

    struct volume vols[VTBL_MAX_RECS];
    size_t vol_count = rc == IC_OK ? load_volumes(&u, vols) : 0;
    struct extents ext = {0};
    uint64_t offsets[VTBL_MAX_RECS], sizes[VTBL_MAX_RECS];
    uint64_t total = 0;
    for (size_t i = 0; i < vol_count && rc == IC_OK; i++) {
        offsets[i] = total;
        rc = assemble_volume(&u, &vols[i], &ext, &sizes[i]);
        total += sizes[i];
    }
    char info[200];
    int len = snprintf(info, sizeof(info), "UBI, PEB %u KiB, %llu PEBs (%llu bad, %llu free)",
                       u.peb_size / 1024, (unsigned long long)u.peb_count,
                       (unsigned long long)u.bad, (unsigned long long)u.free_pebs);
    for (size_t i = 0; i < vol_count && len > 0 && (size_t)len < sizeof(info); i++)
        len +=
            snprintf(info + len, sizeof(info) - (size_t)len, "%s %u '%s' %s", i ? "," : "; volumes",
                     vols[i].id, vols[i].name, vols[i].type == VOL_STATIC ? "static" : "dynamic");
    ic_extract_set_info(x, "%s", info);
    if (u.bad > MAX_REPORTED)
        ic_extract_diag(x, IC_DIAG_WARNING, IC_E_CHECKSUM, -1,
                        "%llu bad erase blocks in all (the first %d are reported)",
                        (unsigned long long)u.bad, MAX_REPORTED);

    if (rc == IC_OK && total > 0) {
        rc = ic_extract_charge(x, total);
        struct ic_blob *content = NULL;
        if (rc == IC_OK)
            rc = ic_blob_from_extents(x->parent, ext.items, ext.count, &content);
        if (rc == IC_OK)
            rc = ic_extract_set_content(x, content);
        for (size_t i = 0; i < vol_count && rc == IC_OK; i++)
            if (sizes[i])
                rc = ic_extract_child(x, offsets[i], sizes[i], "ubivolume", vols[i].name);
    }
    if (rc)
        ic_extract_diag(x, IC_DIAG_ERROR, rc, -1, "volumes not read: %s", ic_error_message(rc));
    free(ext.items);
    free(u.lebs);
    return IC_OK;
}

const struct ic_format ic_format_ubi = {
    .name = "ubi",
    .description = "UBI erase blocks (EC/VID headers, volume table, static and dynamic volumes)",
    .magics = IC_MAGICS({"UBI#\x01", 5, 0}),
    .unpack = ubi_unpack,
};
