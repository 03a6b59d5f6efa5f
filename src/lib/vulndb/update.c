/* `vulndb update`: the NVD CVE API 2.0 (or a mirror speaking it) over HTTPS
 * with libcurl. Incremental by lastModStartDate/lastModEndDate from the
 * store's last update, in windows of at most 120 days (the API's limit),
 * paged with startIndex/resultsPerPage/totalResults; a pause between
 * requests (NVD: 5 requests per 30 s without a key, 50 with one) and
 * back-off on 403/429/503 and 5xx. Certificate verification stays on. */
#include "core/buf.h"
#include "iotcop/error.h"
#include "vulndb/vulndb_private.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#ifndef IOTCOP_VERSION
#define IOTCOP_VERSION "0"
#endif

#define MAX_PAGE_BYTES (1024u * 1024u * 1024u) /* one page of 2000 records is ~40 MB */
#define WINDOW_DAYS 120
#define MAX_RETRY_WAIT_S 300.0

struct update {
    struct ic_vulndb *db;
    const struct ic_vulndb_update_options *o;
    CURL *curl;
    struct curl_slist *headers;
    struct ic_buf body;
    double delay_s;
    int requests;
    char *detail;
    size_t detail_size;
};

static void progress(struct update *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void progress(struct update *u, const char *fmt, ...)
{
    if (!u->o->progress)
        return;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    u->o->progress(u->o->progress_ctx, msg);
}

static void sleep_s(double s)
{
    if (s <= 0)
        return;
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
    struct ic_buf *b = ctx;
    size_t bytes = size * n;
    return ic_buf_append(b, data, bytes) == IC_OK ? bytes : 0;
}

/* "YYYY-MM-DDTHH:MM:SS" <-> time_t (UTC). */
static int parse_time(const char *s, time_t *out)
{
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
               &tm.tm_min, &tm.tm_sec) != 6)
        return IC_E_FORMAT;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    *out = timegm(&tm);
    return *out == (time_t)-1 ? IC_E_FORMAT : IC_OK;
}

static void format_time(time_t t, char *out, size_t size)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, size, "%Y-%m-%dT%H:%M:%S", &tm);
}

static int fail(struct update *u, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(struct update *u, int rc, const char *fmt, ...)
{
    if (u->detail && u->detail_size) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(u->detail, u->detail_size, fmt, ap);
        va_end(ap);
    }
    return rc;
}

/* Retry-After in seconds when the response carried one, else -1. */
static double retry_after(CURL *curl)
{
    struct curl_header *h = NULL;
    if (curl_easy_header(curl, "Retry-After", 0, CURLH_HEADER, -1, &h) != CURLHE_OK || !h)
        return -1;
    char *end = NULL;
    double v = strtod(h->value, &end);
    if (end == h->value || v < 0)
        return -1;
    return v > MAX_RETRY_WAIT_S ? MAX_RETRY_WAIT_S : v;
}

static int transient_status(long status)
{
    return status == 403 || status == 429 || status == 503 || (status >= 500 && status < 600);
}

static int transient_curl(CURLcode code)
{
    return code == CURLE_COULDNT_CONNECT || code == CURLE_OPERATION_TIMEDOUT ||
           code == CURLE_RECV_ERROR || code == CURLE_SEND_ERROR || code == CURLE_GOT_NOTHING ||
           code == CURLE_PARTIAL_FILE || code == CURLE_COULDNT_RESOLVE_HOST;
}

/* GETs url into u->body, retrying transient failures. */
static int fetch(struct update *u, const char *url)
{
    double backoff = u->delay_s > 1 ? u->delay_s : 1;
    for (unsigned attempt = 0;; attempt++) {
        if (u->requests++ > 0)
            sleep_s(u->delay_s);
        ic_buf_release(&u->body);
        curl_easy_setopt(u->curl, CURLOPT_URL, url);
        CURLcode code = curl_easy_perform(u->curl);
        long status = 0;
        curl_easy_getinfo(u->curl, CURLINFO_RESPONSE_CODE, &status);
        if (code == CURLE_OK && status == 200)
            return IC_OK;
        int transient = code == CURLE_OK ? transient_status(status) : transient_curl(code);
        if (!transient || attempt >= u->o->max_retries) {
            if (code != CURLE_OK)
                return fail(u, IC_E_IO, "%s: %s", url, curl_easy_strerror(code));
            return fail(u, IC_E_IO, "%s: HTTP %ld", url, status);
        }
        double wait = code == CURLE_OK ? retry_after(u->curl) : -1;
        if (wait < 0)
            wait = backoff;
        backoff = backoff * 2 > MAX_RETRY_WAIT_S ? MAX_RETRY_WAIT_S : backoff * 2;
        if (code == CURLE_OK)
            progress(u, "HTTP %ld, retrying in %.0f s", status, wait);
        else
            progress(u, "%s, retrying in %.0f s", curl_easy_strerror(code), wait);
        sleep_s(wait);
    }
}

static void add_stats(struct ic_vulndb_import_stats *sum, const struct ic_vulndb_import_stats *s)
{
    sum->records += s->records;
    sum->unchanged += s->unchanged;
    sum->rejected += s->rejected;
    sum->criteria += s->criteria;
    sum->kev += s->kev;
    sum->invalid += s->invalid;
}

/* All pages of one window; start/end "" means no date filter. */
static int fetch_window(struct update *u, const char *base, const char *start, const char *end,
                        unsigned per_page, struct ic_vulndb_import_stats *stats)
{
    uint64_t index = 0;
    for (;;) {
        char url[4096];
        const char *sep = strchr(base, '?') ? "&" : "?";
        int n;
        if (start[0])
            n = snprintf(url, sizeof(url),
                         "%s%sresultsPerPage=%u&startIndex=%llu&lastModStartDate=%s.000%%2B00:00"
                         "&lastModEndDate=%s.000%%2B00:00",
                         base, sep, per_page, (unsigned long long)index, start, end);
        else
            n = snprintf(url, sizeof(url), "%s%sresultsPerPage=%u&startIndex=%llu", base, sep,
                         per_page, (unsigned long long)index);
        if (n < 0 || (size_t)n >= sizeof(url))
            return fail(u, IC_E_INVALID_ARG, "URL too long");
        int rc = fetch(u, url);
        if (rc)
            return rc;
        struct ic_vulndb_import_stats page;
        char why[160] = "";
        rc = ic_vulndb_import_memory(u->db, u->body.data ? u->body.data : (const uint8_t *)"",
                                     u->body.len, &page, why, sizeof(why));
        add_stats(stats, &page);
        if (rc == IC_E_UNKNOWN_FORMAT || (!rc && !page.has_page))
            return fail(u, IC_E_FORMAT, "%s: not an NVD API 2.0 response", url);
        if (rc == IC_E_IO || rc == IC_E_NOMEM)
            return fail(u, IC_E_INTERNAL, "the store could not be written: %s", why);
        if (rc)
            return fail(u, IC_E_FORMAT, "%s: %s", url, why);
        stats->has_page = 1;
        stats->total_results = page.total_results;
        snprintf(stats->timestamp, sizeof(stats->timestamp), "%s", page.timestamp);
        snprintf(stats->format, sizeof(stats->format), "nvd-2.0");
        progress(u, "records %llu-%llu of %llu", (unsigned long long)page.start_index,
                 (unsigned long long)(page.start_index + page.results_per_page),
                 (unsigned long long)page.total_results);
        uint64_t next = page.start_index + page.results_per_page;
        if (page.results_per_page == 0 || next >= page.total_results)
            return IC_OK;
        if (next <= index)
            return fail(u, IC_E_FORMAT, "%s: the page does not advance", url);
        index = next;
    }
}

int ic_vulndb_update(struct ic_vulndb *db, const struct ic_vulndb_update_options *options,
                     struct ic_vulndb_import_stats *stats, char *detail, size_t detail_size)
{
    memset(stats, 0, sizeof(*stats));
    if (detail && detail_size)
        detail[0] = '\0';
    struct ic_vulndb_update_options defaults = {0};
    const struct ic_vulndb_update_options *o = options ? options : &defaults;
    const char *base = o->url && *o->url ? o->url : IC_VULNDB_NVD_URL;
    struct update u = {.db = db, .o = o, .detail = detail, .detail_size = detail_size};
    if (!db || !db->writable)
        return IC_E_INVALID_ARG;
    if (strncasecmp(base, "https://", 8) != 0)
        return fail(&u, IC_E_INVALID_ARG, "%s: only https:// URLs are accepted", base);
    u.delay_s = o->delay_s >= 0 ? o->delay_s : (o->api_key && *o->api_key ? 0.6 : 6.0);
    unsigned per_page = o->results_per_page ? o->results_per_page : 2000;

    time_t now;
    char now_text[40];
    if (o->now) {
        if (parse_time(o->now, &now))
            return fail(&u, IC_E_INVALID_ARG, "bad time '%s'", o->now);
    } else {
        now = time(NULL);
    }
    format_time(now, now_text, sizeof(now_text));
    char last[40] = "";
    int rc = o->full ? IC_OK : vdb_meta_get(db, "last_update", last, sizeof(last));
    if (rc)
        return fail(&u, rc, "%s", db->detail);

    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return fail(&u, IC_E_INTERNAL, "libcurl could not start");
    ic_buf_init(&u.body, MAX_PAGE_BYTES);
    u.curl = curl_easy_init();
    if (!u.curl) {
        rc = fail(&u, IC_E_NOMEM, "libcurl could not start");
        goto done;
    }
    if (o->api_key && *o->api_key) {
        char header[256];
        snprintf(header, sizeof(header), "apiKey: %s", o->api_key);
        u.headers = curl_slist_append(u.headers, header);
    }
    u.headers = curl_slist_append(u.headers, "Accept: application/json");
    curl_easy_setopt(u.curl, CURLOPT_HTTPHEADER, u.headers);
    curl_easy_setopt(u.curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(u.curl, CURLOPT_WRITEDATA, &u.body);
    curl_easy_setopt(u.curl, CURLOPT_PROTOCOLS_STR, "https");
    curl_easy_setopt(u.curl, CURLOPT_REDIR_PROTOCOLS_STR, "https");
    curl_easy_setopt(u.curl, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(u.curl, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(u.curl, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(u.curl, CURLOPT_SSL_VERIFYHOST, 2L);
    if (o->ca_file && *o->ca_file)
        curl_easy_setopt(u.curl, CURLOPT_CAINFO, o->ca_file);
    curl_easy_setopt(u.curl, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(u.curl, CURLOPT_USERAGENT, "iotcop/" IOTCOP_VERSION);
    curl_easy_setopt(u.curl, CURLOPT_CONNECTTIMEOUT, 30L);
    curl_easy_setopt(u.curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(u.curl, CURLOPT_LOW_SPEED_TIME, 120L);
    curl_easy_setopt(u.curl, CURLOPT_NOSIGNAL, 1L);

    if (!last[0]) {
        progress(&u, "full download from %s", base);
        rc = fetch_window(&u, base, "", "", per_page, stats);
    } else {
        time_t from;
        if (parse_time(last, &from)) {
            rc = fail(&u, IC_E_FORMAT, "the store's last update '%s' is not a time", last);
            goto done;
        }
        while (!rc && from < now) {
            time_t to = from + (time_t)WINDOW_DAYS * 86400;
            if (to > now)
                to = now;
            char a[40], b[40];
            format_time(from, a, sizeof(a));
            format_time(to, b, sizeof(b));
            progress(&u, "records modified from %s to %s", a, b);
            rc = fetch_window(&u, base, a, b, per_page, stats);
            from = to;
        }
    }
    if (!rc && (rc = vdb_meta_set(db, "last_update", now_text)))
        fail(&u, rc, "%s", db->detail);
done:
    curl_slist_free_all(u.headers);
    if (u.curl)
        curl_easy_cleanup(u.curl);
    ic_buf_release(&u.body);
    curl_global_cleanup();
    return rc;
}
