"""The meeting modal's fields, drafts and results, and the checks a draft must pass before anything is stored."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bot.core.due_dates import describe
from bot.targets.checks import TEXT_LIMIT, Check
from storage.meetings import Meeting, ReviewOutcome
from storage.roster import Mentorship, Person
from storage.targets import Target, TargetStatus

EDIT_WINDOW = timedelta(days=7)
MAX_REVIEWS = 30  # open targets listed in the modal; the rest are closed from /target list
NEW_TARGET_SLOTS = 3
DURATION_RANGE = (5, 480)

WELLBEING = {1: "Struggling", 2: "Finding it hard", 3: "Getting by", 4: "Good", 5: "Thriving"}
CLOSING = {
    ReviewOutcome.MET: TargetStatus.MET,
    ReviewOutcome.NOT_MET: TargetStatus.NOT_MET,
    ReviewOutcome.DROPPED: TargetStatus.DROPPED,
}

# Field names: the handler maps them to the modal's block ids.
HELD_ON, DURATION, NOTES, WELLBEING_SCORE, WELLBEING_NOTE, NEXT_MEETING = (
    "held_on",
    "duration",
    "notes",
    "wellbeing",
    "wellbeing_note",
    "next_meeting",
)


def new_target_field(kind: str, slot: int) -> str:
    """ "text", "due" or "standards" of new target `slot` (0-based)."""
    return f"new_{kind}_{slot}"


@dataclass(frozen=True)
class NewTargetDraft:
    slot: int
    text: str | None
    due_text: str | None
    standards: list[str] | None  # None: not chosen, suggest from the words


@dataclass(frozen=True)
class MeetingDraft:
    """What the mentor typed into the meeting modal, not yet checked."""

    mentee_id: str
    held_on: date | None
    notes: str | None
    duration_minutes: int | None = None
    duration_text: str | None = None  # as typed, when it wasn't a whole number
    wellbeing: int | None = None
    wellbeing_note: str | None = None
    next_meeting_on: date | None = None
    reviews: dict[int, ReviewOutcome | None] = field(default_factory=dict)
    new_targets: list[NewTargetDraft] = field(default_factory=list)


@dataclass(frozen=True)
class MeetingForm:
    """What the meeting modal opens with."""

    mentee: Person
    mentorship: Mentorship
    today: date
    open_targets: Sequence[Target]  # at most MAX_REVIEWS
    open_total: int
    previous: Meeting | None


@dataclass(frozen=True)
class NewTarget:
    target: Target
    checks: list[Check]
    suggested: bool  # standards were suggested from the words


@dataclass(frozen=True)
class Logged:
    meeting: Meeting
    created: bool
    mentee: Person
    reviewed: list[tuple[Target, ReviewOutcome]]
    new_targets: list[NewTarget]
    flagged: list[Target]  # carried past two meetings, flagged now
    mentor_ids: list[str]


@dataclass(frozen=True)
class SignedOff:
    meeting: Meeting
    created: bool


@dataclass(frozen=True)
class Corrected:
    meeting: Meeting
    changed: list[str]  # labels of what changed
    sign_off_reset: bool


@dataclass(frozen=True)
class CadenceSet:
    mentee_id: str
    mentorships: list[Mentorship]
    changed: bool


FIELD_LABEL = {
    HELD_ON: "date",
    DURATION: "duration",
    NOTES: "notes",
    WELLBEING_SCORE: "wellbeing",
    WELLBEING_NOTE: "wellbeing note",
    NEXT_MEETING: "next meeting",
}


def held_on_problem(held_on: date, mentorship: Mentorship, today: date) -> str | None:
    if held_on > today:
        return f"{describe(held_on)} hasn't happened yet: log a meeting once it has taken place."
    if held_on < mentorship.start_date:
        return f"The mentorship started on {describe(mentorship.start_date)}: choose a date from then on."
    return None


def check_fields(draft: MeetingDraft) -> dict[str, str]:
    errors: dict[str, str] = {}
    if draft.held_on is None:
        errors[HELD_ON] = "Choose the date of the meeting."
    notes = (draft.notes or "").strip()
    if not notes:
        errors[NOTES] = "Note what you discussed: the mentee gets these notes to sign off."
    elif len(notes) > TEXT_LIMIT:
        errors[NOTES] = f"Keep the notes under {TEXT_LIMIT} characters (they're {len(notes)})."
    if draft.duration_text is not None and draft.duration_minutes is None:
        errors[DURATION] = "Give the length in whole minutes, e.g. 30."
    elif draft.duration_minutes is not None and not DURATION_RANGE[0] <= draft.duration_minutes <= DURATION_RANGE[1]:
        errors[DURATION] = f"Give a length between {DURATION_RANGE[0]} and {DURATION_RANGE[1]} minutes."
    if draft.wellbeing is not None and draft.wellbeing not in WELLBEING:
        errors[WELLBEING_SCORE] = "Choose one of the options."
    if draft.wellbeing_note and len(draft.wellbeing_note) > TEXT_LIMIT:
        errors[WELLBEING_NOTE] = f"Keep the note under {TEXT_LIMIT} characters."
    if draft.next_meeting_on is not None and draft.held_on is not None and draft.next_meeting_on <= draft.held_on:
        errors[NEXT_MEETING] = "The next meeting should come after this one."
    return errors


def fields_of(meeting: Meeting) -> dict[str, object]:
    return {
        HELD_ON: meeting.held_on,
        DURATION: meeting.duration_minutes,
        NOTES: meeting.notes,
        WELLBEING_SCORE: meeting.wellbeing,
        WELLBEING_NOTE: meeting.wellbeing_note,
        NEXT_MEETING: meeting.next_meeting_on,
    }


def jsonable(value: object) -> object:
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def blank_to_none(text: str | None) -> str | None:
    text = (text or "").strip()
    return text or None
