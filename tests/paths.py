"""Where the tests find the committed fixtures and, when present, the workplace's real public files (passed by path,
never copied into the repository; a fresh clone has none)."""

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
QPV2015_EXTRACT = FIXTURES / "qpv2015_occitanie_extrait.geojson"  # 8 real QPV perimeters, see fixtures/SOURCES.md
SHARED_DATA = Path(os.environ.get("CARTE_SHARED_DATA") or REPO.parent / "shared" / "data")
