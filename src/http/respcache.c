/*
 * respcache.c — the bounded TTL cache of response bodies (respcache.h
 * states the invariants). A fixed array scanned linearly: the cache holds
 * a few dozen entries, so a scan under the mutex costs less than keeping a
 * hash table and an LRU list consistent.
 */
#include "http/respcache.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct respcache__entry {
    bool used;
    char key[RESPCACHE_KEY_MAX + 1];
    char *body; /* malloc'ed, len bytes + NUL */
    size_t len;
    int64_t generated_ms;
};

struct respcache {
    pthread_mutex_t mu;
    int64_t ttl_ms;
    size_t cap;
    struct respcache__entry *entries; /* cap of them */
};

struct respcache *respcache_new(int64_t ttl_ms, size_t max_entries)
{
    if (ttl_ms <= 0)
        return NULL;
    if (max_entries < 1)
        max_entries = 1;
    if (max_entries > RESPCACHE_ENTRIES_MAX)
        max_entries = RESPCACHE_ENTRIES_MAX;
    struct respcache *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->entries = calloc(max_entries, sizeof *c->entries);
    if (!c->entries) {
        free(c);
        return NULL;
    }
    c->ttl_ms = ttl_ms;
    c->cap = max_entries;
    pthread_mutex_init(&c->mu, NULL);
    return c;
}

static void respcache__clear(struct respcache__entry *e)
{
    free(e->body);
    memset(e, 0, sizeof *e);
}

void respcache_free(struct respcache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->cap; i++)
        respcache__clear(&c->entries[i]);
    pthread_mutex_destroy(&c->mu);
    free(c->entries);
    free(c);
}

/* Whether e is fresh at now_ms: generated less than ttl before now, and
 * less than ttl after it (a reader that took its time just before another
 * thread generated the entry still hits; a clock set back far does not
 * keep entries alive for longer than ttl more). */
static bool respcache__fresh(const struct respcache *c, const struct respcache__entry *e,
                             int64_t now_ms)
{
    return e->used && now_ms - e->generated_ms < c->ttl_ms && e->generated_ms - now_ms < c->ttl_ms;
}

/* The entry holding key, or NULL. Called with the mutex held. */
static struct respcache__entry *respcache__find(struct respcache *c, const char *key)
{
    for (size_t i = 0; i < c->cap; i++)
        if (c->entries[i].used && strcmp(c->entries[i].key, key) == 0)
            return &c->entries[i];
    return NULL;
}

bool respcache_get(struct respcache *c, const char *key, int64_t now_ms, struct respcache_hit *out)
{
    bool hit = false;
    if (!c || !key)
        return false;
    pthread_mutex_lock(&c->mu);
    struct respcache__entry *e = respcache__find(c, key);
    if (!e)
        goto out_unlock;
    if (!respcache__fresh(c, e, now_ms)) {
        respcache__clear(e);
        goto out_unlock;
    }
    char *copy = malloc(e->len + 1);
    if (!copy)
        goto out_unlock;
    memcpy(copy, e->body, e->len + 1);
    out->body = copy;
    out->len = e->len;
    out->generated_ms = e->generated_ms;
    out->expires_ms = e->generated_ms + c->ttl_ms;
    hit = true;
out_unlock:
    pthread_mutex_unlock(&c->mu);
    return hit;
}

/* The slot a put of key at now_ms goes to: the key's own, a free one, an
 * expired one, else the oldest. Called with the mutex held. */
static struct respcache__entry *respcache__slot(struct respcache *c, const char *key,
                                                int64_t now_ms)
{
    struct respcache__entry *e = respcache__find(c, key), *oldest = NULL;
    if (e)
        return e;
    for (size_t i = 0; i < c->cap; i++) {
        e = &c->entries[i];
        if (!e->used || !respcache__fresh(c, e, now_ms))
            return e;
        if (!oldest || e->generated_ms < oldest->generated_ms)
            oldest = e;
    }
    return oldest;
}

ips_status respcache_put(struct respcache *c, const char *key, const void *body, size_t len,
                         int64_t generated_ms)
{
    if (!key || !key[0] || strlen(key) > RESPCACHE_KEY_MAX)
        return IPS_ERR_INVALID;
    if (len > RESPCACHE_BODY_MAX)
        return IPS_ERR_TOO_LARGE;
    if (!c)
        return IPS_OK;
    char *copy = malloc(len + 1);
    if (!copy)
        return IPS_ERR_NOMEM;
    if (len)
        memcpy(copy, body, len);
    copy[len] = '\0';
    pthread_mutex_lock(&c->mu);
    struct respcache__entry *e = respcache__slot(c, key, generated_ms);
    if (!e) { /* a cache of no entries */
        pthread_mutex_unlock(&c->mu);
        free(copy);
        return IPS_OK;
    }
    respcache__clear(e);
    e->used = true;
    snprintf(e->key, sizeof e->key, "%s", key);
    e->body = copy;
    e->len = len;
    e->generated_ms = generated_ms;
    pthread_mutex_unlock(&c->mu);
    return IPS_OK;
}

size_t respcache_count(struct respcache *c, int64_t now_ms)
{
    size_t n = 0;
    if (!c)
        return 0;
    pthread_mutex_lock(&c->mu);
    for (size_t i = 0; i < c->cap; i++)
        n += respcache__fresh(c, &c->entries[i], now_ms);
    pthread_mutex_unlock(&c->mu);
    return n;
}

int64_t respcache_ttl_ms(const struct respcache *c)
{
    return c ? c->ttl_ms : 0;
}
