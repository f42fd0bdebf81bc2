/*
 * demo_brands.c — the right-holder part of `iprshield demo seed`
 * (--brands N): scripts/gen-demo-brands.mjs picks N real brands from the npm
 * package simple-icons and writes them (brands.jsonl, coloured SVG logos,
 * one-page certificate PDFs) into a temporary directory; this file renders
 * each logo to PNG with rsvg-convert and registers the brand through the
 * access, rights and profile domain functions as the system principal.
 *
 * Child processes are started with posix_spawnp and a fixed argument vector
 * (no shell); their stdout goes to our stderr so that `demo seed --json`
 * keeps a clean stdout. Nothing is written by hand into the database.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "blob/blob.h"
#include "cli/cli.h"
#include "cli/demo_brands.h"
#include "profile/profile.h"
#include "rights/rights.h"

#ifndef IPRSHIELD_SOURCE_DIR
#define IPRSHIELD_SOURCE_DIR "."
#endif

#define DEMO_BRANDS_SCRIPT "scripts/gen-demo-brands.mjs"
#define DEMO__LINE_MAX (64 * 1024) /* one brands.jsonl line */
#define DEMO__LOGO_PX "256"        /* PNG logos are 256 x 256 */
#define DEMO__REASON "demo seed: demo registration certificate accepted"

extern char **environ;

/* State of one `--brands` run. */
struct demo__run {
    struct ips_ctx *ctx;
    char dir[64];      /* the temporary directory */
    long index;        /* line number of the brand being seeded, from 1 */
    bool rsvg_missing; /* rsvg-convert cannot be started: no logos */
    long created, completed, unchanged, failed;
};

/*
 * Start argv[0] (looked up on PATH) with argv and the environment, its
 * stdout sent to our stderr, and wait for it. OUT *exit_status: its exit
 * status (-1 when killed by a signal). Returns 0, or the errno why it could
 * not be started or waited for (*exit_status then untouched).
 */
static int demo__spawn_wait(char *const argv[], int *exit_status)
{
    posix_spawn_file_actions_t fa;
    int rc = posix_spawn_file_actions_init(&fa);
    if (rc)
        return rc;
    rc = posix_spawn_file_actions_adddup2(&fa, STDERR_FILENO, STDOUT_FILENO);
    if (rc)
        goto out_fa;
    pid_t pid;
    rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    if (rc)
        goto out_fa;
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            rc = errno;
            goto out_fa;
        }
    }
    *exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
out_fa:
    posix_spawn_file_actions_destroy(&fa);
    return rc;
}

/* The generator script: in the source tree the binary was built from, or
 * under the current directory. OUT path[cap]. False when neither exists. */
static bool demo__script(char *path, size_t cap)
{
    snprintf(path, cap, "%s/%s", IPRSHIELD_SOURCE_DIR, DEMO_BRANDS_SCRIPT);
    if (access(path, R_OK) == 0)
        return true;
    snprintf(path, cap, "./%s", DEMO_BRANDS_SCRIPT);
    return access(path, R_OK) == 0;
}

/*
 * Read the regular file path into memory: 1..max bytes. OUT *data
 * (malloc'ed, caller frees), *len. IPS_ERR_IO when it cannot be read,
 * IPS_ERR_TOO_LARGE past max, IPS_ERR_INVALID when empty, IPS_ERR_NOMEM.
 */
static ips_status demo__slurp(const char *path, size_t max, void **data, size_t *len)
{
    ips_status st = IPS_OK;
    FILE *f = fopen(path, "rb");
    if (!f)
        return IPS_ERR_IO;
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        st = IPS_ERR_IO;
        goto out_file;
    }
    if (sb.st_size <= 0) {
        st = IPS_ERR_INVALID;
        goto out_file;
    }
    if ((unsigned long long)sb.st_size > max) {
        st = IPS_ERR_TOO_LARGE;
        goto out_file;
    }
    size_t n = (size_t)sb.st_size;
    unsigned char *buf = malloc(n);
    if (!buf) {
        st = IPS_ERR_NOMEM;
        goto out_file;
    }
    if (fread(buf, 1, n, f) != n) {
        free(buf);
        st = IPS_ERR_IO;
        goto out_file;
    }
    *data = buf;
    *len = n;
out_file:
    fclose(f);
    return st;
}

/* True when path names a file directly inside the run's temporary directory
 * (where the generator writes): an absolute path, so never an option, and
 * nothing else on the machine is read. */
static bool demo__in_dir(const struct demo__run *r, const char *path)
{
    size_t n = strlen(r->dir);
    return strncmp(path, r->dir, n) == 0 && path[n] == '/' && path[n + 1] != '\0' &&
           strchr(path + n + 1, '/') == NULL;
}

/*
 * Render svg (a file in the temporary directory) to DIR/logo-K.png with rsvg-convert and read
 * it. OUT *png (malloc'ed, caller frees) and *len, or NULL and 0 when there
 * is no logo: rsvg-convert is missing (said once per run) or failed on this
 * file (said for the brand). Never fails otherwise.
 */
static void demo__render(struct demo__run *r, const char *svg, const char *name, void **png,
                         size_t *len)
{
    *png = NULL;
    *len = 0;
    if (r->rsvg_missing)
        return;
    if (!demo__in_dir(r, svg)) {
        fprintf(stderr, "iprshield: demo brand '%s': the logo is not in %s; no logo\n", name,
                r->dir);
        return;
    }
    char out[128], in[1024];
    snprintf(out, sizeof out, "%s/logo-%ld.png", r->dir, r->index);
    if ((size_t)snprintf(in, sizeof in, "%s", svg) >= sizeof in) {
        fprintf(stderr, "iprshield: demo brand '%s': the logo path is too long; no logo\n", name);
        return;
    }
    /* posix_spawn takes char *const argv[]: writable copies of the literals */
    char a_prog[] = "rsvg-convert", a_w[] = "--width", a_h[] = "--height", a_px1[] = DEMO__LOGO_PX,
         a_px2[] = DEMO__LOGO_PX, a_keep[] = "--keep-aspect-ratio", a_o[] = "--output";
    char *argv[] = {a_prog, a_w, a_px1, a_h, a_px2, a_keep, a_o, out, in, NULL};
    int status = 0;
    int rc = demo__spawn_wait(argv, &status);
    if (rc == ENOENT || rc == EACCES) {
        fprintf(stderr,
                "iprshield: rsvg-convert not found (Debian package librsvg2-bin; "
                "scripts/install-deps.sh installs it): registering the brands without logos\n");
        r->rsvg_missing = true;
        return;
    }
    if (rc || status != 0) {
        fprintf(stderr, "iprshield: demo brand '%s': rsvg-convert failed (%s); no logo\n", name,
                rc ? strerror(rc) : "non-zero exit");
        return;
    }
    ips_status st = demo__slurp(out, BLOB_MAX_BYTES, png, len);
    if (st)
        fprintf(stderr, "iprshield: demo brand '%s': cannot read the rendered logo: %s\n", name,
                ips_status_message(st));
}

/* Looking for the brand's trademark among its org's rights. */
struct demo__tm {
    const char *mark;
    bool found;
    char id[ID_SIZE];
    char status[STORE_KIND_MAX + 1]; /* as stored: pending | verified | rejected */
    char last[ID_SIZE];              /* paging */
    int seen;
};

/* rights_right_cb: note the first trademark whose mark text is the brand's. */
static ips_status demo__tm_cb(const struct rights_right *x, void *arg)
{
    struct demo__tm *t = arg;
    if (!t->found && strcmp(x->rec.mark_text, t->mark) == 0) {
        t->found = true;
        memcpy(t->id, x->rec.id, sizeof t->id);
        snprintf(t->status, sizeof t->status, "%s", x->rec.status);
    }
    memcpy(t->last, x->rec.id, sizeof t->last);
    t->seen++;
    return IPS_OK;
}

/* OUT *t: whether org_id has a trademark for t->mark already. */
static ips_status demo__tm_find(struct ips_ctx *ctx, const char *org_id, struct demo__tm *t)
{
    struct store_right_filter f = {NULL, "trademark", org_id, NULL, NULL};
    for (;;) {
        t->seen = 0;
        ips_status st =
            rights_right_list(ctx, &f, t->last[0] ? t->last : NULL, 200, demo__tm_cb, t);
        if (st || t->found || t->seen < 200)
            return st;
    }
}

/* What the profile of a brand holds already. */
struct demo__prof {
    int terms, logos;
};

static ips_status demo__prof_term(const struct store_profile_term *t, void *arg)
{
    (void)t;
    ((struct demo__prof *)arg)->terms++;
    return IPS_OK;
}

static ips_status demo__prof_image(const struct store_profile_image *im, void *arg)
{
    if (strcmp(im->kind, "logo") == 0)
        ((struct demo__prof *)arg)->logos++;
    return IPS_OK;
}

/* Forget the previous call's field errors and detail. */
static void demo__ctx_reset(struct ips_ctx *ctx)
{
    json_array_clear(ctx->errors);
    ctx->detail[0] = '\0';
}

/* Say why a brand could not be completed, with the field errors. */
static void demo__brand_fail(struct ips_ctx *ctx, const char *name, const char *what, ips_status st)
{
    fprintf(stderr, "iprshield: demo brand '%s': %s: %s%s%s\n", name, what, ips_status_message(st),
            ctx->detail[0] ? ": " : "", ctx->detail);
    size_t i;
    json_t *e;
    json_array_foreach(ctx->errors, i, e)
    {
        fprintf(stderr, "  %s %s\n", json_string_value(json_object_get(e, "field")),
                json_string_value(json_object_get(e, "message")));
    }
}

/* A failure that ends the run (storage, memory) rather than one brand. */
static bool demo__fatal(ips_status st)
{
    return st == IPS_ERR_NOMEM || st == IPS_ERR_IO || st == IPS_ERR_DB || st == IPS_ERR_BUSY ||
           st == IPS_ERR_INTERNAL;
}

/*
 * Make sure org_id has a verified trademark for name: t says what it has
 * (demo__tm_find). A pending one is verified; a missing one is registered
 * (meta from the line b, the certificate PDF, the logo png when there is
 * one) and verified; a verified or rejected one is left alone. OUT *changed
 * set when something was written. Returns the first failing status.
 */
static ips_status demo__trademark(struct demo__run *r, json_t *b, const char *name,
                                  const char *org_id, const struct demo__tm *t, const void *png,
                                  size_t png_len, bool *changed)
{
    struct ips_ctx *ctx = r->ctx;
    if (t->found) {
        if (strcmp(t->status, "pending") != 0)
            return IPS_OK; /* verified already, or rejected by a reviewer: leave it */
        *changed = true;
        return rights_right_decide(ctx, t->id, true, DEMO__REASON, NULL);
    }
    const char *cert_path = json_string_value(json_object_get(b, "certificate"));
    if (!cert_path || !demo__in_dir(r, cert_path)) {
        snprintf(ctx->detail, sizeof ctx->detail, "the generator gave no certificate in %s",
                 r->dir);
        return IPS_ERR_INVALID;
    }
    void *cert = NULL;
    size_t cert_len = 0;
    ips_status st;
    if ((st = demo__slurp(cert_path, BLOB_MAX_BYTES, &cert, &cert_len))) {
        snprintf(ctx->detail, sizeof ctx->detail, "cannot read the certificate %.200s", cert_path);
        return st;
    }
    json_t *meta = json_pack(
        "{s:s, s:s, s:s, s:O?, s:O?, s:O?, s:O?, s:O?}", "kind", "trademark", "for_org_id", org_id,
        "mark_text", name, "registration_number", json_object_get(b, "registration_number"),
        "office", json_object_get(b, "office"), "nice_classes", json_object_get(b, "nice_classes"),
        "valid_from", json_object_get(b, "valid_from"), "valid_to", json_object_get(b, "valid_to"));
    struct rights_right *right = calloc(1, sizeof *right);
    if (!meta || !right) {
        st = IPS_ERR_NOMEM;
        goto out_meta;
    }
    struct rights_upload files[2] = {{"certificate", cert, cert_len}, {"logo", png, png_len}};
    st = rights_right_register(ctx, meta, files, png ? 2 : 1, right);
    if (st)
        goto out_meta;
    *changed = true;
    st = rights_right_decide(ctx, right->rec.id, true, DEMO__REASON, NULL);
out_meta:
    free(right);
    json_decref(meta);
    free(cert);
    return st;
}

/*
 * Give org_id's protection profile (p says what it has) the brand name as a
 * term (with the line's variants; without them if they are refused) when it
 * has no terms yet, and the logo png as an official image when it has no
 * logo yet. OUT *changed set when something was written.
 */
static ips_status demo__profile(struct demo__run *r, json_t *b, const char *name,
                                const char *org_id, const struct demo__prof *p, const void *png,
                                size_t png_len, bool *changed)
{
    struct ips_ctx *ctx = r->ctx;
    ips_status st = IPS_OK;
    if (p->terms == 0) {
        json_t *variants = json_object_get(b, "variants");
        json_t *term = json_pack("{s:s}", "term", name);
        json_t *terms = json_array();
        if (!term || !terms || json_array_append(terms, term)) {
            st = IPS_ERR_NOMEM;
        } else {
            if (json_is_array(variants) && json_array_size(variants) > 0)
                json_object_set(term, "variants", variants);
            st = profile_terms_set(ctx, org_id, terms);
            if (st == IPS_ERR_INVALID && json_object_get(term, "variants")) {
                demo__brand_fail(ctx, name, "variants refused, the term goes without them", st);
                demo__ctx_reset(ctx);
                json_object_del(term, "variants");
                st = profile_terms_set(ctx, org_id, terms);
            }
        }
        json_decref(term);
        json_decref(terms);
        if (st)
            return st;
        *changed = true;
    }
    if (p->logos == 0 && png) {
        size_t n = strlen(name);
        json_t *meta = n <= STORE_PROFILE_LABEL_MAX - 5
                           ? json_pack("{s:s, s:s+}", "kind", "logo", "label", name, " logo")
                           : json_pack("{s:s, s:s}", "kind", "logo", "label", name);
        if (!meta)
            return IPS_ERR_NOMEM;
        st = profile_image_add(ctx, org_id, png, png_len, meta, NULL);
        json_decref(meta);
        if (st == IPS_ERR_CONFLICT) /* these very bytes are there already */
            return IPS_OK;
        if (st)
            return st;
        *changed = true;
    }
    return IPS_OK;
}

/*
 * Seed one brand (one line of brands.jsonl, borrowed): its org, trademark
 * and profile, each only when missing. Counts it in r. Returns IPS_OK, also
 * when this brand failed for a reason of its own (said on stderr, counted
 * as failed); a fatal status (storage, memory) ends the run.
 */
static ips_status demo__brand(struct demo__run *r, json_t *b)
{
    struct ips_ctx *ctx = r->ctx;
    demo__ctx_reset(ctx);
    const char *name = json_string_value(json_object_get(b, "name"));
    const char *svg = json_string_value(json_object_get(b, "svg"));
    if (!name || !*name || strlen(name) > STORE_NAME_MAX) {
        fprintf(stderr, "iprshield: demo brand on line %ld: no usable name\n", r->index);
        r->failed++;
        return IPS_OK;
    }
    bool created = false, changed = false;
    const char *what = "cannot create its organisation";
    struct store_org org;
    ips_status st = store_org_get_by_name(ctx->store, name, &org);
    if (st == IPS_ERR_NOT_FOUND) {
        st = access_org_create(ctx, name, "rightholder", &org);
        created = st == IPS_OK;
    } else if (st == IPS_OK && strcmp(org.kind, "rightholder") != 0) {
        snprintf(ctx->detail, sizeof ctx->detail,
                 "an organisation of kind %s has this name already", org.kind);
        st = IPS_ERR_CONFLICT;
    }
    void *png = NULL;
    size_t png_len = 0;
    if (st)
        goto out_brand;

    /* render only when a logo may be wanted: a second run renders nothing */
    struct demo__tm t;
    memset(&t, 0, sizeof t);
    t.mark = name;
    struct demo__prof p = {0, 0};
    struct profile_visitor v = {demo__prof_term, demo__prof_image, NULL, NULL};
    what = "cannot read what it has";
    if ((st = demo__tm_find(ctx, org.id, &t)) || (st = profile_read(ctx, org.id, &v, &p, NULL)))
        goto out_brand;
    if ((!t.found || p.logos == 0) && svg)
        demo__render(r, svg, name, &png, &png_len);

    what = "cannot register its trademark";
    if ((st = demo__trademark(r, b, name, org.id, &t, png, png_len, &changed)))
        goto out_brand;
    what = "cannot complete its protection profile";
    demo__ctx_reset(ctx);
    st = demo__profile(r, b, name, org.id, &p, png, png_len, &changed);
out_brand:
    free(png);
    if (st) {
        demo__brand_fail(ctx, name, what, st);
        r->failed++;
        return demo__fatal(st) ? st : IPS_OK;
    }
    if (created)
        r->created++;
    else if (changed)
        r->completed++;
    else
        r->unchanged++;
    return IPS_OK;
}

/* Remove the temporary directory dir and the files in it (best effort). */
static void demo__rmdir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
                unlinkat(dirfd(d), e->d_name, 0);
        }
        closedir(d);
    }
    rmdir(dir);
}

/*
 * Seed every line of DIR/brands.jsonl. Returns an exit code: 0, 4 when some
 * brand failed, 5 when the file cannot be read or a fatal status ended it.
 */
static int demo__seed_file(struct demo__run *r, long expected)
{
    char path[128];
    snprintf(path, sizeof path, "%s/brands.jsonl", r->dir);
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "iprshield: cannot read %s: %s\n", path, strerror(errno));
        return 5;
    }
    int rc = 0;
    char *line = malloc(DEMO__LINE_MAX);
    if (!line) {
        rc = 5;
        goto out_file;
    }
    bool tty = isatty(STDERR_FILENO) == 1;
    while (fgets(line, DEMO__LINE_MAX, f)) {
        r->index++;
        size_t n = strlen(line);
        if (n == DEMO__LINE_MAX - 1 && line[n - 1] != '\n') {
            fprintf(stderr, "iprshield: demo brand on line %ld: line too long\n", r->index);
            r->failed++;
            int c;
            while ((c = fgetc(f)) != EOF && c != '\n')
                ;
            continue;
        }
        json_error_t err;
        json_t *b = json_loads(line, 0, &err);
        if (!json_is_object(b)) {
            fprintf(stderr, "iprshield: demo brand on line %ld: not a JSON object\n", r->index);
            r->failed++;
            json_decref(b);
            continue;
        }
        ips_status st = demo__brand(r, b);
        json_decref(b);
        if (st) {
            rc = 5;
            break;
        }
        if (tty)
            fprintf(stderr, "\rdemo brands: %ld/%ld", r->index, expected);
    }
    if (tty)
        fprintf(stderr, "\n");
    if (rc == 0 && ferror(f)) {
        fprintf(stderr, "iprshield: cannot read %s\n", path);
        rc = 5;
    }
    if (rc == 0 && r->failed > 0)
        rc = 4;
    free(line);
out_file:
    fclose(f);
    return rc;
}

int cli_demo_brands(struct ips_ctx *ctx, long brands)
{
    if (brands <= 0)
        return 0;
    char script[1024];
    if (!demo__script(script, sizeof script)) {
        fprintf(stderr, "iprshield: cannot find %s (run from the source tree)\n",
                DEMO_BRANDS_SCRIPT);
        return 5;
    }
    struct demo__run r;
    memset(&r, 0, sizeof r);
    r.ctx = ctx;
    snprintf(r.dir, sizeof r.dir, "/tmp/iprs-brands-XXXXXX");
    if (!mkdtemp(r.dir)) {
        fprintf(stderr, "iprshield: cannot create a temporary directory: %s\n", strerror(errno));
        return 5;
    }
    char n[24];
    snprintf(n, sizeof n, "%ld", brands);
    char a_node[] = "node", a_brands[] = "--brands", a_out[] = "--out";
    char *argv[] = {a_node, script, a_brands, n, a_out, r.dir, NULL};
    int status = 0;
    int rc = demo__spawn_wait(argv, &status);
    if (rc) {
        fprintf(stderr,
                "iprshield: demo seed --brands needs Node.js ('node' on PATH; "
                "scripts/install-deps.sh installs it): %s\n",
                strerror(rc));
        rc = 5;
        goto out_dir;
    }
    if (status != 0) {
        fprintf(stderr, "iprshield: %s failed (exit %d)\n", DEMO_BRANDS_SCRIPT, status);
        rc = 5;
        goto out_dir;
    }
    rc = demo__seed_file(&r, brands);
    fprintf(stderr, "demo brands: %ld created, %ld completed, %ld unchanged, %ld failed%s\n",
            r.created, r.completed, r.unchanged, r.failed,
            r.rsvg_missing ? " (no logos: rsvg-convert missing)" : "");
out_dir:
    demo__rmdir(r.dir);
    return rc;
}
