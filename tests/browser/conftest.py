"""The real app (`streamlit run server.py`: app.py and its session route) driven by Chromium through Playwright.

Two servers per session: one on the demo data, one on the XSS fixture folder (CARTE_DATA_DIR), each on its own
throw-away store (CARTE_DATABASE_URL); the login and store flow tests share one with the Hauts-de-France
contributor, the declination and failing-page tests start their own. Chromium is never
downloaded: the tests use /usr/bin/chromium and, when it is missing, stop the run (never skip) with one sentence.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from store import CONTRIBUTEUR, Store, add_user
from tests.app import reference as ref
from tests.app.fixture_data import write_fixture
from tests.app.store_flow import HDF, PASSWORD
from tests.paths import REPO
from tools.system_deps import CHROMIUM, missing_message

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1440, "height": 1000}
STARTUP_TIMEOUT = 60  # seconds for the server to answer /_stcore/health
WARM_UP_TIMEOUT = 180_000  # ms for a fresh server's first page


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def store_url(folder: Path) -> str:
    """A throw-away SQLite store in `folder`: a test server never writes into the developer's store."""
    return f"sqlite:///{folder / 'carte.sqlite3'}"


def contributor_store(folder: Path, data: Path) -> str:
    """The URL of a throw-away store in `folder`, seeded from `data`, with the Hauts-de-France contributor."""
    url = store_url(folder)
    store = Store.open(url, reference_folder=data)
    store.seed_from_folder(data)
    add_user(store, "hdf", CONTRIBUTEUR, [HDF], password=PASSWORD)
    store.close()
    return url


def serve(data_dir: Path | None, log: Path, database_url: str, preload: str = "") -> Iterator[str]:
    """The app on a free port until the generator closes; `preload`: Python run in the server's process first
    (to make a page fail on purpose)."""
    port = _free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "CARTE_DATABASE_URL": database_url}
    env.pop("CARTE_DATA_DIR", None)
    env.pop("CARTE_LOGIN_REQUIRED", None)
    if data_dir is not None:
        env["CARTE_DATA_DIR"] = str(data_dir)
    launcher = ["-c", f"{preload}\nfrom streamlit.web.cli import main\nmain()"] if preload else ["-m", "streamlit"]
    command = [sys.executable, *launcher, "run", "server.py", "--server.port", str(port),
               "--server.address", "127.0.0.1", "--server.headless", "true",
               "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    with open(log, "wb") as out:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not _healthy(url):
            if process.poll() is not None:
                pytest.fail(f"streamlit exited with code {process.returncode}:\n{log.read_text()[-3000:]}")
            if time.monotonic() > deadline:
                pytest.fail(f"streamlit did not answer /_stcore/health in {STARTUP_TIMEOUT} s:\n"
                            f"{log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def warm_up(browser, url: str) -> None:
    """Open a fresh server's first page once, before the tests: it seeds the store and loads and joins the data
    (seconds; over a minute on a loaded machine), a cost that no test's own timeout should pay."""
    page = browser.new_page()
    try:
        page.goto(url)
        page.locator("h1").first.wait_for(timeout=WARM_UP_TIMEOUT)
    finally:
        page.close()


@pytest.fixture(scope="session")
def base_url(tmp_path_factory, browser) -> Iterator[str]:
    """The app on the demo data (its own store, seeded from the demo folder at the first page)."""
    folder = tmp_path_factory.mktemp("serveur-demo")
    for url in serve(None, folder / "streamlit.log", store_url(folder)):
        warm_up(browser, url)
        yield url


@pytest.fixture(scope="session")
def contributor_url(tmp_path_factory) -> Iterator[str]:
    """The app on its own store seeded from the demo, with the Hauts-de-France contributor."""
    folder = tmp_path_factory.mktemp("serveur-contributeur")
    yield from serve(None, folder / "streamlit.log", contributor_store(folder, ref.DEMO))


@pytest.fixture(scope="session")
def xss_folder(tmp_path_factory) -> Path:
    return write_fixture(tmp_path_factory.mktemp("donnees-xss"))


@pytest.fixture(scope="session")
def xss_url(xss_folder, tmp_path_factory, browser) -> Iterator[str]:
    """The app on the fixture folder whose régie is named `<img src=x onerror=alert(1)>`."""
    folder = tmp_path_factory.mktemp("serveur-xss")
    for url in serve(xss_folder, folder / "streamlit.log", store_url(folder)):
        warm_up(browser, url)
        yield url


# The home page's key figures raise, as a bug would: what the visitor sees, and what the log keeps.
FAILING_KPIS = """
import geo.indicators

def _fail(*args, **kwargs):
    raise RuntimeError("détail interne /srv/carte/secret.py")

geo.indicators.kpis = _fail
"""


@pytest.fixture(scope="session")
def failing_server(xss_folder, tmp_path_factory, browser) -> Iterator[tuple[str, Path]]:
    """(URL, log file) of the app on the small fixture folder, whose home page fails (FAILING_KPIS)."""
    folder = tmp_path_factory.mktemp("serveur-erreur")
    log = folder / "streamlit.log"
    for url in serve(xss_folder, log, store_url(folder), preload=FAILING_KPIS):
        warm_up(browser, url)
        yield url, log


def pytest_collection_finish(session):
    """Without Chromium, stop before any test with `make test`'s sentence rather than one error per browser test."""
    if not CHROMIUM.exists() and any(item.get_closest_marker("browser") for item in session.items):
        pytest.exit(missing_message("chromium"), returncode=pytest.ExitCode.USAGE_ERROR)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh page (own context: no shared session state) of 1440×1000 that records JS dialogs and requests."""
    context = browser.new_context(viewport=VIEWPORT, locale="fr-FR", accept_downloads=True)
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.dialogs = []
    page.requests = []

    def on_dialog(dialog):
        page.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("request", lambda request: page.requests.append(request.url))
    yield page
    context.close()
