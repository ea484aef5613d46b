"""The deployment's settings: every environment variable the application reads is read here, and nowhere else.

Each layer asks `current()` (the store for its database, the pages for the data folder and the login rule), so a
setting has one name, one default and one parser. Read on every call: the variables are few and cheap to read, and
tests change them with `monkeypatch.setenv`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from geo.fr import DATE_FORMAT

REPO = Path(__file__).resolve().parent
DEFAULT_DATA_DIR = REPO / "data" / "demo"
YES = ("1", "true", "oui")
# The BAN's public geocoder, run by IGN's Géoplateforme since the API Adresse left api-adresse.data.gouv.fr
# (batch endpoint: <url>/search/csv/, 50 requests/s per address). A deployment may name its own addok instead.
PUBLIC_GEOCODER_URL = "https://data.geopf.fr/geocodage"
NO_GEOCODER = ("0", "non", "aucun", "off")
DEFAULT_GEOCODER_TIMEOUT = 30.0  # seconds for the whole batch request; the public service answers 2 000 rows in less
MAX_GEOCODER_TIMEOUT = 300.0
SIGNATURE_DATE_FORMATS = (DATE_FORMAT, "%Y-%m-%d")


@dataclass(frozen=True)
class Settings:
    data_dir: Path  # CARTE_DATA_DIR: the folder an empty store is seeded from and whose QPV perimeters are drawn
    state_dir: Path  # CARTE_STATE_DIR: where the default SQLite store lives
    database_url: str  # CARTE_DATABASE_URL, else a SQLite file under `state_dir`
    login_required: bool  # CARTE_LOGIN_REQUIRED (1, true, oui): viewing needs an account too
    # CARTE_AUTEURS_PUBLICS (1, true, oui): visitors who are not logged in see the authors of the journal's change
    # sets (/historique, a partnership's statuses). Default: hidden, so that account names are not given away.
    authors_public: bool
    geocoder_url: str | None  # CARTE_GEOCODER_URL: the BAN geocoder (addok) placing addresses; None (0, non,
    # aucun, off): no geocoding, rows without coordinates go to their commune
    geocoder_timeout: float  # CARTE_GEOCODER_TIMEOUT: seconds the geocoder has for a whole file (0 < t ≤ 300)
    # CARTE_DATE_SIGNATURE (as geo.fr.DATE_FORMAT, or ISO): the day the national convention was signed, from which the
    # pages measure progress. No default: the repository does not know the exact day (2024), and a guessed one
    # would be shown as a fact. `signature_date_unread` keeps a value that is not a date, for the pages to say so.
    signature_date: date | None = None
    signature_date_unread: str = ""

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        state_dir = Path(environ.get("CARTE_STATE_DIR") or REPO / ".cache")
        return cls(
            data_dir=Path(environ.get("CARTE_DATA_DIR") or DEFAULT_DATA_DIR),
            state_dir=state_dir,
            database_url=environ.get("CARTE_DATABASE_URL", "").strip() or f"sqlite:///{state_dir / 'carte.sqlite3'}",
            login_required=environ.get("CARTE_LOGIN_REQUIRED", "").strip().lower() in YES,
            authors_public=environ.get("CARTE_AUTEURS_PUBLICS", "").strip().lower() in YES,
            geocoder_url=_geocoder_url(environ.get("CARTE_GEOCODER_URL", "")),
            geocoder_timeout=_geocoder_timeout(environ.get("CARTE_GEOCODER_TIMEOUT", "")),
            **_signature_date(environ.get("CARTE_DATE_SIGNATURE", "")),
        )


def _geocoder_url(value: str) -> str | None:
    value = value.strip()
    if value.lower() in NO_GEOCODER:
        return None
    return value.rstrip("/") or PUBLIC_GEOCODER_URL


def _geocoder_timeout(value: str) -> float:
    """The timeout in seconds; a value that is not a number in (0, 300] keeps the default, never an unbounded wait."""
    try:
        seconds = float(value.strip().replace(",", "."))
    except ValueError:
        return DEFAULT_GEOCODER_TIMEOUT
    return seconds if 0 < seconds <= MAX_GEOCODER_TIMEOUT else DEFAULT_GEOCODER_TIMEOUT


def _signature_date(value: str) -> dict:
    """`signature_date` when the value is a date, else `signature_date_unread` holding what was given."""
    value = value.strip()
    for fmt in SIGNATURE_DATE_FORMATS:
        try:
            return {"signature_date": datetime.strptime(value, fmt).date()}
        except ValueError:
            continue
    return {"signature_date_unread": value}


def current() -> Settings:
    """The settings as the environment gives them now."""
    return Settings.from_environ()
