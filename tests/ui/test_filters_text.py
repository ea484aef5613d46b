"""The filters in French words (ui/filters_text.py), on the demo atlas's names."""

from __future__ import annotations

from geo.filters import Filters
from ui.filters_text import describe

GRAND_PARIS = "200054781"  # data/ref/epci.csv


def test_describe(demo_atlas):
    f = Filters(regions=("84",), themes=("inclusion-numerique",), annee_min=2024, annee_max=2026)
    assert describe(f, demo_atlas) == "Auvergne-Rhône-Alpes · inclusion numérique · 2024–2026"


def test_describe_without_filter(demo_atlas):
    assert describe(Filters(), demo_atlas) == "Toutes les données"


def test_describe_prefers_departement_names_and_open_years(demo_atlas):
    assert describe(Filters(regions=("84",), departements=("69",), annee_min=2024), demo_atlas) == "Rhône · depuis 2024"
    assert describe(Filters(annee_max=2025, q="Minguettes")) == "jusqu'en 2025 · recherche « Minguettes »"


def test_describe_names_the_epci_and_counts_long_lists(demo_atlas):
    assert describe(Filters(epci=(GRAND_PARIS,), themes=("cadre-de-vie",)), demo_atlas).startswith(
        "Métropole du Grand Paris · ")
    assert describe(Filters(departements=("69", "38", "75", "93"))) == "4 départements"
    assert describe(Filters(departements=("69", "38"))) == "38, 69"  # codes without an atlas


def test_describe_says_the_precision_of_the_regies(demo_atlas):
    assert describe(Filters(precisions=("saisie", "inconnue")), demo_atlas) == "régies placées : saisie, inconnue"
