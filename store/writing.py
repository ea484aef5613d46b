"""The store of the records: one object, `Store`, through which everything reads and writes them.

Every write goes through `Store.write`: validate (the same `geo.load.clean` as `geo check`, plus no spreadsheet
formulas) → check the writer's scope on the records as they are now and as they would be (`ScopeError`) → check
each record's version is the one the writer read (`ConflictError`) → apply and journal (one change set, one change
per record with its before/after) → commit, all in one transaction: either everything is applied and journalled,
or nothing is. Import (`plan_import` then `publish`), undo and seeding are built on it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

import pandas as pd
import sqlalchemy as sa

from geo import fr, upload
from geo.io import ROW
from geo.schema import DATASETS
from geo.validate import ERREUR, Finding
from store.accounts import Account
from store.changes import (
    CHANGE_SETS,
    CHANGES,
    META,
    RECORDS,
    SYSTEM,
    USERS,
    ConflictError,
    Edit,
    ScopeError,
    StoreError,
    ValidationError,
    chunks,
    region_list,
)
from store.records import (
    ADMIN_DATASETS,
    KEY_COLUMNS,
    STORE_DATASETS,
    aware,
    canonical_id,
    frame_to_records,
    may_write,
    now,
    record_key,
    records_to_frame,
    regions_of_text,
    regions_text,
)
from store.records import Record as RecordData


def _source(edit: Edit) -> tuple[str, int | None]:
    """Where a refusal names an edit: its file and row when it has some, else its dataset and identifier."""
    if edit.source and edit.source[0]:
        return edit.source
    return f"{DATASETS[edit.dataset].file_stem} (saisie « {edit.record_id} »)", None


def _at_source(finding: Finding, edit: Edit) -> Finding:
    file, row = _source(edit)
    return replace(finding, file=file, row=row)



class Writing:
    """`Store.write`, the one way in, and its checks."""


    def write(self, user: Account | str, comment: str, edits: Iterable[Edit], *, kind: str = "edit",
              undoes: int | None = None, meta: dict | None = None,
              guard: Callable[[sa.Connection], None] | None = None) -> int:
        """Apply `edits` as one journalled change set (and set `meta` facts in the same transaction); its id.
        Raises `ValidationError`, `ScopeError`, `ConflictError` (French messages) and then nothing is written.
        `guard(conn)` runs once the records are locked, inside the transaction: a check no other write can
        overtake (the undo's "no later change"); it raises a `StoreError` to refuse."""
        edits = list(edits)
        if not edits:
            raise StoreError("Aucune modification à publier.")
        afters = self._validate(edits)
        keys = sorted({(e.dataset, e.record_id) for e in edits})
        if len(keys) != len(edits):
            raise StoreError("Un même enregistrement figure deux fois dans les modifications.")
        at = now()
        try:
            with self.write_engine.connect() as conn, conn.begin():
                account = self._writer(conn, user)
                current = self._lock_current(conn, keys)
                if guard is not None:
                    guard(conn)
                edits = [e if e.expected_version is not None else replace(
                    e, expected_version=current[(e.dataset, e.record_id)].version
                    if (e.dataset, e.record_id) in current else 0) for e in edits]
                self._check_versions(conn, account, edits, current)
                self._check_scope(account, edits, current, afters)
                change_set_id = conn.execute(
                    CHANGE_SETS.insert().values(user=account.name, at=at, comment=comment.strip(), kind=kind,
                                                undoes=undoes).returning(CHANGE_SETS.c.id)).scalar_one()
                self._apply(conn, edits, current, afters, change_set_id, at)
                for key, value in (meta or {}).items():
                    conn.execute(META.delete().where(META.c.key == key))
                    conn.execute(META.insert().values(key=key, value=value))
        except sa.exc.IntegrityError:
            raise ConflictError("Un autre utilisateur a ajouté un de ces enregistrements pendant la publication : "
                                "rien n'a été publié. Rechargez la page et recommencez.") from None
        except sa.exc.OperationalError as exc:
            if "deadlock" in str(exc.orig).lower() or "could not serialize" in str(exc.orig).lower():
                raise ConflictError("Un autre utilisateur publie les mêmes enregistrements au même moment : rien "
                                    "n'a été publié. Recommencez dans un instant.") from None
            raise
        return change_set_id

    def _validate(self, edits: list[Edit]) -> dict[tuple[str, str], RecordData]:
        """Canonical data of every non-deleting edit; `ValidationError` naming each problem (by the edit's
        `source` when it has one: the import's file and row). Identifiers must be written as stored (`record_key`)
        and formulas are looked for in the canonical text, the one that would be stored and exported."""
        out: dict[tuple[str, str], RecordData] = {}
        by_kind: dict[str, list[Edit]] = {}
        findings: list[Finding] = []
        for edit in edits:
            if edit.dataset not in STORE_DATASETS:
                raise StoreError(f"Jeu de données « {edit.dataset} » inconnu de la base (attendu : "
                                 f"{', '.join(STORE_DATASETS)}).")
            canonical = canonical_id(edit.dataset, edit.record_id)
            if canonical != edit.record_id:
                findings.append(Finding(
                    ERREUR, _source(edit)[0], _source(edit)[1], KEY_COLUMNS[edit.dataset][-1],
                    f"identifiant « {edit.record_id} » mal écrit"
                    + (f" : il s'écrit « {canonical} » (majuscules, sans espace)." if canonical else ".")))
            elif edit.after is not None:
                by_kind.setdefault(edit.dataset, []).append(edit)
        for kind, kind_edits in by_kind.items():
            file = f"{DATASETS[kind].file_stem} (saisie)"
            frame, kind_findings = records_to_frame(kind, [e.after for e in kind_edits], file)
            located = [f for f in kind_findings if f.severity == ERREUR]
            records = frame_to_records(kind, frame)
            canonical = pd.DataFrame([records[record_key(kind, e.after)][0] if record_key(kind, e.after) in records
                                      else {} for e in kind_edits], dtype=object)
            canonical[ROW] = range(2, len(kind_edits) + 2)
            located += upload.formula_cells(file, canonical)
            for position, edit in enumerate(kind_edits, start=2):
                key = record_key(kind, edit.after)
                if key is not None and key != edit.record_id:
                    located.append(Finding(ERREUR, file, position, KEY_COLUMNS[kind][-1],
                                           f"l'identifiant « {key} » ne correspond pas à l'enregistrement "
                                           f"« {edit.record_id} »."))
                elif edit.record_id in records:
                    out[(kind, edit.record_id)] = records[edit.record_id][0]
            findings += [_at_source(f, kind_edits[f.row - 2]) if f.row is not None else f for f in located]
        if findings:
            raise ValidationError(findings)
        return out

    def _writer(self, conn: sa.Connection, user: Account | str) -> Account:
        """The writer as the database knows it now (role, régions, not disabled): never trust a stale object."""
        if user is SYSTEM:
            return SYSTEM
        name = user.name if isinstance(user, Account) else str(user)
        row = conn.execute(sa.select(USERS).where(USERS.c.name == name)).first()
        if row is None:
            raise ScopeError(f"Compte « {name} » inconnu : l'écriture demande un compte.")
        if row.disabled:
            raise ScopeError(f"Le compte « {name} » est désactivé : il ne peut plus rien modifier.")
        return Account(row.name, row.role, regions_of_text(row.regions), row.email, row.disabled)

    def _lock_current(self, conn: sa.Connection, keys: list[tuple[str, str]]) -> dict[tuple[str, str], sa.Row]:
        """Current rows of these records, locked until commit (PostgreSQL; SQLite holds the write lock)."""
        current = {}
        for kind in sorted({k for k, _ in keys}):
            ids = [i for k, i in keys if k == kind]
            for chunk in chunks(ids):
                query = (sa.select(RECORDS.c.seq, RECORDS.c.record_id, RECORDS.c.data, RECORDS.c.version,
                                   RECORDS.c.change_set_id)
                         .where(RECORDS.c.dataset == kind, RECORDS.c.record_id.in_(chunk))
                         .order_by(RECORDS.c.record_id).with_for_update())
                current.update({(kind, row.record_id): row for row in conn.execute(query)})
        return current

    def _check_versions(self, conn, account: Account, edits: list[Edit], current: dict) -> None:
        """`ConflictError` unless each edit's version is the record's; a creation over a deleted record or an
        identifier already taken says so (by whom and when, outside the writer's régions) rather than « modifié »."""
        stale = [(e, current.get((e.dataset, e.record_id))) for e in edits
                 if (current[(e.dataset, e.record_id)].version if (e.dataset, e.record_id) in current else 0)
                 != e.expected_version or (e.after is None and getattr(current.get((e.dataset, e.record_id)),
                                                                         "data", None) is None)]
        if not stale:
            return
        sets = {row.change_set_id for _, row in stale if row is not None}
        authors = {r.id: r for r in conn.execute(sa.select(CHANGE_SETS.c.id, CHANGE_SETS.c.user, CHANGE_SETS.c.at)
                                                 .where(CHANGE_SETS.c.id.in_(sets)))} if sets else {}
        lines = [self._stale_line(account, edit, row, authors.get(row.change_set_id) if row is not None else None)
                 for edit, row in stale[:5]]
        more = f" et {len(stale) - 5} autre(s)" if len(stale) > 5 else ""
        raise ConflictError("Conflit : " + " ; ".join(lines) + more + ". Rien n'a été publié.")

    def _stale_line(self, account: Account, edit: Edit, row, author) -> str:
        what = f"« {edit.record_id} » ({DATASETS[edit.dataset].label.lower()})"
        who = f"par {author.user} le {fr.date_heure(aware(author.at))} (lot n° {author.id})" if author else \
            "par un autre utilisateur"
        if row is None:
            return f"{what} n'existe pas : rien à supprimer"
        creating = edit.expected_version == 0 and edit.after is not None
        if row.data is None:
            if creating:
                return (f"{what} a été supprimé {who} : pour le recréer, annulez ce lot ou importez-le de "
                        "nouveau (l'import recrée un enregistrement supprimé) ; sinon choisissez un autre "
                        "identifiant")
            return f"{what} a déjà été supprimé {who}"
        if creating:
            regions = self.geography.record_regions(edit.dataset, row.data)
            if not account.may_write(regions):
                return (f"l'identifiant {what} existe déjà dans une région hors de votre périmètre "
                        f"({region_list(regions)}) : choisissez un autre identifiant")
            return f"l'identifiant {what} existe déjà : choisissez un autre identifiant, ou ouvrez-le pour le modifier"
        return f"{what} modifié entre-temps {who} : rechargez les données et recommencez"

    def _check_scope(self, account: Account, edits: list[Edit], current: dict, afters: dict) -> None:
        if account.is_admin:
            return
        refused = []
        for edit in edits:
            row = current.get((edit.dataset, edit.record_id))
            before = row.data if row is not None else None
            after = afters.get((edit.dataset, edit.record_id))
            for data in (before, after):
                if data is not None and not may_write(account, edit.dataset,
                                                      self.geography.record_regions(edit.dataset, data)):
                    refused.append(edit)
                    break
        national = sorted({DATASETS[e.dataset].label.lower() for e in refused if e.dataset in ADMIN_DATASETS})
        if national:
            raise ScopeError(f"Le compte « {account.name} » ne peut pas modifier les {' ni les '.join(national)} : "
                             "ils sont modifiés par un administrateur national. Rien n'a été publié.")
        if refused:
            names = ", ".join(f"« {e.record_id} »" for e in refused[:10])
            more = f" et {len(refused) - 10} autre(s)" if len(refused) > 10 else ""
            raise ScopeError(
                f"Le compte « {account.name} » (régions {', '.join(sorted(account.regions)) or 'aucune'}) ne peut "
                f"pas modifier {names}{more} : ces enregistrements ne relèvent pas de ses régions. Rien n'a été "
                "publié.")

    def _apply(self, conn, edits: list[Edit], current: dict, afters: dict, change_set_id: int, at) -> None:
        inserts, updates, changes = [], [], []
        for edit in edits:
            key = (edit.dataset, edit.record_id)
            row = current.get(key)
            after = afters.get(key)
            regions = regions_text(self.geography.record_regions(edit.dataset, after)) if after else ""
            values = {"data": after, "regions": regions, "updated_at": at, "change_set_id": change_set_id}
            if row is None:
                inserts.append({"dataset": edit.dataset, "record_id": edit.record_id, "version": 1, **values})
            else:
                updates.append({"b_seq": row.seq, "b_version": row.version + 1, **values})
            changes.append({"change_set_id": change_set_id, "dataset": edit.dataset, "record_id": edit.record_id,
                            "before": row.data if row is not None else None, "after": after})
        if inserts:
            conn.execute(RECORDS.insert(), inserts)
        if updates:
            conn.execute(RECORDS.update().where(RECORDS.c.seq == sa.bindparam("b_seq"))
                         .values(version=sa.bindparam("b_version")), updates)
        conn.execute(CHANGES.insert(), changes)
