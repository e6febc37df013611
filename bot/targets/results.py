"""What the targets service returns: plain dataclasses the Slack layer turns into messages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from bot.core.due_dates import NotASchoolDay, PassedDateError
from bot.targets.checks import Check
from storage.roster import Person
from storage.targets import Target, TargetDraft

# --- results -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DraftView:
    """A /target draft as the mentor sees it in the confirm message."""

    draft: TargetDraft
    checks: list[Check]
    mentee: Person
    today: date
    saved: Target | None = None
    problem: str | None = None  # e.g. a date chosen in the past, shown above the buttons
    passed: PassedDateError | None = None  # the date typed has just gone: ask which year before confirming
    not_school_day: NotASchoolDay | None = None  # a weekend or holiday: offer the school days either side


@dataclass(frozen=True)
class Confirmed:
    target: Target
    created: bool
    mentor_ids: list[str]


@dataclass(frozen=True)
class TargetChange:
    target: Target
    changed: bool
    mentor_ids: list[str]
    today: date


@dataclass(frozen=True)
class TargetList:
    mentee_id: str
    mentee_name: str
    targets: Sequence[Target]
    today: date
    can_close: bool
    can_mark_ready: bool
    flagged_ids: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class TargetOverview:
    """`/target list` with no name: the caller's own open targets and/or each of their mentees'."""

    lists: list[TargetList]  # the caller's own first (if they are mentored), then each mentee's
    own_id: str
    prompt: str | None = None  # instead of lists, for a lead who mentors no one: name someone


NAME_SOMEONE = (
    "Name the mentee whose targets you want, e.g. `/target list @ana`: "
    "as a lead mentor you can see anyone's, and you mentor no one yourself."
)
