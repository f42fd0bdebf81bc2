/*
 * jobs.h — a tiny scheduler for deadline work: modules register tick
 * functions; one background thread runs them all about once a second on its
 * own store connection, acting as the system principal.
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

#include <stdint.h>

#include "access/access.h"

#define JOBS_MAX 16
#define JOBS_INTERVAL_MS 1000

typedef ips_status (*jobs_tick_fn)(struct ips_ctx *ctx, int64_t now_ms);

/* Add a tick (name for the logs: a string constant). IPS_ERR_TOO_LARGE past
 * JOBS_MAX; a function registered twice runs once. */
ips_status jobs_register(const char *name, jobs_tick_fn fn);

/* Register the ticks of the modules that have deadlines (notices,
 * webhooks). Idempotent. */
void jobs_register_defaults(void);

/* Run every registered tick once on ctx at now_ms (tests, CLI). Returns the
 * first failure but runs them all. */
ips_status jobs_run_once(struct ips_ctx *ctx, int64_t now_ms);

/* Start the thread: opens its own connection to cfg->db (borrowed; must
 * outlive jobs_stop). IPS_ERR_IO when the thread cannot start. */
ips_status jobs_start(const struct config *cfg);

/* Ask the thread to stop, wait for the tick in progress, close its
 * connection. Safe when not started. */
void jobs_stop(void);

#endif
