/* CRC and block decompression for the flash readers. */
#include "unpack/flash/flash.h"

#include "iotcop/error.h"

#include <lzo/lzo1x.h>
#include <pthread.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

uint32_t ic_flash_crc32(const uint8_t *p, size_t n)
{
    uLong c = 0; /* zlib inverts on entry and exit: undo the final inversion */
    while (n > 0) {
        uInt piece = n > (1u << 30) ? (1u << 30) : (uInt)n;
        c = crc32(c, p, piece);
        p += piece;
        n -= piece;
    }
    return (uint32_t)(c ^ 0xffffffffUL);
}

const char *ic_flash_compr_name(unsigned type)
{
    static const char *const names[] = {"none", "lzo", "zlib", "zstd"};
    return type < sizeof(names) / sizeof(names[0]) ? names[type] : "unknown";
}

static pthread_once_t lzo_once = PTHREAD_ONCE_INIT;
static int lzo_ready;

static void lzo_setup(void)
{
    lzo_ready = lzo_init() == LZO_E_OK;
}

static int inflate_raw(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_len)
{
    z_stream z;
    memset(&z, 0, sizeof(z));
    if (inflateInit2(&z, -MAX_WBITS) != Z_OK)
        return IC_E_NOMEM;
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)in_len;
    z.next_out = out;
    z.avail_out = (uInt)out_len;
    int zrc = inflate(&z, Z_FINISH);
    size_t produced = out_len - z.avail_out;
    inflateEnd(&z);
    if ((zrc != Z_STREAM_END && zrc != Z_OK && zrc != Z_BUF_ERROR) || produced != out_len)
        return IC_E_DECOMPRESS;
    return IC_OK;
}

int ic_flash_decompress(unsigned type, const uint8_t *in, size_t in_len, uint8_t *out,
                        size_t out_len)
{
    switch (type) {
    case IC_FLASH_COMPR_NONE:
        if (in_len < out_len)
            return IC_E_DECOMPRESS;
        memcpy(out, in, out_len);
        return IC_OK;
    case IC_FLASH_COMPR_LZO: {
        pthread_once(&lzo_once, lzo_setup);
        if (!lzo_ready)
            return IC_E_INTERNAL;
        lzo_uint produced = out_len;
        int rc = lzo1x_decompress_safe(in, in_len, out, &produced, NULL);
        if ((rc != LZO_E_OK && rc != LZO_E_INPUT_NOT_CONSUMED) || produced != out_len)
            return IC_E_DECOMPRESS;
        return IC_OK;
    }
    case IC_FLASH_COMPR_ZLIB:
        if (in_len > UINT32_MAX || out_len > UINT32_MAX)
            return IC_E_DECOMPRESS;
        return inflate_raw(in, in_len, out, out_len);
    case IC_FLASH_COMPR_ZSTD: {
        size_t got = ZSTD_decompress(out, out_len, in, in_len);
        if (ZSTD_isError(got) || got != out_len)
            return IC_E_DECOMPRESS;
        return IC_OK;
    }
    default:
        return IC_E_UNSUPPORTED;
    }
}
