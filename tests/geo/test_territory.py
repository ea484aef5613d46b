"""The one rule that locates a geometry in a département: containment, else the nearest outline within 50 km
measured on the ground (distances here come from pyproj's geodesic, not from the code under test)."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely
from pyproj import Geod, Transformer
from shapely.geometry import Point, box

from geo import ref
from geo.load import clean
from geo.territory import NEAREST_MAX_M, has_geometry, locate_departements

GEOD = Geod(ellps="GRS80")

# Two square départements built in their own metric CRS: one in Lambert-93, one in La Réunion's UTM 40S.
OUTLINES = {
    "69": (845_000, 6_520_000, 20_000, "EPSG:2154"),
    "974": (340_000, 7_670_000, 40_000, "EPSG:2975"),
}


def outlines() -> gpd.GeoDataFrame:
    shapes = [gpd.GeoSeries([box(x - h, y - h, x + h, y + h)], crs=crs).to_crs(4326).iloc[0]
              for x, y, h, crs in OUTLINES.values()]
    return gpd.GeoDataFrame({"insee_dep": list(OUTLINES)}, geometry=shapes, crs="EPSG:4326")


def east_of(dep: str, metres: float) -> Point:
    """The point `metres` (geodesic) due east of the middle of the département's east edge."""
    x, y, half, crs = OUTLINES[dep]
    lon, lat = Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform(x + half, y)
    lon2, lat2, _ = GEOD.fwd(lon, lat, 90, metres)
    return Point(lon2, lat2)


def locate(*points) -> list:
    return locate_departements(gpd.GeoSeries(list(points), crs="EPSG:4326"), outlines()).tolist()


def test_a_point_inside_an_outline_gets_its_departement():
    assert locate(east_of("69", -1_000), east_of("974", -1_000)) == ["69", "974"]


@pytest.mark.parametrize("dep", ["69", "974"])
def test_nearest_outline_within_50_km_on_the_ground(dep):
    # 48 km on the ground is 69 km in Web Mercator at Lyon's latitude and 51 km at La Réunion's: a rule measured
    # in Web Mercator (or in Lambert-93 overseas) would miss these points.
    assert NEAREST_MAX_M == 50_000
    assert locate(east_of(dep, 48_000), east_of(dep, 52_000)) == [dep, None]


def test_geometries_without_a_shape_are_left_unlocated():
    series = gpd.GeoSeries([None, Point(), east_of("69", -1_000)], crs="EPSG:4326")
    assert has_geometry(series).tolist() == [False, False, True]
    assert locate_departements(series, outlines()).tolist() == [None, None, "69"]


def test_result_keeps_the_index_of_the_geometries():
    series = gpd.GeoSeries([east_of("974", 10_000)], index=[7], crs="EPSG:4326")
    assert locate_departements(series, outlines()).to_dict() == {7: "974"}


def test_loader_locates_an_overseas_qpv_off_the_bundled_outline_with_the_same_rule():
    """A QPV file without commune nor département: the loader places it with the bundled outlines, measuring in
    La Réunion's own projection (Lambert-93, used before, is not defined there)."""
    reunion = ref.basemap_departements().set_index("insee_dep").loc["974", "geometry"]
    lon, lat = reunion.bounds[2] + 0.25, (reunion.bounds[1] + reunion.bounds[3]) / 2
    nearest_vertex = min(GEOD.inv(lon, lat, vx, vy)[2] for vx, vy in shapely.get_coordinates(reunion))
    assert 10_000 < nearest_vertex < 45_000  # off the outline, within the 50 km of the rule
    square = gpd.GeoSeries([Point(lon, lat)], crs=4326).to_crs("EPSG:2975").buffer(100).to_crs(4326).iloc[0]
    raw = gpd.GeoDataFrame({"code_qp": ["QN97499Z"], "lib_qp": ["Large"], "lib_com": ["Saint-André"],
                            "_ligne": [1]}, geometry=[square], crs="EPSG:4326")
    frame, findings = clean("qpv", raw, "qpv.geojson")
    assert frame.loc[0, ["insee_dep", "insee_reg", "lib_reg"]].tolist() == ["974", "04", "La Réunion"]
