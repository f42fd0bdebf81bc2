/*
 * litigation.c — opening, reading and listing litigation files; the
 * damages table and the signed evidence bundle are made when a file opens,
 * in one transaction with its audit event. Contracts: litigation.h; design
 * note docs/internals/litigation.md.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "audit/audit.h"
#include "core/id.h"
#include "core/json.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "ledger/ledger.h"
#include "litigation/litigation.h"
#include "referrals/referrals.h"
#include "rights/rights.h"
#include "store/store_catalog.h"
#include "catalog/catalog.h"

#define LIT_DAY_MS INT64_C(86400000)
#define LIT_BASIS_REFS 8 /* references named in one damages row */

/* Copy src into a fixed field; false when it does not fit. */
static bool lit__copy(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src ? src : "");
    if (n >= cap)
        return false;
    memcpy(dst, src ? src : "", n + 1);
    return true;
}

/* Midnight UTC of a YYYY-MM-DD date; false for anything else. */
static bool lit__date_ms(const char *d, int64_t *ms)
{
    char t[32];
    if (!d || strlen(d) != STORE_LIT_DATE_LEN)
        return false;
    snprintf(t, sizeof t, "%sT00:00:00Z", d);
    return time_parse_rfc3339(t, ms) == IPS_OK;
}

static json_t *lit__time(int64_t ms)
{
    char t[40];
    return ms > 0 && time_format_rfc3339(ms, t, sizeof t) == IPS_OK ? json_string(t) : json_null();
}

/* Let the actor read file f (LITIGATION_READ on its holder, agents
 * included); refusals audited as denied. */
static ips_status lit__check(struct ips_ctx *ctx, enum access_action act, const char *holder,
                             const char *object)
{
    bool agent = false;
    ips_status st = rights_agent_authorised(ctx, holder, &agent);
    if (st)
        return st;
    struct access_object obj = {holder, NULL, agent};
    return access_check(ctx, act, &obj, object);
}

/* ---- opening ------------------------------------------------------------------------------ */

struct open_tx {
    struct ips_ctx *ctx;
    struct store_litigation f;
    struct note_signer signer;
    int64_t from_ms, to_ms;
    json_t *basis; /* listing id -> [{kind, id}] */
    json_t *rows;  /* damages rows, as stored */
    struct litigation_snapshot *snaps;
    size_t n_snaps;
    int64_t last_version;                    /* the oldest version read so far */
    char title[STORE_LISTING_TITLE_MAX + 1]; /* of the listing being read */
    struct litigation_line lines[LITIGATION_LINES_MAX];
};

static ips_status open__take_basis(const char *listing_id, const char *kind, const char *ref,
                                   void *arg)
{
    json_t *basis = arg;
    json_t *refs = json_object_get(basis, listing_id);
    if (!refs) {
        if (json_object_size(basis) >= LITIGATION_LISTINGS_MAX)
            return IPS_ERR_TOO_LARGE;
        refs = json_array();
        if (!refs || json_object_set_new(basis, listing_id, refs) != 0)
            return IPS_ERR_NOMEM;
    }
    return json_array_append_new(refs, json_pack("{s:s, s:s}", "kind", kind, "id", ref)) == 0
               ? IPS_OK
               : IPS_ERR_NOMEM;
}

/* Versions arrive newest first: fill the snapshots from the end. */
static ips_status open__take_version(const struct store_listing_version *v, void *arg)
{
    struct open_tx *t = arg;
    if (t->n_snaps >= LITIGATION_VERSIONS_MAX)
        return IPS_ERR_TOO_LARGE;
    struct litigation_snapshot *s = &t->snaps[LITIGATION_VERSIONS_MAX - 1 - t->n_snaps++];
    t->last_version = v->version;
    s->at_ms = v->created_ms;
    s->units_sold = v->units_sold;
    s->price_minor = v->price_minor;
    snprintf(s->currency, sizeof s->currency, "%s", v->currency);
    /* The title shown at the end of the period: the newest one recorded by then. */
    if (!t->title[0] && v->created_ms <= t->to_ms)
        lit__copy(t->title, sizeof t->title, v->title);
    return IPS_OK;
}

/* "notice 01H..., detection 01H..." (the first LIT_BASIS_REFS, then a count). */
static void open__basis_text(json_t *refs, char *out, size_t cap)
{
    size_t i, used = 0;
    json_t *r;
    out[0] = '\0';
    json_array_foreach(refs, i, r)
    {
        if (i == LIT_BASIS_REFS) {
            snprintf(out + used, cap - used, " and %zu more", json_array_size(refs) - i);
            break;
        }
        int k = snprintf(out + used, cap - used, "%s%s %s", i ? ", " : "",
                         json_string_value(json_object_get(r, "kind")),
                         json_string_value(json_object_get(r, "id")));
        if (k < 0 || (size_t)k >= cap - used)
            break;
        used += (size_t)k;
    }
}

/* The damages rows of one infringing listing. */
static ips_status open__listing(struct open_tx *t, const char *listing_id, json_t *refs)
{
    struct store *s = t->ctx->store;
    t->n_snaps = 0;
    t->title[0] = '\0';
    int64_t before = 0;
    ips_status st;
    for (;;) { /* every version, newest first, a page at a time */
        size_t got = t->n_snaps;
        if ((st = store_catalog_version_list(s, listing_id, before, 500, open__take_version, t)))
            return st;
        if (t->n_snaps - got < 500 || t->last_version <= 1)
            break;
        before = t->last_version;
    }
    const struct litigation_snapshot *snaps = &t->snaps[LITIGATION_VERSIONS_MAX - t->n_snaps];
    size_t n = 0;
    if ((st = litigation_damages_compute(snaps, t->n_snaps, t->from_ms, t->to_ms, t->lines,
                                         LITIGATION_LINES_MAX, &n)))
        return st;
    char basis[STORE_LIT_BASIS_MAX + 1];
    open__basis_text(refs, basis, sizeof basis);
    for (size_t i = 0; i < n; i++) {
        const struct litigation_line *l = &t->lines[i];
        json_t *row = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:I}", "listing_id", listing_id,
                                "title", t->title, "basis", basis, "currency", l->currency,
                                "price_minor", (json_int_t)l->price_minor, "units",
                                (json_int_t)l->units, "amount_minor", (json_int_t)l->amount_minor);
        if (!row || json_array_append_new(t->rows, row) != 0)
            return IPS_ERR_NOMEM;
    }
    return IPS_OK;
}

/* Store the rows, numbered from 1. */
static ips_status open__store_rows(struct open_tx *t)
{
    struct store_litigation_damage d;
    size_t i;
    json_t *r;
    json_array_foreach(t->rows, i, r)
    {
        memset(&d, 0, sizeof d);
        memcpy(d.file_id, t->f.id, sizeof d.file_id);
        d.seq = (int64_t)i + 1;
        if (!lit__copy(d.listing_id, sizeof d.listing_id,
                       json_string_value(json_object_get(r, "listing_id"))) ||
            !lit__copy(d.title, sizeof d.title, json_string_value(json_object_get(r, "title"))) ||
            !lit__copy(d.basis, sizeof d.basis, json_string_value(json_object_get(r, "basis"))) ||
            !lit__copy(d.currency, sizeof d.currency,
                       json_string_value(json_object_get(r, "currency"))))
            return IPS_ERR_INTERNAL;
        d.price_minor = json_integer_value(json_object_get(r, "price_minor"));
        d.units = json_integer_value(json_object_get(r, "units"));
        d.amount_minor = json_integer_value(json_object_get(r, "amount_minor"));
        ips_status st = store_litigation_damage_insert(t->ctx->store, &d);
        if (st)
            return st;
    }
    return IPS_OK;
}

/* litigation.json: the case as the bundle states it. */
static json_t *open__case_doc(struct open_tx *t)
{
    const struct store_litigation *f = &t->f;
    struct store_org holder, seller;
    struct store *s = t->ctx->store;
    bool hn = store_org_get(s, f->rightholder_org_id, &holder) == IPS_OK;
    bool sn = store_org_get(s, f->seller_org_id, &seller) == IPS_OK;
    json_t *listings = json_array();
    const char *id;
    json_t *refs;
    json_object_foreach(t->basis, id, refs)
        json_array_append_new(listings, json_pack("{s:s, s:O}", "listing_id", id, "basis", refs));
    json_t *doc = json_pack(
        "{s:s, s:s, s:s, s:{s:s, s:s}, s:{s:s, s:s}, s:{s:s, s:s}, s:s, s:s, s:o}", "id", f->id,
        "title", f->title, "court", f->court, "rightholder", "org_id", f->rightholder_org_id,
        "name", hn ? holder.name : "", "seller", "org_id", f->seller_org_id, "name",
        sn ? seller.name : "", "period", "from", f->period_from, "to", f->period_to, "opened_by",
        f->opened_by, "opened_by_org", f->opened_by_org, "infringing_listings", listings);
    if (doc)
        json_object_set_new(doc, "opened_at", lit__time(f->created_ms));
    return doc;
}

/* The bundle: the case, the damages as JSON and CSV, the seller's records
 * in the right holder's view. */
static ips_status open__bundle(struct open_tx *t)
{
    struct ips_ctx *ctx = t->ctx;
    struct store_litigation *f = &t->f;
    json_t *view = litigation_damages_view(t->rows);
    json_t *doc = open__case_doc(t);
    json_t *sellers = json_pack("[s]", f->seller_org_id);
    json_t *extra = NULL;
    struct buf csv;
    buf_init(&csv, LITIGATION_CSV_MAX);
    ips_status st = IPS_ERR_NOMEM;
    if (!view || !doc || !sellers)
        goto out;
    if ((st = litigation_damages_csv(view, &csv)))
        goto out;
    extra = json_pack("{s:O, s:s%}", "damages.json", view, "damages.csv",
                      csv.data ? (const char *)csv.data : "", csv.len);
    if (!extra) {
        st = IPS_ERR_NOMEM;
        goto out;
    }
    struct evidence_case c = {.id = f->id,
                              .kind = "litigation",
                              .doc = doc,
                              .sellers = sellers,
                              .holder_org_id = f->rightholder_org_id,
                              .extra = extra,
                              .created_ms = f->created_ms};
    struct blob_info archive;
    if ((st = evidence_build(ctx, &c, &t->signer, &archive, f->manifest_sha256, NULL)))
        goto out;
    memcpy(f->evidence_sha256, archive.sha256, sizeof f->evidence_sha256);
out:
    buf_release(&csv);
    json_decref(view);
    json_decref(doc);
    json_decref(sellers);
    json_decref(extra);
    return st;
}

static ips_status open__tx(struct store *s, void *arg)
{
    struct open_tx *t = arg;
    struct ips_ctx *ctx = t->ctx;
    struct store_litigation *f = &t->f;
    json_object_clear(t->basis);
    json_array_clear(t->rows);
    ips_status st = store_litigation_file_insert(s, f);
    if (st)
        return st;
    st = store_litigation_infringing(s, f->rightholder_org_id, f->seller_org_id, open__take_basis,
                                     t->basis);
    if (st == IPS_ERR_TOO_LARGE)
        snprintf(ctx->detail, sizeof ctx->detail,
                 "the seller has more than %d infringing listings of this right holder",
                 LITIGATION_LISTINGS_MAX);
    if (st)
        return st;
    const char *listing;
    json_t *refs;
    json_object_foreach(t->basis, listing, refs)
    {
        if ((st = open__listing(t, listing, refs))) {
            if (st == IPS_ERR_TOO_LARGE)
                snprintf(ctx->detail, sizeof ctx->detail,
                         "the damages of listing %s cannot be computed: too many versions or "
                         "prices, or an amount too large",
                         listing);
            return st;
        }
    }
    f->listings = (int64_t)json_object_size(t->basis);
    if ((st = open__store_rows(t)) || (st = open__bundle(t)) ||
        (st = store_litigation_file_update(s, f)))
        return st;
    char detail[200];
    snprintf(detail, sizeof detail,
             "holder=%s seller=%s period=%s..%s listings=%" PRId64 " evidence=%s",
             f->rightholder_org_id, f->seller_org_id, f->period_from, f->period_to, f->listings,
             f->evidence_sha256);
    return audit_append(s, access_principal_actor(ctx->actor), "litigation.open", f->id, AUDIT_OK,
                        detail);
}

/* Validate the body into t->f; holder/seller kinds are checked after. */
static bool open__parse(struct open_tx *t, json_t *body, json_t *errors)
{
    static const char *const allowed[] = {"rightholder_org_id", "seller_org_id", "title", "court",
                                          "period_from",        "period_to",     NULL};
    size_t before = json_array_size(errors);
    const char *holder = NULL, *seller = NULL, *title = NULL, *court = NULL, *from = NULL,
               *to = NULL;
    json_reject_unknown(body, allowed, errors);
    json_field_string(body, "rightholder_org_id", false, ID_LEN, &holder, errors);
    json_field_string(body, "seller_org_id", true, ID_LEN, &seller, errors);
    json_field_string(body, "title", true, STORE_LIT_TITLE_MAX, &title, errors);
    json_field_string(body, "court", false, STORE_LIT_COURT_MAX, &court, errors);
    json_field_string(body, "period_from", true, STORE_LIT_DATE_LEN, &from, errors);
    json_field_string(body, "period_to", true, STORE_LIT_DATE_LEN, &to, errors);
    if (holder && !id_is_valid(holder))
        json_error_add(errors, "rightholder_org_id", "is not an org id");
    if (seller && !id_is_valid(seller))
        json_error_add(errors, "seller_org_id", "is not an org id");
    if (title && !title[0])
        json_error_add(errors, "title", "must not be empty");
    if (from && !lit__date_ms(from, &t->from_ms))
        json_error_add(errors, "period_from", "must be a date YYYY-MM-DD");
    if (to && !lit__date_ms(to, &t->to_ms))
        json_error_add(errors, "period_to", "must be a date YYYY-MM-DD");
    else if (to)
        t->to_ms += LIT_DAY_MS - 1; /* the whole last day */
    if (json_array_size(errors) == before && t->from_ms > t->to_ms)
        json_error_add(errors, "period_to", "must not be before period_from");
    if (!holder && !t->ctx->actor->org_id[0])
        json_error_add(errors, "rightholder_org_id", "is required");
    if (json_array_size(errors) != before)
        return false;
    struct store_litigation *f = &t->f;
    id_new(f->id);
    lit__copy(f->rightholder_org_id, sizeof f->rightholder_org_id,
              holder ? holder : t->ctx->actor->org_id);
    lit__copy(f->seller_org_id, sizeof f->seller_org_id, seller);
    lit__copy(f->opened_by, sizeof f->opened_by, access_principal_actor(t->ctx->actor));
    lit__copy(f->opened_by_org, sizeof f->opened_by_org, t->ctx->actor->org_id);
    lit__copy(f->title, sizeof f->title, title);
    lit__copy(f->court, sizeof f->court, court);
    lit__copy(f->period_from, sizeof f->period_from, from);
    lit__copy(f->period_to, sizeof f->period_to, to);
    f->created_ms = time_now_ms();
    lit__copy(f->status, sizeof f->status, "open");
    return true;
}

/* The holder must be a right-holder org the actor acts for; the seller a
 * seller org. */
static ips_status open__parties(struct open_tx *t, json_t *errors)
{
    struct ips_ctx *ctx = t->ctx;
    struct store_org org;
    ips_status st = store_org_get(ctx->store, t->f.rightholder_org_id, &org);
    if (st == IPS_OK && strcmp(org.kind, "rightholder") != 0)
        st = IPS_ERR_NOT_FOUND; /* answered as for another's */
    if (st == IPS_OK || st == IPS_ERR_NOT_FOUND) {
        ips_status ok = lit__check(ctx, ACT_LITIGATION_OWN, t->f.rightholder_org_id, "litigation");
        if (ok)
            return ok;
    }
    if (st)
        return st;
    if ((st = store_org_get(ctx->store, t->f.seller_org_id, &org)))
        return st;
    if (strcmp(org.kind, "seller") != 0) {
        json_error_add(errors, "seller_org_id", "is not a seller organisation");
        return IPS_ERR_INVALID;
    }
    return IPS_OK;
}

ips_status litigation_open(struct ips_ctx *ctx, json_t *body, struct store_litigation *out)
{
    ips_status st = access_check(ctx, ACT_LITIGATION_OPEN, NULL, "litigation");
    if (st)
        return st;
    json_t *errors = ctx->errors ? ctx->errors : json_array();
    struct open_tx *t = calloc(1, sizeof *t);
    if (!t || !errors) {
        st = IPS_ERR_NOMEM;
        goto out;
    }
    t->ctx = ctx;
    t->basis = json_object();
    t->rows = json_array();
    t->snaps = malloc(LITIGATION_VERSIONS_MAX * sizeof *t->snaps);
    if (!t->basis || !t->rows || !t->snaps) {
        st = IPS_ERR_NOMEM;
        goto out;
    }
    if (!open__parse(t, body, errors)) {
        snprintf(ctx->detail, sizeof ctx->detail, "the litigation file is not valid");
        st = IPS_ERR_INVALID;
        goto out;
    }
    if ((st = open__parties(t, errors)))
        goto out;
    if ((st = ledger_signer_load(ctx->cfg, &t->signer))) {
        snprintf(ctx->detail, sizeof ctx->detail,
                 "the platform's signing key (the ledger key) is not available");
        goto out;
    }
    st = store_tx_run(ctx->store, open__tx, t);
    if (st == IPS_OK)
        *out = t->f;
out:
    if (t) {
        sodium_memzero(&t->signer, sizeof t->signer);
        json_decref(t->basis);
        json_decref(t->rows);
        free(t->snaps);
    }
    if (errors != ctx->errors)
        json_decref(errors);
    free(t);
    return st;
}

/* ---- reading ----------------------------------------------------------------------------------
 */

/* Load file id and check act on it; a missing one is refused like another's. */
static ips_status lit__load(struct ips_ctx *ctx, const char *id, struct store_litigation *f)
{
    ips_status st =
        id_is_valid(id) ? store_litigation_file_get(ctx->store, id, f) : IPS_ERR_NOT_FOUND;
    if (st && st != IPS_ERR_NOT_FOUND)
        return st;
    char object[ID_SIZE + 16];
    snprintf(object, sizeof object, "litigation:%s", id_is_valid(id) ? id : "");
    ips_status ok = lit__check(ctx, ACT_LITIGATION_READ, st ? "" : f->rightholder_org_id, object);
    return ok ? ok : st;
}

ips_status litigation_get(struct ips_ctx *ctx, const char *id, struct store_litigation *out)
{
    struct store_litigation f;
    ips_status st = lit__load(ctx, id, &f);
    if (st)
        return st;
    audit_record(ctx->store, access_principal_actor(ctx->actor), "litigation.read", id, AUDIT_OK,
                 NULL);
    *out = f;
    return IPS_OK;
}

/* ---- status and outcome ------------------------------------------------------------------- */

static const char *const lit__statuses[] = {"open", "filed", "settled", "judgment", "closed"};

bool litigation_status_valid(const char *status)
{
    for (size_t i = 0; status && i < sizeof lit__statuses / sizeof lit__statuses[0]; i++)
        if (strcmp(status, lit__statuses[i]) == 0)
            return true;
    return false;
}

bool litigation_status_allowed(const char *from, const char *to)
{
    static const char *const moves[][2] = {
        {"open", "filed"},       {"open", "settled"},    {"open", "closed"},
        {"filed", "settled"},    {"filed", "judgment"},  {"filed", "closed"},
        {"settled", "closed"},   {"judgment", "closed"},
    };
    for (size_t i = 0; from && to && i < sizeof moves / sizeof moves[0]; i++)
        if (strcmp(from, moves[i][0]) == 0 && strcmp(to, moves[i][1]) == 0)
            return true;
    return false;
}

/* Validate a status body into f's status fields (f keeps its other fields).
 * Errors into errors; false when any. */
static bool status__parse(json_t *body, struct store_litigation *f, json_t *errors)
{
    size_t before = json_array_size(errors);
    const char *status = json_string_value(json_object_get(body, "status"));
    json_t *outcome_v = json_object_get(body, "outcome"), *amount = json_object_get(body, "amount");
    json_t *currency_v = json_object_get(body, "currency");
    const char *outcome = json_string_value(outcome_v), *currency = json_string_value(currency_v);
    bool with_outcome = status && (strcmp(status, "settled") == 0 || strcmp(status, "judgment") == 0);
    if (!litigation_status_valid(status))
        json_error_add(errors, "status", "must be open, filed, settled, judgment or closed");
    if (outcome_v && (!outcome || !outcome[0] || strlen(outcome) > STORE_LIT_OUTCOME_MAX))
        json_error_add(errors, "outcome", "must be 1 to 2000 bytes of text");
    else if (with_outcome && !outcome)
        json_error_add(errors, "outcome", "is required for a settlement or a judgment");
    else if (outcome && status && !with_outcome)
        json_error_add(errors, "outcome", "is recorded with settled or judgment only");
    char cur[STORE_CURRENCY_LEN + 1] = "";
    if (currency_v) {
        bool ok = currency && strlen(currency) == STORE_CURRENCY_LEN;
        for (size_t i = 0; ok && i < STORE_CURRENCY_LEN; i++) {
            ok = (currency[i] >= 'A' && currency[i] <= 'Z') ||
                 (currency[i] >= 'a' && currency[i] <= 'z');
            cur[i] = (char)(currency[i] & ~0x20);
        }
        if (!ok) {
            json_error_add(errors, "currency", "must be three letters (ISO 4217)");
            cur[0] = '\0';
        }
    }
    if (!amount != !currency_v)
        json_error_add(errors, amount ? "currency" : "amount", "amount and currency go together");
    else if (amount && !with_outcome)
        json_error_add(errors, "amount", "is recorded with settled or judgment only");
    int64_t minor = 0;
    if (amount && cur[0]) {
        json_t *scratch = json_array(); /* catalog_price_parse names its field "price" */
        if (!catalog_price_parse(amount, cur, &minor, scratch))
            json_error_add(errors, "amount",
                           "must be a decimal amount >= 0 with at most the currency's decimals");
        json_decref(scratch);
    }
    if (json_array_size(errors) != before)
        return false;
    lit__copy(f->status, sizeof f->status, status);
    lit__copy(f->outcome, sizeof f->outcome, outcome ? outcome : "");
    lit__copy(f->outcome_currency, sizeof f->outcome_currency, amount ? cur : "");
    f->outcome_amount_minor = amount ? minor : 0;
    f->status_ms = time_now_ms();
    return true;
}

struct status_tx {
    struct ips_ctx *ctx;
    const char *id;
    struct store_litigation want; /* the status fields to write */
    struct store_litigation f;    /* OUT: the file as written */
    char detail[128];
};

static ips_status status__tx(struct store *s, void *arg)
{
    struct status_tx *t = arg;
    ips_status st = store_litigation_file_get(s, t->id, &t->f);
    if (st)
        return st;
    if (!litigation_status_allowed(t->f.status, t->want.status)) {
        snprintf(t->detail, sizeof t->detail, "a %s file cannot become %s", t->f.status,
                 t->want.status);
        return IPS_ERR_CONFLICT;
    }
    char detail[STORE_DETAIL_MAX + 1];
    snprintf(detail, sizeof detail, "%s -> %s", t->f.status, t->want.status);
    memcpy(t->f.status, t->want.status, sizeof t->f.status);
    t->f.status_ms = t->want.status_ms;
    if (t->want.outcome[0]) { /* settled, judgment; closing keeps the outcome */
        memcpy(t->f.outcome, t->want.outcome, sizeof t->f.outcome);
        memcpy(t->f.outcome_currency, t->want.outcome_currency, sizeof t->f.outcome_currency);
        t->f.outcome_amount_minor = t->want.outcome_amount_minor;
    }
    if ((st = store_litigation_file_set_status(s, &t->f)))
        return st;
    return audit_append(s, access_principal_actor(t->ctx->actor), "litigation.status", t->f.id,
                        AUDIT_OK, detail);
}

ips_status litigation_status_set(struct ips_ctx *ctx, const char *id, json_t *body,
                                 struct store_litigation *out)
{
    struct status_tx *t = calloc(1, sizeof *t);
    if (!t)
        return IPS_ERR_NOMEM;
    /* who may read it first (another's file: 404), then who may change it */
    ips_status st = lit__load(ctx, id, &t->f);
    if (st == IPS_OK) {
        char object[ID_SIZE + 16];
        snprintf(object, sizeof object, "litigation:%s", id);
        st = lit__check(ctx, ACT_LITIGATION_UPDATE, t->f.rightholder_org_id, object);
        if (st == IPS_ERR_NOT_FOUND) /* it may read the file: it knows it exists */
            st = IPS_ERR_FORBIDDEN;
    }
    json_t *errors = ctx->errors ? json_incref(ctx->errors) : json_array();
    if (st == IPS_OK && (!errors || !status__parse(body, &t->want, errors))) {
        snprintf(ctx->detail, sizeof ctx->detail, "the status is not valid");
        st = errors ? IPS_ERR_INVALID : IPS_ERR_NOMEM;
    }
    json_decref(errors);
    if (st == IPS_OK) {
        t->ctx = ctx;
        t->id = id;
        st = store_tx_run(ctx->store, status__tx, t);
        if (st == IPS_ERR_CONFLICT)
            snprintf(ctx->detail, sizeof ctx->detail, "%s", t->detail);
        if (st == IPS_OK)
            *out = t->f;
    }
    free(t);
    return st;
}

struct list_scan {
    struct ips_ctx *ctx;
    store_litigation_cb cb;
    void *arg;
    int want, given;
    char last[ID_SIZE];
};

static ips_status list__take(const struct store_litigation *f, void *arg)
{
    struct list_scan *ls = arg;
    snprintf(ls->last, sizeof ls->last, "%s", f->id);
    if (ls->given >= ls->want)
        return IPS_OK;
    bool agent = false;
    ips_status st = rights_agent_authorised(ls->ctx, f->rightholder_org_id, &agent);
    if (st)
        return st;
    struct access_object obj = {f->rightholder_org_id, NULL, agent};
    if (access_authorize(ls->ctx->actor, ACT_LITIGATION_READ, &obj) != IPS_OK)
        return IPS_OK; /* e.g. opened by an agent whose authorisation ran out */
    ls->given++;
    return ls->cb(f, ls->arg);
}

ips_status litigation_list(struct ips_ctx *ctx, const char *after, int limit,
                           store_litigation_cb cb, void *arg)
{
    ips_status st = access_check(ctx, ACT_LITIGATION_LIST, NULL, "litigation");
    if (st)
        return st;
    struct list_scan ls = {
        .ctx = ctx, .cb = cb, .arg = arg, .want = limit > 0 ? limit : STORE_LIST_DEFAULT_LIMIT};
    snprintf(ls.last, sizeof ls.last, "%s", after ? after : "");
    /* The platform reads every file; others those of their org (as holder
     * or as the agent that opened them), each checked again above. */
    bool everyone = access_authorize(ctx->actor, ACT_LITIGATION_READ,
                                     &(struct access_object){"", NULL, false}) == IPS_OK;
    const char *only = everyone ? NULL : ctx->actor->org_id;
    char prev[ID_SIZE];
    do {
        memcpy(prev, ls.last, sizeof prev);
        st = store_litigation_file_list(ctx->store, only, ls.last, 200, list__take, &ls);
    } while (st == IPS_OK && ls.given < ls.want && strcmp(prev, ls.last) != 0);
    return st;
}

static ips_status damages__take(const struct store_litigation_damage *d, void *arg)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:I}", "listing_id", d->listing_id,
                          "title", d->title, "basis", d->basis, "currency", d->currency,
                          "price_minor", (json_int_t)d->price_minor, "units", (json_int_t)d->units,
                          "amount_minor", (json_int_t)d->amount_minor);
    return json_array_append_new(arg, o) == 0 ? IPS_OK : IPS_ERR_NOMEM;
}

ips_status litigation_damages(struct ips_ctx *ctx, const char *id, json_t **out)
{
    struct store_litigation f;
    ips_status st = lit__load(ctx, id, &f);
    if (st)
        return st;
    json_t *rows = json_array();
    if (!rows)
        return IPS_ERR_NOMEM;
    if ((st = store_litigation_damage_list(ctx->store, id, damages__take, rows))) {
        json_decref(rows);
        return st;
    }
    json_t *view = litigation_damages_view(rows);
    json_decref(rows);
    if (!view)
        return IPS_ERR_NOMEM;
    json_object_set_new(view, "file_id", json_string(f.id));
    json_object_set_new(view, "period",
                        json_pack("{s:s, s:s}", "from", f.period_from, "to", f.period_to));
    audit_record(ctx->store, access_principal_actor(ctx->actor), "litigation.read", id, AUDIT_OK,
                 "damages");
    *out = view;
    return IPS_OK;
}

ips_status litigation_bundle_read(struct ips_ctx *ctx, const char *id, void **data, size_t *len,
                                  struct blob_info *info)
{
    struct store_litigation f;
    ips_status st = lit__load(ctx, id, &f);
    if (st || (st = blob_info_get(ctx, f.evidence_sha256, info)) ||
        (st = blob_read(ctx, f.evidence_sha256, data, len)))
        return st;
    audit_record(ctx->store, access_principal_actor(ctx->actor), "evidence.read", id, AUDIT_OK,
                 f.evidence_sha256);
    return IPS_OK;
}
