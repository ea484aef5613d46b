from pathlib import Path

import settings


def test_defaults_without_any_variable():
    found = settings.Settings.from_environ({})
    assert found.data_dir == settings.REPO / "data" / "demo"
    assert found.state_dir == settings.REPO / ".cache"
    assert found.database_url == f"sqlite:///{settings.REPO / '.cache' / 'carte.sqlite3'}"
    assert found.login_required is False


def test_each_variable_is_read():
    found = settings.Settings.from_environ({
        "CARTE_DATA_DIR": "/srv/donnees", "CARTE_STATE_DIR": "/var/lib/carte",
        "CARTE_DATABASE_URL": " postgresql+psycopg://carte@db/carte ", "CARTE_LOGIN_REQUIRED": "Oui"})
    assert found.data_dir == Path("/srv/donnees")
    assert found.state_dir == Path("/var/lib/carte")
    assert found.database_url == "postgresql+psycopg://carte@db/carte"
    assert found.login_required is True


def test_the_sqlite_file_follows_the_state_dir():
    assert settings.Settings.from_environ({"CARTE_STATE_DIR": "/tmp/x"}).database_url == "sqlite:////tmp/x/carte.sqlite3"


def test_current_reads_the_environment_now(monkeypatch):
    monkeypatch.setenv("CARTE_LOGIN_REQUIRED", "non")
    assert settings.current().login_required is False
    monkeypatch.setenv("CARTE_LOGIN_REQUIRED", "1")
    assert settings.current().login_required is True
