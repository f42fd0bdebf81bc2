/*
 * enforce_internal.h — what enforce.c (strikes, penalties, escalation) and
 * network.c (clusters, bans, evasion) share. Not part of the interface.
 * Functions named *_tx run inside the caller's open transaction.
 */
#ifndef IPS_ENFORCE_ENFORCE_INTERNAL_H
#define IPS_ENFORCE_ENFORCE_INTERNAL_H

#include <jansson.h>

#include "enforce/enforce.h"

/* The system acting for a consequence of an authorised action (a strike
 * upheld by a reviewer terminates a seller whose listings then come down). */
struct enforce__sys {
    struct access_principal p;
    struct ips_ctx ctx;
};
void enforce__sys_init(struct enforce__sys *sys, struct store *s, const struct config *cfg);

/* Fail with IPS_ERR_NOT_FOUND unless org_id is an org of kind seller. */
ips_status enforce__seller_exists(struct store *s, const char *org_id);

/* OUT *rank: the seller's level (0 none .. ENFORCE_TERMINATION), and *top
 * (may be NULL): the highest penalty in force when *rank > 0. */
ips_status enforce__level(struct store *s, const char *seller_org_id, int *rank,
                          struct store_penalty *top);

/* Put the seller at termination (source "strikes", "evasion" or
 * "network_ban"): penalty, every live/reinstated listing taken down, its
 * network marked banned when not banned yet. No-op when already
 * terminated. */
ips_status enforce__terminate_tx(struct enforce__sys *sys, const char *seller_org_id,
                                 const char *source, const char *reason, const char *strike_ids,
                                 int64_t now_ms);

/* Insert a penalty in force from now_ms (until_ms 0: until lifted / for
 * good) and audit it. */
ips_status enforce__penalty_add_tx(struct store *s, const char *seller_org_id, int rank,
                                   const char *source, const char *reason, const char *strike_ids,
                                   const char *network_id, int64_t now_ms, int64_t until_ms);

/* The seller's network id, made (a network of one) when it has none.
 * OUT network_id. */
ips_status enforce__network_ensure_tx(struct store *s, const char *seller_org_id, int64_t now_ms,
                                      char network_id[ID_SIZE]);

/* Mark network_id banned (kind "member_terminated" or "banned") unless it is
 * banned already with the same or a stronger kind. */
ips_status enforce__network_mark_tx(struct store *s, const char *network_id, const char *kind,
                                    const char *reason, const char *source_kind,
                                    const char *source_id, int64_t now_ms);

/* JSON time: RFC 3339 text, or null for 0. New reference. */
json_t *enforce__time(int64_t ms);

#endif
