"""The data model: its documentation and its tolerant matching of users' spellings."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo.schema import (
    DATASETS,
    FAMILLES,
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
