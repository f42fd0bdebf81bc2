/*
 * litigation.h — civil litigation files: a right holder (or its authorised
 * agent) opens a case against one seller over a period [from, to]; the
 * system assembles the evidence bundle (the referral archive format, signed
 * by the platform key, verifiable with `iprshield evidence verify`) limited
 * to what the right holder may see, and the damages inputs: for every
 * listing of the seller that the holder has established as infringing (an
 * upheld item of a notice citing its right, a detection verdict it
 * confirmed), units sold x price over the period, per currency. The whole
 * interface of src/litigation/; design note docs/internals/litigation.md.
 *
 * Access (ACCESS_ACTION_MAP): LITIGATION_OPEN (right holders) and the org
 * check LITIGATION_OWN on the holder named (its members, its agents with a
 * valid authorisation); LITIGATION_LIST / LITIGATION_READ: the platform's
 * reviewers and admins all, a right holder its own (and an agent the files
 * of the holders it is authorised for). Another's file answers
 * IPS_ERR_NOT_FOUND, as a missing one.
 *
 * Opening runs in one store transaction with its audit event
 * (litigation.open); reads of a file, of its damages and downloads of its
 * bundle are audited (litigation.read, evidence.read).
 */
#ifndef IPS_LITIGATION_LITIGATION_H
#define IPS_LITIGATION_LITIGATION_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "access/access.h"
#include "blob/blob.h"
#include "core/buf.h"
#include "store/store_litigation.h"

#define LITIGATION_VERSIONS_MAX 10000 /* versions of one listing read for the damages */
#define LITIGATION_LISTINGS_MAX 2000  /* infringing listings in one file */
#define LITIGATION_LINES_MAX 1000     /* distinct (currency, price) lines of one listing */
#define LITIGATION_CSV_MAX (8u * 1024 * 1024)

/* ---- damages (pure) ---------------------------------------------------------------------- */

/* One recorded version of a listing, as the damages need it. */
struct litigation_snapshot {
    int64_t at_ms;      /* when the catalog recorded the version */
    int64_t units_sold; /* the cumulative count the marketplace reported */
    int64_t price_minor;
    char currency[STORE_CURRENCY_LEN + 1];
};

/* Units sold at one price in one currency, and their amount (minor units). */
struct litigation_line {
    char currency[STORE_CURRENCY_LEN + 1];
    int64_t price_minor, units, amount_minor;
};

/*
 * The damages lines of one listing from its snapshots (oldest first) over
 * [from_ms, to_ms] (inclusive). The units sold between two snapshots are
 * the rise of the cumulative count (a fall — a marketplace correction —
 * counts nothing, and the next rise counts from the lower figure); they are
 * dated at the later snapshot and valued at the price (and currency) in
 * force before it, the earlier snapshot's; the first snapshot's count is
 * valued at its own price. Only units dated in the period count. Lines are
 * merged per (currency, price), in order of first appearance; lines with
 * no units are left out. Pure.
 * OUT lines[0..*n) (at most max).
 * Failure: IPS_ERR_TOO_LARGE when an amount or a sum passes INT64_MAX or
 * there are more than max lines; IPS_ERR_INVALID for a negative count or price.
 */
ips_status litigation_damages_compute(const struct litigation_snapshot *snaps, size_t n,
                                      int64_t from_ms, int64_t to_ms, struct litigation_line *lines,
                                      size_t max, size_t *out_n);

/*
 * The damages view from stored rows (JSON objects {listing_id, title, basis,
 * currency, price_minor, units, amount_minor}; borrowed): {lines: [... with
 * unit_price and amount as decimal strings], totals: [{currency, units,
 * amount, amount_minor}] by currency}. NULL on allocation failure or an
 * overflowing total.
 */
json_t *litigation_damages_view(json_t *rows);

/*
 * The lines of a damages view as CSV (RFC 4180: a header line, CRLF line
 * ends, fields with a comma, quote or line break quoted, quotes doubled; a
 * field starting with =, +, -, @, a tab or CR gets a leading apostrophe so
 * that a spreadsheet does not run it as a formula). Columns: listing_id,
 * title, basis, currency, unit_price, units, amount. Appends to out.
 * Failure: IPS_ERR_TOO_LARGE past out's maximum; IPS_ERR_NOMEM.
 */
ips_status litigation_damages_csv(json_t *view, struct buf *out);

/* ---- files ----------------------------------------------------------------------------- */

/*
 * Open a file from {rightholder_org_id?, seller_org_id, title, court?,
 * period_from, period_to} (dates YYYY-MM-DD, from <= to; the holder
 * defaults to the actor's org; title 1-300 bytes, court <= 200): find the
 * infringing listings, compute and store the damages, build and store the
 * signed bundle. OUT *out.
 * Failure: IPS_ERR_FORBIDDEN (not a right holder); IPS_ERR_INVALID
 * (ctx->errors); IPS_ERR_NOT_FOUND (a holder the actor does not act for, an
 * unknown seller); IPS_ERR_TOO_LARGE (more than LITIGATION_LISTINGS_MAX
 * listings, an overflowing amount, or a bundle past BLOB_MAX_BYTES);
 * IPS_ERR_IO / IPS_ERR_INTEGRITY when the signing key cannot be had.
 */
ips_status litigation_open(struct ips_ctx *ctx, json_t *body, struct store_litigation *out);
/* One file the actor may read, audited. OUT *out. */
ips_status litigation_get(struct ips_ctx *ctx, const char *id, struct store_litigation *out);
/* Files the actor may read, id ascending after `after`, at most limit. */
ips_status litigation_list(struct ips_ctx *ctx, const char *after, int limit,
                           store_litigation_cb cb, void *arg);
/* The damages view of a file (litigation_damages_view of its rows).
 * OUT *out (caller decrefs). */
ips_status litigation_damages(struct ips_ctx *ctx, const char *id, json_t **out);
/*
 * Record the status of file id from {status, outcome?, amount?, currency?}:
 * the holder (its members, its authorised agents: LITIGATION_UPDATE) moves
 * it open -> filed | settled | closed, filed -> settled | judgment |
 * closed, settled | judgment -> closed. outcome (1-2000 bytes) is required
 * for settled and judgment and allowed only with them; amount (a decimal
 * in major units, >= 0, at most the currency's decimals) needs currency
 * (ISO 4217 letters) and the reverse. One transaction with its audit event
 * (litigation.status: "from -> to"). OUT *out: the file as updated.
 * Failure: IPS_ERR_NOT_FOUND (unknown, or a file the actor may not read);
 * IPS_ERR_FORBIDDEN (may read, not update: the platform); IPS_ERR_INVALID
 * (ctx->errors); IPS_ERR_CONFLICT (the move is not allowed; ctx->detail).
 */
ips_status litigation_status_set(struct ips_ctx *ctx, const char *id, json_t *body,
                                 struct store_litigation *out);
/* True for open, filed, settled, judgment, closed. */
bool litigation_status_valid(const char *status);
/* True when a file may move from -> to (above). */
bool litigation_status_allowed(const char *from, const char *to);
/* The bundle (tar.gz) of a file, audited as evidence.read. OUT *data
 * (malloc'ed, caller frees), *len, *info. */
ips_status litigation_bundle_read(struct ips_ctx *ctx, const char *id, void **data, size_t *len,
                                  struct blob_info *info);

#endif
