"""The map's data for a selection: each QPV drawn with its display outline and its dominant theme (worked out by
hand below), dots or outlines by scale, the frame only when a territory is chosen."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

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
    {"code_qp": ["QN00004D", "QN00002B", "QN00001A", "QN00003C", "QN97401A"]},
    geometry=[box(9, 45, 9.1, 45.1), box(2.0, 48.0, 2.5, 48.5), box(1.0, 47.0, 1.5, 47.25), box(3, 44, 3.1, 44.1),
              box(55.4, -21.0, 55.5, -20.9)],
    crs="EPSG:4326",
).set_index("code_qp", drop=False)


@pytest.fixture(scope="module")
def sel() -> Selection:
    qpv = gpd.GeoDataFrame(
        {"code_qp": ["QN00001A", "QN00002B", "QN00003C"], "lib_qp": ["Un", "Deux", "Trois"],
         "lib_com": ["Tours", "Paris", "Nîmes"], "coverage": ["regie_partenariat", "partenariat_seul", "aucune"],
         "n_partenariats": [3, 2, 0], "insee_reg": ["24", "11", "76"]},
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
    return Selection(Filters(), qpv, regies, pd.DataFrame(), links, pd.DataFrame(), atlas=ATLAS)


# Two overseas régions with outlines (La Réunion, Guadeloupe), one QPV in La Réunion (see `overseas`).
ATLAS = SimpleNamespace(
    departements=gpd.GeoDataFrame({"insee_dep": ["974", "971", "37"], "insee_reg": ["04", "01", "24"]},
                                  geometry=[box(55.2, -21.4, 55.8, -20.9), box(-61.8, 15.8, -61.0, 16.5),
                                            box(0.0, 46.7, 1.4, 47.7)], crs="EPSG:4326"),
    region_name={"04": "La Réunion", "01": "Guadeloupe"}.get,
)


@pytest.fixture(scope="module")
def overseas(sel) -> Selection:
    extra = sel.qpv.iloc[[0]].assign(code_qp="QN97401A", lib_qp="Le Chaudron", lib_com="Saint-Denis",
                                     insee_reg="04", coverage="aucune", n_partenariats=0)
    qpv = gpd.GeoDataFrame(pd.concat([sel.qpv, extra], ignore_index=True), crs=sel.qpv.crs)
    return Selection(Filters(), qpv, sel.regies, pd.DataFrame(), sel.links, pd.DataFrame(), atlas=ATLAS)


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
    composition = payload.composition
    assert composition.dots and composition.qpv_over_regies
    assert not composition.framed and composition.bounds == [[41.3, -5.2], [51.1, 9.6]]  # metropolitan France
    assert payload.qpv["qpv"] == ["QN00001A", "QN00002B", "QN00003C"]
    assert "geometry" not in payload.qpv
    # representative points of the display outlines, not of the far-away selection geometries
    assert all(1.0 <= lon <= 3.1 for lon in payload.qpv["lon"])
    assert payload.regies["regie"] == ["R1"]
    assert composition.legend.title == "Couverture (régie / partenariat)"
    assert [label for _, label in composition.legend.items] == [
        "Régie et partenariat", "Partenariat sans régie", "Ni régie ni partenariat"]
    assert composition.legend.marks == [("#c2410c", "Régie")]
    assert composition.legend.without_regies().marks == []
    assert payload.communes is None


def test_national_view_has_an_inset_per_overseas_region_with_its_qpv(overseas):
    payload = build_map_payload(overseas, OUTLINES, SCALES["national"], "coverage", framed=False)
    insets = payload.insets
    assert insets["region"] == ["01", "04"]  # Guadeloupe first (code order), both with an outline
    assert insets["n"] == ["Guadeloupe", "La Réunion"]
    assert insets["bounds"] == [[[15.8, -61.8], [16.5, -61.0]], [[-21.4, 55.2], [-20.9, 55.8]]]
    assert insets["lat"][0] == [] and insets["lon"][0] == []  # no QPV selected in Guadeloupe
    # the one Réunion QPV, at a point of its display outline, grey like "aucune" on the main map
    assert len(insets["lat"][1]) == 1 and -21.0 <= insets["lat"][1][0] <= -20.9 and 55.4 <= insets["lon"][1][0] <= 55.5
    assert insets["palette"][insets["f"][1][0]] == "#c9ccd1"


def test_a_framed_national_scale_has_no_inset(overseas):
    payload = build_map_payload(overseas, OUTLINES, SCALES["national"], "coverage", framed=True)
    assert payload.insets is None and payload.composition.insets == ()


def test_commune_names_come_with_the_territory_views(overseas):
    local = build_map_payload(overseas, OUTLINES, SCALES["local"], "coverage", framed=True)
    regional = build_map_payload(overseas, OUTLINES, SCALES["regional"], "coverage", framed=True)
    assert local.insets is None and regional.insets is None
    assert local.communes["from"] == 0 and regional.communes["from"] > 8
    # one name per commune, at the mean of its QPV's representative points (one QPV each here)
    assert sorted(local.communes["n"]) == ["Nîmes", "Paris", "Saint-Denis", "Tours"]
    tours = local.communes["n"].index("Tours")
    assert 47.0 <= local.communes["lat"][tours] <= 47.25 and 1.0 <= local.communes["lon"][tours] <= 1.5


@pytest.mark.parametrize(("scale", "halo"), [("regional", True), ("local", False)])
def test_territory_scales_send_outlines_and_fit_the_selection(sel, scale, halo):
    payload = build_map_payload(sel, OUTLINES, SCALES[scale], "theme", framed=True)
    composition = payload.composition
    assert not composition.dots and composition.halo is halo
    assert composition.qpv_over_regies is halo  # large local outlines go under the régie rings
    assert payload.qpv["halo"] is halo
    assert len(payload.qpv["geometry"]) == 3
    # QPV outlines span lon 1.0–3.1, lat 44–48.5; the régie at (0.5, 47.5) widens the west edge
    assert composition.framed and composition.bounds == [[44.0, 0.5], [48.5, 3.1]]


def test_a_territory_is_framed_whole_even_where_it_has_no_qpv(sel):
    """Indre-et-Loire (37, lon 0.0–1.4, lat 46.7–47.7) chosen: its outline widens the frame of the QPV drawn."""
    chosen = replace(sel, filters=Filters(departements=("37",)))
    payload = build_map_payload(chosen, OUTLINES, SCALES["local"], "coverage", framed=True)
    assert payload.composition.bounds == [[44.0, 0.0], [48.5, 3.1]]
    by_region = replace(sel, filters=Filters(regions=("24",)))
    assert build_map_payload(by_region, OUTLINES, SCALES["regional"], "coverage", framed=True
                             ).composition.bounds == [[44.0, 0.0], [48.5, 3.1]]
