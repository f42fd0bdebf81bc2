/*
 * evidence.c — the evidence package of a referral: building it (a tar.gz
 * made with libarchive, stored as a content-addressed blob) and verifying
 * it offline.
 *
 * The builder serves every kind of case (struct evidence_case): a
 * referral (the platform's view: everything) and a litigation file (only
 * what its right holder may see: its own notices, the detections that
 * concern it, no linked sellers). Layout (docs/internals/referrals.md):
 *   referral.json              the case (litigation.json for a litigation file;
 *                              its damages.json and damages.csv beside it)
 *   sellers/<org>.json         profile, units sold and revenue per currency,
 *                              linked sellers (shared identifiers), listing and notice ids
 *   listings/<id>.json         the listing with its newest versions (snapshots)
 *   images/<sha256>.<ext>      image bytes of listings that refer to stored blobs
 *   images.json                every image: SHA-256, type, size, PDQ hash and
 *                              quality where it decodes, the listings using it; URLs
 *   notices/<id>.json          notices against the sellers with their items,
 *                              counter-notices and decisions
 *   files/<sha256>.<ext>       files an officer attached to the case; files.json lists them
 *   detections/<id>.json       the current detection verdicts on the sellers' listings
 *                              (not "allow"): score, action, signals, decisions
 *   manifest.json              {format, case_kind, referral_id | case_id, created_at,
 *                              files: [{path, sha256, size}]}
 *   manifest.sig               a C2SP signed note by the platform's Ed25519 key
 *                              (the ledger's, src/ledger/note.h) over
 *                              "iprshield evidence v1\n<case id>\n<sha256 of manifest.json>\n"
 */
#include <archive.h>
#include <archive_entry.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "detect/detect.h"
#include "referrals/referrals_internal.h"
#include "store/store_catalog.h"
#include "store/store_detections.h"
#include "store/store_notices.h"

#define EV_LISTINGS_MAX 2000 /* listings per seller in one package */
#define EV_VERSIONS_MAX 20   /* newest versions per listing */
#define EV_MANIFEST_MAX (4u * 1024 * 1024)
#define EV_PATH_MAX 200

static void ev__hex(const uint8_t h[32], char out[65])
{
    sodium_bin2hex(out, 65, h, 32);
}

/* ---- building ---------------------------------------------------------------------- */

struct ev {
    struct ips_ctx *ctx;
    const char *holder; /* NULL: the platform's view; else this right holder's */
    struct archive *a;
    struct buf out; /* the archive bytes */
    json_t *files;  /* manifest entries */
    json_t *images; /* sha256 or url -> image record */
    int64_t mtime_s;
};

static la_ssize_t ev__write(struct archive *a, void *client, const void *data, size_t n)
{
    struct buf *b = client;
    if (buf_append(b, data, n) != IPS_OK) {
        archive_set_error(a, 27 /* EFBIG */, "the archive passes its maximum size");
        return -1;
    }
    return (la_ssize_t)n;
}

/* Add one file and its manifest entry. */
static ips_status ev__add(struct ev *e, const char *path, const void *data, size_t len)
{
    uint8_t h[32];
    char hex[65];
    crypto_hash_sha256(h, data, len);
    ev__hex(h, hex);
    struct archive_entry *en = archive_entry_new();
    if (!en)
        return IPS_ERR_NOMEM;
    archive_entry_set_pathname(en, path);
    archive_entry_set_size(en, (la_int64_t)len);
    archive_entry_set_filetype(en, AE_IFREG);
    archive_entry_set_perm(en, 0644);
    archive_entry_set_mtime(en, e->mtime_s, 0);
    ips_status st = IPS_OK;
    if (archive_write_header(e->a, en) != ARCHIVE_OK ||
        (len && archive_write_data(e->a, data, len) != (la_ssize_t)len)) {
        st = e->out.len + len >= e->out.max ? IPS_ERR_TOO_LARGE : IPS_ERR_INTERNAL;
        if (st == IPS_ERR_INTERNAL)
            log_error("evidence: libarchive failed", "error", archive_error_string(e->a));
    }
    archive_entry_free(en);
    if (st == IPS_OK &&
        json_array_append_new(e->files, json_pack("{s:s, s:s, s:I}", "path", path, "sha256", hex,
                                                  "size", (json_int_t)len)) != 0)
        st = IPS_ERR_NOMEM;
    return st;
}

/* Add a JSON document (reference stolen), indented, ending in a newline. */
static ips_status ev__add_json(struct ev *e, const char *path, json_t *doc)
{
    if (!doc)
        return IPS_ERR_NOMEM;
    char *text = json_dumps(doc, JSON_INDENT(2));
    json_decref(doc);
    if (!text)
        return IPS_ERR_NOMEM;
    size_t n = strlen(text);
    char *withnl = realloc(text, n + 2);
    if (!withnl) {
        free(text);
        return IPS_ERR_NOMEM;
    }
    withnl[n] = '\n';
    ips_status st = ev__add(e, path, withnl, n + 1);
    free(withnl);
    return st;
}

static json_t *ev__time(int64_t ms)
{
    char t[40];
    return ms > 0 && time_format_rfc3339(ms, t, sizeof t) == IPS_OK ? json_string(t) : json_null();
}

/* The stored JSON text as a value, or the text itself if it does not parse. */
static json_t *ev__json_text(const char *text)
{
    json_t *v = json_loads(text, JSON_DECODE_ANY, NULL);
    return v ? v : json_string(text);
}

static const char *ev__ext(const char *mime)
{
    static const struct {
        const char *mime, *ext;
    } map[] = {{"image/png", "png"}, {"image/jpeg", "jpg"},    {"image/webp", "webp"},
               {"image/gif", "gif"}, {"image/svg+xml", "svg"}, {"application/pdf", "pdf"}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(mime, map[i].mime) == 0)
            return map[i].ext;
    return "bin";
}

static bool ev__is_sha_hex(const char *s)
{
    if (strlen(s) != 64)
        return false;
    for (const char *c = s; *c; c++)
        if (!((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f')))
            return false;
    return true;
}

/* Record one image reference of a listing; stored blobs go into the
 * archive once, with their PDQ hash when they decode. */
static ips_status ev__image(struct ev *e, const char *ref, const char *listing_id)
{
    json_t *img = json_object_get(e->images, ref);
    if (!img) {
        img = json_object();
        if (!img || json_object_set_new(e->images, ref, img) != 0)
            return IPS_ERR_NOMEM;
        json_object_set_new(img, "listings", json_array());
        void *data = NULL;
        size_t len = 0;
        struct blob_info info;
        if (!ev__is_sha_hex(ref) || blob_info_get(e->ctx, ref, &info) != IPS_OK) {
            json_object_set_new(img, "url", json_string(ref));
            json_object_set_new(img, "stored", json_false());
        } else {
            ips_status st = blob_read(e->ctx, ref, &data, &len);
            if (st)
                return st;
            char path[EV_PATH_MAX];
            snprintf(path, sizeof path, "images/%s.%s", ref, ev__ext(info.mime));
            st = ev__add(e, path, data, len);
            struct detect_pdq pdq[DETECT_DIH_COUNT];
            int quality = 0;
            char err[128], hex[65];
            if (detect_pdq_image(data, len, pdq, &quality, err, sizeof err) == IPS_OK) {
                detect_pdq_format(&pdq[DETECT_DIH_ORIGINAL], hex);
                json_object_set_new(img, "pdq", json_string(hex));
                json_object_set_new(img, "pdq_quality", json_integer(quality));
            } else {
                json_object_set_new(img, "pdq", json_null());
            }
            free(data);
            if (st)
                return st;
            json_object_set_new(img, "sha256", json_string(ref));
            json_object_set_new(img, "path", json_string(path));
            json_object_set_new(img, "mime", json_string(info.mime));
            json_object_set_new(img, "size", json_integer((json_int_t)info.size));
            json_object_set_new(img, "stored", json_true());
        }
    }
    return json_array_append_new(json_object_get(img, "listings"), json_string(listing_id)) == 0
               ? IPS_OK
               : IPS_ERR_NOMEM;
}

static json_t *ev__version(const struct store_listing_version *v)
{
    char price[40];
    catalog_price_format(v->price_minor, v->currency, price, sizeof price);
    json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:I}", "version",
                          (json_int_t)v->version, "title", v->title, "description", v->description,
                          "price", price, "currency", v->currency, "category", v->category,
                          "ship_from", v->ship_from, "units_sold", (json_int_t)v->units_sold);
    if (o) {
        json_object_set_new(o, "images", ev__json_text(v->images));
        json_object_set_new(o, "recorded_at", ev__time(v->created_ms));
    }
    return o;
}

static ips_status ev__take_version(const struct store_listing_version *v, void *arg)
{
    return json_array_append_new(arg, ev__version(v)) == 0 ? IPS_OK : IPS_ERR_NOMEM;
}

/* The decisions of the right holders a verdict concerns: every one in the
 * platform's view, only the holder's own in a right holder's. */
static ips_status ev__take_decision(const struct store_detection_org *o, void *arg)
{
    struct ev *e = ((void **)arg)[0];
    json_t *orgs = ((void **)arg)[1];
    if (e->holder && strcmp(o->org_id, e->holder) != 0)
        return IPS_OK;
    json_t *x = json_pack("{s:s, s:s, s:s, s:s}", "org_id", o->org_id, "decision", o->decision,
                          "decided_by", o->decided_by, "reason", o->reason);
    if (x)
        json_object_set_new(x, "decided_at", ev__time(o->decided_ms));
    return json_array_append_new(orgs, x) == 0 ? IPS_OK : IPS_ERR_NOMEM;
}

/* The signals of a verdict; in a right holder's view without those naming
 * another right holder (its brand terms and images are not the holder's to see). */
static json_t *ev__signals(const struct ev *e, const char *text)
{
    json_t *all = ev__json_text(text);
    if (!e->holder || !json_is_array(all))
        return all;
    json_t *mine = json_array();
    size_t i;
    json_t *g;
    json_array_foreach(all, i, g)
    {
        const char *org = json_string_value(json_object_get(g, "org_id"));
        if (!org || strcmp(org, e->holder) == 0)
            json_array_append(mine, g);
    }
    json_decref(all);
    return mine;
}

/* detections/<id>.json: one verdict with its signals and decisions. */
static ips_status ev__detection(const struct store_detection *d, void *arg)
{
    struct ev *e = arg;
    json_t *orgs = json_array();
    if (!orgs)
        return IPS_ERR_NOMEM;
    ips_status st =
        store_detections_org_list(e->ctx->store, d->id, ev__take_decision, (void *[]){e, orgs});
    if (st) {
        json_decref(orgs);
        return st;
    }
    json_t *doc = json_pack(
        "{s:s, s:s, s:I, s:I, s:i, s:s, s:s, s:s, s:o, s:o}", "id", d->id, "listing_id",
        d->listing_id, "listing_version", (json_int_t)d->listing_version, "rules_version",
        (json_int_t)d->rules_version, "score_milli", d->score_milli, "action", d->action, "applied",
        d->applied, "status", d->status, "signals", ev__signals(e, d->signals), "decisions", orgs);
    if (doc)
        json_object_set_new(doc, "created_at", ev__time(d->created_ms));
    char path[EV_PATH_MAX];
    snprintf(path, sizeof path, "detections/%s.json", d->id);
    return ev__add_json(e, path, doc);
}

/* Per seller: running totals while its listings are written. */
struct ev_seller {
    struct ev *e;
    json_t *listing_ids, *revenue; /* revenue: currency -> minor units */
    int64_t units, listings;
    char last[STORE_LISTING_ID_MAX + 1];
};

static ips_status ev__listing(const struct store_listing *l, const struct store_listing_version *v,
                              void *arg)
{
    struct ev_seller *sl = arg;
    struct ev *e = sl->e;
    snprintf(sl->last, sizeof sl->last, "%s", l->id);
    if (++sl->listings > EV_LISTINGS_MAX)
        return IPS_OK;
    sl->units += v->units_sold;
    json_t *rev = json_object_get(sl->revenue, v->currency);
    json_int_t sum =
        (rev ? json_integer_value(rev) : 0) + (json_int_t)(v->units_sold * v->price_minor);
    json_object_set_new(sl->revenue, v->currency, json_integer(sum));
    json_array_append_new(sl->listing_ids, json_string(l->id));

    json_t *images = json_loads(v->images, 0, NULL);
    size_t i;
    json_t *ref;
    ips_status st = IPS_OK;
    json_array_foreach(images, i, ref)
    {
        if (json_is_string(ref) && (st = ev__image(e, json_string_value(ref), l->id)))
            break;
    }
    json_decref(images);
    if (st)
        return st;
    json_t *doc = json_pack("{s:s, s:s, s:s, s:I}", "id", l->id, "seller_org_id", l->seller_org_id,
                            "state", l->state, "current_version", (json_int_t)l->current_version);
    json_t *versions = json_array();
    if (!doc || !versions) {
        json_decref(doc);
        json_decref(versions);
        return IPS_ERR_NOMEM;
    }
    json_object_set_new(doc, "listed_at", ev__time(l->created_ms));
    json_object_set_new(doc, "versions", versions);
    if ((st = store_catalog_version_list(e->ctx->store, l->id, 0, EV_VERSIONS_MAX, ev__take_version,
                                         versions))) {
        json_decref(doc);
        return st;
    }
    char path[EV_PATH_MAX];
    snprintf(path, sizeof path, "listings/%s.json", l->id);
    if ((st = ev__add_json(e, path, doc)))
        return st;
    /* Its current detection verdict, when it is more than "allow"; in a right
     * holder's view only one that concerns the holder. */
    struct store_detection_filter f = {.listing = l->id, .org_id = e->holder};
    return store_detections_verdict_list(e->ctx->store, &f, NULL, 10, ev__detection, e);
}

static ips_status ev__take_link(const char *seller, const char *kind, void *arg)
{
    json_t *links = arg; /* seller -> [kinds] */
    json_t *kinds = json_object_get(links, seller);
    if (!kinds) {
        kinds = json_array();
        json_object_set_new(links, seller, kinds);
    }
    return json_array_append_new(kinds, json_string(kind)) == 0 ? IPS_OK : IPS_ERR_NOMEM;
}

struct ev_notices {
    struct ev *e;
    const char *seller;
    json_t *ids;
    char last[ID_SIZE];
    int n;
};

static ips_status ev__take_item(const struct store_notice_item *it, void *arg)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:I}", "listing_id", it->listing_id, "seller_org_id",
                          it->seller_org_id, "state", it->state, "content_version",
                          (json_int_t)it->content_version);
    if (!o)
        return IPS_ERR_NOMEM;
    json_object_set_new(o, "taken_down_at", ev__time(it->taken_down_ms));
    if (it->counter_ms) {
        json_object_set_new(o, "counter_notice",
                            json_pack("{s:s, s:o, s:o}", "explanation", it->counter_explanation,
                                      "evidence", ev__json_text(it->counter_evidence), "at",
                                      ev__time(it->counter_ms)));
    }
    if (it->decided_ms)
        json_object_set_new(o, "decision",
                            json_pack("{s:s, s:s, s:o}", "by", it->decided_by, "reason",
                                      it->decision_reason, "at", ev__time(it->decided_ms)));
    if (it->appeal_state[0])
        json_object_set_new(o, "appeal",
                            json_pack("{s:s, s:s, s:o}", "state", it->appeal_state, "explanation",
                                      it->appeal_explanation, "at", ev__time(it->appeal_ms)));
    return json_array_append_new(arg, o) == 0 ? IPS_OK : IPS_ERR_NOMEM;
}

static ips_status ev__notice(const struct store_notice *n, void *arg)
{
    struct ev_notices *en = arg;
    snprintf(en->last, sizeof en->last, "%s", n->id);
    en->n++;
    const char *holder = en->e->holder; /* a right holder sees its own notices only */
    if (holder && strcmp(n->right_org_id, holder) != 0 && strcmp(n->notifier_org_id, holder) != 0)
        return IPS_OK;
    json_t *doc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:s}", "id", n->id,
                            "notifier_org_id", n->notifier_org_id, "right_id", n->right_id,
                            "right_org_id", n->right_org_id, "kind", n->kind, "fast_track",
                            n->fast_track, "state", n->state, "outcome", n->outcome);
    json_t *items = json_array();
    if (!doc || !items) {
        json_decref(doc);
        json_decref(items);
        return IPS_ERR_NOMEM;
    }
    json_object_set_new(doc, "explanation", json_string(n->explanation));
    json_object_set_new(doc, "evidence", ev__json_text(n->evidence));
    json_object_set_new(doc, "submitted_at", ev__time(n->created_ms));
    json_object_set_new(doc, "decided_at", ev__time(n->decided_ms));
    json_object_set_new(doc, "decision_reason", json_string(n->decision_reason));
    json_object_set_new(doc, "items", items);
    ips_status st = store_notices_item_list(en->e->ctx->store, n->id, en->seller, NULL, 1000,
                                            ev__take_item, items);
    if (st) {
        json_decref(doc);
        return st;
    }
    json_array_append_new(en->ids, json_string(n->id));
    char path[EV_PATH_MAX];
    snprintf(path, sizeof path, "notices/%s.json", n->id);
    return ev__add_json(en->e, path, doc);
}

/* Everything about one seller of the case. */
static ips_status ev__seller(struct ev *e, const char *seller_org_id, int64_t *units)
{
    struct store *s = e->ctx->store;
    struct ev_seller sl = {.e = e, .listing_ids = json_array(), .revenue = json_object()};
    json_t *links = json_object(), *notice_ids = json_array();
    json_t *doc = json_object();
    ips_status st = IPS_ERR_NOMEM;
    if (!sl.listing_ids || !sl.revenue || !links || !notice_ids || !doc)
        goto out;
    struct store_org org;
    struct store_seller sp;
    if ((st = store_org_get(s, seller_org_id, &org)))
        goto out;
    json_object_set_new(doc, "org_id", json_string(org.id));
    json_object_set_new(doc, "name", json_string(org.name));
    if (store_catalog_seller_get(s, seller_org_id, &sp) == IPS_OK) {
        json_object_set_new(doc, "external_id", json_string(sp.external_id));
        json_object_set_new(doc, "display_name", json_string(sp.display_name));
        json_object_set_new(doc, "ship_from", json_string(sp.ship_from));
    }
    /* Listings, a page at a time. */
    for (;;) {
        int64_t before = sl.listings;
        if ((st = store_catalog_listing_list(s, seller_org_id, sl.last, 200, ev__listing, &sl)))
            goto out;
        if (sl.listings - before < 200 || sl.listings >= EV_LISTINGS_MAX)
            break;
    }
    /* Notices against the seller. */
    struct store_notice_filter f = {.seller_org_id = seller_org_id};
    struct ev_notices en = {.e = e, .seller = seller_org_id, .ids = notice_ids};
    for (;;) {
        int before = en.n;
        if ((st = store_notices_notice_list(s, &f, en.last, 100, ev__notice, &en)))
            goto out;
        if (en.n - before < 100)
            break;
    }
    /* Linked sellers come from the network registry, which only the
     * platform reads (NETWORK_READ): not in a right holder's view. */
    if (!e->holder && (st = store_referrals_linked_sellers(s, seller_org_id, ev__take_link, links)))
        goto out;
    json_t *linked = json_array();
    const char *other;
    json_t *kinds;
    json_object_foreach(links, other, kinds)
    {
        struct store_org lo;
        json_array_append_new(linked,
                              json_pack("{s:s, s:s, s:O}", "seller_org_id", other, "name",
                                        store_org_get(s, other, &lo) == IPS_OK ? lo.name : "",
                                        "shared_identifier_kinds", kinds));
    }
    json_t *revenue = json_array();
    const char *cur;
    json_t *minor;
    json_object_foreach(sl.revenue, cur, minor)
    {
        char amount[40];
        catalog_price_format(json_integer_value(minor), cur, amount, sizeof amount);
        json_array_append_new(revenue, json_pack("{s:s, s:s}", "currency", cur, "amount", amount));
    }
    json_object_set_new(doc, "listings", json_integer((json_int_t)sl.listings));
    json_object_set_new(doc, "units_sold", json_integer((json_int_t)sl.units));
    json_object_set_new(doc, "revenue", revenue);
    if (e->holder)
        json_decref(linked);
    else
        json_object_set_new(doc, "linked_sellers", linked);
    json_object_set_new(doc, "listing_ids", json_incref(sl.listing_ids));
    json_object_set_new(doc, "notice_ids", json_incref(notice_ids));
    char path[EV_PATH_MAX];
    snprintf(path, sizeof path, "sellers/%s.json", seller_org_id);
    st = ev__add_json(e, path, doc);
    doc = NULL;
    *units += sl.units;
out:
    json_decref(doc);
    json_decref(sl.listing_ids);
    json_decref(sl.revenue);
    json_decref(links);
    json_decref(notice_ids);
    return st;
}

static ips_status ev__take_code(const char *code, void *arg)
{
    return json_array_append_new(arg, json_string(code)) == 0 ? IPS_OK : IPS_ERR_NOMEM;
}

static ips_status ev__take_recipient(const struct store_referral_recipient *x, void *arg)
{
    return json_array_append_new(arg,
                                 json_pack("{s:s, s:s, s:s}", "agency_org_id", x->agency_org_id,
                                           "name", x->agency_name, "kind", x->kind)) == 0
               ? IPS_OK
               : IPS_ERR_NOMEM;
}

json_t *referral_file_json(const struct store_referral_file *f)
{
    json_t *o =
        json_pack("{s:s, s:s, s:s, s:I, s:s, s:s}", "sha256", f->sha256, "name", f->name, "mime",
                  f->mime, "size", (json_int_t)f->size, "note", f->note, "added_by", f->added_by);
    if (o)
        json_object_set_new(o, "added_at", ev__time(f->created_ms));
    return o;
}

static ips_status ev__take_file(const struct store_referral_file *f, void *arg)
{
    return json_array_append_new(arg, referral_file_json(f)) == 0 ? IPS_OK : IPS_ERR_NOMEM;
}

/* Sign the manifest: the note names the case and the manifest's hash. */
static ips_status ev__sign(struct ev *e, const char *case_id, const struct note_signer *signer,
                           const char manifest_sha[65])
{
    char text[160];
    struct buf note;
    snprintf(text, sizeof text, EVIDENCE_NOTE_HEAD "\n%s\n%s\n", case_id, manifest_sha);
    buf_init(&note, NOTE_MAX);
    ips_status st = note_sign(signer, text, strlen(text), &note);
    if (st == IPS_OK)
        st = ev__add(e, EVIDENCE_SIGNATURE, note.data, note.len);
    buf_release(&note);
    return st;
}

/* The extra files of a case: a JSON string is written as its text, any
 * other value as an indented document. */
static ips_status ev__extras(struct ev *e, json_t *extra)
{
    const char *path;
    json_t *v;
    ips_status st = IPS_OK;
    json_object_foreach(extra, path, v)
    {
        if (json_is_string(v))
            st = ev__add(e, path, json_string_value(v), json_string_length(v));
        else
            st = ev__add_json(e, path, json_incref(v));
        if (st)
            break;
    }
    return st;
}

/* The case's attached files: files/<sha256>.<ext> and files.json. */
static ips_status ev__attachments(struct ev *e, json_t *attachments)
{
    json_t *list = json_array();
    size_t i;
    json_t *a;
    ips_status st = list ? IPS_OK : IPS_ERR_NOMEM;
    json_array_foreach(attachments, i, a)
    {
        const char *sha = json_string_value(json_object_get(a, "sha256"));
        const char *mime = json_string_value(json_object_get(a, "mime"));
        void *data = NULL;
        size_t len = 0;
        if (st || !sha || !mime || (st = blob_read(e->ctx, sha, &data, &len)))
            break;
        char path[EV_PATH_MAX];
        snprintf(path, sizeof path, "files/%s.%s", sha, ev__ext(mime));
        st = ev__add(e, path, data, len);
        free(data);
        json_t *entry = json_deep_copy(a);
        if (!st && (!entry || json_object_set_new(entry, "path", json_string(path)) != 0 ||
                    json_array_append_new(list, entry) != 0))
            st = IPS_ERR_NOMEM;
    }
    if (st == IPS_OK)
        return ev__add_json(e, "files.json", list);
    json_decref(list);
    return st;
}

ips_status evidence_build(struct ips_ctx *ctx, const struct evidence_case *c,
                          const struct note_signer *signer, struct blob_info *archive,
                          char manifest_sha[65], int64_t *units_sold)
{
    struct ev e = {.ctx = ctx,
                   .holder = c->holder_org_id,
                   .files = json_array(),
                   .images = json_object(),
                   .mtime_s = c->created_ms / 1000};
    ips_status st = IPS_ERR_NOMEM;
    int64_t units = 0;
    buf_init(&e.out, BLOB_MAX_BYTES);
    e.a = archive_write_new();
    if (!e.a || !e.files || !e.images)
        goto out;
    if (archive_write_set_format_pax_restricted(e.a) != ARCHIVE_OK ||
        archive_write_add_filter_gzip(e.a) != ARCHIVE_OK ||
        archive_write_set_bytes_in_last_block(e.a, 1) != ARCHIVE_OK ||
        archive_write_open(e.a, &e.out, NULL, ev__write, NULL) != ARCHIVE_OK) {
        log_error("evidence: cannot start the archive", "error", archive_error_string(e.a));
        st = IPS_ERR_INTERNAL;
        goto out;
    }
    char doc_path[EV_PATH_MAX];
    snprintf(doc_path, sizeof doc_path, "%s.json", c->kind);
    if ((st = ev__add_json(&e, doc_path, json_incref(c->doc))) || (st = ev__extras(&e, c->extra)) ||
        (json_array_size(c->attachments) && (st = ev__attachments(&e, c->attachments))))
        goto out;
    size_t i;
    json_t *sid;
    json_array_foreach(c->sellers, i, sid)
    {
        if ((st = ev__seller(&e, json_string_value(sid), &units)))
            goto out;
    }
    json_t *images = json_array();
    const char *ref;
    json_t *img;
    json_object_foreach(e.images, ref, img) json_array_append(images, img);
    if ((st = ev__add_json(&e, "images.json", images)))
        goto out;
    /* The manifest lists every file written so far, then is signed. A
     * referral's names it as referral_id (the format's first users). */
    json_t *manifest =
        json_pack("{s:s, s:s, s:s, s:o, s:O}", "format", "iprshield-evidence-v1", "case_kind",
                  c->kind, strcmp(c->kind, "referral") == 0 ? "referral_id" : "case_id", c->id,
                  "created_at", ev__time(c->created_ms), "files", e.files);
    char *mtext = manifest ? json_dumps(manifest, JSON_INDENT(2)) : NULL;
    json_decref(manifest);
    if (!mtext) {
        st = IPS_ERR_NOMEM;
        goto out;
    }
    uint8_t h[32];
    crypto_hash_sha256(h, (const uint8_t *)mtext, strlen(mtext));
    ev__hex(h, manifest_sha);
    st = ev__add(&e, EVIDENCE_MANIFEST, mtext, strlen(mtext));
    free(mtext);
    if (st || (st = ev__sign(&e, c->id, signer, manifest_sha)))
        goto out;
    if (archive_write_close(e.a) != ARCHIVE_OK) {
        st = e.out.len >= e.out.max ? IPS_ERR_TOO_LARGE : IPS_ERR_INTERNAL;
        goto out;
    }
    st = blob_put(ctx, e.out.data, e.out.len, BLOB_TYPES_ANY, archive);
    if (st == IPS_OK && units_sold)
        *units_sold = units;
out:
    if (st == IPS_ERR_TOO_LARGE)
        snprintf(ctx->detail, sizeof ctx->detail,
                 "the evidence package would pass %d bytes; take fewer sellers or listings",
                 BLOB_MAX_BYTES);
    if (e.a)
        archive_write_free(e.a);
    buf_release(&e.out);
    json_decref(e.files);
    json_decref(e.images);
    return st;
}

ips_status referrals__evidence_build(struct ips_ctx *ctx, const struct store_referral *r,
                                     const struct note_signer *signer, struct blob_info *archive,
                                     char manifest_sha[65], int64_t *units_sold)
{
    json_t *sellers = json_array(), *recipients = json_array(), *holders = json_array();
    json_t *files = json_array(), *doc = NULL;
    ips_status st = IPS_ERR_NOMEM;
    if (!sellers || !recipients || !holders || !files)
        goto out;
    if ((st = store_referrals_seller_list(ctx->store, r->id, ev__take_code, sellers)) ||
        (st = store_referrals_recipient_list(ctx->store, r->id, ev__take_recipient, recipients)) ||
        (st = store_referrals_rightholder_list(ctx->store, r->id, ev__take_code, holders)) ||
        (st = store_referrals_file_list(ctx->store, r->id, ev__take_file, files)))
        goto out;
    doc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:O, s:O, s:O}", "id", r->id, "summary",
                    r->summary, "tlp", r->tlp, "ship_from", r->ship_from, "route_note",
                    r->route_note, "buyer_countries", ev__json_text(r->buyer_countries), "sellers",
                    sellers, "recipients", recipients, "rightholders", holders);
    if (!doc) {
        st = IPS_ERR_NOMEM;
        goto out;
    }
    json_object_set_new(doc, "created_at", ev__time(r->created_ms));
    json_object_set_new(doc, "created_by", json_string(r->created_by));
    struct evidence_case c = {.id = r->id,
                              .kind = "referral",
                              .doc = doc,
                              .sellers = sellers,
                              .attachments = files,
                              .created_ms = r->created_ms};
    st = evidence_build(ctx, &c, signer, archive, manifest_sha, units_sold);
out:
    json_decref(files);
    json_decref(doc);
    json_decref(sellers);
    json_decref(recipients);
    json_decref(holders);
    return st;
}

/* ---- verifying --------------------------------------------------------------------- */

void evidence_report_clear(struct evidence_report *r)
{
    json_decref(r->problems);
    r->problems = NULL;
}

static void ev__problem(struct evidence_report *rep, const char *path, const char *what)
{
    json_array_append_new(rep->problems, json_pack("{s:s, s:s}", "path", path, "problem", what));
}

/* Read every entry: path -> {sha256, size, count}; keep the manifest and
 * the signature bytes. */
static ips_status ev__read_all(struct archive *a, json_t *seen, struct buf *manifest,
                               struct buf *sig, struct evidence_report *rep)
{
    struct archive_entry *en;
    uint8_t chunk[16384];
    int rc;
    while ((rc = archive_read_next_header(a, &en)) == ARCHIVE_OK) {
        const char *path = archive_entry_pathname(en);
        if (!path || !path[0] || strlen(path) > EV_PATH_MAX) {
            snprintf(rep->why, sizeof rep->why, "an entry has no usable name");
            return IPS_ERR_MALFORMED;
        }
        crypto_hash_sha256_state hs;
        crypto_hash_sha256_init(&hs);
        int64_t size = 0;
        bool is_manifest = strcmp(path, EVIDENCE_MANIFEST) == 0;
        bool is_sig = strcmp(path, EVIDENCE_SIGNATURE) == 0;
        for (;;) {
            la_ssize_t n = archive_read_data(a, chunk, sizeof chunk);
            if (n < 0) {
                snprintf(rep->why, sizeof rep->why, "cannot read %s: %s", path,
                         archive_error_string(a));
                return IPS_ERR_MALFORMED;
            }
            if (n == 0)
                break;
            crypto_hash_sha256_update(&hs, chunk, (unsigned long long)n);
            size += n;
            if ((is_manifest && buf_append(manifest, chunk, (size_t)n)) ||
                (is_sig && buf_append(sig, chunk, (size_t)n))) {
                snprintf(rep->why, sizeof rep->why, "%s is too large", path);
                return IPS_ERR_MALFORMED;
            }
        }
        uint8_t h[32];
        char hex[65];
        crypto_hash_sha256_final(&hs, h);
        ev__hex(h, hex);
        json_t *prev = json_object_get(seen, path);
        if (prev) {
            json_object_set_new(
                prev, "count",
                json_integer(json_integer_value(json_object_get(prev, "count")) + 1));
            continue;
        }
        json_object_set_new(
            seen, path,
            json_pack("{s:s, s:I, s:i}", "sha256", hex, "size", (json_int_t)size, "count", 1));
    }
    if (rc != ARCHIVE_EOF) {
        snprintf(rep->why, sizeof rep->why, "not a readable archive: %s", archive_error_string(a));
        return IPS_ERR_MALFORMED;
    }
    return IPS_OK;
}

/* Check the signed note against the verifier and the manifest's hash. */
static void ev__check_sig(const struct buf *sig, const struct buf *manifest,
                          const struct note_verifier *v, struct evidence_report *rep)
{
    size_t text_len = 0;
    rep->signature = note_open(sig->data ? sig->data : "", sig->len, v, &text_len);
    if (rep->signature != NOTE_CHECK_OK)
        return;
    uint8_t h[32];
    char hex[65], expect[160];
    crypto_hash_sha256(h, (const uint8_t *)(manifest->data ? manifest->data : ""), manifest->len);
    ev__hex(h, hex);
    snprintf(expect, sizeof expect, EVIDENCE_NOTE_HEAD "\n%s\n%s\n", rep->referral_id, hex);
    rep->manifest_bound = text_len == strlen(expect) && memcmp(sig->data, expect, text_len) == 0;
}

/* Compare the entries with the manifest's file list. */
static ips_status ev__compare(json_t *seen, const struct buf *manifest, struct evidence_report *rep)
{
    json_error_t err;
    json_t *m = json_loadb(manifest->data ? manifest->data : "", manifest->len, 0, &err);
    json_t *files = json_object_get(m, "files");
    const char *rid = json_string_value(json_object_get(m, "referral_id"));
    const char *kind = json_string_value(json_object_get(m, "case_kind"));
    if (!rid) /* a case of another kind names itself case_id */
        rid = json_string_value(json_object_get(m, "case_id"));
    if (!json_is_array(files) || !rid || !id_is_valid(rid)) {
        snprintf(rep->why, sizeof rep->why, "%s is not an evidence manifest", EVIDENCE_MANIFEST);
        json_decref(m);
        return IPS_ERR_MALFORMED;
    }
    snprintf(rep->referral_id, sizeof rep->referral_id, "%s", rid);
    snprintf(rep->case_kind, sizeof rep->case_kind, "%s", kind && kind[0] ? kind : "referral");
    rep->files = (int64_t)json_array_size(files);
    json_t *listed = json_object();
    size_t i;
    json_t *f;
    json_array_foreach(files, i, f)
    {
        const char *path = json_string_value(json_object_get(f, "path"));
        const char *sha = json_string_value(json_object_get(f, "sha256"));
        json_int_t size = json_integer_value(json_object_get(f, "size"));
        if (!path || !sha) {
            ev__problem(rep, "manifest.json", "malformed-entry");
            continue;
        }
        json_object_set_new(listed, path, json_true());
        json_t *got = json_object_get(seen, path);
        if (!got)
            ev__problem(rep, path, "missing");
        else if (strcmp(json_string_value(json_object_get(got, "sha256")), sha) != 0 ||
                 json_integer_value(json_object_get(got, "size")) != size)
            ev__problem(rep, path, "changed");
    }
    const char *path;
    json_t *got;
    json_object_foreach(seen, path, got)
    {
        if (json_integer_value(json_object_get(got, "count")) > 1)
            ev__problem(rep, path, "duplicate");
        if (!json_object_get(listed, path) && strcmp(path, EVIDENCE_MANIFEST) != 0 &&
            strcmp(path, EVIDENCE_SIGNATURE) != 0)
            ev__problem(rep, path, "added");
    }
    json_decref(listed);
    json_decref(m);
    return IPS_OK;
}

/* open_rc: archive_read_open*'s answer; open_fail: the status when it
 * failed (IO for a file, MALFORMED for bytes in memory). */
static ips_status ev__verify(struct archive *a, int open_rc, ips_status open_fail, const char *vkey,
                             struct evidence_report *rep)
{
    struct note_verifier v;
    struct buf manifest, sig;
    json_t *seen = json_object();
    ips_status st;
    buf_init(&manifest, EV_MANIFEST_MAX);
    buf_init(&sig, NOTE_MAX);
    if (!seen || !rep->problems) {
        st = IPS_ERR_NOMEM;
        goto out;
    }
    if (note_verifier_parse(vkey, &v) != IPS_OK) {
        snprintf(rep->why, sizeof rep->why, "the verifier key is not a valid Ed25519 note key");
        st = IPS_ERR_INVALID;
        goto out;
    }
    if (open_rc != ARCHIVE_OK) {
        snprintf(rep->why, sizeof rep->why, "cannot open the archive: %s", archive_error_string(a));
        st = open_fail;
        goto out;
    }
    if ((st = ev__read_all(a, seen, &manifest, &sig, rep)))
        goto out;
    if (!json_object_get(seen, EVIDENCE_MANIFEST) || !json_object_get(seen, EVIDENCE_SIGNATURE)) {
        snprintf(rep->why, sizeof rep->why, "the archive has no %s or no %s", EVIDENCE_MANIFEST,
                 EVIDENCE_SIGNATURE);
        st = IPS_ERR_MALFORMED;
        goto out;
    }
    if ((st = ev__compare(seen, &manifest, rep)))
        goto out;
    ev__check_sig(&sig, &manifest, &v, rep);
    st = rep->signature == NOTE_CHECK_OK && rep->manifest_bound &&
                 json_array_size(rep->problems) == 0
             ? IPS_OK
             : IPS_ERR_INTEGRITY;
out:
    json_decref(seen);
    buf_release(&manifest);
    buf_release(&sig);
    archive_read_free(a);
    return st;
}

static struct archive *ev__reader(struct evidence_report *rep)
{
    memset(rep, 0, sizeof *rep);
    rep->signature = NOTE_CHECK_MALFORMED;
    rep->problems = json_array();
    struct archive *a = archive_read_new();
    if (a) {
        archive_read_support_filter_all(a);
        archive_read_support_format_tar(a);
    }
    return a;
}

ips_status evidence_verify_memory(const void *data, size_t len, const char *vkey,
                                  struct evidence_report *report)
{
    struct archive *a = ev__reader(report);
    if (!a)
        return IPS_ERR_NOMEM;
    return ev__verify(a, archive_read_open_memory(a, data, len), IPS_ERR_MALFORMED, vkey, report);
}

ips_status evidence_verify_file(const char *path, const char *vkey, struct evidence_report *report)
{
    struct archive *a = ev__reader(report);
    if (!a)
        return IPS_ERR_NOMEM;
    /* A file that opens but does not read as an archive is malformed; one
     * that cannot be opened is an I/O failure. */
    FILE *probe = fopen(path, "rb");
    ips_status open_fail = probe ? IPS_ERR_MALFORMED : IPS_ERR_IO;
    if (probe)
        fclose(probe);
    return ev__verify(a, archive_read_open_filename(a, path, 16384), open_fail, vkey, report);
}
