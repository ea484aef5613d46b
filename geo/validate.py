"""Validation findings: what is wrong in a file, where (file, row as seen in the spreadsheet, column), in French."""

from __future__ import annotations

from dataclasses import dataclass

from geo.schema import TABLE_SUFFIXES

ERREUR = "erreur"
AVERTISSEMENT = "avertissement"


@dataclass(frozen=True)
class Finding:
    severity: str  # ERREUR | AVERTISSEMENT
    file: str
    row: int | None  # spreadsheet row as the user sees it (header = 1), or feature number; None: whole file
    column: str | None
    message: str
    suggestion: str | None = None

    @property
    def location(self) -> str:
        """« partenariats.csv, ligne 8, colonne « statut » »: where a reader finds the cell."""
        where = self.file
        if self.row is not None:
            tabular = self.file.lower().endswith(TABLE_SUFFIXES)
            where += f", {'ligne' if tabular else 'entité'} {self.row}"
        if self.column:
            where += f", colonne « {self.column} »"
        return where

    def __str__(self) -> str:
        text = f"[{self.severity}] {self.location} : {self.message}"
        if self.suggestion:
            text += f" Suggestion : {self.suggestion}"
        return text
