"""What a warm rerun must not redo: one store version query per run, no chart rebuilt from Altair."""

from __future__ import annotations

import altair as alt
import pytest

from store import Store
from tests.app.helpers import TIMEOUT, run_page


@pytest.fixture
def counted(monkeypatch):
    """Calls to the store's data_version and to Altair's chart → Vega-Lite conversion, counted from now on."""
    calls = {"data_version": 0, "altair": 0}
    version, to_dict = Store.data_version, alt.TopLevelMixin.to_dict

    def counting_version(self, *args, **kwargs):
        calls["data_version"] += 1
        return version(self, *args, **kwargs)

    def counting_to_dict(self, *args, **kwargs):
        calls["altair"] += 1
        return to_dict(self, *args, **kwargs)

    monkeypatch.setattr(Store, "data_version", counting_version)
    monkeypatch.setattr(alt.TopLevelMixin, "to_dict", counting_to_dict)
    return calls


@pytest.mark.parametrize("path", ["", "carte", "partenariats", "territoires", "donnees"])
def test_a_warm_run_asks_the_store_version_once(path, counted):
    at = run_page(path)
    assert not at.exception
    counted["data_version"] = 0
    at.run(timeout=TIMEOUT)
    assert not at.exception
    assert counted["data_version"] == 1


def test_a_warm_overview_builds_no_chart(counted):
    at = run_page("")
    assert len(at.get("vega_lite_chart")) == 6  # four charts and the two declination charts
    counted["altair"] = 0
    at.run(timeout=TIMEOUT)
    assert counted["altair"] == 0
    assert len(at.get("vega_lite_chart")) == 6
