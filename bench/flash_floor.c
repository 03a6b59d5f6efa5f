/* The decompression floor for bench/flashfs.sh: reads a JFFS2 or UBIFS
 * image, finds its data-carrying nodes (JFFS2 inode nodes, UBIFS data
 * nodes) by magic and type alone, and decompresses every one of them into
 * a scratch buffer. No CRCs, no index, no tree, no output: the least work
 * any reader of the same image has to do.
 *
 *   flash_floor jffs2|ubifs IMAGE     prints nodes, bytes in and bytes out
 *
 * Build: cc -O2 -o flash_floor flash_floor.c -lz -llzo2 -lzstd */
#include <lzo/lzo1x.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static int inflate_to(const uint8_t *in, size_t n, uint8_t *out, size_t m, int window)
{
    z_stream z;
    memset(&z, 0, sizeof(z));
    if (inflateInit2(&z, window) != Z_OK)
        return -1;
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)m;
    int rc = inflate(&z, Z_FINISH);
    inflateEnd(&z);
    return rc == Z_STREAM_END || rc == Z_OK || rc == Z_BUF_ERROR ? 0 : -1;
}

/* JFFS2's run-time compressor: (byte, repeat) pairs copying from after the
 * last place that byte value was written. */
static int rtime(const uint8_t *in, size_t n, uint8_t *out, size_t m)
{
    size_t pos[256] = {0}, i = 0, o = 0;
    while (o < m && i + 1 < n) {
        uint8_t b = in[i++], rep = in[i++];
        out[o++] = b;
        size_t from = pos[b];
        pos[b] = o;
        while (rep-- && o < m)
            out[o++] = out[from++];
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 3 || (strcmp(argv[1], "jffs2") && strcmp(argv[1], "ubifs"))) {
        fprintf(stderr, "usage: flash_floor jffs2|ubifs IMAGE\n");
        return 2;
    }
    int ubifs = strcmp(argv[1], "ubifs") == 0;
    FILE *f = fopen(argv[2], "rb");
    if (!f || fseek(f, 0, SEEK_END))
        return 1;
    long size = ftell(f);
    rewind(f);
    uint8_t *img = malloc((size_t)size);
    if (!img || fread(img, 1, (size_t)size, f) != (size_t)size)
        return 1;
    fclose(f);
    if (lzo_init() != LZO_E_OK)
        return 1;
    static uint8_t out[1 << 20];
    unsigned long long nodes = 0, in_bytes = 0, out_bytes = 0, failed = 0;
    size_t step = ubifs ? 8 : 4;
    for (size_t pos = 0; pos + 68 <= (size_t)size;) {
        const uint8_t *p = img + pos;
        const uint8_t *data = NULL;
        size_t csize = 0, dsize = 0, len = 0;
        int kind = -1; /* 0 none, 1 zlib, 2 raw deflate, 3 lzo, 4 zstd, 5 rtime, 6 zero */
        if (ubifs && get32(p) == 0x06101831u) {
            len = get32(p + 16);
            if (p[20] == 1 && len >= 48 && len <= (size_t)size - pos) {
                data = p + 48;
                csize = len - 48;
                dsize = get32(p + 40);
                static const int map[] = {0, 3, 2, 4};
                kind = get16(p + 44) < 4 ? map[get16(p + 44)] : -1;
            }
        } else if (!ubifs && get16(p) == 0x1985) {
            len = get32(p + 4);
            if (get16(p + 2) == 0xe002 && len >= 68 && len <= (size_t)size - pos) {
                data = p + 68;
                csize = get32(p + 48);
                dsize = get32(p + 52);
                switch (p[56]) {
                case 0:
                    kind = 0;
                    break;
                case 1:
                    kind = 6;
                    break;
                case 2:
                    kind = 5;
                    break;
                case 6:
                    kind = 1;
                    break;
                case 7:
                    kind = 3;
                    break;
                }
            }
        }
        if (!data || dsize > sizeof(out) || csize > len) {
            pos += len >= 12 && len <= (size_t)size - pos ? (len + step - 1) / step * step : step;
            continue;
        }
        int rc = 0;
        lzo_uint produced = dsize;
        switch (kind) {
        case 0:
            memcpy(out, data, dsize < csize ? dsize : csize);
            break;
        case 1:
            rc = inflate_to(data, csize, out, dsize, 15);
            break;
        case 2:
            rc = inflate_to(data, csize, out, dsize, -15);
            break;
        case 3:
            rc = lzo1x_decompress_safe(data, csize, out, &produced, NULL) == LZO_E_OK ? 0 : -1;
            break;
        case 4:
            rc = ZSTD_isError(ZSTD_decompress(out, dsize, data, csize)) ? -1 : 0;
            break;
        case 5:
            rc = rtime(data, csize, out, dsize);
            break;
        case 6:
            memset(out, 0, dsize);
            break;
        default:
            rc = -1;
        }
        nodes++;
        in_bytes += csize;
        out_bytes += dsize;
        failed += rc != 0;
        pos += (len + step - 1) / step * step;
    }
    printf("%llu nodes, %llu bytes in, %llu bytes out, %llu failed\n", nodes, in_bytes, out_bytes,
           failed);
    free(img);
    return failed != 0;
}
