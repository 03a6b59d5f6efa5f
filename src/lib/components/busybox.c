/* The applets compiled into a busybox binary.
 *
 * Busybox keeps its applet names in one table, NUL-separated and sorted
 * (applet_names[]: "[\0[[\0acpid\0addgroup\0..."), so that it can find an
 * applet by binary search. The longest ascending run of NUL-separated
 * applet-like names in the binary is that table. */
#include "components/internal.h"

#include <string.h>

#define APPLET_MAX_LEN 32
#define APPLET_MIN_RUN 10

/* Bytes an applet name may hold: a-z A-Z 0-9 _ - . [ */
#define R10(c) 1, 1, 1, 1, 1, 1, 1, 1, 1, 1
#define R26(c) R10(c), R10(c), 1, 1, 1, 1, 1, 1
static const uint8_t applet_char[256] = {
    ['-'] = 1, ['.'] = 1, ['0'] = R10(0), ['A'] = R26(0), ['['] = 1, ['_'] = 1, ['a'] = R26(0),
};
#undef R10
#undef R26

/* memcmp order, a prefix first. */
static int name_cmp(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
    int c = memcmp(a, b, an < bn ? an : bn);
    return c ? c : (an > bn) - (an < bn);
}

size_t ic_busybox_applets(const uint8_t *data, size_t len, ic_name_fn fn, void *ctx)
{
    size_t best_start = 0, best_count = 0, run_start = 0, run_count = 0;
    const uint8_t *prev = NULL;
    size_t prev_len = 0;
    /* Hop from NUL to NUL; a name is the valid tail of the bytes between
     * two NULs (the table may follow other data without a NUL first). */
    size_t span = 0; /* start of the bytes after the previous NUL */
    while (span < len) {
        const uint8_t *nul = memchr(data + span, 0, len - span);
        if (!nul)
            break;
        size_t end = (size_t)(nul - data), start = end;
        while (start > span && end - start <= APPLET_MAX_LEN && applet_char[data[start - 1]])
            start--;
        if (start == end || end - start > APPLET_MAX_LEN) {
            run_count = 0;
        } else {
            if (start == span && run_count && name_cmp(prev, prev_len, data + start, end - start) < 0) {
                run_count++;
            } else {
                run_start = start;
                run_count = 1;
            }
            prev = data + start;
            prev_len = end - start;
            if (run_count > best_count) {
                best_count = run_count;
                best_start = run_start;
            }
        }
        span = end + 1;
    }
    if (best_count < APPLET_MIN_RUN)
        return 0;
    size_t pos = best_start;
    for (size_t k = 0; k < best_count; k++) {
        size_t n = strnlen((const char *)data + pos, len - pos);
        if (fn && fn(ctx, (const char *)data + pos, n))
            break;
        pos += n + 1;
    }
    return best_count;
}
