/*
 * store_litigation.c — the public functions of store_litigation.h: argument
 * checks (a NULL where a value is required is a caller bug:
 * IPS_ERR_INTERNAL, logged) and dispatch to struct store_litigation_ops.
 */
#include "store/store_litigation.h"
#include "store/store_backend.h"
#include "store/store_litigation_backend.h"

ips_status store_litigation_file_insert(struct store *s, const struct store_litigation *f)
{
    STORE__REQUIRE(s && f);
    return s->ops->litigation->file_insert(s, f);
}

ips_status store_litigation_file_update(struct store *s, const struct store_litigation *f)
{
    STORE__REQUIRE(s && f);
    return s->ops->litigation->file_update(s, f);
}

ips_status store_litigation_file_set_status(struct store *s, const struct store_litigation *f)
{
    STORE__REQUIRE(s && f);
    return s->ops->litigation->file_set_status(s, f);
}

ips_status store_litigation_file_get(struct store *s, const char *id, struct store_litigation *out)
{
    STORE__REQUIRE(s && id && out);
    return s->ops->litigation->file_get(s, id, out);
}

ips_status store_litigation_file_list(struct store *s, const char *only_org, const char *after,
                                      int limit, store_litigation_cb cb, void *arg)
{
    STORE__REQUIRE(s && cb);
    return s->ops->litigation->file_list(s, only_org, after, limit, cb, arg);
}

ips_status store_litigation_damage_insert(struct store *s, const struct store_litigation_damage *d)
{
    STORE__REQUIRE(s && d);
    return s->ops->litigation->damage_insert(s, d);
}

ips_status store_litigation_damage_list(struct store *s, const char *file_id,
                                        store_litigation_damage_cb cb, void *arg)
{
    STORE__REQUIRE(s && file_id && cb);
    return s->ops->litigation->damage_list(s, file_id, cb, arg);
}

ips_status store_litigation_infringing(struct store *s, const char *holder_org_id,
                                       const char *seller_org_id, store_litigation_basis_cb cb,
                                       void *arg)
{
    STORE__REQUIRE(s && holder_org_id && seller_org_id && cb);
    return s->ops->litigation->infringing(s, holder_org_id, seller_org_id, cb, arg);
}
