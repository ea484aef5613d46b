"""The deployment's settings: every environment variable the application reads is read here, and nowhere else.

Each layer asks `current()` (the store for its database, the pages for the data folder and the login rule), so a
setting has one name, one default and one parser. Read on every call: the variables are few and cheap to read, and
tests change them with `monkeypatch.setenv`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent
DEFAULT_DATA_DIR = REPO / "data" / "demo"
YES = ("1", "true", "oui")


@dataclass(frozen=True)
class Settings:
    data_dir: Path  # CARTE_DATA_DIR: the folder an empty store is seeded from and whose QPV perimeters are drawn
    state_dir: Path  # CARTE_STATE_DIR: where the default SQLite store lives
    database_url: str  # CARTE_DATABASE_URL, else a SQLite file under `state_dir`
    login_required: bool  # CARTE_LOGIN_REQUIRED (1, true, oui): viewing needs an account too

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        state_dir = Path(environ.get("CARTE_STATE_DIR") or REPO / ".cache")
        return cls(
            data_dir=Path(environ.get("CARTE_DATA_DIR") or DEFAULT_DATA_DIR),
            state_dir=state_dir,
            database_url=environ.get("CARTE_DATABASE_URL", "").strip() or f"sqlite:///{state_dir / 'carte.sqlite3'}",
            login_required=environ.get("CARTE_LOGIN_REQUIRED", "").strip().lower() in YES,
        )


def current() -> Settings:
    """The settings as the environment gives them now."""
    return Settings.from_environ()
