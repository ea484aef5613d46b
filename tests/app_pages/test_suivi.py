"""The follow-up page (/suivi) on the demo, in AppTest: its quarter-by-quarter figures against a count written here
from the demo's files (régies' creation dates, partnerships' dates, declinations' signatures)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from tests.app import reference as ref
from tests.app.helpers import download_labels, run_page

SIGNATURE = pd.Timestamp("2024-07-01")  # the demo manifest's fictional signature day


def _day(text: str) -> pd.Timestamp:
    return pd.to_datetime(text, format="%d/%m/%Y") if text else pd.NaT


@pytest.fixture(scope="module")
def demo() -> ref.Data:
    return ref.load(ref.DEMO)


def expected_quarters(demo: ref.Data, region: str | None) -> pd.DataFrame:
    """Per quarter from the signature's to today's: QPV covered by the régies created by its last day, partnerships
    active on that day, started and ended within the quarter, declinations signed by then (in the région)."""
    qpv = demo.qpv if region is None else demo.qpv[demo.qpv["insee_reg"] == region]
    codes = set(qpv["code_qp"])
    parts = demo.partenariats[demo.partenariats["qpv_list"].map(lambda c: bool(set(c) & codes))]
    starts, ends = parts["date_debut"].map(_day), parts["date_fin"].map(_day)
    created = demo.regies["date_creation"].map(_day)
    signed = ref.read_csv(ref.DEMO / "declinaisons.csv")
    if region is not None:
        signed = signed[signed["insee_reg"] == region]
    signed_on = [_day(d) for d in signed["date_signature"] if d]
    rows = []
    today = pd.Timestamp(date.today())
    for period in pd.period_range(SIGNATURE.to_period("Q"), today.to_period("Q"), freq="Q"):
        first, last = period.start_time.normalize(), min(period.end_time.normalize(), today)
        existing = demo.regies[created.isna() | (created <= last)]
        covered = {c for declared in existing["declared"] for c in declared} & codes
        rows.append({"Trimestre": f"{period.year} T{period.quarter}", "QPV": len(codes),
                     "QPV couverts": len(covered),
                     "Partenariats actifs": int(((starts <= last) & (ends.isna() | (ends >= last))).sum()),
                     "Partenariats commencés": int(((starts >= first) & (starts <= last)).sum()),
                     "Partenariats terminés": int(((ends >= first) & (ends <= last)).sum()),
                     "Déclinaisons signées": sum(d <= last for d in signed_on)})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("region", [None, "84"], ids=["france", "auvergne-rhone-alpes"])
def test_the_quarters_shown_match_an_independent_count(demo, region):
    at = run_page("suivi", {"region": region} if region else {})
    assert not at.exception
    expected = expected_quarters(demo, region)
    shown = at.dataframe[0].value[list(expected.columns)].reset_index(drop=True)
    pd.testing.assert_frame_equal(shown, expected, check_dtype=False)
    assert expected["Partenariats commencés"].sum() > 0 and expected["Partenariats terminés"].sum() > 0
    # Every series has its CSV and XLSX, every chart its pictures; the rules are stated under the figures.
    labels = download_labels(at)
    assert labels.count("CSV (Excel)") == 4 and labels.count("XLSX") == 4
    assert labels.count("Image PNG") == 6 and labels.count("Image SVG") == 6
    assert "PowerPoint" in labels and "PDF" in labels  # the annual report
    assert any("Statut d'un partenariat à une date" in str(c.value) for c in at.caption)
