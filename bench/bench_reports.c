/*
 * bench_reports.c — the metrics of a period (src/reports, reports_metrics)
 * against its baseline.
 *
 *   bench_reports [--notices N] [--reps R] [--keep 1]
 *
 * Data (generated with SQL, not timed): a migrated database with 10 right
 * holders, 1,000 sellers in 5 jurisdictions, N notices (default 200,000) of
 * 4 kinds, 1 in 5 fast track, spread over one year, 2 items each (taken down,
 * some counter-noticed, reinstated, appealed), 2N listings, N detection
 * verdicts with signals, N/4 strikes, N/20 penalties, N/100 referrals to 5
 * agencies, N/10 alliance reports.
 *
 * In one run, best of R (default 3) each:
 *   (a) baseline: one aggregate pass over every row the metrics read —
 *       count(*) and a sum over one column of each table (notices, notice
 *       items, verdicts, strikes, penalties, referrals, alliance reports) —
 *       the least any report of these tables must do;
 *   (b) reports_metrics over the whole year, every org (the platform's
 *       dashboard and the transparency report);
 *   (c) reports_metrics for one right holder (a tenth of the data).
 * Prints the times and the ratios (b)/(a), (c)/(a), then each aggregate
 * query's time (wall and CPU, best of R) for (b) and (c). Results:
 * docs/benchmarks.md.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "access/access.h"
#include "bench_util.h"
#include "core/config.h"
#include "reports/reports.h"
#include "store/store_reports.h"

#define T0 1767225600000LL /* 2026-01-01T00:00:00Z */
#define DAY 86400000LL

static int exec(sqlite3 *db, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
        fprintf(stderr, "seed: %s\n", err ? err : "?");
        sqlite3_free(err);
        return -1;
    }
    return 0;
}

/* The data set of the file comment, in one transaction. */
static int seed(const char *path, long n)
{
    sqlite3 *db = NULL;
    char *sql = NULL;
    int rc = -1;
    if (sqlite3_open(path, &db) != SQLITE_OK)
        goto out;
    sql = sqlite3_mprintf(
        "PRAGMA foreign_keys = OFF; BEGIN;"
        "WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < 9)"
        " INSERT INTO orgs SELECT 'H' || i, 'Holder ' || i, 'rightholder', 0 FROM k;"
        "WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < 9)"
        " INSERT INTO rights (id, org_id, filed_by, filed_by_org, kind, status, created_ms)"
        " SELECT 'R' || i, 'H' || i, 'u', 'H' || i, 'trademark', 'verified', 0 FROM k;"
        "WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < 999)"
        " INSERT INTO orgs SELECT 'S' || i, 'Seller ' || i, 'seller', 0 FROM k;"
        "WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < 999)"
        " INSERT INTO seller_profiles (org_id, external_id, display_name, ship_from, created_ms,"
        " updated_ms) SELECT 'S' || i, 'x' || i, 's', CASE i %% 5 WHEN 0 THEN 'CN-GD' WHEN 1"
        " THEN 'CN-ZJ' WHEN 2 THEN 'US-CA' WHEN 3 THEN 'DE-BE' ELSE 'TR' END, 0, 0 FROM k;"
        "WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < 4)"
        " INSERT INTO orgs SELECT 'A' || i, 'Agency ' || i, 'agency', 0 FROM k;"
        "WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < 4)"
        " INSERT INTO agencies SELECT 'A' || i, 'CN', 0, '', '', '', 0, 0 FROM k;"
        "WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < %ld)"
        " INSERT INTO listings (id, seller_org_id, current_version, current_hash, current_vrow,"
        " created_ms, updated_ms) SELECT 'L' || i, 'S' || (i %% 1000), 1, zeroblob(32), 0, 0, 0"
        " FROM k;"
        "INSERT INTO listing_versions (listing_id, version, title, description, price_minor,"
        " currency, category, units_sold, content_hash, created_ms)"
        " SELECT id, 1, 't', 'd', 100, 'EUR', 'bags', abs(random()) %% 3, zeroblob(32), 0"
        " FROM listings;"
        "WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < %ld)"
        " INSERT INTO notices (id, notifier_org_id, submitted_by, right_id, right_org_id, kind,"
        " explanation, notifier_name, notifier_email, on_behalf_of, signature, good_faith,"
        " accuracy, evidence, fast_track, state, outcome, risk, items_total, review_deadline_ms,"
        " sla_breached, decided_by, decision_reason, created_ms, decided_ms, updated_ms)"
        " SELECT 'N' || i, 'H' || (i %% 10), 'u', 'R' || (i %% 10), 'H' || (i %% 10),"
        " CASE i %% 4 WHEN 0 THEN 'counterfeit' WHEN 1 THEN 'trademark_misuse' WHEN 2 THEN"
        " 'copyright' ELSE 'design' END, 'e', 'n', 'n@x', '', 's', 1, 1, '[]', i %% 5 = 0,"
        " 'decided', CASE WHEN i %% 13 = 0 THEN 'rejected' ELSE 'upheld' END, 0, 2, 0, 0, 'r',"
        " '', %lld + i * (365 * %lld / %ld), %lld + i * (365 * %lld / %ld) + 5 * 3600000, 0"
        " FROM k;",
        2 * n - 1, n - 1, T0, DAY, n, T0, DAY, n);
    if (!sql || exec(db, sql))
        goto out;
    sqlite3_free(sql);
    sql = sqlite3_mprintf(
        "INSERT INTO notice_items (notice_id, listing_id, seller_org_id, notifier_org_id, state,"
        " content_version, taken_down_ms, counter_deadline_ms, counter_explanation,"
        " counter_evidence, counter_by, counter_ms, decided_by, decision_reason, decided_ms,"
        " appeal_state, appeal_by_org, appeal_explanation, appeal_decided_by, appeal_ms,"
        " updated_ms, received_ms)"
        " SELECT n.id, 'L' || (2 * CAST(substr(n.id, 2) AS INTEGER) + j.j), 'S' || ((2 *"
        " CAST(substr(n.id, 2) AS INTEGER) + j.j) %% 1000), n.notifier_org_id,"
        " CASE WHEN n.outcome = 'rejected' THEN 'rejected' WHEN j.j = 1 AND n.rowid %% 7 = 0"
        " THEN 'reinstated' ELSE 'upheld' END, 1, CASE WHEN n.outcome = 'rejected' THEN 0 ELSE"
        " n.created_ms + (n.rowid %% 48) * 3600000 END, 0, '', '[]', '', CASE WHEN j.j = 1 AND"
        " n.rowid %% 7 = 0 THEN n.created_ms + 2 * %lld ELSE 0 END, 'r', '', n.decided_ms,"
        " CASE WHEN n.rowid %% 50 = 0 THEN 'open' ELSE '' END, '', '', '', CASE WHEN n.rowid %%"
        " 50 = 0 THEN n.decided_ms + %lld ELSE 0 END, 0, n.created_ms"
        " FROM notices n, (SELECT 0 AS j UNION ALL SELECT 1) j;"
        /* the units sold of the taken-down version, as the item UPDATE stores them */
        "UPDATE notice_items SET version_sold = (SELECT v.units_sold FROM listing_versions v"
        " WHERE v.listing_id = notice_items.listing_id"
        " AND v.version = notice_items.content_version) WHERE taken_down_ms > 0;"
        "INSERT INTO detection_verdicts (id, listing_id, listing_version, rules_version,"
        " checked_version, score_milli, action, applied, status, signals, outcome_key,"
        " is_current, created_ms)"
        " SELECT 'V' || rowid, listing_id, 1, 1, 1, 500, CASE rowid %% 4 WHEN 0 THEN 'allow'"
        " WHEN 1 THEN 'monitor' WHEN 2 THEN 'review' ELSE 'block' END, CASE rowid %% 4 WHEN 3"
        " THEN 'blocked' ELSE 'none' END, 'open', '[{\"type\":\"brand_term\"},{\"type\":"
        "\"price_below_reference\"}]', 'k', 1, %lld + (rowid %% 365) * %lld"
        " FROM notice_items WHERE rowid %% 2 = 0;"
        /* their signal types, as the detections store writes them (0025) */
        "INSERT INTO detection_verdict_signals (created_ms, verdict_id, type, signals)"
        " SELECT d.created_ms, d.id, json_extract(s.value, '$.type'), count(*)"
        " FROM detection_verdicts d, json_each(d.signals) s WHERE d.action <> 'allow'"
        " GROUP BY 1, 2, 3;"
        "INSERT INTO detection_verdict_orgs (verdict_id, org_id)"
        " SELECT id, 'H' || (rowid %% 10) FROM detection_verdicts;"
        "INSERT INTO strikes (id, seller_org_id, notice_id, listing_id, reason, created_ms,"
        " expires_ms, revoked_ms, source_kind, source_id)"
        " SELECT 'K' || rowid, seller_org_id, notice_id, listing_id, 'r', taken_down_ms,"
        " taken_down_ms + 365 * %lld, 0, 'notice', '' FROM notice_items"
        " WHERE rowid %% 8 = 0 AND taken_down_ms > 0;"
        "INSERT INTO penalties (id, seller_org_id, level, rank, source, reason, from_ms,"
        " until_ms, ended_ms) SELECT 'P' || rowid, seller_org_id, 'warning', 1, 'strikes', 'r',"
        " created_ms, 0, 0 FROM strikes WHERE rowid %% 5 = 0;"
        "INSERT INTO referrals (id, seller_org_id, network_id, created_by, summary, tlp,"
        " ship_from, route_note, buyer_countries, status, result, raid_date, arrests,"
        " units_seized, value_seized_minor, value_currency, units_sold, evidence_sha256,"
        " manifest_sha256, feedback_ms, created_ms, updated_ms)"
        " SELECT 'F' || rowid, seller_org_id, '', 'u', 's', 'AMBER', 'CN-GD', '', '[]', 'closed',"
        " 'confirmed', '', 2, 100, 50000, 'CNY', 0, '', '', 0, created_ms, 0 FROM strikes"
        " WHERE rowid %% 25 = 0;"
        "INSERT INTO referral_recipients SELECT id, 'A' || (rowid %% 5), 'primary', 0, '', 0"
        " FROM referrals;"
        "INSERT INTO referral_rightholders SELECT id, 'H' || (rowid %% 10) FROM referrals;"
        "INSERT INTO alliance_members SELECT id, 'active', 0, 0, '' FROM orgs"
        " WHERE kind = 'rightholder';"
        "INSERT INTO alliance_reports (id, member_org_id, seller_org_id, reporter_id, reason,"
        " created_ms) SELECT 'AR' || rowid, notifier_org_id, 'S' || (rowid %% 1000), 'u', 'r',"
        " created_ms FROM notices WHERE rowid %% 10 = 0;"
        "COMMIT; ANALYZE;",
        DAY, DAY, T0, DAY, DAY);
    rc = sql ? exec(db, sql) : -1;
out:
    sqlite3_free(sql);
    sqlite3_close(db);
    return rc;
}

static ips_status count_row(const struct store_reports_row *row, void *arg)
{
    (void)row;
    ++*(long *)arg;
    return IPS_OK;
}

/* Each aggregate query of store_reports.h, best of reps, for every org
 * (holder NULL) or one right holder's own numbers: where the time goes
 * (wall and CPU seconds). */
static void per_query(struct store *s, int64_t from, int64_t to, const char *holder, long reps)
{
    static const char *const names[] = {
#define NAME(q) #q,
        STORE_REPORTS_QUERY_MAP(NAME)
#undef NAME
    };
    struct store_reports_filter f = {from, to, holder, NULL, NULL, NULL, NULL, 1000};
    for (int q = 0; q < STORE_REPORTS__COUNT; q++) {
        long rows = 0;
        double wall = 1e9, cpu = 1e9;
        ips_status st = IPS_OK;
        for (long r = 0; r < reps && !st; r++) {
            double t = bench_now_s(), c = bench_cpu_s(RUSAGE_SELF);
            rows = 0;
            st = store_reports_query(s, (enum store_reports_query)q, &f, count_row, &rows);
            c = bench_cpu_s(RUSAGE_SELF) - c;
            t = bench_now_s() - t;
            wall = t < wall ? t : wall;
            cpu = c < cpu ? c : cpu;
        }
        printf("    %-11s %8.3f s  %8.3f s CPU  %5ld rows  %s\n", names[q], wall, cpu, rows,
               ips_status_name(st));
    }
}

/* The baseline: one aggregate pass over each table the metrics read. */
static int baseline(sqlite3 *db, long long *sum)
{
    static const char *const q[] = {
        "SELECT count(*) + sum(created_ms % 7) FROM notices",
        "SELECT count(*) + sum(taken_down_ms % 7) FROM notice_items",
        "SELECT count(*) + sum(created_ms % 7) FROM detection_verdicts",
        "SELECT count(*) + sum(created_ms % 7) FROM strikes",
        "SELECT count(*) + sum(from_ms % 7) FROM penalties",
        "SELECT count(*) + sum(arrests) FROM referrals",
        "SELECT count(*) + sum(created_ms % 7) FROM alliance_reports",
    };
    *sum = 0;
    for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(db, q[i], -1, &st, NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
            sqlite3_finalize(st);
            return -1;
        }
        *sum += sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    return 0;
}

int main(int argc, char **argv)
{
    long n = bench_arg_long(argc, argv, "--notices", 200000);
    long reps = bench_arg_long(argc, argv, "--reps", 3);
    char dir[] = "/tmp/bench-reports-XXXXXX", path[64], err[256];
    struct store *s = NULL;
    struct config cfg;
    sqlite3 *raw = NULL;
    int rc = 1;
    if (n < 100 || reps < 1 || !mkdtemp(dir))
        return 2;
    snprintf(path, sizeof path, "%s/r.db", dir);
    if (config_load(&cfg, err, sizeof err) || store_open(path, &s) || store_migrate(s, NULL)) {
        fprintf(stderr, "cannot set up %s\n", path);
        return 1;
    }
    store_close(s);
    s = NULL;
    double t0 = bench_now_s();
    if (seed(path, n))
        goto out;
    fprintf(stderr, "seeded %ld notices in %.1f s\n", n, bench_now_s() - t0);
    if (store_open(path, &s) || sqlite3_open_v2(path, &raw, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        goto out;

    struct access_principal sys;
    access_principal_system(&sys);
    struct ips_ctx ctx = {s, &sys, &cfg, "bench", json_array(), {0}};
    struct reports_filter f;
    memset(&f, 0, sizeof f);
    f.from_ms = T0;
    f.to_ms = T0 + 366 * DAY;
    struct access_principal holder = sys;
    holder.via = VIA_TOKEN;
    holder.role = ROLE_RIGHTHOLDER;
    snprintf(holder.org_id, sizeof holder.org_id, "H0");
    struct ips_ctx hctx = ctx;
    hctx.actor = &holder;

    double best[3] = {1e9, 1e9, 1e9}, cpu[3] = {1e9, 1e9, 1e9};
    long long check = 0, received = 0, own = 0;
    for (long r = 0; r < reps; r++) {
        double a = bench_now_s(), ca = bench_cpu_s(RUSAGE_SELF);
        if (baseline(raw, &check))
            goto out;
        double b = bench_now_s(), cb = bench_cpu_s(RUSAGE_SELF);
        json_t *m = NULL, *mh = NULL;
        if (reports_metrics(&ctx, &f, &m))
            goto out;
        double c = bench_now_s(), cc = bench_cpu_s(RUSAGE_SELF);
        if (reports_metrics(&hctx, &f, &mh))
            goto out;
        double d = bench_now_s(), cd = bench_cpu_s(RUSAGE_SELF);
        cpu[0] = cb - ca < cpu[0] ? cb - ca : cpu[0];
        cpu[1] = cc - cb < cpu[1] ? cc - cb : cpu[1];
        cpu[2] = cd - cc < cpu[2] ? cd - cc : cpu[2];
        received = json_integer_value(json_object_get(json_object_get(m, "notices"), "received"));
        own = json_integer_value(json_object_get(json_object_get(mh, "notices"), "received"));
        json_decref(m);
        json_decref(mh);
        best[0] = b - a < best[0] ? b - a : best[0];
        best[1] = c - b < best[1] ? c - b : best[1];
        best[2] = d - c < best[2] ? d - c : best[2];
    }
    printf("notices %ld (received counted: all %lld, holder H0 %lld; baseline checksum %lld)\n", n,
           received, own, check);
    printf("                                          wall s     CPU s   ratio to (a), CPU\n");
    printf("(a) baseline, one pass over every table   %8.3f  %8.3f\n", best[0], cpu[0]);
    printf("(b) reports_metrics, every org            %8.3f  %8.3f   %.1f\n", best[1], cpu[1],
           cpu[1] / cpu[0]);
    printf("(c) reports_metrics, one right holder     %8.3f  %8.3f   %.1f\n", best[2], cpu[2],
           cpu[2] / cpu[0]);
    printf("per query, every org:\n");
    per_query(s, f.from_ms, f.to_ms, NULL, reps);
    printf("per query, right holder H0:\n");
    per_query(s, f.from_ms, f.to_ms, "H0", reps);
    rc = received == n ? 0 : 1;
    json_decref(ctx.errors);
out:
    if (rc)
        fprintf(stderr, "bench_reports failed\n");
    sqlite3_close(raw);
    if (s)
        store_close(s);
    config_release(&cfg);
    if (bench_arg_long(argc, argv, "--keep", 0)) {
        fprintf(stderr, "kept %s\n", path); /* --keep 1: for EXPLAIN QUERY PLAN by hand */
        return rc;
    }
    char cmd[128];
    snprintf(cmd, sizeof cmd, "%s/r.db", dir);
    unlink(cmd);
    snprintf(cmd, sizeof cmd, "%s/r.db-wal", dir);
    unlink(cmd);
    snprintf(cmd, sizeof cmd, "%s/r.db-shm", dir);
    unlink(cmd);
    rmdir(dir);
    return rc;
}
