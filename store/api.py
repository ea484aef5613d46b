"""The store of the records: one object, `Store`, through which everything reads and writes them.

Every write goes through `Store.write`: validate (the same `geo.load.clean` as `geo check`, plus no spreadsheet
formulas) → check the writer's scope on the records as they are now and as they would be (`ScopeError`) → check
each record's version is the one the writer read (`ConflictError`) → apply and journal (one change set, one change
per record with its before/after) → commit, all in one transaction: either everything is applied and journalled,
or nothing is. Import (`plan_import` then `publish`), undo and seeding are built on it.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from geo import fr, geocode, intake, ref, upload
from geo.datasets import Datasets, empty_table
from geo.formulas import neutralize
from geo.io import GEO_SUFFIXES, ROW, ReadError, read_csv, read_xlsx
from geo.load import OPTIONAL_KINDS, check_references, clean, find_dataset_files, load_file, load_folder
from geo.manifest import MANIFEST_NAME, DatasetRecord, Manifest, atomic_write_bytes, csv_bytes, sha256_file
from geo.schema import DATASETS, TABLE_SUFFIXES
from geo.validate import AVERTISSEMENT, ERREUR, Finding
from store import engine as engines
from store import mappings
from store.accounts import ACCOUNTS_DATASET, ADMIN, Account
from store.models import Change, ChangeSet, Meta, Record, User
from store.records import (
    ADMIN_DATASETS,
    KEY_COLUMNS,
    REFERENCE_DATASETS,
    STORE_DATASETS,
    Geography,
    aware,
    canonical_id,
    frame_to_records,
    may_write,
    now,
    record_key,
    records_to_frame,
    regions_of_text,
    regions_text,
)
from store.records import Record as RecordData
from store.reference import data_dir, read_reference

RECORDS, CHANGE_SETS, CHANGES, USERS, META = (
    Record.__table__, ChangeSet.__table__, Change.__table__, User.__table__, Meta.__table__)
CHUNK = 500  # keys per IN (...) query
SAMPLE_ROWS = 5  # rows of a file shown under its mapping in the preview
SYSTEM = Account("système", ADMIN, frozenset())  # the seed's author; never a login


class StoreError(Exception):
    """A write is refused as a whole; the message is French and says why (nothing was written)."""


class ScopeError(StoreError):
    """The writer may not write some of these records (role or région)."""


class ConflictError(StoreError):
    """Someone else changed a record since the writer read it."""


class ValidationError(StoreError):
    """Some records are invalid; `findings` says where, and so does the message (the first three cells)."""

    def __init__(self, findings: list[Finding]):
        cells = " ; ".join(f"{f.location} : {f.message}" for f in findings[:3])
        more = f" ; et {fr.nombre(len(findings) - 3)} autre(s)" if len(findings) > 3 else ""
        super().__init__(f"{fr.pluriel(len(findings), 'erreur')} de validation, rien n'a été publié : "
                         f"{cells}{more}.")
        self.findings = findings


class UndoError(StoreError):
    """A change set cannot be undone (a later change touched the same records)."""


@dataclass(frozen=True)
class Edit:
    """One record's new data (None deletes it), and the version the writer read (0: it did not exist; None: the
    version the write finds, for an undo whose own check runs in the write's transaction). `source` (file name,
    spreadsheet row) names the cell of a refusal as the writer knows it."""

    dataset: str
    record_id: str
    after: RecordData | None
    expected_version: int | None
    source: tuple[str, int | None] | None = None


@dataclass(frozen=True)
class CellChange:
    column: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class RowChange:
    """One record of an import preview: as stored (`before`, `version`) and as in the file (`after`)."""

    dataset: str
    record_id: str
    row: int | None  # spreadsheet row in the file; None for a store row the file does not contain
    before: RecordData | None
    after: RecordData | None
    version: int
    regions: frozenset[str] = frozenset()

    @property
    def cells(self) -> list[CellChange]:
        """Cells whose value changes, in the dataset's column order (an account change's: in its own order)."""
        before, after = self.before or {}, self.after or {}
        order = DATASETS[self.dataset].column_names if self.dataset in DATASETS else [*after, *before]
        columns = [c for c in dict.fromkeys(order) if c in before or c in after]
        return [CellChange(c, before.get(c), after.get(c)) for c in columns if before.get(c) != after.get(c)]


@dataclass
class ImportPlan:
    """What publishing a file would do, computed for one user against the store as it was read."""

    user: str
    files: dict[str, str] = field(default_factory=dict)  # dataset -> file name
    findings: list[Finding] = field(default_factory=list)  # the `geo check` report of the files
    blocking: list[Finding] = field(default_factory=list)  # problems that refuse the whole import
    added: list[RowChange] = field(default_factory=list)
    changed: list[RowChange] = field(default_factory=list)
    unchanged: list[RowChange] = field(default_factory=list)
    out_of_scope: list[RowChange] = field(default_factory=list)  # refused: outside the user's régions
    missing: list[RowChange] = field(default_factory=list)  # in the store (and in scope), not in the file
    # why the missing rows may not be removed (the file holds no valid row where they lie); empty: they may
    removal_refusals: list[Finding] = field(default_factory=list)

    @property
    def removals(self) -> dict[str, int]:
        """Dataset -> how many of its records removing the missing rows deletes, in the order of the datasets."""
        counts = {kind: sum(r.dataset == kind for r in self.missing) for kind in STORE_DATASETS}
        return {kind: count for kind, count in counts.items() if count}

    @property
    def removal_text(self) -> str:
        """« 3 enregistrements (partenariats : 2, organismes hlm : 1) »: what removing the missing rows deletes."""
        kinds = ", ".join(f"{DATASETS[kind].label.lower()} : {fr.nombre(n)}" for kind, n in self.removals.items())
        return f"{fr.pluriel(len(self.missing), 'enregistrement')} ({kinds})"
    # How the files' own words were read (geo.intake): dataset -> mapping, values read from words, questions.
    mappings: dict[str, dict[str, str]] = field(default_factory=dict)
    guesses: list[intake.Guess] = field(default_factory=list)
    questions: list[intake.Question] = field(default_factory=list)
    samples: dict[str, pd.DataFrame] = field(default_factory=dict)  # dataset -> the file's first rows
    candidates: tuple[str, ...] = ()  # datasets a file could hold when its columns do not tell which

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.blocking + self.findings if f.severity == ERREUR]

    def edits(self, remove_missing: bool = False) -> list[Edit]:
        rows = self.added + self.changed + (self.missing if remove_missing else [])
        return [Edit(r.dataset, r.record_id, r.after, r.version, (self.files.get(r.dataset, ""), r.row))
                for r in rows]


@dataclass(frozen=True)
class ChangeSetInfo:
    id: int
    user: str
    at: object  # datetime (UTC)
    comment: str
    kind: str  # seed | import | undo | edit
    undoes: int | None
    size: int  # number of records changed


@dataclass(frozen=True)
class ChangeInfo:
    change_set_id: int
    dataset: str
    record_id: str
    before: RecordData | None
    after: RecordData | None
    user: str = ""
    at: object = None
    comment: str = ""
    kind: str = ""

    @property
    def cells(self) -> list[CellChange]:
        return RowChange(self.dataset, self.record_id, None, self.before, self.after, 0).cells


def _source(edit: Edit) -> tuple[str, int | None]:
    """Where a refusal names an edit: its file and row when it has some, else its dataset and identifier."""
    if edit.source and edit.source[0]:
        return edit.source
    return f"{DATASETS[edit.dataset].file_stem} (saisie « {edit.record_id} »)", None


def _at_source(finding: Finding, edit: Edit) -> Finding:
    file, row = _source(edit)
    return replace(finding, file=file, row=row)


def _removal_refusals(plan: ImportPlan, account: Account) -> list[Finding]:
    """A file may remove the records it does not hold only where it holds valid rows of the writer's scope: a
    missing record is removable when one of its régions has a valid row in the file (any row for a record of no
    known région). A one-row file of another région, or of one région for an administrator, removes nothing."""
    refusals = []
    for kind in plan.removals:
        valid = [r for r in plan.added + plan.changed + plan.unchanged
                 if r.dataset == kind and may_write(account, kind, r.regions)]
        covered = frozenset().union(*(r.regions for r in valid))
        kept = [r for r in plan.missing if r.dataset == kind and not (r.regions & covered if r.regions else valid)]
        if not kept:
            continue
        label = DATASETS[kind].label.lower()
        where = _region_list(frozenset().union(*(r.regions for r in kept)) - covered)
        reason = ("aucune ligne valide de votre périmètre" if not valid
                  else f"aucune ligne valide dans ces régions : {where}")
        refusals.append(Finding(ERREUR, plan.files.get(kind, kind), None, None,
                                f"suppression refusée : le fichier ne contient {reason}, il ne peut donc pas "
                                f"supprimer les {fr.nombre(len(kept))} {label} de la base qui en sont absents "
                                f"(par ex. « {kept[0].record_id} »).",
                                "importez un fichier qui contient les enregistrements à garder de ces régions."))
    return refusals


def _region_list(codes: Iterable[str]) -> str:
    names = dict(zip(ref.regions_table()["insee_reg"], ref.regions_table()["lib_reg"], strict=True))
    return ", ".join(sorted(names.get(c, c) for c in codes)) or "région inconnue"


def _chunks(items: Sequence, size: int = CHUNK) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


class Store:
    """The records in one database (SQLite by default, PostgreSQL when `CARTE_DATABASE_URL` says so)."""

    def __init__(self, engine: Engine, reference_folder: Path | None = None):
        self.engine = engine
        self.write_engine = engine.execution_options(**{engines.IMMEDIATE: True})
        self.reference_folder = Path(reference_folder) if reference_folder else None

    @classmethod
    def open(cls, url: str | None = None, *, reference_folder: Path | None = None, create: bool = True) -> Store:
        """The store at `url` (default `CARTE_DATABASE_URL`, else the SQLite file). An empty database gets the
        schema (`create`); one whose schema is older or newer than the code raises `SchemaError`."""
        engine = engines.make_engine(url)
        engines.check_schema(engine, create=create)
        return cls(engine, reference_folder)

    def upgrade(self) -> tuple[str | None, str]:
        return engines.upgrade(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    def __repr__(self) -> str:
        return f"Store({engines.describe(self.engine.url)})"

    # ----- reading

    @cached_property
    def geography(self) -> Geography:
        """The région of each QPV, for the scope rule (reference folder's QPV over the official list)."""
        return Geography.from_folder(self.reference_folder)

    def meta(self, key: str, default=None):
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(META.c.value).where(META.c.key == key)).first()
        return default if row is None else row.value

    def is_empty(self) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(CHANGE_SETS.c.id).limit(1)).first() is None

    def data_version(self) -> dict[str, int]:
        """Dataset -> id of the last change set that touched it: a cheap cache key, so that a dashboard reloads
        a dataset only when it changed (in this process or any other on the same database)."""
        query = (sa.select(CHANGES.c.dataset, sa.func.max(CHANGES.c.change_set_id))
                 .where(CHANGES.c.dataset != ACCOUNTS_DATASET).group_by(CHANGES.c.dataset))  # not a dataset
        with self.engine.connect() as conn:
            found = dict(conn.execute(query).all())
        return {kind: int(found.get(kind) or 0) for kind in sorted(set(STORE_DATASETS) | set(found))}

    def read_records(self, dataset: str) -> dict[str, tuple[RecordData, int]]:
        """record_id -> (data, version) of the live records of a dataset, in arrival order."""
        query = (sa.select(RECORDS.c.record_id, RECORDS.c.data, RECORDS.c.version)
                 .where(RECORDS.c.dataset == dataset, RECORDS.c.data.is_not(None)).order_by(RECORDS.c.seq))
        with self.engine.connect() as conn:
            return {row.record_id: (row.data, row.version) for row in conn.execute(query)}

    def taken_ids(self, dataset: str) -> set[str]:
        """Identifiers of a dataset's records, deleted ones included: a new record is not offered a deleted id."""
        with self.engine.connect() as conn:
            return set(conn.execute(sa.select(RECORDS.c.record_id).where(RECORDS.c.dataset == dataset)).scalars())

    def read_frames(self, datasets: Iterable[str] = STORE_DATASETS) -> dict[str, tuple[pd.DataFrame, list[Finding]]]:
        """The frames `geo.load` would give for these datasets' files, built from the store."""
        out = {}
        for kind in datasets:
            records = [data for data, _ in self.read_records(kind).values()]
            out[kind] = records_to_frame(kind, records, f"{DATASETS[kind].file_stem}.csv")
        return out

    def manifest(self) -> Manifest | None:
        raw = self.meta("manifest")
        return Manifest.from_dict(raw) if raw else None

    def read_datasets(self, reference_folder: Path | None = None, *, reference: dict | None = None,
                      frames: dict | None = None) -> Datasets:
        """Everything the dashboards need, as `geo.load.load_folder` gives it: the records from the store, the
        reference geography (QPV, régions, départements) from the files of `reference_folder`. A caller that keeps
        `read_reference(folder)` or some `read_frames` results (the dashboards, per data version) passes them."""
        folder = Path(reference_folder or self.reference_folder or data_dir())
        reference = reference if reference is not None else read_reference(folder)
        frames = {**self.read_frames([k for k in STORE_DATASETS if k not in (frames or {})]), **(frames or {})}
        findings = [f for kind in REFERENCE_DATASETS for f in reference[kind][1]]
        findings += [f for kind in STORE_DATASETS for f in frames[kind][1]]
        joined = {"qpv": reference["qpv"][0], **{kind: frames[kind][0] for kind in STORE_DATASETS}}
        for kind in OPTIONAL_KINDS:  # their references to the other datasets, as `geo.load.load_folder` checks them
            if len(joined[kind]):
                joined[kind], cross = check_references(kind, joined[kind], f"{DATASETS[kind].file_stem}.csv", joined)
                findings += cross
        return Datasets(
            folder=folder,
            qpv=reference["qpv"][0],
            regies=joined["regies"],
            organismes=joined["organismes"],
            partenariats=joined["partenariats"],
            regions=reference["regions"][0],
            departements=reference["departements"][0],
            declinaisons=joined["declinaisons"] if len(joined["declinaisons"]) else empty_table("declinaisons"),
            patrimoine=joined["patrimoine"] if len(joined["patrimoine"]) else empty_table("patrimoine"),
            manifest=self.manifest(),
            findings=findings,
            files={kind: path for kind, (_, _, path) in reference.items() if path is not None},
            stored=STORE_DATASETS,
        )

    # ----- journal

    def change_sets(self, limit: int | None = None, offset: int = 0) -> list[ChangeSetInfo]:
        """Change sets, newest first."""
        size = (sa.select(sa.func.count()).where(CHANGES.c.change_set_id == CHANGE_SETS.c.id)
                .correlate(CHANGE_SETS).scalar_subquery())
        query = (sa.select(CHANGE_SETS, size.label("size")).order_by(CHANGE_SETS.c.id.desc())
                 .limit(limit).offset(offset))
        with self.engine.connect() as conn:
            return [ChangeSetInfo(r.id, r.user, r.at, r.comment, r.kind, r.undoes, r.size)
                    for r in conn.execute(query)]

    def change_set(self, change_set_id: int) -> tuple[ChangeSetInfo, list[ChangeInfo]]:
        """One change set and its changes; `StoreError` when it does not exist."""
        with self.engine.connect() as conn:
            head = conn.execute(sa.select(CHANGE_SETS).where(CHANGE_SETS.c.id == change_set_id)).first()
            if head is None:
                raise StoreError(f"Le lot de modifications n° {change_set_id} n'existe pas.")
            rows = conn.execute(sa.select(CHANGES).where(CHANGES.c.change_set_id == change_set_id)
                                .order_by(CHANGES.c.id)).all()
        info = ChangeSetInfo(head.id, head.user, head.at, head.comment, head.kind, head.undoes, len(rows))
        return info, [ChangeInfo(r.change_set_id, r.dataset, r.record_id, r.before, r.after, head.user, head.at,
                                 head.comment, head.kind) for r in rows]

    def record_history(self, dataset: str, record_id: str) -> list[ChangeInfo]:
        """Every change of one record, oldest first (e.g. a partnership's status over time)."""
        query = (sa.select(CHANGES, CHANGE_SETS.c.user, CHANGE_SETS.c.at, CHANGE_SETS.c.comment,
                           CHANGE_SETS.c.kind)
                 .join(CHANGE_SETS, CHANGE_SETS.c.id == CHANGES.c.change_set_id)
                 .where(CHANGES.c.dataset == dataset, CHANGES.c.record_id == record_id)
                 .order_by(CHANGES.c.change_set_id))
        with self.engine.connect() as conn:
            return [ChangeInfo(r.change_set_id, r.dataset, r.record_id, r.before, r.after, r.user, r.at,
                               r.comment, r.kind) for r in conn.execute(query)]

    def status_history(self, dataset: str, column: str = "statut") -> pd.DataFrame:
        """The dated changes of one cell (a partnership's `statut` by default) over the whole journal, oldest first:
        record_id, change_set_id, at (UTC), kind (edit, import, undo), before and after (the cell's text).

        Only changes of a record that existed before and after (an addition, the seed included, says what the record
        was when entered, not a change; a deletion removes it) and whose cell differs. One light query, the cell
        read inside the JSON by the database: the whole history of 6 500 partnerships without their records."""
        before, after = CHANGES.c.before[column].as_string(), CHANGES.c.after[column].as_string()
        query = (sa.select(CHANGES.c.record_id, CHANGES.c.change_set_id, CHANGE_SETS.c.at, CHANGE_SETS.c.kind,
                           before.label("before"), after.label("after"))
                 .join(CHANGE_SETS, CHANGE_SETS.c.id == CHANGES.c.change_set_id)
                 .where(CHANGES.c.dataset == dataset, CHANGES.c.before.is_not(None), CHANGES.c.after.is_not(None),
                        before.is_distinct_from(after))
                 .order_by(CHANGES.c.change_set_id, CHANGES.c.id))
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return pd.DataFrame({
            "record_id": pd.Series([r.record_id for r in rows], dtype=object),
            "change_set_id": pd.Series([r.change_set_id for r in rows], dtype="int64"),
            "at": pd.to_datetime(pd.Series([aware(r.at) for r in rows], dtype=object), utc=True),
            "kind": pd.Series([r.kind for r in rows], dtype=object),
            "before": pd.Series([r.before for r in rows], dtype=object),
            "after": pd.Series([r.after for r in rows], dtype=object),
        })

    # ----- writing

    def write(self, user: Account | str, comment: str, edits: Iterable[Edit], *, kind: str = "edit",
              undoes: int | None = None, meta: dict | None = None,
              guard: Callable[[sa.Connection], None] | None = None) -> int:
        """Apply `edits` as one journalled change set (and set `meta` facts in the same transaction); its id.
        Raises `ValidationError`, `ScopeError`, `ConflictError` (French messages) and then nothing is written.
        `guard(conn)` runs once the records are locked, inside the transaction: a check no other write can
        overtake (the undo's "no later change"); it raises a `StoreError` to refuse."""
        edits = list(edits)
        if not edits:
            raise StoreError("Aucune modification à publier.")
        afters = self._validate(edits)
        keys = sorted({(e.dataset, e.record_id) for e in edits})
        if len(keys) != len(edits):
            raise StoreError("Un même enregistrement figure deux fois dans les modifications.")
        at = now()
        try:
            with self.write_engine.connect() as conn, conn.begin():
                account = self._writer(conn, user)
                current = self._lock_current(conn, keys)
                if guard is not None:
                    guard(conn)
                edits = [e if e.expected_version is not None else replace(
                    e, expected_version=current[(e.dataset, e.record_id)].version
                    if (e.dataset, e.record_id) in current else 0) for e in edits]
                self._check_versions(conn, account, edits, current)
                self._check_scope(account, edits, current, afters)
                change_set_id = conn.execute(
                    CHANGE_SETS.insert().values(user=account.name, at=at, comment=comment.strip(), kind=kind,
                                                undoes=undoes).returning(CHANGE_SETS.c.id)).scalar_one()
                self._apply(conn, edits, current, afters, change_set_id, at)
                for key, value in (meta or {}).items():
                    conn.execute(META.delete().where(META.c.key == key))
                    conn.execute(META.insert().values(key=key, value=value))
        except sa.exc.IntegrityError:
            raise ConflictError("Un autre utilisateur a ajouté un de ces enregistrements pendant la publication : "
                                "rien n'a été publié. Rechargez la page et recommencez.") from None
        except sa.exc.OperationalError as exc:
            if "deadlock" in str(exc.orig).lower() or "could not serialize" in str(exc.orig).lower():
                raise ConflictError("Un autre utilisateur publie les mêmes enregistrements au même moment : rien "
                                    "n'a été publié. Recommencez dans un instant.") from None
            raise
        return change_set_id

    def _validate(self, edits: list[Edit]) -> dict[tuple[str, str], RecordData]:
        """Canonical data of every non-deleting edit; `ValidationError` naming each problem (by the edit's
        `source` when it has one: the import's file and row). Identifiers must be written as stored (`record_key`)
        and formulas are looked for in the canonical text, the one that would be stored and exported."""
        out: dict[tuple[str, str], RecordData] = {}
        by_kind: dict[str, list[Edit]] = {}
        findings: list[Finding] = []
        for edit in edits:
            if edit.dataset not in STORE_DATASETS:
                raise StoreError(f"Jeu de données « {edit.dataset} » inconnu de la base (attendu : "
                                 f"{', '.join(STORE_DATASETS)}).")
            canonical = canonical_id(edit.dataset, edit.record_id)
            if canonical != edit.record_id:
                findings.append(Finding(
                    ERREUR, _source(edit)[0], _source(edit)[1], KEY_COLUMNS[edit.dataset][-1],
                    f"identifiant « {edit.record_id} » mal écrit"
                    + (f" : il s'écrit « {canonical} » (majuscules, sans espace)." if canonical else ".")))
            elif edit.after is not None:
                by_kind.setdefault(edit.dataset, []).append(edit)
        for kind, kind_edits in by_kind.items():
            file = f"{DATASETS[kind].file_stem} (saisie)"
            frame, kind_findings = records_to_frame(kind, [e.after for e in kind_edits], file)
            located = [f for f in kind_findings if f.severity == ERREUR]
            records = frame_to_records(kind, frame)
            canonical = pd.DataFrame([records[record_key(kind, e.after)][0] if record_key(kind, e.after) in records
                                      else {} for e in kind_edits], dtype=object)
            canonical[ROW] = range(2, len(kind_edits) + 2)
            located += upload.formula_cells(file, canonical)
            for position, edit in enumerate(kind_edits, start=2):
                key = record_key(kind, edit.after)
                if key is not None and key != edit.record_id:
                    located.append(Finding(ERREUR, file, position, KEY_COLUMNS[kind][-1],
                                           f"l'identifiant « {key} » ne correspond pas à l'enregistrement "
                                           f"« {edit.record_id} »."))
                elif edit.record_id in records:
                    out[(kind, edit.record_id)] = records[edit.record_id][0]
            findings += [_at_source(f, kind_edits[f.row - 2]) if f.row is not None else f for f in located]
        if findings:
            raise ValidationError(findings)
        return out

    def _writer(self, conn: sa.Connection, user: Account | str) -> Account:
        """The writer as the database knows it now (role, régions, not disabled): never trust a stale object."""
        if user is SYSTEM:
            return SYSTEM
        name = user.name if isinstance(user, Account) else str(user)
        row = conn.execute(sa.select(USERS).where(USERS.c.name == name)).first()
        if row is None:
            raise ScopeError(f"Compte « {name} » inconnu : l'écriture demande un compte.")
        if row.disabled:
            raise ScopeError(f"Le compte « {name} » est désactivé : il ne peut plus rien modifier.")
        return Account(row.name, row.role, regions_of_text(row.regions), row.email, row.disabled)

    def _lock_current(self, conn: sa.Connection, keys: list[tuple[str, str]]) -> dict[tuple[str, str], sa.Row]:
        """Current rows of these records, locked until commit (PostgreSQL; SQLite holds the write lock)."""
        current = {}
        for kind in sorted({k for k, _ in keys}):
            ids = [i for k, i in keys if k == kind]
            for chunk in _chunks(ids):
                query = (sa.select(RECORDS.c.seq, RECORDS.c.record_id, RECORDS.c.data, RECORDS.c.version,
                                   RECORDS.c.change_set_id)
                         .where(RECORDS.c.dataset == kind, RECORDS.c.record_id.in_(chunk))
                         .order_by(RECORDS.c.record_id).with_for_update())
                current.update({(kind, row.record_id): row for row in conn.execute(query)})
        return current

    def _check_versions(self, conn, account: Account, edits: list[Edit], current: dict) -> None:
        """`ConflictError` unless each edit's version is the record's; a creation over a deleted record or an
        identifier already taken says so (by whom and when, outside the writer's régions) rather than « modifié »."""
        stale = [(e, current.get((e.dataset, e.record_id))) for e in edits
                 if (current[(e.dataset, e.record_id)].version if (e.dataset, e.record_id) in current else 0)
                 != e.expected_version or (e.after is None and getattr(current.get((e.dataset, e.record_id)),
                                                                         "data", None) is None)]
        if not stale:
            return
        sets = {row.change_set_id for _, row in stale if row is not None}
        authors = {r.id: r for r in conn.execute(sa.select(CHANGE_SETS.c.id, CHANGE_SETS.c.user, CHANGE_SETS.c.at)
                                                 .where(CHANGE_SETS.c.id.in_(sets)))} if sets else {}
        lines = [self._stale_line(account, edit, row, authors.get(row.change_set_id) if row is not None else None)
                 for edit, row in stale[:5]]
        more = f" et {len(stale) - 5} autre(s)" if len(stale) > 5 else ""
        raise ConflictError("Conflit : " + " ; ".join(lines) + more + ". Rien n'a été publié.")

    def _stale_line(self, account: Account, edit: Edit, row, author) -> str:
        what = f"« {edit.record_id} » ({DATASETS[edit.dataset].label.lower()})"
        who = f"par {author.user} le {fr.date_heure(aware(author.at))} (lot n° {author.id})" if author else \
            "par un autre utilisateur"
        if row is None:
            return f"{what} n'existe pas : rien à supprimer"
        creating = edit.expected_version == 0 and edit.after is not None
        if row.data is None:
            if creating:
                return (f"{what} a été supprimé {who} : pour le recréer, annulez ce lot ou importez-le de "
                        "nouveau (l'import recrée un enregistrement supprimé) ; sinon choisissez un autre "
                        "identifiant")
            return f"{what} a déjà été supprimé {who}"
        if creating:
            regions = self.geography.record_regions(edit.dataset, row.data)
            if not account.may_write(regions):
                return (f"l'identifiant {what} existe déjà dans une région hors de votre périmètre "
                        f"({_region_list(regions)}) : choisissez un autre identifiant")
            return f"l'identifiant {what} existe déjà : choisissez un autre identifiant, ou ouvrez-le pour le modifier"
        return f"{what} modifié entre-temps {who} : rechargez les données et recommencez"

    def _check_scope(self, account: Account, edits: list[Edit], current: dict, afters: dict) -> None:
        if account.is_admin:
            return
        refused = []
        for edit in edits:
            row = current.get((edit.dataset, edit.record_id))
            before = row.data if row is not None else None
            after = afters.get((edit.dataset, edit.record_id))
            for data in (before, after):
                if data is not None and not may_write(account, edit.dataset,
                                                      self.geography.record_regions(edit.dataset, data)):
                    refused.append(edit)
                    break
        national = sorted({DATASETS[e.dataset].label.lower() for e in refused if e.dataset in ADMIN_DATASETS})
        if national:
            raise ScopeError(f"Le compte « {account.name} » ne peut pas modifier les {' ni les '.join(national)} : "
                             "ils sont modifiés par un administrateur national. Rien n'a été publié.")
        if refused:
            names = ", ".join(f"« {e.record_id} »" for e in refused[:10])
            more = f" et {len(refused) - 10} autre(s)" if len(refused) > 10 else ""
            raise ScopeError(
                f"Le compte « {account.name} » (régions {', '.join(sorted(account.regions)) or 'aucune'}) ne peut "
                f"pas modifier {names}{more} : ces enregistrements ne relèvent pas de ses régions. Rien n'a été "
                "publié.")

    def _apply(self, conn, edits: list[Edit], current: dict, afters: dict, change_set_id: int, at) -> None:
        inserts, updates, changes = [], [], []
        for edit in edits:
            key = (edit.dataset, edit.record_id)
            row = current.get(key)
            after = afters.get(key)
            regions = regions_text(self.geography.record_regions(edit.dataset, after)) if after else ""
            values = {"data": after, "regions": regions, "updated_at": at, "change_set_id": change_set_id}
            if row is None:
                inserts.append({"dataset": edit.dataset, "record_id": edit.record_id, "version": 1, **values})
            else:
                updates.append({"b_seq": row.seq, "b_version": row.version + 1, **values})
            changes.append({"change_set_id": change_set_id, "dataset": edit.dataset, "record_id": edit.record_id,
                            "before": row.data if row is not None else None, "after": after})
        if inserts:
            conn.execute(RECORDS.insert(), inserts)
        if updates:
            conn.execute(RECORDS.update().where(RECORDS.c.seq == sa.bindparam("b_seq"))
                         .values(version=sa.bindparam("b_version")), updates)
        conn.execute(CHANGES.insert(), changes)

    # ----- seeding, import, undo, export

    def seed_from_folder(self, folder: Path) -> int | None:
        """Fill an empty store from a data folder (e.g. the demo), keeping its manifest and demo flag; the change
        set id, or None when there was nothing to seed. A store seeded before declinaisons and patrimoine were
        stored gets them from the folder, once: a dataset with no history at all (never written, not even
        deleted); everything else is left as it is."""
        folder = Path(folder)
        empty = self.is_empty()
        kinds = STORE_DATASETS if empty else tuple(k for k in OPTIONAL_KINDS if not self._has_history(k))
        if not kinds:
            return None
        datasets = load_folder(folder)
        edits = []
        for kind in kinds:
            for record_id, (data, _) in frame_to_records(kind, getattr(datasets, kind)).items():
                edits.append(Edit(kind, record_id, data, 0))
        if self.reference_folder is None:
            self.reference_folder = folder
        if not empty and not edits:
            return None
        manifest = datasets.manifest
        facts = {"seed_folder": str(folder), "demo": datasets.is_demo,
                 "manifest": json.loads(manifest.to_json()) if manifest else None} if empty else None
        try:
            what = "Chargement initial" if empty else f"Chargement de {', '.join(kinds)}"
            change_set_id = self.write(SYSTEM, f"{what} depuis {folder.name}"
                                       f"{' (données de démonstration)' if datasets.is_demo else ''}",
                                       edits, kind="seed", meta=facts)
        except ConflictError:  # another process seeded the same database at the same moment
            return None
        return change_set_id

    def _has_history(self, dataset: str) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(CHANGES.c.id).where(CHANGES.c.dataset == dataset).limit(1)).first() \
                is not None

    def plan_import(self, user: Account | str, source: Path, *, kind: str | None = None,
                    mapping: dict[str, str] | None = None, answers: dict | None = None) -> ImportPlan:
        """Preview of importing a file (any name: its dataset is told from its columns, or `kind`), a data folder
        or a zip of one: the validation report, how the file's words were read (`mapping`, by default proposed
        from its headers; `answers` to the preview's questions), then rows added, changed (cell by cell),
        unchanged, out of the user's scope, and store rows the file does not contain. Reads only."""
        source = Path(source)
        name = user.name if isinstance(user, Account) else str(user)
        plan = ImportPlan(user=name)
        options = (mapping, answers or {})
        with self.engine.connect() as conn:
            account = self._writer(conn, user)
        if source.suffix.lower() == ".zip" and source.is_file():
            with tempfile.TemporaryDirectory(prefix="carte-import-") as tmp:
                try:
                    upload.check_size(source.name, source.stat().st_size)
                    folder = upload.safe_extract(source, Path(tmp))
                except upload.UploadError as exc:
                    plan.blocking.append(Finding(ERREUR, source.name, None, None, str(exc)))
                    return plan
                return self._plan(plan, account, self._import_files(plan, folder), (None, options[1]))
        if source.is_dir():
            return self._plan(plan, account, self._import_files(plan, source), (None, options[1]))
        if not source.exists():
            plan.blocking.append(Finding(ERREUR, str(source), None, None, "fichier ou dossier introuvable."))
            return plan
        if kind is None and source.suffix.lower() in TABLE_SUFFIXES:
            kind = self._recognise(plan, source)
        if kind in REFERENCE_DATASETS or source.suffix.lower() in GEO_SUFFIXES:
            plan.blocking.append(Finding(ERREUR, source.name, None, None,
                                         "la géographie de référence (QPV, régions, départements) reste dans les "
                                         "fichiers du dossier de données : elle ne s'importe pas dans la base."))
        elif kind in STORE_DATASETS:
            return self._plan(plan, account, {kind: source}, options)
        return plan

    def _recognise(self, plan: ImportPlan, source: Path) -> str | None:
        """The dataset of one file from its columns and sheet (`geo.intake.recognise`); None, with the question
        in `plan.blocking` and the datasets it could hold in `plan.candidates`, when they do not tell."""
        try:
            raw = read_csv(source) if source.suffix.lower() in (".csv", ".txt") else read_xlsx(source, None)
        except ReadError as exc:
            plan.blocking.append(Finding(ERREUR, source.name, exc.row, exc.column, str(exc)))
            return None
        recognition = intake.recognise([c for c in raw.columns if c != ROW], raw.attrs.get("sheet"))
        if recognition.kind is None:
            plan.candidates = recognition.candidates or tuple(intake.IMPORTABLE)
            plan.blocking.append(Finding(ERREUR, source.name, None, None, recognition.message,
                                         "choisissez le jeu de données (--kind en ligne de commande)."))
        return recognition.kind

    def plan_upload(self, user: Account | str, name: str, data: bytes, **options) -> ImportPlan:
        """`plan_import` of an uploaded file (bytes from the page): size and type checked before anything else;
        `options` those of `plan_import` (kind, mapping, answers)."""
        plan = ImportPlan(user=user.name if isinstance(user, Account) else str(user))
        safe_name = Path(name).name or "fichier"
        try:
            upload.check_suffix(safe_name)
            upload.check_size(safe_name, len(data))
        except upload.UploadError as exc:
            plan.blocking.append(Finding(ERREUR, safe_name, None, None, str(exc)))
            return plan
        with tempfile.TemporaryDirectory(prefix="carte-upload-") as tmp:
            path = Path(tmp) / safe_name
            path.write_bytes(data)
            return self.plan_import(user, path, **options)

    def _import_files(self, plan: ImportPlan, folder: Path) -> dict[str, Path]:
        problems: list[Finding] = []  # a manifest that is not one or names a file outside the folder: refused
        files = find_dataset_files(folder, problems)
        plan.blocking.extend(problems)
        for kind in REFERENCE_DATASETS:
            if kind in files:
                plan.findings.append(Finding(AVERTISSEMENT, files[kind].name, None, None,
                                             "géographie de référence : ignorée par l'import (elle reste dans les "
                                             "fichiers du dossier de données)."))
        chosen = {kind: path for kind, path in files.items() if kind in STORE_DATASETS}
        if not chosen:
            plan.blocking.append(Finding(ERREUR, folder.name, None, None,
                                         "aucun fichier de régies, d'organismes, de partenariats, de déclinaisons "
                                         "ou de patrimoine dans le dossier.",
                                         "nommez les fichiers regies.csv, organismes.csv, partenariats.csv, "
                                         "declinaisons.csv, patrimoine.csv."))
        return chosen

    def _plan(self, plan: ImportPlan, account: Account, files: dict[str, Path], options: tuple) -> ImportPlan:
        parsed = {}
        known = self._known()
        for kind, path in sorted(files.items(), key=lambda item: STORE_DATASETS.index(item[0])):
            plan.files[kind] = path.name
            result = self._read_import_file(plan, kind, path, known, options)
            if result is not None:
                parsed[kind] = result
        if plan.blocking:
            return plan
        for kind, (records, raw_ids) in parsed.items():
            self._diff(plan, account, kind, records, raw_ids)
        plan.removal_refusals = _removal_refusals(plan, account)
        return plan

    def _read_import_file(self, plan: ImportPlan, kind: str, path: Path, known: intake.Known, options: tuple):
        """(records, ids present in the file even on rows in error), or None when the file is refused. `options`:
        the mapping of its columns (None: proposed) and the answers to the preview's questions."""
        name = path.name
        suffix = path.suffix.lower()
        if suffix not in TABLE_SUFFIXES:
            plan.blocking.append(Finding(ERREUR, name, None, None, "format non accepté pour des enregistrements : "
                                         "CSV (UTF-8 ou Windows-1252, « ; » ou « , ») ou XLSX."))
            return None
        formulas: list[tuple[int, str, str]] = []  # a workbook's formula cells, found in the pass that reads it
        try:
            raw = read_csv(path) if suffix in (".csv", ".txt") else read_xlsx(path, kind, formulas)
        except ReadError as exc:
            plan.blocking.append(Finding(ERREUR, name, exc.row, exc.column, str(exc)))
            return None
        wrong = upload.wrong_dataset(name, kind, [c for c in raw.columns if c != ROW])
        blocking = [wrong] if wrong else []
        blocking += upload.formula_cells(name, raw) + upload.workbook_formulas(name, formulas)
        mapping, answers = options
        if mapping is None:  # the mapping published last for these headers, else the one proposed
            mapping = mappings.remembered(self.engine, kind, [c for c in raw.columns if c not in (ROW, "geometry")])
        plan.samples[kind] = raw.drop(columns=[ROW, "geometry"], errors="ignore").head(SAMPLE_ROWS)
        read = intake.prepare(kind, raw, name, mapping, answers, known, self._placer() if kind == "regies" else None)
        plan.mappings[kind], raw = read.mapping, read.frame
        plan.guesses += read.guesses
        plan.questions += read.questions
        plan.findings += read.findings
        key_columns = KEY_COLUMNS[kind]
        key = key_columns[-1]
        raw_ids: dict[str, int] = {}
        if not blocking and all(c in raw for c in key_columns):
            for row, *values in zip(raw[ROW].tolist(), *(raw[c].tolist() for c in key_columns), strict=True):
                norm = record_key(kind, dict(zip(key_columns, values, strict=True)))
                if norm and norm in raw_ids:
                    blocking.append(Finding(ERREUR, name, row, key, f"identifiant « {norm} » en double (déjà "
                                            f"ligne {raw_ids[norm]}) : l'import est refusé.",
                                            "un identifiant ne figure qu'une fois par fichier."))
                elif norm:
                    raw_ids[norm] = row
        if blocking:
            plan.blocking.extend(blocking)
            return None
        frame, findings = clean(kind, raw, name)
        if len(frame) == 0 and not any(f.severity == ERREUR for f in plan.findings + findings):
            findings.append(Finding(ERREUR, name, None, None, "le fichier ne contient aucune ligne de données."))
        plan.findings.extend(read.in_users_words(findings))
        known.add(**{kind: frame} if kind in ("regies", "organismes") else {})
        records = frame_to_records(kind, frame)
        canonical = pd.DataFrame([record for record, _ in records.values()], dtype=object)
        canonical[ROW] = [row for _, row in records.values()]
        plan.blocking.extend(upload.formula_cells(name, canonical))  # `  =1+1` is read `=1+1`: refused as well
        return records, set(raw_ids)

    def _known(self) -> intake.Known:
        """The stored régies and organismes, which a partnership sheet may name in words."""
        frames = self.read_frames(("regies", "organismes"))
        return intake.Known.from_frames(frames["regies"][0], frames["organismes"][0])

    def _placer(self) -> intake.Placer:
        """How an import places régies without coordinates: the geocoder of the settings, the commune points and
        the reference QPV's points."""
        import settings

        current = settings.current()
        return intake.Placer(current.geocoder_url, current.geocoder_timeout, geocode.commune_points(),
                             self._quartier_points)

    @cached_property
    def _quartier_points(self) -> dict[str, tuple[float, float]]:
        qpv = read_reference(self.reference_folder)["qpv"][0] if self.reference_folder else None
        return geocode.quartier_points(qpv) if qpv is not None and len(qpv) else {}

    def _diff(self, plan: ImportPlan, account: Account, kind: str, records: dict, raw_ids: set[str]) -> None:
        query = (sa.select(RECORDS.c.record_id, RECORDS.c.data, RECORDS.c.version)
                 .where(RECORDS.c.dataset == kind).order_by(RECORDS.c.seq))
        with self.engine.connect() as conn:
            stored = {r.record_id: r for r in conn.execute(query)}
        regions_of = self.geography.record_regions
        if kind in ADMIN_DATASETS and not may_write(account, kind, frozenset()):
            plan.findings.append(Finding(AVERTISSEMENT, plan.files.get(kind, kind), None, None,
                                         f"les {DATASETS[kind].label.lower()} sont modifiés par un administrateur "
                                         "national : les lignes qui les changent sont refusées."))
        for record_id, (after, row) in records.items():
            current = stored.get(record_id)
            before = current.data if current is not None else None
            version = current.version if current is not None else 0
            change = RowChange(kind, record_id, row, before, after, version, regions_of(kind, after))
            if before == after:
                plan.unchanged.append(change)
            elif not may_write(account, kind, change.regions) or (
                    before is not None and not may_write(account, kind, regions_of(kind, before))):
                plan.out_of_scope.append(change)
            else:
                (plan.added if before is None else plan.changed).append(change)
        for record_id, current in stored.items():
            if current.data is None or record_id in records or record_id in raw_ids:
                continue
            regions = regions_of(kind, current.data)
            if may_write(account, kind, regions):
                plan.missing.append(RowChange(kind, record_id, None, current.data, None, current.version, regions))

    def publish(self, plan: ImportPlan, user: Account | str, comment: str, remove_missing: bool = False,
                confirm_removal: int | None = None) -> int:
        """Apply a preview as one change set (rows in error and out of scope are never part of it); its id.
        Removing the missing rows needs `confirm_removal`, the number of records it deletes as the user typed it,
        and a file that holds valid rows where they lie (`ImportPlan.removal_refusals`)."""
        if plan.blocking:
            raise StoreError("Import refusé : " + " ; ".join(str(f) for f in plan.blocking[:3]))
        if remove_missing and plan.missing:
            if plan.removal_refusals:
                raise StoreError("Rien n'a été publié. " + " ; ".join(
                    f"{f.location} : {f.message}" for f in plan.removal_refusals))
            count = len(plan.missing)
            if confirm_removal != count:
                raise StoreError(f"Suppression non confirmée : elle supprime {plan.removal_text} ; confirmez en "
                                 f"indiquant ce nombre, {count}. Rien n'a été publié.")
        edits = plan.edits(remove_missing)
        if not edits:
            raise StoreError("Rien à publier : le fichier ne change aucun enregistrement.")
        change_set = self.write(user, comment or f"Import de {', '.join(plan.files.values())}", edits, kind="import")
        for kind, mapping in plan.mappings.items():  # the next file with these headers is read the same way
            mappings.remember(self.engine, kind, mapping, plan.user)
        return change_set

    def undo(self, change_set_id: int, user: Account | str, comment: str = "") -> int:
        """A new change set restoring the "before" of `change_set_id`; `UndoError` (French) when a later change
        set touched one of its records, `ScopeError` when the user may not write them. The "later change" check
        runs inside the undo's transaction, the records locked: a write cannot land between check and undo."""
        info, changes = self.change_set(change_set_id)
        if not changes:
            raise UndoError(f"Le lot n° {change_set_id} ne contient aucune modification à annuler.")
        if info.kind == "seed":
            raise UndoError(f"Le lot n° {change_set_id} est le chargement initial : il ne s'annule pas.")
        keys = [(c.dataset, c.record_id) for c in changes]

        def nothing_later(conn: sa.Connection) -> None:
            later = self._later_changes(conn, change_set_id, keys)
            if later:
                detail = " ; ".join(f"« {record_id} » modifié ensuite par {user_name} (lot n° {set_id})"
                                    for record_id, set_id, user_name in later[:5])
                raise UndoError(f"Le lot n° {change_set_id} ne peut pas être annulé : {detail}"
                                f"{' …' if len(later) > 5 else ''}. Annulez d'abord les lots plus récents ou "
                                "corrigez ces enregistrements directement.")

        edits = [Edit(c.dataset, c.record_id, c.before, None) for c in changes]
        return self.write(user, comment or f"Annulation du lot n° {change_set_id}", edits, kind="undo",
                          undoes=change_set_id, guard=nothing_later)

    def undone_by(self, change_set_ids: Iterable[int]) -> dict[int, int]:
        """Change set -> the undo that reverted it, for those of `change_set_ids` that were undone."""
        ids = list(change_set_ids)
        if not ids:
            return {}
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(CHANGE_SETS.c.undoes, sa.func.min(CHANGE_SETS.c.id))
                                .where(CHANGE_SETS.c.undoes.in_(ids)).group_by(CHANGE_SETS.c.undoes)).all()
        return {int(undone): int(undo) for undone, undo in rows}

    @staticmethod
    def _later_changes(conn: sa.Connection, change_set_id: int,
                       keys: list[tuple[str, str]]) -> list[tuple[str, int, str]]:
        found = []
        for kind in sorted({k for k, _ in keys}):
            ids = [i for k, i in keys if k == kind]
            for chunk in _chunks(ids):
                query = (sa.select(CHANGES.c.record_id, CHANGES.c.change_set_id, CHANGE_SETS.c.user)
                         .join(CHANGE_SETS, CHANGE_SETS.c.id == CHANGES.c.change_set_id)
                         .where(CHANGES.c.dataset == kind, CHANGES.c.record_id.in_(chunk),
                                CHANGES.c.change_set_id > change_set_id)
                         .order_by(CHANGES.c.change_set_id))
                found += [(r.record_id, r.change_set_id, r.user) for r in conn.execute(query)]
        return found

    def export(self, folder: Path) -> list[Path]:
        """A backup in the data-folder format (`data/README.md`): one CSV per dataset, the reference geography's
        files when known, and `manifest.json`. Importing it into an empty store gives the same records. An optional
        dataset without records has no file (a header-only file would not load: « aucune ligne de données »)."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        demo = bool(self.meta("demo", False))
        last = max(self.data_version().values(), default=0)
        seeded = self.manifest()
        records: dict[str, DatasetRecord] = {}
        written = []
        for kind in STORE_DATASETS:
            path = folder / f"{DATASETS[kind].file_stem}.csv"
            rows = [data for data, _ in self.read_records(kind).values()]
            if not rows and kind in OPTIONAL_KINDS:
                continue
            # formulas neutralised: a record stored before the store refused them must not run in the spreadsheet
            # that opens the backup
            columns = DATASETS[kind].column_names
            atomic_write_bytes(path, csv_bytes(columns, [{c: neutralize(row.get(c)) for c in columns} for row in rows]))
            records[kind] = DatasetRecord(file=path.name, source=f"Export de la base (lot n° {last})",
                                          licence=seeded.datasets[kind].licence if seeded and kind in
                                          seeded.datasets else "", date=date.today().isoformat(), rows=len(rows),
                                          sha256=sha256_file(path), demo=demo)
            written.append(path)
        reference = self.reference_folder or (Path(self.meta("seed_folder")) if self.meta("seed_folder") else None)
        if reference and reference.is_dir():
            for kind, path in find_dataset_files(reference).items():
                if kind not in REFERENCE_DATASETS or path.is_dir():
                    continue
                target = folder / path.name
                if path.resolve() != target.resolve():
                    shutil.copyfile(path, target)
                original = seeded.datasets.get(kind) if seeded else None
                described = original.__dict__ if original else {
                    "source": f"Copie de {path}", "licence": "", "date": date.today().isoformat(), "demo": demo}
                records[kind] = DatasetRecord(**{**described, "file": target.name, "sha256": sha256_file(target),
                                                 "rows": _feature_count(target)})
                written.append(target)
        manifest = Manifest(demo=demo, title=(seeded.title if seeded else "") or "Export de la base", datasets=records)
        atomic_write_bytes(folder / MANIFEST_NAME, manifest.to_json().encode("utf-8"))
        return written + [folder / MANIFEST_NAME]


def _feature_count(path: Path) -> int:
    """Features of a reference file, for its manifest entry (the loader when GDAL cannot count alone)."""
    import pyogrio

    try:
        return int(pyogrio.read_info(path)["features"])
    except Exception:  # GDAL's error types vary with the driver
        _, frame, _ = load_file(path)
        return 0 if frame is None else len(frame)


