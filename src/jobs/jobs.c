/*
 * jobs.c — the scheduler threads (contracts in jobs.h), one per lane. Each
 * sleeps on a shared condition variable for JOBS_INTERVAL_MS between
 * rounds, so jobs_stop wakes both at once; a round runs the lane's ticks in
 * registration order. A failing tick is logged and retried next round.
 * libcurl is initialised here (curl_global_init is not thread-safe) before
 * the threads start.
 */
#include "jobs/jobs.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "core/config.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "enforce/enforce.h"
#include "detections/detections.h"
#include "notices/notices.h"
#include "store/store.h"
#include "webhook/webhook.h"

enum { JOBS__MAIN, JOBS__SLOW, JOBS__LANES };
static const char *const jobs__lane_name[JOBS__LANES] = {"main", "slow"};

static struct {
    const char *name;
    jobs_tick_fn fn;
    int lane;
} jobs__table[JOBS_MAX];
static int jobs__count;

static pthread_mutex_t jobs__mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t jobs__cv;
static struct {
    pthread_t thread;
    bool started;
} jobs__lanes[JOBS__LANES];
static bool jobs__running;
static atomic_bool jobs__stopping;
static const struct config *jobs__cfg;

static ips_status jobs__register(const char *name, jobs_tick_fn fn, int lane)
{
    for (int i = 0; i < jobs__count; i++) {
        if (jobs__table[i].fn == fn)
            return IPS_OK;
    }
    if (jobs__count >= JOBS_MAX)
        return IPS_ERR_TOO_LARGE;
    jobs__table[jobs__count].name = name;
    jobs__table[jobs__count].fn = fn;
    jobs__table[jobs__count].lane = lane;
    jobs__count++;
    return IPS_OK;
}

ips_status jobs_register(const char *name, jobs_tick_fn fn)
{
    return jobs__register(name, fn, JOBS__MAIN);
}

ips_status jobs_register_slow(const char *name, jobs_tick_fn fn)
{
    return jobs__register(name, fn, JOBS__SLOW);
}

void jobs_register_defaults(void)
{
    jobs_register("notices", notices_tick);
    jobs_register("webhooks", webhook_tick);
    jobs_register("detections", detections_tick);
    jobs_register_slow("image-fetch", detections_fetch_tick);
    jobs_register("enforce", enforce_tick);
}

bool jobs_stopping(void)
{
    return atomic_load(&jobs__stopping);
}

/* One round of the ticks of lane (or of every lane when lane < 0). */
static ips_status jobs__round(struct ips_ctx *ctx, int64_t now_ms, int lane)
{
    ips_status first = IPS_OK;
    for (int i = 0; i < jobs__count; i++) {
        if (lane >= 0 && jobs__table[i].lane != lane)
            continue;
        json_array_clear(ctx->errors);
        ctx->detail[0] = '\0';
        ips_status st = jobs__table[i].fn(ctx, now_ms);
        if (st) {
            log_warn("job tick failed", "job", jobs__table[i].name, "status", ips_status_slug(st));
            if (!first)
                first = st;
        }
    }
    return first;
}

ips_status jobs_run_once(struct ips_ctx *ctx, int64_t now_ms)
{
    return jobs__round(ctx, now_ms, -1);
}

static void *jobs__main(void *arg)
{
    int lane = (int)(intptr_t)arg;
    struct store *s = NULL;
    struct access_principal sys;
    struct ips_ctx ctx;
    access_principal_system(&sys);
    memset(&ctx, 0, sizeof ctx);
    if (store_open(jobs__cfg->db, &s) != IPS_OK) {
        log_error("jobs: cannot open the database; this lane's jobs will not run", "lane",
                  jobs__lane_name[lane], "db", jobs__cfg->db);
        return NULL;
    }
    ctx.store = s;
    ctx.actor = &sys;
    ctx.cfg = jobs__cfg;
    ctx.addr = "jobs";
    ctx.errors = json_array();
    pthread_mutex_lock(&jobs__mu);
    while (!jobs_stopping()) {
        pthread_mutex_unlock(&jobs__mu);
        jobs__round(&ctx, time_now_ms(), lane);
        pthread_mutex_lock(&jobs__mu);
        if (jobs_stopping())
            break;
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += JOBS_INTERVAL_MS / 1000;
        until.tv_nsec += (long)(JOBS_INTERVAL_MS % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        while (!jobs_stopping() &&
               pthread_cond_timedwait(&jobs__cv, &jobs__mu, &until) != ETIMEDOUT) {
        }
    }
    pthread_mutex_unlock(&jobs__mu);
    json_decref(ctx.errors);
    store_close(s);
    return NULL;
}

/* Wake, stop and join the started threads. */
static void jobs__join(void)
{
    pthread_mutex_lock(&jobs__mu);
    atomic_store(&jobs__stopping, true);
    pthread_cond_broadcast(&jobs__cv);
    pthread_mutex_unlock(&jobs__mu);
    for (int l = 0; l < JOBS__LANES; l++) {
        if (jobs__lanes[l].started)
            pthread_join(jobs__lanes[l].thread, NULL);
        jobs__lanes[l].started = false;
    }
    pthread_cond_destroy(&jobs__cv);
}

ips_status jobs_start(const struct config *cfg)
{
    pthread_condattr_t ca;
    if (jobs__running)
        return IPS_OK;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    jobs_register_defaults();
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&jobs__cv, &ca);
    pthread_condattr_destroy(&ca);
    jobs__cfg = cfg;
    atomic_store(&jobs__stopping, false);
    for (int l = 0; l < JOBS__LANES; l++) {
        bool used = false;
        for (int i = 0; i < jobs__count; i++)
            used = used || jobs__table[i].lane == l;
        if (!used)
            continue;
        if (pthread_create(&jobs__lanes[l].thread, NULL, jobs__main, (void *)(intptr_t)l) != 0) {
            jobs__join();
            curl_global_cleanup();
            return IPS_ERR_IO;
        }
        jobs__lanes[l].started = true;
    }
    jobs__running = true;
    log_info("jobs started", "interval_ms", "1000", "threads", "main, slow");
    return IPS_OK;
}

void jobs_stop(void)
{
    if (!jobs__running)
        return;
    jobs__join();
    jobs__running = false;
    atomic_store(&jobs__stopping, false);
    curl_global_cleanup();
}
