/*
 * blob.h — content-addressed file storage: certificates, logos, product
 * images, evidence, registered works.
 *
 * A blob is identified by the SHA-256 of its bytes; storing the same bytes
 * twice stores them once (the second put returns the existing blob). Its
 * media type is decided from the CONTENT with libmagic — never from a file
 * name or a client's claim — and checked against the caller's list of
 * accepted types. Blobs live in the database (table blobs), so they commit
 * and roll back with the records that refer to them and survive kill -9
 * exactly when those do.
 *
 * Limits: a blob is at most BLOB_MAX_BYTES (and the HTTP layer refuses bigger
 * uploads before they reach here).
 */
#ifndef IPS_BLOB_BLOB_H
#define IPS_BLOB_BLOB_H

#include <stddef.h>
#include <stdint.h>

#include "access/access.h"
#include "core/status.h"

#define BLOB_MAX_BYTES (10 * 1024 * 1024)
#define BLOB_HEX_LEN 64
#define BLOB_MIME_MAX 64

struct blob_info {
    char sha256[BLOB_HEX_LEN + 1]; /* lower-case hex: the blob's id */
    char mime[BLOB_MIME_MAX + 1];  /* from libmagic, e.g. "image/png", "application/pdf" */
    int64_t size;
    int64_t created_ms;
};

/* Accepted-type lists for callers (NULL-terminated). */
extern const char *const BLOB_TYPES_IMAGE[];       /* image/png, image/jpeg, image/webp, image/gif, image/svg+xml */
extern const char *const BLOB_TYPES_DOCUMENT[];    /* application/pdf plus the image types */
extern const char *const BLOB_TYPES_ANY[];         /* NULL list: every type is accepted */

/* Decide the media type of data[0..len) from its content (libmagic, MIME
 * type only) into out[BLOB_MIME_MAX + 1]. Thread-safe (one magic handle per
 * thread). IPS_ERR_INTERNAL when libmagic cannot load its database. */
ips_status blob_sniff(const void *data, size_t len, char *out);

/* Store data unless present, inside the caller's transaction if one is open
 * (else in one of its own). allowed: NULL-terminated list of accepted types,
 * or BLOB_TYPES_ANY. Fails with IPS_ERR_MEDIA_TYPE (ctx->detail names the
 * type found) when the content is not of an accepted type, IPS_ERR_TOO_LARGE
 * past BLOB_MAX_BYTES, IPS_ERR_INVALID for an empty file. OUT *out. */
ips_status blob_put(struct ips_ctx *ctx, const void *data, size_t len,
                    const char *const *allowed, struct blob_info *out);

/* Metadata of a blob; IPS_ERR_NOT_FOUND if absent. No access decision: the
 * module that refers to a blob decides who may read it. */
ips_status blob_info_get(struct ips_ctx *ctx, const char *sha256_hex, struct blob_info *out);

/* The bytes of a blob. OUT *data (malloc'ed, caller frees), *len. */
ips_status blob_read(struct ips_ctx *ctx, const char *sha256_hex, void **data, size_t *len);

#endif
