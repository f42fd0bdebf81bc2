/*
 * import.c — bulk import of listings and sellers from JSON Lines.
 *
 * Lines are parsed and validated as they arrive (outside any transaction)
 * into a batch of batch_size rows; a full batch is written in ONE
 * transaction with ONE audit event ("catalog.import", counts in the detail)
 * — not one event per row, so that the log stays readable and the import
 * fast. A bad line, found while parsing or while writing (a listing of
 * another seller, a seller name taken by another organisation), is reported
 * with its line number and skipped; it never stops the import. Only store
 * failures (I/O, out of memory) do.
 *
 * Pipeline: there are two batches (the first ones smaller, so that the
 * writer starts early: CATALOG__FIRST_ROWS). While the import's writer
 * thread writes one (the only thread that touches the store while it
 * writes), the caller's thread parses lines into the other; JSON parsing
 * and the SQLite work run on two cores. The writer is one thread for the whole import
 * (started with the first full batch), so its per-thread detection state
 * (normaliser, scanner) is made once. When a batch is full the caller waits
 * for the writer to finish the previous one, hands it the new one, and only
 * then, while the writer works, waits for the previous one's commit to be
 * durable and completes it: its rows are counted, its bad lines reported in
 * line order (parse-time rejects are kept as rows of their batch for that),
 * its memory released. The writer commits with store_tx_run_unsynced, so
 * neither the commit's fdatasync (run by the caller's thread) nor the
 * thousands of frees of a completion keep it idle. So the reject function
 * and the counts are only ever touched by the caller's thread, and a row is
 * counted only after the transaction holding it committed and is durable.
 * An import of one batch writes it on the caller's thread.
 *
 * Full-text index: a listings batch defers the index (store_catalog_bulk_defer)
 * and fills it once, for the batch's current versions, before its commit
 * (store_catalog_bulk_index): one FTS5 build per batch instead of one per
 * row. A failed batch ends the deferral without indexing, as its
 * transaction rolls back. Detection: every version written is scanned in
 * the batch's transaction through detections_batch_* (rules once per
 * batch, each seller's signal once per batch; the same verdicts as a
 * listing written alone). The text part of that scan (normalising and
 * matching title and description) runs on the parsing thread
 * (detections_prescan, with the rules taken before each batch is handed to
 * the writer); the writer replays the matches when its batch's rules are
 * still the same, and scans itself otherwise.
 *
 * Sellers: a listings batch resolves each seller id it meets (creating an
 * unknown seller) and checks whether that seller may post once, and
 * remembers the answer for the rest of the batch.
 *
 * Idempotence: a listing whose content hash equals its current version's is
 * left alone; other content adds a version. A seller line adds missing
 * identifiers and updates name and ship-from when they differ.
 *
 * Ownership: the import owns its batches (JSON objects, image texts) until
 * they are completed; catalog_import_finish and catalog_import_free release
 * everything (and join the writer).
 */
#include <inttypes.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "catalog/catalog_internal.h"
#include "core/json_arena.h"
#include "core/json_fast.h"
#include "core/timeutil.h"
#include "detections/detections.h"
#include "enforce/enforce.h"

#define CATALOG__BATCH_MAX 100000

/* The first batch's rows; each next batch has twice as many, up to the
 * batch size. The writer starts after a few milliseconds of parsing
 * instead of a whole batch's (~45 ms for 5,000 listing lines), and since
 * parsing a row takes about half as long as writing it, each next batch is
 * ready about when the writer wants it. */
#define CATALOG__FIRST_ROWS 256

/* Address space reserved per line of a batch for its parsed JSON (a
 * 600-byte listing line of the benchmark takes about 3 KiB; past the
 * reservation values come from the heap). */
#define CATALOG__ARENA_PER_LINE 8192

struct catalog__row {
    int64_t line_no;
    json_t *obj;   /* owned; the parsed strings point into it; NULL: rejected while parsing */
    bool in_arena; /* obj lies wholly in its batch's arena: released by the arena's reset */
    union {
        struct catalog__in listing;
        struct catalog__seller_in seller;
    } in;
    struct detections_prescan *pre; /* listings: title/description matches, or NULL */
    enum catalog__outcome outcome; /* set by the batch transaction (or the parser) */
    bool seller_created;
    char reason[CATALOG_REASON_MAX + 1];
};

/* One batch of rows, in line order. */
struct catalog__batch {
    struct catalog_import *imp;
    struct catalog__row *rows;
    int n;         /* rows, rejected ones included */
    int valid;       /* rows with obj != NULL */
    ips_status st;   /* the writer's result */
    uint64_t ticket; /* its commit, for store_tx_synced (0: none to wait for) */
    struct json_arena *arena; /* the rows' parsed lines, or NULL (heap) */
};

struct catalog_import {
    struct ips_ctx *ctx;
    enum catalog_import_kind kind;
    char source[128];
    int batch_size;
    int fill_limit; /* rows of the batch being filled: CATALOG__FIRST_ROWS, doubling to batch_size */
    catalog_reject_fn reject;
    void *reject_arg;
    uint8_t key[32]; /* identifier key (sellers) */
    struct catalog__batch batch[2];
    struct catalog__batch *fill;    /* the one being parsed into */
    struct catalog__batch *writing; /* handed to the writer, not completed yet, or NULL */
    /* the writer thread: lock guards todo and quit; cond signals both ways */
    pthread_t writer;
    bool threaded; /* the writer thread runs (else batches are written inline) */
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct catalog__batch *todo; /* handed to the thread and not written yet, or NULL */
    bool quit;
    struct catalog_import_stats stats;
    json_t *errors; /* scratch for validation messages */
    /* listings: the rules the parser scans titles and descriptions with
     * (detections_prescan), taken again before each batch is handed to the
     * writer; NULL when scanning is queued */
    struct detections_rules *rules;
};

static void catalog__row_release(struct catalog_import *imp, struct catalog__row *r)
{
    if (imp->kind == CATALOG_IMPORT_LISTINGS) {
        catalog__in_release(&r->in.listing);
        detections_prescan_free(r->pre);
        r->pre = NULL;
    } else
        sodium_memzero(&r->in.seller, sizeof r->in.seller);
    if (!r->in_arena)
        json_decref(r->obj);
    r->obj = NULL;
    r->in_arena = false;
}

ips_status catalog_import_begin(struct ips_ctx *ctx, enum catalog_import_kind kind,
                                const char *source, int batch_size, catalog_reject_fn reject,
                                void *reject_arg, struct catalog_import **out)
{
    ips_status st = catalog__check(ctx, ACT_CATALOG_IMPORT, NULL, "import");
    if (st)
        return st;
    if (batch_size <= 0)
        batch_size = CATALOG_BATCH_DEFAULT;
    if (batch_size > CATALOG__BATCH_MAX)
        return IPS_ERR_INVALID;
    struct catalog_import *imp = calloc(1, sizeof *imp);
    if (!imp)
        return IPS_ERR_NOMEM;
    pthread_mutex_init(&imp->lock, NULL);
    pthread_cond_init(&imp->cond, NULL);
    for (int b = 0; b < 2; b++) {
        imp->batch[b].imp = imp;
        imp->batch[b].rows = calloc((size_t)batch_size, sizeof *imp->batch[b].rows);
    }
    imp->fill = &imp->batch[0];
    /* the parsed lines of a batch in an arena reset when the batch is
     * released (core/json_arena.h); without one (sanitised build, no
     * address space) they are parsed into the heap */
    for (int b = 0; b < 2; b++)
        if (json_arena_new((size_t)batch_size * CATALOG__ARENA_PER_LINE, &imp->batch[b].arena))
            imp->batch[b].arena = NULL;
    imp->errors = json_array();
    if (!imp->batch[0].rows || !imp->batch[1].rows || !imp->errors) {
        st = IPS_ERR_NOMEM;
        goto out_free;
    }
    imp->ctx = ctx;
    imp->kind = kind;
    snprintf(imp->source, sizeof imp->source, "%s", source ? source : "-");
    imp->batch_size = batch_size;
    imp->fill_limit = batch_size < CATALOG__FIRST_ROWS ? batch_size : CATALOG__FIRST_ROWS;
    imp->reject = reject;
    imp->reject_arg = reject_arg;
    if (kind == CATALOG_IMPORT_SELLERS && (st = catalog_identifier_key(ctx->store, imp->key)))
        goto out_free;
    if ((st = store_catalog_bulk_begin(ctx->store)))
        goto out_free;
    if (kind == CATALOG_IMPORT_LISTINGS &&
        (st = detections_prescan_rules(ctx->store, ctx->cfg, &imp->rules)))
        goto out_free;
    *out = imp;
    return IPS_OK;
out_free:
    catalog_import_free(imp);
    return st;
}

/* Wait until the batch handed to the writer is written. Result: its
 * status (IPS_OK when none was handed). */
static ips_status catalog__join(struct catalog_import *imp)
{
    if (!imp->writing)
        return IPS_OK;
    pthread_mutex_lock(&imp->lock);
    while (imp->todo)
        pthread_cond_wait(&imp->cond, &imp->lock);
    pthread_mutex_unlock(&imp->lock);
    return imp->writing->st;
}

static void catalog__batch_release(struct catalog_import *imp, struct catalog__batch *b)
{
    for (int i = 0; i < b->n; i++)
        catalog__row_release(imp, &b->rows[i]);
    b->n = b->valid = 0;
    if (b->arena)
        json_arena_reset(b->arena);
}

void catalog_import_free(struct catalog_import *imp)
{
    if (!imp)
        return;
    (void)catalog__join(imp); /* a batch in flight may still commit; it is not counted */
    imp->writing = NULL;
    if (imp->threaded) {
        pthread_mutex_lock(&imp->lock);
        imp->quit = true;
        pthread_cond_broadcast(&imp->cond);
        pthread_mutex_unlock(&imp->lock);
        pthread_join(imp->writer, NULL);
    }
    pthread_cond_destroy(&imp->cond);
    pthread_mutex_destroy(&imp->lock);
    for (int b = 0; b < 2; b++) {
        if (imp->batch[b].rows)
            catalog__batch_release(imp, &imp->batch[b]);
        free(imp->batch[b].rows);
        json_arena_free(imp->batch[b].arena);
    }
    json_decref(imp->errors);
    detections_prescan_rules_free(imp->rules);
    sodium_memzero(imp->key, sizeof imp->key);
    free(imp);
}

void catalog_import_progress(const struct catalog_import *imp, struct catalog_import_stats *stats)
{
    *stats = imp->stats;
}

/* The batch transaction. Resets everything it computes at its start: it may
 * run more than once (store_tx_run retries on BUSY). Runs on the writer. */
static ips_status catalog__batch_tx(struct store *s, void *arg)
{
    struct catalog__batch *b = arg;
    struct catalog_import *imp = b->imp;
    int64_t now = time_now_ms();
    int64_t created = 0, updated = 0, unchanged = 0, rejected = 0;
    char last_ext[STORE_SELLER_EXT_MAX + 1] = "";
    char last_org[ID_SIZE] = "";
    char refused[CATALOG_REASON_MAX + 1] = ""; /* why last_org may not post, "" if it may */
    /* every seller met in the batch: external id -> [org id, refused]; the
     * batch writes no seller but the ones it creates and no restriction, so
     * each seller is resolved and checked once per batch (not once per run
     * of equal seller ids) */
    json_t *sellers = json_object();
    /* the batch's listings go into the full-text index at its end, at once,
     * and are scanned with the rules and seller signals taken once */
    struct detections_batch *scan = NULL;
    ips_status st = sellers ? IPS_OK : IPS_ERR_NOMEM;
    if (st == IPS_OK && imp->kind == CATALOG_IMPORT_LISTINGS &&
        (st = store_catalog_bulk_defer(s)) == IPS_OK)
        st = detections_batch_begin(s, imp->ctx->cfg, now, &scan);
    for (int i = 0; st == IPS_OK && i < b->n; i++) {
        struct catalog__row *r = &b->rows[i];
        if (!r->obj) { /* rejected by the parser */
            rejected++;
            continue;
        }
        r->outcome = CATALOG__UNCHANGED;
        r->seller_created = false;
        r->reason[0] = '\0';
        if (imp->kind == CATALOG_IMPORT_SELLERS) {
            char org[ID_SIZE];
            st = catalog__seller_apply(s, &r->in.seller, NULL, now, &r->outcome, org, r->reason);
            /* networks and ban evasion (src/enforce), at once */
            if (st == IPS_OK && (r->outcome == CATALOG__CREATED || r->outcome == CATALOG__UPDATED))
                st = enforce_seller_changed(s, imp->ctx->cfg, org, now);
        } else {
            const struct catalog__in *in = &r->in.listing;
            json_t *seen;
            if (strcmp(last_ext, in->seller_id) != 0 &&
                (seen = json_object_get(sellers, in->seller_id)) != NULL) {
                snprintf(last_org, sizeof last_org, "%s",
                         json_string_value(json_array_get(seen, 0)));
                snprintf(refused, sizeof refused, "%s", json_string_value(json_array_get(seen, 1)));
                snprintf(last_ext, sizeof last_ext, "%s", in->seller_id);
            } else if (strcmp(last_ext, in->seller_id) != 0) {
                last_ext[0] = '\0';
                st = catalog__seller_resolve(s, in->seller_id, now, last_org, &r->seller_created,
                                             r->reason);
                if (st == IPS_ERR_CONFLICT) {
                    r->outcome = CATALOG__REJECTED;
                    st = IPS_OK;
                    goto next;
                }
                if (st)
                    break;
                snprintf(last_ext, sizeof last_ext, "%s", in->seller_id);
                refused[0] = '\0';
                st = enforce_posting_check(s, last_org, refused, sizeof refused);
                if (st == IPS_ERR_FORBIDDEN)
                    st = IPS_OK;
                else
                    refused[0] = '\0';
                if (st)
                    break;
                if (json_object_set_new(sellers, in->seller_id,
                                        json_pack("[ss]", last_org, refused)) != 0) {
                    st = IPS_ERR_NOMEM;
                    break;
                }
            }
            if (refused[0]) { /* a restricted, suspended or terminated seller (src/enforce) */
                snprintf(r->reason, sizeof r->reason, "%s", refused);
                r->outcome = CATALOG__REJECTED;
                goto next;
            }
            st = catalog__listing_apply(s, imp->ctx->cfg, scan, r->pre, in->id, in, last_org, now,
                                        &r->outcome, NULL, NULL, r->reason);
        }
        if (st)
            break;
    next:
        created += r->outcome == CATALOG__CREATED;
        updated += r->outcome == CATALOG__UPDATED;
        unchanged += r->outcome == CATALOG__UNCHANGED;
        rejected += r->outcome == CATALOG__REJECTED;
    }
    detections_batch_end(scan);
    json_decref(sellers);
    ips_status ix = store_catalog_bulk_index(s, st == IPS_OK);
    if (st || (st = ix))
        return st;
    char detail[STORE_DETAIL_MAX + 1];
    snprintf(detail, sizeof detail,
             "%s lines %" PRId64 "-%" PRId64 ": created %" PRId64 ", updated %" PRId64
             ", unchanged %" PRId64 ", rejected %" PRId64,
             imp->source, b->rows[0].line_no, b->rows[b->n - 1].line_no, created, updated,
             unchanged, rejected);
    return audit_append(s, access_principal_actor(imp->ctx->actor), "catalog.import",
                        imp->kind == CATALOG_IMPORT_SELLERS ? "import:sellers" : "import:listings",
                        AUDIT_OK, detail);
}

/* Write batch b (the writer's whole job); a batch of bad lines only writes
 * nothing. OUT b->st. */
static void catalog__write(struct catalog__batch *b)
{
    b->ticket = 0;
    b->st = b->valid ? store_tx_run_bulk(b->imp->ctx->store, catalog__batch_tx, b, &b->ticket)
                     : IPS_OK;
}

/* The writer thread: writes each batch handed to it (todo), until quit. */
static void *catalog__writer_main(void *arg)
{
    struct catalog_import *imp = arg;
    pthread_mutex_lock(&imp->lock);
    for (;;) {
        while (!imp->todo && !imp->quit)
            pthread_cond_wait(&imp->cond, &imp->lock);
        struct catalog__batch *b = imp->todo;
        if (!b)
            break;
        pthread_mutex_unlock(&imp->lock);
        catalog__write(b);
        pthread_mutex_lock(&imp->lock);
        imp->todo = NULL;
        pthread_cond_broadcast(&imp->cond);
    }
    pthread_mutex_unlock(&imp->lock);
    return NULL;
}

/* Have batch b written: by the writer thread (started on first use) unless
 * inline is set or the thread cannot be had, else here. */
static void catalog__hand(struct catalog_import *imp, struct catalog__batch *b, bool inline_)
{
    imp->writing = b;
    if (!imp->threaded && !inline_)
        imp->threaded = pthread_create(&imp->writer, NULL, catalog__writer_main, imp) == 0;
    if (!imp->threaded) {
        catalog__write(b);
        return;
    }
    pthread_mutex_lock(&imp->lock);
    imp->todo = b;
    pthread_cond_broadcast(&imp->cond);
    pthread_mutex_unlock(&imp->lock);
}

/* On the caller's thread, after the join: count, report and release the
 * rows of the written batch b. */
static void catalog__complete(struct catalog_import *imp, struct catalog__batch *b)
{
    if (b->valid)
        imp->stats.batches++;
    for (int i = 0; i < b->n; i++) {
        struct catalog__row *r = &b->rows[i];
        switch (r->outcome) {
        case CATALOG__CREATED: imp->stats.created++; break;
        case CATALOG__UPDATED: imp->stats.updated++; break;
        case CATALOG__UNCHANGED: imp->stats.unchanged++; break;
        case CATALOG__REJECTED:
            imp->stats.rejected++;
            if (imp->reject)
                imp->reject(r->line_no, r->reason, imp->reject_arg);
            break;
        }
        imp->stats.sellers_created += r->seller_created;
    }
    catalog__batch_release(imp, b);
}

/* Wait for the batch handed to the writer. OUT *done: that batch (NULL if
 * none), for catalog__complete_synced when the result is IPS_OK; on
 * failure it is released without being counted. Result: its write status. */
static ips_status catalog__settle(struct catalog_import *imp, struct catalog__batch **done)
{
    ips_status st = catalog__join(imp);
    struct catalog__batch *b = imp->writing;
    imp->writing = NULL;
    *done = NULL;
    if (b && st)
        catalog__batch_release(imp, b);
    else
        *done = b;
    return st;
}

/* Wait until written batch b's commit is durable (this thread runs the
 * fdatasync unless another does), then complete it; a batch whose sync
 * failed is released without being counted. Result: the sync's status. */
static ips_status catalog__complete_synced(struct catalog_import *imp, struct catalog__batch *b)
{
    ips_status st = store_tx_synced(imp->ctx->store, b->ticket);
    if (st) {
        catalog__batch_release(imp, b);
        return st;
    }
    catalog__complete(imp, b);
    return IPS_OK;
}

/* Hand the filled batch to the writer once the previous one is written,
 * then, while the writer works, wait for the previous one's sync and
 * complete it, and go on filling the other. wait: also wait for this one
 * and complete it (finish). */
static ips_status catalog__flush(struct catalog_import *imp, bool wait)
{
    struct catalog__batch *prev, *b = imp->fill;
    ips_status st = catalog__settle(imp, &prev);
    /* the rules for the next batch's text scan, while no writer uses the
     * store (a batch whose rules changed meanwhile is scanned by its writer) */
    if (st == IPS_OK && b->n > 0 && !wait && imp->rules) {
        detections_prescan_rules_free(imp->rules);
        imp->rules = NULL;
        st = detections_prescan_rules(imp->ctx->store, imp->ctx->cfg, &imp->rules);
    }
    if (st == IPS_OK && b->n > 0) {
        imp->fill = b == &imp->batch[0] ? &imp->batch[1] : &imp->batch[0];
        /* an import of one batch is written here, on the thread that has
         * the detection state already */
        catalog__hand(imp, b, wait && !prev && !imp->threaded);
    }
    ips_status done = prev ? catalog__complete_synced(imp, prev) : IPS_OK; /* the next lines go there */
    if (st == IPS_OK)
        st = done;
    if (st || !wait)
        return st;
    st = catalog__settle(imp, &prev);
    return prev ? catalog__complete_synced(imp, prev) : st;
}

ips_status catalog_import_line(struct catalog_import *imp, int64_t line_no, const char *text,
                               size_t len)
{
    size_t i = 0;
    while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r'))
        i++;
    if (i == len)
        return IPS_OK; /* blank */
    imp->stats.lines++;
    struct catalog__batch *b = imp->fill;
    struct catalog__row *r = &b->rows[b->n++];
    memset(r, 0, sizeof *r);
    r->line_no = line_no;
    r->outcome = CATALOG__REJECTED; /* until parsed */
    if (len > CATALOG_LINE_MAX) {
        snprintf(r->reason, sizeof r->reason, "line longer than %d bytes", CATALOG_LINE_MAX);
        goto out_full;
    }
    json_error_t je;
    json_t *obj = b->arena ? json_arena_loadb(b->arena, text, len, JSON_REJECT_DUPLICATES, &je,
                                              &r->in_arena)
                           : json_fast_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!obj) {
        /* jansson's message may quote the input; seller lines hold
         * identifiers, so only the position is reported for them */
        if (imp->kind == CATALOG_IMPORT_SELLERS)
            snprintf(r->reason, sizeof r->reason, "malformed JSON at column %d", je.column);
        else
            snprintf(r->reason, sizeof r->reason, "malformed JSON at column %d: %.200s",
                     je.column, je.text);
        goto out_full;
    }
    json_array_clear(imp->errors);
    bool ok = imp->kind == CATALOG_IMPORT_SELLERS
                  ? catalog__seller_parse(obj, imp->key, &r->in.seller, imp->errors)
                  : catalog__listing_parse(obj, CATALOG__IMPORT, &r->in.listing, imp->errors);
    if (!ok) {
        catalog__first_error(imp->errors, r->reason, sizeof r->reason);
        json_decref(obj);
        goto out_full;
    }
    /* the text scan, here rather than on the writer; on failure the writer
     * scans the listing itself (and reports the failure) */
    if (imp->rules && detections_prescan(imp->rules, r->in.listing.title,
                                         r->in.listing.description, &r->pre) != IPS_OK)
        r->pre = NULL;
    r->obj = obj;
    r->outcome = CATALOG__UNCHANGED;
    b->valid++;
out_full:
    if (b->n < imp->fill_limit)
        return IPS_OK;
    imp->fill_limit = imp->fill_limit > imp->batch_size / 2 ? imp->batch_size : 2 * imp->fill_limit;
    return catalog__flush(imp, false);
}

ips_status catalog_import_finish(struct catalog_import *imp, struct catalog_import_stats *stats)
{
    ips_status st = catalog__flush(imp, true);
    if (stats)
        *stats = imp->stats;
    catalog_import_free(imp);
    return st;
}
