"""The App Home tab's read model: what each person's dashboard shows, gathered in a fixed number of queries.

A person sees one section per hat they wear — mentee, mentor, lead mentor, SLT, admin — and only what the
permission table lets that hat read: meeting notes need READ_MEETING, observation ratings and flags need
READ_OBSERVATION, admins see the roster and settings but no observation or meeting content. Every query is
limited to the caller's workspace.

However many mentees a school has, a Home is built in the same number of queries: each section reads its
rows in a handful of grouped statements (the lead mentor's cohort comes from `DigestBuilder`, which already
does this for the weekly digest). Time is an argument: `build(caller, now)`.
"""

from __future__ import annotations

import calendar as month_calendar
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.orm import Session, aliased

from bot.concerns.service import OpenConcern, visible_to_mentee
from bot.core.directory import Directory
from bot.core.permissions import Action, Standing, is_allowed
from bot.core.school_calendar import DateRange, SchoolCalendar
from bot.digests.service import DigestBuilder, MenteeWeek, SchoolWeek, Week
from bot.observations.forms import FormLibrary
from bot.privacy.service import PSEUDONYM_PREFIX
from bot.reminders.service import SCHOOL_DAYS, halves
from bot.roster.people import ensure_person
from bot.roster.service import Caller
from bot.targets.service import mentorship_for
from storage.concerns import Concern
from storage.db import Database
from storage.digests import DigestRepository
from storage.meetings import Meeting, MeetingRepository
from storage.observations import Observation, ObservationRepository, Rating, ranked_observations
from storage.roster import MeetingCadence, MenteeKind, Mentorship, Person, Role, RoleGrant, Workspace
from storage.targets import Target, TargetRepository, TargetStatus

TREND_LENGTH = 8  # ratings shown per standard, newest last


@dataclass(frozen=True)
class HomeSettings:
    """What the admin section shows of the bot's own configuration."""

    calendar_name: str
    digest_day: str  # "friday"
    digest_time: str  # "15:00", school time


# --- the mentee's own section -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LastMeeting:
    held_on: date
    author_id: str
    notes: str | None  # None when the viewer may not read meeting notes
    signed_off: bool
    next_meeting_on: date | None


@dataclass(frozen=True)
class RatingTrend:
    """One standard's ratings across the teacher's observations, oldest first."""

    label: str
    ratings: tuple[Rating, ...]


@dataclass(frozen=True)
class OwedReflection:
    observation_id: int
    observed_on: date
    observer_id: str


@dataclass(frozen=True)
class MenteeSection:
    mentor_ids: list[str]
    targets: list[Target]  # open ones: overdue first, then soonest due
    last_meeting: LastMeeting | None
    observations: int
    latest_observed_on: date | None
    trends: list[RatingTrend] | None  # None when the viewer may not read observations
    reflections_owed: list[OwedReflection]  # newest first
    concerns: list[Concern] = field(default_factory=list)  # about them, once discussed with them (newest first)

    def overdue(self, today: date) -> int:
        return sum(1 for t in self.targets if t.is_overdue(today))


# --- the mentor's section -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MenteeStatus:
    """One mentee as their mentor sees them on the Home tab."""

    mentee_id: str
    kind: MenteeKind
    cadence: MeetingCadence
    last_meeting: date | None
    meeting_due: date | None  # None: the school calendar doesn't reach far enough to say
    meeting_overdue: bool
    observations_this_half: int
    observations_needed: int
    targets_open: int
    targets_overdue: int
    not_on_track: bool | None  # None when the viewer may not read observations
    concern: bool | None
    can_log_meeting: bool
    can_observe: bool
    can_set_target: bool

    @property
    def flags(self) -> list[str]:
        flags = []
        if self.not_on_track:
            flags.append("not on track")
        if self.concern:
            flags.append("concern")
        return flags

    @property
    def needs_attention(self) -> bool:
        """A flag, an overdue target or a missed meeting (as in the digest, two observations short alone is not)."""
        return bool(self.flags or self.targets_overdue or self.meeting_overdue)

    @property
    def need(self) -> int:
        """Higher means look sooner: the same weights as the weekly digest."""
        score = 1000 * bool(self.not_on_track) + 500 * bool(self.concern)
        score += 40 * self.targets_overdue + 30 * self.meeting_overdue
        return score + 10 * max(0, self.observations_needed - self.observations_this_half)


@dataclass(frozen=True)
class MentorSection:
    mentees: list[MenteeStatus]  # most need first
    half: DateRange


# --- lead mentor, SLT, admin ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LeadSection:
    school: SchoolWeek
    ordered: list[MenteeWeek]  # needing attention first, most urgent first
    needing: int
    quiet_mentors: list[tuple[str, list[str]]]  # mentor, mentees off their cadence
    can_log_meeting: bool
    can_observe: bool
    can_set_target: bool


@dataclass(frozen=True)
class SltSection:
    snapshot_week: str | None  # the latest digest's week, "2026-W48"
    numbers: dict[str, Any] | None  # that digest's school-wide figures: no names, no notes
    flagged: list[MenteeWeek] | None  # not on track or a concern; None when SLT may not read observations
    slt_channel_id: str | None
    concerns: list[OpenConcern] = field(default_factory=list)  # open ones: SLT are told of every concern


@dataclass(frozen=True)
class WithoutMentor:
    mentee_id: str
    last_mentor_id: str
    ended_on: date
    planned_end: date


@dataclass(frozen=True)
class Ending:
    mentor_id: str
    mentee_id: str
    end_date: date


@dataclass(frozen=True)
class AdminSection:
    without_mentor: list[WithoutMentor]
    ending: list[Ending]  # live mentorships whose planned end is this month (or already past)
    month_end: date
    slt_channel_id: str | None
    lead_ids: list[str]
    slt_ids: list[str]


@dataclass(frozen=True)
class Home:
    team_id: str
    user_id: str
    today: date
    settings: HomeSettings
    mentee: MenteeSection | None = None
    mentor: MentorSection | None = None
    lead: LeadSection | None = None
    slt: SltSection | None = None
    admin: AdminSection | None = None
    admins: list[str] = field(default_factory=list)  # who sets the bot up: shown to people it doesn't know yet

    @property
    def known(self) -> bool:
        return any(s is not None for s in (self.mentee, self.mentor, self.lead, self.slt, self.admin))


class HomeService:
    def __init__(
        self,
        db: Database,
        calendar: SchoolCalendar,
        forms: FormLibrary,
        school_tz: ZoneInfo,
        settings: HomeSettings,
    ) -> None:
        self.db = db
        self.calendar = calendar
        self.forms = forms
        self.school_tz = school_tz
        self.settings = settings

    def today(self, now: datetime) -> date:
        return now.astimezone(self.school_tz).date()

    def build(self, caller: Caller, now: datetime) -> Home:
        """Everything the caller's Home tab shows, for each section their standings give them."""
        today = self.today(now)
        standings = caller.standings
        school: SchoolWeek | None = None
        if Standing.LEAD in standings or Standing.SLT in standings:
            school = DigestBuilder(self.db, self.calendar).build(caller.team_id, Week.containing(today))
        with self.db.unit_of_work() as session:
            mentee = self._mentee(session, caller, today) if Standing.MENTEE in standings else None
            mentor = self._mentor(session, caller, today) if Standing.MENTOR in standings else None
            admin = self._admin(session, caller.team_id, today) if Standing.ADMIN in standings else None
            admins = [] if (mentee or mentor or admin or school) else self._admins(session, caller.team_id)
        lead = _lead(school) if school is not None and Standing.LEAD in standings else None
        slt = self._slt(caller, school) if school is not None and Standing.SLT in standings else None
        return Home(caller.team_id, caller.user_id, today, self.settings, mentee, mentor, lead, slt, admin, admins)

    def target_mentee(self, caller: Caller, mentee_id: str, directory: Directory, now: datetime) -> Person:
        """The mentee the Home's **Set target** is for, once the caller may set them one (before the modal opens)."""
        with self.db.unit_of_work() as session:
            mentee = ensure_person(session, directory, caller.team_id, mentee_id, now)
            mentorship_for(session, caller, mentee, Action.SET_TARGET, "set a target for")
            return mentee

    # --- mentee --------------------------------------------------------------------------------------------------
    def _mentee(self, session: Session, caller: Caller, today: date) -> MenteeSection:
        me = caller.user_id
        mentor_ids = _live_mentors_of(session, caller.team_id, me)
        standings = caller.towards(me, mentor_ids)
        targets = sorted(
            TargetRepository(session).open_for(caller.team_id, me),
            key=lambda t: (not t.is_overdue(today), t.due_on, t.id),
        )
        latest = MeetingRepository(session).latest_for_mentee(caller.team_id, me)
        last_meeting = None
        if latest is not None:
            notes = latest.notes if is_allowed(Action.READ_MEETING, standings) else None
            last_meeting = LastMeeting(
                latest.held_on, latest.author_id, notes, latest.signed_off_at is not None, latest.next_meeting_on
            )
        observations = ObservationRepository(session).of_teacher(caller.team_id, me)
        readable = is_allowed(Action.READ_OBSERVATION, standings)
        return MenteeSection(
            mentor_ids=mentor_ids,
            targets=targets,
            last_meeting=last_meeting,
            observations=len(observations),
            latest_observed_on=observations[-1].observed_on if observations else None,
            trends=self._trends(observations) if readable else None,
            reflections_owed=[
                OwedReflection(o.id, o.observed_on, o.observer_id)
                for o in reversed(observations)
                if o.reflected_at is None
            ],
            concerns=visible_to_mentee(session, caller.team_id, me),
        )

    def _trends(self, observations: Sequence[Observation]) -> list[RatingTrend]:
        by_key: dict[str, tuple[str, list[Rating]]] = {}
        for observation in observations:
            form = self.forms.get(observation.form_key)
            if form is None:
                continue
            for form_field in form.ratings:
                entry = observation.entry(form_field.key)
                if entry is None or entry.rating is None:
                    continue
                by_key.setdefault(form_field.key, (form_field.label, []))[1].append(entry.rating)
        return [RatingTrend(label, tuple(ratings[-TREND_LENGTH:])) for label, ratings in by_key.values()]

    # --- mentor --------------------------------------------------------------------------------------------------
    def _mentor(self, session: Session, caller: Caller, today: date) -> MentorSection:
        """Every mentee of the caller, in five queries however many there are."""
        team_id, me = caller.team_id, caller.user_id
        half = self.calendar.teaching_half_for(today)
        mine = (
            select(Mentorship.mentee_id)
            .where(Mentorship.team_id == team_id, Mentorship.mentor_id == me, Mentorship.ended_at.is_(None))
            .scalar_subquery()
        )
        # 1. The live mentorships of those mentees (theirs with me, and with any other mentor).
        rows = session.execute(
            select(Mentorship)
            .where(Mentorship.team_id == team_id, Mentorship.ended_at.is_(None), Mentorship.mentee_id.in_(mine))
            .order_by(Mentorship.mentee_id, Mentorship.start_date, Mentorship.id)
        ).scalars()
        own: dict[str, Mentorship] = {}
        mentors: dict[str, list[str]] = {}
        for mentorship in rows:
            mentors.setdefault(mentorship.mentee_id, []).append(mentorship.mentor_id)
            if mentorship.mentor_id == me:
                own.setdefault(mentorship.mentee_id, mentorship)
        # 2. Each mentee's latest meeting, and the next one it planned.
        ranked_meetings = (
            select(
                Meeting.mentee_id,
                Meeting.held_on,
                Meeting.next_meeting_on,
                func.row_number()
                .over(partition_by=Meeting.mentee_id, order_by=(Meeting.held_on.desc(), Meeting.id.desc()))
                .label("recency"),
            )
            .where(Meeting.team_id == team_id, Meeting.mentee_id.in_(mine))
            .subquery()
        )
        last: dict[str, tuple[date, date | None]] = {
            mentee_id: (held_on, planned)
            for mentee_id, held_on, planned in session.execute(
                select(ranked_meetings.c.mentee_id, ranked_meetings.c.held_on, ranked_meetings.c.next_meeting_on).where(
                    ranked_meetings.c.recency == 1
                )
            )
        }
        # 3. Observations this half term, and concerns in them.
        in_half = and_(Observation.observed_on >= half.start, Observation.observed_on <= half.end)
        observed: dict[str, tuple[int, bool]] = {
            teacher_id: (int(count or 0), bool(concerns))
            for teacher_id, count, concerns in session.execute(
                select(
                    Observation.teacher_id,
                    func.count(),
                    func.sum(case((Observation.has_concern.is_(True), 1), else_=0)),
                )
                .where(Observation.team_id == team_id, Observation.teacher_id.in_(mine), in_half)
                .group_by(Observation.teacher_id)
            )
        }
        # 4. "On track?" from each mentee's latest observation.
        ranked = ranked_observations(team_id, Observation.teacher_id.in_(mine)).subquery()
        on_track: dict[str, bool | None] = {
            teacher_id: value
            for teacher_id, value in session.execute(
                select(ranked.c.teacher_id, ranked.c.on_track).where(ranked.c.recency == 1)
            )
        }
        # 5. Open and overdue targets.
        targets: dict[str, tuple[int, int]] = {
            mentee_id: (int(open_ or 0), int(overdue or 0))
            for mentee_id, open_, overdue in session.execute(
                select(
                    Target.mentee_id,
                    func.count(),
                    func.sum(case((Target.due_on < today, 1), else_=0)),
                )
                .where(Target.team_id == team_id, Target.mentee_id.in_(mine), Target.status == TargetStatus.OPEN)
                .group_by(Target.mentee_id)
            )
        }
        school_days: dict[tuple[date, int], date | None] = {}
        statuses = []
        for mentee_id, mentorship in own.items():
            standings = caller.towards(mentee_id, mentors.get(mentee_id, []))
            readable = is_allowed(Action.READ_OBSERVATION, standings)
            held_on, planned = last.get(mentee_id, (None, None))
            due = self._meeting_due(mentorship, held_on, planned, today, school_days)
            count, concern = observed.get(mentee_id, (0, False))
            open_, overdue = targets.get(mentee_id, (0, 0))
            statuses.append(
                MenteeStatus(
                    mentee_id=mentee_id,
                    kind=mentorship.mentee_kind,
                    cadence=mentorship.meeting_cadence,
                    last_meeting=held_on,
                    meeting_due=due,
                    meeting_overdue=due is not None and due < today,
                    observations_this_half=count,
                    observations_needed=mentorship.observations_per_half_term,
                    targets_open=open_,
                    targets_overdue=overdue,
                    not_on_track=(on_track.get(mentee_id) is False) if readable else None,
                    concern=concern if readable else None,
                    can_log_meeting=is_allowed(Action.LOG_MEETING, standings),
                    can_observe=is_allowed(Action.OBSERVE, standings),
                    can_set_target=is_allowed(Action.SET_TARGET, standings),
                )
            )
        statuses.sort(key=lambda s: (-s.need, s.mentee_id))
        return MentorSection(statuses, half)

    def _meeting_due(
        self,
        mentorship: Mentorship,
        held_on: date | None,
        planned: date | None,
        today: date,
        cache: dict[tuple[date, int], date | None],
    ) -> date | None:
        """When the next meeting is due, counted as the reminders count it (school days, or halves of terms)."""
        cadence = mentorship.meeting_cadence
        if cadence in SCHOOL_DAYS:
            if held_on is not None and planned is not None and planned > held_on:
                return planned
            key = (held_on or mentorship.start_date, SCHOOL_DAYS[cadence])
            if key not in cache:  # many mentees share a last-meeting date: count the school days once
                cache[key] = self.calendar.add_school_days(*key)
            return cache[key]
        # Twice a term: a meeting in each half of each term, due by the half's last school day.
        upcoming = [half for _, half in halves(self.calendar) if half.end >= today]
        if upcoming and held_on is not None and held_on >= upcoming[0].start:
            upcoming = upcoming[1:]  # met in this half already: the next half's is the one due
        if not upcoming:
            return None
        return self.calendar.last_school_day_before(upcoming[0].end + timedelta(days=1)) or upcoming[0].end

    # --- SLT -------------------------------------------------------------------------------------------------------
    def _slt(self, caller: Caller, school: SchoolWeek) -> SltSection:
        latest = DigestRepository(self.db).latest_snapshot(caller.team_id)
        flagged = None
        if is_allowed(Action.READ_OBSERVATION, {Standing.SLT}):
            flagged = [m for m in school.by_need if m.not_on_track or m.concern_this_half]
        return SltSection(
            snapshot_week=latest.week if latest else None,
            numbers=dict(latest.numbers) if latest else None,
            flagged=flagged,
            slt_channel_id=school.slt_channel_id,
            concerns=school.open_concerns if is_allowed(Action.READ_CONCERN, {Standing.SLT}) else [],
        )

    # --- admin -----------------------------------------------------------------------------------------------------
    def _admin(self, session: Session, team_id: str, today: date) -> AdminSection:
        """Roster health and settings, in four queries. No observation or meeting content."""
        other = aliased(Mentorship)
        has_live = (
            exists()
            .where(other.team_id == team_id, other.mentee_id == Mentorship.mentee_id, other.ended_at.is_(None))
            .correlate(Mentorship)
        )
        ranked = (
            select(
                Mentorship.mentee_id,
                Mentorship.mentor_id,
                Mentorship.ended_at,
                Mentorship.end_date,
                func.row_number()
                .over(partition_by=Mentorship.mentee_id, order_by=(Mentorship.ended_at.desc(), Mentorship.id.desc()))
                .label("recency"),
            )
            .where(Mentorship.team_id == team_id, ~has_live)
            .subquery()
        )
        person = aliased(Person)
        # Whose last mentorship ended before its planned end, who is still here and wasn't erased.
        orphans = session.execute(
            select(ranked.c.mentee_id, ranked.c.mentor_id, ranked.c.ended_at, ranked.c.end_date)
            .outerjoin(person, and_(person.team_id == team_id, person.user_id == ranked.c.mentee_id))
            .where(
                ranked.c.recency == 1,
                ranked.c.end_date >= today,
                func.coalesce(person.deleted, False).is_(False),
                ~ranked.c.mentee_id.startswith(PSEUDONYM_PREFIX),
            )
            .order_by(ranked.c.ended_at.desc(), ranked.c.mentee_id)
        ).all()
        month_end = today.replace(day=month_calendar.monthrange(today.year, today.month)[1])
        ending = session.execute(
            select(Mentorship.mentor_id, Mentorship.mentee_id, Mentorship.end_date)
            .where(Mentorship.team_id == team_id, Mentorship.ended_at.is_(None), Mentorship.end_date <= month_end)
            .order_by(Mentorship.end_date, Mentorship.mentee_id, Mentorship.mentor_id)
        ).all()
        roles = session.execute(
            select(RoleGrant.user_id, RoleGrant.role)
            .where(RoleGrant.team_id == team_id, RoleGrant.role.in_([Role.LEAD, Role.SLT]))
            .order_by(RoleGrant.granted_at, RoleGrant.user_id)
        ).all()
        workspace = session.get(Workspace, team_id)
        tz = self.school_tz
        return AdminSection(
            without_mentor=[
                WithoutMentor(mentee_id, mentor_id, ended_at.astimezone(tz).date(), end_date)
                for mentee_id, mentor_id, ended_at, end_date in orphans
            ],
            ending=[Ending(mentor_id, mentee_id, end_date) for mentor_id, mentee_id, end_date in ending],
            month_end=month_end,
            slt_channel_id=workspace.slt_channel_id if workspace else None,
            lead_ids=[user for user, role in roles if role is Role.LEAD],
            slt_ids=[user for user, role in roles if role is Role.SLT],
        )

    def _admins(self, session: Session, team_id: str) -> list[str]:
        granted = session.scalars(
            select(RoleGrant.user_id)
            .where(RoleGrant.team_id == team_id, RoleGrant.role == Role.ADMIN)
            .order_by(RoleGrant.granted_at)
        )
        slack_admins = session.scalars(
            select(Person.user_id)
            .where(Person.team_id == team_id, Person.is_workspace_admin.is_(True), Person.deleted.is_(False))
            .order_by(Person.user_id)
        )
        return list(dict.fromkeys([*granted, *slack_admins]))


def _lead(school: SchoolWeek) -> LeadSection:
    ordered = school.by_need
    needing = [m for m in ordered if m.needs_attention]
    fine = [m for m in ordered if not m.needs_attention]
    standings = {Standing.LEAD}
    return LeadSection(
        school=school,
        ordered=needing + fine,
        needing=len(needing),
        quiet_mentors=sorted(school.quiet_mentors.items(), key=lambda item: (-len(item[1]), item[0])),
        can_log_meeting=is_allowed(Action.LOG_MEETING, standings),
        can_observe=is_allowed(Action.OBSERVE, standings),
        can_set_target=is_allowed(Action.SET_TARGET, standings),
    )


def _live_mentors_of(session: Session, team_id: str, mentee_id: str) -> list[str]:
    rows = session.scalars(
        select(Mentorship.mentor_id)
        .where(Mentorship.team_id == team_id, Mentorship.mentee_id == mentee_id, Mentorship.ended_at.is_(None))
        .order_by(Mentorship.start_date, Mentorship.id)
    )
    return list(dict.fromkeys(rows))
