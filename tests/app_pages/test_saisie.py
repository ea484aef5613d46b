"""The declination form of /saisie in AppTest, on a throw-away store seeded from the demo where Hauts-de-France has
not signed yet: a Hauts-de-France contributor adds a partnership and signs, and the overview, the national map's
declinations layer, the portrait and the opportunities show it on the next run; another région's contributor gets
no form for it; bad input gets a French message and writes nothing. Expected values from the demo files (pandas)."""

from __future__ import annotations

import shutil
from datetime import date, timedelta

import pandas as pd
import pytest

from store import ADMIN, CONTRIBUTEUR, Edit, ScopeError, Store, add_user
from tests.app import reference as ref
from tests.app import store_flow
from tests.app.helpers import TIMEOUT, plain, run_page
from tests.app.store_flow import HDF, PASSWORD
from tests.app.test_declinaisons import map_statuses, signed_fills, timeline_regions
from tests.app.test_store_pages import (
    ADMIN_PASSWORD,
    OTHER_PASSWORD,
    _new_partnership,
    assert_refused,
    go,
    login,
    texts,
)

HDF_NAME = "Hauts-de-France"


@pytest.fixture
def folder(tmp_path):
    """The demo, with the Hauts-de-France declination « en préparation » (no date)."""
    copy = tmp_path / "donnees"
    shutil.copytree(ref.DEMO, copy)
    (copy / "manifest.json").unlink()
    rows = ref.read_csv(copy / "declinaisons.csv")
    rows.loc[rows["insee_reg"] == HDF, ["statut", "date_signature"]] = ["en préparation", ""]
    rows.to_csv(copy / "declinaisons.csv", sep=";", index=False, encoding="utf-8-sig")
    return copy


@pytest.fixture
def store(tmp_path, folder, monkeypatch) -> Store:
    url = f"sqlite:///{tmp_path / 'carte.sqlite3'}"
    monkeypatch.setenv("CARTE_DATABASE_URL", url)
    monkeypatch.setenv("CARTE_DATA_DIR", str(folder))
    opened = Store.open(url, reference_folder=folder)
    opened.seed_from_folder(folder)
    add_user(opened, "hdf", CONTRIBUTEUR, [HDF], password=PASSWORD)
    add_user(opened, "idf", CONTRIBUTEUR, ["11"], password=OTHER_PASSWORD)
    add_user(opened, "admin", ADMIN, password=ADMIN_PASSWORD)
    yield opened
    opened.close()


def _sign(at, **override):
    """Fill the declination form (signée today, two signatories), with `override` (widget key -> value)."""
    values = {"d-ar": "AR Hlm Hauts-de-France", "d-statut": "signée", "d-date": date.today(),
              "d-organismes": [ref.read_csv(ref.DEMO / "organismes.csv")["siren"].iloc[0]],
              "d-regies": ["RQ-059-01"], "d-lien": "https://exemple.org/hdf.pdf",
              "d-commentaire": "Signée au congrès régional", **override}
    widgets = {"d-statut": "selectbox", "d-date": "date_input", "d-organismes": "multiselect",
               "d-regies": "multiselect", "d-commentaire": "text_area"}
    for key, value in values.items():
        getattr(at, widgets.get(key, "text_input"))(key=key).set_value(value)
    at.button(key="d-enregistrer").click()
    return at.run(timeout=TIMEOUT)


def test_hauts_de_france_adds_a_partnership_and_signs_and_every_page_shows_it(store, folder, tmp_path):
    declinaisons = ref.read_csv(folder / "declinaisons.csv")
    signed_before = int((declinaisons["statut"] == "signée").sum())
    covered = {c for cell in ref.read_csv(folder / "partenariats.csv")["qpv"] for c in ref.split(cell)}
    at = login(run_page("saisie"), "hdf", PASSWORD)
    go(at, "opportunites", {"region": HDF})
    listed = at.dataframe[0].value
    code = listed["code_qp"].iloc[0]
    assert code not in covered  # an opportunity is a QPV without partnership

    go(at, "saisie")
    at = _new_partnership(at, store_flow.build(tmp_path), **{"p-qpv": [code]})
    assert not at.exception and texts(at, "success"), texts(at, "error")
    assert at.selectbox(key="d-region").options == [f"{HDF_NAME} ({HDF})"]
    at = _sign(at)
    assert not at.exception, [e.value for e in at.exception]
    assert texts(at, "success") and not texts(at, "error"), texts(at, "error")
    data, version = store.read_records("declinaisons")[HDF]
    assert (data["statut"], data["date_signature"], version) == ("signée", f"{date.today():%d/%m/%Y}", 2)
    assert store.change_sets(limit=1)[0].user == "hdf"

    go(at, "")
    assert timeline_regions(at)[-1] == HDF_NAME
    assert map_statuses(at)[HDF_NAME] == "signée"
    assert at.dataframe[-1].value.set_index("lib_reg").at[HDF_NAME, "statut"] == "signée"
    go(at, "carte")
    at.toggle(key="couche_declinaisons").set_value(True).run(timeout=TIMEOUT)
    assert signed_fills(at) == signed_before + 1
    go(at, "territoires", {"region": HDF})
    assert any(f"signée le {date.today():%d/%m/%Y}" in plain(m.value) and "AR Hlm Hauts-de-France" in plain(m.value)
               for m in at.markdown), [m.value for m in at.markdown][:5]
    go(at, "opportunites", {"region": HDF})
    after = at.dataframe[0].value
    assert code not in set(after["code_qp"]) and len(after) == len(listed) - 1


def test_another_region_gets_no_form_for_hauts_de_france_and_the_store_refuses(store):
    at = login(run_page("saisie"), "idf", OTHER_PASSWORD)
    assert at.selectbox(key="d-region").options == ["Île-de-France (11)"]
    data, version = store.read_records("declinaisons")[HDF]
    with pytest.raises(ScopeError):
        store.write("idf", "", [Edit("declinaisons", HDF, {**data, "statut": "signée",
                                                           "date_signature": "01/02/2026"}, version)])
    assert store.read_records("declinaisons")[HDF] == (data, version)


BAD_INPUTS = {
    "signee-sans-date": ({"d-date": None}, "date_signature", "déclinaison signée sans date de signature"),
    "date-a-venir": ({"d-date": date.today() + timedelta(days=1)}, "date_signature", "date de signature dans le futur"),
    "association-vide": ({"d-ar": ""}, "ar_hlm", "valeur manquante"),
    "commentaire-de-10000-caracteres": ({"d-commentaire": "x" * 10_000}, "commentaire", "texte trop long"),
    "html-dans-le-nom": ({"d-ar": "<b onmouseover=alert(1)>AR</b>"}, "ar_hlm", "balises HTML refusées"),
    "lien-javascript": ({"d-lien": "javascript:alert(1)"}, "lien_document", "une adresse web est attendue"),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS), ids=list(BAD_INPUTS))
def test_bad_input_gets_a_french_message_and_nothing_is_written(case, store):
    override, _, message = BAD_INPUTS[case]
    at = login(run_page("saisie"), "hdf", PASSWORD)
    version = store.data_version()
    assert_refused(_sign(at, **override), message, store, version)


def test_a_declination_changed_meanwhile_is_a_conflict(store):
    at = login(run_page("saisie"), "hdf", PASSWORD)
    data, version = store.read_records("declinaisons")[HDF]
    store.write("admin", "autre", [Edit("declinaisons", HDF, {**data, "commentaire": "changé par admin"}, version)])
    at = _sign(at)
    assert [e for e in texts(at, "error") if e.startswith("Conflit") and "admin" in e], texts(at, "error")
    assert store.read_records("declinaisons")[HDF][0]["commentaire"] == "changé par admin"


def test_an_administrator_edits_any_region(store):
    at = login(run_page("saisie"), "admin", ADMIN_PASSWORD)
    regions = pd.read_csv(ref.REF / "regions.csv", dtype=str)
    assert sorted(at.selectbox(key="d-region").options) == sorted(
        f"{name} ({code})" for code, name in zip(regions["insee_reg"], regions["lib_reg"], strict=True))
