"""Map builders, tested on the folium objects they return and on the script they render to."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from ui import assets, maps

XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def qpv() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "code_qp": ["QN07519M", "QN06901M", "QN01301M"],
            "lib_qp": [XSS, "Mermoz", "Belsunce"],
            "lib_com": ["Paris", "Lyon", "Marseille"],
            "coverage": ["regie_partenariat", "regie_seule", "aucune"],
            "n_partenariats": [5, 0, 0],
            "theme_dominant": ["inclusion-numerique", None, None],
        },
        geometry=[box(2.37, 48.88, 2.38, 48.89), box(4.88, 45.73, 4.89, 45.74), box(5.37, 43.29, 5.38, 43.30)],
        crs="EPSG:4326",
    )


@pytest.fixture(scope="module")
def regies() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "id_regie": ["R1"], "nom": [XSS], "type": ["régie de quartier"], "commune": ["Paris"],
            "salaries": [1200], "benevoles": [3], "qpv_couverts": [["QN07519M"]],
            "organismes": [["Office <b>Test</b>"]], "themes": [["inclusion-numerique", "cohesion-sociale"]],
        },
        geometry=[Point(2.375, 48.885)], crs="EPSG:4326",
    )


def render(element) -> str:
    m = assets.offline_map()
    element.add_to(m)
    return m.get_root().render()


def test_qpv_fill_colour_follows_coverage(qpv):
    colors, legend = maps.qpv_colors(qpv, "coverage")
    assert list(colors) == ["#1a7f5a", "#8cc5a6", "#c9ccd1"]
    assert [label for _, label in legend] == ["Régie et partenariat", "Régie seule", "Ni régie ni partenariat"]


def test_partnership_classes_bin_the_counts(qpv):
    frame = qpv.assign(n_partenariats=[0, 1, 3])
    colors, legend = maps.qpv_colors(frame, "partenariats")
    assert [label for _, label in legend] == ["Aucun partenariat", "1 partenariat", "2 à 3"]
    assert colors.iloc[2] == "#6baed6"


def test_dominant_theme_uses_the_theme_colour(qpv):
    colors, legend = maps.qpv_colors(qpv, "theme")
    assert colors.iloc[0] == "#0072b2"
    assert legend == [("#0072b2", "Inclusion numérique"), ("#c9ccd1", "Aucun partenariat")]


def payload_of(group) -> dict:
    """The data a layer ships, read back from the script it renders to."""
    (layer,) = [child for child in group._children.values() if isinstance(child, maps.CarteLayer)]
    return json.loads(layer.payload)


def test_qpv_outlines_escape_names_from_the_data(qpv):
    group = maps.build_qpv_layer(maps.qpv_outline_data(qpv))
    assert payload_of(group)["n"][0] == "&lt;img src=x onerror=alert(1)&gt;"
    html = render(group)
    assert XSS not in html and "<img" not in html
    assert "Carte.qpvOutlines(feature_group_" in html


def test_qpv_outlines_ship_columns_and_geometry(qpv):
    data = payload_of(maps.build_qpv_layer(maps.qpv_outline_data(qpv, halo=True)))
    assert data["qpv"] == ["QN07519M", "QN06901M", "QN01301M"]
    assert [data["palette"][i] for i in data["f"]] == ["#1a7f5a", "#8cc5a6", "#c9ccd1"]
    assert data["s"] == [0, 1, 3] and data["p"] == [5, 0, 0] and data["halo"] is True
    assert data["geometry"][0]["type"] == "Polygon"
    assert data["geometry"][0]["coordinates"][0][0] == [2.38, 48.88]
    assert data["labels"] == ["Régie et partenariat", "Régie seule", "Partenariat sans régie",
                              "Ni régie ni partenariat"]


def test_payload_json_is_compact_and_script_safe():
    text = maps.compact_json({"n": "a</script><b>&", "x": [1, 2]})
    assert text == '{"n":"a\\u003c/script\\u003e\\u003cb\\u003e\\u0026","x":[1,2]}'
    assert json.loads(text) == {"n": "a</script><b>&", "x": [1, 2]}


def test_regie_data_lists_figures_partners_and_themes_escaped(regies):
    data = payload_of(maps.build_regies_layer(maps.regie_data(regies)))
    assert data["regie"] == ["R1"] and data["n"] == ["&lt;img src=x onerror=alert(1)&gt;"]
    assert data["head"][0] == ("<b>&lt;img src=x onerror=alert(1)&gt;</b><br>régie de quartier · Paris<br>"
                               "1\u202f200 salariés · 3 bénévoles<br>position : inconnue")  # no precision column
    assert data["orgs"] == ["Office &lt;b&gt;Test&lt;/b&gt;"] and data["o"] == [[0]]
    assert [data["themes"][i] for i in data["t"][0]] == ["Inclusion numérique", "Cohésion sociale"]
    assert data["q"] == [["QN07519M"]] and (data["lat"], data["lon"]) == ([48.885], [2.375])


def test_regie_card_says_how_its_position_was_obtained_and_unknown_as_unknown(regies):
    placed = pd.concat([regies, regies], ignore_index=True)
    placed["precision"] = ["saisie", None]
    heads = maps.regie_data(placed)["head"]
    assert [h.rsplit("<br>", 1)[1] for h in heads] == ["position : saisie", "position : inconnue"]


def test_regies_render_through_the_served_drawing_code(regies):
    html = render(maps.build_regies_layer(maps.regie_data(regies)))
    assert "Carte.regies(feature_group_" in html and XSS not in html


def test_legend_lists_the_measure_and_regies(qpv):
    _, items = maps.qpv_colors(qpv, "coverage")
    legend = maps.Legend(maps.MEASURES["coverage"], items, [(maps.REGIE_COLOR, "Régie")])
    assert legend.html.startswith("<b>Couverture (régie / partenariat)</b>")
    assert legend.html.count("<span") == 4 and legend.html.endswith("Régie")
    assert "L.control" in render(legend)


def test_base_map_loads_nothing_from_outside_the_app():
    m = maps.build_base_map("/app/static/generated/contours-test.json")
    assert assets.external_links(m) == []
    html = m.get_root().render()
    assert not re.search(r'(src|href)="(https?:)?//', html)  # nothing loaded from another host
    assert "/app/static/node_modules/leaflet/dist/leaflet.js" in html and "/app/static/carte.js" in html
    assert "L.control.fullscreen" in html


def test_the_served_assets_are_installed():
    """`make venv` runs `npm ci --prefix static`: every file the map loads is there to be served."""
    urls = [url for _, url in assets.LEAFLET_JS + assets.LEAFLET_CSS + assets.FULLSCREEN_JS + assets.FULLSCREEN_CSS]
    on_disk = {url: assets.STATIC_DIR / url.removeprefix(assets.STATIC_URL + "/") for url in urls}
    assert [url for url, path in on_disk.items() if not path.is_file()] == []


def test_tiles_are_optional():
    url = "/app/static/generated/contours-test.json"
    assert "tileLayer" not in maps.build_base_map(url).get_root().render()
    assert "openstreetmap" in maps.build_base_map(url, tiles="osm").get_root().render().lower()


def test_outlines_are_fetched_from_the_app_not_embedded():
    regions = gpd.GeoDataFrame({"lib_reg": ["<b>A</b>"]}, geometry=[box(0, 45, 1, 46)], crs="EPSG:4326")
    features = maps.outline_features(regions, regions)
    assert features["regions"]["features"][0]["properties"] == {}
    html = maps.build_base_map("/app/static/generated/contours-x.json").get_root().render()
    assert 'Carte.outlines(map_' in html and '"/app/static/generated/contours-x.json"' in html
    assert "box" not in html and '"coordinates"' not in html


def test_bounds_cover_every_frame(qpv, regies):
    assert maps.bounds_of([qpv, regies]) == [[43.29, 2.37], [48.89, 5.38]]
    assert maps.bounds_of([qpv.iloc[0:0]]) is None


def test_organismes_without_coordinates_are_left_out():
    frame = pd.DataFrame({"nom": ["A", "B"], "famille": ["OPH", "ESH"], "commune_siege": ["X", "Y"],
                          "latitude": [45.0, None], "longitude": [4.8, None]})
    html = render(maps.build_organismes_layer(frame))
    assert html.count("L.circleMarker(") == 1
    assert assets.external_links(maps.build_organismes_layer(frame)) == []


def test_national_dots_are_columns_with_escaped_text(qpv):
    data = payload_of(maps.build_qpv_dots(maps.qpv_dot_data(qpv, "coverage")))
    assert data["qpv"] == ["QN07519M", "QN06901M", "QN01301M"]
    assert data["n"][0] == "&lt;img src=x onerror=alert(1)&gt;"
    assert [data["palette"][i] for i in data["f"]] == ["#1a7f5a", "#8cc5a6", "#c9ccd1"]
    assert data["s"] == [0, 1, 3] and data["p"] == [5, 0, 0]
    assert (data["lat"][0], data["lon"][0]) == (48.885, 2.375)  # inside the square, on the 1e-3 grid


def test_national_dots_render_through_the_served_drawing_code(qpv):
    html = render(maps.build_qpv_dots(maps.qpv_dot_data(qpv)))
    assert "Carte.qpvDots(feature_group_" in html and XSS not in html


def test_template_syntax_in_the_data_reaches_the_map_as_text(qpv):
    """The layer's script is inserted as rendered: braces in a name are not evaluated as a Jinja template."""
    names = qpv.assign(lib_qp=["{{ 6 * 7 }}", "{% if true %}oui{% endif %}", "Belsunce"])
    html = render(maps.build_qpv_dots(maps.qpv_dot_data(names)))
    assert '"n":["{{ 6 * 7 }}","{% if true %}oui{% endif %}","Belsunce"]' in html
    assert html.count("Carte.qpvDots(feature_group_") == 1


def test_drawing_code_keeps_a_feature_on_each_shape_so_clicks_resolve():
    code = (assets.STATIC_DIR / "carte.js").read_text(encoding="utf-8")
    assert code.count('{type: "Feature", properties: {qpv: d.qpv[i]}') == 2  # dots and outlines
    assert 'ring.feature = {type: "Feature", properties: {regie: d.regie[i]}}' in code


def test_qpv_tooltips_get_the_partnership_count_in_french(qpv):
    data = payload_of(maps.build_qpv_dots(maps.qpv_dot_data(qpv.assign(n_partenariats=[1200, 1, 0]))))
    assert data["counts"] == {"0": "0 partenariat", "1": "1 partenariat", "1200": "1\u202f200 partenariats"}


def _functions(code: str) -> dict[str, str]:
    """Body of each top-level function of carte.js's module."""
    return dict(re.findall(r"^  function (\w+)\([^)]*\) \{\n(.*?)^  \}$", code, flags=re.M | re.S))


def _keys_read(name: str, bodies: dict[str, str]) -> set[str]:
    """The `d.<key>` a function reads, through the helpers it calls."""
    keys, seen, todo = set(), set(), [name]
    while todo:
        current = todo.pop()
        seen.add(current)
        keys |= set(re.findall(r"\bd\.(\w+)", bodies[current]))
        todo += [f for f in bodies if f not in seen and re.search(rf"\b{f}\(", bodies[current])]
    return keys


def test_drawing_code_reads_exactly_the_keys_python_sends(qpv, regies):
    code = (assets.STATIC_DIR / "carte.js").read_text(encoding="utf-8")
    bodies = _functions(code)
    exported = set(re.search(r"return \{(.*?)\};\n\}\)\(\);", code, flags=re.S).group(1).replace(" ", "")
                   .replace("\n", "").split(","))
    assert {entry.split(":")[0] for entry in exported} == {*maps.CONTRACT, "outlines", "keyboard", "steps", "fitWindow"}
    for function, keys in maps.CONTRACT.items():
        assert _keys_read(function, bodies) == keys, function
    # ... and the builders send exactly those keys (CarteLayer would refuse anything else).
    assert set(maps.qpv_dot_data(qpv)) == maps.CONTRACT["qpvDots"]
    assert set(maps.qpv_outline_data(qpv)) == maps.CONTRACT["qpvOutlines"]
    assert set(maps.regie_data(regies)) == maps.CONTRACT["regies"]


def test_a_layer_outside_the_contract_is_refused(qpv):
    data = maps.qpv_dot_data(qpv)
    with pytest.raises(ValueError, match="words"):
        maps.build_qpv_dots({**data, "words": {}})
    with pytest.raises(ValueError, match="radius"):
        maps.build_qpv_dots({k: v for k, v in data.items() if k != "radius"})


def test_scale_is_metric_only():
    html = maps.build_base_map("/app/static/generated/contours-test.json").get_root().render()
    assert "L.control.scale({metric: true, imperial: false})" in html
    assert html.count("L.control.scale(") == 1  # not folium's own (miles and kilometres) as well


@pytest.mark.parametrize("tiles,name", [("osm", "OpenStreetMap"), ("ign", "Plan IGN")])
def test_a_basemap_that_cannot_load_says_so(tiles, name):
    html = maps.build_base_map("/app/static/generated/contours-test.json", tiles=tiles).get_root().render()
    assert '.once("tileerror"' in html and f"Fond {name} indisponible" in html
    assert "tileerror" not in maps.build_base_map("/app/static/generated/contours-test.json").get_root().render()


def test_commune_names_one_per_commune_most_qpv_first_escaped(qpv):
    frame = pd.concat([qpv, qpv.iloc[[1]].assign(code_qp="QN06902M", geometry=[box(4.90, 45.75, 4.91, 45.76)])])
    frame = gpd.GeoDataFrame(frame.assign(lib_com=["Paris", "Lyon", XSS, "Lyon"]), crs=qpv.crs)
    data = maps.commune_label_data(frame, 9.5)
    assert data["n"] == ["Lyon", "&lt;img src=x onerror=alert(1)&gt;", "Paris"]  # Lyon has two QPV
    assert data["lat"][0] == pytest.approx((45.735 + 45.755) / 2, abs=1e-4)
    assert data["lon"][0] == pytest.approx((4.885 + 4.905) / 2, abs=1e-4)
    assert data["from"] == 9.5
    assert set(data) == maps.CONTRACT["communeNames"]


def test_insets_escape_names_and_colour_their_qpv_as_the_main_map(qpv):
    frame = qpv.assign(insee_reg=["11", "04", "04"])
    data = maps.inset_data(frame, maps.qpv_colors(frame, "coverage")[0], [("04", [[-21.4, 55.2], [-20.9, 55.8]])],
                           {"04": XSS})
    assert set(data) == maps.CONTRACT["insets"]
    assert data["n"] == ["&lt;img src=x onerror=alert(1)&gt;"]
    assert [data["palette"][i] for i in data["f"][0]] == ["#8cc5a6", "#c9ccd1"]
    assert len(data["lat"][0]) == 2
    assert "Carte.insets(" in render(maps.build_insets(data))


def test_outline_names_come_largest_shape_first():
    """`Carte.thin` keeps the first of two overlapping names: the larger département's (Seine-et-Marne before
    Paris), whatever the file's order."""
    deps = gpd.GeoDataFrame({"lib_dep": ["Paris", "Seine-et-Marne", "Essonne"]},
                            geometry=[box(2.25, 48.81, 2.42, 48.90), box(2.4, 48.1, 3.56, 49.12),
                                      box(1.9, 48.28, 2.58, 48.78)], crs="EPSG:4326")
    labels = maps.outline_features(deps.iloc[0:0], deps)["labels"]["departements"]
    assert labels["n"] == ["Seine-et-Marne", "Essonne", "Paris"]
    assert labels["lat"][2] == pytest.approx(48.855, abs=0.05)  # each name keeps its own point
