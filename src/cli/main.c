/*
 * main.c — the iprshield command: dispatch to subcommands.
 * No exit() below main: every subcommand returns its exit code.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} commands[] = {
    {"serve", cmd_serve, "serve the portal and the JSON API"},
    {"db", cmd_db, "database tasks (migrate, version)"},
    {"user", cmd_user, "manage users (add, unlock)"},
    {"token", cmd_token, "manage API tokens (create)"},
    {"demo", cmd_demo, "demo data (seed, generate)"},
    {"audit", cmd_audit, "audit log tasks (verify)"},
    {"ledger", cmd_ledger, "original-work ledger (register, key, check, verify, consistency, prior-art)"},
    {"import", cmd_import, "import the catalog from JSON Lines (listings, sellers)"},
    {"scan", cmd_scan, "scan listings against protection profiles (batch, no database)"},
    {"scan-worker", cmd_scanworker, "judge listing versions from the NATS JetStream work queue"},
    {"hash", cmd_hash, "perceptual image hashes (pdq)"},
    {"eval", cmd_eval, "detection quality: precision and recall against labels"},
    {"rights", cmd_rights, "the rights registry (list, decide)"},
    {"notices", cmd_notices, "notice and action (submit, e.g. a CSV of listings)"},
    {"evidence", cmd_evidence, "referral evidence archives (verify offline, export)"},
    {"enforce", cmd_enforce, "strikes, penalties and seller networks (show, strike, ban, rebuild)"},
    {"routes", cmd_routes, "print the API's route table (--json)"},
    {"report", cmd_report, "reports (metrics, transparency, statements: the DSA export)"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: iprshield COMMAND [OPTIONS]\n\n"
               "iprshield protects intellectual property rights on online marketplaces:\n"
               "right holders, the platform and law enforcement work one closed loop.\n\n"
               "Commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "  %-8s %s\n", "version", "print the version");
    fprintf(f, "  %-8s %s\n\n", "help", "show this help");
    fprintf(f, "Run 'iprshield COMMAND --help' for a command's options.\n\n");
    config_print_help(f);
    fprintf(f, "\nExit codes: 0 success; 1 a check failed (e.g. a broken audit chain);\n"
               "2 usage error; 3 not found; 4 invalid input or conflict; 5 I/O, database\n"
               "or out of memory; 6 not permitted; 7 throttled.\n");
}

int main(int argc, char **argv)
{
    if (sodium_init() < 0) {
        fprintf(stderr, "iprshield: libsodium failed to initialise\n");
        return 5;
    }
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
        printf("iprshield %s\n", IPRSHIELD_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(cmd, commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "iprshield: unknown command '%s'\n\n", cmd);
    usage(stderr);
    return 2;
}
