"""The data model: datasets, their columns, the convention's themes and the closed vocabularies.

Column names are French, as in the users' spreadsheets. Everything that reads, validates, generates or documents
data takes its names from here, so that a column is spelled in one place only.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field

import pandas as pd

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
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class DatasetSpec:
    name: str
    label: str
    key: str | None
    spatial: bool
    columns: tuple[Column, ...]
    file_stem: str = ""
    extra_aliases: dict[str, str] = field(default_factory=dict)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def header_map(self) -> dict[str, str]:
        """Normalised header -> model column, aliases included."""
        mapping = {normalize_header(c.name): c.name for c in self.columns}
        for c in self.columns:
            for alias in c.aliases:
                mapping.setdefault(normalize_header(alias), c.name)
        return mapping


QPV = DatasetSpec(
    name="qpv",
    label="Quartiers prioritaires (QPV)",
    key="code_qp",
    spatial=True,
    file_stem="qpv",
    columns=(
        Column("code_qp", "code", description="Code du quartier prioritaire", example="QN07519M",
               aliases=("code_quartier",)),
        Column("lib_qp", "text", description="Nom du quartier", example="Stalingrad - Riquet",
               aliases=("nom_qp", "nom_quartier")),
        # Shapefiles cut field names to 10 characters: "code_commun", "code_depar".
        Column("insee_com", "code", required=False, description="Code INSEE de la commune (principale)",
               example="75056", aliases=("code_commune", "code_insee", "insee_commune", "code_commun")),
        Column("lib_com", "text", description="Nom de la commune", example="Paris",
               aliases=("commune_qp", "nom_commune", "commune", "nom_commun")),
        Column("insee_dep", "code", required=False, description="Code du département", example="75",
               aliases=("code_departement", "code_dep", "dep", "code_depar")),
        Column("lib_dep", "text", required=False, description="Nom du département", example="Paris",
               aliases=("nom_departement",)),
        Column("insee_reg", "code", required=False, description="Code INSEE de la région", example="11",
               aliases=("code_region", "code_reg", "reg")),
        Column("lib_reg", "text", required=False, description="Nom de la région", example="Île-de-France",
               aliases=("nom_region",)),
        Column("siren_epci", "code", required=False, description="SIREN de l'EPCI", example="200054781"),
        Column("population", "int", required=False, description="Population municipale du quartier",
               example="12450", aliases=("pop_mun", "pop")),
    ),
)

REGIES = DatasetSpec(
    name="regies",
    label="Régies de quartier et de territoire",
    key="id_regie",
    spatial=False,
    file_stem="regies",
    columns=(
        Column("id_regie", "code", description="Identifiant unique de la régie", example="RQ-075-01"),
        Column("nom", "text", description="Nom de la régie", example="Régie de quartier Stalingrad"),
        Column("type", "enum", description="Type de régie", example="régie de quartier", choices=REGIE_TYPES),
        Column("adresse", "text", required=False, description="Adresse postale", example="12 rue de Tanger"),
        Column("code_postal", "code", required=False, description="Code postal", example="75019"),
        Column("commune", "text", description="Commune du siège", example="Paris"),
        Column("insee_com", "code", description="Code INSEE de la commune du siège", example="75056"),
        Column("latitude", "float", description="Latitude WGS84 (degrés décimaux)", example="48,8839"),
        Column("longitude", "float", description="Longitude WGS84 (degrés décimaux)", example="2,3702"),
        Column("salaries", "int", description="Nombre de salariés", example="85", aliases=("salaries_nb",)),
        Column("benevoles", "int", description="Nombre de bénévoles", example="20"),
        Column("qpv_couverts", "list", description="Codes des QPV couverts (séparés par |)",
               example="QN07519M | QN07520M"),
        Column("date_creation", "date", required=False, description="Date de création", example="12/03/1996"),
        Column("site_web", "text", required=False, description="Site web", example="https://exemple.org"),
    ),
)

ORGANISMES = DatasetSpec(
    name="organismes",
    label="Organismes HLM",
    key="siren",
    spatial=False,
    file_stem="organismes",
    columns=(
        Column("siren", "code", description="SIREN de l'organisme (9 chiffres)", example="123456789"),
        Column("nom", "text", description="Raison sociale", example="Habitat Exemple OPH"),
        Column("famille", "enum", description="Famille HLM", example="OPH", choices=FAMILLES),
        Column("commune_siege", "text", description="Commune du siège", example="Lyon"),
        Column("insee_reg", "code", description="Code INSEE de la région du siège", example="84"),
        Column("nb_logements", "int", required=False, description="Nombre de logements locatifs",
               example="24000"),
        Column("insee_com", "code", required=False, description="Code INSEE de la commune du siège",
               example="69123"),
        Column("latitude", "float", required=False, description="Latitude du siège (WGS84)", example="45,76"),
        Column("longitude", "float", required=False, description="Longitude du siège (WGS84)", example="4,84"),
    ),
)

PARTENARIATS = DatasetSpec(
    name="partenariats",
    label="Partenariats",
    key="id_partenariat",
    spatial=False,
    file_stem="partenariats",
    columns=(
        Column("id_partenariat", "code", description="Identifiant unique du partenariat", example="P-2024-0001"),
        Column("id_regie", "code", description="Régie partenaire (id_regie)", example="RQ-075-01"),
        Column("siren_organisme", "code", description="Organisme HLM partenaire (SIREN)", example="123456789",
               aliases=("siren",)),
        Column("qpv", "list", description="Code(s) des QPV concernés (séparés par |)", example="QN07519M"),
        Column("themes", "list", description="Thème(s) de la convention (séparés par |)",
               example="inclusion numérique | cohésion sociale", aliases=("theme",)),
        Column("statut", "enum", description="Statut", example="en cours", choices=STATUTS),
        Column("date_debut", "date", description="Date de début", example="01/09/2024"),
        Column("date_fin", "date", required=False, description="Date de fin", example="31/08/2027"),
        Column("description", "text", required=False, description="Description de l'action",
               example="Ateliers numériques en pied d'immeuble"),
        Column("montant_eur", "float", required=False, description="Montant engagé (euros)", example="45000"),
        Column("heures_insertion", "int", required=False, description="Heures d'insertion réalisées",
               example="1200"),
    ),
)

REGIONS = DatasetSpec(
    name="regions",
    label="Régions",
    key="insee_reg",
    spatial=True,
    file_stem="regions",
    columns=(
        Column("insee_reg", "code", description="Code INSEE de la région", example="84",
               aliases=("code", "code_region", "reg")),
        Column("lib_reg", "text", description="Nom de la région", example="Auvergne-Rhône-Alpes",
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
               aliases=("code", "code_departement", "dep")),
        Column("lib_dep", "text", description="Nom du département", example="Rhône",
               aliases=("nom", "nom_departement", "libelle")),
        Column("insee_reg", "code", required=False, description="Code de la région", example="84",
               aliases=("code_region", "region", "reg")),
    ),
)

DECLINAISONS = DatasetSpec(
    name="declinaisons",
    label="Déclinaisons régionales de la convention",
    key="insee_reg",
    spatial=False,
    file_stem="declinaisons",
    columns=(
        Column("insee_reg", "code", description="Code INSEE de la région", example="84",
               aliases=("code_region", "reg")),
        Column("ar_hlm", "text", description="Association régionale HLM qui porte la déclinaison",
               example="AURA Hlm", aliases=("association_regionale", "ar")),
        Column("statut", "enum", description="Avancement de la déclinaison", example="signée",
               choices=DECLINAISON_STATUTS),
        Column("date_signature", "date", required=False, description="Date de signature (si signée)",
               example="14/03/2025"),
        Column("organismes_signataires", "list", required=False,
               description="SIREN des organismes signataires (séparés par |)", example="123456789 | 987654321"),
        Column("regies_signataires", "list", required=False,
               description="Identifiants des régies signataires (séparés par |)", example="RQ-069-01 | RQ-038-02"),
        Column("lien_document", "text", required=False, description="Lien vers le texte signé",
               example="https://exemple.org/declinaison-aura.pdf", aliases=("lien", "document")),
        Column("commentaire", "text", required=False, description="Commentaire libre",
               example="Signée lors du congrès régional"),
    ),
)

PATRIMOINE = DatasetSpec(
    name="patrimoine",
    label="Patrimoine HLM dans les QPV",
    key=None,
    spatial=False,
    file_stem="patrimoine",
    columns=(
        Column("siren_organisme", "code", description="Organisme HLM propriétaire (SIREN)", example="123456789",
               aliases=("siren",)),
        Column("code_qp", "code", description="Code du QPV", example="QN07519M", aliases=("qpv", "code_quartier")),
        Column("nb_logements", "int", description="Logements sociaux de l'organisme dans le QPV (RPLS)",
               example="420", aliases=("logements", "nb_logements_sociaux")),
    ),
)

DATASETS: dict[str, DatasetSpec] = {
    spec.name: spec for spec in (QPV, REGIES, ORGANISMES, PARTENARIATS, REGIONS, DEPARTEMENTS, DECLINAISONS,
                                 PATRIMOINE)
}
