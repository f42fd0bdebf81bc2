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
#include <stdio.h>

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
    "  --db PATH          database file, or a postgres:// URL (env IPRSHIELD_DB;\n"    \
    "                     default ./var/iprshield.db)\n"                               \
    "  --config FILE      settings file (env IPRSHIELD_CONFIG)\n"                     \
    "  --log-level LEVEL  debug, info, warn, error or off (env IPRSHIELD_LOG_LEVEL)\n" \
    "  -h, --help         show this help\n"

/* A subcommand's handler for its own options (c is getopt_long's value).
 * Returns 0 to go on, or an exit code (2 after printing why). */
typedef int (*cli_opt_fn)(int c, const char *arg, void *state);

#define CLI_CONTINUE (-1)

/* Load settings, then parse argv (argv[0] is the command word) with opts,
 * which end with CLI_COMMON_OPTIONS and a zero row. Common options go to
 * cfg, the others to fn (NULL when the command has none). OUT *first_arg:
 * index in argv of the first positional argument; pass NULL when the command
 * takes none (extra arguments are then a usage error). Returns CLI_CONTINUE
 * to run the command, or an exit code: 0 after --help, 2 for a usage error.
 * On every return but CLI_CONTINUE, cfg has been released.
 * cfg may be NULL for a command that uses no settings (no database, e.g.
 * `hash`, `scan`): nothing is loaded, and opts then ends with
 * {"help", no_argument, 0, 'h'} and a zero row instead of CLI_COMMON_OPTIONS. */
int cli_begin(int argc, char **argv, const struct option *opts, struct config *cfg,
              cli_opt_fn fn, void *state, void (*usage)(FILE *), int *first_arg);

/* For "iprshield CMD SUB ...": CLI_CONTINUE when argv[1] is sub; otherwise
 * prints usage (to stdout with exit 0 for --help, else stderr and 2). */
int cli_subcommand(int argc, char **argv, const char *sub, void (*usage)(FILE *));
/* Like cli_subcommand for a command with several subcommands: subs is a
 * NULL-terminated list; OUT *which: the index in subs of argv[1] (set only
 * when CLI_CONTINUE is returned; may be NULL). */
int cli_subcommand_pick(int argc, char **argv, const char *const *subs, void (*usage)(FILE *),
                        int *which);

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

/*
 * A command's session as the system operator: the open, migrated database
 * and a domain context over it (see cli_ctx_init). Owns store and
 * ctx.errors; cli_session_close releases both. ctx.actor points at sys, so
 * the session must not be copied or moved once open.
 */
struct cli_session {
    struct store *store;
    struct ips_ctx ctx;
    struct access_principal sys;
};

/* Open cfg's database as cli_store_open does (creating its directory and
 * migrating it) and build the system context over it. cfg must outlive the
 * session. Returns IPS_OK, or a status after printing why; on failure the
 * session holds nothing and cli_session_close on it is a no-op. */
ips_status cli_session_open(const struct config *cfg, struct cli_session *sess);
/* Like cli_session_open, for an existing database that is opened as it is
 * (not created, not migrated): prints "cannot open the database" on failure. */
ips_status cli_session_open_existing(const struct config *cfg, struct cli_session *sess);
/* Release the context's error list and close the database. Safe on a
 * session whose open failed, and twice. */
void cli_session_close(struct cli_session *sess);
/* Print the validation errors collected in ctx->errors to stderr, one
 * "  <field> <message>" line each (nothing when there are none). */
void cli_print_errors(const struct ips_ctx *ctx);

int cmd_serve(int argc, char **argv);
int cmd_db(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_ledger(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_scan(int argc, char **argv);
int cmd_hash(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_rights(int argc, char **argv);
int cmd_notices(int argc, char **argv);
int cmd_evidence(int argc, char **argv);
int cmd_enforce(int argc, char **argv);
int cmd_routes(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_scanworker(int argc, char **argv);

#endif
