"""Import preview and journal tables: counts, cell-by-cell changes, French dates, in the expected order."""

from __future__ import annotations

from datetime import UTC, datetime

from geo.validate import AVERTISSEMENT, ERREUR, Finding
from store import ChangeInfo, ChangeSetInfo, ImportPlan, RowChange
from ui import journal

OLD = {"id_partenariat": "P1", "statut": "en cours", "date_fin": None, "description": "a"}
NEW = {"id_partenariat": "P1", "statut": "terminé", "date_fin": "31/12/2026", "description": "a"}


def test_plan_summary_counts_rows_in_error_once():
    plan = ImportPlan(user="hdf")
    plan.added = [RowChange("partenariats", "P2", 3, None, NEW, 0)]
    plan.changed = [RowChange("partenariats", "P1", 2, OLD, NEW, 1)] * 3
    plan.findings = [Finding(ERREUR, "p.csv", 5, "date_debut", "x"), Finding(ERREUR, "p.csv", 5, "statut", "y"),
                     Finding(AVERTISSEMENT, "p.csv", 6, "qpv", "z"), Finding(ERREUR, "p.csv", 7, "qpv", "w")]
    summary = journal.plan_summary(plan)
    assert list(summary["Nombre"]) == ["1", "3", "0", "0", "2", "0"]
    assert summary["Lignes"].iloc[4] == "En erreur (non publiés)"


def test_changed_cells_old_and_new_value_per_cell_in_column_order():
    table = journal.changed_cells([RowChange("partenariats", "P1", 4, OLD, NEW, 1)])
    # the columns as the pages head them, not their technical names (issue 18)
    assert table.values.tolist() == [["Partenariats", "P1", "4", "Statut", "en cours", "terminé"],
                                     ["Partenariats", "P1", "4", "Fin", "", "31/12/2026"]]


def test_refused_names_the_regions():
    row = RowChange("partenariats", "P9", 8, None, NEW, 0, frozenset({"11", "32"}))
    names = {"11": "Île-de-France", "32": "Hauts-de-France"}
    assert journal.refused([row], names.get)["Régions"].tolist() == ["Hauts-de-France, Île-de-France"]


def test_change_sets_in_paris_time_with_kind_in_french():
    info = ChangeSetInfo(7, "hdf", datetime(2026, 11, 27, 16, 5, tzinfo=UTC), "bilan", "undo", 6, 3)
    assert journal.change_sets([info]).values.tolist() == [[7, "27/11/2026 17:05", "hdf", "annulation", "bilan", 3,
                                                            "6"]]


def test_record_history_keeps_one_column_when_asked():
    at = datetime(2026, 1, 2, 9, 0, tzinfo=UTC)
    changes = [ChangeInfo(1, "partenariats", "P1", None, OLD, "système", at, "", "seed"),
               ChangeInfo(2, "partenariats", "P1", OLD, NEW, "hdf", at, "", "import")]
    statut = journal.record_history(changes, "statut")
    assert statut[["Lot", "Opération", "Avant", "Après"]].values.tolist() == [[1, "ajout", "", "en cours"],
                                                                           [2, "modification", "en cours", "terminé"]]
    assert len(journal.record_history(changes)) == 3 + 2  # seed: 3 filled cells; import: 2 changed cells


def test_status_timeline_lists_each_status_set_with_its_change_set():
    at = datetime(2026, 1, 2, 9, 0, tzinfo=UTC)
    changes = [ChangeInfo(1, "partenariats", "P1", None, OLD, "système", at, "", "seed"),
               ChangeInfo(2, "partenariats", "P1", OLD, {**OLD, "description": "b"}, "hdf", at, "", "edit"),
               ChangeInfo(3, "partenariats", "P1", OLD, NEW, "hdf", at, "", "import")]
    timeline = journal.status_timeline(changes)
    assert timeline.values.tolist() == [[at, "en cours", "chargement initial (lot 1, système)"],
                                        [at, "terminé", "import (lot 3, hdf)"]]


def test_the_journal_without_its_authors():
    at = datetime(2026, 1, 2, 9, 0, tzinfo=UTC)
    info = ChangeSetInfo(7, "hdf", at, "bilan", "import", None, 3)
    changes = [ChangeInfo(3, "partenariats", "P1", OLD, NEW, "hdf", at, "", "import")]
    assert "Auteur" not in journal.change_sets([info], authors=False).columns
    assert "Auteur" not in journal.record_history(changes, authors=False).columns
    assert journal.status_timeline(changes, authors=False)["source"].tolist() == ["import (lot 3)"]
    assert journal.change_set_label(info, authors=False) == "n° 7 — 02/01/2026 10:00 — import"
    assert journal.change_set_label(info) == "n° 7 — 02/01/2026 10:00 — hdf — import"


def test_the_mapping_preview_heads_each_kept_column_with_its_field_and_leaves_ignored_ones_out():
    import pandas as pd

    sample = pd.DataFrame({"Structure": ["Régie A", "Régie B"], "Équipe": ["85", ""], "Note": ["x", "y"]})
    mapping = {"Structure": "nom", "Équipe": "salaries", "Note": "ignorer"}
    preview = journal.mapping_preview("regies", mapping, sample)
    assert list(preview.columns) == ["Structure → Régie", "Équipe → Salariés"]
    assert preview["Équipe → Salariés"].tolist() == ["85", ""]
    assert journal.mapping_table("regies", mapping)["Lue comme"].tolist() == ["Régie", "Salariés", "ignorée"]
