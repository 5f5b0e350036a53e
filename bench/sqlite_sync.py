"""Cost of SQLite's synchronous=FULL against NORMAL in WAL mode, on this machine's disk.

Each commit is what Lärnav's write transactions look like: BEGIN IMMEDIATE, a row of about
200 bytes and an audit row, COMMIT. Run: python3 bench/sqlite_sync.py [commits] [directory]
(the directory should be on the disk the data directory lives on; default: the current one).
"""

import os
import sqlite3
import sys
import tempfile
import time

n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
where = sys.argv[2] if len(sys.argv) > 2 else "."
for mode in ["NORMAL", "FULL"]:
    with tempfile.TemporaryDirectory(dir=where) as d:
        c = sqlite3.connect(os.path.join(d, "bench.db"), isolation_level=None)
        c.execute("PRAGMA journal_mode=WAL")
        c.execute(f"PRAGMA synchronous={mode}")
        c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b TEXT)")
        t0 = time.perf_counter()
        for _ in range(n):
            c.execute("BEGIN IMMEDIATE")
            c.execute("INSERT INTO t (a, b) VALUES (?, ?)", ("x" * 100, "y" * 100))
            c.execute("INSERT INTO t (a, b) VALUES ('audit', 'row')")
            c.execute("COMMIT")
        dt = time.perf_counter() - t0
        c.close()
        print(f"synchronous={mode}: {n / dt:.0f} commits/s, {dt / n * 1e6:.0f} µs per commit")
