/* status.c — tables generated from IPS_STATUS_MAP; see status.h. */
#include "core/status.h"

struct status_row {
    const char *name, *slug, *msg;
    int http, exitc;
};

static const struct status_row rows[] = {
#define IPS__ROW(name, slug, http, exitc, msg) {#name, slug, msg, http, exitc},
    IPS_STATUS_MAP(IPS__ROW)
#undef IPS__ROW
};

static const struct status_row *row(ips_status st)
{
    if ((unsigned)st >= IPS__STATUS_COUNT)
        st = IPS_ERR_INTERNAL;
    return &rows[st];
}

const char *ips_status_slug(ips_status st) { return row(st)->slug; }
const char *ips_status_name(ips_status st) { return row(st)->name; }
const char *ips_status_message(ips_status st) { return row(st)->msg; }
int ips_status_http(ips_status st) { return row(st)->http; }
int ips_status_exit_code(ips_status st) { return row(st)->exitc; }
