"""QPV named in words, checked against the 2024 list read independently and hand-checked cases."""

from __future__ import annotations

import re
import unicodedata

import pandas as pd
import pytest

from geo.quartiers import FOUND, OLD_CODE, QUESTION, UNKNOWN, resolve_qpv_cell, resolve_qpv_cells, split_cell
from tests.paths import REPO

PAIRS = pd.read_csv(REPO / "data" / "ref" / "qpv2024_communes.csv", dtype=str, keep_default_na=False)
QPV = PAIRS.drop_duplicates("code_qp")


def plain(name: str) -> str:
    """A name as a hurried spreadsheet writes it: lower case, no accents, no punctuation."""
    decomposed = unicodedata.normalize("NFD", name.replace("œ", "oe").replace("Œ", "Oe"))
    return re.sub(r"[^a-z0-9]+", " ", "".join(c for c in decomposed if not unicodedata.combining(c)).lower()).strip()


def codes_named(name: str) -> set[str]:
    return set(QPV.loc[QPV["lib_qp"] == name, "code_qp"])


@pytest.mark.parametrize("written", ["Stalingrad Riquet", "Stalingrad - Riquet", "stalingrad riquet",
                                     "STALINGRAD-RIQUET", "QN07513M", "qn07513m", " QN 07513 M "])
def test_one_quartier_in_many_spellings(written):
    cell = resolve_qpv_cell(written, ["75056"])
    assert cell.codes == ["QN07513M"] and cell.pending == []


def test_europe_is_found_within_the_regie_commune_or_asked():
    assert codes_named("Europe") == {"QN00201M", "QN03708M", "QN05106M"}  # Saint-Quentin, Tours, Reims
    assert resolve_qpv_cell("Europe", ["51454"]).codes == ["QN05106M"]  # Reims
    assert resolve_qpv_cell("Europe", ["37261"]).codes == ["QN03708M"]  # Tours
    assert resolve_qpv_cell("Europe", ["02691"]).codes == ["QN00201M"]  # Saint-Quentin
    near = resolve_qpv_cell("Europe", ["51108"])  # Châlons-en-Champagne: the Marne's one
    assert near.codes == ["QN05106M"] and near.parts[0].how == "nom, dans le département de la régie"
    (question,) = resolve_qpv_cell("Europe").pending
    assert question.status == QUESTION and {q.code_qp for q in question.candidates} == codes_named("Europe")
    assert "Europe (QN05106M, Reims)" in question.message() and "Europe (QN03708M, Tours)" in question.message()


@pytest.mark.parametrize(("written", "code"), [
    ("Europe (Reims)", "QN05106M"), ("Europe (reims)", "QN05106M"), ("Europe (51)", "QN05106M"),
    ("Europe (Marne)", "QN05106M"), ("Europe (Tours)", "QN03708M"), ("Europe (Saint-Quentin)", "QN00201M"),
])
def test_a_hint_in_brackets_names_the_place(written, code):
    cell = resolve_qpv_cell(written, ["75056"])  # the hint wins over the régie's commune
    assert cell.codes == [code] and cell.pending == []


def test_a_hint_that_fits_none_is_a_question():
    (question,) = resolve_qpv_cell("Europe (Lille)").pending
    assert question.status == QUESTION and len(question.candidates) == 3
    assert question.message().startswith("« Europe (Lille) » : aucun QPV de ce nom à « Lille ». Choisissez : ")


def test_codes_pass_when_listed_and_2015_codes_are_refused():
    assert resolve_qpv_cell("QN07519M").codes == ["QN07519M"]
    (absent,) = resolve_qpv_cell("QN07599M").pending
    assert absent.status == UNKNOWN and absent.message() == "« QN07599M » : code absent de la liste des QPV 2024."
    (old,) = resolve_qpv_cell("QP075019").pending
    assert old.status == OLD_CODE
    assert "ancienne géographie prioritaire (QPV 2015" in old.message() and "QN…" in old.message()


def test_an_arrondissement_code_stands_for_its_commune():
    name, code = QPV.loc[QPV["insee_com"] == "13055", ["lib_qp", "code_qp"]].iloc[0]
    (part,) = resolve_qpv_cell(name, ["13213"]).parts  # Marseille 13e, as SIRENE or a régie list may write it
    assert (part.quartier.code_qp, part.how) == (code, "nom, dans la commune de la régie")


def test_a_cell_may_name_several_quartiers():
    cell = resolve_qpv_cell("Grand Belleville / Petit Belleville ; Les Amandiers et QN07513M", ["75056"])
    assert cell.codes == ["QN07519M", "QN07518M", "QN07520M", "QN07513M"] and cell.pending == []
    assert resolve_qpv_cell("Grand Belleville | Grand Belleville, QN07519M").codes == ["QN07519M"]


@pytest.mark.parametrize("name", [n for n in QPV["lib_qp"] if re.search(r"[/;,]| et ", n)])
def test_names_holding_separators_stay_whole(name):
    commune = QPV.loc[QPV["lib_qp"] == name, "insee_com"].iloc[0]
    assert split_cell(name) == [name]
    assert resolve_qpv_cell(name, [commune]).codes == list(QPV.loc[QPV["lib_qp"] == name, "code_qp"])[:1]


def test_unknown_names_are_listed_and_kept_out():
    cell = resolve_qpv_cell("Grand Belleville / Belleville / Orgues de Flandre", ["75056"])
    assert cell.codes == ["QN07519M"]
    assert [(p.written, p.status) for p in cell.pending] == [("Belleville", UNKNOWN), ("Orgues de Flandre", UNKNOWN)]
    belleville = cell.pending[0]
    assert {q.code_qp for q in belleville.candidates} == {"QN07518M", "QN07519M"}  # offered, never applied
    assert belleville.message().startswith("« Belleville » : QPV inconnu de la liste 2024 (laissé de côté). "
                                           "Noms proches : ")


def test_every_quartier_resolves_from_its_plain_name_in_its_commune():
    """Each QPV, its name written plainly, with one of its communes: its code, unless its commune holds another
    quartier of the same plain name (then a question) — counted from the list itself."""
    cells = [plain(n) for n in PAIRS["lib_qp"]]
    matches = resolve_qpv_cells(cells, [[c] for c in PAIRS["insee_com"]])
    homonyms = PAIRS.assign(key=[c.replace(" ", "") for c in cells]).groupby(["insee_com", "key"])["code_qp"]
    shared = homonyms.transform("nunique") > 1
    for (_, pair), match, ambiguous in zip(PAIRS.iterrows(), matches, shared, strict=True):
        if ambiguous:
            assert [p.status for p in match.parts] == [QUESTION], pair["lib_qp"]
        else:
            assert match.codes == [pair["code_qp"]], pair["lib_qp"]


def test_names_alone_are_found_only_when_unique_in_france():
    keys = QPV["lib_qp"].map(lambda n: plain(n).replace(" ", ""))
    counts = keys.map(keys.value_counts())
    matches = resolve_qpv_cells(list(QPV["lib_qp"]))
    found = [m.parts[0].status == FOUND for m in matches]
    assert found == list(counts == 1)
    assert sum(found) > 1300  # most names are unique


def test_blank_cells():
    assert resolve_qpv_cell(None).parts == () and resolve_qpv_cell("  ").codes == []
