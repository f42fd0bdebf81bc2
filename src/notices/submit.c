/*
 * submit.c — notice submission: validation of every element DSA Art. 16(2)
 * and DMCA §512(c)(3) require, the citable-right check, merging of repeated
 * notices, and the fast track, which takes the listings down inside the
 * transaction that stores the notice.
 *
 * Authority for the takedown: catalog_listing_set_state needs a reviewer,
 * an admin or the system. A right holder on the fast track is none of these;
 * the fast-track rule itself (a proven accuracy record, notices_accuracy) is
 * what authorises the takedown, so the state change runs with a copy of the
 * ctx whose actor is the system principal. The audit events of the listing
 * state changes therefore name "system"; the notice.submit event names the
 * right holder's user and the notice, so the chain stays readable.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "blob/blob.h"
#include "catalog/catalog.h"
#include "core/config.h"
#include "core/json.h"
#include "core/timeutil.h"
#include "notices/notices_internal.h"
#include "rights/rights.h"
#include "store/store_catalog.h"
#include "webhook/webhook.h"

#define NOTICES__ERRORS_MAX 50 /* listing errors reported before "and more" */
#define NOTICES__SOR_IN_MESSAGE 20

static const char *const notices__fields[] = {
    "right_id",   "kind",     "explanation", "notifier_name", "notifier_email", "on_behalf_of",
    "good_faith", "accuracy", "signature",   "listings",      "evidence_urls",  "notifier_org_id",
    NULL};

bool notices__kind_valid(const char *kind);
bool notices__kind_valid(const char *kind)
{
    return kind && (strcmp(kind, "counterfeit") == 0 || strcmp(kind, "trademark_misuse") == 0 ||
                    strcmp(kind, "copyright") == 0 || strcmp(kind, "design") == 0);
}

/* The kind of right an infringement kind must cite. */
static const char *notices__right_kind_for(const char *kind)
{
    if (strcmp(kind, "copyright") == 0)
        return "copyright";
    if (strcmp(kind, "design") == 0)
        return "design_patent";
    return "trademark";
}

/* Risk used to order the queue: the kind's weight, then the listings. */
static int64_t notices__risk(const char *kind, size_t n)
{
    int64_t w = strcmp(kind, "counterfeit") == 0 ? 3 : strcmp(kind, "copyright") == 0 ? 1 : 2;
    return w * 1000 + (int64_t)(n > 999 ? 999 : n);
}

void notices_submit_result_release(struct notices_submit_result *r)
{
    if (!r)
        return;
    json_decref(r->merged);
    r->merged = NULL;
}

/* ---- listing references ------------------------------------------------------------ */

/* The listing ids of a notice, in order, each once. The array grows as ids
 * come (most notices cite one listing: a 10,000-id array per request was
 * 650 KB that glibc mapped, or carved from and gave back to its heap, with
 * a consolidation of the heap's free chunks, on every submission). */
struct notices__ids {
    char (*id)[STORE_NOTICE_LISTING_MAX + 1];
    size_t n, cap;
    bool too_many; /* more than NOTICES_LISTINGS_MAX */
    bool nomem;    /* the array could not grow */
};

/* Add one listing id unless already present; bad ids are reported. Sets
 * too_many past NOTICES_LISTINGS_MAX, nomem when the array cannot grow. */
static void notices__ids_add(struct ips_ctx *ctx, struct notices__ids *ids, const char *id,
                             const char *where)
{
    if (!catalog_id_valid(id)) {
        char msg[160];
        snprintf(msg, sizeof msg, "is not a listing id (1-64 of A-Z a-z 0-9 . _ : -)");
        json_error_add(ctx->errors, where, msg);
        return;
    }
    for (size_t i = 0; i < ids->n; i++) {
        if (strcmp(ids->id[i], id) == 0)
            return;
    }
    if (ids->n >= NOTICES_LISTINGS_MAX) {
        ids->too_many = true;
        return;
    }
    if (ids->n == ids->cap) {
        size_t cap = ids->cap ? ids->cap * 2 : 8;
        if (cap > NOTICES_LISTINGS_MAX)
            cap = NOTICES_LISTINGS_MAX;
        void *grown = realloc(ids->id, cap * sizeof *ids->id);
        if (!grown) {
            ids->nomem = true;
            return;
        }
        ids->id = grown;
        ids->cap = cap;
    }
    snprintf(ids->id[ids->n++], sizeof ids->id[0], "%s", id);
}

/* Parse CSV: the first field of each non-blank line (quotes allowed around
 * it), "listing_id" on the first line is a header. */
static void notices__csv(struct ips_ctx *ctx, struct notices__ids *ids, const char *text,
                         size_t len)
{
    size_t line_no = 0, pos = 0;
    while (pos < len && !ids->too_many && !ids->nomem) {
        size_t end = pos;
        while (end < len && text[end] != '\n')
            end++;
        line_no++;
        char field[STORE_NOTICE_LISTING_MAX + 8];
        size_t a = pos, b;
        while (a < end && (text[a] == ' ' || text[a] == '\t' || text[a] == '\r'))
            a++;
        bool quoted = a < end && text[a] == '"';
        if (quoted)
            a++;
        b = a;
        while (b < end && text[b] != (quoted ? '"' : ',') && text[b] != '\r' &&
               (quoted || (text[b] != ' ' && text[b] != '\t')))
            b++;
        size_t flen = b - a;
        pos = end + 1;
        if (flen == 0 && a >= end)
            continue; /* blank line */
        char where[48];
        snprintf(where, sizeof where, "listings_csv:%zu", line_no);
        if (flen >= sizeof field) {
            json_error_add(ctx->errors, where, "is longer than a listing id");
            continue;
        }
        memcpy(field, text + a, flen);
        field[flen] = '\0';
        if (line_no == 1 && strcmp(field, "listing_id") == 0)
            continue;
        notices__ids_add(ctx, ids, field, where);
    }
}

/* ---- validation -------------------------------------------------------------------- */

struct notices__input {
    const char *right_id, *kind, *explanation, *name, *email, *on_behalf_of, *signature;
    const char *notifier_org_id;
    json_t *urls;
};

/* Required string member; "is required" when missing. */
static void notices__str(struct ips_ctx *ctx, json_t *meta, const char *key, size_t max,
                         bool required, const char **out)
{
    json_field_string(meta, key, required, max, out, ctx->errors);
}

/* A statement that must be present and true. */
static void notices__statement(struct ips_ctx *ctx, json_t *meta, const char *key, const char *what)
{
    json_t *v = json_object_get(meta, key);
    if (!v) {
        json_error_add(ctx->errors, key, "is required");
        return;
    }
    if (!json_is_true(v)) {
        char msg[200];
        snprintf(msg, sizeof msg, "must be true: %s", what);
        json_error_add(ctx->errors, key, msg);
    }
}

static bool notices__url_valid(const char *u)
{
    return webhook_url_valid(u) && strlen(u) <= NOTICES_URL_MAX;
}

/* Validate meta (and the listings) into in/ids; every problem lands in
 * ctx->errors. Returns true when nothing was wrong. */
static bool notices__validate(struct ips_ctx *ctx, const struct notices_submit_req *req,
                              const char *detection_id, struct notices__input *in,
                              struct notices__ids *ids)
{
    json_t *meta = req->meta;
    size_t before = json_array_size(ctx->errors);
    if (!json_is_object(meta)) {
        json_error_add(ctx->errors, "notice", "must be a JSON object");
        return false;
    }
    json_reject_unknown(meta, notices__fields, ctx->errors);
    notices__str(ctx, meta, "right_id", ID_LEN, true, &in->right_id);
    notices__str(ctx, meta, "kind", STORE_KIND_MAX, true, &in->kind);
    if (in->kind && !notices__kind_valid(in->kind))
        json_error_add(ctx->errors, "kind",
                       "must be counterfeit, trademark_misuse, copyright or design");
    notices__str(ctx, meta, "explanation", STORE_NOTICE_TEXT_MAX, true, &in->explanation);
    notices__str(ctx, meta, "notifier_name", STORE_NAME_MAX, true, &in->name);
    notices__str(ctx, meta, "notifier_email", STORE_EMAIL_MAX, true, &in->email);
    if (in->email && (!strchr(in->email, '@') || strchr(in->email, ' ')))
        json_error_add(ctx->errors, "notifier_email", "is not an email address");
    notices__str(ctx, meta, "on_behalf_of", STORE_NAME_MAX, false, &in->on_behalf_of);
    notices__str(ctx, meta, "signature", STORE_NAME_MAX, true, &in->signature);
    notices__str(ctx, meta, "notifier_org_id", ID_LEN, false, &in->notifier_org_id);
    notices__statement(ctx, meta, "good_faith",
                       "a good-faith belief that the use is not authorised by the right holder, "
                       "its agent or the law");
    notices__statement(ctx, meta, "accuracy",
                       "the notice is accurate and the notifier is authorised to act for the "
                       "right holder");

    json_t *listings = json_object_get(meta, "listings");
    if (listings && !json_is_array(listings)) {
        json_error_add(ctx->errors, "listings", "must be an array of listing ids");
    } else if (listings) {
        size_t i;
        json_t *v;
        json_array_foreach(listings, i, v)
        {
            char where[48];
            snprintf(where, sizeof where, "listings[%zu]", i);
            if (!json_is_string(v))
                json_error_add(ctx->errors, where, "must be a string");
            else
                notices__ids_add(ctx, ids, json_string_value(v), where);
            if (ids->too_many || ids->nomem)
                break;
        }
    }
    if (req->listings_csv)
        notices__csv(ctx, ids, req->listings_csv, req->listings_csv_len);
    if (ids->too_many)
        json_error_add(ctx->errors, "listings", "more than 10000 listings in one notice");
    else if (ids->n == 0 && !listings && !req->listings_csv)
        json_error_add(ctx->errors, "listings", "is required: at least one listing id");
    else if (ids->n == 0)
        json_error_add(ctx->errors, "listings", "holds no valid listing id");

    in->urls = json_object_get(meta, "evidence_urls");
    if (in->urls && !json_is_array(in->urls)) {
        json_error_add(ctx->errors, "evidence_urls", "must be an array of http(s) URLs");
    } else if (in->urls) {
        if (json_array_size(in->urls) > NOTICES_URLS_MAX)
            json_error_add(ctx->errors, "evidence_urls", "at most 20 URLs");
        size_t i;
        json_t *v;
        json_array_foreach(in->urls, i, v)
        {
            if (!json_is_string(v) || !notices__url_valid(json_string_value(v))) {
                char where[48];
                snprintf(where, sizeof where, "evidence_urls[%zu]", i);
                json_error_add(ctx->errors, where, "must be an http(s) URL of at most 400 bytes");
            }
        }
    }
    if (req->n_files > NOTICES_FILES_MAX)
        json_error_add(ctx->errors, "evidence", "at most 8 evidence files");
    if (req->n_files == 0 && json_array_size(in->urls) == 0 && !detection_id)
        json_error_add(ctx->errors, "evidence",
                       "is required: at least one evidence file or evidence URL");
    return json_array_size(ctx->errors) == before;
}

/* ---- the transaction --------------------------------------------------------------- */

struct notices__submit_tx {
    struct ips_ctx *ctx;
    struct ips_ctx sys; /* ctx with the system principal: the fast-track authority */
    struct access_principal sys_p;
    const struct notices_submit_req *req;
    const char *detection_id; /* notices_submit_detection, else NULL */
    const struct notices__ids *ids;
    const struct notices__input *in;
    const char *notifier;   /* the notifying org's id, not yet checked */
    struct store_notice *n; /* prepared; right, state etc. set here */
    struct rights_right *right;
    int64_t now, window_ms;
    /* reset at the start of every attempt */
    json_t *merged;
    int64_t taken_down;
    bool merged_all;
    bool cite_denied; /* the actor may not cite the right: the caller audits that */
};

/*
 * The checks that read the store, run inside the (grouped) transaction so
 * that they use the group connection's page cache, which the groups' own
 * commits leave valid (docs/internals/notices.md, "Submission"): the
 * notifier org exists, is not suspended (DSA Art. 23), and the right is
 * citable by the actor for this kind of notice. Fills a->n's right fields;
 * OUT *ns: the notifier's record (fast_track), zeroed when it has none.
 * A refusal to cite is not audited here — an audit event written in a
 * transaction that fails is rolled back with it — but flagged in
 * a->cite_denied for the caller, who records it after the transaction.
 */
static ips_status notices__check_notifier(struct ips_ctx *ctx, struct notices__submit_tx *a,
                                          struct store_notifier *ns)
{
    const struct access_principal *p = ctx->actor;
    const struct notices__input *in = a->in;
    struct store_org org;
    memset(ns, 0, sizeof *ns);
    if (!id_is_valid(a->notifier) || store_org_get(ctx->store, a->notifier, &org) != IPS_OK)
        return IPS_ERR_NOT_FOUND;
    ips_status st = store_notices_notifier_get(ctx->store, a->notifier, ns);
    if (st != IPS_OK && st != IPS_ERR_NOT_FOUND)
        return st;
    if (st == IPS_ERR_NOT_FOUND)
        memset(ns, 0, sizeof *ns);
    if (ns->suspended_until_ms > a->now) {
        char until[TIME_RFC3339_LEN];
        time_format_rfc3339(ns->suspended_until_ms, until, sizeof until);
        snprintf(ctx->detail, sizeof ctx->detail,
                 "this notifier is suspended from notifying until %s for misuse (too many "
                 "rejected notices)",
                 until);
        return IPS_ERR_FORBIDDEN;
    }
    /* the right, read once: may the actor cite it (as rights_citable
     * decides, without its audit event, see above), then verified and valid
     * (rights_citable_record: its files, which rights_citable also reads,
     * are no part of the notice) */
    if (!id_is_valid(in->right_id))
        return IPS_ERR_NOT_FOUND;
    if ((st = store_rights_right_get(ctx->store, in->right_id, &a->right->rec)))
        return st;
    bool is_agent = false;
    if ((st = rights_agent_authorised(ctx, a->right->rec.org_id, &is_agent)))
        return st;
    struct access_object obj = {a->right->rec.org_id, NULL, is_agent};
    if ((st = access_authorize(p, ACT_RIGHT_CITE, &obj))) {
        a->cite_denied = true;
        return st;
    }
    if ((st = rights_citable_record(ctx, &a->right->rec)))
        return st;
    if (p->via == VIA_SYSTEM && strcmp(a->right->rec.org_id, a->notifier) != 0) {
        json_error_add(ctx->errors, "right_id", "is not a right of the notifier");
        return IPS_ERR_INVALID;
    }
    if (strcmp(a->right->rec.kind, notices__right_kind_for(in->kind)) != 0) {
        char msg[160];
        snprintf(msg, sizeof msg, "a %s notice must cite a %s right, not a %s", in->kind,
                 notices__right_kind_for(in->kind), a->right->rec.kind);
        json_error_add(ctx->errors, "kind", msg);
        st = IPS_ERR_INVALID;
    }
    bool agent = strcmp(a->right->rec.org_id, a->notifier) != 0;
    if (agent && !in->on_behalf_of) {
        json_error_add(ctx->errors, "on_behalf_of",
                       "is required for an agent: the right holder you act for");
        st = IPS_ERR_INVALID;
    }
    if (st) {
        snprintf(ctx->detail, sizeof ctx->detail, "the notice is invalid");
        return st;
    }
    memcpy(a->n->right_id, a->right->rec.id, ID_SIZE);
    memcpy(a->n->right_org_id, a->right->rec.org_id, ID_SIZE);
    return IPS_OK;
}

/* Tell every seller of the new items, one inbox message each: by_seller is
 * {seller_org_id: [listing ids]}, sors {seller_org_id: [statements of
 * reasons]} (the first NOTICES__SOR_IN_MESSAGE, built when the items were
 * written, so nothing is read back). */
static ips_status notices__tell_sellers(struct store *s, struct notices__submit_tx *a,
                                        json_t *by_seller, json_t *sors)
{
    const char *seller;
    json_t *list;
    char deadline[TIME_RFC3339_LEN];
    time_format_rfc3339(a->now + a->window_ms, deadline, sizeof deadline);
    json_object_foreach(by_seller, seller, list)
    {
        json_t *body = json_pack("{s:s, s:s, s:O, s:s, s:O, s:b}", "notice_id", a->n->id, "kind",
                                 a->n->kind, "listings", list, "counter_notice_deadline", deadline,
                                 "statements_of_reasons", json_object_get(sors, seller),
                                 "fast_track", a->n->fast_track);
        if (!body)
            return IPS_ERR_NOMEM;
        ips_status st = notices__tell(s, seller, "notice.takedown", a->n->id,
                                      "Listings taken down after a notice", body, a->now);
        json_decref(body);
        if (st)
            return st;
    }
    return IPS_OK;
}

/* Run by store_tx_run_grouped, so possibly on another thread's connection:
 * everything here uses s (the caller's ctx is copied with s as its store,
 * and its detail copied back), never a->ctx->store. */
static ips_status notices__submit_tx(struct store *s, void *arg)
{
    struct notices__submit_tx *a = arg;
    struct ips_ctx on = *a->ctx, *ctx = &on;
    on.store = s;
    a->sys.store = s;
    ips_status st = IPS_OK;
    size_t errors = 0;
    json_array_clear(a->merged);
    json_array_clear(ctx->errors);
    a->taken_down = 0;
    a->merged_all = false;
    a->cite_denied = false;

    /* which listings are new, which merge, which are refused */
    bool *fresh = calloc(a->ids->n ? a->ids->n : 1, sizeof *fresh);
    struct store_listing *ls = calloc(a->ids->n ? a->ids->n : 1, sizeof *ls);
    json_t *by_seller = json_object(), *sors = json_object();
    size_t n_new = 0;
    struct store_notifier ns;
    if (!fresh || !ls || !by_seller || !sors) {
        st = IPS_ERR_NOMEM;
        goto out_free;
    }
    if ((st = notices__check_notifier(ctx, a, &ns)))
        goto out_free;
    for (size_t i = 0; i < a->ids->n; i++) {
        const char *lid = a->ids->id[i];
        char open_id[ID_SIZE];
        st = store_notices_open_for_listing(s, a->n->notifier_org_id, lid, open_id);
        if (st == IPS_OK) {
            json_array_append_new(a->merged,
                                  json_pack("{s:s, s:s}", "listing_id", lid, "notice_id", open_id));
            continue;
        }
        if (st != IPS_ERR_NOT_FOUND)
            goto out_free;
        st = store_catalog_listing_get(s, lid, &ls[i]);
        char where[48], msg[160];
        snprintf(where, sizeof where, "listings:%s", lid);
        if (st == IPS_ERR_NOT_FOUND) {
            if (errors++ < NOTICES__ERRORS_MAX)
                json_error_add(ctx->errors, where, "no such listing");
            continue;
        }
        if (st)
            goto out_free;
        if (strcmp(ls[i].state, "live") != 0 && strcmp(ls[i].state, "reinstated") != 0) {
            snprintf(msg, sizeof msg, "is not live (state %s)", ls[i].state);
            if (errors++ < NOTICES__ERRORS_MAX)
                json_error_add(ctx->errors, where, msg);
            continue;
        }
        fresh[i] = true;
        n_new++;
    }
    if (errors) {
        if (errors > NOTICES__ERRORS_MAX)
            json_error_add(ctx->errors, "listings", "more listings are refused than listed here");
        snprintf(ctx->detail, sizeof ctx->detail,
                 "%zu of the listings cannot be noticed; nothing was stored", errors);
        st = IPS_ERR_INVALID;
        goto out_free;
    }
    if (n_new == 0) {
        /* every listing is already in an open notice of this notifier */
        const char *first =
            json_string_value(json_object_get(json_array_get(a->merged, 0), "notice_id"));
        char object[STORE_OBJECT_MAX + 1];
        st = store_notices_notice_get(s, first, a->n);
        if (st)
            goto out_free;
        a->merged_all = true;
        snprintf(object, sizeof object, "notice:%s", first);
        st = audit_append(s, access_principal_actor(ctx->actor), "notice.merge", object, AUDIT_OK,
                          "a repeated notice was merged into this open notice");
        goto out_free;
    }

    /* evidence files: stored by content, listed in the notice */
    json_t *evidence = json_array();
    for (int f = 0; f < a->req->n_files; f++) {
        struct blob_info bi;
        st = blob_put(ctx, a->req->files[f].data, a->req->files[f].len, BLOB_TYPES_DOCUMENT, &bi);
        if (st) {
            json_decref(evidence);
            if (st == IPS_ERR_MEDIA_TYPE || st == IPS_ERR_INVALID || st == IPS_ERR_TOO_LARGE)
                json_error_add(ctx->errors, "evidence",
                               ctx->detail[0] ? ctx->detail : "is not a PDF or image");
            goto out_free;
        }
        json_array_append_new(evidence,
                              json_pack("{s:s, s:s, s:I, s:s}", "sha256", bi.sha256, "mime",
                                        bi.mime, "size", (json_int_t)bi.size, "name",
                                        a->req->files[f].name ? a->req->files[f].name : ""));
    }
    size_t i_url;
    json_t *u;
    json_array_foreach(json_object_get(a->req->meta, "evidence_urls"), i_url, u)
        json_array_append_new(evidence, json_pack("{s:O}", "url", u));
    if (a->detection_id)
        json_array_append_new(evidence, json_pack("{s:s}", "detection", a->detection_id));
    char *ev = json_dumps(evidence, JSON_COMPACT);
    json_decref(evidence);
    if (!ev || strlen(ev) > STORE_NOTICE_EVIDENCE_MAX) {
        free(ev);
        json_error_add(ctx->errors, "evidence", "the evidence list is too long");
        st = IPS_ERR_INVALID;
        goto out_free;
    }
    memcpy(a->n->evidence, ev, strlen(ev) + 1);
    free(ev);

    bool fast = ns.fast_track || a->detection_id != NULL; /* a detection: see notices.h */
    a->n->fast_track = fast;
    a->n->items_total = (int64_t)n_new;
    a->n->risk = notices__risk(a->n->kind, n_new);
    if (fast) {
        snprintf(a->n->state, sizeof a->n->state, "decided");
        snprintf(a->n->outcome, sizeof a->n->outcome, "upheld");
        snprintf(a->n->decided_by, sizeof a->n->decided_by, "fast-track");
        snprintf(a->n->decision_reason, sizeof a->n->decision_reason, "%s",
                 a->detection_id
                     ? "taken down at once: a proactive detection confirmed by the right holder"
                     : "taken down at once under the fast-track rule (the notifier's accuracy "
                       "record)");
        a->n->decided_ms = a->now;
        a->n->review_deadline_ms = 0;
    } else {
        snprintf(a->n->state, sizeof a->n->state, "under_review");
        a->n->review_deadline_ms =
            a->now +
            notices__span_ms(ctx, ctx->cfg ? ctx->cfg->review_sla_hours : 24, NOTICES__HOUR_MS);
    }
    if ((st = store_notices_notice_insert(s, a->n)))
        goto out_free;

    struct store_notice_item *it = calloc(1, sizeof *it);
    if (!it) {
        st = IPS_ERR_NOMEM;
        goto out_free;
    }
    char reason[128];
    snprintf(reason, sizeof reason, "fast-track notice %s", a->n->id);
    for (size_t i = 0; i < a->ids->n && st == IPS_OK; i++) {
        if (!fresh[i])
            continue;
        memset(it, 0, sizeof *it);
        memcpy(it->notice_id, a->n->id, ID_SIZE);
        snprintf(it->listing_id, sizeof it->listing_id, "%s", ls[i].id);
        memcpy(it->seller_org_id, ls[i].seller_org_id, ID_SIZE);
        memcpy(it->notifier_org_id, a->n->notifier_org_id, ID_SIZE);
        it->content_version = ls[i].current_version;
        snprintf(it->counter_evidence, sizeof it->counter_evidence, "[]");
        it->updated_ms = a->now;
        if (fast) {
            st = catalog_listing_set_state(&a->sys, ls[i].id, "taken_down", reason);
            if (st)
                break;
            snprintf(it->state, sizeof it->state, "taken_down");
            it->taken_down_ms = a->now;
            it->counter_deadline_ms = a->now + a->window_ms;
            snprintf(it->decided_by, sizeof it->decided_by, "fast-track");
            it->decided_ms = a->now;
            a->taken_down++;
            json_t *list = json_object_get(by_seller, ls[i].seller_org_id);
            json_t *sor = json_object_get(sors, ls[i].seller_org_id);
            if (!list) {
                json_object_set_new(by_seller, ls[i].seller_org_id, list = json_array());
                json_object_set_new(sors, ls[i].seller_org_id, sor = json_array());
            }
            if (!list || !sor) {
                st = IPS_ERR_NOMEM;
                break;
            }
            json_array_append_new(list, json_string(ls[i].id));
            if (json_array_size(sor) < NOTICES__SOR_IN_MESSAGE)
                json_array_append_new(sor, notices_statement_of(a->n, it, ls[i].created_ms));
        } else {
            snprintf(it->state, sizeof it->state, "pending");
        }
        st = store_notices_item_insert(s, it);
    }
    free(it);
    /* searchable once, with all its listings (0031) */
    if (st || (st = store_notices_search_put(s, a->n->id)))
        goto out_free;
    if (fast && (st = notices__tell_sellers(s, a, by_seller, sors)))
        goto out_free;

    json_t *ack = json_pack("{s:s, s:b, s:I, s:O}", "notice_id", a->n->id, "fast_track", fast,
                            "items", (json_int_t)n_new, "merged", a->merged);
    st = ack ? notices__tell(s, a->n->notifier_org_id, "notice.received", a->n->id,
                             fast ? "Notice received: listings taken down (fast track)"
                                  : "Notice received: in the review queue",
                             ack, a->now)
             : IPS_ERR_NOMEM;
    json_decref(ack);
    if (st)
        goto out_free;
    char object[STORE_OBJECT_MAX + 1], detail[STORE_DETAIL_MAX + 1];
    snprintf(object, sizeof object, "notice:%s", a->n->id);
    snprintf(detail, sizeof detail, "%s notice citing right %s: %zu listing(s)%s, %zu merged",
             a->n->kind, a->n->right_id, n_new, fast ? " taken down (fast track)" : " queued",
             json_array_size(a->merged));
    st = audit_append(s, access_principal_actor(ctx->actor), "notice.submit", object, AUDIT_OK,
                      detail);
out_free:
    memcpy(a->ctx->detail, on.detail, sizeof on.detail);
    json_decref(sors);
    json_decref(by_seller);
    free(ls);
    free(fresh);
    return st;
}

ips_status notices_submit(struct ips_ctx *ctx, const struct notices_submit_req *req,
                          struct notices_submit_result *out)
{
    return notices_submit_detection(ctx, req, NULL, out);
}

ips_status notices_submit_detection(struct ips_ctx *ctx, const struct notices_submit_req *req,
                                    const char *detection_id, struct notices_submit_result *out)
{
    const struct access_principal *p = ctx->actor;
    struct notices__input in;
    struct notices__ids ids = {0};
    struct rights_right *right = NULL;
    struct store_notice *n = NULL;
    struct notices__submit_tx a;
    ips_status st = access_authorize(p, ACT_NOTICE_SUBMIT, NULL);
    int64_t now = time_now_ms();
    memset(&in, 0, sizeof in);
    memset(&a, 0, sizeof a);
    if (st) {
        audit_record(ctx->store, access_principal_actor(p), "notice.submit", "notice", AUDIT_DENIED,
                     ips_status_slug(st));
        return st;
    }
    right = malloc(sizeof *right);
    n = calloc(1, sizeof *n);
    if (!right || !n) {
        st = IPS_ERR_NOMEM;
        goto out_free;
    }
    bool valid = notices__validate(ctx, req, detection_id, &in, &ids);
    if (ids.nomem) {
        st = IPS_ERR_NOMEM;
        goto out_free;
    }
    if (!valid) {
        snprintf(ctx->detail, sizeof ctx->detail,
                 "the notice is incomplete or invalid: %zu problem(s), listed in errors",
                 json_array_size(ctx->errors));
        st = IPS_ERR_INVALID;
        goto out_free;
    }
    /* who notifies: the actor's org, or (system only) a named org */
    const char *notifier = p->org_id;
    if (p->via == VIA_SYSTEM) {
        if (!in.notifier_org_id) {
            json_error_add(ctx->errors, "notifier_org_id", "is required when the system submits");
            st = IPS_ERR_INVALID;
            goto out_free;
        }
        notifier = in.notifier_org_id;
    } else if (in.notifier_org_id && strcmp(in.notifier_org_id, p->org_id) != 0) {
        json_error_add(ctx->errors, "notifier_org_id", "may only name your own organisation");
        st = IPS_ERR_INVALID;
        goto out_free;
    }
    id_new(n->id);
    memcpy(n->notifier_org_id, notifier, ID_SIZE);
    snprintf(n->submitted_by, sizeof n->submitted_by, "%s", access_principal_actor(p));
    snprintf(n->kind, sizeof n->kind, "%s", in.kind);
    snprintf(n->explanation, sizeof n->explanation, "%s", in.explanation);
    snprintf(n->notifier_name, sizeof n->notifier_name, "%s", in.name);
    snprintf(n->notifier_email, sizeof n->notifier_email, "%s", in.email);
    snprintf(n->on_behalf_of, sizeof n->on_behalf_of, "%s", in.on_behalf_of ? in.on_behalf_of : "");
    snprintf(n->signature, sizeof n->signature, "%s", in.signature);
    n->good_faith = n->accuracy = true;
    n->created_ms = n->updated_ms = now;

    a.ctx = ctx;
    a.sys = *ctx;
    access_principal_system(&a.sys_p);
    a.sys.actor = &a.sys_p;
    a.req = req;
    a.detection_id = detection_id;
    a.ids = &ids;
    a.in = &in;
    a.notifier = notifier;
    a.n = n;
    a.right = right;
    a.now = now;
    a.window_ms =
        notices__span_ms(ctx, ctx->cfg ? ctx->cfg->counter_notice_days : 3, NOTICES__DAY_MS);
    a.merged = json_array();
    st = store_tx_run_grouped(ctx->store, notices__submit_tx, &a);
    if (st && a.cite_denied) {
        char object[STORE_OBJECT_MAX + 1];
        snprintf(object, sizeof object, "right:%s", in.right_id);
        audit_record(ctx->store, access_principal_actor(p), access_action_name(ACT_RIGHT_CITE),
                     object, AUDIT_DENIED, ips_status_slug(st));
    }
    if (st) {
        json_decref(a.merged);
        if (st != IPS_ERR_INVALID && st != IPS_ERR_NOT_FOUND && st != IPS_ERR_FORBIDDEN)
            audit_record(ctx->store, access_principal_actor(p), "notice.submit", "notice",
                         AUDIT_FAILED, ips_status_slug(st));
        goto out_free;
    }
    out->notice = *n;
    out->merged_all = a.merged_all;
    out->merged = a.merged;
    out->taken_down = a.taken_down;
out_free:
    free(n);
    free(right);
    free(ids.id);
    return st;
}
