/*
 * fuzz_multipart.c — multipart/form-data request bodies, through
 * http_multipart_parse (src/http/request.c): libmicrohttpd's post processor
 * and our part collection (at most HTTP_MAX_PARTS fields, each limited to
 * upload_max bytes, names, file names and claimed types copied into the
 * request arena).
 *
 * libmicrohttpd's post processor has no connection-free entry point (it
 * reads the boundary from the request's Content-Type through its
 * MHD_Connection), so the harness runs a tiny libmicrohttpd daemon of its
 * own on a loopback port (LLVMFuzzerInitialize; one internal polling
 * thread) and sends each input as the body of a POST with a fixed
 * Content-Type (boundary FUZZ_BOUNDARY) over one kept-alive connection.
 * The daemon's handler collects the body, runs http_multipart_parse on it
 * as the server does before a BODY_MULTIPART handler, checks the
 * invariants and answers 200 (parsed) or 400 (malformed). upload_max is
 * small (FUZZ_UPLOAD_MAX) so that the size limit is reached too.
 *
 * Invariants checked: a parse that succeeded has 1..HTTP_MAX_PARTS parts;
 * every part has a name, NUL-terminated data of at most upload_max bytes,
 * and http_part_get finds a part of that name; the parts' data together is
 * no longer than the body; the daemon answers every request.
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/config.h"
#include "fuzz.h"
#include "http/http_internal.h"

#define FUZZ_BOUNDARY "----iprsfuzz"
#define FUZZ_UPLOAD_MAX 4096
#define FUZZ_BODY_MAX (64 * 1024)

static struct MHD_Daemon *fuzz__daemon;
static uint16_t fuzz__port;
static int fuzz__sock = -1;
static struct config fuzz__cfg;

/* Check what http_multipart_parse promises about rq. */
static void fuzz__check(const struct http_req *rq, ips_status st)
{
    FUZZ_CHECK(st == IPS_OK || st == IPS_ERR_MALFORMED);
    FUZZ_CHECK(rq->n_parts >= 0 && rq->n_parts <= HTTP_MAX_PARTS);
    if (st == IPS_OK)
        FUZZ_CHECK(rq->n_parts >= 1);
    size_t total = 0;
    for (int i = 0; i < rq->n_parts; i++) {
        const struct http_part *p = &rq->parts[i];
        FUZZ_CHECK(p->name != NULL);
        FUZZ_CHECK(p->data.len <= FUZZ_UPLOAD_MAX);
        FUZZ_CHECK(p->data.data == NULL || p->data.data[p->data.len] == '\0');
        total += p->data.len;
        const struct http_part *found = http_part_get(rq, p->name);
        FUZZ_CHECK(found && found <= p && strcmp(found->name, p->name) == 0);
        FUZZ_CHECK(http_part_text(rq, p->name) != NULL);
    }
    FUZZ_CHECK(total <= rq->body_len);
}

/* Run the parser over the collected body, as server.c does. */
static int fuzz__parse(struct MHD_Connection *conn, const struct buf *body)
{
    struct http_req rq;
    memset(&rq, 0, sizeof rq);
    rq.method = "POST";
    rq.path = "/";
    rq.conn = conn;
    rq.body = body->data ? body->data : "";
    rq.body_len = body->len;
    rq.ctx.cfg = &fuzz__cfg;
    arena_init(&rq.arena, 1024 * 1024);
    ips_status st = http_multipart_parse(&rq);
    fuzz__check(&rq, st);
    for (int i = 0; i < rq.n_parts; i++)
        buf_release(&rq.parts[i].data);
    arena_release(&rq.arena);
    return st == IPS_OK ? MHD_HTTP_OK : MHD_HTTP_BAD_REQUEST;
}

static enum MHD_Result fuzz__handler(void *cls, struct MHD_Connection *conn, const char *url,
                                     const char *method, const char *version,
                                     const char *upload_data, size_t *upload_data_size,
                                     void **con_cls)
{
    (void)cls;
    (void)url;
    (void)method;
    (void)version;
    struct buf *body = *con_cls;
    if (!body) {
        if (!(body = malloc(sizeof *body)))
            abort();
        buf_init(body, FUZZ_BODY_MAX + 1);
        *con_cls = body;
        return MHD_YES;
    }
    if (*upload_data_size) {
        FUZZ_CHECK(buf_append(body, upload_data, *upload_data_size) == IPS_OK);
        *upload_data_size = 0;
        return MHD_YES;
    }
    int status = fuzz__parse(conn, body);
    struct MHD_Response *resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    if (!resp)
        abort();
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static void fuzz__completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                            enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    (void)toe;
    struct buf *body = *con_cls;
    if (body) {
        buf_release(body);
        free(body);
        *con_cls = NULL;
    }
}

static void fuzz__stop(void)
{
    if (fuzz__sock >= 0)
        close(fuzz__sock);
    if (fuzz__daemon)
        MHD_stop_daemon(fuzz__daemon);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz__cfg.upload_max = FUZZ_UPLOAD_MAX;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = 0};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    fuzz__daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, fuzz__handler,
                                    NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
                                    MHD_OPTION_NOTIFY_COMPLETED, fuzz__completed, NULL,
                                    MHD_OPTION_CONNECTION_LIMIT, 4u, MHD_OPTION_END);
    const union MHD_DaemonInfo *di =
        fuzz__daemon ? MHD_get_daemon_info(fuzz__daemon, MHD_DAEMON_INFO_BIND_PORT) : NULL;
    if (!di || !di->port) {
        fprintf(stderr, "fuzz_multipart: cannot start the loopback daemon\n");
        abort();
    }
    fuzz__port = di->port;
    atexit(fuzz__stop);
    return 0;
}

static int fuzz__connect(void)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(fuzz__port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int one = 1;
    if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof sa) != 0 ||
        setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0) {
        perror("fuzz_multipart: connect");
        abort();
    }
    return s;
}

static bool fuzz__send_all(int s, const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t w = send(s, c, n, MSG_NOSIGNAL);
        if (w <= 0)
            return false;
        c += w;
        n -= (size_t)w;
    }
    return true;
}

/* One request over the kept-alive connection (TCP_NODELAY: head and body
 * go out at once, no delayed-ACK wait); the status, or 0 when the
 * connection was closed before the answer's head arrived. */
static int fuzz__exchange(const uint8_t *data, size_t size)
{
    char head[256];
    int hl = snprintf(head, sizeof head,
                      "POST /upload HTTP/1.1\r\nHost: fuzz\r\n"
                      "Content-Type: multipart/form-data; boundary=" FUZZ_BOUNDARY "\r\n"
                      "Content-Length: %zu\r\n\r\n",
                      size);
    if (fuzz__sock < 0)
        fuzz__sock = fuzz__connect();
    if (!fuzz__send_all(fuzz__sock, head, (size_t)hl) || !fuzz__send_all(fuzz__sock, data, size))
        return 0;
    char resp[1024];
    size_t got = 0;
    while (got < sizeof resp - 1) {
        ssize_t r = recv(fuzz__sock, resp + got, sizeof resp - 1 - got, 0);
        if (r <= 0)
            return 0;
        got += (size_t)r;
        resp[got] = '\0';
        if (strstr(resp, "\r\n\r\n")) /* the answers have no body */
            return atoi(resp + 9);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_BODY_MAX)
        return 0;
    int status = fuzz__exchange(data, size);
    if (status == 0) { /* the daemon closed the connection: once more on a new one */
        close(fuzz__sock);
        fuzz__sock = -1;
        status = fuzz__exchange(data, size);
    }
    FUZZ_CHECK(status == MHD_HTTP_OK || status == MHD_HTTP_BAD_REQUEST);
    return 0;
}
