/*
 * store_blob.c — dispatch of the blob operations to the backend
 * (contracts: store_blob.h).
 */
#include "store/store_blob.h"
#include "store/store_backend.h"
#include "store/store_blob_backend.h"

ips_status store_blob_put(struct store *s, const struct store_blob *b, const void *data,
                          size_t len, bool *inserted)
{
    STORE__REQUIRE(s && b && data);
    return s->ops->blob->put(s, b, data, len, inserted);
}

ips_status store_blob_get(struct store *s, const char *sha256, struct store_blob *out)
{
    STORE__REQUIRE(s && sha256 && out);
    return s->ops->blob->get(s, sha256, out);
}

ips_status store_blob_read(struct store *s, const char *sha256, size_t max, void **data,
                           size_t *len)
{
    STORE__REQUIRE(s && sha256 && data && len);
    return s->ops->blob->read(s, sha256, max, data, len);
}
