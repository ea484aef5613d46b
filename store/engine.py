"""Which database, how to connect to it, and its schema revision.

`CARTE_DATABASE_URL` names it (`postgresql+psycopg://user@host/base` for a shared deployment); unset, it is an
embedded SQLite file under `CARTE_STATE_DIR` (default `.cache/` in the repository), created on first start. SQLite
runs in WAL mode (readers never block the writer) with a busy timeout, and a write transaction takes the write
lock when it begins (`BEGIN IMMEDIATE`), so two writers queue instead of failing half-way.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine

import settings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BUSY_TIMEOUT_MS = 30_000
MIGRATION_LOCK = 0x43415254_45  # PostgreSQL advisory lock key of schema upgrades ("CARTE")
IMMEDIATE = "carte_immediate"  # execution option: this transaction writes (SQLite: BEGIN IMMEDIATE)


class SchemaError(Exception):
    """The database's schema does not match the code; the message is French and says what to do."""


def database_url() -> str:
    """`CARTE_DATABASE_URL`, else the default SQLite file (`settings`)."""
    return settings.current().database_url


def describe(url: str | sa.URL) -> str:
    """The URL as it may be shown or logged: never its password."""
    return sa.make_url(url).render_as_string(hide_password=True)


def make_engine(url: str | None = None) -> Engine:
    """An engine for `url` (default `database_url()`); parameters are never logged (they can hold a hash)."""
    url = sa.make_url(url or database_url())
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, hide_parameters=True,
                                  connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        _sqlite_events(engine)
        return engine
    return sa.create_engine(url, hide_parameters=True, pool_pre_ping=True)


def _sqlite_events(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # The driver's own implicit transactions are turned off so that BEGIN is ours (deferred or immediate).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        immediate = connection.get_execution_options().get(IMMEDIATE)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


# Alembic is imported where it is used: every `python -m geo` command would otherwise pay for it.


def _scripts():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config)


def head_revision() -> str:
    return _scripts().get_current_head()


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Create or upgrade the schema to the code's revision; (revision before, revision after). One process at a
    time: on PostgreSQL a transaction-scoped advisory lock (two app processes starting on an empty database
    would otherwise both create the tables), on SQLite the write lock of `BEGIN IMMEDIATE`. The revision is read
    once the lock is held, so the second process finds the schema made and has nothing to do."""
    from alembic import command
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext

    with engine.connect().execution_options(**{IMMEDIATE: True}) as connection, connection.begin():
        if connection.dialect.name == "postgresql":
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        before = MigrationContext.configure(connection).get_current_revision()
        _refuse_newer(engine, before)
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    return before, head_revision()


def _refuse_newer(engine: Engine, revision: str | None) -> None:
    if revision is None:
        return
    known = {script.revision for script in _scripts().walk_revisions()}
    if revision not in known:
        raise SchemaError(
            f"La base de données {describe(engine.url)} a un schéma plus récent (révision {revision}) que cette "
            "version de l'application : mettez l'application à jour avant de l'utiliser avec cette base."
        )


def check_schema(engine: Engine, *, create: bool = True) -> None:
    """Make sure the schema is the code's: an empty database is created (`create`), an older one is refused with
    the command that upgrades it, a newer one with the advice to update the application."""
    revision = current_revision(engine)
    head = head_revision()
    if revision == head:
        return
    if revision is None and create and not sa.inspect(engine).get_table_names():
        upgrade(engine)
        return
    _refuse_newer(engine, revision)
    raise SchemaError(
        f"La base de données {describe(engine.url)} a un schéma plus ancien (révision {revision or 'aucune'}) que "
        f"cette version de l'application (révision {head}) : lancez « python -m geo db upgrade »."
    )
