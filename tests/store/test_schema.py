"""Schema revision: created on first start, `db upgrade` idempotent, a clear French message when the database is
older or newer than the code."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from store import SchemaError, Store
from store import engine as engines


def test_first_start_creates_the_schema(store_url):
    store = Store.open(store_url)
    assert engines.current_revision(store.engine) == engines.head_revision()
    assert store.upgrade() == (engines.head_revision(), engines.head_revision())
    store.close()


def test_older_and_newer_databases_are_refused(store_url):
    store = Store.open(store_url)
    with store.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM alembic_version"))
    with pytest.raises(SchemaError, match="plus ancien.*lancez « python -m geo db upgrade »"):
        Store.open(store_url)
    with store.engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO alembic_version (version_num) VALUES ('9999')"))
    with pytest.raises(SchemaError, match="plus récent.*mettez l'application à jour"):
        Store.open(store_url)
    with pytest.raises(SchemaError, match="plus récent"):
        store.upgrade()
    store.close()


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    store = Store.open(f"sqlite:///{tmp_path / 'carte.sqlite3'}")
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == engines.BUSY_TIMEOUT_MS
    store.close()


def test_default_database_is_a_file_under_the_state_dir(monkeypatch, tmp_path):
    monkeypatch.delenv("CARTE_DATABASE_URL", raising=False)
    monkeypatch.setenv("CARTE_STATE_DIR", str(tmp_path))
    assert engines.database_url() == f"sqlite:///{tmp_path / 'carte.sqlite3'}"
    monkeypatch.setenv("CARTE_DATABASE_URL", "postgresql+psycopg://carte:secret@db/carte")
    assert engines.describe(engines.database_url()) == "postgresql+psycopg://carte:***@db/carte"
