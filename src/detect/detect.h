/*
 * detect.h — the proactive detection engine: the whole interface of
 * src/detect/. Stateless parts only (no store): text normalisation, one
 * Hyperscan matcher for every brand term and cue phrase, PDQ image hashes
 * with their Hamming index, scoring and policy, and the batch scan of
 * `iprshield scan` (issue 5; design note in docs/internals/detect.md).
 *
 * Text pipeline (normalise.c), applied alike to listing text and to terms:
 *   per code point: NFKC + case fold + mark stripping + removal of default
 *   ignorables (utf8proc), then the TR39 confusable skeleton (ICU uspoof) of
 *   the result, case folded again; a code point whose skeleton is ASCII takes
 *   that ASCII. ASCII input never reaches ICU: a 128-entry table built from
 *   the same rules is the fast path (its only non-identity entries are the
 *   skeleton's 'm' -> "rn" and the i/l fold below).
 *   Then words: runs of letters, digits and the substitution symbols
 *   @ $ ! |. In a word that holds a letter, digits in runs of at most two
 *   become letters (0->o 1->l 3->e 4->a 5->s 7->t), '@'->a and '$'->s
 *   anywhere, '!' and '|' -> l inside the word; 'i' and 'l' fold to one
 *   letter ("l"), as "1", "|", "I" and "l" are mutual look-alikes.
 *   Three or more one-character words in a row separated only by separators
 *   ("G.u.c.c.i", "G u c c i", "G-u-c-c-i") join into one word; words of two
 *   characters or more never join ("go to bed" stays three words).
 *   Unspaced scripts (Han, kana, Hangul, Thai) form their own runs; runs of
 *   them separated only by separators join.
 *   Output: " w1 w2 ... " — each word between single spaces — plus, for
 *   every output byte, the byte span of the ORIGINAL text it came from.
 * Matching (matcher.c): a term is normalised the same way; a term that
 * begins (ends) with a letter or digit must begin (end) at a word boundary
 * (the pattern carries the spaces), a term of an unspaced script need not.
 * So "Apple" is not found in "pineapple" or "sample" and the words of
 * "go to bed" never join into a brand.
 *
 * Offsets reported to callers are UTF-8 BYTE offsets into the original
 * text, end exclusive.
 *
 * Threads: a normaliser, a matcher's scratch and a scanner belong to one
 * thread at a time; a built matcher database and a frozen index may be
 * shared for reading.
 *
 * Ownership: *_new returns an object the caller frees with the matching
 * *_free (NULL is fine); strings passed in are copied unless said otherwise.
 */
#ifndef IPS_DETECT_DETECT_H
#define IPS_DETECT_DETECT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/status.h"

#define DETECT_TEXT_MAX (1024 * 1024) /* bytes of one text to normalise */
#define DETECT_TERM_MAX 200           /* bytes of one term */
#define DETECT_PATTERNS_MAX 1000000   /* patterns in one matcher */

/* ---- normalisation ------------------------------------------------------------ */

struct detect_normaliser; /* ICU spoof checker + per-code-point cache; one thread */

/* The normal form of one text (see the file comment). s is NUL-terminated;
 * for every byte s[k], the original text span [ostart[k], oend[k]). Reused
 * across calls; grown as needed. */
struct detect_text {
    char *s;
    size_t len;
    uint32_t *ostart, *oend;
    size_t cap; /* bytes of s (and entries of ostart/oend) allocated */
    void *units; /* scratch */
    size_t units_cap;
};

/* Create a normaliser. OUT *out. Failure: IPS_ERR_NOMEM, IPS_ERR_INTERNAL
 * when ICU cannot open its spoof checker. */
ips_status detect_normaliser_new(struct detect_normaliser **out);
void detect_normaliser_free(struct detect_normaliser *n);

void detect_text_init(struct detect_text *t);
/* Free t's buffers; t may be initialised again. */
void detect_text_release(struct detect_text *t);

/* Normalise in[0..len) into t. Invalid UTF-8 bytes act as separators.
 * Failure: IPS_ERR_TOO_LARGE past DETECT_TEXT_MAX, IPS_ERR_NOMEM; t then
 * holds an empty text. */
ips_status detect_normalise(struct detect_normaliser *n, const char *in, size_t len,
                            struct detect_text *t);

/* ---- matcher -------------------------------------------------------------------- */

enum detect_pattern_kind { DETECT_PATTERN_BRAND = 0, DETECT_PATTERN_CUE = 1 };

/* One pattern to compile: a brand term (owner = profile index) or a cue
 * phrase (owner = -1). text is borrowed during detect_matcher_build. */
struct detect_pattern_in {
    const char *text;
    enum detect_pattern_kind kind;
    int owner;
};

struct detect_matcher; /* compiled database + pattern table; read-only */

/* One hit: pattern index (into the build array) and its original span. */
struct detect_match {
    uint32_t pattern;
    uint32_t start, end;
};

/* Built-in curated counterfeit cue phrases (English, Chinese and others),
 * NULL-terminated. */
extern const char *const detect_cue_phrases[];

/*
 * Build ONE database from pats[0..n) (brand terms of every profile plus cue
 * phrases). Every pattern is normalised with norm. A pattern whose normal
 * form is empty is refused: IPS_ERR_INVALID with its index in *bad (may be
 * NULL). OUT *out. Failure: IPS_ERR_INVALID, IPS_ERR_TOO_LARGE (n past
 * DETECT_PATTERNS_MAX or a term past DETECT_TERM_MAX), IPS_ERR_NOMEM,
 * IPS_ERR_INTERNAL (Hyperscan refused; detail in err).
 */
ips_status detect_matcher_build(struct detect_normaliser *norm,
                                const struct detect_pattern_in *pats, size_t n,
                                struct detect_matcher **out, size_t *bad, char *err,
                                size_t errcap);
void detect_matcher_free(struct detect_matcher *m);
/* The normal form a pattern was compiled as (without boundary spaces). */
const char *detect_matcher_pattern_text(const struct detect_matcher *m, uint32_t pattern);

struct detect_scanner; /* per-thread: Hyperscan scratch + match buffer */
ips_status detect_scanner_new(const struct detect_matcher *m, struct detect_scanner **out);
void detect_scanner_free(struct detect_scanner *sc);

/*
 * Find every pattern in the normalised text t. OUT *matches (owned by sc,
 * valid until its next use) and *count, ordered by start then pattern; one
 * entry per (pattern, span). Failure: IPS_ERR_INTERNAL, IPS_ERR_NOMEM.
 */
ips_status detect_scan_text(struct detect_scanner *sc, const struct detect_text *t,
                            const struct detect_match **matches, size_t *count);

/* ---- PDQ ------------------------------------------------------------------------ */

#define DETECT_PDQ_MATCH_DISTANCE 31
#define DETECT_PDQ_MIN_QUALITY 50
#define DETECT_IMAGE_MAX_BYTES (64u * 1024 * 1024)
#define DETECT_IMAGE_MAX_PIXELS (40u * 1000 * 1000)

/* 256 bits; bit k of the hash is bit k%64 of w[k/64]. As text: 64 hex
 * digits, most significant first (w[3] first) — Meta's format. */
struct detect_pdq {
    uint64_t w[4];
};

/* The 8 dihedral variants, in this order. */
enum detect_dihedral {
    DETECT_DIH_ORIGINAL, DETECT_DIH_ROT90, DETECT_DIH_ROT180, DETECT_DIH_ROT270,
    DETECT_DIH_FLIP_H, DETECT_DIH_FLIP_V, DETECT_DIH_TRANSPOSE, DETECT_DIH_ANTI_TRANSPOSE,
    DETECT_DIH_COUNT
};
const char *detect_dihedral_name(enum detect_dihedral d);

/*
 * PDQ of a row-major 8-bit image (channels 1 = grey, 3 = RGB, 4 = RGBA,
 * alpha ignored) of width x height. OUT hashes[0..8) (all 8 variants;
 * hashes[0] is the hash of the image itself) and *quality (0..100). An image
 * smaller than 5 pixels either way hashes to zero with quality 0.
 * Failure: IPS_ERR_NOMEM, IPS_ERR_INVALID (bad dimensions or channels).
 */
ips_status detect_pdq_pixels(const uint8_t *pix, int width, int height, int channels,
                             struct detect_pdq hashes[DETECT_DIH_COUNT], int *quality);

/*
 * Decode an image file's bytes (JPEG, PNG or WebP, by signature) and hash it.
 * JPEG is decoded at a reduced DCT scale when large (never below 512 pixels
 * on its shorter side). OUT as detect_pdq_pixels. Failure: IPS_ERR_MEDIA_TYPE
 * (not JPEG/PNG/WebP), IPS_ERR_MALFORMED (corrupt or truncated: reason in
 * err), IPS_ERR_TOO_LARGE, IPS_ERR_NOMEM.
 */
ips_status detect_pdq_image(const uint8_t *data, size_t len,
                            struct detect_pdq hashes[DETECT_DIH_COUNT], int *quality, char *err,
                            size_t errcap);

/* Read path (at most DETECT_IMAGE_MAX_BYTES) and hash it, as above;
 * IPS_ERR_IO when it cannot be read. */
ips_status detect_pdq_file(const char *path, struct detect_pdq hashes[DETECT_DIH_COUNT],
                           int *quality, char *err, size_t errcap);

/* 64 lower-case hex digits + NUL into out. */
void detect_pdq_format(const struct detect_pdq *h, char out[65]);
/* Parse 64 hex digits (either case); false when malformed. */
bool detect_pdq_parse(const char *hex, struct detect_pdq *out);
int detect_pdq_distance(const struct detect_pdq *a, const struct detect_pdq *b);

/* ---- Hamming index (multi-index hashing) ------------------------------------------- */

/*
 * The 256 bits are cut into 11 substrings of 23-24 bits, each with a table of
 * bucket heads and chains threaded through the ids. Two hashes within
 * distance r <= 31 agree within distance 2 on one of the first ten substrings
 * or within 1 on the last (pigeonhole), so a query probes those values and
 * verifies candidates with the full distance. Inserting pushes the id on 11
 * chains: no rebuild (the tables widen as the index doubles, amortised O(1)).
 * Ids are the insertion order (0, 1, ...). See mih.c.
 */
struct detect_index;

ips_status detect_index_new(struct detect_index **out);
void detect_index_free(struct detect_index *ix);
/* Append h. OUT *id (may be NULL). Failure: IPS_ERR_NOMEM, IPS_ERR_TOO_LARGE
 * past 2^31 hashes. */
ips_status detect_index_add(struct detect_index *ix, const struct detect_pdq *h, uint32_t *id);
size_t detect_index_size(const struct detect_index *ix);
/* Bytes the index holds (hashes, chains, tables; allocator overhead excluded). */
size_t detect_index_bytes(const struct detect_index *ix);
const struct detect_pdq *detect_index_get(const struct detect_index *ix, uint32_t id);

typedef void (*detect_index_hit_cb)(uint32_t id, int distance, void *arg);
/* Call cb once per indexed hash within max_distance (0..31) of q, in no set
 * order. Writes nothing: concurrent queries are safe (not concurrent with
 * detect_index_add). Failure: IPS_ERR_INVALID for a distance outside 0..31. */
ips_status detect_index_query(struct detect_index *ix, const struct detect_pdq *q,
                              int max_distance, detect_index_hit_cb cb, void *arg);
/* The same answer by scanning every hash (the baseline). */
void detect_index_query_brute(const struct detect_index *ix, const struct detect_pdq *q,
                              int max_distance, detect_index_hit_cb cb, void *arg);
/* How both count bits on this CPU: "popcnt" (the x86 instruction) or "generic". */
const char *detect_index_popcount_kind(void);

/* ---- scoring and policy ------------------------------------------------------------ */

enum detect_signal_type {
    DETECT_SIG_BRAND_TERM,
    DETECT_SIG_CUE_PHRASE,
    DETECT_SIG_UNAUTHORISED_SELLER,
    DETECT_SIG_PRICE_BELOW_REFERENCE,
    DETECT_SIG_IMAGE_HASH,
    /* server side only (src/detections): they need the database */
    DETECT_SIG_PRICE_BELOW_MEDIAN, /* far below the category's median price */
    DETECT_SIG_SELLER_FLAGGED,     /* alliance reports or links to a known infringer */
    DETECT_SIG_COUNT
};
const char *detect_signal_name(enum detect_signal_type t);

enum detect_action { DETECT_ALLOW, DETECT_MONITOR, DETECT_REVIEW, DETECT_BLOCK };
const char *detect_action_name(enum detect_action a);

/*
 * The policy: one weight per signal type (0..1; repeated signals of one type
 * count once, at the strongest) combined as a noisy-OR,
 *     score = 1 - prod(1 - weight_i),
 * then the action is the highest whose threshold the score reaches:
 * block >= block_at, review >= review_at, monitor >= monitor_at, else allow.
 * block_needs_brand: block only when a brand term or an image match is among
 * the signals (otherwise review at most).
 */
struct detect_policy {
    double weight[DETECT_SIG_COUNT];
    double block_at, review_at, monitor_at;
    bool block_needs_brand;
};
/* The defaults (documented in docs/internals/detect.md). */
void detect_policy_default(struct detect_policy *p);
/* Override from JSON {"weights":{"brand_term":0.3,...},"block":0.85,
 * "review":0.55,"monitor":0.3,"block_needs_brand":true}; unknown keys,
 * values outside 0..1 or thresholds out of order: IPS_ERR_INVALID with a
 * sentence in err; p unchanged then. */
ips_status detect_policy_from_json(struct detect_policy *p, json_t *obj, char *err, size_t errcap);

/* Score the signals present (present[t] true, strength[t] in 0..1 scales the
 * weight, e.g. how far below the reference a price is). OUT *score, *action. */
void detect_policy_apply(const struct detect_policy *p, const bool present[DETECT_SIG_COUNT],
                         const double strength[DETECT_SIG_COUNT], double *score,
                         enum detect_action *action);

/* ---- batch scan (iprshield scan) ---------------------------------------------------- */

struct detect_batch; /* compiled profiles + matcher + index + policy */

/*
 * Load PROFILES.json (the object described in issue 5, item 7) from
 * data[0..len) and compile it: every term of every profile and the cue
 * phrases into one matcher, every image hash into the index. policy may be
 * NULL (defaults). image_root non-NULL enables the image signal: listing
 * images that are not URLs are read as files relative to it.
 * OUT *out. Failure: IPS_ERR_MALFORMED / IPS_ERR_INVALID with a sentence in
 * err; IPS_ERR_NOMEM; IPS_ERR_INTERNAL.
 */
ips_status detect_batch_new(const char *data, size_t len, const struct detect_policy *policy,
                            const char *image_root, struct detect_batch **out, char *err,
                            size_t errcap);
void detect_batch_free(struct detect_batch *b);
/* Number of profiles and of compiled patterns (for messages). */
size_t detect_batch_profiles(const struct detect_batch *b);
size_t detect_batch_patterns(const struct detect_batch *b);

/*
 * Scan one LISTINGS.jsonl line (line[0..len), no newline; line_no for error
 * verdicts) and write its verdict as one JSON line (with '\n') to out.
 * A bad line gets {"line":N,"id":..,"error":"reason"} (id when known).
 * OUT *was_error (may be NULL). Failure (the scan cannot go on): IPS_ERR_IO
 * when out cannot be written, IPS_ERR_NOMEM. out is written without taking
 * its stdio lock: no other thread may use it during the call.
 */
ips_status detect_batch_scan_line(struct detect_batch *b, const char *line, size_t len,
                                  int64_t line_no, FILE *out, bool *was_error);

/*
 * The verdict of one listing object as a new JSON object {"id","score",
 * "action","signals":[...]}; listing is borrowed. OUT *verdict (new
 * reference). Failure: IPS_ERR_INVALID with the reason in err (e.g. a field
 * of the wrong type), IPS_ERR_NOMEM.
 */
ips_status detect_batch_verdict(struct detect_batch *b, json_t *listing, json_t **verdict,
                                char *err, size_t errcap);

#endif
