/*
 * ratelimit.h — request rate limits per client address and per user.
 *
 * The generic cell rate algorithm (GCRA): each key keeps one number, the
 * theoretical arrival time (TAT) of its next request. A limit of `rate`
 * requests per second with a burst of `burst` admits a request at time t
 * when TAT - t <= (burst - 1) / rate, and then moves TAT on by 1 / rate.
 * A refused request learns how long until it would be admitted: the
 * Retry-After the server sends with its 429.
 *
 * Memory is bounded: keys live in a fixed set-associative table (shards,
 * each with its own mutex, of sets of RATELIMIT_WAYS slots); a new key
 * evicts the slot of its set whose TAT lies furthest in the past — a key
 * that has been idle long enough to have a full burst again, so evicting it
 * forgets nothing. Only a flood of more distinct keys than the table holds,
 * all active at once, can push out a throttled key; the table is sized so
 * that this takes tens of thousands of addresses inside one burst window.
 *
 * Thread-safe. Keys are hashed with a per-process random key (libsodium's
 * short hash), so a client cannot choose keys that collide.
 */
#ifndef IPS_HTTP_RATELIMIT_H
#define IPS_HTTP_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

struct ratelimit;

/* A table for `rate` requests per second with bursts of `burst`; rate 0
 * disables the limit (every request admitted, no memory kept). NULL when
 * out of memory. */
struct ratelimit *ratelimit_new(int64_t rate, int64_t burst);
void ratelimit_free(struct ratelimit *rl);

/* Admit or refuse one request of `key` at monotonic time now_ns. On refusal
 * *retry_after_ns (when not NULL) receives the wait until the key would be
 * admitted (> 0). */
bool ratelimit_take(struct ratelimit *rl, const char *key, int64_t now_ns,
                    int64_t *retry_after_ns);

#endif
