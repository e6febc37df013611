"""Early warnings: THE rules that say someone may be struggling, written once for the lead digest and the
Home tab alike. Pure functions over plain records; the thresholds come from a small TOML file a school can
replace (EARLY_WARNINGS), like the calendar and the observation forms.

Each warning names its evidence and an *episode key*: the same key while the condition keeps holding, a new
one when it starts again, so storage can raise it once per episode rather than every day.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import date, timedelta
from pathlib import Path

from bot.core.cadence import MeetingCadenceRule
from storage.observations import Rating
from storage.roster import MeetingCadence

LOWEST_WELLBEING = 1


class ThresholdsError(Exception):
    pass


@dataclass(frozen=True)
class Thresholds:
    not_demonstrated_in_a_row: int = 2
    missed_meetings_in_a_row: int = 2
    target_carried_past_meetings: int = 2
    wellbeing_drop: int = 2
    wellbeing_lowest_in_a_row: int = 2
    reflection_owed_days: int = 14


def default_thresholds_path() -> Path:
    return Path(__file__).resolve().parent.parent / "concerns" / "early_warnings.toml"


def load_thresholds(path: Path | str | None = None) -> Thresholds:
    """The thresholds in `path` (the shipped file when None); a missing key keeps its default."""
    path = Path(path) if path else default_thresholds_path()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ThresholdsError(f"{path}: {exc}") from None
    known = {f.name for f in fields(Thresholds)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ThresholdsError(f"{path}: unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    for key, value in data.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ThresholdsError(f"{path}: {key} must be a whole number of at least 1")
    return Thresholds(**data)


# --- the records the rules read (plain data, filled by storage's read model) --------------------------------------
@dataclass(frozen=True)
class ObservedLesson:
    id: int
    observed_on: date
    ratings: dict[str, Rating]  # standard key -> rating
    reflected: bool


@dataclass(frozen=True)
class MeetingHeld:
    id: int
    held_on: date
    wellbeing: int | None
    next_meeting_on: date | None


@dataclass(frozen=True)
class CarriedTarget:
    id: int
    carried: int  # meetings it was carried past while open
    due_on: date


@dataclass(frozen=True)
class MenteeRecords:
    mentee_id: str
    started_on: date
    cadence: MeetingCadence
    observations: Sequence[ObservedLesson]  # oldest first
    meetings: Sequence[MeetingHeld]  # oldest first
    targets: Sequence[CarriedTarget]  # open ones


@dataclass(frozen=True)
class EarlyWarning:
    mentee_id: str
    kind: str  # one of KINDS
    evidence: str  # dates and counts only: never typed text
    episode: str  # the same while the condition holds

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.episode}"


KINDS = ("not_demonstrated", "missed_meetings", "target_carried", "wellbeing", "reflection_owed")


def warnings_for(
    records: MenteeRecords, thresholds: Thresholds, today: date, cadence_rule: MeetingCadenceRule
) -> list[EarlyWarning]:
    """Every early warning that holds today for one mentee, each with its evidence."""
    return [
        *_not_demonstrated(records, thresholds),
        *_missed_meetings(records, thresholds, today, cadence_rule),
        *_targets_carried(records, thresholds),
        *_wellbeing(records, thresholds),
        *_reflections(records, thresholds, today),
    ]


def _standard(key: str) -> str:
    """ "standard_4" -> "Standard 4", "part_two" -> "Part two": the rating's key in words."""
    return (
        f"Standard {key.removeprefix('standard_')}"
        if key.startswith("standard_")
        else key.replace("_", " ").capitalize()
    )


def _dates(days: Iterable[date]) -> str:
    return ", ".join(f"{d:%-d %b}" for d in days)


def _not_demonstrated(r: MenteeRecords, t: Thresholds) -> list[EarlyWarning]:
    found = []
    keys = sorted({key for o in r.observations for key in o.ratings})
    for key in keys:
        rated = [o for o in r.observations if o.ratings.get(key) not in (None, Rating.NOT_APPLICABLE)]
        streak: list[ObservedLesson] = []
        for o in rated:  # the latest streak of Not demonstrated
            streak = [*streak, o] if o.ratings[key] is Rating.NOT_DEMONSTRATED else []
        if len(streak) >= t.not_demonstrated_in_a_row:
            found.append(
                EarlyWarning(
                    r.mentee_id,
                    "not_demonstrated",
                    f"{_standard(key)} rated Not demonstrated in {len(streak)} observations in a row "
                    f"({_dates(o.observed_on for o in streak)})",
                    f"{key}:{streak[0].id}",
                )
            )
    return found


def _missed_meetings(r: MenteeRecords, t: Thresholds, today: date, rule: MeetingCadenceRule) -> list[EarlyWarning]:
    last = r.meetings[-1] if r.meetings else None
    missed = []
    for due in rule.due_dates(
        r.cadence,
        started_on=r.started_on,
        last_held_on=last.held_on if last else None,
        agreed_on=last.next_meeting_on if last else None,
    ):
        if not due.overdue(today):
            break
        missed.append(due.due_on)
    if len(missed) < t.missed_meetings_in_a_row:
        return []
    since = last.held_on if last else r.started_on
    return [
        EarlyWarning(
            r.mentee_id,
            "missed_meetings",
            f"{len(missed)} meetings missed in a row (due {_dates(missed[-4:])}); "
            + (f"the last was on {since:%-d %b}" if last else f"none since the start on {since:%-d %b}"),
            since.isoformat(),
        )
    ]


def _targets_carried(r: MenteeRecords, t: Thresholds) -> list[EarlyWarning]:
    return [
        EarlyWarning(
            r.mentee_id,
            "target_carried",
            f"a target carried past {target.carried} meetings (due {target.due_on:%-d %b})",
            str(target.id),
        )
        for target in r.targets
        if target.carried >= t.target_carried_past_meetings
    ]


def _wellbeing(r: MenteeRecords, t: Thresholds) -> list[EarlyWarning]:
    scored = [m for m in r.meetings if m.wellbeing is not None]
    if len(scored) < 2:
        return []
    before, latest = scored[-2], scored[-1]
    assert before.wellbeing is not None and latest.wellbeing is not None
    if before.wellbeing - latest.wellbeing >= t.wellbeing_drop:
        evidence = (
            f"wellbeing fell from {before.wellbeing} to {latest.wellbeing} ({_dates([before.held_on, latest.held_on])})"
        )
        return [EarlyWarning(r.mentee_id, "wellbeing", evidence, f"drop:{latest.id}")]
    lowest: list[MeetingHeld] = []
    for m in scored:
        lowest = [*lowest, m] if m.wellbeing == LOWEST_WELLBEING else []
    if len(lowest) >= t.wellbeing_lowest_in_a_row:
        evidence = (
            f"wellbeing at the lowest level at {len(lowest)} meetings in a row ({_dates(m.held_on for m in lowest)})"
        )
        return [EarlyWarning(r.mentee_id, "wellbeing", evidence, f"lowest:{lowest[0].id}")]
    return []


def _reflections(r: MenteeRecords, t: Thresholds, today: date) -> list[EarlyWarning]:
    owed = [
        o for o in r.observations if not o.reflected and o.observed_on < today - timedelta(days=t.reflection_owed_days)
    ]
    if not owed:
        return []
    return [
        EarlyWarning(
            r.mentee_id,
            "reflection_owed",
            f"{len(owed)} reflection{'s' if len(owed) != 1 else ''} owed for over {t.reflection_owed_days} days "
            f"(observed {_dates(o.observed_on for o in owed[-4:])})",
            str(owed[0].id),
        )
    ]
