"""The filters in French words: the subtitle of a page, an exported image or a deck."""

from __future__ import annotations

from typing import TYPE_CHECKING

from geo import schema
from geo.filters import Filters, epci_name

if TYPE_CHECKING:
    from geo.joins import Atlas


def describe(filters: Filters, atlas: Atlas | None = None) -> str:
    """Short French summary, e.g. "Auvergne-Rhône-Alpes · inclusion numérique · 2024–2026" (codes without `atlas`)."""
    parts = []
    if filters.departements:
        names = [atlas.departement_name(c) if atlas else c for c in filters.departements]
        parts.append(_enumerate(names, "départements"))
    elif filters.regions:
        names = [atlas.region_name(c) if atlas else c for c in filters.regions]
        parts.append(_enumerate(names, "régions"))
    if filters.epci:
        parts.append(_enumerate([epci_name(c) for c in filters.epci], "EPCI"))
    if filters.themes:
        labels = [schema.THEME_BY_SLUG[t].label if t in schema.THEME_BY_SLUG else t for t in filters.themes]
        parts.append(_enumerate(labels, "thèmes"))
    if filters.familles:
        parts.append(", ".join(schema.FAMILLE_LABELS.get(f, f) for f in filters.familles))
    if filters.statuts:
        parts.append(", ".join(filters.statuts))
    low, high = filters.annee_min, filters.annee_max
    if low is not None and high is not None:
        parts.append(str(low) if low == high else f"{low}–{high}")
    elif low is not None:
        parts.append(f"depuis {low}")
    elif high is not None:
        parts.append(f"jusqu'en {high}")
    if filters.precisions:
        parts.append("régies placées : " + ", ".join(filters.precisions))
    if filters.q:
        parts.append(f"recherche « {filters.q} »")
    return " · ".join(parts) if parts else "Toutes les données"


def _enumerate(names: list[str], plural: str, limit: int = 3) -> str:
    return ", ".join(names) if len(names) <= limit else f"{len(names)} {plural}"
