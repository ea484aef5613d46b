"""Every app test runs on a throw-away store and state folder (the data cache), never on the developer's
`.cache/`."""

from __future__ import annotations

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager


@pytest.fixture(scope="session", autouse=True)
def demo_store(tmp_path_factory):
    """One SQLite store for the session, seeded from the demo folder by the app's first run."""
    url = f"sqlite:///{tmp_path_factory.mktemp('base-demo') / 'carte.sqlite3'}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CARTE_DATABASE_URL", url)
        patch.setenv("CARTE_STATE_DIR", str(tmp_path_factory.mktemp("etat")))
        patch.delenv("CARTE_DATA_DIR", raising=False)
        yield url


@pytest.fixture
def made(monkeypatch) -> dict:
    """File name -> (callable, mime type) of every download button whose file is made on click."""
    files = {}
    register = MediaFileManager.add_deferred

    def record(self, data_callable, mimetype, coordinates, file_name=None, **options):
        files[file_name] = (data_callable, mimetype)
        return register(self, data_callable, mimetype, coordinates, file_name=file_name, **options)

    monkeypatch.setattr(MediaFileManager, "add_deferred", record)
    return files
