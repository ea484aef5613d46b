"""The page of one partnership (`/partenariats?id=…`) on the demo data: every figure read back from the CSV
files with plain pandas."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.app import reference as ref
from tests.app.helpers import map_text, run_page


@pytest.fixture(scope="module")
def demo() -> ref.Data:
    return ref.load(ref.DEMO)


@pytest.fixture(scope="module")
def part(demo) -> pd.Series:
    multi = demo.partenariats[demo.partenariats["qpv_list"].map(len) > 1]
    return multi[multi["heures_insertion"] != ""].iloc[0]


@pytest.fixture(scope="module")
def page(part):
    return run_page("partenariats", {"id": part["id_partenariat"]})


def test_page_of_one_partnership_shows_the_file_values(page, part, demo):
    assert not page.exception, [e.value for e in page.exception]
    assert [h.value for h in page.header] == [f"Partenariat {part['id_partenariat'].replace('-', chr(92) + '-')}"]
    text = "\n".join(m.value for m in page.markdown).replace("\\", "")
    regie = demo.regies.set_index("id_regie").loc[part["id_regie"]]
    org = demo.organismes.set_index("siren").loc[part["siren_organisme"]]
    assert f"**Régie** : {regie['nom']}" in text and f"**Organisme HLM** : {org['nom']}" in text
    amount = round(float(part["montant_eur"].replace(",", ".")))
    assert f"**Montant engagé** : {ref.fr_int(amount)} €" in text
    assert f"**Heures d'insertion** : {ref.fr_int(int(part['heures_insertion']))}" in text
    assert f"**Début** : {part['date_debut']}" in text
    assert f"**Statut** : {part['statut']}" in text
    assert part["description"] in text
    qpv = page.dataframe[1].value
    assert sorted(qpv["code_qp"]) == sorted(part["qpv_list"])
    history = page.dataframe[0].value  # from the store's journal: the seed set the file's status
    assert history["statut"].tolist() == [part["statut"]]
    assert history["source"].str.startswith("chargement initial (lot ").all()


def test_its_map_shows_its_qpv_and_regie_offline(page, part, demo):
    text = map_text(page)
    for code in part["qpv_list"]:
        assert f"({code})" in text
    assert "unpkg" not in text and "cdn" not in text.lower()


def test_unknown_partnership_says_so():
    at = run_page("partenariats", {"id": "P-0000-0000"})
    assert not at.exception
    assert ["introuvable" in e.value for e in at.error] == [True]


def test_the_table_links_each_row_to_its_page(demo):
    at = run_page("partenariats")
    table = at.dataframe[0].value
    assert (table["Fiche"] == "partenariats?id=" + table["Identifiant"]).all()
