/* Import: one streaming pass over a JSON document that is an NVD API 2.0
 * response page, a legacy NVD 1.1 feed, CISA's KEV catalogue, one OSV record
 * or an array of OSV records. The format is recognised from the keys as
 * they arrive; each record is stored as soon as it is complete, so memory
 * holds one record at a time. */
#include "iotcop/error.h"
#include "vulndb/vulndb_private.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct import {
    struct ic_vulndb *db;
    struct ic_jp *p;
    struct ic_vulndb_import_stats *stats;
    struct vdb_record rec;
    struct vdb_kev kev;
    int recognised;
};

static void set_format(struct import *im, const char *format)
{
    if (!im->stats->format[0])
        snprintf(im->stats->format, sizeof(im->stats->format), "%s", format);
}

/* One element of "vulnerabilities": an NVD 2.0 {cve: {...}} or a KEV entry. */
static int vulnerability_item(struct import *im)
{
    int more, rc, known;
    char key[48];
    vdb_record_reset(&im->rec);
    memset(&im->kev, 0, sizeof(im->kev));
    int is_nvd = 0, is_kev = 0;
    while ((rc = ic_jp_next_key(im->p, key, sizeof(key), &more)) == IC_OK && more) {
        if (strcmp(key, "cve") == 0) {
            is_nvd = 1;
            rc = vdb_nvd2_cve(im->p, &im->rec);
        } else {
            rc = vdb_kev_key(im->p, &im->kev, key, &known);
            is_kev |= known;
        }
        if (rc)
            return rc;
    }
    if (rc)
        return rc;
    if (is_nvd) {
        set_format(im, "nvd-2.0");
        im->recognised = 1;
        return vdb_store_record(im->db, &im->rec, im->stats);
    }
    if (is_kev) {
        set_format(im, "kev");
        im->recognised = 1;
        return vdb_store_kev(im->db, &im->kev, im->stats);
    }
    im->stats->invalid++;
    return IC_OK;
}

/* Iterates an array whose '[' is consumed; object elements go to each(). */
static int each_object_open(struct import *im, int (*each)(struct import *))
{
    enum ic_jp_type t;
    int rc;
    while ((rc = ic_jp_next(im->p, &t)) == IC_OK && t != IC_JP_ARRAY_END) {
        if (t != IC_JP_OBJECT_BEGIN) {
            if ((rc = ic_jp_skip_from(im->p, t)))
                return rc;
            continue;
        }
        if ((rc = each(im)))
            return rc;
    }
    return rc;
}

/* The same for the array that is the next value (anything else is skipped). */
static int each_object(struct import *im, int (*each)(struct import *))
{
    enum ic_jp_type t;
    int rc = ic_jp_next(im->p, &t);
    if (rc || t != IC_JP_ARRAY_BEGIN)
        return rc ? rc : ic_jp_skip_from(im->p, t);
    return each_object_open(im, each);
}

/* A legacy 1.1 feed item whose object is open. */
static int nvd11_item(struct import *im)
{
    vdb_record_reset(&im->rec);
    int rc = vdb_nvd11_item(im->p, &im->rec);
    if (rc)
        return rc;
    set_format(im, "nvd-1.1");
    im->recognised = 1;
    return vdb_store_record(im->db, &im->rec, im->stats);
}

/* An OSV record whose object is open. */
static int osv_record(struct import *im)
{
    int more, rc, known, any = 0;
    char key[48];
    vdb_record_reset(&im->rec);
    while ((rc = ic_jp_next_key(im->p, key, sizeof(key), &more)) == IC_OK && more) {
        if ((rc = vdb_osv_key(im->p, &im->rec, key, &known)))
            return rc;
        any |= known;
    }
    if (rc)
        return rc;
    if (!any || !im->rec.id[0]) {
        im->stats->invalid++;
        return IC_OK;
    }
    vdb_osv_finish(&im->rec);
    set_format(im, "osv");
    im->recognised = 1;
    return vdb_store_record(im->db, &im->rec, im->stats);
}

static int read_page_number(struct import *im, uint64_t *out)
{
    double v = 0;
    int ok = 0;
    int rc = ic_jp_read_number(im->p, &v, &ok);
    if (!rc && ok && v >= 0 && v < 1e15) {
        *out = (uint64_t)v;
        im->stats->has_page = 1;
    }
    return rc;
}

/* The top-level object: a page, a feed, the KEV catalogue or one OSV record. */
static int top_object(struct import *im)
{
    int more, rc, known, osv_keys = 0;
    char key[48];
    vdb_record_reset(&im->rec);
    struct vdb_record *osv = calloc(1, sizeof(*osv));
    if (!osv)
        return IC_E_NOMEM;
    while ((rc = ic_jp_next_key(im->p, key, sizeof(key), &more)) == IC_OK && more) {
        if (strcmp(key, "vulnerabilities") == 0) {
            rc = each_object(im, vulnerability_item);
        } else if (strcmp(key, "CVE_Items") == 0) {
            rc = each_object(im, nvd11_item);
        } else if (strcmp(key, "resultsPerPage") == 0) {
            rc = read_page_number(im, &im->stats->results_per_page);
        } else if (strcmp(key, "startIndex") == 0) {
            rc = read_page_number(im, &im->stats->start_index);
        } else if (strcmp(key, "totalResults") == 0) {
            rc = read_page_number(im, &im->stats->total_results);
        } else if (strcmp(key, "timestamp") == 0) {
            rc = ic_jp_read_text(im->p, im->stats->timestamp, sizeof(im->stats->timestamp));
        } else {
            rc = vdb_osv_key(im->p, osv, key, &known);
            if (known && strcmp(key, "schema_version") != 0)
                osv_keys++;
        }
        if (rc)
            break;
    }
    if (!rc && osv_keys && osv->id[0]) {
        vdb_osv_finish(osv);
        set_format(im, "osv");
        im->recognised = 1;
        rc = vdb_store_record(im->db, osv, im->stats);
    }
    vdb_record_release(osv);
    free(osv);
    return rc;
}

int vdb_import_stream(struct ic_vulndb *db, struct ic_jp *p, struct ic_vulndb_import_stats *stats,
                      char *detail, size_t detail_size)
{
    struct import im = {.db = db, .p = p, .stats = stats};
    enum ic_jp_type t;
    int rc = vdb_begin(db);
    if (!rc)
        rc = ic_jp_next(p, &t);
    if (!rc) {
        if (t == IC_JP_OBJECT_BEGIN)
            rc = top_object(&im);
        else if (t == IC_JP_ARRAY_BEGIN)
            rc = each_object_open(&im, osv_record);
        else
            rc = IC_E_UNKNOWN_FORMAT;
    }
    if (!rc) {
        rc = ic_jp_next(p, &t);
        if (!rc && t != IC_JP_EOF)
            rc = IC_E_FORMAT;
    }
    int commit = vdb_commit(db);
    if (!rc && commit)
        rc = commit;
    if (!rc && !im.recognised && !stats->has_page)
        rc = IC_E_UNKNOWN_FORMAT;
    if (rc && detail && detail_size) {
        if (p->error)
            snprintf(detail, detail_size, "%s", p->detail);
        else if (rc == IC_E_UNKNOWN_FORMAT)
            snprintf(detail, detail_size, "not an NVD, OSV or KEV document");
        else if (rc == IC_E_IO)
            snprintf(detail, detail_size, "%s", db->detail);
        else
            snprintf(detail, detail_size, "%s", "");
    }
    vdb_record_release(&im.rec);
    return rc;
}

int ic_vulndb_import_memory(struct ic_vulndb *db, const void *data, size_t size,
                            struct ic_vulndb_import_stats *stats, char *detail, size_t detail_size)
{
    memset(stats, 0, sizeof(*stats));
    if (!db || !db->writable)
        return IC_E_INVALID_ARG;
    struct ic_jp_memory m = {data, size, 0};
    struct ic_jp p;
    int rc = ic_jp_init(&p, ic_jp_read_memory, &m);
    if (rc)
        return rc;
    rc = vdb_import_stream(db, &p, stats, detail, detail_size);
    ic_jp_release(&p);
    return rc;
}

int ic_vulndb_import_file(struct ic_vulndb *db, const char *path,
                          struct ic_vulndb_import_stats *stats, char *detail, size_t detail_size)
{
    memset(stats, 0, sizeof(*stats));
    if (!db || !db->writable)
        return IC_E_INVALID_ARG;
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (detail && detail_size)
            snprintf(detail, detail_size, "%s: %s", path, strerror(errno));
        return IC_E_IO;
    }
    struct ic_jp p;
    int rc = ic_jp_init(&p, ic_jp_read_file, f);
    if (!rc) {
        rc = vdb_import_stream(db, &p, stats, detail, detail_size);
        ic_jp_release(&p);
    }
    fclose(f);
    return rc;
}
