/*
 * fetch.c — listing images given by URL: the server fetches them so the
 * image signal (PDQ against the profiles' official images) covers them as
 * it covers uploaded images. Off unless the setting image_fetch is on: it
 * makes the server send requests to addresses sellers choose.
 *
 * A job on the jobs' slow lane (src/jobs: its own thread and store
 * connection, so a remote host that stalls up to the time-outs below delays
 * no deadline, webhook or rescan) walks listing versions in vrow order from
 * a cursor of its own (table image_fetch_cursor, migration 0021), so the
 * listing write path is unchanged. Per tick it reads up to FETCH__VERSIONS
 * versions and fetches at most FETCH__PER_TICK URLs; a version whose URLs
 * could not all be tried within the budget is where the next tick resumes.
 * Each URL is fetched once (table image_fetches): a fetched image becomes a
 * content-addressed blob (libmagic-typed: JPEG, PNG, WebP, GIF; at most
 * upload_max bytes); a failure is recorded with its reason and tried again,
 * up to FETCH__ATTEMPTS times, when a later version names the URL again.
 * Then the listing's current version is rescanned (a new verdict only when
 * the outcome changes), and the scan of later writes finds the blob through
 * the URL (scan.c).
 *
 * Requests: http and https only, at most 3 redirects (each re-checked), a
 * 3 s connect and 10 s total time-out, no cookies, and - unless the setting
 * image_fetch_private is on (tests, intranets) - never to a loopback,
 * private, link-local, carrier-grade NAT, multicast or unspecified address:
 * the address checked is the one connected to (CURLOPT_PREREQFUNCTION), so
 * a name that resolves to such an address is refused whatever it is called.
 * On shutdown (jobs_stopping) a transfer in progress is aborted and the tick
 * ends early: the URL is neither counted as an attempt nor recorded, and the
 * version is left for the next start.
 */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "blob/blob.h"
#include "core/config.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "detections/detections_internal.h"
#include "jobs/jobs.h"
#include "store/store_catalog.h"

#define FETCH__VERSIONS 200
#define FETCH__PER_TICK 16
#define FETCH__ATTEMPTS 3
#define FETCH__URLS_MAX 20 /* CATALOG_IMAGES_MAX */

bool detections_fetch_address_public(const char *ip)
{
    unsigned char a[16];
    if (inet_pton(AF_INET, ip, a) == 1) {
    v4:
        return !(a[0] == 0 || a[0] == 10 || a[0] == 127 || a[0] >= 224 ||
                 (a[0] == 100 && (a[1] & 0xc0) == 64) || (a[0] == 169 && a[1] == 254) ||
                 (a[0] == 172 && (a[1] & 0xf0) == 16) || (a[0] == 192 && a[1] == 168) ||
                 (a[0] == 192 && a[1] == 0 && a[2] == 0));
    }
    if (inet_pton(AF_INET6, ip, a) != 1)
        return false;
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (memcmp(a, mapped, 12) == 0) {
        memmove(a, a + 12, 4);
        goto v4;
    }
    bool zero = true; /* :: and ::1 */
    for (int i = 0; i < 15; i++)
        zero = zero && a[i] == 0;
    if (zero && a[15] <= 1)
        return false;
    return !((a[0] & 0xfe) == 0xfc ||                /* fc00::/7 unique local */
             (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) || /* fe80::/10 link-local */
             a[0] == 0xff);                              /* multicast */
}

/* ---- one request --------------------------------------------------------------------- */

struct fetch__body {
    char *data;
    size_t len, cap, max;
    bool too_large;
};

static size_t fetch__write(char *p, size_t size, size_t n, void *arg)
{
    struct fetch__body *b = arg;
    size_t add = size * n;
    if (b->len + add > b->max) {
        b->too_large = true;
        return 0; /* aborts the transfer */
    }
    if (b->len + add > b->cap) {
        size_t cap = b->cap ? b->cap : 65536;
        while (cap < b->len + add)
            cap *= 2;
        char *grown = realloc(b->data, cap);
        if (!grown)
            return 0;
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, add);
    b->len += add;
    return add;
}

struct fetch__guard {
    bool allow_private;
    bool refused;
};

static int fetch__prereq(void *arg, char *conn_primary_ip, char *conn_local_ip,
                         int conn_primary_port, int conn_local_port)
{
    (void)conn_local_ip;
    (void)conn_primary_port;
    (void)conn_local_port;
    struct fetch__guard *g = arg;
    if (g->allow_private || detections_fetch_address_public(conn_primary_ip))
        return CURL_PREREQFUNC_OK;
    g->refused = true;
    return CURL_PREREQFUNC_ABORT;
}

/* libcurl's progress callback: non-zero aborts the transfer on shutdown. */
static int fetch__progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                           curl_off_t ulnow)
{
    (void)arg;
    (void)dltotal;
    (void)dlnow;
    (void)ultotal;
    (void)ulnow;
    return jobs_stopping();
}

/* GET url into *b. Returns true on a 2xx answer with a body; else false
 * with the reason in err[cap]. */
static bool fetch__get(const struct config *cfg, const char *url, struct fetch__body *b,
                       char *err, size_t cap)
{
    char curl_err[CURL_ERROR_SIZE] = "";
    struct fetch__guard g = {cfg && cfg->image_fetch_private, false};
    long status = 0;
    CURL *c = curl_easy_init();
    if (!c) {
        snprintf(err, cap, "cannot create an HTTP client");
        return false;
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 3L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 3L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)b->max);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "iprshield-image-fetch/1");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, fetch__write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, b);
    curl_easy_setopt(c, CURLOPT_PREREQFUNCTION, fetch__prereq);
    curl_easy_setopt(c, CURLOPT_PREREQDATA, &g);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_err);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, fetch__progress);
    CURLcode rc = curl_easy_perform(c);
    if (rc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(c);
    if (g.refused)
        snprintf(err, cap, "refused: the address is loopback, private or otherwise not public");
    else if (b->too_large || rc == CURLE_FILESIZE_EXCEEDED)
        snprintf(err, cap, "larger than %zu bytes", b->max);
    else if (rc != CURLE_OK)
        snprintf(err, cap, "%s", curl_err[0] ? curl_err : curl_easy_strerror(rc));
    else if (status < 200 || status > 299)
        snprintf(err, cap, "the server answered HTTP %ld", status);
    else if (b->len == 0)
        snprintf(err, cap, "the answer is empty");
    else
        return true;
    return false;
}

/* Fetch url and store it as a blob; fill *f (state fetched or failed). */
static void fetch__one(struct ips_ctx *ctx, const char *url, struct store_image_fetch *f)
{
    int64_t max = ctx->cfg && ctx->cfg->upload_max > 0 ? ctx->cfg->upload_max : BLOB_MAX_BYTES;
    struct fetch__body b = {NULL, 0, 0, (size_t)(max < BLOB_MAX_BYTES ? max : BLOB_MAX_BYTES),
                            false};
    char err[STORE_DETECTION_REASON_MAX + 1] = "";
    f->attempts++;
    f->updated_ms = time_now_ms();
    f->sha256[0] = '\0';
    if (fetch__get(ctx->cfg, url, &b, err, sizeof err)) {
        struct blob_info info;
        ctx->detail[0] = '\0';
        ips_status st = blob_put(ctx, b.data, b.len, BLOB_TYPES_IMAGE, &info);
        if (st == IPS_OK)
            memcpy(f->sha256, info.sha256, sizeof f->sha256);
        else
            snprintf(err, sizeof err, "not stored: %s%s%s", ips_status_message(st),
                     ctx->detail[0] ? ": " : "", ctx->detail);
    }
    free(b.data);
    snprintf(f->state, sizeof f->state, "%s", f->sha256[0] ? "fetched" : "failed");
    snprintf(f->error, sizeof f->error, "%s", f->sha256[0] ? "" : err);
}

/* ---- the job ------------------------------------------------------------------------- */

/* What one tick did, written in one transaction at its end. */
struct fetch__tick {
    struct ips_ctx *ctx;
    struct store_image_fetch_version *versions; /* read from the cursor */
    int nversions;
    int done;                 /* versions finished (a prefix) */
    int budget;               /* fetches left */
    struct store_image_fetch *fetched;
    int nfetched;
    bool *rescan;             /* per version: a URL of it is fetched */
    int64_t fetched_ok, failed;
};

static ips_status fetch__collect(const struct store_image_fetch_version *v, void *arg)
{
    struct fetch__tick *t = arg;
    t->versions[t->nversions++] = *v;
    return IPS_OK;
}

/* The URLs of one version's images (JSON array), at most FETCH__URLS_MAX. */
static int fetch__urls(const char *images, const char *urls[FETCH__URLS_MAX], json_t **arr)
{
    int n = 0;
    size_t i;
    json_t *it;
    *arr = strstr(images, "http") ? json_loads(images, 0, NULL) : NULL;
    json_array_foreach(*arr, i, it)
    {
        const char *u = json_string_value(it);
        if (u && n < FETCH__URLS_MAX &&
            (strncmp(u, "https://", 8) == 0 || strncmp(u, "http://", 7) == 0) &&
            strlen(u) <= STORE_IMAGE_URL_MAX)
            urls[n++] = u;
    }
    return n;
}

/* The row this tick holds for url: fetched now, or stored. */
static ips_status fetch__row(struct fetch__tick *t, const char *url, struct store_image_fetch *out)
{
    for (int i = 0; i < t->nfetched; i++) {
        if (strcmp(t->fetched[i].url, url) == 0) {
            *out = t->fetched[i];
            return IPS_OK;
        }
    }
    return store_detections_fetch_get(t->ctx->store, url, out);
}

/* Try the URLs of version k; false when the budget ran out first (the
 * version is left for the next tick). */
static ips_status fetch__version(struct fetch__tick *t, int k, bool *complete)
{
    const char *urls[FETCH__URLS_MAX];
    json_t *arr = NULL;
    int n = fetch__urls(t->versions[k].images, urls, &arr);
    ips_status st = IPS_OK;
    *complete = true;
    for (int i = 0; i < n && st == IPS_OK; i++) {
        struct store_image_fetch f;
        st = fetch__row(t, urls[i], &f);
        if (st == IPS_ERR_NOT_FOUND) {
            memset(&f, 0, sizeof f);
            snprintf(f.url, sizeof f.url, "%s", urls[i]);
            st = IPS_OK;
        } else if (st) {
            break;
        } else if (strcmp(f.state, "fetched") == 0) {
            t->rescan[k] = true;
            continue;
        } else if (f.attempts >= FETCH__ATTEMPTS) {
            continue;
        }
        if (t->budget == 0 || jobs_stopping()) {
            *complete = false;
            break;
        }
        t->budget--;
        fetch__one(t->ctx, urls[i], &f);
        if (!f.sha256[0] && jobs_stopping()) { /* aborted by the shutdown: not an attempt */
            *complete = false;
            break;
        }
        if (f.sha256[0]) {
            t->rescan[k] = true;
            t->fetched_ok++;
        } else {
            t->failed++;
            log_info("detections: a listing image could not be fetched", "url", f.url,
                     "reason", f.error);
        }
        int j = 0; /* this tick's row for the URL, replaced or added */
        while (j < t->nfetched && strcmp(t->fetched[j].url, f.url) != 0)
            j++;
        t->fetched[j] = f;
        if (j == t->nfetched)
            t->nfetched++;
    }
    json_decref(arr);
    return st;
}

static ips_status fetch__tx(struct store *s, void *arg)
{
    struct fetch__tick *t = arg;
    struct detections_rules *r = NULL;
    struct store_listing_version *v = NULL;
    int64_t now = time_now_ms(), rescanned = 0;
    ips_status st = IPS_OK;
    for (int i = 0; i < t->nfetched && st == IPS_OK; i++)
        st = store_detections_fetch_put(s, &t->fetched[i]);
    for (int k = 0; k < t->done && st == IPS_OK; k++) {
        if (!t->rescan[k])
            continue;
        struct store_listing l;
        bool changed = false;
        st = store_catalog_listing_get(s, t->versions[k].listing_id, &l);
        if (st == IPS_ERR_NOT_FOUND ||
            (st == IPS_OK && l.current_version != t->versions[k].version)) {
            st = IPS_OK; /* superseded: its successor is walked (or was scanned) itself */
            continue;
        }
        if (st == IPS_OK && !r) { /* the first rescan of this tick */
            if ((st = detections__rules_get(s, t->ctx->cfg, &r)) == IPS_OK &&
                !(v = malloc(sizeof *v)))
                st = IPS_ERR_NOMEM;
        }
        if (st || (st = store_catalog_version_get(s, l.id, l.current_version, v)) ||
            (st = detections__scan_store(s, r, &l, v, false, now, &changed)))
            break;
        rescanned++;
    }
    if (st == IPS_OK && t->done > 0)
        st = store_detections_fetch_cursor_set(s, t->versions[t->done - 1].vrow);
    if (st == IPS_OK && (t->nfetched > 0 || rescanned > 0)) {
        char detail[STORE_DETAIL_MAX + 1];
        snprintf(detail, sizeof detail,
                 "%d version(s) walked to vrow %" PRId64 ": %" PRId64 " image(s) fetched, %" PRId64
                 " failed, %" PRId64 " listing(s) rescanned",
                 t->done, t->done ? t->versions[t->done - 1].vrow : 0, t->fetched_ok, t->failed,
                 rescanned);
        st = audit_append(s, "system", "detection.image_fetch", "image_fetches", AUDIT_OK,
                          detail);
    }
    free(v);
    detections__rules_unref(r);
    return st;
}

ips_status detections_fetch_tick(struct ips_ctx *ctx, int64_t now_ms)
{
    (void)now_ms;
    if (!ctx->cfg || !ctx->cfg->image_fetch)
        return IPS_OK;
    struct fetch__tick t;
    memset(&t, 0, sizeof t);
    t.ctx = ctx;
    t.budget = FETCH__PER_TICK;
    t.versions = malloc(FETCH__VERSIONS * sizeof *t.versions);
    t.fetched = calloc(FETCH__PER_TICK, sizeof *t.fetched);
    t.rescan = calloc(FETCH__VERSIONS, sizeof *t.rescan);
    int64_t after = 0;
    ips_status st = IPS_ERR_NOMEM;
    if (!t.versions || !t.fetched || !t.rescan)
        goto out_free;
    if ((st = store_detections_fetch_cursor(ctx->store, &after)) ||
        (st = store_detections_fetch_versions(ctx->store, after, FETCH__VERSIONS, fetch__collect,
                                              &t)) ||
        t.nversions == 0)
        goto out_free;
    for (bool complete = true; st == IPS_OK && complete && t.done < t.nversions;) {
        st = fetch__version(&t, t.done, &complete);
        if (st == IPS_OK && complete)
            t.done++;
    }
    if (st == IPS_OK && t.done > 0)
        st = store_tx_run(ctx->store, fetch__tx, &t);
out_free:
    if (st)
        log_warn("detections: the image fetch job failed", "status", ips_status_slug(st));
    free(t.versions);
    free(t.fetched);
    free(t.rescan);
    return st;
}
