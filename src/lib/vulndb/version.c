/* Version strings as vendors write them: 1.0.2k, 2019.78, 7.4p1, 2.6.36.4,
 * 1.2.3-rc1, 4.2.8p12. See ic_version_compare() in iotcop/vulndb.h. */
#include "iotcop/vulndb.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

enum run_kind { RUN_END, RUN_NUMBER, RUN_WORD };

struct run {
    enum run_kind kind;
    const char *text; /* numbers: without leading zeros */
    size_t len;
};

static int is_alnum(char c)
{
    return isalnum((unsigned char)c) != 0;
}

/* The next run of digits or letters at *s, skipping separators. */
static struct run next_run(const char **s)
{
    const char *p = *s;
    while (*p && !is_alnum(*p))
        p++;
    struct run r = {RUN_END, p, 0};
    if (!*p) {
        *s = p;
        return r;
    }
    const char *start = p;
    if (isdigit((unsigned char)*p)) {
        while (isdigit((unsigned char)*p))
            p++;
        r.kind = RUN_NUMBER;
        while (start < p - 1 && *start == '0')
            start++;
    } else {
        while (*p && isalpha((unsigned char)*p))
            p++;
        r.kind = RUN_WORD;
    }
    r.text = start;
    r.len = (size_t)(p - start);
    *s = p;
    return r;
}

/* Pre-release words sort before the release; their own order. -1: not one. */
static int prerelease_rank(const struct run *r)
{
    static const struct {
        const char *word;
        int rank;
    } words[] = {{"dev", 0}, {"snapshot", 0}, {"alpha", 1}, {"beta", 2},
                 {"pre", 3}, {"preview", 3},  {"rc", 4}};
    if (r->kind != RUN_WORD)
        return -1;
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (strlen(words[i].word) == r->len && strncasecmp(words[i].word, r->text, r->len) == 0)
            return words[i].rank;
    return -1;
}

static int compare_numbers(const struct run *a, const struct run *b)
{
    if (a->len != b->len)
        return a->len < b->len ? -1 : 1;
    int c = memcmp(a->text, b->text, a->len);
    return c < 0 ? -1 : c > 0;
}

static int compare_words(const struct run *a, const struct run *b)
{
    int ra = prerelease_rank(a), rb = prerelease_rank(b);
    if (ra >= 0 || rb >= 0) {
        if (ra < 0)
            return 1; /* a plain word (a patch letter) after any pre-release */
        if (rb < 0)
            return -1;
        if (ra != rb)
            return ra < rb ? -1 : 1;
    }
    size_t n = a->len < b->len ? a->len : b->len;
    int c = strncasecmp(a->text, b->text, n);
    if (c)
        return c < 0 ? -1 : 1;
    return a->len == b->len ? 0 : (a->len < b->len ? -1 : 1);
}

int ic_version_compare(const char *a, const char *b)
{
    const char *pa = a ? a : "", *pb = b ? b : "";
    for (;;) {
        struct run ra = next_run(&pa), rb = next_run(&pb);
        if (ra.kind == RUN_END && rb.kind == RUN_END)
            return 0;
        if (ra.kind == RUN_END)
            return prerelease_rank(&rb) >= 0 ? 1 : -1;
        if (rb.kind == RUN_END)
            return prerelease_rank(&ra) >= 0 ? -1 : 1;
        int c;
        if (ra.kind != rb.kind) /* a number sorts after a word in one place */
            c = ra.kind == RUN_NUMBER ? 1 : -1;
        else if (ra.kind == RUN_NUMBER)
            c = compare_numbers(&ra, &rb);
        else
            c = compare_words(&ra, &rb);
        if (c)
            return c;
    }
}

static void copy_cut(char *dst, size_t size, const char *src, size_t len)
{
    if (!size)
        return;
    if (len > size - 1)
        len = size - 1;
    memcpy(dst, src, len);
    dst[len] = '\0';
}

void ic_version_split(const char *full, char *version, size_t version_size, char *update,
                      size_t update_size)
{
    const char *s = full ? full : "";
    size_t n = strlen(s);
    size_t end = n;
    while (end > 0 && isdigit((unsigned char)s[end - 1]))
        end--;
    size_t digits = n - end;
    size_t word_end = end;
    while (end > 0 && isalpha((unsigned char)s[end - 1]))
        end--;
    struct run word = {RUN_WORD, s + end, word_end - end};
    int is_patch = word.len == 1 && (word.text[0] == 'p' || word.text[0] == 'P') && digits > 0;
    size_t cut = end;
    if (cut > 0 && strchr("-_.~+", s[cut - 1]))
        cut--;
    if (word.len && (is_patch || prerelease_rank(&word) >= 0) && cut > 0 &&
        isdigit((unsigned char)s[cut - 1])) {
        copy_cut(version, version_size, s, cut);
        copy_cut(update, update_size, s + end, n - end);
        return;
    }
    copy_cut(version, version_size, s, n);
    copy_cut(update, update_size, "-", 1);
}
