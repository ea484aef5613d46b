"""Account changes are journalled like every write, without any secret; an account shows its régions by name
(issues 16 and 18)."""

from __future__ import annotations

import json

import sqlalchemy as sa

from store import add_user, disable_user, get_account, reset_password
from tests.store.conftest import PASSWORD


def account_sets(store):
    return [s for s in store.change_sets() if s.kind == "compte"]


def test_add_disable_and_reset_are_journalled_without_secrets(store):
    before = len(account_sets(store))
    assert before == 3  # the fixture's three accounts
    add_user(store, "nord", "contributeur", ["32", "11"], password="secret-tres-particulier", by="adm")
    reset_password(store, "nord", "encore-un-secret-particulier", by="adm")
    disable_user(store, "nord", by="adm")
    sets = account_sets(store)[:3]  # newest first
    assert [(s.user, s.comment, s.size) for s in sets] == [
        ("adm", "Désactivation du compte", 1), ("adm", "Réinitialisation du mot de passe", 1),
        ("adm", "Création du compte", 1)]
    _, (created,) = store.change_set(sets[2].id)
    assert (created.dataset, created.record_id, created.before) == ("comptes", "nord", None)
    assert created.after == {"rôle": "contributeur régional", "régions": "Hauts-de-France, Île-de-France",
                             "courriel": "", "désactivé": "non", "mot de passe": "défini",
                             "version des identifiants": "1"}
    _, (reset,) = store.change_set(sets[1].id)
    assert [(c.column, c.old, c.new) for c in reset.cells] == [("version des identifiants", "1", "2")]
    _, (disabled,) = store.change_set(sets[0].id)
    assert [(c.column, c.old, c.new) for c in disabled.cells] == [("désactivé", "non", "oui"),
                                                                  ("version des identifiants", "2", "3")]
    with store.engine.connect() as conn:
        digest = conn.execute(sa.text("SELECT password_hash FROM users WHERE name = 'nord'")).scalar_one()
        journal = json.dumps([list(r) for r in conn.execute(sa.text("SELECT * FROM changes"))], default=str)
        journal += json.dumps([list(r) for r in conn.execute(sa.text("SELECT * FROM change_sets"))], default=str)
    for secret in ("secret-tres-particulier", "encore-un-secret-particulier", digest, "$argon2", PASSWORD):
        assert secret not in journal


def test_an_account_shows_its_regions_by_name(store):
    assert get_account(store, "hdf").label == "hdf — contributeur régional (Hauts-de-France)"
    assert get_account(store, "adm").label == "adm — administrateur national"
