"""`kill -9` in the middle of a publish leaves the store exactly as before, on each engine.

The writer is a real process; an SQLAlchemy event stops it right after the records are updated and before the
journal is written (a known point inside the transaction), where the test kills it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from store import Store
from tests.paths import REPO
from tests.store.test_import import HDF_FILE

WRITER = """
import sys, time
from pathlib import Path
from sqlalchemy import event
from store import Store

url, folder, source, marker = sys.argv[1:]
store = Store.open(url, reference_folder=Path(folder))

@event.listens_for(store.engine, "after_cursor_execute")
def stop_inside_the_transaction(conn, cursor, statement, parameters, context, executemany):
    if statement.lstrip().upper().startswith("UPDATE RECORDS"):
        Path(marker).write_text("records updated, journal not written")
        time.sleep(600)

plan = store.plan_import("hdf", Path(source))
store.publish(plan, "hdf", "interrompu")
"""


def state(store: Store):
    records = {kind: store.read_records(kind) for kind in ("regies", "organismes", "partenariats")}
    return records, store.change_sets(), store.data_version()


def test_kill_9_during_publish_changes_nothing(store, store_url, data_folder, tmp_path):
    source = tmp_path / "partenariats.csv"
    source.write_text(HDF_FILE, encoding="utf-8")
    marker = tmp_path / "inside"
    before = state(store)
    writer = subprocess.Popen([sys.executable, "-c", WRITER, store_url, str(data_folder), str(source), str(marker)],
                              cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, stderr=subprocess.PIPE)
    try:
        for _ in range(1200):
            if marker.exists() or writer.poll() is not None:
                break
            time.sleep(0.05)
        assert marker.exists(), writer.stderr.read().decode() if writer.poll() is not None else "writer too slow"
    finally:
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait()
        writer.stderr.close()
    assert writer.returncode == -signal.SIGKILL
    assert state(store) == before
    # and the store is not left locked: the same import goes through afterwards
    plan = store.plan_import("hdf", source)
    store.publish(plan, "hdf", "repris")
    assert store.read_records("partenariats")["P-1"][0]["statut"] == "en cours"
