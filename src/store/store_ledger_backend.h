/* store_ledger_backend.h — the ledger's table of backend operations
 * (contracts: store_ledger.h). Private to src/store/. */
#ifndef IPS_STORE_STORE_LEDGER_BACKEND_H
#define IPS_STORE_STORE_LEDGER_BACKEND_H

#include "store/store_ledger.h"

struct store_ledger_ops {
    ips_status (*record_insert)(struct store *s, const struct store_ledger_record *r);
    ips_status (*record_get)(struct store *s, int64_t leaf_index, struct store_ledger_record *out);
    ips_status (*record_list)(struct store *s, const char *only_org, int64_t after, int limit,
                              store_ledger_record_cb cb, void *arg);
    ips_status (*pdq_list)(struct store *s, int64_t after, int limit, store_ledger_pdq_cb cb,
                           void *arg);
    ips_status (*size)(struct store *s, int64_t *out);
    ips_status (*tile_put)(struct store *s, int level, int64_t idx, const uint8_t *hashes,
                           size_t len);
    ips_status (*tiles_get)(struct store *s, size_t n, const int *levels, const int64_t *idx,
                            store_ledger_tile_cb cb, void *arg);
    ips_status (*legacy_present)(struct store *s, bool *present, int64_t *nodes);
    ips_status (*legacy_drop)(struct store *s);
    ips_status (*checkpoint_insert)(struct store *s, const struct store_ledger_checkpoint *c);
    ips_status (*checkpoint_latest)(struct store *s, struct store_ledger_checkpoint *out);
    ips_status (*checkpoint_get)(struct store *s, int64_t tree_size,
                                 struct store_ledger_checkpoint *out);
};

#endif
