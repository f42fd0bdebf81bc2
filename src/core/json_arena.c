/* json_arena.c — see json_arena.h. */
#include "core/json_arena.h"
#include "core/json_fast.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define JSON_ARENA__OFF 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define JSON_ARENA__OFF 1
#endif
#endif

/* Alignment of every value handed out (what malloc guarantees). */
#define JSON_ARENA__ALIGN 16

struct json_arena {
    char *base;  /* the region: [base, base + size) */
    size_t size;
    size_t used; /* bytes handed out since the last reset */
    size_t heap; /* allocations that fell back to the heap during the current parse */
    int slot;    /* index in json_arena__regions */
};

#ifndef JSON_ARENA__OFF
/* The live regions, read by the free function on any thread: a region's
 * bounds are published before any value is allocated in it and withdrawn
 * only after every value in it is dead (json_arena_free's contract), so a
 * pointer a free is given is either inside a published region or never was. */
static struct {
    _Atomic uintptr_t lo, hi; /* hi == 0: slot free */
} json_arena__regions[JSON_ARENA_MAX];

static pthread_mutex_t json_arena__lock = PTHREAD_MUTEX_INITIALIZER; /* slot claims */
static pthread_once_t json_arena__once = PTHREAD_ONCE_INIT;
static _Thread_local struct json_arena *json_arena__current; /* set by json_arena_loadb */

static bool json_arena__owns(const void *p)
{
    uintptr_t u = (uintptr_t)p;
    for (int i = 0; i < JSON_ARENA_MAX; i++) {
        uintptr_t hi = atomic_load_explicit(&json_arena__regions[i].hi, memory_order_acquire);
        if (hi && u < hi && u >= atomic_load_explicit(&json_arena__regions[i].lo,
                                                      memory_order_relaxed))
            return true;
    }
    return false;
}

static void *json_arena__malloc(size_t n)
{
    struct json_arena *a = json_arena__current;
    if (a) {
        size_t need = (n + JSON_ARENA__ALIGN - 1) & ~(size_t)(JSON_ARENA__ALIGN - 1);
        if (need >= n && need <= a->size - a->used) {
            void *p = a->base + a->used;
            a->used += need;
            return p;
        }
        a->heap++;
    }
    return malloc(n);
}

static void json_arena__free(void *p)
{
    if (p && !json_arena__owns(p))
        free(p);
}

static void json_arena__install(void)
{
    json_set_alloc_funcs(json_arena__malloc, json_arena__free);
}
#endif

ips_status json_arena_new(size_t reserve, struct json_arena **out)
{
    *out = NULL;
#ifdef JSON_ARENA__OFF
    (void)reserve;
    return IPS_ERR_INTERNAL;
#else
    long page = sysconf(_SC_PAGESIZE);
    size_t pg = page > 0 ? (size_t)page : 4096;
    size_t size = (reserve + pg - 1) / pg * pg;
    if (size == 0 || size < reserve)
        return IPS_ERR_NOMEM;
    struct json_arena *a = calloc(1, sizeof *a);
    if (!a)
        return IPS_ERR_NOMEM;
    a->base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
    if (a->base == MAP_FAILED) {
        free(a);
        return IPS_ERR_NOMEM;
    }
    a->size = size;
    a->slot = -1;
    pthread_mutex_lock(&json_arena__lock);
    for (int i = 0; i < JSON_ARENA_MAX && a->slot < 0; i++) {
        if (atomic_load_explicit(&json_arena__regions[i].hi, memory_order_relaxed) == 0) {
            a->slot = i;
            atomic_store_explicit(&json_arena__regions[i].lo, (uintptr_t)a->base,
                                  memory_order_relaxed);
            atomic_store_explicit(&json_arena__regions[i].hi, (uintptr_t)a->base + size,
                                  memory_order_release);
        }
    }
    pthread_mutex_unlock(&json_arena__lock);
    if (a->slot < 0) {
        munmap(a->base, size);
        free(a);
        return IPS_ERR_NOMEM;
    }
    pthread_once(&json_arena__once, json_arena__install);
    *out = a;
    return IPS_OK;
#endif
}

void json_arena_reset(struct json_arena *a)
{
    a->used = 0;
}

void json_arena_free(struct json_arena *a)
{
    if (!a)
        return;
#ifndef JSON_ARENA__OFF
    pthread_mutex_lock(&json_arena__lock);
    atomic_store_explicit(&json_arena__regions[a->slot].hi, 0, memory_order_release);
    atomic_store_explicit(&json_arena__regions[a->slot].lo, 0, memory_order_relaxed);
    pthread_mutex_unlock(&json_arena__lock);
#endif
    munmap(a->base, a->size);
    free(a);
}

json_t *json_arena_loadb(struct json_arena *a, const char *text, size_t len, size_t flags,
                         json_error_t *err, bool *whole)
{
#ifdef JSON_ARENA__OFF
    (void)a; /* never made: json_arena_new fails */
    *whole = false;
    return json_fast_loadb(text, len, flags, err);
#else
    json_arena__current = a;
    a->heap = 0;
    json_t *v = json_fast_loadb(text, len, flags, err);
    json_arena__current = NULL;
    *whole = a->heap == 0;
    return v;
#endif
}
