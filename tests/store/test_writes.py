"""The write path's refusals (issue 15), on each engine: a removal by import is counted, confirmed and refused
when the file cannot speak for the records it would delete; formulas are looked for in the stored text and
neutralised in the backup; identifiers are written as stored; an undo's "no later change" check cannot be
overtaken by another write."""

from __future__ import annotations

import csv

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from store import ConflictError, Edit, RowChange, Store, StoreError, UndoError, ValidationError
from store import engine as engines
from store.accounts import ACCOUNT_KIND
from store.models import Record
from tests.store.test_import import HEADER, statuses, write

ROWS = {  # the conftest's partnerships as a file would hold them
    "P-1": "P-1;RQ-059-01;123456782;QN05972M;cohésion sociale;en projet;01/02/2024;;Ateliers;1000,50;",
    "P-2": "P-2;RQ-059-01;123456782;QN05971M;inclusion numérique;en projet;01/03/2024;;;2000;120",
    "P-3": "P-3;RQ-059-01;123456782;QN05973M;cadre-de-vie;en cours;01/04/2024;31/12/2026;;;",
    "P-4": "P-4;RQ-075-01;987654324;QN07501M;inclusion numérique;en cours;01/05/2024;;;500;",
}
NEW = {"id_partenariat": "P-9", "id_regie": "RQ-059-01", "siren_organisme": "123456782", "qpv": "QN05971M",
       "themes": "cohésion sociale", "statut": "en projet", "date_debut": "01/01/2025"}


def data_lots(store: Store) -> list:
    """The journal's lots of records (the accounts' own lots left aside)."""
    return [s for s in store.change_sets() if s.kind != ACCOUNT_KIND]


def file_of(tmp_path, *ids: str):
    return write(tmp_path, "\n".join([HEADER, *(ROWS[i] for i in ids)]) + "\n")


def edit(store: Store, record_id: str, **cells) -> Edit:
    data, version = store.read_records("partenariats")[record_id]
    return Edit("partenariats", record_id, {**data, **cells}, version)


# --- removal by import ----------------------------------------------------------------------------------------

def test_a_file_of_another_region_only_removes_nothing(store, tmp_path):
    """The issue's case: a one-row file whose only row is out of scope, removal asked (fails on the old code:
    the contributor's three records were deleted)."""
    text = "\n".join([HEADER, ROWS["P-4"].replace("en cours", "terminé")]) + "\n"
    plan = store.plan_import("hdf", write(tmp_path, text))
    assert [r.record_id for r in plan.out_of_scope] == ["P-4"]
    assert [r.record_id for r in plan.missing] == ["P-1", "P-2", "P-3"] and plan.removals == {"partenariats": 3}
    (refusal,) = plan.removal_refusals
    assert refusal.file == "partenariats.csv" and "aucune ligne valide de votre périmètre" in refusal.message
    with pytest.raises(StoreError, match="suppression refusée"):
        store.publish(plan, "hdf", "", remove_missing=True, confirm_removal=3)
    assert set(statuses(store)) == set(ROWS)


def test_a_removal_needs_the_count_confirmed(store, tmp_path):
    plan = store.plan_import("hdf", file_of(tmp_path, "P-1"))
    assert [r.record_id for r in plan.missing] == ["P-2", "P-3"] and not plan.removal_refusals
    for typed in (None, 3, 1):  # fails on the old code: no confirmation asked
        with pytest.raises(StoreError, match="Suppression non confirmée : elle supprime 2 enregistrements "
                                             r"\(partenariats : 2\) ; confirmez en indiquant ce nombre, 2"):
            store.publish(plan, "hdf", "", remove_missing=True, confirm_removal=typed)
    assert set(statuses(store)) == set(ROWS)
    change_set_id = store.publish(plan, "hdf", "", remove_missing=True, confirm_removal=2)
    assert set(statuses(store)) == {"P-1", "P-4"}
    assert {c.record_id: c.after for c in store.change_set(change_set_id)[1]} == {"P-2": None, "P-3": None}


def test_an_administrator_file_of_one_region_removes_nothing_elsewhere(store, tmp_path):
    plan = store.plan_import("adm", file_of(tmp_path, "P-1", "P-2", "P-3"))
    assert [r.record_id for r in plan.missing] == ["P-4"]
    assert "aucune ligne valide dans ces régions : Île-de-France" in plan.removal_refusals[0].message
    plan = store.plan_import("adm", file_of(tmp_path, "P-1", "P-4"))
    assert not plan.removal_refusals
    store.publish(plan, "adm", "", remove_missing=True, confirm_removal=2)
    assert set(statuses(store)) == {"P-1", "P-4"}


def test_a_file_id_in_lower_case_is_the_stored_record(store, tmp_path):
    """The file reader's identifier is the store's (`record_key`): `p-2` in the file is P-2, not missing."""
    text = "\n".join([HEADER, ROWS["P-1"], ROWS["P-2"].replace("P-2;", "p-2;"), ROWS["P-3"]]) + "\n"
    plan = store.plan_import("hdf", write(tmp_path, text))
    assert plan.missing == [] and len(plan.unchanged) == 3


# --- formulas -------------------------------------------------------------------------------------------------

def test_a_formula_behind_spaces_is_refused_by_write_naming_the_cell(store):
    """Fails on the old code: the raw ` =HYPERLINK(…)` passed the check and `=HYPERLINK(…)` was stored."""
    with pytest.raises(ValidationError) as refused:
        store.write("hdf", "", [edit(store, "P-1", description='  =HYPERLINK("http://x")')])
    (finding,) = refused.value.findings
    assert finding.column == "description" and "formule" in finding.message
    assert "partenariats (saisie « P-1 »), colonne « description » : la cellule « =HYPERLINK" in str(refused.value)
    assert statuses(store) and store.read_records("partenariats")["P-1"][0]["description"] == "Ateliers"


def test_a_formula_behind_spaces_in_a_file_is_refused_at_the_preview(store, tmp_path):
    text = "\n".join([HEADER, ROWS["P-1"].replace(";Ateliers;", ';  =HYPERLINK("http://x");')]) + "\n"
    plan = store.plan_import("hdf", write(tmp_path, text))
    assert [(f.file, f.row, f.column) for f in plan.blocking] == [("partenariats.csv", 2, "description")]


def test_a_refused_publish_names_the_file_row_and_column(store, tmp_path):
    plan = store.plan_import("hdf", file_of(tmp_path, "P-1", "P-2"))
    bad = plan.unchanged[1]  # a plan changed after its preview: publish's write still checks every cell
    plan.changed.append(RowChange(bad.dataset, bad.record_id, bad.row, bad.before,
                                  {**bad.after, "description": "@SUM(A1)"}, bad.version, bad.regions))
    with pytest.raises(ValidationError, match=r"partenariats\.csv, ligne 3, colonne « description » : la cellule"):
        store.publish(plan, "hdf", "")


def test_the_backup_neutralises_a_formula_stored_before_the_check(store, tmp_path):
    with store.engine.begin() as conn:  # a record as the old code stored it
        data = store.read_records("partenariats")["P-1"][0]
        conn.execute(sa.update(Record.__table__).where(Record.__table__.c.record_id == "P-1")
                     .values(data={**data, "description": '=HYPERLINK("http://x")'}))
    store.export(tmp_path / "sauvegarde")
    with open(tmp_path / "sauvegarde" / "partenariats.csv", encoding="utf-8-sig", newline="") as handle:
        rows = {r["id_partenariat"]: r for r in csv.DictReader(handle, delimiter=";")}
    assert rows["P-1"]["description"] == "'=HYPERLINK(\"http://x\")"  # fails on the old code
    assert rows["P-2"]["montant_eur"] == "2000"


# --- identifiers ----------------------------------------------------------------------------------------------

def test_a_lower_case_id_is_refused(store):
    """Fails on the old code: `p-1` was written as a deletion of nothing (a tombstone), silently."""
    with pytest.raises(ValidationError, match="identifiant « p-9 » mal écrit : il s'écrit « P-9 »"):
        store.write("hdf", "", [Edit("partenariats", "p-9", {**NEW, "id_partenariat": "p-9"}, 0)])
    with pytest.raises(ValidationError, match="« p-1 » mal écrit"):
        store.write("hdf", "", [Edit("partenariats", "p-1", None, 1)])
    assert len(data_lots(store)) == 1 and set(statuses(store)) == set(ROWS)


def test_a_deleted_id_says_who_deleted_it_and_an_import_recreates_it(store, tmp_path):
    data, version = store.read_records("partenariats")["P-2"]
    deleting = store.write("hdf", "", [Edit("partenariats", "P-2", None, version)])
    with pytest.raises(ConflictError, match=rf"« P-2 » \(partenariats\) a été supprimé par hdf le "
                                            rf"\d\d/\d\d/\d{{4}} \d\d:\d\d \(lot n° {deleting}\)"):
        store.write("hdf", "", [Edit("partenariats", "P-2", data, 0)])  # fails on the old code: « modifié »
    with pytest.raises(ConflictError, match="déjà été supprimé"):
        store.write("hdf", "", [Edit("partenariats", "P-2", None, version + 1)])
    plan = store.plan_import("hdf", file_of(tmp_path, "P-1", "P-2", "P-3"))
    assert [r.record_id for r in plan.added] == ["P-2"]
    store.publish(plan, "hdf", "")
    assert store.read_records("partenariats")["P-2"] == (data, version + 2)


def test_an_id_taken_in_another_region_says_so(store):
    """Issue 18: a new partnership reusing an id of Île-de-France (fails on the old code: « modifié entre-temps
    par système (lot n° 1) »)."""
    with pytest.raises(ConflictError, match="l'identifiant « P-4 » .* existe déjà dans une région hors de votre "
                                            r"périmètre \(Île-de-France\)"):
        store.write("hdf", "", [Edit("partenariats", "P-4", {**NEW, "id_partenariat": "P-4"}, 0)])
    with pytest.raises(ConflictError, match="« P-1 » .* existe déjà : choisissez un autre identifiant"):
        store.write("hdf", "", [Edit("partenariats", "P-1", {**NEW, "id_partenariat": "P-1"}, 0)])


def test_deleting_a_record_that_does_not_exist_is_refused(store):
    with pytest.raises(ConflictError, match="« P-99 » .* n'existe pas"):
        store.write("hdf", "", [Edit("partenariats", "P-99", None, 0)])
    assert len(data_lots(store)) == 1


# --- undo -----------------------------------------------------------------------------------------------------

def _impatient(store_url: str, data_folder) -> Store:
    """A second process's store that gives up at once on a lock instead of waiting for it."""
    engine = engines.make_engine(store_url)

    @event.listens_for(engine, "connect")
    def _no_wait(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout=0" if engine.dialect.name == "sqlite" else "SET lock_timeout = '50ms'")
        cursor.close()
        if engine.dialect.name != "sqlite":
            dbapi_connection.commit()  # a SET inside a transaction rolled back would be undone

    return Store(engine, data_folder)


def test_a_write_cannot_land_between_the_undo_check_and_the_undo(store, store_url, data_folder, monkeypatch):
    """Another process writes P-1 right after the undo found no later change. Fails on the old code: that write
    landed and the undo then overwrote it, silently; now it waits for the undo (here: gives up) or the undo,
    coming second, is refused."""
    first = store.write("hdf", "", [edit(store, "P-1", statut="en cours")])
    other = _impatient(store_url, data_folder)
    check = store._later_changes
    landed = []

    def then_another_write(*args):
        found = check(*args)
        try:
            other.write("adm", "concurrent", [edit(other, "P-1", statut="terminé")])
        except sa.exc.OperationalError:  # locked by the undo's transaction
            landed.append(False)
        else:
            landed.append(True)
        return found

    monkeypatch.setattr(store, "_later_changes", then_another_write)
    try:
        store.undo(first, "hdf")
        undone = True
    except (UndoError, ConflictError):
        undone = False
    other.close()
    assert landed and not (landed[0] and undone)  # never both: one of the two writes is refused
    statut = store.read_records("partenariats")["P-1"][0]["statut"]
    assert statut == ("terminé" if landed[0] else "en projet")


def test_undoing_twice_is_refused(store):
    first = store.write("hdf", "", [edit(store, "P-1", statut="en cours")])
    undo = store.undo(first, "hdf")
    assert store.undone_by([first, undo]) == {first: undo}
    with pytest.raises(UndoError, match=f"lot n° {first} ne peut pas être annulé"):
        store.undo(first, "hdf")


# --- an organisme's région --------------------------------------------------------------------------------------

def test_an_organisme_lies_where_its_seat_commune_is(store, tmp_path):
    """Issue 15: a Paris seat given `insee_reg=32` was believed (its scope held Hauts-de-France too). Fails on
    the old code: the région came from `insee_reg` as well, and the contradiction passed."""
    organisme, version = store.read_records("organismes")["987654324"]
    paris = {**organisme, "insee_com": "75056", "insee_reg": "32"}
    assert store.geography.record_regions("organismes", paris) == {"11"}
    assert store.geography.record_regions("organismes", {**paris, "insee_com": None}) == {"32"}
    with pytest.raises(ValidationError) as refused:
        store.write("adm", "", [Edit("organismes", "987654324", paris, version)])
    (finding,) = refused.value.findings
    assert finding.column == "insee_reg" and "contraire à la commune du siège « 75056 », qui est en région 11 " \
        "(Île-de-France)" in finding.message
    (tmp_path / "organismes.csv").write_text(
        "siren;nom;famille;commune_siege;insee_reg;nb_logements;insee_com;latitude;longitude\n"
        "987654324;Paris Logis;ESH;Paris;32;30000;75056;;\n", encoding="utf-8")
    plan = store.plan_import("adm", tmp_path / "organismes.csv")
    assert [(f.file, f.row, f.column) for f in plan.errors] == [("organismes.csv", 2, "insee_reg")]
    assert not plan.changed
