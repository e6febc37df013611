"""Mentor certification: the evidence that gathers itself from a mentor's logged work, their reflections and
training, the criteria a lead mentor ticks, the panel's outcomes and the register of certified mentors.

Who sees what is the permission table's: a mentor their own portfolio (AUTHOR), lead mentors and SLT
everyone's, mentees none of it. A portfolio read is written to the audit log. Services take `now`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.certification.scheme import Criterion, CriterionKind, Level, Scheme, Standard
from bot.core.errors import FieldErrors, NotFound
from bot.core.permissions import Action, Standing, require
from bot.roster.service import ROLE_STANDING, Caller
from storage.certification import (
    CertificationRepository,
    CriterionTick,
    PanelOutcome,
    PanelResult,
    Reflection,
    TrainingSession,
)
from storage.db import Database, UnitOfWork
from storage.queries.certification import CertificationQueries
from storage.roster import AuditRepository, PeopleRepository, Person, Role, RoleRepository
from storage.submission_keys import SubmissionKeyRepository, request_key

TEXT_LIMIT = 3000
QUOTE_LIMIT = 300
NOTE_LIMIT = 1000
PROVIDER_LIMIT = 200
MAX_HOURS = 40

# Field (and block) ids of the certification modals: service errors are keyed by them.
TEXT, STANDARDS, RECORDS, QUOTE = "text", "standards", "records", "quote"
HELD_ON, HOURS, PROVIDER, TOPIC = "held_on", "hours", "provider", "topic"
REFLECTION, COMMENT = "reflection", "comment"
CRITERION, TICKED_ON, NOTE = "criterion", "ticked_on", "note"
LEVEL, OUTCOME, PANEL_ON, MORE = "level", "outcome", "panel_on", "more"

MONTH_BEFORE, WEEK_BEFORE = "month_before", "week_before"
NOTICE_DAYS = {MONTH_BEFORE: 30, WEEK_BEFORE: 7}


@dataclass(frozen=True)
class RecordChoice:
    value: str  # "meeting:12"
    kind: str
    on: date
    about: str  # the mentee's or teacher's Slack id


@dataclass(frozen=True)
class ReflectionForm:
    today: date
    standards: tuple[Standard, ...]
    records: list[RecordChoice]


@dataclass(frozen=True)
class ReflectionDraft:
    text: str | None
    standards: list[str]
    records: list[str] = field(default_factory=list)
    quote: str | None = None


@dataclass(frozen=True)
class TrainingDraft:
    held_on: date | None
    hours: str | None
    provider: str | None
    topic: str | None


@dataclass(frozen=True)
class Saved:
    id: int
    created: bool


@dataclass(frozen=True)
class Gathered:
    """One kind of logged record: how many, first and last date."""

    kind: str
    label: str
    dates: list[date]
    lead: bool = False

    @property
    def count(self) -> int:
        return len(self.dates)


@dataclass(frozen=True)
class StandardProgress:
    standard: Standard
    reflections: int
    evidence: list[Gathered]  # the kinds mapped to this standard that have records

    @property
    def evidence_count(self) -> int:
        return sum(g.count for g in self.evidence)


@dataclass(frozen=True)
class CriterionProgress:
    criterion: Criterion
    met: bool
    detail: str  # "4 of 6 meetings signed off", "ticked 3 Dec 2026 by …", "not ticked yet"
    tick: CriterionTick | None = None


@dataclass(frozen=True)
class LevelProgress:
    level: Level
    criteria: list[CriterionProgress]

    @property
    def met(self) -> int:
        return sum(1 for c in self.criteria if c.met)


@dataclass(frozen=True)
class Training:
    minutes: int
    target_hours: float
    first_year_since: date | None  # a mentor of ECTs: their first year runs from this day
    sessions: Sequence[TrainingSession] = ()

    @property
    def hours(self) -> float:
        return self.minutes / 60

    def expected_by(self, today: date) -> float:
        """Hours expected by `today`, pro rata over the first year (the whole target once it is over)."""
        if self.first_year_since is None:
            return 0.0
        days = (today - self.first_year_since).days
        return self.target_hours * min(max(days, 0), 365) / 365

    def behind(self, today: date) -> bool:
        return self.first_year_since is not None and self.hours + 1e-9 < self.expected_by(today)


@dataclass(frozen=True)
class Progress:
    mentor_id: str
    name: str
    today: date
    scheme: Scheme
    standards: list[StandardProgress]
    levels: list[LevelProgress]
    gathered: list[Gathered]
    reflections: Sequence[Reflection]
    training: Training
    outcomes: Sequence[PanelResult]
    next_panel: date | None
    is_lead: bool

    @property
    def awarded(self) -> PanelResult | None:
        awarded = [o for o in self.outcomes if o.outcome is PanelOutcome.AWARDED]
        return awarded[-1] if awarded else None


@dataclass(frozen=True)
class RegisterRow:
    mentor_id: str
    name: str
    email: str | None
    level: str  # the level's label
    awarded_on: date


@dataclass(frozen=True)
class TrainingBehind:
    mentor_id: str
    hours: float
    expected: float
    target: float


@dataclass(frozen=True)
class PanelNotice:
    mentor_id: str
    panel_on: date
    notice: str


def hours_text(hours: float) -> str:
    return f"{hours:.1f}".removesuffix(".0")


def parse_hours(raw: str | None) -> int | None:
    """Minutes from what was typed ("1.5", "1,5", "2h", "90m", "1:30"); None if it isn't a length of time."""
    text = (raw or "").strip().lower().replace(",", ".").replace(" ", "")
    try:
        if text.endswith(("m", "mins", "min", "minutes")):
            minutes = float(text.rstrip("minutes").rstrip("min") or "x")
            return round(minutes)
        if ":" in text:
            hours, mins = text.split(":", 1)
            return int(hours) * 60 + int(mins)
        return round(float(text.rstrip("hours").rstrip("hrs").rstrip("h")) * 60)
    except ValueError:
        return None


def _clean(text: str | None) -> str | None:
    text = (text or "").strip()
    return text or None


class CertificationService:
    def __init__(self, db: Database, scheme: Scheme, school_tz: ZoneInfo) -> None:
        self.db = db
        self.scheme = scheme
        self.school_tz = school_tz

    def today(self, now: datetime) -> date:
        return now.astimezone(self.school_tz).date()

    @staticmethod
    def _standings(caller: Caller, mentor_id: str) -> set[Standing]:
        standings = {ROLE_STANDING[role] for role in caller.roles}
        if caller.is_workspace_admin:
            standings.add(Standing.ADMIN)
        if caller.user_id == mentor_id:
            standings.add(Standing.AUTHOR)
        return standings

    # --- the mentor's own evidence -------------------------------------------------------------------------
    def reflection_form(self, caller: Caller, now: datetime) -> ReflectionForm:
        require(Action.ADD_EVIDENCE, caller.standings)
        with self.db.unit_of_work() as session:
            own = CertificationQueries(session, caller.team_id).own_records(caller.user_id)
        choices = [RecordChoice(f"{kind}:{rid}", kind, on, about) for kind, rid, on, about in own]
        return ReflectionForm(self.today(now), self.scheme.standards, choices)

    def add_reflection(self, caller: Caller, draft: ReflectionDraft, slack_id: str, now: datetime) -> Saved:
        require(Action.ADD_EVIDENCE, caller.standings)
        errors: dict[str, str] = {}
        text = _clean(draft.text)
        if text is None:
            errors[TEXT] = "Write your reflection: what you did, what you learned, what you'd do next."
        elif len(text) > TEXT_LIMIT:
            errors[TEXT] = f"Keep it to {TEXT_LIMIT} characters (it is {len(text)}): split it into two reflections."
        known = {s.key for s in self.scheme.standards}
        standards = [s for s in dict.fromkeys(draft.standards) if s in known]
        if not standards:
            errors[STANDARDS] = "Tag at least one standard this reflection shows."
        quote = _clean(draft.quote)
        if quote is not None and len(quote) > QUOTE_LIMIT:
            errors[QUOTE] = f"A quote is short: up to {QUOTE_LIMIT} characters (it is {len(quote)})."
        if errors:
            raise FieldErrors(errors)
        assert text is not None
        with self.db.unit_of_work() as session:
            own = {
                f"{k}:{i}" for k, i, _, _ in CertificationQueries(session, caller.team_id).own_records(caller.user_id)
            }
            records = [r for r in dict.fromkeys(draft.records) if r in own]
            if len(records) != len(set(draft.records)):
                raise FieldErrors({RECORDS: "Attach only your own meetings and observations."})
            keys = SubmissionKeyRepository(session)
            if keys.is_repeat(caller.team_id, "reflection", slack_id, now):
                return Saved(0, False)
            row = Reflection(
                team_id=caller.team_id,
                mentor_id=caller.user_id,
                written_on=self.today(now),
                text=text,
                standards=standards,
                records=records,
                quote=quote,
                submission_key=request_key("reflection", slack_id or f"{now.isoformat()}"),
                created_at=now,
            )
            CertificationRepository(session).add(row)
            AuditRepository(session).record(
                caller.team_id,
                caller.user_id,
                "certification.reflection",
                now,
                subject_id=caller.user_id,
                record_type="certification_reflection",
                record_id=row.id,
            )
            return Saved(row.id, True)

    def log_training(self, caller: Caller, draft: TrainingDraft, slack_id: str, now: datetime) -> Saved:
        require(Action.ADD_EVIDENCE, caller.standings)
        today = self.today(now)
        errors: dict[str, str] = {}
        if draft.held_on is None:
            errors[HELD_ON] = "Pick the day of the training."
        elif draft.held_on > today:
            errors[HELD_ON] = "Log training once it has happened: that day is still to come."
        minutes = parse_hours(draft.hours)
        if minutes is None or minutes <= 0:
            errors[HOURS] = "Write the hours as a number, e.g. 1.5 or 2 (or 90m)."
        elif minutes > MAX_HOURS * 60:
            errors[HOURS] = f"That's more than {MAX_HOURS} hours: log each session on its own."
        provider, topic = _clean(draft.provider), _clean(draft.topic)
        if provider is None:
            errors[PROVIDER] = "Name who ran it (the provider, the school, a hub)."
        elif len(provider) > PROVIDER_LIMIT:
            errors[PROVIDER] = f"Keep the provider to {PROVIDER_LIMIT} characters."
        if topic is None:
            errors[TOPIC] = "Say what the training was about."
        elif len(topic) > NOTE_LIMIT:
            errors[TOPIC] = f"Keep the topic to {NOTE_LIMIT} characters."
        if errors:
            raise FieldErrors(errors)
        assert draft.held_on is not None and minutes is not None and provider and topic
        with self.db.unit_of_work() as session:
            if SubmissionKeyRepository(session).is_repeat(caller.team_id, "training", slack_id, now):
                return Saved(0, False)
            row = TrainingSession(
                team_id=caller.team_id,
                mentor_id=caller.user_id,
                held_on=draft.held_on,
                minutes=minutes,
                provider=provider,
                topic=topic,
                submission_key=request_key("training", slack_id or now.isoformat()),
                created_at=now,
            )
            CertificationRepository(session).add(row)
            return Saved(row.id, True)

    # --- progress and the portfolio ------------------------------------------------------------------------
    def progress(self, caller: Caller, mentor_id: str, now: datetime, *, audit: str | None = None) -> Progress:
        """The mentor's progress (checked against READ_PORTFOLIO); `audit` names the read in the audit log."""
        require(Action.READ_PORTFOLIO, self._standings(caller, mentor_id))
        with self.db.unit_of_work() as session:
            progress = self._progress(session, caller.team_id, mentor_id, self.today(now))
            if audit:
                AuditRepository(session).record(
                    caller.team_id, caller.user_id, "certification.read", now, subject_id=mentor_id, detail=audit
                )
            return progress

    def own_progress(self, session: UnitOfWork, team_id: str, mentor_id: str, today: date) -> Progress | None:
        """For the mentor's own Home tab, inside its unit of work; None for someone the bot has no record of yet
        (their Home shows the rest rather than failing)."""
        person = PeopleRepository(session).get(team_id, mentor_id)
        if person is None:
            return None
        return self._progress(session, team_id, mentor_id, today, person)

    def _progress(
        self, session: UnitOfWork, team_id: str, mentor_id: str, today: date, person: Person | None = None
    ) -> Progress:
        person = person or PeopleRepository(session).get(team_id, mentor_id)
        if person is None:
            raise NotFound("I don't know that mentor in this workspace.")
        scheme = self.scheme
        queries = CertificationQueries(session, team_id)
        repo = CertificationRepository(session)
        raw = queries.gathered(mentor_id)
        gathered = [Gathered(m.kind, m.label, raw.get(m.kind, []), m.lead) for m in scheme.evidence]
        reflections = repo.reflections(team_id, mentor_id)
        since = queries.ect_mentoring_since([mentor_id]).get(mentor_id)
        sessions = repo.training(team_id, [mentor_id])
        training = Training(sum(s.minutes for s in sessions), scheme.training_hours_target, since, sessions)
        ticks = {t.criterion: t for t in repo.ticks(team_id, mentor_id)}
        is_lead = Role.LEAD in RoleRepository(session).roles_of(team_id, mentor_id)
        standards = [
            StandardProgress(
                s,
                sum(1 for r in reflections if s.key in r.standards),
                [g for g in gathered if g.count and s.key in (scheme.mapping(g.kind) or _NO_MAPPING).standards],
            )
            for s in scheme.standards
        ]
        by_kind = {g.kind: g for g in gathered}
        levels = [
            LevelProgress(
                level,
                [
                    self._criterion(c, raw, by_kind, reflections, training, ticks, today)
                    for c in scheme.criteria_at(level.key)
                ],
            )
            for level in scheme.levels
        ]
        return Progress(
            mentor_id,
            person.display,
            today,
            scheme,
            standards,
            levels,
            gathered,
            reflections,
            training,
            repo.outcomes(team_id, mentor_id),
            next(iter(scheme.panels_after(today)), None),
            is_lead,
        )

    def _criterion(
        self,
        criterion: Criterion,
        raw: dict[str, list[date]],
        by_kind: dict[str, Gathered],
        reflections: Sequence[Reflection],
        training: Training,
        ticks: dict[str, CriterionTick],
        today: date,
    ) -> CriterionProgress:
        if criterion.kind is CriterionKind.TICK:
            tick = ticks.get(criterion.key)
            if tick is None:
                return CriterionProgress(criterion, False, "to be ticked by a lead mentor")
            return CriterionProgress(criterion, True, f"ticked {tick.ticked_on:%-d %b %Y}", tick)
        if criterion.kind is CriterionKind.GATHERED:
            parts = []
            met = True
            for kind, needed in criterion.needs.items():
                have = len(raw.get(kind, []))
                met = met and have >= needed
                label = by_kind[kind].label.lower() if kind in by_kind else kind.replace("_", " ")
                parts.append(f"{min(have, needed)} of {needed} {label}")
            return CriterionProgress(criterion, met, "; ".join(parts))
        if criterion.kind is CriterionKind.REFLECTION:
            have = sum(1 for r in reflections if set(r.standards) & set(criterion.standards))
            word = "reflection" if criterion.at_least == 1 else "reflections"
            return CriterionProgress(
                criterion, have >= criterion.at_least, f"{min(have, criterion.at_least)} of {criterion.at_least} {word}"
            )
        met = training.hours + 1e-9 >= training.target_hours
        return CriterionProgress(
            criterion, met, f"{hours_text(training.hours)} of {hours_text(training.target_hours)} hours"
        )

    def lead_view(self, caller: Caller, mentor_id: str, now: datetime) -> Progress:
        """What a lead mentor's modals need (the reflections to comment on, the criteria to tick)."""
        require(Action.READ_PORTFOLIO, self._standings(caller, mentor_id))
        with self.db.unit_of_work() as session:
            return self._progress(session, caller.team_id, mentor_id, self.today(now))

    # --- lead mentors ----------------------------------------------------------------------------------------
    def comment(
        self, caller: Caller, reflection_id: int, text: str | None, slack_id: str, now: datetime
    ) -> tuple[Reflection, bool]:
        require(Action.COMMENT_ON_EVIDENCE, caller.standings)
        comment = _clean(text)
        if comment is None:
            raise FieldErrors({COMMENT: "Write your comment."})
        if len(comment) > NOTE_LIMIT:
            raise FieldErrors({COMMENT: f"Keep a comment to {NOTE_LIMIT} characters (it is {len(comment)})."})
        with self.db.unit_of_work() as session:
            repo = CertificationRepository(session)
            reflection = repo.reflection(caller.team_id, reflection_id)
            if reflection is None:
                raise FieldErrors({REFLECTION: "Pick one of the mentor's reflections."})
            if reflection.mentor_id == caller.user_id:
                raise FieldErrors({REFLECTION: "Another lead mentor comments on your own reflections."})
            if SubmissionKeyRepository(session).is_repeat(caller.team_id, "reflection-comment", slack_id, now):
                return reflection, False
            repo.comment(caller.team_id, reflection_id, comment, caller.user_id, now)
            session.refresh(reflection)
            AuditRepository(session).record(
                caller.team_id,
                caller.user_id,
                "certification.comment",
                now,
                subject_id=reflection.mentor_id,
                record_type="certification_reflection",
                record_id=reflection.id,
            )
            return reflection, True

    def tick(
        self,
        caller: Caller,
        mentor_id: str,
        criterion_key: str | None,
        on: date | None,
        note: str | None,
        now: datetime,
    ) -> tuple[Criterion, bool]:
        require(Action.TICK_CRITERION, caller.standings)
        errors: dict[str, str] = {}
        criterion = self.scheme.criterion(criterion_key or "")
        if criterion is None or criterion.kind is not CriterionKind.TICK:
            errors[CRITERION] = "Pick the criterion to tick."
        if on is None:
            errors[TICKED_ON] = "Pick the date of the document or signature."
        elif on > self.today(now):
            errors[TICKED_ON] = "That date is still to come."
        text = _clean(note)
        if text is not None and len(text) > NOTE_LIMIT:
            errors[NOTE] = f"Keep the note to {NOTE_LIMIT} characters."
        if mentor_id == caller.user_id:
            errors[CRITERION] = "Another lead mentor ticks your own criteria."
        if errors:
            raise FieldErrors(errors)
        assert criterion is not None and on is not None
        with self.db.unit_of_work() as session:
            if PeopleRepository(session).get(caller.team_id, mentor_id) is None:
                raise NotFound("I don't know that mentor in this workspace.")
            created = CertificationRepository(session).tick(
                caller.team_id, mentor_id, criterion.key, on, text, caller.user_id, now
            )
            if created:
                AuditRepository(session).record(
                    caller.team_id,
                    caller.user_id,
                    "certification.tick",
                    now,
                    subject_id=mentor_id,
                    detail=criterion.key,
                )
            return criterion, created

    def record_outcome(
        self,
        caller: Caller,
        mentor_id: str,
        level_key: str | None,
        outcome: PanelOutcome | None,
        panel_on: date | None,
        more: str | None,
        slack_id: str,
        now: datetime,
    ) -> tuple[PanelResult | None, bool]:
        require(Action.RECORD_PANEL_OUTCOME, caller.standings)
        errors: dict[str, str] = {}
        level = self.scheme.level(level_key or "")
        if level is None:
            errors[LEVEL] = "Pick the level the panel looked at."
        if outcome is None:
            errors[OUTCOME] = "Say what the panel decided."
        if panel_on is None:
            errors[PANEL_ON] = "Pick the day the panel met."
        elif panel_on > self.today(now):
            errors[PANEL_ON] = "Record the outcome once the panel has met: that day is still to come."
        text = _clean(more)
        if outcome is PanelOutcome.MORE_EVIDENCE and text is None:
            errors[MORE] = "Say what more evidence the panel asked for, so the mentor knows what to add."
        elif text is not None and len(text) > NOTE_LIMIT:
            errors[MORE] = f"Keep it to {NOTE_LIMIT} characters."
        if mentor_id == caller.user_id:
            errors[LEVEL] = "Another lead mentor records the panel's outcome for you."
        if errors:
            raise FieldErrors(errors)
        assert level is not None and outcome is not None and panel_on is not None
        with self.db.unit_of_work() as session:
            if PeopleRepository(session).get(caller.team_id, mentor_id) is None:
                raise NotFound("I don't know that mentor in this workspace.")
            if SubmissionKeyRepository(session).is_repeat(caller.team_id, "panel-outcome", slack_id, now):
                return None, False
            row = PanelResult(
                team_id=caller.team_id,
                mentor_id=mentor_id,
                level=level.key,
                outcome=outcome,
                panel_on=panel_on,
                more_evidence=text if outcome is PanelOutcome.MORE_EVIDENCE else None,
                recorded_by=caller.user_id,
                submission_key=request_key("panel-outcome", slack_id or now.isoformat()),
                created_at=now,
            )
            CertificationRepository(session).add(row)
            AuditRepository(session).record(
                caller.team_id,
                caller.user_id,
                "certification.outcome",
                now,
                subject_id=mentor_id,
                record_type="certification_outcome",
                record_id=row.id,
                detail=f"{level.key}:{outcome.value}",
            )
            return row, True

    # --- the register, the digest and the panel reminders --------------------------------------------------
    def register(self, caller: Caller) -> list[RegisterRow]:
        require(Action.READ_REGISTER, caller.standings)
        return self.register_for_operator(caller.team_id)

    def register_for_operator(self, team_id: str) -> list[RegisterRow]:
        """Each mentor's latest award (level and date): the provider's central record."""
        with self.db.unit_of_work() as session:
            outcomes = CertificationRepository(session).outcomes(team_id)
            latest: dict[str, PanelResult] = {}
            for row in outcomes:
                if row.outcome is PanelOutcome.AWARDED:
                    latest[row.mentor_id] = row
            people = PeopleRepository(session).many(team_id, set(latest))
        rows = []
        for mentor_id, row in latest.items():
            person = people.get(mentor_id)
            level = self.scheme.level(row.level)
            rows.append(
                RegisterRow(
                    mentor_id,
                    person.display if person else mentor_id,
                    person.email if person else None,
                    level.label if level else row.level,
                    row.panel_on,
                )
            )
        return sorted(rows, key=lambda r: (r.name.lower(), r.mentor_id))

    def behind_on_training(self, team_id: str, today: date) -> list[TrainingBehind]:
        """Mentors of ECTs in their first year whose training hours are behind the target, pro rata."""
        with self.db.unit_of_work() as session:
            queries = CertificationQueries(session, team_id)
            since = {m: d for m, d in queries.ect_mentoring_since().items() if d <= today}
            minutes = queries.training_minutes(since)
        behind = []
        for mentor_id, started in since.items():
            training = Training(minutes.get(mentor_id, 0), self.scheme.training_hours_target, started)
            if (today - started).days < 365 and training.behind(today):
                behind.append(
                    TrainingBehind(mentor_id, training.hours, training.expected_by(today), training.target_hours)
                )
        return sorted(behind, key=lambda b: (b.hours - b.expected, b.mentor_id))

    def claim_panel_reminders(self, team_id: str, now: datetime) -> list[PanelNotice]:
        """Mentors and lead mentors to remind of the next panel, a month and a week before: each claimed once."""
        today = self.today(now)
        notices: list[PanelNotice] = []
        with self.db.unit_of_work() as session:
            people = set(CertificationQueries(session, team_id).current_mentors(today))
            people |= set(RoleRepository(session).holders(team_id, Role.LEAD))
            repo = CertificationRepository(session)
            for panel_on in self.scheme.panels_after(today):
                days = (panel_on - today).days
                due = [n for n, before in NOTICE_DAYS.items() if days <= before]
                if not due:
                    break
                notice = min(due, key=lambda n: NOTICE_DAYS[n])  # the nearest notice only: never two at once
                for person in sorted(people):
                    if repo.claim_reminder(team_id, person, panel_on, notice, now):
                        notices.append(PanelNotice(person, panel_on, notice))
                break
        return notices

    def record_dates(self, team_id: str, mentor_id: str) -> dict[str, date]:
        """Each of the mentor's own records ("meeting:12") with its date: how the portfolio names attachments."""
        with self.db.unit_of_work() as session:
            own = CertificationQueries(session, team_id).own_records(mentor_id)
        return {f"{kind}:{rid}": on for kind, rid, on, _ in own}


@dataclass(frozen=True)
class _NoMapping:
    standards: tuple[str, ...] = ()


_NO_MAPPING = _NoMapping()
