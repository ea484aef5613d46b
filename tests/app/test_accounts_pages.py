"""Accounts seen from the pages: authors hidden from visitors unless configured, the throttle's client (issue 15)."""

from __future__ import annotations

import pytest

from dashboard.auth import forwarded_address
from store import ADMIN, Edit, Store, add_user, disable_user, reset_password
from tests.app import reference as ref
from tests.app.helpers import run_page
from tests.app.test_store_pages import login

PASSWORD = "motdepasse-admin-2026"
AUTHOR = "auteur-du-lot"


@pytest.fixture
def store(tmp_path, monkeypatch) -> Store:
    url = f"sqlite:///{tmp_path / 'carte.sqlite3'}"
    monkeypatch.setenv("CARTE_DATABASE_URL", url)
    monkeypatch.delenv("CARTE_AUTEURS_PUBLICS", raising=False)
    opened = Store.open(url, reference_folder=ref.DEMO)
    opened.seed_from_folder(ref.DEMO)
    add_user(opened, AUTHOR, ADMIN, password=PASSWORD)
    pid, (data, version) = next(iter(opened.read_records("partenariats").items()))
    opened.write(AUTHOR, "essai", [Edit("partenariats", pid, {**data, "description": "revue"}, version)])
    yield opened
    opened.close()


def page_text(at) -> str:
    frames = " ".join(d.value.to_csv() for d in at.dataframe)
    options = " ".join(str(o) for s in at.selectbox for o in s.options)
    return frames + options


def test_visitors_do_not_see_the_authors_unless_configured(store, monkeypatch):
    at = run_page("historique")
    assert not at.exception
    assert AUTHOR not in page_text(at)
    assert all("Auteur" not in d.value.columns for d in at.dataframe)
    assert any("connectées" in c.value for c in at.caption)
    at = login(run_page("connexion"), AUTHOR, PASSWORD)
    at.switch_page("app_pages/historique.py").run()
    assert AUTHOR in page_text(at)
    monkeypatch.setenv("CARTE_AUTEURS_PUBLICS", "oui")
    assert AUTHOR in page_text(run_page("historique"))


def test_the_client_address_is_the_one_the_proxy_appended():
    assert forwarded_address({"X-Forwarded-For": "10.0.0.1, 203.0.113.9"}, "127.0.0.1") == "203.0.113.9"
    assert forwarded_address({"X-Forwarded-For": "198.51.100.7"}, "127.0.0.1") == "198.51.100.7"
    assert forwarded_address({}, "127.0.0.1") == "127.0.0.1"
    assert forwarded_address({}, None) == "inconnue"


@pytest.mark.parametrize("end", ["reset", "disable"])
def test_a_reset_or_a_disabling_ends_a_session_already_open(store, end):
    at = login(run_page("import"), AUTHOR, PASSWORD)
    assert at.file_uploader and not at.main.text_input
    if end == "reset":
        reset_password(store, AUTHOR, "un tout nouveau mot de passe")
    else:
        disable_user(store, AUTHOR)
    at.run()  # the next rerun of the same session
    assert not at.file_uploader
    assert [t.label for t in at.main.text_input] == ["Identifiant", "Mot de passe"]
