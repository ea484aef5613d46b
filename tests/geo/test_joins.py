"""build_atlas: territories, coverage, spatial matches and cross-file findings, on the hand-made fixture."""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path

import pandas as pd
import pytest

from geo.joins import build_atlas
from geo.ref import dep_of_commune_or_none
from geo.validate import AVERTISSEMENT, ERREUR


def qpv_row(atlas, code):
    return atlas.qpv.set_index("code_qp").loc[code]


def regie_row(atlas, rid):
    return atlas.regies.set_index("id_regie").loc[rid]


def findings(atlas, file, severity, row):
    return [f for f in atlas.findings if f.file == file and f.severity == severity and f.row == row]


# --- territories -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("commune", "expected"),
    [("69123", "69"), ("2A004", "2A"), ("2b033", "2B"), ("97411", "974"), ("1053", "01"), (None, None), ("", None)],
)
def test_departement_of_commune(commune, expected):
    assert dep_of_commune_or_none(commune) == expected


def test_missing_departement_and_region_derived_from_commune(atlas):
    row = qpv_row(atlas, "QN09301A")  # no territory columns in the file, commune 93066
    assert (row["insee_dep"], row["lib_dep"], row["insee_reg"], row["lib_reg"]) == (
        "93", "Seine-Saint-Denis", "11", "Île-de-France")


def test_qpv_without_commune_located_in_departement_polygons(atlas):
    row = qpv_row(atlas, "QN97402B")
    assert (row["insee_dep"], row["lib_dep"], row["insee_reg"], row["lib_reg"]) == (
        "974", "La Réunion", "04", "La Réunion")


def test_regie_without_commune_located_in_departement_polygons(atlas):
    row = regie_row(atlas, "RT-974-01")
    assert (row["insee_dep"], row["insee_reg"], row["lib_reg"]) == ("974", "04", "La Réunion")


def test_regie_territory_from_commune(atlas):
    row = regie_row(atlas, "RQ-093-01")
    assert (row["insee_dep"], row["lib_dep"], row["insee_reg"]) == ("93", "Seine-Saint-Denis", "11")


# data/ref/qpv2024_communes.csv: Vénissieux in the Métropole de Lyon, Saint-Denis in the Métropole du Grand Paris
LYON_METROPOLE, GRAND_PARIS = "200046977", "200054781"


def test_epci_of_qpv_and_regies_from_their_commune(atlas):
    assert qpv_row(atlas, "QN06901A")["epci"] == LYON_METROPOLE
    assert qpv_row(atlas, "QN09301A")["epci"] == GRAND_PARIS
    assert pd.isna(qpv_row(atlas, "QN97402B")["epci"])  # no commune, no siren_epci
    assert regie_row(atlas, "RQ-069-01")["epci"] == LYON_METROPOLE
    assert pd.isna(regie_row(atlas, "RT-974-01")["epci"])  # no commune code


def test_epci_given_by_the_qpv_file_wins_over_its_commune(ds):
    qpv = ds.qpv.copy()
    qpv["siren_epci"] = [" 200054781 " if c == "QN06901A" else None for c in qpv["code_qp"]]
    atlas = build_atlas(dataclasses.replace(ds, qpv=qpv))
    assert qpv_row(atlas, "QN06901A")["epci"] == GRAND_PARIS
    assert qpv_row(atlas, "QN06902B")["epci"] == LYON_METROPOLE


def test_frames_stay_in_wgs84(atlas):
    assert atlas.qpv.crs.to_epsg() == 4326
    assert atlas.regies.crs.to_epsg() == 4326


# --- coverage --------------------------------------------------------------------------------------------------


def test_coverage_categories(atlas):
    expected = {
        "QN06901A": "regie_partenariat", "QN06902B": "regie_partenariat", "QN06903C": "aucune",
        "QN03801A": "partenariat_seul", "QN03802B": "partenariat_seul", "QN07501A": "regie_partenariat",
        "QN07502B": "regie_seule", "QN09301A": "regie_partenariat", "QN09302B": "aucune",
        "QN97401A": "regie_partenariat", "QN97402B": "aucune",
    }
    assert dict(zip(atlas.qpv["code_qp"], atlas.qpv["coverage"], strict=True)) == expected


def test_qpv_lists_the_regies_declaring_it(atlas):
    regies = dict(zip(atlas.qpv["code_qp"], atlas.qpv["regies"], strict=True))
    assert regies["QN06902B"] == ("RQ-069-01",)
    assert regies["QN97402B"] == ()  # the régie is inside but does not declare it
    assert bool(qpv_row(atlas, "QN07502B")["couvert"]) is True
    assert bool(qpv_row(atlas, "QN03801A")["couvert"]) is False


def test_partnership_count_per_qpv(atlas):
    expected = {"QN06901A": 2, "QN06902B": 1, "QN06903C": 0, "QN03801A": 1, "QN03802B": 1, "QN07501A": 3,
                "QN07502B": 0, "QN09301A": 1, "QN09302B": 0, "QN97401A": 2, "QN97402B": 0}
    assert dict(zip(atlas.qpv["code_qp"], atlas.qpv["n_partenariats"], strict=True)) == expected


# --- spatial matches -------------------------------------------------------------------------------------------


def test_regie_inside_its_qpv_matches(atlas):
    assert regie_row(atlas, "RQ-069-01")["qpv_spatial"] == ("QN06901A",)


def test_regie_250_m_away_matches_within_300_m(atlas):
    assert regie_row(atlas, "RQ-075-01")["qpv_spatial"] == ("QN07501A",)


def test_regie_400_m_away_does_not_match_within_300_m(atlas):
    assert regie_row(atlas, "RQ-093-01")["qpv_spatial"] == ()


def test_regie_400_m_away_matches_within_500_m(ds):
    wide = build_atlas(ds, distance_m=500)
    assert regie_row(wide, "RQ-093-01")["qpv_spatial"] == ("QN09301A",)
    assert not findings(wide, "regies.csv", AVERTISSEMENT, 4)


def test_overseas_distance_measured_in_local_metric_crs(atlas):
    declared = atlas.declared.set_index(["id_regie", "code_qp"])["distance_m"]
    assert declared[("RT-974-01", "QN97401A")] == pytest.approx(2800, abs=1)
    assert declared[("RQ-075-01", "QN07502B")] == pytest.approx(1350, abs=1)


# --- findings --------------------------------------------------------------------------------------------------


def test_unknown_declared_qpv_is_an_error_on_its_row(atlas):
    errors = findings(atlas, "regies.csv", ERREUR, 4)
    assert len(errors) == 1
    assert errors[0].column == "qpv_couverts"
    assert "« QN09399Z »" in errors[0].message


def test_regie_away_from_its_declared_qpv_names_the_nearest_and_distance(atlas):
    warnings = [f for f in findings(atlas, "regies.csv", AVERTISSEMENT, 4)]
    assert len(warnings) == 1
    assert "QN09301A" in warnings[0].message
    assert "400 m" in warnings[0].message


def test_overseas_regie_away_from_its_declared_qpv(atlas):
    messages = [f.message for f in findings(atlas, "regies.csv", AVERTISSEMENT, 5)]
    assert any("QN97401A" in m and "2,8 km" in m for m in messages)


def test_regie_inside_an_undeclared_qpv_is_reported(atlas):
    messages = [f.message for f in findings(atlas, "regies.csv", AVERTISSEMENT, 5)]
    assert any("QN97402B" in m and "ne déclare pas" in m for m in messages)


def test_well_placed_regies_have_no_finding(atlas):
    assert [f for f in atlas.findings if f.file == "regies.csv" and f.row in (2, 3)] == []


@pytest.mark.parametrize(("pid", "row", "column"), [("P09", 10, "id_regie"), ("P10", 11, "siren_organisme"),
                                                     ("P11", 12, "qpv")])
def test_partnership_with_unknown_reference_is_an_error_and_excluded(atlas, pid, row, column):
    errors = findings(atlas, "partenariats.csv", ERREUR, row)
    assert [(e.column, pid in e.message) for e in errors] == [(column, True)]
    assert pid not in set(atlas.partenariats["id_partenariat"])
    assert pid not in set(atlas.links["id_partenariat"])


def test_partnership_qpv_not_covered_by_its_regie_is_a_warning(atlas):
    warnings = [f for f in atlas.findings if f.file == "partenariats.csv" and f.severity == AVERTISSEMENT]
    assert [(w.row, w.column) for w in warnings] == [(6, "qpv")]
    assert "QN03801A" in warnings[0].message and "QN03802B" in warnings[0].message
    assert "QN09301A" not in warnings[0].message


def test_finding_file_name_comes_from_the_loaded_file(ds):
    ds.files = {"regies": Path("donnees/regies.xlsx")}
    atlas = build_atlas(ds)
    assert {f.file for f in atlas.findings} == {"regies.xlsx", "partenariats.csv"}


def test_findings_without_row_numbers_when_the_loader_gave_none(ds):
    ds.regies = ds.regies.drop(columns="_ligne")
    atlas = build_atlas(ds)
    assert {f.row for f in atlas.findings if f.file == "regies.csv"} == {None}


# --- joined tables ---------------------------------------------------------------------------------------------


def test_partenariats_are_enriched(atlas):
    row = atlas.partenariats.set_index("id_partenariat").loc["P05"]
    assert row["nom_regie"] == "Régie Plaine Commune"
    assert (row["nom_organisme"], row["famille"], row["annee_debut"]) == ("Habitat Francilien", "ESH", 2024)
    assert row["insee_dep"] == ("38", "93")
    assert row["insee_reg"] == ("11", "84")
    assert row["lib_reg_principal"] == "Auvergne-Rhône-Alpes"  # 2 of its 3 QPV


def test_links_one_row_per_partnership_qpv_theme(atlas):
    assert len(atlas.links) == 17  # 2 + 2 + 2 + 1 + 6 + 1 + 2 + 1
    p05 = atlas.links[atlas.links["id_partenariat"] == "P05"]
    assert set(zip(p05["code_qp"], p05["theme"], strict=True)) == {
        (q, t) for q in ("QN09301A", "QN03801A", "QN03802B") for t in ("transition-ecologique", "cohesion-sociale")}


def test_links_carry_territory_and_partnership_attributes(atlas):
    row = atlas.links[atlas.links["id_partenariat"] == "P06"].iloc[0]
    assert (row["code_qp"], row["theme"], row["insee_dep"], row["insee_reg"], row["statut"], row["famille"],
            row["annee_debut"], row["siren_organisme"], row["id_regie"]) == (
        "QN97401A", "precarite-energetique", "974", "04", "en cours", "SEM", 2026, "333333333", "RT-974-01")


def test_regie_summaries(atlas):
    row = regie_row(atlas, "RQ-075-01")
    assert row["n_partenariats"] == 3
    assert row["organismes"] == ("Habitat Francilien", "Lyon Métropole Habitat")
    assert row["themes"] == ("cadre-de-vie", "cohesion-sociale", "inclusion-numerique", "insertion-professionnelle")


def test_organismes_partnership_counts(atlas):
    counts = dict(zip(atlas.organismes["siren"], atlas.organismes["n_partenariats"], strict=True))
    assert counts == {"111111111": 3, "222222222": 3, "333333333": 2}


def test_build_atlas_does_not_modify_the_datasets(ds):
    before = {name: copy.deepcopy(getattr(ds, name)) for name in
              ("qpv", "regies", "organismes", "partenariats", "regions", "departements")}
    build_atlas(ds)
    for name, frame in before.items():
        pd.testing.assert_frame_equal(getattr(ds, name), frame)


# --- immutability (the atlas is shared by every session) ------------------------------------------------------


def test_writing_to_a_frame_read_from_the_atlas_leaves_the_atlas_unchanged(atlas):
    qpv = atlas.qpv
    qpv.loc[0, "lib_qp"] = "modifié"
    qpv["n_partenariats"] += 100
    qpv.loc[qpv.index[1], "geometry"] = None
    qpv["nouvelle"] = 1
    parts, links, search = atlas.partenariats, atlas.links, atlas.search_qpv
    parts.loc[0, "statut"] = "terminé"
    links.iloc[0, 0] = "X"
    search.iloc[0] = "x"
    fresh = atlas.qpv
    assert fresh.loc[0, "lib_qp"] == "Les Minguettes" and "nouvelle" not in fresh.columns
    assert fresh.loc[1, "geometry"] is not None
    assert fresh["n_partenariats"].sum() == 11  # P01..P08 name 11 (partnership, QPV) pairs
    assert atlas.partenariats.loc[0, "statut"] == "en cours" and atlas.links.iloc[0, 0] == "P01"
    assert atlas.search_qpv.iloc[0] != "x"


def test_atlas_fields_cannot_be_replaced_nor_its_maps_and_index_changed(atlas):
    with pytest.raises(dataclasses.FrozenInstanceError):
        atlas.qpv = atlas.qpv.iloc[:0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        atlas.distance_m = 1.0
    with pytest.raises(TypeError):
        atlas.region_names["84"] = "Autre"
    with pytest.raises(TypeError):
        atlas.departement_region["69"] = "11"
    with pytest.raises(ValueError):
        atlas.index.pair_qpv[0] = 3
    atlas.findings.clear()
    assert len(atlas.findings) > 0


# frame -> its multi-valued columns, from the Atlas contract (geo.joins.Atlas)
MULTI_VALUED = {"qpv": ["regies"], "regies": ["qpv_couverts", "qpv_spatial", "organismes", "themes"],
                "partenariats": ["qpv", "themes", "insee_dep", "insee_reg"]}


@pytest.mark.parametrize(("frame", "column"), [(f, c) for f, columns in MULTI_VALUED.items() for c in columns])
def test_multi_valued_cells_cannot_be_changed_in_place(atlas, frame, column):
    cells = getattr(atlas, frame)[column].tolist()
    assert all(type(cell) is tuple for cell in cells)
    filled = next(cell for cell in cells if len(cell))
    with pytest.raises(AttributeError):
        filled.append("X")
    with pytest.raises(TypeError):
        filled[0] = "X"


def test_no_cell_of_the_shared_frames_is_a_list(atlas):
    for name in ("qpv", "regies", "partenariats", "links", "organismes", "regions", "departements", "pairs",
                 "declared", "spatial"):
        frame = getattr(atlas, name)
        assert not [c for c in frame.columns if frame[c].map(lambda v: isinstance(v, list)).any()], name
