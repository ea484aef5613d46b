"""Records as the store keeps them, and the scope rule.

A record is a dict column -> canonical text (or None), exactly as the cell would be written in a data-folder file:
codes upper-case with their leading zeros, dates `JJ/MM/AAAA`, decimals with a comma and no thousands separator
(`27948,33`), integers plain, lists joined by ` | `, themes by their convention label. It is derived from the
frame `geo.load.clean` validated, and turned back into that frame by the same `clean`: the store never has its
own parser, and comparing two records cell by cell is comparing what the user sees.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

import pandas as pd

from geo import fr, ref
from geo.communes import region_of_commune
from geo.io import ROW
from geo.load import clean
from geo.schema import CODE_WIDTHS, DATASETS, LIST_JOINER, THEME_BY_SLUG, is_blank, normalize_code
from geo.validate import Finding

# Datasets the store holds; the reference geography (QPV perimeters, régions, départements) stays in files.
STORE_DATASETS = ("regies", "organismes", "partenariats", "declinaisons", "patrimoine")
REFERENCE_DATASETS = ("qpv", "regions", "departements")
# The store's identifier of a record: its dataset's key column, or these columns joined by `KEY_JOINER` for a
# dataset without one (a patrimoine row is one organisme in one QPV).
KEY_COLUMNS = {kind: (DATASETS[kind].key,) for kind in STORE_DATASETS if DATASETS[kind].key} | {
    "patrimoine": ("siren_organisme", "code_qp")}
KEY_JOINER = "-"
QPV_COLUMNS = {"partenariats": "qpv", "regies": "qpv_couverts", "patrimoine": "code_qp"}  # for the scope rule
# Régies and organismes are the national lists every région's partnerships name: only a national administrator
# edits them, in /saisie, by import or through the API (`may_write`).
ADMIN_DATASETS = ("regies", "organismes")

Record = dict[str, str | None]


def _number(value: float) -> str:
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value)).replace(".", ",")


@cache
def _column_kinds(kind: str) -> dict[str, str]:
    return {c.name: c.kind for c in DATASETS[kind].columns}


def cell_text(kind: str, column: str, value) -> str | None:
    """Canonical text of one typed cell of a `clean` frame (None when blank)."""
    column_kind = _column_kinds(kind)[column]
    if column_kind == "list":
        items = list(value) if isinstance(value, (list, tuple)) else []
        if column == "themes":
            items = [THEME_BY_SLUG[s].label if s in THEME_BY_SLUG else s for s in items]
        return LIST_JOINER.join(items) or None
    if is_blank(value):
        return None
    if column_kind == "date":
        return value.strftime(fr.DATE_FORMAT)
    if column_kind == "int":
        return str(int(value))
    if column_kind == "float":
        return _number(value)
    return str(value)


def record_key(kind: str, record: dict) -> str | None:
    """The record's identifier in the store (`RQ-059-01`, `123456789-QN07519M`), None when a key cell is blank.

    The one identifier rule: each key cell as `geo.load` reads a code (upper-case, no spaces, a dropped leading
    zero restored), so that a file's row, a form's field and a stored record name a record alike."""
    parts = [normalize_code(record.get(column), CODE_WIDTHS.get(column, 0)) for column in KEY_COLUMNS[kind]]
    return KEY_JOINER.join(parts) if all(parts) else None


def canonical_id(kind: str, record_id: str) -> str | None:
    """`record_key` of an identifier as typed (`p-2024-0001` → `P-2024-0001`); None when a part is blank."""
    columns = KEY_COLUMNS[kind]
    parts = str(record_id).split(KEY_JOINER, len(columns) - 1) if len(columns) > 1 else [record_id]
    return record_key(kind, dict(zip(columns, parts, strict=False))) if len(parts) == len(columns) else None


def frame_to_records(kind: str, frame: pd.DataFrame) -> dict[str, tuple[Record, int | None]]:
    """record_id -> (record, spreadsheet row) for every row of a validated frame, in row order."""
    names = DATASETS[kind].column_names
    rows = frame[ROW].tolist() if ROW in frame else [None] * len(frame)
    columns = {name: frame[name].tolist() for name in names}
    out: dict[str, tuple[Record, int | None]] = {}
    for position, row in enumerate(rows):
        record = {name: cell_text(kind, name, columns[name][position]) for name in names}
        out[record_key(kind, record)] = (record, None if is_blank(row) else int(row))
    return out


def records_to_frame(kind: str, records: Iterable[Record], file: str) -> tuple[pd.DataFrame, list[Finding]]:
    """The frame `geo.load` would give for a file holding these records (same parsing, same validation)."""
    names = DATASETS[kind].column_names
    raw = pd.DataFrame([[r.get(n) or "" for n in names] for r in records], columns=names, dtype=object)
    raw[ROW] = range(2, len(raw) + 2)
    return clean(kind, raw, file)


@dataclass(frozen=True)
class Geography:
    """What the scope rule needs from the reference geography: the région of each QPV code."""

    qpv_region: dict[str, str]

    @classmethod
    def from_qpv(cls, qpv: pd.DataFrame | None = None) -> Geography:
        """From a QPV frame (the data folder's file) over the official 2024 list (`data/ref`)."""
        table = ref.qpv2024_table()
        mapping = dict(zip(table["code_qp"], table["insee_reg"], strict=True))
        if qpv is not None and len(qpv):
            known = qpv[qpv["insee_reg"].notna()]
            mapping.update(zip(known["code_qp"].astype(str), known["insee_reg"].astype(str), strict=True))
        return cls(mapping)

    def record_regions(self, kind: str, record: Record | None) -> frozenset[str]:
        """Scope rule: a partnership lies in the régions of its QPV; a régie in the région of its seat (commune)
        and of the QPV it covers; an organisme in the région of its seat commune when the commune is known, else
        in its `insee_reg` (`geo.load` refuses the two disagreeing); a declination in its région; a patrimoine row
        in the région of its QPV. Unknown datasets lie nowhere (only an administrator writes them)."""
        if not record:
            return frozenset()
        regions: set[str] = set()
        if kind in QPV_COLUMNS:
            codes = record.get(QPV_COLUMNS[kind]) or ""
            regions |= {self.qpv_region[c] for c in codes.split(LIST_JOINER) if c in self.qpv_region}
        seat = region_of_commune(record.get("insee_com")) if kind in ("regies", "organismes") else None
        if seat:
            regions.add(seat)
        if (kind == "organismes" and not seat or kind == "declinaisons") and record.get("insee_reg"):
            regions.add(record["insee_reg"])
        return frozenset(regions)


def may_write(account, dataset: str, regions: frozenset[str]) -> bool:
    """The scope rule of every write (a `store.accounts.Account`): a national administrator writes everything; a
    contributor writes the records of its régions (`Geography.record_regions`) outside `ADMIN_DATASETS`."""
    if dataset in ADMIN_DATASETS:
        return account.is_admin
    return account.may_write(regions)


def regions_text(regions: Iterable[str]) -> str:
    """`|11|84|`: a LIKE '%|84|%' finds a région without a false match on a prefix."""
    regions = sorted(regions)
    return f"|{'|'.join(regions)}|" if regions else ""


def regions_of_text(text: str | None) -> frozenset[str]:
    return frozenset(r for r in (text or "").split("|") if r)


def now() -> datetime:
    """Times are stored in UTC; pages show them in French local time."""
    return datetime.now(UTC)


def aware(moment: datetime) -> datetime:
    """SQLite gives datetimes back without their zone: they were written in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
