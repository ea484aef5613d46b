"""Two processes opening an empty database at once: one creates the schema, the other waits and finds it made
(PostgreSQL: advisory lock; SQLite: its write lock) (issue 15)."""

from __future__ import annotations

import threading

import alembic.command

from store import Store
from store import engine as engines

WINDOW_S = 2.0  # how long the first migration waits for a second one to start beside it


def test_two_processes_migrating_an_empty_database_at_once(store_url, monkeypatch):
    upgrade = alembic.command.upgrade
    running, most, guard = [0], [0], threading.Lock()
    second = threading.Event()

    def watched(config, revision):
        with guard:
            running[0] += 1
            most[0] = max(most[0], running[0])
            if running[0] > 1:
                second.set()
        second.wait(WINDOW_S)  # without a lock the other migration starts meanwhile
        try:
            upgrade(config, revision)
        finally:
            with guard:
                running[0] -= 1

    monkeypatch.setattr(alembic.command, "upgrade", watched)
    barrier = threading.Barrier(2)
    errors, stores = [], []

    def start():
        barrier.wait()
        try:
            stores.append(Store.open(store_url))
        except Exception as exc:  # noqa: BLE001 - the test reports what either process met
            errors.append(repr(exc))

    threads = [threading.Thread(target=start) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for store in stores:
        store.close()
    assert errors == [] and len(stores) == 2
    assert most[0] == 1  # the migrations ran one after the other
    check = Store.open(store_url)
    assert engines.current_revision(check.engine) == engines.head_revision()
    check.close()
