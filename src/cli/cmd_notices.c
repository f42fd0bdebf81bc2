/* cmd_notices.c — `iprshield notices submit`: bulk notices from the command
 * line, e.g. a right holder's CSV of up to 10,000 listing ids. Runs as the
 * system operator on behalf of the notifier org (--org), through the same
 * notices_submit as the API: the same validation, merging and fast track. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/json.h"
#include "notices/notices.h"

#define NOTICES_CLI_FILE_MAX (16u * 1024 * 1024)

static void notices_usage(FILE *f)
{
    fprintf(f, "usage: iprshield notices submit --org ORG_ID --meta FILE.json [--csv FILE]\n"
               "                               [--evidence FILE]... [--db PATH]\n\n"
               "Submit a notice for the right-holder organisation ORG_ID. FILE.json is the\n"
               "notice as the API takes it (right_id, kind, explanation, notifier_name,\n"
               "notifier_email, good_faith, accuracy, signature, evidence_urls...); --csv\n"
               "adds listing ids from the first column of a CSV file (up to 10,000; a\n"
               "header 'listing_id' is skipped). Prints the notice as JSON. Listings of a\n"
               "fast-track notifier are taken down at once.\n\n"
               "Options:\n"
               "  --org ORG_ID       the notifier organisation\n"
               "  --meta FILE        the notice metadata (JSON object)\n"
               "  --csv FILE         listing ids\n"
               "  --evidence FILE    an evidence file (PDF or image); up to 8\n" CLI_COMMON_HELP);
}

struct notices_args {
    const char *org, *meta, *csv;
    const char *evidence[NOTICES_FILES_MAX + 1];
    int n_evidence;
};

static int notices_option(int c, const char *arg, void *state)
{
    struct notices_args *a = state;
    switch (c) {
    case 'o':
        a->org = arg;
        break;
    case 'm':
        a->meta = arg;
        break;
    case 'c':
        a->csv = arg;
        break;
    case 'e':
        if (a->n_evidence > NOTICES_FILES_MAX) {
            fprintf(stderr, "iprshield notices submit: at most %d --evidence files\n",
                    NOTICES_FILES_MAX);
            return 2;
        }
        a->evidence[a->n_evidence++] = arg;
        break;
    default:
        return 2;
    }
    return 0;
}

/* Read a whole file (at most NOTICES_CLI_FILE_MAX bytes) into a malloc'ed,
 * NUL-terminated buffer. OUT *len. NULL with a message on failure. */
static char *notices_read_file(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    char *buf = NULL;
    if (!fp) {
        fprintf(stderr, "iprshield notices submit: cannot open %s\n", path);
        return NULL;
    }
    if (fseek(fp, 0, SEEK_END) != 0)
        goto out_file;
    long size = ftell(fp);
    if (size < 0 || (unsigned long)size > NOTICES_CLI_FILE_MAX) {
        fprintf(stderr, "iprshield notices submit: %s is too large\n", path);
        goto out_file;
    }
    rewind(fp);
    buf = malloc((size_t)size + 1);
    if (!buf || fread(buf, 1, (size_t)size, fp) != (size_t)size) {
        fprintf(stderr, "iprshield notices submit: cannot read %s\n", path);
        free(buf);
        buf = NULL;
        goto out_file;
    }
    buf[size] = '\0';
    *len = (size_t)size;
out_file:
    fclose(fp);
    return buf;
}

int cmd_notices(int argc, char **argv)
{
    int rc = cli_subcommand(argc, argv, "submit", notices_usage);
    if (rc != CLI_CONTINUE)
        return rc;
    struct config cfg;
    static const struct option opts[] = {{"org", required_argument, 0, 'o'},
                                         {"meta", required_argument, 0, 'm'},
                                         {"csv", required_argument, 0, 'c'},
                                         {"evidence", required_argument, 0, 'e'},
                                         CLI_COMMON_OPTIONS,
                                         {0, 0, 0, 0}};
    struct notices_args a;
    memset(&a, 0, sizeof a);
    rc = cli_begin(argc - 1, argv + 1, opts, &cfg, notices_option, &a, notices_usage, NULL);
    if (rc != CLI_CONTINUE)
        return rc;
    char *meta_text = NULL, *csv = NULL;
    char *ev[NOTICES_FILES_MAX + 1] = {0};
    struct notices_upload files[NOTICES_FILES_MAX + 1];
    size_t meta_len = 0, csv_len = 0;
    json_t *meta = NULL;
    struct notices_submit_result *res = NULL;
    rc = 2;
    if (!a.org || !a.meta) {
        fprintf(stderr, "iprshield notices submit: --org and --meta are required\n");
        goto out_files;
    }
    if (!(meta_text = notices_read_file(a.meta, &meta_len)) ||
        (a.csv && !(csv = notices_read_file(a.csv, &csv_len))))
        goto out_files;
    for (int i = 0; i < a.n_evidence; i++) {
        if (!(ev[i] = notices_read_file(a.evidence[i], &files[i].len)))
            goto out_files;
        files[i].data = ev[i];
        files[i].name = a.evidence[i];
    }
    char err[160];
    if (json_parse_object(meta_text, meta_len, &meta, err, sizeof err)) {
        fprintf(stderr, "iprshield notices submit: %s: %s\n", a.meta, err);
        goto out_files;
    }
    json_object_set_new(meta, "notifier_org_id", json_string(a.org));
    struct cli_session sess;
    ips_status st = cli_session_open(&cfg, &sess);
    if (st) {
        rc = ips_status_exit_code(st);
        goto out_files;
    }
    struct notices_submit_req req = {meta, csv, csv_len, files, a.n_evidence};
    res = calloc(1, sizeof *res);
    st = res ? notices_submit(&sess.ctx, &req, res) : IPS_ERR_NOMEM;
    if (st) {
        rc = cli_fail("cannot submit the notice", st, sess.ctx.detail);
        cli_print_errors(&sess.ctx);
    } else {
        printf("{\"id\":\"%s\",\"state\":\"%s\",\"fast_track\":%s,\"items_total\":%lld,"
               "\"taken_down\":%lld,\"merged_all\":%s}\n",
               res->notice.id, res->notice.state, res->notice.fast_track ? "true" : "false",
               (long long)res->notice.items_total, (long long)res->taken_down,
               res->merged_all ? "true" : "false");
        rc = 0;
    }
    notices_submit_result_release(res);
    free(res);
    cli_session_close(&sess);
out_files:
    json_decref(meta);
    for (int i = 0; i < a.n_evidence; i++)
        free(ev[i]);
    free(csv);
    free(meta_text);
    config_release(&cfg);
    return rc;
}
