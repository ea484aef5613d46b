"""The store of the records: one object, `Store`, through which everything reads and writes them.

Every write goes through `Store.write`: validate (the same `geo.load.clean` as `geo check`, plus no spreadsheet
formulas) → check the writer's scope on the records as they are now and as they would be (`ScopeError`) → check
each record's version is the one the writer read (`ConflictError`) → apply and journal (one change set, one change
per record with its before/after) → commit, all in one transaction: either everything is applied and journalled,
or nothing is. Import (`plan_import` then `publish`), undo and seeding are built on it.

The seams live in their modules (`reading`, `writing`, `importing`, `seeding`, `undo`, `export`), `Store`
brings them together as the one object the app holds."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine

import store.engine as engines
from store.export import Exporting
from store.importing import Importing
from store.reading import Reading
from store.seeding import Seeding
from store.undo import Undoing
from store.writing import Writing


class Store(Reading, Writing, Importing, Seeding, Undoing, Exporting):
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
