/*
 * id.h — sortable unique identifiers.
 *
 * An id is 26 characters of Crockford base32: 48 bits of UTC milliseconds
 * followed by 80 random bits (libsodium randombytes), the ULID layout. Ids
 * made later sort after ids made earlier (to the millisecond), so they serve
 * as cursor keys; within one process ids made in the same millisecond still
 * increase, because the random part is incremented rather than redrawn.
 */
#ifndef IPS_CORE_ID_H
#define IPS_CORE_ID_H

#include <stdbool.h>
#include <stddef.h>

#define ID_LEN 26
#define ID_SIZE (ID_LEN + 1)

/* Write a new id and NUL into out[ID_SIZE]. Thread-safe. */
void id_new(char out[ID_SIZE]);
/* True when s is exactly 26 valid upper-case Crockford base32 characters. */
bool id_is_valid(const char *s);

#endif
