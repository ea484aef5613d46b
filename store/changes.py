"""The store's vocabulary: the journal's tables, the edits a writer hands in, the changes a preview or the
journal shows, and the refusals (French messages) every part of the store raises."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from geo import fr, ref
from geo.schema import DATASETS
from geo.validate import Finding
from store.accounts import ADMIN, Account
from store.models import Change, ChangeSet, Meta, Record, User
from store.records import Record as RecordData

RECORDS, CHANGE_SETS, CHANGES, USERS, META = (
    Record.__table__, ChangeSet.__table__, Change.__table__, User.__table__, Meta.__table__)
CHUNK = 500  # keys per IN (...) query
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


def chunks(items: Sequence, size: int = CHUNK) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start:start + size]

def region_list(codes: Iterable[str]) -> str:
    """The régions' names, for a refusal that says where."""
    names = dict(zip(ref.regions_table()["insee_reg"], ref.regions_table()["lib_reg"], strict=True))
    return ", ".join(sorted(names.get(c, c) for c in codes)) or "région inconnue"
