/*
 * demo_brands.h — the right-holder part of `iprshield demo seed` (--brands N).
 * Defined in demo_brands.c.
 */
#ifndef IPS_CLI_DEMO_BRANDS_H
#define IPS_CLI_DEMO_BRANDS_H

#include "access/access.h"

#define DEMO_BRANDS_MAX 5000L /* simple-icons has about 3,500 */

/*
 * `demo seed --brands N`: run scripts/gen-demo-brands.mjs (node) into a
 * temporary directory and, for each of the N real brands it writes (from the
 * npm package simple-icons), make sure there is
 *   - a right-holder organisation named after the brand (created by the
 *     system principal, so it needs no application and counts as approved);
 *   - a verified trademark: mark text = brand name, office, registration
 *     number, Nice classes and dates from the generator, the certificate a
 *     generated one-page PDF, and the logo rendered to PNG by rsvg-convert;
 *   - a protection profile with the brand name as a term (with its real
 *     aliases as variants) and the logo as an official image.
 * ctx acts as the system principal (cli_ctx_init); everything goes through
 * the rights and profile domain functions. Idempotent: pieces already there
 * are left alone, so a second run adds nothing. When rsvg-convert is missing
 * it says so once and registers the brands without logos.
 *
 * Returns an exit code: 0 when every brand is complete; 4 when some brand
 * could not be completed (each one named on stderr; the others are done);
 * 5 when node, the script or the database fail. A summary goes to stderr.
 */
int cli_demo_brands(struct ips_ctx *ctx, long brands);

#endif
