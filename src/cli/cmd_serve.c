/* cmd_serve.c — `iprshield serve`. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "http/http.h"
#include "ledger/ledger.h"
#include "scanq/scanq.h"
#include "store/store.h"

static void serve_usage(FILE *f)
{
    fprintf(f, "usage: iprshield serve [--db PATH] [--listen HOST:PORT] [--threads N] [--nats URLS]\n\n"
               "Create and migrate the database if needed, then serve the portal at / and\n"
               "the JSON API under /api/v1 until SIGINT or SIGTERM. Logs are JSON lines on\n"
               "stderr; the 'listening' line gives the bound address (port 0 = any free).\n\n"
               "Options:\n"
               "  --listen HOST:PORT address to listen on (env IPRSHIELD_LISTEN; default 127.0.0.1:8080)\n"
               "  --threads N        requests served at once, each on a database connection of\n"
               "                     its own, 1-64 (env IPRSHIELD_THREADS; default 32); every\n"
               "                     client connection has a thread\n"
               "  --nats URLS        NATS servers, comma-separated (env IPRSHIELD_NATS_URL): listing\n"
               "                     versions go to the JetStream work queue for `scan-worker`s\n"
               "                     instead of being scanned inside the write\n"
               CLI_COMMON_HELP);
}

static int serve_option(int c, const char *arg, void *state)
{
    char err[256];
    const char *key = c == 'l' ? "listen" : c == 'n' ? "nats_url" : "threads";
    if (config_set(state, key, arg, err, sizeof err) != IPS_OK) {
        fprintf(stderr, "iprshield: %s\n", err);
        return 2;
    }
    return 0;
}

int cmd_serve(int argc, char **argv)
{
    struct config cfg;
    static const struct option opts[] = {{"listen", required_argument, 0, 'l'},
                                         {"threads", required_argument, 0, 't'},
                                         {"nats", required_argument, 0, 'n'},
                                         CLI_COMMON_OPTIONS,
                                         {0, 0, 0, 0}};
    int rc = cli_begin(argc, argv, opts, &cfg, serve_option, &cfg, serve_usage, NULL);
    if (rc != CLI_CONTINUE)
        return rc;
    rc = 0;
    struct cli_session sess;
    ips_status st = cli_session_open(&cfg, &sess); /* creates the directory, migrates */
    if (st) {
        rc = ips_status_exit_code(st);
        goto out;
    }
    /* The ledger's key is created at first start, and its stored tree
     * checked against the last checkpoint; a failed check is logged and
     * makes the ledger routes answer 500 (ledger.h), nothing else. */
    ledger_startup(&sess.ctx);
    cli_session_close(&sess);
    if ((st = scanq_publisher_start(&cfg)) == IPS_OK) {
        st = http_serve(&cfg);
        scanq_publisher_stop();
    }
    rc = st ? ips_status_exit_code(st) : 0;
out:
    config_release(&cfg);
    return rc;
}
