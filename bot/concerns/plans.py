"""Support plans (an IRP for a trainee): started by a lead mentor or SLT from a concern, the Home tab or
`/concern plan @mentee`; 1–5 plan targets (ordinary targets, marked with the plan); reviewed by a date that is
a school day; the owner reminded a week before and on the day; the mentee reads and signs it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from bot.concerns.plan_reads import PlanSummary as PlanSummary
from bot.concerns.plan_reads import open_plans as open_plans
from bot.concerns.plan_reads import review_date_error
from bot.core.directory import Directory
from bot.core.due_dates import DueDateError, PassedDateError, describe
from bot.core.errors import FieldErrors, InvalidInput, NotFound
from bot.core.permissions import Action, Standing, is_allowed, require
from bot.core.school_calendar import SchoolCalendar
from bot.core.vocabulary import PLAN_NAME
from bot.roster.people import ensure_person, look_up
from bot.roster.service import Caller
from bot.targets.checks import STANDARDS, TEXT_LIMIT, clean_standards, suggested_standards
from bot.targets.service import read_due
from storage.concerns import (
    ConcernEntry,
    ConcernRepository,
    ConcernStatus,
    EntryKind,
    PlanOutcome,
    PlanRepository,
    PlanReview,
    PlanStatus,
    SupportPlan,
)
from storage.db import Conflict, Database, UnitOfWork
from storage.roster import AuditRepository, MenteeKind, Mentorship, MentorshipRepository, PeopleRepository, Person
from storage.targets import Target, TargetRepository, TargetStatus

MAX_TARGETS = 5
REMIND_DAYS_BEFORE = 7
REMIND_FROM = time(8, 0)  # reminders wait for the school day to start

# Field (and block) ids of the plan and review modals.
MENTEE, AREAS, STANDARDS_FIELD, TARGETS, SUPPORT, REVIEW_ON, INFORMED = (
    "plan_mentee",
    "plan_areas",
    "plan_standards",
    "plan_targets",
    "plan_support",
    "plan_review_on",
    "plan_informed",
)
OUTCOME, NOTES, NEXT_REVIEW_ON = "review_outcome", "review_notes", "review_next_on"


@dataclass(frozen=True)
class PlanForm:
    """What the plan modal opens with."""

    mentee: Person | None  # None: the modal asks who (started from the Home tab)
    plan_name: str
    concern_id: int | None = None
    areas: str | None = None
    standards: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PlanDraft:
    mentee_id: str
    areas: str | None
    standards: list[str]
    targets: str | None  # one target per line, each with its due date in plain words
    support: str | None
    review_on: date | None
    informed: str | None
    concern_id: int | None = None


@dataclass(frozen=True)
class PlanView:
    plan: SupportPlan
    plan_name: str
    targets: list[Target]
    names: dict[str, str]
    can_review: bool
    can_sign: bool

    def name(self, user_id: str) -> str:
        return self.names.get(user_id, user_id)


@dataclass(frozen=True)
class Started:
    view: PlanView
    created: bool
    mentor_ids: list[str]


@dataclass(frozen=True)
class Reviewed:
    plan: SupportPlan
    review: PlanReview
    created: bool


@dataclass(frozen=True)
class ReviewReminder:
    team_id: str
    plan_id: int
    owner_id: str
    mentee_id: str
    review_on: date
    on_day: bool


def _clean(text: str | None) -> str | None:
    text = (text or "").strip()
    return text or None


class PlanService:
    def __init__(self, db: Database, calendar: SchoolCalendar, school_tz: ZoneInfo) -> None:
        self.db = db
        self.calendar = calendar
        self.school_tz = school_tz

    def local(self, now: datetime) -> datetime:
        return now.astimezone(self.school_tz)

    # --- starting -------------------------------------------------------------------------------------------
    def prepare(
        self,
        caller: Caller,
        mentee_id: str | None,
        directory: Directory,
        now: datetime,
        *,
        concern_id: int | None = None,
    ) -> PlanForm:
        """Check the caller may start a plan (for this mentee, from this concern) before the modal opens."""
        if concern_id is not None:
            with self.db.unit_of_work() as session:
                concern = ConcernRepository(session).get(caller.team_id, concern_id)
                if concern is None:
                    raise NotFound("I can't find that concern.")
                mentee_id = concern.mentee_id
                areas, standards = concern.what_seen, list(concern.standards)
        else:
            areas, standards = None, []
        if mentee_id is None:
            require(Action.START_PLAN, caller.towards("", []))
            return PlanForm(None, "support plan")
        looked = look_up(self.db, directory, caller.team_id, mentee_id, now)
        with self.db.unit_of_work() as session:
            mentee = ensure_person(session, looked, caller.team_id, now)
            mentorship = self._may_start(session, caller, mentee.user_id)
            return PlanForm(mentee, PLAN_NAME[mentorship.mentee_kind], concern_id, areas, standards)

    def start(
        self, caller: Caller, draft: PlanDraft, submission_key: str, directory: Directory, now: datetime
    ) -> Started:
        """Store the plan and its targets once, however often Slack sends the submission."""
        local = self.local(now)
        errors: dict[str, str] = {}
        if not draft.mentee_id:
            errors[MENTEE] = "Choose who the plan is for."
        looked = look_up(self.db, directory, caller.team_id, draft.mentee_id, now) if draft.mentee_id else None
        try:
            with self.db.unit_of_work() as session:
                plans = PlanRepository(session)
                existing = plans.by_submission(caller.team_id, submission_key)
                if existing is not None:
                    return self._started(session, existing, created=False)
                mentorship = None
                if looked is not None:
                    mentee = ensure_person(session, looked, caller.team_id, now)
                    if mentee.user_id == caller.user_id:
                        errors[MENTEE] = "You can't start a plan for yourself."
                    else:
                        mentorship = self._may_start(session, caller, mentee.user_id)
                targets = self._check(draft, local, mentorship, errors)
                if errors:
                    raise FieldErrors(errors)
                assert mentorship is not None and draft.review_on is not None
                plan = plans.add(
                    SupportPlan(
                        team_id=caller.team_id,
                        mentorship_id=mentorship.id,
                        mentee_id=mentorship.mentee_id,
                        owner_id=caller.user_id,
                        concern_id=draft.concern_id,
                        areas=(draft.areas or "").strip(),
                        standards=clean_standards(draft.standards),
                        support=(draft.support or "").strip(),
                        informed=_clean(draft.informed),
                        review_on=draft.review_on,
                        status=PlanStatus.OPEN,
                        submission_key=submission_key,
                        created_at=now,
                        updated_at=now,
                    )
                )
                for index, (text, phrase, due) in enumerate(targets, start=1):
                    TargetRepository(session).add(
                        Target(
                            team_id=caller.team_id,
                            mentorship_id=mentorship.id,
                            mentee_id=mentorship.mentee_id,
                            set_by=caller.user_id,
                            text=text,
                            due_on=due,
                            due_phrase=phrase[:200] if phrase else None,
                            standards=suggested_standards(text) or clean_standards(draft.standards),
                            status=TargetStatus.OPEN,
                            plan_id=plan.id,
                            carried_count=0,
                            submission_key=f"{submission_key}:{index}",
                            created_at=now,
                            updated_at=now,
                        )
                    )
                self._from_concern(session, caller, draft.concern_id, plan, now)
                self._audit(session, caller, "plan.create", plan, now)
                return self._started(session, plan, created=True)
        except Conflict:
            with self.db.unit_of_work() as session:  # two deliveries of one submission raced
                existing = PlanRepository(session).by_submission(caller.team_id, submission_key)
                if existing is None:
                    raise
                return self._started(session, existing, created=False)

    # --- reading and signing ----------------------------------------------------------------------------------
    def read(self, caller: Caller, plan_id: int, now: datetime) -> PlanView:
        with self.db.unit_of_work() as session:
            plan = self._get(session, caller, plan_id)
            standings = self._standings(session, caller, plan)
            require(Action.READ_PLAN, standings)
            self._audit(session, caller, "plan.read", plan, now)
            return self._view(session, plan, standings)

    def sign(self, caller: Caller, plan_id: int, now: datetime) -> tuple[PlanView, bool]:
        """The mentee signs to say they have seen the plan; True the first time."""
        with self.db.unit_of_work() as session:
            plan = self._get(session, caller, plan_id)
            standings = self._standings(session, caller, plan)
            require(Action.SIGN_PLAN, standings)
            signed = PlanRepository(session).claim_signed(caller.team_id, plan.id, now)
            if signed:
                self._audit(session, caller, "plan.sign", plan, now)
                session.refresh(plan)
            return self._view(session, plan, standings), signed

    # --- review ---------------------------------------------------------------------------------------------
    def prepare_review(self, caller: Caller, plan_id: int) -> SupportPlan:
        with self.db.unit_of_work() as session:
            plan = self._get(session, caller, plan_id)
            require(Action.REVIEW_PLAN, self._standings(session, caller, plan))
            if plan.status is not PlanStatus.OPEN:
                raise InvalidInput("This plan has already been closed.")
            return plan

    def review(
        self,
        caller: Caller,
        plan_id: int,
        outcome: PlanOutcome | None,
        notes: str | None,
        next_review_on: date | None,
        submission_key: str,
        now: datetime,
    ) -> Reviewed:
        today = self.local(now).date()
        errors: dict[str, str] = {}
        notes = _clean(notes)
        if outcome is None:
            errors[OUTCOME] = "Choose the outcome of the review."
        elif outcome is PlanOutcome.CONTINUED:
            problem = review_date_error(next_review_on, today, self.calendar)
            if problem:
                errors[NEXT_REVIEW_ON] = problem
        if notes and len(notes) > TEXT_LIMIT:
            errors[NOTES] = f"Keep this under {TEXT_LIMIT} characters."
        with self.db.unit_of_work() as session:
            plans = PlanRepository(session)
            existing = plans.review_by_submission(caller.team_id, submission_key)
            if existing is not None:
                return Reviewed(existing.plan, existing, created=False)
            plan = self._get(session, caller, plan_id)
            require(Action.REVIEW_PLAN, self._standings(session, caller, plan))
            if plan.status is not PlanStatus.OPEN:
                raise InvalidInput("This plan has already been closed.")
            if errors:
                raise FieldErrors(errors)
            assert outcome is not None
            review = plans.add_review(
                PlanReview(
                    team_id=caller.team_id,
                    plan_id=plan.id,
                    author_id=caller.user_id,
                    outcome=outcome,
                    notes=notes,
                    reviewed_on=today,
                    next_review_on=next_review_on if outcome is PlanOutcome.CONTINUED else None,
                    submission_key=submission_key,
                    created_at=now,
                )
            )
            if outcome is PlanOutcome.CONTINUED:
                assert next_review_on is not None
                plan.review_on = next_review_on
            else:
                plan.status = PlanStatus.CLOSED if outcome is PlanOutcome.BACK_ON_TRACK else PlanStatus.ESCALATED
                plan.closed_at = now
            plan.updated_at = now
            self._audit(session, caller, "plan.review", plan, now, detail=outcome.value)
            session.flush()
            return Reviewed(plan, review, created=True)

    # --- reminders (the scheduler's job) -------------------------------------------------------------------------
    def due_reminders(self, team_id: str, now: datetime) -> list[ReviewReminder]:
        """Review reminders owed now: a week before and on the day, on school days only, each once."""
        local = self.local(now)
        today = local.date()
        if local.time() < REMIND_FROM or not self.calendar.is_school_day(today):
            return []
        owed = []
        with self.db.unit_of_work() as session:
            for plan in PlanRepository(session).open(team_id):
                days = (plan.review_on - today).days
                if days <= 0 and plan.reminded_on_day_for != plan.review_on:
                    owed.append(ReviewReminder(team_id, plan.id, plan.owner_id, plan.mentee_id, plan.review_on, True))
                elif 0 < days <= REMIND_DAYS_BEFORE and plan.reminded_before_for != plan.review_on:
                    owed.append(ReviewReminder(team_id, plan.id, plan.owner_id, plan.mentee_id, plan.review_on, False))
        return owed

    def claim_reminder(self, reminder: ReviewReminder) -> bool:
        with self.db.unit_of_work() as session:
            return PlanRepository(session).claim_reminder(
                reminder.team_id, reminder.plan_id, reminder.review_on, on_day=reminder.on_day
            )

    def release_reminder(self, reminder: ReviewReminder) -> None:
        with self.db.unit_of_work() as session:
            PlanRepository(session).release_reminder(reminder.team_id, reminder.plan_id, on_day=reminder.on_day)

    # --- helpers --------------------------------------------------------------------------------------------
    def _may_start(self, session: UnitOfWork, caller: Caller, mentee_id: str) -> Mentorship:
        mentorships = MentorshipRepository(session)
        require(Action.START_PLAN, caller.towards(mentee_id, mentorships.mentors_of(caller.team_id, mentee_id)))
        live = [m for m in mentorships.active_for(caller.team_id, mentee_id) if m.mentee_id == mentee_id]
        if not live:
            raise InvalidInput(f"<@{mentee_id}> has no mentor at the moment: a plan's targets need a mentorship.")
        return live[0]

    def _check(
        self, draft: PlanDraft, local: datetime, mentorship: Mentorship | None, errors: dict[str, str]
    ) -> list[tuple[str, str | None, date]]:
        today = local.date()
        for key, text, what in ((AREAS, draft.areas, "the areas of concern"), (SUPPORT, draft.support, "the support")):
            cleaned = _clean(text)
            if cleaned is None:
                errors[key] = f"Say what {what} {'are' if key == AREAS else 'is'}."
            elif len(cleaned) > TEXT_LIMIT:
                errors[key] = f"Keep this under {TEXT_LIMIT} characters."
        if draft.informed and len(draft.informed) > TEXT_LIMIT:
            errors[INFORMED] = f"Keep this under {TEXT_LIMIT} characters."
        if any(s not in STANDARDS for s in draft.standards):
            errors[STANDARDS_FIELD] = "Choose standards from the list."
        problem = review_date_error(draft.review_on, today, self.calendar)
        if problem:
            errors[REVIEW_ON] = problem
        lines = [line.strip(" •-\t") for line in (draft.targets or "").splitlines()]
        lines = [line for line in lines if line]
        if not lines:
            errors[TARGETS] = "Give at least one target, one per line (up to five)."
            return []
        if len(lines) > MAX_TARGETS:
            errors[TARGETS] = (
                f"A plan has at most {MAX_TARGETS} targets: this has {len(lines)}. Keep the five that matter most."
            )
            return []
        if mentorship is None:  # who the plan is for comes first: a target's default date is by their next meeting
            return []
        planned: list[tuple[str, str | None, date]] = []
        for number, line in enumerate(lines, start=1):
            try:
                text, phrase, due = read_due(
                    line, now=local, calendar=self.calendar, cadence=mentorship.meeting_cadence
                )
            except (PassedDateError, DueDateError, InvalidInput) as exc:
                errors[TARGETS] = f"Target {number}: {exc}"
                return []
            if not text.strip(" ,.;:-") or len(text) > TEXT_LIMIT:
                errors[TARGETS] = f"Target {number}: say what the target is, in under {TEXT_LIMIT} characters."
                return []
            if due < today:
                errors[TARGETS] = f"Target {number}: {describe(due)} has passed."
                return []
            planned.append((text.strip(), phrase.phrase if phrase else None, due))
        return planned

    def _from_concern(
        self, session: UnitOfWork, caller: Caller, concern_id: int | None, plan: SupportPlan, now: datetime
    ) -> None:
        """A plan started from an open concern moves it to the plan, on its trail."""
        if concern_id is None:
            return
        concerns = ConcernRepository(session)
        concern = concerns.get(caller.team_id, concern_id)
        if concern is None or concern.mentee_id != plan.mentee_id:
            raise InvalidInput("That concern is about someone else.")
        if concerns.claim_close(caller.team_id, concern.id, ConcernStatus.SUPPORT_PLAN, now):
            concerns.add_entry(
                ConcernEntry(
                    team_id=caller.team_id,
                    concern_id=concern.id,
                    author_id=caller.user_id,
                    kind=EntryKind.RESOLUTION,
                    happened=f"A support plan was started, to be reviewed by {describe(plan.review_on)}.",
                    outcome=ConcernStatus.SUPPORT_PLAN,
                    submission_key=f"{plan.submission_key}:concern",
                    created_at=now,
                )
            )

    def _get(self, session: UnitOfWork, caller: Caller, plan_id: int) -> SupportPlan:
        plan = PlanRepository(session).get(caller.team_id, plan_id)
        if plan is None:
            raise NotFound("I can't find that support plan.")
        return plan

    def _standings(self, session: UnitOfWork, caller: Caller, plan: SupportPlan) -> set[Standing]:
        mentor_ids = MentorshipRepository(session).mentors_of(caller.team_id, plan.mentee_id)
        standings = caller.towards(plan.mentee_id, mentor_ids)
        if plan.owner_id == caller.user_id:
            standings.add(Standing.AUTHOR)
        return standings

    def _view(self, session: UnitOfWork, plan: SupportPlan, standings: set[Standing]) -> PlanView:
        plans = PlanRepository(session)
        targets = list(plans.targets(plan.team_id, plan.id))
        ids = {plan.mentee_id, plan.owner_id, *(r.author_id for r in plan.reviews)}
        people = PeopleRepository(session).many(plan.team_id, ids)
        kind = plans.mentee_kind(plan) or MenteeKind.STAFF
        is_open = plan.status is PlanStatus.OPEN
        return PlanView(
            plan,
            PLAN_NAME[kind],
            targets,
            {uid: p.display for uid, p in people.items()},
            can_review=is_open and is_allowed(Action.REVIEW_PLAN, standings),
            can_sign=plan.signed_at is None and Standing.MENTEE in standings,
        )

    def _started(self, session: UnitOfWork, plan: SupportPlan, *, created: bool) -> Started:
        mentor_ids = MentorshipRepository(session).mentors_of(plan.team_id, plan.mentee_id)
        view = self._view(session, plan, {Standing.AUTHOR})
        return Started(view, created, [m for m in mentor_ids if m != plan.owner_id])

    @staticmethod
    def _audit(
        session: UnitOfWork,
        caller: Caller,
        action: str,
        plan: SupportPlan,
        now: datetime,
        *,
        detail: str | None = None,
    ) -> None:
        AuditRepository(session).record(
            caller.team_id,
            caller.user_id,
            action,
            now,
            subject_id=plan.mentee_id,
            record_type="support_plan",
            record_id=plan.id,
            detail=detail,
        )
