/*
 * scan.c — one listing version under one rule set: its signals (each with
 * an explanation and, for text, the span in the original field), the score
 * and action of the policy, and the stored verdict with its effect on the
 * listing's state. Runs inside the caller's transaction.
 *
 * Signals (weights: detect_policy, docs/internals/detect.md):
 *   brand_term            a right holder's term or variant in the title or
 *                         description — dropped for its authorised sellers
 *                         unless a cue phrase is present;
 *   cue_phrase            a curated counterfeit cue ("replica", "1:1", ...);
 *   unauthorised_seller   the listing carries a brand whose holder names
 *                         authorised sellers, and the seller is not one;
 *   price_below_reference below the holder's reference minimum for the
 *                         category and currency;
 *   image_hash            a listing image (a stored blob) within PDQ
 *                         distance 31 of an official image, any of the 8
 *                         dihedral variants, quality >= 50;
 *   price_below_median    below detect_median_ratio of the category's
 *                         median (with at least detect_median_samples);
 *   seller_flagged        the seller is on an alliance member's shared
 *                         list, has active strikes, or shares an identifier
 *                         hash with a seller that has.
 * A right holder that dismissed this listing version contributes nothing.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "audit/audit.h"
#include "catalog/catalog.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/id.h"
#include "core/json.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "detections/detections_internal.h"
#include "store/store_scanq.h"

/* What one scan accumulates. */
struct scan__acc {
    struct detections_rules *r;
    struct detections__thread *t;
    struct detections_batch *batch; /* NULL: a listing alone */
    json_t *sigs;
    bool *brand, *image, *dismissed; /* per org */
    bool cue;
    bool present[DETECT_SIG_COUNT];
    double strength[DETECT_SIG_COUNT];
};

static void scan__mark(struct scan__acc *a, enum detect_signal_type t, double strength)
{
    a->present[t] = true;
    if (strength > 1)
        strength = 1;
    if (strength > a->strength[t])
        a->strength[t] = strength;
}

/* Append s (consumed) when there is room. */
static ips_status scan__add(struct scan__acc *a, json_t *s)
{
    if (!s)
        return IPS_ERR_NOMEM;
    if (json_array_size(a->sigs) >= DETECTIONS_SIGNALS_MAX) {
        json_decref(s);
        return IPS_OK;
    }
    return json_array_append_new(a->sigs, s) ? IPS_ERR_NOMEM : IPS_OK;
}

static bool scan__authorised(const struct detections__org *o, const char *seller)
{
    for (size_t i = 0; i < o->nsellers; i++)
        if (strcmp(o->sellers[i], seller) == 0)
            return true;
    return false;
}

/* One text hit kept until the cue question is settled. */
struct scan__hit {
    uint32_t pattern, start, end;
    const char *field, *text;
};

struct scan__hits {
    struct scan__hit h[DETECTIONS_SIGNALS_MAX];
    size_t n;
};

/* The matches of text under the thread's scanner (valid until its next use). */
static ips_status scan__matches(struct detections__thread *t, const char *text,
                                const struct detect_match **m, size_t *n)
{
    *n = 0;
    ips_status st = detect_normalise(t->norm, text, strlen(text), &t->text);
    return st ? st : detect_scan_text(t->scanner, &t->text, m, n);
}

/* The matches of one text found before the transaction (detections_prescan). */
struct scan__found {
    struct detect_match *m; /* malloc'd; NULL when n == 0 */
    size_t n;
};

/* found: the text's matches found beforehand, or NULL to scan it here. */
static ips_status scan__field(struct scan__acc *a, const char *field, const char *text,
                              const struct scan__found *found, struct scan__hits *hits)
{
    if (!text[0])
        return IPS_OK;
    const struct detect_match *m = found ? found->m : NULL;
    size_t n = found ? found->n : 0;
    ips_status st = found ? IPS_OK : scan__matches(a->t, text, &m, &n);
    if (st)
        return st;
    for (size_t i = 0; i < n && hits->n < DETECTIONS_SIGNALS_MAX; i++) {
        const struct detect_pattern_in *p = &a->r->pats[m[i].pattern];
        if (p->kind == DETECT_PATTERN_CUE)
            a->cue = true;
        else if (a->dismissed[p->owner])
            continue;
        hits->h[hits->n++] = (struct scan__hit){m[i].pattern, m[i].start, m[i].end, field, text};
    }
    return IPS_OK;
}

/* Text signals from the hits; brand mentions of authorised sellers are
 * dropped unless a cue phrase is present. */
static ips_status scan__text_signals(struct scan__acc *a, const struct scan__hits *hits,
                                     const char *seller)
{
    for (size_t i = 0; i < hits->n; i++) {
        const struct scan__hit *h = &hits->h[i];
        const struct detect_pattern_in *p = &a->r->pats[h->pattern];
        char expl[600];
        json_t *s;
        if (p->kind == DETECT_PATTERN_CUE) {
            snprintf(expl, sizeof expl, "the %s holds the counterfeit cue phrase \"%s\"", h->field,
                     p->text);
            s = json_pack("{s:s, s:s, s:s, s:i, s:i, s:s%, s:s}", "type", "cue_phrase", "phrase",
                          p->text, "field", h->field, "start", (int)h->start, "end", (int)h->end,
                          "match", h->text + h->start, (size_t)(h->end - h->start),
                          "explanation", expl);
            scan__mark(a, DETECT_SIG_CUE_PHRASE, 1.0);
        } else {
            const struct detections__org *o = &a->r->orgs[p->owner];
            if (!a->cue && scan__authorised(o, seller))
                continue;
            a->brand[p->owner] = true;
            snprintf(expl, sizeof expl, "the %s names the brand term \"%s\" of %s (as \"%.*s\")",
                     h->field, p->text, o->name, (int)(h->end - h->start), h->text + h->start);
            s = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:s%, s:s}", "type", "brand_term",
                          "rightholder", o->name, "org_id", o->org_id, "term", p->text, "field",
                          h->field, "start", (int)h->start, "end", (int)h->end, "match",
                          h->text + h->start, (size_t)(h->end - h->start), "explanation", expl);
            scan__mark(a, DETECT_SIG_BRAND_TERM, 1.0);
        }
        ips_status st = scan__add(a, s);
        if (st)
            return st;
    }
    return IPS_OK;
}

struct scan__img {
    int best;
    uint32_t id;
};

static void scan__on_image(uint32_t id, int distance, void *arg)
{
    struct scan__img *c = arg;
    if (distance < c->best) {
        c->best = distance;
        c->id = id;
    }
}

/* Image signals: listing images that are stored blobs (sha256 hex), or
 * URLs the fetch job has fetched (fetch.c; a URL not fetched yet is
 * skipped: the job rescans the listing once it has the image). */
static ips_status scan__images(struct scan__acc *a, struct store *s, const char *images)
{
    if (detect_index_size(a->r->index) == 0)
        return IPS_OK;
    json_t *arr = json_loads(images, 0, NULL);
    size_t k;
    json_t *v;
    ips_status st = IPS_OK;
    json_array_foreach(arr, k, v)
    {
        const char *sha = json_string_value(v), *url = NULL;
        struct store_image_fetch f;
        if (!sha)
            continue;
        if (strlen(sha) != 64 || strspn(sha, "0123456789abcdef") != 64) {
            st = store_detections_fetch_get(s, sha, &f);
            if (st == IPS_ERR_NOT_FOUND || (st == IPS_OK && !f.sha256[0])) {
                st = IPS_OK;
                continue;
            }
            if (st)
                break;
            url = sha;
            sha = f.sha256;
        }
        struct detect_pdq h[DETECT_DIH_COUNT];
        int quality = 0;
        bool ok = false;
        if ((st = detections__image_pdq(s, sha, h, &quality, &ok)))
            break;
        if (!ok)
            continue;
        struct scan__img c = {DETECT_PDQ_MATCH_DISTANCE + 1, 0};
        int variant = -1;
        for (int d = 0; d < DETECT_DIH_COUNT; d++) {
            int before = c.best;
            detect_index_query(a->r->index, &h[d], DETECT_PDQ_MATCH_DISTANCE, scan__on_image, &c);
            if (c.best < before)
                variant = d;
        }
        if (variant < 0)
            continue;
        uint32_t owner = a->r->index_owner[c.id];
        if (a->dismissed[owner])
            continue;
        const struct detections__org *o = &a->r->orgs[owner];
        a->image[owner] = true;
        char expl[400];
        snprintf(expl, sizeof expl,
                 "a listing image is within PDQ distance %d of an official image of %s (%s)",
                 c.best, o->name, detect_dihedral_name((enum detect_dihedral)variant));
        json_t *sig = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:i, s:s}", "type",
                                "image_hash", "rightholder", o->name, "org_id", o->org_id,
                                "image", sha, "official_image", a->r->index_sha[c.id],
                                "distance", c.best, "variant",
                                detect_dihedral_name((enum detect_dihedral)variant), "quality",
                                quality, "explanation", expl);
        if (sig && url) /* where the seller's listing shows it */
            json_object_set_new(sig, "image_url", json_string(url));
        st = scan__add(a, sig);
        scan__mark(a, DETECT_SIG_IMAGE_HASH, 1.0);
        if (st)
            break;
    }
    json_decref(arr);
    return st;
}

/* Seller and price signals per right holder whose brand the listing carries. */
static ips_status scan__holder_signals(struct scan__acc *a, const struct store_listing *l,
                                       const struct store_listing_version *v)
{
    char price[40] = ""; /* formatted when a price signal first needs it */
    for (size_t i = 0; i < a->r->norgs; i++) {
        if (!a->brand[i] && !a->image[i])
            continue;
        const struct detections__org *o = &a->r->orgs[i];
        bool auth = scan__authorised(o, l->seller_org_id);
        char expl[400];
        ips_status st;
        if (o->nsellers > 0 && !auth) {
            snprintf(expl, sizeof expl, "the seller is not among the authorised sellers of %s",
                     o->name);
            if ((st = scan__add(a, json_pack("{s:s, s:s, s:s, s:s, s:s}", "type",
                                             "unauthorised_seller", "rightholder", o->name,
                                             "org_id", o->org_id, "seller_org_id",
                                             l->seller_org_id, "explanation", expl))))
                return st;
            scan__mark(a, DETECT_SIG_UNAUTHORISED_SELLER, 1.0);
        }
        for (size_t k = 0; !auth && k < o->nprices; k++) {
            const struct store_profile_price *p = &o->prices[k];
            if (strcasecmp(p->category, v->category) != 0 || strcmp(p->currency, v->currency) ||
                v->price_minor >= p->min_minor)
                continue;
            double below = 1.0 - (double)v->price_minor / (double)p->min_minor;
            if (!price[0])
                catalog_price_format(v->price_minor, v->currency, price, sizeof price);
            char ref[40];
            catalog_price_format(p->min_minor, p->currency, ref, sizeof ref);
            snprintf(expl, sizeof expl,
                     "the price %s %s is %.0f%% below the reference minimum %s %s of %s", price,
                     v->currency, below * 100, ref, p->currency, o->name);
            if ((st = scan__add(a, json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:f, s:s}",
                                             "type", "price_below_reference", "rightholder",
                                             o->name, "org_id", o->org_id, "category",
                                             p->category, "currency", p->currency,
                                             "price_minor", (json_int_t)v->price_minor,
                                             "reference_min_minor", (json_int_t)p->min_minor,
                                             "below", round(below * 1000) / 1000, "explanation",
                                             expl))))
                return st;
            scan__mark(a, DETECT_SIG_PRICE_BELOW_REFERENCE, 0.6 + below);
        }
    }
    return IPS_OK;
}

static int median__cmp(const void *key, const void *elem)
{
    const struct store_detection_median *k = key, *e = elem;
    int c = strcmp(k->category, e->category);
    return c ? c : strcmp(k->currency, e->currency);
}

static ips_status scan__median(struct scan__acc *a, const struct store_listing_version *v)
{
    struct store_detection_median key;
    snprintf(key.category, sizeof key.category, "%s", v->category);
    snprintf(key.currency, sizeof key.currency, "%s", v->currency);
    const struct store_detection_median *m =
        a->r->nmedians ? bsearch(&key, a->r->medians, a->r->nmedians, sizeof *m, median__cmp)
                       : NULL;
    if (!m || m->samples < a->r->median_samples || m->median_minor <= 0 ||
        (double)v->price_minor >= a->r->median_ratio * (double)m->median_minor)
        return IPS_OK;
    double ratio = (double)v->price_minor / (double)m->median_minor;
    char price[40], med[40], expl[400];
    catalog_price_format(v->price_minor, v->currency, price, sizeof price);
    catalog_price_format(m->median_minor, v->currency, med, sizeof med);
    snprintf(expl, sizeof expl,
             "the price %s %s is %.0f%% of the median %s %s of %" PRId64
             " listings in \"%s\" (threshold %.0f%%)",
             price, v->currency, ratio * 100, med, v->currency, m->samples, v->category,
             a->r->median_ratio * 100);
    scan__mark(a, DETECT_SIG_PRICE_BELOW_MEDIAN, 0.6 + (1.0 - ratio));
    return scan__add(a, json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:f, s:s}", "type",
                                  "price_below_median", "category", v->category, "currency",
                                  v->currency, "price_minor", (json_int_t)v->price_minor,
                                  "median_minor", (json_int_t)m->median_minor, "samples",
                                  (json_int_t)m->samples, "ratio", round(ratio * 1000) / 1000,
                                  "explanation", expl));
}

static ips_status scan__link(const char *seller_org_id, int64_t strikes, void *arg)
{
    json_t *links = arg;
    return json_array_append_new(links, json_pack("{s:s, s:I}", "seller_org_id", seller_org_id,
                                                  "strikes", (json_int_t)strikes))
               ? IPS_ERR_NOMEM
               : IPS_OK;
}

/* ---- the text scan done before the transaction ---------------------------------------- */

struct detections_prescan {
    struct detections_rules *r;         /* referenced: the rules the matches are of */
    const char *title, *description;    /* the texts scanned (the caller's) */
    struct scan__found found[2];        /* title, description */
};

ips_status detections_prescan_rules(struct store *s, const struct config *cfg,
                                    struct detections_rules **out)
{
    *out = NULL;
    /* queued scanning: the import only enqueues, nothing to scan */
    return cfg && cfg->nats_url && cfg->nats_url[0] ? IPS_OK : detections__rules_get(s, cfg, out);
}

void detections_prescan_rules_free(struct detections_rules *r)
{
    if (r)
        detections__rules_unref(r);
}

void detections_prescan_free(struct detections_prescan *p)
{
    if (!p)
        return;
    free(p->found[0].m);
    free(p->found[1].m);
    if (p->r)
        detections__rules_unref(p->r);
    free(p);
}

static ips_status prescan__text(struct detections__thread *t, const char *text,
                                struct scan__found *f)
{
    const struct detect_match *m;
    size_t n = 0;
    ips_status st = text[0] ? scan__matches(t, text, &m, &n) : IPS_OK;
    if (st || n == 0)
        return st;
    if (!(f->m = malloc(n * sizeof *m)))
        return IPS_ERR_NOMEM;
    memcpy(f->m, m, n * sizeof *m);
    f->n = n;
    return IPS_OK;
}

ips_status detections_prescan(struct detections_rules *r, const char *title,
                              const char *description, struct detections_prescan **out)
{
    struct detections__thread *t;
    struct detections_prescan *p = calloc(1, sizeof *p);
    if (!p)
        return IPS_ERR_NOMEM;
    ips_status st = detections__thread_for(r, &t);
    if (st || (st = prescan__text(t, title, &p->found[0])) ||
        (st = prescan__text(t, description, &p->found[1]))) {
        detections_prescan_free(p);
        return st;
    }
    atomic_fetch_add(&r->refs, 1);
    p->r = r;
    p->title = title;
    p->description = description;
    *out = p;
    return IPS_OK;
}

/* pre's matches, when they are of rules r and of v's texts; else NULL. */
static const struct detections_prescan *prescan__usable(const struct detections_prescan *pre,
                                                        const struct detections_rules *r,
                                                        const struct store_listing_version *v)
{
    return pre && pre->r == r && strcmp(pre->title, v->title) == 0 &&
                   strcmp(pre->description, v->description) == 0
               ? pre
               : NULL;
}

/* ---- a batch (the catalog import) ---------------------------------------------------- */

struct detections_batch {
    struct store *s;
    const struct config *cfg;
    struct detections_rules *r; /* NULL when scanning is queued */
    int64_t now_ms;
    /* each seller's signal, looked up once per batch: seller org id -> the
     * signal (referenced, never changed), or JSON null when not flagged */
    json_t *memo;
};

static ips_status scan__seller(struct scan__acc *a, struct store *s, const char *seller,
                               int64_t now_ms)
{
    json_t *memo = a->batch ? a->batch->memo : NULL;
    json_t *known = memo ? json_object_get(memo, seller) : NULL;
    if (known) { /* looked up earlier in this batch */
        if (json_is_null(known))
            return IPS_OK;
        scan__mark(a, DETECT_SIG_SELLER_FLAGGED, 1.0);
        return scan__add(a, json_incref(known));
    }
    ips_status st;
    int64_t reports = 0, members = 0, strikes = 0;
    json_t *links = json_array(), *sig;
    if (!links)
        return IPS_ERR_NOMEM;
    st = store_detections_seller_reports(s, seller, &reports, &members);
    if (!st)
        st = store_detections_seller_strikes(s, seller, now_ms, &strikes);
    if (!st)
        st = store_detections_seller_links(s, seller, now_ms, DETECTIONS_LINKS_MAX, scan__link,
                                           links);
    if (st || (reports == 0 && strikes == 0 && json_array_size(links) == 0)) {
        json_decref(links);
        if (st == IPS_OK && memo && json_object_set_new(memo, seller, json_null()))
            st = IPS_ERR_NOMEM;
        return st;
    }
    char expl[400];
    snprintf(expl, sizeof expl,
             "the seller has %" PRId64 " alliance report(s) from %" PRId64
             " member(s), %" PRId64 " active strike(s), and shares an identifier with %zu "
             "seller(s) that have strikes",
             reports, members, strikes, json_array_size(links));
    scan__mark(a, DETECT_SIG_SELLER_FLAGGED, 1.0);
    sig = json_pack("{s:s, s:s, s:I, s:I, s:I, s:o, s:s}", "type", "seller_flagged",
                    "seller_org_id", seller, "alliance_reports", (json_int_t)reports,
                    "reporting_members", (json_int_t)members, "strikes", (json_int_t)strikes,
                    "linked_infringers", links, "explanation", expl);
    if (sig && memo && json_object_set(memo, seller, sig)) { /* the batch keeps a reference */
        json_decref(sig);
        return IPS_ERR_NOMEM;
    }
    return scan__add(a, sig);
}

static ips_status scan__dismissed(const char *org_id, void *arg)
{
    struct scan__acc *a = arg;
    int i = detections__org_index(a->r, org_id);
    if (i >= 0)
        a->dismissed[i] = true;
    return IPS_OK;
}

static int key__cmp(const void *a, const void *b)
{
    return strcmp(a, b);
}

#define SCAN__KEY_MAX 96 /* "type/org_id" */

/* The outcome key: the action and the sorted set of "type/org" pairs. */
static ips_status scan__outcome_key(json_t *sigs, const char *action, char *out, size_t cap)
{
    size_t n = json_array_size(sigs), len = 0;
    if (n == 0) {
        str_copy(out, cap, action);
        return IPS_OK;
    }
    char(*keys)[SCAN__KEY_MAX] = calloc(n, sizeof *keys);
    if (!keys)
        return IPS_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        json_t *s = json_array_get(sigs, i);
        const char *org = json_string_value(json_object_get(s, "org_id"));
        snprintf(keys[i], sizeof keys[i], "%s/%s", json_string_value(json_object_get(s, "type")),
                 org ? org : "-");
    }
    if (n > 1)
        qsort(keys, n, sizeof *keys, key__cmp);
    str_copy(out, cap, action);
    len = strlen(out);
    for (size_t i = 0; i < n && len < cap; i++)
        if (i == 0 || strcmp(keys[i], keys[i - 1]) != 0)
            len += (size_t)snprintf(out + len, cap - len, "|%s", keys[i]);
    free(keys);
    return IPS_OK;
}

/* ---- storing the verdict ------------------------------------------------------------- */

/* Change the listing's state as the system (the policy authorises it). */
static ips_status scan__set_state(struct store *s, struct store_listing *l, const char *to,
                                  const char *reason)
{
    struct access_principal sys;
    access_principal_system(&sys);
    struct ips_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.store = s;
    ctx.actor = &sys;
    ctx.addr = "detections";
    ctx.errors = json_array();
    ips_status st = catalog_listing_set_state(&ctx, l->id, to, reason);
    json_decref(ctx.errors);
    if (st == IPS_OK)
        snprintf(l->state, sizeof l->state, "%s", to);
    return st;
}

/* a's per-org flags (brand, image, dismissed; r->norgs + 1 each), all
 * false, in its thread's scratch (grown when the rules have more orgs). */
static ips_status scan__org_flags(struct scan__acc *a)
{
    struct detections__thread *t = a->t;
    size_t n = a->r->norgs + 1;
    if (t->org_flags_cap < 3 * n) {
        bool *f = realloc(t->org_flags, 3 * n * sizeof *f);
        if (!f)
            return IPS_ERR_NOMEM;
        t->org_flags = f;
        t->org_flags_cap = 3 * n;
    }
    memset(t->org_flags, 0, 3 * n * sizeof *t->org_flags);
    a->brand = t->org_flags;
    a->image = t->org_flags + n;
    a->dismissed = t->org_flags + 2 * n;
    return IPS_OK;
}

/* detections__scan_store, inside batch b when not NULL (its seller memo),
 * with v's text matches found beforehand when pre is not NULL. */
static ips_status scan__store(struct store *s, struct detections_rules *r,
                              struct detections_batch *b, struct store_listing *l,
                              const struct store_listing_version *v,
                              const struct detections_prescan *pre, bool fresh, int64_t now_ms,
                              bool *changed)
{
    struct scan__acc a;
    struct scan__hits hits = {.n = 0};
    struct store_detection *d = NULL, *prev = NULL;
    char *dump = NULL;
    ips_status st = IPS_OK;
    memset(&a, 0, sizeof a);
    a.r = r;
    a.batch = b;
    a.sigs = json_array();
    if (changed)
        *changed = false;
    if (!a.sigs) {
        st = IPS_ERR_NOMEM;
        goto out_free;
    }
    if ((st = detections__thread_for(r, &a.t)) || (st = scan__org_flags(&a)))
        goto out_free;
    d = a.t->d; /* the thread's scratch: no 34 KB allocation per listing */
    prev = a.t->prev;
    d->id[0] = '\0';
    if (
        (!fresh &&
         (st = store_detections_dismissed_orgs(s, l->id, v->version, scan__dismissed, &a))) ||
        (st = scan__field(&a, "title", v->title, pre ? &pre->found[0] : NULL, &hits)) ||
        (st = scan__field(&a, "description", v->description, pre ? &pre->found[1] : NULL,
                          &hits)) ||
        (st = scan__text_signals(&a, &hits, l->seller_org_id)) ||
        (st = scan__images(&a, s, v->images)) || (st = scan__holder_signals(&a, l, v)) ||
        (st = scan__median(&a, v)) || (st = scan__seller(&a, s, l->seller_org_id, now_ms)))
        goto out_free;
    double score;
    enum detect_action action;
    detect_policy_apply(&r->policy, a.present, a.strength, &score, &action);
    /* the signals must fit their column: drop from the end if not (most
     * listings have none: their text is "[]", without jansson) */
    const char *signals = "[]";
    if (json_array_size(a.sigs) > 0) {
        while ((dump = json_dumps(a.sigs, JSON_COMPACT | JSON_REAL_PRECISION(6))) &&
               strlen(dump) > STORE_DETECTION_SIGNALS_MAX && json_array_size(a.sigs) > 0) {
            free(dump);
            json_array_remove(a.sigs, json_array_size(a.sigs) - 1);
        }
        if (!dump) {
            st = IPS_ERR_NOMEM;
            goto out_free;
        }
        signals = dump;
    }
    str_copy(d->action, sizeof d->action, detect_action_name(action));
    if ((st = scan__outcome_key(a.sigs, d->action, d->outcome_key, sizeof d->outcome_key)))
        goto out_free;

    st = fresh ? IPS_ERR_NOT_FOUND : store_detections_verdict_current(s, l->id, prev);
    bool have_prev = st == IPS_OK;
    if (st && st != IPS_ERR_NOT_FOUND)
        goto out_free;
    st = IPS_OK;
    if (have_prev && prev->listing_version == v->version &&
        strcmp(prev->outcome_key, d->outcome_key) == 0) {
        /* same outcome: the current verdict stands, checked by this version */
        st = prev->checked_version == r->version
                 ? IPS_OK
                 : store_detections_verdict_checked(s, prev->id, r->version);
        goto out_free;
    }
    id_new(d->id);
    str_copy(d->listing_id, sizeof d->listing_id, l->id);
    d->listing_version = v->version;
    d->rules_version = d->checked_version = r->version;
    d->score_milli = (int)lround(score * 1000);
    str_copy(d->status, sizeof d->status, "open");
    str_copy(d->signals, sizeof d->signals, signals);
    d->created_ms = now_ms;
    str_copy(d->applied, sizeof d->applied, "none");
    /* a superseded version (queued scanning) is judged for the record only:
     * it neither becomes current nor changes the listing's state */
    d->is_current = v->version >= l->current_version;
    char reason[160];
    if (!d->is_current) {
        /* nothing applied */
    } else if (action == DETECT_BLOCK && r->block && strcmp(l->state, "live") == 0) {
        snprintf(reason, sizeof reason, "detection %s: blocked before publication (score %.3f)",
                 d->id, score);
        if ((st = scan__set_state(s, l, "blocked", reason)))
            goto out_free;
        snprintf(d->applied, sizeof d->applied, "blocked");
    } else if (action != DETECT_BLOCK && strcmp(l->state, "blocked") == 0 && have_prev &&
               strcmp(prev->applied, "blocked") == 0) {
        snprintf(reason, sizeof reason, "detection %s: no longer blocked (action %s)", d->id,
                 d->action);
        if ((st = scan__set_state(s, l, "live", reason)))
            goto out_free;
        snprintf(d->applied, sizeof d->applied, "unblocked");
    } else if (have_prev && strcmp(prev->applied, "blocked") == 0 && action == DETECT_BLOCK) {
        snprintf(d->applied, sizeof d->applied, "blocked"); /* still held back */
    }
    if ((st = store_detections_verdict_insert(s, d, have_prev || !fresh)))
        goto out_free;
    for (size_t i = 0; i < r->norgs && st == IPS_OK; i++) {
        if (!a.brand[i] && !a.image[i])
            continue;
        struct store_detection_org o;
        memset(&o, 0, sizeof o);
        memcpy(o.verdict_id, d->id, ID_SIZE);
        snprintf(o.org_id, sizeof o.org_id, "%s", r->orgs[i].org_id);
        snprintf(o.decision, sizeof o.decision, "open");
        st = store_detections_org_insert(s, &o);
    }
    /* the write that caused the scan is audited already; a verdict gets its
     * own event when it asks for people (review, block) or changed the state */
    if (st == IPS_OK && (action >= DETECT_REVIEW || strcmp(d->applied, "none") != 0)) {
        char object[STORE_OBJECT_MAX + 1], detail[STORE_DETAIL_MAX + 1];
        snprintf(object, sizeof object, "detection:%s", d->id);
        snprintf(detail, sizeof detail,
                 "listing %s version %" PRId64 ", rules %" PRId64 ": %s (score %.3f, %s)", l->id,
                 v->version, r->version, d->action, score, d->applied);
        st = audit_append(s, "system", "detection.verdict", object, AUDIT_OK, detail);
    }
    if (st == IPS_OK && changed)
        *changed = true;
out_free:
    free(dump);
    json_decref(a.sigs);
    return st;
}

ips_status detections__scan_store(struct store *s, struct detections_rules *r,
                                  struct store_listing *l,
                                  const struct store_listing_version *v, bool fresh,
                                  int64_t now_ms, bool *changed)
{
    return scan__store(s, r, NULL, l, v, NULL, fresh, now_ms, changed);
}

ips_status detections_batch_begin(struct store *s, const struct config *cfg, int64_t now_ms,
                                  struct detections_batch **out)
{
    struct detections_batch *b = calloc(1, sizeof *b);
    if (!b)
        return IPS_ERR_NOMEM;
    b->s = s;
    b->cfg = cfg;
    b->now_ms = now_ms;
    if (!(b->memo = json_object())) {
        free(b);
        return IPS_ERR_NOMEM;
    }
    /* queued scanning: versions only go to the outbox, no rules needed */
    ips_status st = cfg && cfg->nats_url && cfg->nats_url[0]
                        ? IPS_OK
                        : detections__rules_get(s, cfg, &b->r);
    if (st) {
        json_decref(b->memo);
        free(b);
        return st;
    }
    *out = b;
    return IPS_OK;
}

ips_status detections_batch_written(struct detections_batch *b, struct store_listing *l,
                                    const struct store_listing_version *v,
                                    const struct detections_prescan *pre)
{
    if (!b->r)
        return store_scanq_enqueue(b->s, l->id, v->version, b->now_ms);
    return scan__store(b->s, b->r, b, l, v, prescan__usable(pre, b->r, v), v->version == 1,
                       b->now_ms, NULL);
}

void detections_batch_end(struct detections_batch *b)
{
    if (!b)
        return;
    json_decref(b->memo);
    detections__rules_unref(b->r);
    free(b);
}

ips_status detections_listing_written(struct store *s, const struct config *cfg,
                                      struct store_listing *l,
                                      const struct store_listing_version *v)
{
    /* queued scanning (src/scanq): the version goes to the outbox in this
     * transaction and a scan worker judges it */
    if (cfg && cfg->nats_url && cfg->nats_url[0])
        return store_scanq_enqueue(s, l->id, v->version, time_now_ms());
    struct detections_rules *r;
    ips_status st = detections__rules_get(s, cfg, &r);
    if (st)
        return st;
    /* version 1 is written only when the listing is created */
    st = detections__scan_store(s, r, l, v, v->version == 1, time_now_ms(), NULL);
    detections__rules_unref(r);
    return st;
}

ips_status detections_queued_scan(struct store *s, const struct config *cfg,
                                  const char *listing_id, int64_t version, int64_t *rules_version)
{
    struct store_listing l;
    struct store_listing_version *v = malloc(sizeof *v);
    bool has = false;
    *rules_version = 0;
    if (!v)
        return IPS_ERR_NOMEM;
    ips_status st = store_scanq_has_verdict(s, listing_id, version, &has);
    if (st == IPS_OK && has)
        st = IPS_ERR_CONFLICT; /* a redelivered event: judged already */
    if (st || (st = store_catalog_listing_get(s, listing_id, &l)) ||
        (st = store_catalog_version_get(s, listing_id, version, v))) {
        free(v);
        return st;
    }
    struct detections_rules *r;
    if ((st = detections__rules_get(s, cfg, &r)) == IPS_OK) {
        st = detections__scan_store(s, r, &l, v, false, time_now_ms(), NULL);
        *rules_version = r->version;
        detections__rules_unref(r);
    }
    free(v);
    return st;
}

ips_status detections_rules_warm(struct store *s, const struct config *cfg, int64_t *version)
{
    struct detections_rules *r;
    ips_status st = detections__rules_get(s, cfg, &r);
    if (st)
        return st;
    *version = r->version;
    detections__rules_unref(r);
    return IPS_OK;
}
