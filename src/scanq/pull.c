/*
 * pull.c — reading the durable pull consumer with pull requests of our own
 * (scanq_internal.h, struct scanq__puller).
 *
 * Why not natsSubscription_FetchRequest: in Debian's libnats 3.4.1 a fetch
 * that finds c replies of an earlier request already waiting takes them,
 * asks the server for batch - c more, and then loops until its count equals
 * batch - c. With c > batch - c it never does: it keeps storing whatever
 * arrives until its deadline, past the end of its batch-sized array, as
 * soon as more than batch - c messages come (the rest of the earlier,
 * server-side still open request). Here the array is the caller's, and no
 * message is ever taken beyond max.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "scanq/scanq_internal.h"

/* How long past its expiry a request's end (its 408) is awaited. Giving up
 * costs nothing but a request: what it still brings is taken by the next
 * pull. Short, because a request can be lost without any answer (its
 * node died; and the first request on a consumer just created over a
 * loaded stream was seen to go unanswered on nats-server 2.9.10). */
#define PULL__LATE_MS 400

/* The consumer as js_PullSubscribe made it (existing ones are bound as
 * they are: the first worker's --ack-wait wins). */
static ips_status pull__consumer_ensure(struct scanq__conn *c, const char *stream,
                                        const char *consumer, const char *subject, int ack_wait_s,
                                        int max_ack_pending)
{
    jsConsumerInfo *ci = NULL;
    jsErrCode jerr = 0;
    natsStatus s = js_GetConsumerInfo(&ci, c->js, stream, consumer, NULL, &jerr);
    if (s == NATS_NOT_FOUND) {
        jsConsumerConfig cc;
        jsConsumerConfig_Init(&cc);
        cc.Durable = consumer;
        cc.FilterSubject = subject;
        cc.DeliverPolicy = js_DeliverAll;
        cc.AckPolicy = js_AckExplicit;
        cc.AckWait = (int64_t)ack_wait_s * 1000000000LL;
        cc.MaxAckPending = max_ack_pending;
        s = js_AddConsumer(&ci, c->js, stream, &cc, NULL, &jerr);
        if (s != NATS_OK && jerr == JSConsumerNameExistErr) /* another worker made it */
            s = NATS_OK;
        else if (s == NATS_OK)
            log_info("scanq: consumer created", "consumer", consumer);
    } else if (s == NATS_OK && ci && ci->Config &&
               ci->Config->AckWait != (int64_t)ack_wait_s * 1000000000LL) {
        log_warn("scanq: the consumer keeps its ack wait; --ack-wait ignored", "consumer",
                 consumer);
    }
    jsConsumerInfo_Destroy(ci);
    if (s != NATS_OK) {
        scanq__log_nats("scanq: cannot have the consumer", s);
        return IPS_ERR_IO;
    }
    return IPS_OK;
}

ips_status scanq__puller_open(struct scanq__conn *c, const char *stream, const char *consumer,
                              const char *subject, int ack_wait_s, int max_ack_pending,
                              struct scanq__puller *p)
{
    memset(p, 0, sizeof *p);
    ips_status st =
        pull__consumer_ensure(c, stream, consumer, subject, ack_wait_s, max_ack_pending);
    if (st)
        return st;
    natsInbox *inbox = NULL;
    char wild[sizeof p->inbox + 2];
    natsStatus s = natsInbox_Create(&inbox);
    if (s == NATS_OK) {
        snprintf(p->inbox, sizeof p->inbox, "%s", inbox);
        snprintf(wild, sizeof wild, "%s.*", p->inbox);
        snprintf(p->next_subject, sizeof p->next_subject, "$JS.API.CONSUMER.MSG.NEXT.%s.%s", stream,
                 consumer);
        s = natsConnection_SubscribeSync(&p->sub, c->nc, wild);
    }
    natsInbox_Destroy(inbox);
    if (s != NATS_OK) {
        scanq__log_nats("scanq: cannot subscribe to the pull replies", s);
        scanq__puller_close(p);
        return IPS_ERR_IO;
    }
    p->nc = c->nc;
    return IPS_OK;
}

void scanq__puller_close(struct scanq__puller *p)
{
    natsSubscription_Destroy(p->sub);
    p->sub = NULL;
    p->nc = NULL;
}

/* A status reply (no data, a Status header: 100, 404, 408, 409, 503):
 * its code, or NULL for an event. */
static const char *pull__status(natsMsg *m)
{
    const char *v = NULL;
    if (natsMsg_GetDataLength(m) == 0 && natsMsgHeader_Get(m, "Status", &v) == NATS_OK && v)
        return v;
    return NULL;
}

natsStatus scanq__pull(struct scanq__puller *p, natsMsg **msgs, int max, int wait_ms, int *n)
{
    *n = 0;
    if (!p->sub || max < 1 || wait_ms < 1)
        return NATS_INVALID_ARG;
    int count = 0, waiting = 0;
    natsStatus s = natsSubscription_GetPending(p->sub, &waiting, NULL);
    /* replies that came after an earlier call stopped waiting */
    for (; s == NATS_OK && waiting > 0 && count < max; waiting--) {
        natsMsg *m = NULL;
        s = natsSubscription_NextMsg(&m, p->sub, 1);
        if (s == NATS_TIMEOUT) {
            s = NATS_OK;
            break;
        }
        if (s != NATS_OK)
            break;
        if (pull__status(m))
            natsMsg_Destroy(m);
        else
            msgs[count++] = m;
    }
    if (s == NATS_OK && count < max) {
        char reply[sizeof p->inbox + 24], body[96];
        p->request++;
        snprintf(reply, sizeof reply, "%s.%" PRIu64, p->inbox, p->request);
        /* the server ends the request (408) after expires, or sooner when
         * the batch is full */
        int len = snprintf(body, sizeof body, "{\"batch\":%d,\"expires\":%" PRId64 "}", max - count,
                           (int64_t)((int64_t)wait_ms * 1000000));
        s = natsConnection_PublishRequest(p->nc, p->next_subject, reply, body, len);
        int64_t deadline = nats_Now() + wait_ms + PULL__LATE_MS;
        while (s == NATS_OK && count < max) {
            int64_t left = deadline - nats_Now();
            natsMsg *m = NULL;
            s = left > 0 ? natsSubscription_NextMsg(&m, p->sub, left) : NATS_TIMEOUT;
            if (s == NATS_TIMEOUT) {
                /* what came is taken; what comes later, next time */
                log_debug("scanq: pull request unanswered; giving up", "reply", reply);
                s = NATS_OK;
                break;
            }
            if (s != NATS_OK)
                break;
            const char *code = pull__status(m);
            if (!code) {
                msgs[count++] = m;
                continue;
            }
            bool ours = strcmp(natsMsg_GetSubject(m), reply) == 0;
            /* 408: expired; 404: nothing (no_wait); anything else (409
             * leadership change or too many requests, 503 no consumer
             * leader) is a failure the caller waits out */
            bool refused = strncmp(code, "408", 3) != 0 && strncmp(code, "404", 3) != 0;
            natsMsg_Destroy(m);
            if (ours && refused && count == 0)
                s = NATS_ERR;
            if (ours)
                break; /* the request is over */
        }
    }
    *n = count;
    /* what was taken is the caller's even when the request failed */
    return count > 0 ? NATS_OK : s;
}

natsStatus scanq__ack(struct scanq__puller *p, natsMsg *m)
{
    const char *reply = natsMsg_GetReply(m);
    if (!reply || !reply[0])
        return NATS_INVALID_ARG;
    return natsConnection_PublishString(p->nc, reply, "+ACK");
}

natsStatus scanq__nak(struct scanq__puller *p, natsMsg *m, int delay_ms)
{
    const char *reply = natsMsg_GetReply(m);
    char body[64];
    if (!reply || !reply[0])
        return NATS_INVALID_ARG;
    snprintf(body, sizeof body, "-NAK {\"delay\":%" PRId64 "}",
             (int64_t)((int64_t)delay_ms * 1000000));
    return natsConnection_PublishString(p->nc, reply, body);
}
