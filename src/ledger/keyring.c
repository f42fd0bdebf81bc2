/*
 * keyring.c — the ledger's signing keys: the key file, its creation at
 * first use, and key rotation with an overlap during which checkpoints are
 * signed by the new key and the old one (C2SP signed notes may carry
 * several signatures; a verifier uses the one whose key it knows).
 *
 * The key file (mode 0600) holds one key per line, the current signing key
 * first:
 *
 *   PRIVATE+KEY+<name>+<key id>+<key>
 *   PRIVATE+KEY+<name>+<key id>+<key> <RFC 3339 time>
 *
 * Every later line is an earlier key, newest first, with the time until
 * which it still co-signs checkpoints; after that time it is kept so that
 * the checkpoints it signed can still be checked (and its public half
 * listed at GET /api/v1/ledger/key). A file of one line is the layout of
 * every release before rotation existed.
 *
 * The file is cached per process and re-read when it changes on disk
 * (device, inode, size or modification time), so a rotation made by
 * `iprshield ledger rotate-key` is taken up by running servers at their
 * next signature.
 */
#include "ledger/ledger_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/config.h"
#include "core/log.h"
#include "core/timeutil.h"

#define KEYRING__PATH_MAX 4096
#define KEYRING__LINE_MAX (NOTE_SKEY_MAX + 1 + TIME_RFC3339_LEN + 1)
#define KEYRING__FILE_MAX (LEDGER_KEYS_MAX * KEYRING__LINE_MAX)

struct ledger_keyring *ledger_keyring_new(void)
{
    return calloc(1, sizeof(struct ledger_keyring));
}

void ledger_keyring_free(struct ledger_keyring *r)
{
    if (r) {
        sodium_memzero(r, sizeof *r);
        free(r);
    }
}

/* Wipe and free a buffer that held key text. */
static void keyring__free(char *p, size_t n)
{
    if (p) {
        sodium_memzero(p, n);
        free(p);
    }
}

/* The cached key file of this process. Guarded by mu. */
static struct {
    pthread_mutex_t mu;
    bool loaded;
    char path[KEYRING__PATH_MAX];
    struct stat sb; /* of the file read */
    struct ledger_keyring ring;
} keyring__cache = {.mu = PTHREAD_MUTEX_INITIALIZER};

ips_status ledger_key_path(const struct config *cfg, char *out, size_t cap)
{
    int n;
    if (!cfg)
        return IPS_ERR_USAGE;
    if (cfg->ledger_key && cfg->ledger_key[0]) {
        n = snprintf(out, cap, "%s", cfg->ledger_key);
    } else {
        const char *db = cfg->db ? cfg->db : "";
        if (strncmp(db, "sqlite:", 7) == 0)
            db += 7;
        /* no file to sit beside: an in-memory or a PostgreSQL database */
        if (!db[0] || strcmp(db, ":memory:") == 0 || strncmp(db, "postgres://", 11) == 0 ||
            strncmp(db, "postgresql://", 13) == 0)
            return IPS_ERR_USAGE;
        n = snprintf(out, cap, "%s.ledger.key", db);
    }
    return n < 0 || (size_t)n >= cap ? IPS_ERR_TOO_LARGE : IPS_OK;
}

/* Parse the key file's text into *out: IPS_ERR_INTEGRITY when a line is not
 * a key (with its time after the first line), when the keys' names differ,
 * or when there are none or too many. */
static ips_status keyring__parse(char *text, struct ledger_keyring *out)
{
    memset(out, 0, sizeof *out);
    for (char *line = text, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (!line[0])
            continue;
        if (out->n == LEDGER_KEYS_MAX)
            return IPS_ERR_INTEGRITY;
        char *sp = strchr(line, ' ');
        if ((out->n == 0) != (sp == NULL))
            return IPS_ERR_INTEGRITY; /* a time on the first line, or none after it */
        if (sp) {
            *sp = '\0';
            if (time_parse_rfc3339(sp + 1, &out->cosign_until_ms[out->n]))
                return IPS_ERR_INTEGRITY;
        }
        struct note_signer *k = &out->key[out->n];
        if (note_signer_parse(line, k) ||
            (out->n > 0 && strcmp(k->v.name, out->key[0].v.name) != 0))
            return IPS_ERR_INTEGRITY;
        out->n++;
    }
    return out->n ? IPS_OK : IPS_ERR_INTEGRITY;
}

/* The key file's text for r into out[cap]. */
static ips_status keyring__format(const struct ledger_keyring *r, char *out, size_t cap)
{
    size_t used = 0;
    for (size_t i = 0; i < r->n; i++) {
        char when[TIME_RFC3339_LEN] = "";
        if (used + NOTE_SKEY_MAX >= cap ||
            note_signer_format(&r->key[i], out + used, cap - used))
            return IPS_ERR_TOO_LARGE;
        used += strlen(out + used);
        if (i > 0 && time_format_rfc3339(r->cosign_until_ms[i], when, sizeof when))
            return IPS_ERR_INVALID;
        int n = snprintf(out + used, cap - used, "%s%s\n", i > 0 ? " " : "", when);
        if (n < 0 || (size_t)n >= cap - used)
            return IPS_ERR_TOO_LARGE;
        used += (size_t)n;
    }
    return IPS_OK;
}

/* Read and parse the key file at path. IPS_ERR_NOT_FOUND when it does not
 * exist; IPS_ERR_IO when unreadable or open to group/others;
 * IPS_ERR_INTEGRITY when it is not a key file. OUT *sb_out. */
static ips_status keyring__read(const char *path, struct ledger_keyring *out,
                                struct stat *sb_out)
{
    char *text = calloc(1, KEYRING__FILE_MAX + 1);
    ips_status st = IPS_ERR_IO;
    if (!text)
        return IPS_ERR_NOMEM;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        st = errno == ENOENT ? IPS_ERR_NOT_FOUND : IPS_ERR_IO;
        goto out_text;
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))
        goto out_fd;
    if (sb.st_mode & 077) {
        log_error("ledger: the signing key file is readable by others; refusing it (chmod 600)",
                  "path", path);
        goto out_fd;
    }
    size_t n = 0;
    for (;;) {
        ssize_t r = read(fd, text + n, KEYRING__FILE_MAX - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            goto out_fd;
        if (r == 0 || (n += (size_t)r) == KEYRING__FILE_MAX)
            break;
    }
    text[n] = '\0';
    st = keyring__parse(text, out);
    if (st)
        log_error("ledger: the signing key file is not a key file", "path", path);
    else
        *sb_out = sb;
out_fd:
    close(fd);
out_text:
    keyring__free(text, KEYRING__FILE_MAX + 1);
    return st;
}

/* fsync the directory holding path (a new or renamed entry in it). */
static void keyring__sync_dir(const char *path)
{
    char dir[KEYRING__PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash == dir)
        slash[1] = '\0';
    else if (slash)
        *slash = '\0';
    else
        snprintf(dir, sizeof dir, ".");
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
}

/* Put text[0..len) at path (mode 0600) without ever exposing a partial
 * file: a temporary file, fsync, then link() (replace false: fails with
 * IPS_ERR_CONFLICT when the file exists) or rename() (replace true). */
static ips_status keyring__write(const char *path, const char *text, size_t len, bool replace)
{
    char tmp[KEYRING__PATH_MAX + 32];
    int n = snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    if (n < 0 || (size_t)n >= sizeof tmp)
        return IPS_ERR_TOO_LARGE;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return IPS_ERR_IO;
    bool ok = write(fd, text, len) == (ssize_t)len && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    ips_status st = IPS_ERR_IO;
    if (ok && (replace ? rename(tmp, path) : link(tmp, path)) == 0)
        st = IPS_OK;
    else if (ok && !replace && errno == EEXIST)
        st = IPS_ERR_CONFLICT;
    unlink(tmp); /* gone already after a rename */
    if (st == IPS_OK)
        keyring__sync_dir(path);
    return st;
}

/* Create the key file at path holding one new key named name; when
 * another process won the race, read its file instead. */
static ips_status keyring__create(const char *path, const char *name, struct ledger_keyring *out,
                                  struct stat *sb_out)
{
    struct ledger_keyring *r = ledger_keyring_new();
    char *text = calloc(1, KEYRING__FILE_MAX);
    ips_status st = IPS_ERR_NOMEM;
    if (!r || !text)
        goto out_free;
    memset(r, 0, sizeof *r);
    if (note_signer_generate(name, &r->key[0])) {
        log_error("ledger: ledger_origin is not a valid key name (printable ASCII, no space or '+')",
                  "origin", name);
        st = IPS_ERR_INVALID;
        goto out_free;
    }
    r->n = 1;
    if ((st = keyring__format(r, text, KEYRING__FILE_MAX)))
        goto out_free;
    st = keyring__write(path, text, strlen(text), false);
    if (st == IPS_OK)
        log_info("ledger: created the signing key", "path", path, "name", name);
    if (st == IPS_OK || st == IPS_ERR_CONFLICT)
        st = keyring__read(path, out, sb_out);
    else
        log_error("ledger: cannot create the signing key file", "path", path);
out_free:
    ledger_keyring_free(r);
    keyring__free(text, KEYRING__FILE_MAX);
    return st;
}

static bool keyring__same_file(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
           a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

ips_status ledger_keyring_load(const struct config *cfg, struct ledger_keyring *out)
{
    char path[KEYRING__PATH_MAX];
    ips_status st = ledger_key_path(cfg, path, sizeof path);
    if (st)
        return st;
    pthread_mutex_lock(&keyring__cache.mu);
    struct stat now;
    bool fresh = keyring__cache.loaded && strcmp(keyring__cache.path, path) == 0 &&
                 stat(path, &now) == 0 && keyring__same_file(&now, &keyring__cache.sb);
    if (!fresh) {
        struct stat sb;
        st = keyring__read(path, &keyring__cache.ring, &sb);
        if (st == IPS_ERR_NOT_FOUND)
            st = keyring__create(path, cfg->ledger_origin ? cfg->ledger_origin : "",
                                 &keyring__cache.ring, &sb);
        keyring__cache.loaded = st == IPS_OK;
        if (st == IPS_OK) {
            keyring__cache.sb = sb;
            memcpy(keyring__cache.path, path, strlen(path) + 1);
        } else {
            sodium_memzero(&keyring__cache.ring, sizeof keyring__cache.ring);
        }
    }
    if (st == IPS_OK)
        *out = keyring__cache.ring;
    pthread_mutex_unlock(&keyring__cache.mu);
    return st;
}

ips_status ledger_signer_load(const struct config *cfg, struct note_signer *out)
{
    struct ledger_keyring *r = ledger_keyring_new();
    if (!r)
        return IPS_ERR_NOMEM;
    ips_status st = ledger_keyring_load(cfg, r);
    if (st == IPS_OK)
        *out = r->key[0];
    ledger_keyring_free(r);
    return st;
}

size_t ledger_keyring_signers(const struct ledger_keyring *r, int64_t now_ms,
                              const struct note_signer *out[1 + LEDGER_COSIGN_MAX])
{
    size_t n = 0;
    out[n++] = &r->key[0];
    for (size_t i = 1; i < r->n && n < 1 + LEDGER_COSIGN_MAX; i++) {
        if (r->cosign_until_ms[i] > now_ms)
            out[n++] = &r->key[i];
    }
    return n;
}

ips_status ledger_verifier_key(struct ips_ctx *ctx, char out[NOTE_VKEY_MAX])
{
    struct note_signer s;
    ips_status st = ledger_signer_load(ctx->cfg, &s);
    if (st == IPS_OK)
        st = note_verifier_format(&s.v, out, NOTE_VKEY_MAX);
    sodium_memzero(&s, sizeof s);
    return st;
}

ips_status ledger_key_rotate(const struct config *cfg, int64_t overlap_ms, int64_t now_ms,
                             char new_vkey[NOTE_VKEY_MAX])
{
    char path[KEYRING__PATH_MAX];
    ips_status st = ledger_key_path(cfg, path, sizeof path);
    if (st)
        return st;
    if (overlap_ms < 0)
        return IPS_ERR_INVALID;
    struct ledger_keyring *old = ledger_keyring_new(), *r = ledger_keyring_new();
    char *text = calloc(1, KEYRING__FILE_MAX);
    struct stat sb;
    if (!old || !r || !text) {
        st = IPS_ERR_NOMEM;
        goto out_free;
    }
    /* the file as it is now, not the cache: another process may have rotated */
    if ((st = keyring__read(path, old, &sb)))
        goto out_free;
    if (old->n == LEDGER_KEYS_MAX) {
        log_error("ledger: the key file holds the most keys it may; remove the oldest line "
                  "(after its checkpoints are no longer needed) before rotating",
                  "path", path);
        st = IPS_ERR_TOO_LARGE;
        goto out_free;
    }
    memset(r, 0, sizeof *r);
    if ((st = note_signer_generate(old->key[0].v.name, &r->key[0])))
        goto out_free;
    r->key[1] = old->key[0];
    r->cosign_until_ms[1] = now_ms + overlap_ms;
    for (size_t i = 1; i < old->n; i++) {
        r->key[i + 1] = old->key[i];
        r->cosign_until_ms[i + 1] = old->cosign_until_ms[i];
    }
    r->n = old->n + 1;
    if ((st = keyring__format(r, text, KEYRING__FILE_MAX)) ||
        (st = keyring__write(path, text, strlen(text), true)) ||
        (st = note_verifier_format(&r->key[0].v, new_vkey, NOTE_VKEY_MAX)))
        goto out_free;
    log_info("ledger: rotated the signing key", "path", path, "key", new_vkey);
out_free:
    ledger_keyring_free(old);
    ledger_keyring_free(r);
    keyring__free(text, KEYRING__FILE_MAX);
    return st;
}
