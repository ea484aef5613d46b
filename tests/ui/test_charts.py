"""Chart builders, tested on the Vega-Lite spec they produce."""

from __future__ import annotations

import re

import pandas as pd
import pytest
import vl_convert

from geo import fr, indicators
from geo.filters import Filters, apply
from geo.schema import THEMES
from ui import charts


def spec_data(chart) -> list[dict]:
    spec = chart.to_dict()
    return next(iter(spec["datasets"].values()))


BY_THEME = pd.DataFrame({
    "theme": [t.slug for t in THEMES], "label": [t.label for t in THEMES], "short": [t.short for t in THEMES],
    "color": [t.color for t in THEMES], "partenariats": [1200, 5, 0, 3, 2, 1], "part": [0.5, 0.125, 0, 0.1, 0.05, 0.01],
})


def test_theme_bar_uses_theme_colours_in_convention_order():
    spec = charts.theme_bar(BY_THEME).to_dict()
    color = spec["layer"][0]["encoding"]["color"]["scale"]
    assert color["domain"] == [t.short for t in THEMES]
    assert color["range"] == [t.color for t in THEMES]
    assert spec["layer"][0]["encoding"]["y"]["sort"] == [t.short for t in THEMES]


def test_theme_bar_labels_are_french_formatted():
    rows = spec_data(charts.theme_bar(BY_THEME))
    assert rows[0]["valeur"] == "1\u202f200 (50,0\u202f%)"
    assert rows[1]["valeur"] == "5 (12,5\u202f%)"


def test_heights_leave_room_for_title_and_axes():
    assert charts.theme_bar(BY_THEME).to_dict()["height"] == (charts.CHROME_PX + 34 * 6
                                                             + len(charts.SHARE_NOTE) * charts.SUBTITLE_LINE_PX)


def test_coverage_rate_axis_is_percent_in_french():
    table = pd.DataFrame({"lib_reg": ["Occitanie", "Bretagne"], "qpv": [105, 30], "qpv_couverts": [21, 3],
                          "taux_couverture": [0.2, 0.1]})
    spec = charts.coverage_rate_bar(table).to_dict()
    axis = spec["layer"][0]["encoding"]["x"]["axis"]
    assert axis["labelExpr"] == fr.vega_pourcentage("datum.value")
    rows = spec_data(charts.coverage_rate_bar(table))
    assert rows[0]["taux"] == "20,0\u202f%" and rows[0]["detail"] == "21 sur 105"


def test_statut_bar_keeps_the_schema_order():
    table = pd.DataFrame({"statut": ["en projet", "en cours", "terminé"], "partenariats": [1, 2, 3],
                          "part": [1 / 6, 2 / 6, 3 / 6]})
    assert charts.statut_bar(table).to_dict()["layer"][0]["encoding"]["y"]["sort"] == ["en projet", "en cours",
                                                                                     "terminé"]


def test_territory_bar_keeps_the_largest():
    table = pd.DataFrame({"lib_reg": [f"R{i}" for i in range(30)], "partenariats": list(range(30))})
    rows = spec_data(charts.territory_bar(table, "lib_reg", "Par région", limit=5))
    assert [r["lib_reg"] for r in rows] == ["R29", "R28", "R27", "R26", "R25"]


def test_timeline_counts_starts_per_quarter_and_status():
    frame = pd.DataFrame({"date_debut": pd.to_datetime(["2024-01-15", "2024-02-01", "2024-04-01", "2025-12-31"]),
                          "statut": ["en cours", "en cours", "terminé", "en projet"]})
    rows = spec_data(charts.starts_timeline(frame))
    got = {(r["periode"], r["statut"]): r["partenariats"] for r in rows}
    assert got == {("2024 T1", "en cours"): 2, ("2024 T2", "terminé"): 1, ("2025 T4", "en projet"): 1}
    assert charts.starts_timeline(frame).to_dict()["encoding"]["tooltip"][2]["field"] == "valeur"


def test_timeline_shows_empty_quarters_as_empty():
    """From 2027 T3 to 2029 T2 the axis has the eight quarters, the five without start drawn empty."""
    frame = pd.DataFrame({"date_debut": pd.to_datetime(["2027-08-01", "2028-01-10", "2028-02-01", "2029-05-31"]),
                          "statut": ["en cours", "en cours", "terminé", "en projet"]})
    spec = charts.starts_timeline(frame).to_dict()
    expected = [f"{y} T{q}" for y in (2027, 2028, 2029) for q in (1, 2, 3, 4)][2:10]
    assert spec["encoding"]["x"]["scale"]["domain"] == expected
    assert spec["encoding"]["x"]["sort"] == expected
    drawn = {r["periode"] for r in spec_data(charts.starts_timeline(frame))}
    assert set(expected) - drawn == {"2027 T4", "2028 T2", "2028 T3", "2028 T4", "2029 T1"}


def test_every_theme_share_chart_states_the_one_definition():
    """« Part des partenariats » means one thing, said under each chart that shows it."""
    comparison = BY_THEME.assign(part_nationale=0.1, partenariats_national=9)
    for chart in (charts.theme_bar(BY_THEME), charts.theme_mix_chart(comparison, "Hauts-de-France")):
        spec = chart.to_dict()
        title = spec.get("title") or spec["layer"][0]["title"]
        assert title["subtitle"] == charts.SHARE_NOTE
    assert " ".join(charts.SHARE_NOTE).startswith("Part des partenariats : partenariats portant le thème ÷ "
                                                  "partenariats du périmètre.")


def test_theme_mix_leaves_its_bars_room_beside_a_long_territory_name():
    """In the portrait's column (about 400 px), the bars keep most of the width whatever the région's name: the
    legend stood on the right and left them about 50 px (plot width read on the rendered SVG's x-axis line)."""
    comparison = BY_THEME.assign(part_nationale=0.1, partenariats_national=9)
    spec = charts.theme_mix_chart(comparison, "Provence-Alpes-Côte d'Azur").to_dict()
    spec.update(width=400, autosize={"type": "fit", "contains": "padding"})
    svg = vl_convert.vegalite_to_svg(spec)
    domain = re.search(r'role-axis-domain"[^>]*><line transform="[^"]*" x2="([0-9.]+)"', svg)
    assert float(domain.group(1)) >= 200


def _numeric_guides(spec) -> list[dict]:
    """Every axis and legend of a quantitative channel in a spec, layers included."""
    found = []
    for part in [spec, *spec.get("layer", [])]:
        for channel in (part.get("encoding") or {}).values():
            if isinstance(channel, dict) and channel.get("type") == "quantitative":
                found += [channel[k] for k in ("axis", "legend") if k in channel]
    return found


def test_every_number_the_browser_formats_is_french():
    """No chart leaves a number axis or legend to Vega's English locale."""
    table = pd.DataFrame({"lib_reg": ["Occitanie"], "qpv": [105], "qpv_couverts": [21], "taux_couverture": [0.2],
                          "partenariats": [3000]})
    matrix = pd.DataFrame({"lib_reg": ["Occitanie"], "label": ["a"], "short": ["Cadre de vie"],
                           "partenariats": [1500], "part": [0.9]})
    built = [charts.theme_bar(BY_THEME), charts.territory_bar(table, "lib_reg", "t"),
             charts.starts_bar(pd.DataFrame({"annee": [2024], "partenariats": [1200]})),
             charts.coverage_rate_bar(table), charts.theme_region_heatmap(matrix),
             charts.theme_mix_chart(BY_THEME.assign(part_nationale=0.1, partenariats_national=9), "Occitanie")]
    expressions = {fr.vega_nombre("datum.value"), fr.vega_pourcentage("datum.value")}
    for chart in built:
        guides = _numeric_guides(chart.to_dict())
        assert guides, chart
        assert all(guide.get("labelExpr") in expressions for guide in guides), chart


def test_theme_mix_puts_territory_beside_france():
    comparison = BY_THEME.assign(part_nationale=[0.4, 0.1, 0.1, 0.2, 0.1, 0.1],
                                 partenariats_national=[2600, 650, 650, 1300, 650, 650])
    rows = spec_data(charts.theme_mix_chart(comparison, "Occitanie"))
    assert {r["ensemble"] for r in rows} == {"Occitanie", "France"}
    assert rows[1] == {"short": "Cadre de vie", "ensemble": "France", "part": 0.4, "n": 2600,
                       "part_fr": "40,0\u202f% (2\u202f600)"}


def test_heatmap_writes_counts_in_cells():
    matrix = pd.DataFrame({"insee_reg": ["76", "76"], "lib_reg": ["Occitanie"] * 2,
                           "theme": ["cadre-de-vie", "cohesion-sociale"], "label": ["a", "b"],
                           "short": ["Cadre de vie", "Cohésion sociale"], "partenariats": [1500, 3],
                           "part": [0.9, 0.1]})
    rows = spec_data(charts.theme_region_heatmap(matrix))
    assert [r["valeur"] for r in rows] == ["1\u202f500", "3"]


# --- issue 11: every chart draws or says why, labels fit, French order ------------------------------------------

ALL_CHARTS_EMPTY = {  # each builder on an empty selection's table
    "theme_bar": lambda: charts.theme_bar(BY_THEME.assign(partenariats=0, part=0.0)),
    "territory_bar": lambda: charts.territory_bar(pd.DataFrame({"lib_reg": [], "partenariats": []}), "lib_reg", "R"),
    "coverage": lambda: charts.coverage_rate_bar(pd.DataFrame(columns=["lib_reg", "qpv", "qpv_couverts",
                                                                       "taux_couverture"])),
    "statut": lambda: charts.statut_bar(pd.DataFrame({"statut": ["en projet", "en cours", "terminé"],
                                                      "partenariats": [0, 0, 0], "part": [0.0] * 3})),
    "heatmap": lambda: charts.theme_region_heatmap(pd.DataFrame(columns=["lib_reg", "short", "label",
                                                                         "partenariats", "part"])),
    "starts": lambda: charts.starts_bar(pd.DataFrame({"annee": [], "partenariats": []})),
    "timeline": lambda: charts.starts_timeline(pd.DataFrame({"date_debut": pd.to_datetime([]), "statut": []})),
    "famille": lambda: charts.famille_bar(pd.DataFrame({"famille": ["OPH"], "label": ["OPH"], "partenariats": [0],
                                                        "part": [0.0]})),
    "organisme": lambda: charts.organisme_bar(pd.DataFrame(columns=["nom_organisme", "famille", "partenariats",
                                                                    "regies"])),
}


@pytest.mark.parametrize("name", list(ALL_CHARTS_EMPTY))
def test_empty_selection_says_why_instead_of_a_blank_chart(name):
    spec = ALL_CHARTS_EMPTY[name]().to_dict()
    assert spec["mark"]["type"] == "text"
    message = spec_data(ALL_CHARTS_EMPTY[name]())[0]["message"]
    assert message.startswith("Aucun")


def test_one_region_gets_a_visible_bar():
    table = pd.DataFrame({"lib_reg": ["Hauts-de-France"], "partenariats": [78]})
    spec = charts.territory_bar(table, "lib_reg", "Partenariats par région").to_dict()
    assert spec["height"] - charts.CHROME_PX >= 26  # the band left once title and axes are drawn
    assert spec["layer"][0]["encoding"]["y"]["sort"] == ["Hauts-de-France"]
    coverage = pd.DataFrame({"lib_reg": ["Hauts-de-France"], "qpv": [204], "qpv_couverts": [45],
                             "taux_couverture": [45 / 204]})
    spec = charts.coverage_rate_bar(coverage).to_dict()
    assert spec["height"] - charts.CHROME_PX >= 26 and spec["layer"][0]["encoding"]["y"]["sort"] == ["Hauts-de-France"]


def test_value_labels_have_room_right_of_the_longest_bar():
    spec = charts.theme_bar(BY_THEME).to_dict()
    domain_max = spec["layer"][0]["encoding"]["x"]["scale"]["domain"][1]
    longest = "1\u202f200 (50,0\u202f%)"  # 14 characters: the bar may fill at most 1 / (1 + 14 × 5 %) of the width
    assert domain_max >= 1200 * (1 + 0.05 * len(longest))


def test_heatmap_labels_every_theme_and_sorts_regions_the_french_way():
    rows = [{"lib_reg": reg, "short": t.short, "label": t.label, "partenariats": 1, "part": 0.5}
            for reg in ["Auvergne-Rhône-Alpes", "Île-de-France", "Normandie"] for t in THEMES]
    spec = charts.theme_region_heatmap(pd.DataFrame(rows)).to_dict()
    x_axis = spec["layer"][0]["encoding"]["x"]["axis"]
    assert x_axis["labelOverlap"] is False
    assert spec["layer"][0]["encoding"]["y"]["sort"] == ["Auvergne-Rhône-Alpes", "Île-de-France", "Normandie"]


def test_theme_bar_says_shares_may_add_up_above_100():
    title = charts.theme_bar(BY_THEME).to_dict()["layer"][0]["title"]
    assert "plusieurs thèmes" in " ".join(title["subtitle"])


def test_famille_and_organisme_charts():
    by_famille = pd.DataFrame({"famille": ["OPH", "Coop HLM"], "label": ["OPH", "Coop'HLM"], "partenariats": [3, 1],
                               "part": [0.75, 0.25]})
    rows = spec_data(charts.famille_bar(by_famille))
    assert [r["label"] for r in rows] == ["OPH", "Coop'HLM"] and rows[0]["valeur"] == "3 (75,0\u202f%)"
    organismes = pd.DataFrame({"nom_organisme": [f"O{i}" for i in range(15)], "famille": ["OPH"] * 15,
                               "partenariats": list(range(15, 0, -1)), "regies": [1] * 15})
    spec = charts.organisme_bar(organismes, limit=10).to_dict()
    assert spec["layer"][0]["encoding"]["y"]["sort"] == [f"O{i}" for i in range(10)]
    assert "10 premiers" in spec["layer"][0]["title"]["text"]


@pytest.mark.parametrize("name", list(ALL_CHARTS_EMPTY))
def test_no_chart_offers_vega_s_english_menu(name):
    assert ALL_CHARTS_EMPTY[name]().to_dict()["usermeta"] == {"embedOptions": {"actions": False}}
    assert charts.theme_bar(BY_THEME).to_dict()["usermeta"] == {"embedOptions": {"actions": False}}


# --- issue 18: one « Part des partenariats », the same number on every page and in the decks -------------------

@pytest.mark.parametrize("filters", [Filters(regions=("32",)), Filters(themes=("insertion-professionnelle",)),
                                     Filters(regions=("32",), themes=("insertion-professionnelle",))], ids=str)
def test_portrait_deck_and_partnerships_page_say_the_same_share(demo_atlas, filters):
    """The portrait's and the territory deck's comparison (`theme_mix_chart`) and the « Partenariats par thème »
    bars of /partenariats and the home page (`theme_bar`) carry, for each theme, the share recounted here from
    the partnerships' own theme and QPV lists."""
    region_of = dict(zip(demo_atlas.qpv["code_qp"], demo_atlas.qpv["insee_reg"], strict=True))
    kept = [p for p in demo_atlas.partenariats.itertuples()
            if (not filters.regions or any(region_of[q] in filters.regions for q in p.qpv))
            and (not filters.themes or set(p.themes) & set(filters.themes))]
    expected = {t.short: sum(t.slug in p.themes for p in kept) / len(kept) for t in THEMES}
    sel, national = apply(demo_atlas, filters), apply(demo_atlas, Filters())
    bars = {r["short"]: r["valeur"] for r in spec_data(charts.theme_bar(indicators.partnerships_by_theme(sel)))}
    portrait = {r["short"]: r["part"] for r in spec_data(charts.theme_mix_chart(
        indicators.compare_theme_mix(sel, national), "Territoire")) if r["ensemble"] == "Territoire"}
    assert portrait == pytest.approx(expected)
    assert bars == {short: f"{fr.nombre(round(share * len(kept)))} ({fr.pourcentage(share)})"
                    for short, share in expected.items()}
    if filters.themes:  # a theme filter leaves the other themes of its partnerships: not all zero
        assert sum(share > 0 for share in expected.values()) > 1


def test_hauts_de_france_cadre_de_vie_reads_the_same_everywhere(demo_atlas):
    """The issue's case: 36 of the 78 partnerships of Hauts-de-France, 46,2 %, and not 25 % of theme mentions."""
    sel = apply(demo_atlas, Filters(regions=("32",)))
    region = set(demo_atlas.qpv.loc[demo_atlas.qpv["insee_reg"] == "32", "code_qp"])
    kept = [p for p in demo_atlas.partenariats.itertuples() if set(p.qpv) & region]
    carrying = sum("cadre-de-vie" in p.themes for p in kept)
    compared = indicators.compare_theme_mix(sel, apply(demo_atlas, Filters())).set_index("theme")
    assert fr.pourcentage(compared.loc["cadre-de-vie", "part"]) == fr.pourcentage(carrying / len(kept))
