/*
 * audit.h — the append-only, hash-chained audit log.
 *
 * Every write, and every read of case or evidence data, appends one event:
 * who (actor), what (action, object), how it ended (outcome: ok, denied,
 * failed), when, and a short detail that never holds secrets.
 *
 * Chain: hash(n) = SHA-256(hash(n-1) || enc(event n)), hash(0) = 32 zero
 * bytes, where enc() is the canonical encoding: the decimal seq and ts_ms,
 * then actor, action, object, outcome, detail, each as a 4-byte big-endian
 * length followed by its bytes. Changing, inserting or deleting any event
 * breaks every hash after it; audit_verify() names the first broken link.
 *
 * audit_append() must run inside the caller's store transaction, so that an
 * action and its event commit or roll back together; audit_record() opens a
 * transaction of its own for events with no other write (denials, reads).
 */
#ifndef IPS_AUDIT_AUDIT_H
#define IPS_AUDIT_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "core/status.h"
#include "store/store.h"

#define AUDIT_OK "ok"
#define AUDIT_DENIED "denied"
#define AUDIT_FAILED "failed"

/* Append one event inside the current transaction (IPS_ERR_INTERNAL if none).
 * Texts longer than their store limits are truncated at a UTF-8 boundary.
 * detail may be NULL. */
ips_status audit_append(struct store *s, const char *actor, const char *action,
                        const char *object, const char *outcome, const char *detail);

/*
 * Deferred events. audit_defer(s) makes audit_append on s keep the events of
 * the running transaction in memory; audit_flush(s, st) appends them, in
 * their order, when st is IPS_OK (else drops them) and ends the deferral;
 * its result is st, or the append's failure. The events still commit or roll
 * back with the transaction, but the chain's head is read only at the end:
 * a concurrent transaction (store_tx_run_concurrent) then holds the audit
 * lock for the appends and the commit, not for all of its work. The event
 * times are those of the flush. Per thread (a connection belongs to one
 * thread at a time); call both inside the same transaction function.
 */
void audit_defer(struct store *s);
ips_status audit_flush(struct store *s, ips_status st);
/* Same, in a transaction of its own. */
ips_status audit_record(struct store *s, const char *actor, const char *action,
                        const char *object, const char *outcome, const char *detail);

/* Compute the hash of ev chained after ev->prev_hash into out. */
void audit_event_hash(const struct store_audit_event *ev, uint8_t out[STORE_HASH_LEN]);

struct audit_verify_result {
    int64_t events;           /* events checked */
    int64_t first_broken_seq; /* 0 when intact */
    char reason[128];
};

/* Recompute the chain from the first event. IPS_OK when intact;
 * IPS_ERR_INTEGRITY with first_broken_seq and reason set when broken;
 * other statuses for storage failures. */
ips_status audit_verify(struct store *s, struct audit_verify_result *out);

/* Lower-case hex of a hash into out (size >= 2*STORE_HASH_LEN + 1). */
void audit_hex(const uint8_t hash[STORE_HASH_LEN], char *out);

#endif
