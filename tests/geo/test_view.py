"""The map's geometry (geo/view.py): presentation steps, overseas frames, the size of a Web Mercator view."""

from __future__ import annotations

import pytest

from geo import view as view_module


def test_presentation_steps_frame_france_then_each_region(atlas):
    from geo.display import METROPOLE_BOUNDS

    regions = atlas.regions
    steps = view_module.presentation_steps(regions, ("84",))
    assert steps[0] == [list(METROPOLE_BOUNDS[0]), list(METROPOLE_BOUNDS[1])]
    west, south, east, north = regions[regions["insee_reg"] == "84"].geometry.iloc[0].bounds
    assert steps[1][0] + steps[1][1] == pytest.approx([south, west, north, east], abs=1e-4)
    assert len(steps) == 2


def test_presentation_steps_without_a_choice_visit_every_metropolitan_region(atlas):
    steps = view_module.presentation_steps(atlas.regions, ())
    metropolitan = [c for c in atlas.regions["insee_reg"] if c not in view_module.OVERSEAS_REGIONS]
    assert len(steps) == 1 + len(set(metropolitan))


def test_overseas_frames_bound_each_region_in_order():
    import geopandas as gpd
    from shapely.geometry import box

    deps = gpd.GeoDataFrame(
        {"insee_dep": ["974", "971", "972", "75"], "insee_reg": ["04", "01", "02", "11"]},
        geometry=[box(55.2, -21.4, 55.8, -20.9), box(-61.8, 15.8, -61.0, 16.5), box(-61.23, 14.39, -60.81, 14.88),
                  box(2.2, 48.8, 2.5, 48.9)], crs="EPSG:4326")
    frames = view_module.overseas_frames(deps)
    assert [code for code, _ in frames] == ["01", "02", "04"]  # OVERSEAS_REGIONS order; no outline, no frame
    assert frames[2][1] == [[-21.4, 55.2], [-20.9, 55.8]]
    assert frames[1][1] == [[14.39, -61.23], [14.88, -60.81]]


def test_size_of_view_inverts_the_web_mercator_scale():
    assert view_module.size_of_view(-85.0511, -180.0, 85.0511, 180.0, 0) == (256, 256)  # the one world tile
    assert view_module.size_of_view(-85.0511, -180.0, 0.0, 0.0, 2) == (512, 512)  # a quarter of zoom 2's 1024²
    # Paris at zoom 10: 0.01° of longitude is 256·2¹⁰·0.01/360 ≈ 7.3 px
    assert view_module.size_of_view(48.85, 2.35, 48.86, 2.36, 10)[0] == 7
