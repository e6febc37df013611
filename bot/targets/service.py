"""Targets: set in plain words, checked gently, linked to the Teachers' Standards, then reviewed and closed.

A target's life: open → met / not met / dropped (who and when are kept). It is overdue while open and
past its due date; the mentee may mark it "ready for review"; the mentor closes it from the meeting
modal or from the buttons in DMs and `/target list`.

The due date is read from the mentor's own words (`bot.services.due_dates`) relative to *now in the
mentor's time zone* (Slack's tz for them, else the school's), with the school calendar for "end of
term" and the like.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.core.directory import Directory
from bot.core.due_dates import (
    DueDateError,
    DuePhrase,
    PassedDateError,
    describe,
    not_a_school_day,
    split_target,
)
from bot.core.errors import InvalidInput, NotAllowed, NotFound
from bot.core.permissions import Action, Standing, is_allowed, require
from bot.core.school_calendar import SchoolCalendar
from bot.core.vocabulary import TARGET_STATUS_LABEL as STATUS_LABEL
from bot.roster.people import ensure_person, look_up
from bot.roster.service import Caller
from bot.targets.checks import (  # noqa: F401  (re-exported for the handlers)
    DEFAULT_DUE_DAYS,
    DRAFT_LIFETIME,
    MAX_NEW_PER_WEEK,
    ROLLOVER_FLAG_AT,
    STANDARDS,
    TEXT_LIMIT,
    Check,
    check_target,
    clean_standards,
    standards_text,
    suggested_standards,
)
from bot.targets.results import (
    NAME_SOMEONE,
    Confirmed,
    DraftView,
    TargetChange,
    TargetList,
    TargetOverview,
)
from storage.db import Conflict, Database, UnitOfWork
from storage.roster import AuditRepository, MeetingCadence, Mentorship, MentorshipRepository, PeopleRepository, Person
from storage.targets import Target, TargetDraft, TargetRepository, TargetStatus

# --- shared rules for mentees and their mentorships ----------------------------------------------


def person_tz(person: Person | None, fallback: ZoneInfo) -> ZoneInfo:
    if person is not None and person.tz:
        try:
            return ZoneInfo(person.tz)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return fallback


def week_start(now: datetime, tz: ZoneInfo) -> datetime:
    """Midnight at the start of this Monday-to-Sunday week, in `tz`."""
    local = now.astimezone(tz)
    monday = local.date() - timedelta(days=local.weekday())
    return datetime.combine(monday, time(0, 0), tzinfo=tz)


def mentorship_for(session: UnitOfWork, caller: Caller, mentee: Person, action: Action, what: str) -> Mentorship:
    """The live mentorship `action` is done under, once the caller is allowed to do it for this mentee.

    `what` completes "You can't … yourself" ("log a meeting with").
    """
    if mentee.user_id == caller.user_id:
        raise InvalidInput(f"You can't {what} yourself: name your mentee.")
    repo = MentorshipRepository(session)
    mentor_ids = repo.mentors_of(caller.team_id, mentee.user_id)
    standings = caller.towards(mentee.user_id, mentor_ids)
    if not is_allowed(action, standings):
        mentors = ", ".join(f"<@{m}>" for m in mentor_ids[:3])
        who = (
            f"Their mentor ({mentors}) or a lead mentor can." if mentors else "Only their mentor or a lead mentor can."
        )
        raise NotAllowed(f"You don't mentor <@{mentee.user_id}>, so you can't {action.value}. {who}")
    live = [m for m in repo.active_for(caller.team_id, mentee.user_id) if m.mentee_id == mentee.user_id]
    if not live:
        raise InvalidInput(
            f"<@{mentee.user_id}> has no mentor yet, so there is no mentorship to record this against. "
            "An admin can start one with `/mentor assign`."
        )
    own = [m for m in live if m.mentor_id == caller.user_id]
    return (own or live)[0]


def default_due(today: date, cadence: MeetingCadence, calendar: SchoolCalendar) -> date:
    """When no date is given: by the next meeting (per the cadence), moved to a school day if it can be."""
    due = today + timedelta(days=DEFAULT_DUE_DAYS[cadence])
    return calendar.first_school_day_from(due) or due


def read_due(
    text: str, *, now: datetime, calendar: SchoolCalendar, cadence: MeetingCadence, next_meeting: date | None = None
) -> tuple[str, DuePhrase | None, date]:
    """Split the due phrase off a target: (text, phrase as typed or None, due date, suggested when None).

    Raises InvalidInput with dateparser-friendly advice for a date that can't be used, and PassedDateError
    for a day and month that has just gone (the caller asks which year was meant).
    """
    try:
        rest, phrase = split_target(text, now=now, calendar=calendar)
    except PassedDateError:
        raise  # the caller asks: this year's date (overdue) or next year's
    except DueDateError as exc:
        raise InvalidInput(str(exc)) from None
    if phrase is not None:
        return rest, phrase, phrase.due
    return rest, None, next_meeting or default_due(now.date(), cadence, calendar)


class TargetService:
    def __init__(self, db: Database, calendar: SchoolCalendar, school_tz: ZoneInfo) -> None:
        self.db = db
        self.calendar = calendar
        self.school_tz = school_tz

    # --- /target @mentee … -------------------------------------------------------------------------
    def draft(self, caller: Caller, mentee_id: str, raw: str, directory: Directory, now: datetime) -> DraftView:
        """Understand a typed target and keep it as a draft until the mentor confirms it."""
        typed = raw.strip()
        if not typed:
            raise InvalidInput(
                "Say what the target is after the name, e.g. `/target @ana Use cold calling in every lesson by Friday`."
            )
        if len(typed) > TEXT_LIMIT:
            raise InvalidInput(
                f"That target is {len(typed)} characters long; keep it under {TEXT_LIMIT}, one clear step."
            )
        looked = look_up(self.db, directory, caller.team_id, mentee_id, now)
        with self.db.unit_of_work() as session:
            mentee = ensure_person(session, looked, caller.team_id, now)
            mentorship = mentorship_for(session, caller, mentee, Action.SET_TARGET, "set a target for")
            mentor = PeopleRepository(session).get(caller.team_id, caller.user_id)
            local_now = now.astimezone(person_tz(mentor, self.school_tz))
            try:
                text, phrase, due = read_due(
                    typed, now=local_now, calendar=self.calendar, cadence=mentorship.meeting_cadence
                )
            except PassedDateError as passed:  # kept with this year's date until the mentor picks a year
                text, phrase, due = passed.rest or "", DuePhrase(passed.passed, passed.raw), passed.passed
            if not text.strip(" ,.;:-"):
                raise InvalidInput("Say what the target is, not only when it's due.")
            draft = TargetRepository(session).add_draft(
                TargetDraft(
                    team_id=caller.team_id,
                    key=uuid.uuid4().hex,
                    mentorship_id=mentorship.id,
                    mentee_id=mentee.user_id,
                    set_by=caller.user_id,
                    text=text,
                    due_on=due,
                    due_phrase=phrase.phrase[:200] if phrase else None,
                    due_given=phrase is not None,
                    standards=suggested_standards(text),
                    created_at=now,
                )
            )
            return self._draft_view(session, draft, mentee, local_now.date(), now)

    def change_draft(
        self,
        team_id: str,
        user_id: str,
        key: str,
        now: datetime,
        *,
        due: date | None = None,
        standards: Sequence[str] | None = None,
    ) -> DraftView:
        """The mentor picked another date or other standards in the confirm message."""
        with self.db.unit_of_work() as session:
            draft, mentee, today = self._own_draft(session, team_id, user_id, key, now)
            problem = None
            if draft.target_id is None:
                if due is not None:
                    if due < today and due == draft.due_on and self._awaiting_year(session, draft):
                        draft.due_phrase, draft.due_given = None, True  # this year's date, knowingly overdue
                    elif due < today:
                        problem = f"{describe(due)} is in the past: choose a date from today onwards."
                    else:
                        draft.due_on, draft.due_phrase, draft.due_given = due, None, True
                if standards is not None:
                    draft.standards = clean_standards(standards)
            return self._draft_view(session, draft, mentee, today, now, problem=problem)

    def purge_expired_drafts(self, now: datetime) -> int:
        """Remove /target drafts past the time they could be confirmed (run daily by the scheduler)."""
        with self.db.unit_of_work() as session:
            return TargetRepository(session).delete_drafts_before(now - DRAFT_LIFETIME)

    def confirm(self, caller: Caller, key: str, now: datetime) -> Confirmed:
        """Save the draft as a target, once: the draft key is the target's idempotency key."""
        try:
            with self.db.unit_of_work() as session:
                draft, mentee, _ = self._own_draft(session, caller.team_id, caller.user_id, key, now)
                repo = TargetRepository(session)
                existing = repo.by_submission(caller.team_id, key)
                if existing is not None:
                    return self._confirmed(session, existing, created=False)
                mentorship = mentorship_for(session, caller, mentee, Action.SET_TARGET, "set a target for")
                if now - draft.created_at > DRAFT_LIFETIME:
                    raise InvalidInput("This draft is more than a week old: type `/target` again to set it.")
                if self._awaiting_year(session, draft):
                    raise InvalidInput(
                        f"“{draft.due_phrase}” has passed: choose this year's date (overdue) or next year's first."
                    )
                target = repo.add(
                    Target(
                        team_id=caller.team_id,
                        mentorship_id=mentorship.id,
                        mentee_id=draft.mentee_id,
                        set_by=caller.user_id,
                        text=draft.text,
                        due_on=draft.due_on,
                        due_phrase=draft.due_phrase,
                        standards=list(draft.standards),
                        status=TargetStatus.OPEN,
                        carried_count=0,
                        submission_key=key,
                        created_at=now,
                        updated_at=now,
                    )
                )
                draft.target_id = target.id
                _audit(session, caller.team_id, caller.user_id, "target.create", now, target)
                return self._confirmed(session, target, created=True)
        except Conflict:
            # Two clicks raced: the other one saved it.
            with self.db.unit_of_work() as session:
                existing = TargetRepository(session).by_submission(caller.team_id, key)
                if existing is None:
                    raise
                return self._confirmed(session, existing, created=False)

    # --- a saved target's life -----------------------------------------------------------------------
    def close(self, caller: Caller, target_id: int, status: TargetStatus, now: datetime) -> TargetChange:
        if status is TargetStatus.OPEN:
            raise InvalidInput("A target can be closed as met, not met or dropped.")
        with self.db.unit_of_work() as session:
            target = self._target(session, caller.team_id, target_id)
            require(Action.CLOSE_TARGET, self._standings(session, caller, target))
            # One conditional UPDATE: of two clicks at once, only one closes it (and tells the mentee).
            changed = TargetRepository(session).claim_close(caller.team_id, target.id, status, caller.user_id, now)
            session.refresh(target)
            if changed:
                _audit(session, caller.team_id, caller.user_id, f"target.{status.value}", now, target)
            return self._change(session, target, changed, now)

    def mark_ready(self, caller: Caller, target_id: int, now: datetime) -> TargetChange:
        with self.db.unit_of_work() as session:
            target = self._target(session, caller.team_id, target_id)
            require(Action.MARK_TARGET_READY, self._standings(session, caller, target))
            changed = TargetRepository(session).claim_ready(caller.team_id, target.id, now)  # once, however many clicks
            session.refresh(target)
            if changed:
                _audit(session, caller.team_id, caller.user_id, "target.ready", now, target)
            return self._change(session, target, changed, now)

    def set_standards(self, caller: Caller, target_id: int, codes: Sequence[str], now: datetime) -> TargetChange:
        with self.db.unit_of_work() as session:
            target = self._target(session, caller.team_id, target_id)
            require(Action.CLOSE_TARGET, self._standings(session, caller, target))
            cleaned = clean_standards(codes)
            changed = cleaned != list(target.standards)
            if changed:
                target.standards = cleaned
                target.updated_at = now
            return self._change(session, target, changed, now)

    def change_due(self, caller: Caller, target_id: int, due: date, now: datetime) -> TargetChange:
        with self.db.unit_of_work() as session:
            target = self._target(session, caller.team_id, target_id)
            require(Action.CLOSE_TARGET, self._standings(session, caller, target))
            mentor = PeopleRepository(session).get(caller.team_id, caller.user_id)
            today = now.astimezone(person_tz(mentor, self.school_tz)).date()
            if target.status is not TargetStatus.OPEN:
                raise InvalidInput(f"That target is already {STATUS_LABEL[target.status]}, so its date stays.")
            if due < today:
                raise InvalidInput(f"{describe(due)} is in the past: choose a date from today onwards.")
            changed = due != target.due_on
            if changed:
                target.due_on, target.due_phrase, target.updated_at = due, None, now
                _audit(session, caller.team_id, caller.user_id, "target.due", now, target)
            return self._change(session, target, changed, now)

    def remember_mentee_message(self, team_id: str, target_id: int, channel: str, ts: str) -> None:
        with self.db.unit_of_work() as session:
            target = TargetRepository(session).get(team_id, target_id)
            if target is not None:
                target.mentee_message_channel, target.mentee_message_ts = channel, ts

    def listing(self, caller: Caller, mentee_id: str | None, directory: Directory, now: datetime) -> TargetList:
        """Open targets: a mentee's own, or a mentee's for their mentors and leaders."""
        subject = mentee_id or caller.user_id
        looked = look_up(self.db, directory, caller.team_id, subject, now)
        with self.db.unit_of_work() as session:
            person = ensure_person(session, looked, caller.team_id, now)
            mentor_ids = MentorshipRepository(session).mentors_of(caller.team_id, subject)
            standings = caller.towards(subject, mentor_ids)
            require(Action.READ_TARGETS, standings)
            targets = TargetRepository(session).open_for(caller.team_id, subject)
            return TargetList(
                mentee_id=subject,
                mentee_name=person.display,
                targets=targets,
                today=now.astimezone(self.school_tz).date(),
                can_close=is_allowed(Action.CLOSE_TARGET, standings),
                can_mark_ready=is_allowed(Action.MARK_TARGET_READY, standings),
                flagged_ids={t.id for t in targets if t.flagged_at is not None},
            )

    def overview(self, caller: Caller, directory: Directory, now: datetime) -> TargetOverview:
        """`/target list` with no name: a mentee sees theirs, a mentor each mentee's, a lead is asked for a name."""
        with self.db.unit_of_work() as session:
            live = MentorshipRepository(session).active_for(caller.team_id, caller.user_id)
        mentee_ids = list(dict.fromkeys(m.mentee_id for m in live if m.mentor_id == caller.user_id))
        mentored = any(m.mentee_id == caller.user_id for m in live)
        if not mentee_ids and not mentored and Standing.LEAD in caller.standings:
            return TargetOverview(lists=[], own_id=caller.user_id, prompt=NAME_SOMEONE)
        subjects = ([caller.user_id] if mentored or not mentee_ids else []) + mentee_ids
        lists = [self.listing(caller, subject, directory, now) for subject in subjects]
        return TargetOverview(lists=lists, own_id=caller.user_id)

    def flagged(self, team_id: str) -> Sequence[Target]:
        """Open targets carried past two meetings, for the lead mentor's digest."""
        with self.db.unit_of_work() as session:
            return TargetRepository(session).flagged(team_id)

    # --- helpers -----------------------------------------------------------------------------------
    def new_this_week(self, session: UnitOfWork, team_id: str, mentee_id: str, now: datetime) -> int:
        return TargetRepository(session).set_since(team_id, mentee_id, week_start(now, self.school_tz))

    def _own_draft(
        self, session: UnitOfWork, team_id: str, user_id: str, key: str, now: datetime
    ) -> tuple[TargetDraft, Person, date]:
        draft = TargetRepository(session).draft(team_id, key)
        if draft is None:
            raise NotFound("I can't find that target any more: type `/target` again to set it.")
        if draft.set_by != user_id:
            raise NotAllowed("Only the person who typed this target can confirm or change it.")
        mentee = PeopleRepository(session).get(team_id, draft.mentee_id)
        mentor = PeopleRepository(session).get(team_id, user_id)
        if mentee is None:
            raise NotFound("I can't find that mentee any more.")
        return draft, mentee, now.astimezone(person_tz(mentor, self.school_tz)).date()

    def _draft_view(
        self,
        session: UnitOfWork,
        draft: TargetDraft,
        mentee: Person,
        today: date,
        now: datetime,
        problem: str | None = None,
    ) -> DraftView:
        saved = TargetRepository(session).get(draft.team_id, draft.target_id) if draft.target_id else None
        count = self.new_this_week(session, draft.team_id, draft.mentee_id, now) + (0 if saved else 1)
        checks = check_target(
            draft.text, due_given=draft.due_given, due=draft.due_on, standards=draft.standards, new_this_week=count
        )
        passed = not_school_day = None
        if saved is None and self._awaiting_year(session, draft):
            next_year = _same_day_next_year(draft.due_on)
            passed = PassedDateError(draft.due_phrase or "", draft.due_on, next_year, today=today)
        elif saved is None and draft.due_on >= today:  # a date kept overdue needs no school-day advice
            not_school_day = not_a_school_day(draft.due_on, self.calendar, today=today)
        return DraftView(
            draft=draft,
            checks=checks,
            mentee=mentee,
            today=today,
            saved=saved,
            problem=problem,
            passed=passed,
            not_school_day=not_school_day,
        )

    def _awaiting_year(self, session: UnitOfWork, draft: TargetDraft) -> bool:
        """A draft whose typed day and month had already gone when typed: the mentor hasn't said which year."""
        if draft.target_id is not None or draft.due_phrase is None:
            return False
        mentor = PeopleRepository(session).get(draft.team_id, draft.set_by)
        return draft.due_on < draft.created_at.astimezone(person_tz(mentor, self.school_tz)).date()

    def _target(self, session: UnitOfWork, team_id: str, target_id: int) -> Target:
        target = TargetRepository(session).get(team_id, target_id)
        if target is None:
            raise NotFound("I can't find that target: it may have been removed.")
        return target

    def _standings(self, session: UnitOfWork, caller: Caller, target: Target) -> set[Standing]:
        mentor_ids = MentorshipRepository(session).mentors_of(caller.team_id, target.mentee_id)
        standings = caller.towards(target.mentee_id, mentor_ids)
        if target.set_by == caller.user_id and caller.user_id != target.mentee_id:
            standings.add(Standing.AUTHOR)
        return standings

    def _confirmed(self, session: UnitOfWork, target: Target, *, created: bool) -> Confirmed:
        mentor_ids = MentorshipRepository(session).mentors_of(target.team_id, target.mentee_id)
        return Confirmed(target=target, created=created, mentor_ids=mentor_ids)

    def _change(self, session: UnitOfWork, target: Target, changed: bool, now: datetime) -> TargetChange:
        mentor_ids = MentorshipRepository(session).mentors_of(target.team_id, target.mentee_id)
        today = now.astimezone(self.school_tz).date()
        return TargetChange(target=target, changed=changed, mentor_ids=mentor_ids, today=today)


def _same_day_next_year(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def close_target(target: Target, status: TargetStatus, by: str, now: datetime) -> None:
    target.status = status
    target.closed_at = now
    target.closed_by = by
    target.updated_at = now


def _audit(session: UnitOfWork, team_id: str, actor: str, action: str, now: datetime, target: Target) -> None:
    AuditRepository(session).record(
        team_id, actor, action, now, subject_id=target.mentee_id, record_type="target", record_id=target.id
    )
