#!/usr/bin/env python3
"""import_profile.py - where `iprshield import listings` spends its CPU, item by item.

Usage (RelWithDebInfo build, a fresh migrated database; docs/benchmarks.md,
"Catalog import", fifth pass):

    perf record --call-graph dwarf,16384 -F 1999 -o p.data -- \
        iprshield import listings FILE --db DB
    perf script -i p.data -F tid,ip,sym > p.txt
    bench/import_profile.py p.txt ROWS

Each sample goes to the first row of CATS one of whose functions is on its
stack. Tail calls hide bulk_index and verdict_insert: a sqlite__write called
straight from catalog__batch_tx is the full-text batch index, one called
straight from scan__store the verdict insert ("callee@caller" below).
Microseconds per row = samples / 1999 Hz / ROWS.
"""
import collections
import sys

CATS = [  # (row, functions any of which on the stack puts the sample there); first match wins
 ("writer: commit (WAL frames, sync)", ["sqlite__tx_commit"]),
 # the durability hook's PASSIVE checkpoint after a commit (sqlite_durable.c), run from
 # store_tx_run after the transaction: not part of the commit's stack
 ("writer: checkpoint after the commit (durability hook)", ["sqlite__durable_after_commit"]),
 ("writer: rules load + Hyperscan compile (first batch)", ["detections__rules_get"]),
 ("writer: FTS5 batch index (bulk_index)", ["bulk_index", "sqlite__write@catalog__batch_tx"]),
 ("writer: scan: text (normalise + Hyperscan)", ["scan__field"]),
 ("writer: scan: verdict row + indexes", ["verdict_insert", "sqlite__write@scan__store"]),
 ("writer: scan: verdict orgs", ["org_insert"]),
 ("writer: scan: seller signal", ["scan__seller"]),
 ("writer: scan: signals JSON + outcome key", ["json_dumps", "scan__outcome_key"]),
 ("writer: scan: audit", ["audit_append@scan"]),
 ("writer: scan: rest", ["scan__store", "detections_batch_begin", "detections_batch_end"]),
 ("writer: version row + its indexes", ["version_insert"]),
 ("writer: listing row + listings_seller", ["listing_insert"]),
 ("writer: listing lookup (listing_get)", ["listing_get"]),
 ("writer: seller resolve + posting check", ["catalog__seller_resolve", "enforce_posting_check"]),
 ("writer: batch audit event", ["audit_append"]),
 ("writer: tx begin / rest of batch", ["catalog__batch_tx", "store_tx_run", "catalog__write"]),
 ("parser: text prescan (normalise + Hyperscan)", ["detections_prescan"]),
 ("parser: jansson json_loadb", ["json_loadb"]),
 ("parser: validate + content hash", ["catalog__listing_parse"]),
 ("parser: free batch (json_decref)", ["catalog__batch_release"]),
 ("parser: line reading / rest of import", ["cli_import_file", "catalog_import_line"]),
 ("process start, open, migrate check", ["_dl_start", "dl_main", "_dl_sysdep_start", "store_open", "main"]),
]
counts = collections.Counter(); total = 0
def flush(frames):
    global total
    if not frames: return
    total += 1
    names = [f.split(" ", 1)[1] if " " in f else f for f in frames]
    names = [n.replace(" (inlined)", "") for n in names]
    for cat, keys in CATS:
        for k in keys:
            if "@" in k and k != "audit_append@scan":
                callee, caller = k.split("@")
                if caller in names and names.index(caller) > 0 and names[names.index(caller) - 1] == callee:
                    counts[cat] += 1; return
                continue
            if k == "audit_append@scan":
                if "audit_append" in names and "scan__store" in names: counts[cat] += 1; return
                continue
            if k in names: counts[cat] += 1; return
    counts["other (unresolved stacks)"] += 1
frames = []
for line in open(sys.argv[1]):
    if line.startswith("\t") or line.startswith("    "):
        frames.append(line.strip())
    elif line.strip() == "":
        flush(frames); frames = []
    else:
        flush(frames); frames = []
flush(frames)
HZ = 1999
rows = int(sys.argv[2]) if len(sys.argv) > 2 else 0
print(f"samples {total}")
for cat, _ in CATS + [("other (unresolved stacks)", [])]:
    c = counts[cat]
    us = f"{1e6 * c / HZ / rows:6.1f}" if rows else ""
    print(f"| {cat} | {100*c/total:5.1f}% | {us} |")
