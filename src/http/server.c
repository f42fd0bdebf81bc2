/*
 * server.c — libmicrohttpd glue: one thread per client connection, body
 * collection with a hard limit, authentication and the CSRF check, dispatch
 * to the route's handler, security headers, metrics, one access-log line
 * per request, and graceful shutdown on SIGINT/SIGTERM.
 *
 * Threads and database connections: libmicrohttpd runs each client
 * connection on a thread of its own (MHD_USE_THREAD_PER_CONNECTION, at most
 * SERVER_CONNECTIONS_MAX). A request borrows a database connection from the
 * server's pool for its handler and gives it back before its response is
 * sent; the pool opens at most `threads` connections, so that many requests
 * run at once and the others wait for one to come back. Why not a fixed
 * pool of libmicrohttpd threads: such a pool pins each client connection to
 * one of its threads, chosen by whichever thread's accept won, and a write
 * request holds its thread while it waits for the commit's fdatasync (group
 * commit, docs/internals/store.md) — two busy clients on one thread then
 * take turns while other threads idle. With 8 clients on 32 pool threads
 * only 6 threads served requests in a profiled run of bench_notices, and the
 * rate varied by a third from run to run with that draw (docs/benchmarks.md,
 * "stop 20"). The pool hands back the connection used last (a stack), whose
 * page cache and prepared statements are the warmest.
 */
#include "http/http.h"
#include "http/http_internal.h"
#include "http/ratelimit.h"
#include "http/respcache.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "core/log.h"
#include "core/timeutil.h"
#include "jobs/jobs.h"
#include "store/store.h"

#define RESPONSE_MAX (64u * 1024 * 1024)
#define ARENA_MAX (8u * 1024 * 1024)
#define SERVER_CONNECTIONS_MAX 1000u /* client connections, each on its own thread */
#define SERVER_DRAIN_FACTOR 4 /* see the Content-Length check in server__on_request */
#define COOKIE_NAME "iprs_session"
#define SERVER_REPORT_CACHE_ENTRIES 64    /* distinct transparency queries kept */
#define SERVER_REPORT_CACHE_TTL_MAX 86400 /* transparency_cache_seconds is clamped to a day */

static const char csp[] = "default-src 'self'; script-src 'self'; style-src 'self'; "
                          "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; "
                          "base-uri 'none'; form-action 'self'";

struct server {
    const struct config *cfg;
    struct ratelimit *per_addr;     /* rate_address; NULL when off */
    struct ratelimit *per_user;     /* rate_user; NULL when off */
    struct respcache *report_cache; /* transparency_cache_seconds; NULL when off */
};

struct req_state {
    const struct http_route *route; /* matched at the first call, to size the body limit */
    struct buf body;
    bool too_large;
    bool answered; /* a response was queued early (oversized body) */
    int64_t start_ns;
};

/* The database connections requests borrow (see the file comment). */
static struct {
    pthread_mutex_t lock;
    pthread_cond_t freed;
    struct store *idle[64]; /* a stack: the last given back is lent first */
    unsigned n_idle;
    unsigned n_open; /* idle and lent */
    unsigned max;    /* threads, 1-64 */
} server__pool = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, {0}, 0, 0, 0};

/* Borrow a connection: an idle one, else a new one while fewer than max are
 * open, else wait for one to come back. NULL when one cannot be opened. */
static struct store *server__store_get(const struct config *cfg)
{
    struct store *s = NULL;
    pthread_mutex_lock(&server__pool.lock);
    while (server__pool.n_idle == 0 && server__pool.n_open >= server__pool.max)
        pthread_cond_wait(&server__pool.freed, &server__pool.lock);
    if (server__pool.n_idle > 0)
        s = server__pool.idle[--server__pool.n_idle];
    else
        server__pool.n_open++;
    pthread_mutex_unlock(&server__pool.lock);
    if (s || store_open(cfg->db, &s) == IPS_OK)
        return s;
    pthread_mutex_lock(&server__pool.lock);
    server__pool.n_open--;
    pthread_cond_signal(&server__pool.freed);
    pthread_mutex_unlock(&server__pool.lock);
    return NULL;
}

/* Give a borrowed connection back (NULL: nothing to give); one a handler
 * left inside a transaction is closed (rolling it back), not lent again. */
static void server__store_put(struct store *s)
{
    if (!s)
        return;
    bool broken = store_in_tx(s);
    if (broken)
        store_close(s);
    pthread_mutex_lock(&server__pool.lock);
    if (broken)
        server__pool.n_open--;
    else
        server__pool.idle[server__pool.n_idle++] = s;
    pthread_cond_signal(&server__pool.freed);
    pthread_mutex_unlock(&server__pool.lock);
}

/* Close every connection, once no request runs (after MHD_stop_daemon). */
static void server__store_close_all(void)
{
    pthread_mutex_lock(&server__pool.lock);
    while (server__pool.n_idle > 0) {
        store_close(server__pool.idle[--server__pool.n_idle]);
        server__pool.n_open--;
    }
    pthread_mutex_unlock(&server__pool.lock);
}

static void server__client_addr(struct MHD_Connection *conn, char *out, size_t cap)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(out, cap, "unknown");
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
                  (socklen_t)cap);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out,
                  (socklen_t)cap);
}

static bool server__is_write(const char *method)
{
    return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 &&
           strcmp(method, "OPTIONS") != 0;
}

static bool server__json_content_type(const char *ct)
{
    if (!ct)
        return false;
    while (*ct == ' ')
        ct++;
    static const char want[] = "application/json";
    if (strncasecmp(ct, want, sizeof want - 1) != 0)
        return false;
    char next = ct[sizeof want - 1];
    return next == '\0' || next == ';' || next == ' ';
}

/* The largest body the route takes. */
static int64_t server__body_max(const struct config *cfg, const struct http_route *r)
{
    return r && r->body == BODY_MULTIPART ? cfg->upload_max : cfg->body_max;
}

static bool server__multipart_content_type(const char *ct)
{
    static const char want[] = "multipart/form-data";
    return ct && strncasecmp(ct, want, sizeof want - 1) == 0 &&
           (ct[sizeof want - 1] == ';' || ct[sizeof want - 1] == ' ');
}

/* Who is acting: a bearer token wins over a cookie. Returns IPS_OK (maybe
 * anonymous) or IPS_ERR_UNAUTHENTICATED for presented but bad credentials. */
static ips_status server__authenticate(struct http_req *rq)
{
    rq->principal.via = VIA_NONE;
    const char *authz = http_header(rq, "Authorization");
    if (authz) {
        if (strncasecmp(authz, "Bearer ", 7) != 0)
            return IPS_ERR_UNAUTHENTICATED;
        return access_token_resolve(rq->ctx.store, authz + 7, &rq->principal);
    }
    const char *cookie =
        MHD_lookup_connection_value(rq->conn, MHD_COOKIE_KIND, COOKIE_NAME);
    if (cookie && *cookie)
        return access_session_resolve(rq->ctx.store, cookie, &rq->principal);
    return IPS_OK;
}

/* Take one request of key from rl; on refusal answer 429 with Retry-After
 * (whole seconds, rounded up) and return false. */
static bool server__admit(struct ratelimit *rl, const char *key, struct http_resp *rs)
{
    int64_t wait_ns = 0;
    if (ratelimit_take(rl, key, time_mono_ns(), &wait_ns))
        return true;
    char ra[24];
    snprintf(ra, sizeof ra, "%lld", (long long)((wait_ns + 999999999) / 1000000000));
    http_problem(rs, IPS_ERR_RATE_LIMITED, "too many requests; retry after the Retry-After seconds",
                 NULL);
    http_header_add(rs, "Retry-After", ra);
    return false;
}

/* Rate-limit, route, authenticate, check CSRF, call the handler. Fills rs. */
static void server__handle(const struct server *srv, struct http_req *rq, struct http_resp *rs,
                           bool *is_static)
{
    if (!server__admit(srv->per_addr, rq->addr, rs))
        return;
    const char *params[HTTP_MAX_PARAMS];
    char scratch[512];
    bool path_known = false;
    int n_params = 0;
    const struct http_route *r = http_route_match(rq->method, rq->path, params, &n_params,
                                                  scratch, sizeof scratch, &path_known);
    rq->route = r;
    if (!r) {
        bool get = !strcmp(rq->method, "GET") || !strcmp(rq->method, "HEAD");
        if (get && strncmp(rq->path, "/api/", 5) != 0 && h_static(rq->path, rs)) {
            *is_static = true;
            return;
        }
        if (path_known)
            http_problem(rs, IPS_ERR_METHOD, "this path does not take that method", NULL);
        else
            http_problem(rs, IPS_ERR_NOT_FOUND, "no such route", NULL);
        return;
    }
    memcpy(rq->params, params, sizeof params);
    rq->n_params = n_params;
    /* params point into scratch: copy them into the request arena */
    for (int i = 0; i < n_params; i++)
        rq->params[i] = arena_strdup(&rq->arena, params[i]);

    const char *ct = http_header(rq, "Content-Type");
    if (r->body == BODY_MULTIPART && server__is_write(rq->method)) {
        if (!server__multipart_content_type(ct)) {
            http_problem(rs, IPS_ERR_MEDIA_TYPE, "this route takes multipart/form-data", NULL);
            return;
        }
    } else if (rq->body_len > 0 && !server__json_content_type(ct)) {
        http_problem(rs, IPS_ERR_MEDIA_TYPE, "request bodies must be application/json", NULL);
        return;
    }
    if (!rq->ctx.store) {
        http_problem(rs, IPS_ERR_BUSY, "the database cannot be opened", NULL);
        return;
    }
    if (r->auth == AUTH_REQUIRED) {
        ips_status st = server__authenticate(rq);
        if (st == IPS_OK && rq->principal.via == VIA_NONE)
            st = IPS_ERR_UNAUTHENTICATED;
        if (st) {
            http_problem(rs, st == IPS_ERR_UNAUTHENTICATED ? st : IPS_ERR_BUSY,
                         st == IPS_ERR_UNAUTHENTICATED ? "log in or present a valid API token"
                                                       : NULL,
                         NULL);
            return;
        }
        if (!server__admit(srv->per_user, rq->principal.user_id, rs))
            return;
        if (rq->principal.via == VIA_SESSION && server__is_write(rq->method) &&
            !access_csrf_valid(&rq->principal, http_header(rq, "X-CSRF-Token"))) {
            http_problem(rs, IPS_ERR_CSRF,
                         "send the session's CSRF token in the X-CSRF-Token header", NULL);
            return;
        }
    }
    if (r->body == BODY_MULTIPART && server__is_write(rq->method) &&
        http_multipart_parse(rq) != IPS_OK) {
        http_problem(rs, IPS_ERR_MALFORMED, "the multipart/form-data body is not well-formed",
                     NULL);
        return;
    }
    r->handler(rq, rs);
}

static enum MHD_Result server__send(struct MHD_Connection *conn, struct http_resp *rs)
{
    size_t len = 0;
    char *data = buf_detach(&rs->body, &len);
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(data);
        return MHD_NO;
    }
    if (rs->content_type && rs->status != 204)
        MHD_add_response_header(resp, "Content-Type", rs->content_type);
    MHD_add_response_header(resp, "Content-Security-Policy", csp);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
    bool own_cache_control = false; /* a handler may set its own (h_reports.c) */
    for (int i = 0; i < rs->n_headers; i++)
        own_cache_control |= strcasecmp(rs->headers[i].name, "Cache-Control") == 0;
    if (!own_cache_control)
        MHD_add_response_header(resp, "Cache-Control",
                                rs->cacheable ? "public, max-age=300" : "no-store");
    for (int i = 0; i < rs->n_headers; i++)
        MHD_add_response_header(resp, rs->headers[i].name, rs->headers[i].value);
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned)rs->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static void server__log_request(const char *method, const char *path, int status,
                                int64_t dur_ns, const char *addr)
{
    char st[8], ms[32];
    snprintf(st, sizeof st, "%d", status);
    snprintf(ms, sizeof ms, "%.3f", (double)dur_ns / 1e6);
    log_info("request", "method", method, "path", path, "status", st, "ms", ms, "addr", addr);
}

/* Queue a 413 for an announced body over body_max, before reading it. */
static enum MHD_Result server__refuse_too_large(struct server *srv, struct MHD_Connection *conn,
                                                const char *method, const char *url,
                                                struct req_state *state)
{
    struct http_resp rs;
    memset(&rs, 0, sizeof rs);
    buf_init(&rs.body, RESPONSE_MAX);
    char detail[96], addr[64];
    snprintf(detail, sizeof detail, "request bodies may be at most %lld bytes",
             (long long)server__body_max(srv->cfg, state->route));
    http_problem(&rs, IPS_ERR_TOO_LARGE, detail, NULL);
    enum MHD_Result ret = server__send(conn, &rs);
    int64_t dur = time_mono_ns() - state->start_ns;
    server__client_addr(conn, addr, sizeof addr);
    http_metrics_observe(NULL, false, 413, dur);
    server__log_request(method, url, 413, dur, addr);
    http_resp_release(&rs);
    return ret;
}

static enum MHD_Result server__on_request(void *cls, struct MHD_Connection *conn,
                                          const char *url, const char *method,
                                          const char *version, const char *upload_data,
                                          size_t *upload_data_size, void **con_cls)
{
    (void)version;
    struct server *srv = cls;
    struct req_state *state = *con_cls;
    if (!state) {
        state = calloc(1, sizeof *state);
        if (!state)
            return MHD_NO;
        state->start_ns = time_mono_ns();
        const char *params[HTTP_MAX_PARAMS];
        char scratch[512];
        int n_params = 0;
        bool known = false;
        state->route = http_route_match(method, url, params, &n_params, scratch, sizeof scratch,
                                        &known);
        unsigned long long max = (unsigned long long)server__body_max(srv->cfg, state->route);
        buf_init(&state->body, (size_t)max);
        *con_cls = state;
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
        if (cl) {
            char *end;
            errno = 0;
            unsigned long long n = strtoull(cl, &end, 10);
            if (errno || *end || n > max)
                state->too_large = true;
            /* A body a little over the limit is read and dropped, so that an
             * ordinary client that sends it whole still reads our 413. One
             * far over it is refused from the header at once and the
             * connection closed: we never wait for a body we will refuse. */
            if (state->too_large && (errno || *end || n / SERVER_DRAIN_FACTOR > max)) {
                state->answered = true;
                return server__refuse_too_large(srv, conn, method, url, state);
            }
        }
        return MHD_YES;
    }
    if (state->answered) {
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (!state->too_large &&
            buf_append(&state->body, upload_data, *upload_data_size) != IPS_OK)
            state->too_large = true;
        *upload_data_size = 0;
        return MHD_YES;
    }

    struct http_req rq;
    struct http_resp rs;
    memset(&rq, 0, sizeof rq);
    memset(&rs, 0, sizeof rs);
    buf_init(&rs.body, RESPONSE_MAX);
    rs.status = 500;
    arena_init(&rq.arena, ARENA_MAX);
    rq.method = method;
    rq.path = url;
    rq.conn = conn;
    rq.body = state->body.data ? state->body.data : "";
    rq.body_len = state->body.len;
    server__client_addr(conn, rq.addr, sizeof rq.addr);
    rq.ctx.store = server__store_get(srv->cfg);
    rq.ctx.actor = &rq.principal;
    rq.ctx.cfg = srv->cfg;
    rq.ctx.addr = rq.addr;
    rq.ctx.errors = json_array();
    rq.report_cache = srv->report_cache;

    bool is_static = false;
    if (state->too_large) {
        char detail[96];
        snprintf(detail, sizeof detail, "request bodies may be at most %lld bytes",
                 (long long)server__body_max(srv->cfg, state->route));
        http_problem(&rs, IPS_ERR_TOO_LARGE, detail, NULL);
        http_header_add(&rs, "Connection", "close");
    } else {
        server__handle(srv, &rq, &rs, &is_static);
    }
    if (rq.ctx.store && store_in_tx(rq.ctx.store))
        log_error("handler left a transaction open", "path", url);
    server__store_put(rq.ctx.store);
    rq.ctx.store = NULL;

    int status = rs.status;
    enum MHD_Result ret = server__send(conn, &rs);
    int64_t dur = time_mono_ns() - state->start_ns;
    http_metrics_observe(rq.route, is_static, status, dur);
    server__log_request(method, url, status, dur, rq.addr);

    json_decref(rq.ctx.errors);
    for (int i = 0; i < rq.n_parts; i++)
        buf_release(&rq.parts[i].data);
    http_resp_release(&rs);
    arena_release(&rq.arena);
    return ret;
}

static void server__on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                                 enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    (void)toe;
    struct req_state *state = *con_cls;
    if (state) {
        buf_release(&state->body);
        free(state);
        *con_cls = NULL;
    }
}

__attribute__((format(printf, 2, 0))) static void server__mhd_log(void *cls, const char *fmt,
                                                                  va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    log_warn("libmicrohttpd", "detail", msg);
}

/* Parse "HOST:PORT" or "[V6]:PORT" into a socket address. */
static ips_status server__parse_listen(const char *listen, struct sockaddr_storage *ss,
                                       socklen_t *len)
{
    char host[256];
    const char *port;
    if (listen[0] == '[') {
        const char *close = strchr(listen, ']');
        if (!close || close[1] != ':' || (size_t)(close - listen - 1) >= sizeof host)
            return IPS_ERR_USAGE;
        memcpy(host, listen + 1, (size_t)(close - listen - 1));
        host[close - listen - 1] = '\0';
        port = close + 2;
    } else {
        const char *colon = strrchr(listen, ':');
        if (!colon || (size_t)(colon - listen) >= sizeof host)
            return IPS_ERR_USAGE;
        memcpy(host, listen, (size_t)(colon - listen));
        host[colon - listen] = '\0';
        port = colon + 1;
    }
    char *end;
    long p = strtol(port, &end, 10);
    if (!*port || *end || p < 0 || p > 65535)
        return IPS_ERR_USAGE;
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    if (getaddrinfo(host[0] ? host : NULL, port, &hints, &res) != 0 || !res)
        return IPS_ERR_USAGE;
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    *len = res->ai_addrlen;
    freeaddrinfo(res);
    return IPS_OK;
}

/* The public transparency report's cache (h_reports.c): entries live
 * transparency_cache_seconds (at most SERVER_REPORT_CACHE_TTL_MAX); NULL
 * when the setting is 0 or the cache cannot be allocated (then every
 * request computes the report, which is correct, only slower). */
static struct respcache *server__report_cache(const struct config *cfg)
{
    int64_t secs = cfg->transparency_cache_seconds;
    if (secs <= 0)
        return NULL;
    if (secs > SERVER_REPORT_CACHE_TTL_MAX)
        secs = SERVER_REPORT_CACHE_TTL_MAX;
    struct respcache *c = respcache_new(secs * 1000, SERVER_REPORT_CACHE_ENTRIES);
    if (!c)
        log_error("cannot allocate the transparency report cache; serving uncached");
    return c;
}

ips_status http_serve(const struct config *cfg)
{
    ips_status st;
    struct store *s = NULL;
    struct MHD_Daemon *d = NULL;
    struct server srv = {.cfg = cfg};
    struct sockaddr_storage ss;
    socklen_t sslen = 0;

    st = server__parse_listen(cfg->listen, &ss, &sslen);
    if (st) {
        log_error("bad listen address (want HOST:PORT)", "listen", cfg->listen);
        return st;
    }
    st = store_open(cfg->db, &s);
    if (st) {
        log_error("cannot open database", "db", cfg->db);
        return st;
    }
    int applied = 0, version = 0;
    st = store_migrate(s, &applied);
    if (st == IPS_OK)
        st = store_schema_version(s, &version);
    store_close(s);
    if (st) {
        log_error("cannot migrate database", "db", cfg->db);
        return st;
    }
    char vtext[16];
    snprintf(vtext, sizeof vtext, "%d", version);
    log_info("database ready", "db", cfg->db, "schema_version", vtext);

    /* Block the shutdown signals in every thread; this one sigwait()s them. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    http_metrics_init();
    srv.per_addr = ratelimit_new(cfg->rate_address, cfg->rate_address_burst);
    srv.per_user = ratelimit_new(cfg->rate_user, cfg->rate_user_burst);
    srv.report_cache = server__report_cache(cfg);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
                     MHD_USE_POLL | MHD_USE_ERROR_LOG;
    if (ss.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    unsigned threads = (unsigned)(cfg->threads < 1 ? 1 : cfg->threads > 64 ? 64 : cfg->threads);
    server__pool.max = threads;
    d = MHD_start_daemon(flags, 0, NULL, NULL, server__on_request, &srv,
                         MHD_OPTION_EXTERNAL_LOGGER, server__mhd_log, NULL,
                         MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
                         MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->request_timeout,
                         MHD_OPTION_NOTIFY_COMPLETED, server__on_completed, NULL,
                         MHD_OPTION_CONNECTION_LIMIT, SERVER_CONNECTIONS_MAX,
                         MHD_OPTION_END);
    if (!d) {
        log_error("cannot listen", "listen", cfg->listen, "error", strerror(errno));
        ratelimit_free(srv.per_addr);
        ratelimit_free(srv.per_user);
        respcache_free(srv.report_cache);
        return IPS_ERR_IO;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    char host[INET6_ADDRSTRLEN + 2] = "";
    if (ss.ss_family == AF_INET6) {
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)(void *)&ss)->sin6_addr, host,
                  sizeof host);
    } else {
        inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)&ss)->sin_addr, host, sizeof host);
    }
    char addr[INET6_ADDRSTRLEN + 16];
    if (ss.ss_family == AF_INET6)
        snprintf(addr, sizeof addr, "[%s]:%u", host, di ? di->port : 0);
    else
        snprintf(addr, sizeof addr, "%s:%u", host, di ? di->port : 0);
    char th[8];
    snprintf(th, sizeof th, "%u", threads);
    log_info("listening", "addr", addr, "threads", th);
    /* The deadline thread (src/jobs: notice deadlines, webhook retries) runs
     * beside the pool on its own connection; it is stopped before the pool
     * so nothing it queues races the shutdown. A failure to start it is
     * logged and the server still serves (deadlines then wait for a restart). */
    if (jobs_start(cfg) != IPS_OK)
        log_error("cannot start the jobs thread");

    int sig = 0;
    sigwait(&sigs, &sig);
    log_info("shutting down", "signal", sig == SIGINT ? "SIGINT" : "SIGTERM");
    jobs_stop(); /* src/jobs: see jobs_start above */
    MHD_stop_daemon(d);
    server__store_close_all();
    ratelimit_free(srv.per_addr);
    ratelimit_free(srv.per_user);
    respcache_free(srv.report_cache);
    log_info("stopped");
    return IPS_OK;
}
