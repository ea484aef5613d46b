"""Tables of the store's import previews and journal (pure: store objects in, French DataFrames out)."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from geo import details, fr
from geo.intake import IGNORE, Guess
from geo.schema import DATASETS
from geo.validate import ERREUR
from store import ChangeInfo, ChangeSetInfo, ImportPlan, RowChange
from store.accounts import ACCOUNT_KIND, ACCOUNTS_DATASET

KINDS = {"seed": "chargement initial", "import": "import", "undo": "annulation", "edit": "saisie",
         ACCOUNT_KIND: "compte"}
UNDOABLE = ("import", "undo", "edit")  # an account change is undone by another account change, not by undo
CELL_COLUMNS = ["Jeu de données", "Identifiant", "Ligne", "Colonne", "Avant", "Après"]
RECORD_COLUMNS = ["Jeu de données", "Identifiant", "Ligne", "Régions"]
CHANGE_SET_COLUMNS = ["Lot", "Date", "Auteur", "Type", "Commentaire", "Enregistrements", "Annule le lot"]
HISTORY_COLUMNS = ["Lot", "Date", "Auteur", "Type", "Commentaire", "Opération", "Colonne", "Avant", "Après"]


def _label(dataset: str) -> str:
    return "Comptes" if dataset == ACCOUNTS_DATASET else DATASETS[dataset].label


def _title(dataset: str, column: str) -> str:
    """A column as the pages head it (« Statut », « SIREN de l'organisme »), its technical name if the dataset no
    longer has it (an old journal entry)."""
    spec = DATASETS[dataset]
    return spec.column(column).title if column in spec.column_names else column


def _row(value: int | None) -> str:
    return "" if value is None else str(value)


def field_label(dataset: str, target: str) -> str:
    """A field as the mapping shows it: its French title, « ignorée » for a column left aside."""
    spec = DATASETS[dataset]
    return spec.column(target).title if target in spec.column_names else "ignorée" if target == IGNORE else target


def mapping_table(dataset: str, mapping: dict[str, str]) -> pd.DataFrame:
    """Each column of a file and the field it is read as (its French title), or « ignorée »."""
    return pd.DataFrame({"Colonne du fichier": list(mapping),
                         "Lue comme": [field_label(dataset, t) for t in mapping.values()]})


def mapping_preview(dataset: str, mapping: dict[str, str], sample: pd.DataFrame) -> pd.DataFrame:
    """The file's first rows as the mapping reads them: each kept column headed « column → field »."""
    kept = [c for c, t in mapping.items() if t != IGNORE and c in sample.columns]
    return sample[kept].rename(columns={c: f"{c} → {field_label(dataset, mapping[c])}" for c in kept})


def guesses_table(guesses: Iterable[Guess]) -> pd.DataFrame:
    """What the import read from words, by row and column, as the preview lists it."""
    return pd.DataFrame([{"Ligne": _row(g.row), "Colonne": g.column, "Lu": g.message} for g in guesses],
                        columns=["Ligne", "Colonne", "Lu"])


def plan_summary(plan: ImportPlan, remove: bool = False) -> pd.DataFrame:
    """The preview's counts, in the order a reader checks them; with `remove`, the records the publication
    deletes."""
    rows_in_error = {(f.file, f.row) for f in plan.findings if f.severity == ERREUR and f.row is not None}
    counts = [("Ajoutés", len(plan.added)), ("Modifiés", len(plan.changed)), ("Inchangés", len(plan.unchanged)),
              ("Hors de votre périmètre (refusés)", len(plan.out_of_scope)), ("En erreur (non publiés)",
                                                                             len(rows_in_error)),
              ("Dans la base, absents du fichier", len(plan.missing))]
    if remove:
        counts.append(("Supprimés de la base à la publication", len(plan.missing)))
    return pd.DataFrame([{"Lignes": label, "Nombre": fr.nombre(count)} for label, count in counts])


def changed_cells(rows: Iterable[RowChange]) -> pd.DataFrame:
    """One line per changed cell: old → new value."""
    lines = [{"Jeu de données": _label(r.dataset), "Identifiant": r.record_id, "Ligne": _row(r.row),
              "Colonne": _title(r.dataset, cell.column), "Avant": cell.old or "", "Après": cell.new or ""}
             for r in rows for cell in r.cells]
    return pd.DataFrame(lines, columns=CELL_COLUMNS)


def records(rows: Iterable[RowChange], *, after: bool = True) -> pd.DataFrame:
    """Whole records (added rows: as in the file; missing rows: as in the store), with their spreadsheet row."""
    rows = list(rows)
    if not rows:
        return pd.DataFrame(columns=["Jeu de données", "Ligne"])
    out = []
    for r in rows:
        data = (r.after if after else r.before) or {}
        out.append({"Jeu de données": _label(r.dataset), "Ligne": _row(r.row),
                    **{_title(r.dataset, c): data.get(c) or "" for c in DATASETS[r.dataset].column_names}})
    return pd.DataFrame(out)


def refused(rows: Iterable[RowChange], region_name) -> pd.DataFrame:
    """Rows outside the user's scope: identifier, spreadsheet row and the régions they lie in."""
    lines = [{"Jeu de données": _label(r.dataset), "Identifiant": r.record_id, "Ligne": _row(r.row),
              "Régions": ", ".join(sorted(region_name(code) for code in r.regions)) or "inconnue"}
             for r in rows]
    return pd.DataFrame(lines, columns=RECORD_COLUMNS)


def _without_authors(frame: pd.DataFrame, authors: bool) -> pd.DataFrame:
    """`authors` False: the journal without who wrote it (visitors, see `settings.Settings.authors_public`)."""
    return frame if authors else frame.drop(columns="Auteur")


def change_sets(sets: Iterable[ChangeSetInfo], *, authors: bool = True) -> pd.DataFrame:
    lines = [{"Lot": s.id, "Date": fr.date_heure(s.at), "Auteur": s.user, "Type": KINDS.get(s.kind, s.kind),
              "Commentaire": s.comment, "Enregistrements": s.size,
              "Annule le lot": "" if s.undoes is None else str(s.undoes)} for s in sets]
    return _without_authors(pd.DataFrame(lines, columns=CHANGE_SET_COLUMNS), authors)


def change_set_label(info: ChangeSetInfo, *, authors: bool = True) -> str:
    """One change set in a list to choose from: number, date, author (when shown) and kind."""
    author = f" — {info.user}" if authors else ""
    return f"n° {info.id} — {fr.date_heure(info.at)}{author} — {KINDS.get(info.kind, info.kind)}"


def operation(change: ChangeInfo) -> str:
    if change.before is None:
        return "ajout"
    return "suppression" if change.after is None else "modification"


def change_cells(changes: Iterable[ChangeInfo]) -> pd.DataFrame:
    """The detail of one change set: per record, each changed cell (before → after)."""
    lines = [{"Jeu de données": _label(c.dataset), "Identifiant": c.record_id, "Opération": operation(c),
              "Colonne": _title(c.dataset, cell.column), "Avant": cell.old or "", "Après": cell.new or ""}
             for c in changes for cell in c.cells]
    return pd.DataFrame(lines, columns=["Jeu de données", "Identifiant", "Opération", "Colonne", "Avant", "Après"])


def record_history(changes: Iterable[ChangeInfo], column: str | None = None, *,
                   authors: bool = True) -> pd.DataFrame:
    """The history of one record, oldest first: each changed cell per change set (only `column`'s if given,
    e.g. a partnership's status over time)."""
    lines = [{"Lot": c.change_set_id, "Date": fr.date_heure(c.at), "Auteur": c.user,
              "Type": KINDS.get(c.kind, c.kind), "Commentaire": c.comment, "Opération": operation(c),
              "Colonne": _title(c.dataset, cell.column), "Avant": cell.old or "", "Après": cell.new or ""}
             for c in changes for cell in c.cells if column is None or cell.column == column]
    return _without_authors(pd.DataFrame(lines, columns=HISTORY_COLUMNS), authors)


def status_timeline(changes: Iterable[ChangeInfo], *, authors: bool = True) -> pd.DataFrame:
    """A partnership's statuses over time from its journal, in `geo.details.HISTORY_COLUMNS` (date, statut,
    source): each change set that set its status, with its kind, number and (`authors`) author."""
    rows = [{"date": c.at, "statut": cell.new,
             "source": f"{KINDS.get(c.kind, c.kind)} (lot {c.change_set_id}{f', {c.user}' if authors else ''})"}
            for c in changes for cell in c.cells if cell.column == "statut" and cell.new]
    return pd.DataFrame(rows, columns=details.HISTORY_COLUMNS)
