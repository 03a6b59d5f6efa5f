/* Alpha Networks firmware updates: a shell script, optionally a
 * "=== ddPack Boundary ===" line followed by a base64 block (a helper ELF,
 * "begin-base64 MODE NAME" up to a "====" line), then a
 * "=== Firmware Boundary ===" line and the firmware image up to the end.
 * Images whose firmware starts with "REDSONIC" inverted are stored with
 * every bit inverted. The layer is a file tree named as fact_extractor
 * names the parts: /script.sh, /ddPack.elf and /firmware.bin (inverted
 * back). The script must be text and the boundary within its first 64 KiB. */
#include "unpack/format.h"
#include "unpack/vendor/vendor.h"

#include <stdlib.h>

#define ALPHA_SCRIPT_MAX 65536u
#define FW_BOUNDARY "=== Firmware Boundary ===\n"
#define DD_BOUNDARY "=== ddPack Boundary ===\n"
#define B64_BEGIN "begin-base64"
#define B64_END "\n====\n"

static const uint8_t *find(const uint8_t *hay, uint64_t n, const char *needle)
{
    return memmem(hay, (size_t)n, needle, strlen(needle));
}

static int b64_value(uint8_t c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

/* Decodes base64 text (whitespace skipped, padding optional, stops at '='
 * or anything else) into a new buffer; returns its length. */
static uint64_t b64_decode(const uint8_t *text, uint64_t n, uint8_t *out)
{
    uint64_t len = 0;
    uint32_t acc = 0;
    unsigned bits = 0;
    for (uint64_t i = 0; i < n; i++) {
        if (text[i] == '\n' || text[i] == '\r' || text[i] == ' ' || text[i] == '\t')
            continue;
        int v = b64_value(text[i]);
        if (v < 0)
            break;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[len++] = (uint8_t)(acc >> bits);
        }
    }
    return len;
}

static int add_file(struct ic_extract *x, const char *path, struct ic_blob *content, uint64_t size)
{
    struct ic_entry e = {
        .path = path, .type = IC_FT_FILE, .mode = 0644, .size = size, .content = content};
    int rc = ic_extract_add_entry(x, &e);
    ic_blob_unref(content);
    return rc;
}

static int add_slice(struct ic_extract *x, const char *path, uint64_t at, uint64_t size)
{
    struct ic_blob *content = NULL;
    if (size && ic_extract_slice(x, at, size, &content) != IC_OK)
        return IC_E_NOMEM;
    return add_file(x, path, content, size);
}

/* A copy of data[at, at + size) decoded by `how` (0: bit-inverted, 1: base64). */
static int add_decoded(struct ic_extract *x, const char *path, uint64_t at, uint64_t size, int how)
{
    int rc = ic_extract_charge(x, size);
    if (rc != IC_OK)
        return rc;
    uint8_t *buf = malloc(size ? (size_t)size : 1);
    if (!buf)
        return IC_E_NOMEM;
    uint64_t len = size;
    if (how == 0) {
        for (uint64_t i = 0; i < size; i++)
            buf[i] = (uint8_t)~x->data[at + i];
    } else {
        len = b64_decode(x->data + at, size, buf);
    }
    struct ic_blob *content = NULL;
    if (len == 0) {
        free(buf);
    } else if (ic_blob_from_owned(buf, len, &content) != IC_OK) {
        free(buf);
        return IC_E_NOMEM;
    }
    return add_file(x, path, content, len);
}

static int alpha_unpack(struct ic_extract *x)
{
    uint64_t window = x->size < ALPHA_SCRIPT_MAX ? x->size : ALPHA_SCRIPT_MAX;
    if (window < 2 || x->data[0] != '#' || x->data[1] != '!')
        return IC_E_BAD_MAGIC;
    const uint8_t *fw = find(x->data, window, "\n" FW_BOUNDARY);
    if (!fw)
        return IC_E_FORMAT;
    uint64_t fw_line = (uint64_t)(fw - x->data) + 1;
    if (memchr(x->data, 0, (size_t)fw_line))
        return IC_E_FORMAT; /* the script is text */
    uint64_t fw_at = fw_line + strlen(FW_BOUNDARY);

    uint64_t script_end = fw_line, b64_at = 0, b64_len = 0;
    const uint8_t *dd = find(x->data, fw_line, "\n" DD_BOUNDARY);
    if (dd) {
        script_end = (uint64_t)(dd - x->data) + 1;
        uint64_t after = script_end + strlen(DD_BOUNDARY);
        const uint8_t *begin = find(x->data + after, fw_line - after, B64_BEGIN);
        const uint8_t *eol =
            begin ? memchr(begin, '\n', (size_t)(x->data + fw_line - begin)) : NULL;
        if (eol) {
            b64_at = (uint64_t)(eol - x->data) + 1;
            const uint8_t *stop = find(x->data + b64_at - 1, fw_line - b64_at + 1, B64_END);
            b64_len = stop ? (uint64_t)(stop - x->data) + 1 - b64_at : 0;
            if (!stop)
                ic_extract_diag(x, IC_DIAG_WARNING, IC_E_FORMAT, (int64_t)b64_at,
                                "base64 block of the ddPack has no \"====\" end line");
        } else {
            ic_extract_diag(x, IC_DIAG_WARNING, IC_E_FORMAT, (int64_t)after,
                            "ddPack boundary without a begin-base64 line");
        }
    }

    ic_extract_set_extent(x, x->size);
    ic_extract_fs(x);
    uint64_t fw_size = x->size - fw_at;
    static const uint8_t redsonic_inverted[8] = {0xad, 0xba, 0xbb, 0xac, 0xb0, 0xb1, 0xb6, 0xbc};
    int inverted = fw_size >= 8 && memcmp(x->data + fw_at, redsonic_inverted, 8) == 0;
    int rc = add_slice(x, "/script.sh", 0, script_end);
    if (rc == IC_OK && b64_len)
        rc = add_decoded(x, "/ddPack.elf", b64_at, b64_len, 1);
    if (rc == IC_OK)
        rc = inverted ? add_decoded(x, "/firmware.bin", fw_at, fw_size, 0)
                      : add_slice(x, "/firmware.bin", fw_at, fw_size);
    (void)rc;
    ic_extract_set_info(
        x, "Alpha Networks update: script %llu bytes%s, firmware %llu bytes at %llu%s",
        (unsigned long long)script_end, b64_len ? ", ddPack" : "", (unsigned long long)fw_size,
        (unsigned long long)fw_at, inverted ? ", bit-inverted" : "");
    return IC_OK;
}

const struct ic_format ic_format_alphanetworks = {
    .name = "alphanetworks",
    .description = "Alpha Networks script + firmware update",
    .magics = IC_MAGICS({"#!/bin/sh\n", 10, 0}),
    .unpack = alpha_unpack,
};
