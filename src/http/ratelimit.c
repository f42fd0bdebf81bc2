/*
 * ratelimit.c — GCRA rate limits in a bounded set-associative table
 * (ratelimit.h explains the algorithm and the eviction rule).
 */
#include "http/ratelimit.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define RATELIMIT_SHARDS 64
#define RATELIMIT_SETS 256 /* per shard */
#define RATELIMIT_WAYS 8   /* 64 * 256 * 8 = 131,072 keys */

struct ratelimit__slot {
    uint64_t hash; /* 0 = empty */
    int64_t tat_ns;
};

struct ratelimit__shard {
    pthread_mutex_t mu;
    struct ratelimit__slot slots[RATELIMIT_SETS][RATELIMIT_WAYS];
};

struct ratelimit {
    int64_t interval_ns;  /* 1 / rate */
    int64_t tolerance_ns; /* (burst - 1) / rate */
    unsigned char key[crypto_shorthash_KEYBYTES];
    struct ratelimit__shard shards[RATELIMIT_SHARDS];
};

struct ratelimit *ratelimit_new(int64_t rate, int64_t burst)
{
    if (rate <= 0)
        return NULL;
    if (sodium_init() < 0)
        return NULL;
    struct ratelimit *rl = calloc(1, sizeof *rl);
    if (!rl)
        return NULL;
    if (burst < 1)
        burst = 1;
    rl->interval_ns = 1000000000 / rate;
    if (rl->interval_ns < 1)
        rl->interval_ns = 1;
    rl->tolerance_ns = (burst - 1) * rl->interval_ns;
    crypto_shorthash_keygen(rl->key);
    for (int i = 0; i < RATELIMIT_SHARDS; i++)
        pthread_mutex_init(&rl->shards[i].mu, NULL);
    return rl;
}

void ratelimit_free(struct ratelimit *rl)
{
    if (!rl)
        return;
    for (int i = 0; i < RATELIMIT_SHARDS; i++)
        pthread_mutex_destroy(&rl->shards[i].mu);
    free(rl);
}

/* The slot of hash h in its set: the one holding h, else an empty one, else
 * the one idle longest (smallest TAT), which is reset for h. */
static struct ratelimit__slot *ratelimit__slot(struct ratelimit__slot *set, uint64_t h)
{
    struct ratelimit__slot *victim = &set[0];
    for (int w = 0; w < RATELIMIT_WAYS; w++) {
        if (set[w].hash == h)
            return &set[w];
        if (victim->hash != 0 && (set[w].hash == 0 || set[w].tat_ns < victim->tat_ns))
            victim = &set[w];
    }
    victim->hash = h;
    victim->tat_ns = 0;
    return victim;
}

bool ratelimit_take(struct ratelimit *rl, const char *key, int64_t now_ns,
                    int64_t *retry_after_ns)
{
    if (!rl)
        return true;
    uint8_t out[crypto_shorthash_BYTES];
    crypto_shorthash(out, (const unsigned char *)key, strlen(key), rl->key);
    uint64_t h;
    memcpy(&h, out, sizeof h);
    if (h == 0)
        h = 1; /* 0 marks an empty slot */
    struct ratelimit__shard *sh = &rl->shards[h % RATELIMIT_SHARDS];
    size_t set = (size_t)((h / RATELIMIT_SHARDS) % RATELIMIT_SETS);

    pthread_mutex_lock(&sh->mu);
    struct ratelimit__slot *slot = ratelimit__slot(sh->slots[set], h);
    int64_t tat = slot->tat_ns > now_ns ? slot->tat_ns : now_ns;
    bool ok = tat - now_ns <= rl->tolerance_ns;
    if (ok)
        slot->tat_ns = tat + rl->interval_ns;
    pthread_mutex_unlock(&sh->mu);

    if (!ok && retry_after_ns)
        *retry_after_ns = tat - now_ns - rl->tolerance_ns;
    return ok;
}
