/*
 * score.c — signals to a risk score and an action, by a configurable policy
 * (detect.h). A noisy-OR keeps the score in [0, 1], makes every signal raise
 * it, and lets independent weak signals add up to a strong one; the
 * contribution of each signal is its weight, so a verdict can explain
 * itself signal by signal.
 */
#include <stdio.h>
#include <string.h>

#include "detect/detect.h"

static const char *const detect__sig_names[DETECT_SIG_COUNT] = {
    "brand_term", "cue_phrase", "unauthorised_seller", "price_below_reference", "image_hash",
    "price_below_median", "seller_flagged",
};

static const char *const detect__action_names[] = {"allow", "monitor", "review", "block"};

const char *detect_signal_name(enum detect_signal_type t)
{
    return (unsigned)t < DETECT_SIG_COUNT ? detect__sig_names[t] : "?";
}

const char *detect_action_name(enum detect_action a)
{
    return (unsigned)a <= DETECT_BLOCK ? detect__action_names[a] : "?";
}

void detect_policy_default(struct detect_policy *p)
{
    memset(p, 0, sizeof *p);
    p->weight[DETECT_SIG_BRAND_TERM] = 0.25;            /* a brand alone: allow */
    p->weight[DETECT_SIG_CUE_PHRASE] = 0.45;            /* a cue alone: monitor */
    p->weight[DETECT_SIG_UNAUTHORISED_SELLER] = 0.45;   /* + brand: review */
    p->weight[DETECT_SIG_PRICE_BELOW_REFERENCE] = 0.55; /* scaled by how far below */
    p->weight[DETECT_SIG_IMAGE_HASH] = 0.6;
    p->weight[DETECT_SIG_PRICE_BELOW_MEDIAN] = 0.4; /* alone: monitor; + brand: review */
    p->weight[DETECT_SIG_SELLER_FLAGGED] = 0.45;    /* alone: monitor; + brand: review */
    p->block_at = 0.85;
    p->review_at = 0.55;
    p->monitor_at = 0.3;
    p->block_needs_brand = true;
}

ips_status detect_policy_from_json(struct detect_policy *p, json_t *obj, char *err, size_t errcap)
{
    struct detect_policy q = *p;
    const char *key;
    json_t *v;
    if (!json_is_object(obj)) {
        snprintf(err, errcap, "the policy must be a JSON object");
        return IPS_ERR_INVALID;
    }
    json_object_foreach(obj, key, v)
    {
        double *dst = NULL;
        if (!strcmp(key, "weights")) {
            const char *sk;
            json_t *sv;
            if (!json_is_object(v)) {
                snprintf(err, errcap, "weights must be an object");
                return IPS_ERR_INVALID;
            }
            json_object_foreach(v, sk, sv)
            {
                int t = -1;
                for (int k = 0; k < DETECT_SIG_COUNT; k++)
                    if (!strcmp(sk, detect__sig_names[k]))
                        t = k;
                if (t < 0 || !json_is_number(sv) || json_number_value(sv) < 0 ||
                    json_number_value(sv) > 1) {
                    snprintf(err, errcap, "weights.%s must be a known signal with a number 0..1", sk);
                    return IPS_ERR_INVALID;
                }
                q.weight[t] = json_number_value(sv);
            }
            continue;
        }
        if (!strcmp(key, "block_needs_brand")) {
            if (!json_is_boolean(v)) {
                snprintf(err, errcap, "block_needs_brand must be true or false");
                return IPS_ERR_INVALID;
            }
            q.block_needs_brand = json_is_true(v);
            continue;
        }
        if (!strcmp(key, "block"))
            dst = &q.block_at;
        else if (!strcmp(key, "review"))
            dst = &q.review_at;
        else if (!strcmp(key, "monitor"))
            dst = &q.monitor_at;
        if (!dst) {
            snprintf(err, errcap, "unknown policy key '%s'", key);
            return IPS_ERR_INVALID;
        }
        if (!json_is_number(v) || json_number_value(v) < 0 || json_number_value(v) > 1) {
            snprintf(err, errcap, "%s must be a number 0..1", key);
            return IPS_ERR_INVALID;
        }
        *dst = json_number_value(v);
    }
    if (!(q.monitor_at <= q.review_at && q.review_at <= q.block_at)) {
        snprintf(err, errcap, "thresholds must satisfy monitor <= review <= block");
        return IPS_ERR_INVALID;
    }
    *p = q;
    return IPS_OK;
}

void detect_policy_apply(const struct detect_policy *p, const bool present[DETECT_SIG_COUNT],
                         const double strength[DETECT_SIG_COUNT], double *score,
                         enum detect_action *action)
{
    double keep = 1.0;
    for (int t = 0; t < DETECT_SIG_COUNT; t++) {
        if (!present[t])
            continue;
        double s = strength ? strength[t] : 1.0;
        if (s < 0)
            s = 0;
        if (s > 1)
            s = 1;
        keep *= 1.0 - p->weight[t] * s;
    }
    double sc = 1.0 - keep;
    if (sc < 0)
        sc = 0;
    *score = sc;
    enum detect_action a = DETECT_ALLOW;
    if (sc >= p->block_at)
        a = DETECT_BLOCK;
    else if (sc >= p->review_at)
        a = DETECT_REVIEW;
    else if (sc >= p->monitor_at)
        a = DETECT_MONITOR;
    if (a == DETECT_BLOCK && p->block_needs_brand && !present[DETECT_SIG_BRAND_TERM] &&
        !present[DETECT_SIG_IMAGE_HASH])
        a = DETECT_REVIEW;
    *action = a;
}
