"""A review drafted from a period's records: pure, no Slack and no SQL.

`build_figures` turns the meetings, targets and observations of one review period into plain,
JSON-ready figures: what the modal shows the reviewer, what is stored with the review (so the report
shows what the reviewer saw), and what the PDF and CSV print.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from bot.core.calendar_years import extend_calendar
from bot.core.school_calendar import SchoolCalendar
from bot.core.vocabulary import RATING_SHORT
from storage.meetings import Meeting
from storage.observations import Observation, Rating
from storage.roster import MeetingCadence
from storage.targets import Target, TargetStatus

# The Teachers' Standards as the ECT observation form names its rated fields.
STANDARDS: tuple[tuple[str, str, str], ...] = (
    ("1", "standard_1", "1 High expectations"),
    ("2", "standard_2", "2 Progress and outcomes"),
    ("3", "standard_3", "3 Subject and curriculum knowledge"),
    ("4", "standard_4", "4 Plan and teach well-structured lessons"),
    ("5", "standard_5", "5 Adapt teaching"),
    ("6", "standard_6", "6 Accurate and productive assessment"),
    ("7", "standard_7", "7 Manage behaviour"),
    ("8", "standard_8", "8 Wider professional responsibilities"),
    ("P2", "part_two", "Part Two: personal and professional conduct"),
)
RATING_SCORE = {Rating.NOT_DEMONSTRATED: 1, Rating.PARTLY: 2, Rating.FULLY: 3}
TREND = {1: "improving", 0: "steady", -1: "declining"}
QUOTE_LIMIT = 300


def expected_meetings(start: date, end: date, cadence: MeetingCadence, calendar: SchoolCalendar) -> int:
    """Meetings the cadence asks for in [start, end]: one per school week (weekly), one per two, two a term.

    Counted on the calendar carried over the whole period (as the schedule is), so years past the calendar
    file still have their school weeks."""
    calendar = extend_calendar(calendar, until=end, since=start)
    weeks: set[tuple[int, int]] = set()
    terms: set[str] = set()
    day = start
    while day <= end:
        if calendar.is_school_day(day):
            weeks.add(tuple(day.isocalendar())[:2])  # type: ignore[arg-type]
            term = calendar.term_for(day)
            if term is not None:
                terms.add(term.name)
        day += timedelta(days=1)
    if cadence is MeetingCadence.WEEKLY:
        return len(weeks)
    if cadence is MeetingCadence.FORTNIGHTLY:
        return (len(weeks) + 1) // 2
    return 2 * len(terms)


def _quote(text: str | None) -> str | None:
    if not text or not text.strip():
        return None
    clean = " ".join(text.split())
    return clean if len(clean) <= QUOTE_LIMIT else clean[: QUOTE_LIMIT - 1] + "…"


def _target_row(target: Target) -> dict[str, Any]:
    return {
        "text": target.text,
        "due": target.due_on.isoformat(),
        "status": target.status.value,
        "standards": list(target.standards or []),
        "set": target.created_at.date().isoformat(),
        "closed": target.closed_at.date().isoformat() if target.closed_at else None,
        "carried": target.carried_count,
    }


def build_figures(
    *,
    start: date,
    end: date,
    meetings: Sequence[Meeting],
    targets: Sequence[Target],
    observations: Sequence[Observation],
    cadence: MeetingCadence,
    calendar: SchoolCalendar,
) -> dict[str, Any]:
    """Everything the draft says, as plain data (dates as ISO strings)."""
    set_in_period = [t for t in targets if start <= t.created_at.date() <= end]
    met = [t for t in targets if t.status is TargetStatus.MET and t.closed_at and start <= t.closed_at.date() <= end]
    carried = [t for t in targets if t.status is TargetStatus.OPEN and t.carried_count > 0]
    still_open = [t for t in targets if t.status is TargetStatus.OPEN]
    not_met = [t for t in targets if t.status is TargetStatus.NOT_MET]

    standards: list[dict[str, Any]] = []
    evidenced: set[str] = set()
    for code, key, label in STANDARDS:
        ratings: list[str | None] = []
        scores: list[int] = []
        for observation in observations:
            entry = observation.entry(key)
            rating = entry.rating if entry else None
            ratings.append(RATING_SHORT[rating] if rating else None)
            if rating in RATING_SCORE:
                scores.append(RATING_SCORE[rating])
                if rating is not Rating.NOT_DEMONSTRATED:
                    evidenced.add(code)
        trend = None
        if len(scores) >= 2:
            trend = TREND[(scores[-1] > scores[0]) - (scores[-1] < scores[0])]
        standards.append({"code": code, "label": label, "ratings": ratings, "trend": trend})
    for target in [*met, *set_in_period]:
        evidenced.update(code for code in (target.standards or []) if target.status is TargetStatus.MET)

    def quotes(key: str) -> list[dict[str, str]]:
        found = []
        for observation in observations:
            text = _quote(observation.text(key))
            if text:
                found.append({"date": observation.observed_on.isoformat(), "text": text})
        return found

    reflections = [
        {"date": o.observed_on.isoformat(), "text": text}
        for o in observations
        if (text := _quote(o.reflection)) is not None
    ]
    reflections += [
        {"date": m.held_on.isoformat(), "text": text}
        for m in meetings
        if (text := _quote(m.mentee_comment)) is not None
    ]
    return {
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "meetings": {
            "held": len(meetings),
            "expected": expected_meetings(start, end, cadence, calendar),
            "cadence": cadence.value,
            "signed_off": sum(1 for m in meetings if m.signed_off_at is not None),
            "dates": [m.held_on.isoformat() for m in meetings],
        },
        "targets": {
            "set": [_target_row(t) for t in set_in_period],
            "met": [_target_row(t) for t in met],
            "carried": [_target_row(t) for t in carried],
            "not_met": [_target_row(t) for t in not_met],
            "open": len(still_open),
        },
        "observations": [
            {"date": o.observed_on.isoformat(), "form": o.form_key, "on_track": o.on_track} for o in observations
        ],
        "standards": standards,
        "strengths": quotes("strengths"),
        "development": quotes("development"),
        "concerns": quotes("concerns"),
        "reflections": reflections,
        "no_evidence": [code for code, _, _ in STANDARDS if code not in evidenced],
        "empty": not (meetings or targets or observations),
    }
