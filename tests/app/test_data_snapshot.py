"""The dashboards' data through the disk cache (`dashboard.data` over `store.snapshot`): a new process with
unchanged data reads the cache; a publish (new data version) or a changed reference file builds anew, and the
page data then shows the change. "A new process" is simulated by clearing the in-process caches."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from dashboard import data
from dashboard.navigation import PAGES
from store import Edit
from store.changes import SYSTEM
from tests.app.helpers import BANNER, run_page
from tests.paths import REPO


@pytest.fixture
def fresh(tmp_path, monkeypatch):
    """The demo in a folder of its own, a store and a state folder of their own; counts the joins."""
    folder = shutil.copytree(REPO / "data" / "demo", tmp_path / "demo")
    monkeypatch.setenv("CARTE_DATA_DIR", str(folder))
    monkeypatch.setenv("CARTE_STATE_DIR", str(tmp_path / "etat"))
    monkeypatch.setenv("CARTE_DATABASE_URL", f"sqlite:///{tmp_path / 'carte.sqlite3'}")
    builds = []
    build = data._build
    monkeypatch.setattr(data, "_build", lambda source: builds.append(source) or build(source))
    new_process()
    yield folder, builds
    new_process()


def new_process() -> None:
    for cached in (data._load, data._frame, data._reference):
        cached.clear()


def cached_files(tmp_path):
    return sorted((tmp_path / "etat" / "cache").glob("donnees-*.pickle"))


def test_a_new_process_reads_the_cache_then_a_publish_rebuilds_it(fresh, tmp_path):
    folder, builds = fresh
    first = data.current_atlas()
    assert len(builds) == 1 and len(cached_files(tmp_path)) == 1
    new_process()
    again = data.current_atlas()
    assert len(builds) == 1  # read from disk, not joined again
    pd.testing.assert_frame_equal(again.partenariats, first.partenariats)
    pd.testing.assert_frame_equal(pd.DataFrame(again.qpv), pd.DataFrame(first.qpv))

    record, version = data.store().read_records("partenariats")["P-2024-0001"]
    assert record["statut"] == "terminé"
    data.store().write(SYSTEM, "statut", [Edit("partenariats", "P-2024-0001", {**record, "statut": "en cours"},
                                               version)])
    new_process()
    after = data.current_atlas()
    assert len(builds) == 2 and builds[1].versions != builds[0].versions
    statut = after.partenariats.set_index("id_partenariat").loc["P-2024-0001", "statut"]
    assert statut == "en cours"
    assert len(cached_files(tmp_path)) == 2  # one per data version


def test_a_changed_reference_file_is_not_served_from_the_cache(fresh, tmp_path):
    folder, builds = fresh
    first = data.current_atlas()
    text = (folder / "qpv.geojson").read_text(encoding="utf-8")
    code = first.qpv["code_qp"].iloc[0]
    name = first.qpv["lib_qp"].iloc[0]
    assert text.count(f'"{name}"') >= 1
    (folder / "qpv.geojson").write_text(text.replace(f'"{name}"', '"Quartier renommé"'), encoding="utf-8")
    new_process()
    after = data.current_atlas()
    assert len(builds) == 2
    assert after.qpv.set_index("code_qp").loc[code, "lib_qp"] == "Quartier renommé"


def test_cached_frames_stay_immutable(fresh):
    data.current_atlas()
    new_process()
    atlas = data.current_atlas()
    assert not atlas.index.pair_qpv.flags.writeable
    with pytest.raises(TypeError):
        atlas.region_names["11"] = "autre"
    mine = atlas.qpv
    mine.loc[0, "lib_qp"] = "changé"
    assert data.current_atlas().qpv.loc[0, "lib_qp"] != "changé"


def test_the_login_page_does_not_wait_for_the_data(fresh, monkeypatch):
    """Connexion shows no data: neither it nor the sidebar loads or joins it (fails on the old code)."""
    folder, builds = fresh

    def refused(*args, **kwargs):
        raise AssertionError("la page Connexion a chargé les données")

    monkeypatch.setattr(data, "load_or_build", refused)
    at = run_page("connexion")
    assert not at.exception and builds == []
    assert [t.value for t in at.title] == ["Connexion"]
    assert any(BANNER in w.value for w in at.warning)  # the demo still says demo
    assert "Se connecter" in [b.label for b in at.button] or len(at.text_input) >= 2
    links = [link.proto.page for link in at.sidebar.get("page_link")]
    assert len(links) == len(PAGES)
