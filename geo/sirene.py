"""Organismes from the SIRENE register: the HLM family from the legal category, the région from the seat commune.

A SIRENE extract gives, for a legal unit, its SIREN, name, legal category (`categorieJuridiqueUniteLegale`, four
digits) and the commune of its seat (`codeCommuneEtablissement` of the seat establishment; an arrondissement code
in Paris, Lyon and Marseille). The family follows from the category alone, through the one table of
`data/ref/categories_juridiques.csv` (source in `data/ref/SOURCES.md`); any other category is refused, naming it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from geo import ref
from geo.communes import commune_of_code
from geo.identifiers import normalize_siren
from geo.schema import FAMILLE_LABELS, is_blank, normalize_code


@dataclass(frozen=True)
class FamilyMatch:
    """The family of a legal category, or None with the French refusal in `message`."""

    famille: str | None
    message: str


@dataclass(frozen=True)
class OrganismeMatch:
    """An `organismes` record built from a SIRENE unit, or None with the French reasons in `messages`."""

    record: dict[str, str] | None
    messages: tuple[str, ...]


@lru_cache(maxsize=1)
def _categories() -> dict[str, tuple[str, str]]:
    table = ref.legal_categories_table()
    return {code: (label, famille) for code, label, famille in
            zip(table["categorie_juridique"], table["libelle_insee"], table["famille"], strict=True)}


def _accepted() -> str:
    by_family: dict[str, list[str]] = {}
    for code, (_, famille) in sorted(_categories().items()):
        by_family.setdefault(famille, []).append(code)
    return " ; ".join(f"{', '.join(codes)} {FAMILLE_LABELS[famille]}" for famille, codes in by_family.items())


def famille_of_category(categorie_juridique: object) -> FamilyMatch:
    """The HLM family (`OPH`, `ESH`, `Coop HLM`, `SEM`) of a SIRENE legal category, or a refusal naming it."""
    if is_blank(categorie_juridique):
        return FamilyMatch(None, "catégorie juridique absente : la famille HLM ne peut pas être déduite.")
    code = normalize_code(categorie_juridique) or ""
    if not (len(code) == 4 and code.isdigit()):
        return FamilyMatch(None, f"catégorie juridique « {categorie_juridique} » illisible (4 chiffres attendus, "
                           "par ex. 7371).")
    known = _categories().get(code)
    if known is None:
        return FamilyMatch(None, f"catégorie juridique {code} : ni organisme HLM ni SEM de la convention "
                           f"(catégories acceptées : {_accepted()}) ; organisme refusé.")
    label, famille = known
    return FamilyMatch(famille, f"catégorie juridique {code} ({label}) → {FAMILLE_LABELS[famille]}.")


def organisme_from_sirene(siren: object, nom: object, categorie_juridique: object,
                          commune_siege: object) -> OrganismeMatch:
    """The `organismes` record (siren, nom, famille, commune_siege, insee_com, insee_reg) of a SIRENE unit.

    `commune_siege` is the INSEE code of the seat commune; Paris, Lyon and Marseille are recorded as the commune
    (75056, 69123, 13055), as everywhere in the app.
    """
    problems = []
    number = normalize_siren(siren)
    if number is None:
        problems.append(f"SIREN « {'' if is_blank(siren) else siren} » invalide (9 chiffres dont la clé de "
                        "contrôle).")
    if is_blank(nom):
        problems.append("raison sociale absente.")
    family = famille_of_category(categorie_juridique)
    if family.famille is None:
        problems.append(family.message)
    commune, how = commune_of_code(commune_siege)
    if commune is None:
        problems.append(f"siège : {how}.")
    if problems:
        return OrganismeMatch(None, tuple(problems))
    record = {"siren": number, "nom": str(nom).strip(), "famille": family.famille, "commune_siege": commune.lib_com,
              "insee_com": commune.insee_com, "insee_reg": commune.insee_reg}
    region = _region_names()[commune.insee_reg]
    seat = f"siège à {commune.lib_com} ({how}) : région {region} ({commune.insee_reg})."
    return OrganismeMatch(record, (family.message, seat))


@lru_cache(maxsize=1)
def _region_names() -> dict[str, str]:
    table = ref.regions_table()
    return dict(zip(table["insee_reg"], table["lib_reg"], strict=True))
