/* Reading archives through libarchive: the glue the archive formats share.
 *
 * A format descriptor (formats/tar.c, cpio.c, zip.c, ...) validates its own
 * header and, where its structure allows, works out the archive's exact
 * extent; then ic_archive_read() opens libarchive on those bytes with only
 * that one format enabled (no compression filters: those are layers of their
 * own) and turns every entry into a file tree entry, file data included. */
#ifndef IC_UNPACK_ARCHIVE_READER_H
#define IC_UNPACK_ARCHIVE_READER_H

#include "unpack/format.h"

#include <stdint.h>

struct archive;

struct ic_archive_reader {
    const char *label;                /* format name for messages: "tar" */
    int (*enable)(struct archive *a); /* archive_read_support_format_X */
    /* Optional: non-zero to leave an entry out (ar symbol tables). */
    int (*skip_entry)(const char *path);
};

struct ic_archive_result {
    uint64_t entries;     /* entries read (kept or not) */
    uint64_t end;         /* bytes consumed once reading stopped */
    uint64_t good_end;    /* bytes consumed up to the end of the last whole entry */
    int reached_end;      /* the archive's own end marker (or end of data) was reached */
    int damaged;          /* reading stopped on an error */
    char format_name[64]; /* libarchive's name of the variant, or "" */
};

/* Reads data[0, size) of x as an archive of the reader's format and adds
 * every entry to x's file tree, with diagnostics for what could not be read.
 * Returns IC_OK when libarchive recognised the format (even if damaged
 * later: see *result), IC_E_BAD_MAGIC when it did not, IC_E_NOMEM. */
int ic_archive_read(struct ic_extract *x, uint64_t size, const struct ic_archive_reader *reader,
                    struct ic_archive_result *result);

/* Sets the layer's info line from a result: "GNU tar format, 12 entries". */
void ic_archive_set_info(struct ic_extract *x, const struct ic_archive_result *result);

/* Whether all n bytes at p are zero. */
int ic_archive_all_zero(const uint8_t *p, uint64_t n);

#endif
