/*
 * arena.h — request-scoped memory pool (after h2o_mem_pool_t).
 *
 * Allocations live until arena_release(), which frees them all in one call.
 * An arena has a hard maximum of bytes it will hand out; past it, allocation
 * returns NULL, so one request cannot eat the machine.
 *
 * Lifecycle: arena_init -> arena_alloc/arena_strdup ... -> arena_release
 * (which leaves the arena empty and reusable).
 */
#ifndef IPS_CORE_ARENA_H
#define IPS_CORE_ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena {
    struct arena_chunk *head;
    size_t used; /* bytes handed out, for the limit */
    size_t max;  /* hard maximum */
};

void arena_init(struct arena *a, size_t max);
/* Zeroed memory of n bytes aligned for any type, or NULL (limit or OOM). */
void *arena_alloc(struct arena *a, size_t n);
/* Copy of s (NULL gives NULL), or NULL on failure. */
char *arena_strdup(struct arena *a, const char *s);
/* Free everything; the arena may be used again. */
void arena_release(struct arena *a);

#endif
