"""`python -m geo`: exit codes, French report and summary, run as a user would (a subprocess)."""

from __future__ import annotations

import subprocess
import sys
import zipfile

import geopandas as gpd
import pandas as pd

from tests.paths import REPO, SHARED_DATA


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "geo", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=120)


def test_demo_folder_is_clean_and_matches_the_convention():
    result = run("check", "data/demo")
    assert result.returncode == 0, result.stdout + result.stderr
    summary = result.stdout.splitlines()[-2]
    assert "129 régies" in summary and "320 QPV couverts" in summary
    assert "13\u202f000 salariés" in summary and "2\u202f540 bénévoles" in summary
    assert "Traceback" not in result.stderr


def test_occitanie_2015_file_gives_105_qpv():
    result = run("check", "--kind", "qpv", str(SHARED_DATA / "hackaviz2021_qpv2015_occitanie.geojson"))
    assert result.returncode == 0
    assert "105 QPV valides" in result.stdout
    assert "Bilan : 0 erreur" in result.stdout


def test_occitanie_as_lambert93_zip_gives_the_same_105(tmp_path):
    folder = tmp_path / "shp"
    folder.mkdir()
    gpd.read_file(SHARED_DATA / "hackaviz2021_qpv2015_occitanie.geojson").to_crs(2154).to_file(folder / "qp.shp")
    archive = tmp_path / "qp_l93.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for member in folder.iterdir():
            zf.write(member, member.name)
    result = run("check", "--kind", "qpv", str(archive))
    assert result.returncode == 0 and "105 QPV valides" in result.stdout


def test_errors_give_exit_1_with_file_row_and_column(tmp_path):
    path = tmp_path / "organismes.csv"
    pd.DataFrame([{"siren": "12", "nom": "X", "famille": "OPH", "commune_siege": "Lyon", "insee_reg": "84"}]).to_csv(
        path, sep=";", index=False)
    result = run("check", str(path))
    assert result.returncode == 1
    assert "[erreur] organismes.csv, ligne 2, colonne « siren »" in result.stdout


def test_unreadable_input_gives_exit_2_without_traceback(tmp_path):
    path = tmp_path / "regies.csv"
    path.write_bytes(bytes(range(256)) * 20)
    result = run("check", str(path))
    assert result.returncode == 2
    assert "regies.csv" in result.stdout and "Traceback" not in result.stdout + result.stderr


def test_missing_path_gives_exit_2():
    result = run("check", "/nulle/part/regies.csv")
    assert result.returncode == 2 and "introuvable" in result.stdout


def test_bad_arguments_give_exit_2_in_french():
    result = run("check", "--kind", "inconnu", "x.csv")
    assert result.returncode == 2 and "Arguments invalides" in result.stderr
    assert run().returncode == 2
