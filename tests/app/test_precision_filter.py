"""The precision filter (how a régie's position was obtained) in the sidebar, on the demo data: every demo régie
is placed inside a quartier (geo/demo.py), none by hand; counts from the demo files read with plain pandas."""

from __future__ import annotations

from tests.app import reference as ref
from tests.app.helpers import run_page


def test_the_sidebar_shows_the_links_precision_and_a_change_writes_it_in_the_url():
    at = run_page("", {"precision": "inconnue,quartier"})
    assert not at.exception, [e.value for e in at.exception]
    widget = at.multiselect(key="f_precisions")
    assert widget.label == "Précision de la position des régies"
    assert widget.value == ["quartier", "inconnue"]
    assert {m.label: m.value for m in at.metric}["Régies"] == ref.fr_int(len(ref.load(ref.DEMO).regies))
    widget.set_value(["saisie"]).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.query_params["precision"] == "saisie"
    assert {m.label: m.value for m in at.metric}["Régies"] == "0"  # no demo régie was placed by hand
