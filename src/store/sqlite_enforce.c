/*
 * sqlite_enforce.c — SQLite implementation of store_enforce.h (tables of
 * migration 0008_enforce.sql, plus reads of the catalog's identifiers and
 * listings). Contracts are in store_enforce.h.
 */
#include <string.h>

#include "store/sqlite_internal.h"
#include "store/store_enforce_backend.h"

/* ---- strikes ------------------------------------------------------------------------ */

#define STRIKE_COLS                                                                                \
    "id, seller_org_id, coalesce(notice_id, ''), coalesce(listing_id, ''), reason, source_kind,"   \
    " CASE WHEN source_id = '' THEN coalesce(notice_id, '') ELSE source_id END,"                   \
    " created_ms, expires_ms, revoked_ms"

static const char q_strike_insert[] =
    "INSERT INTO strikes (id, seller_org_id, notice_id, listing_id, reason, source_kind,"
    " source_id, created_ms, expires_ms, revoked_ms)"
    " VALUES (?1, ?2, nullif(?3, ''), nullif(?4, ''), ?5, ?6, ?7, ?8, ?9, ?10)";
static const char q_strike_list[] = "SELECT " STRIKE_COLS " FROM strikes WHERE seller_org_id = ?1"
                                    " AND id > ?2 ORDER BY id LIMIT ?3";
static const char q_strike_active[] =
    "SELECT " STRIKE_COLS " FROM strikes WHERE seller_org_id = ?1 AND revoked_ms = 0"
    " AND expires_ms > ?2 ORDER BY expires_ms, id LIMIT ?3";
static const char q_strike_count[] = "SELECT count(*) FROM strikes WHERE seller_org_id = ?1"
                                     " AND revoked_ms = 0 AND expires_ms > ?2";

static ips_status decode_strike(sqlite3_stmt *st, void *row)
{
    struct store_enforce_strike *k = row;
    ips_status r;
    if ((r = SQLITE__COL_FIELD(st, 0, k->id)) || (r = SQLITE__COL_FIELD(st, 1, k->seller_org_id)) ||
        (r = SQLITE__COL_FIELD(st, 2, k->notice_id)) ||
        (r = SQLITE__COL_FIELD(st, 3, k->listing_id)) ||
        (r = SQLITE__COL_FIELD(st, 4, k->reason)) ||
        (r = SQLITE__COL_FIELD(st, 5, k->source_kind)) ||
        (r = SQLITE__COL_FIELD(st, 6, k->source_id)))
        return r;
    k->created_ms = sqlite3_column_int64(st, 7);
    k->expires_ms = sqlite3_column_int64(st, 8);
    k->revoked_ms = sqlite3_column_int64(st, 9);
    return IPS_OK;
}

static ips_status bind_strike(struct sqlite__stmt *q, const void *arg)
{
    const struct store_enforce_strike *k = arg;
    ips_status r;
    if ((r = SQLITE__BIND_FIELD(q, 1, k->id)) || (r = SQLITE__BIND_FIELD(q, 2, k->seller_org_id)) ||
        (r = SQLITE__BIND_FIELD(q, 3, k->notice_id)) ||
        (r = SQLITE__BIND_FIELD(q, 4, k->listing_id)) ||
        (r = SQLITE__BIND_FIELD(q, 5, k->reason)) ||
        (r = SQLITE__BIND_FIELD(q, 6, k->source_kind)) ||
        (r = SQLITE__BIND_FIELD(q, 7, k->source_id)) ||
        (r = sqlite__bind_int64(q, 8, k->created_ms)) ||
        (r = sqlite__bind_int64(q, 9, k->expires_ms)))
        return r;
    return sqlite__bind_int64(q, 10, k->revoked_ms);
}

static ips_status strike_insert(struct store *s, const struct store_enforce_strike *sk)
{
    return sqlite__write(sqlite__from(s), q_strike_insert, bind_strike, sk, false);
}

SQLITE__EMIT(emit_strike, struct store_enforce_strike, store_enforce_strike_cb)

static ips_status strike_list(struct store *s, const char *seller_org_id, const char *after,
                              int limit, store_enforce_strike_cb cb, void *arg)
{
    struct sqlite__page pg = {seller_org_id, after, limit};
    return sqlite__list(sqlite__from(s), q_strike_list, sqlite__bind_page_fn, &pg, decode_strike,
                        NULL, sizeof(struct store_enforce_strike), emit_strike,
                        &(struct emit_strike){cb, arg});
}

/* A seller, a time and a page size: ?1, ?2, ?3. */
struct bind_org_time {
    const char *org_id;
    int64_t ms;
    int limit;
};

static ips_status bind_org_time(struct sqlite__stmt *q, const void *arg)
{
    const struct bind_org_time *b = arg;
    ips_status r;
    if ((r = sqlite__bind_text(q, 1, b->org_id)) || (r = sqlite__bind_int64(q, 2, b->ms)))
        return r;
    return sqlite__bind_int64(q, 3, sqlite__page_limit(b->limit));
}

static ips_status strike_active(struct store *s, const char *seller_org_id, int64_t now_ms,
                                int limit, store_enforce_strike_cb cb, void *arg)
{
    struct bind_org_time b = {seller_org_id, now_ms, limit};
    return sqlite__list(sqlite__from(s), q_strike_active, bind_org_time, &b, decode_strike, NULL,
                        sizeof(struct store_enforce_strike), emit_strike,
                        &(struct emit_strike){cb, arg});
}

static ips_status bind_org_ms(struct sqlite__stmt *q, const void *arg)
{
    const struct bind_org_time *b = arg;
    ips_status r = sqlite__bind_text(q, 1, b->org_id);
    return r ? r : sqlite__bind_int64(q, 2, b->ms);
}

static ips_status strike_count(struct store *s, const char *seller_org_id, int64_t now_ms,
                               int64_t *n)
{
    struct bind_org_time b = {seller_org_id, now_ms, 0};
    int64_t tmp;
    return sqlite__get_one(sqlite__from(s), q_strike_count, bind_org_ms, &b, sqlite__decode_int64,
                           &tmp, n, sizeof tmp);
}

/* ---- penalties ------------------------------------------------------------------------ */

#define PENALTY_COLS                                                                               \
    "id, seller_org_id, level, rank, source, reason, strike_ids, network_id, from_ms, until_ms,"   \
    " ended_ms, ended_reason"

static const char q_penalty_insert[] = "INSERT INTO penalties (" PENALTY_COLS ") VALUES"
                                       " (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";
static const char q_penalty_get[] = "SELECT " PENALTY_COLS " FROM penalties WHERE id = ?1";
static const char q_penalty_end[] = "UPDATE penalties SET ended_ms = ?2, ended_reason = ?3"
                                    " WHERE id = ?1 AND ended_ms = 0";
static const char q_penalty_list[] =
    "SELECT " PENALTY_COLS " FROM penalties WHERE seller_org_id = ?1"
    " AND (coalesce(?2, '') = '' OR id < ?2) ORDER BY id DESC LIMIT ?3";
static const char q_penalty_open[] = "SELECT " PENALTY_COLS " FROM penalties"
                                     " WHERE seller_org_id = ?1 AND ended_ms = 0"
                                     " ORDER BY rank DESC, id";
static const char q_penalty_due[] =
    "SELECT " PENALTY_COLS " FROM penalties WHERE ended_ms = 0 AND source = 'strikes'"
    " AND until_ms > 0 AND until_ms <= ?1 ORDER BY until_ms, id LIMIT ?2";

static ips_status decode_penalty(sqlite3_stmt *st, void *row)
{
    struct store_penalty *p = row;
    ips_status r;
    if ((r = SQLITE__COL_FIELD(st, 0, p->id)) || (r = SQLITE__COL_FIELD(st, 1, p->seller_org_id)) ||
        (r = SQLITE__COL_FIELD(st, 2, p->level)) || (r = SQLITE__COL_FIELD(st, 4, p->source)) ||
        (r = SQLITE__COL_FIELD(st, 5, p->reason)) ||
        (r = SQLITE__COL_FIELD(st, 6, p->strike_ids)) ||
        (r = SQLITE__COL_FIELD(st, 7, p->network_id)) ||
        (r = SQLITE__COL_FIELD(st, 11, p->ended_reason)))
        return r;
    p->rank = sqlite3_column_int(st, 3);
    p->from_ms = sqlite3_column_int64(st, 8);
    p->until_ms = sqlite3_column_int64(st, 9);
    p->ended_ms = sqlite3_column_int64(st, 10);
    return IPS_OK;
}

static ips_status bind_penalty(struct sqlite__stmt *q, const void *arg)
{
    const struct store_penalty *p = arg;
    ips_status r;
    if ((r = SQLITE__BIND_FIELD(q, 1, p->id)) || (r = SQLITE__BIND_FIELD(q, 2, p->seller_org_id)) ||
        (r = SQLITE__BIND_FIELD(q, 3, p->level)) || (r = sqlite__bind_int64(q, 4, p->rank)) ||
        (r = SQLITE__BIND_FIELD(q, 5, p->source)) || (r = SQLITE__BIND_FIELD(q, 6, p->reason)) ||
        (r = SQLITE__BIND_FIELD(q, 7, p->strike_ids)) ||
        (r = SQLITE__BIND_FIELD(q, 8, p->network_id)) ||
        (r = sqlite__bind_int64(q, 9, p->from_ms)) ||
        (r = sqlite__bind_int64(q, 10, p->until_ms)) ||
        (r = sqlite__bind_int64(q, 11, p->ended_ms)))
        return r;
    return SQLITE__BIND_FIELD(q, 12, p->ended_reason);
}

static ips_status penalty_insert(struct store *s, const struct store_penalty *p)
{
    return sqlite__write(sqlite__from(s), q_penalty_insert, bind_penalty, p, false);
}

static ips_status penalty_get(struct store *s, const char *id, struct store_penalty *out)
{
    struct store_penalty tmp;
    return sqlite__get_key(sqlite__from(s), q_penalty_get, id, decode_penalty, &tmp, out,
                           sizeof tmp);
}

struct bind_end {
    const char *id;
    int64_t ms;
    const char *reason;
};

static ips_status bind_end(struct sqlite__stmt *q, const void *arg)
{
    const struct bind_end *b = arg;
    ips_status r;
    if ((r = sqlite__bind_text(q, 1, b->id)) || (r = sqlite__bind_int64(q, 2, b->ms)))
        return r;
    return sqlite__bind_text_max(q, 3, b->reason ? b->reason : "", STORE_ENFORCE_REASON_MAX);
}

static ips_status penalty_end(struct store *s, const char *id, int64_t ended_ms, const char *reason)
{
    struct bind_end b = {id, ended_ms, reason};
    return sqlite__write(sqlite__from(s), q_penalty_end, bind_end, &b, true);
}

SQLITE__EMIT(emit_penalty, struct store_penalty, store_penalty_cb)

static ips_status penalty_list(struct store *s, const char *seller_org_id, const char *before,
                               int limit, store_penalty_cb cb, void *arg)
{
    struct sqlite__page pg = {seller_org_id, before && before[0] ? before : NULL, limit};
    return sqlite__list(sqlite__from(s), q_penalty_list, sqlite__bind_page_fn, &pg, decode_penalty,
                        NULL, sizeof(struct store_penalty), emit_penalty,
                        &(struct emit_penalty){cb, arg});
}

static ips_status penalty_open(struct store *s, const char *seller_org_id, store_penalty_cb cb,
                               void *arg)
{
    return sqlite__list(sqlite__from(s), q_penalty_open, sqlite__bind_key, seller_org_id,
                        decode_penalty, NULL, sizeof(struct store_penalty), emit_penalty,
                        &(struct emit_penalty){cb, arg});
}

static ips_status bind_time_limit(struct sqlite__stmt *q, const void *arg)
{
    const struct bind_org_time *b = arg;
    ips_status r = sqlite__bind_int64(q, 1, b->ms);
    return r ? r : sqlite__bind_int64(q, 2, sqlite__page_limit(b->limit));
}

static ips_status penalty_due(struct store *s, int64_t now_ms, int limit, store_penalty_cb cb,
                              void *arg)
{
    struct bind_org_time b = {NULL, now_ms, limit};
    return sqlite__list(sqlite__from(s), q_penalty_due, bind_time_limit, &b, decode_penalty, NULL,
                        sizeof(struct store_penalty), emit_penalty,
                        &(struct emit_penalty){cb, arg});
}

/* ---- networks ---------------------------------------------------------------------------- */

#define NETWORK_COLS                                                                               \
    "id, size, banned_ms, ban_kind, ban_reason, ban_source_kind, ban_source_id, merged_into,"      \
    " created_ms, updated_ms"

static const char q_network_insert[] = "INSERT INTO networks (" NETWORK_COLS ") VALUES"
                                       " (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
static const char q_network_get[] = "SELECT " NETWORK_COLS " FROM networks WHERE id = ?1";
static const char q_network_update[] =
    "UPDATE networks SET size = ?2, banned_ms = ?3, ban_kind = ?4, ban_reason = ?5,"
    " ban_source_kind = ?6, ban_source_id = ?7, merged_into = ?8, updated_ms = ?10"
    " WHERE id = ?1"; /* ?9 (created_ms) is bound but never changed */
static const char q_member_get[] =
    "SELECT network_id FROM network_members WHERE seller_org_id = ?1";
static const char q_member_put[] =
    "INSERT INTO network_members (seller_org_id, network_id, joined_ms) VALUES (?1, ?2, ?3)"
    " ON CONFLICT (seller_org_id) DO UPDATE SET network_id = excluded.network_id,"
    " joined_ms = excluded.joined_ms";
static const char q_member_move[] =
    "UPDATE network_members SET network_id = ?2 WHERE network_id = ?1";
static const char q_member_list[] =
    "SELECT seller_org_id FROM network_members WHERE network_id = ?1 AND seller_org_id > ?2"
    " ORDER BY seller_org_id LIMIT ?3";
static const char q_neighbours[] =
    "SELECT DISTINCT o.seller_org_id, o.kind, coalesce(m.network_id, '')"
    " FROM seller_identifiers i"
    " JOIN seller_identifiers o ON o.kind = i.kind AND o.hash = i.hash"
    "  AND o.seller_org_id <> i.seller_org_id"
    " LEFT JOIN network_members m ON m.seller_org_id = o.seller_org_id"
    " WHERE i.seller_org_id = ?1 AND (?2 IS NULL OR m.network_id = ?2)"
    " ORDER BY o.seller_org_id, o.kind";
static const char q_shared_list[] =
    "SELECT i.kind, i.hash, count(*) FROM network_members m"
    " JOIN seller_identifiers i ON i.seller_org_id = m.seller_org_id"
    " WHERE m.network_id = ?1 GROUP BY i.kind, i.hash HAVING count(*) > 1"
    " ORDER BY i.kind, i.hash";
static const char q_shared_holders[] =
    "SELECT m.seller_org_id FROM network_members m JOIN seller_identifiers i"
    " ON i.seller_org_id = m.seller_org_id AND i.kind = ?2 AND i.hash = ?3"
    " WHERE m.network_id = ?1 ORDER BY m.seller_org_id";
static const char q_unlabelled[] =
    "SELECT EXISTS (SELECT 1 FROM seller_identifiers i WHERE NOT EXISTS"
    " (SELECT 1 FROM network_members m WHERE m.seller_org_id = i.seller_org_id))";
static const char q_ident_scan[] =
    "SELECT seller_org_id, kind, hash FROM seller_identifiers ORDER BY kind, hash";
static const char q_seller_sales[] =
    "SELECT count(*), coalesce(sum(v.units_sold), 0) FROM listings l"
    " JOIN listing_versions v ON v.vrow = l.current_vrow WHERE l.seller_org_id = ?1";

static ips_status decode_network(sqlite3_stmt *st, void *row)
{
    struct store_network *n = row;
    ips_status r;
    if ((r = SQLITE__COL_FIELD(st, 0, n->id)) || (r = SQLITE__COL_FIELD(st, 3, n->ban_kind)) ||
        (r = SQLITE__COL_FIELD(st, 4, n->ban_reason)) ||
        (r = SQLITE__COL_FIELD(st, 5, n->ban_source_kind)) ||
        (r = SQLITE__COL_FIELD(st, 6, n->ban_source_id)) ||
        (r = SQLITE__COL_FIELD(st, 7, n->merged_into)))
        return r;
    n->size = sqlite3_column_int64(st, 1);
    n->banned_ms = sqlite3_column_int64(st, 2);
    n->created_ms = sqlite3_column_int64(st, 8);
    n->updated_ms = sqlite3_column_int64(st, 9);
    return IPS_OK;
}

static ips_status bind_network(struct sqlite__stmt *q, const void *arg)
{
    const struct store_network *n = arg;
    ips_status r;
    if ((r = SQLITE__BIND_FIELD(q, 1, n->id)) || (r = sqlite__bind_int64(q, 2, n->size)) ||
        (r = sqlite__bind_int64(q, 3, n->banned_ms)) ||
        (r = SQLITE__BIND_FIELD(q, 4, n->ban_kind)) ||
        (r = SQLITE__BIND_FIELD(q, 5, n->ban_reason)) ||
        (r = SQLITE__BIND_FIELD(q, 6, n->ban_source_kind)) ||
        (r = SQLITE__BIND_FIELD(q, 7, n->ban_source_id)) ||
        (r = SQLITE__BIND_FIELD(q, 8, n->merged_into)) ||
        (r = sqlite__bind_int64(q, 9, n->created_ms)))
        return r;
    return sqlite__bind_int64(q, 10, n->updated_ms);
}

static ips_status network_insert(struct store *s, const struct store_network *n)
{
    return sqlite__write(sqlite__from(s), q_network_insert, bind_network, n, false);
}

static ips_status network_get(struct store *s, const char *id, struct store_network *out)
{
    struct store_network tmp;
    return sqlite__get_key(sqlite__from(s), q_network_get, id, decode_network, &tmp, out,
                           sizeof tmp);
}

static ips_status network_update(struct store *s, const struct store_network *n)
{
    return sqlite__write(sqlite__from(s), q_network_update, bind_network, n, true);
}

static ips_status decode_id(sqlite3_stmt *st, void *row)
{
    return sqlite__col_text(st, 0, row, ID_SIZE);
}

static ips_status member_get(struct store *s, const char *seller_org_id, char network_id[ID_SIZE])
{
    char tmp[ID_SIZE];
    return sqlite__get_key(sqlite__from(s), q_member_get, seller_org_id, decode_id, tmp, network_id,
                           ID_SIZE);
}

struct bind_member {
    const char *a, *b;
    int64_t ms;
};

static ips_status bind_member(struct sqlite__stmt *q, const void *arg)
{
    const struct bind_member *m = arg;
    ips_status r;
    if ((r = sqlite__bind_text(q, 1, m->a)) || (r = sqlite__bind_text(q, 2, m->b)))
        return r;
    return sqlite__bind_int64(q, 3, m->ms);
}

static ips_status member_put(struct store *s, const char *seller_org_id, const char *network_id,
                             int64_t now_ms)
{
    struct bind_member m = {seller_org_id, network_id, now_ms};
    return sqlite__write(sqlite__from(s), q_member_put, bind_member, &m, false);
}

static ips_status member_move(struct store *s, const char *from, const char *to, int64_t *moved)
{
    struct sqlite__stmt q;
    int changes = 0;
    ips_status r = sqlite__stmt_sql(sqlite__from(s), q_member_move, &q);
    if (r || (r = sqlite__bind_text(&q, 1, from)) || (r = sqlite__bind_text(&q, 2, to)))
        goto out_stmt;
    if ((r = sqlite__run(&q, &changes)) == IPS_OK && moved)
        *moved = changes;
out_stmt:
    sqlite__stmt_put(&q);
    return r;
}

SQLITE__EMIT(emit_org, char, store_enforce_org_cb)

static ips_status member_list(struct store *s, const char *network_id, const char *after, int limit,
                              store_enforce_org_cb cb, void *arg)
{
    char row[ID_SIZE];
    struct sqlite__page pg = {network_id, after, limit};
    return sqlite__list(sqlite__from(s), q_member_list, sqlite__bind_page_fn, &pg, decode_id, row,
                        sizeof row, emit_org, &(struct emit_org){cb, arg});
}

static ips_status decode_neighbour(sqlite3_stmt *st, void *row)
{
    struct store_enforce_neighbour *n = row;
    ips_status r;
    if ((r = SQLITE__COL_FIELD(st, 0, n->seller_org_id)) || (r = SQLITE__COL_FIELD(st, 1, n->kind)))
        return r;
    return SQLITE__COL_FIELD(st, 2, n->network_id);
}

static ips_status bind_two(struct sqlite__stmt *q, const void *arg)
{
    const struct bind_member *m = arg;
    ips_status r = sqlite__bind_text(q, 1, m->a);
    return r ? r : sqlite__bind_text(q, 2, m->b);
}

SQLITE__EMIT(emit_neighbour, struct store_enforce_neighbour, store_enforce_neighbour_cb)

static ips_status neighbours(struct store *s, const char *seller_org_id, const char *only_network,
                             store_enforce_neighbour_cb cb, void *arg)
{
    struct store_enforce_neighbour row;
    struct bind_member b = {seller_org_id, only_network, 0};
    return sqlite__list(sqlite__from(s), q_neighbours, bind_two, &b, decode_neighbour, &row,
                        sizeof row, emit_neighbour, &(struct emit_neighbour){cb, arg});
}

static ips_status decode_shared(sqlite3_stmt *st, void *row)
{
    struct store_enforce_shared *sh = row;
    ips_status r;
    if ((r = SQLITE__COL_FIELD(st, 0, sh->kind)) || (r = sqlite__col_hash(st, 1, sh->hash)))
        return r;
    sh->sellers = sqlite3_column_int64(st, 2);
    return IPS_OK;
}

SQLITE__EMIT(emit_shared, struct store_enforce_shared, store_enforce_shared_cb)

static ips_status shared_list(struct store *s, const char *network_id, store_enforce_shared_cb cb,
                              void *arg)
{
    struct store_enforce_shared row;
    return sqlite__list(sqlite__from(s), q_shared_list, sqlite__bind_key, network_id, decode_shared,
                        &row, sizeof row, emit_shared, &(struct emit_shared){cb, arg});
}

struct bind_holder {
    const char *network_id, *kind;
    const uint8_t *hash;
};

static ips_status bind_holder(struct sqlite__stmt *q, const void *arg)
{
    const struct bind_holder *b = arg;
    ips_status r;
    if ((r = sqlite__bind_text(q, 1, b->network_id)) || (r = sqlite__bind_text(q, 2, b->kind)))
        return r;
    return sqlite__bind_hash(q, 3, b->hash);
}

static ips_status shared_holders(struct store *s, const char *network_id, const char *kind,
                                 const uint8_t hash[STORE_HASH_LEN], store_enforce_org_cb cb,
                                 void *arg)
{
    char row[ID_SIZE];
    struct bind_holder b = {network_id, kind, hash};
    return sqlite__list(sqlite__from(s), q_shared_holders, bind_holder, &b, decode_id, row,
                        sizeof row, emit_org, &(struct emit_org){cb, arg});
}

static ips_status unlabelled_exists(struct store *s, bool *found)
{
    int64_t tmp, v = 0;
    ips_status r = sqlite__get_one(sqlite__from(s), q_unlabelled, NULL, NULL, sqlite__decode_int64,
                                   &tmp, &v, sizeof v);
    if (r == IPS_OK)
        *found = v != 0;
    return r;
}

static ips_status decode_ident(sqlite3_stmt *st, void *row)
{
    struct store_enforce_ident *id = row;
    ips_status r;
    if ((r = SQLITE__COL_FIELD(st, 0, id->seller_org_id)) ||
        (r = SQLITE__COL_FIELD(st, 1, id->kind)))
        return r;
    return sqlite__col_hash(st, 2, id->hash);
}

SQLITE__EMIT(emit_ident, struct store_enforce_ident, store_enforce_ident_cb)

static ips_status ident_scan(struct store *s, store_enforce_ident_cb cb, void *arg)
{
    struct store_enforce_ident row;
    return sqlite__list(sqlite__from(s), q_ident_scan, NULL, NULL, decode_ident, &row, sizeof row,
                        emit_ident, &(struct emit_ident){cb, arg});
}

struct sales_row {
    int64_t listings, units;
};

static ips_status decode_sales(sqlite3_stmt *st, void *row)
{
    struct sales_row *r = row;
    r->listings = sqlite3_column_int64(st, 0);
    r->units = sqlite3_column_int64(st, 1);
    return IPS_OK;
}

static ips_status seller_sales(struct store *s, const char *seller_org_id, int64_t *listings,
                               int64_t *units_sold)
{
    struct sales_row tmp, out;
    ips_status r = sqlite__get_key(sqlite__from(s), q_seller_sales, seller_org_id, decode_sales,
                                   &tmp, &out, sizeof out);
    if (r == IPS_OK) {
        *listings = out.listings;
        *units_sold = out.units;
    }
    return r;
}

/* ---- ban-evasion flags ---------------------------------------------------------------------- */

#define FLAG_COLS "id, seller_org_id, network_id, kinds, reason, created_ms"

static const char q_flag_insert[] =
    "INSERT INTO evasion_flags (" FLAG_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char q_flag_exists[] =
    "SELECT EXISTS (SELECT 1 FROM evasion_flags WHERE seller_org_id = ?1 AND network_id = ?2)";
static const char q_flag_list[] = "SELECT " FLAG_COLS " FROM evasion_flags"
                                  " WHERE (?1 IS NULL OR seller_org_id = ?1) AND id > ?2"
                                  " ORDER BY id LIMIT ?3";

static ips_status decode_flag(sqlite3_stmt *st, void *row)
{
    struct store_evasion_flag *f = row;
    ips_status r;
    if ((r = SQLITE__COL_FIELD(st, 0, f->id)) || (r = SQLITE__COL_FIELD(st, 1, f->seller_org_id)) ||
        (r = SQLITE__COL_FIELD(st, 2, f->network_id)) || (r = SQLITE__COL_FIELD(st, 3, f->kinds)) ||
        (r = SQLITE__COL_FIELD(st, 4, f->reason)))
        return r;
    f->created_ms = sqlite3_column_int64(st, 5);
    return IPS_OK;
}

static ips_status bind_flag(struct sqlite__stmt *q, const void *arg)
{
    const struct store_evasion_flag *f = arg;
    ips_status r;
    if ((r = SQLITE__BIND_FIELD(q, 1, f->id)) || (r = SQLITE__BIND_FIELD(q, 2, f->seller_org_id)) ||
        (r = SQLITE__BIND_FIELD(q, 3, f->network_id)) || (r = SQLITE__BIND_FIELD(q, 4, f->kinds)) ||
        (r = SQLITE__BIND_FIELD(q, 5, f->reason)))
        return r;
    return sqlite__bind_int64(q, 6, f->created_ms);
}

static ips_status flag_insert(struct store *s, const struct store_evasion_flag *f)
{
    return sqlite__write(sqlite__from(s), q_flag_insert, bind_flag, f, false);
}

static ips_status flag_exists(struct store *s, const char *seller_org_id, const char *network_id,
                              bool *found)
{
    int64_t tmp, v = 0;
    struct bind_member b = {seller_org_id, network_id, 0};
    ips_status r = sqlite__get_one(sqlite__from(s), q_flag_exists, bind_two, &b,
                                   sqlite__decode_int64, &tmp, &v, sizeof v);
    if (r == IPS_OK)
        *found = v != 0;
    return r;
}

SQLITE__EMIT(emit_flag, struct store_evasion_flag, store_evasion_flag_cb)

static ips_status flag_list(struct store *s, const char *only_seller, const char *after, int limit,
                            store_evasion_flag_cb cb, void *arg)
{
    struct store_evasion_flag row;
    struct sqlite__page pg = {only_seller, after, limit};
    return sqlite__list(sqlite__from(s), q_flag_list, sqlite__bind_page_fn, &pg, decode_flag, &row,
                        sizeof row, emit_flag, &(struct emit_flag){cb, arg});
}

const struct store_enforce_ops sqlite__enforce_ops = {
    .strike_insert = strike_insert,
    .strike_list = strike_list,
    .strike_active = strike_active,
    .strike_count = strike_count,
    .penalty_insert = penalty_insert,
    .penalty_get = penalty_get,
    .penalty_end = penalty_end,
    .penalty_list = penalty_list,
    .penalty_open = penalty_open,
    .penalty_due = penalty_due,
    .network_insert = network_insert,
    .network_get = network_get,
    .network_update = network_update,
    .member_get = member_get,
    .member_put = member_put,
    .member_move = member_move,
    .member_list = member_list,
    .neighbours = neighbours,
    .shared_list = shared_list,
    .shared_holders = shared_holders,
    .unlabelled_exists = unlabelled_exists,
    .ident_scan = ident_scan,
    .seller_sales = seller_sales,
    .flag_insert = flag_insert,
    .flag_exists = flag_exists,
    .flag_list = flag_list,
};
