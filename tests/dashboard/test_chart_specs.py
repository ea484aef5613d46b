"""dashboard/chart_specs.py turns charts into Vega-Lite with Streamlit's private `_convert_altair_to_vega_lite_spec`
(Altair's public `to_dict` inlines the data as JSON and adds its default size, where Streamlit sends Arrow and no
size). This test fails loudly when a Streamlit upgrade changes that conversion: a chart drawn from its spec with
`st.vega_lite_chart` must reach the browser exactly as `st.altair_chart` sends the chart itself."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.app.helpers import TIMEOUT


def draw_both() -> None:
    import pandas as pd
    import streamlit as st

    from dashboard.chart_specs import vega_lite_spec
    from ui.charts import starts_bar

    chart = starts_bar(pd.DataFrame({"annee": [2024, 2025, 2026], "partenariats": [3, 0, 7]}))
    st.altair_chart(chart, width="stretch")
    st.vega_lite_chart(vega_lite_spec(chart), width="stretch")


def test_a_spec_reaches_the_browser_as_st_altair_chart_sends_it():
    at = AppTest.from_function(draw_both, default_timeout=TIMEOUT)
    at.run(timeout=TIMEOUT)
    assert not at.exception, [e.value for e in at.exception]
    altair, vega = (element.proto for element in at.get("vega_lite_chart"))
    assert altair.spec == vega.spec and '"datasets"' not in altair.spec  # the data goes as Arrow, beside
    assert len(altair.datasets) == len(vega.datasets) == 1
    assert altair.datasets[0].name == vega.datasets[0].name
    assert altair.datasets[0].data.data == vega.datasets[0].data.data  # the same Arrow bytes
