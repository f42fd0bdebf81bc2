/* cmd_audit.c — `iprshield audit verify`. */
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "cli/cli.h"

static void audit_usage(FILE *f)
{
    fprintf(f, "usage: iprshield audit verify [--db PATH]\n\n"
               "Recompute the audit log's hash chain from the first event. Exit status 0\n"
               "when it is intact; 1 when it is broken, naming the first broken event.\n\n"
               "Options:\n" CLI_COMMON_HELP);
}

int cmd_audit(int argc, char **argv)
{
    int rc = cli_subcommand(argc, argv, "verify", audit_usage);
    if (rc != CLI_CONTINUE)
        return rc;
    struct config cfg;
    static const struct option opts[] = {CLI_COMMON_OPTIONS, {0, 0, 0, 0}};
    rc = cli_begin(argc - 1, argv + 1, opts, &cfg, NULL, NULL, audit_usage, NULL);
    if (rc != CLI_CONTINUE)
        return rc;
    rc = 0;
    struct cli_session sess;
    ips_status st = cli_session_open_existing(&cfg, &sess);
    if (st) {
        rc = ips_status_exit_code(st);
        goto out_cfg;
    }
    struct audit_verify_result res;
    st = access_audit_verify(&sess.ctx, &res);
    if (st == IPS_OK) {
        printf("audit chain intact: %lld events\n", (long long)res.events);
    } else if (st == IPS_ERR_INTEGRITY) {
        printf("audit chain BROKEN at event %lld: %s\n", (long long)res.first_broken_seq,
               res.reason);
        rc = 1;
    } else {
        rc = cli_fail("cannot read the audit log", st, NULL);
    }
    cli_session_close(&sess);
out_cfg:
    config_release(&cfg);
    return rc;
}
