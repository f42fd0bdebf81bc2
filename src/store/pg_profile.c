/*
 * pg_profile.c — PostgreSQL implementation of store_profile.h (tables of
 * migration 0005_profiles.sql). Contracts: store_profile.h.
 *
 * Terms and their variants live in two tables; store_profile_term_list reads
 * them with one LEFT JOIN ordered by (org_id, term pos, variant pos) and
 * folds the rows of one term into one record before calling back, so a
 * caller never sees half a term.
 */
#include <string.h>

#include "store/pg_internal.h"
#include "store/store_profile_backend.h"

static const char q_touch[] =
    "INSERT INTO profiles (org_id, updated_ms) VALUES ($1, $2)"
    " ON CONFLICT (org_id) DO UPDATE SET updated_ms = excluded.updated_ms";
static const char q_updated[] = "SELECT updated_ms FROM profiles WHERE org_id = $1";
static const char q_variants_clear[] = "DELETE FROM profile_term_variants WHERE org_id = $1";
static const char q_terms_clear[] = "DELETE FROM profile_terms WHERE org_id = $1";
static const char q_term_insert[] =
    "INSERT INTO profile_terms (org_id, pos, term) VALUES ($1, $2, $3)";
static const char q_variant_insert[] =
    "INSERT INTO profile_term_variants (org_id, term_pos, pos, variant) VALUES ($1, $2, $3, $4)";
static const char q_term_list[] =
    "SELECT t.org_id, t.pos, t.term, v.variant FROM profile_terms t"
    " LEFT JOIN profile_term_variants v ON v.org_id = t.org_id AND v.term_pos = t.pos"
    " WHERE ($1::text IS NULL OR t.org_id = $1) ORDER BY t.org_id, t.pos, v.pos";

#define IMAGE_COLS "org_id, sha256, kind, label, mime, size, created_ms"
static const char q_image_insert[] =
    "INSERT INTO profile_images (" IMAGE_COLS ") VALUES ($1, $2, $3, $4, $5, $6, $7)";
static const char q_image_delete[] =
    "DELETE FROM profile_images WHERE org_id = $1 AND sha256 = $2";
static const char q_image_list[] = "SELECT " IMAGE_COLS " FROM profile_images"
                                   " WHERE org_id = $1 ORDER BY created_ms, sha256";
static const char q_image_count[] = "SELECT count(*) FROM profile_images WHERE org_id = $1";

static const char q_prices_clear[] = "DELETE FROM profile_prices WHERE org_id = $1";
static const char q_price_insert[] =
    "INSERT INTO profile_prices (org_id, category, currency, min_minor, pos)"
    " VALUES ($1, $2, $3, $4, $5)";
static const char q_price_list[] = "SELECT org_id, category, currency, min_minor"
                                   " FROM profile_prices WHERE org_id = $1 ORDER BY pos";
static const char q_price_get[] = "SELECT min_minor FROM profile_prices"
                                  " WHERE org_id = $1 AND category = $2 AND currency = $3";

static const char q_sellers_clear[] = "DELETE FROM profile_sellers WHERE org_id = $1";
static const char q_seller_insert[] =
    "INSERT INTO profile_sellers (org_id, seller_org_id, pos) VALUES ($1, $2, $3)";
static const char q_seller_list[] =
    "SELECT p.org_id, p.seller_org_id, o.name FROM profile_sellers p"
    " JOIN orgs o ON o.id = p.seller_org_id WHERE p.org_id = $1 ORDER BY p.pos";
static const char q_seller_listed[] =
    "SELECT 1 FROM profile_sellers WHERE org_id = $1 AND seller_org_id = $2";

/* Run sql with $1 = org_id to completion (the DELETEs of a list). */
static ips_status run_for_org(struct store *s, const char *sql, const char *org_id)
{
    struct pg__stmt q;
    ips_status result = pg__stmt_sql(pg__from(s), sql, &q);
    if (result || (result = pg__bind_text(&q, 1, org_id)))
        goto out_stmt;
    result = pg__run(&q, NULL);
out_stmt:
    pg__stmt_put(&q);
    return result;
}

/* Step a bound SELECT of one integer; OUT *out. NOT_FOUND without a row. */
static ips_status fetch_int64(struct pg__stmt *q, int64_t *out)
{
    int64_t tmp;
    return pg__fetch_one(q, pg__decode_int64, &tmp, out, sizeof tmp);
}

static ips_status touch(struct store *s, const char *org_id, int64_t now_ms)
{
    struct pg__stmt q;
    ips_status result = pg__stmt_sql(pg__from(s), q_touch, &q);
    if (result || (result = pg__bind_text(&q, 1, org_id)) ||
        (result = pg__bind_int64(&q, 2, now_ms)))
        goto out_stmt;
    result = pg__run(&q, NULL);
out_stmt:
    pg__stmt_put(&q);
    return result;
}

static ips_status updated(struct store *s, const char *org_id, int64_t *updated_ms)
{
    struct pg__stmt q;
    ips_status result = pg__stmt_sql(pg__from(s), q_updated, &q);
    if (result || (result = pg__bind_text(&q, 1, org_id)))
        goto out_stmt;
    result = fetch_int64(&q, updated_ms);
out_stmt:
    pg__stmt_put(&q);
    return result;
}

static ips_status terms_clear(struct store *s, const char *org_id)
{
    ips_status result = run_for_org(s, q_variants_clear, org_id);
    return result ? result : run_for_org(s, q_terms_clear, org_id);
}

static ips_status term_insert(struct store *s, const struct store_profile_term *t)
{
    struct pg_store *ss = pg__from(s);
    struct pg__stmt q;
    ips_status result = pg__stmt_sql(ss, q_term_insert, &q);
    if (result || (result = PG__BIND_FIELD(&q, 1, t->org_id)) ||
        (result = pg__bind_int64(&q, 2, t->pos)) ||
        (result = PG__BIND_FIELD(&q, 3, t->term)) || (result = pg__run(&q, NULL)))
        goto out_stmt;
    for (int i = 0; i < t->n_variants; i++) {
        pg__stmt_put(&q);
        if ((result = pg__stmt_sql(ss, q_variant_insert, &q)) ||
            (result = PG__BIND_FIELD(&q, 1, t->org_id)) ||
            (result = pg__bind_int64(&q, 2, t->pos)) ||
            (result = pg__bind_int64(&q, 3, i)) ||
            (result = PG__BIND_FIELD(&q, 4, t->variants[i])) ||
            (result = pg__run(&q, NULL)))
            goto out_stmt;
    }
out_stmt:
    pg__stmt_put(&q);
    return result;
}

/* Walk the joined rows; one callback per term, after its last variant (the
 * record, about 2 KiB, lives on this function's stack). */
static ips_status term_list(struct store *s, const char *only_org, store_profile_term_cb cb,
                            void *arg)
{
    struct pg__stmt q;
    struct store_profile_term t;
    bool have = false, row = false;
    memset(&t, 0, sizeof t);
    ips_status result = pg__stmt_sql(pg__from(s), q_term_list, &q);
    if (result || (result = pg__bind_text(&q, 1, only_org)))
        goto out_stmt;
    while ((result = pg__step(&q, &row)) == IPS_OK && row) {
        char org_id[ID_SIZE];
        int pos = pg__col_int(q.st, 1);
        if ((result = PG__COL_FIELD(q.st, 0, org_id)))
            break;
        if (!have || pos != t.pos || strcmp(org_id, t.org_id) != 0) {
            if (have && (result = cb(&t, arg)))
                break;
            memset(&t, 0, sizeof t);
            memcpy(t.org_id, org_id, sizeof t.org_id);
            t.pos = pos;
            if ((result = PG__COL_FIELD(q.st, 2, t.term)))
                break;
            have = true;
        }
        if (pg__col_is_null(q.st, 3))
            continue;
        if (t.n_variants >= STORE_PROFILE_VARIANTS_MAX) {
            result = IPS_ERR_TOO_LARGE;
            break;
        }
        if ((result = PG__COL_FIELD(q.st, 3, t.variants[t.n_variants])))
            break;
        t.n_variants++;
    }
    if (result == IPS_OK && have)
        result = cb(&t, arg);
out_stmt:
    pg__stmt_put(&q);
    return result;
}

static ips_status decode_image(const struct pg__row *st, void *row)
{
    struct store_profile_image *im = row;
    ips_status result;
    if ((result = PG__COL_FIELD(st, 0, im->org_id)) ||
        (result = PG__COL_FIELD(st, 1, im->sha256)) ||
        (result = PG__COL_FIELD(st, 2, im->kind)) ||
        (result = PG__COL_FIELD(st, 3, im->label)) ||
        (result = PG__COL_FIELD(st, 4, im->mime)))
        return result;
    im->size = pg__col_int64(st, 5);
    im->created_ms = pg__col_int64(st, 6);
    return IPS_OK;
}

static ips_status image_insert(struct store *s, const struct store_profile_image *im)
{
    struct pg__stmt q;
    ips_status result = pg__stmt_sql(pg__from(s), q_image_insert, &q);
    if (result || (result = PG__BIND_FIELD(&q, 1, im->org_id)) ||
        (result = PG__BIND_FIELD(&q, 2, im->sha256)) ||
        (result = PG__BIND_FIELD(&q, 3, im->kind)) ||
        (result = PG__BIND_FIELD(&q, 4, im->label)) ||
        (result = PG__BIND_FIELD(&q, 5, im->mime)) ||
        (result = pg__bind_int64(&q, 6, im->size)) ||
        (result = pg__bind_int64(&q, 7, im->created_ms)))
        goto out_stmt;
    result = pg__run(&q, NULL);
out_stmt:
    pg__stmt_put(&q);
    return result;
}

static ips_status image_delete(struct store *s, const char *org_id, const char *sha256)
{
    struct pg__stmt q;
    int changes = 0;
    ips_status result = pg__stmt_sql(pg__from(s), q_image_delete, &q);
    if (result || (result = pg__bind_text(&q, 1, org_id)) ||
        (result = pg__bind_text(&q, 2, sha256)) || (result = pg__run(&q, &changes)))
        goto out_stmt;
    if (changes == 0)
        result = IPS_ERR_NOT_FOUND;
out_stmt:
    pg__stmt_put(&q);
    return result;
}

PG__EMIT(emit_image, struct store_profile_image, store_profile_image_cb)

static ips_status image_list(struct store *s, const char *org_id, store_profile_image_cb cb,
                             void *arg)
{
    struct store_profile_image im;
    return pg__list(pg__from(s), q_image_list, pg__bind_key, org_id, decode_image,
                    &im, sizeof im, emit_image, &(struct emit_image){cb, arg});
}

static ips_status image_count(struct store *s, const char *org_id, int *count)
{
    struct pg__stmt q;
    int64_t n = 0;
    ips_status result = pg__stmt_sql(pg__from(s), q_image_count, &q);
    if (result || (result = pg__bind_text(&q, 1, org_id)) ||
        (result = fetch_int64(&q, &n)))
        goto out_stmt;
    *count = (int)n;
out_stmt:
    pg__stmt_put(&q);
    return result;
}

static ips_status prices_clear(struct store *s, const char *org_id)
{
    return run_for_org(s, q_prices_clear, org_id);
}

static ips_status price_insert(struct store *s, const struct store_profile_price *p, int pos)
{
    struct pg__stmt q;
    ips_status result = pg__stmt_sql(pg__from(s), q_price_insert, &q);
    if (result || (result = PG__BIND_FIELD(&q, 1, p->org_id)) ||
        (result = PG__BIND_FIELD(&q, 2, p->category)) ||
        (result = PG__BIND_FIELD(&q, 3, p->currency)) ||
        (result = pg__bind_int64(&q, 4, p->min_minor)) ||
        (result = pg__bind_int64(&q, 5, pos)))
        goto out_stmt;
    result = pg__run(&q, NULL);
out_stmt:
    pg__stmt_put(&q);
    return result;
}

static ips_status decode_price(const struct pg__row *st, void *row)
{
    struct store_profile_price *p = row;
    ips_status result;
    memset(p, 0, sizeof *p);
    if ((result = PG__COL_FIELD(st, 0, p->org_id)) ||
        (result = PG__COL_FIELD(st, 1, p->category)) ||
        (result = PG__COL_FIELD(st, 2, p->currency)))
        return result;
    p->min_minor = pg__col_int64(st, 3);
    return IPS_OK;
}

PG__EMIT(emit_price, struct store_profile_price, store_profile_price_cb)

static ips_status price_list(struct store *s, const char *org_id, store_profile_price_cb cb,
                             void *arg)
{
    struct store_profile_price p;
    return pg__list(pg__from(s), q_price_list, pg__bind_key, org_id, decode_price,
                    &p, sizeof p, emit_price, &(struct emit_price){cb, arg});
}

static ips_status price_get(struct store *s, const char *org_id, const char *category,
                            const char *currency, int64_t *min_minor)
{
    struct pg__stmt q;
    ips_status result = pg__stmt_sql(pg__from(s), q_price_get, &q);
    if (result || (result = pg__bind_text(&q, 1, org_id)) ||
        (result = pg__bind_text(&q, 2, category)) ||
        (result = pg__bind_text(&q, 3, currency)))
        goto out_stmt;
    result = fetch_int64(&q, min_minor);
out_stmt:
    pg__stmt_put(&q);
    return result;
}

static ips_status sellers_clear(struct store *s, const char *org_id)
{
    return run_for_org(s, q_sellers_clear, org_id);
}

static ips_status seller_insert(struct store *s, const char *org_id, const char *seller_org_id,
                                int pos)
{
    struct pg__stmt q;
    ips_status result = pg__stmt_sql(pg__from(s), q_seller_insert, &q);
    if (result || (result = pg__bind_text(&q, 1, org_id)) ||
        (result = pg__bind_text(&q, 2, seller_org_id)) ||
        (result = pg__bind_int64(&q, 3, pos)))
        goto out_stmt;
    result = pg__run(&q, NULL);
out_stmt:
    pg__stmt_put(&q);
    return result;
}

static ips_status decode_seller(const struct pg__row *st, void *row)
{
    struct store_profile_seller *se = row;
    ips_status result;
    memset(se, 0, sizeof *se);
    if ((result = PG__COL_FIELD(st, 0, se->org_id)) ||
        (result = PG__COL_FIELD(st, 1, se->seller_org_id)))
        return result;
    return PG__COL_FIELD(st, 2, se->seller_name);
}

PG__EMIT(emit_seller, struct store_profile_seller, store_profile_seller_cb)

static ips_status seller_list(struct store *s, const char *org_id, store_profile_seller_cb cb,
                              void *arg)
{
    struct store_profile_seller se;
    return pg__list(pg__from(s), q_seller_list, pg__bind_key, org_id, decode_seller,
                    &se, sizeof se, emit_seller, &(struct emit_seller){cb, arg});
}

static ips_status seller_listed(struct store *s, const char *org_id, const char *seller_org_id,
                                bool *out)
{
    struct pg__stmt q;
    bool row = false;
    ips_status result = pg__stmt_sql(pg__from(s), q_seller_listed, &q);
    if (result || (result = pg__bind_text(&q, 1, org_id)) ||
        (result = pg__bind_text(&q, 2, seller_org_id)) ||
        (result = pg__step(&q, &row)))
        goto out_stmt;
    *out = row;
out_stmt:
    pg__stmt_put(&q);
    return result;
}

const struct store_profile_ops pg__profile_ops = {
    .touch = touch,
    .updated = updated,
    .terms_clear = terms_clear,
    .term_insert = term_insert,
    .term_list = term_list,
    .image_insert = image_insert,
    .image_delete = image_delete,
    .image_list = image_list,
    .image_count = image_count,
    .prices_clear = prices_clear,
    .price_insert = price_insert,
    .price_list = price_list,
    .price_get = price_get,
    .sellers_clear = sellers_clear,
    .seller_insert = seller_insert,
    .seller_list = seller_list,
    .seller_listed = seller_listed,
};
