/*
 * compile.c — a rule set from the store: every profile's terms and
 * variants plus the curated cue phrases into one Hyperscan matcher, the
 * official images' PDQ hashes into one Hamming index, reference prices and
 * authorised sellers per right holder, the category medians, and the policy
 * from the configuration. Also the median refresh done with each rebuild.
 *
 * A term whose normal form is empty (e.g. only punctuation) cannot be
 * matched; it is left out with a warning rather than failing every scan.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/json.h"
#include "core/log.h"
#include "detections/detections_internal.h"
#include "profile/profile.h"

#define COMPILE__POLICY_MAX (64 * 1024) /* bytes of the policy file */

static int org__cmp(const void *a, const void *b)
{
    return strcmp(((const struct detections__org *)a)->org_id,
                  ((const struct detections__org *)b)->org_id);
}

int detections__org_index(const struct detections_rules *r, const char *org_id)
{
    struct detections__org key;
    snprintf(key.org_id, sizeof key.org_id, "%s", org_id);
    const struct detections__org *o =
        r->norgs ? bsearch(&key, r->orgs, r->norgs, sizeof *r->orgs, org__cmp) : NULL;
    return o ? (int)(o - r->orgs) : -1;
}

/* Make room for `need` elements of elem bytes in the array *arrp (a pointer
 * to the array pointer), of which *cap exist, doubling. The array is left as
 * it was on failure (IPS_ERR_NOMEM). */
static ips_status compile__reserve(void *arrp, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return IPS_OK;
    size_t n = *cap ? *cap : 16;
    while (n < need)
        n *= 2;
    void *old, *p;
    memcpy(&old, arrp, sizeof old);
    if (!(p = realloc(old, n * elem)))
        return IPS_ERR_NOMEM;
    memcpy(arrp, &p, sizeof p);
    *cap = n;
    return IPS_OK;
}
#define COMPILE__RESERVE(arr, cap, need) \
    compile__reserve(&(arr), &(cap), (need), sizeof *(arr))

/* Append elem (elem_size bytes) to the array *arrp of *n elements, for
 * arrays that only grow by one: the capacity is derived from *n (16, then
 * doubling), so the callers keep no count of it. IPS_ERR_NOMEM leaves the
 * array as it was. */
static ips_status compile__push(void *arrp, size_t *n, size_t elem_size, const void *elem)
{
    /* full exactly when *n is 0 or a power of two from 16 on */
    if (*n == 0 || (*n >= 16 && (*n & (*n - 1)) == 0)) {
        size_t cap = *n;
        ips_status st = compile__reserve(arrp, &cap, *n + 1, elem_size);
        if (st)
            return st;
    }
    char *arr;
    memcpy(&arr, arrp, sizeof arr);
    memcpy(arr + *n * elem_size, elem, elem_size);
    (*n)++;
    return IPS_OK;
}

/* ---- policy ------------------------------------------------------------------------ */

/* cfg->detect_policy names a JSON file overriding the defaults. */
static ips_status compile__policy(const struct config *cfg, struct detect_policy *p)
{
    detect_policy_default(p);
    if (!cfg || !cfg->detect_policy || !cfg->detect_policy[0])
        return IPS_OK;
    json_error_t jerr;
    json_t *obj = json_load_file(cfg->detect_policy, 0, &jerr);
    char err[200] = "";
    ips_status st = IPS_ERR_INVALID;
    if (!obj)
        snprintf(err, sizeof err, "%s (line %d)", jerr.text, jerr.line);
    else
        st = detect_policy_from_json(p, obj, err, sizeof err);
    json_decref(obj);
    if (st)
        log_error("detections: the policy file is not usable", "file", cfg->detect_policy,
                  "error", err);
    return st;
}

/* ---- profiles ------------------------------------------------------------------------ */

static ips_status compile__org(const char *org_id, void *arg)
{
    struct detections_rules *r = arg;
    ips_status st = COMPILE__RESERVE(r->orgs, r->orgs_cap, r->norgs + 1);
    if (st)
        return st;
    struct detections__org *o = &r->orgs[r->norgs++];
    memset(o, 0, sizeof *o);
    snprintf(o->org_id, sizeof o->org_id, "%s", org_id);
    return IPS_OK;
}

/* Append one pattern (text copied). */
static ips_status compile__pattern(struct detections_rules *r, const char *text,
                                   enum detect_pattern_kind kind, int owner, bool copy)
{
    size_t tcap = r->pats_cap; /* texts grow alongside pats */
    ips_status st = COMPILE__RESERVE(r->texts, tcap, r->npats + 1);
    if (st || (st = COMPILE__RESERVE(r->pats, r->pats_cap, r->npats + 1)))
        return st;
    char *own = copy ? strdup(text) : NULL;
    if (copy && !own)
        return IPS_ERR_NOMEM;
    r->texts[r->npats] = own;
    r->pats[r->npats++] = (struct detect_pattern_in){own ? own : text, kind, owner};
    return IPS_OK;
}

static ips_status compile__term(const struct store_profile_term *t, void *arg)
{
    struct detections_rules *r = arg;
    int owner = detections__org_index(r, t->org_id);
    if (owner < 0)
        return IPS_OK;
    ips_status st = compile__pattern(r, t->term, DETECT_PATTERN_BRAND, owner, true);
    for (int i = 0; st == IPS_OK && i < t->n_variants; i++)
        st = compile__pattern(r, t->variants[i], DETECT_PATTERN_BRAND, owner, true);
    return st;
}

static ips_status compile__seller(const struct store_profile_seller *se, void *arg)
{
    struct detections__org *o = arg;
    char id[ID_SIZE];
    snprintf(id, sizeof id, "%s", se->seller_org_id);
    return compile__push(&o->sellers, &o->nsellers, sizeof *o->sellers, id);
}

static ips_status compile__price(const struct store_profile_price *p, void *arg)
{
    struct detections__org *o = arg;
    return compile__push(&o->prices, &o->nprices, sizeof *o->prices, p);
}

/* The sha256s of one org's images. */
struct compile__shas {
    char (*sha)[65];
    size_t n;
};

static ips_status compile__image(const struct store_profile_image *im, void *arg)
{
    struct compile__shas *a = arg;
    char sha[65];
    snprintf(sha, sizeof sha, "%s", im->sha256);
    return compile__push(&a->sha, &a->n, sizeof *a->sha, sha);
}

static int seller__cmp(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* Index the usable official images of org i. */
static ips_status compile__images(struct store *s, struct detections_rules *r, size_t i)
{
    struct compile__shas shas = {NULL, 0};
    ips_status st = store_profile_image_list(s, r->orgs[i].org_id, compile__image, &shas);
    for (size_t k = 0; st == IPS_OK && k < shas.n; k++) {
        struct detect_pdq h[DETECT_DIH_COUNT];
        int quality = 0;
        bool ok = false;
        uint32_t id;
        if ((st = detections__image_pdq(s, shas.sha[k], h, &quality, &ok)) || !ok)
            continue;
        if ((st = detect_index_add(r->index, &h[0], &id)))
            break;
        size_t scap = r->index_cap; /* index_sha grows alongside index_owner */
        if ((st = COMPILE__RESERVE(r->index_sha, scap, (size_t)id + 1)) ||
            (st = COMPILE__RESERVE(r->index_owner, r->index_cap, (size_t)id + 1)))
            break;
        r->index_owner[id] = (uint32_t)i;
        memcpy(r->index_sha[id], shas.sha[k], 65);
    }
    free(shas.sha);
    return st;
}

static ips_status compile__median(const struct store_detection_median *m, void *arg)
{
    struct detections_rules *r = arg;
    ips_status st = COMPILE__RESERVE(r->medians, r->medians_cap, r->nmedians + 1);
    if (st)
        return st;
    r->medians[r->nmedians++] = *m;
    return IPS_OK;
}

/* Build the matcher; a pattern Hyperscan or the normaliser refuses is
 * dropped (logged) and the build retried. */
static ips_status compile__matcher(struct detections_rules *r)
{
    struct detect_normaliser *norm;
    ips_status st = detections__normaliser(&norm);
    while (st == IPS_OK) {
        size_t bad = r->npats;
        char err[200] = "";
        st = detect_matcher_build(norm, r->pats, r->npats, &r->matcher, &bad, err, sizeof err);
        if (st != IPS_ERR_INVALID || bad >= r->npats || r->pats[bad].kind != DETECT_PATTERN_BRAND)
            break;
        log_warn("detections: a brand term has no letters or digits and is left out", "term",
                 r->pats[bad].text, "org_id", r->orgs[r->pats[bad].owner].org_id);
        free(r->texts[bad]);
        memmove(&r->pats[bad], &r->pats[bad + 1], (r->npats - bad - 1) * sizeof *r->pats);
        memmove(&r->texts[bad], &r->texts[bad + 1], (r->npats - bad - 1) * sizeof *r->texts);
        r->npats--;
        st = IPS_OK;
    }
    if (st)
        log_error("detections: the matcher cannot be compiled", "status", ips_status_slug(st));
    return st;
}

ips_status detections__rules_build(struct store *s, const struct config *cfg, int64_t version,
                                   const char *stamp, struct detections_rules **out)
{
    struct detections_rules *r = calloc(1, sizeof *r);
    if (!r)
        return IPS_ERR_NOMEM;
    atomic_init(&r->refs, 1);
    r->version = version;
    snprintf(r->stamp, sizeof r->stamp, "%s", stamp);
    r->block = cfg ? cfg->detect_block : true;
    r->median_ratio = cfg ? (double)cfg->detect_median_ratio / 1000.0 : 0.3;
    r->median_samples = cfg ? cfg->detect_median_samples : 5;
    ips_status st = compile__policy(cfg, &r->policy);
    if (st || (st = detect_index_new(&r->index)) ||
        (st = store_detections_profile_orgs(s, compile__org, r)))
        goto out_fail;
    if (r->norgs > 1)
        qsort(r->orgs, r->norgs, sizeof *r->orgs, org__cmp);
    for (size_t i = 0; i < r->norgs && st == IPS_OK; i++) {
        struct detections__org *o = &r->orgs[i];
        struct store_org org;
        if ((st = store_org_get(s, o->org_id, &org)))
            break;
        snprintf(o->name, sizeof o->name, "%s", org.name);
        if ((st = store_profile_seller_list(s, o->org_id, compile__seller, o)) ||
            (st = store_profile_price_list(s, o->org_id, compile__price, o)))
            break;
        if (o->nsellers > 1)
            qsort(o->sellers, o->nsellers, sizeof *o->sellers, seller__cmp);
        st = compile__images(s, r, i);
    }
    if (st || (st = profile_terms_foreach(s, compile__term, r)))
        goto out_fail;
    for (size_t k = 0; detect_cue_phrases[k] && st == IPS_OK; k++)
        st = compile__pattern(r, detect_cue_phrases[k], DETECT_PATTERN_CUE, -1, false);
    if (st || (st = store_detections_median_list(s, compile__median, r)) ||
        (st = compile__matcher(r)))
        goto out_fail;
    *out = r;
    return IPS_OK;
out_fail:
    detections__rules_unref(r);
    return st;
}

/* ---- medians ------------------------------------------------------------------------- */

struct compile__median_acc {
    struct store_detection_median cur;
    int64_t *prices;
    size_t n, cap;
    struct store_detection_median *done;
    size_t ndone, done_cap;
    int64_t min_samples;
};

/* Close the current group: keep its median when it has enough samples. */
static ips_status median__close(struct compile__median_acc *a)
{
    if (a->n == 0 || (int64_t)a->n < a->min_samples) {
        a->n = 0;
        return IPS_OK;
    }
    ips_status st = COMPILE__RESERVE(a->done, a->done_cap, a->ndone + 1);
    if (st)
        return st;
    /* prices arrive sorted: the lower middle of an even count */
    a->cur.median_minor = a->prices[(a->n - 1) / 2];
    a->cur.samples = (int64_t)a->n;
    a->done[a->ndone++] = a->cur;
    a->n = 0;
    return IPS_OK;
}

static ips_status median__price(const char *category, const char *currency, int64_t price,
                                void *arg)
{
    struct compile__median_acc *a = arg;
    ips_status st;
    if (strcmp(a->cur.category, category) != 0 || strcmp(a->cur.currency, currency) != 0) {
        if ((st = median__close(a)))
            return st;
        snprintf(a->cur.category, sizeof a->cur.category, "%s", category);
        snprintf(a->cur.currency, sizeof a->cur.currency, "%s", currency);
    }
    if ((st = COMPILE__RESERVE(a->prices, a->cap, a->n + 1)))
        return st;
    a->prices[a->n++] = price;
    return IPS_OK;
}

ips_status detections__medians_refresh(struct store *s, int64_t version, int64_t min_samples)
{
    struct compile__median_acc a;
    memset(&a, 0, sizeof a);
    a.min_samples = min_samples > 0 ? min_samples : 1;
    ips_status st = store_detections_prices(s, median__price, &a);
    if (st == IPS_OK)
        st = median__close(&a);
    if (st == IPS_OK)
        st = store_detections_medians_clear(s);
    for (size_t i = 0; st == IPS_OK && i < a.ndone; i++)
        st = store_detections_median_insert(s, &a.done[i], version);
    free(a.prices);
    free(a.done);
    return st;
}
