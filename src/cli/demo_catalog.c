/*
 * demo_catalog.c — the marketplace part of `iprshield demo seed`
 * (--sellers N --listings N): run scripts/gen-demo-catalog.mjs with node
 * into a temporary directory and import the files it writes, as the system
 * principal, through the same import as `iprshield import`.
 *
 * The demo seller organisation ("Lucky Star Trading") gets a seller profile
 * with the marketplace id DEMO_SELLER_ID, and the generator gives that id to
 * some of the listings, so the demo seller user sees listings of its own.
 */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "catalog/catalog.h"
#include "cli/cli.h"
#include "cli/import.h"

#ifndef IPRSHIELD_SOURCE_DIR
#define IPRSHIELD_SOURCE_DIR "."
#endif

#define DEMO_SELLER_ORG "Lucky Star Trading"
#define DEMO_SELLER_ID "lucky-star-trading"
#define DEMO_SCRIPT "scripts/gen-demo-catalog.mjs"

extern char **environ;

/* Give the demo seller org its profile (idempotent). */
static ips_status demo__seller_profile(struct ips_ctx *ctx)
{
    struct store_org o;
    ips_status st = store_org_get_by_name(ctx->store, DEMO_SELLER_ORG, &o);
    if (st)
        return st;
    json_t *obj = json_pack("{s:s, s:s, s:s}", "id", DEMO_SELLER_ID, "name", DEMO_SELLER_ORG,
                            "ship_from", "CN-GD");
    if (!obj)
        return IPS_ERR_NOMEM;
    st = catalog_seller_put(ctx, obj, o.id, NULL, NULL);
    json_decref(obj);
    return st;
}

/* The generator script: in the source tree the binary was built from, or
 * under the current directory. OUT path[cap]. */
static bool demo__script(char *path, size_t cap)
{
    snprintf(path, cap, "%s/%s", IPRSHIELD_SOURCE_DIR, DEMO_SCRIPT);
    if (access(path, R_OK) == 0)
        return true;
    snprintf(path, cap, "./%s", DEMO_SCRIPT);
    return access(path, R_OK) == 0;
}

/* Run node with the generator; returns its exit status, or -1 when node
 * cannot be started (message printed). */
static int demo__generate(const char *script, const char *dir, long sellers, long listings)
{
    char ns[24], nl[24];
    snprintf(ns, sizeof ns, "%ld", sellers);
    snprintf(nl, sizeof nl, "%ld", listings);
    /* posix_spawn takes char *const argv[]: writable copies of the literals */
    char a_node[] = "node", a_sellers[] = "--sellers", a_listings[] = "--listings",
         a_out[] = "--out", a_demo[] = "--demo-seller", a_demo_id[] = DEMO_SELLER_ID;
    char s_copy[1024], d_copy[64];
    snprintf(s_copy, sizeof s_copy, "%s", script);
    snprintf(d_copy, sizeof d_copy, "%s", dir);
    char *argv[] = {a_node, s_copy, a_sellers, ns, a_listings, nl, a_out,
                    d_copy, a_demo, a_demo_id, NULL};
    pid_t pid;
    int rc = posix_spawnp(&pid, "node", NULL, NULL, argv, environ);
    if (rc != 0) {
        fprintf(stderr,
                "iprshield: demo seed --sellers/--listings needs Node.js ('node' on PATH; "
                "scripts/install-deps.sh installs it): %s\n",
                strerror(rc));
        return -1;
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            return -1;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int cli_demo_catalog(struct ips_ctx *ctx, long sellers, long listings)
{
    char script[1024], dir[] = "/tmp/iprs-demo-XXXXXX", file[1100];
    ips_status st = demo__seller_profile(ctx);
    if (st)
        return cli_fail("cannot give the demo seller a profile", st, ctx->detail);
    if (!demo__script(script, sizeof script)) {
        fprintf(stderr, "iprshield: cannot find %s (run from the source tree)\n", DEMO_SCRIPT);
        return 5;
    }
    if (!mkdtemp(dir)) {
        fprintf(stderr, "iprshield: cannot create a temporary directory: %s\n", strerror(errno));
        return 5;
    }
    int rc = demo__generate(script, dir, sellers, listings);
    if (rc != 0) {
        if (rc > 0)
            fprintf(stderr, "iprshield: %s failed (exit %d)\n", DEMO_SCRIPT, rc);
        rc = 5;
        goto out_dir;
    }
    static const struct {
        const char *name;
        enum catalog_import_kind kind;
    } files[] = {{"sellers.jsonl", CATALOG_IMPORT_SELLERS},
                 {"listings.jsonl", CATALOG_IMPORT_LISTINGS}};
    for (size_t i = 0; i < 2 && rc == 0; i++) {
        struct catalog_import_stats stats;
        memset(&stats, 0, sizeof stats);
        snprintf(file, sizeof file, "%s/%s", dir, files[i].name);
        rc = cli_import_file(ctx, files[i].kind, file, NULL, 0, isatty(STDERR_FILENO) == 1,
                             &stats);
        if (rc == 0)
            fprintf(stderr, "demo %s: %lld created, %lld updated, %lld unchanged, %lld rejected\n",
                    files[i].name, (long long)stats.created, (long long)stats.updated,
                    (long long)stats.unchanged, (long long)stats.rejected);
    }
out_dir:
    for (size_t i = 0; i < 2; i++) {
        snprintf(file, sizeof file, "%s/%s", dir, i ? "listings.jsonl" : "sellers.jsonl");
        unlink(file);
    }
    rmdir(dir);
    return rc;
}
