"""Server-side images: the current map as PNG or SVG (matplotlib), each chart as PNG or SVG (vl-convert).

Nothing here needs a browser, tiles or the network. The map takes its classes, colours and legend from
`ui.maps` (the screen's rules), draws QPV as dots at the national scale and as outlines below it (the screen's
`geo.display.scale_for`), and frames metropolitan France as the screen does (`geo.display.METROPOLE_BOUNDS`), with
the overseas régions as insets. Figures are built on `matplotlib.figure.Figure` with an explicit Agg canvas, never
through pyplot: no GUI backend, no global figure list, safe in the app's threads. Fonts: matplotlib's bundled
DejaVu Sans, also registered with vl-convert so that charts use the same local files.
"""

from __future__ import annotations

import functools
import io
import textwrap
from dataclasses import dataclass
from pathlib import Path

import altair as alt
import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
import shapely
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.path import Path as MplPath
from pyproj import Transformer

from geo import fr
from geo.display import METROPOLE_BOUNDS, scale_for
from geo.filters import Selection
from geo.schema import LAMBERT93, WGS84, metric_crs
from geo.view import OVERSEAS_REGIONS
from ui import maps
from ui.filters_text import describe
from ui.map_payload import qpv_with_theme

# (width px, height px, dpi): a full-HD slide picture, and A4 landscape at 200 dpi (297 × 210 mm).
SIZES = {"1920x1080": (1920, 1080, 100), "a4": (2339, 1654, 200)}
FORMATS = ("png", "svg")
FONT = "DejaVu Sans"
SEA = "#e8eef3"  # the screen's map background without tiles (ui.maps.MAP_CSS)
LAND = "#fdfdfe"  # the screen's département fill, white at 85 % over the sea, made opaque
OUTLINE = "#6b7280"  # the screen's région and département outlines (static/carte.js)
LOCAL_EDGE = "#374151"  # the screen's QPV outline at the local scale
INK = "#111827"
MUTED = "#4b5563"
DEMO_COLOR = "#b45309"
DEMO_TEXT = "Données de démonstration"
DEFAULT_SOURCE = "Source : Carte des coopérations — organismes HLM × régies de quartier dans les QPV"
# Every text drawn from data (names, filters, sources) as written: matplotlib would otherwise read a pair of `$` as
# mathematics (a name with `$…^$` stops the drawing) and, were `text.usetex` set in a matplotlibrc, all of it as TeX.
PLAIN_TEXT = {"parse_math": False, "usetex": False}
MAP_BOX = (0.015, 0.07, 0.6, 0.8)  # left, bottom, width, height in figure fractions
DOT_RADIUS_PX = 3.0  # at 1920 px wide: the screen's 2 px dot and its 1 px stroke on a map ~1.5 times wider
REGIE_RADIUS_PX = 7.0


@dataclass(frozen=True)
class _Scale:
    """Converts sizes given in pixels of the 1920-px picture into points at the target size and dpi."""

    width: int
    dpi: int

    def pt(self, px: float) -> float:
        return px * (self.width / 1920.0) * 72.0 / self.dpi


def view_crs(sel: Selection) -> str:
    """The projection of the main map: Lambert-93 nationally and in metropolitan territories, the local metric
    projection of an overseas territory (the département holding most of the selected QPV or régies)."""
    if not sel.filters.has_territory:
        return LAMBERT93
    deps = pd.concat([sel.qpv["insee_dep"], sel.regies["insee_dep"]]).dropna()
    deps = deps[deps != ""]
    if deps.empty:  # nothing selected: the territory asked for
        deps = pd.Series(sel.filters.departements or [d for d, r in sel.atlas.departement_region.items()
                                                      if r in sel.filters.regions], dtype=object)
    return metric_crs(deps.value_counts().index[0]) if len(deps) else LAMBERT93


def _polygon_paths(geometries) -> list[MplPath]:
    """One compound path per geometry (exteriors and holes), for a PathCollection: no pyplot needed."""
    paths = []
    for geom in geometries:
        parts = [] if geom is None or geom.is_empty else shapely.get_parts(geom)
        vertices, codes = [], []
        for part in parts:
            if part.geom_type != "Polygon":
                continue
            for ring in (part.exterior, *part.interiors):
                xy = np.asarray(ring.coords)[:, :2]
                if len(xy) < 3:
                    continue
                ring_codes = np.full(len(xy), MplPath.LINETO, dtype=np.uint8)
                ring_codes[0], ring_codes[-1] = MplPath.MOVETO, MplPath.CLOSEPOLY
                vertices.append(xy)
                codes.append(ring_codes)
        if vertices:
            paths.append(MplPath(np.concatenate(vertices), np.concatenate(codes)))
        else:
            paths.append(MplPath(np.zeros((1, 2)), [MplPath.MOVETO]))
    return paths


def _draw_polygons(ax, geometries, facecolors, edgecolors, linewidth: float, zorder: float,
                   antialiased: bool = True) -> PathCollection:
    collection = PathCollection(_polygon_paths(geometries), facecolors=facecolors, edgecolors=edgecolors,
                                linewidths=linewidth, zorder=zorder, antialiased=antialiased)
    ax.add_collection(collection, autolim=False)
    return collection


def _prepare_axes(ax) -> None:
    ax.set_facecolor(SEA)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_edgecolor("#9ca3af")
        spine.set_linewidth(0.6)


def _draw_map(ax, atlas, qpv: gpd.GeoDataFrame, colors: pd.Series, regies: gpd.GeoDataFrame | None, crs: str,
              extent, dots: bool, halo: bool, scale: _Scale) -> None:
    """Outlines, QPV (dots or shapes, fill antialiasing off so that each QPV shows its exact colour) and régies
    (None: hidden) in `crs`, framed on `extent` (xmin, ymin, xmax, ymax), the axes box filled (aspect kept by
    the limits)."""
    _prepare_axes(ax)
    xmin, ymin, xmax, ymax = _fit(extent, ax)
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(ymin, ymax)
    ax.set_aspect("equal")
    deps = atlas.departements.to_crs(crs)
    regs = atlas.regions.to_crs(crs)
    _draw_polygons(ax, deps.geometry, LAND, OUTLINE, scale.pt(0.5), 1)
    _draw_polygons(ax, regs.geometry, "none", OUTLINE, scale.pt(1.4), 2)
    if len(qpv):
        projected = qpv.geometry.to_crs(crs)
        fill = colors.to_numpy()
        if dots:
            points = projected.representative_point()
            ax.scatter(points.x, points.y, s=(2 * scale.pt(DOT_RADIUS_PX)) ** 2, c=fill, marker="o",
                       linewidths=0, zorder=3).set_antialiased(False)
        elif halo:  # regional scale: a QPV spans a few pixels, its outline is drawn thick in its own colour
            _draw_polygons(ax, projected, fill, fill, scale.pt(2.0), 3, antialiased=False)
        else:
            _draw_polygons(ax, projected, fill, LOCAL_EDGE, scale.pt(0.8), 3, antialiased=False)
    if regies is not None and len(regies):
        points = regies.geometry.to_crs(crs)
        ax.scatter(points.x, points.y, s=(2 * scale.pt(REGIE_RADIUS_PX)) ** 2, marker="o",
                   facecolors=matplotlib.colors.to_rgba(maps.REGIE_COLOR, 0.12), edgecolors=maps.REGIE_COLOR,
                   linewidths=scale.pt(2.5), zorder=4)


def _fit(extent, ax) -> tuple[float, float, float, float]:
    """`extent` widened on one side so that it has the axes box's shape: the map fills its box, undistorted."""
    xmin, ymin, xmax, ymax = extent
    box = ax.get_position()
    fig_w, fig_h = ax.figure.get_size_inches()
    ratio = (box.width * fig_w) / (box.height * fig_h)
    width, height = xmax - xmin, ymax - ymin
    if width / height < ratio:
        grow = (height * ratio - width) / 2
        return xmin - grow, ymin, xmax + grow, ymax
    grow = (width / ratio - height) / 2
    return xmin, ymin - grow, xmax, ymax + grow


def _extent(sel: Selection, crs: str, national: bool) -> tuple[float, float, float, float]:
    """The screen's framing: metropolitan France nationally, otherwise the selected QPV and régies (their
    territories when both are empty), with a margin."""
    to_view = Transformer.from_crs(WGS84, crs, always_xy=True)
    if national:
        (south, west), (north, east) = METROPOLE_BOUNDS
        xs, ys = to_view.transform([west, east, west, east], [south, south, north, north])
        return min(xs), min(ys), max(xs), max(ys)
    frames = [f.geometry for f in (sel.qpv, sel.regies) if len(f)]
    if not frames:
        deps = sel.atlas.departements
        mask = deps["insee_dep"].isin(sel.filters.departements) if sel.filters.departements else \
            deps["insee_reg"].isin(sel.filters.regions)
        frames = [deps.geometry[mask]] if mask.any() else [deps.geometry]
    geometry = gpd.GeoSeries(pd.concat(frames, ignore_index=True), crs=WGS84).to_crs(crs)
    xmin, ymin, xmax, ymax = geometry.total_bounds
    pad = max(xmax - xmin, ymax - ymin, 2000.0) * 0.06
    return xmin - pad, ymin - pad, xmax + pad, ymax + pad


def _overseas_insets(fig: Figure, sel: Selection, qpv: gpd.GeoDataFrame, colors: pd.Series, show_regies: bool,
                     scale: _Scale) -> None:
    """The national view's overseas régions, each in its own projection, as a row of small maps."""
    deps = sel.atlas.departements
    width, gap, left = 0.066, 0.006, 0.64
    for i, region in enumerate(OVERSEAS_REGIONS):
        mask = deps["insee_reg"] == region
        if not mask.any():
            continue
        crs = metric_crs(deps.loc[mask, "insee_dep"].iloc[0])
        ax = fig.add_axes((left + i * (width + gap), 0.13, width, 0.13), label=f"outre-mer-{region}")
        xmin, ymin, xmax, ymax = deps.geometry[mask].to_crs(crs).total_bounds
        pad = max(xmax - xmin, ymax - ymin) * 0.08
        in_region = (qpv["insee_reg"] == region).to_numpy()
        regies = sel.regies[sel.regies["insee_reg"] == region] if show_regies else None
        _draw_map(ax, sel.atlas, qpv[in_region], colors[in_region], regies, crs,
                  (xmin - pad, ymin - pad, xmax + pad, ymax + pad), dots=True, halo=False, scale=scale)
        ax.set_title(sel.atlas.region_name(region), fontsize=scale.pt(13), color=MUTED, fontfamily=FONT, pad=2,
                     **PLAIN_TEXT)


def _legend(fig: Figure, items: list[tuple[str, str]], title: str, show_regies: bool, scale: _Scale) -> None:
    handles = [Patch(facecolor=color, edgecolor=OUTLINE, linewidth=scale.pt(1), label=label) for color, label in items]
    if show_regies:
        handles.append(Line2D([], [], linestyle="none", marker="o", markersize=2 * scale.pt(REGIE_RADIUS_PX),
                              markerfacecolor=matplotlib.colors.to_rgba(maps.REGIE_COLOR, 0.12),
                              markeredgecolor=maps.REGIE_COLOR, markeredgewidth=scale.pt(2.5), label="Régie"))
    if not handles:
        return
    legend = fig.legend(handles=handles, title=title, loc="upper left", bbox_to_anchor=(0.64, 0.86),
                        frameon=False, fontsize=scale.pt(17), title_fontsize=scale.pt(18), alignment="left",
                        handlelength=1.4, handleheight=1.1, labelspacing=0.6, prop={"family": FONT})
    legend.get_title().set_fontweight("bold")


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.fill(line, width) for line in str(text).splitlines() or [""])


def map_figure(sel: Selection, measure: str = "coverage", *, size: str = "1920x1080", title: str | None = None,
               filters_text: str | None = None, date=None, source: str = DEFAULT_SOURCE, demo: bool = False,
               show_regies: bool = True) -> Figure:
    """The map picture as a matplotlib Figure (see `map_image`); the main map is the axes labelled "carte"."""
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r}")
    if measure not in maps.MEASURES:
        raise ValueError(f"unknown measure {measure!r}")
    width, height, dpi = SIZES[size]
    scale = _Scale(width, dpi)
    fig = Figure(figsize=(width / dpi, height / dpi), dpi=dpi, facecolor="white")
    FigureCanvasAgg(fig)
    qpv = qpv_with_theme(sel)
    colors, items = maps.qpv_colors(qpv, measure)
    territory = scale_for(sel.filters.regions, sel.filters.departements)
    national = territory.name == "national"
    crs = view_crs(sel)
    ax = fig.add_axes(MAP_BOX, label="carte")
    _draw_map(ax, sel.atlas, qpv, colors, sel.regies if show_regies else None, crs, _extent(sel, crs, national),
              dots=national, halo=territory.name == "regional", scale=scale)
    if national:
        _overseas_insets(fig, sel, qpv, colors, show_regies, scale)
    _legend(fig, items, maps.MEASURES[measure], show_regies, scale)

    text = {"fontfamily": FONT, "transform": fig.transFigure, **PLAIN_TEXT}
    fig.text(0.015, 0.955, title or "Carte des coopérations", fontsize=scale.pt(30), fontweight="bold", color=INK,
             va="center", **text)
    subtitle = filters_text if filters_text is not None else describe(sel.filters, sel.atlas)
    if date is not None:
        subtitle = f"{subtitle} · données au {fr.date_fr(date)}"
    fig.text(0.015, 0.912, _wrap(subtitle, 150), fontsize=scale.pt(17), color=MUTED, va="center", **text)
    counts = (f"{fr.pluriel(len(sel.qpv), 'QPV', 'QPV')} · {fr.pluriel(len(sel.regies), 'régie')} · "
              f"{fr.pluriel(len(sel.partenariats), 'partenariat')}")
    fig.text(0.64, 0.30, counts, fontsize=scale.pt(16), color=INK, va="bottom", **text)
    fig.text(0.015, 0.035, _wrap(source, 190), fontsize=scale.pt(13), color=MUTED, va="center", **text)
    if demo:
        fig.text(0.985, 0.955, DEMO_TEXT.upper(), fontsize=scale.pt(20), fontweight="bold", color="white",
                 ha="right", va="center", bbox={"boxstyle": "round,pad=0.4", "facecolor": DEMO_COLOR,
                                                "edgecolor": "none"}, **text)
        fig.text(0.985, 0.035, "Chiffres et périmètres fictifs : ne décrivent pas la réalité.",
                 fontsize=scale.pt(13), color=DEMO_COLOR, ha="right", va="center", **text)
    return fig


def figure_bytes(fig: Figure, fmt: str) -> bytes:
    """PNG or SVG bytes of a figure; SVG keeps text as text (searchable, accessible) and stable ids."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    buffer = io.BytesIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "carte-des-cooperations"}):
        fig.savefig(buffer, format=fmt, dpi=fig.dpi, metadata={"Date": None} if fmt == "svg" else None)
    return buffer.getvalue()


def map_image(sel: Selection, measure: str = "coverage", *, size: str = "1920x1080", fmt: str = "png",
              title: str | None = None, filters_text: str | None = None, date=None, source: str = DEFAULT_SOURCE,
              demo: bool = False, show_regies: bool = True) -> bytes:
    """The current map as PNG or SVG: the selection's QPV in the screen's colours and classes for `measure`,
    régies as rings, région and département outlines, legend, title, filters line (default: the filters'
    description), date (`date`, shown in French), source line and, when `demo`, a "Données de démonstration"
    mark. `size`: "1920x1080" or "a4" (landscape, 200 dpi)."""
    fig = map_figure(sel, measure, size=size, title=title, filters_text=filters_text, date=date, source=source,
                     demo=demo, show_regies=show_regies)
    return figure_bytes(fig, fmt)


# --- charts ----------------------------------------------------------------------------------------------------

@functools.cache
def _vl_convert():
    """vl-convert with matplotlib's bundled fonts registered (once per process): text is drawn from local files,
    none fetched (vl-convert 1.x has no web-font download)."""
    import vl_convert as vlc

    vlc.register_font_directory(str(Path(matplotlib.get_data_path()) / "fonts" / "ttf"))
    return vlc


def chart_spec(chart: alt.TopLevelMixin, caption: str = "", width: int = 900) -> dict:
    """The chart at a fixed width (the screen's "container" width means nothing off screen), with the caption
    (filters, date, source) under it, as a Vega-Lite dict."""
    sized = chart.properties(width=width)
    sized.usermeta = alt.Undefined  # the screen's menu options; a concatenated chart may not carry them inside
    if caption:
        lines = [line for line in str(caption).splitlines() if line.strip()]
        padding, sized.padding = sized.padding, alt.Undefined  # nor its padding: the concatenation takes it
        sized = alt.vconcat(sized, padding=padding,
                            title=alt.Title(lines, orient="bottom", anchor="start", fontSize=11,
                                            fontWeight="normal", color=MUTED, font=FONT, offset=12))
    spec = sized.to_dict()
    spec.setdefault("config", {})["font"] = FONT
    return spec


def chart_image(chart: alt.TopLevelMixin, fmt: str = "png", caption: str = "", width: int = 900,
                scale: float = 2.0) -> bytes:
    """A chart of `ui.charts` as PNG (`scale` × its size, for sharp slides) or SVG, with `caption` under it.
    Rendered by vl-convert offline: fonts are local and no external URL may be loaded (`allowed_base_urls`)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    vlc = _vl_convert()
    spec = chart_spec(chart, caption, width)
    if fmt == "png":
        return vlc.vegalite_to_png(spec, scale=scale, allowed_base_urls=[])
    return vlc.vegalite_to_svg(spec, allowed_base_urls=[]).encode("utf-8")


def caption_text(filters_text: str, date=None, source: str = DEFAULT_SOURCE, demo: bool = False) -> str:
    """The caption shared by map and charts: filters, date, source, demo mark; one item per line."""
    lines = [filters_text + (f" · données au {fr.date_fr(date)}" if date is not None else ""), source]
    if demo:
        lines.append(f"{DEMO_TEXT} : chiffres fictifs.")
    return "\n".join(lines)
