/*
 * buf.h — a growable byte buffer with a hard maximum (after curl's dynbuf).
 *
 * Invariants: data is NULL or NUL-terminated at data[len]; len <= max.
 * Appending past max fails with IPS_ERR_TOO_LARGE and leaves the buffer as it
 * was. Lifecycle: buf_init -> buf_append* -> buf_release (frees, reusable).
 */
#ifndef IPS_CORE_BUF_H
#define IPS_CORE_BUF_H

#include <stddef.h>
#include <string.h>

#include "core/status.h"

struct buf {
    char *data;
    size_t len, cap, max;
};

void buf_init(struct buf *b, size_t max);
/* buf_append's slow path: grows the storage first (or says why not). */
ips_status buf__append_grow(struct buf *b, const void *p, size_t n);
/* Append n bytes. IPS_ERR_TOO_LARGE past max, IPS_ERR_NOMEM on OOM. Inline:
 * with room (a reused buffer nearly always has it) a plain copy, whose
 * fixed lengths the compiler unrolls at the call. */
static inline ips_status buf_append(struct buf *b, const void *p, size_t n)
{
    if (b->cap - b->len > n && b->max - b->len >= n) { /* room for the bytes and the NUL */
        if (n)
            memcpy(b->data + b->len, p, n);
        b->len += n;
        b->data[b->len] = '\0';
        return IPS_OK;
    }
    return buf__append_grow(b, p, n);
}
/* Copy NUL-terminated src into the fixed field dst[cap] (cap > 0), cut to
 * cap - 1 bytes as snprintf("%s") would, without formatting: record
 * fields filled for every row of a bulk path. */
static inline void str_copy(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}
/* Append printf-formatted text, same failure behaviour. */
ips_status buf_appendf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Free the storage; the buffer is empty and may be reused. */
void buf_release(struct buf *b);
/* Take ownership of the data (caller frees); the buffer becomes empty. */
char *buf_detach(struct buf *b, size_t *len_out);

#endif
