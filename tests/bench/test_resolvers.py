"""The rows of the resolvers' bench: as many as announced, the same each run, written as people write them."""

import numpy as np

from bench.common import SEED
from bench.resolvers import ROWS, commune_rows, qpv_rows


def test_rows_are_reproducible_and_varied():
    names, postal = commune_rows(np.random.default_rng(SEED))
    cells, around = qpv_rows(np.random.default_rng(SEED))
    assert len(names) == len(postal) == len(cells) == len(around) == ROWS
    assert (names, postal) == commune_rows(np.random.default_rng(SEED))
    assert names[:3] == ["Paris 1e", "Paris 2e", "Paris 3e"]
    assert any(n.isupper() for n in names) and any(n.startswith("St-") for n in names)
    assert any(len(p) == 4 for p in postal)  # a lost leading zero
    assert all(c.startswith("QP") for c in cells[3::4]) and all(len(a) == 1 for a in around)  # 2015 codes
