"""Opportunities on the hand-made datasets of conftest: rows, order and figures worked out by hand, distances
checked against geodesic distances computed with pyproj.Geod (not the projected ones of the code)."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod

from geo.filters import Filters, apply
from geo.joins import build_atlas
from geo.opportunities import explain_ranking, organisme_gaps, qpv_opportunities, reach_pairs, regie_reach
from tests.geo.conftest import make_datasets

GEOD = Geod(ellps="GRS80")
LYON, FRANCILIEN, REUNION = "111111111", "222222222", "333333333"
PATRIMOINE = pd.DataFrame({
    "siren_organisme": [LYON, LYON, FRANCILIEN, LYON, FRANCILIEN, REUNION],
    "code_qp": ["QN06903C", "QN06901A", "QN07502B", "QN07502B", "QN09302B", "QN97402B"],
    "nb_logements": pd.array([500, 300, 800, 100, 200, 50], dtype="Int64"),
})


def geodesic_distance(point, polygon) -> float:
    """Metres on the ellipsoid from a point to a polygon: 0 inside, else the shortest geodesic distance to
    points spaced about a metre along its boundary."""
    if polygon.contains(point):
        return 0.0
    boundary = shapely.segmentize(polygon.exterior, 0.00001)
    lons, lats = np.asarray(boundary.coords).T
    _, _, distances = GEOD.inv(np.full(len(lons), point.x), np.full(len(lats), point.y), lons, lats)
    return float(distances.min())


@pytest.fixture(scope="module")
def atlas():
    return build_atlas(make_datasets())


def test_pairs_within_reach_match_geodesic_distances(atlas):
    pairs = reach_pairs(atlas, 5_000)
    regies = atlas.regies.set_index("id_regie").geometry
    qpv = atlas.qpv.set_index("code_qp").geometry
    got = {(r, c): d for r, c, d in pairs[["id_regie", "code_qp", "distance_m"]].itertuples(index=False)}
    # Every régie × QPV pair of the same zone, measured on the ellipsoid: exactly those within 5 km are listed.
    for rid, point in regies.items():
        for code, polygon in qpv.items():
            if (rid == "RT-974-01") != code.startswith("QN974"):
                continue
            expected = geodesic_distance(point, polygon)
            if expected <= 4_950:
                assert got[rid, code] == pytest.approx(expected, rel=2e-3, abs=1.0), (rid, code)
            elif expected > 5_050:
                assert (rid, code) not in got
    assert got["RQ-075-01", "QN07502B"] == pytest.approx(1_350, abs=2)
    assert got["RQ-093-01", "QN09302B"] == pytest.approx(math.hypot(2_200, 1_800), abs=3)
    assert got["RT-974-01", "QN97402B"] == 0.0


def test_qpv_without_partnership_ranked_by_reach_then_housing_then_population(atlas):
    table = qpv_opportunities(apply(atlas, Filters()), PATRIMOINE, reach_pairs(atlas, 2_000))
    assert table["code_qp"].tolist() == ["QN07502B", "QN97402B", "QN06903C", "QN09302B"]
    first = table.iloc[0]
    assert (first["population"], first["logements_hlm"], first["n_organismes"]) == (8000, 900, 2)
    assert first["organismes"] == "Habitat Francilien (800 logements) ; Lyon Métropole Habitat (100 logements)"
    assert (first["n_regies_proches"], first["regie_proche"]) == (1, "Régie Stalingrad")
    assert first["distance_m"] == pytest.approx(1_350, abs=2)
    assert first["regies_proches"] == "Régie Stalingrad (1,4 km)"
    # Both owners already work with Régie Stalingrad (P03, P08).
    assert first["n_duos"] == 2
    assert first["duos"] == "Habitat Francilien × Régie Stalingrad ; Lyon Métropole Habitat × Régie Stalingrad"
    reunion = table.iloc[1]
    assert (reunion["distance_m"], reunion["n_duos"], reunion["logements_hlm"]) == (0.0, 1, 50)
    assert pd.isna(reunion["population"])
    far = table.set_index("code_qp").loc[["QN06903C", "QN09302B"]]
    assert far["n_regies_proches"].tolist() == [0, 0] and far["distance_m"].isna().all()
    assert far["logements_hlm"].tolist() == [500, 200]


def test_an_opportunity_disappears_once_a_partnership_covers_it():
    ds = make_datasets()
    new = ds.partenariats.iloc[[0]].assign(id_partenariat="P12", id_regie="RQ-075-01", siren_organisme=FRANCILIEN,
                                           qpv=[["QN07502B"]], _ligne=13)
    atlas = build_atlas(replace(ds, partenariats=pd.concat([ds.partenariats, new], ignore_index=True)))
    table = qpv_opportunities(apply(atlas, Filters()), PATRIMOINE, reach_pairs(atlas, 2_000))
    assert "QN07502B" not in set(table["code_qp"])
    assert len(table) == 3


def test_filters_apply_to_which_qpv_lack_a_partnership(atlas):
    sel = apply(atlas, Filters(regions=("84",), themes=("precarite-energetique",)))
    table = qpv_opportunities(sel, PATRIMOINE, reach_pairs(atlas, 2_000))
    # No partnership of that theme in Auvergne-Rhône-Alpes: its five QPV; the two within reach of RQ-069-01 first.
    assert set(table["code_qp"]) == {"QN06901A", "QN06902B", "QN06903C", "QN03801A", "QN03802B"}
    assert table["code_qp"].tolist()[:2] == ["QN06901A", "QN06902B"]


def test_qpv_within_reach_of_a_regie_that_it_does_not_declare(atlas):
    table = regie_reach(apply(atlas, Filters()), "RQ-093-01", PATRIMOINE, reach_pairs(atlas, 5_000))
    assert table["code_qp"].tolist() == ["QN09302B"]
    row = table.iloc[0]
    assert row["distance_m"] == pytest.approx(math.hypot(2_200, 1_800), abs=3)
    assert (row["population"], row["logements_hlm"], row["n_partenariats"]) == (6000, 200, 0)
    assert row["organismes"] == "Habitat Francilien (200 logements)"
    assert row["deja_partenaires"] == "Habitat Francilien"  # P05
    assert regie_reach(apply(atlas, Filters()), "RQ-075-01", PATRIMOINE, reach_pairs(atlas, 2_000)).empty


def test_qpv_of_an_organism_without_partnership(atlas):
    table = organisme_gaps(apply(atlas, Filters()), FRANCILIEN, PATRIMOINE, reach_pairs(atlas, 2_000))
    assert table["code_qp"].tolist() == ["QN07502B", "QN09302B"]
    assert table["logements"].tolist() == [800, 200]
    assert table["regie_proche"].tolist() == ["Régie Stalingrad", ""]
    assert table["deja_partenaire"].tolist() == [True, False]
    assert table["distance_m"].iloc[0] == pytest.approx(1_350, abs=2) and np.isnan(table["distance_m"].iloc[1])


def test_ranking_is_explained_with_the_reach():
    assert "1,5 km" in explain_ranking(1_500) and "logements" in explain_ranking(1_500)
    assert "500 m" in explain_ranking(500)
