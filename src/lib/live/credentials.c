/* Which pairs to try on a service, and trying them: the user's pairs first,
 * then the built-in dictionary (data/default-credentials.tsv, compiled by
 * tools/gen_credentials.py) for that service and for "any", most named first. */
#include "checks/credentials/dict.h"
#include "iotcop/error.h"
#include "live/live_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int seen(const struct live_cred *list, size_t n, const char *user, const char *password)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i].user, user) == 0 && strcmp(list[i].password, password) == 0)
            return 1;
    return 0;
}

/* Most-named first; a stable insertion sort keeps the file order on ties. */
static void sort_by_lists(const struct ic_cred_default **list, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        const struct ic_cred_default *x = list[i];
        size_t k = i;
        while (k > 0 && list[k - 1]->lists < x->lists) {
            list[k] = list[k - 1];
            k--;
        }
        list[k] = x;
    }
}

/* The dictionary services whose pairs fit a probe's service. */
static int dictionary_fits(const char *probe_service, const char *dict_service)
{
    if (strcmp(dict_service, probe_service) == 0)
        return 1;
    if (strcmp(probe_service, "http") == 0)
        return strcmp(dict_service, "http-basic") == 0;
    return 0;
}

int live_credentials_for(const struct live_ctx *ctx, const char *service, struct live_cred **out,
                         size_t *count)
{
    const struct ic_live_options *o = &ctx->o;
    size_t builtin = o->full_dictionary ? ic_cred_default_count : o->credentials_per_service;
    struct live_cred *list = calloc(o->extra_count + ic_cred_default_count + 1, sizeof(*list));
    if (!list)
        return IC_E_NOMEM;
    size_t n = 0;
    for (size_t i = 0; i < o->extra_count; i++)
        if (!seen(list, n, o->extra[i].user, o->extra[i].password))
            list[n++] = (struct live_cred){o->extra[i].user, o->extra[i].password, 1};
    /* Merge the service's own pairs and the "any" pairs by how many lists
     * name them, the service's first on a tie. Each group is sorted already. */
    size_t taken = 0, a = 0, b = 0;
    const struct ic_cred_default *own[2048], *any[2048];
    size_t own_n = 0, any_n = 0;
    for (size_t i = 0; i < ic_cred_default_count; i++) {
        const struct ic_cred_default *d = &ic_cred_defaults[i];
        if (dictionary_fits(service, d->service) && own_n < 2048)
            own[own_n++] = d;
        else if (strcmp(d->service, "any") == 0 && any_n < 2048)
            any[any_n++] = d;
    }
    sort_by_lists(own, own_n);
    sort_by_lists(any, any_n);
    while (taken < builtin && (a < own_n || b < any_n)) {
        const struct ic_cred_default *d;
        if (b >= any_n || (a < own_n && own[a]->lists >= any[b]->lists))
            d = own[a++];
        else
            d = any[b++];
        if (seen(list, n, d->user, d->password))
            continue;
        list[n++] = (struct live_cred){d->user, d->password, 0};
        taken++;
    }
    *out = list;
    *count = n;
    return IC_OK;
}

int ic_live_read_credentials(const char *path, struct ic_live_credential **out, size_t *count,
                             char *detail, size_t detail_size)
{
    *out = NULL;
    *count = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (detail)
            snprintf(detail, detail_size, "cannot read %s: %s", path, strerror(errno));
        return IC_E_IO;
    }
    const size_t max_bytes = 1u << 20;
    char *text = malloc(max_bytes + 1);
    if (!text) {
        fclose(f);
        return IC_E_NOMEM;
    }
    size_t len = fread(text, 1, max_bytes + 1, f);
    fclose(f);
    if (len > max_bytes) {
        free(text);
        if (detail)
            snprintf(detail, detail_size, "%s is larger than 1 MiB", path);
        return IC_E_LIMIT_FILE_SIZE;
    }
    text[len] = '\0';
    /* One block: the array first, then a copy of the text cut into strings. */
    size_t lines = 1;
    for (size_t i = 0; i < len; i++)
        lines += text[i] == '\n';
    if (lines > IC_LIVE_MAX_EXTRA_CREDENTIALS)
        lines = IC_LIVE_MAX_EXTRA_CREDENTIALS;
    struct ic_live_credential *list = malloc(lines * sizeof(*list) + len + 1);
    if (!list) {
        free(text);
        return IC_E_NOMEM;
    }
    char *strings = (char *)(list + lines);
    memcpy(strings, text, len + 1);
    free(text);
    size_t n = 0, number = 0;
    int rc = IC_OK;
    for (char *line = strings; line && *line && n < lines;) {
        char *next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        number++;
        size_t l = strlen(line);
        if (l && line[l - 1] == '\r')
            line[--l] = '\0';
        if (l == 0 || line[0] == '#') {
            line = next;
            continue;
        }
        char *sep = strchr(line, '\t');
        if (!sep)
            sep = strchr(line, ':');
        if (!sep) {
            if (detail)
                snprintf(detail, detail_size, "%s:%zu: expected user:password", path, number);
            rc = IC_E_FORMAT;
            break;
        }
        *sep = '\0';
        list[n++] = (struct ic_live_credential){line, sep + 1};
        line = next;
    }
    if (rc) {
        free(list);
        return rc;
    }
    *out = list;
    *count = n;
    return IC_OK;
}
