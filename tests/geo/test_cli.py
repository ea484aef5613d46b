"""`python -m geo`: exit codes, French report and summary, run as a user would (a subprocess)."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile

import geopandas as gpd
import pandas as pd
import shapely.geometry

from tests.paths import QPV2015_EXTRACT, REPO


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


# The real QPV extract: 8 outlines, 4 of them self-intersecting (repaired with a warning each).
EXTRACT_QPV, EXTRACT_INVALID = 8, 4


def test_extract_counts_by_an_independent_read():
    features = json.loads(QPV2015_EXTRACT.read_text(encoding="utf-8"))["features"]
    invalid = sum(not shapely.geometry.shape(f["geometry"]).is_valid for f in features)
    assert (len(features), invalid) == (EXTRACT_QPV, EXTRACT_INVALID)


def test_real_qpv_2015_extract_is_valid_with_one_warning_per_repaired_outline():
    result = run("check", "--kind", "qpv", str(QPV2015_EXTRACT))
    assert result.returncode == 0
    assert f"{EXTRACT_QPV} QPV valides" in result.stdout
    assert f"Bilan : 0 erreur, {EXTRACT_INVALID} avertissements." in result.stdout
    assert result.stdout.count("réparée automatiquement (make_valid)") == EXTRACT_INVALID


def test_real_qpv_2015_extract_as_lambert93_zip_gives_the_same_qpv(tmp_path):
    folder = tmp_path / "shp"
    folder.mkdir()
    # Field names cut to 10 characters, as a Shapefile stores them (code_departement -> code_depar).
    shapes = gpd.read_file(QPV2015_EXTRACT).rename(columns=lambda name: name[:10])
    shapes.to_crs(2154).to_file(folder / "qp.shp")
    archive = tmp_path / "qp_l93.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for member in folder.iterdir():
            zf.write(member, member.name)
    result = run("check", "--kind", "qpv", str(archive))
    assert result.returncode == 0 and f"{EXTRACT_QPV} QPV valides" in result.stdout


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


def test_a_federation_list_is_read_as_the_import_reads_it_with_its_guesses_and_questions(tmp_path):
    path = tmp_path / "regies.csv"
    path.write_text("Nom de la régie;Adresse;CP;Ville;Quartiers d'intervention;Nb salariés;Nb bénévoles\n"
                    "Régie de quartier Riquet;12 rue Riquet;75019;Paris;Stalingrad - Riquet;85;\n"
                    "Régie de quartier des Francs;;;Saint-Denis;Franc Moisin - Cosmonautes - Cristino Garcia - Landy;"
                    "30;2\n", encoding="utf-8")
    result = run("check", str(path))
    out = result.stdout
    assert "colonnes obligatoires absentes" not in out, out
    assert "« Régies de quartier et de territoire » reconnu à ses colonnes." in out
    assert "« CP » → code_postal ; « Ville » → commune ; « Quartiers d'intervention » → qpv_couverts" in out
    assert "« Paris (75019) » → Paris (75056, arrondissement 75119)" in out
    assert "Stalingrad Riquet (QN07513M, Paris)" in out
    question = next(line for line in out.splitlines() if line.startswith("[question]"))
    assert "ligne 3, colonne « Ville »" in question and "93066" in question and "97411" in question
    # the row asked about is left out: one régie of two is valid, placed at its commune without the geocoder
    assert "regies.csv (Régies de quartier et de territoire) : 1 régie valides" in out
    assert "placée au point de la commune" in out
    assert result.returncode == 0 and "Traceback" not in result.stderr
