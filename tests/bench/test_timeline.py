"""The date bench's data: the demo ×10 keeps every partnership and its history, under new ids; its targets."""

from bench.timeline import DEMO, scaled
from geo import timeline
from geo.load import load_folder


def test_ten_times_the_partnerships_and_their_history():
    datasets = load_folder(DEMO)
    history, _ = timeline.read_demo_history(datasets)
    bigger, longer = scaled(datasets, history, 10)
    assert len(bigger.partenariats) == 10 * len(datasets.partenariats)
    assert bigger.partenariats["id_partenariat"].is_unique
    assert len(longer) == 10 * len(history) and longer["jour"].is_monotonic_increasing
    assert set(longer["id_partenariat"]) <= set(bigger.partenariats["id_partenariat"])
    same = scaled(datasets, history, 1)
    assert same[0] is datasets and same[1] is history


def test_the_targets_are_checked():
    from bench.__main__ import table, targets

    results = {"timeline": {"x1": {"median_ms": 40.0, "max_ms": 90.0, "runs": 16, "partenariats": 650,
                                   "follow_up_ms": 500.0, "follow_up_quarters": 10},
                            "x10": {"median_ms": 1200.0, "max_ms": 1500.0, "runs": 16, "partenariats": 6500,
                                    "follow_up_ms": 900.0, "follow_up_quarters": 10},
                            "app": {"date_change_median_ms": 300.0, "date_change_max_ms": 600.0, "date_changes": 5,
                                    "suivi_warm_median_ms": 80.0, "suivi_warm_runs": 10},
                            "report": {"year": 2025, "report_s": 16.0}}}
    checks = {c["target"]: c for c in targets(results)}
    assert checks["timeline_ms_x1"]["ok"] is True and checks["timeline_ms_x10"]["ok"] is False
    assert checks["timeline_ms_x10"]["limit"] == 1000
    assert checks["suivi_warm_ms"]["ok"] is True and checks["bilan_s"]["ok"] is False
    results["targets"] = list(checks.values())
    assert "Changement de date" in table(results) and "NON" in table(results)
    assert "Rerun chaud de /suivi" in table(results) and "Bilan annuel 2025" in table(results)
