"""Fuzzing the readers (issue 15): honest files of each format broken in seeded ways (random bytes, truncated, bytes
replaced, a long line spliced in, deep nesting, a slice repeated), a fixed number of cases. Reading each ends in a
clean parse or a French message naming the file (`ReadError`, `UploadError`, findings), never another exception;
each case is bounded by a timeout (pytest-timeout), not by an asserted time."""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from geo import upload
from geo.io import ReadError, read_any, read_xlsx
from geo.load import find_dataset_files, load_file, load_folder
from tests.paths import QPV2015_EXTRACT

SEED = 15
DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"


def _honest_files() -> dict[str, bytes]:
    """One small honest file of each format the readers meet, by the name it is read under."""
    regies = "\n".join((DEMO / "regies.csv").read_text(encoding="utf-8-sig").splitlines()[:30]) + "\n"
    partenariats = pd.read_csv(DEMO / "partenariats.csv", sep=";", dtype=str, keep_default_na=False,
                               encoding="utf-8-sig").head(40)
    workbook = io.BytesIO()
    partenariats.to_excel(workbook, index=False, sheet_name="partenariats")
    folder = io.BytesIO()
    with zipfile.ZipFile(folder, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("donnees/regies.csv", regies)
        zf.writestr("donnees/partenariats.csv", partenariats.to_csv(sep=";", index=False))
        zf.writestr("donnees/manifest.json", (DEMO / "manifest.json").read_bytes())
    return {"regies.csv": regies.encode("utf-8"), "partenariats.xlsx": workbook.getvalue(),
            "qpv.geojson": QPV2015_EXTRACT.read_bytes(), "envoi.zip": folder.getvalue(),
            "manifest.json": (DEMO / "manifest.json").read_bytes()}


HONEST = _honest_files()


def random_bytes(data: bytes, rng: random.Random) -> bytes:
    return rng.randbytes(rng.randrange(0, 20_000))


def truncated(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(0, len(data))]


def bytes_replaced(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randrange(1, 20)):
        out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def long_line(data: bytes, rng: random.Random) -> bytes:
    at = rng.randrange(len(data))
    return data[:at] + rng.choice([b';"x', b"x", b'"', b";"]) * rng.randrange(30_000, 400_000) + data[at:]


def deep_nesting(data: bytes, rng: random.Random) -> bytes:
    depth = rng.randrange(1_000, 200_000)
    if rng.random() < 0.5:  # inside a GeoJSON feature's coordinates or a manifest's record
        return (b'{"type": "FeatureCollection", "datasets": {"regies": ' + b'{"a": ' * depth + b"1" + b"}" * depth
                + b'}, "features": [{"type": "Feature", "geometry": {"type": "Polygon", "coordinates": '
                + b"[" * depth + b"]" * depth + b"}}]}")
    at = rng.randrange(len(data))
    return data[:at] + b"[" * depth + data[at:]


def slice_repeated(data: bytes, rng: random.Random) -> bytes:
    start = rng.randrange(len(data))
    piece = data[start: start + rng.randrange(1, 200)]
    return data[:start] + piece * rng.randrange(2, 20_000) + data[start:]


MUTATIONS = (random_bytes, truncated, bytes_replaced, long_line, deep_nesting, slice_repeated)
CASES = [(name, mutation, run) for run in range(2) for name in HONEST for mutation in MUTATIONS]


def assert_names(message: str, name: str) -> None:
    assert f"« {name} »" in message or name in message, message
    assert "Traceback" not in message


def check_findings(findings, names: set[str]) -> None:
    for finding in findings:
        assert finding.severity in ("erreur", "avertissement")
        assert isinstance(finding.message, str) and finding.message
        assert finding.file in names or finding.file.endswith(".*"), finding


def read_file(path: Path) -> None:
    try:
        read_any(path)
    except ReadError as exc:
        assert_names(str(exc), path.name)
    _, _, findings = load_file(path)
    check_findings(findings, {path.name})
    if path.suffix == ".xlsx":
        try:
            read_xlsx(path, "partenariats", [])
        except ReadError as exc:
            assert_names(str(exc), path.name)


def read_folder(folder: Path) -> None:
    found: list = []
    files = find_dataset_files(folder, found)
    datasets = load_folder(folder)
    names = {"manifest.json", *(p.name for p in folder.iterdir()), *(p.name for p in files.values())}
    check_findings(found + datasets.findings, names | {str(folder)})


@pytest.mark.timeout(60)
@pytest.mark.filterwarnings("ignore::RuntimeWarning:pyogrio")  # GDAL describing the broken GeoJSON it meets
@pytest.mark.filterwarnings("ignore:Could not parse column:UserWarning:pyogrio")
@pytest.mark.parametrize(("name", "mutation", "run"), CASES,
                         ids=[f"{n}-{m.__name__}-{r}" for n, m, r in CASES])
def test_a_broken_file_parses_or_gets_a_french_message(tmp_path, name, mutation, run):
    rng = random.Random(f"{SEED}-{name}-{mutation.__name__}-{run}")
    data = mutation(HONEST[name], rng)
    if name == "manifest.json":
        folder = tmp_path / "donnees"
        folder.mkdir()
        (folder / "regies.csv").write_bytes(HONEST["regies.csv"])
        (folder / name).write_bytes(data)
        read_folder(folder)
        return
    path = tmp_path / name
    path.write_bytes(data)
    if name != "envoi.zip":
        read_file(path)
        return
    read_file(path)  # a .zip is read as a shapefile by `geo check`
    (tmp_path / "extrait").mkdir()
    try:
        folder = upload.safe_extract(path, tmp_path / "extrait")
    except upload.UploadError as exc:
        assert_names(str(exc), name)
        return
    read_folder(folder)
