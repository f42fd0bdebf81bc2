/*
 * blob.c — content-addressed file storage (contract: blob.h).
 *
 * Typing: libmagic with MAGIC_MIME_TYPE on the bytes themselves. A libmagic
 * handle (magic_t) is not thread-safe, so every thread opens its own on first
 * use and keeps it in thread-specific data; the key's destructor closes it
 * when the thread ends. Naming: SHA-256 (libsodium) of the bytes, lower-case
 * hex. Storage: store_blob_put, an insert that does nothing when the blob
 * exists, so identical files are stored once and a second put is cheap.
 */
#include "blob/blob.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "store/store_blob.h"

#include <magic.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

const char *const BLOB_TYPES_IMAGE[] = {"image/png", "image/jpeg", "image/webp", "image/gif",
                                        "image/svg+xml", NULL};
const char *const BLOB_TYPES_DOCUMENT[] = {"application/pdf", "image/png",  "image/jpeg",
                                           "image/webp",      "image/gif",  "image/svg+xml",
                                           NULL};
const char *const BLOB_TYPES_ANY[] = {NULL};

static pthread_key_t blob__magic_key;
static pthread_once_t blob__magic_once = PTHREAD_ONCE_INIT;
static bool blob__magic_key_ok;

/* Key destructor: close a thread's handle when the thread ends. */
static void blob__magic_close(void *m)
{
    magic_close((magic_t)m);
}

static void blob__magic_key_init(void)
{
    blob__magic_key_ok = pthread_key_create(&blob__magic_key, blob__magic_close) == 0;
}

/* The calling thread's libmagic handle, opened and loaded on first use.
 * Returns NULL (logged) when libmagic cannot open or load its database. */
static magic_t blob__magic(void)
{
    pthread_once(&blob__magic_once, blob__magic_key_init);
    if (!blob__magic_key_ok)
        return NULL;
    magic_t m = pthread_getspecific(blob__magic_key);
    if (m)
        return m;
    m = magic_open(MAGIC_MIME_TYPE);
    if (!m) {
        log_error("blob: magic_open failed");
        return NULL;
    }
    if (magic_load(m, NULL) != 0) {
        log_error("blob: magic_load failed", "error", magic_error(m) ? magic_error(m) : "");
        magic_close(m);
        return NULL;
    }
    if (pthread_setspecific(blob__magic_key, m) != 0) {
        magic_close(m);
        return NULL;
    }
    return m;
}

ips_status blob_sniff(const void *data, size_t len, char *out)
{
    magic_t m = blob__magic();
    if (!m)
        return IPS_ERR_INTERNAL;
    const char *type = magic_buffer(m, data, len);
    if (!type) {
        log_error("blob: magic_buffer failed", "error", magic_error(m) ? magic_error(m) : "");
        return IPS_ERR_INTERNAL;
    }
    size_t n = strlen(type);
    if (n > BLOB_MIME_MAX)
        n = BLOB_MIME_MAX; /* libmagic's MIME types are short; never overflow */
    memcpy(out, type, n);
    out[n] = '\0';
    return IPS_OK;
}

/* True when mime is in the NULL-terminated list allowed (an empty list
 * accepts every type). */
static bool blob__type_allowed(const char *const *allowed, const char *mime)
{
    if (!allowed || !allowed[0])
        return true;
    for (size_t i = 0; allowed[i]; i++)
        if (strcmp(allowed[i], mime) == 0)
            return true;
    return false;
}

struct blob__put_tx {
    const struct store_blob *rec;
    const void *data;
    size_t len;
};

/* store_tx_fn: insert unless present (repeatable on BUSY retries). */
static ips_status blob__put_tx(struct store *s, void *arg)
{
    struct blob__put_tx *a = arg;
    return store_blob_put(s, a->rec, a->data, a->len, NULL);
}

static void blob__info_from(const struct store_blob *b, struct blob_info *out)
{
    memset(out, 0, sizeof *out);
    memcpy(out->sha256, b->sha256, sizeof out->sha256);
    memcpy(out->mime, b->mime, sizeof out->mime);
    out->size = b->size;
    out->created_ms = b->created_ms;
}

ips_status blob_put(struct ips_ctx *ctx, const void *data, size_t len,
                    const char *const *allowed, struct blob_info *out)
{
    if (len == 0 || !data) {
        snprintf(ctx->detail, sizeof ctx->detail, "the file is empty");
        return IPS_ERR_INVALID;
    }
    if (len > BLOB_MAX_BYTES) {
        snprintf(ctx->detail, sizeof ctx->detail, "the file is larger than %d bytes",
                 BLOB_MAX_BYTES);
        return IPS_ERR_TOO_LARGE;
    }
    struct store_blob rec;
    memset(&rec, 0, sizeof rec);
    ips_status st = blob_sniff(data, len, rec.mime);
    if (st)
        return st;
    if (!blob__type_allowed(allowed, rec.mime)) {
        snprintf(ctx->detail, sizeof ctx->detail,
                 "the file's content is of type %s, which is not accepted here", rec.mime);
        return IPS_ERR_MEDIA_TYPE;
    }
    uint8_t digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, data, len);
    sodium_bin2hex(rec.sha256, sizeof rec.sha256, digest, sizeof digest);
    rec.size = (int64_t)len;
    rec.created_ms = time_now_ms();
    struct blob__put_tx a = {&rec, data, len};
    st = store_in_tx(ctx->store) ? blob__put_tx(ctx->store, &a)
                                 : store_tx_run(ctx->store, blob__put_tx, &a);
    if (st)
        return st;
    struct store_blob stored;
    st = store_blob_get(ctx->store, rec.sha256, &stored);
    if (st)
        return st;
    blob__info_from(&stored, out);
    return IPS_OK;
}

/* True when s is 64 lower-case hex digits. */
static bool blob__hex_valid(const char *s)
{
    size_t i = 0;
    for (; s && s[i] && i <= BLOB_HEX_LEN; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return i == BLOB_HEX_LEN;
}

ips_status blob_info_get(struct ips_ctx *ctx, const char *sha256_hex, struct blob_info *out)
{
    if (!blob__hex_valid(sha256_hex))
        return IPS_ERR_NOT_FOUND;
    struct store_blob b;
    ips_status st = store_blob_get(ctx->store, sha256_hex, &b);
    if (st)
        return st;
    blob__info_from(&b, out);
    return IPS_OK;
}

ips_status blob_read(struct ips_ctx *ctx, const char *sha256_hex, void **data, size_t *len)
{
    if (!blob__hex_valid(sha256_hex))
        return IPS_ERR_NOT_FOUND;
    return store_blob_read(ctx->store, sha256_hex, BLOB_MAX_BYTES, data, len);
}
