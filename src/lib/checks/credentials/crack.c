/* Candidate passwords against hashes (see crack.h). */
#include "checks/credentials/crack.h"

#include "checks/credentials/dict.h"
#include "core/pool.h"
#include "iotcop/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const struct ic_cred_default *ic_cred_default_lookup(const char *user, const char *password)
{
    const struct ic_cred_default *same = NULL, *any = NULL;
    for (size_t i = 0; i < ic_cred_default_count; i++) {
        const struct ic_cred_default *d = &ic_cred_defaults[i];
        if (strcmp(d->password, password) != 0)
            continue;
        if (user && strcmp(d->user, user) == 0 && (!same || d->lists > same->lists))
            same = d;
        if (!any || d->lists > any->lists)
            any = d;
    }
    return same ? same : any;
}

static int in_dictionary(const char *password)
{
    for (size_t i = 0; i < ic_cred_password_count; i++)
        if (strcmp(ic_cred_passwords[i], password) == 0)
            return 1;
    return 0;
}

enum ic_crack_origin ic_crack_origin_of(const char *password, const char *user)
{
    if (in_dictionary(password))
        return IC_CRACK_DICTIONARY;
    if (user && strcmp(password, user) == 0)
        return IC_CRACK_USERNAME;
    return IC_CRACK_WORDLIST;
}

/* ---- wordlists ------------------------------------------------------------ */

void ic_wordlist_release(struct ic_wordlist *wl)
{
    free(wl->words);
    free(wl->storage);
    memset(wl, 0, sizeof(*wl));
}

int ic_wordlist_parse(const uint8_t *data, size_t len, struct ic_wordlist *out)
{
    memset(out, 0, sizeof(*out));
    if (len > IC_WORDLIST_MAX_BYTES)
        return IC_E_LIMIT_FILE_SIZE;
    size_t lines = 1;
    for (size_t i = 0; i < len; i++)
        lines += data[i] == '\n';
    if (lines > IC_WORDLIST_MAX_WORDS)
        lines = IC_WORDLIST_MAX_WORDS;
    out->storage = malloc(len + 1);
    out->words = malloc(lines * sizeof(*out->words));
    if (!out->storage || !out->words) {
        ic_wordlist_release(out);
        return IC_E_NOMEM;
    }
    if (len)
        memcpy(out->storage, data, len);
    out->storage[len] = '\0';
    size_t pos = 0;
    while (pos < len && out->count < lines) {
        char *start = out->storage + pos;
        char *nl = memchr(start, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - start) : len - pos;
        pos += n + (nl ? 1 : 0);
        if (n && start[n - 1] == '\r')
            n--;
        start[n] = '\0';
        if (n > IC_WORDLIST_MAX_WORD || strlen(start) != n || strncmp(start, "#!comment:", 10) == 0)
            continue;
        out->words[out->count++] = start;
    }
    return IC_OK;
}

int ic_wordlist_load(const char *path, struct ic_wordlist *out)
{
    memset(out, 0, sizeof(*out));
    FILE *f = fopen(path, "rb");
    if (!f)
        return IC_E_IO;
    int rc = IC_E_IO;
    uint8_t *buf = NULL;
    if (fseek(f, 0, SEEK_END) != 0)
        goto done;
    long size = ftell(f);
    if (size < 0 || fseek(f, 0, SEEK_SET) != 0)
        goto done;
    if ((unsigned long)size > IC_WORDLIST_MAX_BYTES) {
        rc = IC_E_LIMIT_FILE_SIZE;
        goto done;
    }
    buf = malloc((size_t)size + 1);
    if (!buf) {
        rc = IC_E_NOMEM;
        goto done;
    }
    if (fread(buf, 1, (size_t)size, f) != (size_t)size)
        goto done;
    rc = ic_wordlist_parse(buf, (size_t)size, out);
done:
    free(buf);
    fclose(f);
    return rc;
}

/* ---- cracking ------------------------------------------------------------- */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct crack_loop {
    struct ic_crack_job *jobs;
    const struct ic_crack_options *options;
};

/* The i-th candidate for a job, NULL past the end. */
static const char *candidate(const struct ic_crack_job *job, const struct ic_wordlist *wl,
                             size_t i)
{
    if (job->user) {
        if (i == 0)
            return job->user;
        i--;
    }
    if (i < ic_cred_password_count)
        return ic_cred_passwords[i];
    i -= ic_cred_password_count;
    return wl && i < wl->count ? wl->words[i] : NULL;
}

static void crack_one(void *arg, size_t index)
{
    struct crack_loop *loop = arg;
    struct ic_crack_job *job = &loop->jobs[index];
    const struct ic_crack_options *opt = loop->options;
    int cost = ic_hash_cost(job->kind, job->hash);
    if (cost == 2) {
        job->too_costly = 1;
        return;
    }
    struct ic_hash_scratch *scratch = calloc(1, sizeof(*scratch));
    if (!scratch)
        return;
    double budget = cost ? opt->slow_budget_s : opt->fast_budget_s;
    double deadline = now_s() + budget;
    size_t guaranteed = cost ? IC_CRACK_SHORT_LIST : 64;
    for (size_t i = 0;; i++) {
        const char *c = candidate(job, opt->wordlist, i);
        if (!c) {
            job->exhausted = 1;
            break;
        }
        if (i >= guaranteed && (cost || i % 64 == 0) && now_s() > deadline)
            break;
        job->tried++;
        int rc = ic_hash_verify(job->kind, job->hash, c, scratch);
        if (rc < 0)
            break; /* the hash cannot be computed (unsupported variant) */
        if (rc == 1) {
            job->cracked = 1;
            snprintf(job->password, sizeof(job->password), "%s", c);
            job->origin = ic_crack_origin_of(c, job->user);
            break;
        }
    }
    free(scratch);
}

int ic_crack_run(struct ic_crack_job *jobs, size_t count, const struct ic_crack_options *options)
{
    struct crack_loop loop = {jobs, options};
    unsigned threads = options->threads ? options->threads : 1;
    if (threads > count)
        threads = (unsigned)count;
    struct ic_pool *pool = threads > 1 ? ic_pool_new(threads) : NULL;
    if (pool) {
        ic_pool_for(pool, count, crack_one, &loop);
        ic_pool_free(pool);
    } else {
        for (size_t i = 0; i < count; i++)
            crack_one(&loop, i);
    }
    return IC_OK;
}
