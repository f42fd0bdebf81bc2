/*
 * rules.c — the compiled rule set: built from every protection profile,
 * published in one process-wide slot (mutex + reference count), and the
 * per-thread scanners that use it (detections_internal.h).
 *
 * Why a slot keyed by a stamp: the HTTP threads, the job thread and a CLI
 * import must all scan with the version the database names. Compiling
 * 3,000+ terms takes Hyperscan a noticeable fraction of a second, so the
 * set is built once per version per process; a thread that finds another
 * stamp in the slot (a newer version, or another database in the tests)
 * builds the named one and publishes it. Readers hold a reference while
 * they scan, so a swap never frees a set in use.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blob/blob.h"
#include "core/log.h"
#include "detections/detections_internal.h"
#include "profile/profile.h"
#include "store/store_blob.h"

/* ---- the process-wide slot ------------------------------------------------------ */

static pthread_mutex_t rules__mu = PTHREAD_MUTEX_INITIALIZER;
static struct detections_rules *rules__current;

static void rules__free(struct detections_rules *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->norgs; i++) {
        free(r->orgs[i].sellers);
        free(r->orgs[i].prices);
    }
    free(r->orgs);
    for (size_t i = 0; i < r->npats; i++)
        free(r->texts[i]);
    free(r->texts);
    free(r->pats);
    detect_matcher_free(r->matcher);
    detect_index_free(r->index);
    free(r->index_owner);
    free(r->index_sha);
    free(r->medians);
    free(r);
}

void detections__rules_unref(struct detections_rules *r)
{
    if (r && atomic_fetch_sub(&r->refs, 1) == 1)
        rules__free(r);
}

void detections__rules_publish(struct detections_rules *r)
{
    atomic_fetch_add(&r->refs, 1);
    pthread_mutex_lock(&rules__mu);
    struct detections_rules *old = rules__current;
    rules__current = r;
    pthread_mutex_unlock(&rules__mu);
    detections__rules_unref(old);
}

static void thread__free(void *p);
static pthread_key_t thread__key;
static pthread_once_t thread__once = PTHREAD_ONCE_INIT;
static void thread__key_make(void);

void detections_shutdown(void)
{
    /* the calling thread's scanner (other threads free theirs at exit) */
    pthread_once(&thread__once, thread__key_make);
    thread__free(pthread_getspecific(thread__key));
    pthread_setspecific(thread__key, NULL);
    pthread_mutex_lock(&rules__mu);
    struct detections_rules *old = rules__current;
    rules__current = NULL;
    pthread_mutex_unlock(&rules__mu);
    detections__rules_unref(old);
}

/* A reference to the slot's set when its stamp is stamp, else NULL. */
static struct detections_rules *rules__cached(const char *stamp)
{
    struct detections_rules *r = NULL;
    pthread_mutex_lock(&rules__mu);
    if (rules__current && strcmp(rules__current->stamp, stamp) == 0) {
        r = rules__current;
        atomic_fetch_add(&r->refs, 1);
    }
    pthread_mutex_unlock(&rules__mu);
    return r;
}

ips_status detections__rules_get(struct store *s, const struct config *cfg,
                                 struct detections_rules **out)
{
    struct store_detection_rules row;
    ips_status st = store_detections_rules_current(s, &row);
    if (st)
        return st;
    if ((*out = rules__cached(row.stamp)))
        return IPS_OK;
    struct detections_rules *r;
    if ((st = detections__rules_build(s, cfg, row.version, row.stamp, &r)))
        return st;
    detections__rules_publish(r);
    *out = r; /* the build's reference is the caller's */
    return IPS_OK;
}

/* ---- per-thread state ------------------------------------------------------------ */

static void thread__free(void *p)
{
    struct detections__thread *t = p;
    if (!t)
        return;
    detect_scanner_free(t->scanner);
    detect_normaliser_free(t->norm);
    detect_text_release(&t->text);
    free(t->d);
    free(t->prev);
    free(t->org_flags);
    detections__rules_unref(t->rules);
    free(t);
}

static void thread__key_make(void)
{
    pthread_key_create(&thread__key, thread__free);
}

/* The calling thread's state, created on first use. */
static ips_status thread__state(struct detections__thread **out)
{
    pthread_once(&thread__once, thread__key_make);
    struct detections__thread *t = pthread_getspecific(thread__key);
    if (!t) {
        if (!(t = calloc(1, sizeof *t)))
            return IPS_ERR_NOMEM;
        detect_text_init(&t->text);
        t->d = malloc(sizeof *t->d);
        t->prev = malloc(sizeof *t->prev);
        ips_status st = t->d && t->prev ? detect_normaliser_new(&t->norm) : IPS_ERR_NOMEM;
        if (st || pthread_setspecific(thread__key, t) != 0) {
            thread__free(t);
            return st ? st : IPS_ERR_NOMEM;
        }
    }
    *out = t;
    return IPS_OK;
}

ips_status detections__normaliser(struct detect_normaliser **out)
{
    struct detections__thread *t;
    ips_status st = thread__state(&t);
    if (st == IPS_OK)
        *out = t->norm;
    return st;
}

ips_status detections__thread_for(struct detections_rules *r, struct detections__thread **out)
{
    struct detections__thread *t;
    ips_status st = thread__state(&t);
    if (st)
        return st;
    if (t->rules != r) {
        struct detect_scanner *sc;
        if ((st = detect_scanner_new(r->matcher, &sc)))
            return st;
        detect_scanner_free(t->scanner);
        detections__rules_unref(t->rules);
        t->scanner = sc;
        t->rules = r;
        atomic_fetch_add(&r->refs, 1);
    }
    *out = t;
    return IPS_OK;
}

/* ---- images ---------------------------------------------------------------------- */

ips_status detections__image_pdq(struct store *s, const char *sha256, struct detect_pdq h[8],
                                 int *quality, bool *ok)
{
    struct store_detection_image im;
    *ok = false;
    ips_status st = store_detections_image_get(s, sha256, &im);
    if (st == IPS_OK) {
        if (strlen(im.pdq) != 8 * 64)
            return IPS_OK;
        for (int d = 0; d < DETECT_DIH_COUNT; d++) {
            char hex[65];
            memcpy(hex, im.pdq + 64 * d, 64);
            hex[64] = '\0';
            if (!detect_pdq_parse(hex, &h[d]))
                return IPS_OK;
        }
        *quality = im.quality;
        *ok = im.quality >= DETECT_PDQ_MIN_QUALITY;
        return IPS_OK;
    }
    if (st != IPS_ERR_NOT_FOUND)
        return st;
    void *data = NULL;
    size_t len = 0;
    st = store_blob_read(s, sha256, BLOB_MAX_BYTES, &data, &len);
    if (st == IPS_ERR_NOT_FOUND)
        return IPS_OK; /* not stored (yet): nothing to compare */
    if (st)
        return st;
    memset(&im, 0, sizeof im);
    snprintf(im.sha256, sizeof im.sha256, "%s", sha256);
    int q = 0;
    st = detect_pdq_image(data, len, h, &q, im.error, sizeof im.error);
    free(data);
    if (st == IPS_ERR_NOMEM)
        return st;
    if (st == IPS_OK) {
        for (int d = 0; d < DETECT_DIH_COUNT; d++)
            detect_pdq_format(&h[d], im.pdq + 64 * d);
        im.quality = q;
        *quality = q;
        *ok = q >= DETECT_PDQ_MIN_QUALITY;
    }
    return store_detections_image_put(s, &im);
}
