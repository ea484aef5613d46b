"""Column mappings remembered in the store for files with the same headers (store.mappings): read back by another
connection to the same base, as another process or a restart would, and only while they still fit the headers."""

from __future__ import annotations

import pytest

from store import Store, mappings

HEADERS = ["Nom de la régie", "Adresse", "CP", "Ville", "Quartiers d'intervention", "Équipe", "Nb bénévoles"]


def test_a_mapping_is_read_back_by_another_store_on_the_same_base(store, store_url, data_folder):
    chosen = {h: "ignorer" for h in HEADERS} | {"Nom de la régie": "nom", "Ville": "commune", "Équipe": "salaries"}
    mappings.remember(store.engine, "regies", chosen, "adm")
    mappings.remember(store.engine, "regies", chosen | {"Adresse": "adresse"}, "adm")  # the last one wins
    other = Store.open(store_url, reference_folder=data_folder)
    try:
        assert mappings.remembered(other.engine, "regies", HEADERS) == chosen | {"Adresse": "adresse"}
        assert mappings.remembered(other.engine, "organismes", HEADERS) is None
        assert mappings.remembered(other.engine, "regies", HEADERS[:-1]) is None
    finally:
        other.close()


def test_a_mapping_that_does_not_hold_is_not_remembered(store):
    with pytest.raises(ValueError, match="champ « inexistant » inconnu"):
        mappings.remember(store.engine, "regies", {"CP": "inexistant"}, "adm")
    assert mappings.remembered(store.engine, "regies", ["CP"]) is None

