/* cmd_user.c — `iprshield user add` and `iprshield token create`. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static void user_usage(FILE *f)
{
    fprintf(f, "usage: iprshield user add --org NAME --org-kind KIND --role ROLE --email EMAIL\n"
               "                          --password-stdin [--db PATH]\n\n"
               "Create a user (and its organisation when no organisation has that name).\n"
               "The password (12-256 bytes) is read from the first line of standard input.\n"
               "Prints the new user's id.\n\n"
               "Options:\n"
               "  --org NAME         organisation name\n"
               "  --org-kind KIND    platform, rightholder, seller or agency\n"
               "  --role ROLE        admin, reviewer, auditor (platform), rightholder,\n"
               "                     seller or officer (agency)\n"
               "  --email EMAIL      login email\n"
               "  --password-stdin   read the password from standard input\n" CLI_COMMON_HELP);
}

static void token_usage(FILE *f)
{
    fprintf(f, "usage: iprshield token create --email EMAIL [--name NAME] [--expires-days N] [--db PATH]\n\n"
               "Create an API token for the user and print it once, on standard output.\n"
               "Use it as 'Authorization: Bearer TOKEN'. Only a hash is stored.\n\n"
               "Options:\n"
               "  --email EMAIL      the user the token acts as\n"
               "  --name NAME        a label (default \"cli\")\n"
               "  --expires-days N   lifetime in days, 1-3650 (default: no expiry)\n" CLI_COMMON_HELP);
}

/* Read one line from stdin without its newline; false if none or too long. */
static bool read_password(char *out, size_t cap)
{
    if (!fgets(out, (int)cap, stdin))
        return false;
    size_t n = strlen(out);
    if (n && out[n - 1] == '\n')
        out[--n] = '\0';
    else if (n == cap - 1)
        return false;
    if (n && out[n - 1] == '\r')
        out[--n] = '\0';
    return true;
}

/* Print validation errors collected in ctx->errors. */
static void print_errors(const struct ips_ctx *ctx)
{
    size_t i;
    json_t *e;
    json_array_foreach(ctx->errors, i, e)
    {
        fprintf(stderr, "  %s %s\n", json_string_value(json_object_get(e, "field")),
                json_string_value(json_object_get(e, "message")));
    }
}

int cmd_user(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "add") != 0) {
        bool help = argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"));
        user_usage(help ? stdout : stderr);
        return help ? 0 : 2;
    }
    struct config cfg;
    int rc = cli_config_load(&cfg);
    if (rc)
        return rc;
    static const struct option opts[] = {{"org", required_argument, 0, 'o'},
                                         {"org-kind", required_argument, 0, 'k'},
                                         {"role", required_argument, 0, 'r'},
                                         {"email", required_argument, 0, 'e'},
                                         {"password-stdin", no_argument, 0, 'p'},
                                         CLI_COMMON_OPTIONS,
                                         {0, 0, 0, 0}};
    const char *org = NULL, *kind = NULL, *role = NULL, *email = NULL;
    bool pw_stdin = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc - 1, argv + 1, "h", opts, NULL)) != -1) {
        int h = cli_common_option(c, optarg, &cfg);
        if (h > 0)
            continue;
        switch (h < 0 ? '?' : c) {
        case 'o': org = optarg; break;
        case 'k': kind = optarg; break;
        case 'r': role = optarg; break;
        case 'e': email = optarg; break;
        case 'p': pw_stdin = true; break;
        case 'h': user_usage(stdout); goto out_cfg;
        default: user_usage(stderr); rc = 2; goto out_cfg;
        }
    }
    if (!org || !kind || !role || !email || !pw_stdin) {
        fprintf(stderr, "iprshield user add: --org, --org-kind, --role, --email and "
                        "--password-stdin are required\n");
        rc = 2;
        goto out_cfg;
    }
    char password[ACCESS_PASSWORD_MAX + 2];
    if (!read_password(password, sizeof password)) {
        fprintf(stderr, "iprshield user add: no password (or a too long one) on standard input\n");
        rc = 2;
        goto out_cfg;
    }
    struct store *s = NULL;
    ips_status st = cli_store_open(&cfg, &s, NULL);
    if (st) {
        rc = ips_status_exit_code(st);
        goto out_pw;
    }
    struct ips_ctx ctx;
    struct access_principal sys;
    cli_ctx_init(&ctx, &sys, s, &cfg);
    struct store_org o;
    st = store_org_get_by_name(s, org, &o);
    if (st == IPS_ERR_NOT_FOUND) {
        st = access_org_create(&ctx, org, kind, &o);
    } else if (st == IPS_OK && strcmp(o.kind, kind) != 0) {
        snprintf(ctx.detail, sizeof ctx.detail, "organisation '%s' exists with kind %s", org,
                 o.kind);
        st = IPS_ERR_CONFLICT;
    }
    struct store_user u;
    if (st == IPS_OK)
        st = access_user_create(&ctx, email, password, role, o.id, &u);
    if (st) {
        rc = cli_fail("cannot add the user", st, ctx.detail);
        print_errors(&ctx);
    } else {
        printf("%s\n", u.id);
    }
    json_decref(ctx.errors);
    store_close(s);
out_pw:
    sodium_memzero(password, sizeof password);
out_cfg:
    config_release(&cfg);
    return rc;
}

int cmd_token(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "create") != 0) {
        bool help = argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"));
        token_usage(help ? stdout : stderr);
        return help ? 0 : 2;
    }
    struct config cfg;
    int rc = cli_config_load(&cfg);
    if (rc)
        return rc;
    static const struct option opts[] = {{"email", required_argument, 0, 'e'},
                                         {"name", required_argument, 0, 'n'},
                                         {"expires-days", required_argument, 0, 'x'},
                                         CLI_COMMON_OPTIONS,
                                         {0, 0, 0, 0}};
    const char *email = NULL, *name = "cli";
    long long days = 0;
    int c;
    optind = 1;
    while ((c = getopt_long(argc - 1, argv + 1, "h", opts, NULL)) != -1) {
        int h = cli_common_option(c, optarg, &cfg);
        if (h > 0)
            continue;
        char *end = NULL;
        switch (h < 0 ? '?' : c) {
        case 'e': email = optarg; break;
        case 'n': name = optarg; break;
        case 'x':
            days = strtoll(optarg, &end, 10);
            if (*end || days < 1 || days > 3650) {
                fprintf(stderr, "iprshield token create: --expires-days takes 1-3650\n");
                rc = 2;
                goto out_cfg;
            }
            break;
        case 'h': token_usage(stdout); goto out_cfg;
        default: token_usage(stderr); rc = 2; goto out_cfg;
        }
    }
    if (!email) {
        fprintf(stderr, "iprshield token create: --email is required\n");
        rc = 2;
        goto out_cfg;
    }
    struct store *s = NULL;
    ips_status st = cli_store_open(&cfg, &s, NULL);
    if (st) {
        rc = ips_status_exit_code(st);
        goto out_cfg;
    }
    struct ips_ctx ctx;
    struct access_principal sys;
    cli_ctx_init(&ctx, &sys, s, &cfg);
    char lower[STORE_EMAIL_MAX + 1];
    snprintf(lower, sizeof lower, "%s", email);
    struct store_user u;
    st = access_email_normalize(lower) ? store_user_get_by_email(s, lower, &u)
                                       : IPS_ERR_NOT_FOUND;
    struct store_token t;
    char secret[64];
    if (st == IPS_OK)
        st = access_token_create(&ctx, u.id, name, days, &t, secret);
    if (st) {
        rc = cli_fail("cannot create the token", st, st == IPS_ERR_NOT_FOUND ? email : ctx.detail);
    } else {
        printf("%s\n", secret);
        sodium_memzero(secret, sizeof secret);
    }
    json_decref(ctx.errors);
    store_close(s);
out_cfg:
    config_release(&cfg);
    return rc;
}
