"""The EPCI filter (contrats de ville) in the pages, on the demo data: counts from plain pandas over the files and
data/ref (a QPV's EPCI is its siren_epci, a régie's that of its commune)."""

from __future__ import annotations

import pandas as pd
import pytest

from geo import indicators
from tests.app import reference as ref
from tests.app.helpers import infos, run_page

LYON = "200046977"


@pytest.fixture(scope="module")
def expected() -> dict[str, int]:
    demo = ref.load(ref.DEMO)
    communes = pd.read_csv(ref.REF / "qpv2024_communes.csv", dtype=str, keep_default_na=False)
    epci_of = dict(zip(communes["insee_com"], communes["siren_epci"], strict=True))
    qpv = set(demo.qpv.loc[demo.qpv["siren_epci"] == LYON, "code_qp"])
    regies = demo.regies[demo.regies["insee_com"].map(epci_of) == LYON]
    parts = demo.partenariats[demo.partenariats["qpv_list"].map(lambda codes: bool(set(codes) & qpv))]
    covered = {c for codes in demo.regies["declared"] for c in codes} & qpv  # by any régie, inside the EPCI or not
    linked = {c for codes in parts["qpv_list"] for c in codes} & qpv
    return {"Régies": len(regies), "Partenariats": len(parts), "QPV couverts": len(covered),
            "QPV sans rien": len(qpv - covered - linked)}


def test_overview_figures_of_an_epci(expected):
    at = run_page("", {"epci": LYON})
    assert not at.exception, [e.value for e in at.exception]
    shown = {m.label: m.value for m in at.metric}
    assert shown["Régies"] == ref.fr_int(expected["Régies"])
    assert shown["Partenariats"] == ref.fr_int(expected["Partenariats"])
    assert shown["QPV couverts"] == ref.fr_int(expected["QPV couverts"])
    assert [c.value for c in at.caption][0] == "Métropole de Lyon"
    assert at.multiselect(key="f_epci").value == [LYON]


def test_portrait_of_an_epci(expected):
    at = run_page("territoires", {"epci": LYON})
    assert not at.exception, [e.value for e in at.exception]
    assert [h.value for h in at.header] == ["Portrait : Métropole de Lyon"]
    uncovered = next(s.value for s in at.subheader if s.value.startswith("QPV sans régie"))
    assert uncovered == indicators.GAP_NOTHING.heading(expected["QPV sans rien"])


def test_unknown_epci_is_ignored_with_a_notice():
    at = run_page("", {"epci": "123456789"})
    assert not at.exception
    assert infos(at) == ["EPCI « 123456789 » inconnu : ignoré."]
