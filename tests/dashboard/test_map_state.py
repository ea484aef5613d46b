"""MapView (dashboard/map_state.py): URL round trip, defaults left out of the URL, invalid values dropped with a
French notice."""

from __future__ import annotations

import pytest

from dashboard import map_state
from dashboard.map_state import MapView
from ui import maps


def test_default_view_writes_no_parameter():
    assert MapView().to_query_params() == {}
    assert MapView.from_query_params({}) == (MapView(), [])


def test_full_view_round_trips_through_the_url():
    view = MapView(measure="theme", layers={"qpv", "organismes"}, basemap="osm", center=(45.7578, 4.8351), zoom=9.5)
    params = view.to_query_params()
    assert params == {"mesure": "theme", "couches": "qpv,organismes", "fond": "osm", "centre": "45.7578,4.8351",
                      "zoom": "9.5"}
    assert MapView.from_query_params({k: [v] for k, v in params.items()}) == (view, [])


def test_no_layer_at_all_is_written_and_read_back():
    params = MapView(layers=()).to_query_params()
    assert params == {"couches": "aucune"}
    assert MapView.from_query_params(params)[0].layers == frozenset()


def test_centre_and_zoom_are_rounded_to_what_the_url_holds():
    view = MapView(center=(45.123456, 4.987654), zoom=7.3)
    assert (view.center, view.zoom) == ((45.1235, 4.9877), 7.25)


@pytest.mark.parametrize(("params", "notice"), [
    ({"mesure": "densite"}, "Mesure de couleur « densite » inconnue : ignorée."),
    ({"fond": "satellite"}, "Fond de carte « satellite » inconnu : ignoré."),
    ({"centre": "45.7,4.8"}, "Position de carte « centre=45.7,4.8&zoom= » invalide : la carte cadre la sélection."),
    ({"centre": "95,4.8", "zoom": "6"}, "Position de carte « centre=95,4.8&zoom=6 » invalide : la carte cadre la "
                                        "sélection."),
    ({"centre": "nan,4.8", "zoom": "6"}, "Position de carte « centre=nan,4.8&zoom=6 » invalide : la carte cadre la "
                                         "sélection."),
    ({"centre": "45,4.8", "zoom": "40"}, "Position de carte « centre=45,4.8&zoom=40 » invalide : la carte cadre la "
                                         "sélection."),
])
def test_invalid_values_fall_back_to_the_default_with_a_notice(params, notice):
    assert MapView.from_query_params(params) == (MapView(), [notice])


def test_unknown_layer_is_dropped_and_the_known_ones_kept():
    view, notices = MapView.from_query_params({"couches": "regies,ponts"})
    assert view.layers == {"regies"}
    assert notices == ["Couche(s) « ponts » inconnue(s) : ignorée(s)."]


def test_last_value_wins_as_in_a_repeated_parameter():
    assert MapView.from_query_params({"mesure": ["theme", "partenariats"]})[0].measure == "partenariats"


def test_with_position_ignores_an_out_of_range_position():
    view = MapView()
    assert view.with_position((46.0, 2.0), 5.5) == MapView(center=(46.0, 2.0), zoom=5.5)
    assert view.with_position((46.0, 2.0), 30) == view
    assert view.with_position(None, 5) == view
    assert MapView(center=(46.0, 2.0), zoom=5.5).without_position() == view


def test_same_frame_allows_a_pixel_and_a_half_at_the_same_zoom():
    at_zoom_8 = MapView(center=(45.0, 4.0), zoom=8)
    pixel = 360 / 256 / 2**8  # degrees of longitude per pixel at zoom 8
    assert at_zoom_8.same_frame(MapView(center=(45.0 + pixel, 4.0 - 1.4 * pixel), zoom=8))
    assert not at_zoom_8.same_frame(MapView(center=(45.0, 4.0 + 2 * pixel), zoom=8))
    assert not at_zoom_8.same_frame(MapView(center=(45.0, 4.0), zoom=8.25))
    assert not at_zoom_8.same_frame(MapView())


def test_constructor_refuses_inconsistent_values():
    with pytest.raises(ValueError):
        MapView(measure="densite")
    with pytest.raises(ValueError):
        MapView(layers={"ponts"})
    with pytest.raises(ValueError):
        MapView(center=(46.0, 2.0))


def test_vocabularies_match_the_map_builders():
    assert tuple(maps.MEASURES) == map_state.MEASURES
    assert tuple(maps.TILES) == map_state.BASEMAPS
