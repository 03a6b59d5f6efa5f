/* NVD records: the `cve` object of CVE API 2.0 responses and the items of
 * the legacy 1.1 JSON feeds (CVE_Items). Unknown keys are skipped; values of
 * an unexpected type are skipped too, so a record that drifts from the
 * schema still yields what is recognisable. */
#include "iotcop/error.h"
#include "vulndb/vulndb_private.h"

#include <stdio.h>
#include <string.h>

/* CVSS preference: v3.1 > v3.0 > v2 > v4.0 (only when nothing else), and the
 * NVD's own ("Primary") metric over a CNA's within one version. */
static int metric_rank(const char *key)
{
    if (strcmp(key, "cvssMetricV31") == 0 || strcmp(key, "baseMetricV3") == 0)
        return 8;
    if (strcmp(key, "cvssMetricV30") == 0)
        return 6;
    if (strcmp(key, "cvssMetricV2") == 0 || strcmp(key, "baseMetricV2") == 0)
        return 4;
    if (strcmp(key, "cvssMetricV40") == 0)
        return 2;
    return 0;
}

/* Expects an object; anything else is skipped and *is_object is 0. */
static int begin_object(struct ic_jp *p, int *is_object)
{
    enum ic_jp_type t;
    int rc = ic_jp_next(p, &t);
    *is_object = t == IC_JP_OBJECT_BEGIN;
    if (rc || *is_object)
        return rc;
    return ic_jp_skip_from(p, t);
}

/* descriptions: [{lang, value}] (2.0) or description_data (1.1): keeps the
 * first English text. */
static int read_descriptions(struct ic_jp *p, struct vdb_record *r)
{
    int ok, kind, more, rc;
    if ((rc = ic_jp_expect(p, IC_JP_ARRAY_BEGIN, &ok)) || !ok)
        return rc;
    while ((rc = ic_jp_next_element(p, IC_JP_OBJECT_BEGIN, &kind)) == IC_OK && kind) {
        if (kind != 1)
            continue;
        char lang[16] = "", key[32];
        char value[sizeof(r->description)] = "";
        while ((rc = ic_jp_next_key(p, key, sizeof(key), &more)) == IC_OK && more) {
            if (strcmp(key, "lang") == 0)
                rc = ic_jp_read_text(p, lang, sizeof(lang));
            else if (strcmp(key, "value") == 0)
                rc = ic_jp_read_text(p, value, sizeof(value));
            else
                rc = ic_jp_skip(p);
            if (rc)
                return rc;
        }
        if (rc)
            return rc;
        if (!r->description[0] && strncmp(lang, "en", 2) == 0)
            snprintf(r->description, sizeof(r->description), "%s", value);
    }
    return rc;
}

/* cvssData (2.0) / cvssV3 / cvssV2 (1.1): the score fields. */
struct metric {
    double score;
    int has_score;
    char version[8];
    char severity[16];
    char vector[192];
    char type[16];
};

static int read_cvss_data(struct ic_jp *p, struct metric *m)
{
    int ok, more, rc;
    char key[32];
    if ((rc = begin_object(p, &ok)) || !ok)
        return rc;
    while ((rc = ic_jp_next_key(p, key, sizeof(key), &more)) == IC_OK && more) {
        if (strcmp(key, "baseScore") == 0)
            rc = ic_jp_read_number(p, &m->score, &m->has_score);
        else if (strcmp(key, "version") == 0)
            rc = ic_jp_read_text(p, m->version, sizeof(m->version));
        else if (strcmp(key, "baseSeverity") == 0)
            rc = ic_jp_read_text(p, m->severity, sizeof(m->severity));
        else if (strcmp(key, "vectorString") == 0)
            rc = ic_jp_read_text(p, m->vector, sizeof(m->vector));
        else
            rc = ic_jp_skip(p);
        if (rc)
            return rc;
    }
    return rc;
}

/* One metric object: {source, type, cvssData, baseSeverity (v2), ...}, or
 * in 1.1 {cvssV3|cvssV2, severity, ...}. */
static int read_metric(struct ic_jp *p, struct vdb_record *r, int rank)
{
    struct metric m = {0};
    int more, rc;
    char key[32];
    while ((rc = ic_jp_next_key(p, key, sizeof(key), &more)) == IC_OK && more) {
        if (strcmp(key, "cvssData") == 0 || strcmp(key, "cvssV3") == 0 ||
            strcmp(key, "cvssV2") == 0)
            rc = read_cvss_data(p, &m);
        else if (strcmp(key, "type") == 0)
            rc = ic_jp_read_text(p, m.type, sizeof(m.type));
        else if ((strcmp(key, "baseSeverity") == 0 || strcmp(key, "severity") == 0) &&
                 !m.severity[0])
            rc = ic_jp_read_text(p, m.severity, sizeof(m.severity));
        else
            rc = ic_jp_skip(p);
        if (rc)
            return rc;
    }
    if (rc || !m.has_score)
        return rc;
    if (strcmp(m.type, "Secondary") != 0)
        rank++;
    if (!m.version[0])
        snprintf(m.version, sizeof(m.version), "%s", rank >= 8 ? "3.1" : rank >= 4 ? "2.0" : "");
    vdb_record_offer_cvss(r, rank, m.score, m.version, m.severity, m.vector);
    return IC_OK;
}

/* metrics: {cvssMetricV31: [...], cvssMetricV30: [...], cvssMetricV2: [...]} */
static int read_metrics(struct ic_jp *p, struct vdb_record *r)
{
    int ok, more, kind, rc;
    char key[32];
    if ((rc = begin_object(p, &ok)) || !ok)
        return rc;
    while ((rc = ic_jp_next_key(p, key, sizeof(key), &more)) == IC_OK && more) {
        int rank = metric_rank(key);
        if (!rank) {
            if ((rc = ic_jp_skip(p)))
                return rc;
            continue;
        }
        if ((rc = ic_jp_expect(p, IC_JP_ARRAY_BEGIN, &ok)))
            return rc;
        while (ok && (rc = ic_jp_next_element(p, IC_JP_OBJECT_BEGIN, &kind)) == IC_OK && kind)
            if (kind == 1 && (rc = read_metric(p, r, rank)))
                return rc;
        if (rc)
            return rc;
    }
    return rc;
}

static void set_operator(uint8_t *flag, const char *op)
{
    *flag = strcmp(op, "AND") == 0;
}

/* A version bound; one too long to keep makes the criterion unusable
 * (a cut bound would compare wrongly). */
static int read_bound(struct ic_jp *p, struct vdb_criterion *c, char *dst, size_t size)
{
    int rc = ic_jp_read_text(p, dst, size);
    if (!rc && p->str_len >= size) {
        c->unusable = 1;
        dst[0] = '\0';
    }
    return rc;
}

/* One cpeMatch (2.0) / cpe_match (1.1) entry. */
static int read_cpe_match(struct ic_jp *p, struct vdb_record *r, uint32_t config, uint32_t node)
{
    struct vdb_criterion scratch;
    struct vdb_criterion *c = vdb_record_add_criterion(r);
    if (!c) {
        c = &scratch; /* past the cap: read and drop */
        memset(c, 0, sizeof(*c));
    }
    c->config = config;
    c->node = node;
    int more, rc;
    char key[32];
    while ((rc = ic_jp_next_key(p, key, sizeof(key), &more)) == IC_OK && more) {
        if (strcmp(key, "vulnerable") == 0) {
            int v = 0;
            rc = ic_jp_read_bool(p, &v);
            c->vulnerable = (uint8_t)v;
        } else if (strcmp(key, "criteria") == 0 || strcmp(key, "cpe23Uri") == 0) {
            rc = ic_jp_read_text(p, c->criteria, sizeof(c->criteria));
            if (!rc && p->str_len >= sizeof(c->criteria))
                c->unusable = 1; /* cut */
        } else if (strcmp(key, "versionStartIncluding") == 0) {
            rc = read_bound(p, c, c->start_including, sizeof(c->start_including));
        } else if (strcmp(key, "versionStartExcluding") == 0) {
            rc = read_bound(p, c, c->start_excluding, sizeof(c->start_excluding));
        } else if (strcmp(key, "versionEndIncluding") == 0) {
            rc = read_bound(p, c, c->end_including, sizeof(c->end_including));
        } else if (strcmp(key, "versionEndExcluding") == 0) {
            rc = read_bound(p, c, c->end_excluding, sizeof(c->end_excluding));
        } else {
            rc = ic_jp_skip(p);
        }
        if (rc)
            return rc;
    }
    return rc;
}

/* Sets node flags on the criteria [from, r->crit_count). */
static void finish_node(struct vdb_record *r, size_t from, uint8_t node_and, uint8_t negate)
{
    for (size_t i = from; i < r->crit_count; i++) {
        r->crit[i].node_and = node_and;
        r->crit[i].node_negate = negate;
    }
}

static void finish_config(struct vdb_record *r, size_t from, uint8_t config_and)
{
    for (size_t i = from; i < r->crit_count; i++)
        r->crit[i].config_and = config_and;
}

static int read_match_array(struct ic_jp *p, struct vdb_record *r, uint32_t config, uint32_t node)
{
    int ok, kind, rc;
    if ((rc = ic_jp_expect(p, IC_JP_ARRAY_BEGIN, &ok)) || !ok)
        return rc;
    while ((rc = ic_jp_next_element(p, IC_JP_OBJECT_BEGIN, &kind)) == IC_OK && kind)
        if (kind == 1 && (rc = read_cpe_match(p, r, config, node)))
            return rc;
    return rc;
}

/* ---- API 2.0 --------------------------------------------------------------- */

/* A node: {operator, negate, cpeMatch: [...]}. */
static int read_node2(struct ic_jp *p, struct vdb_record *r, uint32_t config, uint32_t node)
{
    size_t from = r->crit_count;
    uint8_t node_and = 0, negate = 0;
    int more, rc;
    char key[32];
    while ((rc = ic_jp_next_key(p, key, sizeof(key), &more)) == IC_OK && more) {
        if (strcmp(key, "operator") == 0) {
            char op[8];
            if (!(rc = ic_jp_read_text(p, op, sizeof(op))))
                set_operator(&node_and, op);
        } else if (strcmp(key, "negate") == 0) {
            int v = 0;
            rc = ic_jp_read_bool(p, &v);
            negate = (uint8_t)v;
        } else if (strcmp(key, "cpeMatch") == 0) {
            rc = read_match_array(p, r, config, node);
        } else {
            rc = ic_jp_skip(p);
        }
        if (rc)
            return rc;
    }
    finish_node(r, from, node_and, negate);
    return rc;
}

/* configurations: [{operator?, negate?, nodes: [...]}] */
static int read_configurations2(struct ic_jp *p, struct vdb_record *r)
{
    int ok, kind, more, rc;
    uint32_t config = 0;
    char key[32];
    if ((rc = ic_jp_expect(p, IC_JP_ARRAY_BEGIN, &ok)) || !ok)
        return rc;
    while ((rc = ic_jp_next_element(p, IC_JP_OBJECT_BEGIN, &kind)) == IC_OK && kind) {
        if (kind != 1)
            continue;
        size_t from = r->crit_count;
        uint8_t config_and = 0;
        uint32_t node = 0;
        while ((rc = ic_jp_next_key(p, key, sizeof(key), &more)) == IC_OK && more) {
            if (strcmp(key, "operator") == 0) {
                char op[8];
                if (!(rc = ic_jp_read_text(p, op, sizeof(op))))
                    set_operator(&config_and, op);
            } else if (strcmp(key, "nodes") == 0) {
                int is_array, node_kind;
                if ((rc = ic_jp_expect(p, IC_JP_ARRAY_BEGIN, &is_array)))
                    return rc;
                while (is_array &&
                       (rc = ic_jp_next_element(p, IC_JP_OBJECT_BEGIN, &node_kind)) == IC_OK &&
                       node_kind)
                    if (node_kind == 1 && (rc = read_node2(p, r, config, node++)))
                        return rc;
            } else {
                rc = ic_jp_skip(p);
            }
            if (rc)
                return rc;
        }
        if (rc)
            return rc;
        finish_config(r, from, config_and);
        config++;
    }
    return rc;
}

int vdb_nvd2_cve(struct ic_jp *p, struct vdb_record *r)
{
    int ok, more, rc;
    char key[32];
    snprintf(r->source, sizeof(r->source), "nvd");
    if ((rc = begin_object(p, &ok)) || !ok)
        return rc;
    while ((rc = ic_jp_next_key(p, key, sizeof(key), &more)) == IC_OK && more) {
        if (strcmp(key, "id") == 0)
            rc = ic_jp_read_text(p, r->id, sizeof(r->id));
        else if (strcmp(key, "published") == 0)
            rc = ic_jp_read_text(p, r->published, sizeof(r->published));
        else if (strcmp(key, "lastModified") == 0)
            rc = ic_jp_read_text(p, r->modified, sizeof(r->modified));
        else if (strcmp(key, "vulnStatus") == 0)
            rc = ic_jp_read_text(p, r->status, sizeof(r->status));
        else if (strcmp(key, "descriptions") == 0)
            rc = read_descriptions(p, r);
        else if (strcmp(key, "metrics") == 0)
            rc = read_metrics(p, r);
        else if (strcmp(key, "configurations") == 0)
            rc = read_configurations2(p, r);
        else
            rc = ic_jp_skip(p);
        if (rc)
            return rc;
    }
    if (strcmp(r->status, "Rejected") == 0)
        r->rejected = 1;
    snprintf(r->cve, sizeof(r->cve), "%s", r->id);
    return rc;
}

/* ---- legacy 1.1 feeds ------------------------------------------------------ */

/* A 1.1 node: {operator, negate, children: [nodes], cpe_match: [...]}. At
 * the top (config_top) it is a configuration; children become its nodes,
 * deeper children are flattened into nodes of the same configuration. */
static int read_node11(struct ic_jp *p, struct vdb_record *r, uint32_t config, uint32_t *node,
                       int top)
{
    size_t from = r->crit_count;
    uint32_t own_node = (*node)++;
    uint8_t node_and = 0, negate = 0;
    int has_children = 0;
    int more, rc;
    char key[32];
    while ((rc = ic_jp_next_key(p, key, sizeof(key), &more)) == IC_OK && more) {
        if (strcmp(key, "operator") == 0) {
            char op[8];
            if (!(rc = ic_jp_read_text(p, op, sizeof(op))))
                set_operator(&node_and, op);
        } else if (strcmp(key, "negate") == 0) {
            int v = 0;
            rc = ic_jp_read_bool(p, &v);
            negate = (uint8_t)v;
        } else if (strcmp(key, "cpe_match") == 0) {
            rc = read_match_array(p, r, config, own_node);
        } else if (strcmp(key, "children") == 0) {
            int ok, kind;
            if ((rc = ic_jp_expect(p, IC_JP_ARRAY_BEGIN, &ok)))
                return rc;
            while (ok && (rc = ic_jp_next_element(p, IC_JP_OBJECT_BEGIN, &kind)) == IC_OK && kind) {
                if (kind != 1)
                    continue;
                has_children = 1;
                if ((rc = read_node11(p, r, config, node, 0)))
                    return rc;
            }
        } else {
            rc = ic_jp_skip(p);
        }
        if (rc)
            return rc;
    }
    /* the node's own entries carry its operator; children keep theirs */
    for (size_t i = from; i < r->crit_count; i++) {
        if (r->crit[i].node != own_node)
            continue;
        r->crit[i].node_and = has_children ? 0 : node_and;
        r->crit[i].node_negate = negate;
    }
    if (top)
        finish_config(r, from, (uint8_t)(has_children && node_and));
    return rc;
}

static int read_configurations11(struct ic_jp *p, struct vdb_record *r)
{
    int ok, more, kind, rc;
    char key[32];
    if ((rc = begin_object(p, &ok)) || !ok)
        return rc;
    while ((rc = ic_jp_next_key(p, key, sizeof(key), &more)) == IC_OK && more) {
        if (strcmp(key, "nodes") != 0) {
            if ((rc = ic_jp_skip(p)))
                return rc;
            continue;
        }
        uint32_t config = 0;
        if ((rc = ic_jp_expect(p, IC_JP_ARRAY_BEGIN, &ok)))
            return rc;
        while (ok && (rc = ic_jp_next_element(p, IC_JP_OBJECT_BEGIN, &kind)) == IC_OK && kind) {
            if (kind != 1)
                continue;
            uint32_t node = 0;
            if ((rc = read_node11(p, r, config++, &node, 1)))
                return rc;
        }
        if (rc)
            return rc;
    }
    return rc;
}

static int read_cve11(struct ic_jp *p, struct vdb_record *r)
{
    int ok, more, rc;
    char key[32];
    if ((rc = begin_object(p, &ok)) || !ok)
        return rc;
    while ((rc = ic_jp_next_key(p, key, sizeof(key), &more)) == IC_OK && more) {
        if (strcmp(key, "CVE_data_meta") == 0) {
            int is_object, m;
            char k2[16];
            if ((rc = begin_object(p, &is_object)))
                return rc;
            while (is_object && (rc = ic_jp_next_key(p, k2, sizeof(k2), &m)) == IC_OK && m) {
                if (strcmp(k2, "ID") == 0)
                    rc = ic_jp_read_text(p, r->id, sizeof(r->id));
                else
                    rc = ic_jp_skip(p);
                if (rc)
                    return rc;
            }
        } else if (strcmp(key, "description") == 0) {
            int is_object, m;
            char k2[32];
            if ((rc = begin_object(p, &is_object)))
                return rc;
            while (is_object && (rc = ic_jp_next_key(p, k2, sizeof(k2), &m)) == IC_OK && m) {
                if (strcmp(k2, "description_data") == 0)
                    rc = read_descriptions(p, r);
                else
                    rc = ic_jp_skip(p);
                if (rc)
                    return rc;
            }
        } else {
            rc = ic_jp_skip(p);
        }
        if (rc)
            return rc;
    }
    return rc;
}

/* impact: {baseMetricV3: {cvssV3: {...}, ...}, baseMetricV2: {...}} */
static int read_impact11(struct ic_jp *p, struct vdb_record *r)
{
    int ok, more, rc;
    char key[32];
    if ((rc = begin_object(p, &ok)) || !ok)
        return rc;
    while ((rc = ic_jp_next_key(p, key, sizeof(key), &more)) == IC_OK && more) {
        int rank = metric_rank(key);
        int is_object = 0;
        if (!rank)
            rc = ic_jp_skip(p);
        else if (!(rc = begin_object(p, &is_object)) && is_object)
            rc = read_metric(p, r, rank);
        if (rc)
            return rc;
    }
    return rc;
}

int vdb_nvd11_item(struct ic_jp *p, struct vdb_record *r)
{
    int more, rc;
    char key[32];
    snprintf(r->source, sizeof(r->source), "nvd");
    while ((rc = ic_jp_next_key(p, key, sizeof(key), &more)) == IC_OK && more) {
        if (strcmp(key, "cve") == 0)
            rc = read_cve11(p, r);
        else if (strcmp(key, "configurations") == 0)
            rc = read_configurations11(p, r);
        else if (strcmp(key, "impact") == 0)
            rc = read_impact11(p, r);
        else if (strcmp(key, "publishedDate") == 0)
            rc = ic_jp_read_text(p, r->published, sizeof(r->published));
        else if (strcmp(key, "lastModifiedDate") == 0)
            rc = ic_jp_read_text(p, r->modified, sizeof(r->modified));
        else
            rc = ic_jp_skip(p);
        if (rc)
            return rc;
    }
    if (strncmp(r->description, "** REJECT **", 12) == 0) {
        r->rejected = 1;
        snprintf(r->status, sizeof(r->status), "Rejected");
    }
    snprintf(r->cve, sizeof(r->cve), "%s", r->id);
    return rc;
}
