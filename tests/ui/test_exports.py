"""Exports: what a French Excel opens, with formulas neutralised; read back with independent readers."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd

from ui.exports import to_csv_fr, to_xlsx

FRAME = pd.DataFrame({
    "id": ["P1", "P2"],
    "nom": ["=HYPERLINK(\"http://x\")", "Régie « Étoile »"],
    "note": ["+33 1 00", "@SUM(A1)"],
    "neg": ["-2+3", "ok"],
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
    assert first.split(";")[4] == "45000,5"
    assert "Régie « Étoile »" in second
    assert first.endswith(";01/09/2024")


def test_csv_neutralises_formulas():
    text = to_csv_fr(FRAME).decode("utf-8-sig")
    rows = list(pd.read_csv(io.StringIO(text), sep=";", dtype=str).itertuples(index=False))
    assert rows[0].nom.startswith("'=") and rows[0].note == "'+33 1 00" and rows[0].neg == "'-2+3"
    assert rows[1].note == "'@SUM(A1)" and rows[1].neg == "ok"


def test_csv_joins_lists():
    text = to_csv_fr(FRAME).decode("utf-8-sig")
    assert "inclusion-numerique | cohesion-sociale" in text


def test_xlsx_has_the_same_rows_with_text_cells_safe_and_real_dates():
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(FRAME)))
    sheet = book.active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == list(FRAME.columns)
    assert values[1][1].startswith("'=") and values[2][2] == "'@SUM(A1)"
    assert values[1][4] == 45000.5
    assert values[1][6].year == 2024 and sheet.cell(row=2, column=7).number_format == "DD/MM/YYYY"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_numbers_are_not_altered():
    frame = pd.DataFrame({"x": [-5, 3]})
    text = to_csv_fr(frame).decode("utf-8-sig")
    assert text.splitlines()[1:] == ["-5", "3"]
