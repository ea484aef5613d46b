"""`manifest.json`: what each file of a data folder is, where it comes from, and whether it is demo data.

The interface reads it to label demo data and to fill the "Données et sources" page; `fetch` and `demo` write it.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

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


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write next to the target then rename: a reader never sees a half-written file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
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


def read_manifest(folder: Path) -> Manifest | None:
    path = Path(folder) / MANIFEST_NAME
    if not path.exists():
        return None
    try:
        return Manifest.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, TypeError):
        return None


def write_manifest(folder: Path, manifest: Manifest) -> Path:
    path = Path(folder) / MANIFEST_NAME
    atomic_write_bytes(path, manifest.to_json().encode("utf-8"))
    return path
