/*
 * prior_art.c — prior art by image: which registered works look like this
 * image, and who registered them first (issue 6, item 5). Contract:
 * ledger_prior_art in ledger.h.
 *
 * The detection engine's multi-index Hamming index (detect.h) holds the PDQ
 * hash of every image work, in log order; index id i maps to leaf_index
 * pa.leaf[i]. It lives in this process's memory and is rebuilt from the
 * store (store_ledger_pdq_list) on first use; each query first appends what
 * was registered since (the registrations are append-only, so the rows
 * after the last one loaded are exactly the new ones). Before that the
 * index checks that the last leaf it loaded is still the store's leaf at
 * that index (same leaf hash): when it is not — another database in the
 * same process, e.g. the unit tests — it starts again from scratch. It
 * only ever reads committed rows (queries run outside any transaction), so
 * a rolled-back registration never enters it.
 *
 * Only the original hash of each registration is indexed; the query hashes
 * all 8 dihedral variants of the image, so a mirrored or rotated copy of a
 * registered image matches through the variant that undoes the transform.
 */
#include "ledger/ledger_internal.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/timeutil.h"

#define PA__PAGE 10000 /* rows per store_ledger_pdq_list call */

static struct {
    pthread_mutex_t mu;
    struct detect_index *ix;
    int64_t *leaf; /* index id -> leaf_index */
    size_t n, cap;
    uint8_t last[MERKLE_HASH_LEN]; /* leaf hash of leaf[n - 1] */
} pa = {.mu = PTHREAD_MUTEX_INITIALIZER};

static void pa__reset(void)
{
    detect_index_free(pa.ix);
    free(pa.leaf);
    pa.ix = NULL;
    pa.leaf = NULL;
    pa.n = pa.cap = 0;
}

/* store_ledger_pdq_cb: append one registration to the index. */
static ips_status pa__add(int64_t leaf_index, const uint8_t pdq[STORE_HASH_LEN], void *arg)
{
    (void)arg;
    char hex[STORE_LEDGER_HEX_LEN + 1];
    struct detect_pdq h;
    sodium_bin2hex(hex, sizeof hex, pdq, STORE_HASH_LEN);
    if (!detect_pdq_parse(hex, &h))
        return IPS_ERR_INTERNAL;
    if (pa.n == pa.cap) {
        size_t cap = pa.cap ? pa.cap * 2 : 1024;
        int64_t *grown = realloc(pa.leaf, cap * sizeof *grown);
        if (!grown)
            return IPS_ERR_NOMEM;
        pa.leaf = grown;
        pa.cap = cap;
    }
    ips_status st = detect_index_add(pa.ix, &h, NULL);
    if (st == IPS_OK)
        pa.leaf[pa.n++] = leaf_index;
    return st;
}

/* Bring the index up to date with the store (lock held). On failure the
 * index is dropped, to be rebuilt by the next query. */
static ips_status pa__refresh(struct store *s)
{
    ips_status st = IPS_OK;
    uint8_t h[MERKLE_HASH_LEN];
    if (pa.n > 0) {
        st = ledger_tree_leaf_hash(s, (uint64_t)pa.leaf[pa.n - 1], h);
        if (st == IPS_ERR_NOT_FOUND || (st == IPS_OK && memcmp(h, pa.last, sizeof h) != 0)) {
            pa__reset(); /* another log than the one loaded */
            st = IPS_OK;
        }
        if (st)
            return st;
    }
    if (!pa.ix && (st = detect_index_new(&pa.ix)))
        return st;
    size_t had = pa.n;
    for (;;) {
        size_t before = pa.n;
        if ((st = store_ledger_pdq_list(s, pa.n ? pa.leaf[pa.n - 1] : -1, PA__PAGE, pa__add, NULL)))
            goto out_fail;
        if (pa.n - before < PA__PAGE)
            break;
    }
    if (pa.n > had && (st = ledger_tree_leaf_hash(s, (uint64_t)pa.leaf[pa.n - 1], pa.last)))
        goto out_fail;
    return IPS_OK;
out_fail:
    pa__reset();
    return st;
}

struct pa__hit {
    int64_t leaf_index;
    int distance;
    int via;
};

struct pa__hits {
    int64_t before;
    int via; /* the variant being queried */
    struct pa__hit *h;
    size_t n, cap;
    bool oom;
};

/* detect_index_hit_cb */
static void pa__collect(uint32_t id, int distance, void *arg)
{
    struct pa__hits *c = arg;
    int64_t leaf = pa.leaf[id];
    if ((c->before >= 0 && leaf >= c->before) || c->oom)
        return;
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 64;
        struct pa__hit *grown = realloc(c->h, cap * sizeof *grown);
        if (!grown) {
            c->oom = true;
            return;
        }
        c->h = grown;
        c->cap = cap;
    }
    c->h[c->n++] = (struct pa__hit){leaf, distance, c->via};
}

/* Log order; for one leaf the nearest variant first (then the lowest). */
static int pa__cmp(const void *a, const void *b)
{
    const struct pa__hit *x = a, *y = b;
    if (x->leaf_index != y->leaf_index)
        return x->leaf_index < y->leaf_index ? -1 : 1;
    if (x->distance != y->distance)
        return x->distance - y->distance;
    return x->via - y->via;
}

/* Hash the query image: OUT q[0..8), *quality. Sets ctx->detail on failure. */
static ips_status pa__hash(struct ips_ctx *ctx, const void *image, size_t len,
                           struct detect_pdq q[DETECT_DIH_COUNT])
{
    char err[160];
    int quality = 0;
    ips_status st = detect_pdq_image(image, len, q, &quality, err, sizeof err);
    if (st == IPS_ERR_MEDIA_TYPE)
        snprintf(ctx->detail, sizeof ctx->detail, "the image must be a JPEG, PNG or WebP file");
    else if (st == IPS_ERR_MALFORMED)
        snprintf(ctx->detail, sizeof ctx->detail, "the image cannot be decoded: %s", err);
    else if (st == IPS_OK && quality < DETECT_PDQ_MIN_QUALITY) {
        snprintf(ctx->detail, sizeof ctx->detail,
                 "the image is too flat to compare (PDQ quality %d, below %d)", quality,
                 DETECT_PDQ_MIN_QUALITY);
        st = IPS_ERR_INVALID;
    }
    return st;
}

ips_status ledger_prior_art(struct ips_ctx *ctx, const void *image, size_t len, int max_distance,
                            int64_t before, int limit, char query_pdq[65], ledger_prior_art_cb cb,
                            void *arg)
{
    ips_status st = ledger__usable(ctx);
    if (st || (st = access_authorize(ctx->actor, ACT_LEDGER_PRIOR_ART, NULL)))
        return st;
    if (max_distance < 0 || max_distance > DETECT_PDQ_MATCH_DISTANCE) {
        json_error_add(ctx->errors, "distance", "must be 0 to 31 (PDQ bits)");
        snprintf(ctx->detail, sizeof ctx->detail, "the distance is out of range");
        return IPS_ERR_INVALID;
    }
    if (limit > LEDGER_PRIOR_ART_MAX) {
        json_error_add(ctx->errors, "limit", "must be at most 100");
        snprintf(ctx->detail, sizeof ctx->detail, "the limit is out of range");
        return IPS_ERR_INVALID;
    }
    if (limit <= 0)
        limit = LEDGER_PRIOR_ART_MAX;
    struct detect_pdq q[DETECT_DIH_COUNT];
    if ((st = pa__hash(ctx, image, len, q)))
        return st;
    if (query_pdq)
        detect_pdq_format(&q[DETECT_DIH_ORIGINAL], query_pdq);

    struct pa__hits c = {.before = before};
    pthread_mutex_lock(&pa.mu);
    st = pa__refresh(ctx->store);
    for (int v = 0; st == IPS_OK && v < DETECT_DIH_COUNT; v++) {
        c.via = v;
        st = detect_index_query(pa.ix, &q[v], max_distance, pa__collect, &c);
    }
    pthread_mutex_unlock(&pa.mu);
    if (st == IPS_OK && c.oom)
        st = IPS_ERR_NOMEM;
    if (st)
        goto out_hits;
    if (c.n > 1)
        qsort(c.h, c.n, sizeof *c.h, pa__cmp);

    /* One hit per leaf (the nearest variant), in log order, up to limit. */
    struct store_ledger_record *r = malloc(sizeof *r);
    struct ledger_prior_art *hit = malloc(sizeof *hit);
    if (!r || !hit)
        st = IPS_ERR_NOMEM;
    int emitted = 0;
    for (size_t i = 0; st == IPS_OK && i < c.n && emitted < limit; i++) {
        if (i > 0 && c.h[i].leaf_index == c.h[i - 1].leaf_index)
            continue;
        if ((st = store_ledger_record_get(ctx->store, c.h[i].leaf_index, r)))
            break;
        memset(hit, 0, sizeof *hit);
        if (ledger_leaf_decode(r->leaf, r->leaf_len, &hit->leaf)) {
            st = IPS_ERR_INTEGRITY; /* a stored leaf that is not a record */
            break;
        }
        hit->distance = c.h[i].distance;
        hit->via = (enum detect_dihedral)c.h[i].via;
        if ((st = cb(hit, arg)))
            break;
        emitted++;
    }
    free(r);
    free(hit);
out_hits:
    free(c.h);
    return st;
}

/* A string member, or null when text is empty. */
static json_t *pa__str_or_null(const char *text)
{
    return text[0] ? json_string(text) : json_null();
}

json_t *ledger_prior_art_json(const struct ledger_prior_art *hit)
{
    const struct ledger_leaf *l = &hit->leaf;
    char at[TIME_RFC3339_LEN] = "";
    time_format_rfc3339(l->registered_ms, at, sizeof at);
    return json_pack("{s:I, s:s, s:s, s:o, s:o, s:s, s:s, s:s, s:s, s:s, s:i, s:s}", "leaf_index",
                     (json_int_t)l->leaf_index, "org_id", l->org_id, "owner", l->owner,
                     "agent_org_id", pa__str_or_null(l->agent_org_id), "agent",
                     pa__str_or_null(l->agent), "title", l->title, "created_on", l->created_on,
                     "work_sha256", l->work_sha256, "registered_at", at, "pdq", l->pdq, "distance",
                     hit->distance, "query_transform", detect_dihedral_name(hit->via));
}
