/* cmd_scanworker.c — `iprshield scan-worker`: distributed scanning on NATS
 * JetStream (src/scanq/scanq.h). */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "scanq/scanq.h"
#include "store/store_scanq.h"

struct worker_cli {
    struct config *cfg;
    struct scanq_worker_opts o;
    char name[64];
    bool status;
};

static volatile sig_atomic_t worker_stop;

static void worker_signal(int sig)
{
    (void)sig;
    worker_stop = 1;
}

static void worker_usage(FILE *f)
{
    fprintf(f,
            "usage: iprshield scan-worker --nats URL[,URL...] [--db PATH] [--name NAME]\n"
            "                             [--batch N] [--ack-wait SECONDS]\n"
            "       iprshield scan-worker --status [--db PATH]\n\n"
            "Consume the listing versions the server publishes to the NATS JetStream work\n"
            "queue (stream " SCANQ_STREAM ", durable consumer " SCANQ_CONSUMER "), judge each\n"
            "with the current detection rules and store one verdict per listing version.\n"
            "Run any number of workers; a redelivered event never yields a second verdict.\n"
            "Stops on SIGINT or SIGTERM after the batch in hand.\n\n"
            "Options:\n"
            "  --nats URLS        NATS servers, comma-separated (env IPRSHIELD_NATS_URL)\n"
            "  --name NAME        worker name in logs and rules acknowledgements (default scan-worker-PID)\n"
            "  --batch N          events judged per transaction, 1-%d (default 256)\n"
            "  --ack-wait SECONDS before an unacknowledged event is redelivered (default 30;\n"
            "                     set by the worker that creates the consumer, kept after)\n"
            "  --status           print the queue's counts as JSON and exit: outbox (not yet\n"
            "                     published), versions, missing (versions without a verdict),\n"
            "                     duplicates (versions judged twice under one rules version)\n" CLI_COMMON_HELP,
            SCANQ_BATCH_MAX);
}

static int worker_option(int c, const char *arg, void *state)
{
    struct worker_cli *w = state;
    char err[256];
    char *end = NULL;
    long v;
    switch (c) {
    case 'n':
        if (config_set(w->cfg, "nats_url", arg, err, sizeof err) != IPS_OK) {
            fprintf(stderr, "iprshield: %s\n", err);
            return 2;
        }
        return 0;
    case 'N':
        snprintf(w->name, sizeof w->name, "%s", arg);
        return 0;
    case 's':
        w->status = true;
        return 0;
    case 'b':
    case 'a':
        v = strtol(arg, &end, 10);
        if (!*arg || *end || v < 1 || v > (c == 'b' ? SCANQ_BATCH_MAX : 3600)) {
            fprintf(stderr, "iprshield: --%s: out of range: %s\n",
                    c == 'b' ? "batch" : "ack-wait", arg);
            return 2;
        }
        if (c == 'b')
            w->o.batch = (int)v;
        else
            w->o.ack_wait_s = (int)v;
        return 0;
    default:
        return 2;
    }
}

static int worker_status(const struct config *cfg)
{
    struct cli_session sess;
    struct store_scanq_status q;
    ips_status st = cli_session_open_existing(cfg, &sess);
    if (st)
        return ips_status_exit_code(st);
    st = store_scanq_status(sess.store, &q);
    cli_session_close(&sess);
    if (st)
        return cli_fail("scan-worker --status", st, NULL);
    printf("{\"outbox\":%" PRId64 ",\"versions\":%" PRId64 ",\"missing\":%" PRId64
           ",\"duplicates\":%" PRId64 "}\n",
           q.outbox, q.versions, q.missing, q.duplicates);
    return 0;
}

int cmd_scanworker(int argc, char **argv)
{
    struct config cfg;
    struct worker_cli w = {.cfg = &cfg, .o = {.batch = 256, .ack_wait_s = 30}};
    static const struct option opts[] = {{"nats", required_argument, 0, 'n'},
                                         {"name", required_argument, 0, 'N'},
                                         {"batch", required_argument, 0, 'b'},
                                         {"ack-wait", required_argument, 0, 'a'},
                                         {"status", no_argument, 0, 's'},
                                         CLI_COMMON_OPTIONS,
                                         {0, 0, 0, 0}};
    int rc = cli_begin(argc, argv, opts, &cfg, worker_option, &w, worker_usage, NULL);
    if (rc != CLI_CONTINUE)
        return rc;
    if (w.status) {
        rc = worker_status(&cfg);
        config_release(&cfg);
        return rc;
    }
    if (!cfg.nats_url || !cfg.nats_url[0]) {
        fprintf(stderr, "iprshield: scan-worker needs --nats URL (or IPRSHIELD_NATS_URL)\n");
        config_release(&cfg);
        return 2;
    }
    if (!w.name[0])
        snprintf(w.name, sizeof w.name, "scan-worker-%ld", (long)getpid());
    w.o.name = w.name;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = worker_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    ips_status st = scanq_worker_run(&cfg, &w.o, &worker_stop);
    config_release(&cfg);
    return st ? cli_fail("scan-worker", st, NULL) : 0;
}
