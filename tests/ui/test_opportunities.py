"""Opportunity builders: export frame and map, checked on what they return."""

from __future__ import annotations

import json
from types import SimpleNamespace

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import Point, box

from geo.filters import Filters
from ui.assets import external_links
from ui.maps import REGIE_COLOR
from ui.opportunities import ORGANISME_LABELS, QPV_LABELS, for_export, opportunities_map

TABLE = pd.DataFrame({
    "code_qp": ["QN07501A", "QN06901A"], "lib_qp": ["<script>x</script>", "Mermoz"], "lib_com": ["Paris", "Lyon"],
    "lib_dep": ["Paris", "Rhône"], "lib_reg": ["Île-de-France", "Auvergne-Rhône-Alpes"],
    "population": pd.array([12000, None], dtype="Int64"), "logements_hlm": [900, 0], "n_organismes": [2, 0],
    "organismes": ["A (800 logements) ; B (100 logements)", ""], "n_regies_proches": [1, 0],
    "regie_proche": ["Régie Stalingrad", ""], "distance_m": [1349.6, np.nan],
    "regies_proches": ["Régie Stalingrad (1,3 km)", ""], "n_duos": [1, 0], "duos": ["A × Régie Stalingrad", ""],
})
QPV = gpd.GeoDataFrame({"code_qp": ["QN07501A", "QN06901A", "QN97401A"], "insee_reg": ["11", "84", "04"]},
                       geometry=[box(2.36, 48.88, 2.37, 48.89), box(4.85, 45.75, 4.86, 45.76),
                                 box(55.45, -20.9, 55.46, -20.89)], crs="EPSG:4326")
REGIES = gpd.GeoDataFrame({"nom": ["Régie Stalingrad"]}, geometry=[Point(2.35, 48.88)], crs="EPSG:4326")
DEPARTEMENTS = gpd.GeoDataFrame({"insee_dep": ["75", "69", "974"], "insee_reg": ["11", "84", "04"]},
                                geometry=[box(2.2, 48.8, 2.5, 48.9), box(4.2, 45.4, 5.2, 46.3),
                                          box(55.2, -21.4, 55.8, -20.9)], crs="EPSG:4326")
OUTLINES = "/app/static/generated/contours-test.json"


def selection(qpv=QPV, regies=REGIES, filters=None) -> SimpleNamespace:
    """What the map reads of a `Selection`: its QPV, régies, filters and the atlas' départements and names."""
    atlas = SimpleNamespace(departements=DEPARTEMENTS, region_name={"04": "La Réunion"}.get)
    return SimpleNamespace(qpv=qpv, regies=regies, filters=filters or Filters(), atlas=atlas)


def test_export_rounds_distances_and_names_columns_in_french():
    out = for_export(TABLE, QPV_LABELS)
    assert out.columns.tolist() == list(QPV_LABELS.values())
    assert out["Distance (m)"].tolist()[0] == 1350 and pd.isna(out["Distance (m)"].tolist()[1])


def test_export_says_yes_or_no():
    table = pd.DataFrame({c: ["x"] for c in ORGANISME_LABELS}).assign(deja_partenaire=[True], distance_m=[10.2])
    assert for_export(table, ORGANISME_LABELS)["Déjà partenaire de cette régie"].tolist() == ["oui"]


def layers(m: folium.Map) -> dict[tuple[str, str], list[str]]:
    """(group, fill or ring colour) of each points layer -> the tooltips of its points."""
    out = {}
    for group in m._children.values():
        for layer in getattr(group, "_children", {}).values():
            if isinstance(layer, folium.GeoJson):
                options = layer.marker.options
                key = (group.layer_name, options.get("fillColor") or options["color"])
                out[key] = [f["properties"]["tip"] for f in layer.data["features"]]
    return out


def test_map_colours_by_reach_escapes_names_and_stays_offline():
    m = opportunities_map(TABLE, selection(), OUTLINES)
    html = m.get_root().render()
    shown = layers(m)
    within, out_of_reach = shown["QPV sans partenariat", "#c2410c"], shown["QPV sans partenariat", "#6b7280"]
    assert len(within) == len(out_of_reach) == 1
    assert "&lt;script&gt;x&lt;/script&gt;" in within[0] and "<script>x</script>" not in html
    assert "Régie la plus proche : Régie Stalingrad, 1,3 km" in within[0]  # 1 350 m (1.35 is 1.3499… in binary)
    assert "Aucune régie à portée" in out_of_reach[0]
    assert shown["Régies", REGIE_COLOR] == ["Régie Stalingrad"]
    assert external_links(m) == []


def test_map_without_any_qpv_nor_regie_renders():
    m = opportunities_map(TABLE.iloc[0:0], selection(regies=REGIES.iloc[0:0]), OUTLINES)
    assert "<html>" in m.get_root().render()
    assert layers(m) == {}


def _fitted(m: folium.Map) -> list:
    return next(child for child in m._children.values() if isinstance(child, folium.FitBounds)).bounds


def test_national_map_frames_metropolitan_france_with_outlines_and_overseas_insets():
    """As on /carte: the metropolitan frame at the quarter zoom, the outlines, an inset per overseas région
    with its gaps coloured by reach (fails on the old code, which fitted every QPV, overseas included)."""
    table = pd.concat([TABLE, TABLE.iloc[[1]].assign(code_qp="QN97401A", lib_qp="Le Chaudron")], ignore_index=True)
    m = opportunities_map(table, selection(), OUTLINES)
    assert _fitted(m) == [[41.3, -5.2], [51.1, 9.6]]
    assert m.options["zoom_snap"] == 0.25
    html = m.get_root().render()
    assert f'Carte.outlines(map_{m._id}, "{OUTLINES}")' in html
    insets = next(c for c in m._children.values() if getattr(c, "function", "") == "insets")
    data = json.loads(insets.payload)
    assert data["region"] == ["04"] and data["n"] == ["La Réunion"] and data["title"] == ""
    assert [data["palette"][i] for i in data["f"][0]] == ["#6b7280"]  # no régie within reach
    assert "Carte.insets(" in html


def test_a_territory_map_frames_the_territory_without_insets():
    rhone = selection(regies=REGIES.iloc[0:0], filters=Filters(departements=("69",)))
    m = opportunities_map(TABLE.iloc[[1]], rhone, OUTLINES)
    assert _fitted(m) == [[45.4, 4.2], [46.3, 5.2]]  # the Rhône whole, around its one QPV shown
    assert m.options["zoom_snap"] == 1
    assert "Carte.insets(" not in m.get_root().render()
