"""The pages' charts by name, as Vega-Lite specs: `dashboard.data.chart_spec` caches them per filters.

Building an Altair chart and turning it into Vega-Lite costs 30 to 300 ms a chart (Altair validates the spec
against the Vega-Lite JSON schema, and Streamlit converts it under a process-wide lock, so concurrent sessions
queue behind each other). The spec depends only on the data and the filters: it is built once per process and
drawn with `st.vega_lite_chart`, which is what `st.altair_chart` does with it.
"""

from __future__ import annotations

from collections.abc import Callable

import altair as alt
from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec  # Streamlit is pinned

from geo import indicators
from geo.filters import Selection
from ui import charts

# name -> builder of the chart from the selection, the national selection and the page's arguments
CHARTS: dict[str, Callable[..., alt.TopLevelMixin]] = {
    "themes": lambda sel, national: charts.theme_bar(indicators.partnerships_by_theme(sel)),
    "starts": lambda sel, national: charts.starts_bar(indicators.starts_by_year(sel)),
    "regions": lambda sel, national: charts.territory_bar(indicators.by_region(sel), "lib_reg",
                                                          "Partenariats par région"),
    "coverage": lambda sel, national: charts.coverage_rate_bar(indicators.coverage_by_region(sel)),
    "theme_region": lambda sel, national: charts.theme_region_heatmap(indicators.theme_region_matrix(sel)),
    "statuts": lambda sel, national: charts.statut_bar(indicators.by_statut(sel)),
    "familles": lambda sel, national: charts.famille_bar(indicators.by_famille(sel)),
    "organismes": lambda sel, national: charts.organisme_bar(indicators.by_organisme(sel)),
    "timeline": lambda sel, national: charts.starts_timeline(sel.partenariats),
    "theme_mix": lambda sel, national, territory: charts.theme_mix_chart(
        indicators.compare_theme_mix(sel, national), territory, "Thèmes : territoire et France"),
}


def build_spec(name: str, sel: Selection, national: Selection, *args) -> dict:
    """The Vega-Lite spec of chart `name`, exactly as `st.altair_chart` would send it."""
    return _convert_altair_to_vega_lite_spec(CHARTS[name](sel, national, *args))

