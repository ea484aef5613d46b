"""The dashboard's pure modules (URL codecs) are tested on the hand-made atlas of the domain tests, its Streamlit
modules in AppTest on the app tests' throw-away store and state folder."""

from tests.app.conftest import demo_store, made  # noqa: F401  (the fixtures)
from tests.geo.conftest import atlas  # noqa: F401  (the fixture)
