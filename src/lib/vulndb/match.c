/* Matching targets (vendor, product, version) against the stored CPE match
 * criteria, configuration by configuration. */
#include "iotcop/error.h"
#include "vulndb/vulndb_private.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void lower_copy(char *dst, size_t size, const char *src)
{
    size_t i = 0;
    for (; src && src[i] && i + 1 < size; i++)
        dst[i] = (char)tolower((unsigned char)src[i]);
    dst[i] = '\0';
}

/* A growable array of record rowids, kept sorted and unique. */
struct ids {
    sqlite3_int64 *v;
    size_t n, cap;
};

static int ids_add(struct ids *ids, sqlite3_int64 id)
{
    size_t lo = 0, hi = ids->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (ids->v[mid] == id)
            return IC_OK;
        if (ids->v[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (ids->n == ids->cap) {
        size_t cap = ids->cap ? ids->cap * 2 : 64;
        sqlite3_int64 *p = realloc(ids->v, cap * sizeof(*p));
        if (!p)
            return IC_E_NOMEM;
        ids->v = p;
        ids->cap = cap;
    }
    memmove(ids->v + lo + 1, ids->v + lo, (ids->n - lo) * sizeof(*ids->v));
    ids->v[lo] = id;
    ids->n++;
    return IC_OK;
}

struct loaded_criterion {
    struct vdb_criterion c;
    unsigned char *hits; /* hits[t]: matches target t */
};

struct matches {
    struct ic_vuln_match *v;
    size_t n, cap;
};

static int matches_add(struct matches *m, const struct ic_vuln_match *x)
{
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 16;
        struct ic_vuln_match *p = realloc(m->v, cap * sizeof(*p));
        if (!p)
            return IC_E_NOMEM;
        m->v = p;
        m->cap = cap;
    }
    m->v[m->n++] = *x;
    return IC_OK;
}

static const char *column(sqlite3_stmt *st, int i)
{
    const unsigned char *s = sqlite3_column_text(st, i);
    return s ? (const char *)s : "";
}

/* "cpe:... >= a, < b" for evidence. */
static void describe_criterion(const struct vdb_criterion *c, char *out, size_t size)
{
    int n = snprintf(out, size, "%s", c->criteria);
    struct {
        const char *op;
        const char *v;
    } bounds[] = {{">=", c->start_including},
                  {">", c->start_excluding},
                  {"<=", c->end_including},
                  {"<", c->end_excluding}};
    const char *sep = " ";
    for (size_t i = 0; i < 4 && n > 0 && (size_t)n < size; i++) {
        if (!bounds[i].v[0])
            continue;
        n += snprintf(out + n, size - (size_t)n, "%s%s %s", sep, bounds[i].op, bounds[i].v);
        sep = ", ";
    }
}

/* Evaluates one record's configurations against all targets and appends
 * one match per target that a holding configuration makes vulnerable. */
static int evaluate_record(struct ic_vulndb *db, sqlite3_int64 rowid,
                           const struct ic_vuln_target *targets, size_t count, struct matches *out)
{
    struct loaded_criterion *list = NULL;
    unsigned char *hits = NULL;
    size_t n = 0, cap = 0;
    size_t first_match = out->n; /* this record's matches start here */
    int rc = IC_OK;
    struct ic_vuln_match base;
    memset(&base, 0, sizeof(base));

    if ((!db->match_record &&
         sqlite3_prepare_v3(db->sql,
                            "SELECT id, cve, rejected, cvss, cvss_version, severity FROM record "
                            "WHERE rowid=?1",
                            -1, SQLITE_PREPARE_PERSISTENT, &db->match_record, NULL) != SQLITE_OK) ||
        (!db->match_criteria &&
         sqlite3_prepare_v3(db->sql,
                            "SELECT config, config_and, node, node_and, node_negate, vulnerable, "
                            "criteria, start_including, start_excluding, end_including, "
                            "end_excluding FROM criterion WHERE record=?1 ORDER BY config, node",
                            -1, SQLITE_PREPARE_PERSISTENT, &db->match_criteria,
                            NULL) != SQLITE_OK) ||
        (!db->match_kev &&
         sqlite3_prepare_v3(db->sql, "SELECT date_added FROM kev WHERE cve=?1", -1,
                            SQLITE_PREPARE_PERSISTENT, &db->match_kev, NULL) != SQLITE_OK))
        return IC_E_IO;
    sqlite3_stmt *rec = db->match_record, *crit = db->match_criteria, *kev = db->match_kev;
    sqlite3_bind_int64(rec, 1, rowid);
    if (sqlite3_step(rec) != SQLITE_ROW || sqlite3_column_int(rec, 2))
        goto done; /* gone or rejected */
    snprintf(base.record, sizeof(base.record), "%s", column(rec, 0));
    snprintf(base.cve, sizeof(base.cve), "%s", column(rec, 1));
    if (sqlite3_column_type(rec, 3) != SQLITE_NULL) {
        base.has_cvss = 1;
        base.cvss = sqlite3_column_double(rec, 3);
    }
    snprintf(base.cvss_version, sizeof(base.cvss_version), "%s", column(rec, 4));
    snprintf(base.severity, sizeof(base.severity), "%s", column(rec, 5));
    sqlite3_bind_text(kev, 1, base.cve, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(kev) == SQLITE_ROW) {
        base.known_exploited = 1;
        snprintf(base.kev_date_added, sizeof(base.kev_date_added), "%s", column(kev, 0));
    }

    sqlite3_bind_int64(crit, 1, rowid);
    int step;
    while ((step = sqlite3_step(crit)) == SQLITE_ROW) {
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 32;
            struct loaded_criterion *p = realloc(list, ncap * sizeof(*p));
            if (!p) {
                rc = IC_E_NOMEM;
                goto done;
            }
            list = p;
            cap = ncap;
        }
        struct vdb_criterion *c = &list[n].c;
        memset(c, 0, sizeof(*c));
        c->config = (uint32_t)sqlite3_column_int64(crit, 0);
        c->config_and = (uint8_t)sqlite3_column_int(crit, 1);
        c->node = (uint32_t)sqlite3_column_int64(crit, 2);
        c->node_and = (uint8_t)sqlite3_column_int(crit, 3);
        c->node_negate = (uint8_t)sqlite3_column_int(crit, 4);
        c->vulnerable = (uint8_t)sqlite3_column_int(crit, 5);
        snprintf(c->criteria, sizeof(c->criteria), "%s", column(crit, 6));
        snprintf(c->start_including, sizeof(c->start_including), "%s", column(crit, 7));
        snprintf(c->start_excluding, sizeof(c->start_excluding), "%s", column(crit, 8));
        snprintf(c->end_including, sizeof(c->end_including), "%s", column(crit, 9));
        snprintf(c->end_excluding, sizeof(c->end_excluding), "%s", column(crit, 10));
        n++;
    }
    if (step != SQLITE_DONE) {
        rc = IC_E_IO;
        goto done;
    }
    hits = calloc(n ? n : 1, count ? count : 1);
    if (!hits) {
        rc = IC_E_NOMEM;
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        list[i].hits = hits + i * count;
        struct ic_cpe_criterion cc = {list[i].c.criteria, list[i].c.start_including,
                                      list[i].c.start_excluding, list[i].c.end_including,
                                      list[i].c.end_excluding};
        for (size_t t = 0; t < count; t++)
            list[i].hits[t] = ic_cpe_criterion_matches(&cc, &targets[t]) == 1;
    }

    /* walk configurations: criteria are sorted by (config, node) */
    size_t i = 0;
    while (i < n) {
        size_t config_end = i;
        while (config_end < n && list[config_end].c.config == list[i].c.config)
            config_end++;
        int config_and = list[i].c.config_and;
        int holds = config_and ? 1 : 0;
        for (size_t j = i; j < config_end;) {
            size_t node_end = j;
            while (node_end < config_end && list[node_end].c.node == list[j].c.node)
                node_end++;
            int node_and = list[j].c.node_and;
            int value = node_and ? 1 : 0;
            for (size_t k = j; k < node_end; k++) {
                int any = 0;
                for (size_t t = 0; t < count && !any; t++)
                    any = list[k].hits[t];
                value = node_and ? value && any : value || any;
            }
            if (list[j].c.node_negate)
                value = !value;
            holds = config_and ? holds && value : holds || value;
            j = node_end;
        }
        if (holds) {
            for (size_t t = 0; t < count; t++) {
                for (size_t k = i; k < config_end; k++) {
                    if (!list[k].c.vulnerable || !list[k].hits[t] || list[k].c.node_negate)
                        continue;
                    int seen = 0;
                    for (size_t m = first_match; m < out->n && !seen; m++)
                        seen = out->v[m].target == t;
                    if (!seen) {
                        struct ic_vuln_match x = base;
                        x.target = t;
                        describe_criterion(&list[k].c, x.criterion, sizeof(x.criterion));
                        if ((rc = matches_add(out, &x)))
                            goto done;
                    }
                    break;
                }
            }
        }
        i = config_end;
    }
done:
    free(hits);
    free(list);
    sqlite3_reset(rec);
    sqlite3_reset(crit);
    sqlite3_reset(kev);
    return rc;
}

static int compare_matches(const void *a, const void *b)
{
    const struct ic_vuln_match *x = a, *y = b;
    int c = strcmp(x->cve, y->cve);
    if (c)
        return c;
    c = strcmp(x->record, y->record);
    if (c)
        return c;
    return x->target < y->target ? -1 : x->target > y->target;
}

int ic_vulndb_match(struct ic_vulndb *db, const struct ic_vuln_target *targets, size_t count,
                    struct ic_vuln_match **out, size_t *out_count)
{
    *out = NULL;
    *out_count = 0;
    if (!db || (!targets && count))
        return IC_E_INVALID_ARG;
    struct ids ids = {0};
    struct matches m = {0};
    sqlite3_stmt *st = NULL;
    int rc = IC_OK;
    if (sqlite3_prepare_v2(db->sql,
                           "SELECT DISTINCT record FROM criterion WHERE product=?1 AND vendor=?2 "
                           "AND vulnerable=1",
                           -1, &st, NULL) != SQLITE_OK) {
        rc = IC_E_IO;
        goto done;
    }
    for (size_t t = 0; t < count; t++) {
        char vendor[IC_CPE_FIELD], product[IC_CPE_FIELD];
        if (!targets[t].vendor || !targets[t].product)
            continue;
        lower_copy(vendor, sizeof(vendor), targets[t].vendor);
        lower_copy(product, sizeof(product), targets[t].product);
        sqlite3_bind_text(st, 1, product, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, vendor, -1, SQLITE_TRANSIENT);
        int step;
        while ((step = sqlite3_step(st)) == SQLITE_ROW)
            if ((rc = ids_add(&ids, sqlite3_column_int64(st, 0))))
                goto done;
        sqlite3_reset(st);
        if (step != SQLITE_DONE) {
            rc = IC_E_IO;
            goto done;
        }
    }
    for (size_t i = 0; i < ids.n; i++)
        if ((rc = evaluate_record(db, ids.v[i], targets, count, &m)))
            goto done;
    if (m.n)
        qsort(m.v, m.n, sizeof(*m.v), compare_matches);
    *out = m.v;
    *out_count = m.n;
    m.v = NULL;
done:
    if (rc && db)
        snprintf(db->detail, sizeof(db->detail), "match: %s", sqlite3_errmsg(db->sql));
    sqlite3_finalize(st);
    free(ids.v);
    free(m.v);
    return rc;
}

/* Copies s into storage; NULL when it does not fit. */
static const char *stash(char **storage, size_t *left, const char *s)
{
    size_t n = strlen(s) + 1;
    if (n > *left)
        return NULL;
    char *dst = *storage;
    memcpy(dst, s, n);
    *storage += n;
    *left -= n;
    return dst;
}

size_t ic_vulndb_component_targets(const struct ic_component *component,
                                   struct ic_vuln_target *targets, size_t max, char *storage,
                                   size_t storage_size)
{
    size_t n = 0;
    for (size_t i = 0; component->cpe && component->cpe[i] && n < max; i++) {
        struct ic_cpe cpe;
        if (ic_cpe_parse(component->cpe[i], &cpe))
            continue;
        int versioned = strcmp(cpe.version, "*") != 0 && strcmp(cpe.version, "-") != 0;
        const char *version = versioned ? cpe.version : component->version;
        if (!version || !*version)
            continue;
        struct ic_vuln_target t = {0};
        t.vendor = stash(&storage, &storage_size, cpe.vendor);
        t.product = stash(&storage, &storage_size, cpe.product);
        t.version = stash(&storage, &storage_size, version);
        if (versioned && strcmp(cpe.update, "*") != 0)
            t.update = stash(&storage, &storage_size, cpe.update);
        if (!t.vendor || !t.product || !t.version)
            break;
        targets[n++] = t;
    }
    return n;
}
