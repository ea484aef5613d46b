"""Organismes from SIRENE: family from the legal category (one table), région from the seat commune."""

from __future__ import annotations

import pandas as pd
import pytest

from geo.sirene import famille_of_category, organisme_from_sirene
from tests.paths import REPO

TABLE = pd.read_csv(REPO / "data" / "ref" / "categories_juridiques.csv", dtype=str, keep_default_na=False)


@pytest.mark.parametrize(("code", "famille"), [
    ("7371", "OPH"), ("5546", "ESH"), ("5646", "ESH"), ("5547", "Coop HLM"), ("5647", "Coop HLM"),
    ("5515", "SEM"), ("5615", "SEM"), ("5415", "SEM"), (7371, "OPH"), (5546.0, "ESH"), (" 5647 ", "Coop HLM"),
])
def test_the_issue_s_categories(code, famille):
    assert famille_of_category(code).famille == famille


def test_every_row_of_the_table_and_only_them():
    assert len(TABLE) == 8
    for row in TABLE.itertuples():
        match = famille_of_category(row.categorie_juridique)
        assert match.famille == row.famille
        assert match.message.startswith(f"catégorie juridique {row.categorie_juridique} ({row.libelle_insee}) → ")
    accepted = set(TABLE["categorie_juridique"])
    refused = [f"{n:04d}" for n in range(1000, 10000) if f"{n:04d}" not in accepted]
    assert all(famille_of_category(code).famille is None for code in refused)


@pytest.mark.parametrize("code", ["5710", "9220", "5599", "7372"])
def test_other_categories_are_refused_naming_the_code(code):
    match = famille_of_category(code)
    assert match.famille is None
    assert match.message == (f"catégorie juridique {code} : ni organisme HLM ni SEM de la convention (catégories "
                             "acceptées : 5415, 5515, 5615 SEM ; 5546, 5646 ESH ; 5547, 5647 Coop'HLM ; 7371 OPH) ; "
                             "organisme refusé.")


def test_unreadable_or_missing_categories():
    assert famille_of_category("73.71").message == ("catégorie juridique « 73.71 » illisible (4 chiffres attendus, "
                                                    "par ex. 7371).")
    assert famille_of_category(None).famille is None
    assert "absente" in famille_of_category("").message


@pytest.mark.parametrize(("commune", "insee_com", "name", "region"), [
    ("75113", "75056", "Paris", "11"),  # SIRENE writes the arrondissement
    ("69383", "69123", "Lyon", "84"),
    ("13213", "13055", "Marseille", "93"),
    ("59350", "59350", "Lille", "32"),
    ("97411", "97411", "Saint-Denis", "04"),
    (1053, "01053", "Bourg-en-Bresse", "84"),
])
def test_organisme_from_a_sirene_unit(commune, insee_com, name, region):
    match = organisme_from_sirene("732 829 320", "  Habitat Exemple  ", "7371", commune)
    assert match.record == {"siren": "732829320", "nom": "Habitat Exemple", "famille": "OPH", "commune_siege": name,
                            "insee_com": insee_com, "insee_reg": region}
    regions = pd.read_csv(REPO / "data" / "ref" / "regions.csv", dtype=str).set_index("insee_reg")["lib_reg"]
    assert match.messages[1].startswith(f"siège à {name} (") and match.messages[1].endswith(
        f" : région {regions[region]} ({region}).")


def test_organisme_refusals_name_every_problem():
    match = organisme_from_sirene("732829321", "", "5710", "99999")
    assert match.record is None
    assert match.messages == (
        "SIREN « 732829321 » invalide (9 chiffres dont la clé de contrôle).",
        "raison sociale absente.",
        famille_of_category("5710").message,
        "siège : code commune « 99999 » absent du Code officiel géographique 2026.",
    )
