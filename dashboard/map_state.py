"""MapView: how the map shows the selection (colour measure, layers, basemap, centre, zoom), apart from `Filters`
(what is selected). A frozen value that round-trips its own URL parameters, so that a shared link reopens the
same view; only non-default values are written, so old links (without them) keep meaning the default view.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from dashboard.url_params import Dropped, keep_one

MEASURES = ("coverage", "partenariats", "theme")  # ui.maps.MEASURES labels them (a test keeps both in step)
LAYERS = ("qpv", "regies", "organismes", "declinaisons")
DEFAULT_LAYERS = frozenset({"qpv", "regies"})
BASEMAPS = ("aucun", "osm", "ign")  # ui.maps.TILES
ZOOM_MIN, ZOOM_MAX = 2.0, 18.0
KEYS = ("mesure", "couches", "fond", "centre", "zoom")  # the URL parameters MapView owns
CENTRE_DECIMALS = 4  # about 10 m: below a pixel up to zoom 13
ZOOM_STEP = 0.25  # the map's zoomSnap


def _last(params: Mapping[str, str | list[str]], key: str) -> str | None:
    value = params.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip()
    return str(value[-1]).strip() if len(value) else None


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


@dataclass(frozen=True)
class MapView:
    """The map's view. `center` and `zoom` go together: both or neither (None: the view frames the selection)."""

    measure: str = "coverage"
    layers: frozenset[str] = field(default=DEFAULT_LAYERS)
    basemap: str = "aucun"
    center: tuple[float, float] | None = None
    zoom: float | None = None

    def __post_init__(self) -> None:
        put = object.__setattr__
        put(self, "layers", frozenset(self.layers))
        if self.measure not in MEASURES:
            raise ValueError(f"unknown measure {self.measure!r}")
        if self.basemap not in BASEMAPS:
            raise ValueError(f"unknown basemap {self.basemap!r}")
        if not self.layers <= set(LAYERS):
            raise ValueError(f"unknown layers {sorted(self.layers - set(LAYERS))}")
        if (self.center is None) != (self.zoom is None):
            raise ValueError("center and zoom go together")
        if self.center is not None:
            lat, lon = (round(float(v), CENTRE_DECIMALS) for v in self.center)
            put(self, "center", (lat, lon))
            put(self, "zoom", round(float(self.zoom) / ZOOM_STEP) * ZOOM_STEP)

    @property
    def framed(self) -> bool:
        """True when the view names its centre and zoom rather than framing the selection."""
        return self.center is not None

    def without_position(self) -> MapView:
        return replace(self, center=None, zoom=None)

    def with_position(self, center: tuple[float, float] | None, zoom: float | None) -> MapView:
        """The view moved to `center`, `zoom` (unchanged when either is missing or out of range)."""
        if center is None or zoom is None or not _valid_position(center[0], center[1], zoom):
            return self
        return replace(self, center=(float(center[0]), float(center[1])), zoom=float(zoom))

    def same_frame(self, other: MapView) -> bool:
        """Both placed at the same zoom, centres within a pixel and a half of each other: the same frame to the
        eye (a map resized to its window rounds its centre to whole pixels)."""
        if not (self.framed and other.framed) or self.zoom != other.zoom:
            return False
        pixel = 360 / (256 * 2 ** self.zoom)  # degrees of longitude per pixel, more than of latitude
        return all(abs(a - b) <= 1.5 * pixel for a, b in zip(self.center, other.center, strict=True))

    def to_query_params(self) -> dict[str, str]:
        """The non-default fields; `from_query_params` reads them back to an equal view."""
        params = {}
        if self.measure != MEASURES[0]:
            params["mesure"] = self.measure
        if self.layers != DEFAULT_LAYERS:
            params["couches"] = ",".join(layer for layer in LAYERS if layer in self.layers) or "aucune"
        if self.basemap != BASEMAPS[0]:
            params["fond"] = self.basemap
        if self.center is not None:
            params["centre"] = ",".join(f"{v:.{CENTRE_DECIMALS}f}".rstrip("0").rstrip(".") for v in self.center)
            params["zoom"] = f"{self.zoom:g}"
        return params

    @classmethod
    def from_query_params(cls, params: Mapping[str, str | list[str]]) -> tuple[MapView, list[str]]:
        """The view the URL asks for, and a French notice for each value dropped. Never raises."""
        notices: list[str] = []
        values: dict = {"measure": keep_one(_last(params, "mesure"), _MEASURE, notices)}
        layers = _last(params, "couches")
        if layers is not None:
            names = {name.strip() for name in layers.split(",") if name.strip()} - {"aucune"}
            unknown = sorted(names - set(LAYERS))
            if unknown:
                notices.append(f"Couche(s) « {', '.join(unknown)} » inconnue(s) : ignorée(s).")
            values["layers"] = frozenset(names & set(LAYERS))
        values["basemap"] = keep_one(_last(params, "fond"), _BASEMAP, notices)
        centre, zoom = _last(params, "centre"), _last(params, "zoom")
        if centre or zoom:
            position = _position(centre or "", zoom or "")
            if position is None:
                notices.append(f"Position de carte « centre={centre or ''}&zoom={zoom or ''} » invalide : "
                               "la carte cadre la sélection.")
            else:
                values["center"], values["zoom"] = position
        return cls(**{k: v for k, v in values.items() if v is not None}), notices  # None: the default


def _member(choices: tuple[str, ...], unknown: str):
    """A reader of one of `choices`, spelt exactly as the view writes it."""
    def resolve(value: str) -> str:
        if value not in choices:
            raise Dropped(unknown.format(value))
        return value

    return resolve


_MEASURE = _member(MEASURES, "Mesure de couleur « {} » inconnue : ignorée.")
_BASEMAP = _member(BASEMAPS, "Fond de carte « {} » inconnu : ignoré.")


def _valid_position(lat: float, lon: float, zoom: float) -> bool:
    return -85.0 <= lat <= 85.0 and -180.0 <= lon <= 180.0 and ZOOM_MIN <= zoom <= ZOOM_MAX


def _position(centre: str, zoom: str) -> tuple[tuple[float, float], float] | None:
    parts = centre.split(",")
    if len(parts) != 2:
        return None
    lat, lon, level = _number(parts[0]), _number(parts[1]), _number(zoom)
    if lat is None or lon is None or level is None or not _valid_position(lat, lon, level):
        return None
    return (lat, lon), level
