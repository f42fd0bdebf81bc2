/*
 * cmd_eval.c — `iprshield eval`: detection quality measured against labels
 * (issue 5, item 8). Input: LABELS.jsonl from `iprshield demo generate` (or
 * any file of that shape) and VERDICTS.jsonl from `iprshield scan`; the scan
 * is not run here, so any verdict producer can be evaluated the same way.
 *
 * Measures (definitions also in --help and docs/internals/detect.md):
 *   listing level  a listing is "flagged" when its action is at least
 *                  --flag-at (default review: the actions that put a human
 *                  or a block in front of it). Over all listings: precision
 *                  TP/(TP+FP), recall TP/(TP+FN), F1. Per class: recall
 *                  (share flagged) for a counterfeit class, false-positive
 *                  rate (share flagged) for a clean class.
 *   signal level   the label lists the signals expected as (type,
 *                  rightholder) pairs; the verdict's signals are reduced to
 *                  the same pairs. Per class and per signal type: precision
 *                  = correct / reported, recall = correct / expected. A
 *                  brand attributed to the wrong right holder is both a
 *                  false and a missed signal.
 * A label without a verdict counts as not flagged with no signals ("missing");
 * an error verdict likewise ("errors"); verdicts without a label are counted
 * and otherwise ignored. A ratio with a zero denominator is shown as "-"
 * (null in --json).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/json.h"

#define EVAL__LINE_MAX (1024 * 1024)
#define EVAL__KEY_MAX 300

static void eval_usage(FILE *f)
{
    fprintf(f, "usage: iprshield eval --labels LABELS.jsonl --verdicts VERDICTS.jsonl\n"
               "                      [--flag-at monitor|review|block] [--json]\n\n"
               "Measure detection quality: compare the verdicts of 'iprshield scan' with the\n"
               "labels of 'iprshield demo generate' and print precision and recall per\n"
               "evasion class, per signal type and overall.\n\n"
               "A listing is flagged when its action is at least --flag-at (default review).\n"
               "Overall: precision = flagged counterfeits / flagged, recall = flagged\n"
               "counterfeits / counterfeits. Per class: recall of a counterfeit class, the\n"
               "false-positive rate of a clean class, and signal precision / recall: the\n"
               "label's expected signals as (type, rightholder) pairs against the verdict's.\n"
               "Labels without a verdict count as missed.\n\n"
               "Options:\n"
               "  --labels FILE     LABELS.jsonl: "
               "{\"id\",\"counterfeit\",\"class\",\"expected\":[{\"type\",\n"
               "                    \"rightholder\"}]} per line\n"
               "  --verdicts FILE   VERDICTS.jsonl from 'iprshield scan'\n"
               "  --flag-at ACTION  the lowest action that counts as flagged (default review)\n"
               "  --json            print the report as JSON\n"
               "  -h, --help        show this help\n\n"
               "Exit code 0, or 4 when a label line is malformed.\n");
}

enum { EVAL_SIGTYPES = 5 };
static const char *const eval_sigtypes[EVAL_SIGTYPES] = {
    "brand_term", "cue_phrase", "unauthorised_seller", "price_below_reference", "image_hash",
};

struct eval_count {
    long expected, reported, correct;
};

struct eval_class {
    char *name;
    bool counterfeit;
    long listings, flagged;
    struct eval_count sig;
};

struct eval_item {
    json_t *label;   /* borrowed from labels array */
    json_t *verdict; /* owned; NULL until seen */
};

struct eval {
    json_t *labels; /* array of label objects */
    json_t *by_id;  /* id -> index (integer) */
    struct eval_item *items;
    size_t n;
    struct eval_class *classes;
    size_t nclasses;
    struct eval_count types[EVAL_SIGTYPES];
    long tp, fp, fn, tn, missing, errors, unlabelled;
    int flag_at;
};

static int eval_action_rank(const char *a)
{
    static const char *const names[] = {"allow", "monitor", "review", "block"};
    for (int i = 0; a && i < 4; i++)
        if (!strcmp(a, names[i]))
            return i;
    return -1;
}

/* The (type, rightholder) key of a signal into out. */
static void eval_key(json_t *sig, char out[EVAL__KEY_MAX])
{
    const char *t = json_string_value(json_object_get(sig, "type"));
    const char *rh = json_string_value(json_object_get(sig, "rightholder"));
    snprintf(out, EVAL__KEY_MAX, "%s|%s", t ? t : "?", rh ? rh : "");
}

/* Distinct keys of a signal array as a JSON object key -> type. */
static json_t *eval_keys(json_t *sigs)
{
    json_t *set = json_object();
    size_t k;
    json_t *s;
    json_array_foreach(sigs, k, s)
    {
        char key[EVAL__KEY_MAX];
        eval_key(s, key);
        json_t *t = json_object_get(s, "type");
        json_object_set(set, key, json_is_string(t) ? t : json_null());
    }
    return set;
}

static int eval_type_index(const char *t)
{
    for (int i = 0; t && i < EVAL_SIGTYPES; i++)
        if (!strcmp(t, eval_sigtypes[i]))
            return i;
    return -1;
}

/* Call fn(e, line, len, line_no) for each non-blank line of path (line
 * endings stripped); fn returns 0 to go on or an exit code to stop.
 * Returns 0 or an exit code after printing why. */
static int eval_each_line(struct eval *e, const char *path,
                          int (*fn)(struct eval *e, const char *path, const char *line, size_t len,
                                    long line_no))
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "iprshield: cannot open %s: %s\n", path, strerror(errno));
        return 5;
    }
    int rc = 0;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long line_no = 0;
    while (rc == 0 && (len = getline(&line, &cap, f)) >= 0) {
        line_no++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            len--;
        if (len > 0)
            rc = fn(e, path, line, (size_t)len, line_no);
    }
    if (rc == 0 && ferror(f)) {
        fprintf(stderr, "iprshield: reading %s: %s\n", path, strerror(errno));
        rc = 5;
    }
    free(line);
    fclose(f);
    return rc;
}

/* One LABELS.jsonl line: a malformed label stops the evaluation (exit 4). */
static int eval_label_line(struct eval *e, const char *path, const char *line, size_t len,
                           long line_no)
{
    json_t *o = NULL;
    char perr[200];
    const char *why = NULL;
    if (len > EVAL__LINE_MAX || json_parse_bytes(line, len, &o, perr, sizeof perr))
        why = "malformed JSON";
    else if (!json_is_string(json_object_get(o, "id")) ||
             !json_is_boolean(json_object_get(o, "counterfeit")) ||
             !json_is_string(json_object_get(o, "class")) ||
             !json_is_array(json_object_get(o, "expected")))
        why = "a label needs id (string), counterfeit (bool), class (string), expected (array)";
    else if (json_object_get(e->by_id, json_string_value(json_object_get(o, "id"))))
        why = "duplicate id";
    if (why) {
        fprintf(stderr, "iprshield: %s:%ld: %s\n", path, line_no, why);
        json_decref(o);
        return 4;
    }
    json_object_set_new(e->by_id, json_string_value(json_object_get(o, "id")),
                        json_integer((json_int_t)json_array_size(e->labels)));
    json_array_append_new(e->labels, o);
    return 0;
}

/* One VERDICTS.jsonl line, attached to its label; unreadable lines count as
 * error verdicts, verdicts of unknown ids as unlabelled. */
static int eval_verdict_line(struct eval *e, const char *path, const char *line, size_t len,
                             long line_no)
{
    (void)path;
    (void)line_no;
    json_t *o = NULL;
    char perr[200];
    if (len > EVAL__LINE_MAX || json_parse_bytes(line, len, &o, perr, sizeof perr) ||
        !json_is_object(o)) {
        json_decref(o);
        e->errors++; /* an unreadable verdict: its listing stays missing */
        return 0;
    }
    json_t *idx = json_object_get(e->by_id, json_string_value(json_object_get(o, "id")));
    if (!json_is_integer(idx)) {
        e->unlabelled++;
        json_decref(o);
        return 0;
    }
    struct eval_item *it = &e->items[json_integer_value(idx)];
    json_decref(it->verdict);
    it->verdict = o;
    return 0;
}

static struct eval_class *eval_class_get(struct eval *e, const char *name, bool counterfeit)
{
    for (size_t i = 0; i < e->nclasses; i++)
        if (!strcmp(e->classes[i].name, name))
            return &e->classes[i];
    struct eval_class *c = realloc(e->classes, (e->nclasses + 1) * sizeof *c);
    if (!c)
        return NULL;
    e->classes = c;
    c = &e->classes[e->nclasses++];
    memset(c, 0, sizeof *c);
    c->name = strdup(name);
    c->counterfeit = counterfeit;
    return c->name ? c : NULL;
}

/* Score one labelled listing. false on out of memory. */
static bool eval_one(struct eval *e, struct eval_item *it)
{
    json_t *l = it->label, *v = it->verdict;
    bool counterfeit = json_is_true(json_object_get(l, "counterfeit"));
    struct eval_class *c =
        eval_class_get(e, json_string_value(json_object_get(l, "class")), counterfeit);
    if (!c)
        return false;
    bool error = v && json_object_get(v, "error");
    if (!v)
        e->missing++;
    else if (error)
        e->errors++;
    bool flagged = v && !error &&
                   eval_action_rank(json_string_value(json_object_get(v, "action"))) >= e->flag_at;
    c->listings++;
    c->flagged += flagged;
    if (counterfeit)
        flagged ? e->tp++ : e->fn++;
    else
        flagged ? e->fp++ : e->tn++;
    json_t *exp = eval_keys(json_object_get(l, "expected"));
    json_t *rep = eval_keys(v && !error ? json_object_get(v, "signals") : NULL);
    if (!exp || !rep) {
        json_decref(exp);
        json_decref(rep);
        return false;
    }
    const char *key;
    json_t *t;
    json_object_foreach(exp, key, t)
    {
        int ti = eval_type_index(json_string_value(t));
        bool hit = json_object_get(rep, key) != NULL;
        c->sig.expected++;
        c->sig.correct += hit;
        if (ti >= 0) {
            e->types[ti].expected++;
            e->types[ti].correct += hit;
        }
    }
    json_object_foreach(rep, key, t)
    {
        int ti = eval_type_index(json_string_value(t));
        c->sig.reported++;
        if (ti >= 0)
            e->types[ti].reported++;
    }
    json_decref(exp);
    json_decref(rep);
    return true;
}

static json_t *eval_ratio_json(long num, long den)
{
    return den > 0 ? json_real((double)num / (double)den) : json_null();
}

static void eval_ratio_print(long num, long den, int width)
{
    if (den > 0)
        printf(" %*.3f", width, (double)num / (double)den);
    else
        printf(" %*s", width, "-");
}

static int eval_class_cmp(const void *a, const void *b)
{
    const struct eval_class *x = a, *y = b;
    if (x->counterfeit != y->counterfeit)
        return x->counterfeit ? -1 : 1;
    return strcmp(x->name, y->name);
}

static void eval_print(const struct eval *e)
{
    static const char *const names[] = {"allow", "monitor", "review", "block"};
    printf("Detection quality: %zu labelled listings, flagged = action >= %s\n\n", e->n,
           names[e->flag_at]);
    printf("%-28s %-11s %7s %7s %7s %7s %9s %9s\n", "CLASS", "KIND", "N", "FLAGGED", "RECALL",
           "FP-RATE", "SIG-PREC", "SIG-REC");
    for (size_t i = 0; i < e->nclasses; i++) {
        const struct eval_class *c = &e->classes[i];
        printf("%-28s %-11s %7ld %7ld", c->name, c->counterfeit ? "counterfeit" : "clean",
               c->listings, c->flagged);
        eval_ratio_print(c->flagged, c->counterfeit ? c->listings : 0, 7);
        eval_ratio_print(c->flagged, c->counterfeit ? 0 : c->listings, 7);
        eval_ratio_print(c->sig.correct, c->sig.reported, 9);
        eval_ratio_print(c->sig.correct, c->sig.expected, 9);
        printf("\n");
    }
    printf("\n%-24s %9s %9s %9s %9s %9s\n", "SIGNAL", "EXPECTED", "REPORTED", "CORRECT",
           "PRECISION", "RECALL");
    for (int i = 0; i < EVAL_SIGTYPES; i++) {
        const struct eval_count *t = &e->types[i];
        printf("%-24s %9ld %9ld %9ld", eval_sigtypes[i], t->expected, t->reported, t->correct);
        eval_ratio_print(t->correct, t->reported, 9);
        eval_ratio_print(t->correct, t->expected, 9);
        printf("\n");
    }
    long tp = e->tp, fp = e->fp, fn = e->fn;
    printf("\nOVERALL  TP %ld  FP %ld  FN %ld  TN %ld   precision", tp, fp, fn, e->tn);
    eval_ratio_print(tp, tp + fp, 0);
    printf("  recall");
    eval_ratio_print(tp, tp + fn, 0);
    printf("  F1");
    eval_ratio_print(2 * tp, 2 * tp + fp + fn, 0);
    printf("\n         missing verdicts %ld, error verdicts %ld, verdicts without a label %ld\n",
           e->missing, e->errors, e->unlabelled);
}

static json_t *eval_json(const struct eval *e)
{
    static const char *const names[] = {"allow", "monitor", "review", "block"};
    json_t *classes = json_array(), *sigs = json_array();
    for (size_t i = 0; i < e->nclasses; i++) {
        const struct eval_class *c = &e->classes[i];
        json_array_append_new(
            classes, json_pack("{s:s, s:b, s:I, s:I, s:o, s:o, s:o, s:o}", "class", c->name,
                               "counterfeit", c->counterfeit, "listings", (json_int_t)c->listings,
                               "flagged", (json_int_t)c->flagged, "recall",
                               eval_ratio_json(c->flagged, c->counterfeit ? c->listings : 0),
                               "false_positive_rate",
                               eval_ratio_json(c->flagged, c->counterfeit ? 0 : c->listings),
                               "signal_precision", eval_ratio_json(c->sig.correct, c->sig.reported),
                               "signal_recall", eval_ratio_json(c->sig.correct, c->sig.expected)));
    }
    for (int i = 0; i < EVAL_SIGTYPES; i++) {
        const struct eval_count *t = &e->types[i];
        json_array_append_new(sigs,
                              json_pack("{s:s, s:I, s:I, s:I, s:o, s:o}", "type", eval_sigtypes[i],
                                        "expected", (json_int_t)t->expected, "reported",
                                        (json_int_t)t->reported, "correct", (json_int_t)t->correct,
                                        "precision", eval_ratio_json(t->correct, t->reported),
                                        "recall", eval_ratio_json(t->correct, t->expected)));
    }
    long tp = e->tp, fp = e->fp, fn = e->fn;
    json_t *overall = json_pack(
        "{s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:o, s:I, s:I, s:I}", "listings", (json_int_t)e->n,
        "tp", (json_int_t)tp, "fp", (json_int_t)fp, "fn", (json_int_t)fn, "tn", (json_int_t)e->tn,
        "precision", eval_ratio_json(tp, tp + fp), "recall", eval_ratio_json(tp, tp + fn), "f1",
        eval_ratio_json(2 * tp, 2 * tp + fp + fn), "missing", (json_int_t)e->missing, "errors",
        (json_int_t)e->errors, "unlabelled", (json_int_t)e->unlabelled);
    return json_pack("{s:s, s:o, s:o, s:o}", "flag_at", names[e->flag_at], "overall", overall,
                     "classes", classes, "signals", sigs);
}

struct eval_args {
    const char *labels, *verdicts;
    int flag_at;
    bool as_json;
};

static int eval_option(int c, const char *arg, void *state)
{
    struct eval_args *a = state;
    switch (c) {
    case 'l':
        a->labels = arg;
        return 0;
    case 'v':
        a->verdicts = arg;
        return 0;
    case 'j':
        a->as_json = true;
        return 0;
    case 'f':
        a->flag_at = eval_action_rank(arg);
        if (a->flag_at < 1) {
            fprintf(stderr, "iprshield: --flag-at must be monitor, review or block\n");
            return 2;
        }
        return 0;
    default:
        return 2;
    }
}

int cmd_eval(int argc, char **argv)
{
    static const struct option opts[] = {
        {"labels", required_argument, 0, 'l'},  {"verdicts", required_argument, 0, 'v'},
        {"flag-at", required_argument, 0, 'f'}, {"json", no_argument, 0, 'j'},
        {"help", no_argument, 0, 'h'},          {0, 0, 0, 0},
    };
    struct eval_args a = {NULL, NULL, 2, false};
    int rc = cli_begin(argc, argv, opts, NULL, eval_option, &a, eval_usage, NULL);
    if (rc != CLI_CONTINUE)
        return rc;
    if (!a.labels || !a.verdicts) {
        fprintf(stderr, "iprshield: eval needs --labels and --verdicts\n\n");
        eval_usage(stderr);
        return 2;
    }
    struct eval e;
    memset(&e, 0, sizeof e);
    e.flag_at = a.flag_at;
    e.labels = json_array();
    e.by_id = json_object();
    rc = e.labels && e.by_id ? eval_each_line(&e, a.labels, eval_label_line) : 5;
    if (rc)
        goto out;
    e.n = json_array_size(e.labels);
    e.items = calloc(e.n + 1, sizeof *e.items);
    if (!e.items) {
        rc = 5;
        goto out;
    }
    for (size_t i = 0; i < e.n; i++)
        e.items[i].label = json_array_get(e.labels, i);
    rc = eval_each_line(&e, a.verdicts, eval_verdict_line);
    if (rc)
        goto out;
    for (size_t i = 0; i < e.n; i++) {
        if (!eval_one(&e, &e.items[i])) {
            rc = 5;
            goto out;
        }
    }
    if (e.nclasses > 1)
        qsort(e.classes, e.nclasses, sizeof *e.classes, eval_class_cmp);
    if (a.as_json) {
        json_t *j = eval_json(&e);
        char *s = j ? json_dumps(j, JSON_INDENT(2)) : NULL;
        if (!s)
            rc = 5;
        else
            printf("%s\n", s);
        free(s);
        json_decref(j);
    } else {
        eval_print(&e);
    }
out:
    if (e.items)
        for (size_t i = 0; i < e.n; i++)
            json_decref(e.items[i].verdict);
    free(e.items);
    for (size_t i = 0; i < e.nclasses; i++)
        free(e.classes[i].name);
    free(e.classes);
    json_decref(e.labels);
    json_decref(e.by_id);
    return rc;
}
