"""The page tests (one file per app_pages/ module) run on the app tests' throw-away store and state folder."""

from tests.app.conftest import demo_store, made  # noqa: F401  (the fixtures)
