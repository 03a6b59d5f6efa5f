/* Flattened device tree (DTB) and U-Boot FIT images built on it.
 *
 * A DTB is a big-endian header, a structure block of tokens (begin node +
 * name, property + length + name offset + value, end node, nop, end) and a
 * strings block holding property names. A FIT image is a DTB whose /images
 * node has one subnode per image, carrying the image bytes in a "data"
 * property, or after the tree ("data-offset" from the 4-byte aligned end of
 * the tree, or "data-position" from its start, with "data-size"). Each image
 * becomes a child region named after its node, hinted by its "compression".
 * Hash and signature subnodes are counted for the info: the audit of
 * software integrity needs to know whether the image is signed. */
#include "unpack/format.h"

#include <stdio.h>
#include <stdlib.h>

#define FDT_MAGIC 0xd00dfeedu
#define FDT_HEADER_SIZE 40
#define FDT_FIRST_VERSION 16
#define FDT_LAST_VERSION 17
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE 2
#define FDT_PROP 3
#define FDT_NOP 4
#define FDT_END 9
/* Deeper nesting than any real tree; the walk stops there with a diagnostic. */
#define FDT_MAX_DEPTH 64
/* Longest node name kept for a child region's name. */
#define FIT_NAME_MAX 128

struct fit_image {
    char name[FIT_NAME_MAX];
    const char *compression; /* NUL-terminated inside the data, or NULL */
    uint64_t data_offset;    /* of an embedded "data" value, from the tree's start */
    uint64_t data_size;
    uint32_t external_offset, external_position, external_size;
    unsigned has_data : 1, has_offset : 1, has_position : 1, has_size : 1;
    unsigned hashed : 1, signed_ : 1;
};

enum fit_section { SECTION_OTHER, SECTION_IMAGES, SECTION_CONFIGS };
enum fit_subnode { SUB_OTHER, SUB_HASH, SUB_SIGNATURE };

struct fit_walk {
    struct ic_extract *x;
    const uint8_t *tree;     /* the whole tree: x->data */
    uint64_t strings_start;  /* strings block, from the tree's start */
    uint64_t strings_size;
    struct fit_image *images;
    size_t image_count, image_cap;
    int has_images_node;
    unsigned config_count, configs_signed;
    enum fit_section section;
    enum fit_subnode subnode;
    int config_open_signed;
    unsigned nodes;
    char description[96];
    char model[96];
    char compatible[96];
};

static uint64_t align4(uint64_t n)
{
    return (n + 3) & ~(uint64_t)3;
}

/* A string property's value as a C string: only when NUL-terminated within it. */
static const char *prop_string(const uint8_t *value, uint32_t len)
{
    if (len == 0 || value[len - 1] != '\0')
        return NULL;
    return (const char *)value;
}

/* Copies s for the info line: printable ASCII, no quotes, bounded. */
static void copy_printable(char *dst, size_t dstlen, const char *s)
{
    size_t n = 0;
    for (; s && *s && n + 1 < dstlen; s++) {
        unsigned char ch = (unsigned char)*s;
        dst[n++] = (ch >= 0x20 && ch < 0x7f && ch != '\'') ? (char)ch : '?';
    }
    dst[n] = '\0';
}

static int starts_with(const char *s, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    return len >= n && memcmp(s, prefix, n) == 0;
}

static int prop_u32(const uint8_t *value, uint32_t len, uint32_t *out)
{
    if (len != 4)
        return 0;
    *out = ic_load_u32be(value);
    return 1;
}

static int begin_node(struct fit_walk *w, unsigned depth, const char *name, size_t name_len)
{
    w->nodes++;
    if (depth == 2) {
        w->section = SECTION_OTHER;
        if (name_len == 6 && memcmp(name, "images", 6) == 0) {
            w->section = SECTION_IMAGES;
            w->has_images_node = 1;
        } else if (name_len == 14 && memcmp(name, "configurations", 14) == 0) {
            w->section = SECTION_CONFIGS;
        }
    } else if (depth == 3 && w->section == SECTION_IMAGES) {
        if (w->image_count >= w->x->limits->max_layers) {
            ic_extract_diag(w->x, IC_DIAG_ERROR, IC_E_LIMIT_LAYERS, -1,
                            "more than %llu images; the rest are ignored",
                            (unsigned long long)w->x->limits->max_layers);
            return IC_E_LIMIT_LAYERS;
        }
        if (w->image_count == w->image_cap) {
            size_t cap = w->image_cap ? w->image_cap * 2 : 8;
            struct fit_image *p = realloc(w->images, cap * sizeof(*p));
            if (!p)
                return IC_E_NOMEM;
            w->images = p;
            w->image_cap = cap;
        }
        struct fit_image *img = &w->images[w->image_count++];
        memset(img, 0, sizeof(*img));
        copy_printable(img->name, sizeof(img->name), name);
    } else if (depth == 3 && w->section == SECTION_CONFIGS) {
        w->config_count++;
        w->config_open_signed = 0;
    } else if (depth == 4) {
        w->subnode = starts_with(name, name_len, "hash")        ? SUB_HASH
                     : starts_with(name, name_len, "signature") ? SUB_SIGNATURE
                                                                : SUB_OTHER;
    }
    return IC_OK;
}

static void end_node(struct fit_walk *w, unsigned depth)
{
    if (depth == 3 && w->section == SECTION_CONFIGS && w->config_open_signed)
        w->configs_signed++;
    if (depth == 4)
        w->subnode = SUB_OTHER;
}

static void property(struct fit_walk *w, unsigned depth, const char *name,
                     const uint8_t *value, uint32_t len)
{
    if (depth == 1) {
        if (strcmp(name, "description") == 0)
            copy_printable(w->description, sizeof(w->description), prop_string(value, len));
        else if (strcmp(name, "model") == 0)
            copy_printable(w->model, sizeof(w->model), prop_string(value, len));
        else if (strcmp(name, "compatible") == 0)
            copy_printable(w->compatible, sizeof(w->compatible), prop_string(value, len));
        return;
    }
    if (depth == 3 && w->section == SECTION_IMAGES && w->image_count > 0) {
        struct fit_image *img = &w->images[w->image_count - 1];
        if (strcmp(name, "data") == 0) {
            img->has_data = 1;
            img->data_offset = (uint64_t)(value - w->tree);
            img->data_size = len;
        } else if (strcmp(name, "data-offset") == 0) {
            img->has_offset = prop_u32(value, len, &img->external_offset);
        } else if (strcmp(name, "data-position") == 0) {
            img->has_position = prop_u32(value, len, &img->external_position);
        } else if (strcmp(name, "data-size") == 0) {
            img->has_size = prop_u32(value, len, &img->external_size);
        } else if (strcmp(name, "compression") == 0) {
            img->compression = prop_string(value, len);
        }
        return;
    }
    /* A hash or signature counts once it holds a value (mkimage fills it in). */
    if (depth == 4 && strcmp(name, "value") == 0 && len > 0) {
        if (w->section == SECTION_IMAGES && w->image_count > 0) {
            struct fit_image *img = &w->images[w->image_count - 1];
            if (w->subnode == SUB_HASH)
                img->hashed = 1;
            else if (w->subnode == SUB_SIGNATURE)
                img->signed_ = 1;
        } else if (w->section == SECTION_CONFIGS && w->subnode == SUB_SIGNATURE) {
            w->config_open_signed = 1;
        }
    }
}

/* The property name at nameoff in the strings block, or NULL. */
static const char *string_at(const struct fit_walk *w, uint32_t nameoff)
{
    if (nameoff >= w->strings_size)
        return NULL;
    const uint8_t *s = w->tree + w->strings_start + nameoff;
    if (!memchr(s, '\0', (size_t)(w->strings_size - nameoff)))
        return NULL;
    return (const char *)s;
}

/* Walks the structure block. Problems become diagnostics; what was read
 * before them is kept. */
static int walk_structure(struct fit_walk *w, uint64_t start, uint64_t size)
{
    struct ic_extract *x = w->x;
    struct ic_cursor c;
    ic_cursor_init(&c, w->tree + start, (size_t)size);
    unsigned depth = 0;
    int ended = 0;
    while (!ended) {
        uint64_t at = start + c.pos;
        uint32_t token = 0;
        if (ic_cursor_u32be(&c, &token)) {
            ic_extract_diag(x, IC_DIAG_ERROR, IC_E_TRUNCATED, (int64_t)at,
                            "structure block ends without an end token");
            return IC_OK;
        }
        switch (token) {
        case FDT_BEGIN_NODE: {
            const uint8_t *name = c.data + c.pos;
            const uint8_t *nul = memchr(name, '\0', ic_cursor_remaining(&c));
            if (!nul) {
                ic_extract_diag(x, IC_DIAG_ERROR, IC_E_TRUNCATED, (int64_t)at,
                                "node name runs past the structure block");
                return IC_OK;
            }
            size_t name_len = (size_t)(nul - name);
            if (depth >= FDT_MAX_DEPTH) {
                ic_extract_diag(x, IC_DIAG_ERROR, IC_E_LIMIT_DEPTH, (int64_t)at,
                                "nodes nested deeper than %d; the rest is not read",
                                FDT_MAX_DEPTH);
                return IC_OK;
            }
            if (depth == 0 && w->nodes > 0) {
                ic_extract_diag(x, IC_DIAG_ERROR, IC_E_FORMAT, (int64_t)at,
                                "a second root node; the rest is not read");
                return IC_OK;
            }
            uint64_t skip = align4(c.pos + name_len + 1) - c.pos;
            if (ic_cursor_skip(&c, skip)) {
                ic_extract_diag(x, IC_DIAG_ERROR, IC_E_TRUNCATED, (int64_t)at,
                                "node name padding runs past the structure block");
                return IC_OK;
            }
            depth++;
            int rc = begin_node(w, depth, (const char *)name, name_len);
            if (rc == IC_E_NOMEM)
                return rc;
            if (rc)
                return IC_OK;
            break;
        }
        case FDT_END_NODE:
            if (depth == 0) {
                ic_extract_diag(x, IC_DIAG_ERROR, IC_E_FORMAT, (int64_t)at,
                                "end of a node that was never begun");
                return IC_OK;
            }
            end_node(w, depth);
            depth--;
            break;
        case FDT_PROP: {
            uint32_t len = 0, nameoff = 0;
            const uint8_t *value = NULL;
            if (ic_cursor_u32be(&c, &len) || ic_cursor_u32be(&c, &nameoff)) {
                ic_extract_diag(x, IC_DIAG_ERROR, IC_E_TRUNCATED, (int64_t)at,
                                "property header runs past the structure block");
                return IC_OK;
            }
            if (depth == 0) {
                ic_extract_diag(x, IC_DIAG_ERROR, IC_E_FORMAT, (int64_t)at,
                                "property outside any node");
                return IC_OK;
            }
            if (ic_cursor_bytes(&c, len, &value) ||
                ic_cursor_skip(&c, align4(c.pos) - c.pos)) {
                ic_extract_diag(x, IC_DIAG_ERROR, IC_E_TRUNCATED, (int64_t)at,
                                "property of %u bytes runs past the structure block", len);
                return IC_OK;
            }
            const char *name = string_at(w, nameoff);
            if (!name) {
                ic_extract_diag(x, IC_DIAG_WARNING, IC_E_FORMAT, (int64_t)at,
                                "property name offset %u outside the strings block", nameoff);
                break;
            }
            property(w, depth, name, value, len);
            break;
        }
        case FDT_NOP:
            break;
        case FDT_END:
            if (depth != 0)
                ic_extract_diag(x, IC_DIAG_ERROR, IC_E_FORMAT, (int64_t)at,
                                "end token inside %u open node%s", depth, depth == 1 ? "" : "s");
            ended = 1;
            break;
        default:
            ic_extract_diag(x, IC_DIAG_ERROR, IC_E_FORMAT, (int64_t)at,
                            "unknown structure token 0x%08x; the rest is not read", token);
            return IC_OK;
        }
    }
    return IC_OK;
}

/* Whether the structure block opens with the (unnamed) root node, after any NOPs. */
static int starts_with_root(const uint8_t *block, uint64_t size)
{
    uint64_t pos = 0;
    while (pos + 8 <= size) {
        uint32_t token = ic_load_u32be(block + pos);
        if (token == FDT_NOP) {
            pos += 4;
            continue;
        }
        return token == FDT_BEGIN_NODE && block[pos + 4] == '\0';
    }
    return 0;
}

static const char *hint_for(const char *compression)
{
    static const char *const map[][2] = {
        {"gzip", "gzip"}, {"bzip2", "bzip2"}, {"lzma", "lzma"},
        {"lzo", "lzop"},  {"lz4", "lz4"},     {"zstd", "zstd"},
    };
    if (!compression)
        return NULL;
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (strcmp(compression, map[i][0]) == 0)
            return map[i][1];
    return NULL;
}

/* Turns each image's data into a child region; returns the extent the tree
 * and its external data take. */
static uint64_t declare_images(struct fit_walk *w, uint64_t tree_end)
{
    struct ic_extract *x = w->x;
    uint64_t extent = tree_end;
    for (size_t i = 0; i < w->image_count; i++) {
        const struct fit_image *img = &w->images[i];
        uint64_t start, size;
        if ((img->has_position || img->has_offset) && img->has_size) {
            start = img->has_position ? img->external_position
                                      : align4(tree_end) + img->external_offset;
            size = img->external_size;
            if (!ic_range_ok(start, size, x->size)) {
                ic_extract_diag(x, IC_DIAG_ERROR, IC_E_TRUNCATED, (int64_t)start,
                                "external data of image '%s' (%llu bytes at %llu) runs past "
                                "the end",
                                img->name, (unsigned long long)size, (unsigned long long)start);
                if (start >= x->size)
                    continue;
                size = x->size - start;
            }
            /* mkimage pads each external image to 4 bytes: the padding belongs here. */
            if (align4(start + size) > extent)
                extent = align4(start + size);
        } else if (img->has_data) {
            start = img->data_offset;
            size = img->data_size;
        } else {
            ic_extract_diag(x, IC_DIAG_WARNING, IC_E_FORMAT, -1, "image '%s' has no data",
                            img->name);
            continue;
        }
        if (size == 0)
            continue;
        if (ic_extract_child(x, start, size, hint_for(img->compression), img->name) != IC_OK)
            break;
    }
    return extent;
}

static void set_info(struct fit_walk *w)
{
    struct ic_extract *x = w->x;
    if (!w->has_images_node) {
        const char *plural = w->nodes == 1 ? "" : "s";
        if (w->model[0])
            ic_extract_set_info(x, "device tree, model '%s', %u node%s", w->model, w->nodes,
                                plural);
        else if (w->compatible[0])
            ic_extract_set_info(x, "device tree, compatible '%s', %u node%s", w->compatible,
                                w->nodes, plural);
        else
            ic_extract_set_info(x, "device tree, %u node%s", w->nodes, plural);
        return;
    }
    unsigned hashed = 0, images_signed = 0;
    for (size_t i = 0; i < w->image_count; i++) {
        hashed += w->images[i].hashed;
        images_signed += w->images[i].signed_;
    }
    const char *signature = "unsigned";
    if (w->configs_signed && images_signed)
        signature = "signed (images, configurations)";
    else if (w->configs_signed)
        signature = "signed (configurations)";
    else if (images_signed)
        signature = "signed (images)";
    char hashes[64] = "no hashes";
    if (hashed)
        snprintf(hashes, sizeof(hashes), "hashes on %u of %zu images", hashed, w->image_count);
    ic_extract_set_info(x, "FIT: %zu image%s, %u configuration%s, description '%s', %s, %s",
                        w->image_count, w->image_count == 1 ? "" : "s", w->config_count,
                        w->config_count == 1 ? "" : "s", w->description, signature, hashes);
}

static int fit_unpack(struct ic_extract *x)
{
    if (x->size < FDT_HEADER_SIZE)
        return IC_E_TRUNCATED;
    const uint8_t *h = x->data;
    if (ic_load_u32be(h) != FDT_MAGIC)
        return IC_E_BAD_MAGIC;
    uint64_t total = ic_load_u32be(h + 4);
    uint64_t struct_off = ic_load_u32be(h + 8);
    uint64_t strings_off = ic_load_u32be(h + 12);
    uint64_t rsvmap_off = ic_load_u32be(h + 16);
    uint32_t version = ic_load_u32be(h + 20);
    uint32_t last_comp = ic_load_u32be(h + 24);
    uint64_t strings_size = ic_load_u32be(h + 32);
    uint64_t struct_size = ic_load_u32be(h + 36);

    if (version < FDT_FIRST_VERSION || last_comp > FDT_LAST_VERSION)
        return IC_E_UNSUPPORTED;
    if (version < 17)
        struct_size = total >= struct_off ? total - struct_off : 0;
    /* Every block inside the tree, past the header, aligned as dtc writes it. */
    if (total < FDT_HEADER_SIZE || struct_off < FDT_HEADER_SIZE || struct_off % 4 ||
        rsvmap_off < FDT_HEADER_SIZE || rsvmap_off % 8 || !ic_range_ok(rsvmap_off, 16, total) ||
        !ic_range_ok(struct_off, struct_size, total) ||
        !ic_range_ok(strings_off, strings_size, total) || strings_off < FDT_HEADER_SIZE)
        return IC_E_FORMAT;

    uint64_t present = total <= x->size ? total : x->size;
    if (struct_off + 8 > present)
        return IC_E_TRUNCATED;
    uint64_t struct_present = struct_size <= present - struct_off ? struct_size
                                                                  : present - struct_off;
    if (!starts_with_root(h + struct_off, struct_present))
        return IC_E_FORMAT;

    if (total > x->size)
        ic_extract_diag(x, IC_DIAG_ERROR, IC_E_TRUNCATED, 4,
                        "device tree of %llu bytes, only %llu present",
                        (unsigned long long)total, (unsigned long long)x->size);

    struct fit_walk w = {.x = x, .tree = h, .strings_start = strings_off};
    if (strings_off < present)
        w.strings_size = strings_size <= present - strings_off ? strings_size
                                                               : present - strings_off;
    int rc = walk_structure(&w, struct_off, struct_present);
    if (rc) {
        free(w.images);
        return rc;
    }
    uint64_t extent = w.has_images_node ? declare_images(&w, total) : total;
    ic_extract_set_extent(x, extent <= x->size ? extent : x->size);
    set_info(&w);
    free(w.images);
    return IC_OK;
}

const struct ic_format ic_format_fit = {
    .name = "fit",
    .description = "flattened device tree / U-Boot FIT image",
    .magics = IC_MAGICS({"\xd0\x0d\xfe\xed", 4, 0}),
    .unpack = fit_unpack,
};
