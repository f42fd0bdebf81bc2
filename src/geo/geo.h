/*
 * geo.h — jurisdictions: ISO 3166-1 alpha-2 countries and ISO 3166-2
 * subdivisions (CN-GD, US-CA, DE-BY, ...).
 *
 * The table comes from the npm package iso-3166 (scripts/gen-jurisdictions.mjs
 * writes it as TSV at build time; CMake embeds it as embed_geo). It is parsed
 * once, on first use, into a sorted array searched with bsearch; after that
 * every function is a read-only lookup, safe from any thread.
 *
 * Codes are compared exactly (upper-case, as ISO writes them); callers that
 * accept lower-case input normalise first with geo_code_normalize.
 *
 * Ownership: returned strings point into the table, which lives until the
 * process exits; never free them.
 */
#ifndef IPS_GEO_GEO_H
#define IPS_GEO_GEO_H

#include <stdbool.h>
#include <stddef.h>

/* Longest code: "GB-ABC" style subdivisions are at most 6 bytes. */
#define GEO_CODE_MAX 6

/* True when code is a known country or subdivision code. */
bool geo_valid(const char *code);
/* True when code is a known ISO 3166-2 subdivision (not a country). */
bool geo_is_subdivision(const char *code);
/* The ISO 3166-1 alpha-2 country of a known code (itself for a country),
 * or NULL when code is unknown. */
const char *geo_country_of(const char *code);
/* The English (or romanised) name of a known code, or NULL when unknown. */
const char *geo_name(const char *code);
/* Number of codes in the table (0 if the embedded table could not be read). */
size_t geo_count(void);

/* Copy code into out[GEO_CODE_MAX + 1] upper-cased, trimming surrounding
 * spaces. Returns false (out untouched) when it does not fit or holds
 * characters other than letters, digits and '-'. */
bool geo_code_normalize(const char *code, char out[GEO_CODE_MAX + 1]);

#endif
