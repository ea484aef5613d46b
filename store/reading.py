"""Reading the store: records, frames, the datasets the dashboards load, and the journal."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from geo.datasets import Datasets, empty_table
from geo.load import OPTIONAL_KINDS, check_references
from geo.manifest import Manifest
from geo.schema import DATASETS
from geo.validate import Finding
from store.accounts import ACCOUNTS_DATASET
from store.changes import (
    CHANGE_SETS,
    CHANGES,
    META,
    RECORDS,
    ChangeInfo,
    ChangeSetInfo,
    StoreError,
)
from store.records import (
    REFERENCE_DATASETS,
    STORE_DATASETS,
    Geography,
    aware,
    records_to_frame,
)
from store.records import Record as RecordData
from store.reference import data_dir, read_reference


class Reading:
    """The reads of `Store` (records, frames and datasets, the journal); none writes."""


    @cached_property
    def geography(self) -> Geography:
        """The région of each QPV, for the scope rule (reference folder's QPV over the official list)."""
        return Geography.from_qpv(read_reference(self.reference_folder)["qpv"][0] if self.reference_folder else None)

    def meta(self, key: str, default=None):
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(META.c.value).where(META.c.key == key)).first()
        return default if row is None else row.value

    def is_empty(self) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(CHANGE_SETS.c.id).limit(1)).first() is None

    def data_version(self) -> dict[str, int]:
        """Dataset -> id of the last change set that touched it: a cheap cache key, so that a dashboard reloads
        a dataset only when it changed (in this process or any other on the same database)."""
        query = (sa.select(CHANGES.c.dataset, sa.func.max(CHANGES.c.change_set_id))
                 .where(CHANGES.c.dataset != ACCOUNTS_DATASET).group_by(CHANGES.c.dataset))  # not a dataset
        with self.engine.connect() as conn:
            found = dict(conn.execute(query).all())
        return {kind: int(found.get(kind) or 0) for kind in sorted(set(STORE_DATASETS) | set(found))}

    def read_records(self, dataset: str) -> dict[str, tuple[RecordData, int]]:
        """record_id -> (data, version) of the live records of a dataset, in arrival order."""
        query = (sa.select(RECORDS.c.record_id, RECORDS.c.data, RECORDS.c.version)
                 .where(RECORDS.c.dataset == dataset, RECORDS.c.data.is_not(None)).order_by(RECORDS.c.seq))
        with self.engine.connect() as conn:
            return {row.record_id: (row.data, row.version) for row in conn.execute(query)}

    def taken_ids(self, dataset: str) -> set[str]:
        """Identifiers of a dataset's records, deleted ones included: a new record is not offered a deleted id."""
        with self.engine.connect() as conn:
            return set(conn.execute(sa.select(RECORDS.c.record_id).where(RECORDS.c.dataset == dataset)).scalars())

    def read_frames(self, datasets: Iterable[str] = STORE_DATASETS) -> dict[str, tuple[pd.DataFrame, list[Finding]]]:
        """The frames `geo.load` would give for these datasets' files, built from the store."""
        out = {}
        for kind in datasets:
            records = [data for data, _ in self.read_records(kind).values()]
            out[kind] = records_to_frame(kind, records, f"{DATASETS[kind].file_stem}.csv")
        return out

    def manifest(self) -> Manifest | None:
        raw = self.meta("manifest")
        return Manifest.from_dict(raw) if raw else None

    def read_datasets(self, reference_folder: Path | None = None, *, reference: dict | None = None,
                      frames: dict | None = None) -> Datasets:
        """Everything the dashboards need, as `geo.load.load_folder` gives it: the records from the store, the
        reference geography (QPV, régions, départements) from the files of `reference_folder`. A caller that keeps
        `read_reference(folder)` or some `read_frames` results (the dashboards, per data version) passes them."""
        folder = Path(reference_folder or self.reference_folder or data_dir())
        reference = reference if reference is not None else read_reference(folder)
        frames = {**self.read_frames([k for k in STORE_DATASETS if k not in (frames or {})]), **(frames or {})}
        findings = [f for kind in REFERENCE_DATASETS for f in reference[kind][1]]
        findings += [f for kind in STORE_DATASETS for f in frames[kind][1]]
        joined = {"qpv": reference["qpv"][0], **{kind: frames[kind][0] for kind in STORE_DATASETS}}
        for kind in OPTIONAL_KINDS:  # their references to the other datasets, as `geo.load.load_folder` checks them
            if len(joined[kind]):
                joined[kind], cross = check_references(kind, joined[kind], f"{DATASETS[kind].file_stem}.csv", joined)
                findings += cross
        return Datasets(
            folder=folder,
            qpv=reference["qpv"][0],
            regies=joined["regies"],
            organismes=joined["organismes"],
            partenariats=joined["partenariats"],
            regions=reference["regions"][0],
            departements=reference["departements"][0],
            declinaisons=joined["declinaisons"] if len(joined["declinaisons"]) else empty_table("declinaisons"),
            patrimoine=joined["patrimoine"] if len(joined["patrimoine"]) else empty_table("patrimoine"),
            manifest=self.manifest(),
            findings=findings,
            files={kind: path for kind, (_, _, path) in reference.items() if path is not None},
            stored=STORE_DATASETS,
        )

    # ----- journal

    def change_sets(self, limit: int | None = None, offset: int = 0) -> list[ChangeSetInfo]:
        """Change sets, newest first."""
        size = (sa.select(sa.func.count()).where(CHANGES.c.change_set_id == CHANGE_SETS.c.id)
                .correlate(CHANGE_SETS).scalar_subquery())
        query = (sa.select(CHANGE_SETS, size.label("size")).order_by(CHANGE_SETS.c.id.desc())
                 .limit(limit).offset(offset))
        with self.engine.connect() as conn:
            return [ChangeSetInfo(r.id, r.user, r.at, r.comment, r.kind, r.undoes, r.size)
                    for r in conn.execute(query)]

    def change_set(self, change_set_id: int) -> tuple[ChangeSetInfo, list[ChangeInfo]]:
        """One change set and its changes; `StoreError` when it does not exist."""
        with self.engine.connect() as conn:
            head = conn.execute(sa.select(CHANGE_SETS).where(CHANGE_SETS.c.id == change_set_id)).first()
            if head is None:
                raise StoreError(f"Le lot de modifications n° {change_set_id} n'existe pas.")
            rows = conn.execute(sa.select(CHANGES).where(CHANGES.c.change_set_id == change_set_id)
                                .order_by(CHANGES.c.id)).all()
        info = ChangeSetInfo(head.id, head.user, head.at, head.comment, head.kind, head.undoes, len(rows))
        return info, [ChangeInfo(r.change_set_id, r.dataset, r.record_id, r.before, r.after, head.user, head.at,
                                 head.comment, head.kind) for r in rows]

    def record_history(self, dataset: str, record_id: str) -> list[ChangeInfo]:
        """Every change of one record, oldest first (e.g. a partnership's status over time)."""
        query = (sa.select(CHANGES, CHANGE_SETS.c.user, CHANGE_SETS.c.at, CHANGE_SETS.c.comment,
                           CHANGE_SETS.c.kind)
                 .join(CHANGE_SETS, CHANGE_SETS.c.id == CHANGES.c.change_set_id)
                 .where(CHANGES.c.dataset == dataset, CHANGES.c.record_id == record_id)
                 .order_by(CHANGES.c.change_set_id))
        with self.engine.connect() as conn:
            return [ChangeInfo(r.change_set_id, r.dataset, r.record_id, r.before, r.after, r.user, r.at,
                               r.comment, r.kind) for r in conn.execute(query)]

    def status_history(self, dataset: str, column: str = "statut") -> pd.DataFrame:
        """The dated changes of one cell (a partnership's `statut` by default) over the whole journal, oldest first:
        record_id, change_set_id, at (UTC), kind (edit, import, undo), before and after (the cell's text).

        Only changes of a record that existed before and after (an addition, the seed included, says what the record
        was when entered, not a change; a deletion removes it) and whose cell differs. One light query, the cell
        read inside the JSON by the database: the whole history of 6 500 partnerships without their records."""
        before, after = CHANGES.c.before[column].as_string(), CHANGES.c.after[column].as_string()
        query = (sa.select(CHANGES.c.record_id, CHANGES.c.change_set_id, CHANGE_SETS.c.at, CHANGE_SETS.c.kind,
                           before.label("before"), after.label("after"))
                 .join(CHANGE_SETS, CHANGE_SETS.c.id == CHANGES.c.change_set_id)
                 .where(CHANGES.c.dataset == dataset, CHANGES.c.before.is_not(None), CHANGES.c.after.is_not(None),
                        before.is_distinct_from(after))
                 .order_by(CHANGES.c.change_set_id, CHANGES.c.id))
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return pd.DataFrame({
            "record_id": pd.Series([r.record_id for r in rows], dtype=object),
            "change_set_id": pd.Series([r.change_set_id for r in rows], dtype="int64"),
            "at": pd.to_datetime(pd.Series([aware(r.at) for r in rows], dtype=object), utc=True),
            "kind": pd.Series([r.kind for r in rows], dtype=object),
            "before": pd.Series([r.before for r in rows], dtype=object),
            "after": pd.Series([r.after for r in rows], dtype=object),
        })
