"""Reading a link's parameters: each value the page can use is kept, each other one is dropped with a French notice
that says why. The one idiom of the URL codecs of the filters (`dashboard.filters_url`) and of the map's view
(`dashboard.map_state`); nothing here raises on what a link holds. No Streamlit import: pure, unit-tested.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import TypeVar

T = TypeVar("T")
SEPARATORS = re.compile(r"[,;|]")


class Dropped(ValueError):
    """A value of the URL the page cannot use; its message is the French notice shown to the user."""


def keep(values: Iterable[str], resolve: Callable[[str], T], notices: list[str]) -> list[T]:
    """What `resolve` makes of each value, in order; a value it refuses (raising `Dropped`) leaves its notice in
    `notices` instead."""
    kept = []
    for value in values:
        try:
            kept.append(resolve(value))
        except Dropped as dropped:
            notices.append(str(dropped))
    return kept


def keep_one(value: str | None, resolve: Callable[[str], T], notices: list[str]) -> T | None:
    """`keep` for a parameter read once: None when it is absent, empty or refused."""
    kept = keep([value] if value else [], resolve, notices)
    return kept[0] if kept else None


def reader(params: Mapping[str, str | list[str]] | None) -> Callable[..., list[str]]:
    """A reader of the parameters, copied first into a plain dict (Streamlit's `st.query_params` included: its
    `get_all` gives every value of a repeated key). Raises when `params` is not a mapping.

    `get(*keys, split=True)`: the non-blank values of these keys (spellings of one parameter), each cut at commas,
    semicolons and bars unless `split` is False, stripped.
    """
    data: dict[str, object] = {}
    if params is not None:
        get_all = getattr(params, "get_all", None)
        for key in list(params.keys()):
            data[str(key)] = get_all(key) if callable(get_all) else params[key]

    def get(*keys: str, split: bool = True) -> list[str]:
        out: list[str] = []
        for key in keys:
            raw = data.get(key)
            if raw is None:
                continue
            values = [raw] if isinstance(raw, str) else list(raw) if isinstance(raw, (list, tuple)) else [raw]
            for value in values:
                if value is None:
                    continue
                pieces = SEPARATORS.split(str(value)) if split else [str(value)]
                out.extend(p.strip() for p in pieces if p.strip())
        return out

    return get
