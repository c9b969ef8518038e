/* Growable byte buffers and allocation helpers shared by every module. */
#ifndef CAPSULED_BUF_H
#define CAPSULED_BUF_H

#include <stdarg.h>
#include <stddef.h>

/* A growable, always NUL-terminated byte buffer. A zeroed struct is empty. */
struct buf {
    char *data;
    size_t len;
    size_t cap;
};

/* Allocation that aborts with a message on exhaustion: running out of memory
 * while building a snapshot is not a recoverable condition for this server. */
void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

void buf_reserve(struct buf *b, size_t extra);
void buf_put(struct buf *b, const void *data, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap);
void buf_clear(struct buf *b);
/* Hands the storage to the caller (never NULL) and leaves the buffer empty. */
char *buf_detach(struct buf *b);
void buf_free(struct buf *b);

#endif
