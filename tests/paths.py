"""Where the tests find the workplace's real public files (passed by path, never copied into the repository)."""

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("CARTE_SHARED_DATA") or REPO.parent / "shared" / "data")
