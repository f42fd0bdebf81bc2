/*
 * jobs.c — the scheduler thread (contracts in jobs.h). It sleeps on a
 * condition variable for JOBS_INTERVAL_MS between rounds, so jobs_stop
 * wakes it at once; a round runs each registered tick in order. A failing
 * tick is logged and retried next round. libcurl is initialised here
 * (curl_global_init is not thread-safe) before the thread starts.
 */
#include "jobs/jobs.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
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

static struct {
    const char *name;
    jobs_tick_fn fn;
} jobs__table[JOBS_MAX];
static int jobs__count;

static pthread_mutex_t jobs__mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t jobs__cv;
static pthread_t jobs__thread;
static bool jobs__running, jobs__stopping;
static const struct config *jobs__cfg;

ips_status jobs_register(const char *name, jobs_tick_fn fn)
{
    for (int i = 0; i < jobs__count; i++) {
        if (jobs__table[i].fn == fn)
            return IPS_OK;
    }
    if (jobs__count >= JOBS_MAX)
        return IPS_ERR_TOO_LARGE;
    jobs__table[jobs__count].name = name;
    jobs__table[jobs__count].fn = fn;
    jobs__count++;
    return IPS_OK;
}

void jobs_register_defaults(void)
{
    jobs_register("notices", notices_tick);
    jobs_register("webhooks", webhook_tick);
    jobs_register("detections", detections_tick);
    jobs_register("image-fetch", detections_fetch_tick);
    jobs_register("enforce", enforce_tick);
}

ips_status jobs_run_once(struct ips_ctx *ctx, int64_t now_ms)
{
    ips_status first = IPS_OK;
    for (int i = 0; i < jobs__count; i++) {
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

static void *jobs__main(void *unused)
{
    (void)unused;
    struct store *s = NULL;
    struct access_principal sys;
    struct ips_ctx ctx;
    access_principal_system(&sys);
    memset(&ctx, 0, sizeof ctx);
    if (store_open(jobs__cfg->db, &s) != IPS_OK) {
        log_error("jobs: cannot open the database; deadlines will not be acted on", "db",
                  jobs__cfg->db);
        return NULL;
    }
    ctx.store = s;
    ctx.actor = &sys;
    ctx.cfg = jobs__cfg;
    ctx.addr = "jobs";
    ctx.errors = json_array();
    pthread_mutex_lock(&jobs__mu);
    while (!jobs__stopping) {
        pthread_mutex_unlock(&jobs__mu);
        jobs_run_once(&ctx, time_now_ms());
        pthread_mutex_lock(&jobs__mu);
        if (jobs__stopping)
            break;
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += JOBS_INTERVAL_MS / 1000;
        until.tv_nsec += (long)(JOBS_INTERVAL_MS % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        while (!jobs__stopping &&
               pthread_cond_timedwait(&jobs__cv, &jobs__mu, &until) != ETIMEDOUT) {
        }
    }
    pthread_mutex_unlock(&jobs__mu);
    json_decref(ctx.errors);
    store_close(s);
    return NULL;
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
    jobs__stopping = false;
    if (pthread_create(&jobs__thread, NULL, jobs__main, NULL) != 0) {
        pthread_cond_destroy(&jobs__cv);
        return IPS_ERR_IO;
    }
    jobs__running = true;
    log_info("jobs started", "interval_ms", "1000");
    return IPS_OK;
}

void jobs_stop(void)
{
    if (!jobs__running)
        return;
    pthread_mutex_lock(&jobs__mu);
    jobs__stopping = true;
    pthread_cond_signal(&jobs__cv);
    pthread_mutex_unlock(&jobs__mu);
    pthread_join(jobs__thread, NULL);
    pthread_cond_destroy(&jobs__cv);
    jobs__running = false;
    curl_global_cleanup();
}
