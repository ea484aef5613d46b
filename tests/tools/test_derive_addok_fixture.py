"""The geocoder's address fixture: its constructed part comes out of data/ref byte for byte, its real part is the
BAN records named in tools/derive_addok_fixture.py, and every record has what addok's import needs."""

from __future__ import annotations

import json

from tests.paths import FIXTURES
from tools import derive_addok_fixture

LINES = (FIXTURES / derive_addok_fixture.FIXTURE).read_text(encoding="utf-8").splitlines()


def test_the_constructed_records_are_reproducible():
    constructed = derive_addok_fixture.constructed_lines()
    assert LINES[-len(constructed):] == constructed


def test_the_real_records_come_first_in_the_samples_order():
    real = [json.loads(line)["id"] for line in LINES[: len(derive_addok_fixture.REAL_IDS)]]
    assert real == list(derive_addok_fixture.REAL_IDS)
    assert len(LINES) == len(derive_addok_fixture.REAL_IDS) + len(derive_addok_fixture.constructed_lines())


def test_every_record_is_in_addoks_import_format():
    for line in LINES:
        record = json.loads(line)
        assert record["type"] in ("municipality", "street") and record["name"] and 0 < record["importance"] < 1
        assert -90 <= record["lat"] <= 90 and -180 <= record["lon"] <= 180, record["id"]
        for number, spot in record.get("housenumbers", {}).items():
            assert spot["id"].startswith(record["id"]) and -90 <= spot["lat"] <= 90, (record["id"], number)
