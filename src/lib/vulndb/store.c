/* The SQLite file behind the vulnerability store: schema, records, KEV
 * entries, meta data and the info summary. */
#include "iotcop/error.h"
#include "vulndb/vulndb_private.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SCHEMA_VERSION "1"

static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS record("
    " rowid INTEGER PRIMARY KEY, source TEXT NOT NULL, id TEXT NOT NULL, cve TEXT NOT NULL,"
    " published TEXT, last_modified TEXT, status TEXT, rejected INTEGER NOT NULL,"
    " cvss REAL, cvss_version TEXT, severity TEXT, vector TEXT, description TEXT,"
    " UNIQUE(source, id));"
    "CREATE INDEX IF NOT EXISTS record_cve ON record(cve);"
    "CREATE TABLE IF NOT EXISTS criterion("
    " record INTEGER NOT NULL, config INTEGER NOT NULL, config_and INTEGER NOT NULL,"
    " node INTEGER NOT NULL, node_and INTEGER NOT NULL, node_negate INTEGER NOT NULL,"
    " vulnerable INTEGER NOT NULL, vendor TEXT NOT NULL, product TEXT NOT NULL,"
    " criteria TEXT NOT NULL, start_including TEXT, start_excluding TEXT,"
    " end_including TEXT, end_excluding TEXT);"
    "CREATE INDEX IF NOT EXISTS criterion_product ON criterion(product, vendor);"
    "CREATE INDEX IF NOT EXISTS criterion_record ON criterion(record);"
    "CREATE TABLE IF NOT EXISTS kev("
    " cve TEXT PRIMARY KEY, vendor TEXT, product TEXT, name TEXT, date_added TEXT,"
    " due_date TEXT, ransomware TEXT);";

static int sql_fail(struct ic_vulndb *db, const char *what)
{
    snprintf(db->detail, sizeof(db->detail), "%s: %s", what,
             db->sql ? sqlite3_errmsg(db->sql) : "no database");
    return IC_E_IO;
}

static void set_detail(char *detail, size_t size, const char *text)
{
    if (detail && size)
        snprintf(detail, size, "%s", text);
}

int ic_vulndb_default_path(char *out, size_t size)
{
    const char *xdg = getenv("XDG_DATA_HOME");
    const char *home = getenv("HOME");
    int n;
    if (xdg && *xdg)
        n = snprintf(out, size, "%s/iotcop/vulndb.sqlite", xdg);
    else if (home && *home)
        n = snprintf(out, size, "%s/.local/share/iotcop/vulndb.sqlite", home);
    else
        return IC_E_NOT_FOUND;
    return n < 0 || (size_t)n >= size ? IC_E_INVALID_ARG : IC_OK;
}

/* mkdir -p of path's directory. */
static int make_parent_dirs(const char *path)
{
    char dir[4096];
    int n = snprintf(dir, sizeof(dir), "%s", path);
    if (n < 0 || (size_t)n >= sizeof(dir))
        return IC_E_INVALID_ARG;
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir)
        return IC_OK;
    *slash = '\0';
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(dir, 0755) != 0 && errno != EEXIST)
            return IC_E_IO;
        *p = '/';
    }
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return IC_E_IO;
    return IC_OK;
}

static int prepare(struct ic_vulndb *db, const char *sql, sqlite3_stmt **st)
{
    if (sqlite3_prepare_v3(db->sql, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) != SQLITE_OK)
        return sql_fail(db, "prepare");
    return IC_OK;
}

static int prepare_writers(struct ic_vulndb *db)
{
    int rc;
    if ((rc = prepare(db, "SELECT rowid, last_modified FROM record WHERE source=?1 AND id=?2",
                      &db->get_record)) ||
        (rc = prepare(db,
                      "INSERT INTO record(source,id,cve,published,last_modified,status,"
                      "rejected,cvss,cvss_version,severity,vector,description) "
                      "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12)",
                      &db->insert_record)) ||
        (rc = prepare(db,
                      "UPDATE record SET cve=?3,published=?4,last_modified=?5,status=?6,"
                      "rejected=?7,cvss=?8,cvss_version=?9,severity=?10,vector=?11,"
                      "description=?12 WHERE rowid=?13",
                      &db->update_record)) ||
        (rc = prepare(db, "DELETE FROM criterion WHERE record=?1", &db->delete_criteria)) ||
        (rc = prepare(db,
                      "INSERT INTO criterion(record,config,config_and,node,node_and,"
                      "node_negate,vulnerable,vendor,product,criteria,start_including,"
                      "start_excluding,end_including,end_excluding) "
                      "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14)",
                      &db->insert_criterion)) ||
        (rc = prepare(db,
                      "INSERT INTO kev(cve,vendor,product,name,date_added,due_date,ransomware) "
                      "VALUES(?1,?2,?3,?4,?5,?6,?7) ON CONFLICT(cve) DO UPDATE SET "
                      "vendor=?2,product=?3,name=?4,date_added=?5,due_date=?6,ransomware=?7",
                      &db->upsert_kev)))
        return rc;
    return IC_OK;
}

int ic_vulndb_open(const char *path, enum ic_vulndb_mode mode, struct ic_vulndb **out, char *detail,
                   size_t detail_size)
{
    *out = NULL;
    if (!path || !*path)
        return IC_E_INVALID_ARG;
    struct ic_vulndb *db = calloc(1, sizeof(*db));
    if (!db)
        return IC_E_NOMEM;
    int rc = IC_OK;
    db->writable = mode == IC_VULNDB_WRITE;
    snprintf(db->path, sizeof(db->path), "%s", path);
    if (!db->writable && access(path, R_OK) != 0) {
        snprintf(db->detail, sizeof(db->detail), "%s: %s", path, strerror(errno));
        rc = IC_E_NOT_FOUND;
        goto done;
    }
    if (db->writable && make_parent_dirs(path) != IC_OK) {
        snprintf(db->detail, sizeof(db->detail), "cannot create the directory of %s", path);
        rc = IC_E_IO;
        goto done;
    }
    int flags = db->writable ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
    if (sqlite3_open_v2(path, &db->sql, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        rc = sql_fail(db, path);
        goto done;
    }
    sqlite3_busy_timeout(db->sql, 10000);
    char version[16] = "";
    if (db->writable) {
        if (sqlite3_exec(db->sql, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL) != SQLITE_OK ||
            sqlite3_exec(db->sql, schema_sql, NULL, NULL, NULL) != SQLITE_OK) {
            rc = sql_fail(db, "not a vulnerability store");
            if (sqlite3_errcode(db->sql) == SQLITE_NOTADB)
                rc = IC_E_FORMAT;
            goto done;
        }
        if ((rc = vdb_meta_get(db, "schema_version", version, sizeof(version))))
            goto done;
        if (!version[0] && (rc = vdb_meta_set(db, "schema_version", SCHEMA_VERSION)))
            goto done;
        if ((rc = prepare_writers(db)))
            goto done;
    } else if (vdb_meta_get(db, "schema_version", version, sizeof(version)) != IC_OK ||
               !version[0]) {
        snprintf(db->detail, sizeof(db->detail), "%s is not an iotcop vulnerability store", path);
        rc = IC_E_FORMAT;
        goto done;
    }
    if (version[0] && strcmp(version, SCHEMA_VERSION) != 0) {
        snprintf(db->detail, sizeof(db->detail), "%s has schema version %s, expected %s", path,
                 version, SCHEMA_VERSION);
        rc = IC_E_FORMAT;
    }
done:
    if (rc) {
        set_detail(detail, detail_size, db->detail);
        ic_vulndb_close(db);
        return rc;
    }
    *out = db;
    return IC_OK;
}

void ic_vulndb_close(struct ic_vulndb *db)
{
    if (!db)
        return;
    if (db->in_transaction)
        vdb_commit(db);
    sqlite3_finalize(db->get_record);
    sqlite3_finalize(db->insert_record);
    sqlite3_finalize(db->update_record);
    sqlite3_finalize(db->delete_criteria);
    sqlite3_finalize(db->insert_criterion);
    sqlite3_finalize(db->upsert_kev);
    sqlite3_finalize(db->match_record);
    sqlite3_finalize(db->match_criteria);
    sqlite3_finalize(db->match_kev);
    sqlite3_close(db->sql);
    free(db);
}

int vdb_begin(struct ic_vulndb *db)
{
    if (db->in_transaction)
        return IC_OK;
    if (sqlite3_exec(db->sql, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return sql_fail(db, "begin");
    db->in_transaction = 1;
    db->batch = 0;
    return IC_OK;
}

int vdb_commit(struct ic_vulndb *db)
{
    if (!db->in_transaction)
        return IC_OK;
    db->in_transaction = 0;
    if (sqlite3_exec(db->sql, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        int rc = sql_fail(db, "commit");
        sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
        return rc;
    }
    return IC_OK;
}

/* Counts a stored item; commits and reopens the transaction every batch. */
static int batch_tick(struct ic_vulndb *db)
{
    if (++db->batch < IC_VULNDB_BATCH)
        return IC_OK;
    int rc = vdb_commit(db);
    return rc ? rc : vdb_begin(db);
}

int vdb_meta_get(struct ic_vulndb *db, const char *key, char *out, size_t size)
{
    sqlite3_stmt *st = NULL;
    out[0] = '\0';
    if (sqlite3_prepare_v2(db->sql, "SELECT value FROM meta WHERE key=?1", -1, &st, NULL) !=
        SQLITE_OK)
        return sql_fail(db, "meta");
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    int rc = IC_OK;
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        const unsigned char *v = sqlite3_column_text(st, 0);
        snprintf(out, size, "%s", v ? (const char *)v : "");
    } else if (step != SQLITE_DONE) {
        rc = sql_fail(db, "meta");
    }
    sqlite3_finalize(st);
    return rc;
}

int vdb_meta_set(struct ic_vulndb *db, const char *key, const char *value)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db->sql,
                           "INSERT INTO meta(key,value) VALUES(?1,?2) "
                           "ON CONFLICT(key) DO UPDATE SET value=?2",
                           -1, &st, NULL) != SQLITE_OK)
        return sql_fail(db, "meta");
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_DONE ? IC_OK : sql_fail(db, "meta");
    sqlite3_finalize(st);
    return rc;
}

void vdb_record_reset(struct vdb_record *r)
{
    struct vdb_criterion *crit = r->crit;
    size_t cap = r->crit_cap;
    memset(r, 0, sizeof(*r));
    r->crit = crit;
    r->crit_cap = cap;
}

void vdb_record_release(struct vdb_record *r)
{
    free(r->crit);
    memset(r, 0, sizeof(*r));
}

struct vdb_criterion *vdb_record_add_criterion(struct vdb_record *r)
{
    if (r->crit_count >= IC_VULNDB_MAX_CRITERIA) {
        r->too_many_criteria = 1;
        return NULL;
    }
    if (r->crit_count == r->crit_cap) {
        size_t cap = r->crit_cap ? r->crit_cap * 2 : 64;
        struct vdb_criterion *p = realloc(r->crit, cap * sizeof(*p));
        if (!p) {
            r->too_many_criteria = 1;
            return NULL;
        }
        r->crit = p;
        r->crit_cap = cap;
    }
    struct vdb_criterion *c = &r->crit[r->crit_count++];
    memset(c, 0, sizeof(*c));
    return c;
}

void vdb_record_offer_cvss(struct vdb_record *r, int rank, double score, const char *version,
                           const char *severity, const char *vector)
{
    if (rank <= r->cvss_rank || score < 0 || score > 10)
        return;
    r->cvss_rank = rank;
    r->cvss = score;
    snprintf(r->cvss_version, sizeof(r->cvss_version), "%s", version ? version : "");
    snprintf(r->severity, sizeof(r->severity), "%s", severity ? severity : "");
    snprintf(r->vector, sizeof(r->vector), "%s", vector ? vector : "");
}

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *s)
{
    if (s && *s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

static void bind_record(sqlite3_stmt *st, const struct vdb_record *r)
{
    sqlite3_bind_text(st, 1, r->source, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, r->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, r->cve[0] ? r->cve : r->id, -1, SQLITE_STATIC);
    bind_text_or_null(st, 4, r->published);
    bind_text_or_null(st, 5, r->modified);
    bind_text_or_null(st, 6, r->status);
    sqlite3_bind_int(st, 7, r->rejected ? 1 : 0);
    if (r->cvss_rank)
        sqlite3_bind_double(st, 8, r->cvss);
    else
        sqlite3_bind_null(st, 8);
    bind_text_or_null(st, 9, r->cvss_version);
    bind_text_or_null(st, 10, r->severity);
    bind_text_or_null(st, 11, r->vector);
    bind_text_or_null(st, 12, r->description);
}

static int run_once(struct ic_vulndb *db, sqlite3_stmt *st, const char *what)
{
    int step = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return step == SQLITE_DONE ? IC_OK : sql_fail(db, what);
}

static int store_criteria(struct ic_vulndb *db, sqlite3_int64 rowid, const struct vdb_record *r,
                          struct ic_vulndb_import_stats *stats)
{
    sqlite3_stmt *st = db->insert_criterion;
    for (size_t i = 0; i < r->crit_count; i++) {
        const struct vdb_criterion *c = &r->crit[i];
        struct ic_cpe cpe;
        if (c->unusable || !c->criteria[0] || ic_cpe_parse(c->criteria, &cpe) != IC_OK)
            continue;
        for (char *q = cpe.vendor; *q; q++)
            *q = (char)(*q >= 'A' && *q <= 'Z' ? *q + 32 : *q);
        for (char *q = cpe.product; *q; q++)
            *q = (char)(*q >= 'A' && *q <= 'Z' ? *q + 32 : *q);
        sqlite3_bind_int64(st, 1, rowid);
        sqlite3_bind_int64(st, 2, c->config);
        sqlite3_bind_int(st, 3, c->config_and);
        sqlite3_bind_int64(st, 4, c->node);
        sqlite3_bind_int(st, 5, c->node_and);
        sqlite3_bind_int(st, 6, c->node_negate);
        sqlite3_bind_int(st, 7, c->vulnerable);
        sqlite3_bind_text(st, 8, cpe.vendor, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 9, cpe.product, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 10, c->criteria, -1, SQLITE_STATIC);
        bind_text_or_null(st, 11, c->start_including);
        bind_text_or_null(st, 12, c->start_excluding);
        bind_text_or_null(st, 13, c->end_including);
        bind_text_or_null(st, 14, c->end_excluding);
        int rc = run_once(db, st, "insert criterion");
        if (rc)
            return rc;
        stats->criteria++;
    }
    return IC_OK;
}

int vdb_store_record(struct ic_vulndb *db, const struct vdb_record *r,
                     struct ic_vulndb_import_stats *stats)
{
    if (!r->id[0] || r->too_many_criteria) {
        stats->invalid++;
        return IC_OK;
    }
    int rc = vdb_begin(db);
    if (rc)
        return rc;
    sqlite3_stmt *st = db->get_record;
    sqlite3_bind_text(st, 1, r->source, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, r->id, -1, SQLITE_STATIC);
    sqlite3_int64 rowid = 0;
    int exists = 0, newer_stored = 0;
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        exists = 1;
        rowid = sqlite3_column_int64(st, 0);
        const unsigned char *stored = sqlite3_column_text(st, 1);
        newer_stored = stored && r->modified[0] && strcmp((const char *)stored, r->modified) > 0;
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        return sql_fail(db, "look up record");
    if (newer_stored) {
        stats->unchanged++;
        return IC_OK;
    }
    if (exists) {
        bind_record(db->update_record, r);
        sqlite3_bind_int64(db->update_record, 13, rowid);
        if ((rc = run_once(db, db->update_record, "update record")))
            return rc;
        sqlite3_bind_int64(db->delete_criteria, 1, rowid);
        if ((rc = run_once(db, db->delete_criteria, "delete criteria")))
            return rc;
    } else {
        bind_record(db->insert_record, r);
        if ((rc = run_once(db, db->insert_record, "insert record")))
            return rc;
        rowid = sqlite3_last_insert_rowid(db->sql);
    }
    if (!r->rejected && (rc = store_criteria(db, rowid, r, stats)))
        return rc;
    stats->records++;
    if (r->rejected)
        stats->rejected++;
    return batch_tick(db);
}

int vdb_store_kev(struct ic_vulndb *db, const struct vdb_kev *k,
                  struct ic_vulndb_import_stats *stats)
{
    if (!k->cve[0]) {
        stats->invalid++;
        return IC_OK;
    }
    int rc = vdb_begin(db);
    if (rc)
        return rc;
    sqlite3_stmt *st = db->upsert_kev;
    sqlite3_bind_text(st, 1, k->cve, -1, SQLITE_STATIC);
    bind_text_or_null(st, 2, k->vendor);
    bind_text_or_null(st, 3, k->product);
    bind_text_or_null(st, 4, k->name);
    bind_text_or_null(st, 5, k->date_added);
    bind_text_or_null(st, 6, k->due_date);
    bind_text_or_null(st, 7, k->ransomware);
    if ((rc = run_once(db, st, "store KEV entry")))
        return rc;
    stats->kev++;
    return batch_tick(db);
}

static int count_rows(struct ic_vulndb *db, const char *sql, uint64_t *out)
{
    sqlite3_stmt *st = NULL;
    *out = 0;
    if (sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL) != SQLITE_OK)
        return sql_fail(db, "count");
    int rc = IC_OK;
    if (sqlite3_step(st) == SQLITE_ROW)
        *out = (uint64_t)sqlite3_column_int64(st, 0);
    else
        rc = sql_fail(db, "count");
    sqlite3_finalize(st);
    return rc;
}

int ic_vulndb_get_info(struct ic_vulndb *db, struct ic_vulndb_info *info)
{
    memset(info, 0, sizeof(*info));
    int rc;
    if ((rc = count_rows(db, "SELECT count(*) FROM record", &info->records)) ||
        (rc = count_rows(db, "SELECT count(*) FROM record WHERE rejected", &info->rejected)) ||
        (rc = count_rows(db, "SELECT count(*) FROM criterion", &info->criteria)) ||
        (rc = count_rows(db, "SELECT count(*) FROM kev", &info->kev)) ||
        (rc = vdb_meta_get(db, "last_update", info->last_update, sizeof(info->last_update))))
        return rc;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db->sql, "SELECT max(last_modified) FROM record", -1, &st, NULL) !=
        SQLITE_OK)
        return sql_fail(db, "newest record");
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        snprintf(info->newest_record, sizeof(info->newest_record), "%s",
                 (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return IC_OK;
}
