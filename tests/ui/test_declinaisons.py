"""Declination builders: export frame, timeline and status map, checked on the objects they return."""

from __future__ import annotations

import html
import json
import re

import folium
import geopandas as gpd
import pandas as pd
from shapely.geometry import box, shape

from geo.declinaisons import STATUS_COLORS
from geo.view import OVERSEAS_REGIONS
from ui.declinaisons import COMPARISON_LABELS, for_export, signatures_timeline, status_layer, status_map

TABLE = pd.DataFrame({
    "insee_reg": ["84", "11", "04", "53"],
    "lib_reg": ["Auvergne-Rhône-Alpes", "Île-de-France", "La Réunion", "Bretagne"],
    "ar_hlm": ["AURA Hlm", "<b>AORIF</b>", "", ""],
    "statut": ["signée", "signée", "à engager", "en préparation"],
    "date_signature": pd.to_datetime(["2025-03-14", "2024-11-02", None, None]),
    "regies": [3, 4, 1, 0], "qpv": [10, 8, 2, 0], "qpv_couverts": [4, 2, 1, 0],
    "taux_couverture": [0.4, 0.25, 0.5, 0.0], "partenariats": [7, 5, 2, 0], "organismes": [2, 3, 1, 0],
})
REGIONS = gpd.GeoDataFrame({"insee_reg": ["84", "11", "04", "53"]},
                           geometry=[box(4, 45, 5, 46), box(2, 48, 3, 49), box(55, -21, 56, -20), box(-4, 48, -3, 49)],
                           crs="EPSG:4326")


def test_export_in_french_words():
    out = for_export(TABLE, COMPARISON_LABELS)
    assert out.columns.tolist() == list(COMPARISON_LABELS.values())
    assert out["Signée le"].tolist() == ["14/03/2025", "02/11/2024", "", ""]
    assert out["Taux de couverture"].tolist() == ["40,0\u202f%", "25,0\u202f%", "50,0\u202f%", "0,0\u202f%"]


def test_timeline_has_one_point_per_signature_in_date_order_with_running_count():
    spec = signatures_timeline(TABLE).to_dict()
    values = spec["datasets"][next(iter(spec["datasets"]))]
    assert [(v["region"], v["cumul"], v["date_fr"]) for v in values] == [
        ("Île-de-France", 1, "02/11/2024"), ("Auvergne-Rhône-Alpes", 2, "14/03/2025")]


def test_status_map_colours_metropolitan_regions_by_status():
    spec = status_map(REGIONS, TABLE).to_dict()
    features = spec["data"]["values"]
    assert {f["properties"]["region"]: f["properties"]["statut"] for f in features} == {
        "Auvergne-Rhône-Alpes": "signée", "Île-de-France": "signée", "Bretagne": "en préparation"}
    scale = spec["encoding"]["color"]["scale"]
    assert scale["domain"] == ["à engager", "en préparation", "signée"]
    assert scale["range"] == ["#d1d5db", "#f59e0b", "#1a7f5a"]
    assert next(f for f in features if f["properties"]["region"] == "Île-de-France")["properties"]["signee"] == \
        "02/11/2024"


def test_status_layer_paints_each_region_through_the_served_drawing_code():
    group = status_layer(REGIONS, TABLE)
    layer = next(iter(group._children.values()))
    assert layer.function == "areas"
    data = json.loads(layer.payload)
    assert data["color"] == ["#1a7f5a", "#1a7f5a", "#d1d5db", "#f59e0b"]  # in the outlines' order
    assert [shape(g).bounds for g in data["geometry"]] == [g.bounds for g in REGIONS.geometry]
    html = folium.Map().add_child(group).get_root().render()
    assert "Carte.areas(feature_group_" in html and "geo_json_" not in html


def _drawn_regions(spec: dict) -> tuple[dict[str, tuple[str, tuple]], list[str]]:
    """What Vega draws (vl-convert runs the browser's Vega): per région its fill and path box; the texts."""
    import vl_convert as vlc

    svg = vlc.vegalite_to_svg(spec, allowed_base_urls=[])
    drawn = {}
    for path in re.findall(r"<path aria-label=\"[^\"]*Région: [^>]*>", svg):
        region = re.search(r"Région: ([^;\"]*)", path).group(1)
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", re.search(r' d="([^"]*)"', path).group(1))]
        xs, ys = numbers[0::2], numbers[1::2]
        drawn[html.unescape(region)] = (re.search(r'fill="([^"]*)"', path).group(1),
                                        (min(xs), min(ys), max(xs), max(ys)))
    legend = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    return drawn, [html.unescape(t) for t in legend]


def test_status_map_draws_each_region_in_its_place_and_colour(demo_atlas):
    """The drawn shapes, not the spec: GeoJSON's counter-clockwise rings made Vega draw every région as the
    whole globe, one grey disc (fails on the old code: all paths collapse to one point)."""
    regions = demo_atlas.regions
    metropolitan = regions[~regions["insee_reg"].isin(OVERSEAS_REGIONS)]
    statuses = ["à engager", "en préparation", "signée"]
    table = pd.DataFrame({"insee_reg": regions["insee_reg"].to_numpy(), "lib_reg": regions["lib_reg"].to_numpy(),
                          "ar_hlm": "", "statut": [statuses[i % 3] for i in range(len(regions))],
                          "date_signature": pd.NaT})
    drawn, texts = _drawn_regions(status_map(regions, table).to_dict())
    assert set(drawn) == set(metropolitan["lib_reg"])
    wanted = dict(zip(table["lib_reg"], table["statut"], strict=True))
    assert {name: fill for name, (fill, _) in drawn.items()} == {
        name: STATUS_COLORS[wanted[name]] for name in drawn}
    assert {"Déclinaison", *statuses} <= set(texts), "the legend names each status"
    boxes = {name: box_ for name, (_, box_) in drawn.items()}
    width = max(b[2] for b in boxes.values()) - min(b[0] for b in boxes.values())
    for name, (x0, y0, x1, y1) in boxes.items():
        assert 0 < x1 - x0 < width / 2 and 0 < y1 - y0 < width / 2, name  # a région, not a point nor the globe
    # each région where the map puts it: west to east and north to south as their centroids (independent)
    centres = metropolitan.set_index("lib_reg").geometry.to_crs(2154).centroid
    for a, b in (("Bretagne", "Grand Est"), ("Nouvelle-Aquitaine", "Auvergne-Rhône-Alpes")):
        assert centres[a].x < centres[b].x and boxes[a][2] < boxes[b][2]
    for a, b in (("Hauts-de-France", "Occitanie"), ("Normandie", "Nouvelle-Aquitaine")):
        assert centres[a].y > centres[b].y and boxes[a][1] < boxes[b][1]
