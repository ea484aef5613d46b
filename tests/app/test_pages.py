"""The five pages on the demo data, in Streamlit's AppTest: figures checked against an independent pandas count."""

from __future__ import annotations

import html
import json
import re

import pandas as pd
import pytest

from geo import indicators
from tests.app import reference as ref
from tests.app.helpers import (
    BANNER,
    SCRIPTS,
    TITLES,
    download_labels,
    infos,
    map_args,
    map_text,
    run_page,
    shown_cells,
    warnings,
)
from ui.text import escape_markdown


@pytest.fixture(scope="module")
def demo() -> ref.Data:
    return ref.load(ref.DEMO)


@pytest.fixture(scope="module")
def national(demo) -> dict[str, int]:
    return ref.select(demo, ref.Ask()).kpis


# --- every page, with and without filters ---------------------------------------------------------------------

FILTER_SETS = {
    "sans-filtre": {},
    "region-theme-statut-annees": {"region": "84", "theme": "cadre-de-vie", "statut": "en-cours",
                                   "annee_min": "2024", "annee_max": "2027"},
    "departement-famille-recherche": {"departement": "93", "famille": "OPH", "q": "saint"},
}


@pytest.mark.parametrize("filters", list(FILTER_SETS), ids=list(FILTER_SETS))
@pytest.mark.parametrize("path", list(SCRIPTS), ids=[p or "accueil" for p in SCRIPTS])
def test_page_renders_with_demo_banner(path, filters):
    at = run_page(path, FILTER_SETS[filters])
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == [TITLES[path]]
    assert any(BANNER in w for w in warnings(at)), "the demo banner is missing"
    assert not [e.value for e in at.error]
    assert not [n for n in infos(at) if re.search("ignoré|invalide|inconnu", n)], "valid parameters, no notice"


# --- key figures ----------------------------------------------------------------------------------------------

KPI_CASES = {
    "national": ({}, ref.Ask()),
    "region-84": ({"region": "84"}, ref.Ask(regions=("84",))),
    "region-11-inclusion": ({"region": "11", "theme": "inclusion-numerique"},
                            ref.Ask(regions=("11",), themes=("inclusion-numerique",))),
    "en-cours-depuis-2025": ({"statut": "en-cours", "annee_min": "2025"}, ref.Ask(statuts=("en cours",),
                                                                                  annee_min=2025)),
    "departement-93": ({"departement": "93"}, ref.Ask(departements=("93",))),
    "recherche-saint-denis": ({"q": "saint-denis"}, ref.Ask(q="saint-denis")),
    "deux-regions-oph-termine-jusqu-2026": (
        {"region": "76,84", "famille": "OPH", "statut": "termine", "annee_max": "2026"},
        ref.Ask(regions=("76", "84"), familles=("OPH",), statuts=("terminé",), annee_max=2026)),
    "region-et-departement-themes": (
        {"region": "11", "departement": "93,94", "theme": "cohesion-sociale,precarite-energetique"},
        ref.Ask(regions=("11",), departements=("93", "94"), themes=("cohesion-sociale", "precarite-energetique"))),
}


@pytest.mark.parametrize("case", list(KPI_CASES), ids=list(KPI_CASES))
def test_overview_kpis_match_independent_count(case, demo, national):
    params, ask = KPI_CASES[case]
    expected = ref.select(demo, ask).kpis
    at = run_page("", params)
    assert not at.exception
    shown = {m.label: m.value for m in at.metric}
    assert list(shown) == list(ref.KPI_LABELS)
    assert shown == {label: ref.card(label, expected[label]) for label in ref.KPI_LABELS}
    captions = [c.value for c in at.caption if str(c.value).startswith("France :")]
    if params:
        assert captions == [f"France : {ref.card(label, national[label])}" for label in ref.KPI_LABELS]
    else:
        assert captions == []


def test_national_figures_use_french_thousands_separator(national):
    at = run_page("")
    shown = {m.label: m.value for m in at.metric}
    assert national["Salariés"] >= 1000
    assert shown["Salariés"] == f"{national['Salariés'] // 1000}\u202f{national['Salariés'] % 1000:03d}"



def _chart_tables(at) -> list[pd.DataFrame]:
    """The data of each chart on the page, decoded from the Arrow datasets sent to the browser."""
    import pyarrow as pa

    return [pa.ipc.open_stream(d.data.data).read_all().to_pandas()
            for chart in at.get("vega_lite_chart") for d in chart.proto.datasets]


def _statut_counts(tables: list[pd.DataFrame]) -> dict[str, int]:
    (table,) = [t for t in tables if list(t.columns[:2]) == ["statut", "partenariats"]]
    return {s: int(n) for s, n in zip(table["statut"], table["partenariats"], strict=True) if n}


def test_charts_follow_the_filters_and_stay_the_same_when_served_again(demo):
    """Charts are built once per filters and shared: a run served from that cache shows the same data, and other
    filters show theirs (status counts checked against the independent count)."""
    expected = {}
    for name, params, ask in (("region", {"region": "11"}, ref.Ask(regions=("11",))), ("national", {}, ref.Ask())):
        counts = ref.select(demo, ask).partenariats["statut"].value_counts()
        expected[name] = {s: int(n) for s, n in counts.items()}
        first = run_page("partenariats", params)
        again = run_page("partenariats", params)
        assert not first.exception and not again.exception
        assert len(first.get("vega_lite_chart")) == 6  # heatmap, statuses, themes, families, organisms, timeline
        assert _statut_counts(_chart_tables(first)) == expected[name]
        for a, b in zip(_chart_tables(first), _chart_tables(again), strict=True):
            pd.testing.assert_frame_equal(a, b)
    assert expected["region"] != expected["national"]


# --- partnerships ---------------------------------------------------------------------------------------------

PARTNERSHIP_CASES = {
    "tout": ({}, ref.Ask()),
    "region-11-inclusion": ({"region": "11", "theme": "inclusion-numerique"},
                            ref.Ask(regions=("11",), themes=("inclusion-numerique",))),
    "en-cours-2025": ({"statut": "en-cours", "annee_min": "2025", "annee_max": "2025"},
                      ref.Ask(statuts=("en cours",), annee_min=2025, annee_max=2025)),
    "recherche": ({"q": "Régie de quartier des Peupliers"}, ref.Ask(q="Régie de quartier des Peupliers")),
}


@pytest.mark.parametrize("case", list(PARTNERSHIP_CASES), ids=list(PARTNERSHIP_CASES))
def test_partnership_table_matches_independent_filter(case, demo):
    params, ask = PARTNERSHIP_CASES[case]
    expected = ref.select(demo, ask).partenariats
    at = run_page("partenariats", params)
    assert not at.exception
    table = at.dataframe[0].value
    assert len(table) == len(expected)
    assert sorted(table["Identifiant"]) == sorted(expected["id_partenariat"])
    word = "partenariat" if len(expected) < 2 else "partenariats"
    assert any(m.value.startswith(f"**{ref.fr_int(len(expected))} {word}** dans le périmètre filtré")
               for m in at.markdown)
    assert {"CSV (Excel)", "XLSX"} <= set(download_labels(at))


def test_partnership_table_rows_carry_the_file_values(demo):
    at = run_page("partenariats", {"departement": "93"})
    table = at.dataframe[0].value.set_index("Identifiant")
    text = shown_cells(at.dataframe[0]).set_index("Identifiant")
    expected = ref.select(demo, ref.Ask(departements=("93",))).partenariats.set_index("id_partenariat")
    assert len(expected) > 0
    regies = demo.regies.set_index("id_regie")["nom"]
    organismes = demo.organismes.set_index("siren")["nom"]
    quartiers = demo.qpv.set_index("code_qp")["lib_qp"]
    for pid, row in expected.iterrows():
        shown = table.loc[pid]
        assert shown["Régie"] == regies[row["id_regie"]]
        assert shown["Organisme HLM"] == organismes[row["siren_organisme"]]
        assert shown["Statut"] == row["statut"]
        assert text.loc[pid, "Début"] == row["date_debut"]  # dates kept as dates (sorted as such), shown French
        assert shown["Début"] == pd.to_datetime(row["date_debut"], format="%d/%m/%Y")
        assert sorted(shown["Codes QPV"]) == sorted(row["qpv_list"])
        assert list(shown["Quartiers"]) == [quartiers[c] for c in shown["Codes QPV"]]  # each name beside its code
        amount = row["montant_eur"]
        assert text.loc[pid, "Montant (€)"] == ref.fr_amount(amount)  # numbers kept numeric, shown French
        assert shown["Montant (€)"] == float(amount.replace(",", ".")) if amount else pd.isna(shown["Montant (€)"])
        assert text.loc[pid, "Fin"] == row["date_fin"]  # blank when the file has none, never "None"


# --- bad parameters -------------------------------------------------------------------------------------------

BAD_PARAMS = {
    "region-inconnue": ({"region": "99"}, "99"),
    "theme-inconnu": ({"theme": "cadre-de-vie-xx"}, "cadre-de-vie-xx"),
    "annee-illisible": ({"annee_min": "abc"}, "abc"),
    "statut-inconnu": ({"statut": "suspendu"}, "suspendu"),
    "departement-inconnu": ({"departement": "1000"}, "1000"),
}


@pytest.mark.parametrize("case", list(BAD_PARAMS), ids=list(BAD_PARAMS))
@pytest.mark.parametrize("path", ["", "partenariats"], ids=["accueil", "partenariats"])
def test_bad_parameter_shows_notice_and_is_ignored(case, path, demo, national):
    params, value = BAD_PARAMS[case]
    at = run_page(path, params)
    assert not at.exception, [e.value for e in at.exception]
    notices = infos(at)
    assert len(notices) == 1 and f"« {value} »" in notices[0], notices
    if path == "":  # the bad value is dropped: the figures are the national ones
        assert {m.label: m.value for m in at.metric} == {k: ref.card(k, v) for k, v in national.items()}
    else:
        assert len(at.dataframe[0].value) == len(demo.partenariats)


PHISHING = "[Session expirée : reconnectez-vous ici](https://evil.example/connexion)"


@pytest.mark.parametrize(("params", "sentence"), [
    ({"region": PHISHING}, f"Région « {PHISHING} » inconnue : ignorée."),
    ({"theme": "https://evil.example/connexion"}, "Thème « https://evil.example/connexion » inconnu : ignoré."),
    ({"annee_min": ":material/verified: **Officiel**"},
     "Année minimale « :material/verified: **Officiel** » invalide : ignorée."),
], ids=["lien", "adresse", "icone-gras"])
def test_notices_quote_the_url_value_as_text(params, sentence):
    at = run_page("", params)
    assert [str(i.value) for i in at.info] == [escape_markdown(sentence)]  # Markdown that shows the sentence


def test_the_filters_caption_quotes_the_search_as_text():
    at = run_page("", {"q": PHISHING})
    assert escape_markdown(f"recherche « {PHISHING} »") in [str(c.value) for c in at.caption]


def test_bad_and_good_parameters_together(demo):
    at = run_page("", {"region": "84,99", "theme": "inclusion-numerique,cadre-de-vie-xx"})
    assert not at.exception
    notices = infos(at)
    assert len(notices) == 2
    assert any("« 99 »" in n for n in notices) and any("« cadre-de-vie-xx »" in n for n in notices)
    expected = ref.select(demo, ref.Ask(regions=("84",), themes=("inclusion-numerique",))).kpis
    assert {m.label: m.value for m in at.metric} == {k: ref.card(k, v) for k, v in expected.items()}


# --- map ------------------------------------------------------------------------------------------------------


def test_map_script_holds_the_filtered_region_only(demo):
    at = run_page("carte", {"region": "84"})
    assert not at.exception
    text = map_text(at)
    in_region = demo.qpv.loc[demo.qpv["insee_reg"] == "84", "code_qp"]
    elsewhere = demo.qpv.loc[demo.qpv["insee_reg"] != "84", "code_qp"]
    assert len(in_region) > 50
    assert [c for c in in_region if f'"{c}"' not in text] == []
    assert [c for c in elsewhere if c in text] == []
    scope = ref.select(demo, ref.Ask(regions=("84",)))
    assert [r for r in scope.regies["id_regie"] if f'"{r}"' not in text] == []
    assert [r for r in set(demo.regies["id_regie"]) - set(scope.regies["id_regie"]) if f'"{r}"' in text] == []
    assert all(html.escape(name) in text for name in scope.regies["nom"])
    assert not [n for n in demo.regies["nom"] if html.escape(n) != n and n in text]


def test_map_loads_leaflet_from_the_app_only():
    at = run_page("carte")
    args = map_args(at)
    text = map_text(at) + json.dumps(args)
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}/", text)  # no script or style from any other host
    assert args["js_links"] and args["css_links"]
    assert all(link.startswith("/app/static/") for link in args["js_links"] + args["css_links"])
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}/", map_text(at))


def test_national_map_holds_every_qpv_and_regie(demo):
    text = map_text(run_page("carte"))
    assert [c for c in demo.qpv["code_qp"] if f'"{c}"' not in text] == []
    assert [r for r in demo.regies["id_regie"] if f'"{r}"' not in text] == []


# --- territory portrait ---------------------------------------------------------------------------------------


def test_territory_portrait_of_occitanie(demo):
    at = run_page("territoires", {"region": "76"})
    assert not at.exception
    assert [h.value for h in at.header] == ["Portrait : Occitanie"]
    scope = ref.select(demo, ref.Ask(regions=("76",)))
    expected = ref.uncovered(scope, demo)
    assert len(expected) > 10
    assert indicators.GAP_NOTHING.heading(len(expected)) in [s.value for s in at.subheader]
    table = shown_cells(at.dataframe[-1])
    assert len(table) == len(expected)
    assert list(table["Code QPV"].head(10)) == list(expected["code_qp"].head(10))
    assert list(table["Population"].head(10)) == [ref.fr_int(p) for p in expected["population"].head(10)]
    populations = [int(p.replace(ref.NNBSP, "")) for p in table["Population"] if p]
    assert populations == sorted(populations, reverse=True)
    regies = next(d.value for d in at.dataframe if "Salariés" in d.value.columns)  # after the declination's
    assert sorted(regies["Régie"]) == sorted(scope.regies["nom"])


def test_territory_page_without_region_asks_for_one_and_lists_uncovered_qpv(demo):
    at = run_page("territoires")
    assert not at.exception
    assert not at.header
    assert any("Choisissez une région" in n for n in infos(at))
    expected = ref.uncovered(ref.select(demo, ref.Ask()), demo)
    assert indicators.GAP_NOTHING.heading(len(expected), " en France") in [s.value for s in at.subheader]
    assert list(at.dataframe[-1].value["Code QPV"]) == list(expected["code_qp"])
    assert {"CSV (Excel)", "XLSX"} <= set(download_labels(at))


# --- data and sources -----------------------------------------------------------------------------------------


def test_data_page_lists_sources_and_templates(demo):
    at = run_page("donnees")
    assert not at.exception
    sources = shown_cells(at.dataframe[0])
    assert len(sources) == 8
    loaded = {row["Jeu de données"]: (row["Fichier"], row["Lignes chargées"]) for _, row in sources.iterrows()}
    assert loaded["Quartiers prioritaires (QPV)"] == ("qpv.geojson", ref.fr_int(len(demo.qpv)))
    assert loaded["Régies de quartier et de territoire"] == ("base de données", ref.fr_int(len(demo.regies)))
    assert loaded["Organismes HLM"] == ("base de données", ref.fr_int(len(demo.organismes)))
    assert loaded["Partenariats"] == ("base de données", ref.fr_int(len(demo.partenariats)))
    shown = sources["Fichier"].str.endswith((".csv", ".geojson")) | (sources["Fichier"] == "base de données")
    assert set(sources.loc[shown, "Démonstration"]) == {"oui"}
    assert loaded["Déclinaisons régionales de la convention"] == ("base de données", ref.fr_int(18))
    assert loaded["Patrimoine HLM dans les QPV"] == (
        "base de données", ref.fr_int(len(pd.read_csv(ref.DEMO / "patrimoine.csv", sep=";"))))
    labels = download_labels(at)
    assert labels.count("CSV") == 5 and labels.count("XLSX") == 5  # the five table datasets
    keys = [d.proto.id for d in at.get("download_button")]
    assert all(any(f"modele-{kind}-{name}" in k for k in keys) for kind in ("csv", "xlsx")
               for name in ("regies", "organismes", "partenariats", "declinaisons", "patrimoine"))


def _main_page_links(at) -> list:
    def walk(node):
        yield node
        children = getattr(node, "children", None)
        for child in (children.values() if isinstance(children, dict) else children or []):
            yield from walk(child)

    return [n.proto for n in walk(at.main) if getattr(n, "type", "") == "page_link"]


def test_national_view_links_each_overseas_region_keeping_the_filters():
    links = _main_page_links(run_page("", {"theme": "inclusion-numerique"}))
    assert [(link.label, link.page, link.query_string) for link in links] == [
        (name, "carte", f"region={code}&theme=inclusion-numerique")
        for code, name in (("01", "Guadeloupe"), ("02", "Martinique"), ("03", "Guyane"), ("04", "La Réunion"),
                           ("06", "Mayotte"))
    ]


def test_a_territory_view_has_no_overseas_links():
    assert _main_page_links(run_page("carte", {"region": "84"})) == []
