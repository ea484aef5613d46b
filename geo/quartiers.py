"""QPV named in words: « Stalingrad - Riquet », « stalingrad riquet », « Europe (Reims) » → `QN…` codes.

A cell of a people's list may name several quartiers (« Europe / Croix-Rouge », « Bois et Fontaine ; Centre »).
Names are looked up in the 2024 list (`data/ref/qpv2024_communes.csv`) by their key (`geo.names`), within the
régie's commune(s) first, then their département(s), then in all of France only when the name is unique there:
many names repeat (« Europe » is in Saint-Quentin, Tours and Reims). A hint in brackets (« Europe (Reims) »,
« Europe (51) ») names the commune or département. A name that fits several quartiers is a question with the
candidates; an unknown one is reported and kept out, never replaced by another; a `QN…` code passes if it is in
the list; a `QP…` code belongs to the 2015 geography and is refused with a message saying so.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from geo import ref
from geo.names import name_key
from geo.schema import CODE_QP, is_blank, normalize_code

FOUND, QUESTION, UNKNOWN, OLD_CODE = "found", "question", "unknown", "old_code"

# What separates quartiers in a cell; names themselves may hold some of these (« Les Ailes/Port Charmeil »,
# « Centre ancien et Beauregard »), so the longest run of pieces that is a known name is tried first.
_SEPARATORS = re.compile(r"\s*(?:[/;|,]|\bet\b)\s*", re.IGNORECASE)
_HINT = re.compile(r"^(.*?)\s*\(([^()]+)\)\s*$")
_CODE_LIKE = re.compile(r"^Q[NP]\s*[0-9]", re.IGNORECASE)


@dataclass(frozen=True)
class Quartier:
    """A QPV of the 2024 list, as offered in a question: its code, name and communes (most populated first)."""

    code_qp: str
    lib_qp: str
    communes: tuple[str, ...]

    def label(self) -> str:
        """« Europe (QN00201M, Saint-Quentin, Omissy) »: what tells homonyms apart."""
        return f"{self.lib_qp} ({self.code_qp}, {', '.join(self.communes)})"


@dataclass(frozen=True)
class QpvMatch:
    """The answer for one quartier named in a cell: `FOUND` (`quartier`, and `how`), `QUESTION` (`candidates`),
    `UNKNOWN` (`candidates` may hold close names, never applied) or `OLD_CODE` (a 2015 `QP…` code)."""

    status: str
    written: str
    how: str
    quartier: Quartier | None = None
    candidates: tuple[Quartier, ...] = ()

    def message(self) -> str:
        """The French sentence of the import preview."""
        if self.status == FOUND:
            return f"« {self.written} » → {self.quartier.label()} : {self.how}."
        listed = " ; ".join(q.label() for q in self.candidates)
        if self.status == QUESTION:
            return f"« {self.written} » : {self.how}. Choisissez : {listed}."
        return f"« {self.written} » : {self.how}." + (f" Noms proches : {listed}." if listed else "")


@dataclass(frozen=True)
class QpvCellMatch:
    """Every quartier one cell names, in order."""

    written: str
    parts: tuple[QpvMatch, ...]

    @property
    def codes(self) -> list[str]:
        """The codes found, in order, without repeats (questions and unknown names left out)."""
        return list(dict.fromkeys(p.quartier.code_qp for p in self.parts if p.status == FOUND))

    @property
    def pending(self) -> list[QpvMatch]:
        """What the preview must show: questions, unknown names, 2015 codes."""
        return [p for p in self.parts if p.status != FOUND]


class _Index:
    """The 2024 list arranged by name key, code and commune (built once)."""

    def __init__(self) -> None:
        table = ref.qpv2024_table()
        self.communes_of: dict[str, set[str]] = defaultdict(set)
        self.deps_of: dict[str, set[str]] = defaultdict(set)
        self.places_of: dict[str, set[str]] = defaultdict(set)  # commune and département keys, for hints
        self.by_key: dict[str, list[str]] = defaultdict(list)
        names: dict[str, str] = {}
        communes: dict[str, list[tuple[int, str]]] = defaultdict(list)
        deps = ref.departements_table()
        dep_names = dict(zip(deps["insee_dep"], deps["lib_dep"], strict=True))
        columns = ("code_qp", "lib_qp", "lib_com", "insee_com", "insee_dep", "population_commune")
        for code, name, commune, insee_com, dep, people in zip(*(table[c].tolist() for c in columns), strict=True):
            if code not in names:
                names[code] = name
                self.by_key[name_key(name)].append(code)
            communes[code].append((-people, commune))
            self.communes_of[code].add(insee_com)
            self.deps_of[code].add(dep)
            self.places_of[code] |= {name_key(commune), insee_com, dep, name_key(dep_names.get(dep, ""))}
        self.quartiers = {code: Quartier(code, name, tuple(c for _, c in sorted(communes[code])))
                          for code, name in names.items()}
        arm = ref.communes_table().query("type == 'ARM'")
        self.commune_of_arrondissement = dict(zip(arm["insee_com"], arm["parent"], strict=True))

    def offer(self, codes: Iterable[str]) -> tuple[Quartier, ...]:
        return tuple(self.quartiers[c] for c in sorted(set(codes)))


@lru_cache(maxsize=1)
def _index() -> _Index:
    return _Index()


def _code_match(index: _Index, text: str) -> QpvMatch | None:
    """The answer for a piece written as a QPV code, None when it is not one."""
    code = normalize_code(text) or ""
    if not _CODE_LIKE.match(text.strip()) or not CODE_QP.match(code):
        return None
    if code in index.quartiers:
        return QpvMatch(FOUND, text, "code de la liste 2024", index.quartiers[code])
    if code.startswith("QP"):
        return QpvMatch(OLD_CODE, text, "code de l'ancienne géographie prioritaire (QPV 2015, codes QP…), "
                        "remplacée le 1er janvier 2024 : indiquez le code QN… ou le nom du quartier dans la "
                        "liste 2024")
    return QpvMatch(UNKNOWN, text, "code absent de la liste des QPV 2024")


def _split_hint(text: str) -> tuple[str, str | None]:
    hinted = _HINT.match(text)
    return (hinted.group(1), hinted.group(2)) if hinted else (text, None)


def _is_known(index: _Index, text: str) -> bool:
    return name_key(text) in index.by_key or name_key(_split_hint(text)[0]) in index.by_key or bool(
        _code_match(index, text))


def split_cell(text: str) -> list[str]:
    """The quartiers a cell names: the longest runs of pieces that are known names (or codes), else pieces."""
    index = _index()
    bounds = [0]
    for separator in _SEPARATORS.finditer(text):
        bounds += [separator.start(), separator.end()]
    bounds.append(len(text))
    pieces = [(bounds[i], bounds[i + 1]) for i in range(0, len(bounds), 2)]
    out, i = [], 0
    while i < len(pieces):
        j = next((j for j in range(len(pieces) - 1, i, -1)
                  if _is_known(index, text[pieces[i][0]:pieces[j][1]])), i)
        part = text[pieces[i][0]:pieces[j][1]].strip()
        if part:
            out.append(part)
        i = j + 1
    return out


def _by_scope(index: _Index, text: str, codes: list[str], communes: set[str], deps: set[str]) -> QpvMatch:
    """One quartier among homonyms: within the communes, then the départements, then France when unique."""
    for scope, where, holds in ((communes, "dans la commune de la régie", index.communes_of),
                                (deps, "dans le département de la régie", index.deps_of)):
        inside = [c for c in codes if holds[c] & scope]
        if len(inside) == 1:
            return QpvMatch(FOUND, text, f"nom, {where}", index.quartiers[inside[0]])
        if inside:
            return QpvMatch(QUESTION, text, f"plusieurs QPV de ce nom {where}", candidates=index.offer(inside))
    if len(codes) == 1:
        away = " (hors de la commune et du département de la régie)" if communes or deps else ""
        return QpvMatch(FOUND, text, f"nom, unique dans la liste 2024{away}", index.quartiers[codes[0]])
    return QpvMatch(QUESTION, text, f"{len(codes)} QPV portent ce nom ; précisez la commune, par ex. "
                    f"« {index.quartiers[codes[0]].lib_qp} ({index.quartiers[codes[0]].communes[0]}) »",
                    candidates=index.offer(codes))


def _resolve_part(index: _Index, text: str, communes: set[str], deps: set[str]) -> QpvMatch:
    coded = _code_match(index, text)
    if coded:
        return coded
    codes = index.by_key.get(name_key(text))
    name, hint = (text, None) if codes else _split_hint(text)
    codes = codes or index.by_key.get(name_key(name))
    if not codes:
        return QpvMatch(UNKNOWN, text, "QPV inconnu de la liste 2024 (laissé de côté)",
                        candidates=_close(index, name, communes, deps))
    if hint is None:
        return _by_scope(index, text, codes, communes, deps)
    place = normalize_code(hint, 2) if hint.strip().isdigit() else name_key(hint)
    at_place = [c for c in codes if place in index.places_of[c]]
    if len(at_place) == 1:
        return QpvMatch(FOUND, text, f"nom + lieu indiqué ({hint.strip()})", index.quartiers[at_place[0]])
    how = (f"plusieurs QPV de ce nom à « {hint.strip()} »" if at_place
           else f"aucun QPV de ce nom à « {hint.strip()} »")
    return QpvMatch(QUESTION, text, how, candidates=index.offer(at_place or codes))


def _close(index: _Index, name: str, communes: set[str], deps: set[str]) -> tuple[Quartier, ...]:
    """Quartiers with a close name in the régie's communes or départements (all of France without them)."""
    pool = [c for c in index.quartiers
            if not (communes or deps) or index.communes_of[c] & communes or index.deps_of[c] & deps]
    keys = {name_key(index.quartiers[c].lib_qp): c for c in pool}
    close = difflib.get_close_matches(name_key(name), list(keys), n=3, cutoff=0.75)
    return index.offer(keys[k] for k in close)


def resolve_qpv_cell(cell: object, communes: Sequence[object] = ()) -> QpvCellMatch:
    """The quartiers a cell names, looked up around the given INSEE commune codes (the régie's commune; an
    arrondissement's code stands for its commune)."""
    written = "" if is_blank(cell) else str(cell).strip()
    plm = _index().commune_of_arrondissement  # the list records Paris, Lyon, Marseille as the commune
    codes = {normalize_code(c, 5) for c in communes if not is_blank(c)}
    return _resolve_cell(written, tuple(sorted({plm.get(c, c) for c in codes})))


@lru_cache(maxsize=20_000)
def _resolve_cell(written: str, communes: tuple[str, ...]) -> QpvCellMatch:
    index = _index()
    deps = {ref.dep_of_commune_or_none(c) for c in communes} - {None}
    parts = tuple(_resolve_part(index, part, set(communes), deps) for part in split_cell(written))
    return QpvCellMatch(written, parts)


def resolve_qpv_cells(cells: Sequence[object], communes: Sequence[Sequence[object]] | None = None
                      ) -> list[QpvCellMatch]:
    """`resolve_qpv_cell` for a column, each cell with the commune codes of its row (repeats resolved once)."""
    around = [()] * len(cells) if communes is None else communes
    return [resolve_qpv_cell(cell, row) for cell, row in zip(cells, around, strict=True)]
