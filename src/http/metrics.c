/*
 * metrics.c — Prometheus counters and latency histograms per route.
 * Lock-free: fixed arrays indexed by route and status class, updated with
 * relaxed atomic adds; /metrics reads them without stopping the world.
 */
#include "http/http_internal.h"
#include "store/store.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#define MAX_ROUTES 128
#define N_KNOWN 16
#define N_STATUS (N_KNOWN + 1) /* the last slot counts any other status */
#define N_BUCKETS 10

static const int statuses[N_KNOWN] = {200, 201, 204, 304, 400, 401, 403, 404,
                                      405, 409, 413, 415, 422, 429, 500, 503};
/* upper bounds in seconds; the last bucket is +Inf */
static const double bucket_le[N_BUCKETS - 1] = {0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                0.025,  0.1,   0.5,    2.5};
static const int64_t bucket_ns[N_BUCKETS - 1] = {500000,   1000000,   2500000,
                                                 5000000,  10000000,  25000000,
                                                 100000000, 500000000, 2500000000};

/* slots: one per route, then "static", then "unmatched" */
static atomic_ullong counts[MAX_ROUTES + 2][N_STATUS];
static atomic_ullong buckets[MAX_ROUTES + 2][N_BUCKETS];
static atomic_ullong sum_ns[MAX_ROUTES + 2];

void http_metrics_init(void)
{
    memset(counts, 0, sizeof counts);
    memset(buckets, 0, sizeof buckets);
    memset(sum_ns, 0, sizeof sum_ns);
}

static int metrics__slot(const struct http_route *route, bool is_static)
{
    size_t n = http_route_count();
    if (n > MAX_ROUTES)
        n = MAX_ROUTES;
    int i = http_route_index(route);
    if (i >= 0 && (size_t)i < n)
        return i;
    return is_static ? MAX_ROUTES : MAX_ROUTES + 1;
}

void http_metrics_observe(const struct http_route *route, bool is_static, int status,
                          int64_t duration_ns)
{
    int slot = metrics__slot(route, is_static);
    int si = N_KNOWN; /* "other" */
    for (int i = 0; i < N_KNOWN; i++)
        if (statuses[i] == status)
            si = i;
    atomic_fetch_add_explicit(&counts[slot][si], 1, memory_order_relaxed);
    int b = N_BUCKETS - 1;
    for (int i = 0; i < N_BUCKETS - 1; i++) {
        if (duration_ns <= bucket_ns[i]) {
            b = i;
            break;
        }
    }
    atomic_fetch_add_explicit(&buckets[slot][b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&sum_ns[slot], (unsigned long long)duration_ns,
                              memory_order_relaxed);
}

static void metrics__labels(int slot, const char **route, const char **method)
{
    if (slot == MAX_ROUTES) {
        *route = "static";
        *method = "GET";
    } else if (slot == MAX_ROUTES + 1) {
        *route = "unmatched";
        *method = "any";
    } else {
        *route = http_routes[slot].pattern;
        *method = http_routes[slot].method;
    }
}

void http_metrics_render(struct buf *b)
{
    size_t n = http_route_count();
    if (n > MAX_ROUTES)
        n = MAX_ROUTES;
    buf_appendf(b, "# HELP iprshield_http_requests_total HTTP requests answered, by route, "
                   "method and status.\n# TYPE iprshield_http_requests_total counter\n");
    for (int slot = 0; slot < MAX_ROUTES + 2; slot++) {
        if ((size_t)slot >= n && slot < MAX_ROUTES)
            continue;
        const char *route, *method;
        metrics__labels(slot, &route, &method);
        for (int si = 0; si < N_STATUS; si++) {
            unsigned long long c = atomic_load_explicit(&counts[slot][si], memory_order_relaxed);
            if (!c)
                continue;
            char status[16];
            if (si < N_KNOWN)
                snprintf(status, sizeof status, "%d", statuses[si]);
            else
                snprintf(status, sizeof status, "other");
            buf_appendf(b,
                        "iprshield_http_requests_total{route=\"%s\",method=\"%s\",status=\"%s\"} %llu\n",
                        route, method, status, c);
        }
    }
    buf_appendf(b, "# HELP iprshield_http_request_duration_seconds Time from request to "
                   "answer, by route.\n# TYPE iprshield_http_request_duration_seconds histogram\n");
    for (int slot = 0; slot < MAX_ROUTES + 2; slot++) {
        if ((size_t)slot >= n && slot < MAX_ROUTES)
            continue;
        unsigned long long total = 0, cum = 0;
        for (int i = 0; i < N_BUCKETS; i++)
            total += atomic_load_explicit(&buckets[slot][i], memory_order_relaxed);
        if (!total)
            continue;
        const char *route, *method;
        metrics__labels(slot, &route, &method);
        for (int i = 0; i < N_BUCKETS; i++) {
            cum += atomic_load_explicit(&buckets[slot][i], memory_order_relaxed);
            if (i < N_BUCKETS - 1)
                buf_appendf(b,
                            "iprshield_http_request_duration_seconds_bucket{route=\"%s\",method=\"%s\",le=\"%g\"} %llu\n",
                            route, method, bucket_le[i], cum);
            else
                buf_appendf(b,
                            "iprshield_http_request_duration_seconds_bucket{route=\"%s\",method=\"%s\",le=\"+Inf\"} %llu\n",
                            route, method, cum);
        }
        buf_appendf(b, "iprshield_http_request_duration_seconds_sum{route=\"%s\",method=\"%s\"} %.6f\n",
                    route, method,
                    (double)atomic_load_explicit(&sum_ns[slot], memory_order_relaxed) / 1e9);
        buf_appendf(b, "iprshield_http_request_duration_seconds_count{route=\"%s\",method=\"%s\"} %llu\n",
                    route, method, cum);
    }
    /* group transactions (store.h, store_tx_run_grouped): requests per group */
    struct store_group_stats g;
    store_group_stats(&g);
    buf_appendf(b,
                "# HELP iprshield_store_groups_total Group transactions committed.\n"
                "# TYPE iprshield_store_groups_total counter\niprshield_store_groups_total %llu\n"
                "# HELP iprshield_store_group_requests_total Requests committed in group "
                "transactions.\n# TYPE iprshield_store_group_requests_total counter\n"
                "iprshield_store_group_requests_total %llu\n"
                "# HELP iprshield_store_group_largest Most requests committed in one group.\n"
                "# TYPE iprshield_store_group_largest gauge\niprshield_store_group_largest %llu\n"
                "# HELP iprshield_store_group_pages_total Database pages group transactions "
                "wrote to the WAL.\n# TYPE iprshield_store_group_pages_total counter\n"
                "iprshield_store_group_pages_total %llu\n"
                "# HELP iprshield_store_group_busy_seconds_total Time group leaders ran groups "
                "(the one writer's serial section).\n"
                "# TYPE iprshield_store_group_busy_seconds_total counter\n"
                "iprshield_store_group_busy_seconds_total %.6f\n"
                "# HELP iprshield_store_group_cpu_seconds_total CPU time of the group leaders' "
                "threads while running groups.\n"
                "# TYPE iprshield_store_group_cpu_seconds_total counter\n"
                "iprshield_store_group_cpu_seconds_total %.6f\n"
                "# HELP iprshield_store_syncs_total Commit barriers' fdatasyncs of the WAL.\n"
                "# TYPE iprshield_store_syncs_total counter\niprshield_store_syncs_total %llu\n"
                "# HELP iprshield_store_sync_seconds_total Time the commit barriers' fdatasyncs "
                "took.\n# TYPE iprshield_store_sync_seconds_total counter\n"
                "iprshield_store_sync_seconds_total %.6f\n",
                (unsigned long long)g.groups, (unsigned long long)g.requests,
                (unsigned long long)g.largest, (unsigned long long)g.pages, (double)g.busy_ns / 1e9,
                (double)g.cpu_ns / 1e9,
                (unsigned long long)g.syncs, (double)g.sync_ns / 1e9);
}
