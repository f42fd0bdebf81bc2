/*
 * store_catalog.h — persistence of the marketplace catalog: seller profiles,
 * seller identifiers (keyed hashes), listings, listing versions and the
 * full-text index over each listing's current version.
 *
 * Same rules as store.h: records are plain structs with fixed-size fields,
 * owned by the caller (the listing version is large, ~18 KB: keep one or two
 * on a stack, not arrays of them); OUT parameters are written only on IPS_OK;
 * text longer than its field is IPS_ERR_TOO_LARGE. The domain
 * (src/catalog/) validates values before they get here; the CHECK
 * constraints of 0003_catalog.sql are the last line of defence only.
 *
 * The full-text index (FTS5, table listings_fts) is private to the store:
 * store_catalog_listing_insert and store_catalog_listing_add_version keep it
 * in step with the current version in the caller's transaction, and
 * store_catalog_listing_search reads it. Callers pass a query already in
 * FTS5 syntax (catalog_fts_query builds a safe one).
 */
#ifndef IPS_STORE_STORE_CATALOG_H
#define IPS_STORE_STORE_CATALOG_H

#include "store/store.h"

#define STORE_LISTING_ID_MAX 64
#define STORE_SELLER_EXT_MAX 64
#define STORE_LISTING_TITLE_MAX 300
#define STORE_LISTING_DESC_MAX 8000
#define STORE_LISTING_CATEGORY_MAX 120
#define STORE_LISTING_IMAGES_MAX 8192 /* compact JSON array text */
#define STORE_GEO_MAX 6               /* GEO_CODE_MAX */
#define STORE_CURRENCY_LEN 3
#define STORE_STATE_MAX 16
#define STORE_HIDDEN_MAX 24 /* "seller_suspended", "seller_terminated" */

/* ---- sellers --------------------------------------------------------------- */

struct store_seller {
    char org_id[ID_SIZE];                      /* an org of kind seller */
    char external_id[STORE_SELLER_EXT_MAX + 1]; /* the marketplace's id, unique */
    char display_name[STORE_NAME_MAX + 1];
    char ship_from[STORE_GEO_MAX + 1]; /* "" when unknown */
    int64_t created_ms;
    int64_t updated_ms;
};

/* Failure: IPS_ERR_CONFLICT when the org already has a profile or the
 * external id is taken; IPS_ERR_NOT_FOUND when the org does not exist. */
ips_status store_catalog_seller_insert(struct store *s, const struct store_seller *sp);
/* Set display_name, ship_from and updated_ms of the profile of sp->org_id.
 * Failure: IPS_ERR_NOT_FOUND when it has no profile. */
ips_status store_catalog_seller_update(struct store *s, const struct store_seller *sp);
/* OUT *out. Failure: IPS_ERR_NOT_FOUND. */
ips_status store_catalog_seller_get(struct store *s, const char *org_id, struct store_seller *out);
ips_status store_catalog_seller_get_by_external(struct store *s, const char *external_id,
                                                struct store_seller *out);

/* Record that the seller has an identifier of kind (phone, email, address,
 * payment_account, device_id) with this keyed hash. Recording it twice is not
 * an error. OUT *added (may be NULL): true when it was new.
 * Failure: IPS_ERR_NOT_FOUND when the seller has no profile. */
ips_status store_catalog_identifier_add(struct store *s, const char *seller_org_id,
                                        const char *kind, const uint8_t hash[STORE_HASH_LEN],
                                        int64_t now_ms, bool *added);
typedef ips_status (*store_seller_id_cb)(const char *seller_org_id, void *arg);
/* Every seller (org id ascending, org id > after, at most limit) holding an
 * identifier of this kind and hash — the lookup network detection uses. */
ips_status store_catalog_identifier_sellers(struct store *s, const char *kind,
                                            const uint8_t hash[STORE_HASH_LEN], const char *after,
                                            int limit, store_seller_id_cb cb, void *arg);
/* OUT *count: how many identifiers the seller has (all kinds). */
ips_status store_catalog_identifier_count(struct store *s, const char *seller_org_id,
                                          int64_t *count);

/* ---- listings ---------------------------------------------------------------- */

struct store_listing {
    char id[STORE_LISTING_ID_MAX + 1];
    char seller_org_id[ID_SIZE];
    char state[STORE_STATE_MAX + 1]; /* live | blocked | taken_down | reinstated */
    int64_t current_version;
    uint8_t current_hash[STORE_HASH_LEN]; /* content_hash of the current version */
    int64_t created_ms;
    int64_t updated_ms;
    char seller_name[STORE_NAME_MAX + 1]; /* read only: the seller org's name (not written) */
    /* read only: why the listing is off the marketplace at the time of a
     * *_at read (struct store_listing_view), "" when it is not or the read
     * gave no time: "seller_suspended" / "seller_terminated" */
    char hidden[STORE_HIDDEN_MAX + 1];
};

struct store_listing_version {
    char listing_id[STORE_LISTING_ID_MAX + 1];
    int64_t version; /* 1, 2, ... */
    char title[STORE_LISTING_TITLE_MAX + 1];
    char description[STORE_LISTING_DESC_MAX + 1];
    int64_t price_minor; /* in the currency's minor unit (ISO 4217 exponent) */
    char currency[STORE_CURRENCY_LEN + 1];
    char category[STORE_LISTING_CATEGORY_MAX + 1];
    char images[STORE_LISTING_IMAGES_MAX + 1]; /* compact JSON array */
    char ship_from[STORE_GEO_MAX + 1];
    int64_t units_sold;
    uint8_t content_hash[STORE_HASH_LEN];
    int64_t created_ms;
};

/* Insert listing l together with its first version v (v->listing_id ==
 * l->id, v->version == l->current_version == 1) and index v's title and
 * description. Run inside a transaction (three statements).
 * Failure: IPS_ERR_CONFLICT when the id exists; IPS_ERR_NOT_FOUND when the
 * seller org does not exist. */
ips_status store_catalog_listing_insert(struct store *s, const struct store_listing *l,
                                        const struct store_listing_version *v);
/* Add version v (v->version must be the listing's current_version + 1), make
 * it current (current_version, current_hash, updated_ms = v->created_ms) and
 * re-index the listing. Run inside a transaction.
 * Failure: IPS_ERR_NOT_FOUND for an unknown listing; IPS_ERR_CONFLICT when
 * that version exists (a concurrent writer won). */
ips_status store_catalog_listing_add_version(struct store *s, const struct store_listing_version *v);
/* Set state and updated_ms. Failure: IPS_ERR_NOT_FOUND. */
ips_status store_catalog_listing_set_state(struct store *s, const char *id, const char *state,
                                           int64_t now_ms);
/* OUT *out. Failure: IPS_ERR_NOT_FOUND. */
ips_status store_catalog_listing_get(struct store *s, const char *id, struct store_listing *out);
/* OUT *out: version `version` of listing id. Failure: IPS_ERR_NOT_FOUND. */
ips_status store_catalog_version_get(struct store *s, const char *id, int64_t version,
                                     struct store_listing_version *out);

/* A listing with its current version, for listings and search results. */
typedef ips_status (*store_listing_cb)(const struct store_listing *l,
                                       const struct store_listing_version *v, void *arg);
/* Listings by id ascending with id > after (NULL or "" = from the start), at
 * most limit (<= 0: STORE_LIST_DEFAULT_LIMIT); only_seller non-NULL restricts
 * to one seller org. */
ips_status store_catalog_listing_list(struct store *s, const char *only_seller, const char *after,
                                      int limit, store_listing_cb cb, void *arg);
/* Full-text search of current versions: fts_query in FTS5 syntax, ranked by
 * bm25 (title weighted 3, description 1), best first, skipping `offset`
 * results, at most limit; only_seller as above. A catalog-wide search
 * (only_seller NULL) ranks the newest 10,000 matches only (SEARCH_RANKED in
 * sqlite_catalog.c) and returns nothing past them: a broader query's pages
 * stay fast, and it must be narrowed to reach older listings. A seller's
 * search (only_seller) ranks all of that seller's matches, found inside the
 * index (0019). Every query matches the title and description only, never
 * the indexed seller org id.
 * Failure: IPS_ERR_INVALID when SQLite refuses the query text or its
 * parentheses do not pair (outside its quoted strings). */
ips_status store_catalog_listing_search(struct store *s, const char *fts_query,
                                        const char *only_seller, int64_t offset, int limit,
                                        store_listing_cb cb, void *arg);

/*
 * Hidden listings (migration 0017): a listing is HIDDEN at a time t while
 * its seller has a penalty (0008) of rank 4 (suspension) or 5 (termination)
 * in force at t: ended_ms = 0, from_ms <= t, until_ms 0 or > t. Nothing is
 * stored per listing, so a lapsing suspension needs no write.
 */
struct store_listing_view {
    int64_t now_ms; /* the time t penalties are judged at */
    bool hide;      /* leave hidden listings out (else return them, marked) */
};
/* store_catalog_listing_list and _search judged at view->now_ms: every row's
 * hidden field is set, and with view->hide hidden listings are left out
 * (the search's offset then counts only the listings it returns). view
 * NULL: exactly the functions above (nothing left out, hidden ""). */
ips_status store_catalog_listing_list_at(struct store *s, const char *only_seller,
                                         const char *after, int limit,
                                         const struct store_listing_view *view,
                                         store_listing_cb cb, void *arg);
ips_status store_catalog_listing_search_at(struct store *s, const char *fts_query,
                                           const char *only_seller, int64_t offset, int limit,
                                           const struct store_listing_view *view,
                                           store_listing_cb cb, void *arg);
/* OUT out: why the seller's listings are hidden at now_ms ("" when they are
 * not), as store_listing.hidden. */
ips_status store_catalog_seller_hidden(struct store *s, const char *seller_org_id, int64_t now_ms,
                                       char out[STORE_HIDDEN_MAX + 1]);
typedef ips_status (*store_version_cb)(const struct store_listing_version *v, void *arg);
/* Versions of one listing, newest first, with version < before (0 = from the
 * newest), at most limit (<= 0: STORE_LIST_DEFAULT_LIMIT). */
ips_status store_catalog_version_list(struct store *s, const char *id, int64_t before, int limit,
                                      store_version_cb cb, void *arg);

/* ---- bulk work ------------------------------------------------------------------ */

/* Tune this connection for a bulk import: a page cache of 128 MiB instead of
 * SQLite's 2 MiB, so that index and full-text pages stay in memory while
 * hundreds of thousands of rows go in. Durability is unchanged. Lasts until
 * the connection is closed. */
ips_status store_catalog_bulk_begin(struct store *s);

/* Inside a transaction (a bulk import's batch): the listings and versions
 * written from now on may stay out of the full-text index until
 * store_catalog_bulk_index(s, true), called before the commit, indexes
 * them all at once (their current versions) — one index build per batch
 * instead of one per row. store_catalog_bulk_index(s, false) ends the
 * deferral without indexing: the transaction is being rolled back. A
 * backend whose index follows each row (PostgreSQL) defers nothing; both
 * are then IPS_OK at once. Searches inside the deferral miss the rows
 * written in it. */
ips_status store_catalog_bulk_defer(struct store *s);
ips_status store_catalog_bulk_index(struct store *s, bool index);

#endif
