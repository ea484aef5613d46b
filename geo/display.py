"""Display geometry: what the browser receives, sized for the scale it is seen at.

A QPV is a few hundred metres across: at the national view it covers a few pixels, so sending its full outline
only costs bytes and time. Each scale gets outlines simplified in a metric CRS (topology preserved, repaired),
coordinates rounded to what that scale can show, and only the columns a tooltip needs.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely

from geo.schema import WGS84, metric_crs


@dataclass(frozen=True)
class Scale:
    name: str
    label: str
    tolerance_m: float  # Douglas-Peucker tolerance, about half a screen pixel at that view
    grid_deg: float  # coordinate rounding: 1e-3° ≈ 100 m, 1e-4° ≈ 10 m, 1e-5° ≈ 1 m


SCALES: dict[str, Scale] = {
    "national": Scale("national", "France entière", tolerance_m=250.0, grid_deg=1e-3),
    "regional": Scale("regional", "Région", tolerance_m=40.0, grid_deg=1e-4),
    "local": Scale("local", "Département", tolerance_m=6.0, grid_deg=1e-5),
}


def scale_for(regions: tuple[str, ...], departements: tuple[str, ...]) -> Scale:
    """The view scale a territory filter implies: the drill-down gives detail, the national view does not."""
    if departements:
        return SCALES["local"]
    if regions:
        return SCALES["regional"]
    return SCALES["national"]


def simplify_polygons(frame: gpd.GeoDataFrame, scale: Scale, dep_column: str = "insee_dep") -> gpd.GeoSeries:
    """Outlines simplified in metres (per metric CRS), repaired, in WGS84 on the scale's grid; never empty."""
    result = gpd.GeoSeries([None] * len(frame), index=frame.index, crs=WGS84)
    deps = frame[dep_column] if dep_column in frame else gpd.pd.Series([None] * len(frame), index=frame.index)
    crs_of_rows = deps.map(metric_crs)
    for crs, rows in frame.groupby(crs_of_rows, sort=False).groups.items():
        metric = frame.geometry.loc[rows].to_crs(crs)
        simple = shapely.simplify(metric.to_numpy(), scale.tolerance_m, preserve_topology=True)
        simple = shapely.make_valid(simple, method="structure", keep_collapsed=False)
        back = gpd.GeoSeries(simple, index=rows, crs=crs).to_crs(WGS84).to_numpy()
        gridded = shapely.set_precision(back, scale.grid_deg, mode="valid_output")
        # A shape smaller than the grid collapses: keep it as the simplified, unrounded outline.
        collapsed = shapely.is_empty(gridded) | shapely.is_missing(gridded)
        gridded = np.where(collapsed, back, gridded)
        result.loc[rows] = gridded
    return result


def display_frame(frame: gpd.GeoDataFrame, scale: Scale, columns: list[str]) -> gpd.GeoDataFrame:
    """The payload of one layer at one scale: the listed columns and simplified outlines."""
    kept = [c for c in columns if c in frame.columns]
    out = gpd.GeoDataFrame(frame[kept].copy(), geometry=simplify_polygons(frame, scale), crs=WGS84)
    return out



METROPOLE_BOUNDS = ((41.3, -5.2), (51.1, 9.6))  # (south, west), (north, east)


def _mercator_y(lat: float) -> float:
    lat = max(min(lat, 85.0), -85.0)
    return np.log(np.tan(np.pi / 4 + np.radians(lat) / 2))


def view_for_bounds(bounds, width_px: int = 900, height_px: int = 620, max_zoom: int = 15, step: float = 1.0
                    ) -> tuple[tuple[float, float], float]:
    """Centre and the largest Web-Mercator zoom, a multiple of `step` (the map's zoomSnap), at which `bounds`
    ((south, west), (north, east)) fit.

    The national view uses the metropolitan extent: fitting the overseas départements too would zoom out to
    the whole globe, where no QPV can be seen.
    """
    (south, west), (north, east) = bounds or METROPOLE_BOUNDS
    center = ((south + north) / 2, (west + east) / 2)
    lon_span = max(east - west, 1e-6)
    y_span = max(_mercator_y(north) - _mercator_y(south), 1e-9)
    zoom_x = np.log2(width_px * 360.0 / (256.0 * lon_span))
    zoom_y = np.log2(height_px * 2 * np.pi / (256.0 * y_span))
    zoom = float(np.floor(min(zoom_x, zoom_y, max_zoom) / step) * step)
    zoom = int(zoom) if step == 1 else zoom
    return (round(float(center[0]), 5), round(float(center[1]), 5)), max(zoom, 2)
