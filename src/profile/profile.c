/*
 * profile.c — protection profiles: access, validation, and the writes with
 * their audit events. Contracts and rules: profile.h.
 *
 * Every write follows the same path: profile__authorize (org must be a right
 * holder; the actor a member, an authorised agent or an admin), validate the
 * whole input into records (nothing is written when anything is wrong, and
 * every problem is listed), then ONE store_tx_run that touches the profile
 * row, replaces or changes the rows, and appends the audit event. The
 * transaction functions only read their argument, so a BUSY retry repeats
 * them safely.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "blob/blob.h"
#include "core/json.h"
#include "core/timeutil.h"
#include "profile/profile.h"
#include "rights/rights.h"

/* ---- access ---------------------------------------------------------------------- */

/*
 * Decide act (ACT_PROFILE_READ or ACT_PROFILE_WRITE) on org_id's profile.
 * Returns IPS_OK; IPS_ERR_NOT_FOUND when org_id is malformed, missing, not a
 * right-holder org, or another org the actor may not see;
 * IPS_ERR_FORBIDDEN when the actor may read but not write (reviewers);
 * IPS_ERR_UNAUTHENTICATED without an actor; storage failures. Refusals
 * (FORBIDDEN, NOT_FOUND of an existing holder) are audited.
 */
static ips_status profile__authorize(struct ips_ctx *ctx, enum access_action act,
                                     const char *org_id)
{
    struct store_org o;
    if (!org_id || !id_is_valid(org_id))
        return IPS_ERR_NOT_FOUND;
    ips_status st = store_org_get(ctx->store, org_id, &o);
    if (st)
        return st;
    if (strcmp(o.kind, "rightholder") != 0)
        return IPS_ERR_NOT_FOUND;
    bool agent = false;
    const struct access_principal *p = ctx->actor;
    if (p && (p->via == VIA_SESSION || p->via == VIA_TOKEN) && strcmp(p->org_id, org_id) != 0 &&
        (st = rights_agent_authorised(ctx, org_id, &agent)))
        return st;
    struct access_object obj = {org_id, NULL, agent};
    st = access_authorize(p, act, &obj);
    if (st == IPS_ERR_NOT_FOUND && act == ACT_PROFILE_WRITE &&
        access_authorize(p, ACT_PROFILE_READ, &obj) == IPS_OK) {
        snprintf(ctx->detail, sizeof ctx->detail,
                 "only the right holder, its authorised agents and admins change a profile");
        st = IPS_ERR_FORBIDDEN;
    }
    if (st == IPS_ERR_FORBIDDEN || st == IPS_ERR_NOT_FOUND) {
        char object[STORE_OBJECT_MAX + 1];
        snprintf(object, sizeof object, "profile:%s", org_id);
        audit_record(ctx->store, access_principal_actor(p), access_action_name(act), object,
                     AUDIT_DENIED, ips_status_slug(st));
    }
    return st;
}

/* Write "name[i].member" (member may be NULL) into out[cap]. */
static void profile__field(char *out, size_t cap, const char *name, size_t i, const char *member)
{
    if (member)
        snprintf(out, cap, "%s[%zu].%s", name, i, member);
    else
        snprintf(out, cap, "%s[%zu]", name, i);
}

/* Finish a validation: IPS_ERR_INVALID with a sentence when bad. */
static ips_status profile__invalid(struct ips_ctx *ctx, const char *what)
{
    snprintf(ctx->detail, sizeof ctx->detail, "the %s are not valid: see errors", what);
    return IPS_ERR_INVALID;
}

/* Check that v is an array of at most max items; adds a field error. */
static bool profile__array_ok(struct ips_ctx *ctx, json_t *v, const char *name, size_t max)
{
    char msg[96];
    if (!json_is_array(v)) {
        json_error_add(ctx->errors, name, v ? "must be an array" : "is required");
        return false;
    }
    if (json_array_size(v) > max) {
        snprintf(msg, sizeof msg, "must have at most %zu items", max);
        json_error_add(ctx->errors, name, msg);
        return false;
    }
    return true;
}

/*
 * Check a JSON string member with profile_text_clean into out[cap].
 * Adds a field error named field and returns false when it is missing, not
 * a string, or refused.
 */
static bool profile__text(struct ips_ctx *ctx, json_t *v, const char *field, size_t max,
                          char *out, size_t cap)
{
    if (!json_is_string(v)) {
        json_error_add(ctx->errors, field, v ? "must be a string" : "is required");
        return false;
    }
    const char *why =
        profile_text_clean(json_string_value(v), json_string_length(v), max, out, cap);
    if (why) {
        json_error_add(ctx->errors, field, why);
        return false;
    }
    return true;
}

/* Whether obj has members other than those in allowed; adds field errors
 * named "prefix.member". */
static bool profile__only(struct ips_ctx *ctx, json_t *obj, const char *const *allowed,
                          const char *prefix)
{
    bool ok = true;
    const char *k;
    json_t *v;
    json_object_foreach(obj, k, v)
    {
        bool known = false;
        for (const char *const *a = allowed; *a; a++)
            known = known || strcmp(*a, k) == 0;
        if (!known) {
            char field[128];
            snprintf(field, sizeof field, "%s.%s", prefix, k);
            json_error_add(ctx->errors, field, "is not a known field");
            ok = false;
        }
    }
    return ok;
}

/* ---- reading --------------------------------------------------------------------- */

ips_status profile_read(struct ips_ctx *ctx, const char *org_id, const struct profile_visitor *v,
                        void *arg, int64_t *updated_ms)
{
    int64_t updated = 0;
    ips_status st = profile__authorize(ctx, ACT_PROFILE_READ, org_id);
    if (st)
        goto out;
    st = store_profile_updated(ctx->store, org_id, &updated);
    if (st == IPS_ERR_NOT_FOUND) {
        st = IPS_OK; /* never written: an empty profile */
        goto out_updated;
    }
    if (st || (v->term && (st = store_profile_term_list(ctx->store, org_id, v->term, arg))) ||
        (v->image && (st = store_profile_image_list(ctx->store, org_id, v->image, arg))) ||
        (v->price && (st = store_profile_price_list(ctx->store, org_id, v->price, arg))) ||
        (v->seller && (st = store_profile_seller_list(ctx->store, org_id, v->seller, arg))))
        goto out;
out_updated:
    if (updated_ms)
        *updated_ms = updated;
out:
    return st;
}

/* Looks for one sha256 among a profile's images (at most PROFILE_IMAGES_MAX). */
struct profile__image_find {
    const char *sha256;
    struct store_profile_image found;
    bool hit;
};

static ips_status profile__image_match(const struct store_profile_image *im, void *arg)
{
    struct profile__image_find *f = arg;
    if (!f->hit && strcmp(im->sha256, f->sha256) == 0) {
        f->found = *im;
        f->hit = true;
    }
    return IPS_OK;
}

ips_status profile_image_read(struct ips_ctx *ctx, const char *org_id, const char *sha256,
                              void **data, size_t *len, struct store_profile_image *im)
{
    struct profile__image_find f = {.sha256 = sha256 ? sha256 : "", .hit = false};
    ips_status st = profile__authorize(ctx, ACT_PROFILE_READ, org_id);
    if (st || (st = store_profile_image_list(ctx->store, org_id, profile__image_match, &f)))
        return st;
    if (!f.hit)
        return IPS_ERR_NOT_FOUND;
    if ((st = blob_read(ctx, f.found.sha256, data, len)))
        return st;
    if (im)
        *im = f.found;
    return IPS_OK;
}

/* ---- lists: terms, prices, authorised sellers -------------------------------------- */

/* A list replacing the stored one in one transaction: the profile is
 * touched, the list cleared, each item put, and the change audited. */
struct profile__list_tx {
    const struct access_principal *actor;
    const char *org_id;
    const char *action; /* audit action */
    const void *items;  /* terms, prices or seller ids */
    size_t n;
    ips_status (*clear)(struct store *s, const char *org_id);
    ips_status (*put)(struct store *s, const struct profile__list_tx *a, size_t i);
    char detail[64];
};

static ips_status profile__list_tx_run(struct store *s, void *arg)
{
    struct profile__list_tx *a = arg;
    ips_status st = store_profile_touch(s, a->org_id, time_now_ms());
    if (st || (st = a->clear(s, a->org_id)))
        return st;
    for (size_t i = 0; i < a->n; i++)
        if ((st = a->put(s, a, i)))
            return st;
    char object[STORE_OBJECT_MAX + 1];
    snprintf(object, sizeof object, "profile:%s", a->org_id);
    return audit_append(s, access_principal_actor(a->actor), a->action, object, AUDIT_OK,
                        a->detail);
}

/* The start of a list update: the actor may write org_id's profile, and
 * `list` (the request member `name`, described as `what` in the problem) is
 * an array of at most max items. OUT *items: zeroed room for its items of
 * `size` bytes each (calloc; the caller frees it, also on failure), *n
 * their number. On failure returns the status, with field errors added. */
static ips_status profile__list_open(struct ips_ctx *ctx, const char *org_id, json_t *list,
                                     const char *name, size_t max, const char *what,
                                     size_t size, void **items, size_t *n)
{
    *items = NULL;
    *n = 0;
    ips_status st = profile__authorize(ctx, ACT_PROFILE_WRITE, org_id);
    if (st)
        return st;
    if (!profile__array_ok(ctx, list, name, max))
        return profile__invalid(ctx, what);
    *n = json_array_size(list);
    *items = calloc(*n ? *n : 1, size);
    return *items ? IPS_OK : IPS_ERR_NOMEM;
}

/* The end of a list update: when every item was valid (ok), store the
 * list of a (detail "<n> <unit>") in one transaction; else IPS_ERR_INVALID
 * about `what`. */
static ips_status profile__list_commit(struct ips_ctx *ctx, struct profile__list_tx *a, bool ok,
                                       const char *what, const char *unit)
{
    if (!ok)
        return profile__invalid(ctx, what);
    snprintf(a->detail, sizeof a->detail, "%zu %s", a->n, unit);
    return store_tx_run(ctx->store, profile__list_tx_run, a);
}

/* ---- terms ------------------------------------------------------------------------ */

static ips_status profile__term_put(struct store *s, const struct profile__list_tx *a, size_t i)
{
    const struct store_profile_term *terms = a->items;
    return store_profile_term_insert(s, &terms[i]);
}

/* Validate one {"term", "variants"} item i into *t; false (with errors) when
 * it is not acceptable. */
static bool profile__term_parse(struct ips_ctx *ctx, json_t *item, size_t i,
                                struct store_profile_term *t)
{
    static const char *const allowed[] = {"term", "variants", NULL};
    char field[64];
    profile__field(field, sizeof field, "terms", i, NULL);
    if (!json_is_object(item)) {
        json_error_add(ctx->errors, field, "must be an object {term, variants}");
        return false;
    }
    bool ok = profile__only(ctx, item, allowed, field);
    profile__field(field, sizeof field, "terms", i, "term");
    ok = profile__text(ctx, json_object_get(item, "term"), field, STORE_PROFILE_TERM_MAX, t->term,
                       sizeof t->term) && ok;
    json_t *variants = json_object_get(item, "variants");
    if (!variants || json_is_null(variants))
        return ok;
    profile__field(field, sizeof field, "terms", i, "variants");
    if (!profile__array_ok(ctx, variants, field, PROFILE_VARIANTS_MAX))
        return false;
    size_t j;
    json_t *v;
    json_array_foreach(variants, j, v)
    {
        char vfield[96];
        snprintf(vfield, sizeof vfield, "terms[%zu].variants[%zu]", i, j);
        char *dst = t->variants[t->n_variants];
        if (!profile__text(ctx, v, vfield, STORE_PROFILE_TERM_MAX, dst, sizeof t->variants[0])) {
            ok = false;
            continue;
        }
        bool dup = strcmp(dst, t->term) == 0;
        for (int k = 0; !dup && k < t->n_variants; k++)
            dup = strcmp(t->variants[k], dst) == 0;
        if (dup) {
            json_error_add(ctx->errors, vfield, "repeats the term or another variant");
            ok = false;
            continue;
        }
        t->n_variants++;
    }
    return ok;
}

ips_status profile_terms_set(struct ips_ctx *ctx, const char *org_id, json_t *terms)
{
    void *mem;
    size_t n;
    /* n <= PROFILE_TERMS_MAX: about 440 KiB at most */
    ips_status st = profile__list_open(ctx, org_id, terms, "terms", PROFILE_TERMS_MAX, "terms",
                                       sizeof(struct store_profile_term), &mem, &n);
    struct store_profile_term *list = mem;
    if (st)
        goto out_list;
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        struct store_profile_term *t = &list[i];
        memcpy(t->org_id, org_id, sizeof t->org_id);
        t->pos = (int)i;
        if (!profile__term_parse(ctx, json_array_get(terms, i), i, t)) {
            ok = false;
            continue;
        }
        for (size_t k = 0; k < i; k++) {
            if (strcmp(list[k].term, t->term) == 0) {
                char field[64];
                profile__field(field, sizeof field, "terms", i, "term");
                json_error_add(ctx->errors, field, "repeats an earlier term");
                ok = false;
                break;
            }
        }
    }
    struct profile__list_tx a = {ctx->actor, org_id, "profile.terms_set", list, n,
                                 store_profile_terms_clear, profile__term_put, ""};
    st = profile__list_commit(ctx, &a, ok, "terms", "terms");
out_list:
    free(list);
    return st;
}

/* ---- prices ----------------------------------------------------------------------- */

static ips_status profile__price_put(struct store *s, const struct profile__list_tx *a, size_t i)
{
    const struct store_profile_price *prices = a->items;
    return store_profile_price_insert(s, &prices[i], (int)i);
}

/* Validate price item i into *p; false (with errors) when not acceptable. */
static bool profile__price_parse(struct ips_ctx *ctx, json_t *item, size_t i,
                                 struct store_profile_price *p)
{
    static const char *const allowed[] = {"category", "currency", "min_minor", NULL};
    char field[64];
    profile__field(field, sizeof field, "prices", i, NULL);
    if (!json_is_object(item)) {
        json_error_add(ctx->errors, field, "must be an object {category, currency, min_minor}");
        return false;
    }
    bool ok = profile__only(ctx, item, allowed, field);
    profile__field(field, sizeof field, "prices", i, "category");
    ok = profile__text(ctx, json_object_get(item, "category"), field,
                       STORE_PROFILE_CATEGORY_MAX, p->category, sizeof p->category) && ok;
    profile__field(field, sizeof field, "prices", i, "currency");
    json_t *cur = json_object_get(item, "currency");
    if (!json_is_string(cur)) {
        json_error_add(ctx->errors, field, cur ? "must be a string" : "is required");
        ok = false;
    } else if (!profile_currency_valid(json_string_value(cur))) {
        json_error_add(ctx->errors, field, "must be an ISO 4217 currency code such as EUR");
        ok = false;
    } else {
        memcpy(p->currency, json_string_value(cur), sizeof p->currency);
    }
    profile__field(field, sizeof field, "prices", i, "min_minor");
    json_t *min = json_object_get(item, "min_minor");
    if (!json_is_integer(min)) {
        json_error_add(ctx->errors, field, min ? "must be an integer" : "is required");
        ok = false;
    } else if (json_integer_value(min) < 1 || json_integer_value(min) > PROFILE_MIN_PRICE_MAX) {
        json_error_add(ctx->errors, field, "must be between 1 and 10^15 minor units");
        ok = false;
    } else {
        p->min_minor = json_integer_value(min);
    }
    return ok;
}

ips_status profile_prices_set(struct ips_ctx *ctx, const char *org_id, json_t *prices)
{
    void *mem;
    size_t n;
    ips_status st = profile__list_open(ctx, org_id, prices, "prices", PROFILE_PRICES_MAX, "prices",
                                       sizeof(struct store_profile_price), &mem, &n);
    struct store_profile_price *list = mem;
    if (st)
        goto out_list;
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        struct store_profile_price *p = &list[i];
        memcpy(p->org_id, org_id, sizeof p->org_id);
        if (!profile__price_parse(ctx, json_array_get(prices, i), i, p)) {
            ok = false;
            continue;
        }
        for (size_t k = 0; k < i; k++) {
            if (strcmp(list[k].category, p->category) == 0 &&
                strcmp(list[k].currency, p->currency) == 0) {
                char field[64];
                profile__field(field, sizeof field, "prices", i, NULL);
                json_error_add(ctx->errors, field, "repeats an earlier category and currency");
                ok = false;
                break;
            }
        }
    }
    struct profile__list_tx a = {ctx->actor, org_id, "profile.prices_set", list, n,
                                 store_profile_prices_clear, profile__price_put, ""};
    st = profile__list_commit(ctx, &a, ok, "prices", "prices");
out_list:
    free(list);
    return st;
}

/* ---- authorised sellers ---------------------------------------------------------- */

/* One seller org id of a list being validated. */
struct profile__id {
    char v[ID_SIZE];
};

static ips_status profile__seller_put(struct store *s, const struct profile__list_tx *a, size_t i)
{
    const struct profile__id *ids = a->items;
    return store_profile_seller_insert(s, a->org_id, ids[i].v, (int)i);
}

ips_status profile_sellers_set(struct ips_ctx *ctx, const char *org_id, json_t *seller_ids)
{
    void *mem;
    size_t n;
    ips_status st =
        profile__list_open(ctx, org_id, seller_ids, "seller_org_ids", PROFILE_SELLERS_MAX,
                           "authorised sellers", sizeof(struct profile__id), &mem, &n);
    struct profile__id *ids = mem;
    if (st)
        goto out_ids;
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        char field[64];
        profile__field(field, sizeof field, "seller_org_ids", i, NULL);
        json_t *v = json_array_get(seller_ids, i);
        const char *id = json_string_value(v);
        struct store_org o;
        if (!json_is_string(v)) {
            json_error_add(ctx->errors, field, "must be a string");
            ok = false;
            continue;
        }
        if (!id_is_valid(id)) {
            json_error_add(ctx->errors, field, "is not an organisation id");
            ok = false;
            continue;
        }
        st = store_org_get(ctx->store, id, &o);
        if (st == IPS_ERR_NOT_FOUND) {
            json_error_add(ctx->errors, field, "no such organisation");
            ok = false;
            continue;
        }
        if (st)
            goto out_ids;
        if (strcmp(o.kind, "seller") != 0) {
            json_error_add(ctx->errors, field, "is not a seller organisation");
            ok = false;
            continue;
        }
        bool dup = false;
        for (size_t k = 0; k < i && !dup; k++)
            dup = strcmp(ids[k].v, id) == 0;
        if (dup) {
            json_error_add(ctx->errors, field, "repeats an earlier seller");
            ok = false;
            continue;
        }
        memcpy(ids[i].v, id, ID_SIZE);
    }
    struct profile__list_tx a = {ctx->actor, org_id, "profile.sellers_set", ids, n,
                                 store_profile_sellers_clear, profile__seller_put, ""};
    st = profile__list_commit(ctx, &a, ok, "authorised sellers", "sellers");
out_ids:
    free(ids);
    return st;
}

/* ---- images ------------------------------------------------------------------------ */

struct profile__image_tx {
    struct ips_ctx *ctx;
    const void *data;
    size_t len;
    struct store_profile_image *im; /* kind, label, org_id set; blob fields filled here */
};

static ips_status profile__image_add_tx(struct store *s, void *arg)
{
    struct profile__image_tx *a = arg;
    struct blob_info info;
    int count = 0;
    ips_status st = store_profile_image_count(s, a->im->org_id, &count);
    if (st)
        return st;
    if (count >= PROFILE_IMAGES_MAX) { /* no field error here: this may run twice */
        snprintf(a->ctx->detail, sizeof a->ctx->detail,
                 "a profile holds at most %d images; delete one first", PROFILE_IMAGES_MAX);
        return IPS_ERR_INVALID;
    }
    if ((st = blob_put(a->ctx, a->data, a->len, BLOB_TYPES_IMAGE, &info)))
        return st;
    memcpy(a->im->sha256, info.sha256, sizeof a->im->sha256);
    snprintf(a->im->mime, sizeof a->im->mime, "%s", info.mime);
    a->im->size = info.size;
    a->im->created_ms = time_now_ms();
    if ((st = store_profile_touch(s, a->im->org_id, a->im->created_ms)) ||
        (st = store_profile_image_insert(s, a->im)))
        return st;
    char object[STORE_OBJECT_MAX + 1], detail[STORE_DETAIL_MAX + 1];
    snprintf(object, sizeof object, "profile:%s", a->im->org_id);
    snprintf(detail, sizeof detail, "%s %s %s", a->im->kind, a->im->sha256, a->im->mime);
    return audit_append(s, access_principal_actor(a->ctx->actor), "profile.image_add", object,
                        AUDIT_OK, detail);
}

ips_status profile_image_add(struct ips_ctx *ctx, const char *org_id, const void *data,
                             size_t len, json_t *meta, struct store_profile_image *out)
{
    static const char *const allowed[] = {"kind", "label", NULL};
    struct store_profile_image im;
    memset(&im, 0, sizeof im);
    ips_status st = profile__authorize(ctx, ACT_PROFILE_WRITE, org_id);
    if (st)
        return st;
    bool ok = true;
    if (!json_is_object(meta)) {
        json_error_add(ctx->errors, "meta", "must be a JSON object {kind, label}");
        ok = false;
    } else {
        ok = profile__only(ctx, meta, allowed, "meta");
        json_t *kind = json_object_get(meta, "kind");
        const char *k = json_string_value(kind);
        if (!json_is_string(kind)) {
            json_error_add(ctx->errors, "meta.kind", kind ? "must be a string" : "is required");
            ok = false;
        } else if (strcmp(k, "product") != 0 && strcmp(k, "logo") != 0) {
            json_error_add(ctx->errors, "meta.kind", "must be product or logo");
            ok = false;
        } else {
            snprintf(im.kind, sizeof im.kind, "%s", k);
        }
        ok = profile__text(ctx, json_object_get(meta, "label"), "meta.label",
                           STORE_PROFILE_LABEL_MAX, im.label, sizeof im.label) && ok;
    }
    if (!data || len == 0) {
        json_error_add(ctx->errors, "image", "is required and must not be empty");
        ok = false;
    }
    if (!ok) {
        snprintf(ctx->detail, sizeof ctx->detail, "the image is not valid: see errors");
        return IPS_ERR_INVALID;
    }
    memcpy(im.org_id, org_id, sizeof im.org_id);
    struct profile__image_tx a = {ctx, data, len, &im};
    st = store_tx_run(ctx->store, profile__image_add_tx, &a);
    if (st == IPS_ERR_CONFLICT)
        snprintf(ctx->detail, sizeof ctx->detail, "the profile has this image already");
    if (st == IPS_OK && out)
        *out = im;
    return st;
}

struct profile__image_del_tx {
    const struct access_principal *actor;
    const char *org_id, *sha256;
};

static ips_status profile__image_delete_tx(struct store *s, void *arg)
{
    struct profile__image_del_tx *a = arg;
    ips_status st = store_profile_image_delete(s, a->org_id, a->sha256);
    if (st || (st = store_profile_touch(s, a->org_id, time_now_ms())))
        return st;
    char object[STORE_OBJECT_MAX + 1];
    snprintf(object, sizeof object, "profile:%s", a->org_id);
    return audit_append(s, access_principal_actor(a->actor), "profile.image_delete", object,
                        AUDIT_OK, a->sha256);
}

ips_status profile_image_delete(struct ips_ctx *ctx, const char *org_id, const char *sha256)
{
    ips_status st = profile__authorize(ctx, ACT_PROFILE_WRITE, org_id);
    if (st)
        return st;
    size_t n = sha256 ? strlen(sha256) : 0;
    if (n != STORE_PROFILE_SHA256_HEX || strspn(sha256, "0123456789abcdef") != n)
        return IPS_ERR_NOT_FOUND;
    struct profile__image_del_tx a = {ctx->actor, org_id, sha256};
    return store_tx_run(ctx->store, profile__image_delete_tx, &a);
}

/* ---- system reads ---------------------------------------------------------------------- */

ips_status profile_terms_foreach(struct store *s, store_profile_term_cb cb, void *arg)
{
    return store_profile_term_list(s, NULL, cb, arg);
}

ips_status profile_min_price(struct store *s, const char *org_id, const char *category,
                             const char *currency, int64_t *out_minor)
{
    return store_profile_price_get(s, org_id, category, currency, out_minor);
}

ips_status profile_seller_authorised(struct store *s, const char *org_id,
                                     const char *seller_org_id, bool *out)
{
    return store_profile_seller_listed(s, org_id, seller_org_id, out);
}
