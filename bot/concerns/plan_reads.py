"""Support plans as other screens read them (a line each on Home tabs), and the review-date rule the plan
form, its review and the probation mid-point share."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from bot.core.due_dates import describe
from bot.core.school_calendar import SchoolCalendar
from storage.concerns import PlanRepository, SupportPlan
from storage.db import UnitOfWork


@dataclass(frozen=True)
class PlanSummary:
    """An open plan as a line on a Home tab: no free text."""

    id: int
    mentee_id: str
    owner_id: str
    review_on: date
    targets: int
    signed: bool


def plan_summaries(plans: Sequence[SupportPlan], target_counts: dict[int, int]) -> list[PlanSummary]:
    return [
        PlanSummary(p.id, p.mentee_id, p.owner_id, p.review_on, target_counts.get(p.id, 0), p.signed_at is not None)
        for p in plans
    ]


def open_plans(session: UnitOfWork, team_id: str, mentee_id: str | None = None) -> list[PlanSummary]:
    """Open plans of the school (or of one mentee), soonest review first: for Home tabs."""
    repo = PlanRepository(session)
    plans = repo.open(team_id) if mentee_id is None else repo.open_for(team_id, mentee_id)
    counts = repo.target_counts(team_id, [p.id for p in plans])
    return plan_summaries(plans, counts)


def review_date_error(day: date | None, today: date, calendar: SchoolCalendar) -> str | None:
    """Why a review date can't be used (with the next school day to suggest), or None."""
    if day is None:
        return "Choose a review date."
    if day <= today:
        suggestion = calendar.first_school_day_from(today + timedelta(days=1))
        hint = f" The next school day is {describe(suggestion)}." if suggestion else ""
        return f"The review date must be after today.{hint}"
    if not calendar.is_school_day(day):
        suggestion = calendar.first_school_day_from(day)
        hint = f" The next school day is {describe(suggestion)}." if suggestion else ""
        return f"{describe(day)} isn't a school day (a weekend or holiday).{hint}"
    return None
