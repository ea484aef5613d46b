"""`python -m geo import FILE --as USER` on lists as people keep them: the federation's layout with no mapping file,
a layout of its own with `--colonnes mapping.json`. In-process (the store on each engine), geocoder off."""

from __future__ import annotations

import json

import pytest

from geo.__main__ import main
from geo.identifiers import regie_id

FEDERATION = """Nom de la régie;Adresse;CP;Ville;Quartiers d'intervention;Nb salariés;Nb bénévoles
Régie de quartier Riquet;12 rue Riquet;75019;Paris;Stalingrad - Riquet;85;
Régie de quartier Lille Sud;;59000;Lille;Secteur Sud;;4
"""


@pytest.fixture
def cli(store, store_url, data_folder, monkeypatch, capsys):
    monkeypatch.setenv("CARTE_DATABASE_URL", store_url)
    monkeypatch.setenv("CARTE_DATA_DIR", str(data_folder))
    monkeypatch.setenv("CARTE_GEOCODER_URL", "non")

    def run(*args: str) -> tuple[int, str]:
        code = main(list(args))
        out = capsys.readouterr()
        return code, out.out + out.err
    return run


def test_the_federation_layout_imports_with_no_mapping_file(cli, store, tmp_path):
    path = tmp_path / "regies_federation.csv"
    path.write_text(FEDERATION, encoding="utf-8")
    code, out = cli("import", str(path), "--as", "adm", "--comment", "liste de la fédération")
    assert code == 0, out  # published; the rows placed at their commune are flagged, not in error
    assert "Colonnes (regies) : « Nom de la régie » → nom ; « Adresse » → adresse ; « CP » → code_postal" in out
    assert "ligne 2, colonne « Ville » : « Paris (75019) » → Paris (75056, arrondissement 75119)" in out
    assert "géocodage désactivé : placée au point de la commune." in out
    riquet = regie_id("Régie de quartier Riquet", "75056")
    assert f"ajouté {riquet}" in out and "Publié : lot de modifications" in out
    record = store.read_records("regies")[riquet][0]
    assert (record["qpv_couverts"], record["salaries"], record["benevoles"], record["precision"]) == (
        "QN07513M", "85", None, "commune")


def test_a_mapping_file_names_the_columns_of_a_layout_of_its_own(cli, store, tmp_path):
    path = tmp_path / "export_tableur.csv"
    path.write_text("Structure;Localité;Code;QP;Effectif\nRégie Riquet;Paris;75019;QN07513M;12\n", encoding="utf-8")
    mapping = tmp_path / "colonnes.json"
    mapping.write_text(json.dumps({"Structure": "nom", "Localité": "commune", "Code": "code_postal",
                                   "QP": "qpv_couverts", "Effectif": "ignorer"}), encoding="utf-8")
    code, out = cli("import", str(path), "--as", "adm", "--kind", "regies", "--colonnes", str(mapping),
                    "--dry-run")
    assert "« Effectif » → ignorer" in out and f"ajouté {regie_id('Régie Riquet', '75056')}" in out, out
    assert "Essai à blanc" in out and code == 0
    mapping.write_text("pas du JSON", encoding="utf-8")
    code, out = cli("import", str(path), "--as", "adm", "--colonnes", str(mapping))
    assert code == 2 and "correspondance « colonnes.json » illisible" in out


def test_the_mapping_file_published_once_is_used_for_the_next_file_with_the_same_headers(cli, store, tmp_path):
    path = tmp_path / "liste.csv"
    path.write_text(FEDERATION.replace("Nb salariés", "Équipe"), encoding="utf-8")
    code, out = cli("import", str(path), "--as", "adm", "--dry-run")
    assert "« Équipe » → ignorer" in out, out
    (tmp_path / "colonnes.json").write_text('{"Nom de la régie": "nom", "Adresse": "adresse", "CP": "code_postal", '
                                            '"Ville": "commune", "Quartiers d\'intervention": "qpv_couverts", '
                                            '"Équipe": "salaries", "Nb bénévoles": "benevoles"}', encoding="utf-8")
    code, out = cli("import", str(path), "--as", "adm", "--colonnes", str(tmp_path / "colonnes.json"))
    assert code == 0 and "Publié" in out, out
    code, out = cli("import", str(path), "--as", "adm", "--dry-run")  # no mapping file: the one published
    assert "« Équipe » → salaries" in out, out
