/* common.c — shared by the subcommands; see cli.h. */
#include "cli/cli.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/log.h"

int cli_common_option(int c, const char *arg, struct config *cfg)
{
    char err[256];
    const char *key = c == 1000 ? "db" : c == 1002 ? "log_level" : NULL;
    if (c == 1001) {
        if (config_load_file(cfg, arg, err, sizeof err) != IPS_OK) {
            fprintf(stderr, "iprshield: %s\n", err);
            return -1;
        }
        return 1;
    }
    if (!key)
        return 0;
    if (config_set(cfg, key, arg, err, sizeof err) != IPS_OK) {
        fprintf(stderr, "iprshield: %s\n", err);
        return -1;
    }
    if (c == 1002) {
        enum log_level lvl;
        if (!log_level_parse(arg, &lvl)) {
            fprintf(stderr, "iprshield: unknown log level '%s'\n", arg);
            return -1;
        }
        log_level_set(lvl);
    }
    return 1;
}

int cli_config_load(struct config *cfg)
{
    char err[256];
    if (config_load(cfg, err, sizeof err) != IPS_OK) {
        fprintf(stderr, "iprshield: %s\n", err);
        return 2;
    }
    enum log_level lvl;
    if (!log_level_parse(cfg->log_level, &lvl)) {
        fprintf(stderr, "iprshield: unknown log level '%s'\n", cfg->log_level);
        return 2;
    }
    log_level_set(lvl);
    return 0;
}

ips_status cli_store_open(const struct config *cfg, struct store **out, int *applied)
{
    const char *path = cfg->db;
    if (strncmp(path, "sqlite:", 7) == 0)
        path += 7;
    const bool url = strncmp(path, "postgres://", 11) == 0 || strncmp(path, "postgresql://", 13) == 0;
    const char *slash = url ? NULL : strrchr(path, '/');
    if (slash && slash != path && strcmp(path, ":memory:") != 0) {
        char dir[1024];
        size_t n = (size_t)(slash - path);
        if (n < sizeof dir) {
            memcpy(dir, path, n);
            dir[n] = '\0';
            if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
                fprintf(stderr, "iprshield: cannot create %s: %s\n", dir, strerror(errno));
                return IPS_ERR_IO;
            }
        }
    }
    struct store *s = NULL;
    ips_status st = store_open(cfg->db, &s);
    if (st) {
        cli_fail("cannot open the database", st, cfg->db);
        return st;
    }
    st = store_migrate(s, applied);
    if (st) {
        store_close(s);
        cli_fail("cannot migrate the database", st, cfg->db);
        return st;
    }
    *out = s;
    return IPS_OK;
}

int cli_fail(const char *what, ips_status st, const char *detail)
{
    if (detail && *detail)
        fprintf(stderr, "iprshield: %s: %s: %s\n", what, ips_status_message(st), detail);
    else
        fprintf(stderr, "iprshield: %s: %s\n", what, ips_status_message(st));
    return ips_status_exit_code(st);
}

void cli_ctx_init(struct ips_ctx *ctx, struct access_principal *p, struct store *s,
                  const struct config *cfg)
{
    access_principal_system(p);
    memset(ctx, 0, sizeof *ctx);
    ctx->store = s;
    ctx->actor = p;
    ctx->cfg = cfg;
    ctx->addr = "cli";
    ctx->errors = json_array();
}

static ips_status cli__session_start(const struct config *cfg, struct cli_session *sess,
                                     struct store *s)
{
    sess->store = s;
    cli_ctx_init(&sess->ctx, &sess->sys, s, cfg);
    return IPS_OK;
}

ips_status cli_session_open(const struct config *cfg, struct cli_session *sess)
{
    struct store *s = NULL;
    memset(sess, 0, sizeof *sess);
    ips_status st = cli_store_open(cfg, &s, NULL);
    return st ? st : cli__session_start(cfg, sess, s);
}

ips_status cli_session_open_existing(const struct config *cfg, struct cli_session *sess)
{
    struct store *s = NULL;
    memset(sess, 0, sizeof *sess);
    ips_status st = store_open(cfg->db, &s);
    if (st) {
        cli_fail("cannot open the database", st, cfg->db);
        return st;
    }
    return cli__session_start(cfg, sess, s);
}

void cli_session_close(struct cli_session *sess)
{
    json_decref(sess->ctx.errors);
    sess->ctx.errors = NULL;
    if (sess->store)
        store_close(sess->store);
    sess->store = NULL;
}

void cli_print_errors(const struct ips_ctx *ctx)
{
    size_t i;
    json_t *e;
    json_array_foreach(ctx->errors, i, e)
    {
        fprintf(stderr, "  %s %s\n", json_string_value(json_object_get(e, "field")),
                json_string_value(json_object_get(e, "message")));
    }
}

int cli_subcommand(int argc, char **argv, const char *sub, void (*usage)(FILE *))
{
    const char *const subs[] = {sub, NULL};
    return cli_subcommand_pick(argc, argv, subs, usage, NULL);
}

int cli_subcommand_pick(int argc, char **argv, const char *const *subs, void (*usage)(FILE *),
                        int *which)
{
    for (int i = 0; argc >= 2 && subs[i]; i++) {
        if (strcmp(argv[1], subs[i]) == 0) {
            if (which)
                *which = i;
            return CLI_CONTINUE;
        }
    }
    bool help = argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"));
    if (!help && argc >= 2)
        fprintf(stderr, "iprshield: unknown subcommand '%s'\n", argv[1]);
    usage(help ? stdout : stderr);
    return help ? 0 : 2;
}

int cli_begin(int argc, char **argv, const struct option *opts, struct config *cfg,
              cli_opt_fn fn, void *state, void (*usage)(FILE *), int *first_arg)
{
    int rc = cfg ? cli_config_load(cfg) : 0;
    if (rc)
        return rc;
    int c;
    optind = 1;
    opterr = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        int common = cfg ? cli_common_option(c, optarg, cfg) : 0;
        if (common > 0)
            continue;
        if (common < 0) {
            rc = 2;
            goto out_release;
        }
        if (c == 'h') {
            usage(stdout);
            rc = 0;
            goto out_release;
        }
        if (c == '?' || !fn) {
            usage(stderr);
            rc = 2;
            goto out_release;
        }
        rc = fn(c, optarg, state);
        if (rc)
            goto out_release;
    }
    if (first_arg) {
        *first_arg = optind;
        return CLI_CONTINUE;
    }
    if (optind < argc) {
        fprintf(stderr, "iprshield: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        rc = 2;
        goto out_release;
    }
    return CLI_CONTINUE;
out_release:
    if (cfg)
        config_release(cfg);
    return rc;
}
