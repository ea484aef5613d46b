"""Where a geometry lies when its codes do not say: the one rule shared by the loader and the join.

A geometry belongs to the département whose outline contains its representative point, else to the nearest
outline within `NEAREST_MAX_M` metres. Distances are measured in the metric CRS of each outline's zone
(`schema.metric_crs`: Lambert-93 in metropolitan France, the local UTM projection overseas), never in degrees or
Web Mercator, so that 50 km means 50 km on the ground everywhere.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.schema import CODE_WIDTHS, metric_crs, normalize_code

# Simplified outlines miss small islands and bits of coast; a point further than this from every outline is
# left unlocated rather than attached to a far département.
NEAREST_MAX_M = 50_000.0


def has_geometry(geometry: gpd.GeoSeries) -> np.ndarray:
    """Whether each row holds a non-empty geometry (shapely's tests: `GeoSeries.notna()` warns on empties)."""
    values = np.asarray(geometry.to_numpy(), dtype=object)
    return ~(shapely.is_missing(values) | shapely.is_empty(values))


def locate_departements(geometry: gpd.GeoSeries, outlines: gpd.GeoDataFrame,
                        max_distance_m: float = NEAREST_MAX_M) -> pd.Series:
    """`insee_dep` of the outline holding each geometry (see the module docstring), None when none does;
    aligned on the index of `geometry`."""
    found = pd.Series([None] * len(geometry), index=geometry.index, dtype=object)
    usable = outlines[has_geometry(outlines.geometry)]
    ok = has_geometry(geometry)
    if usable.empty or not ok.any():
        return found
    codes = [normalize_code(c, CODE_WIDTHS["insee_dep"]) for c in usable["insee_dep"]]
    right = gpd.GeoDataFrame({"dep": codes}, geometry=usable.geometry.to_numpy(), crs=usable.crs)
    points = gpd.GeoDataFrame(geometry=geometry[ok].representative_point(), crs=geometry.crs)
    if right.crs is not None and points.crs is not None and not right.crs.equals(points.crs):
        right = right.to_crs(points.crs)

    inside = gpd.sjoin(points, right, predicate="within", how="inner")
    inside = inside[~inside.index.duplicated()]
    found.loc[inside.index] = inside["dep"].astype(object)

    rest = points.drop(index=inside.index)
    if rest.empty:
        return found
    zones = right["dep"].map(metric_crs)
    candidates = []
    for crs in sorted(set(zones)):
        projected = rest.to_crs(crs)
        finite = np.isfinite(shapely.get_coordinates(projected.geometry.to_numpy())).all(axis=1)
        if not finite.any():
            continue
        near = gpd.sjoin_nearest(projected[finite], right[(zones == crs).to_numpy()].to_crs(crs), how="inner",
                                 max_distance=max_distance_m, distance_col="distance")
        candidates.append(near[["dep", "distance"]])
    if candidates:
        nearest = pd.concat(candidates).rename_axis("row").sort_values(["row", "distance", "dep"])
        nearest = nearest[~nearest.index.duplicated()]
        found.loc[nearest.index] = nearest["dep"].astype(object)
    return found
