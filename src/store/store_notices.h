/*
 * store_notices.h — persistence of notice and action (src/notices/): notices,
 * their items (one per listing, carrying the counter-notice and the appeal),
 * notifier status (fast track, suspension), strikes and the inbox.
 *
 * Same rules as store.h: records are caller-owned plain structs with
 * fixed-size text fields; text too long for a field is IPS_ERR_TOO_LARGE;
 * OUT parameters are written only on IPS_OK; listings call a callback per row
 * (a non-OK return stops the scan and becomes the result). Writes belong in
 * the caller's store_tx_run together with their audit events.
 */
#ifndef IPS_STORE_STORE_NOTICES_H
#define IPS_STORE_STORE_NOTICES_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

#define STORE_NOTICE_TEXT_MAX 4000     /* explanations */
#define STORE_NOTICE_EVIDENCE_MAX 8192 /* evidence JSON array text */
#define STORE_NOTICE_REASON_MAX 1000   /* decision reasons */
#define STORE_NOTICE_LISTING_MAX 64    /* = STORE_LISTING_ID_MAX */
#define STORE_INBOX_SUBJECT_MAX 200
#define STORE_INBOX_BODY_MAX 16384

struct store_notice {
    char id[ID_SIZE];
    char notifier_org_id[ID_SIZE];
    char submitted_by[ID_SIZE + 8];
    char right_id[ID_SIZE];
    char right_org_id[ID_SIZE];
    char kind[STORE_KIND_MAX + 1]; /* counterfeit | trademark_misuse | copyright | design */
    char explanation[STORE_NOTICE_TEXT_MAX + 1];
    char notifier_name[STORE_NAME_MAX + 1];
    char notifier_email[STORE_EMAIL_MAX + 1];
    char on_behalf_of[STORE_NAME_MAX + 1];
    char signature[STORE_NAME_MAX + 1];
    bool good_faith, accuracy;
    char evidence[STORE_NOTICE_EVIDENCE_MAX + 1];
    bool fast_track;
    char state[STORE_KIND_MAX + 1];   /* submitted | under_review | decided */
    char outcome[STORE_KIND_MAX + 1]; /* "" | upheld | rejected | partially */
    int64_t risk;
    int64_t items_total;
    int64_t review_deadline_ms;
    bool sla_breached;
    char decided_by[ID_SIZE + 8];
    char decision_reason[STORE_NOTICE_REASON_MAX + 1];
    int64_t created_ms, decided_ms, updated_ms;
};

struct store_notice_item {
    char notice_id[ID_SIZE];
    char listing_id[STORE_NOTICE_LISTING_MAX + 1];
    char seller_org_id[ID_SIZE];
    char notifier_org_id[ID_SIZE];
    char state[STORE_KIND_MAX +
               1]; /* pending | taken_down | counter_noticed | upheld | reinstated | rejected */
    int64_t content_version;
    int64_t taken_down_ms;
    int64_t counter_deadline_ms;
    char counter_explanation[STORE_NOTICE_TEXT_MAX + 1];
    char counter_evidence[STORE_NOTICE_EVIDENCE_MAX + 1];
    char counter_by[ID_SIZE + 8];
    int64_t counter_ms;
    char decided_by[ID_SIZE + 8];
    char decision_reason[STORE_NOTICE_REASON_MAX + 1];
    int64_t decided_ms;
    char appeal_state[STORE_KIND_MAX + 1]; /* "" | open | upheld | rejected */
    char appeal_by_org[ID_SIZE];
    char appeal_explanation[STORE_NOTICE_TEXT_MAX + 1];
    char appeal_decided_by[ID_SIZE + 8];
    int64_t appeal_ms;
    int64_t updated_ms;
};

/* Filter of store_notices_notice_list; NULL members do not filter. */
struct store_notice_filter {
    const char *notifier_org_id;
    const char *seller_org_id; /* notices with at least one item of this seller */
    const char *state;
    /* notices whose text (kind, explanation, notifier, listing ids and
     * titles; index notices_fts of migration 0015) matches this FTS5 query;
     * the caller builds a safe one (catalog_fts_query) */
    const char *fts_query;
};

/* The accuracy record of one notifier since a moment. */
struct store_notice_counts {
    int64_t decided, upheld, rejected, partially; /* notices decided since */
    int64_t takedowns, reversed;                  /* items taken down since; of those reinstated */
};

struct store_notifier {
    char org_id[ID_SIZE];
    bool fast_track;
    int64_t admitted_ms, lost_ms, cooldown_until_ms, suspended_until_ms;
    bool suspension_open; /* suspended and the lifting not yet recorded */
    int64_t updated_ms;
};

struct store_strike {
    char id[ID_SIZE];
    char seller_org_id[ID_SIZE];
    char notice_id[ID_SIZE];
    char listing_id[STORE_NOTICE_LISTING_MAX + 1];
    char reason[STORE_NOTICE_REASON_MAX + 1];
    int64_t created_ms, expires_ms, revoked_ms;
};

struct store_inbox_msg {
    char id[ID_SIZE];
    char org_id[ID_SIZE];
    char kind[STORE_ACTION_MAX + 1]; /* e.g. "notice.takedown" */
    char notice_id[ID_SIZE];
    char subject[STORE_INBOX_SUBJECT_MAX + 1];
    char body[STORE_INBOX_BODY_MAX + 1]; /* compact JSON object */
    int64_t created_ms;
};

typedef ips_status (*store_notice_cb)(const struct store_notice *n, void *arg);
typedef ips_status (*store_notice_item_cb)(const struct store_notice_item *it, void *arg);
typedef ips_status (*store_strike_cb)(const struct store_strike *st, void *arg);
typedef ips_status (*store_inbox_cb)(const struct store_inbox_msg *m, void *arg);
typedef ips_status (*store_notifier_cb)(const struct store_notifier *n, void *arg);

/* Insert a notice. CONFLICT on a taken id; NOT_FOUND when an org or the
 * right does not exist. */
ips_status store_notices_notice_insert(struct store *s, const struct store_notice *n);
/* OUT *out. NOT_FOUND. */
ips_status store_notices_notice_get(struct store *s, const char *id, struct store_notice *out);
/* Write the mutable columns (state, outcome, review_deadline_ms,
 * sla_breached, decided_by, decision_reason, decided_ms, updated_ms) of n.
 * NOT_FOUND for an unknown id. */
ips_status store_notices_notice_update(struct store *s, const struct store_notice *n);
/* Notices matching f (may be NULL), id ascending after `after`, at most limit
 * (<= 0: default page). */
ips_status store_notices_notice_list(struct store *s, const struct store_notice_filter *f,
                                     const char *after, int limit, store_notice_cb cb, void *arg);
/* The review queue: notices with something awaiting a reviewer
 * (review_deadline_ms > 0: the notice itself, a counter-notice or an
 * appeal) ordered by review_deadline_ms, then
 * risk descending, then id; after the key (deadline, risk, id) when after_id
 * is non-NULL. */
ips_status store_notices_queue_list(struct store *s, int64_t after_deadline, int64_t after_risk,
                                    const char *after_id, int limit, store_notice_cb cb, void *arg);
/* Notices in the queue whose review_deadline_ms <= now_ms and not yet marked
 * sla_breached, at most limit. */
ips_status store_notices_sla_due(struct store *s, int64_t now_ms, int limit, store_notice_cb cb,
                                 void *arg);
/* The id of an open item (pending, taken_down, counter_noticed) of
 * notifier_org_id on listing_id, into notice_id[ID_SIZE]. NOT_FOUND if none. */
ips_status store_notices_open_for_listing(struct store *s, const char *notifier_org_id,
                                          const char *listing_id, char notice_id[ID_SIZE]);
/* Accuracy counts of a notifier since since_ms. OUT *out. */
ips_status store_notices_counts(struct store *s, const char *notifier_org_id, int64_t since_ms,
                                struct store_notice_counts *out);

ips_status store_notices_item_insert(struct store *s, const struct store_notice_item *it);
/*
 * (Re)write the searchable text of notice_id (kind, explanation, notifier,
 * the ids and current titles of all its items' listings) in one statement,
 * from what is stored: call it once after a notice and all its items are
 * written, in the same transaction (0031: no trigger does it per item any
 * more, which was quadratic in a bulk notice's listings). A notice not yet
 * put is not found by a search. NOT_FOUND for an unknown notice.
 */
ips_status store_notices_search_put(struct store *s, const char *notice_id);
ips_status store_notices_item_get(struct store *s, const char *notice_id, const char *listing_id,
                                  struct store_notice_item *out);
/* Write every column but the key, seller and notifier. NOT_FOUND. */
ips_status store_notices_item_update(struct store *s, const struct store_notice_item *it);
/* Items of a notice (only_seller non-NULL: of that seller only), by listing
 * id after `after`. */
ips_status store_notices_item_list(struct store *s, const char *notice_id, const char *only_seller,
                                   const char *after, int limit, store_notice_item_cb cb,
                                   void *arg);
/* Items taken_down whose counter_deadline_ms <= now_ms, at most limit. */
ips_status store_notices_item_due(struct store *s, int64_t now_ms, int limit,
                                  store_notice_item_cb cb, void *arg);

/* OUT *out. NOT_FOUND when the org has no status row yet. */
ips_status store_notices_notifier_get(struct store *s, const char *org_id,
                                      struct store_notifier *out);
/* Insert or replace the status row. */
ips_status store_notices_notifier_put(struct store *s, const struct store_notifier *n);
/* Rows with suspension_open and suspended_until_ms <= now_ms. */
ips_status store_notices_notifier_suspension_due(struct store *s, int64_t now_ms, int limit,
                                                 store_notifier_cb cb, void *arg);

ips_status store_notices_strike_insert(struct store *s, const struct store_strike *st);
/* Set revoked_ms on the unrevoked strikes of (notice, listing). */
ips_status store_notices_strike_revoke(struct store *s, const char *notice_id,
                                       const char *listing_id, int64_t now_ms);
ips_status store_notices_strike_list(struct store *s, const char *only_seller, const char *after,
                                     int limit, store_strike_cb cb, void *arg);

ips_status store_notices_inbox_insert(struct store *s, const struct store_inbox_msg *m);
/* Messages of one org, newest first (id descending) before `before` (NULL:
 * from the newest). */
ips_status store_notices_inbox_list(struct store *s, const char *org_id, const char *before,
                                    int limit, store_inbox_cb cb, void *arg);

#endif
