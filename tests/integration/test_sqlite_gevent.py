"""SQLite under gevent: a transaction waiting for the write lock lets the holder finish.

SQLite's own busy handler sleeps in C, which under gevent stops every greenlet, the lock's
holder included: a second transaction arriving while the first was between two statements
froze the server for the whole busy timeout (a browser test caught a projector page that
never loaded). The scenario runs in a subprocess because gevent's monkey-patching must come
before everything else is imported.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCENARIO = """
from gevent import monkey

monkey.patch_all()

import json, sys

import gevent

from db import make_engine

engine = make_engine("sqlite:///" + sys.argv[1])
with engine.begin() as c:
    c.exec_driver_sql("CREATE TABLE t (who TEXT)")
order = []


def holder():
    with engine.begin() as c:
        c.exec_driver_sql("INSERT INTO t VALUES ('holder')")
        order.append("holder has the lock")
        gevent.sleep(0)  # any greenlet switch inside a transaction: a socket write, a lock
        order.append("holder commits")


def other():
    order.append("other begins")
    with engine.begin() as c:
        c.exec_driver_sql("INSERT INTO t VALUES ('other')")
    order.append("other committed")


gevent.joinall([gevent.spawn(holder), gevent.spawn(other)], raise_error=True)
with engine.connect() as c:
    rows = [r[0] for r in c.exec_driver_sql("SELECT who FROM t ORDER BY rowid")]
print(json.dumps({"order": order, "rows": rows}))
"""


def test_a_waiting_transaction_yields_to_the_lock_holder(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCENARIO, str(tmp_path / "g.sqlite3")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["order"] == [
        "holder has the lock",
        "other begins",
        "holder commits",
        "other committed",
    ]
    assert result["rows"] == ["holder", "other"]
