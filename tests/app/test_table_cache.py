"""A table already shown is replayed, not formatted and marshalled again: a warm rerun, or another session with the
same rows, reuses the stored grid; other rows make a new one."""

from __future__ import annotations

import pandas as pd
import pytest
import streamlit.elements.arrow as arrow

from dashboard import components
from tests.app import reference as ref
from tests.app.helpers import TIMEOUT, run_page, shown_cells


@pytest.fixture
def marshalled(monkeypatch):
    """Grids (pandas Stylers) that Streamlit marshals from now on, counted; the table cache starts empty."""
    calls = []
    marshall = arrow.marshall_styler

    def counting(proto, styler, default_uuid):
        calls.append(len(styler.data))
        return marshall(proto, styler, default_uuid)

    monkeypatch.setattr(arrow, "marshall_styler", counting)
    components._table.clear()
    return calls


def grids(at) -> list[pd.DataFrame]:
    return [shown_cells(d) for d in at.dataframe]


def test_a_warm_rerun_replays_the_table_without_marshalling_it(marshalled):
    at = run_page("partenariats", {"departement": "93"})
    assert not at.exception
    assert marshalled, "the first run draws the grid"
    first = grids(at)
    marshalled.clear()
    at.run(timeout=TIMEOUT)
    assert not at.exception
    assert marshalled == []
    replayed = grids(at)
    assert len(replayed) == len(first) == 1
    pd.testing.assert_frame_equal(replayed[0], first[0])


def test_another_session_with_the_same_rows_reuses_the_grid(marshalled):
    run_page("territoires", {"region": "76"})
    drawn = len(marshalled)
    assert drawn >= 3  # régions side by side, key figures, régies, QPV not covered
    marshalled.clear()
    at = run_page("territoires", {"region": "76"})
    assert not at.exception
    assert marshalled == []
    assert len(at.dataframe) == drawn
    assert len(at.html) > 0  # the printed copies of the printable tables are replayed with them


def test_other_rows_make_a_new_grid(marshalled, demo_data):
    run_page("partenariats", {"departement": "93"})
    marshalled.clear()
    at = run_page("partenariats", {"region": "84"})
    expected = ref.select(demo_data, ref.Ask(regions=("84",))).partenariats
    assert len(expected) > 0
    assert marshalled == [len(expected)]
    assert sorted(at.dataframe[0].value["Identifiant"]) == sorted(expected["id_partenariat"])


@pytest.fixture(scope="module")
def demo_data() -> ref.Data:
    return ref.load(ref.DEMO)


def test_content_key_tells_tables_apart_by_values_types_and_headers():
    frame = pd.DataFrame({"Code": ["a", "b"], "Nombre": [1, 2], "Codes": [["x"], ["y", "z"]]})
    key = components.content_key(frame)
    assert components.content_key(frame.copy(deep=True)) == key
    assert components.content_key(frame.assign(Codes=[["x"], ["y"]])) != key
    assert components.content_key(frame.assign(Nombre=[1.0, 2.0])) != key
    assert components.content_key(frame.rename(columns={"Nombre": "Total"})) != key
    assert components.content_key(frame.iloc[::-1]) != key
