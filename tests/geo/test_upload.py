"""The pure upload checks of `geo.upload`: extraction of a zip of a data folder, sizes, workbook formulas."""

from __future__ import annotations

import io
import re
import stat
import struct
import zipfile

import pytest

from geo import upload


def zip_bytes(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def test_a_zip_of_a_folder_is_extracted_into_its_folder(tmp_path):
    archive = tmp_path / "envoi.zip"
    archive.write_bytes(zip_bytes({"donnees/regies.csv": b"id_regie;nom\n", "donnees/notes/a.txt": b"x"}))
    (tmp_path / "out").mkdir()
    folder = upload.safe_extract(archive, tmp_path / "out")
    assert folder == tmp_path / "out" / "donnees"
    assert (folder / "regies.csv").read_bytes() == b"id_regie;nom\n"


def test_a_member_longer_than_its_header_declares_is_refused(tmp_path):
    data = bytearray(zip_bytes({"regies.csv": b"0" * 5_000_000}))
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):  # local header, central directory
        struct.pack_into("<I", data, data.find(signature) + offset, 1000)
    archive = tmp_path / "envoi.zip"
    archive.write_bytes(bytes(data))
    (tmp_path / "out").mkdir()
    with pytest.raises(upload.UploadError, match="« envoi.zip » est illisible"):
        upload.safe_extract(archive, tmp_path / "out")
    assert (tmp_path / "out" / "regies.csv").stat().st_size <= 1000  # never more than declared


def test_a_symbolic_link_member_is_refused(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        link = zipfile.ZipInfo("regies.csv")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(link, "/etc/passwd")
    archive = tmp_path / "envoi.zip"
    archive.write_bytes(buffer.getvalue())
    with pytest.raises(upload.UploadError, match=re.escape("contient un lien symbolique (« regies.csv ») : elle est")):
        upload.safe_extract(archive, tmp_path)


def test_the_size_check_names_the_file_and_the_limit():
    with pytest.raises(upload.UploadError) as caught:
        upload.check_size("partenariats.csv", 60 * 1024 * 1024)
    assert str(caught.value) == "Le fichier « partenariats.csv » fait 60,0 Mo : la taille maximale est 50,0 Mo."
    upload.check_size("partenariats.csv", 50 * 1024 * 1024)


def test_workbook_formulas_are_errors_naming_row_and_column():
    findings = upload.workbook_formulas("regies.xlsx", [(3, "nom", "=A1&" + "B" * 60)])
    assert [(f.severity, f.file, f.row, f.column) for f in findings] == [("erreur", "regies.xlsx", 3, "nom")]
    assert findings[0].message == f"la cellule « {'=A1&' + 'B' * 36} » est une formule de tableur : refusée."
