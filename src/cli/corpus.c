/* Corpus runs of `iotcop firmware` (corpus.h, docs/corpus.md). */
#include "corpus.h"

#include "cli.h"
#include "core/json.h"
#include "iotcop/error.h"
#include "iotcop/summary.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Deepest directory nesting followed below an input. */
#define MAX_DIR_DEPTH 64
/* Most images one run expands to. */
#define MAX_IMAGES 10000000u
/* Largest completion record read back. */
#define MAX_RECORD_BYTES (1024u * 1024u)

/* ---- inputs -------------------------------------------------------------- */

struct image_list {
    char **items;
    size_t count, cap;
    dev_t exclude_dev;
    ino_t exclude_ino;
    int have_exclude;
};

static int push_image(struct image_list *l, const char *path)
{
    if (l->count == MAX_IMAGES) {
        cli_error("more than %u images", MAX_IMAGES);
        return EXIT_USAGE;
    }
    if (l->count == l->cap) {
        size_t next = l->cap ? l->cap * 2 : 64;
        void *p = realloc(l->items, next * sizeof(*l->items));
        if (!p)
            return EXIT_INTERNAL;
        l->items = p;
        l->cap = next;
    }
    if (!(l->items[l->count] = strdup(path)))
        return EXIT_INTERNAL;
    l->count++;
    return 0;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk(struct image_list *l, const char *dir, int depth)
{
    if (depth > MAX_DIR_DEPTH) {
        cli_error("%s: directories nested deeper than %d are left out", dir, MAX_DIR_DEPTH);
        return 0;
    }
    DIR *d = opendir(dir);
    if (!d) {
        cli_error("cannot read the directory %s: %s", dir, strerror(errno));
        return EXIT_UNREADABLE;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    int status = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && !status) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (n == cap) {
            size_t next = cap ? cap * 2 : 32;
            void *p = realloc(names, next * sizeof(*names));
            if (!p) {
                status = EXIT_INTERNAL;
                break;
            }
            names = p;
            cap = next;
        }
        if (!(names[n] = strdup(e->d_name)))
            status = EXIT_INTERNAL;
        else
            n++;
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof(*names), compare_names);
    for (size_t i = 0; i < n && !status; i++) {
        char path[4096];
        int w = snprintf(path, sizeof(path), "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/",
                         names[i]);
        struct stat st;
        if (w < 0 || (size_t)w >= sizeof(path) || lstat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            if (l->have_exclude && st.st_dev == l->exclude_dev && st.st_ino == l->exclude_ino)
                continue;
            status = walk(l, path, depth + 1);
        } else if (S_ISREG(st.st_mode)) {
            status = push_image(l, path);
        }
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return status == EXIT_UNREADABLE ? 0 : status;
}

int corpus_expand(char *const *inputs, size_t count, const char *exclude_dir, char ***images,
                  size_t *image_count)
{
    struct image_list l = {0};
    struct stat st;
    if (exclude_dir && stat(exclude_dir, &st) == 0) {
        l.exclude_dev = st.st_dev;
        l.exclude_ino = st.st_ino;
        l.have_exclude = 1;
    }
    int status = 0;
    for (size_t i = 0; i < count && !status; i++) {
        if (stat(inputs[i], &st) == 0 && S_ISDIR(st.st_mode))
            status = walk(&l, inputs[i], 0);
        else
            status = push_image(&l, inputs[i]);
    }
    if (status) {
        corpus_free_images(l.items, l.count);
        return status;
    }
    *images = l.items;
    *image_count = l.count;
    return 0;
}

void corpus_free_images(char **images, size_t count)
{
    for (size_t i = 0; images && i < count; i++)
        free(images[i]);
    free(images);
}

int corpus_read_file(const char *path, size_t max, struct ic_buf *out)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return IC_E_IO;
    char chunk[65536];
    int rc = IC_OK;
    for (;;) {
        ssize_t got = read(fd, chunk, sizeof(chunk));
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            rc = IC_E_IO;
            break;
        }
        if (got == 0)
            break;
        if (out->len + (size_t)got > max) {
            rc = IC_E_LIMIT_FILE_SIZE;
            break;
        }
        if ((rc = ic_buf_append(out, chunk, (size_t)got)))
            break;
    }
    int saved = errno;
    close(fd);
    errno = saved;
    return rc;
}

static void hex(const unsigned char *digest, char out[65])
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        out[2 * i] = digits[digest[i] >> 4];
        out[2 * i + 1] = digits[digest[i] & 15];
    }
    out[64] = '\0';
}

int corpus_sha256_file(const char *path, char out[65])
{
    out[0] = '\0';
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return IC_E_IO;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int rc = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 ? IC_OK : IC_E_NOMEM;
    static _Thread_local unsigned char chunk[1 << 16];
    while (!rc) {
        ssize_t got = read(fd, chunk, sizeof(chunk));
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            rc = IC_E_IO;
        if (got <= 0)
            break;
        EVP_DigestUpdate(ctx, chunk, (size_t)got);
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!rc && (EVP_DigestFinal_ex(ctx, digest, &len) != 1 || len != 32))
        rc = IC_E_INTERNAL;
    if (!rc)
        hex(digest, out);
    EVP_MD_CTX_free(ctx);
    close(fd);
    return rc;
}

void corpus_sha256_bytes(const void *data, size_t size, char out[65])
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    out[0] = '\0';
    if (EVP_Digest(data, size, digest, &len, EVP_sha256(), NULL) == 1 && len == 32)
        hex(digest, out);
}

/* ---- reports and records ------------------------------------------------- */

static const char *base_name(const char *path)
{
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/')
        n--;
    const char *end = path + n;
    const char *b = end;
    while (b > path && b[-1] != '/')
        b--;
    return b;
}

/* The base name up to its end or a trailing '/'. */
static size_t base_length(const char *b)
{
    size_t n = 0;
    while (b[n] && b[n] != '/')
        n++;
    return n;
}

int corpus_prepare(const char *dir)
{
    char state[4096];
    snprintf(state, sizeof(state), "%s/%s", dir, CORPUS_STATE_DIR);
    if ((mkdir(dir, 0755) != 0 && errno != EEXIST) ||
        (mkdir(state, 0755) != 0 && errno != EEXIST)) {
        cli_error("cannot create %s: %s", state, strerror(errno));
        return EXIT_USAGE;
    }
    return 0;
}

static int compare_base(const void *a, const void *b)
{
    const struct corpus_entry *x = *(const struct corpus_entry *const *)a;
    const struct corpus_entry *y = *(const struct corpus_entry *const *)b;
    const char *bx = base_name(x->image), *by = base_name(y->image);
    size_t nx = base_length(bx), ny = base_length(by);
    int c = strncmp(bx, by, nx < ny ? nx : ny);
    return c ? c : (nx > ny) - (nx < ny);
}

int corpus_plan(struct corpus_entry *entries, size_t count, const char *dir, const char *suffix,
                const char *settings)
{
    struct corpus_entry **order = malloc((count + 1) * sizeof(*order));
    if (!order)
        return EXIT_INTERNAL;
    for (size_t i = 0; i < count; i++)
        order[i] = &entries[i];
    qsort(order, count, sizeof(*order), compare_base);
    int status = 0;
    for (size_t i = 0; i < count && !status; i++) {
        struct corpus_entry *e = order[i];
        int shared = (i > 0 && compare_base(&order[i - 1], &order[i]) == 0) ||
                     (i + 1 < count && compare_base(&order[i], &order[i + 1]) == 0);
        e->dir = dir;
        e->settings = settings;
        ic_buf_init(&e->key, 1 << 20);
        ic_buf_init(&e->summary_line, 1 << 20);
        if (shared && corpus_sha256_file(e->image, e->sha256) != IC_OK)
            e->sha256[0] = '\0';
        e->hashed = shared;
        const char *b = base_name(e->image);
        int n = (int)base_length(b);
        char buf[4200];
        int w = shared ? snprintf(buf, sizeof(buf), "%.*s.%.12s.%s", n, b,
                                  e->sha256[0] ? e->sha256 : "unreadable000", suffix)
                       : snprintf(buf, sizeof(buf), "%.*s.%s", n, b, suffix);
        if (w < 0 || (size_t)w >= sizeof(buf) || !(e->report_name = strdup(buf))) {
            status = EXIT_INTERNAL;
            break;
        }
    }
    free(order);
    return status;
}

int corpus_identify(struct corpus_entry *e)
{
    if (!e->hashed && corpus_sha256_file(e->image, e->sha256) != IC_OK)
        e->sha256[0] = '\0';
    e->hashed = 1;
    ic_buf_release(&e->key);
    if (ic_buf_printf(&e->key, "sha256 %s; %s", e->sha256, e->settings ? e->settings : ""))
        return IC_E_NOMEM;
    for (size_t k = 0; k < e->key.len; k++)
        if (e->key.data[k] == '\n')
            e->key.data[k] = ' ';
    return IC_OK;
}

static int record_path(const struct corpus_entry *e, char *out, size_t n)
{
    int w = snprintf(out, n, "%s/%s/%s.done", e->dir, CORPUS_STATE_DIR, e->report_name);
    return w < 0 || (size_t)w >= n ? -1 : 0;
}

/* A resumed summary line names the image that made the report; an identical
 * image under another path (same base name, same content) gets its own name
 * in the line. The line starts {"image":"...","sha256":, as
 * ic_summary_line() writes it; inside a JSON string every quote is escaped,
 * so the first ',"sha256":' ends the image. */
static int name_image(struct corpus_entry *e)
{
    static const char next_key[] = ",\"sha256\":";
    const char *line = (const char *)e->summary_line.data;
    const char *rest = strstr(line, next_key);
    if (!rest || strncmp(line, "{\"image\":", 9) != 0)
        return IC_E_FORMAT;
    struct ic_buf fixed = IC_BUF_INIT(SIZE_MAX / 2);
    int rc = ic_buf_append_str(&fixed, "{\"image\":\"");
    if (!rc)
        rc = ic_json_escape(&fixed, e->image, strlen(e->image));
    if (!rc)
        rc = ic_buf_append_str(&fixed, "\"");
    if (!rc)
        rc = ic_buf_append_str(&fixed, rest);
    if (!rc) {
        ic_buf_release(&e->summary_line);
        e->summary_line = fixed;
    } else {
        ic_buf_release(&fixed);
    }
    return rc;
}

int corpus_resume(struct corpus_entry *e)
{
    char path[4400], report[4400];
    if (!e->sha256[0] || record_path(e, path, sizeof(path)))
        return 0;
    snprintf(report, sizeof(report), "%s/%s", e->dir, e->report_name);
    struct stat st;
    if (lstat(report, &st) != 0 || !S_ISREG(st.st_mode))
        return 0;
    struct ic_buf rec = IC_BUF_INIT(MAX_RECORD_BYTES);
    int done = 0;
    if (corpus_read_file(path, MAX_RECORD_BYTES, &rec) == IC_OK && rec.len > e->key.len + 3 &&
        memcmp(rec.data, e->key.data, e->key.len) == 0 && rec.data[e->key.len] == '\n') {
        /* key '\n' status '\n' summary-line '\n' */
        const char *p = (const char *)rec.data + e->key.len + 1;
        char *end = NULL;
        long status = strtol(p, &end, 10);
        if (end && *end == '\n' && end[1] == '{' && rec.data[rec.len - 1] == '\n' && status >= 0 &&
            status < 256) {
            ic_buf_release(&e->summary_line);
            done = ic_buf_append(&e->summary_line, end + 1,
                                 rec.len - (size_t)((const uint8_t *)end + 1 - rec.data)) == 0;
            e->status = (int)status;
            e->resumed = done;
        }
    }
    ic_buf_release(&rec);
    return done && name_image(e) == IC_OK;
}

/* Writes data to a temporary file in the state directory, then renames it
 * to final. */
static int write_renamed(const char *dir, const char *final, const void *data, size_t size)
{
    static atomic_uint counter;
    char tmp[4400];
    snprintf(tmp, sizeof(tmp), "%s/%s/tmp.%ld.%u", dir, CORPUS_STATE_DIR, (long)getpid(),
             atomic_fetch_add(&counter, 1));
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0)
        return -1;
    const char *p = data;
    int bad = 0;
    for (size_t off = 0; off < size && !bad;) {
        ssize_t w = write(fd, p + off, size - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            bad = 1;
        else
            off += (size_t)w;
    }
    if (close(fd) != 0 || bad || rename(tmp, final) != 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

int corpus_store(struct corpus_entry *e, const struct ic_buf *output, int status)
{
    const char *data = output->data ? (const char *)output->data : "";
    const char *nl = memchr(data, '\n', output->len);
    size_t line_len = nl && data[0] == '{' ? (size_t)(nl - data) + 1 : 0;
    ic_buf_release(&e->summary_line);
    if (line_len)
        ic_buf_append(&e->summary_line, data, line_len);
    else
        ic_summary_failure_line(e->image, e->sha256, e->report_name, "error",
                                "the worker produced no summary", &e->summary_line);
    e->status = status;
    char report[4400], record[4400];
    snprintf(report, sizeof(report), "%s/%s", e->dir, e->report_name);
    if (write_renamed(e->dir, report, data + line_len, output->len - line_len) != 0) {
        cli_error("cannot write the report of %s in %s: %s", e->image, e->dir, strerror(errno));
        return e->status = EXIT_INTERNAL;
    }
    /* The record names what produced the report; an unreadable image has no
     * key (its sha256 is empty) and is tried again next time. */
    if (!e->sha256[0] || record_path(e, record, sizeof(record)))
        return status;
    struct ic_buf rec = IC_BUF_INIT(SIZE_MAX / 2);
    int rc = ic_buf_append(&rec, e->key.data, e->key.len);
    if (!rc)
        rc = ic_buf_printf(&rec, "\n%d\n", status);
    if (!rc)
        rc = ic_buf_append(&rec, e->summary_line.data, e->summary_line.len);
    if (rc || write_renamed(e->dir, record, rec.data, rec.len) != 0) {
        cli_error("cannot record the completion of %s in %s", e->image, e->dir);
        status = EXIT_INTERNAL;
    }
    ic_buf_release(&rec);
    return e->status = status;
}

int corpus_write_summary(const char *dir, const struct corpus_entry *entries, size_t count)
{
    struct ic_buf lines = IC_BUF_INIT(SIZE_MAX / 2), html = IC_BUF_INIT(SIZE_MAX / 2);
    int rc = IC_OK;
    for (size_t i = 0; i < count && !rc; i++)
        rc = ic_buf_append(&lines, entries[i].summary_line.data, entries[i].summary_line.len);
    if (!rc)
        rc = ic_summary_write_html(lines.data ? (const char *)lines.data : "", lines.len, &html);
    char path[4400];
    int status = 0;
    snprintf(path, sizeof(path), "%s/summary.jsonl", dir);
    if (rc || write_renamed(dir, path, lines.data ? (const void *)lines.data : "", lines.len))
        status = EXIT_INTERNAL;
    snprintf(path, sizeof(path), "%s/summary.html", dir);
    if (!status && write_renamed(dir, path, html.data, html.len))
        status = EXIT_INTERNAL;
    if (status)
        cli_error("cannot write the corpus summary in %s", dir);
    ic_buf_release(&lines);
    ic_buf_release(&html);
    return status;
}

void corpus_entry_release(struct corpus_entry *e)
{
    free(e->report_name);
    ic_buf_release(&e->key);
    ic_buf_release(&e->summary_line);
    e->report_name = NULL;
}
