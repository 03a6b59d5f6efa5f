/* Inside the vulnerability store: the handle, one record as the importers
 * build it (bounded), and the functions the importers share. */
#ifndef IC_VULNDB_PRIVATE_H
#define IC_VULNDB_PRIVATE_H

#include "iotcop/vulndb.h"
#include "vulndb/jsonpull.h"

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

/* Most CPE match criteria kept for one record (the largest NVD records
 * have a few thousand); more are dropped and the record counted invalid. */
#define IC_VULNDB_MAX_CRITERIA 100000u
/* Records stored per transaction during an import. */
#define IC_VULNDB_BATCH 5000u

struct ic_vulndb {
    sqlite3 *sql;
    int writable;
    int in_transaction;
    uint64_t batch;
    sqlite3_stmt *get_record;
    sqlite3_stmt *insert_record;
    sqlite3_stmt *update_record;
    sqlite3_stmt *delete_criteria;
    sqlite3_stmt *insert_criterion;
    sqlite3_stmt *upsert_kev;
    sqlite3_stmt *match_record; /* prepared on first use by match.c */
    sqlite3_stmt *match_criteria;
    sqlite3_stmt *match_kev;
    char detail[256];
    char path[4096];
};

struct vdb_criterion {
    uint32_t config;
    uint32_t node;
    uint8_t config_and;
    uint8_t node_and;
    uint8_t node_negate;
    uint8_t vulnerable;
    uint8_t unusable; /* a field did not fit: not stored */
    char criteria[512];
    char start_including[64];
    char start_excluding[64];
    char end_including[64];
    char end_excluding[64];
};

struct vdb_record {
    char source[8]; /* "nvd" or "osv" */
    char id[64];
    char cve[64];
    char published[40];
    char modified[40];
    char status[40];
    int rejected;
    int cvss_rank; /* 0: none; higher is preferred (see nvd.c) */
    double cvss;
    char cvss_version[8];
    char severity[16];
    char vector[192];
    char description[1024];
    int too_many_criteria;
    struct vdb_criterion *crit; /* owned, reused across records */
    size_t crit_count;
    size_t crit_cap;
};

struct vdb_kev {
    char cve[64];
    char vendor[128];
    char product[128];
    char name[256];
    char date_added[16];
    char due_date[16];
    char ransomware[32];
};

/* Empties a record, keeping its criteria array for reuse. */
void vdb_record_reset(struct vdb_record *r);
void vdb_record_release(struct vdb_record *r);
/* A new zeroed criterion at the end of r->crit, or NULL when the cap is hit
 * (r->too_many_criteria set) or memory ran out. */
struct vdb_criterion *vdb_record_add_criterion(struct vdb_record *r);

/* Stores a record (replacing an older copy) / a KEV entry, inside the
 * import's transaction; counts into stats. IC_OK or IC_E_IO (detail in db). */
int vdb_store_record(struct ic_vulndb *db, const struct vdb_record *r,
                     struct ic_vulndb_import_stats *stats);
int vdb_store_kev(struct ic_vulndb *db, const struct vdb_kev *k,
                  struct ic_vulndb_import_stats *stats);
int vdb_begin(struct ic_vulndb *db);
int vdb_commit(struct ic_vulndb *db);
/* meta table: key -> value text. get: "" when absent. */
int vdb_meta_get(struct ic_vulndb *db, const char *key, char *out, size_t size);
int vdb_meta_set(struct ic_vulndb *db, const char *key, const char *value);

/* Imports everything the parser yields (any supported format). */
int vdb_import_stream(struct ic_vulndb *db, struct ic_jp *p, struct ic_vulndb_import_stats *stats,
                      char *detail, size_t detail_size);

/* Format readers. vdb_nvd2_cve reads the value that comes next from p (the
 * `cve` object); vdb_nvd11_item reads the keys of an item whose '{' has been
 * consumed, up to its '}'. */
int vdb_nvd2_cve(struct ic_jp *p, struct vdb_record *r);
int vdb_nvd11_item(struct ic_jp *p, struct vdb_record *r);
/* Reads the value of one key of an OSV record; vdb_osv_finish() after the
 * record's last key fills what depends on several keys. */
int vdb_osv_key(struct ic_jp *p, struct vdb_record *r, const char *key, int *known);
void vdb_osv_finish(struct vdb_record *r);
int vdb_kev_key(struct ic_jp *p, struct vdb_kev *k, const char *key, int *known);

/* The CVEs that concern one busybox applet or one kernel option, from
 * data/cve-features.json (tools/gen_cve_features.py): sorted by CVE id,
 * then component. */
struct ic_cve_feature {
    const char *cve;
    const char *component;       /* "busybox" or "linux" */
    const char *const *features; /* NULL-terminated applet names or CONFIG_ names */
    const char *basis;           /* the record's wording that ties them */
};
extern const struct ic_cve_feature ic_cve_features[];
extern const size_t ic_cve_feature_count;

/* Whether cve cannot apply to the component because none of the applets or
 * kernel options it concerns is compiled in: from the table above, else
 * (busybox) an "X applet" named by the record's description. 1 with the
 * reason in out (cut to size); 0 when it applies or nothing settles it. */
int vdb_not_applicable(struct ic_vulndb *db, const struct ic_component *component, const char *cve,
                       char *out, size_t size);

/* Shared by the readers: keeps the better CVSS metric. rank: higher wins. */
void vdb_record_offer_cvss(struct vdb_record *r, int rank, double score, const char *version,
                           const char *severity, const char *vector);

#endif
