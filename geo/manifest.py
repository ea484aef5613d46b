"""`manifest.json`: what each file of a data folder is, where it comes from, and whether it is demo data.

The interface reads it to label demo data and to fill the "Données et sources" page; `fetch` and `demo` write it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import MISSING, asdict, dataclass, field, fields
from pathlib import Path

from geo import fr, limits
from geo.schema import is_blank

MANIFEST_NAME = "manifest.json"


@dataclass
class DatasetRecord:
    file: str
    source: str
    licence: str
    date: str  # ISO date the file was fetched or generated
    rows: int
    sha256: str
    demo: bool = False
    url: str = ""
    note: str = ""


@dataclass
class Manifest:
    demo: bool = False
    title: str = ""
    datasets: dict[str, DatasetRecord] = field(default_factory=dict)
    # ISO day of the convention's signature this folder assumes: the demo's own, fictional date (labelled demo
    # wherever shown). A deployment sets CARTE_DATE_SIGNATURE instead; "" when the folder says nothing.
    signature_date: str = ""

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_dict(cls, raw: dict) -> Manifest:
        records = {name: DatasetRecord(**rec) for name, rec in (raw.get("datasets") or {}).items()}
        return cls(demo=bool(raw.get("demo", False)), title=str(raw.get("title", "")), datasets=records,
                   signature_date=str(raw.get("signature_date") or ""))


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def csv_bytes(columns: Sequence[str], rows: Iterable[Mapping | Sequence], *, delimiter: str = ";",
              bom: bool = True) -> bytes:
    """A CSV file as the app writes its data files: `;`-separated UTF-8 with a BOM (what French spreadsheets open),
    a header row, then each row (a mapping by column, or a sequence in column order) with blank cells empty
    (`schema.is_blank`). The reference files (`tools/derive_reference.py`) are comma-separated without BOM."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        cells = [row.get(c) for c in columns] if isinstance(row, Mapping) else list(row)
        writer.writerow(["" if is_blank(cell) else cell for cell in cells])
    return (("\ufeff" if bom else "") + buffer.getvalue()).encode("utf-8")


def atomic_write_bytes(path: Path, data: bytes, private: bool = False) -> None:
    """Write next to the target then rename: a reader never sees a half-written file. `private`: readable and
    writable by the owner only (0600, as mkstemp creates it), else the usual permissions."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    if not private:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600: give the file the usual permissions
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _record_problem(name: object, record: object) -> str | None:
    """Why one entry of `datasets` is not a `DatasetRecord`, or None."""
    if not isinstance(record, dict):
        return f"l'entrée « {name} » de « datasets » n'est pas un objet JSON"
    types = {f.name: f.type for f in fields(DatasetRecord)}
    for key, value in record.items():
        expected = types.get(key)
        if expected is None:
            return f"l'entrée « {name} » a un champ inconnu « {key} »"
        valid = (isinstance(value, bool) if expected == "bool" else
                 isinstance(value, int) and not isinstance(value, bool) if expected == "int" else
                 isinstance(value, str))
        if not valid:
            what = {"bool": "true ou false", "int": "un nombre entier"}.get(expected, "un texte")
            return f"le champ « {key} » de l'entrée « {name} » doit être {what}"
    missing = [f.name for f in fields(DatasetRecord)
               if f.default is MISSING and f.default_factory is MISSING and f.name not in record]
    if missing:
        return f"l'entrée « {name} » n'a pas de champ « {missing[0]} »"
    return None


def _shape_problem(raw: object) -> str | None:
    """Why a parsed manifest.json is not one, or None: the readers would otherwise fail on it with a traceback."""
    if not isinstance(raw, dict):
        return "un objet JSON est attendu ({\"datasets\": {…}})"
    if not isinstance(raw.get("title", ""), str):
        return "le champ « title » doit être un texte"
    if not isinstance(raw.get("demo", False), bool):
        return "le champ « demo » doit être true ou false"
    datasets = raw.get("datasets") if raw.get("datasets") is not None else {}
    if not isinstance(datasets, dict):
        return "le champ « datasets » doit être un objet JSON (un jeu de données par clé)"
    return next(filter(None, (_record_problem(name, record) for name, record in datasets.items())), None)


def load_manifest(folder: Path) -> tuple[Manifest | None, str | None]:
    """The folder's manifest (None without one) and, when it cannot be used, why: a French sentence naming
    manifest.json (the manifest is then ignored). Bounded: a manifest is a few kilobytes."""
    path = Path(folder) / MANIFEST_NAME
    if not path.exists():
        return None, None
    unusable = f"le fichier {MANIFEST_NAME} est ignoré : "
    if not path.is_file():
        return None, unusable + "ce n'est pas un fichier."
    if not path.resolve().is_relative_to(Path(folder).resolve()):
        return None, unusable + "c'est un lien vers un fichier hors du dossier de données."
    size = path.stat().st_size
    if size > limits.MAX_MANIFEST_BYTES:
        return None, unusable + (f"il fait {fr.octets(size)}, un manifeste en fait quelques Ko (au plus "
                                 f"{fr.octets(limits.MAX_MANIFEST_BYTES)}).")
    try:
        raw = json.loads(path.read_bytes().decode("utf-8"))
    except OSError as exc:
        return None, unusable + f"il ne peut pas être lu ({exc.strerror or exc})."
    except (ValueError, RecursionError) as exc:  # RecursionError: nesting deeper than the interpreter's stack
        reason = "imbrication trop profonde" if isinstance(exc, RecursionError) else str(exc)
        return None, unusable + f"ce n'est pas du JSON valide ({reason})."
    problem = _shape_problem(raw)
    if problem:
        return None, unusable + problem + "."
    return Manifest.from_dict(raw), None


def read_manifest(folder: Path) -> Manifest | None:
    """The folder's manifest, None without a usable one (`load_manifest` says why)."""
    return load_manifest(folder)[0]


def write_manifest(folder: Path, manifest: Manifest) -> Path:
    path = Path(folder) / MANIFEST_NAME
    atomic_write_bytes(path, manifest.to_json().encode("utf-8"))
    return path
