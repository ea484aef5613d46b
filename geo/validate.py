"""Validation findings: what is wrong in a file, where (file, row as seen in the spreadsheet, column), in French."""

from __future__ import annotations

from dataclasses import dataclass

ERREUR = "erreur"
AVERTISSEMENT = "avertissement"


@dataclass(frozen=True)
class Finding:
    severity: str  # ERREUR | AVERTISSEMENT
    file: str
    row: int | None  # row number as the user sees it (header is row 1 in a spreadsheet); None: whole file
    column: str | None
    message: str
    suggestion: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", ligne {self.row}"
        if self.column:
            where += f", colonne « {self.column} »"
        text = f"[{self.severity}] {where} : {self.message}"
        if self.suggestion:
            text += f" Suggestion : {self.suggestion}"
        return text
