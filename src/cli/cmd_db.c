/* cmd_db.c — `iprshield db migrate|version`. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static void db_usage(FILE *f)
{
    fprintf(f, "usage: iprshield db migrate [--db PATH]\n"
               "       iprshield db version [--db PATH]\n\n"
               "migrate  create the database if missing and apply every migration built\n"
               "         into this binary that it lacks (a no-op when up to date)\n"
               "version  print the database's schema version and the binary's latest\n\n"
               "Options:\n" CLI_COMMON_HELP);
}

int cmd_db(int argc, char **argv)
{
    bool migrate = argc >= 2 && strcmp(argv[1], "migrate") == 0;
    int rc = cli_subcommand(argc, argv, migrate ? "migrate" : "version", db_usage);
    if (rc != CLI_CONTINUE)
        return rc;
    struct config cfg;
    static const struct option opts[] = {CLI_COMMON_OPTIONS, {0, 0, 0, 0}};
    rc = cli_begin(argc - 1, argv + 1, opts, &cfg, NULL, NULL, db_usage, NULL);
    if (rc != CLI_CONTINUE)
        return rc;
    rc = 0;
    struct store *s = NULL;
    ips_status st;
    if (migrate) {
        int applied = 0, version = 0;
        st = cli_store_open(&cfg, &s, &applied);
        if (st) {
            rc = ips_status_exit_code(st);
            goto out;
        }
        store_schema_version(s, &version);
        printf("database %s at schema version %d (%d migration%s applied now)\n", cfg.db,
               version, applied, applied == 1 ? "" : "s");
    } else {
        st = store_open(cfg.db, &s);
        if (st) {
            rc = cli_fail("cannot open the database", st, cfg.db);
            goto out;
        }
        int v = 0;
        store_schema_version(s, &v);
        printf("schema version %d (this binary knows up to %d)\n", v, store_schema_latest());
    }
    store_close(s);
out:
    config_release(&cfg);
    return rc;
}
