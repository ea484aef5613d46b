"""Page tables: every cell checked against figures worked out by hand from the inputs."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.datasets import Datasets
from geo.indicators import Kpis
from geo.manifest import DatasetRecord, Manifest
from geo.validate import Finding
from ui.tables import KPI_LABELS, findings_table, french_grid, sources_table, territory_figures

S = "\u202f"  # the French thousands separator and the space before « % »

LOCAL = Kpis(regies=3, qpv=8, qpv_couverts=2, qpv_avec_partenariat=4, salaries=1250, benevoles=40,
             salaries_renseignes=3, benevoles_renseignes=3, partenariats=12, organismes_partenaires=5,
             taux_couverture=0.25, taux_partenariat=None, montant_eur=1000.0, heures_insertion=10)
NATIONAL = Kpis(regies=120, qpv=1600, qpv_couverts=8, qpv_avec_partenariat=16, salaries=50000, benevoles=0,
                salaries_renseignes=120, benevoles_renseignes=120, partenariats=48, organismes_partenaires=40,
                taux_couverture=0.2, taux_partenariat=0.1, montant_eur=9000.0, heures_insertion=90)


def test_a_count_some_regies_leave_blank_says_whom_it_covers():
    partial = replace(LOCAL, benevoles=None, benevoles_renseignes=0, salaries_renseignes=2)
    rows = {r["Indicateur"]: r["Territoire"] for r in territory_figures(partial, NATIONAL).to_dict("records")}
    assert rows["Salariés des régies"] == f"1{S}250 (2 régies sur 3 renseignées)"
    assert rows["Bénévoles des régies"] == "— (0 régie sur 3 renseignée)"


def test_kpi_labels_name_real_figures():
    names = {f.name for f in fields(Kpis)}
    assert [field for field, _, _ in KPI_LABELS if field not in names] == []


def test_territory_figures_beside_national_with_share():
    table = territory_figures(LOCAL, NATIONAL)
    assert list(table.columns) == ["Indicateur", "Territoire", "France", "Part de la France"]
    assert table.to_dict("records") == [
        {"Indicateur": "Quartiers prioritaires de la politique de la ville dans le périmètre", "Territoire": "8",
         "France": f"1{S}600", "Part de la France": f"0,5{S}%"},
        {"Indicateur": "Régies de quartier et de territoire", "Territoire": "3", "France": "120",
         "Part de la France": f"2,5{S}%"},
        {"Indicateur": "QPV couverts par une régie (déclarés par la régie)", "Territoire": "2", "France": "8",
         "Part de la France": f"25,0{S}%"},
        {"Indicateur": "QPV concernés par au moins un partenariat", "Territoire": "4", "France": "16",
         "Part de la France": f"25,0{S}%"},
        {"Indicateur": "Salariés des régies", "Territoire": f"1{S}250", "France": f"50{S}000",
         "Part de la France": f"2,5{S}%"},
        {"Indicateur": "Bénévoles des régies", "Territoire": "40", "France": "0", "Part de la France": "—"},
        {"Indicateur": "Partenariats organisme HLM × régie", "Territoire": "12", "France": "48",
         "Part de la France": f"25,0{S}%"},
        {"Indicateur": "Organismes HLM engagés dans au moins un partenariat", "Territoire": "5", "France": "40",
         "Part de la France": f"12,5{S}%"},
        {"Indicateur": "Taux de QPV couverts par une régie", "Territoire": f"25,0{S}%", "France": f"20,0{S}%",
         "Part de la France": "1,25 × la moyenne"},
        {"Indicateur": "Taux de QPV avec un partenariat", "Territoire": "—", "France": f"10,0{S}%",
         "Part de la France": "—"},
    ]


def test_territory_rate_without_national_rate_has_no_ratio():
    national = replace(NATIONAL, qpv=0, taux_couverture=None, taux_partenariat=None)
    rates = territory_figures(LOCAL, national).iloc[-2:]
    assert rates["France"].tolist() == ["—", "—"]
    assert rates["Part de la France"].tolist() == ["—", "—"]


def _datasets(manifest: Manifest | None, files: dict[str, Path]) -> Datasets:
    empty = gpd.GeoDataFrame(geometry=[], crs="EPSG:4326")
    return Datasets(folder=Path("donnees"), qpv=gpd.GeoDataFrame({"n": range(3)}, geometry=[None] * 3),
                    regies=gpd.GeoDataFrame({"n": range(2)}, geometry=[None] * 2),
                    organismes=pd.DataFrame({"n": range(1)}), partenariats=pd.DataFrame({"n": range(4)}),
                    regions=empty, departements=empty, manifest=manifest, files=files)


def test_sources_from_the_manifest_and_built_in_outlines():
    record = DatasetRecord(file="qpv.geojson", source="ANCT", licence="Licence Ouverte", date="2026-11-27",
                           rows=3, sha256="0" * 64, demo=False)
    manifest = Manifest(demo=True, datasets={
        "qpv": record,
        "regies": DatasetRecord(file="regies.csv", source="Générées", licence="—", date="2026-01-05", rows=2,
                                sha256="1" * 64, demo=True),
    })
    files = {"qpv": Path("donnees/qpv.geojson"), "regies": Path("donnees/regies.csv"),
             "partenariats": Path("donnees/partenariats.xlsx")}
    rows = sources_table(_datasets(manifest, files)).set_index("Jeu de données").to_dict("index")
    assert list(rows) == ["Quartiers prioritaires (QPV)", "Régies de quartier et de territoire", "Organismes HLM",
                          "Partenariats", "Régions", "Départements", "Déclinaisons régionales de la convention",
                          "Patrimoine HLM dans les QPV"]
    assert rows["Patrimoine HLM dans les QPV"]["Fichier"] == "absent"
    assert rows["Patrimoine HLM dans les QPV"]["Lignes chargées"] == 0
    assert rows["Quartiers prioritaires (QPV)"] == {
        "Fichier": "qpv.geojson", "Source": "ANCT", "Licence": "Licence Ouverte", "Date": "27/11/2026",
        "Lignes chargées": 3, "Démonstration": "non"}
    assert rows["Régies de quartier et de territoire"]["Date"] == "05/01/2026"
    assert rows["Régies de quartier et de territoire"]["Démonstration"] == "oui"
    # no record: the manifest's demo flag, and « absent » without a file
    assert rows["Organismes HLM"] == {
        "Fichier": "absent", "Source": "non renseignée (pas de manifest.json)", "Licence": "—", "Date": "—",
        "Lignes chargées": 1, "Démonstration": "oui"}
    assert rows["Partenariats"]["Fichier"] == "partenariats.xlsx"
    assert rows["Partenariats"]["Lignes chargées"] == 4
    for outlines in ("Régions", "Départements"):
        assert rows[outlines] == {
            "Fichier": "data/ref", "Source": "Contours simplifiés intégrés (IGN ADMIN EXPRESS via france-geojson)",
            "Licence": "Licence Ouverte", "Date": "", "Lignes chargées": 0, "Démonstration": "non"}


def test_sources_without_manifest_are_not_demo():
    rows = sources_table(_datasets(None, {"regions": Path("donnees/regions.geojson")})).set_index("Jeu de données")
    assert rows.loc["Régions", "Fichier"] == "regions.geojson"
    assert rows.loc["Régions", "Source"] == "non renseignée (pas de manifest.json)"
    assert rows.loc["Départements", "Fichier"] == "data/ref"
    assert (rows.loc[["Quartiers prioritaires (QPV)", "Régions"], "Démonstration"] == "non").all()


def test_sources_read_from_the_store_name_the_database():
    datasets = _datasets(None, {"qpv": Path("donnees/qpv.geojson")})
    datasets.stored = ("regies", "organismes", "partenariats")
    rows = sources_table(datasets).set_index("Jeu de données")
    assert rows.loc["Partenariats", "Fichier"] == "base de données"
    assert rows.loc["Partenariats", "Lignes chargées"] == 4
    assert rows.loc["Quartiers prioritaires (QPV)", "Fichier"] == "qpv.geojson"


def test_findings_table_one_row_per_finding():
    findings = [
        Finding("erreur", "regies.csv", 4, "siren", "SIREN invalide", "9 chiffres attendus"),
        Finding("avertissement", "qpv.geojson", None, None, "Fichier sans CRS"),
    ]
    table = findings_table(findings)
    assert table.columns.tolist() == ["Gravité", "Fichier", "Ligne", "Colonne", "Message", "Suggestion"]
    assert table.iloc[0].tolist() == ["erreur", "regies.csv", "4", "siren", "SIREN invalide", "9 chiffres attendus"]
    # a finding about the whole file has no row: blank, never « None » (issue 18)
    assert table.iloc[1].tolist() == ["avertissement", "qpv.geojson", "", "", "Fichier sans CRS", ""]


def test_findings_table_empty_keeps_its_columns():
    table = findings_table([])
    assert len(table) == 0
    assert table.columns.tolist() == ["Gravité", "Fichier", "Ligne", "Colonne", "Message", "Suggestion"]


def test_french_grid_keeps_numbers_numeric_and_shows_them_french():
    """The grid sorts what the frame holds (numbers, so 231 before 1 181) and shows what the Styler writes."""
    frame = pd.DataFrame({"Régie": ["A", "B"], "Heures": [1181, 231], "Montant (€)": [44700.5, None],
                          "Début": [pd.Timestamp("2026-11-27"), None], "Codes QPV": [["QN1", "QN2"], []]})
    grid = french_grid(frame)
    assert grid.data["Heures"].tolist() == [1181, 231]
    assert grid.data["Montant (€)"].iloc[0] == 44700.5 and pd.isna(grid.data["Montant (€)"].iloc[1])
    assert grid.data["Codes QPV"].tolist() == [["QN1", "QN2"], []]  # lists stay lists (the grid's chips)
    lines = grid.to_string(delimiter=";").splitlines()
    assert lines[1:] == ["0;A;1\u202f181;44\u202f700,5;27/11/2026;['QN1', 'QN2']", "1;B;231;;;[]"]


def test_french_grid_keeps_dates_as_dates_and_shows_them_french():
    """Sorted as text, 27/11/2026 would come before 28/01/2025: the grid keeps the dates and shows them French."""
    frame = pd.DataFrame({"Signature": [date(2026, 11, 27), date(2025, 1, 28), None],
                          "Début": pd.to_datetime(["2024-03-01", None, "2023-12-31"])})
    grid = french_grid(frame)
    assert grid.data["Signature"].tolist()[:2] == [date(2026, 11, 27), date(2025, 1, 28)]
    assert pd.api.types.is_datetime64_any_dtype(grid.data["Début"])
    lines = grid.to_string(delimiter=";").splitlines()
    assert lines[1:] == ["0;27/11/2026;01/03/2024", "1;28/01/2025;", "2;;31/12/2023"]


def test_french_grid_shows_ratio_columns_as_french_percentages_and_keeps_them_numeric():
    frame = pd.DataFrame({"Région": ["A", "B"], "Taux": [0.548, 0.0637], "QPV": [1493, 12]})
    grid = french_grid(frame, percent=("Taux",))
    assert grid.data["Taux"].tolist() == [0.548, 0.0637]  # sorts as numbers
    lines = grid.to_string(delimiter=";").splitlines()
    assert lines[1:] == ["0;A;54,8\u202f%;1\u202f493", "1;B;6,4\u202f%;12"]


def test_the_regies_table_shows_how_each_position_was_obtained():
    from ui.tables import regie_sheet

    regies = pd.DataFrame({"nom": ["A", "B"], "type": ["régie de quartier"] * 2, "commune": ["Paris", "Lille"],
                           "lib_dep": ["Paris", "Nord"], "salaries": pd.array([85, None], dtype="Int64"),
                           "benevoles": pd.array([3, 4], dtype="Int64"), "qpv_couverts": [1, 2],
                           "precision": ["adresse", "commune"], "n_partenariats": [0, 1]})
    sheet = regie_sheet(regies)
    assert sheet["Précision de la position"].tolist() == ["adresse", "commune"]
