"""Local accounts: argon2id password hashes, roles and régions, throttled logins, OpenID Connect mapping.

Roles: `admin` (administrateur national: every record and the accounts) and `contributeur` (contributeur
régional: records lying in one of its régions, see `records.Geography.record_regions`). A password or a hash is
never logged, shown or put in an exception; `Account` (what the rest of the code sees) holds neither.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.orm import Session

import settings
from geo import ref
from store.models import User
from store.records import aware, now, regions_of_text, regions_text

if TYPE_CHECKING:
    from store.api import Store

ADMIN, CONTRIBUTEUR = "admin", "contributeur"
ROLES = (ADMIN, CONTRIBUTEUR)
ROLE_LABELS = {ADMIN: "administrateur national", CONTRIBUTEUR: "contributeur régional"}
MIN_PASSWORD_LENGTH = 10
FREE_ATTEMPTS = 3  # failed logins before each next attempt must wait
MAX_DELAY_S = 900

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
        regions = f" ({', '.join(sorted(self.regions))})" if self.role == CONTRIBUTEUR else ""
        return f"{self.name} — {ROLE_LABELS[self.role]}{regions}"


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


def add_user(store: Store, name: str, role: str, regions=(), password: str | None = None,
             email: str | None = None) -> Account:
    """A new account; without password it can only log in through OpenID Connect (by its e-mail)."""
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
                    disabled=False, failed_attempts=0, created_at=now())
        session.add(user)
        session.flush()
        return _account(user)


def list_users(store: Store) -> list[Account]:
    with Session(store.engine) as session:
        return [_account(u) for u in session.scalars(select(User).order_by(User.name))]


def get_account(store: Store, name: str) -> Account | None:
    with Session(store.engine) as session:
        user = session.scalar(select(User).where(User.name == name))
        return _account(user) if user else None


def _edit(store: Store, name: str, change) -> Account:
    with Session(store.write_engine) as session, session.begin():
        user = session.scalar(select(User).where(User.name == name))
        if user is None:
            raise AccountError(f"Compte « {name} » introuvable.")
        change(user)
        return _account(user)


def disable_user(store: Store, name: str) -> Account:
    return _edit(store, name, lambda user: setattr(user, "disabled", True))


def reset_password(store: Store, name: str, password: str) -> Account:
    """New password; also lifts a login lock."""
    _check_password(password)
    digest = hash_password(password)

    def change(user: User) -> None:
        user.password_hash = digest
        user.failed_attempts = 0
        user.locked_until = None

    return _edit(store, name, change)


def delay_after(failures: int) -> int:
    """Seconds the next login must wait after `failures` consecutive failures (0 for the first few)."""
    if failures < FREE_ATTEMPTS:
        return 0
    return min(5 * 2 ** (failures - FREE_ATTEMPTS), MAX_DELAY_S)


def authenticate(store: Store, name: str, password: str, *, at: datetime | None = None) -> Account:
    """The account when name and password match; `AuthError` otherwise. After a few failures the account waits a
    growing delay (stored in the database, so every app process sees it) before the next attempt is checked."""
    at = at or now()
    refused = "Identifiant ou mot de passe incorrect."
    with Session(store.write_engine) as session, session.begin():
        user = session.scalar(select(User).where(User.name == name.strip()))
        if user is None or user.password_hash is None:
            _verify(_dummy_hash(), password)  # same cost as a real check: timing does not reveal the name
            error = refused
        elif user.locked_until is not None and aware(user.locked_until) > at:
            wait = int((aware(user.locked_until) - at).total_seconds()) + 1
            error = f"Trop de tentatives échouées : réessayez dans {wait} s."
        elif not _verify(user.password_hash, password):
            user.failed_attempts += 1
            delay = delay_after(user.failed_attempts)
            user.locked_until = at + timedelta(seconds=delay) if delay else None
            error = refused
        elif user.disabled:
            error = "Ce compte est désactivé : adressez-vous à un administrateur national."
        else:
            error = None
            user.failed_attempts = 0
            user.locked_until = None
            if _hasher.check_needs_rehash(user.password_hash):
                user.password_hash = hash_password(password)
            account = _account(user)
    if error:
        raise AuthError(error)
    return account


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
