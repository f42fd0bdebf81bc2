/*
 * cmd_import.c — `iprshield import listings|sellers FILE.jsonl`: bulk
 * import of the marketplace catalog from JSON Lines, as the system
 * principal (see catalog.h for the line format and import.c for batching,
 * idempotence and the audit events: one per batch).
 *
 * Reading: a bounded line reader over fread blocks (lines longer than
 * CATALOG_LINE_MAX are reported and skipped without being held in memory;
 * NUL bytes inside a line reach the JSON parser, which refuses them).
 * Output: bad lines go to stderr as "line N: reason", or with --errors FILE
 * to FILE as JSON Lines {"line": N, "reason": "..."}; a summary goes to
 * stdout; a progress bar is drawn on stderr when it is a terminal.
 */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalog/catalog.h"
#include "cli/cli.h"
#include "cli/import.h"
#include "cli/progress.h"

#define IMPORT__BLOCK (1024 * 1024) /* read buffer; > CATALOG_LINE_MAX + 1 */

static void import_usage(FILE *f)
{
    fprintf(f,
            "usage: iprshield import listings FILE.jsonl [--errors FILE] [--batch N] [--db PATH]\n"
            "       iprshield import sellers FILE.jsonl [--errors FILE] [--batch N] [--db PATH]\n\n"
            "Import the marketplace catalog from JSON Lines (one object per line; FILE '-'\n"
            "reads standard input).\n"
            "  listings: id, seller_id, title, description, price, currency, category,\n"
            "            images[], ship_from, units_sold\n"
            "  sellers:  id, name, ship_from, identifiers {phone, email, address,\n"
            "            payment_account, device_id}\n"
            "Re-importing is idempotent: the same content changes nothing, new content of a\n"
            "known listing adds a version. A listing of an unknown seller creates that\n"
            "seller. Bad lines are reported (line number and reason) and skipped; they never\n"
            "stop the import. Rows are written in transactions of --batch rows (the first\n"
            "ones smaller: 256, 512, ... rows, so that writing starts at once), each with\n"
            "one audit event. A progress bar is shown when standard error is a terminal.\n"
            "Exit code 0 when every line was imported, 4 when some lines were rejected.\n\n"
            "Options:\n"
            "  --errors FILE      write rejected lines to FILE as JSON Lines\n"
            "                     {\"line\": N, \"reason\": \"...\"} instead of standard error\n"
            "  --batch N          rows per transaction, 1-100000 (default 5000)\n" CLI_COMMON_HELP);
}

/* ---- bounded line reader ----------------------------------------------------------- */

struct import__reader {
    FILE *f;
    char *buf;
    size_t start, end;
    bool eof;
    int64_t bytes; /* consumed so far, for the progress bar */
};

/*
 * Next line without its '\n'. Returns 1 with *line and *len (valid until the
 * next call), 0 at the end, -1 on a read error. A line longer than
 * CATALOG_LINE_MAX is skipped to its end and returned as *len =
 * CATALOG_LINE_MAX + 1 bytes of it (so the caller reports it).
 */
static int import__next(struct import__reader *r, const char **line, size_t *len)
{
    bool too_long = false;
    for (;;) {
        char *nl = memchr(r->buf + r->start, '\n', r->end - r->start);
        if (nl) {
            size_t n = (size_t)(nl - (r->buf + r->start));
            *line = r->buf + r->start;
            *len = too_long ? CATALOG_LINE_MAX + 1 : n;
            r->bytes += (int64_t)n + 1;
            r->start += n + 1;
            return 1;
        }
        size_t have = r->end - r->start;
        if (have > CATALOG_LINE_MAX) {
            /* keep the first part for the report, drop the rest */
            too_long = true;
            r->bytes += (int64_t)have;
            memmove(r->buf, r->buf + r->start, CATALOG_LINE_MAX + 1);
            r->start = 0;
            r->end = CATALOG_LINE_MAX + 1;
            have = r->end;
            r->bytes -= CATALOG_LINE_MAX + 1;
        }
        if (r->eof) {
            if (have == 0 && !too_long)
                return 0;
            *line = r->buf + r->start;
            *len = too_long ? CATALOG_LINE_MAX + 1 : have;
            r->bytes += (int64_t)have;
            r->start = r->end;
            return too_long || have ? 1 : 0;
        }
        if (r->start > 0) {
            memmove(r->buf, r->buf + r->start, have);
            r->start = 0;
            r->end = have;
        }
        size_t got = fread(r->buf + r->end, 1, IMPORT__BLOCK - r->end, r->f);
        r->end += got;
        if (got == 0) {
            if (ferror(r->f))
                return -1;
            r->eof = true;
        }
    }
}

/* ---- rejects -------------------------------------------------------------------------- */

struct import__out {
    FILE *errors; /* NULL: stderr */
    struct progress *bar;
};

static void import__reject(int64_t line_no, const char *reason, void *arg)
{
    struct import__out *o = arg;
    if (o->errors) {
        json_t *j = json_pack("{s:I, s:s}", "line", (json_int_t)line_no, "reason", reason);
        char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
        if (text)
            fprintf(o->errors, "%s\n", text);
        free(text);
        json_decref(j);
        return;
    }
    progress_clear(o->bar);
    fprintf(stderr, "iprshield: line %lld: %s\n", (long long)line_no, reason);
}

int cli_import_file(struct ips_ctx *ctx, enum catalog_import_kind kind, const char *path,
                    FILE *errors, int batch, bool show_progress, struct catalog_import_stats *stats)
{
    const char *label = kind == CATALOG_IMPORT_SELLERS ? "sellers" : "listings";
    bool is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "iprshield: cannot open %s: %s\n", path, strerror(errno));
        return 5;
    }
    int rc = 0;
    int64_t total = 0;
    struct stat sb;
    if (fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode))
        total = (int64_t)sb.st_size;
    /* A batch holds thousands of small parsed objects that are freed
     * together; keep the freed heap instead of returning it to the kernel
     * and faulting it in again for the next batch (glibc; a one-shot CLI
     * process, so the memory is not held for long). */
    mallopt(M_TRIM_THRESHOLD, 512 * 1024 * 1024);
    mallopt(M_TOP_PAD, 64 * 1024 * 1024);
    struct import__reader r = {f, malloc(IMPORT__BLOCK), 0, 0, false, 0};
    struct progress bar;
    struct import__out out = {errors, &bar};
    struct catalog_import *imp = NULL;
    progress_init(&bar, label, total, show_progress);
    if (!r.buf) {
        rc = cli_fail("import", IPS_ERR_NOMEM, NULL);
        goto out_file;
    }
    const char *base = strrchr(path, '/');
    ips_status st = catalog_import_begin(ctx, kind, base ? base + 1 : path, batch, import__reject,
                                         &out, &imp);
    if (st) {
        rc = cli_fail("import", st, ctx->detail);
        goto out_file;
    }
    const char *line;
    size_t len;
    int64_t line_no = 0;
    int got;
    while ((got = import__next(&r, &line, &len)) == 1) {
        line_no++;
        if ((st = catalog_import_line(imp, line_no, line, len))) {
            progress_clear(&bar);
            rc = cli_fail("import", st, NULL);
            catalog_import_free(imp);
            goto out_file;
        }
        if ((line_no & 255) == 0) {
            struct catalog_import_stats now;
            catalog_import_progress(imp, &now);
            progress_update(&bar, now.lines, r.bytes);
        }
    }
    if (got < 0) {
        progress_clear(&bar);
        fprintf(stderr, "iprshield: cannot read %s: %s\n", path, strerror(errno));
        catalog_import_free(imp);
        rc = 5;
        goto out_file;
    }
    st = catalog_import_finish(imp, stats);
    progress_finish(&bar, stats->lines, r.bytes);
    if (st)
        rc = cli_fail("import", st, NULL);
out_file:
    free(r.buf);
    if (!is_stdin)
        fclose(f);
    return rc;
}

struct import_args {
    const char *errors;
    int batch;
};

static int import_option(int c, const char *arg, void *state)
{
    struct import_args *a = state;
    char *end = NULL;
    long v;
    switch (c) {
    case 'e':
        a->errors = arg;
        return 0;
    case 'b':
        errno = 0;
        v = strtol(arg, &end, 10);
        if (errno || !end || *end || v < 1 || v > 100000) {
            fprintf(stderr, "iprshield: --batch must be 1-100000\n");
            return 2;
        }
        a->batch = (int)v;
        return 0;
    default:
        return 2;
    }
}

int cmd_import(int argc, char **argv)
{
    static const char *const subs[] = {"listings", "sellers", NULL};
    int which = 0;
    int rc = cli_subcommand_pick(argc, argv, subs, import_usage, &which);
    if (rc != CLI_CONTINUE)
        return rc;
    enum catalog_import_kind kind = which == 1 ? CATALOG_IMPORT_SELLERS : CATALOG_IMPORT_LISTINGS;
    static const struct option opts[] = {{"errors", required_argument, 0, 'e'},
                                         {"batch", required_argument, 0, 'b'},
                                         CLI_COMMON_OPTIONS,
                                         {0, 0, 0, 0}};
    struct config cfg;
    struct import_args a = {NULL, 0};
    int first = 0;
    rc = cli_begin(argc - 1, argv + 1, opts, &cfg, import_option, &a, import_usage, &first);
    if (rc != CLI_CONTINUE)
        return rc;
    rc = 0;
    if (argc - 1 - first != 1) {
        fprintf(stderr, "iprshield: import %s takes one FILE\n", argv[1]);
        import_usage(stderr);
        rc = 2;
        goto out_cfg;
    }
    const char *path = argv[1 + first];
    FILE *errors = NULL;
    if (a.errors && !(errors = fopen(a.errors, "w"))) {
        fprintf(stderr, "iprshield: cannot write %s: %s\n", a.errors, strerror(errno));
        rc = 5;
        goto out_cfg;
    }
    struct cli_session sess;
    ips_status st = cli_session_open(&cfg, &sess);
    if (st) {
        rc = ips_status_exit_code(st);
        goto out_errors;
    }
    struct catalog_import_stats stats;
    memset(&stats, 0, sizeof stats);
    int64_t t0 = progress_now_ns();
    rc = cli_import_file(&sess.ctx, kind, path, errors, a.batch, isatty(STDERR_FILENO) == 1, &stats);
    double secs = (double)(progress_now_ns() - t0) / 1e9;
    if (rc == 0) {
        printf("%s: %lld lines, %lld created, %lld updated, %lld unchanged, %lld rejected",
               argv[1], (long long)stats.lines, (long long)stats.created,
               (long long)stats.updated, (long long)stats.unchanged, (long long)stats.rejected);
        if (kind == CATALOG_IMPORT_LISTINGS)
            printf(", %lld sellers created", (long long)stats.sellers_created);
        printf(" in %.2f s (%.0f lines/s)\n", secs, secs > 0 ? (double)stats.lines / secs : 0.0);
        if (stats.rejected > 0)
            rc = 4;
    }
    cli_session_close(&sess);
out_errors:
    if (errors && fclose(errors) != 0 && rc == 0)
        rc = 5;
out_cfg:
    config_release(&cfg);
    return rc;
}
