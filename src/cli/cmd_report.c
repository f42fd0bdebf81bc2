/*
 * cmd_report.c — `iprshield report metrics|transparency|statements`: the
 * reporting layer (src/reports/reports.h) for the operator at the command
 * line, who acts as the system principal and so sees every org's numbers.
 * Output goes to stdout: JSON (metrics, transparency), CSV (transparency
 * --format csv) or NDJSON (statements, one DSA statement of reasons a line).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/json.h"
#include "reports/reports.h"

static void report_usage(FILE *f)
{
    fprintf(f,
            "usage: iprshield report metrics [--from T] [--to T] [--brand B] [--jurisdiction J]\n"
            "       iprshield report transparency [--from T] [--to T] [--format json|csv]\n"
            "       iprshield report statements [--from T] [--to T] [--brand B] [--jurisdiction J]\n\n"
            "Numbers of a period [from, to) computed from the database:\n"
            "  metrics       every metric as JSON: notices by kind and fast track, time to\n"
            "                action (median, p90), takedowns, counter-notices, reinstatements,\n"
            "                appeals, proactive vs notice-driven removals, detections by\n"
            "                signal, strikes and penalties, referrals by agency and outcome,\n"
            "                the alliance, rejected and misused notices\n"
            "  transparency  the public transparency report (platform-wide totals)\n"
            "  statements    the DSA Transparency Database statements of reasons of every\n"
            "                takedown in the period, as NDJSON (one object a line)\n\n"
            "Options:\n"
            "  --from T             start, RFC 3339 (default: 30 days before --to)\n"
            "  --to T               end, exclusive, RFC 3339 (default: now)\n"
            "  --brand B            a right-holder org id or one of its brand terms\n"
            "  --jurisdiction J     ISO 3166-1 country or ISO 3166-2 subdivision of the\n"
            "                       seller's ship-from (a country includes its subdivisions)\n"
            "  --format F           transparency only: json (default) or csv\n" CLI_COMMON_HELP);
}

struct report_opts {
    const char *from, *to, *brand, *jurisdiction, *format;
};

static int report_opt(int c, const char *arg, void *state)
{
    struct report_opts *o = state;
    const char **slot[] = {&o->from, &o->to, &o->brand, &o->jurisdiction, &o->format};
    if (c < 1 || c > 5)
        return 2;
    *slot[c - 1] = arg;
    return 0;
}

/* Write len bytes of text to stdout. */
static int report_write(const char *text, size_t len)
{
    return fwrite(text, 1, len, stdout) == len ? 0 : cli_fail("cannot write", IPS_ERR_IO, NULL);
}

static int report_run(struct cli_session *sess, const char *sub, const struct report_opts *o)
{
    struct reports_filter f;
    json_t *doc = NULL;
    char *text = NULL;
    size_t len = 0, n = 0;
    int rc = 0;
    ips_status st = reports_filter_parse(&sess->ctx, o->from, o->to, o->brand, o->jurisdiction,
                                         &f);
    if (st) {
        cli_print_errors(&sess->ctx);
        return cli_fail("bad options", st, NULL);
    }
    if (strcmp(sub, "metrics") == 0)
        st = reports_metrics(&sess->ctx, &f, &doc);
    else if (strcmp(sub, "transparency") == 0)
        st = reports_transparency(&sess->ctx, &f, &doc);
    else
        st = reports_statements(&sess->ctx, &f, &text, &len, &n);
    if (!st && doc && o->format && strcmp(o->format, "csv") == 0)
        st = reports_transparency_csv(doc, &text, &len);
    if (st) {
        rc = cli_fail("cannot make the report", st, sess->ctx.detail[0] ? sess->ctx.detail : NULL);
    } else if (text) {
        rc = report_write(text, len);
    } else {
        char *s = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        rc = s ? report_write(s, strlen(s)) : cli_fail("cannot render", IPS_ERR_NOMEM, NULL);
        if (!rc)
            rc = report_write("\n", 1);
        free(s);
    }
    json_decref(doc);
    free(text);
    return rc;
}

int cmd_report(int argc, char **argv)
{
    static const char *const subs[] = {"metrics", "transparency", "statements", NULL};
    int which = 0;
    int rc = cli_subcommand_pick(argc, argv, subs, report_usage, &which);
    if (rc != CLI_CONTINUE)
        return rc;
    static const struct option opts[] = {{"from", required_argument, 0, 1},
                                         {"to", required_argument, 0, 2},
                                         {"brand", required_argument, 0, 3},
                                         {"jurisdiction", required_argument, 0, 4},
                                         {"format", required_argument, 0, 5},
                                         CLI_COMMON_OPTIONS,
                                         {0, 0, 0, 0}};
    struct config cfg;
    struct report_opts o = {0};
    rc = cli_begin(argc - 1, argv + 1, opts, &cfg, report_opt, &o, report_usage, NULL);
    if (rc != CLI_CONTINUE)
        return rc;
    if (o.format && (which != 1 || (strcmp(o.format, "json") && strcmp(o.format, "csv")))) {
        fprintf(stderr, "iprshield report: --format is json or csv, for transparency only\n");
        config_release(&cfg);
        return 2;
    }
    struct cli_session sess;
    ips_status st = cli_session_open_existing(&cfg, &sess);
    if (st) {
        rc = ips_status_exit_code(st);
    } else {
        rc = report_run(&sess, subs[which], &o);
        cli_session_close(&sess);
    }
    config_release(&cfg);
    return rc;
}
