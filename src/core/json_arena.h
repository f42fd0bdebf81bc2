/*
 * json_arena.h — jansson values bump-allocated in a region that is reset
 * as a whole, for bulk parsing (the catalog import's JSON Lines).
 *
 * Why: jansson allocates every object, table and string of a parsed line
 * separately (about a hundred malloc/free pairs for a listing line), and a
 * batch of thousands of lines is freed value by value; on the import's
 * parsing thread that was a fifth of its time (docs/benchmarks.md,
 * "Catalog import", stop 21). In an arena a value costs a pointer bump and
 * a batch is released by resetting one pointer.
 *
 * How: jansson's allocator (json_set_alloc_funcs, process-wide) is replaced
 * once by a pair that allocates in the calling thread's current arena while
 * json_arena_loadb runs, and from the heap otherwise; its free ignores
 * pointers inside a live arena's region and frees the others, so values
 * made elsewhere, before or after, keep working unchanged. A region is
 * reserved address space (mmap, no swap reserved) of a fixed size; when it
 * is full, values come from the heap again.
 *
 * Rules: a value parsed into an arena must not be referenced (json_incref,
 * json_object_set) from anything that outlives the arena's next reset;
 * when json_arena_loadb says the value is wholly in the arena it needs no
 * json_decref (resetting frees it), otherwise it must be json_decref'ed
 * before the reset. An arena is used by one thread at a time; values in it
 * may be read from other threads. Under AddressSanitizer arenas are not
 * used (json_arena_new fails), so the sanitised build checks the values'
 * lifetimes through the heap. At most JSON_ARENA_MAX arenas live at once.
 */
#ifndef IPS_CORE_JSON_ARENA_H
#define IPS_CORE_JSON_ARENA_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/status.h"

#define JSON_ARENA_MAX 8

struct json_arena;

/* A new arena of reserve bytes (rounded up to whole pages). Failure:
 * IPS_ERR_NOMEM (no address space, or JSON_ARENA_MAX live already),
 * IPS_ERR_INTERNAL under AddressSanitizer (arenas are off there); callers
 * then parse with json_fast_loadb into the heap. */
ips_status json_arena_new(size_t reserve, struct json_arena **out);

/* Forget every value in a (none may be used after this); a is reused. */
void json_arena_reset(struct json_arena *a);

/* Release a and its region (every value in it must be dead). NULL: nothing. */
void json_arena_free(struct json_arena *a);

/*
 * json_fast_loadb(text, len, flags, err) (core/json_fast.h) with the values
 * allocated in a.
 * OUT *whole: true when every value of the result is in a, so that it needs
 * no json_decref; false when a filled up during the parse (the result must
 * then be json_decref'ed before a is reset). Result: as json_fast_loadb.
 */
json_t *json_arena_loadb(struct json_arena *a, const char *text, size_t len, size_t flags,
                         json_error_t *err, bool *whole);

#endif
