/*
 * respcache.h — a small, bounded, time-limited cache of rendered response
 * bodies, shared by the server's worker threads. The server keeps one for
 * the public transparency report (GET /api/v1/reports/transparency), whose
 * answer is the same for every anonymous caller of the same query and costs
 * a few dozen aggregate queries to compute (docs/internals/reports.md).
 *
 * Invariants:
 *   - an entry lives ttl_ms from the time it was generated (the time the
 *     caller passes to respcache_put), never longer: a lookup at or after
 *     generated + ttl is a miss and drops the entry; so is a lookup at or
 *     before generated - ttl (the wall clock went back that far), while
 *     one slightly before generated (a thread that read the clock just
 *     before another generated the body) hits;
 *   - at most max_entries entries (at most RESPCACHE_ENTRIES_MAX); a put into
 *     a full cache replaces an expired entry if there is one, else the entry
 *     generated longest ago (the oldest);
 *   - keys are at most RESPCACHE_KEY_MAX bytes, bodies at most
 *     RESPCACHE_BODY_MAX bytes, so the memory held is bounded by
 *     max_entries * RESPCACHE_BODY_MAX.
 *
 * Time is always the caller's (milliseconds, the same clock for puts and
 * gets): the cache never reads a clock, so its tests inject any time.
 *
 * Thread-safe: one mutex around every operation (a handful of entries,
 * each operation a short scan and one copy). Two threads that miss the same
 * key at once both compute the body and the later put wins; the cache does
 * not make one wait for the other.
 *
 * Ownership: bodies are copied in by respcache_put and copied out by
 * respcache_get (the caller frees the copy), so an entry may be evicted
 * while a request still sends what it read.
 */
#ifndef IPS_HTTP_RESPCACHE_H
#define IPS_HTTP_RESPCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

#define RESPCACHE_KEY_MAX 127
#define RESPCACHE_BODY_MAX (1u << 20)
#define RESPCACHE_ENTRIES_MAX 1024

struct respcache;

/* A body found in the cache. */
struct respcache_hit {
    char *body; /* malloc'ed copy, NUL-terminated after len bytes; caller frees */
    size_t len;
    int64_t generated_ms; /* as given to respcache_put */
    int64_t expires_ms;   /* generated_ms + ttl_ms */
};

/*
 * A cache whose entries live ttl_ms and of at most max_entries entries
 * (clamped to 1..RESPCACHE_ENTRIES_MAX). Returns NULL when ttl_ms <= 0
 * (caching off) or out of memory; every function below accepts NULL as an
 * empty cache that keeps nothing.
 */
struct respcache *respcache_new(int64_t ttl_ms, size_t max_entries);
/* Free the cache and every body it holds. NULL is a no-op. */
void respcache_free(struct respcache *c);

/*
 * Look key up at time now_ms. On a hit returns true and fills *out (the
 * caller frees out->body); on a miss (absent, expired, clock went back by ttl or more,
 * out of memory for the copy, c NULL) returns false and leaves *out alone.
 */
bool respcache_get(struct respcache *c, const char *key, int64_t now_ms, struct respcache_hit *out);

/*
 * Store a copy of body[0..len) under key, generated at generated_ms,
 * replacing an entry of the same key. When the cache is full the slot of an
 * expired entry (at generated_ms) is reused, else the oldest entry's.
 * Failure: IPS_ERR_INVALID (key longer than RESPCACHE_KEY_MAX or empty),
 * IPS_ERR_TOO_LARGE (len > RESPCACHE_BODY_MAX), IPS_ERR_NOMEM; the cache is
 * unchanged then. With c NULL: IPS_OK, nothing kept.
 */
ips_status respcache_put(struct respcache *c, const char *key, const void *body, size_t len,
                         int64_t generated_ms);

/* The lifetime of an entry in milliseconds; 0 for NULL (caching off). */
int64_t respcache_ttl_ms(const struct respcache *c);

/* The number of live (not expired at now_ms) entries; 0 for NULL. */
size_t respcache_count(struct respcache *c, int64_t now_ms);

#endif
