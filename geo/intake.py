"""Lists as people keep them, made into the datasets' tables: which dataset a table holds, which of its columns is
which field, and the codes its words stand for.

A federation's list of régies (« Nom de la régie;Adresse;CP;Ville;Quartiers d'intervention;Nb salariés »), a sheet
of partnerships naming régies, organismes and quartiers, a SIRENE extract: `recognise` tells the dataset from the
columns (and the sheet's name), never from the file's name; `propose_mapping` maps each column to a field or to
« ignorer »; `prepare` turns the table into the canonical one `geo.load.clean` validates, resolving communes
(`geo.communes`), QPV (`geo.quartiers`), themes, régies and organismes by name, legal categories (`geo.sirene`),
identifiers (`geo.identifiers`) and positions (`geo.geocode`). Every value read from words is a `Guess` shown in
the preview; whatever could mean several things is a `Question` with its choices, answered by the user (`answers`);
what is unknown is a `Finding` naming the row and column, kept out, never replaced by something else. Pure: the
store's import plan and the command line both call it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from geo import fr, geocode
from geo.communes import FOUND, QUESTION, commune_of_code, resolve_communes
from geo.identifiers import normalize_siren, partenariat_id, regie_id
from geo.names import name_key
from geo.quartiers import OLD_CODE, resolve_qpv_cells
from geo.schema import (
    CODE_WIDTHS,
    DATASETS,
    LIST_JOINER,
    REGIE_TYPES,
    ROW,
    THEME_AMBIGUOUS,
    THEME_BY_SLUG,
    fold,
    is_blank,
    normalize_code,
    normalize_header,
    parse_theme,
    split_list,
    theme_note,
)
from geo.sirene import famille_of_category
from geo.validate import AVERTISSEMENT, ERREUR, Finding

IGNORE = "ignorer"  # the mapping's word for a column the import leaves aside
# Fields a list need not give: the import derives them (identifiers, codes, positions) or they are optional.
DERIVED = {
    "regies": {"id_regie", "type", "insee_com", "latitude", "longitude", "commune"},
    "organismes": {"famille", "commune_siege", "insee_reg"},
    "partenariats": {"id_partenariat"},
}
# Fields that only help the import and are not stored: the régie's SIRET (its identifier), a département hint.
HELPERS = {"regies": {"siret": ("siret", "n° siret", "numéro siret", "siretEtablissement"),
                      "departement": ("département", "dep", "lib_dep")}}
# A field stands for one of several when any of them is given (a régie's commune: its name, postal code or code).
EITHER = {("regies", "commune"): ("commune", "code_postal", "insee_com")}
# What a sheet's name says about the dataset (a workbook of several lists names its sheets).
SHEET_WORDS = (("partenariat", "partenariats"), ("organisme", "organismes"), ("bailleur", "organismes"),
               ("regie", "regies"), ("declinaison", "declinaisons"), ("patrimoine", "patrimoine"))
IMPORTABLE = ("regies", "organismes", "partenariats", "declinaisons", "patrimoine")


@dataclass(frozen=True)
class Recognition:
    """The dataset a table holds (`kind`, None when it cannot be told), the datasets it could hold, best first, and
    the French sentence that says so (a question when several fit)."""

    kind: str | None
    candidates: tuple[str, ...]
    message: str


@dataclass(frozen=True)
class Guess:
    """A value read from words, shown in the preview: « Ville « St Denis » (93200) → Saint-Denis (93066) »."""

    file: str
    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        where = f", ligne {self.row}" if self.row is not None else ""
        return f"[lu] {self.file}{where}, colonne « {self.column} » : {self.message}"


@dataclass(frozen=True)
class Question:
    """What a row could mean in several ways: the user chooses one of `choices` (value, label). Its `key` names
    the answer in `prepare(answers=…)`."""

    file: str
    row: int
    column: str
    written: str
    message: str
    choices: tuple[tuple[str, str], ...]

    @property
    def key(self) -> tuple[int, str, str]:
        return (self.row, self.column, self.written)

    def __str__(self) -> str:
        offered = ", ".join(value for value, _ in self.choices)
        return (f"[question] {self.file}, ligne {self.row}, colonne « {self.column} » : {self.message} "
                f"Réponses possibles : {offered}.")


@dataclass
class Known:
    """Records a sheet may name in words: the régies (id → (name, commune code)) and organismes (SIREN → name)
    already stored or imported alongside."""

    regies: dict[str, tuple[str, str]] = field(default_factory=dict)
    organismes: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_frames(cls, regies: pd.DataFrame | None = None, organismes: pd.DataFrame | None = None) -> Known:
        known = cls()
        known.add(regies, organismes)
        return known

    def add(self, regies: pd.DataFrame | None = None, organismes: pd.DataFrame | None = None) -> None:
        if regies is not None and len(regies):
            self.regies.update({str(i): (str(n), str(c)) for i, n, c in
                                zip(regies["id_regie"], regies["nom"], regies["insee_com"], strict=True)})
        if organismes is not None and len(organismes):
            self.organismes.update({str(s): str(n) for s, n in zip(organismes["siren"], organismes["nom"],
                                                                     strict=True)})


@dataclass
class Intake:
    """A table made canonical: `frame` (model columns, text, `_ligne`) for `geo.load.clean`, with what was read
    from words, what is asked and what is refused."""

    kind: str
    mapping: dict[str, str]
    frame: pd.DataFrame
    guesses: list[Guess] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def in_users_words(self, findings: Sequence[Finding]) -> list[Finding]:
        """Findings of the validation that follows, their column named by the file's header, not the field."""
        headers = {target: column for column, target in self.mapping.items() if target != IGNORE}
        return [replace(f, column=headers.get(f.column, f.column)) for f in findings]


# --- The dataset and the columns ------------------------------------------------------------------------------


def _fields(kind: str) -> dict[str, tuple[str, ...]]:
    """Field -> the headers that name it, the field's own name first, then its title, then its aliases."""
    spec = DATASETS[kind]
    out = {c.name: (c.name, c.title, *c.aliases) for c in spec.columns}
    return out | HELPERS.get(kind, {})


def mapping_targets(kind: str) -> list[str]:
    """What a column of a `kind` file may be read as: each field of the dataset, or « ignorer »."""
    return [*_fields(kind), IGNORE]


def propose_mapping(columns: Sequence[str], kind: str) -> dict[str, str]:
    """Each column -> the field it most likely holds, or `IGNORE`: a field gets one column, the one whose header is
    its name, else its title, else an alias, the leftmost on a tie."""
    ranks: dict[str, tuple[int, int, str]] = {}  # field -> (rank, position, column)
    for position, column in enumerate(columns):
        if column in (ROW, "geometry"):
            continue
        key = normalize_header(column)
        for name, headers in _fields(kind).items():
            rank = next((r for r, h in enumerate(headers) if h and normalize_header(h) == key), None)
            if rank is None:
                continue
            rank = min(rank, 2)
            if name not in ranks or (rank, position) < ranks[name][:2]:
                ranks[name] = (rank, position, column)
    chosen = {column: name for name, (_, _, column) in ranks.items()}
    return {c: chosen.get(c, IGNORE) for c in columns if c not in (ROW, "geometry")}


def _needed(kind: str) -> list[str]:
    spec = DATASETS[kind]
    return [c for c in spec.required if c not in DERIVED.get(kind, set())] + [
        name for (k, name) in EITHER if k == kind]


def _coverage(kind: str, fields: set[str]) -> float:
    needed = _needed(kind)
    have = [n for n in needed if n in fields or any(f in fields for f in EITHER.get((kind, n), ()))]
    return len(have) / max(len(needed), 1)


def recognise(columns: Sequence[str], sheet: str | None = None, kinds: Sequence[str] = IMPORTABLE) -> Recognition:
    """The dataset of a table, among `kinds`, from its columns and its sheet's name: the datasets whose needed
    fields it all has, the one naming most of its columns first; a sheet's name decides between equals; a tie is
    a question."""
    sheet_kind = next((kind for word, kind in SHEET_WORDS if word in fold(sheet or "")), None)
    scored = []
    for kind in kinds:
        mapped = {f for f in propose_mapping(columns, kind).values() if f != IGNORE}
        scored.append((_coverage(kind, mapped), len(mapped), kind == sheet_kind, kind))
    scored.sort(reverse=True)
    fitting = [s for s in scored if s[0] == 1] or [s for s in scored if s[0] >= 0.6]
    candidates = tuple(s[3] for s in fitting)
    labels = " ou ".join(f"« {DATASETS[k].label} »" for k in candidates[:3])
    if not fitting:
        return Recognition(None, (), "jeu de données non reconnu à ses colonnes : choisissez-le.")
    if len(fitting) > 1 and fitting[0][1:3] == fitting[1][1:3]:
        return Recognition(None, candidates, f"les colonnes conviennent à {labels} : choisissez le jeu de données.")
    kind = candidates[0]
    how = "son nom de feuille et ses colonnes" if kind == sheet_kind else "ses colonnes"
    return Recognition(kind, candidates, f"« {DATASETS[kind].label} » reconnu à {how}.")


def headers_key(columns: Sequence[str]) -> str:
    """The key under which a mapping is remembered: files with the same headers (in any case or accents) share it."""
    joined = "\x1f".join(normalize_header(c) for c in columns if c not in (ROW, "geometry"))
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:16]


def check_mapping(mapping: Mapping[str, str], columns: Sequence[str], kind: str, file: str) -> list[Finding]:
    """What is wrong with a user's mapping (a field twice, a column or a field that does not exist), in French."""
    fields = _fields(kind)
    problems, seen = [], {}
    for column, target in mapping.items():
        if column not in columns:
            problems.append(Finding(ERREUR, file, 1, column, f"la correspondance nomme la colonne « {column} », "
                                    "absente du fichier."))
        elif target != IGNORE and target not in fields:
            problems.append(Finding(ERREUR, file, 1, column, f"champ « {target} » inconnu du jeu « "
                                    f"{DATASETS[kind].label} ».", "champs : " + ", ".join(fields) + f" ou {IGNORE}."))
        elif target != IGNORE and target in seen:
            problems.append(Finding(ERREUR, file, 1, column, f"champ « {target} » donné à deux colonnes (« "
                                    f"{seen[target]} » et « {column} »)."))
        seen.setdefault(target, column)
    return problems


def read_mapping(path: Path) -> dict[str, str]:
    """A mapping file: a JSON object {"column": "field" or "ignorer"}; ValueError (French) otherwise."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"correspondance « {Path(path).name} » illisible : {exc}") from None
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise ValueError(f"correspondance « {Path(path).name} » : un objet JSON {{\"colonne\": \"champ\"}} est "
                         "attendu.")
    return data


def apply_mapping(raw: pd.DataFrame, mapping: Mapping[str, str]) -> pd.DataFrame:
    """The table with its mapped columns under their field names, the others left out (`_ligne` kept)."""
    chosen = {column: target for column, target in mapping.items() if target != IGNORE and column in raw}
    kept = list(chosen) + [c for c in (ROW, "geometry") if c in raw.columns]
    return raw[kept].rename(columns=chosen)


# --- Resolution -----------------------------------------------------------------------------------------------


class _Notes:
    def __init__(self, file: str, kind: str, headers: Mapping[str, str]):
        self.file, self.spec, self.headers = file, DATASETS[kind], headers
        self.guesses: list[Guess] = []
        self.questions: list[Question] = []
        self.findings: list[Finding] = []
        self.bad: set[int] = set()  # rows kept out

    def column(self, name: str) -> str:
        """The file's header of a field, else the field's French title (a field the import derived)."""
        if name in self.headers:
            return self.headers[name]
        return self.spec.column(name).title if name in self.spec.column_names else name

    def guess(self, row: int, name: str, message: str) -> None:
        self.guesses.append(Guess(self.file, row, self.column(name), message))

    def ask(self, row: int, name: str, written: str, message: str, choices, blocks: bool = True) -> None:
        self.questions.append(Question(self.file, row, self.column(name), written, message, tuple(choices)))
        if blocks:
            self.bad.add(row)

    def refuse(self, row: int, name: str, message: str, suggestion: str | None = None, keep: bool = False) -> None:
        self.findings.append(Finding(AVERTISSEMENT if keep else ERREUR, self.file, row, self.column(name), message,
                                     suggestion))
        if not keep:
            self.bad.add(row)


def _text(value: object) -> str:
    return "" if is_blank(value) else str(value).strip()


def _column(frame: pd.DataFrame, name: str) -> list[str]:
    return [_text(v) for v in frame[name]] if name in frame else [""] * len(frame)


def _answer(answers: Mapping, notes: _Notes, row: int, name: str, written: str) -> str | None:
    return answers.get((row, notes.column(name), written))


def _communes(frame: pd.DataFrame, notes: _Notes, answers: Mapping, name_column: str) -> list[str]:
    """The INSEE code of each row's commune (blank when asked or unknown), its official name written back."""
    rows, names, codes = frame[ROW].tolist(), _column(frame, name_column), _column(frame, "insee_com")
    postal, deps = _column(frame, "code_postal"), _column(frame, "departement")
    out = [""] * len(frame)
    to_resolve = [i for i, code in enumerate(codes) if not code]
    for i, code in enumerate(codes):
        if code:
            commune, how = commune_of_code(code)
            if commune is None:
                notes.refuse(rows[i], "insee_com", how + ".")
                continue
            out[i] = commune.insee_com
            if commune.insee_com != normalize_code(code, CODE_WIDTHS["insee_com"]):
                notes.guess(rows[i], "insee_com", f"« {code} » → {commune.lib_com} ({commune.insee_com}) : {how}.")
            if not names[i]:
                names[i] = commune.lib_com
    matches = resolve_communes([names[i] for i in to_resolve], [postal[i] for i in to_resolve],
                               [deps[i] for i in to_resolve])
    official = {}
    for i, match in zip(to_resolve, matches, strict=True):
        column = name_column if names[i] else "code_postal"
        chosen = _answer(answers, notes, rows[i], column, match.written)
        if chosen:
            commune, _ = commune_of_code(chosen)
            if commune is not None:
                out[i] = commune.insee_com
                notes.guess(rows[i], column, f"« {match.written} » → {commune.lib_com} ({commune.insee_com}) : "
                            "choisi à l'aperçu.")
                official[i] = commune.lib_com
                continue
        if match.status == FOUND:
            out[i] = match.insee_com
            official[i] = match.commune.lib_com
            notes.guess(rows[i], column, match.message())
        elif match.status == QUESTION:
            notes.ask(rows[i], column, match.written, match.message(),
                      [(c.insee_com, c.label()) for c in match.candidates])
        else:
            notes.refuse(rows[i], column, match.message(), "corrigez la commune ou le code postal.")
    for i, name in official.items():
        names[i] = name
    frame[name_column] = names
    return out


def _qpv(frame: pd.DataFrame, notes: _Notes, answers: Mapping, name: str, communes: Sequence[Sequence[str]]):
    """Each row's QPV cell as codes: names read within the row's communes; questions asked; unknown names and
    2015 codes listed and left out (the row keeps the others)."""
    rows, cells = frame[ROW].tolist(), _column(frame, name)
    out = []
    for row, cell in zip(rows, resolve_qpv_cells(cells, communes), strict=True):
        codes = list(cell.codes)
        for part in cell.parts:
            if part.status == FOUND:
                if not part.how.startswith("code"):
                    notes.guess(row, name, part.message())
                continue
            chosen = _answer(answers, notes, row, name, part.written)
            if chosen:
                codes.append(chosen)
                notes.guess(row, name, f"« {part.written} » → {chosen} : choisi à l'aperçu.")
            elif part.status == QUESTION:
                notes.ask(row, name, part.written, part.message(),
                          [(q.code_qp, q.label()) for q in part.candidates])
            else:
                suggestion = "code QN… de la liste 2024" if part.status == OLD_CODE else None
                notes.refuse(row, name, part.message(), suggestion, keep=True)
        out.append(LIST_JOINER.join(dict.fromkeys(codes)))
    frame[name] = out


def _regies(frame: pd.DataFrame, notes: _Notes, answers: Mapping, place: Placer | None) -> None:
    rows = frame[ROW].tolist()
    codes = _communes(frame, notes, answers, "commune")
    frame["insee_com"] = codes
    _qpv(frame, notes, answers, "qpv_couverts", [[c] if c else [] for c in codes])
    types, names, ids = _column(frame, "type"), _column(frame, "nom"), _column(frame, "id_regie")
    sirets = _column(frame, "siret")
    for i, row in enumerate(rows):
        if not types[i] and names[i]:
            types[i] = REGIE_TYPES[1] if "territoire" in fold(names[i]) else REGIE_TYPES[0]
            notes.guess(row, "type", f"type « {types[i]} » déduit du nom « {names[i]} ».")
        if not ids[i] and codes[i]:
            try:
                ids[i] = regie_id(names[i], codes[i], types[i], sirets[i] or None)
            except ValueError as exc:
                notes.refuse(row, "siret" if sirets[i] else "nom", str(exc))
                continue
            basis = "son SIRET" if sirets[i] else "son nom et sa commune"
            notes.guess(row, "id_regie", f"identifiant {ids[i]} attribué (d'après {basis}).")
    frame["type"], frame["id_regie"] = types, ids
    if place is not None:
        place(frame, notes)


def _organismes(frame: pd.DataFrame, notes: _Notes, answers: Mapping) -> None:
    rows = frame[ROW].tolist()
    if "commune_siege" in frame or "insee_com" in frame:
        frame["insee_com"] = _communes(frame, notes, answers, "commune_siege")
    regions, codes = _column(frame, "insee_reg"), _column(frame, "insee_com")
    families, sirens = _column(frame, "famille"), _column(frame, "siren")
    for i, row in enumerate(rows):
        if codes[i] and not regions[i]:
            commune, _ = commune_of_code(codes[i])
            regions[i] = commune.insee_reg
        number = normalize_siren(sirens[i])
        if number and number != sirens[i]:
            sirens[i] = number
        if families[i].isdigit():
            match = famille_of_category(families[i])
            if match.famille is None:
                notes.refuse(row, "famille", match.message)
            else:
                notes.guess(row, "famille", match.message)
                families[i] = match.famille
    frame["insee_reg"], frame["famille"], frame["siren"] = regions, families, sirens


def _by_name(notes: _Notes, answers: Mapping, row: int, name: str, written: str, known: Mapping[str, str],
             what: str, label) -> str:
    """The code of a record named by its code or its name among `known` (code -> name); '' when asked or unknown."""
    if not written:
        return ""
    code = normalize_code(written) or ""
    if code in known:
        return code
    chosen = _answer(answers, notes, row, name, written)
    if chosen in known:
        notes.guess(row, name, f"« {written} » → {label(chosen)} : choisi à l'aperçu.")
        return chosen
    key = name_key(written)
    found = [c for c, n in known.items() if name_key(n) == key]
    if len(found) == 1:
        notes.guess(row, name, f"« {written} » → {label(found[0])} : {what} de ce nom.")
        return found[0]
    if found:
        notes.ask(row, name, written, f"« {written} » : plusieurs {what}s portent ce nom. Choisissez.",
                  [(c, label(c)) for c in sorted(found)])
    else:
        notes.refuse(row, name, f"{what} « {written} » inconnu(e) : ni dans la base ni dans les fichiers importés.",
                     f"importez d'abord le fichier des {what}s ou indiquez son code.")
    return ""


def _partenariats(frame: pd.DataFrame, notes: _Notes, answers: Mapping, known: Known) -> None:
    rows = frame[ROW].tolist()
    regies, sirens = _column(frame, "id_regie"), _column(frame, "siren_organisme")
    organismes = known.organismes
    for i, row in enumerate(rows):
        regies[i] = _by_name(notes, answers, row, "id_regie", regies[i], {k: v[0] for k, v in known.regies.items()},
                             "régie", lambda c: f"{known.regies[c][0]} ({c})")
        sirens[i] = normalize_siren(sirens[i]) or _by_name(notes, answers, row, "siren_organisme", sirens[i],
                                                           organismes, "organisme", lambda c: f"{organismes[c]} ({c})")
    frame["id_regie"], frame["siren_organisme"] = regies, sirens
    _qpv(frame, notes, answers, "qpv", [[known.regies[r][1]] if r in known.regies else [] for r in regies])
    _themes(frame, notes, answers)
    ids, qpv, starts = _column(frame, "id_partenariat"), _column(frame, "qpv"), _column(frame, "date_debut")
    for i, row in enumerate(rows):
        start = fr.parse_date(starts[i]) if starts[i] else None
        if ids[i] or not (regies[i] and sirens[i] and qpv[i] and start):
            continue
        ids[i] = partenariat_id(regies[i], sirens[i], split_list(qpv[i]), start.date())
        notes.guess(row, "id_partenariat", f"identifiant {ids[i]} attribué (régie, organisme, QPV et début).")
    frame["id_partenariat"] = ids


def _themes(frame: pd.DataFrame, notes: _Notes, answers: Mapping) -> None:
    """Themes in everyday words as the convention's labels; a word that could mean two themes is a question."""
    out = []
    ambiguous = {name_key(word): slugs for word, slugs in THEME_AMBIGUOUS.items()}
    for row, cell in zip(frame[ROW].tolist(), _column(frame, "themes"), strict=True):
        labels = []
        for word in split_list(cell):
            theme = parse_theme(word)
            chosen = _answer(answers, notes, row, "themes", word)
            if theme is None and chosen in THEME_BY_SLUG:
                theme = THEME_BY_SLUG[chosen]
                notes.guess(row, "themes", f"thème « {word} » → « {theme.label} » : choisi à l'aperçu.")
            elif theme is None and name_key(word) in ambiguous:
                notes.ask(row, "themes", word, theme_note(word),
                          [(s, THEME_BY_SLUG[s].label) for s in ambiguous[name_key(word)]])
                continue
            elif theme is not None and (note := theme_note(word)):
                notes.guess(row, "themes", note)
            labels.append(theme.label if theme else word)  # an unknown word is left for the validation to name
        out.append(LIST_JOINER.join(labels))
    frame["themes"] = out


# --- Positions ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Placer:
    """How rows without coordinates are placed: the geocoder's address (None: not used) and timeout, the points of
    the communes and of the QPV (`geo.geocode`)."""

    url: str | None
    timeout: float
    communes: Mapping[str, tuple[float, float]]
    quartiers: Mapping[str, tuple[float, float]]

    def __call__(self, frame: pd.DataFrame, notes: _Notes) -> None:
        lat, lon, precision = _column(frame, "latitude"), _column(frame, "longitude"), _column(frame, "precision")
        numbers = frame[ROW].tolist()
        wanted = [i for i, row in enumerate(numbers) if row not in notes.bad]  # rows kept out are not placed
        cells = [_column(frame, c) for c in ("adresse", "code_postal", "insee_com", "commune", "qpv_couverts")]
        rows = [geocode.AddressRow(cells[0][i], cells[1][i], cells[2][i], cells[3][i], tuple(split_list(cells[4][i])),
                                   _float(lat[i]), _float(lon[i])) for i in wanted]
        placements = geocode.place_rows(rows, self.communes, self.quartiers, self.url, self.timeout)
        for i, placement in zip(wanted, placements, strict=True):
            row = numbers[i]
            if placement.precision == "saisie":  # the file's own position, with the precision it gives if any
                precision[i] = precision[i] or "saisie"
                continue
            precision[i] = placement.precision or ""
            if placement.latitude is not None:
                lat[i], lon[i] = repr(placement.latitude), repr(placement.longitude)
            if placement.flagged:
                notes.refuse(row, "adresse", placement.message + ".", keep=placement.precision is not None)
            else:
                notes.guess(row, "adresse", f"« {placement.label} » : précision « {placement.precision} » "
                            f"(score {fr.nombre(placement.score, 2)}).")
        frame["latitude"], frame["longitude"], frame["precision"] = lat, lon, precision


def _float(text: str) -> float | None:
    try:
        return float(text.replace(",", ".")) if text else None
    except ValueError:
        return None


# --- The whole ------------------------------------------------------------------------------------------------


def prepare(kind: str, raw: pd.DataFrame, file: str, mapping: Mapping[str, str] | None = None,
            answers: Mapping[tuple[int, str, str], str] | None = None, known: Known | None = None,
            placer: Placer | None = None) -> Intake:
    """The canonical table of a raw one (any headers, `_ligne` column) for `kind`, with its guesses, questions and
    refusals; `mapping` defaults to `propose_mapping`. Rows asked about or refused are left out of `frame`."""
    columns = [c for c in raw.columns if c not in (ROW, "geometry")]
    mapping = dict(mapping) if mapping is not None else propose_mapping(columns, kind)
    problems = check_mapping(mapping, columns, kind, file)
    frame = apply_mapping(raw, {c: t for c, t in mapping.items() if c in columns}) if not problems else raw[[ROW]]
    headers = {target: column for column, target in mapping.items() if target != IGNORE}
    notes = _Notes(file, kind, headers)
    notes.findings.extend(problems)
    if problems:
        return Intake(kind, mapping, frame.iloc[0:0], findings=notes.findings)
    frame = frame.copy()
    answers = answers or {}
    if kind == "regies":
        _regies(frame, notes, answers, placer)
    elif kind == "organismes":
        _organismes(frame, notes, answers)
    elif kind == "partenariats":
        _partenariats(frame, notes, answers, known or Known())
    kept = frame[~frame[ROW].isin(notes.bad)]
    spec_columns = [c for c in DATASETS[kind].column_names if c in kept.columns]
    kept = kept[spec_columns + [c for c in (ROW, "geometry") if c in kept.columns]].reset_index(drop=True)
    return Intake(kind, mapping, kept, notes.guesses, notes.questions, notes.findings)
