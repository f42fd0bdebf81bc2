/* cmd_user.c — `iprshield user add|unlock` and `iprshield token create`. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static void user_usage(FILE *f)
{
    fprintf(f, "usage: iprshield user add --org NAME --org-kind KIND --role ROLE --email EMAIL\n"
               "                          --password-stdin [--db PATH]\n"
               "       iprshield user unlock EMAIL [--db PATH]\n\n"
               "add: create a user (and its organisation when no organisation has that name).\n"
               "The password (12-256 bytes) is read from the first line of standard input.\n"
               "Prints the new user's id.\n"
               "unlock: lift the login lockout of the account with EMAIL (set after\n"
               "login_lockout_failures failed logins) and forget its failed logins; prints\n"
               "\"unlocked\" or \"not locked\". Exit 3 when no account has EMAIL.\n\n"
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

struct user_args {
    const char *org, *kind, *role, *email;
    bool pw_stdin;
};

static int user_option(int c, const char *arg, void *state)
{
    struct user_args *a = state;
    switch (c) {
    case 'o': a->org = arg; break;
    case 'k': a->kind = arg; break;
    case 'r': a->role = arg; break;
    case 'e': a->email = arg; break;
    case 'p': a->pw_stdin = true; break;
    default: return 2;
    }
    return 0;
}

/* `iprshield user unlock EMAIL`: argv[0] is "unlock". */
static int user_unlock(int argc, char **argv)
{
    struct config cfg;
    static const struct option opts[] = {CLI_COMMON_OPTIONS, {0, 0, 0, 0}};
    int first = 0;
    int rc = cli_begin(argc, argv, opts, &cfg, NULL, NULL, user_usage, &first);
    if (rc != CLI_CONTINUE)
        return rc;
    rc = 0;
    if (argc - first != 1) {
        fprintf(stderr, "iprshield user unlock: give one EMAIL\n");
        rc = 2;
        goto out_cfg;
    }
    struct cli_session sess;
    ips_status st = cli_session_open(&cfg, &sess);
    if (st) {
        rc = ips_status_exit_code(st);
        goto out_cfg;
    }
    bool was_locked = false;
    st = access_user_unlock(&sess.ctx, argv[first], &was_locked);
    if (st)
        rc = cli_fail("cannot unlock", st, st == IPS_ERR_NOT_FOUND ? argv[first] : sess.ctx.detail);
    else
        printf("%s\n", was_locked ? "unlocked" : "not locked");
    cli_session_close(&sess);
out_cfg:
    config_release(&cfg);
    return rc;
}

int cmd_user(int argc, char **argv)
{
    static const char *const subs[] = {"add", "unlock", NULL};
    int which = 0;
    int rc = cli_subcommand_pick(argc, argv, subs, user_usage, &which);
    if (rc != CLI_CONTINUE)
        return rc;
    if (which == 1)
        return user_unlock(argc - 1, argv + 1);
    struct config cfg;
    static const struct option opts[] = {{"org", required_argument, 0, 'o'},
                                         {"org-kind", required_argument, 0, 'k'},
                                         {"role", required_argument, 0, 'r'},
                                         {"email", required_argument, 0, 'e'},
                                         {"password-stdin", no_argument, 0, 'p'},
                                         CLI_COMMON_OPTIONS,
                                         {0, 0, 0, 0}};
    struct user_args a = {0};
    rc = cli_begin(argc - 1, argv + 1, opts, &cfg, user_option, &a, user_usage, NULL);
    if (rc != CLI_CONTINUE)
        return rc;
    rc = 0;
    const char *org = a.org, *kind = a.kind, *role = a.role, *email = a.email;
    bool pw_stdin = a.pw_stdin;
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
    struct cli_session sess;
    ips_status st = cli_session_open(&cfg, &sess);
    if (st) {
        rc = ips_status_exit_code(st);
        goto out_pw;
    }
    struct ips_ctx *ctx = &sess.ctx;
    struct store_org o;
    st = store_org_get_by_name(sess.store, org, &o);
    if (st == IPS_ERR_NOT_FOUND) {
        st = access_org_create(ctx, org, kind, &o);
    } else if (st == IPS_OK && strcmp(o.kind, kind) != 0) {
        snprintf(ctx->detail, sizeof ctx->detail, "organisation '%s' exists with kind %s", org,
                 o.kind);
        st = IPS_ERR_CONFLICT;
    }
    struct store_user u;
    if (st == IPS_OK)
        st = access_user_create(ctx, email, password, role, o.id, &u);
    if (st) {
        rc = cli_fail("cannot add the user", st, ctx->detail);
        cli_print_errors(ctx);
    } else {
        printf("%s\n", u.id);
    }
    cli_session_close(&sess);
out_pw:
    sodium_memzero(password, sizeof password);
out_cfg:
    config_release(&cfg);
    return rc;
}

struct token_args {
    const char *email, *name;
    long long days;
};

static int token_option(int c, const char *arg, void *state)
{
    struct token_args *a = state;
    char *end = NULL;
    switch (c) {
    case 'e': a->email = arg; break;
    case 'n': a->name = arg; break;
    case 'x':
        a->days = strtoll(arg, &end, 10);
        if (*end || a->days < 1 || a->days > 3650) {
            fprintf(stderr, "iprshield token create: --expires-days takes 1-3650\n");
            return 2;
        }
        break;
    default: return 2;
    }
    return 0;
}

int cmd_token(int argc, char **argv)
{
    int rc = cli_subcommand(argc, argv, "create", token_usage);
    if (rc != CLI_CONTINUE)
        return rc;
    struct config cfg;
    static const struct option opts[] = {{"email", required_argument, 0, 'e'},
                                         {"name", required_argument, 0, 'n'},
                                         {"expires-days", required_argument, 0, 'x'},
                                         CLI_COMMON_OPTIONS,
                                         {0, 0, 0, 0}};
    struct token_args a = {NULL, "cli", 0};
    rc = cli_begin(argc - 1, argv + 1, opts, &cfg, token_option, &a, token_usage, NULL);
    if (rc != CLI_CONTINUE)
        return rc;
    rc = 0;
    const char *email = a.email, *name = a.name;
    long long days = a.days;
    if (!email) {
        fprintf(stderr, "iprshield token create: --email is required\n");
        rc = 2;
        goto out_cfg;
    }
    struct cli_session sess;
    ips_status st = cli_session_open(&cfg, &sess);
    if (st) {
        rc = ips_status_exit_code(st);
        goto out_cfg;
    }
    char lower[STORE_EMAIL_MAX + 1];
    snprintf(lower, sizeof lower, "%s", email);
    struct store_user u;
    st = access_email_normalize(lower) ? store_user_get_by_email(sess.store, lower, &u)
                                       : IPS_ERR_NOT_FOUND;
    struct store_token t;
    char secret[64];
    if (st == IPS_OK)
        st = access_token_create(&sess.ctx, u.id, name, days, &t, secret);
    if (st) {
        rc = cli_fail("cannot create the token", st,
                      st == IPS_ERR_NOT_FOUND ? email : sess.ctx.detail);
    } else {
        printf("%s\n", secret);
        sodium_memzero(secret, sizeof secret);
    }
    cli_session_close(&sess);
out_cfg:
    config_release(&cfg);
    return rc;
}
