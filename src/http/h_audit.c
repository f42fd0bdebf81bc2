/* h_audit.c — /api/v1/audit: the audit log, newest first, and its check. */
#include "http/http_internal.h"

#include <stdio.h>
#include <stdlib.h>

#include "audit/audit.h"
#include "core/json.h"

static ips_status h__audit_take(const struct store_audit_event *ev, void *arg)
{
    char prev[2 * STORE_HASH_LEN + 1], hash[2 * STORE_HASH_LEN + 1], cursor[24];
    audit_hex(ev->prev_hash, prev);
    audit_hex(ev->hash, hash);
    json_t *v = json_pack("{s:I, s:o, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "seq",
                          (json_int_t)ev->seq, "ts", http_view_time(ev->ts_ms), "actor",
                          ev->actor, "action", ev->action, "object", ev->object, "outcome",
                          ev->outcome, "detail", ev->detail, "prev_hash", prev, "hash", hash);
    snprintf(cursor, sizeof cursor, "%lld", (long long)ev->seq);
    http_page_take(arg, v, cursor);
    return IPS_OK;
}

void h_audit_list(struct http_req *rq, struct http_resp *rs)
{
    int limit;
    const char *cursor;
    if (!http_page(rq, rs, &limit, &cursor))
        return;
    long long after = 0;
    if (cursor) {
        char *end;
        after = strtoll(cursor, &end, 10);
        if (*end || after <= 0) {
            http_bad_cursor(rs);
            return;
        }
    }
    struct http_page_acc acc;
    http_page_begin(&acc, limit);
    ips_status st = access_audit_list(&rq->ctx, after, limit + 1, h__audit_take, &acc);
    http_page_respond(rq, rs, &acc, st);
}

void h_audit_verify(struct http_req *rq, struct http_resp *rs)
{
    struct audit_verify_result res;
    ips_status st = access_audit_verify(&rq->ctx, &res);
    if (st && st != IPS_ERR_INTEGRITY) {
        http_fail(rq, rs, st);
        return;
    }
    json_t *v = json_pack("{s:b, s:I}", "intact", st == IPS_OK, "events", (json_int_t)res.events);
    if (st == IPS_ERR_INTEGRITY) {
        json_object_set_new(v, "first_broken_seq", json_integer(res.first_broken_seq));
        json_object_set_new(v, "reason", json_string(res.reason));
    }
    http_json(rs, 200, v);
}
