"""The data model: its documentation and its tolerant matching of users' spellings."""

from __future__ import annotations

import pytest

from geo.schema import DATASETS, THEMES, normalize_header, parse_theme, split_list, suggest_theme
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


def test_themes_by_slug_or_label_only():
    assert parse_theme("Inclusion-Numerique").slug == "inclusion-numerique"
    assert parse_theme("COHÉSION SOCIALE").slug == "cohesion-sociale"
    assert parse_theme("cadre de vie") is None
    assert suggest_theme("cadre de vie") == "amélioration du cadre de vie"
    assert suggest_theme("numerique") == "inclusion numérique"


def test_misspelled_slug_suggests_its_label():
    assert suggest_theme("cadre-de-vie-xx") == "amélioration du cadre de vie"
    assert suggest_theme("inclusion-numeriqe") == "inclusion numérique"
    assert suggest_theme("zzz") is None
