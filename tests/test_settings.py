from datetime import date
from pathlib import Path

import pytest

import settings


def test_defaults_without_any_variable():
    found = settings.Settings.from_environ({})
    assert found.data_dir == settings.REPO / "data" / "demo"
    assert found.state_dir == settings.REPO / ".cache"
    assert found.database_url == f"sqlite:///{settings.REPO / '.cache' / 'carte.sqlite3'}"
    assert found.login_required is False
    assert found.authors_public is False
    assert found.geocoder_url == "https://data.geopf.fr/geocodage"
    assert found.geocoder_timeout == 30.0


def test_each_variable_is_read():
    found = settings.Settings.from_environ({
        "CARTE_DATA_DIR": "/srv/donnees", "CARTE_STATE_DIR": "/var/lib/carte",
        "CARTE_DATABASE_URL": " postgresql+psycopg://carte@db/carte ", "CARTE_LOGIN_REQUIRED": "Oui",
        "CARTE_AUTEURS_PUBLICS": "oui",
        "CARTE_GEOCODER_URL": " http://addok.interne:7878/ ", "CARTE_GEOCODER_TIMEOUT": "12,5"})
    assert found.data_dir == Path("/srv/donnees")
    assert found.state_dir == Path("/var/lib/carte")
    assert found.database_url == "postgresql+psycopg://carte@db/carte"
    assert found.login_required is True
    assert found.authors_public is True
    assert found.geocoder_url == "http://addok.interne:7878"
    assert found.geocoder_timeout == 12.5


@pytest.mark.parametrize("value", ["0", "non", "Aucun", " off "])
def test_the_geocoder_can_be_switched_off(value):
    assert settings.Settings.from_environ({"CARTE_GEOCODER_URL": value}).geocoder_url is None


@pytest.mark.parametrize("value", ["", "vite", "0", "-3", "301", "inf", "nan"])
def test_a_timeout_that_is_not_a_bounded_number_keeps_the_default(value):
    assert settings.Settings.from_environ({"CARTE_GEOCODER_TIMEOUT": value}).geocoder_timeout == 30.0


def test_the_sqlite_file_follows_the_state_dir():
    assert settings.Settings.from_environ({"CARTE_STATE_DIR": "/tmp/x"}).database_url == "sqlite:////tmp/x/carte.sqlite3"


def test_current_reads_the_environment_now(monkeypatch):
    monkeypatch.setenv("CARTE_LOGIN_REQUIRED", "non")
    assert settings.current().login_required is False
    monkeypatch.setenv("CARTE_LOGIN_REQUIRED", "1")
    assert settings.current().login_required is True


def test_the_signature_date_has_no_default():
    found = settings.Settings.from_environ({})
    assert found.signature_date is None and found.signature_date_unread == ""


@pytest.mark.parametrize("value", ["14/03/2024", "2024-03-14", " 14/03/2024 "])
def test_the_signature_date_is_read_in_both_spellings(value):
    found = settings.Settings.from_environ({"CARTE_DATE_SIGNATURE": value})
    assert found.signature_date == date(2024, 3, 14) and found.signature_date_unread == ""


@pytest.mark.parametrize("value", ["mars 2024", "2024-13-01", "31/02/2024", "2024"])
def test_a_signature_date_that_is_not_a_date_is_kept_to_be_reported(value):
    found = settings.Settings.from_environ({"CARTE_DATE_SIGNATURE": value})
    assert found.signature_date is None and found.signature_date_unread == value
