"""Chart builders, tested on the Vega-Lite spec they produce."""

from __future__ import annotations

import pandas as pd

from geo import fr
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
    assert charts.theme_bar(BY_THEME).to_dict()["height"] == charts.CHROME_PX + 34 * 6 + 2 * charts.SUBTITLE_LINE_PX


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
             charts.theme_mix_chart(BY_THEME.assign(part_nationale=0.1), "Occitanie")]
    expressions = {fr.vega_nombre("datum.value"), fr.vega_pourcentage("datum.value")}
    for chart in built:
        guides = _numeric_guides(chart.to_dict())
        assert guides, chart
        assert all(guide.get("labelExpr") in expressions for guide in guides), chart


def test_theme_mix_puts_territory_beside_france():
    comparison = BY_THEME.assign(part_nationale=[0.4, 0.1, 0.1, 0.2, 0.1, 0.1])
    rows = spec_data(charts.theme_mix_chart(comparison, "Occitanie"))
    assert {r["ensemble"] for r in rows} == {"Occitanie", "France"}
    assert rows[1] == {"short": "Cadre de vie", "ensemble": "France", "part": 0.4, "part_fr": "40,0\u202f%"}


def test_heatmap_writes_counts_in_cells():
    matrix = pd.DataFrame({"insee_reg": ["76", "76"], "lib_reg": ["Occitanie"] * 2,
                           "theme": ["cadre-de-vie", "cohesion-sociale"], "label": ["a", "b"],
                           "short": ["Cadre de vie", "Cohésion sociale"], "partenariats": [1500, 3],
                           "part": [0.9, 0.1]})
    rows = spec_data(charts.theme_region_heatmap(matrix))
    assert [r["valeur"] for r in rows] == ["1\u202f500", "3"]
