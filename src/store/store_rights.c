/*
 * store_rights.c — dispatch of the rights operations to the backend
 * (contracts: store_rights.h).
 */
#include "store/store_rights.h"
#include "store/store_backend.h"
#include "store/store_rights_backend.h"

ips_status store_rights_application_insert(struct store *s, const struct store_rh_application *a)
{
    STORE__REQUIRE(s && a);
    return s->ops->rights->application_insert(s, a);
}

ips_status store_rights_application_get(struct store *s, const char *org_id,
                                        struct store_rh_application *out)
{
    STORE__REQUIRE(s && org_id && out);
    return s->ops->rights->application_get(s, org_id, out);
}

ips_status store_rights_application_update(struct store *s, const struct store_rh_application *a)
{
    STORE__REQUIRE(s && a);
    return s->ops->rights->application_update(s, a);
}

ips_status store_rights_application_list(struct store *s, const char *only_status,
                                         const char *only_org, const char *after, int limit,
                                         store_rh_application_cb cb, void *arg)
{
    STORE__REQUIRE(s && cb);
    return s->ops->rights->application_list(s, only_status, only_org, after, limit, cb, arg);
}

ips_status store_rights_auth_insert(struct store *s, const struct store_agent_auth *a)
{
    STORE__REQUIRE(s && a);
    return s->ops->rights->auth_insert(s, a);
}

ips_status store_rights_auth_get(struct store *s, const char *id, struct store_agent_auth *out)
{
    STORE__REQUIRE(s && id && out);
    return s->ops->rights->auth_get(s, id, out);
}

ips_status store_rights_auth_update(struct store *s, const struct store_agent_auth *a)
{
    STORE__REQUIRE(s && a);
    return s->ops->rights->auth_update(s, a);
}

ips_status store_rights_auth_active(struct store *s, const char *principal_org,
                                    const char *agent_org, const char *today, bool *found)
{
    STORE__REQUIRE(s && principal_org && agent_org && today && found);
    return s->ops->rights->auth_active(s, principal_org, agent_org, today, found);
}

ips_status store_rights_auth_list(struct store *s, const char *involving_org,
                                  const char *only_status, const char *after, int limit,
                                  store_agent_auth_cb cb, void *arg)
{
    STORE__REQUIRE(s && cb);
    return s->ops->rights->auth_list(s, involving_org, only_status, after, limit, cb, arg);
}

ips_status store_rights_right_insert(struct store *s, const struct store_right *r)
{
    STORE__REQUIRE(s && r);
    return s->ops->rights->right_insert(s, r);
}

ips_status store_rights_right_get(struct store *s, const char *id, struct store_right *out)
{
    STORE__REQUIRE(s && id && out);
    return s->ops->rights->right_get(s, id, out);
}

ips_status store_rights_right_update(struct store *s, const struct store_right *r)
{
    STORE__REQUIRE(s && r);
    return s->ops->rights->right_update(s, r);
}

ips_status store_rights_right_list(struct store *s, const struct store_right_filter *f,
                                   const char *after, int limit, store_right_cb cb, void *arg)
{
    STORE__REQUIRE(s && f && cb);
    return s->ops->rights->right_list(s, f, after, limit, cb, arg);
}

ips_status store_rights_file_insert(struct store *s, const struct store_right_file *f)
{
    STORE__REQUIRE(s && f);
    return s->ops->rights->file_insert(s, f);
}

ips_status store_rights_file_list(struct store *s, const char *right_id,
                                  store_right_file_cb cb, void *arg)
{
    STORE__REQUIRE(s && right_id && cb);
    return s->ops->rights->file_list(s, right_id, cb, arg);
}
