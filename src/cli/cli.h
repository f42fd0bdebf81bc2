/*
 * cli.h — what the iprshield subcommands share: common flags, opening the
 * database, reporting a status on stderr and turning it into an exit code.
 *
 * Exit codes (also in `iprshield --help`): 0 success; 1 a check failed (e.g.
 * `audit verify` found a broken chain); 2 usage error; 3 not found;
 * 4 invalid input or conflict; 5 I/O, database or out of memory;
 * 6 not permitted; 7 throttled.
 */
#ifndef IPS_CLI_CLI_H
#define IPS_CLI_CLI_H

#include <getopt.h>
#include <stdbool.h>

#include "access/access.h"
#include "core/config.h"
#include "store/store.h"

/* Long options every data-touching subcommand takes, to append to its own. */
#define CLI_COMMON_OPTIONS                                 \
    {"db", required_argument, 0, 1000},                    \
    {"config", required_argument, 0, 1001},                \
    {"log-level", required_argument, 0, 1002},             \
    {"help", no_argument, 0, 'h'}

#define CLI_COMMON_HELP                                                          \
    "  --db PATH          database file (env IPRSHIELD_DB; default ./var/iprshield.db)\n" \
    "  --config FILE      settings file (env IPRSHIELD_CONFIG)\n"                     \
    "  --log-level LEVEL  debug, info, warn, error or off (env IPRSHIELD_LOG_LEVEL)\n" \
    "  -h, --help         show this help\n"

/* Handle a common option (c from getopt_long). Returns 1 if handled, 0 if
 * not a common option, -1 on a bad value (message printed). */
int cli_common_option(int c, const char *arg, struct config *cfg);
/* Load settings from file and environment; prints and returns exit code 2 on error. */
int cli_config_load(struct config *cfg);
/* Create the database's directory when missing, open and migrate it.
 * OUT *applied (may be NULL): migrations applied now. Prints a message and
 * returns a non-OK status on failure. */
ips_status cli_store_open(const struct config *cfg, struct store **out, int *applied);
/* Print "iprshield: <what>: <message>[: detail]" and return the exit code. */
int cli_fail(const char *what, ips_status st, const char *detail);
/* A domain context for the command-line operator (the system principal). */
void cli_ctx_init(struct ips_ctx *ctx, struct access_principal *p, struct store *s,
                  const struct config *cfg);

int cmd_serve(int argc, char **argv);
int cmd_db(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_audit(int argc, char **argv);

#endif
