/*
 * store_blob_backend.h — the blob domain's table of backend operations
 * (contracts: store_blob.h). Included only under src/store/.
 */
#ifndef IPS_STORE_STORE_BLOB_BACKEND_H
#define IPS_STORE_STORE_BLOB_BACKEND_H

#include "store/store_blob.h"

struct store_blob_ops {
    ips_status (*put)(struct store *s, const struct store_blob *b, const void *data, size_t len,
                      bool *inserted);
    ips_status (*get)(struct store *s, const char *sha256, struct store_blob *out);
    ips_status (*read)(struct store *s, const char *sha256, size_t max, void **data,
                       size_t *len);
};

#endif
