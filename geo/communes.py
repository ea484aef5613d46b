"""Communes named in words: the INSEE code of « St-Denis 93200 », « PARIS 19 », « Marseille 13013 ».

People's lists give a commune as a name and, often, a postal code. `resolve_commune` finds its INSEE code in the
official list (`data/ref/communes.csv`, COG 2026) and says how; when several communes fit, or none, it asks a
question with the candidates instead of picking one. Paris, Lyon and Marseille resolve to the commune
(75056, 69123, 13055), as the QPV list and the app do, the arrondissement being kept beside it (75119).

Names are compared by their key (`geo.names`): case, accents, hyphens, apostrophes, « St »/« Saint » and
« Cedex N » do not matter; « Havre (Le) » is « Le Havre »; « Paris 19e », « Paris 19ème » and « PARIS 19 » are
the arrondissement. A postal code written in the name (« Paris 75019 ») counts as the postal code.
"""

from __future__ import annotations

import difflib
import os
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from geo import ref
from geo.names import name_key, words_of_folded
from geo.schema import fold, is_blank, normalize_code

FOUND, QUESTION, UNKNOWN = "found", "question", "unknown"
MAX_LISTED = 8  # candidates named in a message; the preview gets them all

_CEDEX = re.compile(r"\bcedex\b(\s*\d{1,3})?")
_POSTAL_IN_NAME = re.compile(r"(?<!\d)(\d{5})(?!\d)")
_TRAILING_ARTICLE = re.compile(r"^(.*?)\s*\((le|la|les|l')\)$")
_SPECIAL = re.compile(r"[\d(]|cedex")
_PLM_NAMES = ("paris", "lyon", "marseille")
_ARRONDISSEMENT = re.compile(r"^(paris|lyon|marseille) 0?(\d{1,2}) ?(?:er|e|eme|ieme|em)?(?: arr(?:ondissement)?)?$")
_PLM = {"75056", "69123", "13055"}
_FORMER = {"COMD": "commune déléguée", "COMA": "commune associée"}


class Commune(NamedTuple):
    """A current commune, as offered in an answer or a question (a tuple: 35 000 are built at once)."""

    insee_com: str
    lib_com: str
    insee_dep: str
    insee_reg: str
    codes_postaux: tuple[str, ...]
    population: int | None

    def label(self) -> str:
        """« Saint-Denis (93066, 93200, dép. 93) »: what tells two homonyms apart."""
        postal = ", ".join(self.codes_postaux[:3]) + (" …" if len(self.codes_postaux) > 3 else "")
        return f"{self.lib_com} ({self.insee_com}{', ' + postal if postal else ''}, dép. {self.insee_dep})"


@dataclass(frozen=True)
class CommuneMatch:
    """The answer for one written commune: `FOUND` (one commune, `how` says why), `QUESTION` (`candidates` to
    choose from) or `UNKNOWN` (`candidates` may hold close names, never applied)."""

    status: str
    written: str
    how: str
    commune: Commune | None = None
    arrondissement: str | None = None
    candidates: tuple[Commune, ...] = ()

    @property
    def insee_com(self) -> str | None:
        return self.commune.insee_com if self.commune else None

    def message(self) -> str:
        """The French sentence of the import preview."""
        if self.status == FOUND:
            extra = f", arrondissement {self.arrondissement}" if self.arrondissement else ""
            return f"« {self.written} » → {self.commune.lib_com} ({self.commune.insee_com}{extra}) : {self.how}."
        listed = " ; ".join(c.label() for c in self.candidates[:MAX_LISTED])
        more = len(self.candidates) - MAX_LISTED
        listed += f" ; et {more} autres" if more > 0 else ""
        if self.status == QUESTION:
            return f"« {self.written} » : {self.how}. Choisissez : {listed}."
        return f"« {self.written} » : {self.how}." + (f" Communes proches : {listed}." if listed else "")


class _Entry(NamedTuple):
    """One row of the list: a commune, an arrondissement or a former commune, and the commune it stands for."""

    written: str
    kind: str
    code: str
    target: str


def commune_key(text: object) -> tuple[str, str | None]:
    """The comparison key of a written commune and the postal code written inside it, if any."""
    folded = fold("" if is_blank(text) else text)
    postal = None
    if _SPECIAL.search(folded):  # most names hold no digit, bracket or Cedex: skip those rules
        postal = _POSTAL_IN_NAME.search(folded)
        folded = _CEDEX.sub(" ", _POSTAL_IN_NAME.sub(" ", folded)).strip()
        article = _TRAILING_ARTICLE.match(folded)
        if article:
            folded = f"{article.group(2)} {article.group(1)}"
    spaced = words_of_folded(folded)
    arrondissement = _ARRONDISSEMENT.match(spaced) if spaced.startswith(_PLM_NAMES) else None
    if arrondissement:
        spaced = f"{arrondissement.group(1)} {int(arrondissement.group(2))}"
    return spaced.replace(" ", ""), postal.group(1) if postal else None


def normalize_postal_code(value: object) -> str | None:
    """Five-digit postal code, the leading zero a spreadsheet dropped restored (« 1000 » → « 01000 »)."""
    code = normalize_code(value, 5)
    return code if code and code.isdigit() and len(code) == 5 else None


def _postal_deps(postal: str) -> set[str]:
    """Départements a postal code's prefix designates: « 20 » is Corsica (2A, 2B), « 97x » an overseas one."""
    if postal.startswith("20"):
        return {"2A", "2B"}
    return {postal[:3] if postal.startswith("97") else postal[:2]}


class _Index:
    """The commune list arranged for lookups by key, by postal code and by code (built once)."""

    def __init__(self) -> None:
        table = ref.communes_table()
        current = table[table["type"] == "COM"]
        population = current["population"].astype(object).where(current["population"].notna(), None)
        self.communes = {
            code: Commune(code, name, dep, reg, postal, people)
            for code, name, dep, reg, postal, people in zip(
                *(current[c].tolist() for c in ("insee_com", "lib_com", "insee_dep", "insee_reg", "codes_postaux")),
                population.tolist(), strict=True)
        }
        self.by_key: dict[str, list[_Entry]] = defaultdict(list)
        self.by_postal: dict[str, list[_Entry]] = defaultdict(list)
        self.postal_of_entry: dict[tuple[str, str], tuple[str, ...]] = {}
        self.other_codes: dict[str, _Entry] = {}  # arrondissements and former communes, by their own code
        self.key_of: dict[str, str] = {}  # a commune's name key, by code
        for name, kind, code, parent, postal_codes in zip(
                *(table[c].tolist() for c in ("lib_com", "type", "insee_com", "parent", "codes_postaux")), strict=True):
            entry = _Entry(name, kind, code, parent or code)
            key = commune_key(name)[0]
            self.by_key[key].append(entry)
            if kind == "COM":
                self.key_of[code] = key
            self.postal_of_entry[(code, kind)] = postal_codes
            if kind in ("COM", "ARM"):
                for postal in postal_codes:
                    self.by_postal[postal].append(entry)
            if kind != "COM":
                self.other_codes.setdefault(code, entry)
        self.keys_by_dep: dict[str, list[str]] = defaultdict(list)
        self.keys_by_start: dict[str, list[str]] = defaultdict(list)  # by first two letters, for close names
        for key, entries in self.by_key.items():
            self.keys_by_start[key[:2]].append(key)
            for dep in {self.communes[e.target].insee_dep for e in entries}:
                self.keys_by_dep[dep].append(key)
        deps, regions = ref.departements_table(), ref.regions_table()
        self.dep_names = {name_key(n): c for c, n in zip(deps["insee_dep"], deps["lib_dep"], strict=True)}
        self.deps_of_region: dict[str, set[str]] = defaultdict(set)
        for dep, reg in zip(deps["insee_dep"], deps["insee_reg"], strict=True):
            self.deps_of_region[reg].add(dep)
        self.region_names = {name_key(n): c for c, n in zip(regions["insee_reg"], regions["lib_reg"], strict=True)}

    def candidates(self, entries: list[_Entry]) -> tuple[Commune, ...]:
        """The distinct communes the entries stand for, the most populated first (the likelier meant)."""
        communes = {self.communes[e.target] for e in entries}
        return tuple(sorted(communes, key=lambda c: (-(c.population or 0), c.insee_com)))

    def arrondissement(self, entries: list[_Entry], postal: str | None) -> str | None:
        """The arrondissement of Paris, Lyon or Marseille the entries or the postal code designate, if any."""
        named = {e.code for e in entries if e.kind == "ARM"}
        if postal and not named:
            named = {e.code for e in self.by_postal.get(postal, []) if e.kind == "ARM"}
        return next(iter(named)) if len(named) == 1 else None

    def hint_deps(self, departement: object, region: object) -> set[str] | None:
        """Départements of a département and/or région hint (code or name), None without a usable hint."""
        deps: set[str] | None = None
        if not is_blank(departement):
            code = normalize_code(departement, 2) or ""
            dep = code if code in self.keys_by_dep else self.dep_names.get(name_key(departement))
            deps = {dep} if dep else None
        if not is_blank(region):
            code = normalize_code(region, 2) or ""
            reg = code if code in self.deps_of_region else self.region_names.get(name_key(region))
            if reg:
                deps = self.deps_of_region[reg] if deps is None else deps & self.deps_of_region[reg]
        return deps

    def close(self, key: str, deps: set[str] | None) -> tuple[Commune, ...]:
        """Communes whose name is close to an unknown one (within the départements when known): suggestions."""
        if not key:
            return ()
        if deps:
            pool = [k for d in sorted(deps) for k in self.keys_by_dep.get(d, [])]
        else:
            pool = self.keys_by_start.get(key[:2], [])
        keys = difflib.get_close_matches(key, pool, n=5, cutoff=0.8)
        entries = [e for k in keys for e in self.by_key[k]
                   if not deps or self.communes[e.target].insee_dep in deps]
        return self.candidates(entries)


@lru_cache(maxsize=1)
def _index() -> _Index:
    return _Index()


def _written(name: object, postal: object) -> str:
    text = "" if is_blank(name) else str(name).strip()
    code = "" if is_blank(postal) else str(postal).strip()
    return f"{text} ({code})" if text and code else text or code


def resolve_commune(name: object, postal_code: object = None, departement: object = None,
                    region: object = None) -> CommuneMatch:
    """The commune a list means by a name and an optional postal code, département or région (code or name).

    Never a silent pick: one commune only when the name (and postal code) designate one, else a question.
    """
    return _resolve(*_normalized(name, postal_code, departement, region))


def resolve_communes(names, postal_codes=None, departements=None, regions=None) -> list[CommuneMatch]:
    """`resolve_commune` for columns of a list (repeated communes are resolved once)."""
    count = len(names)
    columns = [postal_codes, departements, regions]
    columns = [[None] * count if c is None else list(c) for c in columns]
    return [_resolve(*_normalized(*row)) for row in zip(names, *columns, strict=True)]


def _normalized(name, postal_code, departement, region) -> tuple[str, str, str, str, str]:
    def text(value) -> str:
        return "" if is_blank(value) else str(value).strip()
    return text(name), text(postal_code), text(departement), text(region), _written(name, postal_code)


@lru_cache(maxsize=20_000)
def _resolve(name: str, postal_text: str, departement: str, region: str, written: str) -> CommuneMatch:
    index = _index()
    key, postal_in_name = commune_key(name)
    postal = normalize_postal_code(postal_text) if postal_text else postal_in_name
    named = index.by_key.get(key, []) if key else []
    if postal_text and postal is None:
        return CommuneMatch(QUESTION if named else UNKNOWN, written,
                            f"code postal « {postal_text} » illisible (5 chiffres attendus)",
                            candidates=index.candidates(named))
    deps = index.hint_deps(departement or None, region or None)
    if postal:
        match = _with_postal(index, written, key, named, postal, deps)
        if match.status == FOUND and deps is not None and match.commune.insee_dep not in deps:
            return CommuneMatch(QUESTION, written, f"{match.how}, mais hors du département ou de la région "
                                "indiqués", candidates=(match.commune,))
        return match
    if not key:
        return CommuneMatch(UNKNOWN, written, "commune absente (ni nom ni code postal)")
    return _by_name(index, written, key, named, deps)


def _found(index: _Index, written: str, how: str, entries: list[_Entry], postal: str | None) -> CommuneMatch:
    (commune,) = index.candidates(entries)
    arrondissement = index.arrondissement(entries, postal) if commune.insee_com in _PLM else None
    if all(e.kind in _FORMER for e in entries):
        first = min(entries, key=lambda e: e.written)
        how += f" ; {first.written} est une {_FORMER[first.kind]}, rattachée à « {commune.lib_com} »"
    return CommuneMatch(FOUND, written, how, commune, arrondissement)


def _with_postal(index: _Index, written: str, key: str, named: list[_Entry], postal: str,
                 deps: set[str] | None) -> CommuneMatch:
    same_postal = [e for e in named if postal in index.postal_of_entry[(e.code, e.kind)]]
    if len(index.candidates(same_postal)) == 1:
        return _found(index, written, "code postal + nom", same_postal, postal)
    if same_postal:
        return CommuneMatch(QUESTION, written, f"plusieurs communes de ce nom ont le code postal {postal}",
                            candidates=index.candidates(same_postal))
    at_postal = index.by_postal.get(postal, [])
    if named:
        in_dep = [e for e in named if index.communes[e.target].insee_dep in (deps or _postal_deps(postal))]
        if len(index.candidates(in_dep)) == 1:
            return _found(index, written, f"nom dans le département du code postal ({postal} n'est pas l'un des "
                          "codes postaux de la commune : CEDEX ?)", in_dep, postal)
        return CommuneMatch(QUESTION, written, f"aucune commune de ce nom n'a le code postal {postal}",
                            candidates=index.candidates(in_dep or named))
    if not key:
        if len(index.candidates(at_postal)) == 1:
            return _found(index, written, "code postal seul (une seule commune l'a)", at_postal, postal)
        if at_postal:
            return CommuneMatch(QUESTION, written, f"le code postal {postal} est celui de plusieurs communes",
                                candidates=index.candidates(at_postal))
        return CommuneMatch(UNKNOWN, written, f"code postal {postal} inconnu")
    if at_postal:
        def shared_start(commune: Commune) -> int:
            return -len(os.path.commonprefix([key, index.key_of[commune.insee_com]]))
        offered = sorted(index.candidates(at_postal), key=shared_start)  # the likeliest first, still a question
        return CommuneMatch(QUESTION, written, f"commune inconnue ; communes du code postal {postal}",
                            candidates=tuple(offered))
    return CommuneMatch(UNKNOWN, written, f"commune et code postal {postal} inconnus",
                        candidates=index.close(key, _postal_deps(postal)))


def _by_name(index: _Index, written: str, key: str, named: list[_Entry], deps: set[str] | None) -> CommuneMatch:
    if deps is not None:
        in_deps = [e for e in named if index.communes[e.target].insee_dep in deps]
        if len(index.candidates(in_deps)) == 1:
            return _found(index, written, "nom dans le département ou la région indiqués", in_deps, None)
        if in_deps:
            return CommuneMatch(QUESTION, written, "plusieurs communes de ce nom dans le département ou la région "
                                "indiqués ; précisez le code postal", candidates=index.candidates(in_deps))
        if named:
            return CommuneMatch(QUESTION, written, "aucune commune de ce nom dans le département ou la région "
                                "indiqués", candidates=index.candidates(named))
    elif len(index.candidates(named)) == 1:
        return _found(index, written, "nom seul, unique en France", named, None)
    elif named:
        return CommuneMatch(QUESTION, written, "plusieurs communes portent ce nom ; précisez le code postal",
                            candidates=index.candidates(named))
    return CommuneMatch(UNKNOWN, written, "commune inconnue du Code officiel géographique 2026",
                        candidates=index.close(key, deps))



def commune_of_code(insee_com: object) -> tuple[Commune | None, str]:
    """The current commune an INSEE code designates, and how: an arrondissement code (SIRENE writes 75119 for
    Paris 19e) gives its commune, a former commune's code the commune it is part of. (None, reason) if unknown."""
    index = _index()
    code = normalize_code(insee_com, 5) or ""
    if code in index.communes:
        return index.communes[code], "code INSEE de la commune"
    entry = index.other_codes.get(code)
    if entry is None:
        return None, f"code commune « {insee_com} » absent du Code officiel géographique 2026"
    kind = "de l'arrondissement" if entry.kind == "ARM" else f"de la {_FORMER[entry.kind]}"
    return index.communes[entry.target], f"code {kind} {entry.written}"


def region_of_commune(insee_com: object) -> str | None:
    """The région of the commune the Code officiel géographique knows by this code (an arrondissement's or a former
    commune's: that of its commune, as `commune_of_code` finds it); None for a blank or unknown code. An
    organisme's or a régie's seat lies there. Reads the table only, not the name index (every load of the
    organismes asks)."""
    return _region_by_code().get(normalize_code(insee_com, 5) or "")


@lru_cache(maxsize=1)
def _region_by_code() -> dict[str, str]:
    table = ref.communes_table()
    return dict(zip(table["insee_com"], table["insee_reg"], strict=True))
