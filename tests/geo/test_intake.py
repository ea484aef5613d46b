"""`geo.intake`: a list as people keep it → the dataset, the mapping, the codes its words stand for. Expected codes
come from the reference tables read here independently (data/ref), not from the resolvers."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from geo import intake
from geo.identifiers import luhn_ok, partenariat_id, regie_id
from geo.io import ROW
from geo.load import clean
from geo.schema import SIRENE_COMMUNE_CODE, SIRENE_LEGAL_CATEGORY, SIRENE_NAME
from tests.paths import REPO
from ui.tables import PARTNERSHIP_HEADERS, REGIE_HEADERS

PAIRS = pd.read_csv(REPO / "data" / "ref" / "qpv2024_communes.csv", dtype=str, keep_default_na=False)
COMMUNES = pd.read_csv(REPO / "data" / "ref" / "communes.csv", dtype=str, keep_default_na=False)
FEDERATION = ["Nom de la régie", "Adresse", "CP", "Ville", "Quartiers d'intervention", "Nb salariés", "Nb bénévoles"]


def qpv_code(name: str, insee_com: str) -> str:
    (code,) = set(PAIRS.loc[(PAIRS["lib_qp"] == name) & (PAIRS["insee_com"] == insee_com), "code_qp"])
    return code


def commune_codes(name: str) -> set[str]:
    return set(COMMUNES.loc[(COMMUNES["lib_com"] == name) & (COMMUNES["type"] == "COM"), "insee_com"])


def siren(prefix: str) -> str:
    """A SIREN whose Luhn key holds: `prefix` (8 digits) and its check digit."""
    return next(prefix + d for d in "0123456789" if luhn_ok(prefix + d))


def table(columns: list[str], rows: list[list[str]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=columns, dtype=str)
    frame[ROW] = range(2, len(rows) + 2)
    return frame


def test_the_federation_layout_is_regies_and_its_headers_are_mapped():
    assert intake.recognise(FEDERATION).kind == "regies"
    assert intake.propose_mapping(FEDERATION, "regies") == {
        "Nom de la régie": "nom", "Adresse": "adresse", "CP": "code_postal", "Ville": "commune",
        "Quartiers d'intervention": "qpv_couverts", "Nb salariés": "salaries", "Nb bénévoles": "benevoles"}


def test_public_files_and_the_apps_exports_are_recognised():
    sirene = ["siren", SIRENE_NAME, SIRENE_LEGAL_CATEGORY, SIRENE_COMMUNE_CODE]
    assert intake.recognise(sirene).kind == "organismes"
    assert intake.recognise(list(PARTNERSHIP_HEADERS.values())).kind == "partenariats"
    assert intake.recognise(list(REGIE_HEADERS.values())).kind == "regies"
    mapping = intake.propose_mapping(list(PARTNERSHIP_HEADERS.values()), "partenariats")
    assert mapping["Codes QPV"] == "qpv" and mapping["Quartiers"] == intake.IGNORE  # a title beats an alias
    assert mapping["Régie"] == "id_regie" and mapping["Organisme HLM"] == "siren_organisme"
    assert mapping["Famille"] == mapping["Communes"] == intake.IGNORE


def test_columns_that_fit_two_datasets_are_a_question_the_sheet_name_answers():
    columns = ["nom", "commune", "qpv", "siren"]
    asked = intake.recognise(columns)
    assert asked.kind is None and set(asked.candidates[:2]) == {"regies", "organismes"}
    assert "choisissez" in asked.message
    assert intake.recognise(columns, sheet="Bailleurs 2026").kind == "organismes"
    assert intake.recognise(columns, sheet="Régies").kind == "regies"
    assert intake.recognise(["a", "b"]).kind is None


def test_a_mapping_file_is_checked(tmp_path):
    path = tmp_path / "colonnes.json"
    path.write_text(json.dumps({"Ville": "commune", "Nom de la régie": "nom", "CP": "inexistant"}), encoding="utf-8")
    problems = intake.check_mapping(intake.read_mapping(path), FEDERATION, "regies", "liste.csv")
    assert [(p.column, p.message.split(" ")[0]) for p in problems] == [("CP", "champ")]
    twice = intake.check_mapping({"Ville": "nom", "Nom de la régie": "nom"}, FEDERATION, "regies", "liste.csv")
    assert "donné à deux colonnes" in twice[0].message
    path.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(ValueError, match="objet JSON"):
        intake.read_mapping(path)


def test_a_federation_list_becomes_regies_with_every_guess_and_question():
    raw = table(FEDERATION, [
        ["Régie de quartier Stalingrad", "12 rue Riquet", "75019", "PARIS", "stalingrad riquet", "85", ""],
        ["Régie de quartier de St-Denis", "", "", "Saint-Denis", "Franc Moisin - Cosmonautes - Cristino Garcia - "
         "Landy", "40", "10"],
        ["Régie de territoire Reims", "", "51100", "reims", "Europe / Quartier Imaginaire / QP051001", "", "5"],
    ])
    read = intake.prepare("regies", raw, "liste.csv")
    stalingrad = read.frame.iloc[0]
    assert stalingrad["insee_com"] == "75056" and stalingrad["commune"] == "Paris"
    assert stalingrad["qpv_couverts"] == qpv_code("Stalingrad Riquet", "75056")
    assert stalingrad["id_regie"] == regie_id("Régie de quartier Stalingrad", "75056")
    reims = read.frame.iloc[1]
    assert (reims["type"], reims["qpv_couverts"]) == ("régie de territoire", qpv_code("Europe", "51454"))
    assert reims["id_regie"].startswith("RT-051-")
    (question,) = read.questions  # Saint-Denis without a postal code: never a silent pick
    assert (question.row, question.column, question.written) == (3, "Ville", "Saint-Denis")
    assert {value for value, _ in question.choices} == commune_codes("Saint-Denis")
    kept_out = sorted((f.row, f.column, f.message.split(" : ")[0]) for f in read.findings)
    assert kept_out == [(4, "Quartiers d'intervention", "« QP051001 »"),
                        (4, "Quartiers d'intervention", "« Quartier Imaginaire »")]
    assert all(f.severity == "avertissement" for f in read.findings)  # the names are left out, not the row
    assert any("ancienne géographie" in f.message and f.row == 4 for f in read.findings)
    assert any(g.row == 2 and g.column == "Ville" and "75056" in g.message for g in read.guesses)
    frame, findings = clean("regies", read.frame.assign(latitude="48,88", longitude="2,37"), "liste.csv")
    assert findings == [] and frame["salaries"].tolist()[1] is pd.NA  # blank: unknown, not zero

    answered = intake.prepare("regies", raw, "liste.csv", answers={question.key: "93066"})
    denis = answered.frame.set_index(ROW).loc[3]
    assert answered.questions == [] and denis["insee_com"] == "93066"
    assert denis["qpv_couverts"] == qpv_code("Franc Moisin - Cosmonautes - Cristino Garcia - Landy", "93066")
    again = intake.prepare("regies", raw, "liste.csv", answers={question.key: "93066"})
    assert again.frame["id_regie"].tolist() == answered.frame["id_regie"].tolist()  # same list, same records


def test_a_sirene_extract_becomes_organismes():
    oph, esh, other = siren("27590001"), siren("40123456"), siren("77712345")
    raw = table(["siren", SIRENE_NAME, SIRENE_LEGAL_CATEGORY, SIRENE_COMMUNE_CODE], [
        [oph, "Lille Métropole Habitat", "7371", "59350"],
        [esh, "Logis Paris 19", "5546", "75119"],
        [other, "Association", "9220", "59350"],
    ])
    read = intake.prepare("organismes", raw, "StockUniteLegale.csv")
    frame, findings = clean("organismes", read.frame, "StockUniteLegale.csv")
    assert findings == []
    assert frame[["siren", "famille", "commune_siege", "insee_com", "insee_reg"]].values.tolist() == [
        [oph, "OPH", "Lille", "59350", "32"], [esh, "ESH", "Paris", "75056", "11"]]
    (refused,) = [f for f in read.findings if f.row == 4]
    assert refused.column == SIRENE_LEGAL_CATEGORY and "9220" in refused.message


def test_a_partnership_sheet_naming_things_is_read_as_codes():
    hlm = siren("27590001")
    known = intake.Known(regies={"RQ-059-AAAAAA": ("Régie Lille Sud", "59350"), "RQ-093-BBBBBB": (
        "Régie Centre", "93066"), "RQ-013-CCCCCC": ("Régie Centre", "13055")},
                         organismes={hlm: "Lille Métropole Habitat"})
    raw = table(["Régie", "Organisme HLM", "Quartier", "Thèmes", "Statut", "Début"], [
        ["régie lille sud", "LILLE METROPOLE HABITAT", "Secteur Sud", "cadre de vie", "en cours", "01/09/2024"],
        ["Régie Centre", hlm, "Secteur Sud", "transition énergétique", "en projet", "01/01/2025"],
        ["Régie Inconnue", "Bailleur Inconnu", "Secteur Sud", "numérique", "en projet", "01/01/2025"],
    ])
    read = intake.prepare("partenariats", raw, "suivi.xlsx", known=known)
    (row,) = read.frame.to_dict("records")
    sud = qpv_code("Secteur Sud", "59350")
    assert (row["id_regie"], row["siren_organisme"], row["qpv"]) == ("RQ-059-AAAAAA", hlm, sud)
    assert row["themes"] == "amélioration du cadre de vie"
    assert row["id_partenariat"] == partenariat_id("RQ-059-AAAAAA", hlm, [sud], pd.Timestamp(2024, 9, 1).date())
    questions = {(q.row, q.column): q for q in read.questions}
    assert {v for v, _ in questions[(3, "Régie")].choices} == {"RQ-093-BBBBBB", "RQ-013-CCCCCC"}
    assert {v for v, _ in questions[(3, "Thèmes")].choices} == {"transition-ecologique", "precarite-energetique"}
    assert {(f.row, f.column) for f in read.findings} == {(4, "Régie"), (4, "Organisme HLM")}
    answers = {questions[(3, "Régie")].key: "RQ-093-BBBBBB", questions[(3, "Thèmes")].key: "precarite-energetique"}
    answered = intake.prepare("partenariats", raw, "suivi.xlsx", answers=answers, known=known)
    second = answered.frame.set_index(ROW).loc[3]
    assert second["id_regie"] == "RQ-093-BBBBBB" and second["themes"] == "lutte contre la précarité énergétique"


def test_an_rpls_file_by_qpv_is_housing_refused_for_want_of_the_owner():
    raw = table(["code_qp", "lib_qp", "nbLsPls"], [["QN07513M", "Stalingrad Riquet", "4200"]])
    assert intake.recognise([c for c in raw.columns if c != ROW]).kind == "patrimoine"
    read = intake.prepare("patrimoine", raw, "rpls_qpv_2024.csv")
    frame, findings = clean("patrimoine", read.frame, "rpls_qpv_2024.csv")
    assert len(frame) == 0 and "siren_organisme" in findings[0].message
