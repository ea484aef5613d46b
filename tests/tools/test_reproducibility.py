"""The committed files derived from the workplace's public files come out byte for byte from them.

Only where those files are present (../shared/data, or CARTE_SHARED_DATA); a fresh clone has none, and this module
then says plainly that it did not run. Every other test uses committed files only.
"""

from __future__ import annotations

import pytest

from tests.paths import FIXTURES, REPO, SHARED_DATA
from tools import derive_fixtures, derive_reference

if not SHARED_DATA.is_dir():
    pytest.skip(f"non exécuté : fichiers publics absents ({SHARED_DATA}) : la reproductibilité de data/ref et de "
                "tests/fixtures n'est vérifiée que là où ils sont (ou avec CARTE_SHARED_DATA=<dossier>).",
                allow_module_level=True)


def test_reference_tables_are_reproducible(tmp_path):
    written = derive_reference.derive(SHARED_DATA, tmp_path)
    committed = sorted((REPO / "data" / "ref").iterdir())
    assert set(written) == {p.name for p in committed} - set(derive_reference.TRANSCRIBED)
    for path in committed:
        if path.name not in derive_reference.TRANSCRIBED:
            assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name


def test_qpv_fixture_is_reproducible():
    fixture = FIXTURES / derive_fixtures.FIXTURE
    assert derive_fixtures.extract(SHARED_DATA / derive_fixtures.SOURCE) == fixture.read_text(encoding="utf-8")
