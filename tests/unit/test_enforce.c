/* test_enforce.c — strikes and penalties (escalation through every level,
 * thresholds from the configuration, expiry lowering the level, listing
 * removal, termination taking every listing down, restricted sellers
 * refused), the union-find core, seller networks kept up to date
 * incrementally, ban evasion through a shared phone or payment account,
 * network bans, and who may read what. The HTTP surface runs end to end in
 * tests/e2e/enforce.test.mjs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "core/timeutil.h"
#include "enforce/enforce.h"
#include "enforce/uf.h"
#include "testdb.h"

/* ---- union-find --------------------------------------------------------------------- */

static void union_find_joins_sets_and_counts_them(void **state)
{
    (void)state;
    struct enforce_uf u;
    assert_int_equal(enforce_uf_init(&u, 10), IPS_OK);
    assert_int_equal(u.sets, 10);
    for (uint32_t i = 0; i < 10; i++)
        assert_int_equal(enforce_uf_find(&u, i), i);
    assert_true(enforce_uf_union(&u, 1, 2));
    assert_true(enforce_uf_union(&u, 3, 4));
    assert_true(enforce_uf_union(&u, 2, 4));
    assert_false(enforce_uf_union(&u, 1, 3)); /* already one set */
    assert_int_equal(u.sets, 7);
    assert_int_equal(enforce_uf_find(&u, 1), enforce_uf_find(&u, 4));
    assert_int_not_equal(enforce_uf_find(&u, 1), enforce_uf_find(&u, 5));
    assert_int_equal(enforce_uf_set_size(&u, 3), 4);
    assert_int_equal(enforce_uf_set_size(&u, 9), 1);
    enforce_uf_release(&u);
    enforce_uf_release(&u); /* twice is fine */
}

/* Two clusters of 100 000 built as long chains, then merged: sizes add up,
 * the smaller root goes under the larger, and every path is compressed to
 * one step after a find. */
static void union_find_merges_big_clusters_by_size(void **state)
{
    (void)state;
    enum { N = 200001 };
    struct enforce_uf u;
    assert_int_equal(enforce_uf_init(&u, N), IPS_OK);
    for (uint32_t i = 1; i < 100000; i++)
        assert_true(enforce_uf_union(&u, i - 1, i));
    for (uint32_t i = 100001; i < 200001; i++)
        assert_true(enforce_uf_union(&u, i - 1, i));
    assert_int_equal(u.sets, 2);
    uint32_t small = enforce_uf_find(&u, 0), big = enforce_uf_find(&u, 200000);
    assert_int_equal(enforce_uf_set_size(&u, 0), 100000);
    assert_int_equal(enforce_uf_set_size(&u, 150000), 100001);
    /* union by size: every tree stays shallow (height <= log2 n) */
    for (uint32_t i = 0; i < N; i += 997) {
        uint32_t x = i, steps = 0;
        while (u.parent[x] != x) {
            x = u.parent[x];
            steps++;
        }
        assert_true(steps <= 18);
    }
    assert_true(enforce_uf_union(&u, 5, 199999));
    assert_int_equal(u.sets, 1);
    assert_int_equal(enforce_uf_find(&u, 0), big); /* the smaller went under the larger */
    assert_int_not_equal(small, big);
    assert_int_equal(enforce_uf_set_size(&u, 77), N);
    /* path compression: after a find, the element points at its root */
    for (uint32_t i = 0; i < N; i += 1013) {
        uint32_t r = enforce_uf_find(&u, i);
        assert_int_equal(u.parent[i], r);
    }
    enforce_uf_release(&u);
}

static void link_hashes_joins_owners_of_equal_hashes(void **state)
{
    (void)state;
    uint8_t h[6][32];
    uint32_t owner[6] = {0, 1, 2, 3, 4, 2};
    memset(h, 0, sizeof h);
    for (int i = 0; i < 6; i++)
        h[i][0] = (uint8_t)(i + 1);
    memcpy(h[3], h[0], 32); /* owners 0 and 3 share one */
    memcpy(h[5], h[1], 32); /* owners 1 and 2 share one */
    h[4][8] = h[0][8];      /* same table tag, different hash: no link */
    struct enforce_uf u;
    uint64_t merges = 99;
    assert_int_equal(enforce_uf_init(&u, 5), IPS_OK);
    assert_int_equal(enforce_uf_link_hashes(&u, (const uint8_t(*)[32])h, owner, 6, &merges),
                     IPS_OK);
    assert_int_equal(merges, 2);
    assert_int_equal(u.sets, 3);
    assert_int_equal(enforce_uf_find(&u, 0), enforce_uf_find(&u, 3));
    assert_int_equal(enforce_uf_find(&u, 1), enforce_uf_find(&u, 2));
    assert_int_not_equal(enforce_uf_find(&u, 4), enforce_uf_find(&u, 0));
    enforce_uf_release(&u);
}

/* ---- fixture ------------------------------------------------------------------------ */

struct fixture {
    struct testdb db; /* first: testdb_teardown frees the fixture */
    struct store_org shop, other, brand, platform;
    struct access_principal seller, seller2, reviewer, holder;
    struct store_listing_version v; /* scratch (large) */
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    *state = f;
    testdb_open(&f->db, "enforce");
    testdb_org_add(&f->db, "Shop", "seller", &f->shop);
    testdb_org_add(&f->db, "Other", "seller", &f->other);
    testdb_org_add(&f->db, "Brand", "rightholder", &f->brand);
    testdb_org_add(&f->db, "Platform", "platform", &f->platform);
    testdb_user_add(&f->db, "s@shop.test", "seller", &f->shop, NULL, &f->seller);
    testdb_user_add(&f->db, "o@other.test", "seller", &f->other, NULL, &f->seller2);
    testdb_user_add(&f->db, "r@platform.test", "reviewer", &f->platform, NULL, &f->reviewer);
    testdb_user_add(&f->db, "h@brand.test", "rightholder", &f->brand, NULL, &f->holder);
    struct config *c = &f->db.cfg;
    c->enforce_warning_strikes = 1;
    c->enforce_removal_strikes = 2;
    c->enforce_restriction_strikes = 3;
    c->enforce_suspension_strikes = 4;
    c->enforce_termination_strikes = 5;
    c->enforce_evasion_suspend = true;
    return 0;
}

/* A listing of the acting seller p. Result: the status. */
static ips_status listing_add(struct fixture *f, const struct access_principal *p, const char *id,
                              int units)
{
    char text[256];
    snprintf(text, sizeof text,
             "{\"id\": \"%s\", \"title\": \"Bag %s\", \"price\": 10, \"currency\": \"EUR\","
             " \"units_sold\": %d}",
             id, id, units);
    json_t *body = json_loads(text, 0, NULL);
    struct store_listing l;
    ips_status st = catalog_listing_create(testdb_act_as(&f->db, p), body, &l, &f->v);
    json_decref(body);
    return st;
}

static const char *listing_state(struct fixture *f, const char *id)
{
    static struct store_listing l;
    assert_int_equal(store_catalog_listing_get(f->db.s, id, &l), IPS_OK);
    return l.state;
}

static int level_of(struct fixture *f, const char *org)
{
    json_t *rec = NULL;
    assert_int_equal(enforce_seller_get(testdb_act_as(&f->db, &f->db.sys), org, &rec), IPS_OK);
    int rank = (int)json_integer_value(json_object_get(rec, "rank"));
    assert_string_equal(json_string_value(json_object_get(rec, "level")), enforce_level_name(rank));
    json_decref(rec);
    return rank;
}

static void strike(struct fixture *f, const char *org, const char *listing)
{
    struct ips_ctx *ctx = testdb_act_as(&f->db, &f->reviewer);
    char id[ID_SIZE];
    ips_status st =
        enforce_strike_add(ctx, org, listing, "counterfeit confirmed", "detection", "det-1", id);
    if (st)
        fail_msg("strike: %s (%s)", ips_status_slug(st), ctx->detail);
    assert_true(id_is_valid(id));
}

/* ---- escalation ------------------------------------------------------------------------ */

static void escalation_walks_every_level_and_termination_takes_every_listing_down(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(listing_add(f, &f->seller, "L-1", 3), IPS_OK);
    assert_int_equal(listing_add(f, &f->seller, "L-2", 0), IPS_OK);
    assert_int_equal(listing_add(f, &f->seller, "L-3", 1), IPS_OK);
    assert_int_equal(level_of(f, f->shop.id), ENFORCE_NONE);

    strike(f, f->shop.id, "L-1");
    assert_int_equal(level_of(f, f->shop.id), ENFORCE_WARNING);
    assert_string_equal(listing_state(f, "L-1"), "live"); /* a warning removes nothing */

    strike(f, f->shop.id, "L-1");
    assert_int_equal(level_of(f, f->shop.id), ENFORCE_LISTING_REMOVAL);
    assert_string_equal(listing_state(f, "L-1"), "taken_down");
    assert_string_equal(listing_state(f, "L-2"), "live");
    assert_int_equal(listing_add(f, &f->seller, "L-4", 0), IPS_OK); /* may still post */

    strike(f, f->shop.id, NULL);
    assert_int_equal(level_of(f, f->shop.id), ENFORCE_POSTING_RESTRICTION);
    strike(f, f->shop.id, NULL);
    assert_int_equal(level_of(f, f->shop.id), ENFORCE_SUSPENSION);
    assert_string_equal(listing_state(f, "L-2"), "live");

    strike(f, f->shop.id, NULL);
    assert_int_equal(level_of(f, f->shop.id), ENFORCE_TERMINATION);
    assert_string_equal(listing_state(f, "L-1"), "taken_down");
    assert_string_equal(listing_state(f, "L-2"), "taken_down");
    assert_string_equal(listing_state(f, "L-3"), "taken_down");
    assert_string_equal(listing_state(f, "L-4"), "taken_down");

    /* the record: 5 active strikes, one penalty per level, only the last in force */
    json_t *rec = NULL;
    assert_int_equal(enforce_seller_get(testdb_act_as(&f->db, &f->seller), f->shop.id, &rec),
                     IPS_OK);
    assert_int_equal(json_integer_value(json_object_get(rec, "active_strikes")), 5);
    assert_int_equal(json_array_size(json_object_get(rec, "strikes")), 5);
    json_t *pens = json_object_get(rec, "penalties");
    assert_int_equal(json_array_size(pens), 5);
    size_t in_force = 0, i;
    json_t *p;
    json_array_foreach(pens, i, p) in_force += json_is_true(json_object_get(p, "in_force"));
    assert_int_equal(in_force, 1);
    json_t *cur = json_object_get(rec, "penalty");
    assert_string_equal(json_string_value(json_object_get(cur, "level")), "termination");
    assert_int_equal(json_array_size(json_object_get(cur, "strike_ids")), 5);
    assert_true(json_is_null(json_object_get(cur, "until"))); /* for good */
    json_t *sk = json_array_get(json_object_get(rec, "strikes"), 0);
    assert_string_equal(json_string_value(json_object_get(sk, "source_kind")), "detection");
    assert_true(json_is_string(json_object_get(sk, "expires")));
    json_decref(rec);

    /* a terminated seller's network counts as banned */
    rec = NULL;
    assert_int_equal(enforce_network_get(testdb_act_as(&f->db, &f->reviewer), f->shop.id, &rec),
                     IPS_OK);
    assert_true(json_is_true(json_object_get(rec, "banned")));
    assert_string_equal(json_string_value(json_object_get(rec, "ban_kind")), "member_terminated");
    json_decref(rec);
}

static void thresholds_come_from_the_configuration(void **state)
{
    struct fixture *f = *state;
    struct config *c = &f->db.cfg;
    c->enforce_warning_strikes = 2;
    c->enforce_removal_strikes = 0; /* skipped */
    c->enforce_restriction_strikes = 3;
    c->enforce_suspension_strikes = 0;
    c->enforce_termination_strikes = 9;
    assert_int_equal(enforce_level_for(c, 1), ENFORCE_NONE);
    assert_int_equal(enforce_level_for(c, 2), ENFORCE_WARNING);
    assert_int_equal(enforce_level_for(c, 8), ENFORCE_POSTING_RESTRICTION);
    assert_int_equal(enforce_level_for(c, 9), ENFORCE_TERMINATION);
    assert_int_equal(listing_add(f, &f->seller, "K-1", 0), IPS_OK);
    strike(f, f->shop.id, "K-1");
    assert_int_equal(level_of(f, f->shop.id), ENFORCE_NONE);
    strike(f, f->shop.id, "K-1");
    assert_int_equal(level_of(f, f->shop.id), ENFORCE_WARNING);
    strike(f, f->shop.id, "K-1");
    assert_int_equal(level_of(f, f->shop.id), ENFORCE_POSTING_RESTRICTION);
    /* removal was skipped: the listing under strike stays up */
    assert_string_equal(listing_state(f, "K-1"), "live");
}

static void restricted_seller_is_refused_listing_create_and_update(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(listing_add(f, &f->seller, "R-1", 0), IPS_OK);
    for (int i = 0; i < 3; i++)
        strike(f, f->shop.id, NULL);
    assert_int_equal(level_of(f, f->shop.id), ENFORCE_POSTING_RESTRICTION);
    struct ips_ctx *ctx = &f->db.ctx;
    assert_int_equal(listing_add(f, &f->seller, "R-2", 0), IPS_ERR_FORBIDDEN);
    assert_non_null(strstr(ctx->detail, "posting_restriction"));
    json_t *body =
        json_pack("{s:s, s:i, s:s}", "title", "Bag changed", "price", 12, "currency", "EUR");
    struct store_listing l;
    assert_int_equal(
        catalog_listing_update(testdb_act_as(&f->db, &f->seller), "R-1", body, &l, &f->v, NULL),
        IPS_ERR_FORBIDDEN);
    json_decref(body);
    assert_int_equal(store_catalog_listing_get(f->db.s, "R-2", &l), IPS_ERR_NOT_FOUND);
    /* another seller is not affected */
    assert_int_equal(listing_add(f, &f->seller2, "O-1", 0), IPS_OK);
}

static void strike_expiry_lowers_the_level(void **state)
{
    struct fixture *f = *state;
    f->db.cfg.test_deadline_seconds = true; /* strike_days read as seconds */
    f->db.cfg.strike_days = 60;
    strike(f, f->shop.id, NULL);
    strike(f, f->shop.id, NULL);
    assert_int_equal(level_of(f, f->shop.id), ENFORCE_LISTING_REMOVAL);
    int64_t now = time_now_ms();
    /* nothing is due yet */
    assert_int_equal(enforce_tick(testdb_act_as(&f->db, &f->db.sys), now), IPS_OK);
    assert_int_equal(level_of(f, f->shop.id), ENFORCE_LISTING_REMOVAL);
    /* a third strike later: two expire first, leaving one (warning) */
    f->db.cfg.strike_days = 600;
    strike(f, f->shop.id, NULL);
    assert_int_equal(level_of(f, f->shop.id), ENFORCE_POSTING_RESTRICTION);
    assert_int_equal(enforce_tick(testdb_act_as(&f->db, &f->db.sys), now + 120 * 1000), IPS_OK);
    json_t *rec = NULL;
    assert_int_equal(enforce_seller_get(testdb_act_as(&f->db, &f->db.sys), f->shop.id, &rec),
                     IPS_OK);
    /* seller_get counts at the real clock; the stored level is what the tick set */
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(rec, "penalty"), "level")), "warning");
    size_t i, lowered = 0;
    json_t *p;
    json_array_foreach(json_object_get(rec, "penalties"), i, p) lowered +=
        strstr(json_string_value(json_object_get(p, "ended_reason")), "lowered") != NULL;
    assert_int_equal(lowered, 1);
    json_decref(rec);
    /* and once the last expires, no penalty is in force */
    assert_int_equal(enforce_tick(testdb_act_as(&f->db, &f->db.sys), now + 1200 * 1000), IPS_OK);
    assert_int_equal(level_of(f, f->shop.id), ENFORCE_NONE);
    /* a restricted seller that dropped back may post again */
    assert_int_equal(listing_add(f, &f->seller, "E-1", 0), IPS_OK);
}

static void strike_add_refuses_bad_input_and_foreign_listings(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(listing_add(f, &f->seller2, "F-1", 0), IPS_OK);
    struct ips_ctx *ctx = testdb_act_as(&f->db, &f->reviewer);
    assert_int_equal(enforce_strike_add(ctx, f->shop.id, NULL, "", "detection", NULL, NULL),
                     IPS_ERR_INVALID);
    assert_int_equal(enforce_strike_add(ctx, f->shop.id, NULL, "x", "Bad Kind", NULL, NULL),
                     IPS_ERR_INVALID);
    assert_int_equal(enforce_strike_add(ctx, f->shop.id, "F-1", "x", "detection", NULL, NULL),
                     IPS_ERR_INVALID);
    assert_int_equal(enforce_strike_add(ctx, f->brand.id, NULL, "x", "detection", NULL, NULL),
                     IPS_ERR_NOT_FOUND);
    ctx = testdb_act_as(&f->db, &f->seller);
    assert_int_equal(enforce_strike_add(ctx, f->other.id, NULL, "x", "detection", NULL, NULL),
                     IPS_ERR_FORBIDDEN);
    assert_int_equal(level_of(f, f->shop.id), ENFORCE_NONE);
}

static void a_seller_reads_only_its_own_strikes(void **state)
{
    struct fixture *f = *state;
    strike(f, f->shop.id, NULL);
    json_t *rec = NULL;
    assert_int_equal(enforce_seller_get(testdb_act_as(&f->db, &f->seller), f->shop.id, &rec),
                     IPS_OK);
    json_decref(rec);
    rec = NULL;
    assert_int_equal(enforce_seller_get(testdb_act_as(&f->db, &f->seller2), f->shop.id, &rec),
                     IPS_ERR_NOT_FOUND);
    assert_null(rec);
    assert_int_equal(enforce_seller_get(testdb_act_as(&f->db, &f->holder), f->shop.id, &rec),
                     IPS_ERR_NOT_FOUND);
    assert_int_equal(enforce_seller_get(testdb_act_as(&f->db, &f->reviewer), f->shop.id, &rec),
                     IPS_OK);
    json_decref(rec);
    rec = NULL;
    /* the network view is for reviewers */
    assert_int_equal(enforce_network_get(testdb_act_as(&f->db, &f->seller), f->shop.id, &rec),
                     IPS_ERR_FORBIDDEN);
}

/* ---- networks ------------------------------------------------------------------------------ */

static void networks_merge_as_identifiers_are_shared(void **state)
{
    struct fixture *f = *state;
    char a[ID_SIZE], b[ID_SIZE], c[ID_SIZE], d[ID_SIZE];
    testdb_seller_put(&f->db, "net-a", "{\"phone\": \"+44 20 7946 0001\"}", f->shop.id, a);
    testdb_seller_put(&f->db, "net-b", "{\"email\": \"b@shops.test\"}", NULL, b);
    testdb_seller_put(&f->db, "net-d", "{\"device_id\": \"dev-9\"}", NULL, d);
    char na[ID_SIZE], nb[ID_SIZE], nc[ID_SIZE], nd[ID_SIZE];
    assert_int_equal(store_enforce_member_get(f->db.s, a, na), IPS_OK);
    assert_int_equal(store_enforce_member_get(f->db.s, b, nb), IPS_OK);
    assert_string_not_equal(na, nb);
    /* c shares a's phone and b's email: all three become one network */
    testdb_seller_put(&f->db, "net-c", "{\"phone\": \"0044 20 7946 0001\", \"email\": \"B@shops.test\"}", NULL,
               c);
    assert_int_equal(store_enforce_member_get(f->db.s, a, na), IPS_OK);
    assert_int_equal(store_enforce_member_get(f->db.s, b, nb), IPS_OK);
    assert_int_equal(store_enforce_member_get(f->db.s, c, nc), IPS_OK);
    assert_int_equal(store_enforce_member_get(f->db.s, d, nd), IPS_OK);
    assert_string_equal(na, nb);
    assert_string_equal(na, nc);
    assert_string_not_equal(na, nd);
    struct store_network n;
    assert_int_equal(store_enforce_network_get(f->db.s, na, &n), IPS_OK);
    assert_int_equal(n.size, 3);
    /* a changed identifier links d in too */
    testdb_seller_put(&f->db, "net-d", "{\"email\": \"b@shops.test\"}", NULL, d);
    assert_int_equal(store_enforce_member_get(f->db.s, d, nd), IPS_OK);
    assert_int_equal(store_enforce_member_get(f->db.s, a, na), IPS_OK);
    assert_string_equal(na, nd);

    assert_int_equal(listing_add(f, &f->seller, "N-1", 7), IPS_OK);
    json_t *view = NULL;
    assert_int_equal(enforce_network_get(testdb_act_as(&f->db, &f->reviewer), a, &view), IPS_OK);
    assert_int_equal(json_integer_value(json_object_get(view, "size")), 4);
    assert_int_equal(json_array_size(json_object_get(view, "members")), 4);
    json_t *shared = json_object_get(view, "shared_identifiers");
    json_t *phones = json_object_get(shared, "phone"), *emails = json_object_get(shared, "email");
    assert_int_equal(json_array_size(phones), 1);
    assert_int_equal(json_array_size(emails), 1);
    assert_null(json_object_get(shared, "device_id")); /* held by one seller only */
    const char *prefix =
        json_string_value(json_object_get(json_array_get(phones, 0), "hash_prefix"));
    assert_int_equal(strlen(prefix), 12);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(emails, 0), "sellers")), 3);
    char *text = json_dumps(view, 0);
    assert_null(strstr(text, "7946")); /* never plain text */
    assert_null(strstr(text, "shops.test"));
    free(text);
    size_t i;
    json_t *m;
    int64_t units = 0;
    json_array_foreach(json_object_get(view, "members"), i, m) units +=
        json_integer_value(json_object_get(m, "units_sold"));
    assert_int_equal(units, 7);
    json_decref(view);

    /* the bulk rebuild finds the same clusters and changes nothing */
    struct enforce_rebuild_stats rs;
    assert_int_equal(enforce_networks_rebuild(testdb_act_as(&f->db, &f->db.sys), &rs), IPS_OK);
    assert_int_equal(rs.sellers, 4);
    assert_int_equal(rs.clusters, 1);
    assert_int_equal(rs.relabelled, 0);
}

static void
a_new_seller_sharing_a_phone_with_a_banned_network_is_flagged_and_suspended(void **state)
{
    struct fixture *f = *state;
    char a[ID_SIZE], b[ID_SIZE], c[ID_SIZE], x[ID_SIZE];
    testdb_seller_put(&f->db, "ban-a", "{\"phone\": \"+86 138 0000 0001\", \"payment_account\": \"ACC-77\"}",
               f->shop.id, a);
    assert_int_equal(listing_add(f, &f->seller, "B-1", 2), IPS_OK);
    char nid[ID_SIZE];
    struct ips_ctx *ctx = testdb_act_as(&f->db, &f->reviewer);
    assert_int_equal(enforce_network_ban(ctx, a, "", "reviewer", NULL, nid), IPS_ERR_INVALID);
    assert_int_equal(
        enforce_network_ban(ctx, a, "referral outcome: raid", "referral", "REF-1", nid), IPS_OK);
    assert_int_equal(level_of(f, a), ENFORCE_TERMINATION);
    assert_string_equal(listing_state(f, "B-1"), "taken_down");

    /* ban evasion: the same phone on a new shop */
    testdb_seller_put(&f->db, "ban-b", "{\"phone\": \"+8613800000001\"}", f->other.id, b);
    assert_int_equal(level_of(f, b), ENFORCE_SUSPENSION);
    json_t *rec = NULL;
    assert_int_equal(enforce_seller_get(testdb_act_as(&f->db, &f->db.sys), b, &rec), IPS_OK);
    json_t *flag = json_array_get(json_object_get(rec, "evasion_flags"), 0);
    assert_non_null(flag);
    assert_string_equal(json_string_value(json_object_get(flag, "kinds")), "phone");
    assert_non_null(strstr(json_string_value(json_object_get(flag, "reason")), "phone"));
    json_decref(rec);
    assert_int_equal(listing_add(f, &f->seller2, "B-2", 0), IPS_ERR_FORBIDDEN);

    /* the payment account, on a seller whose other identifiers are new */
    f->db.cfg.enforce_evasion_suspend = false;
    testdb_seller_put(&f->db, "ban-c", "{\"email\": \"c@new.test\"}", NULL, c);
    assert_int_equal(level_of(f, c), ENFORCE_NONE);
    testdb_seller_put(&f->db, "ban-c", "{\"payment_account\": \"ACC-77\"}", NULL, c); /* changed identifier */
    assert_int_equal(level_of(f, c), ENFORCE_NONE); /* flagged, not suspended (config) */
    rec = NULL;
    assert_int_equal(enforce_seller_get(testdb_act_as(&f->db, &f->db.sys), c, &rec), IPS_OK);
    flag = json_array_get(json_object_get(rec, "evasion_flags"), 0);
    assert_string_equal(json_string_value(json_object_get(flag, "kinds")), "payment_account");
    json_decref(rec);

    /* an unrelated seller is not flagged */
    testdb_seller_put(&f->db, "ban-x", "{\"phone\": \"+33 1 23 45 67 89\"}", NULL, x);
    assert_int_equal(level_of(f, x), ENFORCE_NONE);

    /* two sellers sharing an email; one adds the banned phone: the whole pair
     * joins the banned network, but only the seller that changed is flagged */
    char y[ID_SIZE], z[ID_SIZE];
    testdb_seller_put(&f->db, "ban-y", "{\"email\": \"yz@shops.test\"}", NULL, y);
    testdb_seller_put(&f->db, "ban-z", "{\"email\": \"yz@shops.test\"}", NULL, z);
    testdb_seller_put(&f->db, "ban-y", "{\"phone\": \"+8613800000001\"}", NULL, y);
    const char *pair[] = {y, z};
    for (int k = 0; k < 2; k++) {
        rec = NULL;
        assert_int_equal(enforce_seller_get(testdb_act_as(&f->db, &f->db.sys), pair[k], &rec),
                         IPS_OK);
        assert_int_equal(json_array_size(json_object_get(rec, "evasion_flags")), k == 0 ? 1 : 0);
        json_decref(rec);
    }

    /* a reviewer lifts the evasion suspension; termination cannot be lifted */
    rec = NULL;
    assert_int_equal(enforce_seller_get(testdb_act_as(&f->db, &f->db.sys), b, &rec), IPS_OK);
    char pid[ID_SIZE];
    snprintf(pid, sizeof pid, "%s",
             json_string_value(json_object_get(json_object_get(rec, "penalty"), "id")));
    json_decref(rec);
    assert_int_equal(enforce_penalty_lift(testdb_act_as(&f->db, &f->seller2), pid, "ok"),
                     IPS_ERR_FORBIDDEN);
    assert_int_equal(enforce_penalty_lift(testdb_act_as(&f->db, &f->reviewer), pid,
                                          "shared phone"
                                          " is a family member's, verified"),
                     IPS_OK);
    assert_int_equal(level_of(f, b), ENFORCE_NONE);
    rec = NULL;
    assert_int_equal(enforce_seller_get(testdb_act_as(&f->db, &f->db.sys), a, &rec), IPS_OK);
    snprintf(pid, sizeof pid, "%s",
             json_string_value(json_object_get(json_object_get(rec, "penalty"), "id")));
    json_decref(rec);
    assert_int_equal(enforce_penalty_lift(testdb_act_as(&f->db, &f->reviewer), pid, "no"),
                     IPS_ERR_CONFLICT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(union_find_joins_sets_and_counts_them),
        cmocka_unit_test(union_find_merges_big_clusters_by_size),
        cmocka_unit_test(link_hashes_joins_owners_of_equal_hashes),
        cmocka_unit_test_setup_teardown(
            escalation_walks_every_level_and_termination_takes_every_listing_down, setup,
            testdb_teardown),
        cmocka_unit_test_setup_teardown(thresholds_come_from_the_configuration, setup,
                                        testdb_teardown),
        cmocka_unit_test_setup_teardown(restricted_seller_is_refused_listing_create_and_update,
                                        setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(strike_expiry_lowers_the_level, setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(strike_add_refuses_bad_input_and_foreign_listings, setup,
                                        testdb_teardown),
        cmocka_unit_test_setup_teardown(a_seller_reads_only_its_own_strikes, setup,
                                        testdb_teardown),
        cmocka_unit_test_setup_teardown(networks_merge_as_identifiers_are_shared, setup,
                                        testdb_teardown),
        cmocka_unit_test_setup_teardown(
            a_new_seller_sharing_a_phone_with_a_banned_network_is_flagged_and_suspended, setup,
            testdb_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
