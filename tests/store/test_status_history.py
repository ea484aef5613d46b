"""`Store.status_history`: the dated changes of one cell over the journal, on each engine."""

from __future__ import annotations

from datetime import UTC, datetime

from store import Edit


def edit(store, record_id: str, **cells) -> Edit:
    data, version = store.read_records("partenariats")[record_id]
    return Edit("partenariats", record_id, {**data, **cells}, version)


def test_the_seed_is_not_a_change(store):
    history = store.status_history("partenariats")
    assert history.empty
    assert list(history.columns) == ["record_id", "change_set_id", "at", "kind", "before", "after"]


def test_changes_of_the_cell_only_dated_and_in_order_undo_included(store):
    start = datetime.now(UTC)
    first = store.write("adm", "début", [edit(store, "P-1", statut="en cours"), edit(store, "P-4", montant_eur="9")])
    store.write("adm", "montant seul", [edit(store, "P-1", montant_eur="12")])
    second = store.write("hdf", "fin", [edit(store, "P-1", statut="terminé"), edit(store, "P-2", statut="en cours")])
    undo = store.undo(second, "adm")
    end = datetime.now(UTC)

    history = store.status_history("partenariats")
    rows = list(history[["record_id", "change_set_id", "kind", "before", "after"]].itertuples(index=False, name=None))
    assert rows == [("P-1", first, "edit", "en projet", "en cours"),
                    ("P-1", second, "edit", "en cours", "terminé"), ("P-2", second, "edit", "en projet", "en cours"),
                    ("P-1", undo, "undo", "terminé", "en cours"), ("P-2", undo, "undo", "en cours", "en projet")]
    assert str(history["at"].dt.tz) == "UTC"
    assert history["at"].between(start, end).all() and history["at"].is_monotonic_increasing


def test_additions_and_deletions_are_not_changes_but_later_edits_are(store):
    data, _ = store.read_records("partenariats")["P-3"]
    added = store.write("adm", "ajout", [Edit("partenariats", "P-9", {**data, "id_partenariat": "P-9"}, 0)])
    assert store.status_history("partenariats").empty
    changed = store.write("adm", "statut", [edit(store, "P-9", statut="terminé")])
    store.write("adm", "suppression", [Edit("partenariats", "P-9", None, 2)])
    history = store.status_history("partenariats")
    assert history[["record_id", "change_set_id", "before", "after"]].values.tolist() == [
        ["P-9", changed, "en cours", "terminé"]]
    assert changed > added


def test_another_cell_and_another_dataset(store):
    store.write("adm", "fin", [edit(store, "P-3", date_fin="30/06/2026"), edit(store, "P-4", date_fin="31/12/2025")])
    ends = store.status_history("partenariats", "date_fin")
    assert ends[["record_id", "before", "after"]].values.tolist() == [["P-3", "31/12/2026", "30/06/2026"],
                                                                     ["P-4", None, "31/12/2025"]]
    assert store.status_history("declinaisons").empty
