"""Detail cards count within the current selection, on the hand-made fixture (expected values read off
`conftest.PARTENARIAT_ROWS`)."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from geo.details import partnership_detail, qpv_detail, regie_detail, regies_table
from geo.filters import Filters, apply


def test_regie_card_counts_only_the_selected_partnerships(atlas):
    # RQ-075-01 has P03 (en cours, QN07501A), P04 (terminé, QN07501A), P08 (en projet, QN07501A).
    detail = regie_detail(apply(atlas, Filters(statuts=("en cours",))), "RQ-075-01")
    assert detail.regie["n_partenariats"] == 1
    assert detail.partenariats["id_partenariat"].tolist() == ["P03"]
    counts = dict(zip(detail.qpv["code_qp"], detail.qpv["n_partenariats"], strict=True))
    assert counts == {"QN07501A": 1, "QN07502B": 0}


def test_regie_card_without_filters_counts_everything(atlas):
    detail = regie_detail(apply(atlas, Filters()), "RQ-069-01")  # P01 (QN06901A), P02 (QN06901A, QN06902B)
    assert detail.regie["n_partenariats"] == 2 and len(detail.partenariats) == 2
    counts = dict(zip(detail.qpv["code_qp"], detail.qpv["n_partenariats"], strict=True))
    assert counts == {"QN06901A": 2, "QN06902B": 1}


def test_regie_card_by_theme(atlas):
    detail = regie_detail(apply(atlas, Filters(themes=("cadre-de-vie",))), "RQ-069-01")  # P01 only
    counts = dict(zip(detail.qpv["code_qp"], detail.qpv["n_partenariats"], strict=True))
    assert counts == {"QN06901A": 1, "QN06902B": 0}
    assert detail.regie["n_partenariats"] == 1


def test_regie_outside_the_selection_has_no_card(atlas):
    assert regie_detail(apply(atlas, Filters(regions=("84",))), "RQ-075-01") is None


def test_qpv_card_counts_its_regies_partnerships_within_the_selection(atlas):
    detail = qpv_detail(apply(atlas, Filters(statuts=("terminé",))), "QN07501A")  # P04 only
    assert detail.partenariats["id_partenariat"].tolist() == ["P04"]
    assert dict(zip(detail.regies["id_regie"], detail.regies["n_partenariats"], strict=True)) == {"RQ-075-01": 1}


def test_partnership_detail_whatever_the_filters(atlas):
    detail = partnership_detail(atlas, " P05 ")
    assert detail.partenariat["id_partenariat"] == "P05"
    assert detail.regie["nom"] == "Régie Plaine Commune"
    assert detail.organisme["nom"] == "Habitat Francilien"
    assert sorted(detail.qpv["code_qp"]) == ["QN03801A", "QN03802B", "QN09301A"]
    assert detail.qpv.crs.to_epsg() == 4326 and detail.qpv.geometry.notna().all()
    assert detail.history.to_dict("records") == [
        {"date": pd.Timestamp("2024-02-01"), "statut": "en cours",
         "source": "fichier des partenariats (statut actuel)"}]


def test_unknown_or_excluded_partnership_has_no_detail(atlas):
    assert partnership_detail(atlas, "P99") is None
    assert partnership_detail(atlas, "P09") is None  # unknown régie: left out by the join


def test_status_history_comes_from_the_journal_when_given(atlas):
    journal = pd.DataFrame({"date": pd.to_datetime(["2025-03-01", "2024-01-10"]), "statut": ["en cours", "en projet"],
                            "source": ["a", "b"], "autre": [1, 2]})
    history = partnership_detail(atlas, "P01", journal).history
    assert history.columns.tolist() == ["date", "statut", "source"]
    assert history["statut"].tolist() == ["en projet", "en cours"]


def test_regies_table_shows_an_unknown_precision_as_unknown(atlas):
    regies_ = atlas.regies.copy()
    regies_["precision"] = ["saisie", None, "rue", None]
    table = regies_table(replace(apply(atlas, Filters()), regies=regies_))
    by_id = dict(zip(regies_["nom"], regies_["precision"].map(lambda p: "inconnue" if pd.isna(p) else p), strict=True))
    assert dict(zip(table["nom"], table["precision"], strict=True)) == by_id
