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

#include "core/status.h"

struct buf {
    char *data;
    size_t len, cap, max;
};

void buf_init(struct buf *b, size_t max);
/* Append n bytes. IPS_ERR_TOO_LARGE past max, IPS_ERR_NOMEM on OOM. */
ips_status buf_append(struct buf *b, const void *p, size_t n);
/* Append printf-formatted text, same failure behaviour. */
ips_status buf_appendf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Free the storage; the buffer is empty and may be reused. */
void buf_release(struct buf *b);
/* Take ownership of the data (caller frees); the buffer becomes empty. */
char *buf_detach(struct buf *b, size_t *len_out);

#endif
