/* The RPM installed-package database in its SQLite form (rpmdb.sqlite, rpm
 * 4.16 and later): table Packages(hnum, blob), one header per package.
 *
 * The file is read from memory (a copy opened read-only through SQLite's
 * in-memory VFS, never written back), with a step budget against corrupt
 * page chains. A header blob is: index count il and data size dl (32-bit
 * big-endian), il entries of (tag, type, offset, count), then dl bytes of
 * data; only NAME, VERSION, RELEASE, EPOCH and ARCH are read, each offset
 * checked against dl and each string against its end. */
#include "components/internal.h"
#include "iotcop/error.h"

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define RPM_TAG_NAME 1000
#define RPM_TAG_VERSION 1001
#define RPM_TAG_RELEASE 1002
#define RPM_TAG_EPOCH 1003
#define RPM_TAG_ARCH 1022
#define RPM_TYPE_INT32 4
#define RPM_TYPE_STRING 6
#define RPM_TYPE_I18NSTRING 9

/* rpm's own limits for one header. */
#define RPM_MAX_INDEX 0xffffu
#define RPM_MAX_DATA (256u * 1024u * 1024u)
/* SQLite virtual-machine steps allowed for reading one database. */
#define RPMDB_MAX_STEPS 50000000

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

struct rpm_header {
    char name[256];
    char version[256];
    char release[256];
    char arch[64];
    long long epoch; /* -1: none */
};

/* The NUL-terminated string at offset in data[0..dl), cut to size. */
static int copy_string(const uint8_t *data, uint32_t dl, uint32_t offset, char *out, size_t size)
{
    if (offset >= dl)
        return -1;
    const uint8_t *end = memchr(data + offset, '\0', dl - offset);
    if (!end)
        return -1;
    size_t n = (size_t)(end - (data + offset));
    if (n >= size)
        n = size - 1;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (data[offset + i] >= 0x20 && data[offset + i] != 0x7f)
            out[k++] = (char)data[offset + i];
    out[k] = '\0';
    return 0;
}

/* Reads the tags we need from one header blob. 0, or -1 when it is not a
 * header (sizes do not add up, no name or version). */
static int rpm_header_parse(const uint8_t *blob, size_t len, struct rpm_header *h)
{
    memset(h, 0, sizeof(*h));
    h->epoch = -1;
    if (len < 8)
        return -1;
    uint32_t il = be32(blob), dl = be32(blob + 4);
    if (il == 0 || il > RPM_MAX_INDEX || dl > RPM_MAX_DATA ||
        (uint64_t)8 + (uint64_t)il * 16 + dl > len)
        return -1;
    const uint8_t *index = blob + 8, *data = blob + 8 + (size_t)il * 16;
    for (uint32_t i = 0; i < il; i++) {
        const uint8_t *e = index + (size_t)i * 16;
        uint32_t tag = be32(e), type = be32(e + 4), offset = be32(e + 8), count = be32(e + 12);
        char *dst = NULL;
        size_t size = 0;
        switch (tag) {
        case RPM_TAG_NAME:
            dst = h->name, size = sizeof(h->name);
            break;
        case RPM_TAG_VERSION:
            dst = h->version, size = sizeof(h->version);
            break;
        case RPM_TAG_RELEASE:
            dst = h->release, size = sizeof(h->release);
            break;
        case RPM_TAG_ARCH:
            dst = h->arch, size = sizeof(h->arch);
            break;
        case RPM_TAG_EPOCH:
            if (type == RPM_TYPE_INT32 && count >= 1 && offset % 4 == 0 &&
                (uint64_t)offset + 4 <= dl)
                h->epoch = be32(data + offset);
            continue;
        default:
            continue;
        }
        if (type == RPM_TYPE_STRING || type == RPM_TYPE_I18NSTRING)
            copy_string(data, dl, offset, dst, size);
    }
    return h->name[0] && h->version[0] ? 0 : -1;
}

static int over_budget(void *arg)
{
    int *steps = arg;
    return ++*steps > RPMDB_MAX_STEPS / 1000;
}

int ic_rpmdb_parse(const uint8_t *data, size_t len, ic_pkgdb_fn fn, void *ctx)
{
    static const char magic[] = "SQLite format 3";
    if (len < 100 || memcmp(data, magic, sizeof(magic)) != 0 || len > (size_t)INT32_MAX)
        return 0;
    /* A copy: SQLite's in-memory database owns and frees it. WAL mode
     * (bytes 18 and 19 = 2) is read as a rollback-journal database. */
    unsigned char *copy = sqlite3_malloc64(len);
    if (!copy)
        return IC_E_NOMEM;
    memcpy(copy, data, len);
    if (copy[18] == 2 && copy[19] == 2)
        copy[18] = copy[19] = 1;
    sqlite3 *db = NULL;
    int rc = 0, steps = 0;
    if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        sqlite3_free(copy);
        sqlite3_close(db);
        return IC_E_NOMEM;
    }
    /* On failure sqlite3_deserialize frees the copy itself. */
    if (sqlite3_deserialize(db, "main", copy, (sqlite3_int64)len, (sqlite3_int64)len,
                            SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_READONLY) !=
        SQLITE_OK) {
        sqlite3_close(db);
        return 0;
    }
    sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
    sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
    sqlite3_progress_handler(db, 1000, over_budget, &steps);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT blob FROM Packages ORDER BY hnum", -1, &st, NULL) !=
        SQLITE_OK) {
        sqlite3_close(db);
        return 0;
    }
    size_t count = 0;
    while (!rc && count < IC_PKGDB_MAX_PACKAGES && sqlite3_step(st) == SQLITE_ROW) {
        const uint8_t *blob = sqlite3_column_blob(st, 0);
        int n = sqlite3_column_bytes(st, 0);
        struct rpm_header h;
        if (!blob || n <= 0 || rpm_header_parse(blob, (size_t)n, &h) != 0)
            continue;
        char full[600];
        if (h.epoch >= 0)
            snprintf(full, sizeof(full), "%lld:%s%s%s", h.epoch, h.version, h.release[0] ? "-" : "",
                     h.release);
        else
            snprintf(full, sizeof(full), "%s%s%s", h.version, h.release[0] ? "-" : "", h.release);
        struct ic_pkgdb_entry e = {h.name, full, h.arch, ""};
        count++;
        rc = fn(ctx, &e);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rc;
}
