"""Bad input: refused as a whole with a clear French message, nothing written (SQLite: no engine involved)."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook

from geo import formulas, upload
from store import StoreError
from tests.geo import hostile
from tests.store.conftest import ORGANISMES, PARTENARIATS, REGIES


@pytest.fixture
def store_url(tmp_path):
    """These checks run before any database access: SQLite is enough."""
    return f"sqlite:///{tmp_path / 'carte.sqlite3'}"


def refused(store, path_or_upload, *, user="adm") -> str:
    before = store.data_version()
    if isinstance(path_or_upload, tuple):
        plan = store.plan_upload(user, *path_or_upload)
    else:
        plan = store.plan_import(user, path_or_upload)
    assert plan.blocking, "the import should have been refused"
    assert not (plan.added or plan.changed)
    with pytest.raises(StoreError, match="Import refusé"):
        store.publish(plan, user, "")
    assert store.data_version() == before
    return " ".join(str(f) for f in plan.blocking)


def test_file_of_another_dataset_in_a_folder(store, tmp_path):
    (tmp_path / "dossier").mkdir()
    (tmp_path / "dossier" / "partenariats.csv").write_text(REGIES, encoding="utf-8")
    message = refused(store, tmp_path / "dossier")
    assert "colonnes sont celles de « Régies de quartier et de territoire »" in message
    assert "renommez-le regies.csv" in message


def test_a_file_alone_is_told_by_its_columns_whatever_its_name(store, tmp_path):
    (tmp_path / "partenariats.csv").write_text(REGIES, encoding="utf-8")
    (tmp_path / "export_2025.csv").write_text(PARTENARIATS, encoding="utf-8")
    assert store.plan_import("adm", tmp_path / "partenariats.csv").files == {"regies": "partenariats.csv"}
    assert store.plan_import("adm", tmp_path / "export_2025.csv").files == {"partenariats": "export_2025.csv"}


def test_columns_of_no_dataset_and_reference_geography(store, tmp_path):
    (tmp_path / "liste.csv").write_text("a;b\n1;2\n", encoding="utf-8")
    plan = store.plan_import("adm", tmp_path / "liste.csv")
    assert "jeu de données non reconnu à ses colonnes" in refused(store, tmp_path / "liste.csv")
    assert plan.candidates == ("regies", "organismes", "partenariats", "declinaisons", "patrimoine")
    (tmp_path / "qpv.geojson").write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    assert "géographie de référence" in refused(store, tmp_path / "qpv.geojson")


def test_zip_with_a_path_outside_its_folder(store, tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("partenariats.csv", PARTENARIATS)
        zf.writestr("../../etc/regies.csv", REGIES)
    assert "chemin hors de son dossier" in refused(store, ("envoi.zip", buffer.getvalue()))
    assert not (tmp_path.parent.parent / "etc" / "regies.csv").exists()


def test_zip_bomb(store):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("partenariats.csv", b"0" * 20_000_000)
    assert "anormalement compressée" in refused(store, ("envoi.zip", buffer.getvalue()))


def test_upload_over_the_size_limit_and_of_another_format(store, monkeypatch):
    monkeypatch.setattr(upload, "MAX_UPLOAD_BYTES", 100)
    assert "taille maximale" in refused(store, ("partenariats.csv", PARTENARIATS.encode()))
    assert "n'est pas accepté" in refused(store, ("partenariats.exe", b"MZ"))


def test_formula_cells(store, tmp_path):
    text = PARTENARIATS.replace(";Ateliers;", ';=HYPERLINK("http://exemple.org");')
    (tmp_path / "partenariats.csv").write_text(text, encoding="utf-8")
    message = refused(store, tmp_path / "partenariats.csv")
    assert "partenariats.csv, ligne 2, colonne « description »" in message and "formule" in message


def test_formula_rule_spares_numbers():
    cells = ("=1+1", "@SUM(A1)", "+cmd|' /C calc'!A0", "-2+3+cmd|'x'!A0", "\t=1", "-2,37", "+33 1 23", "48,8",
             "- Ateliers en pied d'immeuble", "Quartier (nord)")
    assert [formulas.is_formula(v) for v in cells] == [True] * 5 + [False] * 5


def test_formula_in_a_workbook(store, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    for line in PARTENARIATS.splitlines():
        sheet.append(line.split(";"))
    sheet["I3"] = "=1+1"
    workbook.save(tmp_path / "partenariats.xlsx")
    assert "partenariats.xlsx, ligne 3, colonne « description »" in refused(store, tmp_path / "partenariats.xlsx")


def test_duplicate_headers(store, tmp_path):
    lines = ORGANISMES.splitlines()
    text = "\n".join([lines[0] + ";Nom", *(line + ";Autre" for line in lines[1:])]) + "\n"
    (tmp_path / "organismes.csv").write_text(text, encoding="utf-8")
    message = refused(store, tmp_path / "organismes.csv")
    assert "a deux colonnes « Nom » : B (colonne 2) et J (colonne 10)" in message


def test_two_rows_with_one_id(store, tmp_path):
    lines = PARTENARIATS.splitlines()
    (tmp_path / "partenariats.csv").write_text("\n".join([*lines, lines[1]]) + "\n", encoding="utf-8")
    message = refused(store, tmp_path / "partenariats.csv")
    assert "ligne 6, colonne « id_partenariat » : identifiant « P-1 » en double (déjà ligne 2)" in message


# --- issue 15: each of these stalled the process, reached the server's files or showed a traceback -------------


@pytest.mark.timeout(60)  # the old separator sniffing took minutes on this line
def test_a_10_mib_one_line_csv(store, tmp_path):
    data = hostile.one_line_csv(tmp_path / "partenariats.csv").read_bytes()
    assert "a une ligne de plus de 100\u202f000 caractères" in refused(store, ("partenariats.csv", data))


@pytest.mark.timeout(120)  # the old formula check walked the 16 384 declared columns of each of 1 048 576 rows
def test_a_workbook_declaring_the_whole_grid_is_read_as_far_as_its_values(store, tmp_path):
    rows = [line.split(";") for line in PARTENARIATS.splitlines()[1:]]
    path = hostile.declared_huge_workbook(tmp_path / "partenariats.xlsx", rows, last_row=None)
    (tmp_path / "partenariats.csv").write_text(PARTENARIATS, encoding="utf-8")
    plan, same = store.plan_import("adm", path), store.plan_import("adm", tmp_path / "partenariats.csv")
    assert not plan.blocking and [str(f) for f in plan.findings] == [str(f) for f in same.findings]
    assert [(c.record_id, c.after) for c in plan.unchanged + plan.changed + plan.added] == [
        (c.record_id, c.after) for c in same.unchanged + same.changed + same.added]
    hostile.declared_huge_workbook(path, rows)
    assert "une valeur à la ligne 1\u202f048\u202f576" in refused(store, path)


def test_a_shared_strings_bomb(store, tmp_path):
    path = hostile.shared_strings_bomb(tmp_path / "partenariats.xlsx", unpacked=20_000_000)
    assert "« xl/sharedStrings.xml »" in refused(store, ("partenariats.xlsx", path.read_bytes()))


def test_a_manifest_naming_files_outside_the_zip(store, tmp_path):
    folder = hostile.escaping_manifest_folder(tmp_path / "envoi", tmp_path / "ailleurs")
    (folder / "partenariats.csv").write_text(PARTENARIATS, encoding="utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for path in folder.iterdir():
            zf.write(path, path.name)
    plan = store.plan_upload("adm", "envoi.zip", buffer.getvalue())
    message = refused(store, ("envoi.zip", buffer.getvalue()))
    assert "manifest.json : le fichier « /" in message and "du jeu « regies » est hors du dossier" in message
    assert "du jeu « organismes » est hors du dossier" in message
    assert "secret" not in " ".join(str(change.after) for change in plan.added + plan.changed + plan.unchanged)


@pytest.mark.parametrize("manifest", ["[]", '{"datasets": {"regies": {"file": 5}}}', "[" * 100_000])
def test_a_manifest_of_the_wrong_shape(store, manifest):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("partenariats.csv", PARTENARIATS)
        zf.writestr("manifest.json", manifest)
    assert "manifest.json : le fichier manifest.json est ignoré" in refused(store, ("envoi.zip", buffer.getvalue()))
