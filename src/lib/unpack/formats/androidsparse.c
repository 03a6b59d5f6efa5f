/* Android sparse images (libsparse, as written by img2simg and fastboot).
 *
 * A 28-byte little-endian file header (magic 0xed26ff3a, major version 1,
 * minor version, file header size, chunk header size, block size, total
 * blocks, total chunks, image checksum) is followed by total_chunks chunks,
 * each a 12-byte header (type, reserved, size in blocks, total size in bytes
 * including the header) and its body: RAW chunks carry the blocks, FILL
 * chunks a 4-byte pattern repeated over them, DONT_CARE chunks nothing (the
 * blocks read as zeros), CRC32 chunks a checksum of the image so far. Larger
 * header sizes than these are allowed and their extra bytes skipped.
 *
 * The layer's content is the expanded image (total_blks * blk_sz bytes),
 * produced when first read; the engine then looks inside it (usually an
 * ext4 file system). A damaged or truncated chunk list ends the expansion
 * there: what follows reads as zeros, with a diagnostic. */
#include "unpack/format.h"

#include <stdlib.h>
#include <string.h>

#define MAGIC 0xed26ff3au
#define FILE_HEADER 28
#define CHUNK_HEADER 12
#define MAX_HEADER 4096
#define MAX_BLOCK (64u << 20)

enum chunk_type {
    CT_RAW = 0xcac1,
    CT_FILL = 0xcac2,
    CT_DONT_CARE = 0xcac3,
    CT_CRC32 = 0xcac4,
};

/* One piece of the expanded image: RAW bytes from the parent, or a fill. */
struct piece {
    uint64_t out_offset;
    uint64_t length;
    uint64_t parent_offset; /* RAW */
    uint32_t fill;
    int raw;
};

struct expand_state {
    struct ic_blob *parent;
    struct piece *pieces;
    size_t count;
};

static int expand_produce(void *state, uint8_t *dst, uint64_t size)
{
    struct expand_state *s = state;
    for (size_t i = 0; i < s->count; i++) {
        const struct piece *p = &s->pieces[i];
        if (!ic_range_ok(p->out_offset, p->length, size))
            return IC_E_INTERNAL;
        uint8_t *out = dst + p->out_offset;
        if (p->raw) {
            uint64_t done = 0;
            while (done < p->length) {
                uint64_t want = p->length - done;
                size_t n = want > ((size_t)1 << 30) ? ((size_t)1 << 30) : (size_t)want;
                int64_t got = ic_blob_read(s->parent, p->parent_offset + done, out + done, n);
                if (got < 0)
                    return (int)got;
                if ((uint64_t)got != n)
                    return IC_E_TRUNCATED;
                done += n;
            }
        } else if (p->fill != 0) {
            uint8_t pat[4] = {(uint8_t)p->fill, (uint8_t)(p->fill >> 8), (uint8_t)(p->fill >> 16),
                              (uint8_t)(p->fill >> 24)};
            for (uint64_t k = 0; k < p->length; k++)
                out[k] = pat[k & 3];
        }
    }
    return IC_OK;
}

static void expand_free(void *state)
{
    struct expand_state *s = state;
    ic_blob_unref(s->parent);
    free(s->pieces);
    free(s);
}

static const char *type_name(uint16_t t)
{
    switch (t) {
    case CT_RAW: return "raw";
    case CT_FILL: return "fill";
    case CT_DONT_CARE: return "don't care";
    case CT_CRC32: return "crc32";
    default: return "unknown";
    }
}

static int androidsparse_unpack(struct ic_extract *x)
{
    if (x->size < FILE_HEADER || ic_load_u32le(x->data) != MAGIC)
        return IC_E_BAD_MAGIC;
    const uint8_t *h = x->data;
    uint16_t major = ic_load_u16le(h + 4), minor = ic_load_u16le(h + 6);
    uint16_t file_hdr = ic_load_u16le(h + 8), chunk_hdr = ic_load_u16le(h + 10);
    uint32_t blk_sz = ic_load_u32le(h + 12), total_blks = ic_load_u32le(h + 16);
    uint32_t total_chunks = ic_load_u32le(h + 20);
    if (major != 1 || file_hdr < FILE_HEADER || file_hdr > MAX_HEADER ||
        chunk_hdr < CHUNK_HEADER || chunk_hdr > MAX_HEADER)
        return IC_E_BAD_MAGIC;
    if (blk_sz == 0 || blk_sz % 4 != 0 || blk_sz > MAX_BLOCK)
        return IC_E_FORMAT;
    if (file_hdr > x->size)
        return IC_E_TRUNCATED;
    uint64_t image_size = (uint64_t)blk_sz * total_blks;

    struct piece *pieces = NULL;
    size_t count = 0, cap = 0;
    uint64_t pos = file_hdr, blocks = 0;
    uint32_t chunks = 0, raw = 0, fill = 0, skip = 0;
    int rc = IC_OK;
    for (; chunks < total_chunks; chunks++) {
        if (!ic_range_ok(pos, chunk_hdr, x->size)) {
            ic_extract_diag(x, IC_DIAG_ERROR, IC_E_TRUNCATED, (int64_t)pos,
                            "the image ends before chunk %u of %u; the rest reads as zeros",
                            chunks, total_chunks);
            break;
        }
        const uint8_t *c = x->data + pos;
        uint16_t type = ic_load_u16le(c);
        uint32_t chunk_blks = ic_load_u32le(c + 4), total_sz = ic_load_u32le(c + 8);
        uint64_t out_len = (uint64_t)chunk_blks * blk_sz;
        uint64_t body = total_sz >= chunk_hdr ? total_sz - chunk_hdr : UINT64_MAX;
        const char *problem = NULL;
        int code = IC_E_FORMAT, truncated = 0;
        if (body == UINT64_MAX)
            problem = "total size smaller than its header";
        else if (chunk_blks > total_blks - blocks)
            problem = "runs past the image's block count";
        else if (type == CT_RAW && body != out_len)
            problem = "raw size does not match its block count";
        else if (type == CT_FILL && body < 4)
            problem = "fill without its pattern";
        else if (type == CT_CRC32 && body < 4)
            problem = "crc32 without its checksum";
        else if (type != CT_RAW && type != CT_FILL && type != CT_DONT_CARE && type != CT_CRC32)
            problem = "unknown chunk type";
        else if (!ic_range_ok(pos, total_sz, x->size)) {
            problem = "truncated";
            code = IC_E_TRUNCATED;
            truncated = 1;
        }
        if (problem) {
            ic_extract_diag(x, IC_DIAG_ERROR, code, (int64_t)pos,
                            "chunk %u (%s, type 0x%04x) %s; the image from block %llu reads as zeros",
                            chunks, type_name(type), type, problem, (unsigned long long)blocks);
            if (truncated && type == CT_RAW) {
                /* Keep the whole blocks that are there. */
                uint64_t have = (x->size - pos - chunk_hdr) / blk_sz * blk_sz;
                struct piece *p = have ? realloc(pieces, (count + 1) * sizeof(*p)) : NULL;
                if (p) {
                    pieces = p;
                    cap = count + 1;
                    pieces[count++] = (struct piece){blocks * blk_sz, have,
                                                     x->parent_offset + pos + chunk_hdr, 0, 1};
                }
            }
            if (truncated)
                pos = x->size;
            break;
        }
        if ((type == CT_RAW || type == CT_FILL) && out_len > 0) {
            if (count == cap) {
                size_t ncap = cap ? cap * 2 : 64;
                struct piece *p = realloc(pieces, ncap * sizeof(*p));
                if (!p) {
                    rc = IC_E_NOMEM;
                    break;
                }
                pieces = p;
                cap = ncap;
            }
            struct piece pc = {blocks * blk_sz, out_len, 0, 0, 0};
            if (type == CT_RAW) {
                pc.raw = 1;
                pc.parent_offset = x->parent_offset + pos + chunk_hdr;
                raw++;
            } else {
                pc.fill = ic_load_u32le(c + chunk_hdr);
                fill++;
            }
            /* A fill of zeros is a hole like DONT_CARE. */
            if (pc.raw || pc.fill != 0)
                pieces[count++] = pc;
        } else if (type == CT_DONT_CARE) {
            skip++;
        }
        blocks += chunk_blks;
        pos += total_sz;
        if ((chunks & 4095) == 4095 && ic_extract_expired(x)) {
            ic_extract_diag(x, IC_DIAG_ERROR, IC_E_LIMIT_TIME, (int64_t)pos,
                            "time limit reached while reading chunks; the rest reads as zeros");
            break;
        }
    }
    if (rc) {
        free(pieces);
        return rc;
    }
    if (chunks == total_chunks && blocks != total_blks)
        ic_extract_diag(x, IC_DIAG_WARNING, IC_E_FORMAT, -1,
                        "chunks cover %llu of %u blocks; the rest reads as zeros",
                        (unsigned long long)blocks, total_blks);
    ic_extract_set_extent(x, pos);
    ic_extract_set_info(x, "Android sparse image v%u.%u, %u-byte blocks, %u blocks (%llu bytes), %u chunks: %u raw, %u fill, %u skipped",
                        major, minor, blk_sz, total_blks, (unsigned long long)image_size,
                        total_chunks, raw, fill, skip);
    if (image_size == 0) {
        free(pieces);
        return IC_OK;
    }
    rc = ic_extract_charge(x, image_size);
    if (rc) {
        free(pieces);
        ic_extract_diag(x, IC_DIAG_ERROR, rc, -1,
                        "the expanded image (%llu bytes) is not produced (%s)",
                        (unsigned long long)image_size, ic_error_message(rc));
        return IC_OK;
    }
    struct expand_state *st = calloc(1, sizeof(*st));
    if (!st) {
        free(pieces);
        ic_extract_diag(x, IC_DIAG_ERROR, IC_E_NOMEM, -1, "out of memory; the image is not expanded");
        return IC_OK;
    }
    st->parent = ic_blob_ref(x->parent);
    st->pieces = pieces;
    st->count = count;
    struct ic_blob *content = NULL;
    rc = ic_blob_lazy(image_size, expand_produce, st, expand_free, &content);
    if (rc) {
        expand_free(st);
        ic_extract_diag(x, IC_DIAG_ERROR, rc, -1, "the image is not expanded (%s)",
                        ic_error_message(rc));
        return IC_OK;
    }
    rc = ic_extract_set_content(x, content);
    if (rc)
        ic_extract_diag(x, IC_DIAG_ERROR, rc, -1,
                        "the expanded image (%llu bytes) is not read (%s)",
                        (unsigned long long)image_size, ic_error_message(rc));
    return IC_OK;
}

const struct ic_format ic_format_androidsparse = {
    .name = "androidsparse",
    .description = "Android sparse image (libsparse, img2simg)",
    .magics = IC_MAGICS({"\x3a\xff\x26\xed\x01\x00", 6, 0}),
    .unpack = androidsparse_unpack,
};
