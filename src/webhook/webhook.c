/*
 * webhook.c — signed outbound webhooks (contracts in webhook.h).
 *
 * The HTTP client is libcurl (easy interface, one handle per attempt): only
 * http and https are allowed, redirects are not followed, a 5 s timeout
 * bounds each attempt, and the answer body is discarded. Attempts run
 * outside any store transaction; each attempt's result is written in a
 * transaction of its own, so a crash in between at worst repeats an
 * attempt (receivers deduplicate by the event id, which is stable).
 */
#include "webhook/webhook.h"

#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/config.h"
#include "core/json.h"
#include "core/log.h"
#include "core/timeutil.h"

#define WEBHOOK__DUE_BATCH 20

void webhook_sign(const char *secret, const void *body, size_t len,
                  char out[WEBHOOK_SIGNATURE_SIZE])
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
    crypto_auth_hmacsha256_update(&st, body, len);
    crypto_auth_hmacsha256_final(&st, mac);
    memcpy(out, "sha256=", 7);
    sodium_bin2hex(out + 7, WEBHOOK_SIGNATURE_SIZE - 7, mac, sizeof mac);
}

void webhook_signature_header(const struct store_webhook_endpoint *e, int64_t now_ms,
                              const void *body, size_t len,
                              char out[WEBHOOK_SIGNATURE_HEADER_SIZE])
{
    webhook_sign(e->secret, body, len, out);
    if (e->previous_secret[0] && now_ms < e->previous_until_ms) {
        char old[WEBHOOK_SIGNATURE_SIZE];
        webhook_sign(e->previous_secret, body, len, old);
        size_t n = strlen(out);
        snprintf(out + n, WEBHOOK_SIGNATURE_HEADER_SIZE - n, ", %s", old);
        sodium_memzero(old, sizeof old);
    }
}

bool webhook_url_valid(const char *url)
{
    size_t n = url ? strlen(url) : 0;
    const char *host;
    if (n == 0 || n > STORE_WEBHOOK_URL_MAX)
        return false;
    if (strncmp(url, "https://", 8) == 0)
        host = url + 8;
    else if (strncmp(url, "http://", 7) == 0)
        host = url + 7;
    else
        return false;
    if (!*host || *host == '/' || *host == ':')
        return false;
    for (const char *p = url; *p; p++) {
        if ((unsigned char)*p <= 0x20 || *p == 0x7f)
            return false;
    }
    return true;
}

/* ---- endpoint ------------------------------------------------------------------ */

struct webhook__set_tx {
    const struct access_principal *actor;
    int64_t overlap_ms;
    struct store_webhook_endpoint e;
    struct store_webhook_endpoint old; /* scratch */
};

static ips_status webhook__set_tx(struct store *s, void *arg)
{
    struct webhook__set_tx *a = arg;
    /* A new secret: the one it replaces goes on signing beside it for the
     * overlap, so the receiver can switch without losing a delivery. The
     * same secret (a new URL only) keeps whatever overlap is running. */
    a->e.previous_secret[0] = '\0';
    a->e.previous_until_ms = 0;
    ips_status st = store_webhook_endpoint_get(s, a->e.org_id, &a->old);
    if (st == IPS_OK && strcmp(a->old.secret, a->e.secret) != 0 && a->overlap_ms > 0) {
        memcpy(a->e.previous_secret, a->old.secret, sizeof a->e.previous_secret);
        a->e.previous_until_ms = a->e.updated_ms + a->overlap_ms;
    } else if (st == IPS_OK && strcmp(a->old.secret, a->e.secret) == 0) {
        memcpy(a->e.previous_secret, a->old.previous_secret, sizeof a->e.previous_secret);
        a->e.previous_until_ms = a->old.previous_until_ms;
    } else if (st != IPS_OK && st != IPS_ERR_NOT_FOUND) {
        return st;
    }
    if ((st = store_webhook_endpoint_put(s, &a->e)))
        return st;
    char object[STORE_OBJECT_MAX + 1], detail[STORE_WEBHOOK_URL_MAX + 64];
    snprintf(object, sizeof object, "org:%s", a->e.org_id);
    /* the URL is configuration, not a secret; the secrets never reach the log */
    snprintf(detail, sizeof detail, "%s%s", a->e.url,
             a->e.previous_secret[0] ? " (previous secret still signing)" : "");
    return audit_append(s, access_principal_actor(a->actor), "webhook.set", object, AUDIT_OK,
                        detail);
}

ips_status webhook_endpoint_set(struct ips_ctx *ctx, const char *org_id, const char *url,
                                const char *secret, int64_t overlap_s, char *secret_out,
                                struct store_webhook_endpoint *out)
{
    ips_status st = access_authorize(ctx->actor, ACT_WEBHOOK_SET, NULL);
    struct store_org org;
    struct webhook__set_tx a;
    if (st) {
        audit_record(ctx->store, access_principal_actor(ctx->actor), "webhook.set",
                     org_id ? org_id : "", AUDIT_DENIED, ips_status_slug(st));
        return st;
    }
    if (!org_id || !id_is_valid(org_id) || store_org_get(ctx->store, org_id, &org) != IPS_OK)
        return IPS_ERR_NOT_FOUND;
    bool bad = false;
    if (!webhook_url_valid(url)) {
        json_error_add(ctx->errors, "url",
                       "must be an http:// or https:// URL of at most 400 bytes");
        bad = true;
    }
    size_t sn = secret ? strlen(secret) : 0;
    if (secret && (sn < WEBHOOK_SECRET_MIN || sn > STORE_WEBHOOK_SECRET_MAX)) {
        json_error_add(ctx->errors, "secret", "must be 16 to 128 bytes");
        bad = true;
    }
    if (overlap_s < 0) { /* the setting, held to the same range */
        overlap_s = ctx->cfg ? ctx->cfg->webhook_secret_overlap_seconds : 0;
        overlap_s = overlap_s < 0                       ? 0
                    : overlap_s > WEBHOOK_OVERLAP_MAX_S ? WEBHOOK_OVERLAP_MAX_S
                                                        : overlap_s;
    }
    if (overlap_s > WEBHOOK_OVERLAP_MAX_S) {
        json_error_add(ctx->errors, "overlap_seconds", "must be 0 to 604800 (7 days)");
        bad = true;
    }
    if (bad) {
        snprintf(ctx->detail, sizeof ctx->detail, "the webhook endpoint is not valid");
        return IPS_ERR_INVALID;
    }
    memset(&a, 0, sizeof a);
    a.actor = ctx->actor;
    a.overlap_ms = overlap_s * 1000;
    memcpy(a.e.org_id, org_id, ID_SIZE);
    snprintf(a.e.url, sizeof a.e.url, "%s", url);
    if (secret) {
        snprintf(a.e.secret, sizeof a.e.secret, "%s", secret);
    } else {
        unsigned char raw[24];
        randombytes_buf(raw, sizeof raw);
        memcpy(a.e.secret, "whsec_", 6);
        sodium_bin2hex(a.e.secret + 6, sizeof a.e.secret - 6, raw, sizeof raw);
    }
    a.e.created_ms = a.e.updated_ms = time_now_ms();
    st = store_tx_run(ctx->store, webhook__set_tx, &a);
    if (st)
        return st;
    if (secret_out)
        memcpy(secret_out, a.e.secret, sizeof a.e.secret);
    if (out)
        *out = a.e;
    sodium_memzero(&a, sizeof a);
    return IPS_OK;
}

/* ---- queueing -------------------------------------------------------------------- */

ips_status webhook_enqueue(struct store *s, const char *org_id, const char *event, json_t *data,
                           int64_t now_ms)
{
    struct store_webhook_endpoint e;
    ips_status st;
    if (!store_in_tx(s))
        return IPS_ERR_INTERNAL;
    st = store_webhook_endpoint_get(s, org_id, &e);
    if (st == IPS_ERR_NOT_FOUND)
        return IPS_OK;
    if (st)
        return st;
    struct store_webhook_delivery *d = calloc(1, sizeof *d);
    if (!d)
        return IPS_ERR_NOMEM;
    char created[TIME_RFC3339_LEN];
    time_format_rfc3339(now_ms, created, sizeof created);
    id_new(d->id);
    json_t *body = json_pack("{s:s, s:s, s:s, s:O}", "id", d->id, "event", event, "created",
                             created, "data", data ? data : json_null());
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    if (!text) {
        st = IPS_ERR_NOMEM;
        goto out_free;
    }
    if (strlen(text) > STORE_WEBHOOK_BODY_MAX) {
        log_warn("webhook: event too large, not queued", "event", event);
        st = IPS_OK;
        goto out_text;
    }
    memcpy(d->org_id, org_id, ID_SIZE);
    snprintf(d->event, sizeof d->event, "%s", event);
    memcpy(d->body, text, strlen(text) + 1);
    snprintf(d->state, sizeof d->state, "pending");
    d->next_attempt_ms = now_ms;
    d->created_ms = d->updated_ms = now_ms;
    st = store_webhook_delivery_insert(s, d);
out_text:
    free(text);
out_free:
    free(d);
    return st;
}

/* ---- delivery log ------------------------------------------------------------------ */

static ips_status webhook__attempt_add(const struct store_webhook_attempt *at, void *arg)
{
    char when[TIME_RFC3339_LEN];
    time_format_rfc3339(at->at_ms, when, sizeof when);
    json_array_append_new(arg, json_pack("{s:I, s:s, s:I, s:s, s:I}", "n", (json_int_t)at->n, "at",
                                         when, "http_status", (json_int_t)at->http_status, "error",
                                         at->error, "duration_ms", (json_int_t)at->duration_ms));
    return IPS_OK;
}

struct webhook__list {
    struct store *s;
    webhook_delivery_cb cb;
    void *arg;
};

static ips_status webhook__list_one(const struct store_webhook_delivery *d, void *arg)
{
    struct webhook__list *l = arg;
    json_t *attempts = json_array();
    ips_status st = store_webhook_attempt_list(l->s, d->id, webhook__attempt_add, attempts);
    if (st == IPS_OK)
        st = l->cb(d, attempts, l->arg);
    json_decref(attempts);
    return st;
}

ips_status webhook_deliveries_list(struct ips_ctx *ctx, const char *only_org, const char *after,
                                   int limit, webhook_delivery_cb cb, void *arg)
{
    const struct access_principal *p = ctx->actor;
    /* the org asked for (the actor's own by default) must be one it may
     * read: another org's is NOT_FOUND, never silently the actor's own */
    struct access_object obj = {only_org ? only_org : p ? p->org_id : NULL, NULL, false};
    ips_status st = access_authorize(p, ACT_WEBHOOK_READ, &obj);
    if (st)
        return st;
    bool all = access_authorize(p, ACT_WEBHOOK_READ, NULL) == IPS_OK; /* every org's */
    const char *org = only_org ? only_org : all ? NULL : p->org_id;
    struct webhook__list l = {ctx->store, cb, arg};
    return store_webhook_delivery_list(ctx->store, org, after, limit, webhook__list_one, &l);
}

/* ---- sending ---------------------------------------------------------------------- */

static size_t webhook__discard(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    (void)ptr;
    (void)userdata;
    return size * nmemb;
}

/* POST body to url with the signature header. OUT *http_status (0 when no
 * answer), err[errcap] ("" on a 2xx answer). Returns true on a 2xx. */
static bool webhook__post(const struct store_webhook_endpoint *e, const char *body,
                          long *http_status, char *err, size_t errcap)
{
    char sig[WEBHOOK_SIGNATURE_HEADER_SIZE], header[sizeof WEBHOOK_SIGNATURE_HEADER + 2 + sizeof sig];
    char curl_err[CURL_ERROR_SIZE] = "";
    struct curl_slist *headers = NULL;
    bool ok = false;
    *http_status = 0;
    err[0] = '\0';
    CURL *c = curl_easy_init();
    if (!c) {
        snprintf(err, errcap, "cannot create an HTTP client");
        return false;
    }
    webhook_signature_header(e, time_now_ms(), body, strlen(body), sig);
    snprintf(header, sizeof header, "%s: %s", WEBHOOK_SIGNATURE_HEADER, sig);
    headers = curl_slist_append(headers, "Content-Type: application/json");
    headers = curl_slist_append(headers, header);
    headers = curl_slist_append(headers, "User-Agent: iprshield-webhook/1");
    curl_easy_setopt(c, CURLOPT_URL, e->url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)WEBHOOK_TIMEOUT_S);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, webhook__discard);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_err);
    CURLcode rc = curl_easy_perform(c);
    if (rc != CURLE_OK) {
        snprintf(err, errcap, "%s", curl_err[0] ? curl_err : curl_easy_strerror(rc));
        goto out_curl;
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, http_status);
    ok = *http_status >= 200 && *http_status < 300;
    if (!ok)
        snprintf(err, errcap, "HTTP status %ld", *http_status);
out_curl:
    curl_slist_free_all(headers);
    curl_easy_cleanup(c);
    return ok;
}

struct webhook__record_tx {
    struct store_webhook_delivery *d;
    struct store_webhook_attempt at;
};

static ips_status webhook__record_tx(struct store *s, void *arg)
{
    struct webhook__record_tx *a = arg;
    ips_status st = store_webhook_attempt_insert(s, &a->at);
    if (st == IPS_OK)
        st = store_webhook_delivery_update(s, a->d);
    if (st == IPS_OK && strcmp(a->d->state, "failed") == 0) {
        char object[STORE_OBJECT_MAX + 1];
        snprintf(object, sizeof object, "webhook_delivery:%s", a->d->id);
        st = audit_append(s, "system", "webhook.failed", object, AUDIT_FAILED, a->d->last_error);
    }
    return st;
}

struct webhook__due {
    struct store_webhook_delivery *list;
    int n;
};

static ips_status webhook__due_one(const struct store_webhook_delivery *d, void *arg)
{
    struct webhook__due *due = arg;
    if (due->n >= WEBHOOK__DUE_BATCH)
        return IPS_OK;
    due->list[due->n++] = *d;
    return IPS_OK;
}

ips_status webhook_tick(struct ips_ctx *ctx, int64_t now_ms)
{
    struct webhook__due due = {calloc(WEBHOOK__DUE_BATCH, sizeof(struct store_webhook_delivery)),
                               0};
    ips_status st;
    if (!due.list)
        return IPS_ERR_NOMEM;
    st = store_webhook_delivery_due(ctx->store, now_ms, WEBHOOK__DUE_BATCH, webhook__due_one, &due);
    int64_t max_attempts =
        ctx->cfg && ctx->cfg->webhook_max_attempts > 0 ? ctx->cfg->webhook_max_attempts : 8;
    for (int i = 0; st == IPS_OK && i < due.n; i++) {
        struct store_webhook_delivery *d = &due.list[i];
        struct store_webhook_endpoint e;
        struct webhook__record_tx a;
        memset(&a, 0, sizeof a);
        a.d = d;
        long http_status = 0;
        char err[STORE_WEBHOOK_ERROR_MAX + 1];
        int64_t t0 = time_mono_ms();
        bool ok;
        if (store_webhook_endpoint_get(ctx->store, d->org_id, &e) != IPS_OK) {
            ok = false;
            snprintf(err, sizeof err, "the organisation has no webhook endpoint any more");
        } else {
            ok = webhook__post(&e, d->body, &http_status, err, sizeof err);
        }
        int64_t now = time_now_ms();
        d->attempts++;
        d->last_status = http_status;
        snprintf(d->last_error, sizeof d->last_error, "%s", err);
        d->updated_ms = now;
        if (ok) {
            snprintf(d->state, sizeof d->state, "delivered");
        } else if (d->attempts >= max_attempts) {
            snprintf(d->state, sizeof d->state, "failed");
        } else {
            int64_t backoff = 1000;
            for (int64_t k = 1; k < d->attempts && backoff < WEBHOOK_BACKOFF_MAX_MS; k++)
                backoff *= 2;
            d->next_attempt_ms =
                now + (backoff > WEBHOOK_BACKOFF_MAX_MS ? WEBHOOK_BACKOFF_MAX_MS : backoff);
        }
        memcpy(a.at.delivery_id, d->id, ID_SIZE);
        a.at.n = d->attempts;
        a.at.at_ms = now;
        a.at.http_status = http_status;
        snprintf(a.at.error, sizeof a.at.error, "%s", err);
        a.at.duration_ms = time_mono_ms() - t0;
        st = store_tx_run(ctx->store, webhook__record_tx, &a);
    }
    free(due.list);
    return st;
}
