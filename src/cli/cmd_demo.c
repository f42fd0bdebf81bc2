/*
 * cmd_demo.c — `iprshield demo seed`: a demo platform with one organisation
 * and one user per role. Safe to run again: missing pieces are created and
 * every demo user gets a fresh random password, printed once, so that the
 * logins printed by the latest `make run` always work. `iprshield demo
 * generate` (a labelled synthetic marketplace for `iprshield eval`, no
 * database) lives in demo_generate.c.
 */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/demo_agencies.h"
#include "cli/demo_brands.h"
#include "cli/demo_generate.h"
#include "cli/import.h"

static const struct {
    const char *role, *email, *org, *kind;
} demo_users[] = {
    {"admin", "admin@demo.iprshield.test", "iprshield Platform", "platform"},
    {"reviewer", "reviewer@demo.iprshield.test", "iprshield Platform", "platform"},
    {"rightholder", "brand@demo.iprshield.test", "Aurora Fashion Group", "rightholder"},
    {"seller", "seller@demo.iprshield.test", "Lucky Star Trading", "seller"},
    {"officer", "officer@demo.iprshield.test", "Guangdong Market Regulation", "agency"},
    {"auditor", "auditor@demo.iprshield.test", "iprshield Platform", "platform"},
};
#define N_DEMO (sizeof demo_users / sizeof demo_users[0])

static void demo_usage(FILE *f)
{
    fprintf(f, "usage: iprshield demo seed [--json] [--brands N] [--sellers N --listings N]\n"
               "                          [--db PATH]\n\n"
               "Create the demo organisations and one user per role (admin, reviewer,\n"
               "rightholder, seller, officer, auditor), give each a fresh random password\n"
               "and print the logins once. Running it again resets the demo passwords.\n"
               "Also seeds demo law-enforcement agencies (CN provinces, the national body,\n"
               "US states, Interpol) with jurisdictions and cooperation agreements.\n\n"
               "Options:\n"
               "  --json             print the logins as a JSON array\n"
               "  --brands N         also seed N real brands from the npm package simple-icons\n"
               "                     (needs Node.js; 0-5000): per brand an approved right-\n"
               "                     holder org, a verified trademark with its logo rendered\n"
               "                     to PNG by rsvg-convert (librsvg2-bin; without it, no\n"
               "                     logos) and a protection profile (term, variants, logo).\n"
               "                     Brands already there are left as they are\n"
               "  --sellers N        also generate N demo sellers (needs Node.js; 0-1000000)\n"
               "  --listings N       and N demo listings (faker products, real ISO 3166-2\n"
               "                     ship-from regions; some owned by the demo seller)\n" CLI_COMMON_HELP);
    fprintf(f, "\n");
    cli_demo_generate_usage(f);
}

/* A random password of 20 URL-safe characters. */
static void demo_password(char out[32])
{
    unsigned char raw[15];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(out, 32, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static ips_status demo_ensure_user(struct ips_ctx *ctx, size_t i, const char *password)
{
    struct store_org o;
    ips_status st = store_org_get_by_name(ctx->store, demo_users[i].org, &o);
    if (st == IPS_ERR_NOT_FOUND)
        st = access_org_create(ctx, demo_users[i].org, demo_users[i].kind, &o);
    if (st)
        return st;
    struct store_user u;
    st = store_user_get_by_email(ctx->store, demo_users[i].email, &u);
    if (st == IPS_ERR_NOT_FOUND)
        return access_user_create(ctx, demo_users[i].email, password, demo_users[i].role, o.id,
                                  &u);
    if (st)
        return st;
    return access_user_set_password(ctx, u.id, password);
}

struct demo_args {
    bool as_json;
    long brands;            /* demo right holders; 0 = none */
    long sellers, listings; /* demo catalog size; 0 = none */
};

/* Parse a count option into *out (0-max); prints why and returns 2 if bad. */
static int demo_count(const char *name, const char *arg, long max, long *out)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(arg, &end, 10);
    if (errno || !end || end == arg || *end || v < 0 || v > max) {
        fprintf(stderr, "iprshield: --%s must be 0-%ld\n", name, max);
        return 2;
    }
    *out = v;
    return 0;
}

static int demo_option(int c, const char *arg, void *state)
{
    struct demo_args *a = state;
    switch (c) {
    case 'j': a->as_json = true; return 0;
    case 'b': return demo_count("brands", arg, DEMO_BRANDS_MAX, &a->brands);
    case 's': return demo_count("sellers", arg, 1000000L, &a->sellers);
    case 'l': return demo_count("listings", arg, 10000000L, &a->listings);
    default: return 2;
    }
}

int cmd_demo(int argc, char **argv)
{
    static const char *const subs[] = {"seed", "generate", NULL};
    int which = 0;
    int rc = cli_subcommand_pick(argc, argv, subs, demo_usage, &which);
    if (rc != CLI_CONTINUE)
        return rc;
    if (which == 1)
        return cli_demo_generate(argc - 1, argv + 1);
    struct config cfg;
    static const struct option opts[] = {{"json", no_argument, 0, 'j'},
                                         {"brands", required_argument, 0, 'b'},
                                         {"sellers", required_argument, 0, 's'},
                                         {"listings", required_argument, 0, 'l'},
                                         CLI_COMMON_OPTIONS,
                                         {0, 0, 0, 0}};
    struct demo_args args = {false, 0, 0, 0};
    rc = cli_begin(argc - 1, argv + 1, opts, &cfg, demo_option, &args, demo_usage, NULL);
    if (rc != CLI_CONTINUE)
        return rc;
    rc = 0;
    struct cli_session sess;
    ips_status st = cli_session_open(&cfg, &sess);
    if (st) {
        rc = ips_status_exit_code(st);
        goto out_cfg;
    }
    struct ips_ctx *ctx = &sess.ctx;
    char passwords[N_DEMO][32];
    for (size_t i = 0; i < N_DEMO; i++) {
        demo_password(passwords[i]);
        st = demo_ensure_user(ctx, i, passwords[i]);
        if (st) {
            rc = cli_fail("cannot seed the demo data", st, ctx->detail);
            goto out_store;
        }
    }
    if ((st = demo_agencies_seed(ctx))) {
        rc = cli_fail("cannot seed the demo agencies", st, ctx->detail);
        goto out_store;
    }
    if (args.as_json) {
        json_t *arr = json_array();
        for (size_t i = 0; i < N_DEMO; i++)
            json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s}", "role",
                                                 demo_users[i].role, "email", demo_users[i].email,
                                                 "password", passwords[i], "org",
                                                 demo_users[i].org));
        char *text = json_dumps(arr, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        printf("%s\n", text ? text : "[]");
        free(text);
        json_decref(arr);
    } else {
        printf("Demo logins (passwords are shown once; run 'iprshield demo seed' again for new ones):\n\n");
        printf("  %-12s %-32s %-22s %s\n", "ROLE", "EMAIL", "PASSWORD", "ORGANISATION");
        for (size_t i = 0; i < N_DEMO; i++)
            printf("  %-12s %-32s %-22s %s\n", demo_users[i].role, demo_users[i].email,
                   passwords[i], demo_users[i].org);
        printf("\n");
    }
    /* after the logins, which are printed whatever happens to the catalog */
    fflush(stdout);
    if (args.brands > 0)
        rc = cli_demo_brands(ctx, args.brands);
    /* the catalog even when some brand failed (4); not after a fatal error */
    if (rc != 5 && (args.sellers > 0 || args.listings > 0)) {
        int rc_catalog = cli_demo_catalog(ctx, args.sellers, args.listings);
        if (rc_catalog != 0)
            rc = rc_catalog;
    }
out_store:
    sodium_memzero(passwords, sizeof passwords);
    cli_session_close(&sess);
out_cfg:
    config_release(&cfg);
    return rc;
}
