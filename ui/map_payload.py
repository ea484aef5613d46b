"""The map's composition — what a map of one selection shows and how — and the screen's payload drawn from it.

One set of rules for the screen (`build_map_payload`, `dashboard.map_view`, `static/carte.js`) and the exported
picture (`ui.images`): QPV as dots at the national scale, outlines with a halo at the regional one, plain outlines
at the local one; small shapes over the régie rings, large ones under; the legend; the frame (metropolitan France
with the overseas régions as insets nationally, otherwise the territory and what is selected in it).

Pure: the selection and the QPV outlines of the view's scale in, a `Composition` and a `MapPayload` out. The
Streamlit layer caches the payload per (data, filters, measure) and shares it read-only between sessions.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd

from geo.display import METROPOLE_BOUNDS, Scale
from geo.filters import Selection
from geo.indicators import dominant_theme
from geo.view import overseas_frames
from ui import maps


@dataclass(frozen=True)
class MapLegend:
    """The legend: the measure's title, its classes (colour, label) present in the selection, and the régie
    ring when the régies are drawn."""

    title: str
    items: tuple[tuple[str, str], ...]
    regies: bool = True

    def without_regies(self) -> MapLegend:
        return MapLegend(self.title, self.items, regies=False)

    @property
    def marks(self) -> list[tuple[str, str]]:
        """Ring entries (colour, label) after the classes."""
        return [(maps.REGIE_COLOR, "Régie")] if self.regies else []


@dataclass(frozen=True)
class Composition:
    """How a map of one selection is drawn, on screen and in a picture.

    `style`: "dots" (national), "halo" (regional: a QPV spans a few pixels, its outline drawn thick in its fill)
    or "outlines" (local). `bounds`: [[south, west], [north, east]] the view frames, in WGS84. `framed`: the
    frame is the territory's (else metropolitan France). `insets`: the overseas régions shown beside
    metropolitan France, each with its bounds (`geo.view.overseas_frames`), on the national view only.
    """

    style: str
    bounds: list[list[float]]
    framed: bool
    insets: tuple[tuple[str, list], ...]
    legend: MapLegend

    @property
    def dots(self) -> bool:
        return self.style == "dots"

    @property
    def halo(self) -> bool:
        return self.style == "halo"

    @property
    def qpv_over_regies(self) -> bool:
        """Small shapes (dots, halos) go over the régie rings, which stay visible around them; the local view's
        large outlines go under the rings, which would otherwise vanish inside them."""
        return self.style != "outlines"


STYLES = {"national": "dots", "regional": "halo", "local": "outlines"}


def frame_bounds(sel: Selection, qpv: gpd.GeoDataFrame, framed: bool) -> list[list[float]]:
    """The one framing rule: metropolitan France unless `framed`; framed, the chosen territory's départements
    (the chosen ones, or those of the chosen régions) with the QPV drawn (`qpv`) and the selected régies, so
    that a région is shown whole even where it has no QPV. [[south, west], [north, east]]."""
    if not framed:
        return [list(METROPOLE_BOUNDS[0]), list(METROPOLE_BOUNDS[1])]
    filters, deps = sel.filters, sel.atlas.departements
    if filters.departements:
        territory = deps[deps["insee_dep"].isin(filters.departements)]
    elif filters.regions:
        territory = deps[deps["insee_reg"].isin(filters.regions)]
    else:
        territory = deps.iloc[0:0]
    return maps.bounds_of([territory, qpv, sel.regies]) or frame_bounds(sel, qpv, framed=False)


def compose(sel: Selection, qpv: gpd.GeoDataFrame, measure: str, scale: Scale, *, framed: bool) -> Composition:
    """The composition of the map of `sel` at `scale` for `measure`; `qpv`: the selection's QPV with
    `theme_dominant` (`qpv_with_theme`) in the outlines they are drawn with, whose classes make the legend;
    `framed`: a territory is chosen."""
    _, items = maps.qpv_colors(qpv, measure)
    style = STYLES[scale.name]
    insets = tuple(overseas_frames(sel.atlas.departements)) if style == "dots" and not framed else ()
    return Composition(style, frame_bounds(sel, qpv, framed), framed, insets,
                       MapLegend(maps.MEASURES[measure], tuple(items)))


@dataclass(frozen=True)
class MapPayload:
    composition: Composition
    qpv: dict  # columns of the national dots (`dots`) or of the regional/local outlines
    regies: dict
    insets: dict | None = None  # the national view's overseas insets (`maps.inset_data`)
    communes: dict | None = None  # commune names of the regional and local views (`maps.commune_label_data`)


def qpv_map_frame(sel: Selection, outlines: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The selection's QPV with their dominant theme, drawn with their display outline (`outlines` indexed by
    `code_qp`, already simplified for the scale): filters only pick rows, nothing is simplified again."""
    qpv = qpv_with_theme(sel).drop(columns="geometry")
    return gpd.GeoDataFrame(qpv, geometry=outlines.geometry.reindex(qpv["code_qp"]).to_numpy(), crs=outlines.crs)


def qpv_with_theme(sel: Selection) -> gpd.GeoDataFrame:
    """The selection's QPV with `theme_dominant`: the columns `ui.maps.qpv_colors` reads for every measure, on
    screen and in the images."""
    return sel.qpv.assign(theme_dominant=dominant_theme(sel).reindex(sel.qpv["code_qp"]).to_numpy())


def build_map_payload(sel: Selection, outlines: gpd.GeoDataFrame, scale: Scale, measure: str, *,
                      framed: bool) -> MapPayload:
    """The screen's data for the composition of `sel`: the QPV layer in its style, the régies, the overseas
    insets of the national view, the names of the communes with QPV on the regional and local ones (a
    département's at once, a région's from `maps.COMMUNE_ZOOM`)."""
    frame = qpv_map_frame(sel, outlines)
    composition = compose(sel, frame, measure, scale, framed=framed)
    qpv_layer = (maps.qpv_dot_data(frame, measure) if composition.dots
                 else maps.qpv_outline_data(frame, measure, halo=composition.halo))
    insets = communes = None
    if composition.insets:
        names = {code: sel.atlas.region_name(code) for code, _ in composition.insets}
        insets = maps.inset_data(frame, maps.qpv_colors(frame, measure)[0], list(composition.insets), names)
    elif not composition.dots:
        communes = maps.commune_label_data(frame, 0 if scale.name == "local" else maps.COMMUNE_ZOOM)
    return MapPayload(composition, qpv_layer, maps.regie_data(sel.regies), insets=insets, communes=communes)
