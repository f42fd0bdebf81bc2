/*
 * referrals.c — agencies, creating and routing referrals, who sees them
 * (TLP through access_authorize), sharing approvals and the officers' case
 * work. Contracts: referrals.h; design note docs/internals/referrals.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "audit/audit.h"
#include "catalog/catalog.h"
#include "core/id.h"
#include "core/json.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "enforce/enforce.h"
#include "geo/geo.h"
#include "ledger/ledger.h"
#include "referrals/referrals_internal.h"
#include "rights/rights.h"
#include "store/store_alliance.h"
#include "store/store_catalog.h"
#include "store/store_notices.h"
#include "store/store_rights.h"

#define REF_REASON_MAX 500
#define REF_AGENCIES_MAX 256 /* candidate agencies considered by one routing */

static bool ref__date_ok(const char *d)
{
    char t[32];
    int64_t ms;
    if (!d || strlen(d) != STORE_REF_DATE_MAX)
        return false;
    snprintf(t, sizeof t, "%sT00:00:00Z", d);
    return time_parse_rfc3339(t, &ms) == IPS_OK;
}

/* Copy src into a fixed field; false when it does not fit. */
static bool ref__copy(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src ? src : "");
    if (n >= cap)
        return false;
    memcpy(dst, src ? src : "", n + 1);
    return true;
}

/* True when text is valid UTF-8 (jansson refuses anything else). */
static bool ref__utf8(const char *text)
{
    json_t *v = json_string(text);
    json_decref(v);
    return v != NULL;
}

/* ---- agencies ------------------------------------------------------------------------ */

struct agency_tx {
    struct ips_ctx *ctx;
    struct store_agency a;
    const char *codes[REFERRAL_JURISDICTIONS_MAX];
    char code_buf[REFERRAL_JURISDICTIONS_MAX][GEO_CODE_MAX + 1];
    size_t n;
};

static ips_status ref__agency_tx(struct store *s, void *arg)
{
    struct agency_tx *t = arg;
    struct store_agency old;
    if (store_referrals_agency_get(s, t->a.org_id, &old) == IPS_OK)
        t->a.created_ms = old.created_ms;
    ips_status st = store_referrals_agency_put(s, &t->a);
    if (st || (st = store_referrals_jurisdictions_set(s, t->a.org_id, t->codes, t->n)))
        return st;
    char detail[160];
    snprintf(detail, sizeof detail, "country=%s cross_border=%d jurisdictions=%zu mou=%s..%s",
             t->a.country, t->a.cross_border, t->n, t->a.mou_from, t->a.mou_until);
    return audit_append(s, access_principal_actor(t->ctx->actor), "agency.put", t->a.org_id,
                        AUDIT_OK, detail);
}

/* Validate the jurisdictions array into t; errors to ctx->errors. */
static bool ref__agency_codes(struct agency_tx *t, json_t *arr, json_t *errors)
{
    if (arr && !json_is_array(arr)) {
        json_error_add(errors, "jurisdictions", "must be an array of ISO 3166 codes");
        return false;
    }
    if (json_array_size(arr) > REFERRAL_JURISDICTIONS_MAX) {
        json_error_add(errors, "jurisdictions", "has too many codes (at most 100)");
        return false;
    }
    size_t i;
    json_t *c;
    bool ok = true;
    json_array_foreach(arr, i, c)
    {
        char code[GEO_CODE_MAX + 1];
        if (!json_is_string(c) || !geo_code_normalize(json_string_value(c), code) ||
            !geo_valid(code)) {
            json_error_add(errors, "jurisdictions", "holds a code that is not ISO 3166-1 or -2");
            ok = false;
            continue;
        }
        memcpy(t->code_buf[t->n], code, sizeof code);
        t->codes[t->n] = t->code_buf[t->n];
        t->n++;
    }
    return ok;
}

static bool ref__agency_mou(struct agency_tx *t, json_t *mou, json_t *errors)
{
    if (!mou || json_is_null(mou))
        return true;
    static const char *const allowed[] = {"ref", "from", "until", NULL};
    const char *ref = NULL, *from = NULL, *until = NULL;
    if (!json_is_object(mou)) {
        json_error_add(errors, "mou", "must be an object {ref, from, until} or null");
        return false;
    }
    size_t before = json_array_size(errors);
    json_reject_unknown(mou, allowed, errors);
    json_field_string(mou, "ref", true, STORE_NAME_MAX, &ref, errors);
    json_field_string(mou, "from", true, STORE_REF_DATE_MAX, &from, errors);
    json_field_string(mou, "until", false, STORE_REF_DATE_MAX, &until, errors);
    if (from && !ref__date_ok(from))
        json_error_add(errors, "mou.from", "must be a date written YYYY-MM-DD");
    if (until && until[0] && !ref__date_ok(until))
        json_error_add(errors, "mou.until", "must be a date written YYYY-MM-DD");
    if (from && until && until[0] && strcmp(until, from) < 0)
        json_error_add(errors, "mou.until", "is before mou.from");
    if (json_array_size(errors) != before)
        return false;
    ref__copy(t->a.mou_ref, sizeof t->a.mou_ref, ref);
    ref__copy(t->a.mou_from, sizeof t->a.mou_from, from);
    ref__copy(t->a.mou_until, sizeof t->a.mou_until, until);
    return true;
}

ips_status referral_agency_put(struct ips_ctx *ctx, const char *org_id, json_t *body,
                               struct store_agency *out)
{
    static const char *const allowed[] = {"country", "cross_border", "jurisdictions", "mou", NULL};
    ips_status st = access_check(ctx, ACT_AGENCY_MANAGE, NULL, org_id);
    if (st)
        return st;
    struct store_org org;
    if (!id_is_valid(org_id) || (st = store_org_get(ctx->store, org_id, &org)))
        return st ? st : IPS_ERR_NOT_FOUND;
    json_t *errors = ctx->errors ? ctx->errors : json_array();
    struct agency_tx *t = calloc(1, sizeof *t);
    if (!t || !errors) {
        st = IPS_ERR_NOMEM;
        goto out;
    }
    t->ctx = ctx;
    size_t before = json_array_size(errors);
    if (strcmp(org.kind, "agency") != 0)
        json_error_add(errors, "org_id", "is not an organisation of kind agency");
    json_reject_unknown(body, allowed, errors);
    json_t *cb = json_object_get(body, "cross_border");
    if (cb && !json_is_boolean(cb))
        json_error_add(errors, "cross_border", "must be true or false");
    t->a.cross_border = json_is_true(cb);
    const char *country = NULL;
    json_field_string(body, "country", !t->a.cross_border, 2, &country, errors);
    char cc[GEO_CODE_MAX + 1] = "";
    if (country && country[0] &&
        (!geo_code_normalize(country, cc) || !geo_valid(cc) || geo_is_subdivision(cc)))
        json_error_add(errors, "country", "must be an ISO 3166-1 alpha-2 country code");
    ref__agency_codes(t, json_object_get(body, "jurisdictions"), errors);
    if (t->n == 0 && !t->a.cross_border)
        json_error_add(errors, "jurisdictions", "must name at least one country or subdivision");
    ref__agency_mou(t, json_object_get(body, "mou"), errors);
    if (json_array_size(errors) != before) {
        snprintf(ctx->detail, sizeof ctx->detail, "the agency settings are not valid");
        st = IPS_ERR_INVALID;
        goto out;
    }
    memcpy(t->a.org_id, org.id, sizeof t->a.org_id);
    memcpy(t->a.name, org.name, sizeof t->a.name);
    memcpy(t->a.country, cc, sizeof t->a.country);
    t->a.created_ms = t->a.updated_ms = time_now_ms();
    st = store_tx_run(ctx->store, ref__agency_tx, t);
    if (st == IPS_OK && out)
        st = store_referrals_agency_get(ctx->store, org_id, out);
out:
    if (errors != ctx->errors)
        json_decref(errors);
    free(t);
    return st;
}

ips_status referral_agency_get(struct ips_ctx *ctx, const char *org_id, struct store_agency *out)
{
    ips_status st = access_check(ctx, ACT_AGENCY_READ, NULL, org_id);
    return st ? st : store_referrals_agency_get(ctx->store, org_id, out);
}

ips_status referral_agency_list(struct ips_ctx *ctx, const char *after, int limit,
                                store_agency_cb cb, void *arg)
{
    ips_status st = access_check(ctx, ACT_AGENCY_READ, NULL, "agencies");
    return st ? st : store_referrals_agency_list(ctx->store, after, limit, cb, arg);
}

ips_status referral_agency_codes(struct ips_ctx *ctx, const char *org_id, store_code_cb cb,
                                 void *arg)
{
    ips_status st = access_check(ctx, ACT_AGENCY_READ, NULL, org_id);
    return st ? st : store_referrals_jurisdiction_list(ctx->store, org_id, cb, arg);
}

/* ---- routing over the store ----------------------------------------------------------- */

/* Every agency with its codes, for referral_route_decide. */
struct route_set {
    struct store *s;
    struct store_agency rows[REF_AGENCIES_MAX];
    struct referral_route_agency ag[REF_AGENCIES_MAX];
    char (*codes)[GEO_CODE_MAX + 1]; /* all codes, REF_AGENCIES_MAX * JUR_MAX */
    const char **code_ptrs;
    size_t n, n_codes;
    char last[ID_SIZE];
};

static ips_status route__take_code(const char *code, void *arg)
{
    struct route_set *rs = arg;
    if (rs->n_codes >= (size_t)REF_AGENCIES_MAX * REFERRAL_JURISDICTIONS_MAX)
        return IPS_OK;
    ref__copy(rs->codes[rs->n_codes], GEO_CODE_MAX + 1, code);
    rs->code_ptrs[rs->n_codes] = rs->codes[rs->n_codes];
    rs->n_codes++;
    return IPS_OK;
}

static ips_status route__take_agency(const struct store_agency *a, void *arg)
{
    struct route_set *rs = arg;
    snprintf(rs->last, sizeof rs->last, "%s", a->org_id);
    if (rs->n >= REF_AGENCIES_MAX)
        return IPS_OK;
    struct store_agency *row = &rs->rows[rs->n];
    *row = *a;
    size_t first = rs->n_codes;
    ips_status st = store_referrals_jurisdiction_list(rs->s, a->org_id, route__take_code, rs);
    if (st)
        return st;
    rs->ag[rs->n] = (struct referral_route_agency){.org_id = row->org_id,
                                                   .country = row->country,
                                                   .cross_border = row->cross_border,
                                                   .mou_from = row->mou_from,
                                                   .mou_until = row->mou_until,
                                                   .codes = rs->code_ptrs + first,
                                                   .n_codes = rs->n_codes - first};
    rs->n++;
    return IPS_OK;
}

static void route__set_free(struct route_set *rs)
{
    if (rs) {
        free(rs->codes);
        free(rs->code_ptrs);
        free(rs);
    }
}

static ips_status route__set_load(struct store *s, struct route_set **out)
{
    struct route_set *rs = calloc(1, sizeof *rs);
    size_t max = (size_t)REF_AGENCIES_MAX * REFERRAL_JURISDICTIONS_MAX;
    if (rs) {
        rs->codes = calloc(max, sizeof *rs->codes);
        rs->code_ptrs = calloc(max, sizeof *rs->code_ptrs);
    }
    if (!rs || !rs->codes || !rs->code_ptrs) {
        route__set_free(rs);
        return IPS_ERR_NOMEM;
    }
    rs->s = s;
    ips_status st;
    size_t before;
    do {
        before = rs->n;
        st = store_referrals_agency_list(s, rs->last, 100, route__take_agency, rs);
    } while (st == IPS_OK && rs->n - before == 100 && rs->n < REF_AGENCIES_MAX);
    if (st) {
        route__set_free(rs);
        return st;
    }
    *out = rs;
    return IPS_OK;
}

/* ---- creating ------------------------------------------------------------------------ */

struct create_tx {
    struct ips_ctx *ctx;
    struct store_referral r;
    struct note_signer signer;
    const char *const *sellers; /* given sellers; network expands in the tx */
    bool network;
    json_t *holders;      /* right holder org ids given, or NULL */
    json_t *buyers;       /* validated country codes */
    json_t *seen_sellers; /* set, reset per attempt */
    json_t *seen_holders;
    json_t *network_json; /* enforce_network_get's answer, with network */
};

static ips_status ref__take_set(const char *code, void *arg)
{
    return json_object_set_new(arg, code, json_true()) == 0 ? IPS_OK : IPS_ERR_NOMEM;
}

static ips_status create__holder_of_notice(const struct store_notice *n, void *arg)
{
    return json_object_set_new(arg, n->right_org_id, json_true()) == 0 ? IPS_OK : IPS_ERR_NOMEM;
}

/* Route r and write its recipients; r->route_note set. */
static ips_status create__route(struct store *s, struct store_referral *r, json_t *holders,
                                json_t *buyers)
{
    const char *rh_c[64], *buy_c[REFERRAL_COUNTRIES_MAX];
    char rh_buf[64][3];
    size_t n_rh = 0, n_buy = 0;
    const char *org;
    json_t *v;
    json_object_foreach(holders, org, v)
    {
        struct store_rh_application app;
        if (n_rh < 64 && store_rights_application_get(s, org, &app) == IPS_OK && app.country[0]) {
            memcpy(rh_buf[n_rh], app.country, 3);
            rh_c[n_rh] = rh_buf[n_rh];
            n_rh++;
        }
    }
    size_t i;
    json_array_foreach(buyers, i, v)
    {
        if (n_buy < REFERRAL_COUNTRIES_MAX)
            buy_c[n_buy++] = json_string_value(v);
    }
    struct route_set *rs = NULL;
    ips_status st = route__set_load(s, &rs);
    if (st)
        return st;
    char today[STORE_DATE_MAX + 1];
    rights_today(today);
    struct referral_route_in in = {r->ship_from, rh_c, n_rh, buy_c, n_buy, today};
    struct referral_route out;
    referral_route_decide(&in, rs->ag, rs->n, &out);
    ref__copy(r->route_note, sizeof r->route_note, out.note);
    if ((st = store_referrals_recipient_clear(s, r->id)))
        goto out;
    struct store_referral_recipient x = {0};
    memcpy(x.referral_id, r->id, sizeof x.referral_id);
    if (out.primary >= 0) {
        ref__copy(x.agency_org_id, sizeof x.agency_org_id, rs->ag[out.primary].org_id);
        ref__copy(x.kind, sizeof x.kind, "primary");
        x.needs_approval = out.primary_needs_approval;
        if ((st = store_referrals_recipient_insert(s, &x)))
            goto out;
    }
    if (out.cross >= 0 &&
        (out.primary < 0 || strcmp(rs->ag[out.cross].org_id, rs->ag[out.primary].org_id) != 0)) {
        ref__copy(x.agency_org_id, sizeof x.agency_org_id, rs->ag[out.cross].org_id);
        ref__copy(x.kind, sizeof x.kind, "cross_border");
        x.needs_approval = true;
        st = store_referrals_recipient_insert(s, &x);
    }
out:
    route__set_free(rs);
    return st;
}

static ips_status ref__create_tx(struct store *s, void *arg)
{
    struct create_tx *t = arg;
    struct ips_ctx *ctx = t->ctx;
    json_object_clear(t->seen_sellers);
    json_object_clear(t->seen_holders);
    struct store_referral *r = &t->r;
    ips_status st = store_referrals_referral_insert(s, r);
    if (st)
        return st;
    /* Sellers: the one given, and with network every member of its network
     * (src/enforce, read before the transaction). */
    if ((st = ref__take_set(r->seller_org_id, t->seen_sellers)))
        return st;
    size_t k;
    json_t *mem;
    json_array_foreach(json_object_get(t->network_json, "members"), k, mem)
    {
        const char *id = json_string_value(json_object_get(mem, "seller_org_id"));
        if (id && (st = ref__take_set(id, t->seen_sellers)))
            return st;
    }
    if (json_object_size(t->seen_sellers) > REFERRAL_SELLERS_MAX) {
        snprintf(ctx->detail, sizeof ctx->detail, "the network has more than %d sellers",
                 REFERRAL_SELLERS_MAX);
        return IPS_ERR_TOO_LARGE;
    }
    const char *seller;
    json_t *v;
    json_object_foreach(t->seen_sellers, seller, v)
    {
        if ((st = store_referrals_seller_add(s, r->id, seller)))
            return st;
        if (!t->holders) {
            struct store_notice_filter f = {.seller_org_id = seller};
            if ((st = store_notices_notice_list(s, &f, NULL, 1000, create__holder_of_notice,
                                                t->seen_holders)))
                return st;
        }
    }
    size_t i;
    json_array_foreach(t->holders, i, v)
        json_object_set_new(t->seen_holders, json_string_value(v), json_true());
    const char *org;
    json_object_foreach(t->seen_holders, org, v)
    {
        if ((st = store_referrals_rightholder_add(s, r->id, org)))
            return st;
    }
    if ((st = create__route(s, r, t->seen_holders, t->buyers)))
        return st;
    struct blob_info archive;
    if ((st = referrals__evidence_build(ctx, r, &t->signer, &archive, r->manifest_sha256,
                                        &r->units_sold)))
        return st;
    memcpy(r->evidence_sha256, archive.sha256, sizeof r->evidence_sha256);
    if ((st = store_referrals_referral_update(s, r)))
        return st;
    char detail[STORE_REF_NOTE_MAX + 120];
    snprintf(detail, sizeof detail, "tlp=%s sellers=%zu evidence=%s; %s", r->tlp,
             json_object_size(t->seen_sellers), r->evidence_sha256, r->route_note);
    return audit_append(s, access_principal_actor(ctx->actor), "referral.create", r->id, AUDIT_OK,
                        detail);
}

/* Validate the create body into t. */
static bool ref__create_parse(struct create_tx *t, json_t *body, json_t *errors)
{
    static const char *const allowed[] = {
        "seller_org_id",       "summary", "tlp", "buyer_countries",
        "rightholder_org_ids", "network", NULL};
    size_t before = json_array_size(errors);
    const char *seller = NULL, *summary = NULL, *tlp = NULL;
    json_reject_unknown(body, allowed, errors);
    json_field_string(body, "seller_org_id", true, ID_LEN, &seller, errors);
    json_field_string(body, "summary", true, STORE_REF_SUMMARY_MAX, &summary, errors);
    json_field_string(body, "tlp", false, STORE_REF_TLP_MAX, &tlp, errors);
    enum access_tlp label = TLP_AMBER;
    if (tlp && !referral_tlp_parse(tlp, &label))
        json_error_add(errors, "tlp", "must be CLEAR, GREEN, AMBER, AMBER+STRICT or RED");
    json_t *net = json_object_get(body, "network");
    if (net && !json_is_boolean(net))
        json_error_add(errors, "network", "must be true or false");
    t->network = json_is_true(net);
    json_t *buyers = json_object_get(body, "buyer_countries");
    if (buyers && (!json_is_array(buyers) || json_array_size(buyers) > REFERRAL_COUNTRIES_MAX))
        json_error_add(errors, "buyer_countries", "must be an array of at most 50 country codes");
    size_t i;
    json_t *v;
    json_array_foreach(buyers, i, v)
    {
        char cc[GEO_CODE_MAX + 1];
        if (!json_is_string(v) || !geo_code_normalize(json_string_value(v), cc) || !geo_valid(cc) ||
            geo_is_subdivision(cc)) {
            json_error_add(errors, "buyer_countries", "holds a value that is not a country code");
            break;
        }
        json_array_append_new(t->buyers, json_string(cc));
    }
    json_t *holders = json_object_get(body, "rightholder_org_ids");
    if (holders && (!json_is_array(holders) || json_array_size(holders) > 64))
        json_error_add(errors, "rightholder_org_ids", "must be an array of at most 64 org ids");
    json_array_foreach(holders, i, v)
    {
        if (!json_is_string(v) || !id_is_valid(json_string_value(v))) {
            json_error_add(errors, "rightholder_org_ids", "holds a value that is not an org id");
            break;
        }
    }
    t->holders = json_is_array(holders) ? holders : NULL;
    if (json_array_size(errors) != before)
        return false;
    struct store_referral *r = &t->r;
    id_new(r->id);
    ref__copy(r->seller_org_id, sizeof r->seller_org_id, seller);
    ref__copy(r->created_by, sizeof r->created_by, access_principal_actor(t->ctx->actor));
    ref__copy(r->summary, sizeof r->summary, summary);
    ref__copy(r->tlp, sizeof r->tlp, referral_tlp_name(label));
    ref__copy(r->status, sizeof r->status, "received");
    char *bc = json_dumps(t->buyers, JSON_COMPACT);
    bool fits = bc && ref__copy(r->buyer_countries, sizeof r->buyer_countries, bc);
    free(bc);
    if (!fits) {
        json_error_add(errors, "buyer_countries", "is too long");
        return false;
    }
    r->created_ms = r->updated_ms = time_now_ms();
    return true;
}

ips_status referral_create(struct ips_ctx *ctx, json_t *body, struct store_referral *out)
{
    ips_status st = access_check(ctx, ACT_REFERRAL_CREATE, NULL, "referral");
    if (st)
        return st;
    json_t *errors = ctx->errors ? ctx->errors : json_array();
    struct create_tx *t = calloc(1, sizeof *t);
    if (!t || !errors) {
        st = IPS_ERR_NOMEM;
        goto out;
    }
    t->ctx = ctx;
    t->buyers = json_array();
    t->seen_sellers = json_object();
    t->seen_holders = json_object();
    if (!t->buyers || !t->seen_sellers || !t->seen_holders) {
        st = IPS_ERR_NOMEM;
        goto out;
    }
    if (!ref__create_parse(t, body, errors)) {
        snprintf(ctx->detail, sizeof ctx->detail, "the referral is not valid");
        st = IPS_ERR_INVALID;
        goto out;
    }
    struct store_org seller;
    if ((st = store_org_get(ctx->store, t->r.seller_org_id, &seller)))
        goto out;
    if (strcmp(seller.kind, "seller") != 0) {
        json_error_add(errors, "seller_org_id", "is not a seller organisation");
        st = IPS_ERR_INVALID;
        goto out;
    }
    struct store_seller sp;
    if (store_catalog_seller_get(ctx->store, seller.id, &sp) == IPS_OK)
        memcpy(t->r.ship_from, sp.ship_from, sizeof t->r.ship_from);
    if (t->network) {
        if ((st = enforce_network_get(ctx, seller.id, &t->network_json)))
            goto out;
        const char *nid = json_string_value(json_object_get(t->network_json, "id"));
        if (nid)
            ref__copy(t->r.network_id, sizeof t->r.network_id, nid);
    }
    if ((st = ledger_signer_load(ctx->cfg, &t->signer))) {
        snprintf(ctx->detail, sizeof ctx->detail,
                 "the platform's signing key (the ledger key) is not available");
        goto out;
    }
    st = store_tx_run(ctx->store, ref__create_tx, t);
    if (st == IPS_OK)
        *out = t->r;
out:
    if (t) {
        sodium_memzero(&t->signer, sizeof t->signer);
        json_decref(t->buyers);
        json_decref(t->seen_sellers);
        json_decref(t->seen_holders);
        json_decref(t->network_json);
    }
    if (errors != ctx->errors)
        json_decref(errors);
    free(t);
    return st;
}

/* ---- who sees what ------------------------------------------------------------------- */

struct share_scan {
    const char *org;
    enum access_share share;
    bool routed_to_actor; /* the actor's org is the primary, shared recipient */
};

static ips_status share__recipient(const struct store_referral_recipient *x, void *arg)
{
    struct share_scan *sc = arg;
    bool shared = !x->needs_approval || x->approved_ms > 0;
    if (!shared || strcmp(x->agency_org_id, sc->org) != 0)
        return IPS_OK;
    bool primary = strcmp(x->kind, "primary") == 0;
    enum access_share s = primary ? SHARE_RECIPIENT : SHARE_ORG;
    if (s > sc->share)
        sc->share = s;
    sc->routed_to_actor |= primary;
    return IPS_OK;
}

static ips_status share__seller(const char *seller, void *arg)
{
    struct share_scan *sc = arg;
    if (strcmp(seller, sc->org) == 0)
        sc->share = SHARE_NONE;
    return IPS_OK;
}

/* How close the actor's organisation stands to referral r. */
static ips_status ref__share_of(struct ips_ctx *ctx, const struct store_referral *r,
                                struct share_scan *sc)
{
    struct store *s = ctx->store;
    memset(sc, 0, sizeof *sc);
    sc->org = ctx->actor->org_id;
    sc->share = SHARE_PUBLIC;
    if (ctx->actor->via == VIA_SYSTEM || !sc->org[0])
        return IPS_OK;
    struct store_org org;
    ips_status st = store_org_get(s, sc->org, &org);
    if (st)
        return st == IPS_ERR_NOT_FOUND ? IPS_OK : st;
    if (strcmp(org.kind, "seller") == 0) { /* the subject side never sees referrals */
        sc->share = SHARE_NONE;
        return IPS_OK;
    }
    struct store_alliance_member m;
    if (store_alliance_member_get(s, sc->org, &m) == IPS_OK && strcmp(m.status, "active") == 0)
        sc->share = SHARE_COMMUNITY;
    bool holder = false;
    if ((st = store_referrals_rightholder_has(s, r->id, sc->org, &holder)))
        return st;
    if (holder)
        sc->share = SHARE_CLIENT;
    if ((st = store_referrals_recipient_list(s, r->id, share__recipient, sc)))
        return st;
    return store_referrals_seller_list(s, r->id, share__seller, sc);
}

/* The label of r for act: its own, raised to floor (the evidence package
 * is never more open than AMBER+STRICT). */
static enum access_tlp ref__label(const struct store_referral *r, enum access_tlp floor)
{
    enum access_tlp label = TLP_RED; /* an unreadable label fails closed */
    referral_tlp_parse(r->tlp, &label);
    return label > floor ? label : floor;
}

/* Load and check a referral for act; refusals audited as denied. */
static ips_status ref__load(struct ips_ctx *ctx, const char *id, enum access_action act,
                            enum access_tlp floor, struct store_referral *r, struct share_scan *sc)
{
    ips_status st =
        id_is_valid(id) ? store_referrals_referral_get(ctx->store, id, r) : IPS_ERR_NOT_FOUND;
    enum access_tlp label = TLP_NONE; /* a missing referral: refused like another's */
    memset(sc, 0, sizeof *sc);
    if (st == IPS_OK) {
        label = ref__label(r, floor);
        st = ref__share_of(ctx, r, sc);
    }
    if (st && st != IPS_ERR_NOT_FOUND)
        return st;
    ips_status ok = access_check_tlp(ctx, act, label, sc->share, id);
    return ok == IPS_OK && st == IPS_ERR_NOT_FOUND ? st
                                                   : ok; /* a reviewer asked for a missing one */
}

ips_status referral_get(struct ips_ctx *ctx, const char *id, struct store_referral *out,
                        enum access_share *share)
{
    struct store_referral *r = malloc(sizeof *r);
    struct share_scan sc;
    if (!r)
        return IPS_ERR_NOMEM;
    ips_status st = ref__load(ctx, id, ACT_REFERRAL_READ, TLP_NONE, r, &sc);
    if (st == IPS_OK) {
        audit_record(ctx->store, access_principal_actor(ctx->actor), "referral.read", id, AUDIT_OK,
                     r->tlp);
        *out = *r;
        if (share)
            *share = sc.share;
    }
    free(r);
    return st;
}

struct list_scan {
    struct ips_ctx *ctx;
    store_referral_cb cb;
    void *arg;
    int want, given;
    char last[ID_SIZE];
    ips_status stop;
};

static ips_status list__take(const struct store_referral *r, void *arg)
{
    struct list_scan *ls = arg;
    snprintf(ls->last, sizeof ls->last, "%s", r->id);
    if (ls->given >= ls->want)
        return IPS_OK;
    struct share_scan sc;
    ips_status st = ref__share_of(ls->ctx, r, &sc);
    if (st)
        return st;
    if (access_authorize_tlp(ls->ctx->actor, ACT_REFERRAL_READ, ref__label(r, TLP_NONE),
                             sc.share) != IPS_OK)
        return IPS_OK;
    ls->given++;
    return ls->cb(r, ls->arg);
}

ips_status referral_list(struct ips_ctx *ctx, const char *after, int limit, store_referral_cb cb,
                         void *arg)
{
    ips_status st = access_check(ctx, ACT_REFERRAL_LIST, NULL, "referrals");
    if (st)
        return st;
    struct list_scan ls = {
        .ctx = ctx, .cb = cb, .arg = arg, .want = limit > 0 ? limit : STORE_LIST_DEFAULT_LIMIT};
    snprintf(ls.last, sizeof ls.last, "%s", after ? after : "");
    char prev[ID_SIZE];
    do { /* pages of the store until enough visible ones or the end */
        memcpy(prev, ls.last, sizeof prev);
        st = store_referrals_referral_list(ctx->store, NULL, ls.last, 200, list__take, &ls);
    } while (st == IPS_OK && ls.given < ls.want && strcmp(prev, ls.last) != 0);
    if (st == IPS_OK)
        audit_record(ctx->store, access_principal_actor(ctx->actor), "referral.list",
                     after ? after : "", AUDIT_OK, NULL);
    return st;
}

ips_status referral_recipients(struct ips_ctx *ctx, const char *id, store_recipient_cb cb,
                               void *arg)
{
    struct store_referral r;
    struct share_scan sc;
    ips_status st = ref__load(ctx, id, ACT_REFERRAL_READ, TLP_NONE, &r, &sc);
    return st ? st : store_referrals_recipient_list(ctx->store, id, cb, arg);
}

ips_status referral_history(struct ips_ctx *ctx, const char *id, store_referral_update_cb cb,
                            void *arg)
{
    struct store_referral r;
    struct share_scan sc;
    ips_status st = ref__load(ctx, id, ACT_REFERRAL_READ, TLP_NONE, &r, &sc);
    return st ? st : store_referrals_update_list(ctx->store, id, cb, arg);
}

ips_status referral_sellers(struct ips_ctx *ctx, const char *id, store_code_cb cb, void *arg)
{
    struct store_referral r;
    struct share_scan sc;
    ips_status st = ref__load(ctx, id, ACT_REFERRAL_READ, TLP_NONE, &r, &sc);
    return st ? st : store_referrals_seller_list(ctx->store, id, cb, arg);
}

ips_status referral_evidence_read(struct ips_ctx *ctx, const char *id, void **data, size_t *len,
                                  struct blob_info *info)
{
    struct store_referral r;
    struct share_scan sc;
    ips_status st = ref__load(ctx, id, ACT_EVIDENCE_READ, TLP_AMBER_STRICT, &r, &sc);
    if (st || (st = blob_info_get(ctx, r.evidence_sha256, info)) ||
        (st = blob_read(ctx, r.evidence_sha256, data, len)))
        return st;
    audit_record(ctx->store, access_principal_actor(ctx->actor), "evidence.read", id, AUDIT_OK,
                 r.evidence_sha256);
    return IPS_OK;
}

/* ---- reviewer actions ------------------------------------------------------------------ */

struct review_tx {
    struct ips_ctx *ctx;
    const char *id, *agency, *reason, *tlp;
    enum { REVIEW_APPROVE, REVIEW_TLP, REVIEW_ROUTE } what;
    struct store_referral r;
};

struct approve_find {
    const char *agency;
    struct store_referral_recipient x;
    bool found;
};

static ips_status approve__find(const struct store_referral_recipient *x, void *arg)
{
    struct approve_find *f = arg;
    if (strcmp(x->agency_org_id, f->agency) == 0) {
        f->x = *x;
        f->found = true;
    }
    return IPS_OK;
}

static ips_status ref__review_tx(struct store *s, void *arg)
{
    struct review_tx *t = arg;
    struct ips_ctx *ctx = t->ctx;
    ips_status st = store_referrals_referral_get(s, t->id, &t->r);
    if (st)
        return st;
    const char *action = "referral.share";
    char detail[STORE_REF_NOTE_MAX + 200];
    if (t->what == REVIEW_APPROVE) {
        struct approve_find f = {.agency = t->agency};
        if ((st = store_referrals_recipient_list(s, t->id, approve__find, &f)))
            return st;
        if (!f.found)
            return IPS_ERR_NOT_FOUND;
        if (!f.x.needs_approval || f.x.approved_ms > 0) {
            snprintf(ctx->detail, sizeof ctx->detail,
                     f.x.approved_ms
                         ? "sharing with this agency was approved already"
                         : "this agency is in the seller's country: no approval needed");
            return IPS_ERR_CONFLICT;
        }
        ref__copy(f.x.approved_by, sizeof f.x.approved_by, access_principal_actor(ctx->actor));
        f.x.approved_ms = time_now_ms();
        if ((st = store_referrals_recipient_approve(s, &f.x)))
            return st;
        snprintf(detail, sizeof detail, "cross-border sharing approved with %s (%s): %s", t->agency,
                 f.x.kind, t->reason);
    } else if (t->what == REVIEW_TLP) {
        action = "referral.tlp";
        snprintf(detail, sizeof detail, "%s -> %s: %s", t->r.tlp, t->tlp, t->reason);
        ref__copy(t->r.tlp, sizeof t->r.tlp, t->tlp);
    } else {
        action = "referral.route";
        json_t *holders = json_object(), *buyers = json_loads(t->r.buyer_countries, 0, NULL);
        st = holders ? store_referrals_rightholder_list(s, t->id, ref__take_set, holders)
                     : IPS_ERR_NOMEM;
        if (st == IPS_OK)
            st = create__route(s, &t->r, holders, buyers);
        json_decref(holders);
        json_decref(buyers);
        if (st)
            return st;
        snprintf(detail, sizeof detail, "%s", t->r.route_note);
    }
    t->r.updated_ms = time_now_ms();
    if ((st = store_referrals_referral_update(s, &t->r)))
        return st;
    return audit_append(s, access_principal_actor(ctx->actor), action, t->id, AUDIT_OK, detail);
}

static ips_status ref__review(struct review_tx *t, struct store_referral *out)
{
    struct ips_ctx *ctx = t->ctx;
    ips_status st = access_check(ctx, ACT_REFERRAL_SHARE, NULL, t->id);
    if (st)
        return st;
    if (t->what != REVIEW_ROUTE &&
        (!t->reason || !t->reason[0] || strlen(t->reason) > REF_REASON_MAX)) {
        json_error_add(ctx->errors, "reason", "is required (1-500 bytes)");
        return IPS_ERR_INVALID;
    }
    if (!id_is_valid(t->id) || (t->agency && !id_is_valid(t->agency)))
        return IPS_ERR_NOT_FOUND;
    st = store_tx_run(ctx->store, ref__review_tx, t);
    if (st == IPS_OK && out)
        *out = t->r;
    return st;
}

ips_status referral_share_approve(struct ips_ctx *ctx, const char *id, const char *agency_org_id,
                                  const char *reason, struct store_referral *out)
{
    struct review_tx *t = calloc(1, sizeof *t);
    if (!t)
        return IPS_ERR_NOMEM;
    *t = (struct review_tx){.ctx = ctx,
                            .id = id,
                            .agency = agency_org_id ? agency_org_id : "",
                            .reason = reason,
                            .what = REVIEW_APPROVE};
    ips_status st = ref__review(t, out);
    free(t);
    return st;
}

ips_status referral_tlp_set(struct ips_ctx *ctx, const char *id, const char *tlp,
                            const char *reason, struct store_referral *out)
{
    enum access_tlp label;
    if (!referral_tlp_parse(tlp, &label)) {
        ips_status st = access_check(ctx, ACT_REFERRAL_SHARE, NULL, id);
        if (st)
            return st;
        json_error_add(ctx->errors, "tlp", "must be CLEAR, GREEN, AMBER, AMBER+STRICT or RED");
        return IPS_ERR_INVALID;
    }
    struct review_tx *t = calloc(1, sizeof *t);
    if (!t)
        return IPS_ERR_NOMEM;
    *t = (struct review_tx){.ctx = ctx,
                            .id = id,
                            .reason = reason,
                            .tlp = referral_tlp_name(label),
                            .what = REVIEW_TLP};
    ips_status st = ref__review(t, out);
    free(t);
    return st;
}

ips_status referral_reroute(struct ips_ctx *ctx, const char *id, struct store_referral *out)
{
    struct review_tx *t = calloc(1, sizeof *t);
    if (!t)
        return IPS_ERR_NOMEM;
    *t = (struct review_tx){.ctx = ctx, .id = id, .what = REVIEW_ROUTE};
    ips_status st = ref__review(t, out);
    free(t);
    return st;
}

/* ---- officers' case work ------------------------------------------------------------------ */

struct case_tx {
    struct ips_ctx *ctx;
    struct store_referral r;
    struct store_referral_update u;
    bool feed_back;
};

struct feedback {
    struct ips_ctx *sys;
    const char *referral_id;
    int banned;
};

static ips_status case__ban(const char *seller, void *arg)
{
    struct feedback *fb = arg;
    char reason[120];
    snprintf(reason, sizeof reason, "counterfeiting confirmed by law enforcement (referral %s)",
             fb->referral_id);
    ips_status st = enforce_network_ban(fb->sys, seller, reason, "referral", fb->referral_id, NULL);
    if (st == IPS_OK)
        fb->banned++;
    return st;
}

static ips_status ref__case_tx(struct store *s, void *arg)
{
    struct case_tx *t = arg;
    struct ips_ctx *ctx = t->ctx;
    ips_status st = store_referrals_update_insert(s, &t->u);
    if (st || (st = store_referrals_referral_update(s, &t->r)))
        return st;
    char detail[200];
    snprintf(detail, sizeof detail, "status=%s result=%s arrests=%lld units_seized=%lld",
             t->r.status, t->r.result, (long long)t->r.arrests, (long long)t->r.units_seized);
    if ((st = audit_append(s, access_principal_actor(ctx->actor), "referral.update", t->r.id,
                           AUDIT_OK, detail)))
        return st;
    if (!t->feed_back)
        return IPS_OK;
    /* The feedback is the platform's act on the officer's confirmed
     * outcome: it runs as the system principal, audited as such, in the
     * same transaction as the update that caused it. */
    struct access_principal sys;
    access_principal_system(&sys);
    struct ips_ctx sctx = *ctx;
    sctx.actor = &sys;
    struct feedback fb = {&sctx, t->r.id, 0};
    return store_referrals_seller_list(s, t->r.id, case__ban, &fb);
}

/* Parse the case-update body onto t->r. */
static bool case__parse(struct case_tx *t, json_t *body, json_t *errors)
{
    static const char *const allowed[] = {"status",   "result",       "raid_date",
                                          "arrests",  "units_seized", "value_seized",
                                          "currency", "note",         NULL};
    size_t before = json_array_size(errors);
    const char *status = NULL, *result = NULL, *raid = NULL, *value = NULL, *cur = NULL,
               *note = NULL;
    int64_t arrests = 0, units = 0;
    bool has_arrests = false, has_units = false;
    json_reject_unknown(body, allowed, errors);
    json_field_string(body, "status", true, STORE_KIND_MAX, &status, errors);
    json_field_string(body, "result", false, STORE_KIND_MAX, &result, errors);
    json_field_string(body, "raid_date", false, STORE_REF_DATE_MAX, &raid, errors);
    json_field_int(body, "arrests", false, 0, 1000000, &arrests, &has_arrests, errors);
    json_field_int(body, "units_seized", false, 0, INT64_C(1000000000000), &units, &has_units,
                   errors);
    json_field_string(body, "value_seized", false, 32, &value, errors);
    json_field_string(body, "currency", false, 3, &cur, errors);
    json_field_string(body, "note", false, STORE_REF_NOTE_MAX, &note, errors);
    struct store_referral *r = &t->r;
    int from = referral_status_rank(r->status), to = referral_status_rank(status);
    if (status && to < 0)
        json_error_add(errors, "status",
                       "must be received, investigating, raid, prosecuted or closed");
    else if (status && to < from)
        json_error_add(errors, "status", "cannot move back");
    if (result && strcmp(result, "confirmed") != 0 && strcmp(result, "unfounded") != 0)
        json_error_add(errors, "result", "must be confirmed or unfounded");
    if (result && to >= 0 && to < referral_status_rank("raid"))
        json_error_add(errors, "result", "is given with raid, prosecuted or closed only");
    if (raid && !ref__date_ok(raid))
        json_error_add(errors, "raid_date", "must be a date written YYYY-MM-DD");
    if ((value != NULL) != (cur != NULL))
        json_error_add(errors, "value_seized", "goes together with currency");
    int64_t minor = 0;
    if (value && cur) {
        char cc[4];
        snprintf(cc, sizeof cc, "%s", cur);
        for (char *c = cc; *c; c++)
            *c = (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
        json_t *amount = json_string(value), *why = json_array();
        if (strlen(cc) != 3 || !catalog_price_parse(amount, cc, &minor, why))
            json_error_add(errors, "value_seized",
                           "must be a decimal amount in major units of currency");
        else
            ref__copy(r->value_currency, sizeof r->value_currency, cc);
        json_decref(amount);
        json_decref(why);
    }
    if (json_array_size(errors) != before)
        return false;
    t->feed_back = result && strcmp(result, "confirmed") == 0 && r->feedback_ms == 0;
    ref__copy(r->status, sizeof r->status, status);
    if (result)
        ref__copy(r->result, sizeof r->result, result);
    if (raid)
        ref__copy(r->raid_date, sizeof r->raid_date, raid);
    if (has_arrests)
        r->arrests = arrests;
    if (has_units)
        r->units_seized = units;
    if (value)
        r->value_seized_minor = minor;
    r->updated_ms = time_now_ms();
    if (t->feed_back)
        r->feedback_ms = r->updated_ms;
    id_new(t->u.id);
    memcpy(t->u.referral_id, r->id, sizeof t->u.referral_id);
    ref__copy(t->u.actor, sizeof t->u.actor, access_principal_actor(t->ctx->actor));
    ref__copy(t->u.status, sizeof t->u.status, status);
    ref__copy(t->u.note, sizeof t->u.note, note);
    t->u.created_ms = r->updated_ms;
    return true;
}

/* Who works a case: the primary recipient, once shared with it. */
static ips_status case__primary(const struct store_referral_recipient *x, void *arg)
{
    if (strcmp(x->kind, "primary") == 0 && (!x->needs_approval || x->approved_ms > 0))
        memcpy(arg, x->agency_org_id, ID_SIZE);
    return IPS_OK;
}

/* Load referral id into *r for case work by the actor (REFERRAL_WORK: the
 * officers of the primary agency, once shared with it); a missing one is
 * answered like another agency's. A closed case: IPS_ERR_CONFLICT. */
static ips_status case__load(struct ips_ctx *ctx, const char *id, struct store_referral *r)
{
    char agency[ID_SIZE] = "";
    ips_status st =
        id_is_valid(id) ? store_referrals_referral_get(ctx->store, id, r) : IPS_ERR_NOT_FOUND;
    if (st == IPS_OK)
        st = store_referrals_recipient_list(ctx->store, id, case__primary, agency);
    if (st && st != IPS_ERR_NOT_FOUND)
        return st;
    struct access_object obj = {.org_id = agency[0] ? agency : NULL};
    ips_status ok = access_check(ctx, ACT_REFERRAL_WORK, &obj, id ? id : "");
    if (ok || st)
        return ok ? ok : st;
    if (strcmp(r->status, "closed") == 0) {
        snprintf(ctx->detail, sizeof ctx->detail, "the case is closed");
        return IPS_ERR_CONFLICT;
    }
    return IPS_OK;
}

ips_status referral_case_check(struct ips_ctx *ctx, const char *id)
{
    struct store_referral *r = malloc(sizeof *r);
    ips_status st = r ? case__load(ctx, id, r) : IPS_ERR_NOMEM;
    free(r);
    return st;
}

ips_status referral_case_update(struct ips_ctx *ctx, const char *id, json_t *body,
                                struct store_referral *out)
{
    struct case_tx *t = calloc(1, sizeof *t);
    if (!t)
        return IPS_ERR_NOMEM;
    t->ctx = ctx;
    ips_status st = case__load(ctx, id, &t->r);
    if (st)
        goto out;
    if (!case__parse(t, body, ctx->errors)) {
        snprintf(ctx->detail, sizeof ctx->detail, "the case update is not valid");
        st = IPS_ERR_INVALID;
        goto out;
    }
    st = store_tx_run(ctx->store, ref__case_tx, t);
    if (st == IPS_OK && out)
        *out = t->r;
out:
    free(t);
    return st;
}

/* ---- case files ---------------------------------------------------------------------------- */

struct file_tx {
    struct ips_ctx *ctx;
    struct store_referral r;
    struct store_referral_file f;
    struct store_referral_update u;
    const void *data;
    size_t len;
    struct note_signer signer;
};

static ips_status ref__file_tx(struct store *s, void *arg)
{
    struct file_tx *t = arg;
    struct ips_ctx *ctx = t->ctx;
    struct blob_info info;
    ips_status st = blob_put(ctx, t->data, t->len, BLOB_TYPES_DOCUMENT, &info);
    if (st)
        return st;
    memcpy(t->f.sha256, info.sha256, sizeof t->f.sha256);
    ref__copy(t->f.mime, sizeof t->f.mime, info.mime);
    t->f.size = (int64_t)info.size;
    if ((st = store_referrals_file_insert(s, &t->f))) {
        if (st == IPS_ERR_CONFLICT)
            snprintf(ctx->detail, sizeof ctx->detail, "this file is attached to the case already");
        return st;
    }
    struct blob_info archive;
    if ((st = store_referrals_update_insert(s, &t->u)) ||
        (st = referrals__evidence_build(ctx, &t->r, &t->signer, &archive, t->r.manifest_sha256,
                                        &t->r.units_sold)))
        return st;
    memcpy(t->r.evidence_sha256, archive.sha256, sizeof t->r.evidence_sha256);
    if ((st = store_referrals_referral_update(s, &t->r)))
        return st;
    char detail[STORE_REF_FILE_NAME_MAX + 160];
    snprintf(detail, sizeof detail, "file=%s name=%s evidence=%s", t->f.sha256, t->f.name,
             t->r.evidence_sha256);
    return audit_append(s, access_principal_actor(ctx->actor), "referral.file", t->r.id, AUDIT_OK,
                        detail);
}

ips_status referral_case_file_add(struct ips_ctx *ctx, const char *id, const char *name,
                                  const void *data, size_t len, const char *note,
                                  struct store_referral *out)
{
    struct file_tx *t = calloc(1, sizeof *t);
    if (!t)
        return IPS_ERR_NOMEM;
    t->ctx = ctx;
    t->data = data;
    t->len = len;
    ips_status st = case__load(ctx, id, &t->r);
    if (st)
        goto out;
    bool ok = true;
    if (!name || !name[0] || !ref__copy(t->f.name, sizeof t->f.name, name) || !ref__utf8(name)) {
        json_error_add(ctx->errors, "file", "needs a file name of 1-200 bytes of UTF-8");
        ok = false;
    }
    if (!data || len == 0) {
        json_error_add(ctx->errors, "file", "must not be empty");
        ok = false;
    }
    if (note && (!ref__copy(t->f.note, sizeof t->f.note, note) || !ref__utf8(note))) {
        json_error_add(ctx->errors, "note", "must be at most 2000 bytes of UTF-8");
        ok = false;
    }
    if (!ok) {
        snprintf(ctx->detail, sizeof ctx->detail, "the case file is not valid");
        st = IPS_ERR_INVALID;
        goto out;
    }
    memcpy(t->f.referral_id, t->r.id, sizeof t->f.referral_id);
    ref__copy(t->f.added_by, sizeof t->f.added_by, access_principal_actor(ctx->actor));
    t->r.updated_ms = t->f.created_ms = time_now_ms();
    id_new(t->u.id);
    memcpy(t->u.referral_id, t->r.id, sizeof t->u.referral_id);
    ref__copy(t->u.actor, sizeof t->u.actor, t->f.added_by);
    ref__copy(t->u.status, sizeof t->u.status, t->r.status);
    /* The history names the file; its note stays with the file (case files). */
    snprintf(t->u.note, sizeof t->u.note, "file attached: %s", t->f.name);
    t->u.created_ms = t->r.updated_ms;
    if ((st = ledger_signer_load(ctx->cfg, &t->signer))) {
        snprintf(ctx->detail, sizeof ctx->detail,
                 "the platform's signing key (the ledger key) is not available");
        goto out;
    }
    st = store_tx_run(ctx->store, ref__file_tx, t);
    if (st == IPS_OK && out)
        *out = t->r;
out:
    sodium_memzero(&t->signer, sizeof t->signer);
    free(t);
    return st;
}

ips_status referral_files(struct ips_ctx *ctx, const char *id, store_referral_file_cb cb, void *arg)
{
    struct store_referral r;
    struct share_scan sc;
    ips_status st = ref__load(ctx, id, ACT_REFERRAL_READ, TLP_NONE, &r, &sc);
    if (st)
        return st;
    if (access_authorize_tlp(ctx->actor, ACT_EVIDENCE_READ, ref__label(&r, TLP_AMBER_STRICT),
                             sc.share) != IPS_OK)
        return IPS_OK; /* the files are evidence: not for this reader */
    return store_referrals_file_list(ctx->store, id, cb, arg);
}
