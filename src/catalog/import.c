/*
 * import.c — bulk import of listings and sellers from JSON Lines.
 *
 * Lines are parsed and validated as they arrive (outside any transaction);
 * valid ones are kept in a batch of batch_size rows, which is written in ONE
 * transaction with ONE audit event ("catalog.import", counts in the detail)
 * — not one event per row, so that the log stays readable and the import
 * fast. A bad line, found while parsing or while writing (a listing of
 * another seller, a seller name taken by another organisation), is reported
 * with its line number and skipped; it never stops the import. Only store
 * failures (I/O, out of memory) do.
 *
 * Idempotence: a listing whose content hash equals its current version's is
 * left alone; other content adds a version. A seller line adds missing
 * identifiers and updates name and ship-from when they differ.
 *
 * Ownership: the import owns its batch (JSON objects, image texts) until the
 * batch is written; catalog_import_finish and catalog_import_free release
 * everything.
 */
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "catalog/catalog_internal.h"
#include "core/timeutil.h"

#define CATALOG__BATCH_MAX 100000

struct catalog__row {
    int64_t line_no;
    json_t *obj; /* owned; the parsed strings point into it */
    union {
        struct catalog__in listing;
        struct catalog__seller_in seller;
    } in;
    enum catalog__outcome outcome; /* set by the batch transaction */
    bool seller_created;
    char reason[CATALOG_REASON_MAX + 1];
};

struct catalog_import {
    struct ips_ctx *ctx;
    enum catalog_import_kind kind;
    char source[128];
    int batch_size;
    catalog_reject_fn reject;
    void *reject_arg;
    uint8_t key[32]; /* identifier key (sellers) */
    struct catalog__row *rows;
    int n;
    int64_t batch_rejected; /* parse-time rejections since the last batch */
    int64_t batch_first_line;
    struct catalog_import_stats stats;
    json_t *errors; /* scratch for validation messages */
};

static void catalog__row_release(struct catalog_import *imp, struct catalog__row *r)
{
    if (imp->kind == CATALOG_IMPORT_LISTINGS)
        catalog__in_release(&r->in.listing);
    else
        sodium_memzero(&r->in.seller, sizeof r->in.seller);
    json_decref(r->obj);
    r->obj = NULL;
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
    imp->rows = calloc((size_t)batch_size, sizeof *imp->rows);
    imp->errors = json_array();
    if (!imp->rows || !imp->errors) {
        st = IPS_ERR_NOMEM;
        goto out_free;
    }
    imp->ctx = ctx;
    imp->kind = kind;
    snprintf(imp->source, sizeof imp->source, "%s", source ? source : "-");
    imp->batch_size = batch_size;
    imp->reject = reject;
    imp->reject_arg = reject_arg;
    if (kind == CATALOG_IMPORT_SELLERS && (st = catalog_identifier_key(ctx->store, imp->key)))
        goto out_free;
    if ((st = store_catalog_bulk_begin(ctx->store)))
        goto out_free;
    *out = imp;
    return IPS_OK;
out_free:
    catalog_import_free(imp);
    return st;
}

void catalog_import_free(struct catalog_import *imp)
{
    if (!imp)
        return;
    for (int i = 0; i < imp->n; i++)
        catalog__row_release(imp, &imp->rows[i]);
    free(imp->rows);
    json_decref(imp->errors);
    sodium_memzero(imp->key, sizeof imp->key);
    free(imp);
}

void catalog_import_progress(const struct catalog_import *imp, struct catalog_import_stats *stats)
{
    *stats = imp->stats;
}

static void catalog__reject(struct catalog_import *imp, int64_t line_no, const char *reason)
{
    imp->stats.rejected++;
    if (imp->reject)
        imp->reject(line_no, reason, imp->reject_arg);
}

/* The batch transaction. Resets everything it computes at its start: it may
 * run more than once (store_tx_run retries on BUSY). */
static ips_status catalog__batch_tx(struct store *s, void *arg)
{
    struct catalog_import *imp = arg;
    int64_t now = time_now_ms();
    int64_t created = 0, updated = 0, unchanged = 0, rejected = 0;
    char last_ext[STORE_SELLER_EXT_MAX + 1] = "";
    char last_org[ID_SIZE] = "";
    ips_status st = IPS_OK;
    for (int i = 0; i < imp->n; i++) {
        struct catalog__row *r = &imp->rows[i];
        r->outcome = CATALOG__UNCHANGED;
        r->seller_created = false;
        r->reason[0] = '\0';
        if (imp->kind == CATALOG_IMPORT_SELLERS) {
            st = catalog__seller_apply(s, &r->in.seller, NULL, now, &r->outcome, NULL, r->reason);
        } else {
            const struct catalog__in *in = &r->in.listing;
            if (strcmp(last_ext, in->seller_id) != 0) {
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
            }
            st = catalog__listing_apply(s, in->id, in, last_org, now, &r->outcome, NULL, NULL,
                                        r->reason);
        }
        if (st)
            break;
    next:
        created += r->outcome == CATALOG__CREATED;
        updated += r->outcome == CATALOG__UPDATED;
        unchanged += r->outcome == CATALOG__UNCHANGED;
        rejected += r->outcome == CATALOG__REJECTED;
    }
    if (st)
        return st;
    char detail[STORE_DETAIL_MAX + 1];
    snprintf(detail, sizeof detail,
             "%s lines %" PRId64 "-%" PRId64 ": created %" PRId64 ", updated %" PRId64
             ", unchanged %" PRId64 ", rejected %" PRId64,
             imp->source, imp->batch_first_line, imp->rows[imp->n - 1].line_no, created, updated,
             unchanged, rejected + imp->batch_rejected);
    return audit_append(s, access_principal_actor(imp->ctx->actor), "catalog.import",
                        imp->kind == CATALOG_IMPORT_SELLERS ? "import:sellers" : "import:listings",
                        AUDIT_OK, detail);
}

/* Write the pending batch, then count, report and release its rows. */
static ips_status catalog__flush(struct catalog_import *imp)
{
    if (imp->n == 0)
        return IPS_OK;
    ips_status st = store_tx_run(imp->ctx->store, catalog__batch_tx, imp);
    if (st)
        return st;
    imp->stats.batches++;
    for (int i = 0; i < imp->n; i++) {
        struct catalog__row *r = &imp->rows[i];
        switch (r->outcome) {
        case CATALOG__CREATED: imp->stats.created++; break;
        case CATALOG__UPDATED: imp->stats.updated++; break;
        case CATALOG__UNCHANGED: imp->stats.unchanged++; break;
        case CATALOG__REJECTED: catalog__reject(imp, r->line_no, r->reason); break;
        }
        imp->stats.sellers_created += r->seller_created;
        catalog__row_release(imp, r);
    }
    imp->n = 0;
    imp->batch_rejected = 0;
    return IPS_OK;
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
    if (imp->n == 0) {
        imp->batch_first_line = line_no;
    }
    char reason[CATALOG_REASON_MAX + 1];
    if (len > CATALOG_LINE_MAX) {
        snprintf(reason, sizeof reason, "line longer than %d bytes", CATALOG_LINE_MAX);
        goto out_reject;
    }
    json_error_t je;
    json_t *obj = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!obj) {
        /* jansson's message may quote the input; seller lines hold
         * identifiers, so only the position is reported for them */
        if (imp->kind == CATALOG_IMPORT_SELLERS)
            snprintf(reason, sizeof reason, "malformed JSON at column %d", je.column);
        else
            snprintf(reason, sizeof reason, "malformed JSON at column %d: %.200s", je.column,
                     je.text);
        goto out_reject;
    }
    struct catalog__row *r = &imp->rows[imp->n];
    memset(r, 0, sizeof *r);
    json_array_clear(imp->errors);
    bool ok = imp->kind == CATALOG_IMPORT_SELLERS
                  ? catalog__seller_parse(obj, imp->key, &r->in.seller, imp->errors)
                  : catalog__listing_parse(obj, CATALOG__IMPORT, &r->in.listing, imp->errors);
    if (!ok) {
        catalog__first_error(imp->errors, reason, sizeof reason);
        json_decref(obj);
        goto out_reject;
    }
    r->obj = obj;
    r->line_no = line_no;
    imp->n++;
    return imp->n >= imp->batch_size ? catalog__flush(imp) : IPS_OK;
out_reject:
    imp->batch_rejected++;
    catalog__reject(imp, line_no, reason);
    return IPS_OK;
}

ips_status catalog_import_finish(struct catalog_import *imp, struct catalog_import_stats *stats)
{
    ips_status st = catalog__flush(imp);
    if (stats)
        *stats = imp->stats;
    catalog_import_free(imp);
    return st;
}
