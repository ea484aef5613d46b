"""Server-side sessions: a token stored hashed with its expiry, handed once, rotated at login, revoked at logout,
password reset and disabling; a working day long (issue 15)."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import sqlalchemy as sa

from store import (
    close_session,
    disable_user,
    exchange_handoff,
    get_account,
    open_session,
    reset_password,
    session_account,
)
from store.accounts import SESSION_LENGTH
from store.records import now


def logged_in(store, name="hdf", **kwargs):
    """(session id, cookie token) of a new login."""
    opened = open_session(store, get_account(store, name), **kwargs)
    token, _ = exchange_handoff(store, opened.handoff, at=kwargs.get("at"))
    return opened.id, token


def test_a_session_lasts_a_working_day_and_its_token_is_stored_hashed(store):
    start = now()
    session_id, token = logged_in(store, at=start)
    assert timedelta(hours=10) == SESSION_LENGTH
    with store.engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT token_hash FROM sessions WHERE id = :i"), {"i": session_id}).scalar()
    assert stored == hashlib.sha256(token.encode()).hexdigest() and token not in stored
    for found in (session_account(store, token=token, at=start + timedelta(hours=9, minutes=59)),
                  session_account(store, session_id=session_id, at=start + timedelta(hours=9, minutes=59))):
        assert (found[0], found[1].name) == (session_id, "hdf")
    assert session_account(store, token=token, at=start + timedelta(hours=10)) is None
    assert session_account(store, token="un autre jeton") is None


def test_the_handoff_code_is_spent_once_and_is_not_the_token(store):
    opened = open_session(store, get_account(store, "hdf"))
    token, seconds = exchange_handoff(store, opened.handoff)
    assert token != opened.handoff and 0 < seconds <= SESSION_LENGTH.total_seconds()
    assert exchange_handoff(store, opened.handoff) is None
    late = open_session(store, get_account(store, "hdf"))
    assert exchange_handoff(store, late.handoff, at=now() + timedelta(minutes=2)) is None


def test_a_login_rotates_the_session_and_a_logout_revokes_it(store):
    first_id, first = logged_in(store)
    second_id, second = logged_in(store, replaces=first)
    assert session_account(store, token=first) is None and session_account(store, session_id=first_id) is None
    assert session_account(store, token=second)[0] == second_id
    close_session(store, session_id=second_id)
    assert session_account(store, token=second) is None


def test_a_reset_or_a_disabling_ends_the_open_sessions(store):
    _, hdf = logged_in(store, "hdf")
    _, idf = logged_in(store, "idf")
    _, adm = logged_in(store, "adm")
    reset_password(store, "hdf", "un tout autre mot de passe")
    disable_user(store, "idf")
    assert session_account(store, token=hdf) is None and session_account(store, token=idf) is None
    assert session_account(store, token=adm)[1].name == "adm"


def test_a_session_opened_before_a_reset_is_refused_even_if_its_row_survived(store):
    """The credential version is the second line of defence: a row kept (say, written by a process racing the
    reset) is refused because its version is the old one."""
    session_id, token = logged_in(store)
    with store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE users SET credential_version = credential_version + 1 WHERE name = 'hdf'"))
    assert session_account(store, token=token) is None
    assert session_account(store, session_id=session_id) is None
