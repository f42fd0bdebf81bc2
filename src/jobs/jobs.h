/*
 * jobs.h — a tiny scheduler for deadline work: modules register tick
 * functions; background threads run them about once a second, each on its
 * own store connection, acting as the system principal.
 *
 * Two lanes, one thread each: the main lane (deadlines, webhook retries,
 * rescans, ...) and the slow lane for ticks that wait on remote servers
 * chosen by others (the image fetch: time-outs of seconds per URL), so a
 * stalled remote host never delays a deadline or a webhook delivery. A slow
 * tick should look at jobs_stopping() between remote calls and abort a
 * transfer in progress when it turns true, so shutdown is not held up.
 *
 * Deadlines live in the database, never in this thread's memory, so a tick
 * after a restart acts on everything that fell due while the server was
 * down. A tick must be idempotent and re-check each condition in its own
 * transaction (the next tick may see the same rows again).
 *
 * Threads: jobs_register before jobs_start; jobs_start / jobs_stop from one
 * thread (the server's main thread).
 */
#ifndef IPS_JOBS_JOBS_H
#define IPS_JOBS_JOBS_H

#include <stdbool.h>
#include <stdint.h>

#include "access/access.h"

#define JOBS_MAX 16
#define JOBS_INTERVAL_MS 1000

typedef ips_status (*jobs_tick_fn)(struct ips_ctx *ctx, int64_t now_ms);

/* Add a tick to the main lane (name for the logs: a string constant).
 * IPS_ERR_TOO_LARGE past JOBS_MAX; a function registered twice runs once
 * (on the lane it was first registered on). */
ips_status jobs_register(const char *name, jobs_tick_fn fn);

/* The same, on the slow lane (its own thread and store connection). */
ips_status jobs_register_slow(const char *name, jobs_tick_fn fn);

/* Register the ticks of the modules that have deadlines (notices,
 * webhooks). Idempotent. */
void jobs_register_defaults(void);

/* Run every registered tick once on ctx at now_ms (tests, CLI). Returns the
 * first failure but runs them all. */
ips_status jobs_run_once(struct ips_ctx *ctx, int64_t now_ms);

/* Start one thread per lane that has ticks, each opening its own connection
 * to cfg->db (borrowed; must outlive jobs_stop). IPS_ERR_IO when a thread
 * cannot start (none is left running then). */
ips_status jobs_start(const struct config *cfg);

/* Ask the threads to stop, wait for the ticks in progress, close their
 * connections. Safe when not started. */
void jobs_stop(void);

/* True from jobs_stop's call until the threads are joined: a long tick
 * returns early (what it did so far is kept; the rest waits for the next
 * start). Any thread. */
bool jobs_stopping(void);

#endif
