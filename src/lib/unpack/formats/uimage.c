/* U-Boot legacy image (uImage): a 64-byte big-endian header with a CRC-32 of
 * its own and one of the data that follows. The data is one image, or for
 * multi-file images a zero-terminated table of sizes followed by the parts,
 * each starting on a 4-byte boundary. The names printed in the info are the
 * ones U-Boot's own tools print (dumpimage -l, "Image Type:"). */
#include "unpack/format.h"

#include <stdio.h>
#include <zlib.h>

#define UIMAGE_HEADER_SIZE 64
#define UIMAGE_MAGIC 0x27051956u
#define UIMAGE_NAME_LEN 32
#define UIMAGE_TYPE_MULTI 4

/* Indexed by the header's code; NULL where U-Boot has no name. */
static const char *const arch_names[] = {
    "Invalid ARCH", "Alpha",       "ARM",         "Intel x86", "IA64",          "MIPS",
    "MIPS 64 Bit",  "PowerPC",     "IBM S390",    "SuperH",    "SPARC",         "SPARC 64 Bit",
    "M68K",         "Nios",        "MicroBlaze",  "NIOS II",   "Blackfin",      "AVR32",
    "ST200",        "Sandbox",     "NDS32",       "OpenRISC 1000", "AArch64",  "ARC",
    "AMD x86_64",   "Xtensa",      "RISC-V",
};

static const char *const os_names[] = {
    "Invalid OS", "OpenBSD", "NetBSD",    "FreeBSD",   "4_4BSD",
    "Linux",      "SVR4",    "Esix",      "Solaris",   "Irix",
    "SCO",        "Dell",    "NCR",       "LynxOS",    "VxWorks",
    "pSOS",       "QNX",     "U-Boot",    "RTEMS",     "ARTOS",
    "Unity OS",   "INTEGRITY", "Enea OSE", "Plan 9",   "OpenRTOS",
    "ARM Trusted Firmware", "Trusted Execution Environment", "RISC-V OpenSBI", "EFI Firmware",
};

static const char *const type_names[] = {
    [0] = "Invalid Image",
    [1] = "Standalone Program",
    [2] = "Kernel Image",
    [3] = "RAMDisk Image",
    [4] = "Multi-File Image",
    [5] = "Firmware",
    [6] = "Script",
    [7] = "Filesystem Image",
    [8] = "Flat Device Tree",
    [14] = "Kernel Image (no loading done)",
    [29] = "FPGA Image",
    [31] = "Trusted Execution Environment Image",
    [32] = "Firmware with HABv4 IVT",
    [39] = "Coprocessor Image",
};

static const char *const compression_names[] = {
    "uncompressed",    "gzip compressed", "bzip2 compressed", "lzma compressed",
    "lzo compressed",  "lz4 compressed",  "zstd compressed",
};

/* The reader that takes over the payload (mainline U-Boot's lzo is lzop). */
static const char *const compression_formats[] = {
    NULL, "gzip", "bzip2", "lzma", "lzop", "lz4", "zstd",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *table_name(const char *const *table, size_t count, unsigned code,
                              const char *unknown)
{
    if (code < count && table[code])
        return table[code];
    return unknown;
}

static uint32_t crc32_of(const uint8_t *data, uint64_t size)
{
    uLong crc = crc32(0L, Z_NULL, 0);
    while (size > 0) {
        uInt n = size > (1u << 30) ? (1u << 30) : (uInt)size;
        crc = crc32(crc, data, n);
        data += n;
        size -= n;
    }
    return (uint32_t)crc;
}

/* The image name: printable ASCII up to the first NUL, others as '?'. */
static void copy_name(const uint8_t *field, char out[UIMAGE_NAME_LEN + 1])
{
    size_t i = 0;
    for (; i < UIMAGE_NAME_LEN && field[i]; i++)
        out[i] = (field[i] >= 0x20 && field[i] < 0x7f && field[i] != '\'') ? (char)field[i] : '?';
    out[i] = '\0';
}

/* Declares the parts of a multi-file image; data is the payload after the
 * header, of which avail bytes exist (declared: the header's size). */
static unsigned declare_multi_parts(struct ic_extract *x, const uint8_t *data, uint64_t avail,
                                    uint64_t declared, const char *hint)
{
    struct ic_cursor table;
    ic_cursor_init(&table, data, (size_t)avail);
    uint64_t count = 0;
    for (;;) {
        uint32_t size = 0;
        if (ic_cursor_u32be(&table, &size) != IC_OK) {
            ic_extract_diag(x, IC_DIAG_ERROR, IC_E_TRUNCATED,
                            (int64_t)(UIMAGE_HEADER_SIZE + table.pos),
                            "multi-file size table has no terminating zero");
            return 0;
        }
        if (size == 0)
            break;
        count++;
    }
    if (count > x->limits->max_layers) {
        ic_extract_diag(x, IC_DIAG_ERROR, IC_E_LIMIT_LAYERS, UIMAGE_HEADER_SIZE,
                        "multi-file table lists %llu parts; only the first %llu are kept",
                        (unsigned long long)count, (unsigned long long)x->limits->max_layers);
    }
    /* Parts start after the table (count sizes and the zero). */
    uint64_t offset = (count + 1) * 4;
    unsigned declared_parts = 0;
    for (uint64_t i = 0; i < count && i < x->limits->max_layers; i++) {
        uint64_t size = ic_load_u32be(data + i * 4);
        if (!ic_range_ok(offset, size, declared)) {
            ic_extract_diag(x, IC_DIAG_WARNING, IC_E_FORMAT,
                            (int64_t)(UIMAGE_HEADER_SIZE + offset),
                            "part %llu (%llu bytes) runs past the image's declared data size",
                            (unsigned long long)i, (unsigned long long)size);
        }
        if (offset >= avail) {
            ic_extract_diag(x, IC_DIAG_ERROR, IC_E_TRUNCATED,
                            (int64_t)(UIMAGE_HEADER_SIZE + offset),
                            "part %llu starts past the end of the data",
                            (unsigned long long)i);
            break;
        }
        uint64_t present = size <= avail - offset ? size : avail - offset;
        if (ic_extract_child(x, UIMAGE_HEADER_SIZE + offset, present, i == 0 ? hint : NULL,
                             NULL) != IC_OK)
            break;
        declared_parts++;
        offset += (size + 3) & ~(uint64_t)3;
    }
    return declared_parts;
}

static int uimage_unpack(struct ic_extract *x)
{
    if (x->size < UIMAGE_HEADER_SIZE)
        return IC_E_TRUNCATED;
    const uint8_t *h = x->data;
    if (ic_load_u32be(h) != UIMAGE_MAGIC)
        return IC_E_BAD_MAGIC;

    /* The header CRC is taken with its own field zeroed. */
    uint8_t header[UIMAGE_HEADER_SIZE];
    memcpy(header, h, sizeof(header));
    memset(header + 4, 0, 4);
    if (crc32_of(header, sizeof(header)) != ic_load_u32be(h + 4))
        return IC_E_CHECKSUM;

    uint64_t declared = ic_load_u32be(h + 12);
    uint32_t data_crc = ic_load_u32be(h + 24);
    unsigned os = h[28], arch = h[29], type = h[30], comp = h[31];
    char name[UIMAGE_NAME_LEN + 1];
    copy_name(h + 32, name);

    uint64_t avail = x->size - UIMAGE_HEADER_SIZE;
    const uint8_t *data = h + UIMAGE_HEADER_SIZE;
    if (declared > avail) {
        ic_extract_diag(x, IC_DIAG_ERROR, IC_E_TRUNCATED, (int64_t)UIMAGE_HEADER_SIZE,
                        "image data of %llu bytes declared, only %llu present",
                        (unsigned long long)declared, (unsigned long long)avail);
    } else {
        avail = declared;
        if (crc32_of(data, declared) != data_crc)
            ic_extract_diag(x, IC_DIAG_WARNING, IC_E_CHECKSUM, (int64_t)UIMAGE_HEADER_SIZE,
                            "data CRC mismatch (header says 0x%08x)", data_crc);
    }
    ic_extract_set_extent(x, UIMAGE_HEADER_SIZE + avail);

    const char *hint = comp < COUNT(compression_formats) ? compression_formats[comp] : NULL;
    unsigned parts = 0;
    if (type == UIMAGE_TYPE_MULTI)
        parts = declare_multi_parts(x, data, avail, declared, hint);
    else if (avail > 0)
        ic_extract_child(x, UIMAGE_HEADER_SIZE, avail, hint, NULL);

    char multi[48] = "";
    if (type == UIMAGE_TYPE_MULTI)
        snprintf(multi, sizeof(multi), ", %u part%s", parts, parts == 1 ? "" : "s");
    ic_extract_set_info(x, "'%s': %s %s %s (%s), %llu bytes%s", name,
                        table_name(arch_names, COUNT(arch_names), arch, "Unknown Architecture"),
                        table_name(os_names, COUNT(os_names), os, "Unknown OS"),
                        table_name(type_names, COUNT(type_names), type, "Unknown Image"),
                        table_name(compression_names, COUNT(compression_names), comp,
                                   "Unknown Compression"),
                        (unsigned long long)declared, multi);
    return IC_OK;
}

const struct ic_format ic_format_uimage = {
    .name = "uimage",
    .description = "U-Boot legacy image (uImage)",
    .magics = IC_MAGICS({"\x27\x05\x19\x56", 4, 0}),
    .unpack = uimage_unpack,
};
