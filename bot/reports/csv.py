"""CSV that is safe to open in a spreadsheet.

    from bot.reports.csv import csv_cell, csv_text

    text = csv_text(["name", "note"], [["Ben", "=1+1"]])   # the note is written as '=1+1
    content = text.encode("utf-8-sig")                       # the BOM makes Excel read it as UTF-8

`csv_cell` turns one value into the text of a cell: None is empty, lists and dicts are JSON, and typed text that
starts like a formula (=, +, -, @, tab, carriage return) gets a leading apostrophe so it can never run.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    text = str(value)
    # Typed text opened in a spreadsheet must never run as a formula.
    return "'" + text if isinstance(value, str) and text.startswith(FORMULA_START) else text


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A whole CSV document: the header, then each row's values through `csv_cell`."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return out.getvalue()
