/*
 * enforce.h — repeat-infringer enforcement and counterfeit networks. The
 * whole interface of src/enforce/.
 *
 * Strikes (table `strikes`) come from upheld notices (src/notices) and from
 * confirmed detections or other sources (enforce_strike_add). A strike is
 * ACTIVE while it is neither expired (expires_ms > now) nor revoked. The
 * number of active strikes of a seller decides its penalty level through
 * configurable thresholds (enforce_*_strikes in IPS_CONFIG_MAP):
 *
 *     none < warning < listing_removal < posting_restriction < suspension
 *          < termination
 *
 * Escalation is evaluated whenever a strike is added and when strikes
 * expire (the jobs tick). A new level is recorded as a penalty (level,
 * reason, the active strike ids, from, until); posting_restriction and
 * above refuse listing create/update (enforce_posting_check, called by
 * src/catalog); termination is final (never lowered by expiry) and takes
 * every listing of the seller down through the catalog's state machine.
 *
 * Networks: sellers sharing an identifier hash (src/catalog keeps only keyed
 * hashes) are one cluster (union-find, enforce/uf.h). A cluster is banned
 * when it contains a terminated seller or a reviewer banned it. A seller that
 * joins a banned cluster (new seller, new identifier) is flagged for ban
 * evasion at once, and suspended when enforce_evasion_suspend is set.
 *
 * Context: every function takes a struct ips_ctx (store, actor, cfg). The
 * functions marked "in or out of a transaction" run in the caller's open
 * transaction (ctx->store in a store_tx_run; the caller owns commit and
 * rollback) or, when none is open, in one of their own.
 */
#ifndef IPS_ENFORCE_ENFORCE_H
#define IPS_ENFORCE_ENFORCE_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "access/access.h"
#include "core/config.h"
#include "core/id.h"
#include "store/store_enforce.h"

/* Penalty levels, in escalating order (their rank is the enum value). */
enum enforce_level {
    ENFORCE_NONE,
    ENFORCE_WARNING,
    ENFORCE_LISTING_REMOVAL,
    ENFORCE_POSTING_RESTRICTION,
    ENFORCE_SUSPENSION,
    ENFORCE_TERMINATION,
};

/* "none", "warning", "listing_removal", "posting_restriction",
 * "suspension", "termination"; "none" for anything out of range. */
const char *enforce_level_name(int rank);
/* The active strikes at which level rank (1..5) starts (0: skipped), from
 * cfg (NULL: the defaults 1..5). */
int64_t enforce_level_threshold(const struct config *cfg, int rank);
/* The level that `active` active strikes put a seller at. Pure. */
int enforce_level_for(const struct config *cfg, int64_t active);

/* ---- for other modules (detections, referrals) ------------------------------------- */

/*
 * Add a strike against the seller organisation seller_org_id and evaluate
 * its escalation at once (a new penalty, listings taken down on
 * termination). listing_id: the listing concerned (may be NULL; must be
 * the seller's). reason: 1-300 bytes, shown to the seller. source_kind: a
 * short word naming where the strike comes from ("detection", "notice",
 * "manual", ...; 1-32 of [a-z_]); source_id: that record's id (1-64 bytes,
 * may be NULL). The strike expires after strike_days (config).
 * Needs ENFORCE_STRIKE_ADD (reviewer, admin, system). In or out of a
 * transaction. OUT strike_id (may be NULL): the new strike's id.
 * Failure: IPS_ERR_INVALID (bad arguments, ctx->detail says);
 * IPS_ERR_NOT_FOUND (no such seller org); IPS_ERR_FORBIDDEN; store statuses.
 */
ips_status enforce_strike_add(struct ips_ctx *ctx, const char *seller_org_id,
                              const char *listing_id, const char *reason, const char *source_kind,
                              const char *source_id, char strike_id[ID_SIZE]);

/*
 * Ban the network (cluster) that seller_org_id belongs to: the ban is
 * recorded, and every member seller is terminated (penalty "termination",
 * all its listings taken down). reason: 1-300 bytes; source_kind/source_id
 * as above (e.g. "referral", its id; "reviewer", NULL).
 * Needs ENFORCE_NETWORK_BAN (reviewer, admin, system). In or out of a
 * transaction. OUT network_id (may be NULL): the ban's id.
 * Failure: as enforce_strike_add.
 */
ips_status enforce_network_ban(struct ips_ctx *ctx, const char *seller_org_id, const char *reason,
                               const char *source_kind, const char *source_id,
                               char network_id[ID_SIZE]);

/* ---- hooks for src/notices and src/catalog (run inside the caller's transaction) ---- */

/*
 * Re-evaluate the seller's escalation after its strikes changed (added,
 * revoked, expired), at now_ms: a new level is recorded as a penalty and
 * acted on (listing removal, termination); a lower one ends the current
 * strike penalty and starts the lower one. Termination is never lowered.
 * Acts as the system. Must run inside a transaction on s.
 */
ips_status enforce_strikes_changed(struct store *s, const struct config *cfg,
                                   const char *seller_org_id, const char *why, int64_t now_ms);

/*
 * May the seller create or change listings? IPS_OK, or IPS_ERR_FORBIDDEN
 * with a sentence for the seller in why[cap] (its level, since when, why)
 * at posting_restriction and above. Works in or out of a transaction.
 */
ips_status enforce_posting_check(struct store *s, const char *seller_org_id, char *why, size_t cap);

/*
 * A seller was created or got a new identifier: bring its network up to
 * date at once (union with every network sharing an identifier hash) and
 * check it against banned networks. On ban evasion the seller is flagged
 * (reason naming the shared identifier kinds) and, when
 * cfg->enforce_evasion_suspend, suspended. Must run inside a transaction.
 */
ips_status enforce_seller_changed(struct store *s, const struct config *cfg,
                                  const char *seller_org_id, int64_t now_ms);

/* ---- API / CLI ------------------------------------------------------------------------ */

/*
 * The seller's enforcement record as JSON: level, active strike count,
 * thresholds, current penalty, strikes (each with active, expires), penalty
 * history, ban-evasion flags. Needs ENFORCE_READ on the seller's org (its
 * own members; reviewers, admins, auditors). OUT *out (new reference).
 * Failure: IPS_ERR_NOT_FOUND (unknown, not a seller, or another org's).
 */
ips_status enforce_seller_get(struct ips_ctx *ctx, const char *seller_org_id, json_t **out);

/* End a ban-evasion penalty (source "evasion") in force; strike penalties
 * follow the strikes and termination is final (IPS_ERR_CONFLICT).
 * Needs ENFORCE_LIFT. reason 1-300 bytes. */
ips_status enforce_penalty_lift(struct ips_ctx *ctx, const char *penalty_id, const char *reason);

/*
 * The network of a seller as JSON: id, banned, members (org id, external
 * id, name, level, active strikes, listings, units sold, flagged), shared
 * identifiers by kind (12-hex-digit hash prefixes and their holders, never
 * plain text). Needs NETWORK_READ. OUT *out.
 * Failure: IPS_ERR_NOT_FOUND for an unknown seller.
 */
ips_status enforce_network_get(struct ips_ctx *ctx, const char *seller_org_id, json_t **out);

/* Ban-evasion flags (only_seller may be NULL), id ascending after `after`.
 * Needs NETWORK_READ. */
ips_status enforce_flag_list(struct ips_ctx *ctx, const char *only_seller, const char *after,
                             int limit, store_evasion_flag_cb cb, void *arg);

struct enforce_rebuild_stats {
    int64_t identifiers; /* identifier rows read */
    int64_t sellers;     /* distinct sellers holding one */
    int64_t clusters;    /* clusters found */
    int64_t relabelled;  /* sellers given a network or moved */
};
/*
 * Recompute every network from the identifiers with the in-memory
 * union-find (uf.h) and bring the stored networks in line (merging, never
 * splitting: identifiers are never removed). Used once after upgrading a
 * database from before 0008 (the jobs tick runs it when it finds sellers
 * without a network) and by `iprshield enforce rebuild`. Needs
 * NETWORK_REBUILD. One transaction. OUT *stats (may be NULL).
 */
ips_status enforce_networks_rebuild(struct ips_ctx *ctx, struct enforce_rebuild_stats *stats);

/* The jobs tick: label sellers without a network, and lower the level of
 * sellers whose strikes expired. */
ips_status enforce_tick(struct ips_ctx *ctx, int64_t now_ms);

#endif
