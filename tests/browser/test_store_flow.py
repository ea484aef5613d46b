"""The whole store flow in Chromium: a Hauts-de-France contributor logs in, uploads a spreadsheet (3 changed
statuses, 2 new partnerships, 1 row in error, 1 row of another région), checks the preview, publishes, sees the key
figures change, undoes, and sees the figures before; and signs the région's declination in « Saisie », then sees it
on the overview's timeline. Expected values come from the files (plain pandas)."""

from __future__ import annotations

import re
import shutil
from datetime import date

import pandas as pd
import pytest
from playwright.sync_api import Page, expect

from tests.app import reference as ref
from tests.app import store_flow
from tests.app.store_flow import HDF, PASSWORD
from tests.browser.conftest import contributor_store, serve
from tests.browser.test_french import english_in, texts_of

pytestmark = pytest.mark.browser
LOAD_TIMEOUT = 60_000  # ms


def settle(page: Page) -> None:
    expect(page.locator('[data-testid="stStatusWidget"]')).to_have_count(0, timeout=LOAD_TIMEOUT)


def go(page: Page, title: str) -> None:
    """Through the sidebar's link, in the same session (a new URL would be a new, logged-out session)."""
    page.locator('[data-testid="stSidebar"]').get_by_role("link", name=title, exact=True).click()
    expect(page.locator("h1").first).to_have_text(title, timeout=LOAD_TIMEOUT)
    settle(page)


def metrics(page: Page) -> dict[str, str]:
    expect(page.locator('[data-testid="stMetric"]')).to_have_count(len(ref.KPI_LABELS), timeout=LOAD_TIMEOUT)
    labels = page.locator('[data-testid="stMetricLabel"]').all_inner_texts()
    values = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
    return {label.strip(): value.strip() for label, value in zip(labels, values, strict=True)}


def expected(data: ref.Data) -> dict[str, str]:
    return {k: ref.card(k, v) for k, v in ref.select(data, ref.Ask()).kpis.items()}


def log_in_hdf(page, url: str) -> None:
    """Through the login form, as the Hauts-de-France contributor."""
    page.goto(f"{url}/connexion")
    expect(page.locator("h1").first).to_have_text("Connexion", timeout=LOAD_TIMEOUT)
    page.get_by_label("Identifiant").fill("hdf")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_text("hdf — contributeur régional (Hauts-de-France)").first).to_be_visible(timeout=LOAD_TIMEOUT)


def test_contributor_imports_publishes_and_undoes(page, contributor_url, tmp_path):
    scenario = store_flow.build(tmp_path)
    before, after = expected(ref.load(ref.DEMO)), expected(ref.load(scenario.after))
    assert before != after
    log_in_hdf(page, contributor_url)
    assert PASSWORD not in page.url and PASSWORD not in page.content()

    go(page, "Vue d'ensemble")
    assert metrics(page) == before
    go(page, "Import")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        files=[{"name": "partenariats.xlsx", "mimeType": store_flow.XLSX, "buffer": scenario.xlsx()}])
    expect(page.get_by_text("Aperçu de la modification")).to_be_visible(timeout=LOAD_TIMEOUT)
    settle(page)
    rows = page.locator('[data-testid="stTable"] tbody tr')
    expect(rows).to_have_count(6, timeout=LOAD_TIMEOUT)
    summary = {row.locator("th").inner_text().strip(): row.locator("td").inner_text().strip() for row in rows.all()}
    assert summary == {"Ajoutés": "2", "Modifiés": "3", "Inchangés": "0", "Hors de votre périmètre (refusés)": "1",
                       "En erreur (non publiés)": "1", "Dans la base, absents du fichier": str(scenario.missing)}

    page.get_by_role("button", name="Publier").click()
    expect(page.get_by_text(re.compile(r"Publié : lot n° \d+"))).to_be_visible(timeout=LOAD_TIMEOUT)
    go(page, "Vue d'ensemble")
    assert metrics(page) == after

    go(page, "Historique")
    page.get_by_role("button", name=re.compile(r"Annuler le lot n° \d+")).click()
    expect(page.get_by_text(re.compile(r"Annulation publiée : lot n° \d+"))).to_be_visible(timeout=LOAD_TIMEOUT)
    go(page, "Vue d'ensemble")
    assert metrics(page) == before
    assert page.dialogs == []


def test_import_and_entry_pages_speak_french(page, contributor_url):
    """The uploader, the forms' instructions, the date fields and the search lists of /import and /saisie in
    French; Enter in a search list adds the one option shown first, never « Select N matches » (issue 18)."""
    log_in_hdf(page, contributor_url)
    go(page, "Import")
    expect(page.get_by_text("Choisir un fichier", exact=True)).to_be_visible(timeout=LOAD_TIMEOUT)
    expect(page.get_by_text(re.compile(r"^50\u00a0Mo par fichier"))).to_be_visible()
    assert english_in(texts_of(page)) == []

    go(page, "Saisie")
    # the form's empty date fields (the sidebar's date of the data has a value)
    day = page.locator('[data-testid="stForm"] [data-testid="stDateInput"] [data-type="day"]').first
    expect(day).to_have_text("jj")
    expect(page.locator('[data-testid="stForm"] [data-testid="stDateInput"] [data-type="year"]').first
           ).to_have_text("aaaa")
    page.get_by_label("Montant engagé (euros)").type("12")
    expect(page.get_by_text("Entrée pour valider le formulaire")).to_be_visible()
    page.locator('[data-testid="stSidebar"]').get_by_label("Recherche").type("x")
    expect(page.get_by_text("Entrée pour appliquer")).to_be_visible()

    qpv = page.locator('[data-testid="stMultiSelect"]').filter(has=page.get_by_text("QPV", exact=True))
    qpv.click()
    page.keyboard.type("Noyon")
    options = page.get_by_role("option")
    expect(options.first).to_contain_text("Noyon")
    shown = options.all_inner_texts()
    assert not any(re.match(r"Select \d+|Tout sélectionner", text) for text in shown), shown
    page.keyboard.press("Enter")
    chosen = qpv.locator("[data-tag]")
    expect(chosen).to_have_count(1)
    assert chosen.inner_text().strip() == shown[0].strip()
    page.keyboard.press("Escape")
    assert english_in(texts_of(page)) == []


@pytest.fixture(scope="module")
def unsigned(tmp_path_factory):
    """A server (its URL, its folder) on its own store, seeded from the demo where Hauts-de-France has not signed
    yet."""
    folder = tmp_path_factory.mktemp("serveur-declinaison")
    data = folder / "donnees"
    shutil.copytree(ref.DEMO, data)
    rows = ref.read_csv(data / "declinaisons.csv")
    rows.loc[rows["insee_reg"] == HDF, ["statut", "date_signature"]] = ["en préparation", ""]
    rows.to_csv(data / "declinaisons.csv", sep=";", index=False, encoding="utf-8-sig")
    for url in serve(data, folder / "streamlit.log", contributor_store(folder, data)):
        yield url, data


def signed_regions(folder) -> list[str]:
    """Names of the régions signed in a data folder (declinaisons.csv with pandas)."""
    rows = ref.read_csv(folder / "declinaisons.csv")
    names = pd.read_csv(ref.REF / "regions.csv", dtype=str).set_index("insee_reg")["lib_reg"]
    return [names[c] for c in rows.loc[rows["statut"] == "signée", "insee_reg"]]


def timeline_labels(page: Page):
    """The région labels of the overview's signature timeline (Vega draws SVG text)."""
    chart = page.locator('[data-testid="stVegaLiteChart"]').filter(has_text="Signatures des déclinaisons régionales")
    chart.scroll_into_view_if_needed()
    expect(chart.locator("text").first).to_be_visible(timeout=LOAD_TIMEOUT)
    return chart.locator("text").all_text_contents()  # SVG text has no innerText


def test_contributor_signs_the_declination_and_sees_it_on_the_timeline(page, unsigned):
    url, folder = unsigned
    log_in_hdf(page, url)
    go(page, "Vue d'ensemble")
    before = timeline_labels(page)
    assert set(signed_regions(folder)) <= set(before) and "Hauts-de-France" not in before, before

    go(page, "Saisie")
    page.get_by_role("tab", name="Déclinaison régionale").click()
    form = page.locator('[data-testid="stForm"]').filter(has_text="Association régionale HLM")
    form.get_by_label("Statut").click()
    page.get_by_role("option", name="signée", exact=True).click()
    form.get_by_role("spinbutton", name="jour, Date de signature (si signée)").click()
    page.keyboard.type(f"{date.today():%d%m%Y}")  # the date field moves from day to month to year by itself
    form.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text(re.compile(r"« 32 » enregistré \(lot n° \d+\)"))).to_be_visible(timeout=LOAD_TIMEOUT)

    go(page, "Vue d'ensemble")
    labels = timeline_labels(page)
    assert "Hauts-de-France" in labels, labels
    assert not page.locator('[data-testid="stException"]').count()
    assert page.dialogs == []
