/* Kernel configuration: which options a kernel was built with, from the
 * configuration it embeds (CONFIG_IKCONFIG: a gzip stream between the
 * markers "IKCFG_ST" and "IKCFG_ED") or from a .config text file; and the
 * upstream release a Debian kernel banner names. */
#include "components/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define KCONFIG_MAX_LINE 1024

static int is_digit(uint8_t c)
{
    return c >= '0' && c <= '9';
}

size_t ic_kconfig_text(const uint8_t *data, size_t len, ic_name_fn fn, void *ctx)
{
    size_t count = 0;
    for (size_t i = 0; i < len;) {
        const uint8_t *nl = memchr(data + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - data) : len;
        size_t n = end - i;
        while (n && (data[i + n - 1] == '\r' || data[i + n - 1] == ' '))
            n--;
        if (n > 7 && n <= KCONFIG_MAX_LINE && memcmp(data + i, "CONFIG_", 7) == 0) {
            const uint8_t *eq = memchr(data + i, '=', n);
            int ok = eq && eq > data + i + 7;
            for (const uint8_t *p = data + i; ok && p < eq; p++)
                ok = (*p >= 'A' && *p <= 'Z') || is_digit(*p) || *p == '_' ||
                     (*p >= 'a' && *p <= 'z');
            if (ok) {
                count++;
                if (fn && fn(ctx, (const char *)data + i, n))
                    break;
            }
        }
        i = end + 1;
    }
    return count;
}

int ic_kconfig_is_text(const uint8_t *data, size_t len, char *version, size_t version_size)
{
    if (version_size)
        version[0] = '\0';
    size_t head = len < 4096 ? len : 4096;
    static const char tag[] = " Kernel Configuration";
    int header = 0;
    for (size_t i = 0; i < head;) {
        const uint8_t *nl = memchr(data + i, '\n', head - i);
        size_t end = nl ? (size_t)(nl - data) : head;
        size_t n = end - i;
        const char *line = (const char *)data + i;
        if (n > 8 && memcmp(line, "# Linux/", 8) == 0 && n < 128) {
            char buf[128];
            memcpy(buf, line, n);
            buf[n] = '\0';
            char *t = strstr(buf, tag);
            char *sp = strchr(buf + 8, ' ');
            if (t && sp && sp < t) {
                header = 1;
                *t = '\0';
                if (version_size)
                    snprintf(version, version_size, "%s", sp + 1);
            }
        }
        if (!nl)
            break;
        i = end + 1;
    }
    return header;
}

size_t ic_kconfig_embedded(const uint8_t *data, size_t len, ic_name_fn fn, void *ctx)
{
    static const char start[] = "IKCFG_ST", end_mark[] = "IKCFG_ED";
    const uint8_t *st = memmem(data, len, start, 8);
    if (!st)
        return 0;
    size_t off = (size_t)(st - data) + 8;
    const uint8_t *ed = memmem(data + off, len - off, end_mark, 8);
    size_t gz_len = ed ? (size_t)(ed - data) - off : len - off;
    if (gz_len < 18)
        return 0;
    uint8_t *out = malloc(IC_KCONFIG_MAX);
    if (!out)
        return 0;
    z_stream z;
    memset(&z, 0, sizeof(z));
    size_t got = 0;
    if (inflateInit2(&z, 16 + MAX_WBITS) == Z_OK) {
        z.next_in = (Bytef *)(uintptr_t)(data + off);
        z.avail_in = (uInt)(gz_len > 0x7fffffff ? 0x7fffffff : gz_len);
        z.next_out = out;
        z.avail_out = IC_KCONFIG_MAX;
        int rc = inflate(&z, Z_FINISH);
        /* A truncated stream still gives the options it holds. */
        if (rc == Z_STREAM_END || rc == Z_BUF_ERROR || rc == Z_OK || rc == Z_DATA_ERROR)
            got = IC_KCONFIG_MAX - z.avail_out;
        inflateEnd(&z);
    }
    size_t count = got ? ic_kconfig_text(out, got, fn, ctx) : 0;
    free(out);
    return count;
}

int ic_kernel_upstream_release(const uint8_t *line, size_t len, char *out, size_t size)
{
    static const char debian[] = " Debian ";
    const uint8_t *hash = memchr(line, '#', len);
    if (!hash)
        return 0;
    size_t from = (size_t)(hash - line);
    const uint8_t *d = memmem(line + from, len - from, debian, sizeof(debian) - 1);
    if (!d)
        return 0;
    size_t i = (size_t)(d - line) + sizeof(debian) - 1, s = i;
    int dots = 0;
    while (i < len && (is_digit(line[i]) || (line[i] == '.' && i + 1 < len &&
                                             is_digit(line[i + 1]) && i > s)))
        dots += line[i++] == '.';
    if (dots < 2 || i - s >= size)
        return 0;
    memcpy(out, line + s, i - s);
    out[i - s] = '\0';
    return 1;
}
