"""Import planning: reading a file, folder or zip into a preview (`ImportPlan`) against the store, then
publishing it through `Store.write`."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

import settings
from geo import fr, geocode, intake, upload
from geo.io import GEO_SUFFIXES, ROW, ReadError, read_csv, read_xlsx
from geo.load import clean, find_dataset_files
from geo.schema import DATASETS, TABLE_SUFFIXES
from geo.validate import AVERTISSEMENT, ERREUR, Finding
from store.accounts import Account
from store.changes import (
    RECORDS,
    Edit,
    RowChange,
    StoreError,
    region_list,
)
from store.mappings import remember, remembered
from store.records import (
    ADMIN_DATASETS,
    KEY_COLUMNS,
    REFERENCE_DATASETS,
    STORE_DATASETS,
    frame_to_records,
    may_write,
    record_key,
)
from store.reference import read_reference

SAMPLE_ROWS = 5  # rows of a file shown under its mapping in the preview

@dataclass
class ImportPlan:
    """What publishing a file would do, computed for one user against the store as it was read."""

    user: str
    files: dict[str, str] = field(default_factory=dict)  # dataset -> file name
    findings: list[Finding] = field(default_factory=list)  # the `geo check` report of the files
    blocking: list[Finding] = field(default_factory=list)  # problems that refuse the whole import
    added: list[RowChange] = field(default_factory=list)
    changed: list[RowChange] = field(default_factory=list)
    unchanged: list[RowChange] = field(default_factory=list)
    out_of_scope: list[RowChange] = field(default_factory=list)  # refused: outside the user's régions
    missing: list[RowChange] = field(default_factory=list)  # in the store (and in scope), not in the file
    # why the missing rows may not be removed (the file holds no valid row where they lie); empty: they may
    removal_refusals: list[Finding] = field(default_factory=list)

    @property
    def removals(self) -> dict[str, int]:
        """Dataset -> how many of its records removing the missing rows deletes, in the order of the datasets."""
        counts = {kind: sum(r.dataset == kind for r in self.missing) for kind in STORE_DATASETS}
        return {kind: count for kind, count in counts.items() if count}

    @property
    def removal_text(self) -> str:
        """« 3 enregistrements (partenariats : 2, organismes hlm : 1) »: what removing the missing rows deletes."""
        kinds = ", ".join(f"{DATASETS[kind].label.lower()} : {fr.nombre(n)}" for kind, n in self.removals.items())
        return f"{fr.pluriel(len(self.missing), 'enregistrement')} ({kinds})"
    # How the files' own words were read (geo.intake): dataset -> mapping, values read from words, questions.
    mappings: dict[str, dict[str, str]] = field(default_factory=dict)
    guesses: list[intake.Guess] = field(default_factory=list)
    questions: list[intake.Question] = field(default_factory=list)
    samples: dict[str, pd.DataFrame] = field(default_factory=dict)  # dataset -> the file's first rows
    candidates: tuple[str, ...] = ()  # datasets a file could hold when its columns do not tell which

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.blocking + self.findings if f.severity == ERREUR]

    def edits(self, remove_missing: bool = False) -> list[Edit]:
        rows = self.added + self.changed + (self.missing if remove_missing else [])
        return [Edit(r.dataset, r.record_id, r.after, r.version, (self.files.get(r.dataset, ""), r.row))
                for r in rows]


def _removal_refusals(plan: ImportPlan, account: Account) -> list[Finding]:
    """A file may remove the records it does not hold only where it holds valid rows of the writer's scope: a
    missing record is removable when one of its régions has a valid row in the file (any row for a record of no
    known région). A one-row file of another région, or of one région for an administrator, removes nothing."""
    refusals = []
    for kind in plan.removals:
        valid = [r for r in plan.added + plan.changed + plan.unchanged
                 if r.dataset == kind and may_write(account, kind, r.regions)]
        covered = frozenset().union(*(r.regions for r in valid))
        kept = [r for r in plan.missing if r.dataset == kind and not (r.regions & covered if r.regions else valid)]
        if not kept:
            continue
        label = DATASETS[kind].label.lower()
        where = region_list(frozenset().union(*(r.regions for r in kept)) - covered)
        reason = ("aucune ligne valide de votre périmètre" if not valid
                  else f"aucune ligne valide dans ces régions : {where}")
        refusals.append(Finding(ERREUR, plan.files.get(kind, kind), None, None,
                                f"suppression refusée : le fichier ne contient {reason}, il ne peut donc pas "
                                f"supprimer les {fr.nombre(len(kept))} {label} de la base qui en sont absents "
                                f"(par ex. « {kept[0].record_id} »).",
                                "importez un fichier qui contient les enregistrements à garder de ces régions."))
    return refusals



class Importing:
    def plan_import(self, user: Account | str, source: Path, *, kind: str | None = None,
                    mapping: dict[str, str] | None = None, answers: dict | None = None) -> ImportPlan:
        """Preview of importing a file (any name: its dataset is told from its columns, or `kind`), a data folder
        or a zip of one: the validation report, how the file's words were read (`mapping`, by default proposed
        from its headers; `answers` to the preview's questions), then rows added, changed (cell by cell),
        unchanged, out of the user's scope, and store rows the file does not contain. Reads only."""
        source = Path(source)
        name = user.name if isinstance(user, Account) else str(user)
        plan = ImportPlan(user=name)
        options = (mapping, answers or {})
        with self.engine.connect() as conn:
            account = self._writer(conn, user)
        if source.suffix.lower() == ".zip" and source.is_file():
            with tempfile.TemporaryDirectory(prefix="carte-import-") as tmp:
                try:
                    upload.check_size(source.name, source.stat().st_size)
                    folder = upload.safe_extract(source, Path(tmp))
                except upload.UploadError as exc:
                    plan.blocking.append(Finding(ERREUR, source.name, None, None, str(exc)))
                    return plan
                return self._plan(plan, account, self._import_files(plan, folder), (None, options[1]))
        if source.is_dir():
            return self._plan(plan, account, self._import_files(plan, source), (None, options[1]))
        if not source.exists():
            plan.blocking.append(Finding(ERREUR, str(source), None, None, "fichier ou dossier introuvable."))
            return plan
        if kind is None and source.suffix.lower() in TABLE_SUFFIXES:
            kind = self._recognise(plan, source)
        if kind in REFERENCE_DATASETS or source.suffix.lower() in GEO_SUFFIXES:
            plan.blocking.append(Finding(ERREUR, source.name, None, None,
                                         "la géographie de référence (QPV, régions, départements) reste dans les "
                                         "fichiers du dossier de données : elle ne s'importe pas dans la base."))
        elif kind in STORE_DATASETS:
            return self._plan(plan, account, {kind: source}, options)
        return plan

    def _recognise(self, plan: ImportPlan, source: Path) -> str | None:
        """The dataset of one file from its columns and sheet (`geo.intake.recognise`); None, with the question
        in `plan.blocking` and the datasets it could hold in `plan.candidates`, when they do not tell."""
        try:
            raw = read_csv(source) if source.suffix.lower() in (".csv", ".txt") else read_xlsx(source, None)
        except ReadError as exc:
            plan.blocking.append(Finding(ERREUR, source.name, exc.row, exc.column, str(exc)))
            return None
        recognition = intake.recognise([c for c in raw.columns if c != ROW], raw.attrs.get("sheet"))
        if recognition.kind is None:
            plan.candidates = recognition.candidates or tuple(intake.IMPORTABLE)
            plan.blocking.append(Finding(ERREUR, source.name, None, None, recognition.message,
                                         "choisissez le jeu de données (--kind en ligne de commande)."))
        return recognition.kind

    def plan_upload(self, user: Account | str, name: str, data: bytes, **options) -> ImportPlan:
        """`plan_import` of an uploaded file (bytes from the page): size and type checked before anything else;
        `options` those of `plan_import` (kind, mapping, answers)."""
        plan = ImportPlan(user=user.name if isinstance(user, Account) else str(user))
        safe_name = Path(name).name or "fichier"
        try:
            upload.check_suffix(safe_name)
            upload.check_size(safe_name, len(data))
        except upload.UploadError as exc:
            plan.blocking.append(Finding(ERREUR, safe_name, None, None, str(exc)))
            return plan
        with tempfile.TemporaryDirectory(prefix="carte-upload-") as tmp:
            path = Path(tmp) / safe_name
            path.write_bytes(data)
            return self.plan_import(user, path, **options)

    def _import_files(self, plan: ImportPlan, folder: Path) -> dict[str, Path]:
        problems: list[Finding] = []  # a manifest that is not one or names a file outside the folder: refused
        files = find_dataset_files(folder, problems)
        plan.blocking.extend(problems)
        for kind in REFERENCE_DATASETS:
            if kind in files:
                plan.findings.append(Finding(AVERTISSEMENT, files[kind].name, None, None,
                                             "géographie de référence : ignorée par l'import (elle reste dans les "
                                             "fichiers du dossier de données)."))
        chosen = {kind: path for kind, path in files.items() if kind in STORE_DATASETS}
        if not chosen:
            plan.blocking.append(Finding(ERREUR, folder.name, None, None,
                                         "aucun fichier de régies, d'organismes, de partenariats, de déclinaisons "
                                         "ou de patrimoine dans le dossier.",
                                         "nommez les fichiers regies.csv, organismes.csv, partenariats.csv, "
                                         "declinaisons.csv, patrimoine.csv."))
        return chosen

    def _plan(self, plan: ImportPlan, account: Account, files: dict[str, Path], options: tuple) -> ImportPlan:
        parsed = {}
        known = self._known()
        for kind, path in sorted(files.items(), key=lambda item: STORE_DATASETS.index(item[0])):
            plan.files[kind] = path.name
            result = self._read_import_file(plan, kind, path, known, options)
            if result is not None:
                parsed[kind] = result
        if plan.blocking:
            return plan
        for kind, (records, raw_ids) in parsed.items():
            self._diff(plan, account, kind, records, raw_ids)
        plan.removal_refusals = _removal_refusals(plan, account)
        return plan

    def _read_import_file(self, plan: ImportPlan, kind: str, path: Path, known: intake.Known, options: tuple):
        """(records, ids present in the file even on rows in error), or None when the file is refused. `options`:
        the mapping of its columns (None: proposed) and the answers to the preview's questions."""
        name = path.name
        suffix = path.suffix.lower()
        if suffix not in TABLE_SUFFIXES:
            plan.blocking.append(Finding(ERREUR, name, None, None, "format non accepté pour des enregistrements : "
                                         "CSV (UTF-8 ou Windows-1252, « ; » ou « , ») ou XLSX."))
            return None
        formulas: list[tuple[int, str, str]] = []  # a workbook's formula cells, found in the pass that reads it
        try:
            raw = read_csv(path) if suffix in (".csv", ".txt") else read_xlsx(path, kind, formulas)
        except ReadError as exc:
            plan.blocking.append(Finding(ERREUR, name, exc.row, exc.column, str(exc)))
            return None
        wrong = upload.wrong_dataset(name, kind, [c for c in raw.columns if c != ROW])
        blocking = [wrong] if wrong else []
        blocking += upload.formula_cells(name, raw) + upload.workbook_formulas(name, formulas)
        mapping, answers = options
        if mapping is None:  # the mapping published last for these headers, else the one proposed
            mapping = remembered(self.engine, kind, [c for c in raw.columns if c not in (ROW, "geometry")])
        plan.samples[kind] = raw.drop(columns=[ROW, "geometry"], errors="ignore").head(SAMPLE_ROWS)
        read = intake.prepare(kind, raw, name, mapping, answers, known, self._placer() if kind == "regies" else None)
        plan.mappings[kind], raw = read.mapping, read.frame
        plan.guesses += read.guesses
        plan.questions += read.questions
        plan.findings += read.findings
        key_columns = KEY_COLUMNS[kind]
        key = key_columns[-1]
        raw_ids: dict[str, int] = {}
        if not blocking and all(c in raw for c in key_columns):
            for row, *values in zip(raw[ROW].tolist(), *(raw[c].tolist() for c in key_columns), strict=True):
                norm = record_key(kind, dict(zip(key_columns, values, strict=True)))
                if norm and norm in raw_ids:
                    blocking.append(Finding(ERREUR, name, row, key, f"identifiant « {norm} » en double (déjà "
                                            f"ligne {raw_ids[norm]}) : l'import est refusé.",
                                            "un identifiant ne figure qu'une fois par fichier."))
                elif norm:
                    raw_ids[norm] = row
        if blocking:
            plan.blocking.extend(blocking)
            return None
        frame, findings = clean(kind, raw, name)
        if len(frame) == 0 and not any(f.severity == ERREUR for f in plan.findings + findings):
            findings.append(Finding(ERREUR, name, None, None, "le fichier ne contient aucune ligne de données."))
        plan.findings.extend(read.in_users_words(findings))
        known.add(**{kind: frame} if kind in ("regies", "organismes") else {})
        records = frame_to_records(kind, frame)
        canonical = pd.DataFrame([record for record, _ in records.values()], dtype=object)
        canonical[ROW] = [row for _, row in records.values()]
        plan.blocking.extend(upload.formula_cells(name, canonical))  # `  =1+1` is read `=1+1`: refused as well
        return records, set(raw_ids)

    def _known(self) -> intake.Known:
        """The stored régies and organismes, which a partnership sheet may name in words."""
        frames = self.read_frames(("regies", "organismes"))
        return intake.Known.from_frames(frames["regies"][0], frames["organismes"][0])

    def _placer(self) -> intake.Placer:
        """How an import places régies without coordinates: the geocoder of the settings, the commune points and
        the reference QPV's points."""
        current = settings.current()
        return intake.Placer(current.geocoder_url, current.geocoder_timeout, geocode.commune_points(),
                             self._quartier_points)

    @cached_property
    def _quartier_points(self) -> dict[str, tuple[float, float]]:
        qpv = read_reference(self.reference_folder)["qpv"][0] if self.reference_folder else None
        return geocode.quartier_points(qpv) if qpv is not None and len(qpv) else {}

    def _diff(self, plan: ImportPlan, account: Account, kind: str, records: dict, raw_ids: set[str]) -> None:
        query = (sa.select(RECORDS.c.record_id, RECORDS.c.data, RECORDS.c.version)
                 .where(RECORDS.c.dataset == kind).order_by(RECORDS.c.seq))
        with self.engine.connect() as conn:
            stored = {r.record_id: r for r in conn.execute(query)}
        regions_of = self.geography.record_regions
        if kind in ADMIN_DATASETS and not may_write(account, kind, frozenset()):
            plan.findings.append(Finding(AVERTISSEMENT, plan.files.get(kind, kind), None, None,
                                         f"les {DATASETS[kind].label.lower()} sont modifiés par un administrateur "
                                         "national : les lignes qui les changent sont refusées."))
        for record_id, (after, row) in records.items():
            current = stored.get(record_id)
            before = current.data if current is not None else None
            version = current.version if current is not None else 0
            change = RowChange(kind, record_id, row, before, after, version, regions_of(kind, after))
            if before == after:
                plan.unchanged.append(change)
            elif not may_write(account, kind, change.regions) or (
                    before is not None and not may_write(account, kind, regions_of(kind, before))):
                plan.out_of_scope.append(change)
            else:
                (plan.added if before is None else plan.changed).append(change)
        for record_id, current in stored.items():
            if current.data is None or record_id in records or record_id in raw_ids:
                continue
            regions = regions_of(kind, current.data)
            if may_write(account, kind, regions):
                plan.missing.append(RowChange(kind, record_id, None, current.data, None, current.version, regions))

    def publish(self, plan: ImportPlan, user: Account | str, comment: str, remove_missing: bool = False,
                confirm_removal: int | None = None) -> int:
        """Apply a preview as one change set (rows in error and out of scope are never part of it); its id.
        Removing the missing rows needs `confirm_removal`, the number of records it deletes as the user typed it,
        and a file that holds valid rows where they lie (`ImportPlan.removal_refusals`)."""
        if plan.blocking:
            raise StoreError("Import refusé : " + " ; ".join(str(f) for f in plan.blocking[:3]))
        if remove_missing and plan.missing:
            if plan.removal_refusals:
                raise StoreError("Rien n'a été publié. " + " ; ".join(
                    f"{f.location} : {f.message}" for f in plan.removal_refusals))
            count = len(plan.missing)
            if confirm_removal != count:
                raise StoreError(f"Suppression non confirmée : elle supprime {plan.removal_text} ; confirmez en "
                                 f"indiquant ce nombre, {count}. Rien n'a été publié.")
        edits = plan.edits(remove_missing)
        if not edits:
            raise StoreError("Rien à publier : le fichier ne change aucun enregistrement.")
        change_set = self.write(user, comment or f"Import de {', '.join(plan.files.values())}", edits, kind="import")
        for kind, mapping in plan.mappings.items():  # the next file with these headers is read the same way
            remember(self.engine, kind, mapping, plan.user)
        return change_set
