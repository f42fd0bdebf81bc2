/* audit.c — see audit.h. */
#include "audit/audit.h"
#include "core/log.h"
#include "core/timeutil.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The events audit_defer holds back: the store they are for (NULL: none
 * deferred) and the events, complete but for seq, ts_ms and the hashes. */
struct audit__deferred {
    struct store *s;
    struct store_audit_event *ev;
    size_t n, cap;
};
static _Thread_local struct audit__deferred audit__deferred;

/* Copy src into dst[cap], cutting at a UTF-8 character boundary. */
static void audit__copy(char *dst, size_t cap, const char *src)
{
    size_t n = src ? strlen(src) : 0;
    if (n >= cap) {
        n = cap - 1;
        while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
            n--;
    }
    if (n)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

static void audit__field(crypto_hash_sha256_state *st, const char *s)
{
    uint32_t n = (uint32_t)strlen(s);
    uint8_t len[4] = {(uint8_t)(n >> 24), (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n};
    crypto_hash_sha256_update(st, len, 4);
    crypto_hash_sha256_update(st, (const uint8_t *)s, n);
}

void audit_event_hash(const struct store_audit_event *ev, uint8_t out[STORE_HASH_LEN])
{
    crypto_hash_sha256_state st;
    char num[48];
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, ev->prev_hash, STORE_HASH_LEN);
    snprintf(num, sizeof num, "%lld", (long long)ev->seq);
    audit__field(&st, num);
    snprintf(num, sizeof num, "%lld", (long long)ev->ts_ms);
    audit__field(&st, num);
    audit__field(&st, ev->actor);
    audit__field(&st, ev->action);
    audit__field(&st, ev->object);
    audit__field(&st, ev->outcome);
    audit__field(&st, ev->detail);
    crypto_hash_sha256_final(&st, out);
}

/* Chain ev (its texts set) after the head and insert it. */
static ips_status audit__insert(struct store *s, struct store_audit_event *ev)
{
    ips_status st = store_audit_head(s, &ev->seq, ev->prev_hash);
    if (st)
        return st;
    ev->seq++;
    ev->ts_ms = time_now_ms();
    audit_event_hash(ev, ev->hash);
    return store_audit_insert(s, ev);
}

ips_status audit_append(struct store *s, const char *actor, const char *action,
                        const char *object, const char *outcome, const char *detail)
{
    if (!store_in_tx(s))
        return IPS_ERR_INTERNAL;
    struct audit__deferred *d = &audit__deferred;
    struct store_audit_event one, *ev = &one;
    if (d->s == s) {
        if (d->n == d->cap) {
            size_t cap = d->cap ? 2 * d->cap : 16;
            struct store_audit_event *grown = realloc(d->ev, cap * sizeof *grown);
            if (!grown)
                return IPS_ERR_NOMEM;
            d->ev = grown;
            d->cap = cap;
        }
        ev = &d->ev[d->n];
    }
    memset(ev, 0, sizeof *ev);
    audit__copy(ev->actor, sizeof ev->actor, actor);
    audit__copy(ev->action, sizeof ev->action, action);
    audit__copy(ev->object, sizeof ev->object, object);
    audit__copy(ev->outcome, sizeof ev->outcome, outcome);
    audit__copy(ev->detail, sizeof ev->detail, detail);
    if (ev != &one) {
        d->n++;
        return IPS_OK;
    }
    return audit__insert(s, ev);
}

void audit_defer(struct store *s)
{
    audit__deferred.s = s;
    audit__deferred.n = 0;
}

ips_status audit_flush(struct store *s, ips_status st)
{
    struct audit__deferred *d = &audit__deferred;
    if (d->s != s)
        return st == IPS_OK ? IPS_ERR_INTERNAL : st; /* no audit_defer(s) before */
    d->s = NULL;
    for (size_t i = 0; st == IPS_OK && i < d->n; i++)
        st = audit__insert(s, &d->ev[i]);
    free(d->ev); /* nothing left behind in a thread that ends */
    d->ev = NULL;
    d->n = d->cap = 0;
    return st;
}

struct record_args {
    const char *actor, *action, *object, *outcome, *detail;
};

static ips_status audit__record_tx(struct store *s, void *arg)
{
    struct record_args *a = arg;
    return audit_append(s, a->actor, a->action, a->object, a->outcome, a->detail);
}

ips_status audit_record(struct store *s, const char *actor, const char *action,
                        const char *object, const char *outcome, const char *detail)
{
    struct record_args a = {actor, action, object, outcome, detail};
    ips_status st = store_tx_run(s, audit__record_tx, &a);
    if (st)
        log_error("audit record failed", "action", action, "status", ips_status_name(st));
    return st;
}

struct verify_state {
    uint8_t prev[STORE_HASH_LEN];
    int64_t expect_seq;
    struct audit_verify_result *res;
};

static ips_status audit__verify_one(const struct store_audit_event *ev, void *arg)
{
    struct verify_state *vs = arg;
    uint8_t h[STORE_HASH_LEN];
    vs->res->events++;
    if (ev->seq != vs->expect_seq) {
        vs->res->first_broken_seq = vs->expect_seq;
        snprintf(vs->res->reason, sizeof vs->res->reason,
                 "event %lld is missing (next stored is %lld)", (long long)vs->expect_seq,
                 (long long)ev->seq);
        return IPS_ERR_INTEGRITY;
    }
    if (memcmp(ev->prev_hash, vs->prev, STORE_HASH_LEN) != 0) {
        vs->res->first_broken_seq = ev->seq;
        snprintf(vs->res->reason, sizeof vs->res->reason,
                 "event %lld does not link to the hash of event %lld", (long long)ev->seq,
                 (long long)ev->seq - 1);
        return IPS_ERR_INTEGRITY;
    }
    audit_event_hash(ev, h);
    if (memcmp(h, ev->hash, STORE_HASH_LEN) != 0) {
        vs->res->first_broken_seq = ev->seq;
        snprintf(vs->res->reason, sizeof vs->res->reason,
                 "event %lld was altered: its content no longer matches its hash",
                 (long long)ev->seq);
        return IPS_ERR_INTEGRITY;
    }
    memcpy(vs->prev, ev->hash, STORE_HASH_LEN);
    vs->expect_seq++;
    return IPS_OK;
}

ips_status audit_verify(struct store *s, struct audit_verify_result *out)
{
    struct verify_state vs;
    memset(&vs, 0, sizeof vs);
    memset(out, 0, sizeof *out);
    vs.expect_seq = 1;
    vs.res = out;
    ips_status st = store_audit_list(s, false, 0, 0, audit__verify_one, &vs);
    if (st == IPS_OK)
        snprintf(out->reason, sizeof out->reason, "intact");
    return st;
}

void audit_hex(const uint8_t hash[STORE_HASH_LEN], char *out)
{
    sodium_bin2hex(out, 2 * STORE_HASH_LEN + 1, hash, STORE_HASH_LEN);
}
