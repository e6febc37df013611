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
import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.certification.service import CertificationService
from bot.certification.service import Progress as CertificationProgress
from bot.coaching.home import CoachingHome, coaching_home
from bot.concerns.plans import PlanSummary, open_plans
from bot.concerns.service import ConcernSummary, OpenConcern, visible_to_mentee
from bot.concerns.warnings import RaisedWarning, WarningService
from bot.core.attention import Signs
from bot.core.cadence import MeetingCadenceRule
from bot.core.directory import Directory
from bot.core.permissions import Action, Standing, is_allowed
from bot.core.school_calendar import DateRange, SchoolCalendar
from bot.digests.service import DigestBuilder, MenteeWeek, SchoolWeek, Week
from bot.home.shared_reads import SharedReads
from bot.observations.forms import FormLibrary
from bot.privacy.service import PSEUDONYM_PREFIX
from bot.reviews.service import MenteeSchedule, ReviewService
from bot.roster.people import ensure_person, look_up
from bot.roster.service import Caller
from bot.targets.service import mentorship_for
from storage.db import Database
from storage.digests import DigestRepository
from storage.meetings import MeetingRepository
from storage.observations import Observation, ObservationRepository, Rating
from storage.queries.home import HomeQueries
from storage.roster import MeetingCadence, MenteeKind, Mentorship, Person
from storage.targets import Target, TargetRepository

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
    plans: list[PlanSummary] = field(default_factory=list)  # their open support plans
    concerns: list[ConcernSummary] = field(default_factory=list)  # about them, once discussed with them (newest first)

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
    targets_rolled_over: int
    reflections_owed: int
    not_on_track: bool | None  # None when the viewer may not read observations
    concern: bool | None
    can_log_meeting: bool
    can_observe: bool
    can_set_target: bool

    @property
    def signs(self) -> Signs:
        """The digest's terms (bot/core/attention.py); rating directions aren't read for the mentor's Home."""
        return Signs(
            not_on_track=bool(self.not_on_track),
            concern=bool(self.concern),
            targets_rolled_over=self.targets_rolled_over,
            targets_overdue=self.targets_overdue,
            meeting_overdue=self.meeting_overdue,
            observations_short=self.observations_needed - self.observations_this_half,
            reflections_owed=self.reflections_owed,
        )

    @property
    def flags(self) -> list[str]:
        return self.signs.flags

    @property
    def needs_attention(self) -> bool:
        return self.signs.needs_attention

    @property
    def need(self) -> int:
        """Higher means look sooner: the same rule as the weekly digest."""
        return self.signs.need


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
    plans: list[PlanSummary] = field(default_factory=list)  # open support plans, soonest review first
    warnings: list[RaisedWarning] = field(default_factory=list)  # early warnings that hold now


@dataclass(frozen=True)
class SltSection:
    snapshot_week: str | None  # the latest digest's week, "2026-W48"
    numbers: dict[str, Any] | None  # that digest's school-wide figures: no names, no notes
    flagged: list[MenteeWeek] | None  # not on track or a concern; None when SLT may not read observations
    slt_channel_id: str | None
    concerns: list[OpenConcern] = field(default_factory=list)  # open ones: SLT are told of every concern
    plans: list[PlanSummary] = field(default_factory=list)  # open support plans


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
    reviews: list[MenteeSchedule] = field(default_factory=list)  # review schedules this person sees
    certification: CertificationProgress | None = None  # a mentor's or lead's own certification progress
    coaching: CoachingHome | None = None  # their triplets and peer visits (and SLT's coaching buttons)

    @property
    def known(self) -> bool:
        sections = (self.mentee, self.mentor, self.lead, self.slt, self.admin, self.coaching)
        return any(s is not None for s in sections) or bool(self.reviews)


class HomeService:
    def __init__(
        self,
        db: Database,
        calendar: SchoolCalendar,
        forms: FormLibrary,
        school_tz: ZoneInfo,
        settings: HomeSettings,
        *,
        digests: DigestBuilder,
        reviews: ReviewService | None = None,
        warnings: WarningService | None = None,
        certification: CertificationService | None = None,
        shared: SharedReads | None = None,
    ) -> None:
        self.db = db
        # What every leader's Home reads alike (the cohort week, every review schedule): built once while nothing
        # changes. Without it, each Home builds its own.
        self.shared = shared or SharedReads(db.data_version, max_age=0)
        self.certification = certification
        self.digests = digests
        self.warnings = warnings
        self.calendar = calendar
        self.forms = forms
        self.school_tz = school_tz
        self.settings = settings
        self.reviews = reviews

    def today(self, now: datetime) -> date:
        return now.astimezone(self.school_tz).date()

    def build(self, caller: Caller, now: datetime) -> Home:
        """Everything the caller's Home tab shows, for each section their standings give them."""
        today = self.today(now)
        standings = caller.standings
        school: SchoolWeek | None = None
        leader = Standing.LEAD in standings or Standing.SLT in standings
        version = self.shared.version() if leader else None  # read once for both shared reads below
        if leader:
            school = self.shared.get(
                ("school week", caller.team_id, today),
                lambda: self.digests.build(caller.team_id, Week.containing(today), as_of=today),
                version=version,
            )
        with self.db.unit_of_work() as session:
            queries = HomeQueries(session, caller.team_id)
            mentee = self._mentee(queries, caller, today) if Standing.MENTEE in standings else None
            mentor = self._mentor(queries, caller, today) if Standing.MENTOR in standings else None
            admin = self._admin(queries, today) if Standing.ADMIN in standings else None
            admins = [] if (mentee or mentor or admin or school) else queries.admins()
            plans = open_plans(session, caller.team_id) if school is not None else []
            certification = None
            if self.certification is not None and (Standing.MENTOR in standings or Standing.LEAD in standings):
                certification = self.certification.own_progress(session, caller.team_id, caller.user_id, today)
            coaching = coaching_home(session, caller, self.calendar, today)
        lead = _lead(school, plans) if school is not None and Standing.LEAD in standings else None
        if lead is not None and self.warnings is not None:
            lead = dataclasses.replace(lead, warnings=self.warnings.holding(caller.team_id))
        slt = self._slt(caller, school, plans) if school is not None and Standing.SLT in standings else None
        reviews: list[MenteeSchedule] = []
        if self.reviews is not None:
            reviews = self._review_schedules(self.reviews, caller, now, today, version)
        return Home(
            caller.team_id,
            caller.user_id,
            today,
            self.settings,
            mentee,
            mentor,
            lead,
            slt,
            admin,
            admins,
            reviews,
            certification,
            coaching,
        )

    def _review_schedules(
        self, reviews: ReviewService, caller: Caller, now: datetime, today: date, version: str | None
    ) -> list[MenteeSchedule]:
        roles = set(caller.roles)
        if reviews.sees_every_schedule(roles):  # the same for every leader: shared
            return self.shared.get(
                ("review schedules", caller.team_id, today),
                lambda: reviews.school_schedules(caller.team_id, now),
                version=version,
            )
        return reviews.schedules_seen_by(caller.team_id, caller.user_id, roles, now)

    def target_mentee(self, caller: Caller, mentee_id: str, directory: Directory, now: datetime) -> Person:
        """The mentee the Home's **Set target** is for, once the caller may set them one (before the modal opens)."""
        looked = look_up(self.db, directory, caller.team_id, mentee_id, now)
        with self.db.unit_of_work() as session:
            mentee = ensure_person(session, looked, caller.team_id, now)
            mentorship_for(session, caller, mentee, Action.SET_TARGET, "set a target for")
            return mentee

    # --- mentee --------------------------------------------------------------------------------------------------
    def _mentee(self, queries: HomeQueries, caller: Caller, today: date) -> MenteeSection:
        me, session = caller.user_id, queries.session
        mentor_ids = queries.live_mentors_of(me)
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
            plans=open_plans(session, caller.team_id, me),
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
    def _mentor(self, queries: HomeQueries, caller: Caller, today: date) -> MentorSection:
        """Every mentee of the caller, in five queries however many there are."""
        me = caller.user_id
        half = self.calendar.teaching_half_for(today)
        own: dict[str, Mentorship] = {}
        mentors: dict[str, list[str]] = {}
        for mentorship in queries.mentorships_of_mentees(me):
            mentors.setdefault(mentorship.mentee_id, []).append(mentorship.mentor_id)
            if mentorship.mentor_id == me:
                own.setdefault(mentorship.mentee_id, mentorship)
        last = queries.latest_meetings(me)
        observed = queries.observations_in(me, half.start, half.end)
        on_track = queries.latest_on_track(me)
        targets = queries.open_targets(me, today)
        rule = MeetingCadenceRule(self.calendar)
        statuses = []
        for mentee_id, mentorship in own.items():
            standings = caller.towards(mentee_id, mentors.get(mentee_id, []))
            readable = is_allowed(Action.READ_OBSERVATION, standings)
            held_on, planned = last.get(mentee_id, (None, None))
            due = rule.next_due(
                mentorship.meeting_cadence, started_on=mentorship.start_date, last_held_on=held_on, agreed_on=planned
            )
            count, concern, owed = observed.get(mentee_id, (0, False, 0))
            open_, overdue, rolled = targets.get(mentee_id, (0, 0, 0))
            statuses.append(
                MenteeStatus(
                    mentee_id=mentee_id,
                    kind=mentorship.mentee_kind,
                    cadence=mentorship.meeting_cadence,
                    last_meeting=held_on,
                    meeting_due=due.due_on if due is not None else None,
                    meeting_overdue=due is not None and due.overdue(today),
                    observations_this_half=count,
                    observations_needed=mentorship.observations_per_half_term,
                    targets_open=open_,
                    targets_overdue=overdue,
                    targets_rolled_over=rolled,
                    reflections_owed=owed,
                    not_on_track=(on_track.get(mentee_id) is False) if readable else None,
                    concern=concern if readable else None,
                    can_log_meeting=is_allowed(Action.LOG_MEETING, standings),
                    can_observe=is_allowed(Action.OBSERVE, standings),
                    can_set_target=is_allowed(Action.SET_TARGET, standings),
                )
            )
        statuses.sort(key=lambda s: (-s.need, s.mentee_id))
        return MentorSection(statuses, half)

    # --- SLT -------------------------------------------------------------------------------------------------------
    def _slt(self, caller: Caller, school: SchoolWeek, plans: list[PlanSummary]) -> SltSection:
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
            plans=plans if is_allowed(Action.READ_PLAN, {Standing.SLT}) else [],
        )

    # --- admin -----------------------------------------------------------------------------------------------------
    def _admin(self, queries: HomeQueries, today: date) -> AdminSection:
        """Roster health and settings, in four queries. No observation or meeting content."""
        month_end = today.replace(day=month_calendar.monthrange(today.year, today.month)[1])
        orphans = queries.without_mentor(today, PSEUDONYM_PREFIX)
        ending = queries.ending_by(month_end)
        lead_ids, slt_ids = queries.leads_and_slt()
        tz = self.school_tz
        return AdminSection(
            without_mentor=[
                WithoutMentor(mentee_id, mentor_id, ended_at.astimezone(tz).date(), end_date)
                for mentee_id, mentor_id, ended_at, end_date in orphans
            ],
            ending=[Ending(mentor_id, mentee_id, end_date) for mentor_id, mentee_id, end_date in ending],
            month_end=month_end,
            slt_channel_id=queries.slt_channel(),
            lead_ids=lead_ids,
            slt_ids=slt_ids,
        )


def _lead(school: SchoolWeek, plans: list[PlanSummary]) -> LeadSection:
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
        plans=plans,
    )
