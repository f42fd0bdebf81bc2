#!/usr/bin/env python3
"""Pages per B-tree of the last transactions in a SQLite write-ahead log.

Usage: bench/notice_pages.py <file.db> [transactions=20]

Reads <file.db>-wal (left by `BENCH_NOTICES_KEEP_WAL=<file.db> node
bench/bench_notices.mjs <n> 1`, whose server is killed after the
submissions), splits its valid frames (those carrying the header's salts)
into committed transactions, and maps each frame's page number to the table
or index owning that page (SQLite's dbstat, on a copy of the database and
its log). Prints the mean distinct pages per transaction and, per B-tree,
the mean pages it had in the last N transactions. With one connection each
transaction is one notice (docs/benchmarks.md, "Fewer writes per notice").
"""
import collections
import os
import shutil
import sqlite3
import struct
import sys
import tempfile


def main():
    db = sys.argv[1]
    last_n = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    with open(db + '-wal', 'rb') as f:
        wal = f.read()
    if len(wal) < 32:
        sys.exit('no write-ahead log frames in ' + db + '-wal')
    _, _, page_size, _, salt1, salt2, _, _ = struct.unpack('>8I', wal[:32])
    txs, cur, off = [], [], 32
    while off + 24 + page_size <= len(wal):
        pgno, commit_size, s1, s2 = struct.unpack('>4I', wal[off:off + 16])
        if (s1, s2) != (salt1, salt2):
            break  # frames of an earlier generation of the log
        cur.append(pgno)
        if commit_size:
            txs.append(cur)
            cur = []
        off += 24 + page_size
    if not txs:
        sys.exit('no committed transaction in the log')
    with tempfile.TemporaryDirectory() as tmp:
        copy = os.path.join(tmp, 'copy.db')
        shutil.copy(db, copy)
        shutil.copy(db + '-wal', copy + '-wal')
        con = sqlite3.connect(copy)
        owner = dict(con.execute('SELECT pageno, name FROM dbstat'))
        con.close()
    last = txs[-last_n:]
    per_tree = collections.Counter()
    for tx in last:
        for pgno in set(tx):
            per_tree[owner.get(pgno, '(freed page %d)' % pgno)] += 1
    print('transactions in the log: %d; last %d: %.2f pages, %.2f frames per transaction, %d B-trees'
          % (len(txs), len(last), sum(len(set(t)) for t in last) / len(last),
             sum(len(t) for t in last) / len(last), len(per_tree)))
    for name, pages in per_tree.most_common():
        print('%6.2f  %s' % (pages / len(last), name))


if __name__ == '__main__':
    main()
