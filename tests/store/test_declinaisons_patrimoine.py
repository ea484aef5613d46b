"""Declinations and patrimoine in the store: seeded from the folder (also into a store seeded before they were
stored), read back as `geo.load` reads the files, imported, scoped by région, journalled and undone."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from geo.load import load_folder
from store import Edit, ScopeError, Store, ValidationError
from tests.store.conftest import write_folder

DECLINAISONS = """insee_reg;ar_hlm;statut;date_signature;organismes_signataires;regies_signataires;lien_document;\
commentaire
32;AR Hlm Hauts-de-France;en préparation;;;;;
11;AORIF;signée;14/03/2025;987654324;RQ-075-01;https://exemple.org/d.pdf;Signée au congrès
"""
PATRIMOINE = """siren_organisme;code_qp;nb_logements
123456782;QN05972M;420
987654324;QN07501M;300
"""
QPV = {code: (commune, lon, lat) for code, commune, lon, lat in (
    ("QN05971M", "59350", 3.03, 50.60), ("QN05972M", "59350", 3.05, 50.61), ("QN05973M", "59350", 3.07, 50.62),
    ("QN07501M", "75056", 2.35, 48.85))}
HDF_SIGNED = {"insee_reg": "32", "ar_hlm": "AR Hlm Hauts-de-France", "statut": "signée",
              "date_signature": "02/10/2026", "organismes_signataires": "123456782",
              "regies_signataires": "RQ-059-01", "lien_document": None, "commentaire": None}


def add_optional_files(folder):
    """The two files, and a QPV file (a patrimoine row naming a QPV the folder does not have is left out)."""
    features = [{"type": "Feature", "properties": {"code_qp": code, "lib_qp": f"Quartier {code}", "insee_com": com,
                                                   "lib_com": "Lille" if com == "59350" else "Paris"},
                 "geometry": {"type": "Polygon", "coordinates": [[[lon, lat], [lon + .01, lat], [lon + .01, lat + .01],
                                                                  [lon, lat + .01], [lon, lat]]]}}
                for code, (com, lon, lat) in QPV.items()]
    (folder / "qpv.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": features}),
                                        encoding="utf-8")
    (folder / "declinaisons.csv").write_text(DECLINAISONS, encoding="utf-8")
    (folder / "patrimoine.csv").write_text(PATRIMOINE, encoding="utf-8")
    return folder


@pytest.fixture
def data_folder(tmp_path):
    return add_optional_files(write_folder(tmp_path / "donnees"))


def test_seeded_records_are_keyed_by_region_and_by_organisme_and_qpv(store):
    assert list(store.read_records("declinaisons")) == ["32", "11"]
    assert list(store.read_records("patrimoine")) == ["123456782-QN05972M", "987654324-QN07501M"]
    assert store.read_records("declinaisons")["11"][0]["date_signature"] == "14/03/2025"
    assert store.data_version()["declinaisons"] == store.data_version()["partenariats"] > 0


def test_read_back_as_the_files_are_read(store, data_folder):
    from_store = store.read_datasets(data_folder)
    from_files = load_folder(data_folder)
    for kind in ("declinaisons", "patrimoine"):
        pd.testing.assert_frame_equal(getattr(from_store, kind), getattr(from_files, kind))
    assert not {"declinaisons", "patrimoine"} & set(from_store.files)  # not read from the folder


def test_a_store_seeded_before_gets_them_once(empty_store, tmp_path):
    folder = write_folder(tmp_path / "avant")
    empty_store.seed_from_folder(folder)
    assert empty_store.read_records("declinaisons") == {}
    partenariats = empty_store.read_records("partenariats")
    add_optional_files(folder)
    change_set_id = empty_store.seed_from_folder(folder)
    assert change_set_id is not None
    assert sorted(empty_store.read_records("declinaisons")) == ["11", "32"]
    assert len(empty_store.read_records("patrimoine")) == 2
    assert empty_store.read_records("partenariats") == partenariats  # versions too: untouched
    assert empty_store.seed_from_folder(folder) is None


def test_contributor_writes_the_declination_of_its_region_only(store):
    before = store.data_version()
    _, version = store.read_records("declinaisons")["32"]
    change_set_id = store.write("hdf", "Signature", [Edit("declinaisons", "32", HDF_SIGNED, version)])
    assert store.read_records("declinaisons")["32"] == (HDF_SIGNED, version + 1)
    assert store.data_version() == {**before, "declinaisons": change_set_id}
    other, other_version = store.read_records("declinaisons")["11"]
    with pytest.raises(ScopeError, match="« 11 »"):
        store.write("hdf", "", [Edit("declinaisons", "11", {**other, "commentaire": "x"}, other_version)])
    unknown = {**HDF_SIGNED, "insee_reg": "84"}
    with pytest.raises(ScopeError):  # a new row for another région
        store.write("hdf", "", [Edit("declinaisons", "84", unknown, 0)])
    assert store.read_records("declinaisons")["11"] == (other, other_version)
    assert "84" not in store.read_records("declinaisons")
    assert store.data_version() == {**before, "declinaisons": change_set_id}


def test_patrimoine_row_lies_in_the_region_of_its_qpv(store):
    lille = {"siren_organisme": "987654324", "code_qp": "QN05971M", "nb_logements": "80"}
    store.write("hdf", "", [Edit("patrimoine", "987654324-QN05971M", lille, 0)])
    assert store.read_records("patrimoine")["987654324-QN05971M"] == (lille, 1)
    paris, version = store.read_records("patrimoine")["987654324-QN07501M"]
    with pytest.raises(ScopeError):
        store.write("hdf", "", [Edit("patrimoine", "987654324-QN07501M", {**paris, "nb_logements": "1"}, version)])
    store.write("idf", "", [Edit("patrimoine", "987654324-QN07501M", {**paris, "nb_logements": "1"}, version)])
    assert store.read_records("patrimoine")["987654324-QN07501M"][0]["nb_logements"] == "1"


def test_validation_is_that_of_the_files(store):
    _, version = store.read_records("declinaisons")["32"]
    with pytest.raises(ValidationError) as refused:
        store.write("hdf", "", [Edit("declinaisons", "32", {**HDF_SIGNED, "date_signature": None}, version)])
    assert [f.column for f in refused.value.findings] == ["date_signature"]
    with pytest.raises(ValidationError) as refused:  # the identifier is the row's own key
        store.write("adm", "", [Edit("patrimoine", "123456782-QN05971M",
                                     {"siren_organisme": "123456782", "code_qp": "QN05972M", "nb_logements": "2"},
                                     0)])
    assert "ne correspond pas" in refused.value.findings[0].message
    for link in ("javascript:alert(1)", "data:text/html,x", "exemple.org/d.pdf"):
        with pytest.raises(ValidationError) as refused:
            store.write("hdf", "", [Edit("declinaisons", "32", {**HDF_SIGNED, "lien_document": link}, version)])
        assert [f.column for f in refused.value.findings] == ["lien_document"]
    assert store.read_records("declinaisons")["32"][1] == version


def test_import_preview_publish_and_undo(store, tmp_path):
    before = {kind: store.read_records(kind) for kind in ("declinaisons", "patrimoine")}
    file = tmp_path / "declinaisons.csv"
    file.write_text(DECLINAISONS.replace("32;AR Hlm Hauts-de-France;en préparation;;",
                                         "32;AR Hlm Hauts-de-France;signée;02/10/2026;")
                    .replace("Signée au congrès", "Modifié"), encoding="utf-8")
    plan = store.plan_import("hdf", file)
    assert [r.record_id for r in plan.changed] == ["32"]
    assert [r.record_id for r in plan.out_of_scope] == ["11"]
    assert [(c.column, c.old, c.new) for c in plan.changed[0].cells] == [
        ("statut", "en préparation", "signée"), ("date_signature", None, "02/10/2026")]
    change_set_id = store.publish(plan, "hdf", "")
    assert store.read_records("declinaisons")["32"][0]["statut"] == "signée"
    assert store.read_records("declinaisons")["11"] == before["declinaisons"]["11"]
    store.undo(change_set_id, "hdf")
    assert {k: d for k, (d, _) in store.read_records("declinaisons").items()} == {
        k: d for k, (d, _) in before["declinaisons"].items()}


def test_patrimoine_import_refuses_a_pair_twice(store, tmp_path):
    file = tmp_path / "patrimoine.csv"
    file.write_text(PATRIMOINE + "123456782;qn05972m;5\n", encoding="utf-8")
    plan = store.plan_import("adm", file)
    assert plan.blocking and plan.blocking[0].row == 4 and "en double" in plan.blocking[0].message


def test_export_then_seed_gives_the_same_records(store, tmp_path):
    store.export(tmp_path / "sauvegarde")
    restored = Store.open(f"sqlite:///{tmp_path / 'restauree.sqlite3'}")
    restored.seed_from_folder(tmp_path / "sauvegarde")
    for kind in ("declinaisons", "patrimoine"):
        assert {k: d for k, (d, _) in restored.read_records(kind).items()} == {
            k: d for k, (d, _) in store.read_records(kind).items()}
    restored.close()
