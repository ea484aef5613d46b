"""Builders of the follow-up (ui.suivi) and of the two-date portrait (ui.tables): French tables that keep their
numbers, charts that draw every series, changes written as the cards write them."""

from __future__ import annotations

import pandas as pd
import pytest

from geo import timeline
from geo.filters import Filters
from geo.indicators import Kpis
from geo.load import load_folder
from tests.ui.conftest import DEMO
from ui import suivi
from ui.tables import change_text, territory_figures


@pytest.fixture(scope="module")
def follow(demo_atlas):
    datasets = load_folder(DEMO)
    history, _ = timeline.read_demo_history(datasets)
    followed = timeline.follow_up(demo_atlas, datasets.declinaisons, Filters(), "2024-07-01", "2026-11-27", history,
                                  "2026-11-27")
    return followed, timeline.regional_pace(followed)


def test_every_series_is_exported_under_french_headers_with_its_numbers(follow):
    followed, paced = follow
    tables = suivi.series_tables(followed, paced)
    assert list(tables) == ["suivi-trimestres", "suivi-themes", "suivi-regions", "suivi-rythme-regions"]
    quarters = tables["suivi-trimestres"]
    assert quarters["Trimestre"].tolist() == followed.quarters["libelle"].tolist()
    assert quarters["Partenariats commencés"].tolist() == followed.quarters["partenariats_commences"].tolist()
    assert pd.api.types.is_integer_dtype(quarters["QPV couverts"])
    assert set(tables["suivi-regions"]["Déclinaison signée"]) <= {"oui", "non"}
    assert len(tables["suivi-rythme-regions"]) == followed.regions["insee_reg"].nunique()


def test_the_charts_draw_the_follow_up(follow):
    followed, paced = follow
    charts = [suivi.qpv_chart(followed.quarters), suivi.partnerships_chart(followed.quarters),
              suivi.themes_chart(followed.themes), suivi.declinations_chart(followed.quarters),
              suivi.regions_small_multiples(followed.regions), suivi.pace_chart(paced)]
    specs = [chart.to_dict() for chart in charts]
    lines = pd.DataFrame(specs[1]["datasets"][next(iter(specs[1]["datasets"]))])
    assert set(lines["serie"]) == {"Commencés", "Actifs", "Terminés"}
    assert lines.loc[lines["serie"] == "Actifs", "valeur"].tolist() == followed.quarters["partenariats_actifs"].tolist()
    assert specs[4]["facet"]["field"] == "lib_reg"
    empty = suivi.qpv_chart(followed.quarters.iloc[:0]).to_dict()
    assert suivi.NO_QUARTER in str(empty)


def test_the_portrait_compares_two_dates():
    now = Kpis(3, 10, 5, 4, 20, 5, 3, 3, 8, 3, 0.5, 0.4, 1000.0, 10)
    then = Kpis(2, 10, 3, 1, 15, 5, 2, 2, 5, 2, 0.3, 0.1, 500.0, 5)
    table = territory_figures(now, now, then, "au 01/07/2024").set_index("Indicateur")
    assert list(table.columns) == ["Territoire au 01/07/2024", "Territoire", "Évolution depuis le 01/07/2024",
                                   "France", "Part de la France"]
    assert table.loc["QPV couverts par une régie (déclarés par la régie)", "Évolution depuis le 01/07/2024"] == "+2"
    assert table.loc["Taux de QPV couverts par une régie", "Évolution depuis le 01/07/2024"] == "+20,0 pts"
    assert change_text("partenariats", -3) == "−3" and change_text("regies", 0) == "0"
    assert change_text("regies", None) == "—"
