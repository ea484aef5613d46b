"""The dashboard's pure modules (URL codecs) are tested on the hand-made atlas of the domain tests."""

from tests.geo.conftest import atlas  # noqa: F401  (the fixture)
