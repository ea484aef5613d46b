"""Filters ⇄ URL parameters (dashboard/filters_url.py) on the hand-made fixture (tests/geo/conftest.py): every
field read back, each value dropped with its French notice, never an exception."""

from __future__ import annotations

import pytest

from dashboard.filters_url import from_query_params, to_query_params
from dashboard.url_params import Dropped, keep, keep_one, reader
from geo.filters import Filters

LYON_METROPOLE, GRAND_PARIS = "200046977", "200054781"  # data/ref/epci.csv: Vénissieux and Lyon; Paris, Saint-Denis


def test_from_query_params_reads_every_field(atlas):
    params = {"region": "84", "departement": "69", "theme": "inclusion-numerique,cadre-de-vie", "famille": "OPH",
              "statut": "en-cours", "annee_min": "2023", "annee_max": "2025", "q": "Minguettes"}
    f, notices = from_query_params(params, atlas)
    assert notices == []
    assert f == Filters(regions=("84",), departements=("69",), themes=("cadre-de-vie", "inclusion-numerique"),
                        familles=("OPH",), statuts=("en cours",), annee_min=2023, annee_max=2025, q="Minguettes")


@pytest.mark.parametrize(("value", "expected"), [("termine", "terminé"), ("en-cours", "en cours"),
                                                 ("En Projet", "en projet"), ("terminé", "terminé")])
def test_statut_parameter_is_accent_and_dash_tolerant(atlas, value, expected):
    f, notices = from_query_params({"statut": value}, atlas)
    assert (f.statuts, notices) == ((expected,), [])


def test_list_and_comma_separated_values(atlas):
    f, _ = from_query_params({"theme": ["cadre-de-vie", "inclusion-numerique,cohesion-sociale"]}, atlas)
    assert f.themes == ("cadre-de-vie", "cohesion-sociale", "inclusion-numerique")


def test_territories_by_name_and_plural_spellings(atlas):
    f, notices = from_query_params({"regions": "auvergne rhone-alpes", "dep": "RHÔNE;isere"}, atlas)
    assert (f.regions, f.departements, notices) == (("84",), ("38", "69"), [])


def test_unknown_region_is_dropped_with_a_notice(atlas):
    f, notices = from_query_params({"region": "99,84"}, atlas)
    assert f.regions == ("84",)
    assert notices == ["Région « 99 » inconnue : ignorée."]


def test_departement_outside_the_chosen_region_is_dropped_with_a_notice(atlas):
    f, notices = from_query_params({"region": "84", "departement": "75,69,ZZ"}, atlas)
    assert f.departements == ("69",)
    assert notices == ["Département « 75 » (Paris) hors de la région choisie : ignoré.",
                       "Département « ZZ » inconnu : ignoré."]
    assert from_query_params({"region": "84,11", "departement": "974"}, atlas)[1] == [
        "Département « 974 » (La Réunion) hors des régions choisies : ignoré."]


def test_unknown_vocabulary_values_are_dropped_with_a_notice(atlas):
    f, notices = from_query_params({"theme": "cadre-de-vi", "famille": "Bailleur X,oph", "statut": "fini"}, atlas)
    assert (f.themes, f.familles, f.statuts) == ((), ("OPH",), ())
    assert notices[1:] == ["Famille « Bailleur X » inconnue : ignorée.", "Statut « fini » inconnu : ignoré."]
    assert notices[0].startswith("Thème « cadre-de-vi » inconnu (vouliez-vous dire « ")


def test_malformed_year_is_dropped_with_a_notice(atlas):
    f, notices = from_query_params({"annee_min": "deux mille", "annee_max": "2025"}, atlas)
    assert (f.annee_min, f.annee_max) == (None, 2025)
    assert notices == ["Année minimale « deux mille » invalide : ignorée."]


def test_years_out_of_range_inverted_or_repeated(atlas):
    assert from_query_params({"annee_max": "1800"}, atlas) == (Filters(), [
        "Année maximale « 1800 » hors de 1900–2100 : ignorée."])
    f, notices = from_query_params({"annee_min": "2026", "annee_max": ["2030", "2022"]}, atlas)  # the last wins
    assert (f.annee_min, f.annee_max, notices) == (2022, 2026, ["Années inversées (2026 > 2022) : remises dans "
                                                                "l'ordre."])


def test_long_search_is_truncated_with_a_notice(atlas):
    f, notices = from_query_params({"q": ["  a,b  ", "c" * 120]}, atlas)  # not split at commas, single-spaced
    assert f.q == ("a,b " + "c" * 120)[:100]
    assert notices == ["Recherche tronquée à 100 caractères."]


def test_garbage_parameters_never_raise(atlas):
    params = {"region": None, "theme": [None, "", "xyz"], "famille": 12, "statut": ["??"], "annee_max": ["3000"],
              "departement": "ZZ", "page": "carte"}
    f, notices = from_query_params(params, atlas)
    assert f == Filters()
    assert len(notices) == 5  # theme, famille, statut, année, département; "page" is not a filter


def test_unreadable_parameters_give_empty_filters(atlas):
    f, notices = from_query_params(object(), atlas)  # type: ignore[arg-type]
    assert f == Filters() and notices == ["Paramètres d'adresse illisibles : ignorés."]


def test_to_query_params_lists_only_non_empty_fields():
    assert to_query_params(Filters(themes=("cadre-de-vie",), statuts=("terminé",))) == {
        "theme": "cadre-de-vie", "statut": "termine"}


def test_query_params_round_trip(atlas):
    f = Filters(regions=("84",), departements=("38",), themes=("cohesion-sociale", "cadre-de-vie"),
                familles=("Coop HLM", "OPH"), statuts=("terminé", "en projet"), annee_min=2021, annee_max=2026,
                q="Régie des Minguettes")
    params = to_query_params(f)
    assert all(isinstance(v, str) for v in params.values())
    assert from_query_params(params, atlas) == (f, [])


def test_epci_from_the_url_by_siren_or_name(atlas):
    assert from_query_params({"epci": "200046977"}, atlas) == (Filters(epci=(LYON_METROPOLE,)), [])
    assert from_query_params({"epci": "metropole de lyon"}, atlas)[0] == Filters(epci=(LYON_METROPOLE,))
    f, notices = from_query_params({"epci": "CA Inconnue"}, atlas)
    assert f == Filters() and notices == ["EPCI « CA Inconnue » inconnu : ignoré."]
    f = Filters(epci=(GRAND_PARIS,), themes=("cadre-de-vie",))
    assert to_query_params(f) == {"epci": GRAND_PARIS, "theme": "cadre-de-vie"}
    assert from_query_params(to_query_params(f), atlas) == (f, [])


# --- the one idiom: keep each value or drop it with its notice -----------------------------------------------------


def _even(value: str) -> int:
    if int(value) % 2:
        raise Dropped(f"« {value} » impair : ignoré.")
    return int(value)


def test_keep_reads_each_value_and_collects_the_notices_in_order():
    notices = ["avant"]
    assert keep(["2", "3", "4", "5"], _even, notices) == [2, 4]
    assert notices == ["avant", "« 3 » impair : ignoré.", "« 5 » impair : ignoré."]


def test_keep_one_is_none_when_absent_empty_or_dropped():
    notices: list[str] = []
    assert [keep_one(v, _even, notices) for v in (None, "", "7", "8")] == [None, None, None, 8]
    assert notices == ["« 7 » impair : ignoré."]


def test_reader_splits_strips_and_reads_every_spelling():
    get = reader({"theme": ["a, b", " ;c|"], "themes": "d", "q": " x, y "})
    assert get("theme", "themes") == ["a", "b", "c", "d"]
    assert get("q", split=False) == ["x, y"]
    assert get("absent") == []
    with pytest.raises(AttributeError):
        reader(object())  # type: ignore[arg-type]


def test_precision_parameter_round_trips_and_unknown_values_are_dropped(atlas):
    filters, notices = from_query_params({"precision": "Saisie,inconnue,gps"}, atlas)
    assert filters.precisions == ("saisie", "inconnue")
    assert notices == ["Précision « gps » inconnue : ignorée."]
    assert to_query_params(filters)["precision"] == "saisie,inconnue"
    assert from_query_params(to_query_params(filters), atlas)[0] == filters
