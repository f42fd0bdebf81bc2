/*
 * demo_agencies.c — the demo law-enforcement agencies (demo_agencies.h).
 * The names are illustrative; the agreements are demo data, not real ones.
 */
#include <stdio.h>
#include <string.h>

#include "cli/demo_agencies.h"
#include "referrals/referrals.h"

static const struct {
    const char *name, *settings; /* settings: the PUT /api/v1/agencies/{id} body */
} demo_agencies[] = {
    {"Guangdong Market Regulation", /* the demo officer's org */
     "{\"country\":\"CN\",\"jurisdictions\":[\"CN-GD\"],"
     "\"mou\":{\"ref\":\"DEMO-MOU-CN-GD-2024\",\"from\":\"2024-01-01\"}}"},
    {"Zhejiang Market Regulation",
     "{\"country\":\"CN\",\"jurisdictions\":[\"CN-ZJ\"],"
     "\"mou\":{\"ref\":\"DEMO-MOU-CN-ZJ-2024\",\"from\":\"2024-03-01\"}}"},
    {"Fujian Public Security IPR Unit",
     "{\"country\":\"CN\",\"jurisdictions\":[\"CN-FJ\"],"
     "\"mou\":{\"ref\":\"DEMO-MOU-CN-FJ-2023\",\"from\":\"2023-06-01\",\"until\":\"2028-05-31\"}}"},
    {"Shanghai Market Regulation",
     "{\"country\":\"CN\",\"jurisdictions\":[\"CN-SH\"],"
     "\"mou\":{\"ref\":\"DEMO-MOU-CN-SH-2024\",\"from\":\"2024-01-01\"}}"},
    {"State Administration for Market Regulation",
     "{\"country\":\"CN\",\"jurisdictions\":[\"CN\"],"
     "\"mou\":{\"ref\":\"DEMO-MOU-CN-2022\",\"from\":\"2022-01-01\"}}"},
    {"California eCrime Unit", "{\"country\":\"US\",\"jurisdictions\":[\"US-CA\"],"
                               "\"mou\":{\"ref\":\"DEMO-MOU-US-CA\",\"from\":\"2024-01-01\"}}"},
    {"New York IP Task Force", "{\"country\":\"US\",\"jurisdictions\":[\"US-NY\"],"
                               "\"mou\":{\"ref\":\"DEMO-MOU-US-NY\",\"from\":\"2023-01-01\"}}"},
    {"Texas Counterfeit Unit", /* a lapsed agreement: referrals there stay unrouted */
     "{\"country\":\"US\",\"jurisdictions\":[\"US-TX\"],"
     "\"mou\":{\"ref\":\"DEMO-MOU-US-TX\",\"from\":\"2021-01-01\",\"until\":\"2023-12-31\"}}"},
    {"Interpol IP Crime Unit", "{\"cross_border\":true,\"jurisdictions\":[],"
                               "\"mou\":{\"ref\":\"DEMO-MOU-INTERPOL\",\"from\":\"2019-01-01\"}}"},
};

ips_status demo_agencies_seed(struct ips_ctx *ctx)
{
    for (size_t i = 0; i < sizeof demo_agencies / sizeof demo_agencies[0]; i++) {
        struct store_org o;
        ips_status st = store_org_get_by_name(ctx->store, demo_agencies[i].name, &o);
        if (st == IPS_ERR_NOT_FOUND)
            st = access_org_create(ctx, demo_agencies[i].name, "agency", &o);
        if (st)
            return st;
        json_error_t err;
        json_t *body = json_loads(demo_agencies[i].settings, 0, &err);
        if (!body)
            return IPS_ERR_INTERNAL;
        st = referral_agency_put(ctx, o.id, body, NULL);
        json_decref(body);
        if (st)
            return st;
    }
    return IPS_OK;
}
