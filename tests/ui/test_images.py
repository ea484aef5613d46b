"""Server-side map and chart images, checked on the decoded pixels and the parsed SVG.

The map must show what the screen shows: each QPV is sampled at its own position in the picture and compared
with the colour the browser paints for it (the screen's payload), and the classes are recounted here from the
partnerships. Every test runs with outbound connections refused (loopback allowed).
"""

from __future__ import annotations

import datetime as dt
import io
import xml.etree.ElementTree as ET

import altair as alt
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from PIL import Image
from pyproj import Transformer

from geo.filters import Filters, apply
from geo.schema import OVERSEAS_METRIC_CRS, THEMES
from ui import charts, images, maps
from ui.map_payload import qpv_with_theme

pytestmark = pytest.mark.usefixtures("no_network")  # everything here must work offline
L93 = "EPSG:2154"
OFFSETS = sorted(((dx, dy) for dx in range(-2, 3) for dy in range(-2, 3)), key=lambda d: d[0] ** 2 + d[1] ** 2)





@pytest.fixture(scope="module")
def atlas(demo_atlas):
    return demo_atlas


def _rgb(hex_color: str) -> tuple[int, int, int]:
    return tuple(int(hex_color[i:i + 2], 16) for i in (1, 3, 5))


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def _screen_colors(sel, measure: str) -> pd.Series:
    """The fill the browser paints for each QPV code: the national view's payload, palette index per row."""
    frame = qpv_with_theme(sel)
    data = maps.qpv_dot_data(frame, measure)
    return pd.Series([data["palette"][i] for i in data["f"]], index=data["qpv"])


def _axes_pixels(fig, label: str, crs: str, lon, lat) -> tuple[np.ndarray, np.ndarray, object]:
    """Pixel (column, row) of lon/lat points in the axes `label` of a drawn figure, and that axes' box."""
    ax = next(a for a in fig.axes if a.get_label() == label)
    x, y = Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(np.asarray(lon), np.asarray(lat))
    display = ax.transData.transform(np.column_stack([x, y]))
    height = fig.bbox.height
    return display[:, 0], height - display[:, 1], ax.get_window_extent()


def _inside(cols, rows, box, fig_height, margin=6.0):
    top, bottom = fig_height - box.y1, fig_height - box.y0
    return (cols > box.x0 + margin) & (cols < box.x1 - margin) & (rows > top + margin) & (rows < bottom - margin)


# --- size and format -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("size, expected", [("1920x1080", (1920, 1080)), ("a4", (2339, 1654))])
def test_png_has_the_requested_pixel_size(atlas, size, expected):
    png = images.map_image(apply(atlas, Filters(departements=("93",))), size=size)
    assert png.startswith(b"\x89PNG")
    assert Image.open(io.BytesIO(png)).size == expected


def test_svg_parses_and_carries_title_filters_date_source_and_demo_mark(atlas):
    sel = apply(atlas, Filters(regions=("84",), themes=("inclusion-numerique",)))
    svg = images.map_image(sel, "theme", fmt="svg", title="Carte <de> test", date=dt.date(2026, 11, 27),
                           source="Source : essai", demo=True)
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    text = " ".join(t for t in root.itertext())
    assert "Carte <de> test" in text
    assert "Auvergne-Rhône-Alpes · inclusion numérique · données au 27/11/2026" in text
    assert "Source : essai" in text
    assert "DONNÉES DE DÉMONSTRATION" in text


def test_no_demo_mark_on_real_data(atlas):
    svg = images.map_image(apply(atlas, Filters(departements=("93",))), fmt="svg", demo=False)
    assert b"MONSTRATION" not in svg and "démonstration".encode() not in svg


def test_unknown_options_are_refused(atlas):
    sel = apply(atlas, Filters(departements=("93",)))
    with pytest.raises(ValueError):
        images.map_image(sel, size="a3")
    with pytest.raises(ValueError):
        images.map_image(sel, fmt="gif")
    with pytest.raises(ValueError):
        images.map_image(sel, "population")


# --- the map matches the screen --------------------------------------------------------------------------------


def _independent_coverage(atlas) -> pd.Series:
    """Coverage class of every QPV, recounted from the régies' declarations and the partnerships' QPV lists."""
    declared = {code for codes in atlas.regies["qpv_couverts"] for code in codes or []}
    with_part = {code for codes in atlas.partenariats["qpv"] for code in codes or []}
    classes = {}
    for code in atlas.qpv["code_qp"]:
        covered, partnered = code in declared, code in with_part
        classes[code] = ("regie_partenariat" if covered and partnered else "regie_seule" if covered
                         else "partenariat_seul" if partnered else "aucune")
    return pd.Series(classes)


@pytest.mark.parametrize("measure", list(maps.MEASURES))
def test_national_map_paints_each_qpv_dot_in_its_screen_colour(atlas, measure):
    sel = apply(atlas, Filters())
    png = images.map_image(sel, measure, show_regies=False)
    pixels = _pixels(png)
    fig = images.map_figure(sel, measure, show_regies=False)
    fig.canvas.draw()
    screen = _screen_colors(sel, measure)
    points = sel.qpv.geometry.representative_point()
    checked, colors_seen = 0, set()
    radius = images.DOT_RADIUS_PX
    axes = {"carte": L93} | {f"outre-mer-{r}": OVERSEAS_METRIC_CRS[d] for r, d in
                             (("01", "971"), ("02", "972"), ("03", "973"), ("04", "974"), ("06", "976"))}
    for label, crs in axes.items():
        cols, rows, box = _axes_pixels(fig, label, crs, points.x, points.y)
        inside = _inside(cols, rows, box, fig.bbox.height)
        # Dots are 6 px wide and drawn in row order: a pixel shows the last dot covering it. For each QPV, the
        # pixel nearest its centre that lies clear of every dot's rim (the rasteriser may go either way there).
        xy = np.column_stack([cols[inside], rows[inside]])
        codes = sel.qpv["code_qp"].to_numpy()[inside]
        for col, row in xy:
            for dx, dy in OFFSETS:
                pixel = np.array([round(col) + dx, round(row) + dy])
                distance = np.hypot(*(xy - (pixel + 0.5)).T)  # from the pixel's centre
                if not ((distance > radius - 1.2) & (distance < radius + 1.2)).any():
                    break
            else:
                continue
            covering = np.flatnonzero(distance <= radius - 1.2)
            if not len(covering):
                continue
            expected = screen[codes[covering.max()]]
            assert tuple(pixels[int(pixel[1]), int(pixel[0])]) == _rgb(expected), (label, codes[covering.max()])
            checked += 1
            colors_seen.add(expected)
    assert checked >= len(sel.qpv) // 3  # dense cities hide most of their dots, on screen as here
    assert colors_seen == set(screen)  # every colour the screen uses is seen


def test_national_coverage_classes_match_an_independent_count(atlas):
    sel = apply(atlas, Filters())
    expected = _independent_coverage(atlas).value_counts()
    colour_of_class = {cls: maps.COVERAGE[cls][0] for cls in expected.index}
    screen = _screen_colors(sel, "coverage").value_counts()
    assert {colour_of_class[c]: n for c, n in expected.items()} == screen.to_dict()


def test_local_map_paints_the_inside_of_every_qpv_in_its_screen_colour(atlas):
    sel = apply(atlas, Filters(departements=("93",)))
    measure = "partenariats"
    png = images.map_image(sel, measure, show_regies=False)
    pixels = _pixels(png)
    fig = images.map_figure(sel, measure, show_regies=False)
    fig.canvas.draw()
    ax = next(a for a in fig.axes if a.get_label() == "carte")
    metres_per_px = (ax.get_xlim()[1] - ax.get_xlim()[0]) / ax.get_window_extent().width
    projected = sel.qpv.geometry.to_crs(L93)
    inner = projected.buffer(-3 * metres_per_px)  # 3 px inside the outline: clear of the edge line
    screen = _screen_colors(sel, measure)
    checked = 0
    for code, shape, geom in zip(sel.qpv["code_qp"], inner, projected, strict=True):
        if shape.is_empty:
            continue
        point = shape.representative_point()
        if (projected.drop(index=projected.index[projected.geom_equals(geom)]).contains(point)).any():
            continue  # overlapped by another QPV
        lon, lat = Transformer.from_crs(L93, "EPSG:4326", always_xy=True).transform(point.x, point.y)
        cols, rows, _ = _axes_pixels(fig, "carte", L93, [lon], [lat])
        assert tuple(pixels[int(round(rows[0])), int(round(cols[0]))]) == _rgb(screen[code]), code
        checked += 1
    assert checked >= 0.8 * len(sel.qpv)


def test_classes_absent_from_the_selection_are_absent_from_the_picture(atlas):
    sel = apply(atlas, Filters(regions=("84",), themes=("inclusion-numerique",)))
    counts = {}  # partnerships per QPV, recounted from the partnerships' QPV lists
    region_qpv = set(atlas.qpv.loc[atlas.qpv["insee_reg"] == "84", "code_qp"])
    for codes, themes in zip(atlas.partenariats["qpv"], atlas.partenariats["themes"], strict=True):
        if "inclusion-numerique" in (themes or []):
            for code in set(codes or []) & region_qpv:
                counts[code] = counts.get(code, 0) + 1
    present = {next(color for low, color, _ in reversed(maps.PARTNERSHIP_CLASSES) if n >= low)
               for n in counts.values()}
    pixels = _pixels(images.map_image(sel, "partenariats"))
    flat = pixels.reshape(-1, 3)
    for low, color, _ in maps.PARTNERSHIP_CLASSES[1:]:  # blues: no outline or text blends into them
        found = int((flat == _rgb(color)).all(axis=1).sum())
        assert (found > 0) == (color in present), (low, color, found)
    assert present and len(present) < len(maps.PARTNERSHIP_CLASSES) - 1


def test_regies_are_drawn_as_rings_where_they_are(atlas):
    sel = apply(atlas, Filters(departements=("93",)))
    pixels = _pixels(images.map_image(sel))
    fig = images.map_figure(sel)
    fig.canvas.draw()
    cols, rows, _ = _axes_pixels(fig, "carte", L93, sel.regies.geometry.x, sel.regies.geometry.y)
    ring = np.array(_rgb(maps.REGIE_COLOR))
    for col, row in zip(cols, rows, strict=True):
        window = pixels[int(row) - 12:int(row) + 13, int(col) - 12:int(col) + 13].reshape(-1, 3)
        assert (np.abs(window.astype(int) - ring).sum(axis=1) <= 6).sum() >= 10
    assert len(sel.regies) > 0


def test_theme_map_uses_the_convention_theme_colours(atlas):
    sel = apply(atlas, Filters())
    flat = _pixels(images.map_image(sel, "theme", show_regies=False)).reshape(-1, 3)
    dominant = {}  # per QPV, the theme most of its partnerships carry; ties to the convention's order
    order = [t.slug for t in THEMES]
    per_qpv: dict[str, dict[str, int]] = {}
    for codes, themes in zip(atlas.partenariats["qpv"], atlas.partenariats["themes"], strict=True):
        for code in set(codes or []):
            for theme in set(themes or []):
                per_qpv.setdefault(code, {}).setdefault(theme, 0)
                per_qpv[code][theme] += 1
    for code, counts in per_qpv.items():
        dominant[code] = max(order, key=lambda t: (counts.get(t, 0), -order.index(t)))
    expected = {t.color for t in THEMES if t.slug in set(dominant.values())}
    for theme in THEMES:
        assert ((flat == _rgb(theme.color)).all(axis=1).sum() > 0) == (theme.color in expected), theme.slug


# --- charts ----------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def theme_chart(atlas):
    from geo import indicators

    return charts.theme_bar(indicators.partnerships_by_theme(apply(atlas, Filters())))


def test_chart_png_is_rendered_at_the_requested_width(theme_chart):
    png = images.chart_image(theme_chart, "png", caption="France entière", width=700, scale=2)
    width, height = Image.open(io.BytesIO(png)).size
    assert 1400 <= width <= 1400 + 2 * 250 and height > 300  # the plot is 700 px wide, labels beside it


def test_chart_svg_parses_and_carries_the_caption_lines(theme_chart):
    caption = images.caption_text("Toutes les données", dt.date(2026, 11, 27), "Source : essai", demo=True)
    svg = images.chart_image(theme_chart, "svg", caption=caption)
    text = " ".join(ET.fromstring(svg).itertext())
    assert "Toutes les données · données au 27/11/2026" in text
    assert "Source : essai" in text and "Données de démonstration : chiffres fictifs." in text
    assert "Partenariats par thème" in text


def test_chart_conversion_refuses_external_data(theme_chart):
    remote = alt.Chart(alt.Data(url="http://example.com/data.csv")).mark_bar().encode(x="a:Q")
    with pytest.raises(ValueError, match="not allowed"):
        images.chart_image(remote, "png")


def test_qpv_with_theme_carries_the_dominant_theme(atlas):
    sel = apply(atlas, Filters(departements=("93",)))
    frame = qpv_with_theme(sel)
    assert isinstance(frame, gpd.GeoDataFrame) and len(frame) == len(sel.qpv)
    no_partnership = frame["n_partenariats"] == 0
    assert frame.loc[no_partnership, "theme_dominant"].isna().all()
    assert frame.loc[~no_partnership, "theme_dominant"].notna().all()


@pytest.mark.parametrize(("filters", "code"), [(Filters(regions=("32",)), "32"),
                                               (Filters(regions=("32",), themes=("insertion-professionnelle",)), "32"),
                                               (Filters(departements=("60",)), None)])
def test_a_territory_picture_holds_the_whole_territory(atlas, filters, code):
    """Hauts-de-France reaches south of the Oise's and Aisne's QPV: the picture frames the région, not only its
    QPV and régies (fails on the old code, which cut off the south of both départements)."""
    fig = images.map_figure(apply(atlas, filters))
    ax = next(a for a in fig.axes if a.get_label() == "carte")
    shapes = atlas.regions[atlas.regions["insee_reg"] == code] if code else \
        atlas.departements[atlas.departements["insee_dep"].isin(filters.departements)]
    xmin, ymin, xmax, ymax = shapes.to_crs(L93).total_bounds
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    assert x0 <= xmin and xmax <= x1 and y0 <= ymin and ymax <= y1
