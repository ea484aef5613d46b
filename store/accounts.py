"""Local accounts: argon2id password hashes, roles and régions, throttled logins, OpenID Connect mapping.

Roles: `admin` (administrateur national: every record and the accounts) and `contributeur` (contributeur
régional: records lying in one of its régions, see `records.Geography.record_regions`). A password or a hash is
never logged, shown or put in an exception; `Account` (what the rest of the code sees) holds neither.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import threading
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Protocol

import sqlalchemy as sa
from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

import settings
from geo import ref
from store.models import Change, ChangeSet, LoginThrottle, User, UserSession
from store.records import aware, now, regions_of_text, regions_text


class Store(Protocol):
    """What accounts need of a `store.api.Store`: its engines (accounts sit below the store's write funnel, which
    reads them to know who writes)."""

    engine: sa.Engine
    write_engine: sa.Engine


ADMIN, CONTRIBUTEUR = "admin", "contributeur"
ROLES = (ADMIN, CONTRIBUTEUR)
SYSTEM_NAME = "système"  # the author of what the command line and the seed write (store.changes.SYSTEM)
ACCOUNT_KIND, ACCOUNTS_DATASET = "compte", "comptes"  # how account changes appear in the journal
ROLE_LABELS = {ADMIN: "administrateur national", CONTRIBUTEUR: "contributeur régional"}
MIN_PASSWORD_LENGTH = 10
FREE_ATTEMPTS = 3  # failed logins before each next attempt must wait
MAX_DELAY_S = 900
SESSION_LENGTH = timedelta(hours=10)  # a working day: a login survives reloads and new tabs that long, no longer
HANDOFF_LENGTH = timedelta(seconds=60)  # the page's one-time code for the session cookie

# argon2id, RFC 9106's second recommended option (64 MiB, 3 passes): the library's default.
PARAMETERS = profiles.RFC_9106_LOW_MEMORY
_hasher = PasswordHasher.from_parameters(PARAMETERS)


class AccountError(Exception):
    """An account operation is refused; French message."""


class AuthError(Exception):
    """A login is refused; French message that never says whether the name exists."""


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    regions: frozenset[str]
    email: str | None = None
    disabled: bool = False

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN

    def may_write(self, record_regions: frozenset[str]) -> bool:
        """Scope rule of the roles: an administrator writes everything, a contributor what lies in its régions."""
        return self.is_admin or bool(self.regions & record_regions)

    @property
    def label(self) -> str:
        """« hdf — contributeur régional (Hauts-de-France) »: the régions by name (a code the user may not know)."""
        regions = f" ({', '.join(region_names(self.regions))})" if self.role == CONTRIBUTEUR else ""
        return f"{self.name} — {ROLE_LABELS[self.role]}{regions}"


def region_names(codes: frozenset[str]) -> list[str]:
    """The régions' names in alphabetical order; an unknown code stays a code."""
    names = dict(zip(ref.regions_table()["insee_reg"], ref.regions_table()["lib_reg"], strict=True))
    return sorted(names.get(code, code) for code in codes)


def login_required() -> bool:
    """Viewing needs no account unless `CARTE_LOGIN_REQUIRED` says so (`1`, `true`, `oui`); writing always does."""
    return settings.current().login_required


def _account(user: User) -> Account:
    return Account(user.name, user.role, regions_of_text(user.regions), user.email, user.disabled)


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"Mot de passe trop court : au moins {MIN_PASSWORD_LENGTH} caractères.")


def _check_role(role: str, regions: frozenset[str]) -> None:
    if role not in ROLES:
        raise AccountError(f"Rôle « {role} » inconnu (attendu : {', '.join(ROLES)}).")
    known = set(ref.regions_table()["insee_reg"])
    unknown = sorted(regions - known)
    if unknown:
        raise AccountError(f"Code(s) de région inconnu(s) : {', '.join(unknown)} (codes INSEE, par ex. 32 pour "
                           "les Hauts-de-France).")
    if role == CONTRIBUTEUR and not regions:
        raise AccountError("Un contributeur régional doit avoir au moins une région (--region CODE).")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _journal_entry(user: User | None) -> dict | None:
    """An account as the journal keeps it: what it may do, never its password or hash (only whether it has one,
    and its credential version, which a reset or a disabling raises)."""
    if user is None:
        return None
    return {"rôle": ROLE_LABELS[user.role], "régions": ", ".join(region_names(regions_of_text(user.regions))),
            "courriel": user.email or "", "désactivé": "oui" if user.disabled else "non",
            "mot de passe": "défini" if user.password_hash else "aucun (fournisseur d'identité)",
            "version des identifiants": str(user.credential_version)}


def _journal(session: Session, by: str, comment: str, name: str, before: dict | None, after: dict | None) -> None:
    """An account change as a change set of its own (kind `compte`, dataset `comptes`), in the account
    change's transaction, like every write of the store."""
    change_set = ChangeSet(user=by, at=now(), comment=comment, kind=ACCOUNT_KIND)
    session.add(change_set)
    session.flush()
    session.add(Change(change_set_id=change_set.id, dataset=ACCOUNTS_DATASET, record_id=name, before=before,
                       after=after))


def add_user(store: Store, name: str, role: str, regions=(), password: str | None = None,
             email: str | None = None, *, by: str = SYSTEM_NAME) -> Account:
    """A new account; without password it can only log in through OpenID Connect (by its e-mail). Journalled
    as written `by` (an administrator's name, or the command line's « système »)."""
    name = name.strip()
    regions = frozenset(r.strip().zfill(2) for r in regions if r.strip())
    if not name:
        raise AccountError("Nom de compte vide.")
    _check_role(role, regions)
    if password is not None:
        _check_password(password)
    with Session(store.write_engine) as session, session.begin():
        if session.scalar(select(User).where(User.name == name)):
            raise AccountError(f"Le compte « {name} » existe déjà.")
        if email and session.scalar(select(User).where(User.email == email.strip().lower())):
            raise AccountError(f"L'adresse « {email} » est déjà celle d'un autre compte.")
        user = User(name=name, role=role, regions=regions_text(regions), email=email.strip().lower() if email
                    else None, password_hash=hash_password(password) if password is not None else None,
                    disabled=False, credential_version=1, created_at=now())
        session.add(user)
        session.flush()
        _journal(session, by, "Création du compte", name, None, _journal_entry(user))
        return _account(user)


def list_users(store: Store) -> list[Account]:
    with Session(store.engine) as session:
        return [_account(u) for u in session.scalars(select(User).order_by(User.name))]


def get_account(store: Store, name: str) -> Account | None:
    with Session(store.engine) as session:
        user = session.scalar(select(User).where(User.name == name))
        return _account(user) if user else None


def _edit(store: Store, name: str, change, by: str, comment: str) -> Account:
    with Session(store.write_engine) as session, session.begin():
        user = session.scalar(select(User).where(User.name == name))
        if user is None:
            raise AccountError(f"Compte « {name} » introuvable.")
        before = _journal_entry(user)
        change(user)
        # every open session ends: at once (deleted) and at their next check (credential version)
        user.credential_version += 1
        session.execute(sa.delete(UserSession).where(UserSession.user_id == user.id))
        _journal(session, by, comment, name, before, _journal_entry(user))
        return _account(user)


def disable_user(store: Store, name: str, *, by: str = SYSTEM_NAME) -> Account:
    return _edit(store, name, lambda user: setattr(user, "disabled", True), by, "Désactivation du compte")


def reset_password(store: Store, name: str, password: str, *, by: str = SYSTEM_NAME) -> Account:
    """New password (the login throttle of the account is not lifted: it forgets by itself)."""
    _check_password(password)
    digest = hash_password(password)

    return _edit(store, name, lambda user: setattr(user, "password_hash", digest), by,
                 "Réinitialisation du mot de passe")


@dataclass(frozen=True)
class Rule:
    """How many failures a throttle key forgives before each next attempt waits, and the longest wait."""
    free: int
    max_delay_s: int


# One account from one client: the guessing a throttle is for. One client whatever the names: spraying names.
# One account whatever the client: a guess spread over many addresses, bounded to a short wait so that a stranger
# never keeps the owner out for long (the owner's own client has its own, stricter key).
PAIR = Rule(FREE_ATTEMPTS, MAX_DELAY_S)
CLIENT = Rule(10, MAX_DELAY_S)
ACCOUNT = Rule(20, 60)
FORGET = timedelta(hours=24)  # a key without failure for this long starts again from zero
REFUSED = "Identifiant ou mot de passe incorrect."
CROWDED = "Trop de connexions en même temps : réessayez dans quelques instants."
MAX_CHECKS = 4  # argon2 checks at once per process: 4 × 64 MiB
CHECK_WAIT_S = 5.0
_checks = threading.BoundedSemaphore(MAX_CHECKS)
BUSY = "La base de données est momentanément occupée : réessayez dans quelques instants."


def delay_after(failures: int, rule: Rule = PAIR) -> int:
    """Seconds the next login must wait after `failures` consecutive failures (0 for the first few)."""
    if failures < rule.free:
        return 0
    return min(5 * 2 ** (failures - rule.free), rule.max_delay_s)


def _key(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def throttle_keys(name: str, clients: Sequence[str]) -> dict[str, Rule]:
    """The keys one attempt counts against (the name as typed, known or not: an unknown name behaves as a known
    one) with their rules; account-scoped keys first."""
    keys = {_key("compte", name): ACCOUNT}
    keys |= {_key("compte-client", name, client): PAIR for client in clients}
    keys |= {_key("client", client): CLIENT for client in clients}
    return keys


@contextmanager
def _short_write(store: Store):
    """A short write transaction; SQLite's « database is locked » becomes a French `AuthError`."""
    try:
        with store.write_engine.connect() as conn, conn.begin():
            yield conn
    except sa.exc.OperationalError as exc:
        if isinstance(exc.orig, sqlite3.OperationalError) and ("locked" in str(exc.orig) or "busy" in str(exc.orig)):
            raise AuthError(BUSY) from None
        raise


def _reserve(conn: sa.Connection, keys: dict[str, Rule], at: datetime) -> int:
    """Count this attempt as a failure against every key, before the password is checked, under a row lock
    (PostgreSQL; SQLite's write lock): parallel attempts each see the count of the ones before. The seconds to wait
    when a key is already locked (then nothing is counted), else 0."""
    table = LoginThrottle.__table__
    conn.execute(table.delete().where(table.c.updated_at < at - FORGET,
                                      sa.or_(table.c.locked_until.is_(None), table.c.locked_until < at)))
    insert = (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(table)
    conn.execute(insert.on_conflict_do_nothing(index_elements=["key"]),
                 [{"key": key, "failures": 0, "locked_until": None, "updated_at": at} for key in keys])
    rows = conn.execute(sa.select(table).where(table.c.key.in_(keys)).order_by(table.c.key).with_for_update()).all()
    wait = max((int((aware(r.locked_until) - at).total_seconds()) + 1 for r in rows
                if r.locked_until is not None and aware(r.locked_until) > at), default=0)
    if wait:
        return wait
    for row in rows:
        failures = (row.failures if aware(row.updated_at) >= at - FORGET else 0) + 1
        delay = delay_after(failures, keys[row.key])
        conn.execute(table.update().where(table.c.key == row.key).values(
            failures=failures, locked_until=at + timedelta(seconds=delay) if delay else None, updated_at=at))
    return 0


@contextmanager
def _password_check():
    """At most `MAX_CHECKS` argon2 computations at once in this process (64 MiB each); a login that cannot get
    a turn within `CHECK_WAIT_S` is asked to try again, and nothing of it is counted."""
    if not _checks.acquire(timeout=CHECK_WAIT_S):
        raise AuthError(CROWDED)
    try:
        yield
    finally:
        _checks.release()


def _check(store: Store, name: str, password: str, keys: dict[str, Rule], at: datetime):
    """(user row, new hash or None) when the password is right; the attempt counted first (`_reserve`)."""
    with _short_write(store) as conn:
        wait = _reserve(conn, keys, at)
        user = conn.execute(sa.select(User.__table__).where(User.name == name)).first()
    if wait:
        raise AuthError(f"Trop de tentatives échouées : réessayez dans {wait} s.")
    if user is None or user.password_hash is None:
        _verify(_dummy_hash(), password)  # same cost as a real check: timing does not reveal the name
        raise AuthError(REFUSED)
    if not _verify(user.password_hash, password):
        raise AuthError(REFUSED)
    if user.disabled:
        raise AuthError("Ce compte est désactivé : adressez-vous à un administrateur national.")
    return user, hash_password(password) if _hasher.check_needs_rehash(user.password_hash) else None


def authenticate(store: Store, name: str, password: str, *, clients: Sequence[str] = ("inconnu",),
                 at: datetime | None = None) -> Account:
    """The account when name and password match; `AuthError` otherwise, in the same words for an unknown name, a
    wrong password and (once throttled) a locked key. `clients` identify where the attempt comes from (the
    forwarded address, the browser session): failures count per account, per account × client and per client
    (`throttle_keys`), in the database so that every app process sees them. The attempt is counted in a short
    write, the password checked outside any transaction (at most `MAX_CHECKS` at once), and a success recorded
    in a second short write."""
    at = at or now()
    name = name.strip()
    keys = throttle_keys(name, clients)
    with _password_check():
        user, rehash = _check(store, name, password, keys, at)
    users, throttle = User.__table__, LoginThrottle.__table__
    with _short_write(store) as conn:
        # compare-and-swap on the hash: a reset or a disabling that landed meanwhile wins
        current = conn.execute(sa.select(users).where(users.c.id == user.id, users.c.disabled.is_(False),
                                                      users.c.password_hash == user.password_hash)
                               .with_for_update()).first()
        if current is None:
            raise AuthError(REFUSED)
        account_keys = [key for key, rule in keys.items() if rule is not CLIENT]
        conn.execute(throttle.update().where(throttle.c.key.in_(account_keys)).values(failures=0, locked_until=None))
        if rehash:
            conn.execute(users.update().where(users.c.id == user.id).values(password_hash=rehash))
    return _account(current)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class OpenedSession:
    id: str  # what the Streamlit session keeps
    handoff: str  # one-time code the browser exchanges for its cookie (`exchange_handoff`); not the cookie's token


def open_session(store: Store, account: Account, *, replaces: str | None = None,
                 at: datetime | None = None) -> OpenedSession:
    """A server-side session for a login that just succeeded, `SESSION_LENGTH` long. Rotation: the browser's
    previous session (`replaces`, its cookie token) is revoked, and the new token only exists once the browser
    exchanges the handoff code for it."""
    at = at or now()
    handoff = secrets.token_urlsafe(32)
    sessions, users = UserSession.__table__, User.__table__
    with _short_write(store) as conn:
        user = conn.execute(sa.select(users.c.id, users.c.credential_version).where(users.c.name == account.name)
                            ).one()
        conn.execute(sessions.delete().where(sessions.c.expires_at <= at))
        if replaces:
            conn.execute(sessions.delete().where(sessions.c.token_hash == _digest(replaces)))
        session_id = secrets.token_hex(16)
        conn.execute(sessions.insert().values(
            id=session_id, user_id=user.id, token_hash=_digest(secrets.token_urlsafe(32)),
            handoff_hash=_digest(handoff), handoff_expires_at=at + HANDOFF_LENGTH,
            credential_version=user.credential_version, created_at=at, expires_at=at + SESSION_LENGTH))
    return OpenedSession(session_id, handoff)


def exchange_handoff(store: Store, handoff: str, *, at: datetime | None = None) -> tuple[str, int] | None:
    """The session's cookie token for its one-time code (spent now) and the seconds the session has left; None
    for an unknown, spent or stale code."""
    at = at or now()
    sessions = UserSession.__table__
    with _short_write(store) as conn:
        row = conn.execute(sa.select(sessions).where(sessions.c.handoff_hash == _digest(handoff))
                           .with_for_update()).first()
        if row is None or aware(row.handoff_expires_at) < at or aware(row.expires_at) <= at:
            return None
        token = secrets.token_urlsafe(32)
        conn.execute(sessions.update().where(sessions.c.id == row.id).values(
            token_hash=_digest(token), handoff_hash=None, handoff_expires_at=None))
    return token, int((aware(row.expires_at) - at).total_seconds())


def _session_filter(session_id: str | None, token: str | None):
    sessions = UserSession.__table__
    if session_id is not None:
        return sessions.c.id == session_id
    return sessions.c.token_hash == _digest(token or "")


def session_account(store: Store, *, session_id: str | None = None, token: str | None = None,
                    at: datetime | None = None) -> tuple[str, Account] | None:
    """(session id, account) of a live session, found by its id (within one browser session) or its cookie's
    token: not expired, the account not disabled and still at the credential version the session began with.
    Checked on every rerun, so that a reset or a disabling ends the sessions already open."""
    at = at or now()
    sessions, users = UserSession.__table__, User.__table__
    with store.engine.connect() as conn:
        row = conn.execute(
            sa.select(sessions.c.id, users).join(users, users.c.id == sessions.c.user_id)
            .where(_session_filter(session_id, token), sessions.c.expires_at > at, users.c.disabled.is_(False),
                   users.c.credential_version == sessions.c.credential_version)).first()
    return (row.id, _account(row)) if row else None


def close_session(store: Store, *, session_id: str | None = None, token: str | None = None) -> None:
    """Logout: the session is revoked (its cookie, if the browser still holds it, is worth nothing)."""
    with _short_write(store) as conn:
        conn.execute(UserSession.__table__.delete().where(_session_filter(session_id, token)))


@cache
def _dummy_hash() -> str:
    """Checked against for an unknown name, so that a login costs the same whether the name exists or not."""
    return _hasher.hash("mot de passe factice pour un compte inconnu")


def _verify(digest: str, password: str) -> bool:
    try:
        return _hasher.verify(digest, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def user_for_email(store: Store, email: str) -> Account | None:
    """OpenID Connect: the account whose e-mail the identity provider vouched for (role and régions from the
    database); None when unknown or disabled."""
    if not email:
        return None
    with Session(store.engine) as session:
        user = session.scalar(select(User).where(User.email == email.strip().lower()))
        return _account(user) if user and not user.disabled else None
