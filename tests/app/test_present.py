"""The map's view in the URL and presentation mode, in Streamlit's AppTest."""

from __future__ import annotations

from streamlit_folium import generate_js_hash

from tests.app.helpers import infos, map_args, map_text, run_page

VIEW = {"region": "84", "theme": "inclusion-numerique", "mesure": "theme", "couches": "qpv,organismes",
        "fond": "osm", "centre": "45.5,4.5", "zoom": "8.5"}


def _controls(at) -> dict:
    return {**{s.key: s.value for s in at.selectbox}, **{t.key: t.value for t in at.toggle}}


def test_a_link_with_a_view_reopens_it():
    at = run_page("carte", VIEW)
    assert not at.exception
    assert _controls(at) == {"mesure": "theme", "fond": "osm", "couche_qpv": True, "couche_regies": False,
                             "couche_organismes": True, "couche_declinaisons": False, "mode_presentation": False}
    args = map_args(at)
    assert (args["center"], args["zoom"]) == ([45.5, 4.5], 8.5)
    assert "Carte.regies(" not in args["feature_group"] and "Carte.qpvOutlines(" in args["feature_group"]
    assert "Thème dominant" in map_text(at)  # the legend's title
    assert dict(at.query_params) == VIEW


def test_an_old_link_opens_the_default_view_and_keeps_its_url_clean():
    at = run_page("carte", {"region": "84"})
    assert _controls(at)["mesure"] == "coverage" and _controls(at)["couche_regies"]
    assert dict(at.query_params) == {"region": "84"}


def test_a_control_change_goes_to_the_url_keeping_filters_and_position():
    at = run_page("carte", VIEW)
    at.selectbox(key="mesure").set_value("partenariats").run()
    at.toggle(key="couche_regies").set_value(True).run()
    assert dict(at.query_params) == {**VIEW, "mesure": "partenariats", "couches": "qpv,regies,organismes"}


def test_the_view_survives_another_page_and_back():
    at = run_page("carte", VIEW)
    at.switch_page("app_pages/partenariats.py")
    at.query_params.clear()
    at.query_params.update({"region": "84", "theme": "inclusion-numerique"})  # what the sidebar link carries
    at.run()
    assert not at.exception
    at.switch_page("app_pages/carte.py").run()
    assert _controls(at)["mesure"] == "theme"
    assert (map_args(at)["center"], map_args(at)["zoom"]) == ([45.5, 4.5], 8.5)
    assert dict(at.query_params) == VIEW


def test_another_territory_drops_the_position_but_keeps_the_rest():
    at = run_page("carte", VIEW)
    at.query_params.clear()
    at.query_params.update({"region": "76"})  # the filters changed: set_filters rewrote the URL
    at.run()
    assert dict(at.query_params) == {"region": "76", "mesure": "theme", "couches": "qpv,organismes", "fond": "osm"}
    assert map_args(at)["center"] != [45.5, 4.5]


def _report(at, center, zoom) -> None:
    """What the browser's map sends after a move: its centre and zoom, as the value of its component."""
    component = generate_js_hash(map_args(at)["script"], "carte", False)
    at.session_state[component] = {"center": {"lat": center[0], "lng": center[1]}, "zoom": zoom,
                                   "bounds": None, "last_active_drawing": None}


def test_the_map_telling_where_it_was_put_is_not_a_move():
    at = run_page("carte", {"region": "32"})
    _report(at, (46.6042, 2.395), 6)  # its first view (46.6, 2.4 at zoom 6), re-centred on whole pixels
    at.run()
    _report(at, map_args(at)["center"], map_args(at)["zoom"])  # where it was asked to be
    at.run()
    assert dict(at.query_params) == {"region": "32"}


def test_a_report_overtaken_by_a_filter_change_stays_out_of_the_url():
    at = run_page("carte")
    national = map_args(at)["center"], map_args(at)["zoom"]
    at.query_params["region"] = "84"  # the région chosen while the national map's report was on its way
    _report(at, *national)
    at.run()
    assert dict(at.query_params) == {"region": "84"}
    assert map_args(at)["center"] != national[0]  # the map frames the région
    _report(at, (45.1, 4.2), 9)  # then the user moves the map
    at.run()
    assert dict(at.query_params) == {"region": "84", "centre": "45.1,4.2", "zoom": "9"}


def test_a_bad_position_is_reported_and_the_map_frames_the_selection():
    at = run_page("carte", {"centre": "abc", "zoom": "6"})
    assert any("Position de carte" in n for n in infos(at))
    assert "centre" not in at.query_params


def test_presentation_mode_from_the_url_steps_through_the_regions():
    at = run_page("carte", {"presentation": "1", "region": "84,76"})
    assert not at.exception
    assert _controls(at)["mode_presentation"] is True
    assert "Carte.steps(" in map_args(at)["script"]
    styles = "".join(h.proto.body for h in at.get("html"))
    assert 'section[data-testid="stSidebar"]' in styles and "Données de démonstration" in styles


def test_presentation_mode_survives_a_filter_change_and_can_be_left():
    at = run_page("", {"presentation": "1"})
    at.query_params.clear()
    at.query_params.update({"region": "84"})
    at.run()
    assert at.query_params["presentation"] == "1"
    at.toggle(key="mode_presentation").set_value(False).run()
    assert "presentation" not in at.query_params
    assert not [h for h in at.get("html") if "stSidebar" in h.proto.body]
    assert "Carte.steps(" not in map_args(at)["script"]


def test_without_presentation_mode_no_arrow_steps():
    assert "Carte.steps(" not in map_args(run_page("carte"))["script"]


def test_every_control_is_drawn_with_the_value_it_shows_as_its_default():
    """Streamlit fetches a widget's code when such a widget first shows, and a widget whose code arrives after a
    later run's element starts from that element's default. So on a run that does not give the controls their
    values (the one after a user's change), each one's default is the value it shows: the link's."""
    at = run_page("carte", VIEW)
    at.toggle(key="couche_regies").set_value(True).run()
    assert not at.exception

    def labels(key: str) -> list[str]:
        proto = at.multiselect(key=key).proto
        return [proto.options[i] for i in proto.default]

    assert {m.key: labels(m.key) for m in at.multiselect} == {
        "f_regions": ["Auvergne-Rhône-Alpes"], "f_departements": [], "f_epci": [],
        "f_themes": ["Inclusion numérique"], "f_familles": [], "f_statuts": [], "f_precisions": []}
    selectbox = {s.key: s.proto.options[s.proto.default] for s in at.selectbox}
    assert selectbox == {"mesure": "Thème dominant", "fond": "OpenStreetMap"}
    assert {t.key: t.proto.default for t in at.toggle} == {
        "couche_qpv": True, "couche_regies": True, "couche_organismes": True, "couche_declinaisons": False,
        "mode_presentation": False}
    years = at.slider(key="f_annees")
    assert list(years.proto.default) == list(years.value)
    assert at.text_input(key="f_q").proto.default == ""
