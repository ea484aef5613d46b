"""Shared datasets: what every session shares cannot be changed through what one caller receives."""

from __future__ import annotations

import pytest

from geo.datasets import frozen, handed_out


def test_frozen_turns_list_cells_into_tuples_and_leaves_the_original(ds):
    lists = ds.partenariats["qpv"].tolist()
    shared = frozen(ds)
    assert all(type(cell) is tuple for cell in shared.partenariats["qpv"])
    assert all(type(cell) is tuple for cell in shared.regies["qpv_couverts"])
    assert [list(cell) for cell in shared.partenariats["qpv"]] == lists
    assert ds.partenariats["qpv"].tolist() == lists and all(type(cell) is list for cell in lists)
    with pytest.raises(AttributeError):
        shared.partenariats["qpv"].iloc[0].append("QN99999Z")


def test_a_write_to_what_a_caller_received_leaves_the_shared_datasets(ds):
    shared = frozen(ds)
    name = shared.regies["nom"].iloc[0]
    mine = handed_out(shared)
    mine.regies.loc[mine.regies.index[0], "nom"] = "changé"
    mine.partenariats["nouvelle"] = 1
    mine.findings.append("une remarque")
    assert shared.regies["nom"].iloc[0] == name
    assert "nouvelle" not in shared.partenariats.columns
    assert "une remarque" not in shared.findings
    assert handed_out(shared).regies["nom"].iloc[0] == name
