"""Readers of every supported format, on files the tests write themselves."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Polygon

from geo import limits
from geo.io import ROW, ReadError, check_archive, guess_kind, read_any, read_csv, read_xlsx
from tests.geo import hostile

REGIES_HEADER = "id_regie;nom;type;commune;insee_com;latitude;longitude;salaries;benevoles;qpv_couverts"


def plain(error: Exception) -> str:
    """A message with the narrow no-break spaces of French numbers (`200 000`) as plain spaces."""
    return str(error).replace("\u202f", " ")


def write_bytes(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def square(lon: float, lat: float, size: float = 0.004) -> Polygon:
    return Polygon([(lon, lat), (lon + size, lat), (lon + size, lat + size), (lon, lat + size)])


def qpv_frame() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "code_qp": ["QN07519M", "QN06901M"],
            "lib_qp": ["Stalingrad - Riquet", "Mermoz"],
            "insee_com": ["75056", "69123"],
            "lib_com": ["Paris", "Lyon"],
        },
        geometry=[square(2.37, 48.88), square(4.88, 45.73)],
        crs="EPSG:4326",
    )


def test_cp1252_semicolon_csv_with_decimal_comma_keeps_accents_and_numbers(tmp_path):
    text = REGIES_HEADER + "\nRQ1;Régie Étoile;régie de quartier;Hérouville;14327;49,2036;-0,3265;12;3;QN01401M\n"
    path = write_bytes(tmp_path, "regies.csv", text.encode("cp1252"))
    raw = read_any(path)
    assert raw.kind == "regies"
    row = raw.frame.iloc[0]
    assert row["nom"] == "Régie Étoile"
    assert row["commune"] == "Hérouville"
    assert row["latitude"] == "49,2036"  # still text: conversion is the validator's job
    assert row[ROW] == 2


def test_utf8_bom_comma_csv_is_read_with_its_header(tmp_path):
    text = REGIES_HEADER.replace(";", ",") + "\nRQ1,Régie,régie de quartier,Lyon,69123,45.7,4.8,1,2,QN06901M\n"
    path = write_bytes(tmp_path, "regies.csv", b"\xef\xbb\xbf" + text.encode("utf-8"))
    frame = read_csv(path)
    assert list(frame.columns)[:2] == ["id_regie", "nom"]
    assert frame.loc[0, "latitude"] == "45.7"


def test_headers_tolerate_case_accents_and_spaces(tmp_path):
    text = "Code QP;LIB_QP;Insee Com;Lib Com\nQN07519M;Riquet;75056;Paris\n"
    path = write_bytes(tmp_path, "liste.csv", text.encode("utf-8"))
    raw = read_any(path, "qpv")
    assert {"code_qp", "lib_qp", "insee_com", "lib_com"} <= set(raw.frame.columns)


def test_random_bytes_named_csv_is_a_clear_error(tmp_path):
    rng = np.random.default_rng(0)
    path = write_bytes(tmp_path, "regies.csv", rng.integers(0, 256, 4000, dtype=np.uint8).tobytes())
    with pytest.raises(ReadError, match="regies.csv"):
        read_any(path)


def test_empty_file_is_a_clear_error(tmp_path):
    path = write_bytes(tmp_path, "partenariats.csv", b"")
    with pytest.raises(ReadError, match="vide"):
        read_any(path)


def test_empty_geojson_is_a_clear_error(tmp_path):
    path = write_bytes(tmp_path, "qpv.geojson", b"")
    with pytest.raises(ReadError, match="vide"):
        read_any(path)


def test_unsupported_format_names_the_file(tmp_path):
    path = write_bytes(tmp_path, "regies.pdf", b"%PDF-1.4")
    with pytest.raises(ReadError, match="regies.pdf"):
        read_any(path)


def test_xlsx_prefers_the_sheet_named_after_the_dataset(tmp_path):
    path = tmp_path / "classeur.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"note": ["rien"]}).to_excel(writer, sheet_name="Lisez-moi", index=False)
        pd.DataFrame({"siren": ["123456782"], "nom": ["Office"], "famille": ["OPH"],
                      "commune_siege": ["Lyon"], "insee_reg": ["84"]}).to_excel(
            writer, sheet_name="organismes", index=False)
    raw = read_any(path, "organismes")
    assert raw.frame.loc[0, "nom"] == "Office"
    assert raw.frame.loc[0, ROW] == 2


def test_xlsx_first_sheet_by_default(tmp_path):
    path = tmp_path / "organismes.xlsx"
    pd.DataFrame({"siren": ["123456782"], "nom": ["Office"], "famille": ["ESH"], "commune_siege": ["Caen"],
                  "insee_reg": ["28"]}).to_excel(path, index=False)
    raw = read_any(path)
    assert raw.kind == "organismes"
    assert raw.frame.loc[0, "famille"] == "ESH"


def test_geojson_wgs84_is_read_as_is(tmp_path):
    path = tmp_path / "qpv.geojson"
    qpv_frame().to_file(path, driver="GeoJSON")
    raw = read_any(path)
    assert raw.kind == "qpv"
    assert raw.frame.crs.to_epsg() == 4326
    assert raw.frame.loc[1, ROW] == 2
    assert raw.frame.geometry.iloc[0].bounds[0] == pytest.approx(2.37)


def test_geopackage_in_lambert93_is_reprojected(tmp_path):
    path = tmp_path / "qpv.gpkg"
    qpv_frame().to_crs(2154).to_file(path, driver="GPKG")
    raw = read_any(path)
    assert raw.frame.crs.to_epsg() == 4326
    assert raw.frame.geometry.iloc[0].bounds[0] == pytest.approx(2.37, abs=1e-7)


def _zip_shapefile(folder: Path, frame: gpd.GeoDataFrame, name: str, drop_prj: bool = False) -> Path:
    shp_dir = folder / f"{name}_shp"
    shp_dir.mkdir()
    frame.to_file(shp_dir / f"{name}.shp")
    if drop_prj:
        (shp_dir / f"{name}.prj").unlink()
    archive = folder / f"{name}.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for member in shp_dir.iterdir():
            zf.write(member, member.name)
    return archive


def test_lambert93_shapefile_zip_lands_at_the_same_places(tmp_path):
    archive = _zip_shapefile(tmp_path, qpv_frame().to_crs(2154), "qpv")
    raw = read_any(archive)
    original = qpv_frame()
    assert raw.frame.crs.to_epsg() == 4326
    for got, expected in zip(raw.frame.geometry, original.geometry, strict=True):
        assert got.hausdorff_distance(expected) < 1e-7  # shapefiles reorient rings: compare shapes


def test_shapefile_folder_is_read(tmp_path):
    folder = tmp_path / "qpv"
    folder.mkdir()
    qpv_frame().to_file(folder / "perimetres.shp")
    raw = read_any(folder, "qpv")
    assert len(raw.frame) == 2


def test_shapefile_without_prj_and_metric_coordinates_is_refused(tmp_path):
    archive = _zip_shapefile(tmp_path, qpv_frame().to_crs(2154), "qpv", drop_prj=True)
    with pytest.raises(ReadError, match="aucun système de coordonnées"):
        read_any(archive)


def test_shapefile_without_prj_and_lonlat_coordinates_is_read_with_a_warning(tmp_path):
    archive = _zip_shapefile(tmp_path, qpv_frame(), "qpv", drop_prj=True)
    raw = read_any(archive)
    assert raw.frame.crs.to_epsg() == 4326
    assert [f.severity for f in raw.findings] == ["avertissement"]
    assert "WGS84" in raw.findings[0].message


def test_corrupt_zip_is_a_clear_error(tmp_path):
    path = write_bytes(tmp_path, "qpv.zip", os.urandom(200))
    with pytest.raises(ReadError, match="qpv.zip"):
        read_any(path)


@pytest.mark.parametrize(
    ("name", "expected"),
    [("regies.csv", "regies"), ("Organismes HLM.xlsx", "organismes"), ("QP2024_France.geojson", "qpv"),
     ("mes-partenariats.csv", "partenariats"), ("departements.geojson", "departements")],
)
def test_dataset_kind_from_file_name(name, expected):
    assert guess_kind(Path(name)) == expected


def test_dataset_kind_from_columns_when_the_name_says_nothing():
    columns = ["id_partenariat", "id_regie", "siren_organisme", "qpv", "themes", "statut", "date_debut"]
    assert guess_kind(Path("export.csv"), columns) == "partenariats"
    assert guess_kind(Path("export.csv"), ["a", "b"]) is None


def test_overseas_local_crs_is_reprojected(tmp_path):
    reunion = gpd.GeoDataFrame({"code_qp": ["QN97401M"], "lib_qp": ["Le Chaudron"], "lib_com": ["Saint-Denis"]},
                               geometry=[square(55.48, -20.89, 0.005)], crs="EPSG:4326")
    path = tmp_path / "qpv.gpkg"
    reunion.to_crs(2975).to_file(path, driver="GPKG")  # RGR92 / UTM 40S, as La Réunion publishes
    raw = read_any(path)
    assert raw.frame.crs.to_epsg() == 4326
    assert raw.frame.geometry.iloc[0].hausdorff_distance(reunion.geometry.iloc[0]) < 1e-7


def test_csv_naming_a_column_twice_is_refused_with_both_positions(tmp_path):
    path = write_bytes(tmp_path, "regies.csv", b"id_regie;nom;commune;Nom\nRQ1;A;Paris;B\n")
    with pytest.raises(ReadError) as caught:
        read_any(path, "regies")
    assert (caught.value.row, caught.value.column) == (1, "Nom")
    assert "B (colonne 2) et D (colonne 4)" in str(caught.value) and "regies.csv" in str(caught.value)


def test_xlsx_naming_a_column_twice_is_refused_with_both_positions(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["siren", "nom"] + [f"c{i}" for i in range(25)] + ["siren", None, None])
    sheet.append(["123456782", "Office"] + ["x"] * 25 + ["987654321"])
    path = tmp_path / "organismes.xlsx"
    book.save(path)
    with pytest.raises(ReadError) as caught:
        read_any(path, "organismes")
    assert (caught.value.row, caught.value.column) == (1, "siren")
    assert "A (colonne 1) et AB (colonne 28)" in str(caught.value)


def test_blank_headers_of_empty_columns_are_not_duplicates(tmp_path):
    path = write_bytes(tmp_path, "regies.csv", b"id_regie;nom;;\nRQ1;A;;\n")
    assert list(read_any(path, "regies").frame["id_regie"]) == ["RQ1"]


# --- bounds (issue 15): each of these read the file unbounded, or crashed, before --------------------------------


@pytest.mark.timeout(60)  # the old separator sniffing took minutes on this line
def test_a_10_mib_one_line_csv_is_refused_naming_the_line_limit(tmp_path):
    path = hostile.one_line_csv(tmp_path / "partenariats.csv")
    with pytest.raises(ReadError) as caught:
        read_any(path)
    assert "« partenariats.csv » a une ligne de plus de 100 000 caractères (ligne 1)" in plain(caught.value)
    assert caught.value.row == 1


def test_a_long_line_after_short_ones_is_found_with_its_number(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_LINE_CHARS", 50)
    path = write_bytes(tmp_path, "regies.csv", b"id_regie;nom\r\nRQ1;A\r\nRQ2;" + b"B" * 60 + b"\r\n")
    with pytest.raises(ReadError, match="plus de 50 caractères \\(ligne 3\\)"):
        read_any(path)
    path.write_bytes(b"id_regie;nom\r\nRQ1;A\r\nRQ2;" + b"B" * 40 + b"\r\n")
    assert read_any(path).frame["nom"].tolist() == ["A", "B" * 40]


@pytest.mark.parametrize(("text", "columns"), [
    ('"Code, QP";"Nom; du quartier";commune\nQN1;A;B\n', ["Code, QP", "Nom; du quartier", "commune"]),
    ("code_qp\tnom, prénom\nQN1\tDupont, Jean\nQN2\tMartin\n", ["code_qp", "nom, prénom"]),  # tie: lines agree
    ("code_qp,nom\nQN1,Riquet; Stalingrad\n", ["code_qp", "nom"]),
])
def test_the_separator_is_counted_in_the_header_outside_quotes(tmp_path, text, columns):
    path = write_bytes(tmp_path, "liste.csv", text.encode("utf-8"))
    frame = read_csv(path)
    assert list(frame.columns) == [*columns, ROW]
    assert frame.iloc[0, 0] == "QN1"


def test_old_mac_line_endings_are_read(tmp_path):
    path = write_bytes(tmp_path, "regies.csv", b"id_regie;nom\rRQ1;A\rRQ2;B\r")
    assert read_csv(path)["nom"].tolist() == ["A", "B"]


def test_a_quoted_cell_longer_than_the_csv_module_accepts_is_a_clear_error(tmp_path):
    path = write_bytes(tmp_path, "regies.csv", b'id_regie;"nom' + b"x\n" * 70_000 + b'"\nRQ1;A\n')
    with pytest.raises(ReadError, match="« regies.csv » n'est pas un CSV valide"):
        read_any(path)


def test_more_columns_than_the_limit_are_refused(tmp_path):
    header = ";".join(f"c{i}" for i in range(201))
    path = write_bytes(tmp_path, "regies.csv", f"{header}\n{';'.join(['x'] * 201)}\n".encode())
    with pytest.raises(ReadError, match="« regies.csv » a 201 colonnes : la limite est 200"):
        read_any(path, "regies")
    book = tmp_path / "regies.xlsx"
    pd.DataFrame([["x"] * 201], columns=header.split(";")).to_excel(book, index=False)
    with pytest.raises(ReadError, match="« regies.xlsx » a 201 colonnes : la limite est 200"):
        read_any(book, "regies")


def test_more_rows_or_cells_than_the_limits_are_refused(tmp_path, monkeypatch):
    rows = "\n".join(f"RQ{i};Régie {i}" for i in range(6))
    path = write_bytes(tmp_path, "regies.csv", f"id_regie;nom\n{rows}\n".encode())
    book = tmp_path / "regies.xlsx"
    read_csv(path).drop(columns=ROW).to_excel(book, index=False)
    monkeypatch.setattr(limits, "MAX_ROWS", 6)
    assert len(read_csv(path)) == len(read_xlsx(book, "regies")) == 6
    monkeypatch.setattr(limits, "MAX_ROWS", 5)
    with pytest.raises(ReadError, match="« regies.csv » a plus de 5 lignes de données : la limite est 5 lignes."):
        read_csv(path)
    with pytest.raises(ReadError, match=r"« regies.xlsx » a plus de 5 lignes de données \(une valeur à la ligne 7\)"):
        read_xlsx(book, "regies")
    monkeypatch.setattr(limits, "MAX_ROWS", 100)
    monkeypatch.setattr(limits, "MAX_CELLS", 8)  # 2 columns: 4 rows
    for reader in (read_csv, read_any):
        with pytest.raises(ReadError, match=r"la limite est 4 lignes pour 2 colonnes \(au plus 8 cellules\)"):
            reader(path)


@pytest.mark.timeout(60)
def test_a_workbook_declaring_the_whole_grid_is_refused_at_its_far_row(tmp_path):
    path = hostile.declared_huge_workbook(tmp_path / "partenariats.xlsx")
    for formulas in (None, []):
        with pytest.raises(ReadError) as caught:
            read_xlsx(path, "partenariats", formulas)
        assert "« partenariats.xlsx » a plus de 200 000 lignes de données (une valeur à la ligne 1 048 576) : la " \
            "limite est 200 000 lignes." in plain(caught.value)
        assert caught.value.row == 1_048_576


@pytest.mark.timeout(60)
def test_a_workbook_declaring_the_whole_grid_reads_only_its_header_columns_and_rows(tmp_path):
    path = hostile.declared_huge_workbook(tmp_path / "partenariats.xlsx", last_row=3)
    formulas: list = []
    frame = read_xlsx(path, "partenariats", formulas)
    assert list(frame.columns) == [*hostile.PARTENARIATS_HEADER, ROW]
    assert frame[ROW].tolist() == [2, 3] and frame["id_partenariat"].tolist() == ["", "P-1"]
    assert formulas == []


def test_a_workbook_whose_shared_strings_unpack_to_much_more_is_refused_before_it_is_opened(tmp_path):
    path = hostile.shared_strings_bomb(tmp_path / "partenariats.xlsx", unpacked=20_000_000)
    with pytest.raises(ReadError) as caught:
        read_any(path, "partenariats")
    assert "L'archive du classeur « partenariats.xlsx » est anormalement compressée (« xl/sharedStrings.xml »" in str(
        caught.value)


def test_a_shapefile_zip_bomb_is_refused_before_gdal_unpacks_it(tmp_path):
    path = tmp_path / "qpv.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("qpv.shp", b"\0" * 20_000_000)
    with pytest.raises(ReadError, match="L'archive « qpv.zip » est anormalement compressée"):
        read_any(path)


def test_a_workbook_formula_is_listed_with_its_row_and_header_and_left_blank(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["siren", "nom"])
    book.active.append(["123456782", '=HYPERLINK("http://exemple.org")'])
    path = tmp_path / "organismes.xlsx"
    book.save(path)
    formulas: list = []
    frame = read_xlsx(path, "organismes", formulas)
    assert formulas == [(2, "nom", '=HYPERLINK("http://exemple.org")')]
    assert frame["nom"].tolist() == [""]
    assert read_xlsx(path, "organismes")["nom"].tolist() == [""]  # saved by openpyxl: no cached value


def test_a_truncated_workbook_is_a_clear_error(tmp_path):
    path = tmp_path / "organismes.xlsx"
    pd.DataFrame({"siren": ["123456782"] * 500, "nom": ["Office"] * 500}).to_excel(path, index=False)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(ReadError, match="« organismes.xlsx » ne peut pas être ouvert"):
        read_any(path)


def test_too_many_members_or_unpacked_bytes_are_refused(monkeypatch):
    monkeypatch.setattr(limits, "MAX_UNZIPPED_BYTES", 1000)
    infos = [zipfile.ZipInfo("a.csv"), zipfile.ZipInfo("b.csv")]
    for info in infos:
        info.file_size, info.compress_size = 600, 600
    with pytest.raises(ReadError) as caught:
        check_archive("envoi.zip", infos)
    assert plain(caught.value) == ("L'archive « envoi.zip » décompressée ferait 1,2 Ko : la taille maximale est "
                                   "1 000 octets.")
    monkeypatch.setattr(limits, "MAX_ZIP_MEMBERS", 1)
    with pytest.raises(ReadError, match="contient 2 fichiers : un dossier de données en contient au plus une dizaine"):
        check_archive("envoi.zip", infos)
    check_archive("classeur.xlsx", infos[:1], holds="classeur")
