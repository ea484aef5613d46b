"""Validation rules of `geo.load`, one per test, on small files written by the tests."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import LineString, Point, Polygon

from geo.io import guess_kind
from geo.load import clean, find_dataset_files, load_file, load_folder
from tests.geo import hostile
from tests.paths import QPV2015_EXTRACT

OCCITANIE = QPV2015_EXTRACT  # 8 real QPV 2015 perimeters of Occitanie, 4 self-intersecting

REGIE = {
    "id_regie": "RQ1", "nom": "Régie Test", "type": "régie de quartier", "commune": "Paris",
    "insee_com": "75056", "latitude": "48,8839", "longitude": "2,3702", "salaries": "12",
    "benevoles": "3", "qpv_couverts": "QN07519M | QN07520M",
}
PARTENARIAT = {
    "id_partenariat": "P1", "id_regie": "RQ1", "siren_organisme": "123456782", "qpv": "QN07519M",
    "themes": "inclusion numérique | cohésion sociale", "statut": "en cours", "date_debut": "01/09/2024",
    "date_fin": "", "montant_eur": "45 000,50", "heures_insertion": "1 200",
}
ORGANISME = {"siren": "123456782", "nom": "Office Test", "famille": "OPH", "commune_siege": "Paris",
             "insee_reg": "11"}


def write_csv(tmp_path: Path, name: str, rows: list[dict], encoding: str = "utf-8-sig") -> Path:
    path = tmp_path / name
    pd.DataFrame(rows).to_csv(path, sep=";", index=False, encoding=encoding)
    return path


def findings_of(tmp_path, name, rows, **kwargs):
    kind, frame, findings = load_file(write_csv(tmp_path, name, rows), **kwargs)
    return frame, findings


def only(findings, severity="erreur"):
    return [f for f in findings if f.severity == severity]


def test_a_clean_regie_row_is_typed(tmp_path):
    frame, findings = findings_of(tmp_path, "regies.csv", [REGIE])
    assert findings == []
    row = frame.iloc[0]
    assert row["latitude"] == pytest.approx(48.8839)
    assert row["salaries"] == 12
    assert row["qpv_couverts"] == ["QN07519M", "QN07520M"]
    assert frame.geometry.iloc[0].x == pytest.approx(2.3702)
    assert row["_ligne"] == 2


def test_cp1252_partnerships_with_french_numbers_and_dates(tmp_path):
    path = write_csv(tmp_path, "partenariats.csv", [PARTENARIAT], encoding="cp1252")
    _, frame, findings = load_file(path)
    assert findings == []
    row = frame.iloc[0]
    assert row["montant_eur"] == pytest.approx(45000.50)
    assert row["heures_insertion"] == 1200
    assert row["date_debut"] == pd.Timestamp(2024, 9, 1)
    assert row["themes"] == ["inclusion-numerique", "cohesion-sociale"]


def test_missing_required_column_is_reported_once_for_the_file(tmp_path):
    rows = [{k: v for k, v in REGIE.items() if k != "qpv_couverts"}]
    frame, findings = findings_of(tmp_path, "regies.csv", rows)
    assert len(frame) == 0
    assert len(findings) == 1 and findings[0].row is None
    assert "qpv_couverts" in findings[0].message


def test_empty_required_value_names_row_and_column(tmp_path):
    frame, findings = findings_of(tmp_path, "regies.csv", [REGIE, {**REGIE, "id_regie": "RQ2", "nom": ""}])
    errors = only(findings)
    assert [(f.file, f.row, f.column) for f in errors] == [("regies.csv", 3, "nom")]
    assert list(frame["id_regie"]) == ["RQ1"]  # the bad row is reported and kept out, the good one kept


def test_an_overlong_text_is_an_error_on_its_row_and_column(tmp_path):
    rows = [{**PARTENARIAT, "description": "x" * 2000}, {**PARTENARIAT, "id_partenariat": "P2",
                                                          "description": "x" * 10_000}]
    frame, findings = findings_of(tmp_path, "partenariats.csv", rows)
    (error,) = only(findings)
    assert (error.row, error.column) == (3, "description")
    assert "10\u202f000 caractères" in error.message and "2\u202f000" in error.message
    assert list(frame["id_partenariat"]) == ["P1"]


def test_unknown_theme_suggests_the_convention_label(tmp_path):
    _, findings = findings_of(tmp_path, "partenariats.csv", [{**PARTENARIAT, "themes": "amélioration du cadre"}])
    (error,) = only(findings)
    assert error.column == "themes"
    assert error.suggestion == "« amélioration du cadre de vie »"


def test_theme_slugs_and_labels_in_any_case_are_accepted(tmp_path):
    themes = "precarite-energetique; INSERTION PROFESSIONNELLE DES HABITANTS"
    frame, findings = findings_of(tmp_path, "partenariats.csv", [{**PARTENARIAT, "themes": themes}])
    assert findings == []
    assert frame.iloc[0]["themes"] == ["precarite-energetique", "insertion-professionnelle"]


def test_unknown_status_is_an_error_with_a_suggestion(tmp_path):
    _, findings = findings_of(tmp_path, "partenariats.csv", [{**PARTENARIAT, "statut": "en cour"}])
    (error,) = only(findings)
    assert (error.column, error.suggestion) == ("statut", "« en cours »")


def test_status_without_accent_is_accepted(tmp_path):
    frame, findings = findings_of(tmp_path, "partenariats.csv", [
        {**PARTENARIAT, "statut": "TERMINE", "date_fin": "31/12/2025"}])
    assert findings == []
    assert frame.iloc[0]["statut"] == "terminé"


def test_end_before_start_is_an_error(tmp_path):
    _, findings = findings_of(tmp_path, "partenariats.csv", [{**PARTENARIAT, "date_fin": "01/01/2024"}])
    (error,) = only(findings)
    assert error.column == "date_fin" and "précède" in error.message


def test_unreadable_date_is_an_error(tmp_path):
    _, findings = findings_of(tmp_path, "partenariats.csv", [{**PARTENARIAT, "date_debut": "septembre"}])
    (error,) = only(findings)
    assert error.column == "date_debut"


def test_negative_amount_is_an_error(tmp_path):
    _, findings = findings_of(tmp_path, "partenariats.csv", [{**PARTENARIAT, "montant_eur": "-10"}])
    (error,) = only(findings)
    assert error.column == "montant_eur" and "négative" in error.message


def test_text_in_a_number_column_is_an_error(tmp_path):
    _, findings = findings_of(tmp_path, "regies.csv", [{**REGIE, "salaries": "beaucoup"}])
    (error,) = only(findings)
    assert error.column == "salaries" and "n'est pas un nombre" in error.message


def test_fractional_headcount_is_an_error(tmp_path):
    _, findings = findings_of(tmp_path, "regies.csv", [{**REGIE, "benevoles": "2,5"}])
    (error,) = only(findings)
    assert error.column == "benevoles"


def test_duplicate_identifier_points_to_the_first_row(tmp_path):
    _, findings = findings_of(tmp_path, "regies.csv", [REGIE, REGIE])
    (error,) = only(findings)
    assert error.row == 3 and "ligne 2" in error.message


def test_invalid_qpv_code_is_an_error(tmp_path):
    _, findings = findings_of(tmp_path, "regies.csv", [{**REGIE, "qpv_couverts": "QN07519M | 75019"}])
    (error,) = only(findings)
    assert error.column == "qpv_couverts" and "75019" in error.message


def test_invalid_siren_is_an_error(tmp_path):
    _, findings = findings_of(tmp_path, "organismes.csv", [{**ORGANISME, "siren": "12345"}])
    (error,) = only(findings)
    assert error.column == "siren"


def test_unknown_family_suggests_the_closest(tmp_path):
    _, findings = findings_of(tmp_path, "organismes.csv", [{**ORGANISME, "famille": "Coopérative HLM"}])
    (error,) = only(findings)
    assert error.suggestion == "« Coop HLM »"


def test_family_spelled_with_apostrophe_is_accepted(tmp_path):
    frame, findings = findings_of(tmp_path, "organismes.csv", [{**ORGANISME, "famille": "Coop'HLM"}])
    assert findings == [] and frame.iloc[0]["famille"] == "Coop HLM"


def test_swapped_coordinates_are_detected(tmp_path):
    _, findings = findings_of(tmp_path, "regies.csv", [{**REGIE, "latitude": "2,3702", "longitude": "48,8839"}])
    (error,) = only(findings)
    assert "inversées" in error.message


def test_coordinates_outside_france_are_an_error(tmp_path):
    _, findings = findings_of(tmp_path, "regies.csv", [{**REGIE, "latitude": "40,7", "longitude": "-74,0"}])
    (error,) = only(findings)
    assert "hors de France" in error.message and "inversées" not in error.message


def test_lost_leading_zero_of_a_commune_code_is_restored_with_a_warning(tmp_path):
    frame, findings = findings_of(tmp_path, "regies.csv", [{**REGIE, "insee_com": "1004"}])
    assert frame.iloc[0]["insee_com"] == "01004"
    assert [f.severity for f in findings] == ["avertissement"]


def _qpv(geometries, codes=None) -> pd.DataFrame:
    codes = codes or [f"QN07{i:03d}M" for i in range(len(geometries))]
    frame = gpd.GeoDataFrame(
        {"code_qp": codes, "lib_qp": "Q", "insee_com": "75056", "lib_com": "Paris",
         "_ligne": range(1, len(codes) + 1)},
        geometry=geometries, crs="EPSG:4326")
    return frame


def test_bow_tie_polygon_is_repaired_with_a_warning():
    bow_tie = Polygon([(2.30, 48.80), (2.31, 48.81), (2.31, 48.80), (2.30, 48.81)])
    assert not bow_tie.is_valid
    frame, findings = clean("qpv", _qpv([bow_tie]), "qpv.geojson")
    assert frame.geometry.iloc[0].is_valid
    # two triangles of base 0.01 and height 0.005 each: both halves are kept
    assert frame.geometry.iloc[0].area == pytest.approx(2 * 0.5 * 0.01 * 0.005)
    assert [(f.severity, f.column) for f in findings] == [("avertissement", "geometry")]


def test_empty_and_non_polygon_geometries_are_errors():
    frame, findings = clean("qpv", _qpv([Polygon(), LineString([(2.3, 48.8), (2.4, 48.9)]),
                                         Point(2.3, 48.8).buffer(0.001)]), "qpv.geojson")
    assert [(f.row, f.severity) for f in findings] == [(1, "erreur"), (2, "erreur")]
    assert len(frame) == 1


def test_qpv_territories_are_derived_from_the_commune_code():
    frame, findings = clean("qpv", _qpv([Point(2.3, 48.8).buffer(0.001)]), "qpv.geojson")
    row = frame.iloc[0]
    assert (row["insee_dep"], row["insee_reg"], row["lib_reg"]) == ("75", "11", "Île-de-France")


def test_folder_with_missing_files_reports_them_and_falls_back_to_outlines(tmp_path):
    write_csv(tmp_path, "regies.csv", [REGIE])
    ds = load_folder(tmp_path)
    missing = sorted(f.file for f in ds.errors)
    assert missing == ["organismes.*", "partenariats.*", "qpv.*"]
    assert len(ds.regies) == 1
    assert len(ds.regions) == 18 and len(ds.departements) == 101


def test_dataset_files_are_found_by_name_whatever_the_case(tmp_path):
    write_csv(tmp_path, "Regies.csv", [REGIE])
    write_csv(tmp_path, "notes.csv", [REGIE])
    assert {k: p.name for k, p in find_dataset_files(tmp_path).items()} == {"regies": "Regies.csv"}


def test_real_occitanie_2015_perimeters_are_all_kept_and_repaired():
    kind, frame, findings = load_file(OCCITANIE, "qpv")
    raw = gpd.read_file(OCCITANIE)
    assert kind == "qpv" and len(frame) == len(raw) == 8
    assert [f for f in findings if f.severity == "erreur"] == []
    repaired = sorted(f.row for f in findings if f.column == "geometry")
    assert repaired == [i + 1 for i in range(len(raw)) if not raw.geometry.iloc[i].is_valid] == [1, 3, 7, 8]
    assert frame.is_valid.all()
    assert set(frame["insee_reg"]) == {"76"}
    assert set(frame["code_qp"]) == set(raw["code_qp"])
    assert dict(zip(frame["code_qp"], frame["insee_dep"], strict=True)) == dict(
        zip(raw["code_qp"], raw["code_departement"], strict=True))


@pytest.mark.filterwarnings("ignore:Column names longer than 10 characters:UserWarning")  # the point of the test
@pytest.mark.filterwarnings("ignore:Normalized/laundered field name:RuntimeWarning")
def test_occitanie_as_lambert93_shapefile_zip_gives_the_same_qpv_at_the_same_places(tmp_path):
    import zipfile

    raw = gpd.read_file(OCCITANIE)
    folder = tmp_path / "shp"
    folder.mkdir()
    # Field names cut to 10 characters, as a Shapefile stores them (code_departement -> code_depar).
    raw.rename(columns=lambda name: name[:10]).to_crs(2154).to_file(folder / "QP_2015.shp")
    archive = tmp_path / "qpv_l93.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for member in folder.iterdir():
            zf.write(member, member.name)
    _, frame, findings = load_file(archive, "qpv")
    assert len(frame) == len(raw)
    _, from_geojson, _ = load_file(OCCITANIE, "qpv")
    expected = from_geojson.set_index("code_qp").geometry
    got = frame.set_index("code_qp").geometry
    # Identical but where a ring that touches itself is repaired: the shapefile writer reorders such rings, so
    # the repair may keep a vertex one rounding step (1e-4°, as published) away.
    assert max(got[c].hausdorff_distance(expected[c]) for c in expected.index) < 1.5e-4
    raw_centroids = raw.set_index("code_qp").geometry.to_crs(2154).centroid
    got_centroids = got.set_crs(4326).to_crs(2154).centroid
    assert max(got_centroids[c].distance(raw_centroids[c]) for c in raw_centroids.index) < 1.0  # metres


def test_files_named_by_the_manifest_are_found(tmp_path):
    from geo.manifest import DatasetRecord, Manifest, write_manifest

    write_csv(tmp_path, "export_2026.csv", [REGIE])
    record = DatasetRecord(file="export_2026.csv", source="test", licence="-", date="2026-11-27", rows=1, sha256="")
    write_manifest(tmp_path, Manifest(datasets={"regies": record}))
    assert find_dataset_files(tmp_path) == {"regies": tmp_path / "export_2026.csv"}


def test_column_named_twice_is_an_error_on_the_header_row(tmp_path):
    path = tmp_path / "regies.csv"
    path.write_text("id_regie;nom;nom\nRQ1;A;B\n", encoding="utf-8")
    _, frame, findings = load_file(path)
    assert frame is None
    assert [(f.severity, f.file, f.row, f.column) for f in findings] == [("erreur", "regies.csv", 1, "nom")]
    assert "B (colonne 2) et C (colonne 3)" in findings[0].message


def test_qpv_commune_names_come_from_the_codes_with_a_warning():
    raw = _qpv([Point(4.865, 45.71).buffer(0.002), Point(2.37, 48.88).buffer(0.002)]).drop(columns="lib_com")
    raw["insee_com"] = ["69259", "99999"]  # Vénissieux (reference list), then a code the list does not hold
    frame, findings = clean("qpv", raw, "qpv.geojson")
    assert frame["lib_com"].tolist() == ["Vénissieux"]
    assert [(f.severity, f.row, f.column) for f in findings] == [("avertissement", None, None),
                                                                   ("erreur", 2, "lib_com")]


# --- optional datasets: declinaisons and patrimoine ------------------------------------------------------------

DECLINAISON = {"insee_reg": "11", "ar_hlm": "AORIF", "statut": "signée", "date_signature": "14/03/2025",
               "organismes_signataires": "123456782", "regies_signataires": "RQ1"}


def _folder_with(tmp_path: Path, **tables: list[dict]) -> Path:
    gpd.GeoDataFrame({"code_qp": ["QN07519M"], "lib_qp": ["Stalingrad"], "lib_com": ["Paris"],
                      "insee_com": ["75056"]},
                     geometry=[Polygon([(2.36, 48.88), (2.38, 48.88), (2.38, 48.89), (2.36, 48.89)])],
                     crs="EPSG:4326").to_file(tmp_path / "qpv.geojson")
    write_csv(tmp_path, "regies.csv", [REGIE])
    write_csv(tmp_path, "organismes.csv", [ORGANISME])
    write_csv(tmp_path, "partenariats.csv", [PARTENARIAT])
    for name, rows in tables.items():
        write_csv(tmp_path, f"{name}.csv", rows)
    return tmp_path


def test_optional_datasets_absent_load_as_empty_tables_without_finding(tmp_path):
    ds = load_folder(_folder_with(tmp_path))
    assert len(ds.declinaisons) == 0 and len(ds.patrimoine) == 0
    assert not [f for f in ds.findings if f.file.startswith(("declinaisons", "patrimoine"))]


def test_a_clean_declination_is_typed(tmp_path):
    ds = load_folder(_folder_with(tmp_path, declinaisons=[DECLINAISON]))
    row = ds.declinaisons.iloc[0]
    assert (row["insee_reg"], row["statut"]) == ("11", "signée")
    assert row["date_signature"] == pd.Timestamp(2025, 3, 14)
    assert row["organismes_signataires"] == ["123456782"] and row["regies_signataires"] == ["RQ1"]
    assert not [f for f in ds.findings if f.file == "declinaisons.csv"]


def test_declination_rules(tmp_path):
    rows = [{**DECLINAISON, "date_signature": ""},
            {**DECLINAISON, "insee_reg": "99"},
            {**DECLINAISON, "insee_reg": "84", "statut": "en preparation"},
            {**DECLINAISON, "insee_reg": "32", "organismes_signataires": "987654321", "regies_signataires": "RQ9"}]
    ds = load_folder(_folder_with(tmp_path, declinaisons=rows))
    found = {(f.severity, f.row, f.column) for f in ds.findings if f.file == "declinaisons.csv"}
    assert found == {("erreur", 2, "date_signature"), ("erreur", 3, "insee_reg"),
                     ("avertissement", 4, "date_signature"), ("avertissement", 5, "organismes_signataires"),
                     ("avertissement", 5, "regies_signataires")}
    assert list(ds.declinaisons["insee_reg"]) == ["84", "32"]
    assert list(ds.declinaisons["statut"]) == ["en préparation", "signée"]


def test_patrimoine_rules(tmp_path):
    rows = [{"siren_organisme": "123456782", "code_qp": "qn07519m", "nb_logements": "1 200"},
            {"siren_organisme": "123456782", "code_qp": "QN07519M", "nb_logements": "5"},
            {"siren_organisme": "987654321", "code_qp": "QN07519M", "nb_logements": "10"},
            {"siren_organisme": "123456782", "code_qp": "QN07520M", "nb_logements": "10"},
            {"siren_organisme": "123456782", "code_qp": "QN07521M", "nb_logements": "-3"}]
    ds = load_folder(_folder_with(tmp_path, patrimoine=rows))
    found = {(f.severity, f.row, f.column) for f in ds.findings if f.file == "patrimoine.csv"}
    assert found == {("erreur", 3, "code_qp"), ("erreur", 4, "siren_organisme"), ("erreur", 5, "code_qp"),
                     ("erreur", 6, "nb_logements")}
    assert ds.patrimoine[["siren_organisme", "code_qp", "nb_logements"]].values.tolist() == [
        ["123456782", "QN07519M", 1200]]


def test_optional_files_are_recognised_by_name(tmp_path):
    write_csv(tmp_path, "Patrimoine.csv", [{"siren": "123456782", "qpv": "QN07519M", "logements": "3"}])
    write_csv(tmp_path, "declinaisons.csv", [DECLINAISON])
    assert {k: p.name for k, p in find_dataset_files(tmp_path).items()} == {
        "patrimoine": "Patrimoine.csv", "declinaisons": "declinaisons.csv"}
    assert guess_kind(Path("patrimoine_qpv_2025.csv")) == "patrimoine"
    assert guess_kind(Path("declinaisons_regions.xlsx")) == "declinaisons"
    kind, frame, findings = load_file(tmp_path / "Patrimoine.csv")
    assert (kind, frame["nb_logements"].tolist(), findings) == ("patrimoine", [3], [])


# --- the manifest and links of a folder (issue 15): each of these was read, or showed a traceback, before --------


def manifest_errors(findings) -> list[str]:
    return [f.message for f in findings if f.file == "manifest.json" and f.severity == "erreur"]


def test_a_manifest_naming_files_outside_the_folder_is_not_followed(tmp_path):
    folder = hostile.escaping_manifest_folder(tmp_path / "donnees", tmp_path / "ailleurs")
    write_csv(folder, "partenariats.csv", [PARTENARIAT])
    ds = load_folder(folder)
    assert ds.regies.empty and ds.organismes.empty and "regies" not in ds.files
    named = [ds.manifest.datasets[kind].file for kind in ("regies", "organismes")]
    assert named[0].startswith("/") and named[1].startswith("../")
    assert manifest_errors(ds.findings) == [
        f"le fichier « {file if len(file) <= 120 else file[:119] + '…'} » du jeu « {kind} » est hors du dossier de "
        "données : il est ignoré." for file, kind in zip(named, ("regies", "organismes"), strict=True)]


def test_a_link_leading_out_of_the_folder_is_not_followed(tmp_path):
    (tmp_path / "ailleurs").mkdir()
    write_csv(tmp_path / "ailleurs", "regies.csv", [REGIE])
    folder = tmp_path / "donnees"
    folder.mkdir()
    (folder / "regies.csv").symlink_to(tmp_path / "ailleurs" / "regies.csv")
    (folder / "organismes.csv").symlink_to(folder / "organismes.csv")  # a loop: no file
    write_csv(folder, "vraies_regies.csv", [REGIE])
    (folder / "partenariats.csv").symlink_to(folder / "vraies_regies.csv")  # inside the folder: followed
    findings: list = []
    assert find_dataset_files(folder, findings) == {"partenariats": folder / "partenariats.csv"}
    assert [(f.file, f.message) for f in findings] == [
        ("regies.csv", "lien symbolique qui mène hors du dossier de données : il est ignoré.")]


@pytest.mark.parametrize(("manifest", "reason"), [
    ("[]", 'un objet JSON est attendu ({"datasets": {…}})'),
    ('{"datasets": []}', "le champ « datasets » doit être un objet JSON (un jeu de données par clé)"),
    ('{"demo": "oui"}', "le champ « demo » doit être true ou false"),
    ('{"datasets": {"regies": {"file": 5}}}', "le champ « file » de l'entrée « regies » doit être un texte"),
    ('{"datasets": {"regies": "regies.csv"}}', "l'entrée « regies » de « datasets » n'est pas un objet JSON"),
    ('{"datasets": {"regies": {"file": "regies.csv"}}}', "l'entrée « regies » n'a pas de champ « source »"),
    ('{"datasets": {"regies": {"fichier": "regies.csv"}}}', "l'entrée « regies » a un champ inconnu « fichier »"),
    ("[" * 100_000, "ce n'est pas du JSON valide (imbrication trop profonde)"),
    ('{"titre": ', "ce n'est pas du JSON valide (Expecting value: line 1 column 11 (char 10))"),
])
def test_a_manifest_of_the_wrong_shape_is_ignored_with_an_error_naming_it(tmp_path, manifest, reason):
    write_csv(tmp_path, "regies.csv", [REGIE])
    (tmp_path / "manifest.json").write_text(manifest, encoding="utf-8")
    ds = load_folder(tmp_path)
    assert manifest_errors(ds.findings) == [f"le fichier manifest.json est ignoré : {reason}."]
    assert ds.manifest is None and len(ds.regies) == 1


def test_a_manifest_naming_an_impossible_file_is_ignored(tmp_path):
    from geo.manifest import DatasetRecord, Manifest, write_manifest

    write_csv(tmp_path, "regies.csv", [REGIE])
    records = {kind: DatasetRecord(file=name, source="-", licence="-", date="2026-01-01", rows=1, sha256="")
               for kind, name in (("regies", "x" * 5000), ("organismes", "a\x00b"), ("partenariats", ""))}
    write_manifest(tmp_path, Manifest(datasets=records))
    findings: list = []
    assert find_dataset_files(tmp_path, findings) == {"regies": tmp_path / "regies.csv"}
    assert [f.message for f in findings] == [
        "le fichier «  » du jeu « partenariats » est hors du dossier de données : il est ignoré."]


def test_a_manifest_larger_than_the_limit_is_ignored(tmp_path, monkeypatch):
    from geo import limits

    monkeypatch.setattr(limits, "MAX_MANIFEST_BYTES", 100)
    (tmp_path / "manifest.json").write_text('{"title": "' + "x" * 200 + '"}', encoding="utf-8")
    findings: list = []
    find_dataset_files(tmp_path, findings)
    assert [f.message for f in findings] == ["le fichier manifest.json est ignoré : il fait 213 octets, un "
                                             "manifeste en fait quelques Ko (au plus 100 octets)."]


def test_a_manifest_that_is_a_folder_or_a_link_out_is_ignored(tmp_path):
    (tmp_path / "ailleurs.json").write_text('{"datasets": {}}', encoding="utf-8")
    messages = []
    for name, make in (("dossier", lambda path: path.mkdir()),
                       ("lien", lambda path: path.symlink_to(tmp_path / "ailleurs.json"))):
        folder = tmp_path / name
        folder.mkdir()
        make(folder / "manifest.json")
        findings: list = []
        find_dataset_files(folder, findings)
        messages += [f.message for f in findings]
    assert messages == ["le fichier manifest.json est ignoré : ce n'est pas un fichier.",
                        "le fichier manifest.json est ignoré : c'est un lien vers un fichier hors du dossier de "
                        "données."]
