/*
 * store_blob.h — persistence of content-addressed blobs (table blobs).
 *
 * A blob is named by the lower-case hex SHA-256 of its bytes; the domain
 * (src/blob/) computes the name and the media type, the store only keeps
 * them. Rules as in store.h: records owned by the caller, OUT parameters
 * written only on IPS_OK.
 */
#ifndef IPS_STORE_STORE_BLOB_H
#define IPS_STORE_STORE_BLOB_H

#include <stddef.h>

#include "store/store.h"

#define STORE_BLOB_HEX_LEN 64
#define STORE_BLOB_MIME_MAX 64

struct store_blob {
    char sha256[STORE_BLOB_HEX_LEN + 1];
    char mime[STORE_BLOB_MIME_MAX + 1];
    int64_t size;
    int64_t created_ms;
};

/* Insert b with its len bytes of data unless a blob of that sha256 exists
 * (then nothing changes). OUT *inserted (may be NULL): whether a row was
 * added. Failure: IPS_ERR_TOO_LARGE for an unterminated field. */
ips_status store_blob_put(struct store *s, const struct store_blob *b, const void *data,
                          size_t len, bool *inserted);
/* Metadata of one blob. NOT_FOUND if absent. */
ips_status store_blob_get(struct store *s, const char *sha256, struct store_blob *out);
/* The bytes of one blob, at most max bytes. OUT *data (malloc'ed, caller
 * frees), *len. Failure: NOT_FOUND, IPS_ERR_TOO_LARGE when the stored blob
 * is longer than max, IPS_ERR_NOMEM. */
ips_status store_blob_read(struct store *s, const char *sha256, size_t max, void **data,
                           size_t *len);

#endif
