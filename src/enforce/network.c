/*
 * network.c — counterfeit networks (enforce.h): sellers that share an
 * identifier hash form one network. The stored form is a label per seller
 * (network_members) kept up to date incrementally: a changed seller is
 * unioned with every network it shares a hash with, the smaller network's
 * members moving to the larger (union by size). A network is banned when a
 * member was terminated or a reviewer banned it; a seller that joins a banned
 * network is flagged for ban evasion. The bulk rebuild runs the in-memory
 * union-find of uf.h over every identifier.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "catalog/catalog.h"
#include "core/json.h"
#include "core/timeutil.h"
#include "enforce/enforce_internal.h"
#include "enforce/uf.h"

#define NETWORK__MEMBERS_SHOWN 500
#define NETWORK__PREFIX_HEX 12 /* hex digits of an identifier hash shown */

/* ---- labels and merges ------------------------------------------------------------------ */

ips_status enforce__network_ensure_tx(struct store *s, const char *seller_org_id, int64_t now_ms,
                                      char network_id[ID_SIZE])
{
    ips_status st = store_enforce_member_get(s, seller_org_id, network_id);
    if (st != IPS_ERR_NOT_FOUND)
        return st;
    struct store_network n;
    memset(&n, 0, sizeof n);
    id_new(n.id);
    n.size = 1;
    n.created_ms = n.updated_ms = now_ms;
    if ((st = store_enforce_network_insert(s, &n)) ||
        (st = store_enforce_member_put(s, seller_org_id, n.id, now_ms)))
        return st;
    memcpy(network_id, n.id, ID_SIZE);
    return IPS_OK;
}

static int network__ban_strength(const char *kind)
{
    return strcmp(kind, "banned") == 0 ? 2 : strcmp(kind, "member_terminated") == 0 ? 1 : 0;
}

ips_status enforce__network_mark_tx(struct store *s, const char *network_id, const char *kind,
                                    const char *reason, const char *source_kind,
                                    const char *source_id, int64_t now_ms)
{
    struct store_network n;
    ips_status st = store_enforce_network_get(s, network_id, &n);
    if (st)
        return st;
    if (network__ban_strength(n.ban_kind) >= network__ban_strength(kind))
        return IPS_OK;
    if (!n.banned_ms)
        n.banned_ms = now_ms;
    snprintf(n.ban_kind, sizeof n.ban_kind, "%s", kind);
    snprintf(n.ban_reason, sizeof n.ban_reason, "%s", reason);
    snprintf(n.ban_source_kind, sizeof n.ban_source_kind, "%s", source_kind ? source_kind : "");
    snprintf(n.ban_source_id, sizeof n.ban_source_id, "%s", source_id ? source_id : "");
    n.updated_ms = now_ms;
    if ((st = store_enforce_network_update(s, &n)))
        return st;
    char object[STORE_OBJECT_MAX + 1], detail[STORE_DETAIL_MAX + 1];
    snprintf(object, sizeof object, "network:%s", network_id);
    snprintf(detail, sizeof detail, "%s: %.300s", kind, reason);
    return audit_append(s, "system", "network.banned", object, AUDIT_OK, detail);
}

/* Union the networks a and b (union by size: the smaller one's members move
 * to the larger, which keeps the stronger ban). OUT into[ID_SIZE]: the
 * surviving network. */
static ips_status network__merge_tx(struct store *s, const char *a, const char *b, int64_t now_ms,
                                    char into[ID_SIZE])
{
    struct store_network na, nb;
    ips_status st;
    if (strcmp(a, b) == 0) {
        memmove(into, a, ID_SIZE);
        return IPS_OK;
    }
    if ((st = store_enforce_network_get(s, a, &na)) || (st = store_enforce_network_get(s, b, &nb)))
        return st;
    struct store_network *big = na.size >= nb.size ? &na : &nb;
    struct store_network *small = big == &na ? &nb : &na;
    int64_t moved = 0;
    if ((st = store_enforce_member_move(s, small->id, big->id, &moved)))
        return st;
    big->size += moved;
    if (network__ban_strength(small->ban_kind) > network__ban_strength(big->ban_kind)) {
        big->banned_ms = small->banned_ms;
        memcpy(big->ban_kind, small->ban_kind, sizeof big->ban_kind);
        memcpy(big->ban_reason, small->ban_reason, sizeof big->ban_reason);
        memcpy(big->ban_source_kind, small->ban_source_kind, sizeof big->ban_source_kind);
        memcpy(big->ban_source_id, small->ban_source_id, sizeof big->ban_source_id);
    }
    big->updated_ms = small->updated_ms = now_ms;
    small->size = 0;
    memcpy(small->merged_into, big->id, ID_SIZE);
    if ((st = store_enforce_network_update(s, big)) ||
        (st = store_enforce_network_update(s, small)))
        return st;
    memcpy(into, big->id, ID_SIZE);
    return IPS_OK;
}

/* Neighbour rows collected before anything changes (growable, bounded). */
struct network__nb {
    size_t n, cap;
    struct store_enforce_neighbour *rows;
};

#define NETWORK__NEIGHBOURS_MAX 100000

static ips_status network__nb_take(const struct store_enforce_neighbour *r, void *arg)
{
    struct network__nb *nb = arg;
    if (nb->n == nb->cap) {
        if (nb->cap >= NETWORK__NEIGHBOURS_MAX)
            return IPS_ERR_TOO_LARGE;
        size_t cap = nb->cap ? nb->cap * 2 : 16;
        struct store_enforce_neighbour *p = realloc(nb->rows, cap * sizeof *p);
        if (!p)
            return IPS_ERR_NOMEM;
        nb->rows = p;
        nb->cap = cap;
    }
    nb->rows[nb->n++] = *r;
    return IPS_OK;
}

/* A FIFO of seller ids (sellers labelled on the fly, whose own links must
 * be followed too). */
struct network__queue {
    size_t head, n, cap;
    char (*ids)[ID_SIZE];
};

static ips_status network__push(struct network__queue *q, const char *id)
{
    if (q->n == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 8;
        char(*p)[ID_SIZE] = realloc(q->ids, cap * sizeof *p);
        if (!p)
            return IPS_ERR_NOMEM;
        q->ids = p;
        q->cap = cap;
    }
    memcpy(q->ids[q->n++], id, ID_SIZE);
    return IPS_OK;
}

/* Union the seller's network with every network it shares a hash with,
 * labelling unlabelled neighbours (and following their links) on the way. */
static ips_status network__link_tx(struct store *s, const char *seller_org_id, int64_t now_ms)
{
    struct network__queue q = {0, 0, 0, NULL};
    struct network__nb nb = {0, 0, NULL};
    char mine[ID_SIZE];
    ips_status st = enforce__network_ensure_tx(s, seller_org_id, now_ms, mine);
    if (st == IPS_OK)
        st = network__push(&q, seller_org_id);
    while (st == IPS_OK && q.head < q.n) {
        char x[ID_SIZE];
        memcpy(x, q.ids[q.head++], ID_SIZE);
        nb.n = 0;
        if ((st = store_enforce_member_get(s, x, mine)) ||
            (st = store_enforce_neighbours(s, x, NULL, network__nb_take, &nb)))
            break;
        for (size_t i = 0; st == IPS_OK && i < nb.n; i++) {
            char theirs[ID_SIZE];
            /* an earlier merge of this loop may have moved it: read it again */
            st = store_enforce_member_get(s, nb.rows[i].seller_org_id, theirs);
            if (st == IPS_ERR_NOT_FOUND) {
                st = enforce__network_ensure_tx(s, nb.rows[i].seller_org_id, now_ms, theirs);
                if (st == IPS_OK)
                    st = network__push(&q, nb.rows[i].seller_org_id);
            }
            if (st == IPS_OK)
                st = network__merge_tx(s, mine, theirs, now_ms, mine);
        }
    }
    free(q.ids);
    free(nb.rows);
    return st;
}

/* The identifier kinds the seller shares with members of network_id, as
 * "phone, payment_account" into out[cap]. */
static ips_status network__shared_kinds(struct store *s, const char *seller_org_id,
                                        const char *network_id, char *out, size_t cap)
{
    struct network__nb nb = {0, 0, NULL};
    ips_status st = store_enforce_neighbours(s, seller_org_id, network_id, network__nb_take, &nb);
    static const char *const kinds[] = {"phone", "email", "address", "payment_account",
                                        "device_id"};
    size_t len = 0;
    out[0] = '\0';
    for (size_t k = 0; st == IPS_OK && k < sizeof kinds / sizeof kinds[0]; k++) {
        for (size_t i = 0; i < nb.n; i++) {
            if (strcmp(nb.rows[i].kind, kinds[k]) != 0)
                continue;
            len += (size_t)snprintf(out + len, len < cap ? cap - len : 0, "%s%s", len ? "," : "",
                                    kinds[k]);
            break;
        }
    }
    free(nb.rows);
    if (st == IPS_OK && len >= cap)
        st = IPS_ERR_TOO_LARGE;
    return st;
}

/* Flag (and maybe suspend) the seller when its network is banned. */
static ips_status network__evasion_check_tx(struct store *s, const struct config *cfg,
                                            const char *seller_org_id, int64_t now_ms)
{
    char nid[ID_SIZE];
    struct store_network n;
    int rank = 0;
    bool flagged = false;
    ips_status st = store_enforce_member_get(s, seller_org_id, nid);
    if (st == IPS_ERR_NOT_FOUND)
        return IPS_OK;
    if (st || (st = store_enforce_network_get(s, nid, &n)))
        return st;
    if (!n.banned_ms)
        return IPS_OK;
    if ((st = enforce__level(s, seller_org_id, &rank, NULL)) || rank == ENFORCE_TERMINATION ||
        (st = store_enforce_flag_exists(s, seller_org_id, nid, &flagged)) || flagged)
        return st;
    struct store_evasion_flag f;
    memset(&f, 0, sizeof f);
    if ((st = network__shared_kinds(s, seller_org_id, nid, f.kinds, sizeof f.kinds)))
        return st;
    if (!f.kinds[0]) /* banned only through itself: nothing shared */
        return IPS_OK;
    id_new(f.id);
    memcpy(f.seller_org_id, seller_org_id, ID_SIZE);
    memcpy(f.network_id, nid, ID_SIZE);
    snprintf(f.reason, sizeof f.reason, "ban evasion: shares %s with banned network %s (%.150s)",
             f.kinds, nid, n.ban_reason);
    f.created_ms = now_ms;
    if ((st = store_enforce_flag_insert(s, &f)))
        return st;
    char object[STORE_OBJECT_MAX + 1];
    snprintf(object, sizeof object, "org:%s", seller_org_id);
    if ((st = audit_append(s, "system", "enforce.evasion", object, AUDIT_OK, f.reason)))
        return st;
    if (cfg && !cfg->enforce_evasion_suspend)
        return IPS_OK;
    if (rank >= ENFORCE_SUSPENSION)
        return IPS_OK;
    return enforce__penalty_add_tx(s, seller_org_id, ENFORCE_SUSPENSION, "evasion", f.reason, NULL,
                                   nid, now_ms, 0);
}

ips_status enforce_seller_changed(struct store *s, const struct config *cfg,
                                  const char *seller_org_id, int64_t now_ms)
{
    if (!store_in_tx(s))
        return IPS_ERR_INTERNAL;
    int64_t idents = 0;
    ips_status st = store_catalog_identifier_count(s, seller_org_id, &idents);
    if (st || idents == 0)
        return st;
    if ((st = network__link_tx(s, seller_org_id, now_ms)))
        return st;
    return network__evasion_check_tx(s, cfg, seller_org_id, now_ms);
}

/* ---- banning ------------------------------------------------------------------------------- */

struct network__members {
    size_t n;
    char ids[NETWORK__MEMBERS_SHOWN][ID_SIZE];
};

static ips_status network__member_take(const char *org_id, void *arg)
{
    struct network__members *m = arg;
    if (m->n < NETWORK__MEMBERS_SHOWN)
        memcpy(m->ids[m->n++], org_id, ID_SIZE);
    return IPS_OK;
}

struct network__ban_tx {
    const struct config *cfg;
    const char *seller, *reason, *source_kind, *source_id, *actor;
    char nid[ID_SIZE];
    struct network__members *m;
};

static ips_status network__ban_tx(struct store *s, void *arg)
{
    struct network__ban_tx *t = arg;
    int64_t now = time_now_ms();
    struct enforce__sys sys;
    enforce__sys_init(&sys, s, t->cfg);
    ips_status st = enforce__network_ensure_tx(s, t->seller, now, t->nid);
    if (st || (st = enforce__network_mark_tx(s, t->nid, "banned", t->reason, t->source_kind,
                                             t->source_id, now)))
        return st;
    char reason[STORE_ENFORCE_REASON_MAX + 1];
    snprintf(reason, sizeof reason, "network %s banned: %.200s", t->nid, t->reason);
    char after[ID_SIZE] = "";
    for (;;) { /* members in pages: terminating never moves a member */
        t->m->n = 0;
        if ((st = store_enforce_member_list(s, t->nid, after, NETWORK__MEMBERS_SHOWN,
                                            network__member_take, t->m)))
            return st;
        for (size_t i = 0; i < t->m->n; i++)
            if ((st = enforce__terminate_tx(&sys, t->m->ids[i], "network_ban", reason, NULL, now)))
                return st;
        if (t->m->n < NETWORK__MEMBERS_SHOWN)
            break;
        memcpy(after, t->m->ids[t->m->n - 1], ID_SIZE);
    }
    char object[STORE_OBJECT_MAX + 1], detail[STORE_DETAIL_MAX + 1];
    snprintf(object, sizeof object, "network:%s", t->nid);
    snprintf(detail, sizeof detail, "from %s %s via seller %s: %.300s", t->source_kind,
             t->source_id ? t->source_id : "", t->seller, t->reason);
    return audit_append(s, t->actor, "network.ban", object, AUDIT_OK, detail);
}

ips_status enforce_network_ban(struct ips_ctx *ctx, const char *seller_org_id, const char *reason,
                               const char *source_kind, const char *source_id,
                               char network_id[ID_SIZE])
{
    ips_status st = access_authorize(ctx->actor, ACT_NETWORK_BAN, NULL);
    if (st)
        return st;
    size_t rn = reason ? strlen(reason) : 0, kn = source_kind ? strlen(source_kind) : 0;
    bool bad = false;
    if (rn == 0 || rn > STORE_ENFORCE_REASON_MAX) {
        json_error_add(ctx->errors, "reason", "must be 1 to 300 bytes");
        bad = true;
    }
    if (kn == 0 || kn > STORE_ENFORCE_SOURCE_KIND_MAX ||
        strspn(source_kind, "abcdefghijklmnopqrstuvwxyz_") != kn) {
        json_error_add(ctx->errors, "source_kind", "must be 1 to 32 of a-z and _");
        bad = true;
    }
    if (source_id && strlen(source_id) > STORE_ENFORCE_SOURCE_ID_MAX) {
        json_error_add(ctx->errors, "source_id", "must be at most 64 bytes");
        bad = true;
    }
    if (bad) {
        snprintf(ctx->detail, sizeof ctx->detail, "the ban is not valid");
        return IPS_ERR_INVALID;
    }
    if ((st = enforce__seller_exists(ctx->store, seller_org_id)))
        return st;
    struct network__ban_tx t;
    memset(&t, 0, sizeof t);
    t.cfg = ctx->cfg;
    t.seller = seller_org_id;
    t.reason = reason;
    t.source_kind = source_kind;
    t.source_id = source_id;
    t.actor = access_principal_actor(ctx->actor);
    t.m = malloc(sizeof *t.m);
    if (!t.m)
        return IPS_ERR_NOMEM;
    st = store_in_tx(ctx->store) ? network__ban_tx(ctx->store, &t)
                                 : store_tx_run(ctx->store, network__ban_tx, &t);
    free(t.m);
    if (st == IPS_OK && network_id)
        memcpy(network_id, t.nid, ID_SIZE);
    return st;
}

/* ---- the reviewers' view ------------------------------------------------------------------ */

struct network__view {
    struct ips_ctx *ctx;
    json_t *members, *shared;
    const char *nid;
    int64_t now;
};

static ips_status network__member_json(struct network__view *v, const char *org_id)
{
    struct store *s = v->ctx->store;
    struct store_seller sp;
    int64_t strikes = 0, listings = 0, units = 0;
    int rank = 0;
    bool flagged = false;
    ips_status st = store_catalog_seller_get(s, org_id, &sp);
    if (st == IPS_ERR_NOT_FOUND) {
        memset(&sp, 0, sizeof sp);
        st = IPS_OK;
    }
    if (st || (st = store_enforce_strike_count(s, org_id, v->now, &strikes)) ||
        (st = enforce__level(s, org_id, &rank, NULL)) ||
        (st = store_enforce_seller_sales(s, org_id, &listings, &units)) ||
        (v->nid && (st = store_enforce_flag_exists(s, org_id, v->nid, &flagged))))
        return st;
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:b}", "seller_org_id", org_id,
                          "external_id", sp.external_id, "name", sp.display_name, "level",
                          enforce_level_name(rank), "active_strikes", (json_int_t)strikes,
                          "listings", (json_int_t)listings, "units_sold", (json_int_t)units,
                          "evasion_flagged", flagged);
    if (!o || json_array_append_new(v->members, o))
        return IPS_ERR_NOMEM;
    return IPS_OK;
}

static ips_status network__member_view(const char *org_id, void *arg)
{
    return network__member_json(arg, org_id);
}

static ips_status network__holder_take(const char *org_id, void *arg)
{
    return json_array_append_new(arg, json_string(org_id)) ? IPS_ERR_NOMEM : IPS_OK;
}

static ips_status network__shared_take(const struct store_enforce_shared *sh, void *arg)
{
    struct network__view *v = arg;
    char hex[2 * STORE_HASH_LEN + 1];
    sodium_bin2hex(hex, sizeof hex, sh->hash, STORE_HASH_LEN);
    hex[NETWORK__PREFIX_HEX] = '\0';
    json_t *kind = json_object_get(v->shared, sh->kind);
    if (!kind) {
        kind = json_array();
        if (!kind || json_object_set_new(v->shared, sh->kind, kind))
            return IPS_ERR_NOMEM;
    }
    json_t *holders = json_array();
    json_t *o = json_pack("{s:s, s:I, s:o}", "hash_prefix", hex, "sellers", (json_int_t)sh->sellers,
                          "holders", holders);
    if (!o || json_array_append_new(kind, o))
        return IPS_ERR_NOMEM;
    return store_enforce_shared_holders(v->ctx->store, v->nid, sh->kind, sh->hash,
                                        network__holder_take, holders);
}

/* Shared lists of the seller and its network, gathered after reading. */
static ips_status network__view_fill(struct network__view *v, const char *seller_org_id)
{
    if (!v->nid)
        return network__member_json(v, seller_org_id);
    struct network__members *m = malloc(sizeof *m);
    if (!m)
        return IPS_ERR_NOMEM;
    m->n = 0;
    ips_status st = store_enforce_member_list(v->ctx->store, v->nid, "", NETWORK__MEMBERS_SHOWN,
                                              network__member_take, m);
    for (size_t i = 0; st == IPS_OK && i < m->n; i++)
        st = network__member_view(m->ids[i], v);
    free(m);
    if (st == IPS_OK)
        st = store_enforce_shared_list(v->ctx->store, v->nid, network__shared_take, v);
    return st;
}

ips_status enforce_network_get(struct ips_ctx *ctx, const char *seller_org_id, json_t **out)
{
    ips_status st = access_authorize(ctx->actor, ACT_NETWORK_READ, NULL);
    if (st || (st = enforce__seller_exists(ctx->store, seller_org_id)))
        return st;
    char nid[ID_SIZE];
    struct store_network n;
    memset(&n, 0, sizeof n);
    bool have = false;
    st = store_enforce_member_get(ctx->store, seller_org_id, nid);
    if (st == IPS_OK) {
        if ((st = store_enforce_network_get(ctx->store, nid, &n)))
            return st;
        have = true;
    } else if (st != IPS_ERR_NOT_FOUND) {
        return st;
    }
    struct network__view v = {ctx, json_array(), json_object(), have ? nid : NULL, time_now_ms()};
    json_t *res =
        json_pack("{s:o, s:s, s:I, s:b, s:o, s:s, s:s, s:o, s:o}", "id",
                  have ? json_string(nid) : json_null(), "seller_org_id", seller_org_id, "size",
                  (json_int_t)(have ? n.size : 1), "banned", n.banned_ms > 0, "banned_at",
                  enforce__time(n.banned_ms), "ban_kind", n.ban_kind, "ban_reason", n.ban_reason,
                  "members", v.members, "shared_identifiers", v.shared);
    if (!res)
        return IPS_ERR_NOMEM;
    if ((st = network__view_fill(&v, seller_org_id))) {
        json_decref(res);
        return st;
    }
    *out = res;
    return IPS_OK;
}

ips_status enforce_flag_list(struct ips_ctx *ctx, const char *only_seller, const char *after,
                             int limit, store_evasion_flag_cb cb, void *arg)
{
    ips_status st = access_authorize(ctx->actor, ACT_NETWORK_READ, NULL);
    if (st)
        return st;
    return store_enforce_flag_list(ctx->store, only_seller, after, limit, cb, arg);
}

/* ---- the bulk rebuild --------------------------------------------------------------------- */

struct network__scan {
    size_t n, cap;
    uint8_t (*hash)[32];
    char (*seller)[ID_SIZE];
};

static ips_status network__scan_take(const struct store_enforce_ident *id, void *arg)
{
    struct network__scan *sc = arg;
    if (sc->n == sc->cap) {
        size_t cap = sc->cap ? sc->cap * 2 : 1024;
        if (cap > ENFORCE_UF_MAX)
            return IPS_ERR_TOO_LARGE;
        uint8_t(*h)[32] = realloc(sc->hash, cap * sizeof *h);
        if (!h)
            return IPS_ERR_NOMEM;
        sc->hash = h;
        char(*o)[ID_SIZE] = realloc(sc->seller, cap * sizeof *o);
        if (!o)
            return IPS_ERR_NOMEM;
        sc->seller = o;
        sc->cap = cap;
    }
    memcpy(sc->hash[sc->n], id->hash, 32);
    memcpy(sc->seller[sc->n], id->seller_org_id, ID_SIZE);
    sc->n++;
    return IPS_OK;
}

static int network__cmp_id(const void *a, const void *b)
{
    return strcmp(a, b);
}

struct network__rebuild_tx {
    const struct config *cfg;
    const char *actor;
    struct enforce_rebuild_stats stats;
};

static ips_status network__rebuild_tx(struct store *s, void *arg)
{
    struct network__rebuild_tx *t = arg;
    struct network__scan sc = {0, 0, NULL, NULL};
    struct enforce_uf uf;
    char(*ids)[ID_SIZE] = NULL;
    uint32_t *owner = NULL, *first = NULL;
    bool *was_unlabelled = NULL;
    int64_t now = time_now_ms();
    memset(&t->stats, 0, sizeof t->stats);
    memset(&uf, 0, sizeof uf);
    ips_status st = store_enforce_ident_scan(s, network__scan_take, &sc);
    if (st)
        goto out;
    t->stats.identifiers = (int64_t)sc.n;
    /* dense seller indices: the sorted distinct ids */
    size_t ns = 0;
    ids = malloc((sc.n ? sc.n : 1) * sizeof *ids);
    owner = malloc((sc.n ? sc.n : 1) * sizeof *owner);
    if (!ids || !owner) {
        st = IPS_ERR_NOMEM;
        goto out;
    }
    memcpy(ids, sc.seller, sc.n * sizeof *ids);
    qsort(ids, sc.n, sizeof *ids, network__cmp_id);
    for (size_t i = 0; i < sc.n; i++)
        if (ns == 0 || strcmp(ids[ns - 1], ids[i]) != 0)
            memmove(ids[ns++], ids[i], ID_SIZE);
    for (size_t i = 0; i < sc.n; i++) {
        char(*hit)[ID_SIZE] = bsearch(sc.seller[i], ids, ns, sizeof *ids, network__cmp_id);
        owner[i] = (uint32_t)(hit - ids);
    }
    t->stats.sellers = (int64_t)ns;
    if ((st = enforce_uf_init(&uf, (uint32_t)ns)) ||
        (st = enforce_uf_link_hashes(&uf, (const uint8_t(*)[32])sc.hash, owner, sc.n, NULL)))
        goto out;
    t->stats.clusters = uf.sets;
    /* per root, the first member seen carries the cluster's network */
    first = malloc((ns ? ns : 1) * sizeof *first);
    was_unlabelled = calloc(ns ? ns : 1, sizeof *was_unlabelled);
    if (!first || !was_unlabelled) {
        st = IPS_ERR_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < ns; i++)
        first[i] = UINT32_MAX;
    for (size_t i = 0; st == IPS_OK && i < ns; i++) {
        char cur[ID_SIZE], lead[ID_SIZE];
        uint32_t r = enforce_uf_find(&uf, (uint32_t)i);
        st = store_enforce_member_get(s, ids[i], cur);
        if (st == IPS_ERR_NOT_FOUND) {
            was_unlabelled[i] = true;
            st = IPS_OK;
        }
        if (st)
            break;
        if (first[r] == UINT32_MAX) {
            first[r] = (uint32_t)i;
            st = enforce__network_ensure_tx(s, ids[i], now, lead);
            t->stats.relabelled += was_unlabelled[i];
            continue;
        }
        if ((st = store_enforce_member_get(s, ids[first[r]], lead)))
            break;
        if (was_unlabelled[i]) {
            struct store_network n;
            if ((st = store_enforce_network_get(s, lead, &n)))
                break;
            n.size++;
            n.updated_ms = now;
            if ((st = store_enforce_member_put(s, ids[i], lead, now)) ||
                (st = store_enforce_network_update(s, &n)))
                break;
            t->stats.relabelled++;
        } else if (strcmp(cur, lead) != 0) {
            int64_t before = 0;
            struct store_network n;
            if ((st = store_enforce_network_get(s, cur, &n)))
                break;
            before = n.size;
            st = network__merge_tx(s, lead, cur, now, lead);
            t->stats.relabelled += before;
        }
    }
    /* sellers given their first network now are checked for evasion */
    for (size_t i = 0; st == IPS_OK && i < ns; i++)
        if (was_unlabelled[i])
            st = network__evasion_check_tx(s, t->cfg, ids[i], now);
    if (st == IPS_OK) {
        char detail[STORE_DETAIL_MAX + 1];
        snprintf(detail, sizeof detail,
                 "%lld identifiers, %lld sellers, %lld clusters, %lld relabelled",
                 (long long)t->stats.identifiers, (long long)t->stats.sellers,
                 (long long)t->stats.clusters, (long long)t->stats.relabelled);
        st = audit_append(s, t->actor, "network.rebuild", "networks", AUDIT_OK, detail);
    }
out:
    enforce_uf_release(&uf);
    free(sc.hash);
    free(sc.seller);
    free(ids);
    free(owner);
    free(first);
    free(was_unlabelled);
    return st;
}

ips_status enforce_networks_rebuild(struct ips_ctx *ctx, struct enforce_rebuild_stats *stats)
{
    ips_status st = access_authorize(ctx->actor, ACT_NETWORK_REBUILD, NULL);
    if (st)
        return st;
    struct network__rebuild_tx t;
    memset(&t, 0, sizeof t);
    t.cfg = ctx->cfg;
    t.actor = access_principal_actor(ctx->actor);
    st = store_tx_run(ctx->store, network__rebuild_tx, &t);
    if (st == IPS_OK && stats)
        *stats = t.stats;
    return st;
}
