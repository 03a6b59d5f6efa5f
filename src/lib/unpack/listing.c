/* Listing and summary of an unpack: text for people, JSON Lines for tools. */
#include "core/json.h"
#include "iotcop/error.h"
#include "iotcop/unpack.h"

#include <inttypes.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

static void mode_string(const struct ic_entry *e, char out[11])
{
    static const char type_chars[] = {'-', 'd', 'l', 'h', 'c', 'b', 'p', 's'};
    uint32_t m = e->mode;
    out[0] = (unsigned)e->type < sizeof(type_chars) ? type_chars[e->type] : '?';
    const char *rwx = "rwxrwxrwx";
    for (int i = 0; i < 9; i++)
        out[1 + i] = (m & (0400u >> i)) ? rwx[i] : '-';
    if (m & 04000)
        out[3] = (m & 0100) ? 's' : 'S';
    if (m & 02000)
        out[6] = (m & 0010) ? 's' : 'S';
    if (m & 01000)
        out[9] = (m & 0001) ? 't' : 'T';
    out[10] = '\0';
}

/* Hex SHA-256 of a file's content ("" when unreadable). */
static void content_sha256(const struct ic_entry *e, char hex[65])
{
    static const uint8_t empty = 0;
    const uint8_t *data = &empty;
    uint64_t size = 0;
    hex[0] = '\0';
    if (e->content) {
        int err = IC_OK;
        size = ic_blob_size(e->content);
        data = ic_blob_data(e->content, &err);
        if (!data && size)
            return;
    }
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!EVP_Digest(data ? data : &empty, (size_t)size, md, &len, EVP_sha256(), NULL))
        return;
    for (unsigned i = 0; i < len && i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

static void json_entry(struct ic_json *j, const struct ic_entry *e, const char *layer,
                       unsigned flags)
{
    char mode[8];
    snprintf(mode, sizeof(mode), "%04o", e->mode & 07777);
    ic_json_object_begin(j);
    ic_json_kv_string(j, "path", e->path);
    ic_json_kv_string(j, "type", ic_ftype_name(e->type));
    ic_json_kv_string(j, "mode", mode);
    ic_json_kv_uint(j, "uid", e->uid);
    ic_json_kv_uint(j, "gid", e->gid);
    ic_json_kv_uint(j, "size", e->size);
    if (e->link)
        ic_json_kv_string(j, "link", e->link);
    if (e->type == IC_FT_CHARDEV || e->type == IC_FT_BLOCKDEV) {
        ic_json_kv_uint(j, "major", e->dev_major);
        ic_json_kv_uint(j, "minor", e->dev_minor);
    }
    ic_json_kv_string(j, "layer", layer);
    if ((flags & IC_LISTING_SHA256) && (e->type == IC_FT_FILE || e->type == IC_FT_HARDLINK)) {
        char hex[65];
        content_sha256(e, hex);
        ic_json_kv_string(j, "sha256", hex);
    }
    ic_json_object_end(j);
}

void ic_unpack_json(const struct ic_unpack *u, struct ic_json *j)
{
    ic_json_object_begin(j);
    ic_json_key(j, "layers");
    ic_json_array_begin(j);
    for (size_t i = 0; i < u->layer_count; i++) {
        const struct ic_layer *l = &u->layers[i];
        ic_json_object_begin(j);
        ic_json_kv_string(j, "id", l->id);
        if (l->parent >= 0)
            ic_json_kv_string(j, "parent", u->layers[l->parent].id);
        else
            ic_json_kv_string(j, "parent", NULL);
        ic_json_kv_string(j, "format", l->format);
        ic_json_kv_uint(j, "offset", l->offset);
        ic_json_kv_uint(j, "size", l->size);
        if (l->path)
            ic_json_kv_string(j, "path", l->path);
        if (l->name)
            ic_json_kv_string(j, "name", l->name);
        if (l->info)
            ic_json_kv_string(j, "info", l->info);
        if (l->fs)
            ic_json_kv_uint(j, "entries", ic_fs_count(l->fs));
        ic_json_object_end(j);
    }
    ic_json_array_end(j);
    ic_json_kv_uint(j, "files", u->files);
    ic_json_kv_uint(j, "bytes", u->bytes);
    ic_json_key(j, "regions");
    ic_json_array_begin(j);
    for (size_t i = 0; i < u->region_count; i++) {
        const struct ic_region *r = &u->regions[i];
        ic_json_object_begin(j);
        ic_json_kv_string(j, "layer", r->layer);
        ic_json_kv_uint(j, "offset", r->offset);
        ic_json_kv_uint(j, "size", r->size);
        ic_json_key(j, "entropy");
        ic_json_double(j, r->entropy, 3);
        ic_json_object_end(j);
    }
    ic_json_array_end(j);
    ic_json_key(j, "diagnostics");
    ic_json_array_begin(j);
    for (size_t i = 0; i < u->diag_count; i++) {
        const struct ic_diag *d = &u->diags[i];
        ic_json_object_begin(j);
        ic_json_kv_string(j, "level", d->level == IC_DIAG_ERROR ? "error" : "warning");
        ic_json_kv_string(j, "code", ic_error_name(d->code));
        ic_json_kv_string(j, "layer", d->layer);
        if (d->offset >= 0)
            ic_json_kv_int(j, "offset", d->offset);
        ic_json_kv_string(j, "message", d->message);
        ic_json_object_end(j);
    }
    ic_json_array_end(j);
    if (u->limit_hit)
        ic_json_kv_string(j, "limit_hit", u->limit_hit);
    ic_json_object_end(j);
}

int ic_unpack_write_listing(const struct ic_unpack *u, enum ic_listing_format format,
                            unsigned flags, struct ic_buf *out)
{
    int rc = IC_OK;
    for (size_t i = 0; i < u->layer_count && rc == IC_OK; i++) {
        const struct ic_layer *l = &u->layers[i];
        if (!l->fs)
            continue;
        size_t n = ic_fs_count(l->fs);
        for (size_t k = 0; k < n && rc == IC_OK; k++) {
            const struct ic_entry *e = ic_fs_entry(l->fs, k);
            if (format == IC_LISTING_JSON) {
                struct ic_json j;
                ic_json_init(&j, out, 0);
                json_entry(&j, e, l->id, flags);
                rc = j.error ? j.error : ic_buf_append(out, "\n", 1);
            } else {
                char mode[11];
                mode_string(e, mode);
                rc = ic_buf_printf(out, "%s %5" PRIu32 "/%-5" PRIu32 " %10" PRIu64 " %-8s %s",
                                   mode, e->uid, e->gid, e->size, l->id, e->path);
                if (!rc && (flags & IC_LISTING_SHA256) && e->type == IC_FT_FILE) {
                    char hex[65];
                    content_sha256(e, hex);
                    rc = ic_buf_printf(out, "  sha256:%s", hex);
                }
                if (!rc && e->link)
                    rc = ic_buf_printf(out, " %s %s", e->type == IC_FT_HARDLINK ? "link to" : "->",
                                       e->link);
                if (!rc)
                    rc = ic_buf_append(out, "\n", 1);
            }
        }
    }
    if (rc == IC_OK && format == IC_LISTING_JSON) {
        struct ic_json j;
        ic_json_init(&j, out, 0);
        ic_json_object_begin(&j);
        ic_json_key(&j, "summary");
        ic_unpack_json(u, &j);
        ic_json_object_end(&j);
        rc = j.error ? j.error : ic_buf_append(out, "\n", 1);
    }
    return rc;
}

static int human_size(char *buf, size_t n, uint64_t v)
{
    const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double d = (double)v;
    int u = 0;
    while (d >= 1024 && u < 4) {
        d /= 1024;
        u++;
    }
    return snprintf(buf, n, u ? "%.1f %s" : "%.0f %s", d, units[u]);
}

int ic_unpack_write_summary(const struct ic_unpack *u, enum ic_listing_format format,
                            struct ic_buf *out)
{
    if (format == IC_LISTING_JSON) {
        struct ic_json j;
        ic_json_init(&j, out, 0);
        ic_json_object_begin(&j);
        ic_json_key(&j, "summary");
        ic_unpack_json(u, &j);
        ic_json_object_end(&j);
        return j.error ? j.error : ic_buf_append(out, "\n", 1);
    }
    int rc = ic_buf_printf(out, "Layers:\n");
    for (size_t i = 0; i < u->layer_count && !rc; i++) {
        const struct ic_layer *l = &u->layers[i];
        char size[32];
        human_size(size, sizeof(size), l->size);
        rc = ic_buf_printf(out, "%*s%-10s %-10s at 0x%-8" PRIx64 " %10s", (int)l->depth * 2, "",
                           l->id, l->format, l->offset, size);
        if (!rc && l->path)
            rc = ic_buf_printf(out, "  %s", l->path);
        if (!rc && l->name)
            rc = ic_buf_printf(out, "  '%s'", l->name);
        if (!rc && l->info)
            rc = ic_buf_printf(out, "  (%s)", l->info);
        if (!rc && l->fs)
            rc = ic_buf_printf(out, "  [%zu entries]", ic_fs_count(l->fs));
        if (!rc)
            rc = ic_buf_append(out, "\n", 1);
    }
    if (!rc && u->region_count) {
        rc = ic_buf_printf(out, "Unidentified regions:\n");
        for (size_t i = 0; i < u->region_count && !rc; i++) {
            const struct ic_region *r = &u->regions[i];
            rc = ic_buf_printf(out, "  layer %-8s at 0x%-8" PRIx64 " %10" PRIu64
                                    " bytes  entropy %.2f\n",
                               r->layer, r->offset, r->size, r->entropy);
        }
    }
    char bytes[32];
    human_size(bytes, sizeof(bytes), u->bytes);
    if (!rc)
        rc = ic_buf_printf(out, "%zu layers, %" PRIu64 " file system entries, %s expanded\n",
                           u->layer_count, u->files, bytes);
    for (size_t i = 0; i < u->diag_count && !rc; i++) {
        const struct ic_diag *d = &u->diags[i];
        rc = ic_buf_printf(out, "%s: layer %s", d->level == IC_DIAG_ERROR ? "error" : "warning",
                           d->layer);
        if (!rc && d->offset >= 0)
            rc = ic_buf_printf(out, " at 0x%" PRIx64, (uint64_t)d->offset);
        if (!rc)
            rc = ic_buf_printf(out, ": %s [%s]\n", d->message, ic_error_name(d->code));
    }
    if (!rc && u->limit_hit)
        rc = ic_buf_printf(out, "limit reached: %s (raise with --limit %s=VALUE)\n", u->limit_hit,
                           u->limit_hit);
    return rc;
}
