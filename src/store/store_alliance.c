/*
 * store_alliance.c — the public functions of store_alliance.h: argument
 * checks (a NULL where a value is required is a caller bug:
 * IPS_ERR_INTERNAL, logged) and dispatch to struct store_alliance_ops.
 */
#include "store/store_alliance.h"
#include "store/store_alliance_backend.h"
#include "store/store_backend.h"

ips_status store_alliance_member_get(struct store *s, const char *org_id,
                                     struct store_alliance_member *out)
{
    STORE__REQUIRE(s && org_id && out);
    return s->ops->alliance->member_get(s, org_id, out);
}

ips_status store_alliance_member_put(struct store *s, const struct store_alliance_member *m)
{
    STORE__REQUIRE(s && m);
    return s->ops->alliance->member_put(s, m);
}

ips_status store_alliance_member_list(struct store *s, const char *after, int limit,
                                      store_alliance_member_cb cb, void *arg)
{
    STORE__REQUIRE(s && cb);
    return s->ops->alliance->member_list(s, after, limit, cb, arg);
}

ips_status store_alliance_report_insert(struct store *s, const struct store_alliance_report *r)
{
    STORE__REQUIRE(s && r);
    return s->ops->alliance->report_insert(s, r);
}

ips_status store_alliance_report_list(struct store *s, const char *only_seller,
                                      const char *after, int limit,
                                      store_alliance_report_cb cb, void *arg)
{
    STORE__REQUIRE(s && cb);
    return s->ops->alliance->report_list(s, only_seller, after, limit, cb, arg);
}

ips_status store_alliance_seller_list(struct store *s, const char *after, int limit,
                                      store_alliance_seller_cb cb, void *arg)
{
    STORE__REQUIRE(s && cb);
    return s->ops->alliance->seller_list(s, after, limit, cb, arg);
}
