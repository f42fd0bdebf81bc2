/*
 * demo_agencies.h — the law-enforcement agencies of `iprshield demo seed`.
 */
#ifndef IPS_CLI_DEMO_AGENCIES_H
#define IPS_CLI_DEMO_AGENCIES_H

#include "access/access.h"

/* Create (or reset) the demo agencies: provincial market-regulation and
 * public-security units of several CN-xx subdivisions, the national body, a
 * few US states (one with a lapsed agreement) and Interpol as the
 * cross-border body, each an org of kind agency with its jurisdictions and
 * cooperation agreement. Safe to run again. Failure: the first status of
 * access_org_create or referral_agency_put (ctx->detail says). */
ips_status demo_agencies_seed(struct ips_ctx *ctx);

#endif
