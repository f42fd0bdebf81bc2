/*
 * catalog.h — the marketplace catalog: sellers and their identifiers,
 * listings with versions, their states, full-text search, and bulk import
 * from JSON Lines. The whole interface of src/catalog/.
 *
 * Sellers are organisations of kind "seller" with a profile (the
 * marketplace's seller id, a display name, a ship-from jurisdiction). Their
 * identifiers (phone, email, address, payment account, device id) are kept
 * ONLY as keyed BLAKE2b-256 hashes of their normalised text; the 32-byte key
 * is created on first use and kept in the store's meta table under
 * "identifier_hash_key" (hex). Plain identifiers are never stored or logged.
 *
 * Listings are keyed by the marketplace's listing id. Every change of
 * content (title, description, price, currency, category, images, ship-from,
 * units sold) makes a new version; writing the same content again changes
 * nothing. The state (live, blocked, taken_down, reinstated) is changed only
 * by catalog_listing_set_state, for the notice and detection flows.
 *
 * Access (ACCESS_ACTION_MAP): sellers create and change their own listings
 * and read only those (another org's listing is IPS_ERR_NOT_FOUND);
 * reviewers, admins and right holders read and search all; officers and
 * auditors get IPS_ERR_FORBIDDEN for now; state changes are for reviewers,
 * admins and the system; imports for admins and the system.
 *
 * Hidden listings: while a seller has a suspension or termination in force
 * (src/enforce penalties), lists and searches leave its listings out for
 * right holders; the seller itself (its own listings) and those allowed
 * LISTING_READ_HIDDEN (reviewers, admins) get them with
 * store_listing.hidden set ("seller_suspended", "seller_terminated"). Read
 * by id, a hidden listing is returned, marked, to anyone who may read it.
 * Judged at the time of the read: a lapsing suspension needs no write.
 *
 * Listing JSON (API bodies and import lines share one shape):
 *   id           string, 1-64 of [A-Za-z0-9._:-] (import: required; API
 *                create: optional, generated when absent; API update: absent)
 *   seller_id    import only: the marketplace's seller id (same alphabet)
 *   title        string, 1-300 bytes          description  string, <= 8000 bytes
 *   price        decimal number or string in major units (e.g. 19.99 or
 *                "19.99"), >= 0, with at most the currency's ISO 4217
 *                decimals; stored as price_minor
 *   currency     three letters (ISO 4217), upper-cased
 *   category     string, <= 120 bytes         units_sold   integer >= 0
 *   images       array of <= 20 http(s) URLs (<= 400 bytes) or SHA-256 hex
 *   ship_from    ISO 3166-2 subdivision or ISO 3166-1 country code
 *
 * Writes run in one store transaction with their audit event. Callbacks get
 * records owned by the caller of the callback, valid during the call only.
 */
#ifndef IPS_CATALOG_CATALOG_H
#define IPS_CATALOG_CATALOG_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "access/access.h"
#include "store/store_catalog.h"

#define CATALOG_IMAGES_MAX 20
#define CATALOG_IMAGE_URL_MAX 400
#define CATALOG_IDENT_MAX 512   /* bytes of one identifier, raw or normalised */
#define CATALOG_QUERY_MAX 256   /* bytes of a search query */
#define CATALOG_QUERY_TERMS 16  /* terms of a search query */
#define CATALOG_FTS_MAX 1024    /* bytes of the FTS5 text built from a query */
#define CATALOG_BATCH_DEFAULT 5000
#define CATALOG_LINE_MAX (64 * 1024) /* bytes of one JSON Lines line */
#define CATALOG_REASON_MAX 300

/* ---- identifiers ----------------------------------------------------------- */

/* True for phone, email, address, payment_account, device_id. */
bool catalog_identifier_kind_valid(const char *kind);

/*
 * Normalise an identifier of kind into out[cap]:
 *   phone            digits only with a leading '+' ("00" prefix read as '+'),
 *                    4 to 20 digits
 *   email            trimmed, lower-cased, one '@' with text on both sides
 *   address          NFKC with Unicode case folding (utf8proc), every run of
 *                    white space (ASCII or a Unicode space separator) collapsed
 *                    to one space, trimmed; invalid UTF-8 or other control
 *                    characters refused
 *   payment_account, device_id   trimmed
 * Returns false (out unspecified) for an unknown kind, an empty result, or one
 * that does not fit in cap.
 */
bool catalog_identifier_normalize(const char *kind, const char *raw, char *out, size_t cap);

/* The server's identifier key: read from meta, created (random) when absent.
 * Works inside or outside a transaction. OUT key. Failure: store statuses,
 * IPS_ERR_INTEGRITY when the stored key is not 64 hex digits. */
ips_status catalog_identifier_key(struct store *s, uint8_t key[32]);

/* BLAKE2b-256 keyed with key over kind, a NUL byte and the normalised text.
 * Pure. */
void catalog_identifier_hash(const uint8_t key[32], const char *kind, const char *normalized,
                             uint8_t out[STORE_HASH_LEN]);

/* ---- sellers --------------------------------------------------------------- */

/*
 * Create or update a seller from a JSON object {id, name, ship_from,
 * identifiers {phone, email, address, payment_account, device_id}} (every
 * identifier a string or an array of strings). attach_org_id non-NULL gives
 * the seller org to use when the seller id is new (an existing seller org
 * without a profile, e.g. the demo seller); otherwise a new seller org named
 * after the id is created. Identifiers are added, never removed.
 * Needs CATALOG_IMPORT. OUT *out (may be NULL), *changed (may be NULL).
 * Failure: IPS_ERR_INVALID with ctx->errors; IPS_ERR_CONFLICT when another
 * organisation has the name; store statuses.
 */
ips_status catalog_seller_put(struct ips_ctx *ctx, json_t *obj, const char *attach_org_id,
                              struct store_seller *out, bool *changed);

/* ---- listings ------------------------------------------------------------------- */

/* True for an id of 1-64 characters of [A-Za-z0-9._:-]. */
bool catalog_id_valid(const char *id);
/* True for live, blocked, taken_down, reinstated. */
bool catalog_state_valid(const char *state);
/* True when from -> to is allowed: live -> blocked | taken_down,
 * taken_down -> reinstated, blocked -> live, reinstated -> taken_down. */
bool catalog_state_transition_allowed(const char *from, const char *to);
/* ISO 4217 minor-unit exponent of a currency (0, 2, 3 or 4). */
int catalog_currency_exponent(const char *currency);
/* Parse a decimal amount in major units of currency (a JSON number or a
 * string such as "19.99", >= 0, at most the currency's decimals) into minor
 * units. Returns false with an error on field "price" added to errors. */
bool catalog_price_parse(json_t *v, const char *currency, int64_t *out, json_t *errors);
/* Format price_minor of currency as a decimal string ("19.99") into out[cap]. */
void catalog_price_format(int64_t price_minor, const char *currency, char *out, size_t cap);

/*
 * Create a listing of the acting seller from the JSON object body (fields
 * above, seller_id not allowed). OUT *l, *v: the listing and its version 1.
 * Failure: IPS_ERR_FORBIDDEN for a non-seller; IPS_ERR_INVALID (ctx->errors);
 * IPS_ERR_CONFLICT when the id exists.
 */
ips_status catalog_listing_create(struct ips_ctx *ctx, json_t *body, struct store_listing *l,
                                  struct store_listing_version *v);
/*
 * Replace the content of the acting seller's listing id with body (same
 * fields, id not allowed). A new version is made only when the content
 * differs. OUT *l, *v: the listing and its current version; *changed (may be
 * NULL): whether a version was added.
 * Failure: IPS_ERR_FORBIDDEN for a non-seller; IPS_ERR_NOT_FOUND for an
 * unknown id or another seller's listing; IPS_ERR_INVALID.
 */
ips_status catalog_listing_update(struct ips_ctx *ctx, const char *id, json_t *body,
                                  struct store_listing *l, struct store_listing_version *v,
                                  bool *changed);

typedef ips_status (*catalog_version_cb)(const struct store_listing_version *v, void *arg);
/*
 * Read listing id with its current version, and offer at most max_versions
 * of its versions, newest first, to vcb (may be NULL).
 * Failure: IPS_ERR_NOT_FOUND (unknown, or another seller's);
 * IPS_ERR_FORBIDDEN for roles that may not read listings.
 */
ips_status catalog_listing_get(struct ips_ctx *ctx, const char *id, struct store_listing *l,
                               struct store_listing_version *v, int max_versions,
                               catalog_version_cb vcb, void *arg);
/* Listings the actor may see (a seller: its own), id ascending after `after`. */
ips_status catalog_listing_list(struct ips_ctx *ctx, const char *after, int limit,
                                store_listing_cb cb, void *arg);
/*
 * Full-text search of the current title and description, best (bm25) first,
 * skipping offset results. Sellers search their own listings only.
 * Failure: IPS_ERR_INVALID for an empty, oversized or unusable query.
 */
ips_status catalog_listing_search(struct ips_ctx *ctx, const char *query, int64_t offset,
                                  int limit, store_listing_cb cb, void *arg);

/*
 * Move listing id to new_state, for the notice and detection flows: needs
 * LISTING_STATE (reviewer, admin, system). reason (1-300 bytes) goes into
 * the audit event. Runs in the caller's transaction when one is open (the
 * caller then owns commit and rollback), else in one of its own.
 * Failure: IPS_ERR_INVALID (unknown state, bad reason); IPS_ERR_NOT_FOUND;
 * IPS_ERR_CONFLICT when the transition is not allowed (ctx->detail says).
 */
ips_status catalog_listing_set_state(struct ips_ctx *ctx, const char *id, const char *new_state,
                                     const char *reason);

/*
 * Turn a user's search text into an FTS5 query that cannot be a syntax
 * error: each white-space separated term becomes a string ("..." with inner
 * quotes doubled); a term ending in '*' becomes a prefix query; terms are
 * ANDed. OUT out[cap].
 * Failure: IPS_ERR_INVALID for no terms, more than CATALOG_QUERY_TERMS
 * terms, more than CATALOG_QUERY_MAX bytes, control characters;
 * IPS_ERR_TOO_LARGE when out is too small.
 */
ips_status catalog_fts_query(const char *query, char *out, size_t cap);
/* catalog_fts_query for a request: on failure also names field "q" in
 * ctx->errors and sets ctx->detail. IPS_ERR_INVALID. */
ips_status catalog_search_query(struct ips_ctx *ctx, const char *query, char out[CATALOG_FTS_MAX]);

/* ---- bulk import (JSON Lines) ------------------------------------------------------- */

enum catalog_import_kind { CATALOG_IMPORT_LISTINGS, CATALOG_IMPORT_SELLERS };

struct catalog_import_stats {
    int64_t lines;          /* non-blank lines read */
    int64_t created;        /* new listings / sellers */
    int64_t updated;        /* new versions / changed sellers */
    int64_t unchanged;      /* same content as stored */
    int64_t rejected;       /* bad lines, reported */
    int64_t sellers_created; /* listings import: sellers created on the fly */
    int64_t batches;        /* committed transactions */
};

/* Called once per bad line, outside any transaction and on the thread that
 * offers the lines, in line order, with its 1-based line number and a reason
 * that never quotes identifiers. */
typedef void (*catalog_reject_fn)(int64_t line_no, const char *reason, void *arg);

struct catalog_import;

/*
 * Start an import (CATALOG_IMPORT: admin or system). source names the input
 * in the audit log (a file name). batch_size <= 0 means CATALOG_BATCH_DEFAULT.
 * Full batches are written by a writer thread while the caller goes on
 * offering lines: from begin to finish (or free) the caller must not use
 * ctx->store itself. The reject function and the counts are only ever
 * touched on the caller's thread, and a row is counted only once the
 * transaction holding it has committed.
 * OUT *out: the import, finished with catalog_import_finish (or released
 * with catalog_import_free on an error path).
 */
ips_status catalog_import_begin(struct ips_ctx *ctx, enum catalog_import_kind kind,
                                const char *source, int batch_size, catalog_reject_fn reject,
                                void *reject_arg, struct catalog_import **out);
/*
 * Offer one line (without its newline; blank lines are skipped). Bad lines
 * are reported through the reject function and do not stop the import; a
 * full batch is written in one transaction with one audit event.
 * Returns non-OK only for failures that stop the import (database, memory).
 */
ips_status catalog_import_line(struct catalog_import *imp, int64_t line_no, const char *text,
                               size_t len);
/* Write the last batch (after the one in flight), copy the counts to *stats
 * (may be NULL) and free imp (always, also on failure). */
ips_status catalog_import_finish(struct catalog_import *imp, struct catalog_import_stats *stats);
/* Counts so far (for a progress display). */
void catalog_import_progress(const struct catalog_import *imp, struct catalog_import_stats *stats);
/* Free without writing the pending batch; a batch already handed to the
 * writer is waited for (it may commit, uncounted). NULL is fine. */
void catalog_import_free(struct catalog_import *imp);

#endif
