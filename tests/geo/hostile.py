"""Hostile inputs of issue 15, written on demand: small files that declare or unpack to much more than they are.
Shared by the reader tests and the bench (`bench/readers.py`), which times them."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

from openpyxl import Workbook

PARTENARIATS_HEADER = ["id_partenariat", "id_regie", "siren_organisme", "qpv", "themes", "statut", "date_debut",
                       "date_fin", "description", "montant_eur", "heures_insertion"]
MIB = 1024 * 1024


def one_line_csv(path: Path, size: int = 10 * MIB) -> Path:
    """One line of `;"x` repeated: what made `csv.Sniffer` backtrack for minutes."""
    path.write_bytes((b';"x' * (size // 3 + 1))[:size])
    return path


def _rewrite_parts(path: Path, edits: dict) -> None:
    """Replace parts of a zip (an XLSX) by `edit(old_bytes)` (`b""` for a new part), the others copied as they
    are."""
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    for member, edit in edits.items():
        parts[member] = edit(parts.get(member, b""))
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for member, data in parts.items():
            target.writestr(member, data)


def declared_huge_workbook(path: Path, rows: list[list] = (), last_row: int | None = 1_048_576) -> Path:
    """A header, `rows`, then one cell at `last_row` (none if None), in a sheet declaring the whole grid
    (A1:XFD1048576): a few KB."""
    book = Workbook()
    sheet = book.active
    sheet.title = "partenariats"
    sheet.append(PARTENARIATS_HEADER)
    for row in rows:
        sheet.append(row)
    if last_row:
        sheet.cell(row=last_row, column=1, value="P-1")
    book.save(path)
    _rewrite_parts(path, {"xl/worksheets/sheet1.xml": lambda xml: re.sub(
        rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', xml)})
    return path


def shared_strings_bomb(path: Path, unpacked: int = 116 * 1000 * 1000) -> Path:
    """A workbook of one data row whose shared strings unpack to `unpacked` bytes (one short string repeated,
    millions of times): about a thousandth of that on disk."""
    book = Workbook()
    sheet = book.active
    sheet.append(PARTENARIATS_HEADER)
    sheet.append(["P-1", "RQ-1", "123456782", "QN07519M", "cadre-de-vie", "en cours", "01/01/2024", "", "x", "", ""])
    book.save(path)
    item = b"<si><t>Atelier de quartier</t></si>"
    count = unpacked // len(item)
    strings = (b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">'
               % (count, count) + item * count + b"</sst>")
    shared = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
    _rewrite_parts(path, {
        "xl/sharedStrings.xml": lambda _: strings,
        "[Content_Types].xml": lambda xml: xml.replace(
            b"</Types>", f'<Override PartName="/xl/sharedStrings.xml" ContentType="{shared}"/></Types>'.encode()),
        "xl/_rels/workbook.xml.rels": lambda xml: xml.replace(b"</Relationships>", (
            b'<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
            b'Target="sharedStrings.xml" Id="rIdStrings"/></Relationships>')),
        "xl/worksheets/sheet1.xml": lambda xml: xml.replace(
            b'<c r="I2" t="inlineStr"><is><t>x</t></is></c>', b'<c r="I2" t="s"><v>0</v></c>'),
    })
    return path


def escaping_manifest_folder(folder: Path, outside: Path) -> Path:
    """A data folder whose manifest names, for two datasets, files outside it: an absolute path and `../`."""
    folder.mkdir(parents=True, exist_ok=True)
    outside.mkdir(parents=True, exist_ok=True)
    (outside / "secret_regies.csv").write_text(
        "id_regie;nom;type;commune;insee_com;latitude;longitude;salaries;benevoles;qpv_couverts\n"
        "RQ-SECRET;Régie hors du dossier;régie de quartier;Paris;75056;48,88;2,37;1;1;QN07519M\n", encoding="utf-8")
    (outside / "secret_organismes.csv").write_text(
        "siren;nom;famille;commune_siege;insee_reg\n123456782;Organisme hors du dossier;OPH;Paris;11\n",
        encoding="utf-8")
    record = {"source": "x", "licence": "x", "date": "2026-01-01", "rows": 1, "sha256": "0"}
    relative = Path("..").joinpath(*([".."] * (len(folder.resolve().parts) - 1)))
    manifest = {"datasets": {
        "regies": {**record, "file": str((outside / "secret_regies.csv").resolve())},
        "organismes": {**record, "file": str(relative / outside.resolve().relative_to("/") / "secret_organismes.csv")},
    }}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder
