"""The list `bench.intake` previews is the federation's layout, 2 000 rows, each naming a QPV of its commune."""

from __future__ import annotations

import pandas as pd

from bench.intake import HEADER, ROWS, write_list
from geo import intake
from tests.paths import REPO


def test_the_bench_list_is_a_federation_list_of_2000_regies(tmp_path):
    path = tmp_path / "liste.csv"
    assert write_list(path) == ROWS
    frame = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False)
    assert list(frame.columns) == HEADER and len(frame) == ROWS and frame["Nom de la régie"].is_unique
    assert intake.recognise(HEADER).kind == "regies"
    pairs = pd.read_csv(REPO / "data" / "ref" / "qpv2024_communes.csv", dtype=str, keep_default_na=False)
    assert set(frame["Quartiers d'intervention"]) <= set(pairs["lib_qp"].str.lower())
    assert (frame["Nb salariés"] == "").sum() == ROWS // 6
