"""Coaching: the staff list, triplets proposed and approved per subject and term, the triplets' sessions, their
check back and takeaways.

Who may do what is the permission table: SLT and admins keep the staff list and arrange triplets
(MANAGE_STAFF, ARRANGE_TRIPLETS); only the people in a triplet book it, say whether they met and write its
takeaways (TAKE_PART_IN_TRIPLET: they hold the MENTEE standing towards it, the people the record is about).
Takeaways are never rated, and never named beyond the triplet unless their author shares them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.coaching.triplets import pairs_in, propose_triplets, swap
from bot.core.directory import Directory
from bot.core.errors import FieldErrors, InvalidInput, NotFound
from bot.core.permissions import Action, Standing, require
from bot.core.school_calendar import SchoolCalendar, Term
from bot.roster.people import ensure_person, look_up
from bot.roster.service import Caller
from storage.coaching import (
    CoachingRepository,
    CoachingRound,
    RoundStatus,
    StaffAbsence,
    StaffMember,
    Triplet,
)
from storage.db import Database, UnitOfWork
from storage.roster import AuditRepository
from storage.submission_keys import SubmissionKeyRepository

SUBJECTS = ("maths", "reading", "writing")
_SUBJECT = re.compile(r"^[a-z][a-z &'-]{1,29}$")
PHASE_LIMIT = 40
TAKEAWAY_LIMIT = 1500
CHECK_BACK_BEFORE_END = timedelta(days=14)  # no session booked: asked a fortnight before the window closes
NUDGE_AFTER = timedelta(days=7)  # not met a week after the check back: nudged (once)
NUDGE_BEFORE_END = timedelta(days=3)

# Field (and block) ids of the booking and takeaway modals: errors are keyed by them.
SESSION_ON, TAKEAWAY, SHARE = "session_on", "takeaway", "share"


@dataclass(frozen=True)
class StaffEntry:
    user_id: str
    phase: str | None
    away: bool  # away this term


@dataclass(frozen=True)
class StaffListing:
    term: Term | None
    staff: list[StaffEntry]


@dataclass(frozen=True)
class Group:
    triplet_id: int
    user_ids: list[str]


@dataclass(frozen=True)
class RoundView:
    team_id: str
    round_id: int
    version: int
    subject: str
    term: str
    window_start: date
    window_end: date
    status: RoundStatus
    groups: list[Group]
    phases: dict[str, str | None]
    repeat_ids: list[frozenset[str]]  # pairings from earlier terms it repeats
    away_ids: list[str] = field(default_factory=list)  # away this term

    @property
    def people(self) -> int:
        return sum(len(g.user_ids) for g in self.groups)


@dataclass(frozen=True)
class TripletView:
    triplet_id: int
    team_id: str
    subject: str
    term: str
    window_start: date
    window_end: date
    user_ids: list[str]
    channel_id: str | None
    session_on: date | None
    met: bool | None
    takeaways: dict[str, str] = field(default_factory=dict)  # user id -> takeaway, for the people in it


@dataclass(frozen=True)
class Changed:
    triplet: TripletView
    changed: bool  # False: the same answer again (a retry, a double click): nobody is told twice


def subject_word(raw: str) -> str:
    word = " ".join(raw.lower().split())
    if not _SUBJECT.match(word):
        raise InvalidInput(
            "Name the subject in a word or two, e.g. maths, reading or writing (letters, spaces and hyphens)."
        )
    return word


def triplet_view(triplet: Triplet) -> TripletView:
    r = triplet.round
    return TripletView(
        triplet.id,
        triplet.team_id,
        r.subject,
        r.term,
        r.window_start,
        r.window_end,
        triplet.user_ids,
        triplet.channel_id,
        triplet.session_on,
        triplet.met,
        {m.user_id: m.takeaway for m in triplet.members if m.takeaway},
    )


class CoachingService:
    def __init__(self, db: Database, calendar: SchoolCalendar, school_tz: ZoneInfo) -> None:
        self.db = db
        self.calendar = calendar
        self.school_tz = school_tz

    def today(self, now: datetime) -> date:
        return now.astimezone(self.school_tz).date()

    # --- terms ---------------------------------------------------------------------------------------------
    def term(self, word: str | None, today: date) -> Term:
        """A term by name ("spring", "Spring 2027"), "this" or "next"; none: this term (or the next, in a holiday)."""
        current = self.calendar.current_or_next_term(today)
        text = " ".join((word or "").lower().split())
        if text in ("", "this", "this term", "current"):
            found = current
        elif text in ("next", "next term"):
            found = self.calendar.next_term_after(current.end) if current else None
        else:
            named = [t for t in self.calendar.terms if t.name.lower() == text or t.name.lower().startswith(text)]
            found = next((t for t in named if t.end >= today), named[-1] if named else None)
        if found is None:
            known = ", ".join(t.name for t in self.calendar.terms if t.end >= today) or "none"
            raise InvalidInput(f"I can't find that term in the school calendar. Terms ahead: {known}.")
        return found

    # --- the staff list ------------------------------------------------------------------------------------
    def add_staff(
        self, caller: Caller, user_ids: Sequence[str], phase: str | None, directory: Directory, now: datetime
    ) -> list[tuple[str, bool]]:
        """Add people to the staff list (or update their phase); True for each newly added."""
        require(Action.MANAGE_STAFF, caller.standings)
        phase = " ".join((phase or "").split()) or None
        if phase and len(phase) > PHASE_LIMIT:
            raise InvalidInput(f"Keep the phase under {PHASE_LIMIT} characters, e.g. EYFS, KS1, KS2 or Year 4.")
        looked = [look_up(self.db, directory, caller.team_id, u, now) for u in dict.fromkeys(user_ids)]
        added: list[tuple[str, bool]] = []
        changed = False
        with self.db.unit_of_work() as session:
            repo = CoachingRepository(session)
            for found in looked:
                person = ensure_person(session, found, caller.team_id, now)
                if person.is_bot:
                    raise InvalidInput(f"<@{person.user_id}> is a bot, not a member of staff.")
                member = repo.staff_member(caller.team_id, person.user_id)
                if member is None:
                    repo.add_staff(
                        StaffMember(
                            team_id=caller.team_id,
                            user_id=person.user_id,
                            phase=phase,
                            active=True,
                            added_by=caller.user_id,
                            created_at=now,
                            updated_at=now,
                        )
                    )
                    added.append((person.user_id, True))
                    changed = True
                else:
                    was_active = member.active
                    if not was_active or (phase and phase != member.phase):  # a repeat changes nothing
                        member.active = True
                        member.phase = phase or member.phase
                        member.updated_at = now
                        changed = True
                    added.append((person.user_id, not was_active))
            if changed:
                AuditRepository(session).record(
                    caller.team_id, caller.user_id, "staff.add", now, detail=str(len(added))
                )
        return added

    def remove_staff(self, caller: Caller, user_id: str, now: datetime) -> bool:
        require(Action.MANAGE_STAFF, caller.standings)
        with self.db.unit_of_work() as session:
            member = CoachingRepository(session).staff_member(caller.team_id, user_id)
            if member is None or not member.active:
                return False
            member.active = False
            member.updated_at = now
            AuditRepository(session).record(caller.team_id, caller.user_id, "staff.remove", now, subject_id=user_id)
            return True

    def mark_away(self, caller: Caller, user_id: str, term_word: str | None, now: datetime) -> tuple[Term, bool]:
        """The person is away for a term (leave, part-time days): left out of that term's triplets."""
        require(Action.MANAGE_STAFF, caller.standings)
        term = self.term(term_word, self.today(now))
        with self.db.unit_of_work() as session:
            repo = CoachingRepository(session)
            member = repo.staff_member(caller.team_id, user_id)
            if member is None or not member.active:
                raise InvalidInput(f"<@{user_id}> isn't on the staff list: add them with `/mentor staff add` first.")
            if repo.absence(caller.team_id, user_id, term.name) is not None:
                return term, False
            repo.add_absence(
                StaffAbsence(
                    team_id=caller.team_id, user_id=user_id, term=term.name, added_by=caller.user_id, created_at=now
                )
            )
            AuditRepository(session).record(
                caller.team_id, caller.user_id, "staff.away", now, subject_id=user_id, detail=term.name
            )
            return term, True

    def staff_list(self, caller: Caller, now: datetime) -> StaffListing:
        require(Action.MANAGE_STAFF, caller.standings)
        today = self.today(now)
        term = self.calendar.current_or_next_term(today)
        with self.db.unit_of_work() as session:
            repo = CoachingRepository(session)
            away = repo.away(caller.team_id, term.name) if term else set()
            staff = [StaffEntry(m.user_id, m.phase, m.user_id in away) for m in repo.staff(caller.team_id)]
        return StaffListing(term, staff)

    # --- triplets ------------------------------------------------------------------------------------------
    def propose(
        self, caller: Caller, subject: str, term_word: str | None, now: datetime, request_key: str = ""
    ) -> tuple[RoundView, bool]:
        """A new proposal for the subject's triplets this term (replacing one not yet approved). A repeat of the
        same request (`request_key`: Slack's trigger or view id) shows the proposal it made, unchanged."""
        require(Action.ARRANGE_TRIPLETS, caller.standings)
        subject = subject_word(subject)
        term = self.term(term_word, self.today(now))
        start = self.calendar.first_school_day_of(term) or term.start
        end = self.calendar.last_school_day_of(term) or term.end
        with self.db.unit_of_work() as session:
            repo = CoachingRepository(session)
            if SubmissionKeyRepository(session).is_repeat(caller.team_id, "triplets.propose", request_key, now):
                made = repo.rounds_for(caller.team_id, subject, term.name)
                if made:
                    return self._round_view(session, made[-1].id, caller.team_id), False
                raise InvalidInput("That proposal was already made.")
            for earlier in repo.rounds_for(caller.team_id, subject, term.name):
                if earlier.status is RoundStatus.APPROVED:
                    raise InvalidInput(
                        f"The {subject} triplets for {term.name} are already approved and their groups told."
                    )
                repo.delete_round(earlier)
            seed = int(now.timestamp()) % 2**31
            round_ = repo.add_round(
                CoachingRound(
                    team_id=caller.team_id,
                    subject=subject,
                    term=term.name,
                    window_start=start,
                    window_end=end,
                    status=RoundStatus.PROPOSED,
                    version=1,
                    seed=seed,
                    repeats=0,
                    proposed_by=caller.user_id,
                    created_at=now,
                    updated_at=now,
                )
            )
            self._arrange(session, round_, seed, now)
            return self._round_view(session, round_.id, caller.team_id), True

    def regenerate(self, caller: Caller, round_id: int, version: int, now: datetime) -> RoundView:
        require(Action.ARRANGE_TRIPLETS, caller.standings)
        with self.db.unit_of_work() as session:
            round_ = self._proposed(session, caller, round_id, version)
            seed = (round_.seed * 1103515245 + 12345) % 2**31
            if not CoachingRepository(session).claim_version(caller.team_id, round_id, version, now, seed=seed):
                raise InvalidInput(_STALE)
            session.refresh(round_)
            self._arrange(session, round_, seed, now)
            return self._round_view(session, round_id, caller.team_id)

    def swap(self, caller: Caller, round_id: int, version: int, first: str, second: str, now: datetime) -> RoundView:
        require(Action.ARRANGE_TRIPLETS, caller.standings)
        with self.db.unit_of_work() as session:
            round_ = self._proposed(session, caller, round_id, version)
            groups = swap([t.user_ids for t in round_.triplets], first, second)
            repo = CoachingRepository(session)
            if not repo.claim_version(caller.team_id, round_id, version, now):
                raise InvalidInput(_STALE)
            repo.replace_groups(round_, groups, now)
            return self._round_view(session, round_id, caller.team_id)

    def approve(self, caller: Caller, round_id: int, version: int, now: datetime) -> tuple[RoundView, bool]:
        """Approve the proposal as shown (its version); False when it was already approved (a double click)."""
        require(Action.ARRANGE_TRIPLETS, caller.standings)
        with self.db.unit_of_work() as session:
            repo = CoachingRepository(session)
            round_ = repo.round(caller.team_id, round_id)
            if round_ is None:
                raise NotFound("I can't find that proposal: propose the triplets again with `/mentor triplets`.")
            if round_.status is RoundStatus.APPROVED and round_.version == version + 1:
                return self._round_view(session, round_id, caller.team_id), False
            if not repo.claim_version(
                caller.team_id,
                round_id,
                version,
                now,
                status=RoundStatus.APPROVED,
                approved_by=caller.user_id,
                approved_at=now,
            ):
                session.refresh(round_)
                if round_.status is RoundStatus.APPROVED and round_.version == version + 1:
                    return self._round_view(session, round_id, caller.team_id), False  # a double click's twin
                raise InvalidInput(_STALE)
            AuditRepository(session).record(
                caller.team_id,
                caller.user_id,
                "triplets.approve",
                now,
                record_type="coaching_round",
                record_id=round_id,
            )
            return self._round_view(session, round_id, caller.team_id), True

    def terms_ahead(self, caller: Caller, now: datetime) -> list[Term]:
        """The terms triplets can be proposed for (this one and those after it), once the caller may."""
        require(Action.ARRANGE_TRIPLETS, caller.standings)
        today = self.today(now)
        terms = [t for t in self.calendar.terms if t.end >= today]
        if not terms:
            raise InvalidInput("The school calendar has no term ahead: ask your admins to add next year's dates.")
        return terms

    def set_channel(self, team_id: str, triplet_id: int, channel_id: str) -> None:
        with self.db.unit_of_work() as session:
            triplet = CoachingRepository(session).triplet(team_id, triplet_id)
            if triplet is not None:
                triplet.channel_id = channel_id

    def round_view(self, team_id: str, round_id: int) -> RoundView:
        with self.db.unit_of_work() as session:
            return self._round_view(session, round_id, team_id)

    # --- taking part ---------------------------------------------------------------------------------------
    def prepare(self, caller: Caller, triplet_id: int) -> TripletView:
        """Check the caller is in the triplet before a modal opens."""
        with self.db.unit_of_work() as session:
            return triplet_view(self._member_of(session, caller, triplet_id))

    def book(self, caller: Caller, triplet_id: int, on: date | None, now: datetime) -> Changed:
        with self.db.unit_of_work() as session:
            triplet = self._member_of(session, caller, triplet_id)
            today, r = self.today(now), triplet.round
            if on is None:
                raise FieldErrors({SESSION_ON: "Pick the date of your session."})
            if on < today:
                raise FieldErrors({SESSION_ON: "That date has passed: pick today or a day ahead."})
            if not r.window_start <= on <= r.window_end:
                raise FieldErrors(
                    {SESSION_ON: f"Pick a day in {r.term}: {r.window_start:%-d %B} to {r.window_end:%-d %B %Y}."}
                )
            if not self.calendar.is_school_day(on):
                raise FieldErrors({SESSION_ON: "That isn't a school day: pick a day school is open."})
            repo = CoachingRepository(session)
            changed = repo.claim_session(caller.team_id, triplet.id, on)
            if changed:
                if triplet.met is not True:  # a new date after "not yet": asked again once it has passed
                    repo.release(caller.team_id, triplet.id, "checked_back_at")
                AuditRepository(session).record(
                    caller.team_id, caller.user_id, "triplet.book", now, record_type="triplet", record_id=triplet.id
                )
            return Changed(self._fresh_view(session, caller.team_id, triplet.id), changed)

    def _fresh_view(self, session: UnitOfWork, team_id: str, triplet_id: int) -> TripletView:
        session.expire_all()
        triplet = CoachingRepository(session).triplet(team_id, triplet_id)
        assert triplet is not None
        return triplet_view(triplet)

    def answer_met(self, caller: Caller, triplet_id: int, met: bool, now: datetime) -> Changed:
        with self.db.unit_of_work() as session:
            triplet = self._member_of(session, caller, triplet_id)
            if triplet.met is True and not met:
                raise InvalidInput("Your triplet already said it met: nothing changed.")
            changed = CoachingRepository(session).claim_met(caller.team_id, triplet.id, met)
            if changed:
                AuditRepository(session).record(
                    caller.team_id,
                    caller.user_id,
                    "triplet.met" if met else "triplet.not_met",
                    now,
                    record_type="triplet",
                    record_id=triplet.id,
                )
            return Changed(self._fresh_view(session, caller.team_id, triplet.id), changed)

    def add_takeaway(self, caller: Caller, triplet_id: int, text: str | None, share: bool, now: datetime) -> Changed:
        """The caller's one takeaway ("strategies, techniques, ideas to try in your own lessons"): never rated."""
        text = (text or "").strip()
        if not text:
            raise FieldErrors({TAKEAWAY: "Write one thing you'll try in your own lessons."})
        if len(text) > TAKEAWAY_LIMIT:
            raise FieldErrors({TAKEAWAY: f"Keep it under {TAKEAWAY_LIMIT} characters."})
        with self.db.unit_of_work() as session:
            triplet = self._member_of(session, caller, triplet_id)
            member = next(m for m in triplet.members if m.user_id == caller.user_id)
            repo = CoachingRepository(session)
            changed = repo.claim_takeaway(member.id, text, share, now)
            if changed:
                repo.claim_met(caller.team_id, triplet.id, True)  # a takeaway means they met
            return Changed(self._fresh_view(session, caller.team_id, triplet.id), changed)

    # --- the check back (the scheduler) -------------------------------------------------------------------
    def check_backs_due(self, team_id: str, now: datetime) -> list[TripletView]:
        today = self.today(now)
        with self.db.unit_of_work() as session:
            due = []
            for t in CoachingRepository(session).approved_triplets(team_id):
                if t.checked_back_at is not None or t.met is True:
                    continue
                booked_and_past = t.session_on is not None and t.session_on < today
                window_closing = today >= t.round.window_end - CHECK_BACK_BEFORE_END and (
                    t.session_on is None or t.session_on < today
                )
                if booked_and_past or window_closing:
                    due.append(triplet_view(t))
            return due

    def nudges_due(self, team_id: str, now: datetime) -> list[TripletView]:
        today = self.today(now)
        with self.db.unit_of_work() as session:
            due = []
            for t in CoachingRepository(session).approved_triplets(team_id):
                if t.checked_back_at is None or t.nudged_at is not None or t.met is True:
                    continue
                if t.session_on is not None and t.session_on >= today:
                    continue  # a date ahead is booked
                asked_on = t.checked_back_at.astimezone(self.school_tz).date()
                if today >= asked_on + NUDGE_AFTER or today >= t.round.window_end - NUDGE_BEFORE_END:
                    due.append(triplet_view(t))
            return due

    def claim(self, team_id: str, triplet_id: int, now: datetime, *, nudge: bool) -> bool:
        with self.db.unit_of_work() as session:
            repo = CoachingRepository(session)
            if nudge:
                return repo.claim_nudge(team_id, triplet_id, now)
            return repo.claim_check_back(team_id, triplet_id, now)

    def release(self, team_id: str, triplet_id: int, *, nudge: bool) -> None:
        with self.db.unit_of_work() as session:
            CoachingRepository(session).release(team_id, triplet_id, "nudged_at" if nudge else "checked_back_at")

    # --- Home ----------------------------------------------------------------------------------------------
    def triplets_of(self, session: UnitOfWork, team_id: str, user_id: str, today: date) -> list[TripletView]:
        return [triplet_view(t) for t in CoachingRepository(session).triplets_of(team_id, user_id, today)]

    # --- helpers -------------------------------------------------------------------------------------------
    def _arrange(self, session: UnitOfWork, round_: CoachingRound, seed: int, now: datetime) -> None:
        repo = CoachingRepository(session)
        away = repo.away(round_.team_id, round_.term)
        staff = [m for m in repo.staff(round_.team_id) if m.user_id not in away]
        if len(staff) < 2:
            raise InvalidInput(
                "Triplets need at least two people on the staff list who aren't away this term: add them with "
                "`/mentor staff add @person [phase]`."
            )
        past = repo.past_pairs(round_.team_id, round_.window_start)
        phases = {m.user_id: m.phase or m.key_stage for m in staff}
        proposal = propose_triplets([m.user_id for m in staff], past, phases, seed)
        round_.repeats = len(proposal.repeats)
        repo.replace_groups(round_, proposal.groups, now)

    def _proposed(self, session: UnitOfWork, caller: Caller, round_id: int, version: int) -> CoachingRound:
        round_ = CoachingRepository(session).round(caller.team_id, round_id)
        if round_ is None:
            raise NotFound("I can't find that proposal: propose the triplets again with `/mentor triplets`.")
        if round_.status is RoundStatus.APPROVED:
            raise InvalidInput("These triplets are already approved and their groups told.")
        if round_.version != version:
            raise InvalidInput(_STALE)
        return round_

    def _round_view(self, session: UnitOfWork, round_id: int, team_id: str) -> RoundView:
        session.expire_all()
        repo = CoachingRepository(session)
        round_ = repo.round(team_id, round_id)
        assert round_ is not None
        staff = {m.user_id: m.phase or m.key_stage for m in repo.staff(team_id)}
        past = repo.past_pairs(team_id, round_.window_start)
        groups = [Group(t.id, t.user_ids) for t in round_.triplets]
        repeats = [p for g in groups for p in pairs_in(g.user_ids) if p in past]
        away = sorted(repo.away(team_id, round_.term) & staff.keys())
        return RoundView(
            team_id,
            round_.id,
            round_.version,
            round_.subject,
            round_.term,
            round_.window_start,
            round_.window_end,
            round_.status,
            groups,
            staff,
            repeats,
            away,
        )

    def _member_of(self, session: UnitOfWork, caller: Caller, triplet_id: int) -> Triplet:
        triplet = CoachingRepository(session).triplet(caller.team_id, triplet_id)
        if triplet is None or triplet.round.status is not RoundStatus.APPROVED:
            raise NotFound("I can't find that triplet.")
        # Towards a triplet, MENTEE means "one of the people in it", whoever mentors them elsewhere.
        if caller.user_id in triplet.user_ids:
            standings = {Standing.MENTEE}
        else:
            standings = (set(caller.standings) - {Standing.MENTEE}) or {Standing.NONE}
        require(Action.TAKE_PART_IN_TRIPLET, standings)
        return triplet


_STALE = "This proposal has changed since you saw it (regenerated, edited or approved): use the newest one."
