/* A growable byte buffer with a hard maximum.
 *
 * Invariants: len <= cap <= max (once allocated); data is NUL-terminated
 * after every successful append (the NUL is not counted in len). Appends
 * that would pass max fail with IC_E_LIMIT_FILE_SIZE and change nothing. */
#ifndef IC_CORE_BUF_H
#define IC_CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

struct ic_buf {
    uint8_t *data;
    size_t len;
    size_t cap;
    size_t max;
};

#define IC_BUF_INIT(maximum) {NULL, 0, 0, (maximum)}

void ic_buf_init(struct ic_buf *b, size_t max);
/* Frees the contents; the buffer can be used again (empty, same max). */
void ic_buf_release(struct ic_buf *b);
/* Makes room for n more bytes. */
int ic_buf_reserve(struct ic_buf *b, size_t n);
int ic_buf_append(struct ic_buf *b, const void *data, size_t n);
int ic_buf_append_str(struct ic_buf *b, const char *s);
int ic_buf_append_byte(struct ic_buf *b, uint8_t byte);
int ic_buf_printf(struct ic_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int ic_buf_vprintf(struct ic_buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Hands the contents to the caller (caller frees) and empties the buffer.
 * Never NULL on success: an empty buffer yields an allocated "". */
uint8_t *ic_buf_detach(struct ic_buf *b, size_t *len);

#endif
