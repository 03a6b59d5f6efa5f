/* iotcop diff OLD NEW: what changed between two reports (or two images,
 * audited first): findings by fingerprint, components by name and version,
 * verdicts by id. docs/diff.md describes the output. */
#include "cli.h"
#include "core/buf.h"
#include "core/json.h"
#include "iotcop/error.h"
#include "iotcop/report.h"
#include "iotcop/report_read.h"
#include "iotcop/standards.h"
#include "iotcop/vulndb.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Largest report read into memory. */
#define MAX_REPORT_BYTES (1024u * 1024u * 1024u)
/* Most --limit/--wordlist/... options passed on to the audits. */
#define MAX_AUDIT_ARGS 64

enum diff_format { DIFF_TEXT, DIFF_JSON, DIFF_HTML };

struct component_change {
    const char *name;
    const char *old_version; /* NULL when added */
    const char *new_version; /* NULL when removed */
};

struct verdict_change {
    const char *kind; /* "guideline", "provision", "psti" */
    const struct ic_doc_verdict *old_v, *new_v;
};

struct diff {
    struct ic_report_doc old_doc, new_doc;
    const char *old_name, *new_name;
    /* Indexes into the new report (new, unchanged) and the old one (fixed). */
    size_t *added, *fixed, *unchanged;
    size_t added_count, fixed_count, unchanged_count;
    /* Findings of one rule at one place whose evidence differs in numbers
     * only (a size, a count): changed_new[i] in NEW was changed_old[i]. */
    size_t *changed_new, *changed_old;
    size_t changed_count;
    struct component_change *components;
    size_t component_count;
    size_t components_added, components_removed, components_upgraded;
    struct verdict_change *verdicts;
    size_t verdict_count;
};

static void help(void)
{
    printf("Usage: iotcop diff [OPTIONS] OLD NEW\n\n"
           "Compares two audits of one product: findings new, fixed and unchanged (by\n"
           "fingerprint), components added, removed and upgraded (same name, other\n"
           "version), and the guideline, provision and PSTI verdicts that changed.\n"
           "OLD and NEW are JSON reports (iotcop firmware -f json) or firmware images,\n"
           "which are audited first.\n\n"
           "Options:\n"
           "  -f, --format FMT        text (default), json or html\n"
           "  -o, --output FILE       write to FILE instead of standard output\n"
           "      --fail-on SEV       exit 1 when a new finding is at or above SEV\n"
           "      --fail-on-guideline CoP-N  exit 1 when that guideline newly fails\n"
           "      --limit NAME=VALUE  passed on to the audit of an image (repeatable)\n"
           "      --wordlist FILE     passed on to the audit of an image\n"
           "      --ignore FILE       passed on to the audit of an image\n"
           "  -h, --help              this help\n\n"
           "Exit status: 0 done, 1 a new finding at or above --fail-on (suppressed ones\n"
           "do not count) or a guideline of --fail-on-guideline newly failing, 2 usage\n"
           "error, 3 an input could not be read or understood, 4 internal error.\n");
}

/* ---- inputs -------------------------------------------------------------- */

static int read_file(const char *path, struct ic_buf *out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return IC_E_IO;
    char chunk[65536];
    size_t got;
    int rc = IC_OK;
    while (!rc && (got = fread(chunk, 1, sizeof(chunk), f)) > 0)
        rc = ic_buf_append(out, chunk, got);
    if (!rc && ferror(f))
        rc = IC_E_IO;
    fclose(f);
    return rc;
}

/* Whether the bytes look like a JSON report rather than an image. */
static int looks_like_json(const struct ic_buf *b)
{
    for (size_t i = 0; i < b->len; i++) {
        unsigned char c = b->data[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
            continue;
        return c == '{';
    }
    return 0;
}

/* Audits an image by running `iotcop firmware -f json` (this program) into
 * a temporary file, which is read into out. Returns an exit status. */
static int audit_image(const char *image, char *const *extra, size_t extra_count,
                       struct ic_buf *out)
{
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n <= 0)
        return EXIT_INTERNAL;
    self[n] = '\0';
    const char *tmpdir = getenv("TMPDIR");
    char tmp[4096];
    snprintf(tmp, sizeof(tmp), "%s/iotcop-diff.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
    int fd = mkstemp(tmp);
    if (fd < 0) {
        cli_error("diff: cannot create a temporary file: %s", strerror(errno));
        return EXIT_INTERNAL;
    }
    close(fd);
    char *args[MAX_AUDIT_ARGS + 16];
    size_t k = 0;
    args[k++] = self;
    args[k++] = "firmware";
    args[k++] = "--format";
    args[k++] = "json";
    args[k++] = "--no-progress";
    args[k++] = "--output";
    args[k++] = tmp;
    for (size_t i = 0; i < extra_count; i++)
        args[k++] = extra[i];
    args[k++] = "--";
    args[k++] = (char *)image;
    args[k] = NULL;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        unlink(tmp);
        return EXIT_INTERNAL;
    }
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0)
            dup2(null, STDOUT_FILENO);
        execv(self, args);
        _exit(EXIT_INTERNAL);
    }
    int wstatus = 0;
    while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
        ;
    int status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : EXIT_INTERNAL;
    if (status == EXIT_DONE || status == EXIT_FINDINGS || status == EXIT_UNREADABLE) {
        if (read_file(tmp, out) != IC_OK || out->len == 0)
            status = status == EXIT_UNREADABLE ? EXIT_UNREADABLE : EXIT_INTERNAL;
        else if (status != EXIT_UNREADABLE)
            status = EXIT_DONE;
    }
    unlink(tmp);
    return status;
}

/* Loads OLD or NEW into doc: a report as it is, an image audited first.
 * Returns an exit status. */
static int load(const char *path, char *const *extra, size_t extra_count, struct ic_report_doc *doc)
{
    struct ic_buf data = IC_BUF_INIT(MAX_REPORT_BYTES);
    int status = EXIT_DONE;
    int rc = read_file(path, &data);
    if (rc) {
        cli_error("diff: cannot read %s: %s", path,
                  rc == IC_E_IO ? strerror(errno) : ic_error_message(rc));
        ic_buf_release(&data);
        return rc == IC_E_IO ? EXIT_UNREADABLE : EXIT_INTERNAL;
    }
    if (!looks_like_json(&data)) {
        ic_buf_release(&data);
        status = audit_image(path, extra, extra_count, &data);
        if (status == EXIT_INTERNAL || data.len == 0) {
            cli_error("diff: the audit of %s failed", path);
            ic_buf_release(&data);
            return status == EXIT_DONE ? EXIT_INTERNAL : status;
        }
    }
    char detail[256];
    rc = ic_report_read(data.data, data.len, doc, detail, sizeof(detail));
    if (rc) {
        /* JSON Lines: the first report. */
        const uint8_t *nl = memchr(data.data, '\n', data.len);
        if (nl && (size_t)(nl - data.data) + 1 < data.len) {
            struct ic_report_doc first;
            char detail2[256];
            if (ic_report_read(data.data, (size_t)(nl - data.data), &first, detail2,
                               sizeof(detail2)) == IC_OK) {
                cli_error("diff: %s holds several reports; comparing the first", path);
                ic_report_doc_release(doc);
                *doc = first;
                rc = IC_OK;
            } else {
                ic_report_doc_release(&first);
            }
        }
    }
    if (rc) {
        cli_error("diff: %s is not a readable iotcop report: %s", path, detail);
        status = EXIT_UNREADABLE;
    }
    ic_buf_release(&data);
    return status;
}

/* ---- comparing ----------------------------------------------------------- */

static int compare_fingerprint_index(const void *a, const void *b, void *doc)
{
    const struct ic_doc_finding *f = ((const struct ic_report_doc *)doc)->findings;
    return strcmp(f[*(const size_t *)a].fingerprint, f[*(const size_t *)b].fingerprint);
}

/* Indexes of doc's findings sorted by fingerprint. */
static size_t *sorted_by_fingerprint(const struct ic_report_doc *doc)
{
    size_t *idx = malloc((doc->finding_count + 1) * sizeof(*idx));
    if (!idx)
        return NULL;
    for (size_t i = 0; i < doc->finding_count; i++)
        idx[i] = i;
    qsort_r(idx, doc->finding_count, sizeof(*idx), compare_fingerprint_index, (void *)doc);
    return idx;
}

static int find_sorted(const struct ic_report_doc *doc, const size_t *idx, const char *fp)
{
    size_t lo = 0, hi = doc->finding_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(doc->findings[idx[mid]].fingerprint, fp);
        if (c == 0)
            return 1;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

static int same_text(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

/* Whether two evidence strings are equal once every run of digits is
 * treated as one and the same number. */
static int same_but_numbers(const char *a, const char *b)
{
    a = a ? a : "";
    b = b ? b : "";
    for (;;) {
        int da = *a >= '0' && *a <= '9', db = *b >= '0' && *b <= '9';
        if (da != db)
            return 0;
        if (da) {
            while (*a >= '0' && *a <= '9')
                a++;
            while (*b >= '0' && *b <= '9')
                b++;
            continue;
        }
        if (*a != *b)
            return 0;
        if (!*a)
            return 1;
        a++;
        b++;
    }
}

static int same_place(const struct ic_doc_finding *x, const struct ic_doc_finding *y)
{
    return strcmp(x->rule, y->rule) == 0 && same_text(x->layer, y->layer) &&
           same_text(x->path, y->path) && same_text(x->host, y->host) && x->port == y->port &&
           same_text(x->service, y->service) && same_but_numbers(x->evidence, y->evidence);
}

/* Pairs new and fixed findings that are one finding whose evidence changed
 * in numbers only; each pair leaves the new and fixed lists. */
static int pair_changed(struct diff *d)
{
    size_t n = d->added_count < d->fixed_count ? d->added_count : d->fixed_count;
    d->changed_new = malloc((n + 1) * sizeof(size_t));
    d->changed_old = malloc((n + 1) * sizeof(size_t));
    if (!d->changed_new || !d->changed_old)
        return IC_E_NOMEM;
    size_t kept_added = 0;
    for (size_t i = 0; i < d->added_count; i++) {
        const struct ic_doc_finding *f = &d->new_doc.findings[d->added[i]];
        size_t match = SIZE_MAX;
        for (size_t k = 0; k < d->fixed_count && match == SIZE_MAX; k++)
            if (same_place(f, &d->old_doc.findings[d->fixed[k]]))
                match = k;
        if (match == SIZE_MAX) {
            d->added[kept_added++] = d->added[i];
            continue;
        }
        d->changed_new[d->changed_count] = d->added[i];
        d->changed_old[d->changed_count++] = d->fixed[match];
        memmove(&d->fixed[match], &d->fixed[match + 1],
                (d->fixed_count - match - 1) * sizeof(size_t));
        d->fixed_count--;
    }
    d->added_count = kept_added;
    return IC_OK;
}

static int compare_findings_sets(struct diff *d)
{
    const struct ic_report_doc *o = &d->old_doc, *n = &d->new_doc;
    size_t *old_idx = sorted_by_fingerprint(o), *new_idx = sorted_by_fingerprint(n);
    d->added = malloc((n->finding_count + 1) * sizeof(size_t));
    d->unchanged = malloc((n->finding_count + 1) * sizeof(size_t));
    d->fixed = malloc((o->finding_count + 1) * sizeof(size_t));
    int rc = IC_E_NOMEM;
    if (!old_idx || !new_idx || !d->added || !d->unchanged || !d->fixed)
        goto done;
    /* Report order (severity first) is kept: walk the findings as stored. */
    for (size_t i = 0; i < n->finding_count; i++) {
        if (find_sorted(o, old_idx, n->findings[i].fingerprint))
            d->unchanged[d->unchanged_count++] = i;
        else
            d->added[d->added_count++] = i;
    }
    for (size_t i = 0; i < o->finding_count; i++)
        if (!find_sorted(n, new_idx, o->findings[i].fingerprint))
            d->fixed[d->fixed_count++] = i;
    rc = pair_changed(d);
done:
    free(old_idx);
    free(new_idx);
    return rc;
}

static int has_component(const struct ic_report_doc *doc, const char *name, const char *version)
{
    for (size_t i = 0; i < doc->component_count; i++)
        if (strcmp(doc->components[i].name, name) == 0 &&
            strcmp(doc->components[i].version ? doc->components[i].version : "",
                   version ? version : "") == 0)
            return 1;
    return 0;
}

static int push_component(struct diff *d, size_t *cap, const char *name, const char *old_version,
                          const char *new_version)
{
    if (d->component_count == *cap) {
        size_t next = *cap ? *cap * 2 : 16;
        void *p = realloc(d->components, next * sizeof(*d->components));
        if (!p)
            return IC_E_NOMEM;
        d->components = p;
        *cap = next;
    }
    d->components[d->component_count++] = (struct component_change){name, old_version, new_version};
    return IC_OK;
}

/* Per name, versions only in OLD and only in NEW: paired in version order
 * as upgrades (or downgrades), the rest removed or added. */
static int compare_components(struct diff *d)
{
    const struct ic_report_doc *o = &d->old_doc, *n = &d->new_doc;
    size_t cap = 0;
    int rc = IC_OK;
    size_t total = o->component_count + n->component_count;
    const char **gone = malloc((total + 1) * sizeof(*gone));
    const char **came = malloc((total + 1) * sizeof(*came));
    if (!gone || !came) {
        rc = IC_E_NOMEM;
        goto done;
    }
    for (size_t pass = 0; pass < 2 && !rc; pass++) {
        const struct ic_report_doc *doc = pass == 0 ? o : n;
        for (size_t i = 0; i < doc->component_count && !rc; i++) {
            const char *name = doc->components[i].name;
            /* Each name once: at its first appearance in OLD, or in NEW when OLD lacks it. */
            int seen = 0;
            for (size_t k = 0; k < i && !seen; k++)
                seen = strcmp(doc->components[k].name, name) == 0;
            for (size_t k = 0; pass == 1 && k < o->component_count && !seen; k++)
                seen = strcmp(o->components[k].name, name) == 0;
            if (seen)
                continue;
            size_t ng = 0, nc = 0;
            for (size_t k = 0; k < o->component_count; k++)
                if (strcmp(o->components[k].name, name) == 0 &&
                    !has_component(n, name, o->components[k].version))
                    gone[ng++] = o->components[k].version;
            for (size_t k = 0; k < n->component_count; k++)
                if (strcmp(n->components[k].name, name) == 0 &&
                    !has_component(o, name, n->components[k].version))
                    came[nc++] = n->components[k].version;
            size_t pairs = ng < nc ? ng : nc;
            for (size_t k = 0; k < pairs && !rc; k++) {
                rc = push_component(d, &cap, name, gone[k], came[k]);
                d->components_upgraded++;
            }
            for (size_t k = pairs; k < ng && !rc; k++) {
                rc = push_component(d, &cap, name, gone[k] ? gone[k] : "", NULL);
                d->components_removed++;
            }
            for (size_t k = pairs; k < nc && !rc; k++) {
                rc = push_component(d, &cap, name, NULL, came[k] ? came[k] : "");
                d->components_added++;
            }
        }
    }
done:
    free(gone);
    free(came);
    return rc;
}

static int push_verdicts(struct diff *d, size_t *cap, const char *kind,
                         const struct ic_doc_verdict *old_v, size_t old_count,
                         const struct ic_doc_verdict *new_v, size_t new_count)
{
    for (size_t i = 0; i < new_count; i++) {
        const struct ic_doc_verdict *before = NULL;
        for (size_t k = 0; k < old_count && !before; k++)
            if (strcmp(old_v[k].id, new_v[i].id) == 0)
                before = &old_v[k];
        if (before && strcmp(before->status_text, new_v[i].status_text) == 0)
            continue;
        if (d->verdict_count == *cap) {
            size_t next = *cap ? *cap * 2 : 16;
            void *p = realloc(d->verdicts, next * sizeof(*d->verdicts));
            if (!p)
                return IC_E_NOMEM;
            d->verdicts = p;
            *cap = next;
        }
        d->verdicts[d->verdict_count++] = (struct verdict_change){kind, before, &new_v[i]};
    }
    return IC_OK;
}

static int compare_verdicts(struct diff *d)
{
    size_t cap = 0;
    const struct ic_report_doc *o = &d->old_doc, *n = &d->new_doc;
    int rc = push_verdicts(d, &cap, "guideline", o->guidelines, o->guideline_count, n->guidelines,
                           n->guideline_count);
    if (!rc)
        rc = push_verdicts(d, &cap, "provision", o->provisions, o->provision_count, n->provisions,
                           n->provision_count);
    if (!rc)
        rc = push_verdicts(d, &cap, "psti", o->psti, o->psti_count, n->psti, n->psti_count);
    return rc;
}

/* ---- output -------------------------------------------------------------- */

static const char *where(const struct ic_doc_finding *f, char *buf, size_t n)
{
    if (f->host)
        snprintf(buf, n, "%s:%llu/%s", f->host, (unsigned long long)f->port,
                 f->service ? f->service : "");
    else
        snprintf(buf, n, "%s:%s", f->layer ? f->layer : "?", f->path ? f->path : "(raw data)");
    return buf;
}

static const char *version_or_none(const char *v)
{
    return v && *v ? v : "(no version)";
}

static int write_text(const struct diff *d, struct ic_buf *out)
{
    char loc[1024];
    ic_buf_printf(out, "iotcop diff: %s -> %s\n", d->old_name, d->new_name);
    ic_buf_printf(out, "\nFindings: %zu new, %zu fixed, %zu changed, %zu unchanged\n",
                  d->added_count, d->fixed_count, d->changed_count, d->unchanged_count);
    for (size_t i = 0; i < d->added_count; i++) {
        const struct ic_doc_finding *f = &d->new_doc.findings[d->added[i]];
        ic_buf_printf(out, "  new    %-8s %s%s  %s\n           %s\n", ic_severity_name(f->severity),
                      f->rule, f->suppressed ? " (suppressed)" : "", where(f, loc, sizeof(loc)),
                      f->evidence ? f->evidence : "");
    }
    for (size_t i = 0; i < d->fixed_count; i++) {
        const struct ic_doc_finding *f = &d->old_doc.findings[d->fixed[i]];
        ic_buf_printf(out, "  fixed  %-8s %s  %s\n           %s\n", ic_severity_name(f->severity),
                      f->rule, where(f, loc, sizeof(loc)), f->evidence ? f->evidence : "");
    }
    for (size_t i = 0; i < d->changed_count; i++) {
        const struct ic_doc_finding *f = &d->new_doc.findings[d->changed_new[i]];
        ic_buf_printf(out, "  changed %-7s %s  %s\n           was: %s\n           now: %s\n",
                      ic_severity_name(f->severity), f->rule, where(f, loc, sizeof(loc)),
                      d->old_doc.findings[d->changed_old[i]].evidence,
                      f->evidence ? f->evidence : "");
    }
    ic_buf_printf(out, "\nComponents: %zu added, %zu removed, %zu upgraded\n", d->components_added,
                  d->components_removed, d->components_upgraded);
    for (size_t i = 0; i < d->component_count; i++) {
        const struct component_change *c = &d->components[i];
        if (c->old_version && c->new_version)
            ic_buf_printf(
                out, "  %-9s %s %s -> %s\n",
                ic_version_compare(c->new_version, c->old_version) >= 0 ? "upgraded" : "downgraded",
                c->name, version_or_none(c->old_version), version_or_none(c->new_version));
        else if (c->new_version)
            ic_buf_printf(out, "  added     %s %s\n", c->name, version_or_none(c->new_version));
        else
            ic_buf_printf(out, "  removed   %s %s\n", c->name, version_or_none(c->old_version));
    }
    ic_buf_printf(out, "\nVerdicts changed: %zu\n", d->verdict_count);
    for (size_t i = 0; i < d->verdict_count; i++) {
        const struct verdict_change *v = &d->verdicts[i];
        ic_buf_printf(out, "  %-9s %-8s %s -> %s\n", v->kind, v->new_v->id,
                      v->old_v ? v->old_v->status_text : "(absent)", v->new_v->status_text);
    }
    return out->len ? IC_OK : IC_E_NOMEM;
}

static void json_finding(struct ic_json *j, const struct ic_doc_finding *f)
{
    ic_json_object_begin(j);
    ic_json_kv_string(j, "rule", f->rule);
    ic_json_kv_string(j, "fingerprint", f->fingerprint);
    ic_json_kv_string(j, "severity", ic_severity_name(f->severity));
    ic_json_kv_string(j, "title", f->title);
    ic_json_kv_string(j, "guideline", f->guideline);
    ic_json_key(j, "location");
    ic_json_object_begin(j);
    if (f->host) {
        ic_json_kv_string(j, "host", f->host);
        ic_json_kv_uint(j, "port", f->port);
        ic_json_kv_string(j, "service", f->service);
    } else {
        ic_json_kv_string(j, "layer", f->layer);
        if (f->path)
            ic_json_kv_string(j, "path", f->path);
    }
    ic_json_object_end(j);
    ic_json_kv_string(j, "evidence", f->evidence);
    if (f->suppressed) {
        ic_json_key(j, "suppressed");
        ic_json_object_begin(j);
        ic_json_kv_string(j, "justification", f->justification ? f->justification : "");
        ic_json_kv_string(j, "source", f->suppression_source ? f->suppression_source : "ignore");
        ic_json_object_end(j);
    }
    ic_json_object_end(j);
}

static void json_side(struct ic_json *j, const char *key, const char *name,
                      const struct ic_report_doc *doc)
{
    ic_json_key(j, key);
    ic_json_object_begin(j);
    ic_json_kv_string(j, "report", name);
    ic_json_kv_string(j, "path", doc->target_path ? doc->target_path : doc->target_address);
    if (doc->target_sha256)
        ic_json_kv_string(j, "sha256", doc->target_sha256);
    ic_json_object_end(j);
}

static int write_json(const struct diff *d, struct ic_buf *out)
{
    struct ic_json j;
    ic_json_init(&j, out, 1);
    ic_json_object_begin(&j);
    ic_json_kv_string(&j, "schema", "iotcop-diff/1");
    json_side(&j, "old", d->old_name, &d->old_doc);
    json_side(&j, "new", d->new_name, &d->new_doc);
    ic_json_key(&j, "findings");
    ic_json_object_begin(&j);
    ic_json_key(&j, "new");
    ic_json_array_begin(&j);
    for (size_t i = 0; i < d->added_count; i++)
        json_finding(&j, &d->new_doc.findings[d->added[i]]);
    ic_json_array_end(&j);
    ic_json_key(&j, "fixed");
    ic_json_array_begin(&j);
    for (size_t i = 0; i < d->fixed_count; i++)
        json_finding(&j, &d->old_doc.findings[d->fixed[i]]);
    ic_json_array_end(&j);
    ic_json_key(&j, "changed");
    ic_json_array_begin(&j);
    for (size_t i = 0; i < d->changed_count; i++) {
        ic_json_object_begin(&j);
        ic_json_key(&j, "old");
        json_finding(&j, &d->old_doc.findings[d->changed_old[i]]);
        ic_json_key(&j, "new");
        json_finding(&j, &d->new_doc.findings[d->changed_new[i]]);
        ic_json_object_end(&j);
    }
    ic_json_array_end(&j);
    ic_json_key(&j, "unchanged");
    ic_json_array_begin(&j);
    for (size_t i = 0; i < d->unchanged_count; i++)
        json_finding(&j, &d->new_doc.findings[d->unchanged[i]]);
    ic_json_array_end(&j);
    ic_json_object_end(&j);
    ic_json_key(&j, "components");
    ic_json_object_begin(&j);
    static const char *const lists[] = {"added", "removed", "upgraded"};
    for (int l = 0; l < 3; l++) {
        ic_json_key(&j, lists[l]);
        ic_json_array_begin(&j);
        for (size_t i = 0; i < d->component_count; i++) {
            const struct component_change *c = &d->components[i];
            int kind = c->old_version && c->new_version ? 2 : c->new_version ? 0 : 1;
            if (kind != l)
                continue;
            ic_json_object_begin(&j);
            ic_json_kv_string(&j, "name", c->name);
            if (kind == 2) {
                ic_json_kv_string(&j, "old", c->old_version);
                ic_json_kv_string(&j, "new", c->new_version);
                if (ic_version_compare(c->new_version, c->old_version) < 0)
                    ic_json_kv_bool(&j, "downgrade", 1);
            } else {
                ic_json_kv_string(&j, "version", kind == 0 ? c->new_version : c->old_version);
            }
            ic_json_object_end(&j);
        }
        ic_json_array_end(&j);
    }
    ic_json_object_end(&j);
    ic_json_key(&j, "verdicts");
    ic_json_array_begin(&j);
    for (size_t i = 0; i < d->verdict_count; i++) {
        const struct verdict_change *v = &d->verdicts[i];
        ic_json_object_begin(&j);
        ic_json_kv_string(&j, "kind", v->kind);
        ic_json_kv_string(&j, "id", v->new_v->id);
        ic_json_kv_string(&j, "old", v->old_v ? v->old_v->status_text : NULL);
        ic_json_kv_string(&j, "new", v->new_v->status_text);
        ic_json_object_end(&j);
    }
    ic_json_array_end(&j);
    ic_json_object_end(&j);
    if (!j.error)
        j.error = ic_buf_append(out, "\n", 1);
    return j.error;
}

static void html_text(struct ic_buf *out, const char *s)
{
    for (const char *p = s ? s : ""; *p; p++) {
        switch (*p) {
        case '<':
            ic_buf_append_str(out, "&lt;");
            break;
        case '>':
            ic_buf_append_str(out, "&gt;");
            break;
        case '&':
            ic_buf_append_str(out, "&amp;");
            break;
        case '"':
            ic_buf_append_str(out, "&quot;");
            break;
        default:
            ic_buf_append_byte(out, (uint8_t)*p);
        }
    }
}

static void html_finding_rows(struct ic_buf *out, const char *change,
                              const struct ic_report_doc *doc, const size_t *idx, size_t count)
{
    char loc[1024];
    for (size_t i = 0; i < count; i++) {
        const struct ic_doc_finding *f = &doc->findings[idx[i]];
        ic_buf_printf(out, "<tr class=\"%s\"><td>%s</td><td>%s</td><td>", change, change,
                      ic_severity_name(f->severity));
        html_text(out, f->rule);
        ic_buf_append_str(out, f->suppressed ? " (suppressed)</td><td>" : "</td><td>");
        html_text(out, where(f, loc, sizeof(loc)));
        ic_buf_append_str(out, "</td><td>");
        html_text(out, f->evidence);
        ic_buf_append_str(out, "</td></tr>\n");
    }
}

static int write_html(const struct diff *d, struct ic_buf *out)
{
    ic_buf_append_str(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                           "<title>iotcop diff</title><style>"
                           "body{font:14px sans-serif;margin:2em}table{border-collapse:collapse}"
                           "td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left}"
                           "tr.new td:first-child{color:#b00}tr.fixed td:first-child{color:#070}"
                           "</style></head><body>\n<h1>iotcop diff</h1><p>");
    html_text(out, d->old_name);
    ic_buf_append_str(out, " &rarr; ");
    html_text(out, d->new_name);
    ic_buf_printf(out, "</p>\n<h2>Findings: %zu new, %zu fixed, %zu changed, %zu unchanged</h2>\n",
                  d->added_count, d->fixed_count, d->changed_count, d->unchanged_count);
    ic_buf_append_str(out, "<table><tr><th>change</th><th>severity</th><th>rule</th>"
                           "<th>where</th><th>evidence</th></tr>\n");
    html_finding_rows(out, "new", &d->new_doc, d->added, d->added_count);
    html_finding_rows(out, "fixed", &d->old_doc, d->fixed, d->fixed_count);
    html_finding_rows(out, "changed", &d->new_doc, d->changed_new, d->changed_count);
    ic_buf_printf(out,
                  "</table>\n<h2>Components: %zu added, %zu removed, %zu upgraded</h2>\n"
                  "<table><tr><th>component</th><th>old</th><th>new</th></tr>\n",
                  d->components_added, d->components_removed, d->components_upgraded);
    for (size_t i = 0; i < d->component_count; i++) {
        const struct component_change *c = &d->components[i];
        ic_buf_append_str(out, "<tr><td>");
        html_text(out, c->name);
        ic_buf_append_str(out, "</td><td>");
        html_text(out, c->old_version ? version_or_none(c->old_version) : "(absent)");
        ic_buf_append_str(out, "</td><td>");
        html_text(out, c->new_version ? version_or_none(c->new_version) : "(absent)");
        ic_buf_append_str(out, "</td></tr>\n");
    }
    ic_buf_printf(out,
                  "</table>\n<h2>Verdicts changed: %zu</h2>\n"
                  "<table><tr><th>kind</th><th>id</th><th>old</th><th>new</th></tr>\n",
                  d->verdict_count);
    for (size_t i = 0; i < d->verdict_count; i++) {
        const struct verdict_change *v = &d->verdicts[i];
        ic_buf_printf(out, "<tr><td>%s</td><td>", v->kind);
        html_text(out, v->new_v->id);
        ic_buf_append_str(out, "</td><td>");
        html_text(out, v->old_v ? v->old_v->status_text : "(absent)");
        ic_buf_append_str(out, "</td><td>");
        html_text(out, v->new_v->status_text);
        ic_buf_append_str(out, "</td></tr>\n");
    }
    return ic_buf_append_str(out, "</table>\n</body></html>\n");
}

/* ---- the command --------------------------------------------------------- */

static void diff_release(struct diff *d)
{
    ic_report_doc_release(&d->old_doc);
    ic_report_doc_release(&d->new_doc);
    free(d->added);
    free(d->fixed);
    free(d->unchanged);
    free(d->changed_new);
    free(d->changed_old);
    free(d->components);
    free(d->verdicts);
}

/* Exit 1 for a new unsuppressed finding at or above fail_on, or a gated
 * guideline that fails in NEW and did not in OLD. */
static int gate(const struct diff *d, int fail_on, unsigned long guidelines)
{
    for (size_t i = 0; fail_on >= 0 && i < d->added_count; i++) {
        const struct ic_doc_finding *f = &d->new_doc.findings[d->added[i]];
        if (!f->suppressed && (int)f->severity >= fail_on)
            return EXIT_FINDINGS;
    }
    for (size_t i = 0; i < d->verdict_count; i++) {
        const struct verdict_change *v = &d->verdicts[i];
        if (strcmp(v->kind, "guideline") != 0 || v->new_v->status != IC_STATUS_FAIL)
            continue;
        const struct ic_guideline *g = ic_guideline_find(v->new_v->id);
        if (g && g->index < sizeof(guidelines) * 8 && (guidelines >> g->index & 1))
            return EXIT_FINDINGS;
    }
    return EXIT_DONE;
}

int cmd_diff(int argc, char **argv)
{
    enum diff_format format = DIFF_TEXT;
    const char *output = NULL;
    int fail_on = -1;
    unsigned long fail_on_guidelines = 0;
    char *extra[MAX_AUDIT_ARGS];
    size_t extra_count = 0;
    enum { OPT_FAIL_ON = 256, OPT_FAIL_ON_GUIDELINE, OPT_LIMIT, OPT_WORDLIST, OPT_IGNORE };
    static const struct option options[] = {
        {"format", required_argument, NULL, 'f'},
        {"output", required_argument, NULL, 'o'},
        {"fail-on", required_argument, NULL, OPT_FAIL_ON},
        {"fail-on-guideline", required_argument, NULL, OPT_FAIL_ON_GUIDELINE},
        {"limit", required_argument, NULL, OPT_LIMIT},
        {"wordlist", required_argument, NULL, OPT_WORDLIST},
        {"ignore", required_argument, NULL, OPT_IGNORE},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "f:o:h", options, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (strcmp(optarg, "text") == 0)
                format = DIFF_TEXT;
            else if (strcmp(optarg, "json") == 0)
                format = DIFF_JSON;
            else if (strcmp(optarg, "html") == 0)
                format = DIFF_HTML;
            else {
                cli_error("diff: --format is text, json or html, not '%s'", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'o':
            output = optarg;
            break;
        case OPT_FAIL_ON:
            if (cli_parse_fail_on("diff", optarg, &fail_on))
                return EXIT_USAGE;
            break;
        case OPT_FAIL_ON_GUIDELINE:
            if (cli_parse_fail_on_guideline("diff", optarg, &fail_on_guidelines))
                return EXIT_USAGE;
            break;
        case OPT_LIMIT:
        case OPT_WORDLIST:
        case OPT_IGNORE:
            if (extra_count + 2 > MAX_AUDIT_ARGS) {
                cli_error("diff: too many options for the audits");
                return EXIT_USAGE;
            }
            extra[extra_count++] = c == OPT_LIMIT      ? "--limit"
                                   : c == OPT_WORDLIST ? "--wordlist"
                                                       : "--ignore";
            extra[extra_count++] = optarg;
            break;
        case 'h':
            help();
            return EXIT_DONE;
        default:
            return EXIT_USAGE;
        }
    }
    if (argc - optind != 2) {
        cli_error("diff needs OLD and NEW (see 'iotcop diff --help')");
        return EXIT_USAGE;
    }
    struct diff d = {.old_name = argv[optind], .new_name = argv[optind + 1]};
    int status = load(d.old_name, extra, extra_count, &d.old_doc);
    if (status == EXIT_DONE)
        status = load(d.new_name, extra, extra_count, &d.new_doc);
    if (status != EXIT_DONE) {
        diff_release(&d);
        return status;
    }
    struct ic_buf out = IC_BUF_INIT(SIZE_MAX / 2);
    int rc = compare_findings_sets(&d);
    if (!rc)
        rc = compare_components(&d);
    if (!rc)
        rc = compare_verdicts(&d);
    if (!rc)
        rc = format == DIFF_JSON   ? write_json(&d, &out)
             : format == DIFF_HTML ? write_html(&d, &out)
                                   : write_text(&d, &out);
    if (rc) {
        cli_error("diff: %s", ic_error_message(rc));
        status = EXIT_INTERNAL;
    } else {
        status = gate(&d, fail_on, fail_on_guidelines);
        FILE *f = cli_open_output(output);
        if (!f) {
            status = EXIT_USAGE;
        } else {
            fwrite(out.data, 1, out.len, f);
            if (cli_close_output(f))
                status = EXIT_INTERNAL;
        }
    }
    ic_buf_release(&out);
    diff_release(&d);
    return status;
}
