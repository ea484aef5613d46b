"""Exports: what a French Excel opens, with formulas neutralised; read back with independent readers."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pandas as pd

from geo.filters import Filters
from ui.exports import WHOLE_NATION, file_name, territory_name, to_csv_fr, to_xlsx
from ui.tables import PARTNERSHIP_HEADERS, partnership_sheet, qpv_sheet

FRAME = pd.DataFrame({
    "id": ["P1", "P2"],
    "nom": ["=HYPERLINK(\"http://x\")", "Régie « Étoile »"],
    "note": ["+cmd|' /C calc'!A0", "@SUM(A1)"],
    "neg": ["-2+3+cmd|'x'!A0", "- Ateliers"],
    "montant_eur": [45000.5, 1200.0],
    "themes": [["inclusion-numerique", "cohesion-sociale"], ["cadre-de-vie"]],
    "date_debut": pd.to_datetime(["2024-09-01", "2026-01-15"]),
})


def test_csv_is_utf8_with_bom_semicolons_and_decimal_commas():
    data = to_csv_fr(FRAME)
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    header, first, second = text.splitlines()
    assert header == "id;nom;note;neg;montant_eur;themes;date_debut"
    assert first.split(";")[4] == "45000,5" and second.split(";")[4] == "1200"  # no ",0" on a whole amount
    assert "Régie « Étoile »" in second
    assert first.endswith(";01/09/2024")


def test_csv_neutralises_formulas():
    text = to_csv_fr(FRAME).decode("utf-8-sig")
    rows = list(pd.read_csv(io.StringIO(text), sep=";", dtype=str).itertuples(index=False))
    assert rows[0].nom.startswith("'=") and rows[0].note == "'+cmd|' /C calc'!A0"
    assert rows[0].neg == "'-2+3+cmd|'x'!A0" and rows[1].note == "'@SUM(A1)"
    assert rows[1].neg == "- Ateliers"  # the rule that refuses formulas on input: a dash is not a formula


def test_csv_joins_lists():
    text = to_csv_fr(FRAME).decode("utf-8-sig")
    assert "inclusion-numerique | cohesion-sociale" in text


def test_xlsx_has_the_same_rows_with_text_cells_safe_and_real_dates():
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(FRAME)))
    sheet = book.active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == list(FRAME.columns)
    assert values[1][1].startswith("'=") and values[2][2] == "'@SUM(A1)"
    assert values[1][4] == 45000.5 and sheet.cell(row=2, column=5).number_format == "#,##0.##"
    assert values[1][6].year == 2024 and sheet.cell(row=2, column=7).number_format == "DD/MM/YYYY"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_numbers_are_not_altered():
    frame = pd.DataFrame({"x": [-5, 3]})
    text = to_csv_fr(frame).decode("utf-8-sig")
    assert text.splitlines()[1:] == ["-5", "3"]


# --- issue 11: French headers, names beside codes, file names ---------------------------------------------------

QPV = pd.DataFrame({"code_qp": ["QN01", "QN02"], "lib_qp": ["Les Tilleuls", "Le Mail"],
                    "lib_com": ["Amiens", "Lille"], "lib_dep": ["Somme", "Nord"]})
TABLE = pd.DataFrame({
    "id_partenariat": ["P1"], "nom_regie": ["R"], "nom_organisme": ["O"], "famille": ["Coop HLM"],
    "qpv": [["QN02", "QN01"]], "lib_reg_principal": ["Hauts-de-France"], "themes": [["cohésion sociale"]],
    "statut": ["en cours"], "date_debut": pd.to_datetime(["2024-09-01"]), "date_fin": pd.to_datetime([None]),
    "montant_eur": [44700.0], "heures_insertion": [1181.0], "description": ["d"],
})


def test_partnership_sheet_has_french_headers_and_names_beside_codes():
    sheet = partnership_sheet(TABLE, QPV)
    assert list(sheet.columns) == ["Identifiant", "Régie", "Organisme HLM", "Famille", "Région", "Codes QPV",
                                   "Quartiers", "Communes", "Départements", "Thèmes", "Statut", "Début", "Fin",
                                   "Montant (€)", "Heures d'insertion", "Description"]
    assert not set(sheet.columns) & set(PARTNERSHIP_HEADERS)  # no technical name left
    row = sheet.iloc[0]
    assert row["Codes QPV"] == ["QN02", "QN01"] and row["Quartiers"] == ["Le Mail", "Les Tilleuls"]
    assert row["Communes"] == ["Lille", "Amiens"] and row["Départements"] == ["Nord", "Somme"]
    assert row["Famille"] == "Coop'HLM"
    header, first = to_csv_fr(sheet).decode("utf-8-sig").splitlines()
    cells = dict(zip(header.split(";"), first.split(";"), strict=True))
    assert cells["Montant (€)"] == "44700" and cells["Heures d'insertion"] == "1181" and cells["Fin"] == ""
    assert cells["Quartiers"] == "Le Mail | Les Tilleuls" and cells["Début"] == "01/09/2024"


def test_xlsx_groups_thousands_of_whole_numbers():
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx(partnership_sheet(TABLE, QPV)))).active
    headers = [c.value for c in sheet[1]]
    amount = sheet.cell(row=2, column=headers.index("Montant (€)") + 1)
    assert amount.value == 44700 and amount.number_format == "#,##0"


def test_qpv_sheet_headers():
    frame = pd.DataFrame({"code_qp": ["QN01"], "lib_qp": ["A"], "lib_com": ["B"], "insee_dep": ["80"],
                          "lib_dep": ["Somme"], "insee_reg": ["32"], "lib_reg": ["HdF"],
                          "population": pd.array([1500], dtype="Int64")})
    assert list(qpv_sheet(frame).columns) == ["Code QPV", "Quartier", "Commune", "Code département", "Département",
                                              "Code région", "Région", "Population"]


class _Atlas:
    def region_name(self, code):
        return {"32": "Hauts-de-France", "84": "Auvergne-Rhône-Alpes"}[code]

    def departement_name(self, code):
        return {"59": "Nord"}[code]


def test_file_names_say_the_territory_and_the_date():
    day = date(2026, 11, 27)
    assert file_name("partenariats", territory_name(Filters(), _Atlas()), day, "csv") == \
        "partenariats_france_2026-11-27.csv"
    both = territory_name(Filters(regions=("32", "84")), _Atlas())
    assert file_name("partenariats", both, day, "xlsx") == \
        "partenariats_hauts-de-france-auvergne-rhone-alpes_2026-11-27.xlsx"
    assert territory_name(Filters(regions=("32",), departements=("59",)), _Atlas()) == "Nord"
    assert territory_name(Filters(regions=("84",), epci=("200046977",)), _Atlas()) == "Métropole de Lyon"
    assert territory_name(Filters(), _Atlas(), WHOLE_NATION) == "France entière"
