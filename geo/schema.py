"""The data model: datasets, their columns, the convention's themes and the closed vocabularies.

Column names are French, as in the users' spreadsheets. Everything that reads, validates, generates or documents
data takes its names from here, so that a column is spelled in one place only.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

import pandas as pd

ROW = "_ligne"  # the column every reader adds: the spreadsheet row of each record, for the messages
CODE_QP = re.compile(r"^Q[NP][0-9]{2}[0-9AB][0-9]{2}[0-9A-Z]$")  # a QPV code, 2024 (QN…) or 2015 (QP…)

LAMBERT93 = "EPSG:2154"
WGS84 = "EPSG:4326"

# Local metric CRS of the overseas départements, used for areas and distances there (Lambert-93 is metropolitan).
OVERSEAS_METRIC_CRS = {
    "971": "EPSG:5490",  # Guadeloupe, RGAF09 / UTM 20N
    "972": "EPSG:5490",  # Martinique
    "973": "EPSG:2972",  # Guyane, RGFG95 / UTM 22N
    "974": "EPSG:2975",  # La Réunion, RGR92 / UTM 40S
    "976": "EPSG:4471",  # Mayotte, RGM04 / UTM 38S
}


def metric_crs(insee_dep: object) -> str:
    """The metric CRS for areas, distances and simplification of a département's data: Lambert-93 in metropolitan
    France, the local projection overseas (Lambert-93 is not defined there)."""
    return OVERSEAS_METRIC_CRS.get(str(insee_dep or ""), LAMBERT93)


def is_blank(value: object) -> bool:
    """Whether a cell holds nothing: None, NA, NaT, NaN or only spaces (the one blank test of the package)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float):
        return value != value
    return isinstance(value, str) and not value.strip()


def fold(text: object) -> str:
    """Lower-case, accent-free, single-spaced form of a text: how users' spellings are compared."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    without_accents = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", without_accents.replace("’", "'")).strip().lower()


# Width of the codes whose leading zero a spreadsheet drops ("01004" read as 1004, "01" as 1).
CODE_WIDTHS = {"insee_com": 5, "insee_dep": 2, "insee_reg": 2}
# The tabular files a dataset is read from (CSV, or a workbook with or without macros), by lower-case suffix.
CSV_SUFFIXES, SPREADSHEET_SUFFIXES = (".csv", ".txt"), (".xlsx", ".xlsm")
TABLE_SUFFIXES = CSV_SUFFIXES + SPREADSHEET_SUFFIXES

_QP, _SIREN = "Q[NP][0-9]{2}[0-9AB][0-9]{2}[0-9A-Z]", "[0-9]{9}"
# The canonical spelling of a code column, or of each value of a list column of codes, as the app writes it (a
# reader also takes lower case, spaces and a dropped leading zero). Whole-value regular expressions without a
# top-level alternation, valid in Python and in XML Schema, the syntax of Table Schema patterns (`geo.tableschema`).
CODE_PATTERNS = {
    "code_qp": _QP, "qpv": _QP, "qpv_couverts": _QP,
    "siren": _SIREN, "siren_organisme": _SIREN, "siren_epci": _SIREN, "organismes_signataires": _SIREN,
    "insee_com": "([0-9]{2}|2[AB])[0-9]{3}",
    "insee_dep": "([0-9]{2}|2[AB]|97[1-6])",
    "insee_reg": "[0-9]{2}",
    "code_postal": "[0-9]{5}",
}
_CODE_SPACES = re.compile(r"[\s\u00a0\u202f']")


def normalize_code(value: object, width: int = 0) -> str | None:
    """Canonical text of a code (upper-case, no spaces, no spreadsheet ".0"), None when blank.

    With `width` (see `CODE_WIDTHS`), the one leading zero a spreadsheet drops is restored: "1004" -> "01004",
    "1" -> "01". Codes shorter still are left as they are (no département or commune code starts with "00").
    """
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    code = _CODE_SPACES.sub("", str(value)).upper()
    if code.endswith(".0") and code[:-2].isdigit():
        code = code[:-2]
    if code.isdigit() and len(code) == width - 1:
        code = "0" + code
    return code


def _choice_key(value: object) -> str:
    return re.sub(r"[\W_]+", "", fold(value))


def match_choice(value: object, choices: tuple[str, ...] | list[str]) -> str | None:
    """The canonical spelling of a closed-vocabulary value, None when unknown. Case, accents, spaces, dashes,
    underscores and apostrophes do not matter: "EN-COURS", "termine", "Coop'HLM" are "en cours", "terminé",
    "Coop HLM". The one rule by which a user's value is matched to a vocabulary."""
    key = _choice_key(value)
    return next((choice for choice in choices if _choice_key(choice) == key), None) if key else None


def precision_text(value: object) -> str:
    """A régie's precision as readers see it: the stored one, or « inconnue » when there is none (old records)."""
    return match_choice(value, PRECISIONS) or PRECISION_INCONNUE


def normalize_header(name: object) -> str:
    """Header as matched against the model: case, accents, spaces, dashes and dots do not matter."""
    return re.sub(r"[\s\-\.]+", "_", fold(name)).strip("_")


@dataclass(frozen=True)
class Theme:
    slug: str
    label: str
    short: str
    color: str


# Colours: the Okabe-Ito palette (without its yellow), told apart under the common colour-vision deficiencies
# (tests/ui/test_palettes.py).
THEMES: tuple[Theme, ...] = (
    Theme("cadre-de-vie", "amélioration du cadre de vie", "Cadre de vie", "#56b4e9"),
    Theme("transition-ecologique", "transition écologique et solidaire", "Transition écologique", "#009e73"),
    Theme("cohesion-sociale", "cohésion sociale", "Cohésion sociale", "#cc79a7"),
    Theme("precarite-energetique", "lutte contre la précarité énergétique", "Précarité énergétique", "#e69f00"),
    Theme("inclusion-numerique", "inclusion numérique", "Inclusion numérique", "#0072b2"),
    Theme("insertion-professionnelle", "insertion professionnelle des habitants", "Insertion professionnelle",
          "#d55e00"),
)
THEME_BY_SLUG = {t.slug: t for t in THEMES}
THEME_BY_LABEL = {t.label: t for t in THEMES}

STATUTS: tuple[str, ...] = ("en projet", "en cours", "terminé")
FAMILLES: tuple[str, ...] = ("OPH", "ESH", "Coop HLM", "SEM", "autre")
# How a family is written for readers (the federation's own spelling); the data keeps the vocabulary value.
FAMILLE_LABELS = {f: f for f in FAMILLES} | {"Coop HLM": "Coop'HLM"}
REGIE_TYPES: tuple[str, ...] = ("régie de quartier", "régie de territoire")
# How a régie's position was obtained, the most precise first (`geo.geocode` places the rows of a list).
PRECISIONS: tuple[str, ...] = ("adresse", "rue", "commune", "quartier", "saisie")
# A régie stored before positions carried a precision: shown (and filtered) as this, never as a precision.
PRECISION_INCONNUE = "inconnue"
# Where a région stands in declining the national convention (its order is the progress order).
DECLINAISON_STATUTS: tuple[str, ...] = ("à engager", "en préparation", "signée")
DECLINAISON_SIGNEE = "signée"

# Separators accepted inside a cell that holds several values (QPV codes, themes).
LIST_SEPARATORS = re.compile(r"\s*[|;,]\s*")
LIST_JOINER = " | "


def split_list(value: object) -> list[str]:
    """Values of a multi-valued cell, in order, without blanks."""
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if str(v).strip()]
    if is_blank(value):
        return []
    return [part for part in LIST_SEPARATORS.split(str(value).strip()) if part]


# Everyday words for the themes, as people write them in their sheets: each one can only mean its theme among
# the convention's six. Compared as `match_choice` does (case, accents, spaces, punctuation do not matter).
THEME_SYNONYMS: dict[str, str] = {
    # amélioration du cadre de vie: the régies' historic trade (cleaning, upkeep of common areas)
    "cadre de vie": "cadre-de-vie",
    "propreté": "cadre-de-vie",
    "gestion urbaine de proximité": "cadre-de-vie",
    "GUP": "cadre-de-vie",  # the usual acronym of gestion urbaine de proximité
    # transition écologique et solidaire
    "transition écologique": "transition-ecologique",
    "transition": "transition-ecologique",  # the only "transition" of the convention's themes
    "écologie": "transition-ecologique",
    "environnement": "transition-ecologique",
    "développement durable": "transition-ecologique",
    # cohésion sociale
    "cohésion": "cohesion-sociale",
    "lien social": "cohesion-sociale",
    "vivre ensemble": "cohesion-sociale",
    "médiation sociale": "cohesion-sociale",
    # lutte contre la précarité énergétique: the theme's own words, and energy, which it is the only one to name
    "précarité énergétique": "precarite-energetique",
    "précarité": "precarite-energetique",
    "énergie": "precarite-energetique",
    "économies d'énergie": "precarite-energetique",
    "maîtrise de l'énergie": "precarite-energetique",
    # inclusion numérique
    "numérique": "inclusion-numerique",
    "médiation numérique": "inclusion-numerique",
    "fracture numérique": "inclusion-numerique",
    # insertion professionnelle des habitants (régies are work-integration employers)
    "insertion": "insertion-professionnelle",
    "insertion professionnelle": "insertion-professionnelle",
    "emploi": "insertion-professionnelle",
    "insertion par l'activité économique": "insertion-professionnelle",
    "IAE": "insertion-professionnelle",  # insertion par l'activité économique
}
# Everyday words that could mean two themes: never read as one, always a question with both.
THEME_AMBIGUOUS: dict[str, tuple[str, ...]] = {
    "transition énergétique": ("transition-ecologique", "precarite-energetique"),
    "inclusion": ("inclusion-numerique", "cohesion-sociale"),
    "solidarité": ("transition-ecologique", "cohesion-sociale"),
}
_SYNONYM_SLUGS = {_choice_key(word): slug for word, slug in THEME_SYNONYMS.items()}
_AMBIGUOUS_SLUGS = {_choice_key(word): slugs for word, slugs in THEME_AMBIGUOUS.items()}


def _exact_theme(value: object) -> Theme | None:
    slug = fold(value).replace("_", "-")
    if slug in THEME_BY_SLUG:
        return THEME_BY_SLUG[slug]
    label = match_choice(value, list(THEME_BY_LABEL))
    return THEME_BY_LABEL[label] if label else None


def parse_theme(value: object) -> Theme | None:
    """The theme a user meant by its slug (`_` for `-` allowed), its full label (`match_choice`) or an everyday
    word of `THEME_SYNONYMS` ("cadre de vie"); None when unknown or when the word could mean two themes."""
    exact = _exact_theme(value)
    if exact is not None:
        return exact
    slug = _SYNONYM_SLUGS.get(_choice_key(value))
    return THEME_BY_SLUG[slug] if slug else None


def theme_note(value: object) -> str | None:
    """What the import preview says of a theme as written: how an everyday word was read (« cadre de vie » →
    « amélioration du cadre de vie »), or the question an unclear word raises; None for a slug or a full label."""
    if _exact_theme(value) is not None:
        return None
    theme = parse_theme(value)
    if theme is not None:
        return f"thème « {value} » lu « {theme.label} »."
    both = _AMBIGUOUS_SLUGS.get(_choice_key(value))
    if both:
        labels = " ou ".join(f"« {THEME_BY_SLUG[slug].label} »" for slug in both)
        return f"thème « {value} » : {labels} ? Choisissez."
    hint = suggest_theme(str(value))
    if hint:
        return f"thème « {value} » inconnu : « {hint} » ?"
    return f"thème « {value} » inconnu : choisissez l'un des six thèmes de la convention."


def suggest(value: str, choices: tuple[str, ...] | list[str]) -> str | None:
    """The choice a misspelled or shortened value most likely stands for (e.g. "cadre de vie")."""
    folded = fold(value)
    if not folded:
        return None
    by_fold = {fold(c): c for c in choices}
    contained = [c for f, c in by_fold.items() if folded in f or f in folded]
    if len(contained) == 1:
        return contained[0]
    close = difflib.get_close_matches(folded, list(by_fold), n=1, cutoff=0.6)
    return by_fold[close[0]] if close else None


def suggest_theme(value: str) -> str | None:
    """The label of the theme a misspelled label or slug most likely stands for."""
    label = suggest(value, [t.label for t in THEMES])
    if label is None:
        slug = suggest(value, [t.slug for t in THEMES])
        label = THEME_BY_SLUG[slug].label if slug else None
    return label


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # text | code | int | float | date | list | enum | bool
    required: bool = True
    description: str = ""
    example: str = ""
    choices: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()  # other headers users and public files give the column (SIRENE, RPLS…)
    title: str = ""  # the French header of the pages and their exports, recognised on import like an alias


@dataclass(frozen=True)
class DatasetSpec:
    name: str
    label: str
    key: str | None
    spatial: bool
    columns: tuple[Column, ...]
    file_stem: str = ""
    unique_together: tuple[str, ...] = ()  # the columns identifying a row of a dataset without a key

    @property
    def key_columns(self) -> tuple[str, ...]:
        """The columns that identify a row: the key, else the columns unique together (a patrimoine row)."""
        return (self.key,) if self.key else self.unique_together

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def titles(self, *names: str) -> dict[str, str]:
        """Column -> French header, in the order given: how a page heads these columns (one spelling per column)."""
        return {name: self.column(name).title for name in names}

    def header_map(self) -> dict[str, str]:
        """Normalised header -> model column, titles and aliases included."""
        mapping = {normalize_header(c.name): c.name for c in self.columns}
        for c in self.columns:
            for alias in (c.title, *c.aliases):
                mapping.setdefault(normalize_header(alias), c.name)
        return mapping


# Headers of the public files a list often comes from, mapped where they mean a model column: the SIRENE stock of
# legal units and establishments (INSEE), the RPLS results by commune and by QPV (SDES, INSEE) and the commune
# codes of INSEE's files.
SIRENE_NAME, SIRENE_LEGAL_CATEGORY = "denominationUniteLegale", "categorieJuridiqueUniteLegale"
SIRENE_COMMUNE_CODE, SIRENE_COMMUNE = "codeCommuneEtablissement", "libelleCommuneEtablissement"
SIRENE_POSTCODE = "codePostalEtablissement"
RPLS_DWELLINGS = ("nb_ls", "nb_ls_en_qpv", "nbLsPls")  # social dwellings (in a commune, in its QPV, in a QPV)
INSEE_COMMUNE_CODE, INSEE_COMMUNE = "depcom", "libcom"
LATITUDE_ALIASES, LONGITUDE_ALIASES = ("lat",), ("lon", "lng", "long")

QPV = DatasetSpec(
    name="qpv",
    label="Quartiers prioritaires (QPV)",
    key="code_qp",
    spatial=True,
    file_stem="qpv",
    columns=(
        Column("code_qp", "code", description="Code du quartier prioritaire", example="QN07519M",
               title="Code QPV", aliases=("code_quartier",)),
        Column("lib_qp", "text", description="Nom du quartier", example="Stalingrad - Riquet", title="Quartier",
               aliases=("nom_qp", "nom_quartier", "nom du quartier")),
        # Shapefiles cut field names to 10 characters: "code_commun", "code_depar".
        Column("insee_com", "code", required=False, description="Code INSEE de la commune (principale)",
               example="75056", title="Code commune",
               aliases=("code_insee", "insee_commune", "code_commun", INSEE_COMMUNE_CODE)),
        Column("lib_com", "text", description="Nom de la commune", example="Paris", title="Commune",
               aliases=("commune_qp", "nom_commune", "nom_commun", "ville", INSEE_COMMUNE)),
        Column("insee_dep", "code", required=False, description="Code du département", example="75",
               title="Code département", aliases=("code_dep", "dep", "code_depar")),
        Column("lib_dep", "text", required=False, description="Nom du département", example="Paris",
               title="Département", aliases=("nom_departement",)),
        Column("insee_reg", "code", required=False, description="Code INSEE de la région", example="11",
               title="Code région", aliases=("code_reg", "reg")),
        Column("lib_reg", "text", required=False, description="Nom de la région", example="Île-de-France",
               title="Région", aliases=("nom_region",)),
        Column("siren_epci", "code", required=False, description="SIREN de l'EPCI", example="200054781",
               title="SIREN de l'EPCI"),
        Column("population", "int", required=False, description="Population municipale du quartier",
               example="12450", title="Population", aliases=("pop_mun", "pop")),
    ),
)

REGIES = DatasetSpec(
    name="regies",
    label="Régies de quartier et de territoire",
    key="id_regie",
    spatial=False,
    file_stem="regies",
    columns=(
        Column("id_regie", "code", description="Identifiant unique de la régie", example="RQ-075-01",
               title="Identifiant", aliases=("identifiant de la régie",)),
        Column("nom", "text", description="Nom de la régie", example="Régie de quartier Stalingrad", title="Régie",
               aliases=("nom de la régie", "raison sociale", "dénomination", SIRENE_NAME)),
        Column("type", "enum", description="Type de régie", example="régie de quartier", choices=REGIE_TYPES,
               title="Type", aliases=("type de régie",)),
        Column("adresse", "text", required=False, description="Adresse postale", example="12 rue de Tanger",
               title="Adresse", aliases=("adresse postale",)),
        Column("code_postal", "code", required=False, description="Code postal", example="75019",
               title="Code postal", aliases=("cp", SIRENE_POSTCODE)),
        Column("commune", "text", description="Commune du siège", example="Paris", title="Commune",
               aliases=("ville", SIRENE_COMMUNE)),
        Column("insee_com", "code", description="Code INSEE de la commune du siège", example="75056",
               title="Code commune", aliases=("code_insee", SIRENE_COMMUNE_CODE, INSEE_COMMUNE_CODE)),
        Column("latitude", "float", description="Latitude WGS84 (degrés décimaux)", example="48,8839",
               title="Latitude", aliases=LATITUDE_ALIASES),
        Column("longitude", "float", description="Longitude WGS84 (degrés décimaux)", example="2,3702",
               title="Longitude", aliases=LONGITUDE_ALIASES),
        # Counts a list may leave blank: unknown, never zero (the key figures say how many régies they cover).
        Column("salaries", "int", required=False, description="Nombre de salariés (vide : inconnu)", example="85",
               title="Salariés", aliases=("salaries_nb", "nb salariés", "nombre de salariés", "effectif salarié",
                                          "effectif", "salariés en insertion")),
        Column("benevoles", "int", required=False, description="Nombre de bénévoles (vide : inconnu)",
               example="20", title="Bénévoles", aliases=("nb bénévoles", "nombre de bénévoles")),
        Column("qpv_couverts", "list", description="Codes des QPV couverts (séparés par |)",
               example="QN07519M | QN07520M", title="QPV couverts",
               aliases=("quartiers", "quartiers d'intervention", "quartiers couverts", "qpv", "codes qpv")),
        Column("date_creation", "date", required=False, description="Date de création", example="12/03/1996",
               title="Date de création"),
        Column("site_web", "text", required=False, description="Site web", example="https://exemple.org",
               title="Site web", aliases=("site internet",)),
        Column("precision", "enum", required=False, description="Précision de la position (adresse, rue, "
               "commune, quartier ou saisie à la main)", example="adresse", choices=PRECISIONS,
               title="Précision de la position"),
    ),
)

ORGANISMES = DatasetSpec(
    name="organismes",
    label="Organismes HLM",
    key="siren",
    spatial=False,
    file_stem="organismes",
    columns=(
        Column("siren", "code", description="SIREN de l'organisme (9 chiffres)", example="123456789",
               title="SIREN", aliases=("n° siren", "numéro siren", "siren_organisme")),
        Column("nom", "text", description="Raison sociale", example="Habitat Exemple OPH", title="Organisme HLM",
               aliases=("raison sociale", "nom de l'organisme", "organisme", "bailleur", "dénomination",
                        SIRENE_NAME)),
        Column("famille", "enum", description="Famille HLM", example="OPH", choices=FAMILLES, title="Famille",
               aliases=("famille hlm", SIRENE_LEGAL_CATEGORY)),
        Column("commune_siege", "text", description="Commune du siège", example="Lyon", title="Commune du siège",
               aliases=("ville", "commune", "ville du siège", SIRENE_COMMUNE)),
        Column("insee_reg", "code", description="Code INSEE de la région du siège", example="84",
               title="Code région", aliases=("code_reg", "reg")),
        Column("nb_logements", "int", required=False, description="Nombre de logements locatifs",
               example="24000", title="Logements", aliases=("nombre de logements", "nb_ls")),
        Column("insee_com", "code", required=False, description="Code INSEE de la commune du siège",
               example="69123", title="Code commune",
               aliases=("code_insee", SIRENE_COMMUNE_CODE, INSEE_COMMUNE_CODE)),
        Column("latitude", "float", required=False, description="Latitude du siège (WGS84)", example="45,76",
               title="Latitude", aliases=LATITUDE_ALIASES),
        Column("longitude", "float", required=False, description="Longitude du siège (WGS84)", example="4,84",
               title="Longitude", aliases=LONGITUDE_ALIASES),
    ),
)

PARTENARIATS = DatasetSpec(
    name="partenariats",
    label="Partenariats",
    key="id_partenariat",
    spatial=False,
    file_stem="partenariats",
    columns=(
        Column("id_partenariat", "code", description="Identifiant unique du partenariat", example="P-2024-0001",
               title="Identifiant", aliases=("identifiant du partenariat",)),
        # A list may name the régie, the organisme and the QPV in words: `geo.intake` reads them as codes.
        Column("id_regie", "code", description="Régie partenaire (id_regie, ou son nom)", example="RQ-075-01",
               title="Identifiant de la régie", aliases=("régie", "nom de la régie", "régie partenaire")),
        Column("siren_organisme", "code", description="Organisme HLM partenaire (SIREN, ou son nom)",
               example="123456789", title="SIREN de l'organisme",
               aliases=("siren", "organisme hlm", "organisme", "bailleur", "nom de l'organisme")),
        Column("qpv", "list", description="Code(s) ou nom(s) des QPV concernés (séparés par |)", example="QN07519M",
               title="Codes QPV", aliases=("code qpv", "quartier", "quartiers", "qpv concernés")),
        Column("themes", "list", description="Thème(s) de la convention (séparés par |)",
               example="inclusion numérique | cohésion sociale", title="Thèmes",
               aliases=("theme", "thématiques", "thématique")),
        Column("statut", "enum", description="Statut", example="en cours", choices=STATUTS, title="Statut"),
        Column("date_debut", "date", description="Date de début", example="01/09/2024", title="Début",
               aliases=("date de début",)),
        Column("date_fin", "date", required=False, description="Date de fin", example="31/08/2027", title="Fin",
               aliases=("date de fin",)),
        Column("description", "text", required=False, description="Description de l'action",
               example="Ateliers numériques en pied d'immeuble", title="Description"),
        Column("montant_eur", "float", required=False, description="Montant engagé (euros)", example="45000",
               title="Montant (€)", aliases=("montant", "montant engagé")),
        Column("heures_insertion", "int", required=False, description="Heures d'insertion réalisées",
               example="1200", title="Heures d'insertion"),
    ),
)

REGIONS = DatasetSpec(
    name="regions",
    label="Régions",
    key="insee_reg",
    spatial=True,
    file_stem="regions",
    columns=(
        Column("insee_reg", "code", description="Code INSEE de la région", example="84", title="Code région",
               aliases=("code", "reg")),
        Column("lib_reg", "text", description="Nom de la région", example="Auvergne-Rhône-Alpes", title="Région",
               aliases=("nom", "nom_region", "libelle")),
    ),
)

DEPARTEMENTS = DatasetSpec(
    name="departements",
    label="Départements",
    key="insee_dep",
    spatial=True,
    file_stem="departements",
    columns=(
        Column("insee_dep", "code", description="Code INSEE du département", example="69",
               title="Code département", aliases=("code", "dep")),
        Column("lib_dep", "text", description="Nom du département", example="Rhône", title="Département",
               aliases=("nom", "nom_departement", "libelle")),
        Column("insee_reg", "code", required=False, description="Code de la région", example="84",
               title="Code région", aliases=("region", "reg")),
    ),
)

DECLINAISONS = DatasetSpec(
    name="declinaisons",
    label="Déclinaisons régionales de la convention",
    key="insee_reg",
    spatial=False,
    file_stem="declinaisons",
    columns=(
        Column("insee_reg", "code", description="Code INSEE de la région", example="84", title="Code région",
               aliases=("reg",)),
        Column("ar_hlm", "text", description="Association régionale HLM qui porte la déclinaison",
               example="AURA Hlm", title="Association régionale HLM", aliases=("association_regionale", "ar")),
        Column("statut", "enum", description="Avancement de la déclinaison", example="signée",
               choices=DECLINAISON_STATUTS, title="Déclinaison"),
        Column("date_signature", "date", required=False, description="Date de signature (si signée)",
               example="14/03/2025", title="Signée le"),
        Column("organismes_signataires", "list", required=False,
               description="SIREN des organismes signataires (séparés par |)", example="123456789 | 987654321",
               title="Organismes signataires"),
        Column("regies_signataires", "list", required=False,
               description="Identifiants des régies signataires (séparés par |)", example="RQ-069-01 | RQ-038-02",
               title="Régies signataires"),
        Column("lien_document", "text", required=False, description="Lien vers le texte signé",
               example="https://exemple.org/declinaison-aura.pdf", title="Document", aliases=("lien",)),
        Column("commentaire", "text", required=False, description="Commentaire libre",
               example="Signée lors du congrès régional", title="Commentaire"),
    ),
)

PATRIMOINE = DatasetSpec(
    name="patrimoine",
    label="Patrimoine HLM dans les QPV",
    key=None,
    spatial=False,
    file_stem="patrimoine",
    unique_together=("siren_organisme", "code_qp"),
    columns=(
        Column("siren_organisme", "code", description="Organisme HLM propriétaire (SIREN)", example="123456789",
               title="SIREN de l'organisme", aliases=("siren",)),
        Column("code_qp", "code", description="Code du QPV", example="QN07519M", title="Code QPV",
               aliases=("qpv", "code_quartier")),
        Column("nb_logements", "int", description="Logements sociaux de l'organisme dans le QPV (RPLS)",
               example="420", title="Logements", aliases=("nb_logements_sociaux", *RPLS_DWELLINGS)),
    ),
)

DATASETS: dict[str, DatasetSpec] = {
    spec.name: spec for spec in (QPV, REGIES, ORGANISMES, PARTENARIATS, REGIONS, DEPARTEMENTS, DECLINAISONS,
                                 PATRIMOINE)
}
