"""The on-disk cache of the joined data (`store.snapshot`): read back as built, another key another file, two
processes starting at once build once, a corrupt, half-written or foreign file ignored, logged and rebuilt."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import textwrap
from types import MappingProxyType

import numpy as np
import pandas as pd
import pytest

from store import snapshot
from tests.paths import REPO

VALUE = {"frame": pd.DataFrame({"code": ["QN1", "QN2"], "regies": [("R1",), ()]}),
         "names": MappingProxyType({"11": "Île-de-France"}), "index": np.arange(3)}


class Builds:
    """A build that counts its calls and returns a fresh copy of VALUE."""

    def __init__(self):
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return {**VALUE, "frame": VALUE["frame"].copy()}


def files(folder, name="donnees"):
    return sorted(folder.glob(f"{name}-*.pickle"))


def same(value) -> bool:
    pd.testing.assert_frame_equal(value["frame"], VALUE["frame"])
    return dict(value["names"]) == dict(VALUE["names"]) and list(value["index"]) == [0, 1, 2]


def test_built_once_then_read_back_whole(tmp_path):
    build = Builds()
    first = snapshot.load_or_build("donnees", ("v", 1), build, tmp_path)
    second = snapshot.load_or_build("donnees", ("v", 1), build, tmp_path)
    assert build.calls == 1 and same(first) and same(second)
    assert isinstance(second["names"], MappingProxyType)  # still read-only
    assert second["frame"]["regies"].tolist() == [("R1",), ()]  # tuple cells stay tuples
    (path,) = files(tmp_path)
    assert path.stat().st_mode & 0o777 == 0o600


def test_another_key_is_another_file_and_old_ones_are_pruned(tmp_path):
    build = Builds()
    for version in range(snapshot.KEEP + 2):
        snapshot.load_or_build("donnees", ("v", version), build, tmp_path)
    assert build.calls == snapshot.KEEP + 2
    assert len(files(tmp_path)) == snapshot.KEEP
    snapshot.load_or_build("donnees", ("v", snapshot.KEEP + 1), build, tmp_path)  # the newest is kept
    assert build.calls == snapshot.KEEP + 2


def test_the_code_is_part_of_the_key(monkeypatch):
    before = snapshot.key_digest(("v", 1))
    monkeypatch.setattr(snapshot, "code_fingerprint", lambda: "autre code")
    assert snapshot.key_digest(("v", 1)) != before


def corrupt_variants(data: bytes) -> dict[str, bytes]:
    flipped = bytearray(data)
    flipped[-10] ^= 0xFF
    return {"half-written": data[:len(data) // 2], "flipped byte": bytes(flipped), "empty": b"",
            "not a snapshot": b"\x80\x05garbage", "header only": snapshot.MAGIC}


@pytest.mark.parametrize("variant", list(corrupt_variants(b"x" * 64)))
def test_a_corrupt_file_is_ignored_logged_and_rebuilt(tmp_path, caplog, variant):
    build = Builds()
    snapshot.load_or_build("donnees", ("v", 1), build, tmp_path)
    (path,) = files(tmp_path)
    path.write_bytes(corrupt_variants(path.read_bytes())[variant])
    with caplog.at_level(logging.WARNING, logger="carte.snapshot"):
        value = snapshot.load_or_build("donnees", ("v", 1), build, tmp_path)
    assert build.calls == 2 and same(value)  # the build's value, never what the file held
    (record,) = caplog.records
    assert record.getMessage().startswith(f"Cache {path.name} ignoré (") and record.getMessage().endswith(
        ") : reconstruit.")
    assert same(snapshot._read(path))  # and the file is whole again


def test_a_file_others_may_write_is_not_read(tmp_path, caplog):
    build = Builds()
    snapshot.load_or_build("donnees", ("v", 1), build, tmp_path)
    (path,) = files(tmp_path)
    os.chmod(path, 0o666)
    with caplog.at_level(logging.WARNING, logger="carte.snapshot"):
        snapshot.load_or_build("donnees", ("v", 1), build, tmp_path)
    assert build.calls == 2 and "modifiable par d'autres" in caplog.text
    assert path.stat().st_mode & 0o777 == 0o600


def test_a_folder_that_cannot_be_written_still_gives_the_value(tmp_path, caplog):
    blocker = tmp_path / "fichier"
    blocker.write_text("")  # the cache folder would be under a file: neither lock nor file can be made
    build = Builds()
    with caplog.at_level(logging.WARNING, logger="carte.snapshot"):
        value = snapshot.load_or_build("donnees", ("v", 1), build, blocker / "cache")
    assert same(value) and build.calls == 1
    assert "sans verrou" in caplog.text and "non écrit" in caplog.text


def test_a_value_that_cannot_be_stored_is_returned_and_logged(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="carte.snapshot"):
        value = snapshot.load_or_build("donnees", ("v", 1), lambda: {"f": lambda: 1}, tmp_path)
    assert callable(value["f"]) and files(tmp_path) == [] and "non écrit" in caplog.text


WORKER = textwrap.dedent("""
    import json, sys, time
    from pathlib import Path
    from store import snapshot

    folder, start, log = Path(sys.argv[1]), float(sys.argv[2]), Path(sys.argv[3])
    while time.time() < start:  # both processes ask at the same moment
        time.sleep(0.001)

    def build():
        with open(log, "a") as handle:
            handle.write("built\\n")
        time.sleep(0.5)  # long enough for the other process to ask meanwhile
        return {"rows": list(range(1000))}

    value = snapshot.load_or_build("donnees", ("v", 1), build, folder)
    print(json.dumps(len(value["rows"])))
""")


def test_two_processes_starting_at_once_build_once_and_leave_one_valid_file(tmp_path):
    import time

    log = tmp_path / "builds.log"
    start = time.time() + 3  # both interpreters started and waiting by then
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, str(tmp_path / "cache"), str(start), str(log)],
                              cwd=REPO, stdout=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [json.loads(p.communicate(timeout=120)[0]) for p in procs]
    assert [p.returncode for p in procs] == [0, 0] and outputs == [1000, 1000]
    assert log.read_text() == "built\n"
    (path,) = files(tmp_path / "cache")
    assert snapshot._read(path) == {"rows": list(range(1000))}
    assert not list((tmp_path / "cache").glob(".*.part"))  # no temporary file left behind
