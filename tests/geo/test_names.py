"""Comparison keys of written names."""

from __future__ import annotations

import pytest

from geo.names import name_key, words


@pytest.mark.parametrize("spelling", ["Saint-Étienne", "ST ETIENNE", "St-Etienne", "saint étienne", "St. Étienne",
                                      "Saint’Etienne", "  saint--etienne "])
def test_spellings_of_one_name_share_a_key(spelling):
    assert name_key(spelling) == "saintetienne"


def test_abbreviations_ligatures_and_punctuation():
    assert words("Ste-Geneviève-des-Bois") == "sainte genevieve des bois"
    assert words("Boulogne s/ Mer") == "boulogne sur mer"
    assert name_key("Cœur de Ville") == name_key("coeur-de-ville") == "coeurdeville"
    assert name_key("Villeneuve-d'Ascq") == name_key("Villeneuve d Ascq")


def test_words_are_not_expanded_inside_other_words():
    assert words("Quartier Est") == "quartier est"  # "st" only as a whole word
    assert words("Les Ailes/Port") == "les ailes port"  # "s/" only after a word boundary
    assert name_key(None) == name_key("") == name_key(float("nan")) == ""
