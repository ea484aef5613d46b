"""Theme figures under a theme filter, a région filter and both (issue 18): a theme filter selects partnerships and
their other themes are still theirs; « Part des partenariats » is always partnerships carrying the theme over the
partnerships of the perimeter. Expected values are recounted from the partnerships' own theme and QPV lists, not
from `links` nor `geo.filters.apply`."""

from __future__ import annotations

import pytest

from geo import indicators
from geo.filters import Filters, apply
from geo.schema import THEMES

CASES = [Filters(themes=("cohesion-sociale",)), Filters(regions=("84",)),
         Filters(regions=("84",), themes=("cohesion-sociale",)), Filters(regions=("11",), themes=("cadre-de-vie",))]


def _kept(atlas, filters: Filters) -> list:
    """The valid partnerships with a QPV in the filters' régions and one of their themes, by hand."""
    region_of = dict(zip(atlas.qpv["code_qp"], atlas.qpv["insee_reg"], strict=True))
    return [p for p in atlas.partenariats.itertuples()
            if (not filters.regions or any(region_of.get(q) in filters.regions for q in p.qpv))
            and (not filters.themes or set(p.themes) & set(filters.themes))]


@pytest.mark.parametrize("filters", CASES, ids=str)
def test_a_theme_filter_keeps_the_other_themes_of_its_partnerships(atlas, filters):
    kept = _kept(atlas, filters)
    table = indicators.partnerships_by_theme(apply(atlas, filters)).set_index("theme")
    for theme in THEMES:
        n = sum(theme.slug in p.themes for p in kept)
        assert table.loc[theme.slug, "partenariats"] == n, theme.slug
        assert table.loc[theme.slug, "part"] == pytest.approx(n / len(kept)), theme.slug


def test_the_both_filters_case_counts_the_other_themes(atlas):
    # Région 84 × cohésion sociale: P01 (cadre de vie + cohésion sociale), P05 (transition écologique + cohésion).
    table = indicators.partnerships_by_theme(apply(atlas, Filters(regions=("84",), themes=("cohesion-sociale",))))
    assert list(table["partenariats"]) == [1, 1, 2, 0, 0, 0]


@pytest.mark.parametrize("filters", CASES, ids=str)
def test_the_portrait_comparison_uses_the_same_share(atlas, filters):
    """The portrait's and the deck's « Thèmes : territoire et France » say the number `/partenariats` says."""
    sel, national = apply(atlas, filters), apply(atlas, Filters())
    compared = indicators.compare_theme_mix(sel, national)
    assert compared["part"].tolist() == indicators.partnerships_by_theme(sel)["part"].tolist()
    everything = _kept(atlas, Filters())
    assert compared["part_nationale"].tolist() == pytest.approx(
        [sum(t.slug in p.themes for p in everything) / len(everything) for t in THEMES])


@pytest.mark.parametrize("filters", CASES, ids=str)
def test_theme_region_matrix_keeps_the_other_themes(atlas, filters):
    region_of = dict(zip(atlas.qpv["code_qp"], atlas.qpv["insee_reg"], strict=True))
    kept = _kept(atlas, filters)
    table = indicators.theme_region_matrix(apply(atlas, filters))
    regions = {r for p in kept for r in (region_of[q] for q in p.qpv)
               if not filters.regions or r in filters.regions}
    assert set(table["insee_reg"]) == regions
    for row in table.itertuples():
        here = [p for p in kept if any(region_of[q] == row.insee_reg for q in p.qpv)]
        n = sum(row.theme in p.themes for p in here)
        assert (row.partenariats, row.part) == (n, pytest.approx(n / len(here))), (row.insee_reg, row.theme)


# --- the two gaps, named once --------------------------------------------------------------------------------

GAP_CASES = [*CASES, Filters(themes=("inclusion-numerique",)),
             Filters(regions=("84",), themes=("inclusion-numerique",))]


@pytest.mark.parametrize("filters", GAP_CASES, ids=str)
def test_the_two_gaps_against_a_recount(atlas, filters):
    """« QPV sans partenariat » (no kept partnership) and « QPV sans régie ni partenariat » (nor a régie's
    declaration), recounted from the partnerships' QPV lists."""
    region_of = dict(zip(atlas.qpv["code_qp"], atlas.qpv["insee_reg"], strict=True))
    covered = set(atlas.qpv.loc[atlas.qpv["couvert"], "code_qp"])
    linked = {q for p in _kept(atlas, filters) for q in p.qpv}
    territory = {q for q, r in region_of.items() if not filters.regions or r in filters.regions}
    sel = apply(atlas, filters)
    assert set(indicators.qpv_without_partnership(sel)["code_qp"]) == territory - linked
    assert set(indicators.uncovered_qpv(sel)["code_qp"]) == territory - linked - covered
    assert list(indicators.qpv_without_partnership(sel).columns) == list(indicators.uncovered_qpv(sel).columns)


def test_a_theme_filter_changes_the_gap_without_partnership_more(atlas):
    """Which list the filters change: under « inclusion numérique », QPV whose partnerships carry other themes
    join « sans partenariat »; « sans régie ni partenariat » only gains those no régie declares."""
    everything, themed = apply(atlas, Filters()), apply(atlas, Filters(themes=("inclusion-numerique",)))
    gained = (set(indicators.qpv_without_partnership(themed)["code_qp"])
              - set(indicators.qpv_without_partnership(everything)["code_qp"]))
    gained_nothing = (set(indicators.uncovered_qpv(themed)["code_qp"])
                      - set(indicators.uncovered_qpv(everything)["code_qp"]))
    assert gained_nothing == {q for q in gained if not atlas.qpv.set_index("code_qp").loc[q, "couvert"]}
    assert gained > gained_nothing


def test_gap_headings_carry_their_definition():
    for gap in (indicators.GAP_NOTHING, indicators.GAP_NO_PARTNERSHIP):
        assert gap.heading(1275) == f"{gap.title} (1\u202f275) : {gap.definition}"
    assert indicators.GAP_NOTHING.kind == "qpv-sans-regie-ni-partenariat"
    assert indicators.GAP_NO_PARTNERSHIP.kind == "qpv-sans-partenariat"
