/*
 * rights_internal.h — helpers shared by the files of the rights module
 * (onboard.c, agents.c, rights.c). Not part of the module's interface.
 */
#ifndef IPS_RIGHTS_RIGHTS_INTERNAL_H
#define IPS_RIGHTS_RIGHTS_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>

#include "rights/rights.h"

/* Authorise act on obj for ctx->actor; a refusal (FORBIDDEN, NOT_FOUND) is
 * audited as denied on `object`. Returns access_authorize's answer. */
ips_status rights__check(struct ips_ctx *ctx, enum access_action act,
                         const struct access_object *obj, const char *object);

/* True when s is a real calendar date written YYYY-MM-DD (years 1900..9999). */
bool rights__date_valid(const char *s);

/* Read a required (or optional) date member; adds a field error and
 * returns false when present but not a date. *out is NULL when absent. */
bool rights__field_date(json_t *obj, const char *key, bool required, const char **out,
                        json_t *errors);

/* Validate a decision reason: required, 1..STORE_RH_REASON_MAX bytes
 * (optional when required is false). Adds a field error "reason". */
bool rights__reason_ok(struct ips_ctx *ctx, const char *reason, bool required);

/* Add an error for each member of obj not in allowed (NULL-terminated);
 * returns how many there were. */
int rights__reject_unknown(json_t *obj, const char *const *allowed, json_t *errors);

/* The actor's organisation, or NULL for the system, anonymous actors, or a
 * principal without one. */
const char *rights__actor_org(const struct ips_ctx *ctx);

#endif
