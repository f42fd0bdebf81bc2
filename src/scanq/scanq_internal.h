/*
 * scanq_internal.h — what the publisher and the worker share: the NATS
 * connection with JetStream, and the work-queue stream.
 */
#ifndef IPS_SCANQ_SCANQ_INTERNAL_H
#define IPS_SCANQ_SCANQ_INTERNAL_H

#include <nats/nats.h>
#include <stdbool.h>

#include "scanq/scanq.h"

struct scanq__conn {
    natsConnection *nc;
    jsCtx *js;
};

/* Connect to the comma-separated server list urls (reconnecting forever
 * after the first success; name for the server's monitoring) and open the
 * JetStream context (js_opts may be NULL: defaults). IPS_ERR_INVALID for an
 * empty or too long list; IPS_ERR_IO when no server answers. */
ips_status scanq__connect(const char *urls, const char *name, jsOptions *js_opts,
                          struct scanq__conn *out);
void scanq__close(struct scanq__conn *c);

/* Create the work-queue stream unless it exists (replicas 1..5). */
ips_status scanq__stream_ensure(struct scanq__conn *c, int replicas);

/* Log a NATS failure: what, the status text and the last error. */
void scanq__log_nats(const char *what, natsStatus s);

/* A reader of the durable pull consumer that sends its pull requests
 * itself (pull.c) instead of natsSubscription_Fetch*: Debian's libnats
 * 3.4.1 writes past its message array when a fetch starts with replies
 * of an earlier request still waiting (docs/internals/scanq.md). Every
 * reply, of any request, arrives on ONE subscription <inbox>.*; a request
 * is answered on <inbox>.<its number>. */
struct scanq__puller {
    natsConnection *nc;
    natsSubscription *sub;
    char inbox[128];
    char next_subject[160]; /* $JS.API.CONSUMER.MSG.NEXT.<stream>.<consumer> */
    uint64_t request;       /* number of the last request sent */
};

/* Make sure of the durable consumer (explicit acks, ack_wait_s seconds
 * before redelivery, max_ack_pending events in flight across all
 * workers) and subscribe to the replies. IPS_ERR_IO on NATS failures. */
ips_status scanq__puller_open(struct scanq__conn *c, const char *stream, const char *consumer,
                              const char *subject, int ack_wait_s, int max_ack_pending,
                              struct scanq__puller *p);
void scanq__puller_close(struct scanq__puller *p);

/* Take up to max (>= 1) events into msgs[]: first the ones already
 * waiting (late replies to earlier requests), then, if fewer than max,
 * from one new request for the rest that the server holds up to wait_ms.
 * Never more than max, whatever arrives: what is left waits for the next
 * call. Status replies (408 request expired, 404, 409, 503) are dropped;
 * *n is the number taken (0 is not an error). NATS_OK, or the failure of
 * the request (the caller retries). */
natsStatus scanq__pull(struct scanq__puller *p, natsMsg **msgs, int max, int wait_ms, int *n);

/* Acknowledge an event, or ask for its redelivery after delay_ms. */
natsStatus scanq__ack(struct scanq__puller *p, natsMsg *m);
natsStatus scanq__nak(struct scanq__puller *p, natsMsg *m, int delay_ms);

#endif
