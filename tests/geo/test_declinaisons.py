"""Regional declinations on the hand-made datasets of conftest (régions 84, 11, 04): figures worked out by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from geo.declinaisons import compare_regions, declinations, signed_since
from geo.filters import Filters, apply

DECLINAISONS = pd.DataFrame({
    "insee_reg": ["84", "11"],
    "ar_hlm": ["AURA Hlm", "AORIF"],
    "statut": ["signée", "en préparation"],
    "date_signature": pd.to_datetime(["2024-06-01", None]),
    "organismes_signataires": [["111111111", "999999999"], []],
    "regies_signataires": [["RQ-069-01"], []],
    "lien_document": ["https://exemple.org/aura.pdf", None],
    "commentaire": [None, "texte en relecture"],
})


@pytest.fixture(scope="module")
def everything(atlas):
    return apply(atlas, Filters())


def test_one_row_per_region_missing_ones_are_not_started(everything):
    table = declinations(everything, DECLINAISONS).set_index("insee_reg")
    assert table["lib_reg"].tolist() == ["Auvergne-Rhône-Alpes", "Île-de-France", "La Réunion"]
    assert table["statut"].to_dict() == {"84": "signée", "11": "en préparation", "04": "à engager"}
    assert table.at["04", "ar_hlm"] == "" and pd.isna(table.at["04", "date_signature"])
    # Names of known signatories, unknown codes as they are.
    assert table.at["84", "organismes_signataires"] == "Lyon Métropole Habitat ; 999999999"
    assert table.at["84", "regies_signataires"] == "Régie de quartier des Minguettes"
    assert (table.at["84", "lien_document"], table.at["11", "commentaire"]) == ("https://exemple.org/aura.pdf",
                                                                                "texte en relecture")


def test_partnerships_started_since_the_signature(everything):
    # Auvergne-Rhône-Alpes: P01 (2023-03-01) is before 2024-06-01; P02 (2025-01-15) and P05 (2024-02-01, with
    # QPV in Isère) — only P02 is on or after the date.
    assert signed_since(everything, DECLINAISONS, "84")["id_partenariat"].tolist() == ["P02"]
    table = declinations(everything, DECLINAISONS).set_index("insee_reg")
    assert table["partenariats_depuis"].to_dict() == {"84": 1, "11": 0, "04": 0}
    assert signed_since(everything, DECLINAISONS, "11").empty


def test_partnerships_since_follow_the_filters(atlas):
    sel = apply(atlas, Filters(statuts=("en cours",)))
    assert signed_since(sel, DECLINAISONS, "84").empty  # P02 is « en projet »


def test_regions_side_by_side(everything):
    table = compare_regions(everything, DECLINAISONS).set_index("insee_reg")
    assert table.index.tolist() == ["84", "11", "04"]
    assert table.loc["84", ["statut", "regies", "qpv", "qpv_couverts", "partenariats", "organismes"]].tolist() == [
        "signée", 1, 5, 2, 3, 2]  # QN06901A/02B covered; P01, P02, P05; Lyon Métropole Habitat, Habitat Francilien
    assert table.loc["11", ["regies", "qpv", "qpv_couverts", "partenariats", "organismes"]].tolist() == [
        2, 4, 3, 4, 2]  # QN07501A/02B/09301A covered; P03, P04, P05, P08
    assert table.loc["04", ["statut", "qpv", "qpv_couverts", "partenariats"]].tolist() == ["à engager", 2, 1, 2]
    assert table.loc["84", "taux_couverture"] == pytest.approx(2 / 5)
