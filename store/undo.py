"""Undo: a change set reverted by a new one, through `Store.write`, when nothing later touched its records."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from store.accounts import Account
from store.changes import (
    CHANGE_SETS,
    CHANGES,
    Edit,
    UndoError,
    chunks,
)


class Undoing:
    def undo(self, change_set_id: int, user: Account | str, comment: str = "") -> int:
        """A new change set restoring the "before" of `change_set_id`; `UndoError` (French) when a later change
        set touched one of its records, `ScopeError` when the user may not write them. The "later change" check
        runs inside the undo's transaction, the records locked: a write cannot land between check and undo."""
        info, changes = self.change_set(change_set_id)
        if not changes:
            raise UndoError(f"Le lot n° {change_set_id} ne contient aucune modification à annuler.")
        if info.kind == "seed":
            raise UndoError(f"Le lot n° {change_set_id} est le chargement initial : il ne s'annule pas.")
        keys = [(c.dataset, c.record_id) for c in changes]

        def nothing_later(conn: sa.Connection) -> None:
            later = self._later_changes(conn, change_set_id, keys)
            if later:
                detail = " ; ".join(f"« {record_id} » modifié ensuite par {user_name} (lot n° {set_id})"
                                    for record_id, set_id, user_name in later[:5])
                raise UndoError(f"Le lot n° {change_set_id} ne peut pas être annulé : {detail}"
                                f"{' …' if len(later) > 5 else ''}. Annulez d'abord les lots plus récents ou "
                                "corrigez ces enregistrements directement.")

        edits = [Edit(c.dataset, c.record_id, c.before, None) for c in changes]
        return self.write(user, comment or f"Annulation du lot n° {change_set_id}", edits, kind="undo",
                          undoes=change_set_id, guard=nothing_later)

    def undone_by(self, change_set_ids: Iterable[int]) -> dict[int, int]:
        """Change set -> the undo that reverted it, for those of `change_set_ids` that were undone."""
        ids = list(change_set_ids)
        if not ids:
            return {}
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(CHANGE_SETS.c.undoes, sa.func.min(CHANGE_SETS.c.id))
                                .where(CHANGE_SETS.c.undoes.in_(ids)).group_by(CHANGE_SETS.c.undoes)).all()
        return {int(undone): int(undo) for undone, undo in rows}

    @staticmethod
    def _later_changes(conn: sa.Connection, change_set_id: int,
                       keys: list[tuple[str, str]]) -> list[tuple[str, int, str]]:
        found = []
        for kind in sorted({k for k, _ in keys}):
            ids = [i for k, i in keys if k == kind]
            for chunk in chunks(ids):
                query = (sa.select(CHANGES.c.record_id, CHANGES.c.change_set_id, CHANGE_SETS.c.user)
                         .join(CHANGE_SETS, CHANGE_SETS.c.id == CHANGES.c.change_set_id)
                         .where(CHANGES.c.dataset == kind, CHANGES.c.record_id.in_(chunk),
                                CHANGES.c.change_set_id > change_set_id)
                         .order_by(CHANGES.c.change_set_id))
                found += [(r.record_id, r.change_set_id, r.user) for r in conn.execute(query)]
        return found
