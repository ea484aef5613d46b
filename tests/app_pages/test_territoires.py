"""/territoires' pickers on the demo data: each change goes to the URL through the filters' one path
(`url_state.on_widget_change`), keeping the other filters, and the portrait follows."""

from __future__ import annotations

from tests.app.helpers import TIMEOUT, plain, run_page

LYON = "200046977"  # data/ref/epci.csv: Métropole de Lyon


def test_pickers_write_the_territory_and_keep_the_other_filters():
    at = run_page("territoires", {"region": "84", "theme": "cadre-de-vie"})
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="t_region").value == "84" and at.selectbox(key="t_departement").value is None
    at.selectbox(key="t_departement").select("69").run(timeout=TIMEOUT)
    assert dict(at.query_params) == {"region": "84", "departement": "69", "theme": "cadre-de-vie"}
    assert [plain(h.value) for h in at.header] == ["Portrait : Rhône"]
    at.selectbox(key="t_epci").select(LYON).run(timeout=TIMEOUT)
    assert dict(at.query_params) == {"region": "84", "departement": "69", "epci": LYON, "theme": "cadre-de-vie"}
    assert [plain(h.value) for h in at.header] == ["Portrait : Métropole de Lyon"]
    at.selectbox(key="t_region").select("11").run(timeout=TIMEOUT)  # the Rhône and Lyon are not in Île-de-France
    assert dict(at.query_params) == {"region": "11", "theme": "cadre-de-vie"}
    assert [plain(h.value) for h in at.header] == ["Portrait : Île-de-France"]
    assert (at.selectbox(key="t_departement").value, at.selectbox(key="t_epci").value) == (None, None)
    assert not at.exception


def test_pickers_show_the_region_of_a_departement_or_an_epci():
    at = run_page("territoires", {"departement": "69"})
    assert (at.selectbox(key="t_region").value, at.selectbox(key="t_departement").value) == ("84", "69")
    at = run_page("territoires", {"epci": LYON})
    assert (at.selectbox(key="t_region").value, at.selectbox(key="t_epci").value) == ("84", LYON)
    assert dict(at.query_params) == {"epci": LYON}  # shown, not written back
