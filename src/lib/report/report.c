/* The report model: targets, findings, components, services, coverage and
 * explicit evidence; sorting and fingerprints. Verdicts are in assess.c, the
 * JSON writer in report_json.c. */
#include "report/report_private.h"

#include "iotcop/error.h"
#include "iotcop/unpack.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- names --------------------------------------------------------------- */

static const char *const severity_names[] = {"info", "low", "medium", "high", "critical"};

const char *ic_severity_name(enum ic_severity severity)
{
    return (unsigned)severity <= IC_SEVERITY_CRITICAL ? severity_names[severity] : "unknown";
}

int ic_severity_parse(const char *name, enum ic_severity *out)
{
    for (unsigned i = 0; name && i <= IC_SEVERITY_CRITICAL; i++) {
        if (strcasecmp(name, severity_names[i]) == 0) {
            *out = (enum ic_severity)i;
            return IC_OK;
        }
    }
    return IC_E_INVALID_ARG;
}

static const char *const status_names[] = {"not-tested", "pass", "fail", "unverified",
                                           "not-applicable"};

const char *ic_status_name(enum ic_status status)
{
    return (unsigned)status <= IC_STATUS_NOT_APPLICABLE ? status_names[status] : "unknown";
}

int ic_status_parse(const char *name, enum ic_status *out)
{
    for (unsigned i = 0; name && i <= IC_STATUS_NOT_APPLICABLE; i++) {
        if (strcmp(name, status_names[i]) == 0) {
            *out = (enum ic_status)i;
            return IC_OK;
        }
    }
    return IC_E_INVALID_ARG;
}

const char *ic_source_name(enum ic_source source)
{
    return source == IC_SOURCE_DECLARED ? "declared" : "test";
}

const char *ic_tls_version_name(unsigned version)
{
    static const char *const names[IC_TLS_VERSION_COUNT] = {"SSLv2",   "SSLv3",   "TLSv1.0",
                                                            "TLSv1.1", "TLSv1.2", "TLSv1.3"};
    return version < IC_TLS_VERSION_COUNT ? names[version] : NULL;
}

/* Rank for "worst of": higher is worse. */
static int status_badness(enum ic_status s)
{
    switch (s) {
    case IC_STATUS_FAIL:
        return 4;
    case IC_STATUS_UNVERIFIED:
        return 3;
    case IC_STATUS_NOT_TESTED:
        return 2;
    case IC_STATUS_PASS:
        return 1;
    case IC_STATUS_NOT_APPLICABLE:
        return 0;
    }
    return 4;
}

enum ic_status ic_status_worst(enum ic_status a, enum ic_status b)
{
    return status_badness(b) > status_badness(a) ? b : a;
}

/* ---- locations and findings ---------------------------------------------- */

struct ic_location ic_location_file(const char *layer, const char *path)
{
    struct ic_location loc = {
        .kind = IC_LOCATION_FIRMWARE, .layer = layer, .path = path, .offset = -1};
    return loc;
}

struct ic_location ic_location_raw(const char *layer, int64_t offset)
{
    struct ic_location loc = {.kind = IC_LOCATION_FIRMWARE, .layer = layer, .offset = offset};
    return loc;
}

struct ic_location ic_location_device(const char *host, uint16_t port, const char *protocol,
                                      const char *service)
{
    struct ic_location loc = {.kind = IC_LOCATION_DEVICE,
                              .host = host,
                              .port = port,
                              .protocol = protocol,
                              .service = service,
                              .offset = -1};
    return loc;
}

struct ic_finding ic_finding_from_rule(const struct ic_rule *rule, struct ic_location location,
                                       const char *evidence)
{
    struct ic_finding f = {
        .rule = rule->id,
        .severity = rule->severity,
        .title = rule->title,
        .guideline = rule->guideline,
        .provisions = rule->provisions,
        .location = location,
        .evidence = evidence,
    };
    return f;
}

static void digest_field(EVP_MD_CTX *ctx, const char *s, size_t n)
{
    static const char separator = '\0';
    if (n)
        EVP_DigestUpdate(ctx, s, n);
    EVP_DigestUpdate(ctx, &separator, 1);
}

static void digest_text(EVP_MD_CTX *ctx, const char *s)
{
    digest_field(ctx, s ? s : "", s ? strlen(s) : 0);
}

static void chunk_put(EVP_MD_CTX *ctx, char *chunk, size_t size, size_t *n, char c)
{
    chunk[(*n)++] = c;
    if (*n == size) {
        EVP_DigestUpdate(ctx, chunk, *n);
        *n = 0;
    }
}

/* Evidence with every run of white space made one space, and none at the
 * ends; digits and everything else are kept as they are. */
static void digest_normalised(EVP_MD_CTX *ctx, const char *s)
{
    char chunk[256];
    size_t n = 0;
    int seen_text = 0, space_pending = 0;
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if (isspace(*p)) {
            space_pending = seen_text;
            continue;
        }
        if (space_pending)
            chunk_put(ctx, chunk, sizeof(chunk), &n, ' ');
        space_pending = 0;
        seen_text = 1;
        chunk_put(ctx, chunk, sizeof(chunk), &n, (char)*p);
    }
    digest_field(ctx, chunk, n);
}

int ic_finding_fingerprint(const struct ic_finding *f, const char *layer_format, char out[65])
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    int rc = IC_E_INTERNAL;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
        goto done;
    digest_text(ctx, f->rule);
    if (f->location.kind == IC_LOCATION_DEVICE) {
        char port[8];
        snprintf(port, sizeof(port), "%u", (unsigned)f->location.port);
        digest_text(ctx, "device");
        digest_text(ctx, f->location.protocol);
        digest_text(ctx, port);
        digest_text(ctx, f->location.service);
    } else {
        digest_text(ctx, layer_format);
        digest_text(ctx, f->location.path);
    }
    digest_normalised(ctx, f->evidence);
    if (EVP_DigestFinal_ex(ctx, digest, &len) != 1 || len != 32)
        goto done;
    for (unsigned i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", digest[i]);
    rc = IC_OK;
done:
    EVP_MD_CTX_free(ctx);
    return rc;
}

/* ---- lifecycle ----------------------------------------------------------- */

int ic_report_new(struct ic_report **out)
{
    *out = NULL;
    struct ic_report *r = calloc(1, sizeof(*r));
    struct ic_report_private *p = calloc(1, sizeof(*p));
    size_t n = ic_provision_count();
    if (!r || !p)
        goto fail;
    r->priv = p;
    p->tested = calloc(n, sizeof(*p->tested));
    p->declared = calloc(n, sizeof(*p->declared));
    p->coverage = calloc(n, sizeof(*p->coverage));
    if (!p->tested || !p->declared || !p->coverage)
        goto fail;
    if (pthread_mutex_init(&p->lock, NULL) != 0)
        goto fail;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    clock_gettime(CLOCK_MONOTONIC, &p->monotonic_start);
    r->run.started = (int64_t)now.tv_sec;
    *out = r;
    return IC_OK;
fail:
    if (p) {
        free(p->tested);
        free(p->declared);
        free(p->coverage);
    }
    free(p);
    free(r);
    return IC_E_NOMEM;
}

void ic_report_free(struct ic_report *r)
{
    if (!r)
        return;
    struct ic_report_private *p = r->priv;
    pthread_mutex_destroy(&p->lock);
    ic_arena_release(&p->arena);
    free(p->fingerprint_slots);
    free(p->tested);
    free(p->declared);
    free(p->coverage);
    free(p);
    free(r->findings);
    free(r->components);
    free(r->services);
    free(r->diags);
    free(r->discovered);
    free(r->provisions);
    free(r->guidelines);
    free(r->psti);
    free(r->cra);
    free(r);
}

/* ---- copying helpers (lock held) ----------------------------------------- */

static int copy_text(struct ic_report *r, const char *s, const char **out)
{
    *out = NULL;
    if (!s)
        return IC_OK;
    char *c = ic_arena_strdup(&r->priv->arena, s);
    if (!c)
        return IC_E_NOMEM;
    *out = c;
    return IC_OK;
}

static size_t list_length(const char *const *list)
{
    size_t n = 0;
    while (list && list[n])
        n++;
    return n;
}

/* Copies a NULL-terminated list (NULL stays NULL). */
static int copy_list(struct ic_report *r, const char *const *list, const char *const **out)
{
    *out = NULL;
    if (!list)
        return IC_OK;
    size_t n = list_length(list);
    const char **c = ic_arena_alloc(&r->priv->arena, (n + 1) * sizeof(*c));
    if (!c)
        return IC_E_NOMEM;
    for (size_t i = 0; i < n; i++)
        if (copy_text(r, list[i], &c[i]))
            return IC_E_NOMEM;
    c[n] = NULL;
    *out = c;
    return IC_OK;
}

/* Makes room for one more item in an array of `size`-byte items. */
static int grow(void **items, size_t *cap, size_t count, size_t size)
{
    if (count < *cap)
        return IC_OK;
    if (count >= IC_REPORT_MAX_ITEMS)
        return IC_E_LIMIT_MEMORY;
    size_t next = *cap ? *cap * 2 : 16;
    if (next > IC_REPORT_MAX_ITEMS)
        next = IC_REPORT_MAX_ITEMS;
    void *p = realloc(*items, next * size);
    if (!p)
        return IC_E_NOMEM;
    *items = p;
    *cap = next;
    return IC_OK;
}

static int refuse_if_finished(const struct ic_report *r)
{
    return r->finished ? IC_E_INVALID_ARG : IC_OK;
}

/* ---- target and run ------------------------------------------------------ */

static int is_hex_digest(const char *s)
{
    if (!s || strlen(s) != 64)
        return 0;
    for (size_t i = 0; i < 64; i++)
        if (!isxdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

int ic_report_set_firmware_target(struct ic_report *r, const char *path, const char *sha256,
                                  uint64_t size)
{
    if (!r || !path || (sha256 && !is_hex_digest(sha256)))
        return IC_E_INVALID_ARG;
    pthread_mutex_lock(&r->priv->lock);
    int rc = refuse_if_finished(r);
    if (!rc)
        rc = copy_text(r, path, &r->target.path);
    if (!rc) {
        r->target.kind = IC_TARGET_FIRMWARE;
        r->target.size = size;
        r->target.sha256[0] = '\0';
        if (sha256)
            for (size_t i = 0; i < 65; i++)
                r->target.sha256[i] = (char)tolower((unsigned char)sha256[i]);
    }
    pthread_mutex_unlock(&r->priv->lock);
    return rc;
}

int ic_report_set_device_target(struct ic_report *r, const char *address, const char *hostname)
{
    if (!r || !address)
        return IC_E_INVALID_ARG;
    pthread_mutex_lock(&r->priv->lock);
    int rc = refuse_if_finished(r);
    if (!rc)
        rc = copy_text(r, address, &r->target.address);
    if (!rc)
        rc = copy_text(r, hostname, &r->target.hostname);
    if (!rc)
        r->target.kind = IC_TARGET_DEVICE;
    pthread_mutex_unlock(&r->priv->lock);
    return rc;
}

int ic_report_set_unpack(struct ic_report *r, const struct ic_unpack *unpack)
{
    if (!r)
        return IC_E_INVALID_ARG;
    char digest[65] = "";
    if (unpack)
        ic_unpack_input_sha256(unpack, digest);
    pthread_mutex_lock(&r->priv->lock);
    int rc = refuse_if_finished(r);
    if (!rc) {
        r->unpack = unpack;
        if (unpack && r->target.kind == IC_TARGET_FIRMWARE && !r->target.sha256[0] &&
            is_hex_digest(digest)) {
            memcpy(r->target.sha256, digest, 65);
            r->target.size = unpack->input_size;
        }
    }
    pthread_mutex_unlock(&r->priv->lock);
    return rc;
}

int ic_report_set_run(struct ic_report *r, int64_t started, double duration_s, const char *options)
{
    if (!r)
        return IC_E_INVALID_ARG;
    pthread_mutex_lock(&r->priv->lock);
    int rc = refuse_if_finished(r);
    if (!rc)
        rc = copy_text(r, options, &r->run.options);
    if (!rc) {
        if (started >= 0)
            r->run.started = started;
        if (duration_s >= 0) {
            r->run.duration_s = duration_s;
            r->priv->duration_set = 1;
        }
    }
    pthread_mutex_unlock(&r->priv->lock);
    return rc;
}

int ic_report_set_vulndb(struct ic_report *r, const char *path, const char *last_modified,
                         uint64_t records)
{
    if (!r || !path)
        return IC_E_INVALID_ARG;
    pthread_mutex_lock(&r->priv->lock);
    int rc = refuse_if_finished(r);
    if (!rc)
        rc = copy_text(r, path, &r->run.vulndb_path);
    if (!rc)
        rc = copy_text(r, last_modified, &r->run.vulndb_last_modified);
    if (!rc)
        r->run.vulndb_records = records;
    pthread_mutex_unlock(&r->priv->lock);
    return rc;
}

int ic_report_add_diagnostic(struct ic_report *r, int error, int is_error, const char *layer,
                             const char *message)
{
    if (!r || !message)
        return IC_E_INVALID_ARG;
    pthread_mutex_lock(&r->priv->lock);
    int rc = refuse_if_finished(r);
    if (!rc)
        rc = grow((void **)&r->diags, &r->priv->diag_cap, r->diag_count, sizeof(*r->diags));
    if (!rc) {
        struct ic_report_diag *d = &r->diags[r->diag_count];
        memset(d, 0, sizeof(*d));
        d->error = error;
        d->is_error = is_error ? 1 : 0;
        rc = copy_text(r, layer, &d->layer);
        if (!rc)
            rc = copy_text(r, message, &d->message);
        if (!rc)
            r->diag_count++;
    }
    pthread_mutex_unlock(&r->priv->lock);
    return rc;
}

/* ---- findings ------------------------------------------------------------ */

static int compare_text(const char *a, const char *b)
{
    if (!a || !b)
        return (a != NULL) - (b != NULL);
    return strcmp(a, b);
}

static int compare_u64(uint64_t a, uint64_t b)
{
    return (a > b) - (a < b);
}

static int compare_location(const struct ic_location *a, const struct ic_location *b)
{
    int c = (int)a->kind - (int)b->kind;
    if (c)
        return c;
    if (a->kind == IC_LOCATION_DEVICE) {
        if ((c = compare_text(a->host, b->host)) || (c = compare_text(a->protocol, b->protocol)) ||
            (c = compare_u64(a->port, b->port)))
            return c;
        return compare_text(a->service, b->service);
    }
    if ((c = compare_text(a->path, b->path)) || (c = compare_text(a->layer, b->layer)) ||
        (c = compare_u64(a->line, b->line)))
        return c;
    return (a->offset > b->offset) - (a->offset < b->offset);
}

/* The report order: severity descending, rule, location, fingerprint. */
static int compare_findings(const void *pa, const void *pb)
{
    const struct ic_finding *a = pa, *b = pb;
    int c;
    if (a->severity != b->severity)
        return a->severity > b->severity ? -1 : 1;
    if ((c = strcmp(a->rule, b->rule)) || (c = compare_location(&a->location, &b->location)))
        return c;
    return strcmp(a->fingerprint, b->fingerprint);
}

/* Of two findings with one fingerprint, whether `candidate` should replace
 * `kept`; decided by content, so the result does not depend on the order
 * in which parallel checks added them. */
static int better_duplicate(const struct ic_finding *candidate, const struct ic_finding *kept)
{
    if (candidate->suppressed != kept->suppressed)
        return !candidate->suppressed;
    if (candidate->severity != kept->severity)
        return candidate->severity > kept->severity;
    return compare_location(&candidate->location, &kept->location) < 0;
}

static size_t slot_of(const char *fingerprint, size_t slot_count)
{
    size_t h = 0;
    for (int i = 0; i < 16; i++)
        h = h * 16 + (size_t)(isdigit((unsigned char)fingerprint[i]) ? fingerprint[i] - '0'
                                                                     : fingerprint[i] - 'a' + 10);
    return h & (slot_count - 1);
}

/* Index of the finding with this fingerprint, or SIZE_MAX. */
static size_t find_fingerprint(const struct ic_report *r, const char *fingerprint)
{
    const struct ic_report_private *p = r->priv;
    if (!p->slot_count)
        return SIZE_MAX;
    for (size_t s = slot_of(fingerprint, p->slot_count);; s = (s + 1) & (p->slot_count - 1)) {
        size_t v = p->fingerprint_slots[s];
        if (!v)
            return SIZE_MAX;
        if (strcmp(r->findings[v - 1].fingerprint, fingerprint) == 0)
            return v - 1;
    }
}

static void insert_slot(struct ic_report_private *p, const char *fingerprint, size_t index)
{
    size_t s = slot_of(fingerprint, p->slot_count);
    while (p->fingerprint_slots[s])
        s = (s + 1) & (p->slot_count - 1);
    p->fingerprint_slots[s] = index + 1;
}

/* Keeps the table at most half full. */
static int reserve_slots(struct ic_report *r, size_t wanted)
{
    struct ic_report_private *p = r->priv;
    if (wanted * 2 <= p->slot_count)
        return IC_OK;
    size_t n = p->slot_count ? p->slot_count * 2 : 64;
    while (wanted * 2 > n)
        n *= 2;
    size_t *slots = calloc(n, sizeof(*slots));
    if (!slots)
        return IC_E_NOMEM;
    free(p->fingerprint_slots);
    p->fingerprint_slots = slots;
    p->slot_count = n;
    for (size_t i = 0; i < r->finding_count; i++)
        insert_slot(p, r->findings[i].fingerprint, i);
    return IC_OK;
}

static const char *layer_format_of(const struct ic_report *r, const struct ic_location *loc)
{
    if (loc->layer_format)
        return loc->layer_format;
    if (!r->unpack || !loc->layer)
        return NULL;
    for (size_t i = 0; i < r->unpack->layer_count; i++)
        if (r->unpack->layers[i].id && strcmp(r->unpack->layers[i].id, loc->layer) == 0)
            return r->unpack->layers[i].format;
    return NULL;
}

static int valid_finding(const struct ic_finding *f)
{
    if (!f->rule || !*f->rule || !f->title || !*f->title || !ic_guideline_find(f->guideline))
        return 0;
    if ((unsigned)f->severity > IC_SEVERITY_CRITICAL)
        return 0;
    for (size_t i = 0; f->provisions && f->provisions[i]; i++)
        if (!ic_provision_find(f->provisions[i]))
            return 0;
    if (f->location.kind == IC_LOCATION_FIRMWARE)
        return f->location.layer != NULL;
    if (f->location.kind == IC_LOCATION_DEVICE)
        return f->location.host && f->location.protocol && f->location.service;
    return 0;
}

/* Fills *dst with a copy of *src in the arena (fingerprint given). */
static int copy_finding(struct ic_report *r, const struct ic_finding *src, const char *format,
                        const char *fingerprint, struct ic_finding *dst)
{
    struct ic_finding f = *src;
    memcpy(f.fingerprint, fingerprint, 65);
    int rc = IC_OK;
    if ((rc = copy_text(r, src->rule, &f.rule)) || (rc = copy_text(r, src->title, &f.title)) ||
        (rc = copy_text(r, src->guideline, &f.guideline)) ||
        (rc = copy_list(r, src->provisions, &f.provisions)) ||
        (rc = copy_text(r, src->evidence ? src->evidence : "", &f.evidence)) ||
        (rc = copy_text(r, src->cve, &f.cve)) ||
        (rc = copy_text(r, src->justification, &f.justification)) ||
        (rc = copy_text(r, src->suppression_source, &f.suppression_source)) ||
        (rc = copy_text(r, src->location.layer, &f.location.layer)) ||
        (rc = copy_text(r, format, &f.location.layer_format)) ||
        (rc = copy_text(r, src->location.path, &f.location.path)) ||
        (rc = copy_text(r, src->location.host, &f.location.host)) ||
        (rc = copy_text(r, src->location.protocol, &f.location.protocol)) ||
        (rc = copy_text(r, src->location.service, &f.location.service)))
        return rc;
    f.suppressed = src->suppressed ? 1 : 0;
    f.has_cvss = src->has_cvss ? 1 : 0;
    if (f.location.kind == IC_LOCATION_DEVICE) {
        f.location.line = 0;
        f.location.offset = -1;
    }
    *dst = f;
    return IC_OK;
}

int ic_report_add_finding(struct ic_report *r, const struct ic_finding *finding,
                          char fingerprint_out[65])
{
    if (!r || !finding || !valid_finding(finding))
        return IC_E_INVALID_ARG;
    pthread_mutex_lock(&r->priv->lock);
    char fingerprint[65];
    const char *format = layer_format_of(r, &finding->location);
    int rc = refuse_if_finished(r);
    if (!rc)
        rc = ic_finding_fingerprint(finding, format, fingerprint);
    if (rc)
        goto done;
    if (fingerprint_out)
        memcpy(fingerprint_out, fingerprint, 65);
    size_t existing = find_fingerprint(r, fingerprint);
    if (existing != SIZE_MAX) {
        r->duplicate_count++;
        if (better_duplicate(finding, &r->findings[existing]))
            rc = copy_finding(r, finding, format, fingerprint, &r->findings[existing]);
        if (!rc)
            rc = IC_E_EXISTS;
        goto done;
    }
    if ((rc = grow((void **)&r->findings, &r->priv->finding_cap, r->finding_count,
                   sizeof(*r->findings))) ||
        (rc = reserve_slots(r, r->finding_count + 1)) ||
        (rc = copy_finding(r, finding, format, fingerprint, &r->findings[r->finding_count])))
        goto done;
    insert_slot(r->priv, fingerprint, r->finding_count);
    r->finding_count++;
done:
    pthread_mutex_unlock(&r->priv->lock);
    return rc;
}

/* ---- components ---------------------------------------------------------- */

/* Appends s percent-encoded as a purl segment. */
static int purl_segment(char *out, size_t size, size_t *len, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        int plain = isalnum(*p) || *p == '.' || *p == '-' || *p == '_' || *p == '~';
        size_t need = plain ? 1 : 3;
        if (*len + need >= size)
            return IC_E_LIMIT_FILE_SIZE;
        if (plain) {
            out[(*len)++] = (char)*p;
        } else {
            out[(*len)++] = '%';
            out[(*len)++] = hex[*p >> 4];
            out[(*len)++] = hex[*p & 15];
        }
    }
    out[*len] = '\0';
    return IC_OK;
}

static int generic_purl(struct ic_report *r, const char *name, const char *version,
                        const char **out)
{
    size_t size = 16 + 3 * (strlen(name) + (version ? strlen(version) : 0));
    char *buf = ic_arena_alloc(&r->priv->arena, size);
    if (!buf)
        return IC_E_NOMEM;
    size_t len = (size_t)snprintf(buf, size, "pkg:generic/");
    int rc = purl_segment(buf, size, &len, name);
    if (!rc && version && *version) {
        buf[len++] = '@';
        buf[len] = '\0';
        rc = purl_segment(buf, size, &len, version);
    }
    *out = buf;
    return rc;
}

static int list_contains(const char *const *list, const char *s)
{
    for (size_t i = 0; list && list[i]; i++)
        if (strcmp(list[i], s) == 0)
            return 1;
    return 0;
}

/* A new arena list: `have` plus the items of `add` it lacks. */
static int unite_lists(struct ic_report *r, const char *const *have, const char *const *add,
                       const char *const **out)
{
    size_t n = list_length(have), m = list_length(add), k = n;
    if (!m) {
        *out = have;
        return IC_OK;
    }
    const char **c = ic_arena_alloc(&r->priv->arena, (n + m + 1) * sizeof(*c));
    if (!c)
        return IC_E_NOMEM;
    for (size_t i = 0; i < n; i++)
        c[i] = have[i];
    for (size_t i = 0; i < m; i++) {
        c[k] = NULL;
        if (list_contains(c, add[i]))
            continue;
        if (copy_text(r, add[i], &c[k]))
            return IC_E_NOMEM;
        k++;
    }
    c[k] = NULL;
    *out = c;
    return IC_OK;
}

int ic_report_add_component(struct ic_report *r, const struct ic_component *c)
{
    if (!r || !c || !c->name || !*c->name)
        return IC_E_INVALID_ARG;
    pthread_mutex_lock(&r->priv->lock);
    int rc = refuse_if_finished(r);
    if (rc)
        goto done;
    for (size_t i = 0; i < r->component_count; i++) {
        struct ic_component *have = &r->components[i];
        if (strcmp(have->name, c->name) != 0 || compare_text(have->version, c->version) != 0)
            continue;
        if ((rc = unite_lists(r, have->paths, c->paths, &have->paths)) ||
            (rc = unite_lists(r, have->cpe, c->cpe, &have->cpe)) ||
            (rc = unite_lists(r, have->features, c->features, &have->features)))
            goto done;
        /* Keep the smallest evidence and purl, so the merge is order-free. */
        if (c->evidence && (!have->evidence || strcmp(c->evidence, have->evidence) < 0))
            rc = copy_text(r, c->evidence, &have->evidence);
        if (!rc && c->purl && strcmp(c->purl, have->purl) < 0)
            rc = copy_text(r, c->purl, &have->purl);
        goto done;
    }
    if ((rc = grow((void **)&r->components, &r->priv->component_cap, r->component_count,
                   sizeof(*r->components))))
        goto done;
    struct ic_component copy = {0};
    if ((rc = copy_text(r, c->name, &copy.name)) ||
        (rc = copy_text(r, c->version, &copy.version)) ||
        (rc = unite_lists(r, NULL, c->cpe, &copy.cpe)) ||
        (rc = unite_lists(r, NULL, c->paths, &copy.paths)) ||
        (rc = unite_lists(r, NULL, c->features, &copy.features)) ||
        (rc = copy_text(r, c->evidence, &copy.evidence)))
        goto done;
    rc = c->purl ? copy_text(r, c->purl, &copy.purl)
                 : generic_purl(r, c->name, c->version, &copy.purl);
    if (rc)
        goto done;
    r->components[r->component_count++] = copy;
done:
    pthread_mutex_unlock(&r->priv->lock);
    return rc;
}

/* ---- services ------------------------------------------------------------ */

int ic_report_add_service(struct ic_report *r, const struct ic_service *s)
{
    if (!r || !s || !s->host || !s->protocol || !s->service)
        return IC_E_INVALID_ARG;
    pthread_mutex_lock(&r->priv->lock);
    int rc = refuse_if_finished(r);
    if (rc)
        goto done;
    for (size_t i = 0; i < r->service_count; i++) {
        const struct ic_service *have = &r->services[i];
        if (have->port == s->port && strcmp(have->host, s->host) == 0 &&
            strcmp(have->protocol, s->protocol) == 0) {
            rc = IC_E_EXISTS;
            goto done;
        }
    }
    if ((rc = grow((void **)&r->services, &r->priv->service_cap, r->service_count,
                   sizeof(*r->services))))
        goto done;
    struct ic_service copy = {.port = s->port};
    if ((rc = copy_text(r, s->host, &copy.host)) ||
        (rc = copy_text(r, s->protocol, &copy.protocol)) ||
        (rc = copy_text(r, s->service, &copy.service)) ||
        (rc = copy_text(r, s->banner, &copy.banner)))
        goto done;
    if (s->tls) {
        struct ic_service_tls *tls = ic_arena_alloc(&r->priv->arena, sizeof(*tls));
        if (!tls) {
            rc = IC_E_NOMEM;
            goto done;
        }
        *tls = *s->tls;
        if ((rc = copy_text(r, s->tls->version, &tls->version)) ||
            (rc = copy_text(r, s->tls->cipher, &tls->cipher)) ||
            (rc = copy_text(r, s->tls->subject, &tls->subject)) ||
            (rc = copy_text(r, s->tls->issuer, &tls->issuer)) ||
            (rc = copy_text(r, s->tls->not_after, &tls->not_after)) ||
            (rc = copy_text(r, s->tls->starttls, &tls->starttls)))
            goto done;
        copy.tls = tls;
    }
    r->services[r->service_count++] = copy;
done:
    pthread_mutex_unlock(&r->priv->lock);
    return rc;
}

int ic_report_add_discovered(struct ic_report *r, const struct ic_discovered *d)
{
    if (!r || !d || !d->host || !d->protocol || !d->interface)
        return IC_E_INVALID_ARG;
    pthread_mutex_lock(&r->priv->lock);
    int rc = refuse_if_finished(r);
    if (rc)
        goto done;
    struct ic_discovered *have = NULL;
    for (size_t i = 0; i < r->discovered_count && !have; i++)
        if (strcmp(r->discovered[i].host, d->host) == 0 &&
            strcmp(r->discovered[i].protocol, d->protocol) == 0 &&
            strcmp(r->discovered[i].interface, d->interface) == 0)
            have = &r->discovered[i];
    if (have) {
        rc = unite_lists(r, have->services, d->services, &have->services);
        if (!rc)
            rc = unite_lists(r, have->names, d->names, &have->names);
        goto done;
    }
    if ((rc = grow((void **)&r->discovered, &r->priv->discovered_cap, r->discovered_count,
                   sizeof(*r->discovered))))
        goto done;
    struct ic_discovered copy = {.port = d->port};
    if ((rc = copy_text(r, d->host, &copy.host)) ||
        (rc = copy_text(r, d->interface, &copy.interface)) ||
        (rc = copy_text(r, d->protocol, &copy.protocol)) ||
        (rc = copy_text(r, d->server, &copy.server)) || (rc = copy_text(r, d->usn, &copy.usn)) ||
        (rc = copy_text(r, d->location, &copy.location)) ||
        (rc = unite_lists(r, NULL, d->services, &copy.services)) ||
        (rc = unite_lists(r, NULL, d->names, &copy.names)))
        goto done;
    r->discovered[r->discovered_count++] = copy;
done:
    pthread_mutex_unlock(&r->priv->lock);
    return rc;
}

/* ---- coverage and explicit evidence -------------------------------------- */

int ic_report_note_coverage(struct ic_report *r, const char *check,
                            const struct ic_coverage *coverage, size_t count)
{
    if (!r || !check || !*check || (count && !coverage))
        return IC_E_INVALID_ARG;
    for (size_t i = 0; i < count; i++)
        if (!ic_provision_find(coverage[i].provision))
            return IC_E_INVALID_ARG;
    pthread_mutex_lock(&r->priv->lock);
    const char *name = NULL;
    int rc = refuse_if_finished(r);
    if (!rc)
        rc = copy_text(r, check, &name);
    for (size_t i = 0; !rc && i < count; i++) {
        struct provision_coverage *pc =
            &r->priv->coverage[ic_provision_find(coverage[i].provision)->index];
        if (!pc->any_check || strcmp(name, pc->any_check) < 0)
            pc->any_check = name;
        if (coverage[i].can_pass && (!pc->pass_check || strcmp(name, pc->pass_check) < 0))
            pc->pass_check = name;
    }
    pthread_mutex_unlock(&r->priv->lock);
    return rc;
}

static int record_evidence(struct ic_report *r, struct provision_evidence *table,
                           const char *provision, enum ic_status status, const char *note)
{
    const struct ic_provision *p = ic_provision_find(provision);
    if (!r || !p || (unsigned)status > IC_STATUS_NOT_APPLICABLE || status == IC_STATUS_NOT_TESTED)
        return IC_E_INVALID_ARG;
    pthread_mutex_lock(&r->priv->lock);
    int rc = refuse_if_finished(r);
    struct provision_evidence *e = &table[p->index];
    if (!rc && (!e->set || ic_status_worst(e->status, status) != e->status ||
                (status == e->status && compare_text(note, e->note) < 0))) {
        rc = copy_text(r, note, &e->note);
        if (!rc) {
            e->set = 1;
            e->status = status;
        }
    }
    pthread_mutex_unlock(&r->priv->lock);
    return rc;
}

int ic_report_set_provision(struct ic_report *r, const char *provision, enum ic_status status,
                            const char *evidence)
{
    return record_evidence(r, r ? r->priv->tested : NULL, provision, status, evidence);
}

int ic_report_declare_provision(struct ic_report *r, const char *provision, enum ic_status status,
                                const char *statement)
{
    return record_evidence(r, r ? r->priv->declared : NULL, provision, status, statement);
}

/* ---- finishing ----------------------------------------------------------- */

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void sort_list(const char *const *list)
{
    /* Lists in the report are arena copies the report owns. */
    if (list)
        qsort((void *)list, list_length(list), sizeof(*list), compare_strings);
}

static int compare_components(const void *pa, const void *pb)
{
    const struct ic_component *a = pa, *b = pb;
    int c = strcmp(a->name, b->name);
    return c ? c : compare_text(a->version, b->version);
}

static int compare_services(const void *pa, const void *pb)
{
    const struct ic_service *a = pa, *b = pb;
    int c;
    if ((c = strcmp(a->host, b->host)) || (c = strcmp(a->protocol, b->protocol)))
        return c;
    return compare_u64(a->port, b->port);
}

static int compare_discovered(const void *pa, const void *pb)
{
    const struct ic_discovered *a = pa, *b = pb;
    int c;
    if ((c = strcmp(a->host, b->host)) || (c = strcmp(a->protocol, b->protocol)))
        return c;
    return strcmp(a->interface, b->interface);
}

int ic_report_finish(struct ic_report *r)
{
    if (!r)
        return IC_E_INVALID_ARG;
    pthread_mutex_lock(&r->priv->lock);
    int rc = IC_OK;
    if (r->finished)
        goto done;
    if (r->finding_count)
        qsort(r->findings, r->finding_count, sizeof(*r->findings), compare_findings);
    /* The order changed: the fingerprint index is rebuilt for lookups. */
    if (r->priv->slot_count)
        memset(r->priv->fingerprint_slots, 0, r->priv->slot_count * sizeof(size_t));
    for (size_t i = 0; i < r->finding_count; i++)
        insert_slot(r->priv, r->findings[i].fingerprint, i);
    for (size_t i = 0; i < r->component_count; i++) {
        sort_list(r->components[i].paths);
        sort_list(r->components[i].cpe);
        sort_list(r->components[i].features);
    }
    if (r->component_count)
        qsort(r->components, r->component_count, sizeof(*r->components), compare_components);
    if (r->service_count)
        qsort(r->services, r->service_count, sizeof(*r->services), compare_services);
    if (r->discovered_count)
        qsort(r->discovered, r->discovered_count, sizeof(*r->discovered), compare_discovered);
    for (size_t i = 0; i < r->discovered_count; i++) {
        sort_list(r->discovered[i].services);
        sort_list(r->discovered[i].names);
    }
    if (!r->priv->duration_set) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        r->run.duration_s = (double)(now.tv_sec - r->priv->monotonic_start.tv_sec) +
                            (double)(now.tv_nsec - r->priv->monotonic_start.tv_nsec) / 1e9;
    }
    rc = ic_report_assess(r);
    if (!rc)
        r->finished = 1;
done:
    pthread_mutex_unlock(&r->priv->lock);
    return rc;
}

int ic_report_suppress(struct ic_report *r, size_t index, const char *source,
                       const char *justification)
{
    if (!r || !source || !justification)
        return IC_E_INVALID_ARG;
    pthread_mutex_lock(&r->priv->lock);
    int rc = refuse_if_finished(r);
    if (!rc && index >= r->finding_count)
        rc = IC_E_INVALID_ARG;
    struct ic_finding *f = rc ? NULL : &r->findings[index];
    if (f && !(rc = copy_text(r, source, &f->suppression_source)) &&
        !(rc = copy_text(r, justification, &f->justification)))
        f->suppressed = 1;
    pthread_mutex_unlock(&r->priv->lock);
    return rc;
}

int ic_report_max_severity(const struct ic_report *r, enum ic_severity *out)
{
    int found = 0;
    enum ic_severity max = IC_SEVERITY_INFO;
    for (size_t i = 0; i < r->finding_count; i++) {
        if (r->findings[i].suppressed)
            continue;
        if (!found || r->findings[i].severity > max)
            max = r->findings[i].severity;
        found = 1;
    }
    if (found)
        *out = max;
    return found;
}

int ic_report_for_firmware(const char *path, const struct ic_unpack *unpack, const char *options,
                           struct ic_report **out)
{
    *out = NULL;
    if (!path)
        return IC_E_INVALID_ARG;
    struct ic_report *r = NULL;
    int rc = ic_report_new(&r);
    if (!rc)
        rc = ic_report_set_firmware_target(r, path, NULL, 0);
    if (!rc)
        rc = ic_report_set_unpack(r, unpack);
    if (!rc && options)
        rc = ic_report_set_run(r, -1, -1, options);
    if (rc) {
        ic_report_free(r);
        return rc;
    }
    *out = r;
    return IC_OK;
}
