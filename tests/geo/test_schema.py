"""The data model: its documentation and its tolerant matching of users' spellings."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio
import pytest

from geo.io import ROW, guess_kind, read_any, read_csv
from geo.schema import (
    DATASETS,
    FAMILLES,
    REGIES,
    STATUTS,
    THEME_AMBIGUOUS,
    THEME_BY_SLUG,
    THEME_SYNONYMS,
    THEMES,
    fold,
    is_blank,
    match_choice,
    normalize_code,
    normalize_header,
    parse_theme,
    split_list,
    suggest_theme,
    theme_note,
)
from tests.paths import REPO

README = (REPO / "data" / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_every_column_is_documented(name):
    section = README.split(f"(`{name}.*`)", 1)[1].split("###", 1)[0]
    for column in DATASETS[name].columns:
        assert f"| `{column.name}` |" in section, column.name
        row = section.split(f"| `{column.name}` |", 1)[1].split("\n", 1)[0]
        for spelling in (column.title, *column.aliases):  # every header that is read as the column
            assert normalize_header(spelling) == normalize_header(column.name) or spelling in row, spelling


def test_every_theme_slug_is_documented():
    for theme in THEMES:
        assert f"| {theme.label} | `{theme.slug}` |" in README


def test_headers_match_whatever_the_case_accents_or_spaces():
    assert normalize_header(" Code QP ") == normalize_header("CODE_QP") == "code_qp"
    assert normalize_header("Bénévoles") == "benevoles"
    assert normalize_header("date-début") == "date_debut"


def test_lists_accept_every_separator():
    assert split_list("QN1 | QN2;QN3, QN4") == ["QN1", "QN2", "QN3", "QN4"]
    assert split_list(None) == [] and split_list(float("nan")) == []


def test_themes_by_slug_or_label():
    assert parse_theme("Inclusion-Numerique").slug == "inclusion-numerique"
    assert parse_theme("COHÉSION SOCIALE").slug == "cohesion-sociale"
    assert suggest_theme("cadre de vie") == "amélioration du cadre de vie"
    assert suggest_theme("numerique") == "inclusion numérique"
    assert theme_note("cohésion sociale") is None and theme_note("cadre-de-vie") is None


@pytest.mark.parametrize(("word", "slug"), [
    ("cadre de vie", "cadre-de-vie"), ("Cadre de Vie", "cadre-de-vie"), ("numérique", "inclusion-numerique"),
    ("NUMERIQUE", "inclusion-numerique"), ("emploi", "insertion-professionnelle"),
    ("insertion", "insertion-professionnelle"), ("énergie", "precarite-energetique"),
    ("précarité", "precarite-energetique"), ("écologie", "transition-ecologique"),
    ("transition", "transition-ecologique"), ("lien social", "cohesion-sociale"), ("lien-social", "cohesion-sociale"),
    ("économies d’énergie", "precarite-energetique"),
])
def test_everyday_words_are_read_as_their_theme_and_say_so(word, slug):
    assert parse_theme(word).slug == slug
    assert theme_note(word) == f"thème « {word} » lu « {THEME_BY_SLUG[slug].label} »."


def test_synonyms_are_documented_and_never_clash():
    # One meaning per spelling: a word may repeat a slug's letters ("cadre de vie") only for that same theme.
    meanings = [*THEME_SYNONYMS.items(), *((w, "ambiguous") for w in THEME_AMBIGUOUS),
                *((t.label, t.slug) for t in THEMES), *((t.slug, t.slug) for t in THEMES)]
    seen = {}
    for word, meaning in meanings:
        key = "".join(ch for ch in fold(word) if ch.isalnum())
        assert seen.setdefault(key, meaning) == meaning, word
    section = README.split("| thème | mots courants acceptés |", 1)[1].split("##", 1)[0]
    for word, slug in THEME_SYNONYMS.items():
        line = next(row for row in section.splitlines() if row.startswith(f"| {THEME_BY_SLUG[slug].label} |"))
        assert f"« {word} »" in line
    for word in THEME_AMBIGUOUS:
        assert f"« {word} »" in " ".join(README.split())


@pytest.mark.parametrize("word", ["inclusion", "Transition énergétique", "solidarité"])
def test_a_word_of_two_themes_is_a_question(word):
    assert parse_theme(word) is None
    note = theme_note(word)
    labels = [THEME_BY_SLUG[s].label for s in next(v for k, v in THEME_AMBIGUOUS.items()
                                                     if k.lower() == word.lower())]
    assert note == f"thème « {word} » : « {labels[0]} » ou « {labels[1]} » ? Choisissez."


def test_an_unknown_word_is_a_question_never_a_guess():
    assert parse_theme("cadre de vi") is None and parse_theme("logement") is None
    assert theme_note("cadre de vi") == "thème « cadre de vi » inconnu : « amélioration du cadre de vie » ?"
    assert theme_note("zzz") == "thème « zzz » inconnu : choisissez l'un des six thèmes de la convention."


def test_misspelled_slug_suggests_its_label():
    assert suggest_theme("cadre-de-vie-xx") == "amélioration du cadre de vie"
    assert suggest_theme("inclusion-numeriqe") == "inclusion numérique"
    assert suggest_theme("zzz") is None


@pytest.mark.parametrize("value", [None, pd.NA, pd.NaT, float("nan"), np.float64("nan"), "", "  \t"])
def test_blank_values(value):
    assert is_blank(value)


@pytest.mark.parametrize("value", [0, 0.0, "0", "x", [], False])
def test_non_blank_values(value):
    assert not is_blank(value)


@pytest.mark.parametrize(("value", "width", "expected"), [
    ("1004", 5, "01004"),  # the one leading zero a spreadsheet drops
    (1004.0, 5, "01004"),  # a number cell read as float
    ("1004.0", 5, "01004"),
    ("123", 5, "123"),  # more than one zero missing: not a commune code, left for the caller to reject
    (" 2a ", 2, "2A"),
    ("1", 2, "01"),
    ("974", 2, "974"),
    ("75 056", 5, "75056"),
    ("12\u00a0345", 0, "12345"),
    ("", 5, None),
    (None, 2, None),
])
def test_codes_are_normalised_one_way(value, width, expected):
    assert normalize_code(value, width) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("EN-COURS", "en cours"), ("en_cours", "en cours"), ("termine", "terminé"), ("Terminé", "terminé"),
    ("Coop'HLM", "Coop HLM"), ("coop-hlm", "Coop HLM"), ("oph", "OPH"), ("en cour", None), ("", None),
])
def test_vocabulary_values_are_matched_one_way(value, expected):
    assert match_choice(value, STATUTS + FAMILLES) == expected


def test_theme_slug_with_underscores_and_label_with_dashes():
    assert parse_theme("inclusion_numerique").slug == "inclusion-numerique"
    assert parse_theme("lutte-contre-la-precarite-energetique").slug == "precarite-energetique"


# --- issue 17: headers in the users' words, in the public files' and in the app's own exports -------------------

FEDERATION = ("Nom de la régie;Adresse;CP;Ville;Quartiers d'intervention;Nb salariés;Nb bénévoles\n"
              "Régie de quartier Stalingrad;12 rue Riquet;75019;Paris;Stalingrad - Riquet / Curial - Cambrai;85;\n")


def test_the_federation_layout_is_read_as_regies(tmp_path):
    path = tmp_path / "regies.csv"  # as in `python -m geo import regies.csv --as USER`
    path.write_text(FEDERATION, encoding="utf-8")
    raw = read_any(path)
    assert raw.kind == "regies"
    row = raw.frame.iloc[0]
    assert dict(row.drop(ROW)) == {"nom": "Régie de quartier Stalingrad", "adresse": "12 rue Riquet",
                                   "code_postal": "75019", "commune": "Paris",
                                   "qpv_couverts": "Stalingrad - Riquet / Curial - Cambrai", "salaries": "85",
                                   "benevoles": ""}


@pytest.mark.parametrize(("header", "column"), [
    ("Nom de la régie", "nom"), ("Raison sociale", "nom"), ("Ville", "commune"), ("CP", "code_postal"),
    ("Code postal", "code_postal"), ("Quartiers", "qpv_couverts"), ("Quartiers d’intervention", "qpv_couverts"),
    ("QPV", "qpv_couverts"), ("Nb. salariés", "salaries"), ("Nombre de bénévoles", "benevoles"),
    ("Code INSEE", "insee_com"), ("lat", "latitude"), ("lng", "longitude"),
])
def test_common_headers_of_a_list_of_regies(header, column):
    assert REGIES.header_map()[normalize_header(header)] == column


SIRENE = ("siren;nic;siret;denominationUniteLegale;categorieJuridiqueUniteLegale;etatAdministratifUniteLegale;"
          "codeCommuneEtablissement\n"
          "272500014;00016;27250001400016;OFFICE PUBLIC DE L'HABITAT EXEMPLE;4140;A;25056\n")


def test_a_sirene_extract_is_read_as_organismes(tmp_path):
    path = tmp_path / "extraction.csv"  # a name that says nothing: the columns decide
    path.write_text(SIRENE, encoding="utf-8")
    raw = read_any(path)
    assert raw.kind == "organismes"
    assert dict(raw.frame.iloc[0].drop(ROW)) == {"siren": "272500014", "nom": "OFFICE PUBLIC DE L'HABITAT EXEMPLE",
                                                 "famille": "4140", "insee_com": "25056"}


@pytest.mark.parametrize(("name", "header", "column"), [
    ("organismes", "SIREN", "siren"), ("organismes", "Raison sociale", "nom"),
    ("organismes", "libelleCommuneEtablissement", "commune_siege"), ("organismes", "nb_ls", "nb_logements"),
    ("regies", "codePostalEtablissement", "code_postal"), ("regies", "denominationUniteLegale", "nom"),
    ("patrimoine", "nb_ls_en_qpv", "nb_logements"), ("patrimoine", "nbLsPls", "nb_logements"),
    ("patrimoine", "SIREN", "siren_organisme"), ("qpv", "DEPCOM", "insee_com"), ("qpv", "LIBCOM", "lib_com"),
])
def test_sirene_and_rpls_names(name, header, column):
    assert DATASETS[name].header_map()[normalize_header(header)] == column


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_no_header_stands_for_two_columns_and_every_alias_adds_a_spelling(name):
    claimed: dict[str, str] = {}
    for column in DATASETS[name].columns:
        assert column.title, column.name
        own = {normalize_header(column.name), normalize_header(column.title)}
        spellings = [normalize_header(a) for a in column.aliases]
        assert len(set(spellings)) == len(spellings) and not own & set(spellings), column.name
        for key in own | set(spellings):
            assert claimed.setdefault(key, column.name) == column.name, (key, claimed[key], column.name)


def _export_labels():
    from ui.declinaisons import COMPARISON_LABELS, DECLINATION_LABELS
    from ui.opportunities import ORGANISME_LABELS, QPV_LABELS, REGIE_LABELS
    from ui.tables import PARTNERSHIP_HEADERS, QPV_HEADERS, REGIE_HEADERS

    return {"PARTNERSHIP_HEADERS": PARTNERSHIP_HEADERS, "QPV_HEADERS": QPV_HEADERS, "REGIE_HEADERS": REGIE_HEADERS,
            "QPV_LABELS": QPV_LABELS, "REGIE_LABELS": REGIE_LABELS, "ORGANISME_LABELS": ORGANISME_LABELS,
            "DECLINATION_LABELS": DECLINATION_LABELS, "COMPARISON_LABELS": COMPARISON_LABELS}


# Which dataset each exported table's model columns come from, and the dataset a file of it is recognised as.
EXPORTS = {
    "PARTNERSHIP_HEADERS": (("partenariats", "organismes"), "partenariats"),
    "QPV_HEADERS": (("qpv",), "qpv"),
    "REGIE_HEADERS": (("regies", "qpv"), "regies"),
    "QPV_LABELS": (("qpv",), "qpv"),
    "REGIE_LABELS": (("qpv",), "qpv"),
    "ORGANISME_LABELS": (("qpv",), "qpv"),
    "DECLINATION_LABELS": (("declinaisons", "regions"), "declinaisons"),
    "COMPARISON_LABELS": (("regions", "declinaisons"), None),  # figures by région: no dataset
}


@pytest.mark.parametrize("table", sorted(EXPORTS))
def test_every_exported_header_reads_back_as_its_column(table):
    labels = _export_labels()[table]
    sources, kind = EXPORTS[table]
    for name in sources:
        spec = DATASETS[name]
        for column, label in labels.items():
            if column in spec.column_names:
                assert spec.header_map()[normalize_header(label)] == column, (table, label)
    assert guess_kind(Path("export.csv"), list(labels.values())) == kind


def test_the_partnership_export_is_read_back_as_partnerships(tmp_path):
    from ui.exports import to_csv_fr
    from ui.tables import partnership_sheet

    table = pd.DataFrame({
        "id_partenariat": ["P-1"], "nom_regie": ["R"], "nom_organisme": ["O"], "famille": ["OPH"],
        "qpv": [["QN07519M"]], "lib_reg_principal": ["Île-de-France"], "themes": [["cohésion sociale"]],
        "statut": ["en cours"], "date_debut": pd.to_datetime(["2024-09-01"]), "date_fin": pd.to_datetime([None]),
        "montant_eur": [44700.0], "heures_insertion": [12.0], "description": ["d"]})
    qpv = pd.DataFrame({"code_qp": ["QN07519M"], "lib_qp": ["Stalingrad"], "lib_com": ["Paris"], "lib_dep": ["Paris"]})
    path = tmp_path / "export.csv"
    path.write_bytes(to_csv_fr(partnership_sheet(table, qpv)))
    raw = read_any(path)
    assert raw.kind == "partenariats"
    assert dict(raw.frame.iloc[0].drop(ROW)) == {  # the names, read as codes by geo.intake
        "id_partenariat": "P-1", "id_regie": "R", "siren_organisme": "O", "qpv": "QN07519M",
        "themes": "cohésion sociale", "statut": "en cours",
        "date_debut": "01/09/2024", "date_fin": "", "montant_eur": "44700", "heures_insertion": "12",
        "description": "d"}


# The data files of the repository and the kind each holds: their columns alone (under a name that says nothing)
# still tell it, whatever aliases are added.
FILE_KINDS = {
    "data/demo/declinaisons.csv": "declinaisons", "data/demo/organismes.csv": "organismes",
    "data/demo/partenariats.csv": "partenariats", "data/demo/patrimoine.csv": "patrimoine",
    "data/demo/historique_statuts.csv": None,  # the demo's generated status history (geo.timeline), no dataset
    "data/demo/qpv.geojson": "qpv", "data/demo/regies.csv": "regies",
    "data/ref/departements.csv": "departements", "data/ref/departements.geojson": "departements",
    "data/ref/categories_juridiques.csv": None, "data/ref/communes.csv": None, "data/ref/epci.csv": None,
    "data/ref/qpv2024_communes.csv": "qpv", "data/ref/regions.csv": "regions",
    "data/ref/regions.geojson": "regions", "tests/fixtures/qpv2015_occitanie_extrait.geojson": "qpv",
}


@pytest.mark.parametrize("file", sorted(FILE_KINDS))
def test_every_data_file_keeps_its_kind(file):
    path = REPO / file
    if path.suffix == ".csv":
        columns = list(read_csv(path).columns.drop(ROW))
    else:
        columns = list(pyogrio.read_info(path)["fields"])
    assert guess_kind(Path("fichier" + path.suffix), columns) == FILE_KINDS[file]
    assert guess_kind(path, columns) == FILE_KINDS[file]


def test_every_data_file_is_listed():
    found = {p.relative_to(REPO).as_posix() for folder in ("data/demo", "data/ref", "tests/fixtures")
             for p in (REPO / folder).iterdir() if p.suffix in (".csv", ".geojson")}
    assert found == set(FILE_KINDS)
