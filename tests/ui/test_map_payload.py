"""The map's data for a selection: each QPV drawn with its display outline and its dominant theme (worked out by
hand below), dots or outlines by scale, the frame only when a territory is chosen."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from geo.display import SCALES
from geo.filters import Filters, Selection
from ui.map_payload import build_map_payload, qpv_map_frame

# The selection's own geometries are far from the display outlines: the frame must use the latter.
FAR = box(100.0, 10.0, 100.1, 10.1)
OUTLINES = gpd.GeoDataFrame(
    {"code_qp": ["QN00004D", "QN00002B", "QN00001A", "QN00003C"]},
    geometry=[box(9, 45, 9.1, 45.1), box(2.0, 48.0, 2.5, 48.5), box(1.0, 47.0, 1.5, 47.25), box(3, 44, 3.1, 44.1)],
    crs="EPSG:4326",
).set_index("code_qp", drop=False)


@pytest.fixture(scope="module")
def sel() -> Selection:
    qpv = gpd.GeoDataFrame(
        {"code_qp": ["QN00001A", "QN00002B", "QN00003C"], "lib_qp": ["Un", "Deux", "Trois"],
         "lib_com": ["Tours", "Paris", "Nîmes"], "coverage": ["regie_partenariat", "partenariat_seul", "aucune"],
         "n_partenariats": [3, 2, 0]},
        geometry=[FAR, FAR, FAR], crs="EPSG:4326",
    )
    links = pd.DataFrame({  # QN00001A: 2 partnerships « cadre de vie », 1 « cohésion »; QN00002B: a tie
        "id_partenariat": ["P1", "P2", "P2", "P3", "P4", "P5"],
        "code_qp": ["QN00001A", "QN00001A", "QN00001A", "QN00001A", "QN00002B", "QN00002B"],
        "theme": ["cadre-de-vie", "cadre-de-vie", "cohesion-sociale", "inclusion-numerique",
                  "inclusion-numerique", "transition-ecologique"],
    })
    regies = gpd.GeoDataFrame(
        {"id_regie": ["R1"], "nom": ["Régie"], "type": ["régie de quartier"], "commune": ["Paris"],
         "salaries": [10], "benevoles": [2], "qpv_couverts": [["QN00001A"]], "organismes": [["Office"]],
         "themes": [["cadre-de-vie"]]},
        geometry=[Point(0.5, 47.5)], crs="EPSG:4326",
    )
    return Selection(Filters(), qpv, regies, pd.DataFrame(), links, pd.DataFrame(), atlas=None)


def test_frame_takes_display_outlines_and_dominant_theme(sel):
    frame = qpv_map_frame(sel, OUTLINES)
    assert frame["code_qp"].tolist() == ["QN00001A", "QN00002B", "QN00003C"]
    for code, geometry in zip(frame["code_qp"], frame.geometry, strict=True):
        assert geometry.equals(OUTLINES.loc[code, "geometry"])
    # QN00001A: cadre-de-vie 2 partnerships (P1, P2) against 1; QN00002B: 1 each, transition-ecologique comes
    # before inclusion-numerique in the convention; QN00003C: no partnership
    assert frame["theme_dominant"].tolist()[:2] == ["cadre-de-vie", "transition-ecologique"]
    assert pd.isna(frame["theme_dominant"].iloc[2])
    assert frame.crs == OUTLINES.crs
    assert frame["n_partenariats"].tolist() == [3, 2, 0]


def test_national_scale_sends_dots_without_frame(sel):
    payload = build_map_payload(sel, OUTLINES, SCALES["national"], "coverage", framed=False)
    assert payload.dots
    assert payload.bounds is None
    assert payload.qpv["qpv"] == ["QN00001A", "QN00002B", "QN00003C"]
    assert "geometry" not in payload.qpv
    # representative points of the display outlines, not of the far-away selection geometries
    assert all(1.0 <= lon <= 3.1 for lon in payload.qpv["lon"])
    assert payload.regies["regie"] == ["R1"]
    assert [label for _, label in payload.legend_items] == [
        "Régie et partenariat", "Partenariat sans régie", "Ni régie ni partenariat"]


@pytest.mark.parametrize(("scale", "halo"), [("regional", True), ("local", False)])
def test_territory_scales_send_outlines_and_fit_the_selection(sel, scale, halo):
    payload = build_map_payload(sel, OUTLINES, SCALES[scale], "theme", framed=True)
    assert not payload.dots
    assert payload.qpv["halo"] is halo
    assert len(payload.qpv["geometry"]) == 3
    # QPV outlines span lon 1.0–3.1, lat 44–48.5; the régie at (0.5, 47.5) widens the west edge
    assert payload.bounds == [[44.0, 0.5], [48.5, 3.1]]
