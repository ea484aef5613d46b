"""The pages' charts by name, as Vega-Lite specs: `dashboard.data.chart_spec` caches them per filters.

Building an Altair chart and turning it into Vega-Lite costs 30 to 300 ms a chart (Altair validates the spec
against the Vega-Lite JSON schema, and Streamlit converts it under a process-wide lock, so concurrent sessions
queue behind each other). The spec depends only on the data and the filters: it is built once per process and
drawn with `st.vega_lite_chart`, which is what `st.altair_chart` does with it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import altair as alt
import pandas as pd
from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec  # Streamlit is pinned

from geo import indicators
from geo.filters import Selection
from ui import charts
from ui.declinaisons import signatures_timeline, status_map


class ChartData(NamedTuple):
    """What a chart is drawn from: the selection, the national selection, where each région stands in declining
    the convention (`geo.declinaisons.declinations` of the selection)."""

    sel: Selection
    national: Selection
    declined: pd.DataFrame


# name -> builder of the chart from its data and the page's arguments
CHARTS: dict[str, Callable[..., alt.TopLevelMixin]] = {
    "themes": lambda d: charts.theme_bar(indicators.partnerships_by_theme(d.sel)),
    "starts": lambda d: charts.starts_bar(indicators.starts_by_year(d.sel)),
    "regions": lambda d: charts.territory_bar(indicators.by_region(d.sel), "lib_reg", "Partenariats par région"),
    "coverage": lambda d: charts.coverage_rate_bar(indicators.coverage_by_region(d.sel)),
    "theme_region": lambda d: charts.theme_region_heatmap(indicators.theme_region_matrix(d.sel)),
    "statuts": lambda d: charts.statut_bar(indicators.by_statut(d.sel)),
    "familles": lambda d: charts.famille_bar(indicators.by_famille(d.sel)),
    "organismes": lambda d: charts.organisme_bar(indicators.by_organisme(d.sel)),
    "timeline": lambda d: charts.starts_timeline(d.sel.partenariats),
    "theme_mix": lambda d, territory: charts.theme_mix_chart(
        indicators.compare_theme_mix(d.sel, d.national), territory, "Thèmes : territoire et France"),
    "declination_status": lambda d: status_map(d.sel.atlas.regions, d.declined),
    "declination_timeline": lambda d: signatures_timeline(d.declined),
}


def vega_lite_spec(chart: alt.TopLevelMixin) -> dict:
    """The Vega-Lite spec `st.altair_chart` sends for `chart`: Streamlit's own conversion (data as Arrow, no default
    size), private hence isolated here; tests/dashboard/test_chart_specs.py fails if an upgrade changes it."""
    return _convert_altair_to_vega_lite_spec(chart)


def build_spec(name: str, data: ChartData, *args) -> dict:
    """The Vega-Lite spec of chart `name`, exactly as `st.altair_chart` would send it."""
    return vega_lite_spec(CHARTS[name](data, *args))

