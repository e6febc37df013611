"""CSV that is safe to open in a spreadsheet.

    from bot.reports.csv import csv_cell, csv_text

    text = csv_text(["name", "note"], [["Ben", "=1+1"]])   # the note is written as '=1+1
    content = text.encode("utf-8-sig")                       # the BOM makes Excel read it as UTF-8

`csv_cell` turns one value into the text of a cell: None is empty, lists and dicts are JSON, and typed text that
starts like a formula gets a leading apostrophe so it can never run. Starting like a formula means: =, +, -, @,
tab or carriage return first; or one of = + - @ after leading spaces, tabs, line breaks or invisible characters;
or a look-alike of one (full-width ＝ ＋ － ＠, small ﹦ ﹢ ﹣ ﹫, the minus sign −), which a spreadsheet may take as
the real sign.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# What a spreadsheet may skip before a formula: whitespace and invisible characters (zero-width spaces, joiners, BOM).
_LEADING_BLANKS = re.compile(r"^[\s\u200b\u200c\u200d\u2060\ufeff]+")
_MINUS_SIGN = "\u2212"  # not folded by NFKC


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet could read `text` as a formula (see the module's docstring)."""
    if text.startswith(FORMULA_START):
        return True
    # NFKC folds the full-width and small forms (and odd spaces) into the plain ones.
    folded = unicodedata.normalize("NFKC", text).replace(_MINUS_SIGN, "-")
    return _LEADING_BLANKS.sub("", folded).startswith(FORMULA_START)


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    text = str(value)
    # Typed text opened in a spreadsheet must never run as a formula.
    return "'" + text if isinstance(value, str) and looks_like_formula(text) else text


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A whole CSV document: the header, then each row's values through `csv_cell`."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return out.getvalue()
