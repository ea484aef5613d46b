"""/import in Chromium with a federation's régies list: one header the proposal does not know, mapped by hand in the
mapping step; one ambiguous commune answered by hand; published; the records stored with their precision."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from store import ADMIN, Store, add_user
from tests.app import reference as ref
from tests.app.store_flow import PASSWORD
from tests.browser.conftest import serve, store_url
from tests.browser.test_store_flow import LOAD_TIMEOUT, go, settle

pytestmark = pytest.mark.browser

LIST = """Nom de la régie;Adresse;CP;Ville;Quartiers d'intervention;Équipe;Nb bénévoles
Régie de quartier Riquet;;75019;Paris;Stalingrad - Riquet;85;
Régie de quartier des Francs;;;Saint-Denis;Franc Moisin - Cosmonautes - Cristino Garcia - Landy;30;2
"""


@pytest.fixture(scope="module")
def admin_url(tmp_path_factory):
    folder = tmp_path_factory.mktemp("serveur-import")
    store = Store.open(store_url(folder), reference_folder=ref.DEMO)
    store.seed_from_folder(ref.DEMO)
    add_user(store, "adm", ADMIN, password=PASSWORD)
    store.close()
    for url in serve(None, folder / "streamlit.log", store_url(folder)):
        yield url, store_url(folder)


def pick(page: Page, label: str, option: str) -> None:
    page.get_by_label(label, exact=True).click()
    page.keyboard.type(option)  # the list is long and drawn in part: typed, the option is the one shown
    page.get_by_role("option", name=option, exact=True).click()
    settle(page)


def test_a_federation_list_mapped_and_answered_by_hand_then_published(page, admin_url, tmp_path, monkeypatch):
    url, database = admin_url
    page.goto(f"{url}/connexion")
    page.get_by_label("Identifiant").fill("adm")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_text("adm — ").first).to_be_visible(timeout=LOAD_TIMEOUT)
    go(page, "Import")
    path = tmp_path / "liste_reseau.csv"
    path.write_text(LIST, encoding="utf-8")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))
    expect(page.get_by_text("Modifier la correspondance des colonnes")).to_be_visible(timeout=LOAD_TIMEOUT)
    settle(page)
    page.get_by_text("Modifier la correspondance des colonnes").click()
    pick(page, "« Équipe »", "Salariés")
    # the preview grid draws on a canvas: its header is in the grid's accessible table
    header = page.get_by_role("columnheader", name="Équipe → Salariés", include_hidden=True)
    expect(header).to_be_attached(timeout=LOAD_TIMEOUT)
    page.get_by_role("button", name="Appliquer la correspondance").click()
    settle(page)
    pick(page, "Ligne 3, « Ville » : Saint-Denis", "Saint-Denis (93066, 93200, 93210, 93380, dép. 93)")
    page.get_by_role("button", name="Appliquer les réponses").click()
    settle(page)
    page.get_by_role("button", name="Publier").click()
    expect(page.get_by_text("Publié : lot n°")).to_be_visible(timeout=LOAD_TIMEOUT)

    store = Store.open(database, reference_folder=ref.DEMO)
    try:
        stored = {r["nom"]: r for r, _ in store.read_records("regies").values()}
    finally:
        store.close()
    assert stored["Régie de quartier Riquet"]["salaries"] == "85"
    assert stored["Régie de quartier des Francs"]["insee_com"] == "93066"
    assert stored["Régie de quartier des Francs"]["salaries"] == "30"
    assert {stored[n]["precision"] for n in ("Régie de quartier Riquet", "Régie de quartier des Francs")} == {
        "commune"}
