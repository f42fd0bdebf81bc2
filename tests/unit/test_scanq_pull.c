/*
 * test_scanq_pull.c — the worker's reader of the pull consumer (src/scanq/
 * pull.c) against a real nats-server (JetStream, started by the test on a
 * loopback port), in the situation where Debian's libnats 3.4.1 fetch
 * writes past its array: replies of an earlier, still open pull request
 * already waiting when a pull starts, and more of them arriving during it.
 * A pull never takes more than it was asked for, every event is taken
 * exactly once over the pulls, acknowledgements empty the work queue, and
 * a NAK redelivers.
 *
 * `test_scanq_pull --libnats` runs the same situation through
 * natsSubscription_FetchRequest instead (not a test: the reproduction of
 * the library's overrun, docs/internals/scanq.md). It exits 1 when the
 * fetch of BATCH returned more messages than BATCH (written past the
 * array); in a plain build glibc usually aborts first ("malloc():
 * corrupted top size"). ASan does not see the write itself: libnats is
 * not instrumented.
 *
 * Skipped when /usr/sbin/nats-server is missing.
 */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "scanq/scanq_internal.h"

#define NATS_SERVER "/usr/sbin/nats-server"
#define BATCH 10
#define EARLY 6  /* events waiting before the pull: more than BATCH - EARLY */
#define LATE 20  /* events published while the pull waits */
#define STALE 20 /* the earlier request's batch: room for EARLY + part of LATE */

struct server {
    pid_t pid;
    char dir[64];
    char url[64];
};

static struct server srv;

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Start nats-server with JetStream on a free-looking loopback port and
 * connect to it (retrying while it starts). */
static bool server_start(struct scanq__conn *c)
{
    snprintf(srv.dir, sizeof srv.dir, "/tmp/scanq-pull-XXXXXX");
    if (!mkdtemp(srv.dir))
        return false;
    for (int attempt = 0; attempt < 5; attempt++) {
        char port[16];
        snprintf(port, sizeof port, "%d", 20000 + (int)((getpid() * 7 + attempt * 131) % 20000));
        snprintf(srv.url, sizeof srv.url, "nats://127.0.0.1:%s", port);
        srv.pid = fork();
        if (srv.pid == 0) {
            prctl(PR_SET_PDEATHSIG, SIGKILL); /* gone with the test, even when it crashes */
            if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr))
                _exit(127);
            execl(NATS_SERVER, NATS_SERVER, "-js", "-a", "127.0.0.1", "-p", port, "-sd", srv.dir,
                  (char *)NULL);
            _exit(127);
        }
        for (int i = 0; i < 100; i++) {
            sleep_ms(100);
            if (waitpid(srv.pid, NULL, WNOHANG) == srv.pid)
                break; /* port taken: next one */
            if (scanq__connect(srv.url, "test", NULL, c) == IPS_OK)
                return true;
        }
        kill(srv.pid, SIGKILL);
        waitpid(srv.pid, NULL, 0);
    }
    return false;
}

static void server_stop(void)
{
    if (srv.pid > 0) {
        kill(srv.pid, SIGTERM);
        waitpid(srv.pid, NULL, 0);
        srv.pid = 0;
    }
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", srv.dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", srv.dir);
}

static void publish(struct scanq__conn *c, int first, int n)
{
    for (int i = first; i < first + n; i++) {
        char body[32];
        snprintf(body, sizeof body, "%d", i);
        assert_int_equal(
            js_Publish(NULL, c->js, SCANQ_SUBJECT, body, (int)strlen(body), NULL, NULL), NATS_OK);
    }
}

struct late {
    struct scanq__conn *c;
    int delay_ms;
};

static void *late_publisher(void *arg)
{
    struct late *l = arg;
    sleep_ms(l->delay_ms);
    for (int i = EARLY; i < EARLY + LATE; i++) {
        char body[32];
        snprintf(body, sizeof body, "%d", i);
        js_Publish(NULL, l->c->js, SCANQ_SUBJECT, body, (int)strlen(body), NULL, NULL);
    }
    return NULL;
}

/* A pull request as an earlier, expired fetch leaves it: still open on the
 * server, answered on reply_to (the reader's inbox). */
static void stale_request(struct scanq__conn *c, const char *reply_to)
{
    const char *next = "$JS.API.CONSUMER.MSG.NEXT." SCANQ_STREAM "." SCANQ_CONSUMER;
    char body[64];
    int len = snprintf(body, sizeof body, "{\"batch\":%d,\"expires\":30000000000}", STALE);
    assert_int_equal(natsConnection_PublishRequest(c->nc, next, reply_to, body, len), NATS_OK);
    assert_int_equal(natsConnection_Flush(c->nc), NATS_OK);
}

static void wait_pending(natsSubscription *sub, int want)
{
    int n = 0;
    for (int i = 0; i < 200 && n < want; i++) {
        assert_int_equal(natsSubscription_GetPending(sub, &n, NULL), NATS_OK);
        if (n < want)
            sleep_ms(25);
    }
    assert_true(n >= want);
}

static uint64_t stream_msgs(struct scanq__conn *c)
{
    jsStreamInfo *si = NULL;
    assert_int_equal(js_GetStreamInfo(&si, c->js, SCANQ_STREAM, NULL, NULL), NATS_OK);
    uint64_t n = si->State.Msgs;
    jsStreamInfo_Destroy(si);
    return n;
}

static int setup(void **state)
{
    struct scanq__conn *c = calloc(1, sizeof *c);
    if (!c)
        return -1;
    *state = c;
    if (access(NATS_SERVER, X_OK) != 0)
        return 0;
    if (!server_start(c))
        return -1;
    return scanq__stream_ensure(c, 1) == IPS_OK ? 0 : -1;
}

static int teardown(void **state)
{
    struct scanq__conn *c = *state;
    scanq__close(c);
    free(c);
    server_stop();
    return 0;
}

/* The worker's reader (ack wait 30 s), or the test skipped without a server. */
static void puller_open(struct scanq__conn *c, struct scanq__puller *p)
{
    if (!c->nc)
        skip();
    assert_int_equal(
        scanq__puller_open(c, SCANQ_STREAM, SCANQ_CONSUMER, SCANQ_SUBJECT, 30, 1000, p), IPS_OK);
}

static void a_pull_never_takes_more_than_asked(void **state)
{
    struct scanq__conn *c = *state;
    struct scanq__puller p;
    puller_open(c, &p);
    char reply[sizeof p.inbox + 8];
    snprintf(reply, sizeof reply, "%s.stale", p.inbox);
    stale_request(c, reply);
    publish(c, 0, EARLY);
    wait_pending(p.sub, EARLY);

    /* the rest of the stale request arrives while the pull waits */
    struct late l = {c, 200};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, late_publisher, &l), 0);
    natsMsg *msgs[BATCH + 1];
    msgs[BATCH] = NULL; /* a guard: never written */
    bool seen[EARLY + LATE] = {0};
    int taken = 0, n = 0, pulls = 0;
    assert_int_equal(scanq__pull(&p, msgs, BATCH, 2000, &n), NATS_OK);
    assert_true(n >= EARLY && n <= BATCH);
    assert_int_equal(pthread_join(t, NULL), 0);
    for (;;) {
        assert_null(msgs[BATCH]);
        for (int i = 0; i < n; i++) {
            int v = atoi(natsMsg_GetData(msgs[i]));
            assert_true(v >= 0 && v < EARLY + LATE);
            assert_false(seen[v]); /* taken once */
            seen[v] = true;
            assert_int_equal(scanq__ack(&p, msgs[i]), NATS_OK);
            natsMsg_Destroy(msgs[i]);
        }
        taken += n;
        if (taken == EARLY + LATE || ++pulls > 50)
            break;
        assert_int_equal(scanq__pull(&p, msgs, BATCH, 200, &n), NATS_OK);
        assert_true(n <= BATCH);
    }
    assert_int_equal(taken, EARLY + LATE);
    /* work-queue retention: every acknowledged event is gone */
    assert_int_equal(natsConnection_Flush(c->nc), NATS_OK);
    uint64_t left = 1;
    for (int i = 0; i < 100 && (left = stream_msgs(c)) > 0; i++)
        sleep_ms(50);
    assert_int_equal(left, 0);
    scanq__puller_close(&p);
}

static void a_nak_redelivers(void **state)
{
    struct scanq__conn *c = *state;
    struct scanq__puller p;
    puller_open(c, &p);
    publish(c, 0, 1);
    natsMsg *m = NULL;
    int n = 0;
    assert_int_equal(scanq__pull(&p, &m, 1, 2000, &n), NATS_OK);
    assert_int_equal(n, 1);
    assert_string_equal(natsMsg_GetData(m), "0");
    assert_int_equal(scanq__nak(&p, m, 100), NATS_OK);
    natsMsg_Destroy(m);
    /* redelivered after the delay (well before the ack wait of 30 s) */
    n = 0;
    for (int i = 0; i < 20 && n == 0; i++)
        assert_int_equal(scanq__pull(&p, &m, 1, 500, &n), NATS_OK);
    assert_int_equal(n, 1);
    assert_string_equal(natsMsg_GetData(m), "0");
    assert_int_equal(scanq__ack(&p, m), NATS_OK);
    natsMsg_Destroy(m);
    /* nothing left: the request expires, no event, no error */
    assert_int_equal(scanq__pull(&p, &m, 1, 100, &n), NATS_OK);
    assert_int_equal(n, 0);
    scanq__puller_close(&p);
}

/* The same situation through libnats' fetch (--libnats): 3.4.1 overruns. */
static int libnats_fetch(void)
{
    struct scanq__conn c = {0};
    if (access(NATS_SERVER, X_OK) != 0 || !server_start(&c) ||
        scanq__stream_ensure(&c, 1) != IPS_OK)
        return 2;
    jsSubOptions so;
    jsSubOptions_Init(&so);
    so.Stream = SCANQ_STREAM;
    so.Config.AckPolicy = js_AckExplicit;
    natsSubscription *sub = NULL;
    if (js_PullSubscribe(&sub, c.js, SCANQ_SUBJECT, SCANQ_CONSUMER, NULL, &so, NULL) != NATS_OK)
        return 2;
    /* the reply subject of an earlier fetch's request */
    char reply[160];
    const char *subject = natsSubscription_GetSubject(sub);
    size_t len = strlen(subject);
    if (len > 0 && subject[len - 1] == '*') /* newer: <inbox>.<fetch number> */
        snprintf(reply, sizeof reply, "%.*s999999", (int)len - 1, subject);
    else /* 3.4.1: one inbox for every fetch */
        snprintf(reply, sizeof reply, "%s", subject);
    stale_request(&c, reply);
    publish(&c, 0, EARLY);
    wait_pending(sub, EARLY);
    struct late l = {&c, 200};
    pthread_t t;
    pthread_create(&t, NULL, late_publisher, &l);
    natsMsgList list = {0};
    jsFetchRequest fr;
    jsFetchRequest_Init(&fr);
    fr.Batch = BATCH;
    fr.Expires = 2000LL * 1000000LL;
    natsStatus s = natsSubscription_FetchRequest(&list, sub, &fr);
    pthread_join(t, NULL);
    printf("libnats %s: fetch of %d returned %s with %d messages%s\n", nats_GetVersion(), BATCH,
           natsStatus_GetText(s), list.Count, list.Count > BATCH ? " (OVERRUN)" : "");
    int rc = list.Count > BATCH ? 1 : 0;
    natsMsgList_Destroy(&list);
    natsSubscription_Destroy(sub);
    scanq__close(&c);
    server_stop();
    return rc;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--libnats") == 0)
        return libnats_fetch();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(a_pull_never_takes_more_than_asked, setup, teardown),
        cmocka_unit_test_setup_teardown(a_nak_redelivers, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
