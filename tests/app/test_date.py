"""The date setting (`date=` in the URL) on every page, in AppTest on the demo: the key figures at that day and their
change since the demo's signature, the rule under them, the messages for a day to come, before any record or
unreadable, the régions' change columns; figures recounted here from the demo's files."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard import filters_url
from geo import fr
from geo.filters import Filters
from geo.joins import build_atlas
from geo.load import load_folder
from tests.app import reference as ref
from tests.app.helpers import infos, run_page, warnings
from tests.ui.test_bilan import known

SIGNATURE = pd.Timestamp("2024-07-01")
DAY = pd.Timestamp("2025-12-31")


@pytest.fixture(scope="module")
def files():
    demo = ref.load(ref.DEMO)
    history = ref.read_csv(ref.DEMO / "historique_statuts.csv")
    recorded = {pid: list(pd.to_datetime(group["date"], format="%d/%m/%Y"))
                for pid, group in history.groupby("id_partenariat")}
    return demo, recorded


@pytest.fixture(scope="module")
def demo_atlas():
    return build_atlas(load_folder(ref.DEMO))


def test_the_date_round_trips_through_the_url(demo_atlas):
    filters, notices = filters_url.from_query_params({"date": "31/12/2025", "region": "84"}, demo_atlas)
    assert notices == [] and filters == Filters(regions=("84",), date=DAY.date())
    assert filters_url.to_query_params(filters) == {"region": "84", "date": "2025-12-31"}
    assert filters_url.from_query_params(filters_url.to_query_params(filters), demo_atlas)[0] == filters


def test_the_key_figures_at_a_date_and_their_change_since_the_signature(files):
    demo, recorded = files
    at = run_page("", {"date": DAY.strftime("%Y-%m-%d")})
    assert not at.exception
    cards = {m.label: m for m in at.metric}
    now, then = len(known(demo, recorded, DAY)), len(known(demo, recorded, SIGNATURE))
    assert cards["Partenariats"].value == fr.nombre(now)
    assert cards["Partenariats"].proto.delta == f"+{fr.nombre(now - then)} depuis la signature (démo)"
    assert any("Données au 31/12/2025. Chiffres à la date choisie" in str(c.value) for c in at.caption)


@pytest.mark.parametrize(("value", "message"), [
    ("2031-01-01", "Le 01/01/2031 est à venir"),
    ("2019-01-01", "Au 01/01/2019, aucun partenariat n'avait commencé"),
])
def test_a_day_to_come_or_before_any_record_is_said(value, message):
    at = run_page("", {"date": value})
    assert not at.exception and any(w.startswith(message) for w in warnings(at))


def test_an_unreadable_date_is_named_and_ignored():
    at = run_page("partenariats", {"date": "hier"})
    assert not at.exception
    assert "Date « hier » illisible (attendu : AAAA-MM-JJ, par exemple 2025-12-31) : ignorée." in infos(at)


def test_the_regions_table_has_its_change_columns(files):
    demo, recorded = files
    at = run_page("territoires", {"date": DAY.strftime("%Y-%m-%d")})
    assert not at.exception
    shown = at.dataframe[0].value.set_index("lib_reg")
    in_84 = set(demo.qpv.loc[demo.qpv["insee_reg"] == "84", "code_qp"])

    def count(day):
        return int(known(demo, recorded, day)["qpv_list"].map(lambda c: bool(set(c) & in_84)).sum())

    assert shown.loc["Auvergne-Rhône-Alpes", "partenariats"] == count(DAY)
    assert shown.loc["Auvergne-Rhône-Alpes", "evolution_partenariats"] == count(DAY) - count(SIGNATURE)


def test_presentation_steps_through_the_years_each_in_the_url():
    at = run_page("carte", {"presentation": "1", "date": "2025-12-31"})
    assert not at.exception

    def year_shown():
        return [str(m.value) for m in at.markdown if str(m.value).startswith("## « ")]

    assert year_shown() == ["## « 2025 »"]
    assert at.button(key="annee-precedente").proto.shortcut == "up"
    at.button(key="annee-precedente").click().run()
    assert at.query_params["date"] == "2024-12-31"
    assert year_shown() == ["## « 2024 »"]
    for _ in range(3):  # 2025, then the year under way (today: no date in the URL), then no further
        if not at.button(key="annee-suivante").disabled:
            at.button(key="annee-suivante").click().run()
    assert "date" not in at.query_params and year_shown() == [f"## « {pd.Timestamp.today().year} »"]
    assert at.button(key="annee-suivante").disabled and at.query_params["presentation"] == "1"
