/*
 * fuzz_store.h — a throw-away SQLite database for the harnesses whose
 * parser sits behind a domain function that needs a store: created and
 * migrated once per process in a fresh directory under /tmp, removed at
 * exit. The context acts as the system principal (the CLI's), so that
 * access checks pass and the parser is reached.
 */
#ifndef IPS_TESTS_FUZZ_STORE_H
#define IPS_TESTS_FUZZ_STORE_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "access/access.h"
#include "core/config.h"
#include "fuzz.h"
#include "store/store.h"

struct fuzz_store {
    char dir[64];
    char path[128];
    struct store *s;
    struct config cfg;
    struct access_principal sys;
    struct ips_ctx ctx;
};

static struct fuzz_store fuzz__store;

static void fuzz_store__cleanup(void)
{
    struct fuzz_store *f = &fuzz__store;
    static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
    store_close(f->s);
    f->s = NULL;
    for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
        char p[sizeof f->path + 16];
        snprintf(p, sizeof p, "%.127s%s", f->path, suffix[i]);
        unlink(p);
    }
    rmdir(f->dir);
    json_decref(f->ctx.errors);
    config_release(&f->cfg);
}

/* Open the database (once); aborts on failure. Returns the context, whose
 * errors array and detail the harness resets before each input. */
static inline struct ips_ctx *fuzz_store_ctx(void)
{
    struct fuzz_store *f = &fuzz__store;
    if (f->s)
        return &f->ctx;
    char err[256];
    snprintf(f->dir, sizeof f->dir, "/tmp/ips-fuzz-XXXXXX");
    if (!mkdtemp(f->dir))
        abort();
    snprintf(f->path, sizeof f->path, "%.63s/fuzz.db", f->dir);
    unsetenv("IPRSHIELD_CONFIG");
    if (config_load(&f->cfg, err, sizeof err) != IPS_OK || store_open(f->path, &f->s) != IPS_OK ||
        store_migrate(f->s, NULL) != IPS_OK)
        abort();
    access_principal_system(&f->sys);
    f->ctx.store = f->s;
    f->ctx.actor = &f->sys;
    f->ctx.cfg = &f->cfg;
    f->ctx.addr = "cli";
    f->ctx.errors = json_array();
    if (!f->ctx.errors)
        abort();
    atexit(fuzz_store__cleanup);
    return &f->ctx;
}

/* Clear what one input left in the context. */
static inline void fuzz_store_reset(struct ips_ctx *ctx)
{
    json_array_clear(ctx->errors);
    ctx->detail[0] = '\0';
}

#endif
