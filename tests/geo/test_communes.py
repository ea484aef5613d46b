"""Communes named in words, checked against the committed list read independently and hand-checked cases."""

from __future__ import annotations

import unicodedata

import pandas as pd
import pytest

from geo import ref
from geo.communes import (
    FOUND,
    QUESTION,
    UNKNOWN,
    commune_key,
    commune_of_code,
    region_of_commune,
    resolve_commune,
    resolve_communes,
)
from tests.paths import REPO

COMMUNES = pd.read_csv(REPO / "data" / "ref" / "communes.csv", dtype=str, keep_default_na=False)
CURRENT = COMMUNES[COMMUNES["type"] == "COM"]


def codes_named(name: str) -> set[str]:
    return set(CURRENT.loc[CURRENT["lib_com"] == name, "insee_com"])


def _communes_by_postal() -> dict[str, set[str]]:
    """Postal code -> the communes (an arrondissement counted as its commune) that have it."""
    out: dict[str, set[str]] = {}
    for row in COMMUNES[COMMUNES["type"].isin(["COM", "ARM"])].itertuples():
        for postal in row.codes_postaux.split(" | "):
            out.setdefault(postal, set()).add(row.parent or row.insee_com)
    return out


BY_POSTAL = _communes_by_postal()


def codes_with_postal(postal: str) -> set[str]:
    return BY_POSTAL.get(postal, set())


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


@pytest.mark.parametrize(("name", "postal", "code"), [
    ("Saint-Denis", "93200", "93066"),
    ("Saint-Denis", "97400", "97411"),
    ("saint denis", "97490", "97411"),
    ("ST-DENIS", "93210", "93066"),
    ("St-Étienne", None, "42218"),
    ("st etienne", "42100", "42218"),
    ("Sainte-Geneviève-des-Bois", "91700", "91549"),
    ("Ste Genevieve des Bois", "45230", "45278"),
    ("Villeneuve d Ascq", None, "59009"),
    ("Havre (Le)", None, "76351"),
    ("Bourg-en-Bresse", "1000", "01053"),  # the leading zero a spreadsheet drops
    ("Bourg-en-Bresse", 1000, "01053"),
    ("Ajaccio", "20000", "2A004"),
    ("Lille Cedex", "59000", "59350"),
])
def test_hand_checked_communes(name, postal, code):
    match = resolve_commune(name, postal)
    assert (match.status, match.insee_com) == (FOUND, code), match.message()


@pytest.mark.parametrize(("name", "postal", "arrondissement"), [
    ("Paris 19e", None, "75119"), ("Paris 19ème", None, "75119"), ("PARIS 19", None, "75119"),
    ("Paris 19e arr.", None, "75119"), ("Paris", "75019", "75119"), ("Paris 75019", None, "75119"),
    ("75019 Paris", None, "75119"), ("Paris", "75116", "75116"), ("Paris 1er", None, "75101"),
    ("Paris", None, None),
])
def test_paris_is_75056_with_its_arrondissement(name, postal, arrondissement):
    # The app records a régie in Paris under 75056, as the QPV list does (demo régies, qpv2024_communes.csv).
    regies = pd.read_csv(REPO / "data" / "demo" / "regies.csv", sep=";", dtype=str, encoding="utf-8-sig")
    assert set(regies.loc[regies["commune"] == "Paris", "insee_com"]) == {"75056"}
    match = resolve_commune(name, postal)
    assert (match.status, match.insee_com, match.arrondissement) == (FOUND, "75056", arrondissement)


@pytest.mark.parametrize(("name", "postal", "code", "arrondissement"), [
    ("Marseille", "13013", "13055", "13213"), ("Marseille 13e", None, "13055", "13213"),
    ("MARSEILLE 13013", None, "13055", "13213"), ("Lyon 3e", None, "69123", "69383"),
    ("Lyon", "69003", "69123", "69383"), ("Lyon", None, "69123", None),
])
def test_lyon_and_marseille(name, postal, code, arrondissement):
    match = resolve_commune(name, postal)
    assert (match.status, match.insee_com, match.arrondissement) == (FOUND, code, arrondissement)
    assert match.message() == (f"« {match.written} » → {match.commune.lib_com} ({code}"
                               + (f", arrondissement {arrondissement}" if arrondissement else "")
                               + f") : {match.how}.")


def test_a_name_of_several_communes_is_a_question_with_all_of_them():
    match = resolve_commune("Saint-Denis")
    assert match.status == QUESTION and match.insee_com is None
    assert {c.insee_com for c in match.candidates} == codes_named("Saint-Denis") >= {"93066", "97411"}
    assert match.candidates[0].population >= match.candidates[-1].population  # the likelier first
    text = match.message()
    assert text.startswith("« Saint-Denis » : plusieurs communes portent ce nom ; précisez le code postal.")
    assert "Saint-Denis (93066, 93200, 93210, 93380, dép. 93)" in text


def test_a_postal_code_shared_by_several_communes_is_a_question():
    assert codes_with_postal("01000") == {"01053", "01344"}  # Bourg-en-Bresse, Saint-Denis-lès-Bourg
    for postal in ("01000", "1000", 1000.0):
        match = resolve_commune(None, postal)
        assert match.status == QUESTION
        assert {c.insee_com for c in match.candidates} == codes_with_postal("01000")
        assert "le code postal 01000 est celui de plusieurs communes" in match.message()


def test_a_postal_code_of_one_commune_alone_finds_it():
    postal = next(p for p in CURRENT["codes_postaux"] if " " not in p and len(codes_with_postal(p)) == 1)
    match = resolve_commune("", postal)
    assert (match.status, {match.insee_com}) == (FOUND, codes_with_postal(postal))
    assert match.how == "code postal seul (une seule commune l'a)"


def test_an_unknown_name_is_never_a_silent_pick():
    misspelled = resolve_commune("Bourg en Brese", "01000")
    assert misspelled.status == QUESTION and misspelled.insee_com is None
    assert misspelled.candidates[0].insee_com == "01053"  # the close name first, offered, not applied
    unknown = resolve_commune("Xyzzyville")
    assert (unknown.status, unknown.insee_com, unknown.candidates) == (UNKNOWN, None, ())
    assert unknown.message() == "« Xyzzyville » : commune inconnue du Code officiel géographique 2026."
    close = resolve_commune("Strasbourgg")
    assert close.status == UNKNOWN and [c.insee_com for c in close.candidates] == ["67482"]
    assert "Communes proches : Strasbourg (67482" in close.message()


def test_name_and_postal_code_that_disagree_are_a_question():
    match = resolve_commune("Strasbourg", "75019")
    assert match.status == QUESTION and [c.insee_com for c in match.candidates] == ["67482"]
    assert "aucune commune de ce nom n'a le code postal 75019" in match.message()
    assert resolve_commune("Paris", "7501x").status == QUESTION


def test_hints_narrow_homonyms_and_are_checked():
    assert resolve_commune("Saint-Denis", departement="93").insee_com == "93066"
    assert resolve_commune("Saint-Denis", departement="Seine-Saint-Denis").insee_com == "93066"
    assert resolve_commune("Saint-Denis", region="La Réunion").insee_com == "97411"
    assert resolve_commune("Saint-Denis", region="04").insee_com == "97411"
    outside = resolve_commune("Bordeaux", "33000", departement="75")
    assert outside.status == QUESTION and "hors du département ou de la région indiqués" in outside.message()
    assert resolve_commune("Lille", departement="13").status == QUESTION


def test_former_communes_resolve_to_the_commune_they_belong_to():
    match = resolve_commune("Cherbourg-Octeville", "50100")
    assert (match.status, match.insee_com) == (FOUND, "50129")
    parent = COMMUNES[(COMMUNES["lib_com"] == "Pierrefitte-sur-Seine")].iloc[0]
    pierrefitte = resolve_commune("Pierrefitte-sur-Seine")
    assert pierrefitte.insee_com == parent["parent"] == "93066"
    assert "Pierrefitte-sur-Seine est une commune déléguée, rattachée à « Saint-Denis »" in pierrefitte.message()


def test_every_qpv_commune_resolves_from_its_name_and_postal_code():
    pairs = pd.read_csv(REPO / "data" / "ref" / "qpv2024_communes.csv", dtype=str, keep_default_na=False)
    communes = pairs.drop_duplicates("insee_com")
    names = [strip_accents(n).upper() for n in communes["lib_com"]]  # as an old spreadsheet writes them
    postal = [p.split(" | ")[0] for p in communes["codes_postaux"]]
    matches = resolve_communes(names, postal)
    assert [m.insee_com for m in matches] == list(communes["insee_com"])


def test_every_demo_regie_resolves_to_its_code():
    regies = pd.read_csv(REPO / "data" / "demo" / "regies.csv", sep=";", dtype=str, encoding="utf-8-sig")
    matches = resolve_communes(regies["commune"], regies["code_postal"])
    assert [m.insee_com for m in matches] == list(regies["insee_com"])


def test_commune_keys():
    assert commune_key("Paris 19ème") == ("paris19", None)
    assert commune_key("Lyon Cedex 03") == ("lyon", None)
    assert commune_key("75019 PARIS") == ("paris", "75019")
    assert commune_key("Rochelle (La)") == commune_key("La Rochelle")
    assert commune_key(None) == ("", None)


def test_commune_of_code():
    assert commune_of_code("75119")[0].insee_com == "75056"  # SIRENE writes arrondissement codes
    assert commune_of_code("13213")[0].insee_com == "13055"
    assert commune_of_code(1053)[0].lib_com == "Bourg-en-Bresse"
    assert commune_of_code("99999") == (None, "code commune « 99999 » absent du Code officiel géographique 2026")
    former = COMMUNES[(COMMUNES["type"] == "COMD") & ~COMMUNES["insee_com"].isin(CURRENT["insee_com"])].iloc[0]
    commune, how = commune_of_code(former["insee_com"])
    assert commune.insee_com == former["parent"] and how == f"code de la commune déléguée {former['lib_com']}"


def test_region_of_commune_is_that_of_the_commune_its_code_designates():
    """The seat's région (issue 15) agrees with `commune_of_code` on every code of the COG, arrondissements and
    former communes included; unknown or blank codes have none."""
    codes = set(ref.communes_table()["insee_com"])
    assert {code: region_of_commune(code) for code in codes} == {code: commune_of_code(code)[0].insee_reg
                                                                   for code in codes}
    assert region_of_commune("75119") == "11" and region_of_commune("99999") is None
    assert region_of_commune(None) is None and region_of_commune("") is None
