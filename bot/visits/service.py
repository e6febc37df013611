"""Peer visits and learning walks.

A peer visit is "not an inspection but an opportunity for professional development for both parties": any
member of staff logs one (date, focus, what they noticed, what they'll try), never a rating; the visited
colleague reads it and may reply once with thanks or a comment. Each teacher's visits received this half term
count towards "visited at least twice a half term". SLT record learning walks: classrooms visited, good practice
noted and the colleagues to thank, each of whom gets a "well done"; no next steps.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.core.directory import Directory
from bot.core.errors import FieldErrors, InvalidInput, NotFound
from bot.core.permissions import Action, Standing, require
from bot.core.school_calendar import DateRange, SchoolCalendar
from bot.roster.people import ensure_person, look_up
from bot.roster.service import Caller
from storage.db import Conflict, Database, UnitOfWork
from storage.roster import AuditRepository, PeopleRepository, Person
from storage.visits import LearningWalk, PeerVisit, VisitRepository, WalkThanks

VISITS_PER_HALF_TERM = 2
TEXT_LIMIT = 2000
THANKED_LIMIT = 30

# Field (and block) ids of the visit, reply and walk modals: errors are keyed by them.
VISITED_ON, FOCUS, NOTICED, WILL_TRY, REPLY = "visited_on", "focus", "noticed", "will_try", "reply"
WALKED_ON, CLASSROOMS, GOOD_PRACTICE, THANK, SHARE_NAME = "walked_on", "classrooms", "good_practice", "thank", "share"


@dataclass(frozen=True)
class VisitDraft:
    visited_id: str
    visited_on: date | None
    focus: str | None
    noticed: str | None
    will_try: str | None = None


@dataclass(frozen=True)
class Logged:
    visit: PeerVisit
    created: bool
    received_this_half: int  # visits the colleague has had this half term, this one included
    half: DateRange


@dataclass(frozen=True)
class WalkDraft:
    walked_on: date | None
    classrooms: str | None
    good_practice: str | None
    thank: list[str] = field(default_factory=list)
    share_name: bool = False


@dataclass(frozen=True)
class Walked:
    walk: LearningWalk
    created: bool
    thanks: list[tuple[int, str]]  # (thanks id, user id) still to be sent


def _clean(text: str | None) -> str | None:
    return (text or "").strip() or None


class VisitService:
    def __init__(self, db: Database, calendar: SchoolCalendar, school_tz: ZoneInfo) -> None:
        self.db = db
        self.calendar = calendar
        self.school_tz = school_tz

    def today(self, now: datetime) -> date:
        return now.astimezone(self.school_tz).date()

    def half(self, today: date) -> DateRange:
        return self.calendar.teaching_half_for(today)

    # --- peer visits ---------------------------------------------------------------------------------------
    def prepare(self, caller: Caller, visited_id: str, directory: Directory, now: datetime) -> Person:
        require(Action.LOG_VISIT, caller.standings)
        if visited_id == caller.user_id:
            raise InvalidInput("A peer visit is to a colleague's classroom: name someone else.")
        looked = look_up(self.db, directory, caller.team_id, visited_id, now)
        with self.db.unit_of_work() as session:
            person = ensure_person(session, looked, caller.team_id, now)
            if person.is_bot or person.deleted:
                raise InvalidInput(f"<@{visited_id}> isn't a colleague I can tell about a visit.")
            return person

    def log(self, caller: Caller, draft: VisitDraft, key: str, now: datetime) -> Logged:
        require(Action.LOG_VISIT, caller.standings)
        today = self.today(now)
        errors: dict[str, str] = {}
        if draft.visited_id == caller.user_id:
            raise InvalidInput("A peer visit is to a colleague's classroom: name someone else.")
        if draft.visited_on is None:
            errors[VISITED_ON] = "Say when you visited."
        elif draft.visited_on > today:
            errors[VISITED_ON] = "That date is in the future: log the visit once it has happened."
        if _clean(draft.noticed) is None:
            errors[NOTICED] = "Say what you noticed: what the pupils did, what worked."
        for name, text in ((FOCUS, draft.focus), (NOTICED, draft.noticed), (WILL_TRY, draft.will_try)):
            if text and len(text.strip()) > TEXT_LIMIT:
                errors[name] = f"Keep this under {TEXT_LIMIT} characters."
        try:
            with self.db.unit_of_work() as session:
                repo = VisitRepository(session)
                existing = repo.by_submission(caller.team_id, key)
                if existing is not None:
                    return self._logged(session, existing, created=False)
                if errors:
                    raise FieldErrors(errors)
                visited = PeopleRepository(session).get(caller.team_id, draft.visited_id)
                if visited is None or visited.is_bot or visited.deleted:
                    raise InvalidInput("This form names no colleague I know: open it again with `/visit @colleague`.")
                assert draft.visited_on is not None
                visit = repo.add(
                    PeerVisit(
                        team_id=caller.team_id,
                        visitor_id=caller.user_id,
                        visited_id=draft.visited_id,
                        visited_on=draft.visited_on,
                        focus=_clean(draft.focus),
                        noticed=_clean(draft.noticed),
                        will_try=_clean(draft.will_try),
                        submission_key=key,
                        created_at=now,
                    )
                )
                AuditRepository(session).record(
                    caller.team_id,
                    caller.user_id,
                    "visit.create",
                    now,
                    subject_id=visit.visited_id,
                    record_type="peer_visit",
                    record_id=visit.id,
                )
                return self._logged(session, visit, created=True)
        except Conflict:
            with self.db.unit_of_work() as session:
                again = VisitRepository(session).by_submission(caller.team_id, key)
                if again is None:
                    raise
                return self._logged(session, again, created=False)

    def read(self, caller: Caller, visit_id: int) -> PeerVisit:
        with self.db.unit_of_work() as session:
            visit = self._get(session, caller, visit_id)
            require(Action.READ_VISIT, self._standings(caller, visit))
            return visit

    def prepare_reply(self, caller: Caller, visit_id: int) -> PeerVisit:
        with self.db.unit_of_work() as session:
            visit = self._get(session, caller, visit_id)
            require(Action.REPLY_TO_VISIT, self._standings(caller, visit))
            if visit.replied_at is not None:
                raise InvalidInput("You've already replied to this visit.")
            return visit

    def reply(self, caller: Caller, visit_id: int, text: str | None, now: datetime) -> tuple[PeerVisit, bool]:
        text = _clean(text)
        with self.db.unit_of_work() as session:
            repo = VisitRepository(session)
            visit = self._get(session, caller, visit_id)
            require(Action.REPLY_TO_VISIT, self._standings(caller, visit))
            if text is None:
                raise FieldErrors({REPLY: "Write your thanks or a comment."})
            if len(text) > TEXT_LIMIT:
                raise FieldErrors({REPLY: f"Keep this under {TEXT_LIMIT} characters."})
            if visit.reply == text:
                return visit, False  # the same reply again: a retry
            if not repo.claim_reply(caller.team_id, visit.id, text, now):
                raise InvalidInput("You've already replied to this visit.")
            session.refresh(visit)
            return visit, True

    def received(self, session: UnitOfWork, team_id: str, user_id: str, today: date) -> tuple[int, int, DateRange]:
        """Visits the person received and made this half term."""
        half = self.half(today)
        repo = VisitRepository(session)
        received = repo.received_counts(team_id, half.start, half.end).get(user_id, 0)
        return received, repo.made_count(team_id, user_id, half.start, half.end), half

    # --- learning walks ------------------------------------------------------------------------------------
    def prepare_walk(self, caller: Caller) -> None:
        require(Action.RECORD_LEARNING_WALK, caller.standings)

    def record_walk(self, caller: Caller, draft: WalkDraft, key: str, directory: Directory, now: datetime) -> Walked:
        require(Action.RECORD_LEARNING_WALK, caller.standings)
        today = self.today(now)
        errors: dict[str, str] = {}
        if draft.walked_on is None:
            errors[WALKED_ON] = "Say when the walk was."
        elif draft.walked_on > today:
            errors[WALKED_ON] = "That date is in the future: record the walk once it has happened."
        if _clean(draft.good_practice) is None:
            errors[GOOD_PRACTICE] = "Note the good practice you saw."
        for name, text in ((CLASSROOMS, draft.classrooms), (GOOD_PRACTICE, draft.good_practice)):
            if text and len(text.strip()) > TEXT_LIMIT:
                errors[name] = f"Keep this under {TEXT_LIMIT} characters."
        thank = [u for u in dict.fromkeys(draft.thank) if u != caller.user_id]
        if len(thank) > THANKED_LIMIT:
            errors[THANK] = f"Name at most {THANKED_LIMIT} colleagues."
        with self.db.unit_of_work() as session:
            existing = VisitRepository(session).walk_by_submission(caller.team_id, key)
            if existing is not None:
                return Walked(existing, False, [(t.id, t.user_id) for t in existing.thanks if t.sent_at is None])
        if errors:
            raise FieldErrors(errors)
        looked = [look_up(self.db, directory, caller.team_id, u, now) for u in thank]
        try:
            with self.db.unit_of_work() as session:
                for found in looked:
                    ensure_person(session, found, caller.team_id, now)
                assert draft.walked_on is not None
                walk = LearningWalk(
                    team_id=caller.team_id,
                    walker_id=caller.user_id,
                    walked_on=draft.walked_on,
                    classrooms=_clean(draft.classrooms),
                    good_practice=_clean(draft.good_practice),
                    share_name=draft.share_name,
                    submission_key=key,
                    created_at=now,
                )
                walk.thanks = [WalkThanks(team_id=caller.team_id, user_id=u) for u in thank]
                VisitRepository(session).add_walk(walk)
                AuditRepository(session).record(
                    caller.team_id, caller.user_id, "walk.create", now, record_type="learning_walk", record_id=walk.id
                )
                return Walked(walk, True, [(t.id, t.user_id) for t in walk.thanks])
        except Conflict:
            with self.db.unit_of_work() as session:
                again = VisitRepository(session).walk_by_submission(caller.team_id, key)
                if again is None:
                    raise
                return Walked(again, False, [])

    def claim_thanks(self, team_id: str, thanks_id: int, now: datetime) -> bool:
        with self.db.unit_of_work() as session:
            return VisitRepository(session).claim_thanks(team_id, thanks_id, now)

    # --- helpers -------------------------------------------------------------------------------------------
    def _logged(self, session: UnitOfWork, visit: PeerVisit, *, created: bool) -> Logged:
        half = self.half(visit.visited_on)
        counts = VisitRepository(session).received_counts(visit.team_id, half.start, half.end)
        return Logged(visit, created, counts.get(visit.visited_id, 0), half)

    def _get(self, session: UnitOfWork, caller: Caller, visit_id: int) -> PeerVisit:
        visit = VisitRepository(session).get(caller.team_id, visit_id)
        if visit is None:
            raise NotFound("I can't find that visit.")
        return visit

    @staticmethod
    def _standings(caller: Caller, visit: PeerVisit) -> set[Standing]:
        """Towards a visit: MENTEE is the colleague visited, AUTHOR the colleague who visited; nobody else."""
        standings: set[Standing] = set()
        if caller.user_id == visit.visited_id:
            standings.add(Standing.MENTEE)
        if caller.user_id == visit.visitor_id:
            standings.add(Standing.AUTHOR)
        return standings or ((set(caller.standings) - {Standing.MENTEE}) or {Standing.NONE})


def coverage(received: dict[str, int], staff: Sequence[str]) -> tuple[int, int]:
    """(staff visited at least twice this half term, staff on the list)."""
    return sum(1 for u in staff if received.get(u, 0) >= VISITS_PER_HALF_TERM), len(staff)
