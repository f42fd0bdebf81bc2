/* cmd_enforce.c — `iprshield enforce show|strike|ban|rebuild`: a seller's
 * enforcement record, a strike or a network ban by the operator, and the
 * bulk rebuild of seller networks (src/enforce/enforce.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "enforce/enforce.h"

static void enforce_usage(FILE *f)
{
    fprintf(f, "usage: iprshield enforce show SELLER_ORG_ID [--db PATH]\n"
               "       iprshield enforce strike SELLER_ORG_ID --reason TEXT [--listing ID]\n"
               "       iprshield enforce ban SELLER_ORG_ID --reason TEXT\n"
               "       iprshield enforce rebuild\n\n"
               "Repeat-infringer enforcement and counterfeit networks.\n"
               "  show     print the seller's strikes, penalty level and history (JSON)\n"
               "  strike   add a strike (source: operator) and apply the escalation\n"
               "  ban      ban the seller's network: every member is terminated\n"
               "  rebuild  recompute every seller network from the identifier hashes\n"
               "           (union-find; once after upgrading a database from before 0008)\n\n"
               "Escalation thresholds: enforce_*_strikes settings (iprshield serve --help).\n\n"
               "Options:\n"
               "  --reason TEXT      why (1-300 bytes; shown to the seller)\n"
               "  --listing ID       the listing concerned by a strike\n" CLI_COMMON_HELP);
}

struct enforce_cli_opts {
    const char *reason, *listing;
};

static int enforce_cli_opt(int c, const char *arg, void *state)
{
    struct enforce_cli_opts *o = state;
    if (c == 1)
        o->reason = arg;
    else if (c == 2)
        o->listing = arg;
    else
        return 2;
    return 0;
}

static int enforce_cli_run(struct cli_session *sess, const char *sub, const char *seller,
                           const struct enforce_cli_opts *o)
{
    struct ips_ctx *ctx = &sess->ctx;
    ips_status st;
    if (!strcmp(sub, "rebuild")) {
        struct enforce_rebuild_stats stats;
        if ((st = enforce_networks_rebuild(ctx, &stats)))
            return cli_fail("cannot rebuild the networks", st, ctx->detail);
        printf("networks rebuilt: %lld identifiers, %lld sellers, %lld clusters, %lld "
               "sellers relabelled\n",
               (long long)stats.identifiers, (long long)stats.sellers, (long long)stats.clusters,
               (long long)stats.relabelled);
        return 0;
    }
    if (!strcmp(sub, "strike")) {
        char id[ID_SIZE];
        st = enforce_strike_add(ctx, seller, o->listing, o->reason, "operator", "cli", id);
        if (st) {
            cli_print_errors(ctx);
            return cli_fail("cannot add the strike", st, ctx->detail);
        }
        printf("strike %s added\n", id);
    } else if (!strcmp(sub, "ban")) {
        char nid[ID_SIZE];
        st = enforce_network_ban(ctx, seller, o->reason, "operator", "cli", nid);
        if (st) {
            cli_print_errors(ctx);
            return cli_fail("cannot ban the network", st, ctx->detail);
        }
        printf("network %s banned\n", nid);
    }
    json_t *rec = NULL;
    if ((st = enforce_seller_get(ctx, seller, &rec)))
        return cli_fail("cannot read the seller's enforcement record", st, ctx->detail);
    char *text = json_dumps(rec, JSON_INDENT(2));
    json_decref(rec);
    if (!text)
        return cli_fail("cannot print the record", IPS_ERR_NOMEM, NULL);
    printf("%s\n", text);
    free(text);
    return 0;
}

int cmd_enforce(int argc, char **argv)
{
    static const char *const subs[] = {"show", "strike", "ban", "rebuild", NULL};
    int rc = cli_subcommand_pick(argc, argv, subs, enforce_usage, NULL);
    if (rc != CLI_CONTINUE)
        return rc;
    const char *sub = argv[1];
    static const struct option opts[] = {{"reason", required_argument, 0, 1},
                                         {"listing", required_argument, 0, 2},
                                         CLI_COMMON_OPTIONS,
                                         {0, 0, 0, 0}};
    struct config cfg;
    struct enforce_cli_opts o = {NULL, NULL};
    int first = 0;
    rc = cli_begin(argc - 1, argv + 1, opts, &cfg, enforce_cli_opt, &o, enforce_usage, &first);
    if (rc != CLI_CONTINUE)
        return rc;
    int nargs = argc - 1 - first;
    bool rebuild = !strcmp(sub, "rebuild");
    if (nargs != (rebuild ? 0 : 1) || (!strcmp(sub, "show") && (o.reason || o.listing))) {
        enforce_usage(stderr);
        config_release(&cfg);
        return 2;
    }
    struct cli_session sess;
    ips_status st = cli_session_open(&cfg, &sess);
    if (st) {
        rc = ips_status_exit_code(st);
    } else {
        rc = enforce_cli_run(&sess, sub, rebuild ? NULL : argv[1 + first], &o);
        cli_session_close(&sess);
    }
    config_release(&cfg);
    return rc;
}
