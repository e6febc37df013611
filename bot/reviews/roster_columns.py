"""An ECT's induction details from the roster file's optional columns, checked and stored by the same rules
as the `/mentor induction` modal, so the schedule is worked out the same way.

A row's induction columns are for ECTs only. The file carries no days absent, leaving date or date of birth:
a row read again keeps those as the modal last set them.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from bot.core.errors import FieldErrors, InvalidInput
from bot.reviews.induction import FRACTION, START, TRN, InductionInput
from bot.reviews.service import ReviewService
from bot.roster.service import ImportRow
from storage.reviews import ReviewRepository
from storage.roster import MenteeKind, Mentorship

COLUMN_NAMES = {START: "induction start date", FRACTION: "FTE", TRN: "teacher reference number"}


class RosterInductions:
    """The roster import's `InductionImport`: the reviews feature's rules for columns 6 to 10."""

    def __init__(self, reviews: ReviewService) -> None:
        self.reviews = reviews

    def problems(self, row: ImportRow, now: datetime) -> list[str]:
        if row.induction is None:
            return []
        found: list[str] = []
        if row.kind is not None and row.kind is not MenteeKind.ECT:
            found.append(f"induction details are for ECTs, and this row's kind is {row.kind.value}")
        try:
            self.reviews.check_induction(_typed(row), self.reviews.today(now))
        except FieldErrors as exc:
            for key, message in exc.errors.items():
                if key == START and row.induction.start is None:
                    continue  # the file's reader has said so already
                said = message[0].lower() + message[1:].rstrip(".")
                found.append(f"{COLUMN_NAMES.get(key, key)} “{_raw(row, key)}”: {said}")
        return found

    def apply(
        self, session: Session, mentorship: Mentorship, row: ImportRow, tutor_id: str | None, now: datetime
    ) -> None:
        if mentorship.mentee_kind is not MenteeKind.ECT:  # an existing pair the file calls ECT: the whole file fails
            raise InvalidInput(
                f"Nothing was imported. line {row.line}: this pair is already mentored as "
                f"{mentorship.mentee_kind.value}, so induction details can't be set for it"
            )
        existing = ReviewRepository(session).induction(mentorship.id)
        typed = _typed(row, existing.days_absent if existing else 0, existing.left_on if existing else None)
        facts = self.reviews.check_induction(typed, self.reviews.today(now))  # checked already: cannot fail here
        details = {
            "appropriate_body": typed.appropriate_body,
            "tutor_id": tutor_id,
            "trn": typed.trn,
        }
        self.reviews.store_induction(session, mentorship, facts, details, "roster-import", now)


def _typed(row: ImportRow, days_absent: int = 0, left_on: date | None = None) -> InductionInput:
    columns = row.induction
    assert columns is not None
    return InductionInput(
        start=columns.start,
        fraction=columns.fraction,
        appropriate_body=columns.appropriate_body,
        trn=columns.trn,
        days_absent=str(days_absent),
        left_on=left_on,
    )


def _raw(row: ImportRow, key: str) -> str:
    columns = row.induction
    assert columns is not None
    raw = {START: columns.start, FRACTION: columns.fraction, TRN: columns.trn}.get(key)
    return "" if raw is None else str(raw)
