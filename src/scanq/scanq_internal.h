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

#endif
