/*
 * store_alliance.h — persistence of the anti-counterfeiting alliance
 * (migration 0005_profiles.sql): memberships of right-holder organisations
 * and the reports of known counterfeit sellers that members share.
 *
 * Same rules as store.h: records owned by the caller, fixed-size fields,
 * OUT parameters written only on IPS_OK, IPS_ERR_TOO_LARGE instead of
 * truncation, callbacks that may re-enter the store and stop a scan with a
 * non-OK status. Listings take (after, limit) with an id cursor; limit <= 0
 * is STORE_LIST_DEFAULT_LIMIT.
 *
 * The state machine of a membership is the domain layer's (src/alliance/);
 * the store writes what it is given.
 */
#ifndef IPS_STORE_STORE_ALLIANCE_H
#define IPS_STORE_STORE_ALLIANCE_H

#include <stdint.h>

#include "store/store.h"

#define STORE_ALLIANCE_REASON_MAX 1000
#define STORE_ALLIANCE_URLS_JSON_MAX 10240   /* JSON array text of evidence URLs */
#define STORE_ALLIANCE_LISTINGS_JSON_MAX 4096 /* JSON array text of listing ids */

struct store_alliance_member {
    char org_id[ID_SIZE];
    char status[STORE_KIND_MAX + 1]; /* active | suspended | left */
    int64_t joined_ms;               /* the latest join */
    int64_t status_ms;               /* when status last changed */
    char status_reason[STORE_ALLIANCE_REASON_MAX + 1]; /* suspension/reinstatement reason, or "" */
    /* Read-only, filled by get and list: */
    char org_name[STORE_NAME_MAX + 1];
    int64_t reports; /* reports this member shared */
};

struct store_alliance_report {
    char id[ID_SIZE];
    char member_org_id[ID_SIZE];
    char seller_org_id[ID_SIZE];
    char reporter_id[ID_SIZE]; /* user id, or "" for the system actor */
    char reason[STORE_ALLIANCE_REASON_MAX + 1];
    char evidence_urls[STORE_ALLIANCE_URLS_JSON_MAX + 1];   /* JSON array text */
    char listing_ids[STORE_ALLIANCE_LISTINGS_JSON_MAX + 1]; /* JSON array text */
    int64_t created_ms;
    /* Read-only, filled by list: */
    char member_name[STORE_NAME_MAX + 1];
    char seller_name[STORE_NAME_MAX + 1];
};

/* One reported seller of the watch list (read-only aggregate). */
struct store_alliance_seller {
    char seller_org_id[ID_SIZE];
    char seller_name[STORE_NAME_MAX + 1];
    int64_t reports;  /* reports about this seller */
    int64_t members;  /* distinct members that reported it */
    int64_t first_ms; /* first and latest report */
    int64_t last_ms;
};

typedef ips_status (*store_alliance_member_cb)(const struct store_alliance_member *m, void *arg);
typedef ips_status (*store_alliance_report_cb)(const struct store_alliance_report *r, void *arg);
typedef ips_status (*store_alliance_seller_cb)(const struct store_alliance_seller *se, void *arg);

/* OUT *out. IPS_ERR_NOT_FOUND when org_id never joined. */
ips_status store_alliance_member_get(struct store *s, const char *org_id,
                                     struct store_alliance_member *out);
/* Insert the membership or overwrite its status, joined_ms, status_ms and
 * status_reason (the read-only fields are ignored). IPS_ERR_NOT_FOUND when
 * the org does not exist. */
ips_status store_alliance_member_put(struct store *s, const struct store_alliance_member *m);
/* Memberships of every status by org_id after `after`, at most limit. */
ips_status store_alliance_member_list(struct store *s, const char *after, int limit,
                                      store_alliance_member_cb cb, void *arg);

/* Insert a report (the read-only fields are ignored). IPS_ERR_NOT_FOUND when
 * the member has no membership row or the seller org does not exist. */
ips_status store_alliance_report_insert(struct store *s, const struct store_alliance_report *r);
/* Reports by id after `after`, at most limit; only_seller non-NULL filters. */
ips_status store_alliance_report_list(struct store *s, const char *only_seller,
                                      const char *after, int limit,
                                      store_alliance_report_cb cb, void *arg);
/* Reported sellers by seller_org_id after `after`, at most limit. */
ips_status store_alliance_seller_list(struct store *s, const char *after, int limit,
                                      store_alliance_seller_cb cb, void *arg);

#endif
