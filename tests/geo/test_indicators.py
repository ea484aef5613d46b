"""Indicators on the hand-made fixture; every expected value is counted by hand from conftest's tables."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from geo import indicators
from geo.filters import Filters, apply
from geo.indicators import Kpis


@pytest.fixture(scope="module")
def national(atlas):
    return apply(atlas, Filters())


@pytest.fixture(scope="module")
def ara(atlas):
    return apply(atlas, Filters(regions=("84",)))


def test_kpis_national(national):
    assert indicators.kpis(national) == Kpis(
        regies=4, qpv=11, qpv_couverts=6, qpv_avec_partenariat=7, salaries=40 + 85 + 25 + 12, benevoles=10 + 20 + 5 + 3,
        salaries_renseignes=4, benevoles_renseignes=4, partenariats=8, organismes_partenaires=3,
        taux_couverture=6 / 11, taux_partenariat=7 / 11,
        montant_eur=10000 + 5000 + 20000 + 15000 + 8000 + 2500, heures_insertion=100 + 300 + 200 + 150 + 50)


def test_kpis_of_a_region(ara):
    # QPV 69A 69B 69C 38A 38B; covered 69A 69B; partnerships P01 P02 P05 (P05 spans Isère and Seine-Saint-Denis).
    assert indicators.kpis(ara) == Kpis(
        regies=1, qpv=5, qpv_couverts=2, qpv_avec_partenariat=4, salaries=40, benevoles=10, salaries_renseignes=1,
        benevoles_renseignes=1, partenariats=3,
        organismes_partenaires=2, taux_couverture=2 / 5, taux_partenariat=4 / 5, montant_eur=15000.0,
        heures_insertion=250)


def test_kpis_of_an_empty_selection(atlas):
    k = indicators.kpis(apply(atlas, Filters(q="introuvable")))
    assert (k.qpv, k.partenariats, k.taux_couverture, k.taux_partenariat, k.montant_eur) == (0, 0, None, None, 0.0)


def test_partnerships_by_theme_in_schema_order(national):
    table = indicators.partnerships_by_theme(national)
    assert list(table["theme"]) == ["cadre-de-vie", "transition-ecologique", "cohesion-sociale",
                                    "precarite-energetique", "inclusion-numerique", "insertion-professionnelle"]
    assert list(table["partenariats"]) == [3, 2, 3, 1, 2, 1]
    assert table.loc[0, "part"] == pytest.approx(3 / 8)
    assert table.loc[0, "label"] == "amélioration du cadre de vie"


def test_multi_theme_partnership_counts_once_per_theme(atlas):
    # OPH partnerships: P01 (cadre de vie + cohésion sociale), P02 (inclusion numérique), P08 (cohésion sociale).
    table = indicators.partnerships_by_theme(apply(atlas, Filters(familles=("OPH",))))
    assert list(table["partenariats"]) == [1, 0, 2, 0, 1, 0]


def test_multi_qpv_partnership_counts_once(ara):
    # P02 has two QPV in the région, P05 two in the région: each still counts once per theme.
    assert list(indicators.partnerships_by_theme(ara)["partenariats"]) == [1, 1, 2, 0, 1, 0]


def test_by_statut_in_schema_order(national):
    table = indicators.by_statut(national)
    assert list(zip(table["statut"], table["partenariats"], strict=True)) == [
        ("en projet", 2), ("en cours", 4), ("terminé", 2)]
    assert table["part"].tolist() == pytest.approx([0.25, 0.5, 0.25])


def test_starts_by_year_fills_empty_years(atlas):
    table = indicators.starts_by_year(apply(atlas, Filters(statuts=("terminé",))))  # P04 2021, P07 2022
    assert list(zip(table["annee"], table["partenariats"], strict=True)) == [(2021, 1), (2022, 1)]
    table = indicators.starts_by_year(apply(atlas, Filters(regions=("04",))))  # P07 2022, P06 2026
    assert list(table["partenariats"]) == [1, 0, 0, 0, 1]


def test_by_region(national):
    table = indicators.by_region(national)
    assert list(zip(table["insee_reg"], table["lib_reg"], table["regies"], table["qpv"], table["partenariats"],
                    table["organismes"], strict=True)) == [
        ("11", "Île-de-France", 2, 4, 4, 2),  # P03 P04 P05 P08
        ("84", "Auvergne-Rhône-Alpes", 1, 5, 3, 2),  # P01 P02 P05
        ("04", "La Réunion", 1, 2, 2, 1),  # P06 P07
    ]


def test_coverage_by_region(national):
    table = indicators.coverage_by_region(national)
    assert list(zip(table["insee_reg"], table["qpv"], table["qpv_couverts"], table["qpv_avec_partenariat"],
                    table["qpv_sans_rien"], strict=True)) == [
        ("84", 5, 2, 4, 1), ("11", 4, 3, 2, 1), ("04", 2, 1, 1, 1)]  # sorted by name: Auvergne, Île, La Réunion
    assert table["taux_couverture"].tolist() == pytest.approx([2 / 5, 3 / 4, 1 / 2])
    assert table["taux_partenariat"].tolist() == pytest.approx([4 / 5, 2 / 4, 1 / 2])


def test_coverage_by_region_follows_partnership_filters(atlas):
    # Only P04 and P07 are "terminé": QPV with a partnership are QN07501A (11) and QN97401A (04).
    table = indicators.coverage_by_region(apply(atlas, Filters(statuts=("terminé",))))
    assert dict(zip(table["insee_reg"], table["qpv_avec_partenariat"], strict=True)) == {"84": 0, "11": 1, "04": 1}


def test_theme_region_matrix(national):
    table = indicators.theme_region_matrix(national)
    assert len(table) == 3 * 6
    cell = table[(table["insee_reg"] == "84") & (table["theme"] == "cohesion-sociale")].iloc[0]
    assert cell["partenariats"] == 2  # P01, P05
    assert cell["part"] == pytest.approx(2 / 3)
    empty = table[(table["insee_reg"] == "04") & (table["theme"] == "inclusion-numerique")].iloc[0]
    assert empty["partenariats"] == 0


def test_compare_theme_mix_difference_in_points(ara, national):
    table = indicators.compare_theme_mix(ara, national).set_index("theme")
    # Région 84: 3 partnerships, 2 of cohésion sociale; national: 8 partnerships, 3 of cohésion sociale.
    row = table.loc["cohesion-sociale"]
    assert (row["part"], row["part_nationale"]) == pytest.approx((2 / 3, 3 / 8))
    assert row["ecart_points"] == pytest.approx(100 * (2 / 3 - 3 / 8))
    assert table.loc["precarite-energetique", "ecart_points"] == pytest.approx(-100 / 8)


def test_uncovered_qpv_sorted_by_population(national):
    table = indicators.uncovered_qpv(national)
    assert list(table["code_qp"]) == ["QN06903C", "QN09302B", "QN97402B"]  # 11 000, 6 000, unknown
    assert list(table.columns) == ["code_qp", "lib_qp", "lib_com", "insee_dep", "lib_dep", "insee_reg", "lib_reg",
                                   "population"]


def test_uncovered_qpv_follow_filters_and_unknown_populations_go_last_by_code(atlas):
    table = indicators.uncovered_qpv(apply(atlas, Filters(themes=("inclusion-numerique",))))
    assert list(table["code_qp"]) == ["QN06903C", "QN09302B", "QN03802B", "QN03801A", "QN97402B"]


def test_indicators_of_an_empty_selection_do_not_fail(atlas):
    sel = apply(atlas, Filters(q="introuvable"))
    assert indicators.partnerships_by_theme(sel)["partenariats"].sum() == 0
    assert indicators.by_statut(sel)["part"].tolist() == [0.0, 0.0, 0.0]
    assert indicators.starts_by_year(sel).empty
    assert indicators.coverage_by_region(sel).empty
    assert indicators.theme_region_matrix(sel).empty
    assert indicators.by_region(sel).empty
    assert indicators.uncovered_qpv(sel).empty


def test_dominant_theme_breaks_ties_in_the_convention_order(national):
    dominant = indicators.dominant_theme(national)
    # QN06902B: only P02 (inclusion numérique); QN07501A: P03, P04, P08 carry four themes once each.
    assert dominant["QN06902B"] == "inclusion-numerique"
    assert dominant["QN07501A"] == "cadre-de-vie"
    assert "QN06903C" not in dominant.index  # no partnership


def test_dominant_theme_follows_the_theme_filter(atlas):
    dominant = indicators.dominant_theme(apply(atlas, Filters(themes=("cohesion-sociale",))))
    assert dominant["QN07501A"] == "cohesion-sociale"


def test_partnerships_by_family_in_schema_order(national):
    # 111111111 (OPH): P01 P02 P08; 222222222 (ESH): P03 P04 P05; 333333333 (SEM): P06 P07.
    table = indicators.by_famille(national)
    assert list(table["famille"]) == ["OPH", "ESH", "Coop HLM", "SEM", "autre"]
    assert list(table["label"]) == ["OPH", "ESH", "Coop'HLM", "SEM", "autre"]
    assert list(table["partenariats"]) == [3, 3, 0, 2, 0]
    assert list(table["part"]) == [3 / 8, 3 / 8, 0.0, 2 / 8, 0.0]


def test_partnerships_by_organism_largest_first(national):
    table = indicators.by_organisme(national, limit=2)
    # 3 each for Habitat Francilien and Lyon Métropole Habitat: ties by name.
    assert list(table["nom_organisme"]) == ["Habitat Francilien", "Lyon Métropole Habitat"]
    assert list(table["partenariats"]) == [3, 3]
    assert list(table["regies"]) == [2, 2]  # RQ-075-01, RQ-093-01 / RQ-069-01, RQ-075-01
    assert len(indicators.by_organisme(national)) == 3


def test_blank_counts_are_unknown_not_zero(atlas):
    selection = apply(atlas, Filters())
    regies = selection.regies.copy()
    regies["salaries"] = regies["salaries"].astype("Int64")
    regies.loc[regies.index[:2], "salaries"] = pd.NA
    regies["benevoles"] = pd.array([pd.NA] * len(regies), dtype="Int64")
    known = [int(v) for v in selection.regies["salaries"].iloc[2:]]
    figures = indicators.kpis(replace(selection, regies=regies))
    assert (figures.salaries, figures.salaries_renseignes) == (sum(known), len(known))
    assert (figures.benevoles, figures.benevoles_renseignes) == (None, 0)
    assert indicators.coverage_text(figures, "salaries") == f"{len(known)} régies sur {len(regies)} renseignées"
    assert indicators.coverage_text(figures, "regies") is None
