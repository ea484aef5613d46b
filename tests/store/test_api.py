"""Store API on each engine: seed and read back, scope on every write, journal, undo, conflicts, export."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from geo.load import load_folder
from store import ConflictError, Edit, ScopeError, Store, StoreError, UndoError, ValidationError, disable_user
from tests.paths import REPO


def snapshot(store: Store) -> dict:
    return {kind: store.read_records(kind) for kind in ("regies", "organismes", "partenariats")}


def edit(store: Store, record_id: str, **cells) -> Edit:
    """An edit of partnership `record_id` from its stored data, against the version read now."""
    data, version = store.read_records("partenariats")[record_id]
    return Edit("partenariats", record_id, {**data, **cells}, version)


def test_seeded_store_gives_the_frames_of_the_files(store, data_folder):
    from_store = store.read_datasets(data_folder)
    from_files = load_folder(data_folder)
    for kind in ("regies", "organismes", "partenariats"):
        pd.testing.assert_frame_equal(pd.DataFrame(getattr(from_store, kind)), pd.DataFrame(getattr(from_files, kind)))


def test_canonical_text_of_the_cells(store):
    p1, version = store.read_records("partenariats")["P-1"]
    assert version == 1
    assert p1["montant_eur"] == "1000,5" and p1["date_debut"] == "01/02/2024" and p1["date_fin"] is None
    assert p1["themes"] == "cohésion sociale" and store.read_records("partenariats")["P-3"][0]["themes"] == \
        "amélioration du cadre de vie"


def test_contributor_writes_in_its_region_only(store):
    before = snapshot(store)
    with pytest.raises(ScopeError, match="P-4"):
        store.write("hdf", "hors région", [edit(store, "P-4", statut="terminé")])
    with pytest.raises(ScopeError, match="P-4"):  # one refused record refuses the whole write
        store.write("hdf", "mélange", [edit(store, "P-1", statut="en cours"), edit(store, "P-4", statut="terminé")])
    with pytest.raises(ScopeError):  # moving a record out of its région is writing in the other région
        store.write("hdf", "déplacement", [edit(store, "P-1", qpv="QN07501M")])
    with pytest.raises(ScopeError):  # nor can Île-de-France take a Hauts-de-France record
        store.write("idf", "prise", [edit(store, "P-1", qpv="QN07501M")])
    assert snapshot(store) == before
    assert len([s for s in store.change_sets() if s.kind != "compte"]) == 1  # the seed (and the accounts)
    store.write("hdf", "dans la région", [edit(store, "P-1", statut="en cours")])
    store.write("adm", "national", [edit(store, "P-4", statut="terminé")])
    records = store.read_records("partenariats")
    assert records["P-1"][0]["statut"] == "en cours" and records["P-4"][0]["statut"] == "terminé"


def test_regies_and_organismes_are_written_by_national_administrators_only(store, tmp_path):
    """Issue 15: the rule lived only in /saisie; the store let a contributor write its région's régie or
    organisme through the API and the import (fails on the old code)."""
    regie, version = store.read_records("regies")["RQ-059-01"]
    with pytest.raises(ScopeError, match="ne peut pas modifier les régies de quartier et de territoire : ils sont "
                                         "modifiés par un administrateur national"):
        store.write("hdf", "", [Edit("regies", "RQ-059-01", {**regie, "salaries": "41"}, version)])
    organisme, version = store.read_records("organismes")["123456782"]
    with pytest.raises(ScopeError, match="les organismes hlm : ils sont modifiés par un administrateur national"):
        store.write("hdf", "", [Edit("organismes", "123456782", {**organisme, "nb_logements": "12500"}, version)])
    (tmp_path / "organismes.csv").write_text(
        "siren;nom;famille;commune_siege;insee_reg;nb_logements;insee_com;latitude;longitude\n"
        "123456782;Habitat du Nord;OPH;Lille;32;12500;59350;50,63;3,06\n", encoding="utf-8")
    plan = store.plan_import("hdf", tmp_path / "organismes.csv")
    assert [r.record_id for r in plan.out_of_scope] == ["123456782"] and not plan.changed and not plan.missing
    assert any("modifiés par un administrateur national" in f.message for f in plan.findings)
    store.write("adm", "", [Edit("organismes", "123456782", {**organisme, "nb_logements": "12500"}, version)])


def test_writing_needs_an_enabled_account(store):
    with pytest.raises(ScopeError, match="inconnu"):
        store.write("personne", "", [edit(store, "P-1", statut="terminé")])
    disable_user(store, "hdf")
    with pytest.raises(ScopeError, match="désactivé"):
        store.write("hdf", "", [edit(store, "P-1", statut="terminé")])


def test_invalid_data_is_refused_and_nothing_written(store):
    before = snapshot(store)
    with pytest.raises(ValidationError) as refused:
        store.write("adm", "", [edit(store, "P-1", statut="fini"), edit(store, "P-2", statut="terminé")])
    assert any(f.column == "statut" and "fini" in f.message for f in refused.value.findings)
    with pytest.raises(ValidationError):
        store.write("adm", "", [edit(store, "P-2", description="=HYPERLINK(\"http://x\")")])
    with pytest.raises(StoreError, match="inconnu"):
        store.write("adm", "", [Edit("qpv", "QN05971M", {"code_qp": "QN05971M"}, 0)])
    assert snapshot(store) == before


def test_journal_holds_before_and_after_of_each_record(store):
    p1_before = store.read_records("partenariats")["P-1"][0]
    change_set_id = store.write("hdf", "statut mis à jour", [edit(store, "P-1", statut="en cours")])
    info, changes = store.change_set(change_set_id)
    assert (info.user, info.comment, info.kind, info.size) == ("hdf", "statut mis à jour", "edit", 1)
    (change,) = changes
    assert change.before == p1_before
    assert change.after == {**p1_before, "statut": "en cours"}
    assert [(c.column, c.old, c.new) for c in change.cells] == [("statut", "en projet", "en cours")]
    store.write("hdf", "fin", [edit(store, "P-1", statut="terminé")])
    history = store.record_history("partenariats", "P-1")
    assert [(h.kind, h.after["statut"]) for h in history] == [("seed", "en projet"), ("edit", "en cours"),
                                                              ("edit", "terminé")]
    assert store.read_records("partenariats")["P-1"][1] == 3


def test_data_version_moves_only_for_the_dataset_written(store):
    first = store.data_version()
    assert first == {"declinaisons": 0, "organismes": 1, "partenariats": 1, "patrimoine": 0, "regies": 1}
    change_set_id = store.write("adm", "", [edit(store, "P-2", statut="en cours")])
    assert store.data_version() == {**first, "partenariats": change_set_id}


def test_undo_restores_the_before_values_as_a_new_change_set(store):
    before = snapshot(store)
    new = {"id_partenariat": "P-9", "id_regie": "RQ-059-01", "siren_organisme": "123456782", "qpv": "QN05971M",
           "themes": "cohésion sociale", "statut": "en projet", "date_debut": "01/01/2025"}
    change_set_id = store.write("hdf", "", [edit(store, "P-1", statut="terminé"), Edit("partenariats", "P-9", new, 0)])
    undo_id = store.undo(change_set_id, "hdf")
    assert {kind: {k: data for k, (data, _) in records.items()} for kind, records in snapshot(store).items()} == \
        {kind: {k: data for k, (data, _) in records.items()} for kind, records in before.items()}
    info, changes = store.change_set(undo_id)
    assert (info.kind, info.undoes, info.size) == ("undo", change_set_id, 2)
    assert {c.record_id: c.after is None for c in changes} == {"P-1": False, "P-9": True}
    assert store.read_records("partenariats")["P-1"][1] == 3  # the undo is a new version, not a rewind


def test_undo_is_refused_when_a_later_change_touched_the_record(store):
    first = store.write("hdf", "", [edit(store, "P-1", statut="en cours")])
    later = store.write("adm", "", [edit(store, "P-1", statut="terminé")])
    with pytest.raises(UndoError, match=rf"P-1.*adm.*{later}"):
        store.undo(first, "hdf")
    assert store.read_records("partenariats")["P-1"][0]["statut"] == "terminé"
    with pytest.raises(ScopeError):  # undo is a write like any other: the scope holds
        store.undo(store.write("adm", "", [edit(store, "P-4", statut="terminé")]), "hdf")


def test_second_writer_on_a_stale_version_gets_a_conflict_and_nothing_applied(store):
    first = [edit(store, "P-1", statut="en cours")]
    second = [edit(store, "P-2", statut="terminé"), edit(store, "P-1", statut="terminé")]
    store.write("adm", "premier", first)
    with pytest.raises(ConflictError, match="P-1.*adm.*Rien n'a été publié"):
        store.write("hdf", "second", second)
    records = store.read_records("partenariats")
    assert records["P-1"][0]["statut"] == "en cours" and records["P-2"][0]["statut"] == "en projet"


def test_two_writers_adding_the_same_record_conflict(store):
    new = {"id_partenariat": "P-9", "id_regie": "RQ-059-01", "siren_organisme": "123456782", "qpv": "QN05971M",
           "themes": "cohésion sociale", "statut": "en projet", "date_debut": "01/01/2025"}
    store.write("adm", "", [Edit("partenariats", "P-9", new, 0)])
    with pytest.raises(ConflictError):
        store.write("hdf", "", [Edit("partenariats", "P-9", {**new, "statut": "en cours"}, 0)])


def test_export_then_import_into_an_empty_store_gives_the_same_records(store, tmp_path, store_url):
    store.write("adm", "", [edit(store, "P-1", statut="terminé", description="Ateliers ; « guillemets » \"x\"")])
    written = store.export(tmp_path / "sauvegarde")
    assert {p.name for p in written} >= {"regies.csv", "organismes.csv", "partenariats.csv", "manifest.json"}
    restored = Store(Store.open(f"sqlite:///{tmp_path / 'restauree.sqlite3'}").engine)
    restored.seed_from_folder(tmp_path / "sauvegarde")
    data = {kind: {k: d for k, (d, _) in recs.items()} for kind, recs in snapshot(store).items()}
    assert {kind: {k: d for k, (d, _) in recs.items()} for kind, recs in snapshot(restored).items()} == data
    restored.close()


def test_demo_folder_round_trips_through_the_store(tmp_path):
    store = Store.open(f"sqlite:///{tmp_path / 'demo.sqlite3'}", reference_folder=REPO / "data" / "demo")
    store.seed_from_folder(REPO / "data" / "demo")
    from_store = store.read_datasets()
    from_files = load_folder(REPO / "data" / "demo")
    assert from_store.is_demo and from_store.manifest.datasets["qpv"].demo
    for kind in ("qpv", "regies", "organismes", "partenariats", "regions", "departements"):
        pd.testing.assert_frame_equal(pd.DataFrame(getattr(from_store, kind)), pd.DataFrame(getattr(from_files, kind)))
    assert store.seed_from_folder(REPO / "data" / "demo") is None  # only an empty store is seeded
    store.close()


def test_a_second_process_sees_a_change_on_its_next_read(store, store_url, data_folder):
    other = Store.open(store_url, reference_folder=data_folder)  # another app process on the same database
    seen = other.data_version()
    other.read_frames()
    change_set_id = store.write("hdf", "", [edit(store, "P-2", statut="terminé")])
    assert other.data_version() == {**seen, "partenariats": change_set_id}
    frame, _ = other.read_frames(["partenariats"])["partenariats"]
    assert frame.set_index("id_partenariat").loc["P-2", "statut"] == "terminé"
    other.close()


def test_export_copies_the_reference_geography_with_a_true_manifest(tmp_path):
    store = Store.open(f"sqlite:///{tmp_path / 'demo.sqlite3'}", reference_folder=REPO / "data" / "demo")
    store.seed_from_folder(REPO / "data" / "demo")
    store.export(tmp_path / "sauvegarde")
    manifest = json.loads((tmp_path / "sauvegarde" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["demo"] is True
    counts = {kind: record["rows"] for kind, record in manifest["datasets"].items()}
    lines = {kind: (REPO / "data" / "demo" / f"{kind}.csv").read_text(encoding="utf-8-sig").count("\n") - 1
             for kind in ("declinaisons", "patrimoine")}  # data lines of the demo files (no quoted newlines)
    assert counts == {"qpv": 1493, "regies": 129, "organismes": 70, "partenariats": 650,  # data/demo/README.md
                      **lines}
    copied = (tmp_path / "sauvegarde" / "qpv.geojson").read_bytes()
    assert copied == (REPO / "data" / "demo" / "qpv.geojson").read_bytes()
    store.close()
