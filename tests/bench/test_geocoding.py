"""The geocoding bench's rows: 2 000, drawn from every fixture address, written as users write them."""

from bench import geocoding


def test_two_thousand_rows_from_every_fixture_street():
    rows = geocoding.rows()
    assert len(rows) == 2000
    assert {"12 Rue Riquet", "12 rue riquet", "999 Rue Riquet", "3 Rue Cyrille LOUISON", "5 allee bellevue"} <= {
        row.adresse for row in rows}
    paris = next(row for row in rows if row.adresse == "12 Rue Riquet")
    assert (paris.code_postal, paris.insee_com, paris.commune) == ("75019", "75056", "Paris")
    assert all(row.latitude is None for row in rows)


def test_the_target_is_checked():
    from bench.__main__ import targets

    checks = {c["target"]: c for c in targets({"geocoding": {"geocode_s": 3.2}})}
    assert checks["geocoding_2000_s"] == {"target": "geocoding_2000_s", "measured": 3.2, "limit": 7, "unit": "s",
                                          "ok": True}
