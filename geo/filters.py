"""Filters: the only way a page asks for a subset of the atlas.

`Filters` is a frozen, hashable value (it can key caches) built from the page's widgets or from the URL (whose
spelling, `dashboard.filters_url`, and French summary, `ui.filters_text`, belong to the layers that show them), and
`apply(atlas, filters)` returns a `Selection`. Semantics of `apply`:

- Territory (`regions`, `departements`, INSEE codes, and `epci`, SIREN of the EPCI that sign the contrats de
  ville; all may be given, they intersect): keeps the QPV and the régies located there (their `epci` column, see
  `geo.joins`), and the partnerships with at least one QPV there; `links` keeps only the rows of QPV of the
  territory. A partnership spanning several territories therefore appears in each (its amount is not split).
- Partnership filters: `themes` (a partnership having at least one of them), `familles` (of the HLM organism),
  `statuts`, `annee_min`/`annee_max` (inclusive, on `annee_debut`). They keep partnerships; `links` also keeps
  only the rows of the chosen themes. `qpv` and `regies` stay all those of the territory, so that QPV without
  partnership remain visible, but the per-QPV `n_partenariats` and `coverage` (and the per-régie
  `n_partenariats`) are recomputed from the filtered partnerships. `couvert` (declared by a régie) is not
  affected by partnership filters.
- Search `q` (accent- and case-insensitive substring): keeps the régies whose id, name or commune match, and the
  régies of the kept partnerships; the partnerships whose id, régie (id, name, commune), organism (name, SIREN)
  or one of whose QPV (code, name, commune) match; the QPV whose code, name or commune match, or that are
  declared by a matching régie, or that are linked to a kept partnership.
- `precisions` (how a régie's position was obtained, `schema.PRECISIONS`, or `schema.PRECISION_INCONNUE` for
  the régies stored without one): keeps the régies placed so; partnerships and QPV are not affected (it is a
  property of a point on the map, not of a coopération).
- `organismes`: the organisms of the kept partnerships, with `n_partenariats` recomputed.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import ref, schema
from geo.joins import coverage_of

if TYPE_CHECKING:
    from geo.joins import Atlas


def _as_tuple(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    return tuple(str(v).strip() for v in value if v is not None and str(v).strip())


def area_code(value: str) -> str:
    """A région or département code as the atlas spells it ("1" -> "01", "2a" -> "2A")."""
    return schema.normalize_code(value, schema.CODE_WIDTHS["insee_dep"]) or ""


def _vocabulary(values: Iterable[str], choices: tuple[str, ...]) -> tuple[str, ...]:
    """Canonical spellings (case/accent/dash tolerant), in vocabulary order; unknown values kept, last."""
    out = []
    for value in values:
        out.append(schema.match_choice(value, choices) or value)
    rank = {c: i for i, c in enumerate(choices)}
    return tuple(sorted(set(out), key=lambda v: (rank.get(v, len(rank)), v)))


def _theme_slugs(values: Iterable[str]) -> tuple[str, ...]:
    out = []
    for value in values:
        theme = schema.parse_theme(value)
        out.append(theme.slug if theme else value)
    rank = {t.slug: i for i, t in enumerate(schema.THEMES)}
    return tuple(sorted(set(out), key=lambda v: (rank.get(v, len(rank)), v)))


PRECISION_CHOICES = (*schema.PRECISIONS, schema.PRECISION_INCONNUE)  # what the precision filter offers


def _year(value: object) -> int | None:
    if value is None or value == "":
        return None
    return int(value)


@dataclass(frozen=True)
class Filters:
    """What the user asked for. Every field is normalised on construction (codes upper-case and sorted, themes
    as slugs and vocabularies in schema order, years swapped if inverted, `q` single-spaced), so that two equal
    requests compare and hash equal.

    `date`: the day the data are seen at (None: today). `apply` filters the atlas it is given; the pages give it
    the state at that day (`geo.timeline.state_at`)."""

    regions: tuple[str, ...] = ()
    departements: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    familles: tuple[str, ...] = ()
    statuts: tuple[str, ...] = ()
    annee_min: int | None = None
    annee_max: int | None = None
    q: str = ""
    epci: tuple[str, ...] = ()
    date: date | None = None
    precisions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        put = object.__setattr__
        put(self, "regions", tuple(sorted({area_code(c) for c in _as_tuple(self.regions)})))
        put(self, "departements", tuple(sorted({area_code(c) for c in _as_tuple(self.departements)})))
        put(self, "epci", tuple(sorted({schema.normalize_code(c) for c in _as_tuple(self.epci)})))
        put(self, "themes", _theme_slugs(_as_tuple(self.themes)))
        put(self, "familles", _vocabulary(_as_tuple(self.familles), schema.FAMILLES))
        put(self, "statuts", _vocabulary(_as_tuple(self.statuts), schema.STATUTS))
        put(self, "precisions", _vocabulary(_as_tuple(self.precisions), PRECISION_CHOICES))
        low, high = _year(self.annee_min), _year(self.annee_max)
        if low is not None and high is not None and low > high:
            low, high = high, low
        put(self, "annee_min", low)
        put(self, "annee_max", high)
        put(self, "q", " ".join(str(self.q or "").split()))
        put(self, "date", None if self.date is None else pd.Timestamp(self.date).date())

    # --- state -------------------------------------------------------------------------------------------------

    @property
    def is_active(self) -> bool:
        return bool(self.regions or self.departements or self.epci or self.themes or self.familles or self.statuts
                    or self.annee_min is not None or self.annee_max is not None or self.q or self.precisions)

    @property
    def has_territory(self) -> bool:
        return bool(self.regions or self.departements or self.epci)

    def with_territory(self, region: str | None = None, departement: str | None = None, epci: str | None = None
                       ) -> Filters:
        """The same filters on another territory (None, None, None: the whole country)."""
        return replace(self, regions=(region,) if region else (), departements=(departement,) if departement else (),
                       epci=(epci,) if epci else ())

    def within_territory(self, atlas: Atlas) -> Filters:
        """These filters without the départements outside their régions, nor the EPCI outside their régions and
        départements: what the sidebar offers once a région or a département is chosen."""
        in_regions = departement_choices(atlas, self.regions)
        departements = tuple(d for d in self.departements if d in in_regions)
        epci = set(epci_choices(atlas, self.regions, departements))
        return replace(self, departements=departements, epci=tuple(e for e in self.epci if e in epci))


class Territory(NamedTuple):
    """One région, département and EPCI (each None when there is none): the territory a portrait is about."""

    region: str | None = None
    departement: str | None = None
    epci: str | None = None


def single_territory(filters: Filters, atlas: Atlas) -> Territory:
    """The territory the filters name when they name one of each at most (None where they name none or several),
    its région completed from the département, else from the EPCI (the région of most of its QPV); a département
    outside that région, an EPCI outside that région and département left out, as the pickers do not offer them."""
    def one(codes: tuple[str, ...]) -> str | None:
        return codes[0] if len(codes) == 1 else None

    region, departement, epci = one(filters.regions), one(filters.departements), one(filters.epci)
    if departement and not region:
        region = atlas.departement_region.get(departement)
    if epci and not region:
        regions = atlas.qpv.loc[atlas.qpv["epci"] == epci, "insee_reg"]
        region = regions.mode().iloc[0] if len(regions) else None
    if region is None:
        return Territory()
    if departement not in departement_choices(atlas, [region]):
        departement = None
    if epci not in epci_choices(atlas, [region], [departement] if departement else []):
        epci = None
    return Territory(region, departement, epci)


def departement_choices(atlas: Atlas, regions: Iterable[str] = ()) -> set[str]:
    """The départements of these régions (all when none)."""
    regions = set(regions)
    return {c for c, r in atlas.departement_region.items() if not regions or r in regions}


def epci_choices(atlas: Atlas, regions: Iterable[str] = (), departements: Iterable[str] = ()) -> list[str]:
    """The EPCI holding a QPV of these régions and départements (all when none), sorted by name."""
    qpv = atlas.qpv
    keep = np.ones(len(qpv), dtype=bool)
    for column, values in (("insee_reg", list(regions)), ("insee_dep", list(departements))):
        if values:
            keep &= _mask_in(qpv[column], values)
    codes = {c for c in qpv["epci"][keep].dropna() if c}
    return sorted(codes, key=_epci_order)


def epci_name(code: str) -> str:
    return ref.epci_names().get(code, code)


@functools.lru_cache(maxsize=4096)
def _epci_order(code: str) -> tuple[str, str]:
    """Sort key of an EPCI: its folded name (folding costs, and the sidebar sorts the list on every run)."""
    return schema.fold(epci_name(code)), code


# --- selection -------------------------------------------------------------------------------------------------


@dataclass
class Selection:
    """The frames of the atlas restricted by `filters` (see the module docstring for the semantics).

    Same columns as the atlas frames; `qpv.n_partenariats`, `qpv.coverage`, `regies.n_partenariats` and
    `organismes.n_partenariats` are recomputed from the filtered partnerships.
    """

    filters: Filters
    qpv: gpd.GeoDataFrame
    regies: gpd.GeoDataFrame
    partenariats: pd.DataFrame
    links: pd.DataFrame
    organismes: pd.DataFrame
    atlas: Atlas = field(repr=False, compare=False)


def _mask_in(series: pd.Series, values: Iterable[str]) -> np.ndarray:
    return series.isin(list(values)).to_numpy(dtype=bool)


def _scatter(size: int, positions: np.ndarray) -> np.ndarray:
    """Boolean array of `size` set at `positions` (negative positions, meaning "absent", ignored)."""
    out = np.zeros(size, dtype=bool)
    out[positions[positions >= 0]] = True
    return out


def _contains(texts: pd.Series, needle: str) -> np.ndarray:
    return texts.str.contains(needle, regex=False).to_numpy(dtype=bool, na_value=False)


def apply(atlas: Atlas, filters: Filters) -> Selection:
    """The selection of `atlas` that `filters` ask for; pure, no I/O (see the module docstring).

    Vectorised with numpy masks over the integer positions of `atlas.index`: about 10 ms for 1 600 QPV and
    10 000 partnerships.
    """
    qpv, regies, parts, links, ix = atlas.qpv, atlas.regies, atlas.partenariats, atlas.links, atlas.index
    if not filters.is_active:
        return Selection(filters, qpv.copy(deep=False), regies.copy(deep=False), parts.copy(deep=False),
                         links.copy(deep=False), atlas.organismes.copy(deep=False), atlas)
    n_qpv, n_regies, n_parts = len(qpv), len(regies), len(parts)

    # Territory.
    q_terr = np.ones(n_qpv, dtype=bool)
    r_mask = np.ones(n_regies, dtype=bool)
    for column, values in (("insee_reg", filters.regions), ("insee_dep", filters.departements)):
        if values:
            q_terr &= _mask_in(qpv[column], values)
            r_mask &= _mask_in(regies[column], values)
    if filters.epci:
        q_terr &= _mask_in(qpv["epci"], filters.epci)
        r_mask &= _mask_in(regies["epci"], filters.epci)
    if filters.precisions:
        r_mask &= _mask_in(regies["precision"].map(schema.precision_text), filters.precisions)
    l_mask = q_terr[ix.link_qpv]
    pair_terr = q_terr[ix.pair_qpv]

    # Partnerships.
    keep = np.ones(n_parts, dtype=bool)
    if filters.has_territory:
        keep &= _scatter(n_parts, ix.pair_part[pair_terr])
    if filters.themes:
        theme_rows = _mask_in(links["theme"], filters.themes)
        keep &= _scatter(n_parts, ix.link_part[theme_rows])
        l_mask &= theme_rows
    if filters.familles:
        keep &= _mask_in(parts["famille"], filters.familles)
    if filters.statuts:
        keep &= _mask_in(parts["statut"], filters.statuts)
    years = parts["annee_debut"]
    if filters.annee_min is not None:
        keep &= (years >= filters.annee_min).to_numpy(dtype=bool, na_value=False)
    if filters.annee_max is not None:
        keep &= (years <= filters.annee_max).to_numpy(dtype=bool, na_value=False)

    # Search.
    q_mask = q_terr
    if filters.q:
        needle = schema.fold(filters.q)
        regie_hit = _contains(atlas.search_regies, needle)
        keep &= _contains(atlas.search_partenariats, needle)
        r_mask &= regie_hit | _scatter(n_regies, ix.part_regie[keep])
        linked = _scatter(n_qpv, ix.pair_qpv[keep[ix.pair_part]])
        declared = _scatter(n_qpv, ix.declared_qpv[regie_hit[ix.declared_regie]])
        q_mask = q_terr & (_contains(atlas.search_qpv, needle) | linked | declared)

    l_mask &= keep[ix.link_part]
    pair_keep = pair_terr & keep[ix.pair_part]
    per_qpv = np.bincount(ix.pair_qpv[pair_keep], minlength=n_qpv)
    per_regie = np.bincount(ix.part_regie[keep & (ix.part_regie >= 0)], minlength=n_regies)
    organismes = atlas.organismes
    per_org = np.bincount(ix.part_org[keep & (ix.part_org >= 0)], minlength=len(organismes))

    sel_qpv = qpv[q_mask].copy()
    sel_qpv["n_partenariats"] = per_qpv[q_mask]
    sel_qpv["coverage"] = coverage_of(sel_qpv["couvert"], sel_qpv["n_partenariats"])
    sel_regies = regies[r_mask].copy()
    sel_regies["n_partenariats"] = per_regie[r_mask]
    org_mask = per_org > 0
    sel_orgs = organismes[org_mask].copy()
    sel_orgs["n_partenariats"] = per_org[org_mask]
    return Selection(filters, sel_qpv, sel_regies, parts[keep], links[l_mask], sel_orgs, atlas)
