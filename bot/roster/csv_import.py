"""Reading a school's roster file: mentor email, mentee email, mentee kind, start date, and (optional) the
end of the mentee's probation, then an ECT's induction details (optional too): induction start date, FTE
(full time as 1, or the part-time fraction), appropriate body, induction tutor's email, teacher reference
number; then the mentee's phase, key stage, year group and subject (optional too: a row with any of them puts
the mentee and the mentor on the coaching staff list)."""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

from bot.core.errors import InvalidInput
from bot.core.vocabulary import KIND_WORDS as KINDS
from bot.roster.service import ImportRow, InductionColumns, StaffColumns

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
        if not 4 <= len(cells) <= 14:
            shape = (
                "expected 4 columns (mentor email, mentee email, kind, start date), or up to 10 with the optional "
                "probation end date, induction start date, FTE, appropriate body, induction tutor's email and "
                "teacher reference number (or 14, with the mentee's phase, key stage, year group and subject)"
            )
            rows.append(ImportRow(line, "", "", None, None, (shape,)))
            continue
        mentor, mentee, kind, start = cells[:4]
        cells += [""] * (14 - len(cells))
        probation = cells[4]
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
        induction = _induction_columns(cells[5:10], row_problems)
        staff = _staff_columns(cells[10:14], row_problems)
        kind_found = KINDS.get(kind.lower())
        rows.append(
            ImportRow(
                line, mentor, mentee, kind_found, start_date, tuple(row_problems), probation_end, induction, staff
            )
        )
    if not rows:
        raise InvalidInput(f"{path} has no mentorships in it.")
    return rows


STAFF_COLUMN_LIMIT = 40


def _staff_columns(cells: list[str], row_problems: list[str]) -> StaffColumns | None:
    """Columns 11 to 14 (phase, key stage, year group, subject), or None when they are all empty."""
    if not any(cells):
        return None
    names = ("phase", "key stage", "year group", "subject")
    for name, cell in zip(names, cells, strict=True):
        if len(cell) > STAFF_COLUMN_LIMIT:
            row_problems.append(f"the {name} is longer than {STAFF_COLUMN_LIMIT} characters")
    phase, key_stage, year_group, subject = (cell[:STAFF_COLUMN_LIMIT] or None for cell in cells)
    return StaffColumns(phase, key_stage, year_group, subject)


def _induction_columns(cells: list[str], row_problems: list[str]) -> InductionColumns | None:
    """Columns 6 to 10, or None when they are all empty; only their format is checked here."""
    start, fraction, body, tutor, trn = cells
    if not any(cells):
        return None
    start_date = parse_date(start) if start else None
    if not start:
        row_problems.append("the induction start date is needed with the other induction columns")
    elif start_date is None:
        row_problems.append(f"the induction start date “{start}” must look like 2026-09-01 or 01/09/2026")
    if tutor and "@" not in tutor:
        row_problems.append(f"the induction tutor's email “{tutor}” is not an email address")
    return InductionColumns(start_date, fraction or None, body or None, tutor or None, trn or None)
