/* A bounded pull tokenizer for JSON read from a stream.
 *
 * The caller asks for one token at a time; the parser keeps only a fixed
 * input window, the current string or number (capped: longer strings are
 * cut and flagged) and a stack of open containers (capped depth). So a
 * feed of any size is read in constant memory, and no document tree is
 * ever built.
 *
 * Invariants: the grammar is checked as tokens are produced (commas, colons,
 * nesting, literals, string escapes, number syntax); the first error is
 * kept in `error` with a detail message and every later call returns it.
 * Nothing here prints or aborts. */
#ifndef IC_VULNDB_JSONPULL_H
#define IC_VULNDB_JSONPULL_H

#include <stddef.h>
#include <stdint.h>

#define IC_JP_MAX_DEPTH 64
#define IC_JP_WINDOW (64u * 1024u)
#define IC_JP_MAX_STRING (256u * 1024u)
#define IC_JP_MAX_NUMBER 64u

enum ic_jp_type {
    IC_JP_NONE,
    IC_JP_OBJECT_BEGIN,
    IC_JP_OBJECT_END,
    IC_JP_ARRAY_BEGIN,
    IC_JP_ARRAY_END,
    IC_JP_KEY,    /* an object key: text in str */
    IC_JP_STRING, /* text in str */
    IC_JP_NUMBER, /* the number's text in str */
    IC_JP_TRUE,
    IC_JP_FALSE,
    IC_JP_NULL,
    IC_JP_EOF, /* the one top-level value ended and only whitespace followed */
};

/* Reads up to n bytes into buf; returns the count, 0 at the end, or
 * (size_t)-1 on a read error. */
typedef size_t (*ic_jp_read_fn)(void *ctx, uint8_t *buf, size_t n);

struct ic_jp {
    ic_jp_read_fn read;
    void *read_ctx;
    uint8_t *window; /* IC_JP_WINDOW bytes, owned */
    size_t window_len;
    size_t window_pos;
    int input_done;
    uint64_t offset; /* bytes consumed so far, for diagnostics */

    char *str; /* current key, string or number text, NUL-terminated, owned */
    size_t str_len;
    int str_truncated; /* the string was longer than IC_JP_MAX_STRING */

    uint8_t stack[IC_JP_MAX_DEPTH]; /* '{' or '[' per open container */
    int depth;
    int expect; /* what may come next (jsonpull.c) */

    int error;
    char detail[128];
};

/* Sets up a parser pulling from read(ctx). Releases with ic_jp_release().
 * IC_OK or IC_E_NOMEM. */
int ic_jp_init(struct ic_jp *p, ic_jp_read_fn read, void *ctx);
void ic_jp_release(struct ic_jp *p);

/* A reader over bytes in memory (borrowed for the parser's life). */
struct ic_jp_memory {
    const uint8_t *data;
    size_t size;
    size_t pos;
};
size_t ic_jp_read_memory(void *ctx, uint8_t *buf, size_t n);
/* A reader over a FILE * (borrowed). */
size_t ic_jp_read_file(void *ctx, uint8_t *buf, size_t n);

/* The next token into *type. IC_OK, or the (sticky) error:
 * IC_E_FORMAT (bad syntax), IC_E_TRUNCATED (input ended inside the value),
 * IC_E_LIMIT_DEPTH, IC_E_IO (the reader failed). */
int ic_jp_next(struct ic_jp *p, enum ic_jp_type *type);

/* Skips the rest of a value whose first token was `first` (nothing to do
 * for scalars; a whole container for OBJECT_BEGIN / ARRAY_BEGIN). */
int ic_jp_skip_from(struct ic_jp *p, enum ic_jp_type first);
/* Reads the next value and throws it away. */
int ic_jp_skip(struct ic_jp *p);

/* Walking containers, for readers of known shapes. */
/* Reads the next value's first token: *ok 1 when it is `want` (a container
 * now open), else 0 and the value was skipped. */
int ic_jp_expect(struct ic_jp *p, enum ic_jp_type want, int *ok);
/* In an open object: the next key into key (cut to size), or *more 0 at
 * the object's end. The key's value comes next. */
int ic_jp_next_key(struct ic_jp *p, char *key, size_t size, int *more);
/* In an open array: *kind 1 when the next element starts with `want` (a
 * container now open), 2 when it was something else (skipped), 0 at the
 * array's end. */
int ic_jp_next_element(struct ic_jp *p, enum ic_jp_type want, int *kind);

/* Reads the next value as text into dst (cut to n-1 bytes): a string's text,
 * a number's text, "true"/"false"; null and containers (skipped) give "".
 * Returns IC_OK or the parser's error. */
int ic_jp_read_text(struct ic_jp *p, char *dst, size_t n);
/* Reads the next value as a number (a numeric string counts); *ok is 0 when
 * it was something else (skipped). */
int ic_jp_read_number(struct ic_jp *p, double *out, int *ok);
/* Reads the next value as a boolean (true only for `true`). */
int ic_jp_read_bool(struct ic_jp *p, int *out);

/* Whether the current key/string equals s. */
int ic_jp_is(const struct ic_jp *p, const char *s);

#endif
