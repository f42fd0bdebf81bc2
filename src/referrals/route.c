/*
 * route.c — TLP labels, case statuses and the pure routing decision of
 * referrals.h. No I/O: referral_route_decide sees only what it is given,
 * so the unit tests drive it with literal agencies.
 */
#include <stdio.h>
#include <string.h>

#include "geo/geo.h"
#include "referrals/referrals.h"

static const char *const tlp_names[] = {NULL, "CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"};

const char *referral_tlp_name(enum access_tlp t)
{
    return (unsigned)t < sizeof tlp_names / sizeof tlp_names[0] ? tlp_names[t] : NULL;
}

bool referral_tlp_parse(const char *name, enum access_tlp *out)
{
    for (size_t i = 1; name && i < sizeof tlp_names / sizeof tlp_names[0]; i++) {
        if (strcmp(name, tlp_names[i]) == 0) {
            *out = (enum access_tlp)i;
            return true;
        }
    }
    return false;
}

int referral_status_rank(const char *status)
{
    static const char *const order[] = {"received", "investigating", "raid", "prosecuted",
                                        "closed"};
    for (int i = 0; status && i < (int)(sizeof order / sizeof order[0]); i++)
        if (strcmp(status, order[i]) == 0)
            return i;
    return -1;
}

bool referral_mou_in_force(const char *from, const char *until, const char *today)
{
    if (!from || !from[0] || strcmp(from, today) > 0)
        return false;
    return !until || !until[0] || strcmp(today, until) <= 0;
}

static bool route__covers(const struct referral_route_agency *a, const char *code)
{
    for (size_t i = 0; i < a->n_codes; i++)
        if (strcmp(a->codes[i], code) == 0)
            return true;
    return false;
}

static bool route__any_other(const char *const *codes, size_t n, const char *country)
{
    for (size_t i = 0; i < n; i++)
        if (codes[i] && codes[i][0] && strcmp(codes[i], country) != 0)
            return true;
    return false;
}

/* The first agency (not cross-border) covering code with an agreement in
 * force; *lapsed: the first covering one whose agreement is not in force. */
static int route__find(const struct referral_route_agency *ag, size_t n, const char *code,
                       const char *today, int *lapsed)
{
    for (size_t i = 0; i < n; i++) {
        if (ag[i].cross_border || !route__covers(&ag[i], code))
            continue;
        if (referral_mou_in_force(ag[i].mou_from, ag[i].mou_until, today))
            return (int)i;
        if (*lapsed < 0)
            *lapsed = (int)i;
    }
    return -1;
}

void referral_route_decide(const struct referral_route_in *in,
                           const struct referral_route_agency *ag, size_t n,
                           struct referral_route *out)
{
    memset(out, 0, sizeof *out);
    out->primary = out->cross = -1;
    const char *ship = in->ship_from ? in->ship_from : "";
    const char *country = ship[0] ? geo_country_of(ship) : NULL;
    if (!country) {
        snprintf(out->note, sizeof out->note,
                 "unrouted: the seller's ship-from region is unknown, so no agency has "
                 "jurisdiction");
        return;
    }
    int lapsed = -1;
    if (geo_is_subdivision(ship)) {
        out->primary = route__find(ag, n, ship, in->today, &lapsed);
        out->primary_by = out->primary >= 0 ? "subdivision" : NULL;
    }
    if (out->primary < 0) {
        out->primary = route__find(ag, n, country, in->today, &lapsed);
        out->primary_by = out->primary >= 0 ? "country" : NULL;
    }
    out->cross_border_case =
        route__any_other(in->rightholder_countries, in->n_rightholder_countries, country) ||
        route__any_other(in->buyer_countries, in->n_buyer_countries, country);
    if (out->cross_border_case) {
        for (size_t i = 0; i < n && out->cross < 0; i++)
            if (ag[i].cross_border &&
                referral_mou_in_force(ag[i].mou_from, ag[i].mou_until, in->today) &&
                (ag[i].n_codes == 0 || route__covers(&ag[i], country)))
                out->cross = (int)i;
    }
    size_t used = 0;
    int w;
    if (out->primary >= 0) {
        const struct referral_route_agency *p = &ag[out->primary];
        out->primary_needs_approval = strcmp(p->country ? p->country : "", country) != 0;
        w = snprintf(out->note, sizeof out->note,
                     "routed by %s %s to %s (agreement in force since %s)%s", out->primary_by,
                     strcmp(out->primary_by, "country") == 0 ? country : ship, p->org_id,
                     p->mou_from,
                     out->primary_needs_approval ? "; outside the seller's country: sharing "
                                                   "needs a reviewer's approval"
                                                 : "");
    } else if (lapsed >= 0) {
        w = snprintf(out->note, sizeof out->note,
                     "unrouted: %s covers %s but has no cooperation agreement in force on %s "
                     "(%s..%s)",
                     ag[lapsed].org_id, ship, in->today,
                     ag[lapsed].mou_from[0] ? ag[lapsed].mou_from : "none",
                     ag[lapsed].mou_until[0] ? ag[lapsed].mou_until : "open");
    } else {
        w = snprintf(out->note, sizeof out->note,
                     "unrouted: no agency with a cooperation agreement in force covers %s%s%s",
                     ship, strcmp(ship, country) != 0 ? " or " : "",
                     strcmp(ship, country) != 0 ? country : "");
    }
    used = w < 0 ? 0 : (size_t)w < sizeof out->note ? (size_t)w : sizeof out->note - 1;
    if (!out->cross_border_case)
        return;
    if (out->cross >= 0)
        snprintf(out->note + used, sizeof out->note - used,
                 "; cross-border case: also to %s (sharing needs a reviewer's approval)",
                 ag[out->cross].org_id);
    else
        snprintf(out->note + used, sizeof out->note - used,
                 "; cross-border case, but no cross-border body has an agreement in force");
}
