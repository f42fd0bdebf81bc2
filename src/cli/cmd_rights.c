/* cmd_rights.c — `iprshield rights list` and `iprshield rights decide`: the
 * rights registry for administrators, acting as the system principal. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "rights/rights.h"

static void rights_usage(FILE *f)
{
    fprintf(f, "usage: iprshield rights list [--status S] [--kind K] [--org ID] [--json] [--db PATH]\n"
               "       iprshield rights decide ID (--verify | --reject) --reason TEXT [--db PATH]\n\n"
               "The rights registry (trademarks, copyrights, design patents).\n\n"
               "Subcommands:\n"
               "  list      print rights, oldest first: one line each, or JSON Lines with --json\n"
               "  decide    verify or reject a pending right, with a reason (audited as system)\n\n"
               "Run 'iprshield rights SUBCOMMAND --help' for its options.\n");
}

static void list_usage(FILE *f)
{
    fprintf(f, "usage: iprshield rights list [--status S] [--kind K] [--org ID] [--json] [--db PATH]\n\n"
               "Print every right matching the filters, oldest first. Columns: id, kind,\n"
               "effective status, owner organisation, valid_to, mark text or title.\n\n"
               "Options:\n"
               "  --status S         pending, verified, rejected or expired (the effective\n"
               "                     status: a right past its valid_to is expired)\n"
               "  --kind K           trademark, copyright or design_patent\n"
               "  --org ID           only the rights owned by this organisation\n"
               "  --json             one JSON object per line (JSON Lines)\n" CLI_COMMON_HELP);
}

static void decide_usage(FILE *f)
{
    fprintf(f, "usage: iprshield rights decide ID (--verify | --reject) --reason TEXT [--db PATH]\n\n"
               "Verify or reject a pending right. The reason (1-500 bytes) is stored with\n"
               "the decision and in the audit log. Prints the right's new status.\n\n"
               "Options:\n"
               "  --verify           the certificate checks out: the right becomes citable\n"
               "  --reject           the right is refused\n"
               "  --reason TEXT      why (required)\n" CLI_COMMON_HELP);
}

struct list_args {
    const char *status, *kind, *org;
    bool json;
};

static int list_option(int c, const char *arg, void *state)
{
    struct list_args *a = state;
    switch (c) {
    case 's': a->status = arg; break;
    case 'k': a->kind = arg; break;
    case 'o': a->org = arg; break;
    case 'j': a->json = true; break;
    default: return 2;
    }
    return 0;
}

struct list_state {
    bool json;
    long count;
    char last[ID_SIZE];
};

/* rights_right_cb: print one right. */
static ips_status list_print(const struct rights_right *r, void *arg)
{
    struct list_state *ls = arg;
    const struct store_right *x = &r->rec;
    const char *name = x->mark_text[0] ? x->mark_text : x->title;
    if (ls->json) {
        json_t *v = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id", x->id,
                              "kind", x->kind, "status", x->status, "status_effective",
                              r->status_effective, "org_id", x->org_id, "name", name,
                              "registration_number",
                              x->patent_number[0] ? x->patent_number : x->registration_number,
                              "valid_from", x->valid_from, "valid_to", x->valid_to);
        char *text = v ? json_dumps(v, JSON_COMPACT) : NULL;
        json_decref(v);
        if (!text)
            return IPS_ERR_NOMEM;
        printf("%s\n", text);
        free(text);
    } else {
        printf("%s  %-13s  %-8s  %s  %-10s  %s\n", x->id, x->kind, r->status_effective,
               x->org_id, x->valid_to[0] ? x->valid_to : "-", name);
    }
    memcpy(ls->last, x->id, sizeof ls->last);
    ls->count++;
    return IPS_OK;
}

static int rights_list_run(int argc, char **argv)
{
    struct config cfg;
    static const struct option opts[] = {{"status", required_argument, 0, 's'},
                                         {"kind", required_argument, 0, 'k'},
                                         {"org", required_argument, 0, 'o'},
                                         {"json", no_argument, 0, 'j'},
                                         CLI_COMMON_OPTIONS,
                                         {0, 0, 0, 0}};
    struct list_args a = {0};
    int rc = cli_begin(argc, argv, opts, &cfg, list_option, &a, list_usage, NULL);
    if (rc != CLI_CONTINUE)
        return rc;
    rc = 0;
    struct cli_session sess;
    ips_status st = cli_session_open(&cfg, &sess);
    if (st) {
        rc = ips_status_exit_code(st);
        goto out_cfg;
    }
    struct store_right_filter f = {a.status, a.kind, a.org, NULL, NULL};
    struct list_state ls = {a.json, 0, ""};
    /* page through everything; each page is its own short read */
    for (;;) {
        long before = ls.count;
        st = rights_right_list(&sess.ctx, &f, ls.last[0] ? ls.last : NULL, 200, list_print, &ls);
        if (st || ls.count - before < 200)
            break;
    }
    if (st) {
        rc = cli_fail("cannot list the rights", st, sess.ctx.detail);
        cli_print_errors(&sess.ctx);
    } else if (!a.json) {
        fprintf(stderr, "%ld right%s\n", ls.count, ls.count == 1 ? "" : "s");
    }
    cli_session_close(&sess);
out_cfg:
    config_release(&cfg);
    return rc;
}

struct decide_args {
    int verdict; /* 0 unset, 1 verify, 2 reject, 3 both (usage error) */
    const char *reason;
};

static int decide_option(int c, const char *arg, void *state)
{
    struct decide_args *a = state;
    switch (c) {
    case 'v': a->verdict |= 1; break;
    case 'x': a->verdict |= 2; break;
    case 'r': a->reason = arg; break;
    default: return 2;
    }
    return 0;
}

static int rights_decide_run(int argc, char **argv)
{
    struct config cfg;
    static const struct option opts[] = {{"verify", no_argument, 0, 'v'},
                                         {"reject", no_argument, 0, 'x'},
                                         {"reason", required_argument, 0, 'r'},
                                         CLI_COMMON_OPTIONS,
                                         {0, 0, 0, 0}};
    struct decide_args a = {0, NULL};
    int first = 0;
    int rc = cli_begin(argc, argv, opts, &cfg, decide_option, &a, decide_usage, &first);
    if (rc != CLI_CONTINUE)
        return rc;
    rc = 0;
    if (first != argc - 1 || (a.verdict != 1 && a.verdict != 2) || !a.reason) {
        fprintf(stderr, "iprshield rights decide: give one ID, one of --verify or --reject, "
                        "and --reason\n");
        decide_usage(stderr);
        rc = 2;
        goto out_cfg;
    }
    const char *id = argv[first];
    struct cli_session sess;
    ips_status st = cli_session_open(&cfg, &sess);
    if (st) {
        rc = ips_status_exit_code(st);
        goto out_cfg;
    }
    struct rights_right *r = malloc(sizeof *r);
    st = r ? rights_right_decide(&sess.ctx, id, a.verdict == 1, a.reason, r) : IPS_ERR_NOMEM;
    if (st) {
        rc = cli_fail("cannot decide the right", st,
                      st == IPS_ERR_NOT_FOUND ? id : sess.ctx.detail);
        cli_print_errors(&sess.ctx);
    } else {
        printf("%s %s (%s)\n", r->rec.id, r->rec.status, r->status_effective);
    }
    free(r);
    cli_session_close(&sess);
out_cfg:
    config_release(&cfg);
    return rc;
}

int cmd_rights(int argc, char **argv)
{
    static const char *const subs[] = {"list", "decide", NULL};
    int which = 0;
    int rc = cli_subcommand_pick(argc, argv, subs, rights_usage, &which);
    if (rc != CLI_CONTINUE)
        return rc;
    return which == 0 ? rights_list_run(argc - 1, argv + 1)
                      : rights_decide_run(argc - 1, argv + 1);
}
