"""Induction details, provider review points, each teacher's review schedule and the reviewers' reminders.

Rules:
* induction details are set by lead mentors and admins (`/mentor induction @ect`): a start date no later
  than the end of next term, a part-time fraction from 0.1 to 1.0, days absent of zero or more. Setting
  them recomputes the schedule, and an ECT's mentorship then lasts the length of induction;
* a trainee's review points are named and dated by their provider (`/mentor reviews @trainee …`); a point
  named "end" is the placement's end date, and the trainee's mentorship then lasts until it;
* the schedule is worked out on every read (bot/reviews/schedule.py), so it follows the details;
* a reviewer is reminded a week before an item is due and on the day, on school days, once each: the
  mentor for progress reviews and provider points, the induction tutor (or else the headteachers) for
  formal and interim assessments. An item with a review saved needs no reminder.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.core.calendar_years import extend_calendar
from bot.core.directory import Directory
from bot.core.errors import InvalidInput, NotFound
from bot.core.permissions import Action, require
from bot.core.school_calendar import SchoolCalendar
from bot.reviews.induction import (
    PERSONAL_FIELDS,
    InductionInput,
    check_induction,
)
from bot.reviews.schedule import (
    InductionFacts,
    InductionPlan,
    ProviderPoint,
    ScheduleItem,
    induction_plan,
    provider_plan,
)
from bot.roster.people import ensure_person, look_up
from bot.roster.service import Caller
from storage.db import Database
from storage.reviews import Induction, Review, ReviewKind, ReviewPoint, ReviewRepository
from storage.roster import AuditRepository, MenteeKind, Mentorship, MentorshipRepository, Role, RoleRepository
from storage.submission_keys import SubmissionKeyRepository

DUE_SOON = timedelta(days=14)
# /review opens the earliest review not done that is due no longer ago than this; older ones (done on
# paper before the bot, say) are opened by name: `/review @ect term 2`.
OPEN_BY_DEFAULT_WITHIN = timedelta(days=42)
WEEK_BEFORE, ON_THE_DAY = "week_before", "on_the_day"
# A "review point" with one of these names is the placement's end date the provider gave, not a review.
PLACEMENT_END_NAMES = frozenset({"end", "placement end", "placement ends"})


@dataclass(frozen=True)
class InductionForm:
    mentee_id: str
    mentee_name: str
    induction: Induction | None
    today: date


@dataclass(frozen=True)
class ItemState:
    item: ScheduleItem
    state: str  # "done", "signing", "overdue", "due soon", "upcoming"
    review_id: int | None = None


@dataclass(frozen=True)
class MenteeSchedule:
    mentee_id: str
    mentorship_id: int
    mentor_id: str
    kind: MenteeKind
    items: tuple[ItemState, ...]
    induction: Induction | None = None
    plan: InductionPlan | None = None
    missing: str | None = None  # why there is no schedule yet

    def next_due(self) -> ItemState | None:
        return next((s for s in self.items if s.state not in ("done", "signing")), None)

    def to_write(self, today: date, choice: str | None = None) -> ItemState | None:
        """The item `/review` opens: the one named (`term 3`, `interim`, a review point's name), or else the
        earliest not written whose due date is at most six weeks ago."""
        if choice:
            wanted = " ".join(choice.lower().split())
            term = re.fullmatch(r"term:? ?(\d+)", wanted)
            key = f"term:{term.group(1)}" if term else wanted
            return next((s for s in self.items if key in (s.item.key, s.item.title.lower())), None)
        return next(
            (
                s
                for s in self.items
                if s.state not in ("done", "signing") and s.item.due_on >= today - OPEN_BY_DEFAULT_WITHIN
            ),
            None,
        )


def choice_name(item: ScheduleItem) -> str:
    """How to name an item after `/review @teacher`: "term 3", "interim" or the review point's name."""
    return item.key.replace(":", " ") if item.key.startswith(("term:", "interim")) else item.title


@dataclass(frozen=True)
class Reminder:
    recipient_id: str
    mentee_id: str
    item: ScheduleItem
    notice: str


@dataclass(frozen=True)
class InductionSaved:
    schedule: MenteeSchedule
    created: bool
    end_changed_to: date | None = None
    changed: list[str] = field(default_factory=list)
    repeat: bool = False  # the same submission again (a retry, a replay): nothing was changed


class ReviewService:
    def __init__(self, db: Database, calendar: SchoolCalendar, school_tz: ZoneInfo) -> None:
        self.db = db
        self.calendar = calendar
        self.school_tz = school_tz

    def today(self, now: datetime) -> date:
        return now.astimezone(self.school_tz).date()

    # --- induction details -------------------------------------------------------------------------------

    def induction_form(self, caller: Caller, mentee_id: str, directory: Directory, now: datetime) -> InductionForm:
        require(Action.SET_INDUCTION, caller.standings)
        looked = look_up(self.db, directory, caller.team_id, mentee_id, now)  # Slack, before the transaction
        with self.db.unit_of_work() as session:
            mentee = ensure_person(session, looked, caller.team_id, now)
            mentorship = self._ect_mentorship(session, caller.team_id, mentee_id)
            induction = ReviewRepository(session).induction(mentorship.id)
            return InductionForm(mentee_id, mentee.display, induction, self.today(now))

    def set_induction(
        self, caller: Caller, mentee_id: str, typed: InductionInput, now: datetime, submission_key: str = ""
    ) -> InductionSaved:
        """Save an ECT's induction details once, however often Slack sends them: `submission_key` is the view id."""
        require(Action.SET_INDUCTION, caller.standings)
        today = self.today(now)
        facts = self.check_induction(typed, today)
        with self.db.unit_of_work() as session:
            # The first write: a repeat arriving at the same moment waits here, then finds the key taken.
            repeat = SubmissionKeyRepository(session).is_repeat(caller.team_id, "induction.set", submission_key, now)
            mentorship = self._ect_mentorship(session, caller.team_id, mentee_id)
            if repeat:
                induction = ReviewRepository(session).induction(mentorship.id)
                reviews = ReviewRepository(session).current(caller.team_id, [mentorship.id])
                schedule = self._schedule(mentorship, induction, [], reviews, today)
                return InductionSaved(schedule, False, repeat=True)
            details = {
                "appropriate_body": (typed.appropriate_body or "").strip() or None,
                "tutor_id": typed.tutor_id or None,
                "trn": (typed.trn or "").strip() or None,
                "date_of_birth": typed.date_of_birth,
            }
            induction, created, end_changed, changed = self.store_induction(
                session, mentorship, facts, details, caller.user_id, now
            )
            reviews = ReviewRepository(session).current(caller.team_id, [mentorship.id])
            schedule = self._schedule(mentorship, induction, [], reviews, today)
            return InductionSaved(schedule, created, end_changed, changed)

    def store_induction(
        self,
        session: Session,
        mentorship: Mentorship,
        facts: InductionFacts,
        details: Mapping[str, object],
        by: str,
        now: datetime,
    ) -> tuple[Induction, bool, date | None, list[str]]:
        """Store checked induction details (from the modal or the roster file) and make the mentorship last the
        length of induction: the induction, whether it is new, the mentorship's new end date, what changed."""
        repo = ReviewRepository(session)
        induction = repo.induction(mentorship.id)
        created = induction is None
        if induction is None:
            induction = Induction(
                team_id=mentorship.team_id,
                mentorship_id=mentorship.id,
                mentee_id=mentorship.mentee_id,
                created_at=now,
            )
        values = {
            "start_date": facts.start,
            "fte_percent": round(facts.fraction * 100),
            "days_absent": facts.days_absent,
            "left_on": facts.left_on,
            **details,
        }
        changed = [key for key, value in values.items() if getattr(induction, key, None) != value]
        for key, value in values.items():
            setattr(induction, key, value)
        induction.updated_by, induction.updated_at = by, now
        if created:
            repo.add(induction)
        plan = induction_plan(facts, self.calendar)
        end_changed = None
        if mentorship.end_date != plan.end:  # an ECT's mentorship lasts the length of induction
            mentorship.end_date = end_changed = plan.end
        AuditRepository(session).record(
            mentorship.team_id,
            by,
            "induction.set",
            now,
            subject_id=mentorship.mentee_id,
            record_type="induction",
            record_id=induction.id,
            detail=",".join(k for k in changed if k not in PERSONAL_FIELDS) or None,
        )
        return induction, created, end_changed, changed

    def add_absence(self, caller: Caller, mentee_id: str, days: int, now: datetime) -> MenteeSchedule:
        """Add days to the running total of days absent (it only grows: corrections go through the modal)."""
        require(Action.SET_INDUCTION, caller.standings)
        if days <= 0:
            raise InvalidInput("Give the number of days absent to add, a whole number above zero.")
        with self.db.unit_of_work() as session:
            mentorship = self._ect_mentorship(session, caller.team_id, mentee_id)
            repo = ReviewRepository(session)
            induction = repo.induction(mentorship.id)
            if induction is None:
                raise InvalidInput(f"Set <@{mentee_id}>'s induction details first: `/mentor induction @{mentee_id}`.")
            induction.days_absent += days
            induction.updated_by, induction.updated_at = caller.user_id, now
            plan = induction_plan(_facts(induction), self.calendar)
            mentorship.end_date = plan.end
            AuditRepository(session).record(
                caller.team_id, caller.user_id, "induction.absence", now, subject_id=mentee_id, detail=str(days)
            )
            reviews = repo.current(caller.team_id, [mentorship.id])
            return self._schedule(mentorship, induction, [], reviews, self.today(now))

    def check_induction(self, typed: InductionInput, today: date) -> InductionFacts:
        return check_induction(typed, today, self.calendar)

    def _ect_mentorship(self, session: Session, team_id: str, mentee_id: str) -> Mentorship:
        live = [m for m in MentorshipRepository(session).active_for(team_id, mentee_id) if m.mentee_id == mentee_id]
        if not live:
            raise InvalidInput(f"<@{mentee_id}> has no mentor yet: start one with `/mentor assign @mentor @ect ect`.")
        ects = [m for m in live if m.mentee_kind is MenteeKind.ECT]
        if not ects:
            raise InvalidInput(f"<@{mentee_id}> isn't mentored as an ECT, so has no induction to set up.")
        return ects[0]

    # --- provider review points ------------------------------------------------------------------------

    def set_points(
        self, caller: Caller, mentee_id: str, points: Sequence[tuple[str, date]], now: datetime
    ) -> MenteeSchedule:
        require(Action.SET_INDUCTION, caller.standings)
        if not points:
            raise InvalidInput("Give at least one review point: a name and a date.")
        if not any(name.lower() not in PLACEMENT_END_NAMES for name, _ in points) and len(points) > 1:
            raise InvalidInput("Give the placement's end once, with the review points.")
        with self.db.unit_of_work() as session:
            live = [
                m
                for m in MentorshipRepository(session).active_for(caller.team_id, mentee_id)
                if m.mentee_id == mentee_id and m.mentee_kind is MenteeKind.TRAINEE
            ]
            if not live:
                raise InvalidInput(f"<@{mentee_id}> isn't mentored as a trainee: review points are for trainees.")
            mentorship = live[0]
            repo = ReviewRepository(session)
            for name, due in points:
                if name.lower() in PLACEMENT_END_NAMES:  # the placement's end: the mentorship lasts until then
                    mentorship.end_date = due
                    continue
                point = repo.point(mentorship.id, name)
                if point is None:
                    repo.add(
                        ReviewPoint(
                            team_id=caller.team_id,
                            mentorship_id=mentorship.id,
                            mentee_id=mentee_id,
                            name=name,
                            due_on=due,
                            created_by=caller.user_id,
                            created_at=now,
                        )
                    )
                else:
                    point.due_on = due
            AuditRepository(session).record(
                caller.team_id, caller.user_id, "review_points.set", now, subject_id=mentee_id, detail=str(len(points))
            )
            session.flush()
            stored = repo.points(caller.team_id, [mentorship.id])[mentorship.id]
            reviews = repo.current(caller.team_id, [mentorship.id])
            return self._schedule(mentorship, None, stored, reviews, self.today(now))

    # --- schedules -----------------------------------------------------------------------------------

    def schedule_for(self, caller: Caller, mentee_id: str, now: datetime) -> MenteeSchedule:
        with self.db.unit_of_work() as session:
            mentor_ids = MentorshipRepository(session).mentors_of(caller.team_id, mentee_id)
            require(Action.READ_REVIEWS, caller.towards(mentee_id, mentor_ids))
            found = self.schedules_in(session, caller.team_id, self.today(now), {mentee_id})
            if not found:
                raise NotFound(f"<@{mentee_id}> isn't being mentored now, so has no review schedule.")
            return found[0]

    def schedules_seen_by(self, team_id: str, user_id: str, roles: set[Role], now: datetime) -> list[MenteeSchedule]:
        """The Home tab's list: one's own schedule, one's mentees', one's ECTs as tutor, everyone's for leaders.
        Only those rows are read, so a mentee's or mentor's Home costs the same however big the school is."""
        today = self.today(now)
        with self.db.unit_of_work() as session:
            if self.sees_every_schedule(roles):
                return self.schedules_in(session, team_id, today)
            mentorships = ReviewRepository(session).live_mentorships_involving(
                team_id, user_id, every_ect=Role.TUTOR in roles
            )
            return self._schedules_of(session, team_id, mentorships, today)

    @staticmethod
    def sees_every_schedule(roles: set[Role]) -> bool:
        """Lead mentors, SLT and the head see every ECT's and trainee's schedule; others only those they're part of."""
        return bool(roles & {Role.LEAD, Role.SLT, Role.HEAD})

    def school_schedules(self, team_id: str, now: datetime) -> list[MenteeSchedule]:
        with self.db.unit_of_work() as session:
            return self.schedules_in(session, team_id, self.today(now))

    def due_for_digest(self, team_id: str, day: date) -> list[tuple[str, ItemState]]:
        """Reviews overdue or due within two weeks of `day` (the digest's Friday), soonest first, with whose."""
        with self.db.unit_of_work() as session:
            schedules = self.schedules_in(session, team_id, day)
        due = [(s.mentee_id, item) for s in schedules for item in s.items if item.state in ("overdue", "due soon")]
        return sorted(due, key=lambda pair: (pair[1].item.due_on, pair[0]))

    def schedules_in(
        self, session: Session, team_id: str, today: date, mentee_ids: set[str] | None = None
    ) -> list[MenteeSchedule]:
        """Every live ECT's and trainee's schedule (or those of `mentee_ids`): four queries, however many.
        Takes no caller: callers check who may see what."""
        mentorships = [
            m
            for m in ReviewRepository(session).live_mentorships(team_id)
            if mentee_ids is None or m.mentee_id in mentee_ids
        ]
        return self._schedules_of(session, team_id, mentorships, today)

    def _schedules_of(
        self, session: Session, team_id: str, mentorships: Sequence[Mentorship], today: date
    ) -> list[MenteeSchedule]:
        """The ECTs' and trainees' schedules among `mentorships`: three queries, however many."""
        repo = ReviewRepository(session)
        mentorships = [m for m in mentorships if m.mentee_kind in (MenteeKind.ECT, MenteeKind.TRAINEE)]
        ids = [m.id for m in mentorships]
        inductions = repo.inductions(team_id, ids)
        points = repo.points(team_id, ids)
        reviews = repo.current(team_id, ids)
        return [self._schedule(m, inductions.get(m.id), points[m.id], reviews, today) for m in mentorships]

    def _schedule(
        self,
        mentorship: Mentorship,
        induction: Induction | None,
        points: Sequence[ReviewPoint],
        reviews: Sequence[Review],
        today: date,
    ) -> MenteeSchedule:
        plan: InductionPlan | None = None
        missing = None
        if mentorship.mentee_kind is MenteeKind.ECT:
            if induction is None:
                items: tuple[ScheduleItem, ...] = ()
                missing = "Induction details not set yet: a lead mentor or admin sets them with `/mentor induction`."
            else:
                plan = induction_plan(_facts(induction), self.calendar)
                items = plan.items
        else:
            items = provider_plan(mentorship.start_date, [ProviderPoint(p.id, p.name, p.due_on) for p in points])
            if not items:
                missing = "No provider review points yet: set them with `/mentor reviews @trainee <name> <date>…`."
        done = {r.point_key: r for r in reviews if r.mentorship_id == mentorship.id}
        states = []
        for item in items:
            review = done.get(item.key)
            if review is not None:
                state = "done" if review.locked_at is not None else "signing"
            elif item.due_on < today:
                state = "overdue"
            elif item.due_on <= today + DUE_SOON:
                state = "due soon"
            else:
                state = "upcoming"
            states.append(ItemState(item, state, review.id if review else None))
        return MenteeSchedule(
            mentorship.mentee_id,
            mentorship.id,
            mentorship.mentor_id,
            mentorship.mentee_kind,
            tuple(states),
            induction,
            plan,
            missing,
        )

    # --- reminders -------------------------------------------------------------------------------------

    def claim_reminders(self, team_id: str, now: datetime) -> list[Reminder]:
        """Reminders due today, each claimed once (two schedulers at once send one). School days only."""
        today = self.today(now)
        if not self.calendar.is_school_day(today):
            return []
        claimed: list[Reminder] = []
        with self.db.unit_of_work() as session:
            schedules = self.schedules_in(session, team_id, today)
            heads = RoleRepository(session).holders(team_id, Role.HEAD)
            repo = ReviewRepository(session)
            for schedule in schedules:
                for state in schedule.items:
                    if state.state in ("done", "signing"):
                        continue
                    notice = self._notice_for(state.item, today)
                    if notice is None:
                        continue
                    for recipient in self._reviewers(schedule, state.item, heads):
                        key = state.item.key
                        if repo.claim_reminder(team_id, schedule.mentorship_id, key, notice, recipient, now):
                            claimed.append(Reminder(recipient, schedule.mentee_id, state.item, notice))
        return claimed

    def _notice_for(self, item: ScheduleItem, today: date) -> str | None:
        cal = extend_calendar(self.calendar, item.due_on, since=item.due_on - timedelta(days=14))
        on_day = item.due_on if cal.is_school_day(item.due_on) else cal.last_school_day_before(item.due_on)
        week_before = cal.first_school_day_from(item.due_on - timedelta(days=7))
        if on_day is not None and today == on_day:
            return ON_THE_DAY
        if week_before is not None and today == week_before and week_before < (on_day or item.due_on):
            return WEEK_BEFORE
        return None

    def _reviewers(self, schedule: MenteeSchedule, item: ScheduleItem, heads: list[str]) -> list[str]:
        if item.kind in (ReviewKind.FORMAL, ReviewKind.INTERIM):
            tutor = schedule.induction.tutor_id if schedule.induction else None
            return [tutor] if tutor else heads[:1]
        return [schedule.mentor_id]


def _facts(induction: Induction) -> InductionFacts:
    return InductionFacts(induction.start_date, induction.fte_percent / 100, induction.days_absent, induction.left_on)


def writing_action(kind: ReviewKind) -> Action:
    """Who may write this kind of review: assessments are the tutor's or the head's, never the mentor's."""
    return Action.WRITE_ASSESSMENT if kind in (ReviewKind.FORMAL, ReviewKind.INTERIM) else Action.WRITE_PROGRESS_REVIEW
