"""What a board is shown (issue 18), under a theme filter, a région filter and both, against the plain-pandas
recount of `tests.app.reference`: the two gaps named and counted where both appear, the files named after every
filter, and the régions' file keeping numbers and dates as such."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pandas as pd
import pytest

from tests.app import reference as ref
from tests.app.helpers import plain, run_page

TODAY = date.today().isoformat()
INSERTION = "insertion-professionnelle"
CASES = {  # URL parameters -> (reference request, what the file names say)
    "région": ({"region": "32"}, ref.Ask(regions=("32",)), "hauts-de-france"),
    "thème": ({"theme": INSERTION}, ref.Ask(themes=(INSERTION,)), "france-insertion-professionnelle-des-habitants"),
    "les deux": ({"region": "32", "theme": INSERTION}, ref.Ask(regions=("32",), themes=(INSERTION,)),
                 "hauts-de-france-insertion-professionnelle-des-habitants"),
}


@pytest.fixture(scope="module")
def demo() -> ref.Data:
    return ref.load(ref.DEMO)


def gaps(demo: ref.Data, ask: ref.Ask) -> tuple[int, int]:
    """(QPV sans régie ni partenariat, QPV sans partenariat) of the request, recounted."""
    scope = ref.select(demo, ask)
    linked = {c for codes in scope.partenariats["qpv_list"] for c in codes}
    return len(ref.uncovered(scope, demo)), int((~scope.qpv["code_qp"].isin(linked)).sum())


@pytest.mark.parametrize("case", CASES)
def test_territoires_names_both_gaps_with_their_counts(case, demo, made):
    params, ask, where = CASES[case]
    nothing, no_partnership = gaps(demo, ask)
    at = run_page("territoires", params)
    assert not at.exception, [e.value for e in at.exception]
    heading = next(plain(s.value) for s in at.subheader if "QPV sans régie ni partenariat" in s.value)
    scale = "" if "region" in params else " en France"
    assert heading.startswith(f"QPV sans régie ni partenariat{scale} ({ref.fr_int(nothing)}) : aucune régie ne les "
                              "déclare et aucun partenariat retenu par les filtres ne les concerne")
    caption = next(plain(c.value) for c in at.caption if "À ne pas confondre" in c.value)
    assert f"QPV sans partenariat ({ref.fr_int(no_partnership)}, page « Opportunités »)" in caption
    assert "Le territoire change cette liste" in caption  # which filters change which list
    for extension in ("csv", "xlsx"):
        assert f"qpv-sans-regie-ni-partenariat_{where}_{TODAY}.{extension}" in made
    sheet = pd.read_excel(io.BytesIO(made[f"qpv-sans-regie-ni-partenariat_{where}_{TODAY}.xlsx"][0]()))
    assert len(sheet) == nothing


@pytest.mark.parametrize("case", CASES)
def test_opportunites_names_both_gaps_with_their_counts(case, demo, made):
    params, ask, where = CASES[case]
    nothing, no_partnership = gaps(demo, ask)
    at = run_page("opportunites", params)
    assert not at.exception, [e.value for e in at.exception]
    summary = next(plain(m.value) for m in at.markdown if "sans partenariat**" in m.value)
    assert summary.startswith(f"**{ref.fr_int(no_partnership)} QPV sans partenariat** dans le périmètre filtré "
                              "(aucun partenariat retenu par les filtres ne les concerne, qu'une régie les déclare "
                              "ou non)")
    caption = next(plain(c.value) for c in at.caption if "À ne pas confondre" in c.value)
    assert f"QPV sans régie ni partenariat ({ref.fr_int(nothing)}, page « Territoires »" in caption
    assert f"opportunites-qpv-sans-partenariat_{where}_{TODAY}.xlsx" in made


def test_a_filtered_home_deck_is_not_named_like_the_portrait_deck(made):
    params = CASES["les deux"][0]
    home = run_page("", params)
    portrait = run_page("territoires", params)
    assert not home.exception and not portrait.exception
    assert f"diaporama_hauts-de-france-insertion-professionnelle-des-habitants_{TODAY}.pptx" in made
    assert f"diaporama-portrait_hauts-de-france-insertion-professionnelle-des-habitants_{TODAY}.pdf" in made


def test_regions_file_keeps_rates_and_dates_as_numbers_and_dates(demo, made):
    at = run_page("territoires")
    assert not at.exception, [e.value for e in at.exception]
    declared = {c for codes in demo.regies["declared"] for c in codes}
    qpv = demo.qpv.assign(couvert=demo.qpv["code_qp"].isin(declared))
    rates = qpv.groupby("insee_reg")["couvert"].mean()
    names = pd.read_csv(ref.REF / "regions.csv", dtype=str).set_index("insee_reg")["lib_reg"]
    expected = {names[code]: round(rate * 100, 1) for code, rate in rates.items()}
    sheet = openpyxl.load_workbook(io.BytesIO(made[f"regions_france_{TODAY}.xlsx"][0]())).active
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    rate_col, date_col = header.index("Taux de couverture (%)"), header.index("Signée le")
    got = {row[0]: row[rate_col] for row in rows[1:] if row[0] in expected}
    assert got == pytest.approx(expected) and all(isinstance(v, float | int) for v in got.values())
    dates = [row[date_col] for row in rows[1:] if row[date_col] is not None]
    assert dates and all(hasattr(d, "year") for d in dates)
    csv_rows = made[f"regions_france_{TODAY}.csv"][0]().decode("utf-8-sig").splitlines()
    csv_header = csv_rows[0].split(";")
    first = dict(zip(csv_header, csv_rows[1].split(";"), strict=True))
    assert "%" not in first["Taux de couverture (%)"]
    assert float(first["Taux de couverture (%)"].replace(",", ".")) == pytest.approx(expected[first["Région"]])
