"""The app on a small non-demo data folder written by the test (CARTE_DATA_DIR), whose régie is named like an
XSS payload: no demo banner, figures from that folder, and every data text escaped in the map."""

from __future__ import annotations

import html

import pytest

from tests.app import reference as ref
from tests.app.fixture_data import XSS_ID, XSS_NAME, write_fixture
from tests.app.helpers import (
    BANNER,
    SCRIPTS,
    TITLES,
    map_text,
    plain,
    run_page,
    shown_cells,
    warnings,
)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return write_fixture(tmp_path_factory.mktemp("donnees-test"))


@pytest.fixture(scope="module")
def store_url(tmp_path_factory):
    return f"sqlite:///{tmp_path_factory.mktemp('base-test') / 'carte.sqlite3'}"


@pytest.fixture
def fixture_env(folder, store_url, monkeypatch):
    monkeypatch.setenv("CARTE_DATA_DIR", str(folder))
    monkeypatch.setenv("CARTE_DATABASE_URL", store_url)  # its own store, seeded from the folder
    return ref.load(folder)


@pytest.mark.parametrize("params", [{}, {"departement": "93"}], ids=["sans-filtre", "departement-93"])
@pytest.mark.parametrize("path", list(SCRIPTS), ids=[p or "accueil" for p in SCRIPTS])
def test_pages_render_without_demo_banner(path, params, fixture_env):
    at = run_page(path, params)
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == [TITLES[path]]
    assert not any(BANNER in w for w in warnings(at))


@pytest.mark.parametrize("params,ask", [({}, ref.Ask()), ({"region": "11"}, ref.Ask(regions=("11",))),
                                        ({"region": "84"}, ref.Ask(regions=("84",))),
                                        ({"q": "lyon"}, ref.Ask(q="lyon"))],
                         ids=["national", "region-11", "region-84", "recherche-lyon"])
def test_kpis_come_from_the_folder(params, ask, fixture_env):
    expected = ref.select(fixture_env, ask).kpis
    at = run_page("", params)
    assert {m.label: m.value for m in at.metric} == {k: ref.card(k, v) for k, v in expected.items()}


@pytest.mark.parametrize("params", [{}, {"departement": "93"}], ids=["national", "departement-93"])
def test_xss_name_is_escaped_in_the_map_script(params, fixture_env):
    at = run_page("carte", params)
    assert not at.exception
    text = map_text(at)
    assert html.escape(XSS_NAME) in text
    assert XSS_NAME not in text
    assert "<img" not in text
    other = fixture_env.regies.set_index("id_regie").at["RQ-093-02", "nom"]
    assert html.escape(other) in text and other not in text
    assert f'"{XSS_ID}"' in text


def test_local_map_holds_the_departement_only(fixture_env):
    text = map_text(run_page("carte", {"departement": "93"}))
    assert all(f'"{c}"' in text for c in ("QN09391X", "QN09392X", "QN09393X"))
    assert "QN06991X" not in text and "QN06992X" not in text
    assert "RQ-069-01" not in text


def test_data_page_says_the_files_are_not_demo(fixture_env, folder):
    at = run_page("donnees")
    sources = shown_cells(at.dataframe[0]).set_index("Jeu de données")
    labels = ["Quartiers prioritaires (QPV)", "Régies de quartier et de territoire", "Organismes HLM", "Partenariats"]
    assert list(sources.loc[labels, "Fichier"]) == ["qpv.geojson"] + ["base de données"] * 3
    assert list(sources.loc[labels, "Démonstration"]) == ["non"] * 4
    assert sources.at[labels[1], "Lignes chargées"] == ref.fr_int(len(fixture_env.regies))
    shown = "\n".join(plain(str(e.value)) for kind in ("markdown", "caption", "info") for e in at.get(kind))
    assert f"Dossier de données chargé : « {folder.name} »" in shown
    assert str(folder.parent) not in shown  # the folder's name, never its path on the server


def test_partnership_table_of_the_folder(fixture_env):
    at = run_page("partenariats", {"region": "84"})
    expected = ref.select(fixture_env, ref.Ask(regions=("84",))).partenariats
    assert sorted(at.dataframe[0].value["Identifiant"]) == sorted(expected["id_partenariat"])
    assert sorted(expected["id_partenariat"]) == ["P-T-0003", "P-T-0004"]  # P-T-0003 spans two régions
