"""Reading a school's roster file: mentor email, mentee email, mentee kind, start date, and (optional) the
end of the mentee's probation."""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

from bot.core.errors import InvalidInput
from bot.core.vocabulary import KIND_WORDS as KINDS
from bot.roster.service import ImportRow

DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y")


def parse_date(raw: str) -> date | None:
    """A date as a school writes it: 2026-09-01, 01/09/2026, 01/09/26 or 01-09-2026."""
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    return None


def read_roster_csv(path: Path) -> list[ImportRow]:
    """Every row read, each carrying its format problems: the import reports them with every other problem
    (unknown emails, duplicates) in one pass."""
    try:
        text = path.read_text(encoding="utf-8-sig")  # Excel saves CSV with a byte-order mark
    except FileNotFoundError:
        raise InvalidInput(f"There is no file at {path}.") from None
    except UnicodeDecodeError:
        raise InvalidInput(f"{path} is not UTF-8 text: save it from your spreadsheet as 'CSV UTF-8'.") from None

    rows: list[ImportRow] = []
    for line, cells in enumerate(csv.reader(text.splitlines()), start=1):
        cells = [cell.strip() for cell in cells]
        if not any(cells) or (line == 1 and "@" not in cells[0]):
            continue  # blank line, or the header row
        if len(cells) not in (4, 5):
            shape = (
                "expected 4 or 5 columns (mentor email, mentee email, kind, start date, "
                "and optionally the probation end date)"
            )
            rows.append(ImportRow(line, "", "", None, None, (shape,)))
            continue
        mentor, mentee, kind, start = cells[:4]
        probation = cells[4] if len(cells) == 5 else ""
        row_problems = []
        for label, email in (("mentor", mentor), ("mentee", mentee)):
            if "@" not in email:
                row_problems.append(f"the {label} email “{email}” is not an email address")
        if kind.lower() not in KINDS:
            row_problems.append(f"the kind “{kind}” must be trainee, ect or staff")
        start_date = parse_date(start)
        if start_date is None:
            row_problems.append(f"the start date “{start}” must look like 2026-09-01 or 01/09/2026")
        probation_end = parse_date(probation) if probation else None
        if probation and probation_end is None:
            row_problems.append(f"the probation end date “{probation}” must look like 2027-07-16 or 16/07/2027")
        elif probation_end and start_date and probation_end <= start_date:
            row_problems.append("the probation end date must be after the start date")
        kind_found = KINDS.get(kind.lower())
        rows.append(ImportRow(line, mentor, mentee, kind_found, start_date, tuple(row_problems), probation_end))
    if not rows:
        raise InvalidInput(f"{path} has no mentorships in it.")
    return rows
