"""Accounts: argon2id hashes, login throttling, disable/reset, OpenID Connect mapping, no secret in logs."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
import sqlalchemy as sa
from argon2 import Type

from store import AccountError, AuthError, accounts, authenticate, disable_user, reset_password, user_for_email
from store.records import now
from tests.store.conftest import PASSWORD


def stored_hash(store, name: str) -> str:
    with store.engine.connect() as conn:
        return conn.execute(sa.text("SELECT password_hash FROM users WHERE name = :n"), {"n": name}).scalar_one()


def test_hashes_are_argon2id(store):
    assert stored_hash(store, "hdf").startswith("$argon2id$")
    # the application's own parameters (the tests use cheaper ones): argon2id, 64 MiB, 3 passes
    assert (accounts.PARAMETERS.type, accounts.PARAMETERS.memory_cost, accounts.PARAMETERS.time_cost) == \
        (Type.ID, 65536, 3)


def test_login(store):
    account = authenticate(store, "hdf", PASSWORD)
    assert (account.name, account.role, account.regions) == ("hdf", "contributeur", {"32"})
    with pytest.raises(AuthError, match="Identifiant ou mot de passe incorrect"):
        authenticate(store, "hdf", "mauvais mot de passe")
    with pytest.raises(AuthError, match="Identifiant ou mot de passe incorrect"):  # same words: no name oracle
        authenticate(store, "inconnu", PASSWORD)


def test_failed_attempts_slow_the_next_ones_down(store):
    start = now()
    for _ in range(3):
        with pytest.raises(AuthError, match="incorrect"):
            authenticate(store, "hdf", "mauvais", at=start)
    with pytest.raises(AuthError, match="réessayez dans 5 s"):  # even the right password waits
        authenticate(store, "hdf", PASSWORD, at=start + timedelta(seconds=1))
    with pytest.raises(AuthError, match="incorrect"):
        authenticate(store, "hdf", "mauvais", at=start + timedelta(seconds=6))
    with pytest.raises(AuthError, match="réessayez dans 10 s"):  # the delay doubles
        authenticate(store, "hdf", PASSWORD, at=start + timedelta(seconds=7))
    assert authenticate(store, "hdf", PASSWORD, at=start + timedelta(seconds=17)).name == "hdf"
    with pytest.raises(AuthError, match="incorrect"):  # a success starts the count again
        authenticate(store, "hdf", "mauvais", at=start + timedelta(seconds=18))
    assert authenticate(store, "hdf", PASSWORD, at=start + timedelta(seconds=18)).name == "hdf"
    assert [accounts.delay_after(n) for n in (1, 2, 3, 4, 5, 20)] == [0, 0, 5, 10, 20, 900]


def test_disable_and_reset(store):
    disable_user(store, "idf")
    with pytest.raises(AuthError, match="désactivé"):
        authenticate(store, "idf", PASSWORD)
    reset_password(store, "hdf", "un tout autre mot de passe")
    with pytest.raises(AuthError):
        authenticate(store, "hdf", PASSWORD)
    assert authenticate(store, "hdf", "un tout autre mot de passe").name == "hdf"
    with pytest.raises(AccountError, match="introuvable"):
        reset_password(store, "personne", "un tout autre mot de passe")


def test_account_rules(store):
    with pytest.raises(AccountError, match="trop court"):
        accounts.add_user(store, "x", "admin", password="court")
    with pytest.raises(AccountError, match="au moins une région"):
        accounts.add_user(store, "x", "contributeur", password=PASSWORD)
    with pytest.raises(AccountError, match="inconnu.*99"):
        accounts.add_user(store, "x", "contributeur", ["99"], password=PASSWORD)
    with pytest.raises(AccountError, match="existe déjà"):
        accounts.add_user(store, "hdf", "admin", password=PASSWORD)
    assert [a.name for a in accounts.list_users(store)] == ["adm", "hdf", "idf"]


def test_openid_connect_maps_an_email_to_its_account(store):
    account = user_for_email(store, "HDF@example.org ")
    assert (account.name, account.role, account.regions) == ("hdf", "contributeur", {"32"})
    assert user_for_email(store, "autre@example.org") is None
    disable_user(store, "hdf")
    assert user_for_email(store, "hdf@example.org") is None


def test_no_password_or_hash_in_logs_or_reprs(store, caplog):
    caplog.set_level(logging.DEBUG)
    logging.getLogger("sqlalchemy.engine").setLevel(logging.DEBUG)
    try:
        accounts.add_user(store, "nouveau", "admin", password="secret-tres-particulier")
        authenticate(store, "nouveau", "secret-tres-particulier")
        with pytest.raises(AuthError) as refused:
            authenticate(store, "nouveau", "autre-secret-particulier")
        reset_password(store, "nouveau", "encore-un-secret-particulier")
    finally:
        logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    digest = stored_hash(store, "nouveau")
    assert "INSERT INTO users" in caplog.text  # the SQL was logged, its parameters were not
    for secret in ("secret-tres-particulier", "autre-secret-particulier", "encore-un-secret-particulier", digest,
                   digest.split("$")[-1]):
        assert secret not in caplog.text
        assert secret not in str(refused.value)
        assert secret not in repr(accounts.get_account(store, "nouveau"))
    with store.engine.connect() as conn:
        from sqlalchemy.orm import Session

        user = Session(conn).scalar(sa.select(accounts.User).where(accounts.User.name == "nouveau"))
        assert digest not in repr(user)


def test_viewing_needs_an_account_only_when_configured(monkeypatch):
    monkeypatch.delenv("CARTE_LOGIN_REQUIRED", raising=False)
    assert not accounts.login_required()
    for value, expected in (("oui", True), ("1", True), ("true", True), ("non", False), ("0", False)):
        monkeypatch.setenv("CARTE_LOGIN_REQUIRED", value)
        assert accounts.login_required() is expected
