"""The map's geometry that does not depend on the screen: the overseas régions and their frames, the steps of the
presentation mode, the size of a Web Mercator view. (`MapView`, the view a page shows and keeps in its URL, is
`dashboard.map_state`.)
"""

from __future__ import annotations

from math import log, pi, radians, tan

from geo.display import METROPOLE_BOUNDS

OVERSEAS_REGIONS = ("01", "02", "03", "04", "06")  # Guadeloupe, Martinique, Guyane, La Réunion, Mayotte


def presentation_steps(regions, codes: tuple[str, ...]) -> list[list[list[float]]]:
    """The views the arrows step through in presentation mode: metropolitan France, then each chosen région
    (every metropolitan one when none is chosen), as [[south, west], [north, east]] in code order.

    `regions`: the région outlines (GeoDataFrame in EPSG:4326 with `insee_reg`).
    """
    wanted = list(codes) or [c for c in regions["insee_reg"] if c not in OVERSEAS_REGIONS]
    steps = [[list(METROPOLE_BOUNDS[0]), list(METROPOLE_BOUNDS[1])]]
    for code in sorted(set(wanted)):
        shapes = regions[regions["insee_reg"] == code]
        if len(shapes):
            west, south, east, north = (round(float(v), 4) for v in shapes.total_bounds)
            steps.append([[south, west], [north, east]])
    return steps


def overseas_frames(departements) -> list[tuple[str, list[list[float]]]]:
    """The overseas régions the national view shows beside metropolitan France, each with the bounds of its
    départements as [[south, west], [north, east]], in `OVERSEAS_REGIONS` order (those without outline left out).

    `departements`: the département outlines (GeoDataFrame in EPSG:4326 with `insee_reg`).
    """
    frames = []
    for code in OVERSEAS_REGIONS:
        shapes = departements[departements["insee_reg"] == code]
        if len(shapes):
            west, south, east, north = (round(float(v), 3) for v in shapes.total_bounds)
            frames.append((code, [[south, west], [north, east]]))
    return frames


def size_of_view(south: float, west: float, north: float, east: float, zoom: float) -> tuple[int, int]:
    """The map's size in pixels (width, height) from the bounds and zoom it reports (Web Mercator, 256 px tiles):
    the server learns so the height the browser gave a map fitted to the window."""
    def mercator_y(lat: float) -> float:
        return log(tan(pi / 4 + radians(max(-85.0511, min(85.0511, lat))) / 2))

    world = 256 * 2 ** zoom
    return round((east - west) / 360 * world), round((mercator_y(north) - mercator_y(south)) / (2 * pi) * world)
