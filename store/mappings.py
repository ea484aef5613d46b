"""Column mappings remembered for files with the same headers: the mapping a user last published a file of a
dataset with is proposed again for the next file laid out the same way. Kept in the store (not a session), so
that it survives a restart and is shared by every process; the format is that of `--colonnes` (geo.intake)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from geo import intake
from store.models import ColumnMapping


def remembered(engine: Engine, kind: str, columns: Sequence[str]) -> dict[str, str] | None:
    """The mapping remembered for these headers, if it still fits them (every column named, fields known)."""
    with Session(engine) as session:
        row = session.get(ColumnMapping, (kind, intake.headers_key(columns)))
        mapping = dict(row.mapping) if row is not None else None
    if mapping is None or set(mapping) != set(columns) or intake.check_mapping(mapping, columns, kind, ""):
        return None
    return {column: mapping[column] for column in columns}


def remember(engine: Engine, kind: str, mapping: Mapping[str, str], user: str) -> None:
    """Remember `mapping` (column → field or « ignorer ») for files of `kind` with its columns; a mapping that does
    not hold is not kept (ValueError)."""
    columns = list(mapping)
    if problems := intake.check_mapping(mapping, columns, kind, ""):
        raise ValueError(problems[0].message)
    key = (kind, intake.headers_key(columns))
    for _ in range(2):  # two processes remembering the same headers at once: the second updates the first's row
        try:
            with Session(engine) as session, session.begin():
                row = session.get(ColumnMapping, key) or ColumnMapping(dataset=kind, headers_key=key[1])
                row.mapping, row.user, row.updated_at = dict(mapping), user, datetime.now(UTC)
                session.add(row)
            return
        except IntegrityError:
            continue

