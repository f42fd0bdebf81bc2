/*
 * nats.c — the NATS connection and the work-queue stream shared by the
 * publisher and the worker (scanq_internal.h).
 */
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "scanq/scanq_internal.h"

#define SCANQ__SERVERS_MAX 16
#define SCANQ__URLS_MAX 2048
#define SCANQ__DUPLICATE_WINDOW_NS (120LL * 1000 * 1000 * 1000)

void scanq__log_nats(const char *what, natsStatus s)
{
    const char *last = nats_GetLastError(NULL);
    log_warn(what, "status", natsStatus_GetText(s), "error", last ? last : "");
}

ips_status scanq__connect(const char *urls, const char *name, jsOptions *js_opts,
                          struct scanq__conn *out)
{
    char copy[SCANQ__URLS_MAX];
    const char *servers[SCANQ__SERVERS_MAX];
    int n = 0;
    if (!urls || !urls[0] || strlen(urls) >= sizeof copy)
        return IPS_ERR_INVALID;
    snprintf(copy, sizeof copy, "%s", urls);
    char *save = NULL;
    for (char *t = strtok_r(copy, ",", &save); t && n < SCANQ__SERVERS_MAX;
         t = strtok_r(NULL, ",", &save))
        if (*t)
            servers[n++] = t;
    if (n == 0)
        return IPS_ERR_INVALID;
    memset(out, 0, sizeof *out);
    natsOptions *opts = NULL;
    natsStatus s = natsOptions_Create(&opts);
    if (s == NATS_OK)
        s = natsOptions_SetServers(opts, servers, n);
    if (s == NATS_OK)
        s = natsOptions_SetName(opts, name);
    if (s == NATS_OK)
        s = natsOptions_SetMaxReconnect(opts, -1); /* a node restart is not the end */
    if (s == NATS_OK)
        s = natsOptions_SetReconnectWait(opts, 250);
    if (s == NATS_OK)
        s = natsOptions_SetTimeout(opts, 2000);
    if (s == NATS_OK)
        s = natsConnection_Connect(&out->nc, opts);
    if (s == NATS_OK)
        s = natsConnection_JetStream(&out->js, out->nc, js_opts);
    natsOptions_Destroy(opts);
    if (s != NATS_OK) {
        scanq__log_nats("scanq: cannot connect to NATS", s);
        scanq__close(out);
        return IPS_ERR_IO;
    }
    return IPS_OK;
}

void scanq__close(struct scanq__conn *c)
{
    jsCtx_Destroy(c->js);
    if (c->nc) {
        natsConnection_Close(c->nc);
        natsConnection_Destroy(c->nc);
    }
    c->js = NULL;
    c->nc = NULL;
}

ips_status scanq__stream_ensure(struct scanq__conn *c, int replicas)
{
    jsStreamInfo *si = NULL;
    jsErrCode jerr = 0;
    natsStatus s = js_GetStreamInfo(&si, c->js, SCANQ_STREAM, NULL, &jerr);
    if (s == NATS_OK) {
        jsStreamInfo_Destroy(si);
        return IPS_OK;
    }
    if (s != NATS_NOT_FOUND) {
        scanq__log_nats("scanq: cannot read the stream", s);
        return IPS_ERR_IO;
    }
    jsStreamConfig sc;
    const char *subjects[] = {SCANQ_SUBJECT};
    jsStreamConfig_Init(&sc);
    sc.Name = SCANQ_STREAM;
    sc.Subjects = subjects;
    sc.SubjectsLen = 1;
    sc.Retention = js_WorkQueuePolicy; /* a message goes once the consumer acknowledged it */
    sc.Storage = js_FileStorage;
    sc.Replicas = replicas < 1 ? 1 : replicas > 5 ? 5 : replicas;
    sc.Duplicates = SCANQ__DUPLICATE_WINDOW_NS;
    s = js_AddStream(&si, c->js, &sc, NULL, &jerr);
    if (s == NATS_OK) {
        jsStreamInfo_Destroy(si);
        log_info("scanq: stream created", "stream", SCANQ_STREAM);
        return IPS_OK;
    }
    if (jerr == JSStreamNameExistErr) /* another process made it meanwhile */
        return IPS_OK;
    scanq__log_nats("scanq: cannot create the stream", s);
    return IPS_ERR_IO;
}
