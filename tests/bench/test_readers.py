"""The parts of `bench.readers` that do not time anything: what a read reports, which `geo` a case runs, the
table's figures."""

from __future__ import annotations

from bench import readers
from bench.__main__ import _read_figure, targets
from bench.common import REPO
from tests.geo import hostile


def test_the_manifest_case_counts_the_rows_read_from_outside(tmp_path):
    folder = hostile.escaping_manifest_folder(tmp_path / "donnees", tmp_path / "ailleurs")
    assert readers.read_case("manifest_escape", folder, None) == ("0 ligne(s) lue(s) hors du dossier, 2 erreur(s) "
                                                                   "sur manifest.json")


def test_a_case_runs_the_geo_of_its_working_directory_and_stops_at_the_budget(tmp_path):
    path = hostile.one_line_csv(tmp_path / "partenariats.csv", 1000)
    run = readers.run_case("csv_one_line_32kib", path, "partenariats", REPO, budget=120)
    assert run["geo"] == str(REPO / "geo") and run["outcome"].startswith("refusé : Le fichier « partenariats.csv »")
    assert readers.extract_before("0" * 40, tmp_path / "avant").startswith("git archive " + "0" * 40)


def test_a_read_is_shown_with_its_time_outcome_and_memory():
    assert _read_figure({"s": 0.04, "outcome": "refusé : Le fichier « a.csv » …", "added_rss_mb": 19.9}) == \
        "0.040 s (refusé, +19.9 Mo)"
    assert _read_figure({"s": None, "outcome": "arrêté après 10 s"}) == "arrêté après 10 s"
    results = {"readers": {"cases": {"csv_one_line_10mib": {"after": {"s": 0.04}}}}}
    assert [c for c in targets(results) if c["target"] == "readers_one_line_csv_s"] == [
        {"target": "readers_one_line_csv_s", "measured": 0.04, "limit": 1, "unit": "s", "ok": True}]
