"""Login throttle under concurrency, the password checked outside any transaction, a busy SQLite database, the same
answer for known and unknown names, and a stranger who cannot lock the owner out (issue 15)."""

from __future__ import annotations

import sqlite3
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from store import AuthError, Store, accounts, authenticate
from store import engine as engines
from store.records import now
from tests.store.conftest import PASSWORD

GUESSES = 6


def attempt(store, name, password, **kwargs) -> str:
    """The answer of one login: the account's name, or the refusal's words."""
    try:
        return authenticate(store, name, password, **kwargs).name
    except AuthError as exc:
        return str(exc)


def test_parallel_wrong_guesses_lock_the_account_after_the_limit(store, monkeypatch):
    checked = []
    verify = accounts._verify
    monkeypatch.setattr(accounts, "_verify", lambda digest, password: checked.append(1) or verify(digest, password))
    start = now()
    barrier = threading.Barrier(GUESSES)
    answers = []

    def guess():
        barrier.wait()
        answers.append(attempt(store, "hdf", "mauvais", at=start))

    threads = [threading.Thread(target=guess) for _ in range(GUESSES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # each attempt was counted before its password was checked: only the free ones were checked at all
    assert len(checked) == accounts.FREE_ATTEMPTS
    assert sorted(answers) == sorted([accounts.REFUSED] * accounts.FREE_ATTEMPTS
                                     + ["Trop de tentatives échouées : réessayez dans 6 s."] * (GUESSES - 3))
    assert attempt(store, "hdf", PASSWORD, at=start + timedelta(seconds=1)).startswith("Trop de tentatives")


def test_the_password_is_checked_outside_any_transaction(store, store_url, monkeypatch):
    """While the hash is computed no connection of the store is in use, and an unrelated write that would not wait
    a moment for a lock (busy timeout 0, lock timeout 0) goes through."""
    other = sa.create_engine(store_url, **({"connect_args": {"timeout": 0}} if store_url.startswith("sqlite")
                                           else {}))
    seen = []
    original = accounts._verify

    def verify(digest, password):
        seen.append(store.engine.pool.checkedout())
        with other.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text("SET LOCAL lock_timeout = 1"))
            conn.execute(sa.text("UPDATE users SET email = email WHERE name = 'hdf'"))
        return original(digest, password)

    monkeypatch.setattr(accounts, "_verify", verify)
    try:
        assert attempt(store, "hdf", PASSWORD) == "hdf"
        assert attempt(store, "hdf", "mauvais") == accounts.REFUSED
    finally:
        other.dispose()
    assert seen == [0, 0]


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_a_busy_sqlite_database_gets_a_french_message(store, store_url, monkeypatch):
    monkeypatch.setattr(engines, "BUSY_TIMEOUT_MS", 50)
    busy = Store.open(store_url)
    holder = sqlite3.connect(sa.make_url(store_url).database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(AuthError, match="^La base de données est momentanément occupée : réessayez"):
            authenticate(busy, "hdf", PASSWORD)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        busy.close()


def test_known_and_unknown_names_get_the_same_answers(store):
    start = now()
    for name in ("hdf", "personne"):
        answers = [attempt(store, name, "mauvais", at=start) for _ in range(accounts.FREE_ATTEMPTS + 1)]
        assert answers == [accounts.REFUSED] * accounts.FREE_ATTEMPTS + [
            "Trop de tentatives échouées : réessayez dans 6 s."], name


def test_a_stranger_cannot_lock_the_owner_out(store):
    start = now()
    for _ in range(accounts.CLIENT.free + 2):
        attempt(store, "hdf", "mauvais", clients=("adresse:203.0.113.9", "session:etranger"), at=start)
    assert attempt(store, "hdf", PASSWORD, clients=("adresse:203.0.113.9", "session:etranger"),
                   at=start).startswith("Trop de tentatives")
    # the owner, from another address and browser session, logs in at once
    assert attempt(store, "hdf", PASSWORD, clients=("adresse:198.51.100.7", "session:proprietaire"),
                   at=start) == "hdf"


def test_many_clients_guessing_one_account_are_slowed_down_but_briefly(store):
    start = now()
    for n in range(accounts.ACCOUNT.free):
        assert attempt(store, "hdf", "mauvais", clients=(f"adresse:203.0.113.{n}",), at=start) == accounts.REFUSED
    assert attempt(store, "hdf", PASSWORD, clients=("adresse:198.51.100.7",), at=start).startswith(
        "Trop de tentatives")
    later = start + timedelta(seconds=accounts.ACCOUNT.max_delay_s + 1)
    assert attempt(store, "hdf", PASSWORD, clients=("adresse:198.51.100.7",), at=later) == "hdf"


def test_password_checks_at_once_are_bounded(store, monkeypatch):
    """Every turn taken (as by checks running in other sessions): the next login is asked to try again, and its
    attempt is not counted against the account."""
    monkeypatch.setattr(accounts, "CHECK_WAIT_S", 0.01)
    taken = [accounts._checks.acquire(blocking=False) for _ in range(accounts.MAX_CHECKS)]
    try:
        assert all(taken)
        for _ in range(accounts.FREE_ATTEMPTS + 1):
            assert attempt(store, "hdf", "mauvais") == accounts.CROWDED
            assert "réessayez" in accounts.CROWDED
    finally:
        for _ in taken:
            accounts._checks.release()
    assert attempt(store, "hdf", PASSWORD) == "hdf"
