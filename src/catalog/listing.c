/*
 * listing.c — sellers and listings: the write steps shared with the import
 * (catalog__*_apply, run inside a transaction), and the domain functions of
 * catalog.h that the API and the CLI call (authorise, validate, one
 * transaction with its audit event).
 */
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "catalog/catalog_internal.h"
#include "core/id.h"
#include "core/json.h"
#include "core/timeutil.h"
#include "detections/detections.h"
#include "enforce/enforce.h"

ips_status catalog__check(struct ips_ctx *ctx, enum access_action act,
                          const struct access_object *obj, const char *object)
{
    ips_status st = access_authorize(ctx->actor, act, obj);
    if (st == IPS_ERR_FORBIDDEN || st == IPS_ERR_NOT_FOUND)
        audit_record(ctx->store, access_principal_actor(ctx->actor), access_action_name(act),
                     object ? object : "", AUDIT_DENIED, ips_status_slug(st));
    return st;
}

/* ---- write steps (inside a transaction) ------------------------------------------ */

/* Create org + bare profile for external id ext. */
static ips_status catalog__seller_create(struct store *s, const char *ext, const char *name,
                                         const char *ship_from, const char *attach_org_id,
                                         int64_t now_ms, char org_id[ID_SIZE],
                                         char reason[CATALOG_REASON_MAX + 1])
{
    struct store_seller sp;
    memset(&sp, 0, sizeof sp);
    ips_status st;
    if (attach_org_id) {
        struct store_org o;
        struct store_seller other;
        st = store_org_get(s, attach_org_id, &o);
        if (st == IPS_OK && strcmp(o.kind, "seller") != 0)
            st = IPS_ERR_CONFLICT;
        if (st == IPS_OK && store_catalog_seller_get(s, attach_org_id, &other) == IPS_OK)
            st = IPS_ERR_CONFLICT;
        if (st == IPS_ERR_CONFLICT || st == IPS_ERR_NOT_FOUND) {
            snprintf(reason, CATALOG_REASON_MAX + 1,
                     "the organisation to attach is not a seller without a profile");
            return IPS_ERR_CONFLICT;
        }
        if (st)
            return st;
        snprintf(sp.org_id, sizeof sp.org_id, "%s", attach_org_id);
    } else {
        struct store_org o;
        memset(&o, 0, sizeof o);
        id_new(o.id);
        snprintf(o.name, sizeof o.name, "%s", ext);
        snprintf(o.kind, sizeof o.kind, "seller");
        o.created_ms = now_ms;
        st = store_org_insert(s, &o);
        if (st == IPS_ERR_CONFLICT) {
            snprintf(reason, CATALOG_REASON_MAX + 1,
                     "another organisation is already named '%s'", ext);
            return st;
        }
        if (st)
            return st;
        memcpy(sp.org_id, o.id, ID_SIZE);
    }
    snprintf(sp.external_id, sizeof sp.external_id, "%s", ext);
    snprintf(sp.display_name, sizeof sp.display_name, "%s", name);
    snprintf(sp.ship_from, sizeof sp.ship_from, "%s", ship_from);
    sp.created_ms = sp.updated_ms = now_ms;
    st = store_catalog_seller_insert(s, &sp);
    if (st == IPS_OK)
        memcpy(org_id, sp.org_id, ID_SIZE);
    return st;
}

ips_status catalog__seller_resolve(struct store *s, const char *ext, int64_t now_ms,
                                   char org_id[ID_SIZE], bool *created,
                                   char reason[CATALOG_REASON_MAX + 1])
{
    struct store_seller sp;
    ips_status st = store_catalog_seller_get_by_external(s, ext, &sp);
    *created = false;
    if (st == IPS_OK) {
        memcpy(org_id, sp.org_id, ID_SIZE);
        return IPS_OK;
    }
    if (st != IPS_ERR_NOT_FOUND)
        return st;
    st = catalog__seller_create(s, ext, ext, "", NULL, now_ms, org_id, reason);
    *created = st == IPS_OK;
    return st;
}

ips_status catalog__seller_apply(struct store *s, const struct catalog__seller_in *in,
                                 const char *attach_org_id, int64_t now_ms,
                                 enum catalog__outcome *outcome, char org_id_out[ID_SIZE],
                                 char reason[CATALOG_REASON_MAX + 1])
{
    struct store_seller sp;
    char org_id[ID_SIZE];
    enum catalog__outcome oc = CATALOG__UNCHANGED;
    ips_status st = store_catalog_seller_get_by_external(s, in->id, &sp);
    if (st == IPS_ERR_NOT_FOUND) {
        st = catalog__seller_create(s, in->id, in->name, in->ship_from, attach_org_id, now_ms,
                                    org_id, reason);
        if (st == IPS_ERR_CONFLICT) {
            *outcome = CATALOG__REJECTED;
            return IPS_OK;
        }
        if (st)
            return st;
        oc = CATALOG__CREATED;
    } else if (st) {
        return st;
    } else {
        memcpy(org_id, sp.org_id, ID_SIZE);
        if (strcmp(sp.display_name, in->name) != 0 || strcmp(sp.ship_from, in->ship_from) != 0) {
            snprintf(sp.display_name, sizeof sp.display_name, "%s", in->name);
            snprintf(sp.ship_from, sizeof sp.ship_from, "%s", in->ship_from);
            sp.updated_ms = now_ms;
            if ((st = store_catalog_seller_update(s, &sp)))
                return st;
            oc = CATALOG__UPDATED;
        }
    }
    for (int i = 0; i < in->n_idents; i++) {
        bool added = false;
        st = store_catalog_identifier_add(s, org_id, in->ident_kind[i], in->ident_hash[i], now_ms,
                                          &added);
        if (st)
            return st;
        if (added && oc == CATALOG__UNCHANGED)
            oc = CATALOG__UPDATED;
    }
    *outcome = oc;
    if (org_id_out)
        memcpy(org_id_out, org_id, ID_SIZE);
    return IPS_OK;
}

ips_status catalog__listing_apply(struct store *s, const struct config *cfg,
                                  struct detections_batch *scan,
                                  const struct detections_prescan *pre, const char *id,
                                  const struct catalog__in *in,
                                  const char *seller_org_id, int64_t now_ms,
                                  enum catalog__outcome *outcome, struct store_listing *l_out,
                                  struct store_listing_version *v_out,
                                  char reason[CATALOG_REASON_MAX + 1])
{
    struct store_listing l;
    struct store_listing_version v;
    ips_status st = store_catalog_listing_get(s, id, &l);
    if (st == IPS_ERR_NOT_FOUND) {
        memset(&l, 0, sizeof l);
        snprintf(l.id, sizeof l.id, "%s", id);
        memcpy(l.seller_org_id, seller_org_id, ID_SIZE);
        snprintf(l.state, sizeof l.state, "live");
        l.current_version = 1;
        memcpy(l.current_hash, in->hash, STORE_HASH_LEN);
        l.created_ms = l.updated_ms = now_ms;
        catalog__in_fill(in, &v);
        memcpy(v.listing_id, l.id, sizeof l.id);
        v.version = 1;
        v.created_ms = now_ms;
        if ((st = store_catalog_listing_insert(s, &l, &v)))
            return st;
        *outcome = CATALOG__CREATED;
    } else if (st) {
        return st;
    } else if (strcmp(l.seller_org_id, seller_org_id) != 0) {
        snprintf(reason, CATALOG_REASON_MAX + 1, "the listing belongs to another seller");
        *outcome = CATALOG__REJECTED;
        return IPS_OK;
    } else if (sodium_memcmp(l.current_hash, in->hash, STORE_HASH_LEN) == 0) {
        *outcome = CATALOG__UNCHANGED;
        if (v_out && (st = store_catalog_version_get(s, id, l.current_version, &v)))
            return st;
    } else {
        catalog__in_fill(in, &v);
        memcpy(v.listing_id, l.id, sizeof l.id);
        v.version = l.current_version + 1;
        v.created_ms = now_ms;
        if ((st = store_catalog_listing_add_version(s, &v)))
            return st;
        l.current_version = v.version;
        memcpy(l.current_hash, in->hash, STORE_HASH_LEN);
        l.updated_ms = now_ms;
        *outcome = CATALOG__UPDATED;
    }
    /* every version written is scanned as it is written (src/detections) */
    if ((*outcome == CATALOG__CREATED || *outcome == CATALOG__UPDATED) &&
        (st = scan ? detections_batch_written(scan, &l, &v, pre)
                   : detections_listing_written(s, cfg, &l, &v)))
        return st;
    if (l_out)
        *l_out = l;
    if (v_out)
        *v_out = v;
    return IPS_OK;
}

/* ---- sellers (domain) ------------------------------------------------------------ */

struct catalog__seller_tx {
    const struct access_principal *actor;
    const struct config *cfg;
    const struct catalog__seller_in *in;
    const char *attach;
    int64_t now;
    enum catalog__outcome outcome; /* OUT, reset per attempt */
    char org_id[ID_SIZE];
    char reason[CATALOG_REASON_MAX + 1];
};

static ips_status catalog__seller_put_tx(struct store *s, void *arg)
{
    struct catalog__seller_tx *a = arg;
    a->outcome = CATALOG__UNCHANGED;
    a->reason[0] = '\0';
    ips_status st = catalog__seller_apply(s, a->in, a->attach, a->now, &a->outcome, a->org_id,
                                          a->reason);
    if (st)
        return st;
    if (a->outcome == CATALOG__REJECTED)
        return IPS_ERR_CONFLICT;
    if (a->outcome == CATALOG__UNCHANGED)
        return IPS_OK;
    /* networks and ban evasion (src/enforce), at once */
    if ((st = enforce_seller_changed(s, a->cfg, a->org_id, a->now)))
        return st;
    char object[STORE_OBJECT_MAX + 1];
    snprintf(object, sizeof object, "org:%s", a->org_id);
    return audit_append(s, access_principal_actor(a->actor), "seller.put", object, AUDIT_OK,
                        a->outcome == CATALOG__CREATED ? "created" : "updated");
}

ips_status catalog_seller_put(struct ips_ctx *ctx, json_t *obj, const char *attach_org_id,
                              struct store_seller *out, bool *changed)
{
    ips_status st = catalog__check(ctx, ACT_CATALOG_IMPORT, NULL, "seller:new");
    if (st)
        return st;
    uint8_t key[32];
    struct catalog__seller_in in;
    if ((st = catalog_identifier_key(ctx->store, key)))
        return st;
    bool ok = catalog__seller_parse(obj, key, &in, ctx->errors);
    sodium_memzero(key, sizeof key);
    if (!ok) {
        snprintf(ctx->detail, sizeof ctx->detail, "the seller is not valid");
        return IPS_ERR_INVALID;
    }
    struct catalog__seller_tx a;
    memset(&a, 0, sizeof a);
    a.actor = ctx->actor;
    a.in = &in;
    a.attach = attach_org_id;
    a.cfg = ctx->cfg;
    a.now = time_now_ms();
    st = store_tx_run(ctx->store, catalog__seller_put_tx, &a);
    if (st == IPS_ERR_CONFLICT)
        snprintf(ctx->detail, sizeof ctx->detail, "%.200s", a.reason);
    if (st)
        return st;
    if (changed)
        *changed = a.outcome != CATALOG__UNCHANGED;
    return out ? store_catalog_seller_get(ctx->store, a.org_id, out) : IPS_OK;
}

/* ---- listings (domain) ------------------------------------------------------------ */

struct catalog__listing_tx {
    const struct access_principal *actor;
    const struct config *cfg;
    const char *id;
    const struct catalog__in *in;
    const char *seller_org_id;
    bool create; /* create only: an existing id is a conflict */
    int64_t now;
    enum catalog__outcome outcome; /* OUT, reset per attempt */
    struct store_listing *l;
    struct store_listing_version *v;
    char reason[CATALOG_REASON_MAX + 1];
};

static ips_status catalog__listing_write_tx(struct store *s, void *arg)
{
    struct catalog__listing_tx *a = arg;
    struct store_listing existing;
    a->reason[0] = '\0';
    /* a restricted, suspended or terminated seller may not post (src/enforce) */
    ips_status allowed = enforce_posting_check(s, a->seller_org_id, a->reason, sizeof a->reason);
    if (allowed)
        return allowed;
    if (a->create) {
        ips_status e = store_catalog_listing_get(s, a->id, &existing);
        if (e == IPS_OK)
            return IPS_ERR_CONFLICT;
        if (e != IPS_ERR_NOT_FOUND)
            return e;
    }
    ips_status st = catalog__listing_apply(s, a->cfg, NULL, NULL, a->id, a->in, a->seller_org_id,
                                           a->now, &a->outcome, a->l, a->v, a->reason);
    if (st)
        return st;
    if (a->outcome == CATALOG__REJECTED)
        return IPS_ERR_NOT_FOUND; /* another seller's listing */
    if (a->outcome == CATALOG__UNCHANGED)
        return IPS_OK;
    char object[STORE_OBJECT_MAX + 1], detail[64];
    snprintf(object, sizeof object, "listing:%s", a->id);
    snprintf(detail, sizeof detail, "version %" PRId64, a->l->current_version);
    return audit_append(s, access_principal_actor(a->actor),
                        a->outcome == CATALOG__CREATED ? "listing.create" : "listing.update",
                        object, AUDIT_OK, detail);
}

ips_status catalog_listing_create(struct ips_ctx *ctx, json_t *body, struct store_listing *l,
                                  struct store_listing_version *v)
{
    ips_status st = catalog__check(ctx, ACT_LISTING_WRITE, NULL, "listing:new");
    if (st)
        return st;
    struct catalog__in in;
    if (!catalog__listing_parse(body, CATALOG__CREATE, &in, ctx->errors)) {
        snprintf(ctx->detail, sizeof ctx->detail, "the listing is not valid");
        return IPS_ERR_INVALID;
    }
    char gen[ID_SIZE];
    if (!in.id)
        id_new(gen);
    struct catalog__listing_tx a;
    memset(&a, 0, sizeof a);
    a.actor = ctx->actor;
    a.cfg = ctx->cfg;
    a.id = in.id ? in.id : gen;
    a.in = &in;
    a.seller_org_id = ctx->actor->org_id;
    a.create = true;
    a.now = time_now_ms();
    a.l = l;
    a.v = v;
    st = store_tx_run(ctx->store, catalog__listing_write_tx, &a);
    if (st == IPS_ERR_CONFLICT)
        snprintf(ctx->detail, sizeof ctx->detail, "a listing with this id exists");
    struct store_org seller; /* a new listing was not read back: the name for the answer */
    if (st == IPS_OK && store_org_get(ctx->store, l->seller_org_id, &seller) == IPS_OK)
        memcpy(l->seller_name, seller.name, sizeof l->seller_name);
    if (st == IPS_ERR_FORBIDDEN)
        snprintf(ctx->detail, sizeof ctx->detail, "%.250s", a.reason);
    catalog__in_release(&in);
    return st;
}

ips_status catalog_listing_update(struct ips_ctx *ctx, const char *id, json_t *body,
                                  struct store_listing *l, struct store_listing_version *v,
                                  bool *changed)
{
    ips_status st = catalog__check(ctx, ACT_LISTING_WRITE, NULL, "listing:update");
    if (st)
        return st;
    struct store_listing cur;
    if (!catalog_id_valid(id))
        return IPS_ERR_NOT_FOUND;
    if ((st = store_catalog_listing_get(ctx->store, id, &cur)))
        return st;
    char object[STORE_OBJECT_MAX + 1];
    snprintf(object, sizeof object, "listing:%s", id);
    struct access_object obj = {cur.seller_org_id, NULL, false};
    if ((st = catalog__check(ctx, ACT_LISTING_OWN, &obj, object)))
        return st;
    struct catalog__in in;
    if (!catalog__listing_parse(body, CATALOG__UPDATE, &in, ctx->errors)) {
        snprintf(ctx->detail, sizeof ctx->detail, "the listing is not valid");
        return IPS_ERR_INVALID;
    }
    struct catalog__listing_tx a;
    memset(&a, 0, sizeof a);
    a.actor = ctx->actor;
    a.cfg = ctx->cfg;
    a.id = id;
    a.in = &in;
    a.seller_org_id = ctx->actor->org_id;
    a.now = time_now_ms();
    a.l = l;
    a.v = v;
    st = store_tx_run(ctx->store, catalog__listing_write_tx, &a);
    if (st == IPS_ERR_FORBIDDEN)
        snprintf(ctx->detail, sizeof ctx->detail, "%.250s", a.reason);
    if (st == IPS_OK && changed)
        *changed = a.outcome == CATALOG__UPDATED;
    catalog__in_release(&in);
    return st;
}

/* Which listings the actor reads: OUT *only_seller NULL for all, or the
 * actor's own org for a seller; *view: judged now, and listings of sellers
 * suspended or terminated now left out unless the actor is that seller or
 * may read hidden listings (LISTING_READ_HIDDEN). Others:
 * IPS_ERR_FORBIDDEN (audited). */
static ips_status catalog__read_scope(struct ips_ctx *ctx, const char **only_seller,
                                      struct store_listing_view *view)
{
    view->now_ms = time_now_ms();
    view->hide = false;
    ips_status st = access_authorize(ctx->actor, ACT_LISTING_READ_ALL, NULL);
    if (st == IPS_OK) {
        *only_seller = NULL;
        view->hide = access_authorize(ctx->actor, ACT_LISTING_READ_HIDDEN, NULL) != IPS_OK;
        return IPS_OK;
    }
    if (st != IPS_ERR_FORBIDDEN)
        return st;
    if (access_authorize(ctx->actor, ACT_LISTING_WRITE, NULL) == IPS_OK) {
        *only_seller = ctx->actor->org_id;
        return IPS_OK;
    }
    return catalog__check(ctx, ACT_LISTING_READ_ALL, NULL, "listings");
}

ips_status catalog_listing_get(struct ips_ctx *ctx, const char *id, struct store_listing *l,
                               struct store_listing_version *v, int max_versions,
                               catalog_version_cb vcb, void *arg)
{
    const char *only = NULL;
    struct store_listing_view view;
    ips_status st = catalog__read_scope(ctx, &only, &view);
    if (st)
        return st;
    if (!catalog_id_valid(id))
        return IPS_ERR_NOT_FOUND;
    struct store_listing tmp;
    if ((st = store_catalog_listing_get(ctx->store, id, &tmp)))
        return st;
    if (only) {
        char object[STORE_OBJECT_MAX + 1];
        snprintf(object, sizeof object, "listing:%s", id);
        struct access_object obj = {tmp.seller_org_id, NULL, false};
        if ((st = catalog__check(ctx, ACT_LISTING_OWN, &obj, object)))
            return st;
    }
    /* read by id, a hidden listing is shown to whoever may read it, marked
     * (a right holder follows up its notices; docs/api.md "Hidden listings") */
    if ((st = store_catalog_seller_hidden(ctx->store, tmp.seller_org_id, view.now_ms,
                                          tmp.hidden)))
        return st;
    if ((st = store_catalog_version_get(ctx->store, id, tmp.current_version, v)))
        return st;
    if (vcb && max_versions > 0 &&
        (st = store_catalog_version_list(ctx->store, id, 0, max_versions, vcb, arg)))
        return st;
    *l = tmp;
    return IPS_OK;
}

ips_status catalog_listing_list(struct ips_ctx *ctx, const char *after, int limit,
                                store_listing_cb cb, void *arg)
{
    const char *only = NULL;
    struct store_listing_view view;
    ips_status st = catalog__read_scope(ctx, &only, &view);
    if (st)
        return st;
    return store_catalog_listing_list_at(ctx->store, only, after, limit, &view, cb, arg);
}

ips_status catalog_search_query(struct ips_ctx *ctx, const char *query, char out[CATALOG_FTS_MAX])
{
    if (catalog_fts_query(query, out, CATALOG_FTS_MAX) == IPS_OK)
        return IPS_OK;
    json_error_add(ctx->errors, "q", "must hold 1-16 words, at most 256 bytes, no control characters");
    snprintf(ctx->detail, sizeof ctx->detail, "the search query is not usable");
    return IPS_ERR_INVALID;
}

ips_status catalog_listing_search(struct ips_ctx *ctx, const char *query, int64_t offset,
                                  int limit, store_listing_cb cb, void *arg)
{
    const char *only = NULL;
    struct store_listing_view view;
    ips_status st = catalog__read_scope(ctx, &only, &view);
    if (st)
        return st;
    char fts[CATALOG_FTS_MAX];
    if ((st = catalog_search_query(ctx, query, fts)))
        return st;
    st = store_catalog_listing_search_at(ctx->store, fts, only, offset, limit, &view, cb, arg);
    if (st == IPS_ERR_INVALID) {
        json_error_add(ctx->errors, "q", "could not be searched for");
        snprintf(ctx->detail, sizeof ctx->detail, "the search query is not usable");
    }
    return st;
}

/* ---- state ---------------------------------------------------------------------------- */

struct catalog__state_tx {
    const struct access_principal *actor;
    const char *id, *to, *reason;
    char detail[128]; /* OUT: why a transition was refused */
};

static ips_status catalog__state_tx(struct store *s, void *arg)
{
    struct catalog__state_tx *a = arg;
    struct store_listing l;
    a->detail[0] = '\0';
    ips_status st = store_catalog_listing_get(s, a->id, &l);
    if (st)
        return st;
    if (!catalog_state_transition_allowed(l.state, a->to)) {
        snprintf(a->detail, sizeof a->detail, "a %s listing cannot become %s", l.state, a->to);
        return IPS_ERR_CONFLICT;
    }
    if ((st = store_catalog_listing_set_state(s, a->id, a->to, time_now_ms())))
        return st;
    char object[STORE_OBJECT_MAX + 1], detail[STORE_DETAIL_MAX + 1];
    snprintf(object, sizeof object, "listing:%s", a->id);
    snprintf(detail, sizeof detail, "%s -> %s: %s", l.state, a->to, a->reason);
    return audit_append(s, access_principal_actor(a->actor), "listing.state", object, AUDIT_OK,
                        detail);
}

ips_status catalog_listing_set_state(struct ips_ctx *ctx, const char *id, const char *new_state,
                                     const char *reason)
{
    char object[STORE_OBJECT_MAX + 1];
    snprintf(object, sizeof object, "listing:%.100s", id ? id : "");
    /* A refusal inside the caller's transaction is audited by the caller's
     * own failure handling; audit_record would need a transaction of its own. */
    ips_status st = store_in_tx(ctx->store) ? access_authorize(ctx->actor, ACT_LISTING_STATE, NULL)
                                            : catalog__check(ctx, ACT_LISTING_STATE, NULL, object);
    if (st)
        return st;
    size_t rn = reason ? strlen(reason) : 0;
    bool bad = false;
    if (!catalog_state_valid(new_state)) {
        json_error_add(ctx->errors, "state", "must be live, blocked, taken_down or reinstated");
        bad = true;
    }
    if (rn == 0 || rn > CATALOG_REASON_MAX) {
        json_error_add(ctx->errors, "reason", "must be 1 to 300 bytes");
        bad = true;
    }
    if (bad) {
        snprintf(ctx->detail, sizeof ctx->detail, "the state change is not valid");
        return IPS_ERR_INVALID;
    }
    if (!catalog_id_valid(id))
        return IPS_ERR_NOT_FOUND;
    struct catalog__state_tx a;
    memset(&a, 0, sizeof a);
    a.actor = ctx->actor;
    a.id = id;
    a.to = new_state;
    a.reason = reason;
    st = store_in_tx(ctx->store) ? catalog__state_tx(ctx->store, &a)
                                 : store_tx_run(ctx->store, catalog__state_tx, &a);
    if (st == IPS_ERR_CONFLICT)
        snprintf(ctx->detail, sizeof ctx->detail, "%s", a.detail);
    return st;
}
