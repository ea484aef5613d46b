"""`Filters` ⇄ URL parameters, so that a shared link reopens the same selection. Pure (no Streamlit): the domain
value stays in `geo.filters`, its URL spelling and the French notices about a link's values live here.

Parameters: `region`, `departement` (INSEE codes or names, comma-separated), `epci` (SIREN or names), `theme`
(slugs or labels), `famille`, `statut` (case, accents and dashes do not matter: `en-cours`, `termine`),
`annee_min`, `annee_max`, `q`, `date`, `precision` (of the régies' positions: `adresse`, `rue`, `commune`,
`quartier`, `saisie`, `inconnue`) (the day the data are seen at: `2025-12-31` or `31/12/2025`). Plural
spellings (`regions`, `themes`...) are accepted; other keys are ignored.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime

from dashboard.url_params import Dropped, keep, keep_one, reader
from geo import schema
from geo.filters import PRECISION_CHOICES, Filters, area_code, epci_name
from geo.joins import Atlas

YEAR_MIN, YEAR_MAX = 1900, 2100
Q_MAX = 100


def _slug(value: str) -> str:
    """URL form of a vocabulary value: "en cours" -> "en-cours", "terminé" -> "termine", "Coop HLM" -> "coop-hlm"."""
    return schema.fold(value).replace(" ", "-")


def to_query_params(filters: Filters) -> dict[str, str]:
    """Query parameters of the non-empty fields; `from_query_params` reads them back to equal filters."""
    params = {
        "region": ",".join(filters.regions),
        "departement": ",".join(filters.departements),
        "epci": ",".join(filters.epci),
        "theme": ",".join(filters.themes),
        "famille": ",".join(_slug(f) for f in filters.familles),
        "statut": ",".join(_slug(s) for s in filters.statuts),
        "annee_min": "" if filters.annee_min is None else str(filters.annee_min),
        "annee_max": "" if filters.annee_max is None else str(filters.annee_max),
        "q": filters.q,
        "date": "" if filters.date is None else filters.date.isoformat(),
        "precision": ",".join(filters.precisions),
    }
    return {k: v for k, v in params.items() if v}


def from_query_params(params: Mapping[str, str | list[str]] | None, atlas: Atlas) -> tuple[Filters, list[str]]:
    """Filters read from URL parameters, and a French notice for each value dropped. Never raises."""
    try:
        get = reader(params)
    except Exception:  # anything unreadable is simply ignored
        return Filters(), ["Paramètres d'adresse illisibles : ignorés."]
    notices: list[str] = []
    regions = keep(get("region", "regions", "reg"), _region_reader(atlas), notices)
    departements = keep(get("departement", "departements", "dep"), _departement_reader(atlas, regions), notices)
    epci = keep(get("epci"), _by_code_or_name(_known_epci(atlas), epci_name, schema.normalize_code,
                                              "EPCI « {} » inconnu : ignoré."), notices)
    themes = keep(get("theme", "themes"), _theme, notices)
    familles = keep(get("famille", "familles"), _choice(schema.FAMILLES, "Famille « {} » inconnue : ignorée."),
                    notices)
    statuts = keep(get("statut", "statuts"), _choice(schema.STATUTS, "Statut « {} » inconnu : ignoré."), notices)
    precisions = keep(get("precision", "precisions"),
                      _choice(PRECISION_CHOICES, "Précision « {} » inconnue : ignorée."), notices)
    low = keep_one(_last(get("annee_min")), _year("Année minimale"), notices)
    high = keep_one(_last(get("annee_max")), _year("Année maximale"), notices)
    if low is not None and high is not None and low > high:
        notices.append(f"Années inversées ({low} > {high}) : remises dans l'ordre.")
    q = " ".join(" ".join(get("q", split=False)).split())
    if len(q) > Q_MAX:
        q = q[:Q_MAX].strip()
        notices.append(f"Recherche tronquée à {Q_MAX} caractères.")
    day = keep_one(_last(get("date")), _day, notices)
    filters = Filters(regions=tuple(regions), departements=tuple(departements), epci=tuple(epci),
                      themes=tuple(themes), familles=tuple(familles), statuts=tuple(statuts), annee_min=low,
                      annee_max=high, q=q, date=day, precisions=tuple(precisions))
    return filters, notices


def _last(values: list[str]) -> str | None:
    """A repeated single-valued parameter: the last value wins."""
    return values[-1] if values else None


def _name_key(value: str) -> str:
    return schema.fold(value).replace("-", " ").replace("'", " ")


def _by_code_or_name(codes: set[str], name_of: Callable[[str], str], normalize: Callable[[str], str | None],
                     unknown: str) -> Callable[[str], str]:
    """A reader of territories given by code or by name (case, accents, dashes and apostrophes aside); `unknown`
    the notice for a value that is neither ({} stands for the value)."""
    by_name = {_name_key(name_of(c)): c for c in codes}

    def resolve(value: str) -> str:
        code = normalize(value)
        code = code if code in codes else by_name.get(_name_key(value))
        if not code:
            raise Dropped(unknown.format(value))
        return code

    return resolve


def _region_reader(atlas: Atlas) -> Callable[[str], str]:
    codes = {c for c in set(atlas.region_names) | set(atlas.qpv["insee_reg"]) | set(atlas.regies["insee_reg"]) if c}
    return _by_code_or_name(codes, atlas.region_name, area_code, "Région « {} » inconnue : ignorée.")


def _departement_reader(atlas: Atlas, regions: list[str]) -> Callable[[str], str]:
    """Départements by code or name, those outside the chosen régions dropped."""
    codes = {c for c in set(atlas.departement_names) | set(atlas.qpv["insee_dep"]) | set(atlas.regies["insee_dep"])
             if c}
    known = _by_code_or_name(codes, atlas.departement_name, area_code, "Département « {} » inconnu : ignoré.")
    where = "de la région choisie" if len(set(regions)) == 1 else "des régions choisies"

    def resolve(value: str) -> str:
        code = known(value)
        if regions and atlas.departement_region.get(code) not in regions:
            raise Dropped(f"Département « {value} » ({atlas.departement_name(code)}) hors {where} : ignoré.")
        return code

    return resolve


def _known_epci(atlas: Atlas) -> set[str]:
    return {c for c in atlas.qpv["epci"].dropna() if c}


def _theme(value: str) -> str:
    theme = schema.parse_theme(value)
    if theme:
        return theme.slug
    hint = schema.suggest_theme(value)
    extra = f" (vouliez-vous dire « {hint} » ?)" if hint else ""
    raise Dropped(f"Thème « {value} » inconnu{extra} : ignoré.")


def _choice(choices: tuple[str, ...], unknown: str) -> Callable[[str], str]:
    """A reader of a vocabulary's values (case, accents and dashes aside)."""
    def resolve(value: str) -> str:
        choice = schema.match_choice(value, choices)
        if not choice:
            raise Dropped(unknown.format(value))
        return choice

    return resolve


def _day(value: str) -> date:
    """`2025-12-31` (the URL's own spelling) or `31/12/2025`; a French notice otherwise."""
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            day = datetime.strptime(value.strip(), fmt).date()
        except ValueError:
            continue
        if not YEAR_MIN <= day.year <= YEAR_MAX:
            break
        return day
    raise Dropped(f"Date « {value} » illisible (attendu : AAAA-MM-JJ, par exemple 2025-12-31) : ignorée.")


def _year(label: str) -> Callable[[str], int]:
    def resolve(value: str) -> int:
        try:
            year = int(value.strip())
        except ValueError:
            raise Dropped(f"{label} « {value} » invalide : ignorée.") from None
        if not YEAR_MIN <= year <= YEAR_MAX:
            raise Dropped(f"{label} « {value} » hors de {YEAR_MIN}–{YEAR_MAX} : ignorée.")
        return year

    return resolve
