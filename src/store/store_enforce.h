/*
 * store_enforce.h — persistence of enforcement (tables of
 * 0008_enforce.sql): strikes with their source, penalties, seller networks
 * and their members, ban-evasion flags, and the catalog reads the network
 * logic needs (identifier neighbours, sales per seller).
 *
 * Same rules as store.h: fixed-size records owned by the caller, OUT
 * parameters written only on IPS_OK, IPS_ERR_TOO_LARGE for text that does
 * not fit. The domain (src/enforce) validates values first.
 */
#ifndef IPS_STORE_STORE_ENFORCE_H
#define IPS_STORE_STORE_ENFORCE_H

#include "store/store.h"

#define STORE_ENFORCE_REASON_MAX 300
#define STORE_ENFORCE_SOURCE_KIND_MAX 32
#define STORE_ENFORCE_SOURCE_ID_MAX 64
#define STORE_ENFORCE_LISTING_MAX 64      /* = STORE_LISTING_ID_MAX */
#define STORE_ENFORCE_STRIKE_IDS_MAX 4096 /* JSON array text */
#define STORE_ENFORCE_KINDS_MAX 80        /* "phone,email,address,payment_account,device_id" */
#define STORE_ENFORCE_IDENT_KIND_MAX 16

struct store_enforce_strike {
    char id[ID_SIZE];
    char seller_org_id[ID_SIZE];
    char notice_id[ID_SIZE];                        /* "" when not from a notice */
    char listing_id[STORE_ENFORCE_LISTING_MAX + 1]; /* "" when none */
    char reason[1000 + 1];                          /* STORE_NOTICE_REASON_MAX */
    char source_kind[STORE_ENFORCE_SOURCE_KIND_MAX + 1];
    char source_id[STORE_ENFORCE_SOURCE_ID_MAX + 1]; /* a notice's: its notice_id */
    int64_t created_ms, expires_ms, revoked_ms;
};

struct store_penalty {
    char id[ID_SIZE];
    char seller_org_id[ID_SIZE];
    char level[24]; /* warning | listing_removal | posting_restriction | suspension | termination */
    int rank;       /* 1..5 in that order */
    char source[16]; /* strikes | evasion | network_ban */
    char reason[STORE_ENFORCE_REASON_MAX + 1];
    char strike_ids[STORE_ENFORCE_STRIKE_IDS_MAX + 1];
    char network_id[ID_SIZE];
    int64_t from_ms, until_ms, ended_ms;
    char ended_reason[STORE_ENFORCE_REASON_MAX + 1];
};

struct store_network {
    char id[ID_SIZE];
    int64_t size;
    int64_t banned_ms;
    char ban_kind[24]; /* "" | member_terminated | banned */
    char ban_reason[STORE_ENFORCE_REASON_MAX + 1];
    char ban_source_kind[STORE_ENFORCE_SOURCE_KIND_MAX + 1];
    char ban_source_id[STORE_ENFORCE_SOURCE_ID_MAX + 1];
    char merged_into[ID_SIZE];
    int64_t created_ms, updated_ms;
};

struct store_evasion_flag {
    char id[ID_SIZE];
    char seller_org_id[ID_SIZE];
    char network_id[ID_SIZE];
    char kinds[STORE_ENFORCE_KINDS_MAX + 1];
    char reason[STORE_ENFORCE_REASON_MAX + 1];
    int64_t created_ms;
};

/* Another seller sharing an identifier (kind) with the seller asked about;
 * network_id "" when that seller belongs to no network yet. */
struct store_enforce_neighbour {
    char seller_org_id[ID_SIZE];
    char kind[STORE_ENFORCE_IDENT_KIND_MAX + 1];
    char network_id[ID_SIZE];
};

/* An identifier hash held by more than one member of a network. */
struct store_enforce_shared {
    char kind[STORE_ENFORCE_IDENT_KIND_MAX + 1];
    uint8_t hash[STORE_HASH_LEN];
    int64_t sellers;
};

/* One row of seller_identifiers, for a whole-table scan. */
struct store_enforce_ident {
    char seller_org_id[ID_SIZE];
    char kind[STORE_ENFORCE_IDENT_KIND_MAX + 1];
    uint8_t hash[STORE_HASH_LEN];
};

typedef ips_status (*store_enforce_strike_cb)(const struct store_enforce_strike *sk, void *arg);
typedef ips_status (*store_penalty_cb)(const struct store_penalty *p, void *arg);
typedef ips_status (*store_evasion_flag_cb)(const struct store_evasion_flag *f, void *arg);
typedef ips_status (*store_enforce_neighbour_cb)(const struct store_enforce_neighbour *n,
                                                 void *arg);
typedef ips_status (*store_enforce_shared_cb)(const struct store_enforce_shared *sh, void *arg);
typedef ips_status (*store_enforce_ident_cb)(const struct store_enforce_ident *id, void *arg);
typedef ips_status (*store_enforce_org_cb)(const char *org_id, void *arg);

/* ---- strikes ------------------------------------------------------------------- */

/* Insert (notice_id / listing_id "" are stored as NULL). CONFLICT on a taken
 * id; NOT_FOUND when the seller, notice or listing does not exist. */
ips_status store_enforce_strike_insert(struct store *s, const struct store_enforce_strike *sk);
/* Strikes of a seller by id after `after`, at most limit (<= 0: default). */
ips_status store_enforce_strike_list(struct store *s, const char *seller_org_id, const char *after,
                                     int limit, store_enforce_strike_cb cb, void *arg);
/* The seller's ACTIVE strikes (revoked_ms = 0, expires_ms > now_ms), soonest
 * expiry first, at most limit (<= 0: default). */
ips_status store_enforce_strike_active(struct store *s, const char *seller_org_id, int64_t now_ms,
                                       int limit, store_enforce_strike_cb cb, void *arg);
/* OUT *n: the number of the seller's active strikes at now_ms. */
ips_status store_enforce_strike_count(struct store *s, const char *seller_org_id, int64_t now_ms,
                                      int64_t *n);

/* ---- penalties ------------------------------------------------------------------ */

ips_status store_enforce_penalty_insert(struct store *s, const struct store_penalty *p);
/* OUT *out. NOT_FOUND. */
ips_status store_enforce_penalty_get(struct store *s, const char *id, struct store_penalty *out);
/* End penalty id (ended_ms, ended_reason) if still in force. NOT_FOUND when
 * there is no such penalty in force. */
ips_status store_enforce_penalty_end(struct store *s, const char *id, int64_t ended_ms,
                                     const char *reason);
/* Penalties of a seller, newest first (id descending) before `before` (NULL:
 * from the newest), at most limit (<= 0: default). */
ips_status store_enforce_penalty_list(struct store *s, const char *seller_org_id,
                                      const char *before, int limit, store_penalty_cb cb,
                                      void *arg);
/* The seller's penalties in force (ended_ms = 0), highest rank first. */
ips_status store_enforce_penalty_open(struct store *s, const char *seller_org_id,
                                      store_penalty_cb cb, void *arg);
/* Strike-driven penalties in force whose until_ms is set and <= now_ms, at
 * most limit: the sellers whose level an expiry may lower. */
ips_status store_enforce_penalty_due(struct store *s, int64_t now_ms, int limit,
                                     store_penalty_cb cb, void *arg);

/* ---- networks ------------------------------------------------------------------- */

ips_status store_enforce_network_insert(struct store *s, const struct store_network *n);
/* OUT *out. NOT_FOUND. */
ips_status store_enforce_network_get(struct store *s, const char *id, struct store_network *out);
/* Write every column but id and created_ms. NOT_FOUND. */
ips_status store_enforce_network_update(struct store *s, const struct store_network *n);
/* OUT network_id[ID_SIZE]: the seller's network. NOT_FOUND when it has none. */
ips_status store_enforce_member_get(struct store *s, const char *seller_org_id,
                                    char network_id[ID_SIZE]);
/* Put the seller in network_id (insert or move). NOT_FOUND for an unknown
 * seller org or network. */
ips_status store_enforce_member_put(struct store *s, const char *seller_org_id,
                                    const char *network_id, int64_t now_ms);
/* Move every member of network `from` to `to`. OUT *moved (may be NULL). */
ips_status store_enforce_member_move(struct store *s, const char *from, const char *to,
                                     int64_t *moved);
/* Members of a network by org id after `after`, at most limit (<= 0: default). */
ips_status store_enforce_member_list(struct store *s, const char *network_id, const char *after,
                                     int limit, store_enforce_org_cb cb, void *arg);
/* Every (other seller, kind) sharing an identifier hash with seller_org_id,
 * with that seller's network ("" if none); only_network non-NULL keeps the
 * sellers of that network. Ordered by seller, kind. */
ips_status store_enforce_neighbours(struct store *s, const char *seller_org_id,
                                    const char *only_network, store_enforce_neighbour_cb cb,
                                    void *arg);
/* Identifier hashes held by two or more members of network_id, by kind, hash. */
ips_status store_enforce_shared_list(struct store *s, const char *network_id,
                                     store_enforce_shared_cb cb, void *arg);
/* Members of network_id holding the identifier (kind, hash), by org id. */
ips_status store_enforce_shared_holders(struct store *s, const char *network_id, const char *kind,
                                        const uint8_t hash[STORE_HASH_LEN], store_enforce_org_cb cb,
                                        void *arg);
/* OUT *found: some seller holds an identifier but belongs to no network
 * (a database migrated from before 0008). */
ips_status store_enforce_unlabelled_exists(struct store *s, bool *found);
/* Every identifier row ordered by kind, hash (the bulk rebuild). */
ips_status store_enforce_ident_scan(struct store *s, store_enforce_ident_cb cb, void *arg);
/* OUT *listings, *units_sold: the seller's listings and the units sold of
 * their current versions. */
ips_status store_enforce_seller_sales(struct store *s, const char *seller_org_id, int64_t *listings,
                                      int64_t *units_sold);

/* ---- ban-evasion flags ------------------------------------------------------------ */

ips_status store_enforce_flag_insert(struct store *s, const struct store_evasion_flag *f);
/* OUT *found: the seller was already flagged for network_id. */
ips_status store_enforce_flag_exists(struct store *s, const char *seller_org_id,
                                     const char *network_id, bool *found);
/* Flags by id after `after` (only_seller non-NULL: of one seller). */
ips_status store_enforce_flag_list(struct store *s, const char *only_seller, const char *after,
                                   int limit, store_evasion_flag_cb cb, void *arg);

#endif
