"""The tables of the store (SQLAlchemy 2 declarative models); the schema itself is created by the Alembic
migrations in `store/migrations`, never by `create_all`.

Why this shape:
- `records` is generic over datasets: one row per (dataset, record_id) whose `data` holds the record's cells as the
  canonical text of a data-folder file (see `store.records`). A dataset added later (a new column or a new
  file) needs no migration, and the dashboards rebuild exactly the frames `geo.load` produces from files.
  `record_id` is the dataset's key (`id_regie`, `siren`, `id_partenariat`), never a row position; `seq` only
  keeps the order in which records arrived (the order of the seed files), for stable tables.
- A deleted record stays as a tombstone (`data` NULL) so that its `version` keeps counting: a writer holding a
  version read before the deletion cannot silently resurrect or overwrite it.
- `version` is compared-and-swapped on every write (optimistic concurrency, same on SQLite and PostgreSQL).
- `regions` (`|84|11|`) is the record's scope as computed at its last write, kept for queries and display; the
  scope check itself recomputes it from the reference geography.
- `change_sets` + `changes` are the journal: one change set per write, one change per record with the full
  before/after data, written in the same transaction as the records.
- `users`: local accounts (argon2id hashes only), their role and régions; `email` keys an OpenID Connect login.
- `sessions`: logins kept across reloads (token hashes and expiry, store.accounts); `users.credential_version`
  ends them at a password reset or a disabling.
- `login_throttle`: failed logins per account, per account × client and per client (store.accounts).
- `meta`: key/value facts about the store (seed folder, demo flag, seed manifest).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Named constraints: Alembic's batch mode (SQLite) can only alter constraints it can name.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Record(Base):
    __tablename__ = "records"
    __table_args__ = (UniqueConstraint("dataset", "record_id", name="uq_records_dataset_record_id"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dataset: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[str] = mapped_column(String(200))
    data: Mapped[dict | None] = mapped_column(JSON(none_as_null=True), nullable=True)
    version: Mapped[int] = mapped_column(Integer)
    regions: Mapped[str] = mapped_column(String(400), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    change_set_id: Mapped[int] = mapped_column(ForeignKey("change_sets.id"))


class ChangeSet(Base):
    __tablename__ = "change_sets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    comment: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(20))  # seed | import | undo | edit
    undoes: Mapped[int | None] = mapped_column(ForeignKey("change_sets.id"), nullable=True)


class Change(Base):
    __tablename__ = "changes"
    __table_args__ = (
        Index("ix_changes_record", "dataset", "record_id", "change_set_id"),
        Index("ix_changes_dataset_change_set", "dataset", "change_set_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    change_set_id: Mapped[int] = mapped_column(ForeignKey("change_sets.id"), index=True)
    dataset: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[str] = mapped_column(String(200))
    before: Mapped[dict | None] = mapped_column(JSON(none_as_null=True), nullable=True)
    after: Mapped[dict | None] = mapped_column(JSON(none_as_null=True), nullable=True)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    email: Mapped[str | None] = mapped_column(String(320), unique=True, nullable=True)
    role: Mapped[str] = mapped_column(String(20))  # admin | contributeur
    regions: Mapped[str] = mapped_column(String(400), default="")
    password_hash: Mapped[str | None] = mapped_column(String(400), nullable=True)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    credential_version: Mapped[int] = mapped_column(Integer, default=1)  # +1 at each reset or disabling
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    def __repr__(self) -> str:  # never the hash
        return f"User(name={self.name!r}, role={self.role!r}, regions={self.regions!r}, disabled={self.disabled})"


class LoginThrottle(Base):
    """Failed logins of one key (an account, an account from one client, one client): `key` is a SHA-256 of what
    it counts, so neither names nor addresses are stored here."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class UserSession(Base):
    """A login that survives a reload: the browser holds a random token in an HttpOnly cookie, the table only its
    SHA-256. `handoff_hash`: the one-time code the page hands the browser to fetch that cookie, spent at once.
    A session is valid until `expires_at` while the account keeps the `credential_version` it was opened with."""

    __tablename__ = "sessions"

    # random, never reused (an integer id could come back after a deletion, in another browser's session)
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    handoff_hash: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    handoff_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    credential_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class Meta(Base):
    __tablename__ = "meta"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[dict | list | str | int | bool | None] = mapped_column(JSON, nullable=True)


class ColumnMapping(Base):
    """The mapping last used for a file of a dataset with given headers (`geo.intake.headers_key`), so that the
    next file laid out the same way is read the same way, by any process (store.mappings)."""

    __tablename__ = "column_mappings"

    dataset: Mapped[str] = mapped_column(String(40), primary_key=True)
    headers_key: Mapped[str] = mapped_column(String(16), primary_key=True)
    mapping: Mapped[dict] = mapped_column(JSON)
    user: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
