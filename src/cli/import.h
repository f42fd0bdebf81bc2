/*
 * import.h — the catalog import as other subcommands use it (`demo seed`
 * imports the generated demo catalog with it). Defined in cmd_import.c.
 */
#ifndef IPS_CLI_IMPORT_H
#define IPS_CLI_IMPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "catalog/catalog.h"

/*
 * Import the JSON Lines file path ("-" = standard input) into ctx's store.
 * Rejected lines go to errors as JSON Lines, or to stderr when errors is
 * NULL; batch <= 0 means the default; show_progress draws a progress bar on
 * stderr. OUT *stats (required): the counts.
 * Returns an exit code: 0 when the file was read to its end (some lines may
 * have been rejected: see stats->rejected), 5 for I/O and database failures,
 * others from the import's status.
 */
int cli_import_file(struct ips_ctx *ctx, enum catalog_import_kind kind, const char *path,
                    FILE *errors, int batch, bool show_progress,
                    struct catalog_import_stats *stats);

/*
 * `demo seed --sellers N --listings N`: generate a demo catalog with
 * scripts/gen-demo-catalog.mjs (node) in a temporary directory and import
 * it; the demo seller organisation owns some of the listings. Progress and a
 * summary go to stderr. Returns an exit code (0 on success; 5 when node or
 * the script is missing, or the import failed). Defined in demo_catalog.c.
 */
int cli_demo_catalog(struct ips_ctx *ctx, long sellers, long listings);

#endif
