"""The print-only tables: every row, text escaped, numbers in French."""

from __future__ import annotations

import re

import pandas as pd

from ui.printing import print_table


def test_every_row_is_printed_with_labels_in_order():
    frame = pd.DataFrame({"code": [f"QN{i:03d}" for i in range(159)], "pop": range(159), "skip": 0})
    html = print_table(frame, {"code": "Code", "pop": "Population"})
    assert html.count("<tr>") == 160  # header and 159 rows
    assert re.search(r"<thead><tr><th>Code</th><th>Population</th></tr></thead>", html)
    assert "skip" not in html and "QN158" in html


def test_text_is_escaped_and_numbers_french():
    frame = pd.DataFrame({"nom": ["<img src=x onerror=alert(1)>", None],
                          "population": pd.array([12500, pd.NA], dtype="Int64")})
    html = print_table(frame, {"nom": "Nom", "population": "Population"})
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert '<td class="nombre">12\u202f500</td>' in html and '<td class="nombre">—</td>' in html
    assert "<td></td>" in html  # a missing text is left blank, not "None"
