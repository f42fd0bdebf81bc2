/*
 * cmd_ledger.c — `iprshield ledger register|key|check|verify|consistency`.
 *
 * verify works offline: no database, no server, only the files given and
 * the verifier key. consistency checks offline too, but first fetches the
 * proof from the server named by --url (libcurl: one GET of
 * /api/v1/ledger/consistency); --proof FILE takes a saved proof instead.
 * Trust never rests on the server: the proof is checked against the two
 * signed checkpoints with the verifier key.
 */
#include <curl/curl.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "blob/blob.h"
#include "core/timeutil.h"
#include "cli/cli.h"
#include "ledger/ledger.h"

#define LEDGER_CLI_TEXT_MAX (256 * 1024) /* receipts, notes, proofs */

static void ledger_usage(FILE *f)
{
    fprintf(f,
            "usage: iprshield ledger COMMAND [OPTIONS]\n\n"
            "The original-work ledger: a signed, append-only Merkle log (RFC 9162) of work\n"
            "registrations whose receipts anyone can verify offline.\n\n"
            "Commands:\n"
            "  register FILE... --org NAME [--title T] [--created YYYY-MM-DD]\n"
            "                  register works (one batch, one checkpoint) and print receipts:\n"
            "                  one JSON object for one file, JSON Lines for several. The\n"
            "                  title defaults to the file name; --created to today (UTC).\n"
            "  key [--all]     print the verifier key (created with the log key on first use);\n"
            "                  with --all also the log's earlier keys, one per line (a VKEY\n"
            "                  file that checks receipts and checkpoints from before a rotation)\n"
            "  rotate-key [--overlap-days N]\n"
            "                  make a new signing key (same name) the current one; the old key\n"
            "                  co-signs checkpoints for N more days (default 30, 0: stop now)\n"
            "                  and stays in the key file to check what it signed. Running\n"
            "                  servers take the new key file up at their next signature.\n"
            "  check [--quick] check the stored log against its latest checkpoint; without\n"
            "                  --quick also recompute every leaf and tree node\n"
            "  verify RECEIPT.json --key VKEY\n"
            "                  verify a receipt offline; on failure name the check that\n"
            "                  failed: format, key, signature, size, leaf or proof\n"
            "  consistency OLD NEW --key VKEY (--url URL | --proof FILE|-)\n"
            "                  check that checkpoint NEW extends checkpoint OLD (files holding\n"
            "                  a checkpoint note or a receipt): fetch the proof from the\n"
            "                  server at URL (e.g. https://host), or read it from FILE (the\n"
            "                  JSON of GET /api/v1/ledger/consistency?from=OLD_SIZE&to=NEW_SIZE),\n"
            "                  then verify it offline against both signed checkpoints\n"
            "  prior-art IMAGE [--distance D] [--before LEAF] [--limit N]\n"
            "                  earlier registrations whose image is within PDQ distance D\n"
            "                  (0-31, default 31) of IMAGE or of a mirrored/rotated copy, in\n"
            "                  registration order, registered before leaf LEAF (default: all);\n"
            "                  prints JSON {pdq, distance, items}\n\n"
            "VKEY is the verifier key text (name+keyid+key) or a file holding one or more,\n"
            "one per line; --key may be given several times: a checkpoint signed by any of\n"
            "the keys is accepted.\n"
            "Exit codes: 0 verified / done; 1 a check failed; 2 usage; 3 not found;\n"
            "4 invalid input; 5 I/O or database error.\n\n"
            "Options:\n" CLI_COMMON_HELP);
}

/* Read a whole file ("-" = standard input) of at most max bytes into a
 * malloc'ed NUL-terminated buffer. OUT *data, *len. Prints the failure. */
static ips_status ledger_cli_read(const char *path, size_t max, char **data, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "iprshield ledger: cannot open %s\n", path);
        return IPS_ERR_IO;
    }
    ips_status st = IPS_OK;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        if (n == cap) {
            if (cap >= max) {
                st = IPS_ERR_TOO_LARGE;
                break;
            }
            cap = cap * 2 > max ? max : cap * 2;
            char *grown = realloc(buf, cap + 1);
            if (!grown)
                break;
            buf = grown;
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0) {
            if (ferror(f))
                st = IPS_ERR_IO;
            break;
        }
    }
    if (!buf)
        st = IPS_ERR_NOMEM;
    if (f != stdin)
        fclose(f);
    if (st == IPS_OK && n > max)
        st = IPS_ERR_TOO_LARGE;
    if (st) {
        fprintf(stderr, "iprshield ledger: cannot read %s: %s\n", path, ips_status_message(st));
        free(buf);
        return st;
    }
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return IPS_OK;
}

#define LEDGER_CLI_KEYS_MAX (LEDGER_KEYS_MAX * NOTE_VKEY_MAX)

/* The verifier keys of the --key options, one per line, into
 * keys[LEDGER_CLI_KEYS_MAX]: an argument that parses as a key as it is,
 * else the file it names (one key per line, as `ledger key --all` prints
 * them); anything else is passed on for the verification to name. */
static ips_status ledger_cli_vkeys(const char *const *args, int nargs, char *keys)
{
    size_t used = 0;
    keys[0] = '\0';
    for (int i = 0; i < nargs; i++) {
        struct note_verifier v;
        char *data = NULL;
        size_t len = 0;
        const char *text = args[i];
        FILE *probe = NULL;
        if (note_verifier_parse(text, &v) != IPS_OK && (probe = fopen(text, "rb"))) {
            fclose(probe);
            ips_status st = ledger_cli_read(text, LEDGER_CLI_KEYS_MAX - 1, &data, &len);
            if (st)
                return st;
            text = data;
        }
        int n = snprintf(keys + used, LEDGER_CLI_KEYS_MAX - used, "%s\n", text);
        free(data);
        if (n < 0 || (size_t)n >= LEDGER_CLI_KEYS_MAX - used) {
            fprintf(stderr, "iprshield ledger: at most %d verifier keys\n", LEDGER_KEYS_MAX);
            return IPS_ERR_USAGE;
        }
        used += (size_t)n;
    }
    return IPS_OK;
}

/* A checkpoint note from a file holding either the note or a receipt (its
 * "checkpoint"). OUT *note (malloc'ed), *len. */
static ips_status ledger_cli_note(const char *path, char **note, size_t *len)
{
    char *data = NULL;
    size_t n = 0;
    ips_status st = ledger_cli_read(path, LEDGER_CLI_TEXT_MAX, &data, &n);
    if (st)
        return st;
    size_t i = 0;
    while (i < n && (data[i] == ' ' || data[i] == '\n' || data[i] == '\t' || data[i] == '\r'))
        i++;
    if (i < n && data[i] == '{') {
        json_error_t err;
        json_t *o = json_loadb(data, n, 0, &err);
        json_t *cp = json_object_get(o, "checkpoint");
        free(data);
        data = NULL;
        if (json_is_string(cp))
            data = strdup(json_string_value(cp));
        n = data ? strlen(data) : 0;
        json_decref(o);
        if (!data) {
            fprintf(stderr, "iprshield ledger: %s is JSON without a \"checkpoint\" text\n", path);
            return IPS_ERR_INVALID;
        }
    }
    *note = data;
    *len = n;
    return IPS_OK;
}

/* ---- register -------------------------------------------------------------------- */

struct ledger_cli_opts {
    const char *org, *title, *created, *proof, *url;
    const char *key[LEDGER_KEYS_MAX];
    int nkeys;
    long distance, before, limit, overlap_days;
    bool quick, all;
};

/* A decimal option in [min, max]; prints the usage error. */
static int ledger_cli_num(const char *arg, long min, long max, long *out)
{
    char *end = NULL;
    long v = strtol(arg, &end, 10);
    if (!arg[0] || *end || v < min || v > max) {
        fprintf(stderr, "iprshield ledger: %s is not a number from %ld to %ld\n", arg, min, max);
        return 2;
    }
    *out = v;
    return 0;
}

static int ledger_cli_opt(int c, const char *arg, void *state)
{
    struct ledger_cli_opts *o = state;
    switch (c) {
    case 'o': o->org = arg; break;
    case 't': o->title = arg; break;
    case 'c': o->created = arg; break;
    case 'k':
        if (o->nkeys == LEDGER_KEYS_MAX) {
            fprintf(stderr, "iprshield ledger: at most %d --key options\n", LEDGER_KEYS_MAX);
            return 2;
        }
        o->key[o->nkeys++] = arg;
        break;
    case 'a': o->all = true; break;
    case 'O': return ledger_cli_num(arg, 0, 3650, &o->overlap_days);
    case 'p': o->proof = arg; break;
    case 'q': o->quick = true; break;
    case 'u': o->url = arg; break;
    case 'd': return ledger_cli_num(arg, 0, DETECT_PDQ_MATCH_DISTANCE, &o->distance);
    case 'b': return ledger_cli_num(arg, 0, INT32_MAX, &o->before);
    case 'l': return ledger_cli_num(arg, 1, LEDGER_PRIOR_ART_MAX, &o->limit);
    default: ledger_usage(stderr); return 2;
    }
    return 0;
}

static const struct option ledger_cli_options[] = {
    {"org", required_argument, 0, 'o'},   {"title", required_argument, 0, 't'},
    {"created", required_argument, 0, 'c'}, {"key", required_argument, 0, 'k'},
    {"proof", required_argument, 0, 'p'}, {"quick", no_argument, 0, 'q'},
    {"url", required_argument, 0, 'u'},   {"distance", required_argument, 0, 'd'},
    {"before", required_argument, 0, 'b'}, {"limit", required_argument, 0, 'l'},
    {"all", no_argument, 0, 'a'},         {"overlap-days", required_argument, 0, 'O'},
    CLI_COMMON_OPTIONS,                   {0, 0, 0, 0}};

static int ledger_cli_register(int nfiles, char **files, const struct ledger_cli_opts *o,
                               const struct config *cfg)
{
    if (nfiles < 1 || !o->org) {
        fprintf(stderr, "iprshield ledger register: give one or more FILEs and --org NAME\n");
        return 2;
    }
    if (nfiles > LEDGER_BATCH_MAX) {
        fprintf(stderr, "iprshield ledger register: at most %d files at once\n", LEDGER_BATCH_MAX);
        return 2;
    }
    int rc = 0;
    struct ledger_work *works = calloc((size_t)nfiles, sizeof *works);
    char **datas = calloc((size_t)nfiles, sizeof *datas);
    struct ledger_receipt *receipts = calloc((size_t)nfiles, sizeof *receipts);
    if (!works || !datas || !receipts) {
        rc = cli_fail("cannot register", IPS_ERR_NOMEM, NULL);
        goto out_mem;
    }
    for (int i = 0; i < nfiles; i++) {
        size_t len = 0;
        ips_status st = ledger_cli_read(files[i], BLOB_MAX_BYTES, &datas[i], &len);
        if (st) {
            rc = ips_status_exit_code(st);
            goto out_mem;
        }
        const char *base = strrchr(files[i], '/');
        works[i].data = datas[i];
        works[i].len = len;
        works[i].title = o->title ? o->title : base ? base + 1 : files[i];
        works[i].created_on = o->created;
    }
    struct cli_session sess;
    ips_status st = cli_session_open(cfg, &sess);
    if (st) {
        rc = ips_status_exit_code(st);
        goto out_mem;
    }
    struct store_org org;
    st = store_org_get_by_name(sess.store, o->org, &org);
    if (st) {
        rc = cli_fail("cannot register", st, "no organisation has this name");
        goto out_ctx;
    }
    for (int i = 0; i < nfiles; i++)
        works[i].org_id = org.id;
    st = ledger_register(&sess.ctx, works, (size_t)nfiles, receipts, NULL);
    if (st) {
        rc = cli_fail("cannot register", st, sess.ctx.detail);
        cli_print_errors(&sess.ctx);
        goto out_ctx;
    }
    for (int i = 0; i < nfiles; i++) {
        json_t *v = ledger_receipt_json(&receipts[i]);
        char *text = v ? json_dumps(v, nfiles == 1 ? JSON_INDENT(2) : JSON_COMPACT) : NULL;
        if (text)
            printf("%s\n", text);
        else
            rc = 5;
        free(text);
        json_decref(v);
    }
out_ctx:
    cli_session_close(&sess);
out_mem:
    for (int i = 0; datas && i < nfiles; i++)
        free(datas[i]);
    free(datas);
    free(works);
    free(receipts);
    return rc;
}

/* ---- key, check ------------------------------------------------------------------- */

static int ledger_cli_key(const struct ledger_cli_opts *o, const struct config *cfg)
{
    struct ledger_keyring *r = ledger_keyring_new();;
    char key[NOTE_VKEY_MAX];
    ips_status st = r ? ledger_keyring_load(cfg, r) : IPS_ERR_NOMEM;
    for (size_t i = 0; st == IPS_OK && i < (o->all ? r->n : 1); i++) {
        if ((st = note_verifier_format(&r->key[i].v, key, sizeof key)) == IPS_OK)
            printf("%s\n", key);
    }
    ledger_keyring_free(r);
    if (st)
        return cli_fail("cannot read the ledger key", st, NULL);
    return 0;
}

static int ledger_cli_rotate(const struct ledger_cli_opts *o, const struct config *cfg)
{
    struct cli_session sess;
    ips_status st = cli_session_open(cfg, &sess);
    if (st)
        return ips_status_exit_code(st);
    char key[NOTE_VKEY_MAX], detail[64];
    int64_t overlap_ms = (int64_t)o->overlap_days * 86400 * 1000;
    st = ledger_key_rotate(cfg, overlap_ms, time_now_ms(), key);
    snprintf(detail, sizeof detail, "overlap %ld days", o->overlap_days);
    audit_record(sess.ctx.store, access_principal_actor(sess.ctx.actor), "ledger.key_rotate",
                 st == IPS_OK ? key : "ledger", st == IPS_OK ? AUDIT_OK : AUDIT_FAILED,
                 st == IPS_OK ? detail : ips_status_slug(st));
    cli_session_close(&sess);
    if (st)
        return cli_fail("cannot rotate the ledger key", st, NULL);
    printf("%s\n", key);
    return 0;
}

static int ledger_cli_check(const struct ledger_cli_opts *o, const struct config *cfg)
{
    struct cli_session sess;
    ips_status st = cli_session_open(cfg, &sess);
    if (st)
        return ips_status_exit_code(st);
    struct ledger_check_result res;
    st = ledger_check(&sess.ctx, !o->quick, &res);
    int rc = 0;
    if (st == IPS_OK)
        printf("ledger intact: %" PRId64 " leaves, checkpoint size %" PRId64 "%s\n", res.leaves,
               res.tree_size, o->quick ? " (quick check)" : ", every leaf and node recomputed");
    else
        rc = cli_fail("ledger check failed", st, res.reason);
    cli_session_close(&sess);
    return rc;
}

/* ---- verify, consistency (offline) --------------------------------------------------- */

static int ledger_cli_verify(int nargs, char **args, const struct ledger_cli_opts *o)
{
    if (nargs != 1 || !o->nkeys) {
        fprintf(stderr, "iprshield ledger verify: give RECEIPT.json and --key VKEY\n");
        return 2;
    }
    char key[LEDGER_CLI_KEYS_MAX], why[256];
    char *data = NULL;
    size_t len = 0;
    ips_status st = ledger_cli_vkeys(o->key, o->nkeys, key);
    if (st || (st = ledger_cli_read(args[0], LEDGER_CLI_TEXT_MAX, &data, &len)))
        return ips_status_exit_code(st);
    struct ledger_leaf leaf;
    enum ledger_check_id c = ledger_receipt_verify(data, len, key, &leaf, why, sizeof why);
    free(data);
    if (c != LEDGER_CHECK_OK) {
        fprintf(stderr, "iprshield ledger verify: FAILED (%s): %s\n", ledger_check_name(c), why);
        return 1;
    }
    printf("verified: leaf %" PRIu64 " \"%s\" (sha256 %s), owner %s, created %s, registered at "
           "%" PRId64 " ms\n",
           leaf.leaf_index, leaf.title, leaf.work_sha256, leaf.owner, leaf.created_on,
           leaf.registered_ms);
    return 0;
}

/* A response body of at most LEDGER_CLI_TEXT_MAX bytes. */
struct ledger_cli_body {
    char *data;
    size_t len;
    bool too_large;
};

static size_t ledger_cli_body_write(char *p, size_t size, size_t n, void *arg)
{
    struct ledger_cli_body *b = arg;
    size_t add = size * n;
    if (b->len + add > LEDGER_CLI_TEXT_MAX) {
        b->too_large = true;
        return 0; /* aborts the transfer */
    }
    char *grown = realloc(b->data, b->len + add + 1);
    if (!grown)
        return 0;
    memcpy(grown + b->len, p, add);
    b->data = grown;
    b->len += add;
    b->data[b->len] = '\0';
    return add;
}

/* GET base/api/v1/ledger/consistency?from=FROM&to=TO. OUT *proof
 * (malloc'ed JSON text), *len. Prints the failure (the problem's detail on
 * an HTTP error). */
static ips_status ledger_cli_fetch_proof(const char *base, uint64_t from, uint64_t to,
                                         char **proof, size_t *len)
{
    char url[2048], curl_err[CURL_ERROR_SIZE] = "";
    size_t bl = strlen(base);
    while (bl > 0 && base[bl - 1] == '/')
        bl--;
    int n = snprintf(url, sizeof url, "%.*s/api/v1/ledger/consistency?from=%" PRIu64 "&to=%" PRIu64,
                     (int)bl, base, from, to);
    if (n < 0 || (size_t)n >= sizeof url) {
        fprintf(stderr, "iprshield ledger consistency: the URL is too long\n");
        return IPS_ERR_USAGE;
    }
    struct ledger_cli_body body = {0};
    long status = 0;
    ips_status st = IPS_ERR_IO;
    CURL *c = curl_easy_init();
    if (!c) {
        fprintf(stderr, "iprshield ledger consistency: cannot create an HTTP client\n");
        return IPS_ERR_NOMEM;
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_err);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "iprshield-ledger/1");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, ledger_cli_body_write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
    CURLcode rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(c);
    if (rc != CURLE_OK) {
        fprintf(stderr, "iprshield ledger consistency: cannot fetch %s: %s\n", url,
                body.too_large ? "the answer is too large"
                : curl_err[0]  ? curl_err
                               : curl_easy_strerror(rc));
        goto out_body;
    }
    if (status != 200) {
        json_t *problem = json_loadb(body.data ? body.data : "", body.len, 0, NULL);
        const char *detail = json_string_value(json_object_get(problem, "detail"));
        fprintf(stderr, "iprshield ledger consistency: %s answered HTTP %ld%s%s\n", url, status,
                detail ? ": " : "", detail ? detail : "");
        json_decref(problem);
        st = status == 404                    ? IPS_ERR_NOT_FOUND
             : status == 400 || status == 422 ? IPS_ERR_INVALID
                                              : IPS_ERR_IO;
        goto out_body;
    }
    *proof = body.data;
    *len = body.len;
    body.data = NULL;
    st = IPS_OK;
out_body:
    free(body.data);
    return st;
}

/* The sizes of two checkpoints opened with key (OUT *from, *to), or false
 * when either does not open (the verification then says why). */
static bool ledger_cli_sizes(const char *keys, const char *old_note, size_t old_len,
                             const char *new_note, size_t new_len, uint64_t *from, uint64_t *to)
{
    struct note_checkpoint a, b;
    char why[256];
    if (ledger_checkpoint_open_any(old_note, old_len, keys, &a, why, sizeof why) !=
            LEDGER_CHECK_OK ||
        ledger_checkpoint_open_any(new_note, new_len, keys, &b, why, sizeof why) !=
            LEDGER_CHECK_OK)
        return false;
    *from = a.size;
    *to = b.size;
    return true;
}

static int ledger_cli_consistency(int nargs, char **args, const struct ledger_cli_opts *o)
{
    if (nargs != 2 || !o->nkeys || (o->url && o->proof)) {
        fprintf(stderr, "iprshield ledger consistency: give OLD NEW, --key VKEY and at most one "
                        "of --url URL and --proof FILE\n");
        return 2;
    }
    int rc = 5;
    char key[LEDGER_CLI_KEYS_MAX], why[256];
    char *old_note = NULL, *new_note = NULL, *proof = NULL;
    size_t old_len = 0, new_len = 0, proof_len = 0;
    uint64_t from = 0, to = 0;
    ips_status st = ledger_cli_vkeys(o->key, o->nkeys, key);
    if (st || (st = ledger_cli_note(args[0], &old_note, &old_len)) ||
        (st = ledger_cli_note(args[1], &new_note, &new_len)) ||
        (o->proof && (st = ledger_cli_read(o->proof, LEDGER_CLI_TEXT_MAX, &proof, &proof_len)))) {
        rc = ips_status_exit_code(st);
        goto out_free;
    }
    /* Fetch only what can matter: two checkpoints that open, old smaller. */
    if (o->url && ledger_cli_sizes(key, old_note, old_len, new_note, new_len, &from, &to) &&
        from < to && (st = ledger_cli_fetch_proof(o->url, from, to, &proof, &proof_len))) {
        rc = ips_status_exit_code(st);
        goto out_free;
    }
    struct note_checkpoint a, b;
    enum ledger_check_id c = ledger_consistency_verify(old_note, old_len, new_note, new_len, key,
                                                       proof, proof_len, &a, &b, why, sizeof why);
    if (c != LEDGER_CHECK_OK) {
        fprintf(stderr, "iprshield ledger consistency: FAILED (%s): %s\n", ledger_check_name(c),
                why);
        rc = 1;
        goto out_free;
    }
    printf("consistent: the tree of %" PRIu64 " leaves is a prefix of the tree of %" PRIu64
           " leaves\n",
           a.size, b.size);
    rc = 0;
out_free:
    free(old_note);
    free(new_note);
    free(proof);
    return rc;
}

/* ---- prior art --------------------------------------------------------------------- */

static ips_status ledger_cli_prior_take(const struct ledger_prior_art *hit, void *arg)
{
    json_t *v = ledger_prior_art_json(hit);
    return v && json_array_append_new(arg, v) == 0 ? IPS_OK : IPS_ERR_NOMEM;
}

static int ledger_cli_prior_art(int nargs, char **args, const struct ledger_cli_opts *o,
                                const struct config *cfg)
{
    if (nargs != 1) {
        fprintf(stderr, "iprshield ledger prior-art: give one IMAGE file\n");
        return 2;
    }
    char *data = NULL;
    size_t len = 0;
    ips_status st = ledger_cli_read(args[0], DETECT_IMAGE_MAX_BYTES, &data, &len);
    if (st)
        return ips_status_exit_code(st);
    struct cli_session sess;
    if ((st = cli_session_open(cfg, &sess))) {
        free(data);
        return ips_status_exit_code(st);
    }
    int rc = 0;
    char pdq[STORE_LEDGER_HEX_LEN + 1] = "";
    json_t *items = json_array();
    st = items ? ledger_prior_art(&sess.ctx, data, len, (int)o->distance,
                                  o->before, (int)o->limit, pdq,
                                  ledger_cli_prior_take, items)
               : IPS_ERR_NOMEM;
    if (st) {
        rc = cli_fail("cannot search for prior art", st, sess.ctx.detail);
        json_decref(items);
    } else {
        json_t *v = json_pack("{s:s, s:i, s:o}", "pdq", pdq, "distance", (int)o->distance,
                              "items", items);
        char *text = v ? json_dumps(v, JSON_INDENT(2)) : NULL;
        if (text)
            printf("%s\n", text);
        else
            rc = 5;
        free(text);
        json_decref(v);
    }
    cli_session_close(&sess);
    free(data);
    return rc;
}

int cmd_ledger(int argc, char **argv)
{
    static const char *const subs[] = {"register",  "key",        "check",
                                       "verify",    "consistency", "prior-art",
                                       "rotate-key", NULL};
    int rc = cli_subcommand_pick(argc, argv, subs, ledger_usage, NULL);
    if (rc != CLI_CONTINUE)
        return rc;
    const char *sub = argv[1];
    struct config cfg;
    struct ledger_cli_opts o;
    memset(&o, 0, sizeof o);
    o.distance = DETECT_PDQ_MATCH_DISTANCE;
    o.before = -1;
    o.overlap_days = 30;
    int first = 0;
    rc = cli_begin(argc - 1, argv + 1, ledger_cli_options, &cfg, ledger_cli_opt, &o,
                       ledger_usage, &first);
    if (rc != CLI_CONTINUE)
        return rc;
    int nargs = argc - 1 - first;
    char **args = argv + 1 + first;
    if (!strcmp(sub, "register"))
        rc = ledger_cli_register(nargs, args, &o, &cfg);
    else if (nargs > 0 &&
             (!strcmp(sub, "key") || !strcmp(sub, "check") || !strcmp(sub, "rotate-key"))) {
        fprintf(stderr, "iprshield ledger %s: takes no arguments\n", sub);
        rc = 2;
    } else if (!strcmp(sub, "key"))
        rc = ledger_cli_key(&o, &cfg);
    else if (!strcmp(sub, "rotate-key"))
        rc = ledger_cli_rotate(&o, &cfg);
    else if (!strcmp(sub, "check"))
        rc = ledger_cli_check(&o, &cfg);
    else if (!strcmp(sub, "verify"))
        rc = ledger_cli_verify(nargs, args, &o);
    else if (!strcmp(sub, "prior-art"))
        rc = ledger_cli_prior_art(nargs, args, &o, &cfg);
    else
        rc = ledger_cli_consistency(nargs, args, &o);
    config_release(&cfg);
    return rc;
}
