"""Weekly meetings: logged by the mentor, reviewed targets closed or carried, new ones set, signed off by the mentee.

Rules:
* a meeting is dated from the mentorship's start to today (in the mentor's time zone): late entries are
  fine, future ones are not;
* its author may correct it for seven days; every correction is kept (who, when, each field before and
  after). Correcting the notes after the mentee signed off asks them to sign off again;
* each open target shown is reviewed: met / not met / dropped close it; progressing carries it
  forward, and a target carried past two meetings is flagged (stored, for the lead mentor's digest);
* the view id of the submission is the idempotency key: a double-click or a retry stores one meeting.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.core.directory import Directory
from bot.core.due_dates import DueDateError, DuePhrase, PassedDateError, describe, not_a_school_day, parse_due
from bot.core.errors import FieldErrors, InvalidInput, NotFound
from bot.core.permissions import Action, Standing, require
from bot.core.school_calendar import SchoolCalendar
from bot.meetings.forms import (
    CLOSING,
    DURATION,
    EDIT_WINDOW,
    FIELD_LABEL,
    HELD_ON,
    MAX_REVIEWS,
    NEXT_MEETING,
    NOTES,
    WELLBEING_NOTE,
    WELLBEING_SCORE,
    CadenceSet,
    Corrected,
    Logged,
    MeetingDraft,
    MeetingForm,
    NewTarget,
    SignedOff,
    blank_to_none,
    check_fields,
    fields_of,
    held_on_problem,
    jsonable,
    new_target_field,
)
from bot.roster.people import ensure_person, look_up
from bot.roster.service import Caller
from bot.targets.checks import ROLLOVER_FLAG_AT, TEXT_LIMIT, check_target, clean_standards, suggested_standards
from bot.targets.service import TargetService, close_target, mentorship_for, person_tz, read_due
from storage.db import Conflict, Database, UnitOfWork
from storage.meetings import Meeting, MeetingRepository, MeetingRevision, MeetingTargetReview, ReviewOutcome
from storage.roster import AuditRepository, MeetingCadence, Mentorship, MentorshipRepository, PeopleRepository
from storage.targets import Target, TargetRepository, TargetStatus


class MeetingService:
    def __init__(self, db: Database, calendar: SchoolCalendar, school_tz: ZoneInfo, targets: TargetService) -> None:
        self.db = db
        self.calendar = calendar
        self.school_tz = school_tz
        self.targets = targets

    # --- opening the modal ---------------------------------------------------------------------------
    def prepare(self, caller: Caller, mentee_id: str, directory: Directory, now: datetime) -> MeetingForm:
        """Check the caller may log a meeting with this mentee, and gather what the modal carries forward."""
        looked = look_up(self.db, directory, caller.team_id, mentee_id, now)
        with self.db.unit_of_work() as session:
            mentee = ensure_person(session, looked, caller.team_id, now)
            mentorship = mentorship_for(session, caller, mentee, Action.LOG_MEETING, "log a meeting with")
            open_targets = TargetRepository(session).open_for(caller.team_id, mentee.user_id)
            return MeetingForm(
                mentee=mentee,
                mentorship=mentorship,
                today=self._today(session, caller, now),
                open_targets=open_targets[:MAX_REVIEWS],
                open_total=len(open_targets),
                previous=MeetingRepository(session).latest_for_mentee(caller.team_id, mentee.user_id),
            )

    def sole_mentee(self, caller: Caller) -> str | None:
        """The caller's only mentee, if they mentor exactly one person."""
        with self.db.unit_of_work() as session:
            mentees = {
                m.mentee_id
                for m in MentorshipRepository(session).active_for(caller.team_id, caller.user_id)
                if m.mentor_id == caller.user_id
            }
            return next(iter(mentees)) if len(mentees) == 1 else None

    # --- saving ------------------------------------------------------------------------------------
    def log(
        self, caller: Caller, draft: MeetingDraft, submission_key: str, directory: Directory, now: datetime
    ) -> Logged:
        """Store the meeting, its reviews and new targets once, however often Slack sends the submission."""
        errors = check_fields(draft)
        looked = look_up(self.db, directory, caller.team_id, draft.mentee_id, now)
        try:
            with self.db.unit_of_work() as session:
                repo = MeetingRepository(session)
                existing = repo.by_submission(caller.team_id, submission_key)
                if existing is not None:
                    return self._logged(session, existing, created=False, new_targets=[], flagged=[])
                mentee = ensure_person(session, looked, caller.team_id, now)
                mentorship = mentorship_for(session, caller, mentee, Action.LOG_MEETING, "log a meeting with")
                mentor = PeopleRepository(session).get(caller.team_id, caller.user_id)
                local_now = now.astimezone(person_tz(mentor, self.school_tz))
                today = local_now.date()
                if draft.held_on is not None and HELD_ON not in errors:
                    problem = held_on_problem(draft.held_on, mentorship, today)
                    if problem:
                        errors[HELD_ON] = problem
                planned = self._new_targets(draft, local_now, mentorship.meeting_cadence, errors)
                if errors:
                    raise FieldErrors(errors)
                assert draft.held_on is not None and draft.notes is not None
                meeting = repo.add(
                    Meeting(
                        team_id=caller.team_id,
                        mentorship_id=mentorship.id,
                        mentee_id=mentee.user_id,
                        author_id=caller.user_id,
                        held_on=draft.held_on,
                        duration_minutes=draft.duration_minutes,
                        notes=draft.notes.strip(),
                        wellbeing=draft.wellbeing,
                        wellbeing_note=blank_to_none(draft.wellbeing_note),
                        next_meeting_on=draft.next_meeting_on,
                        submission_key=submission_key,
                        created_at=now,
                        updated_at=now,
                    )
                )
                flagged = self._review(session, caller, meeting, draft.reviews, now)
                week_count = self.targets.new_this_week(session, caller.team_id, mentee.user_id, now)
                new_targets = []
                target_repo = TargetRepository(session)
                for index, (slot, text, phrase, due, standards, suggested) in enumerate(planned, start=1):
                    target = target_repo.add(
                        Target(
                            team_id=caller.team_id,
                            mentorship_id=mentorship.id,
                            mentee_id=mentee.user_id,
                            set_by=caller.user_id,
                            text=text,
                            due_on=due,
                            due_phrase=phrase.phrase[:200] if phrase else None,
                            standards=standards,
                            status=TargetStatus.OPEN,
                            meeting_id=meeting.id,
                            carried_count=0,
                            submission_key=f"{submission_key}:{slot}",
                            created_at=now,
                            updated_at=now,
                        )
                    )
                    checks = check_target(
                        text,
                        due_given=phrase is not None or bool(draft.next_meeting_on),
                        due=due,
                        standards=standards,
                        new_this_week=week_count + index,
                    )
                    new_targets.append(NewTarget(target, checks, suggested))
                AuditRepository(session).record(
                    caller.team_id,
                    caller.user_id,
                    "meeting.create",
                    now,
                    subject_id=mentee.user_id,
                    record_type="meeting",
                    record_id=meeting.id,
                )
                return self._logged(session, meeting, created=True, new_targets=new_targets, flagged=flagged)
        except Conflict:
            # Two deliveries of one submission raced: the other one stored it.
            with self.db.unit_of_work() as session:
                existing = MeetingRepository(session).by_submission(caller.team_id, submission_key)
                if existing is None:
                    raise
                return self._logged(session, existing, created=False, new_targets=[], flagged=[])

    def _new_targets(
        self, draft: MeetingDraft, local_now: datetime, cadence: MeetingCadence, errors: dict[str, str]
    ) -> list[tuple[int, str, DuePhrase | None, date, list[str], bool]]:
        planned = []
        for new in draft.new_targets:
            text = (new.text or "").strip()
            due_text = (new.due_text or "").strip()
            text_field, due_field = new_target_field("text", new.slot), new_target_field("due", new.slot)
            if not text:
                if due_text or new.standards:
                    errors[text_field] = "Say what the target is, or clear its date and standards."
                continue
            if len(text) > TEXT_LIMIT:
                errors[text_field] = f"Keep a target under {TEXT_LIMIT} characters (this one is {len(text)})."
                continue
            phrase: DuePhrase | None
            if due_text:
                try:
                    due = parse_due(due_text, now=local_now, calendar=self.calendar, allow_overdue=True)
                except PassedDateError as passed:
                    errors[due_field] = passed_in_due_box(passed)
                    continue
                except DueDateError as exc:
                    errors[due_field] = str(exc)
                    continue
                phrase = DuePhrase(due, due_text)
            else:
                try:
                    text, phrase, due = read_due(
                        text,
                        now=local_now,
                        calendar=self.calendar,
                        cadence=cadence,
                        next_meeting=draft.next_meeting_on,
                    )
                except PassedDateError as passed:
                    errors[text_field] = passed_in_due_box(passed)
                    continue
                except InvalidInput as exc:
                    errors[text_field] = str(exc)
                    continue
                if not text.strip(" ,.;:-"):
                    errors[text_field] = "Say what the target is, not only when it's due."
                    continue
            advice = None if phrase is None else not_a_school_day(due, self.calendar, today=local_now.date())
            if advice is not None and due >= local_now.date():
                errors[due_field if due_text else text_field] = f"{advice.message()} {advice.suggestion()}".strip()
                continue
            suggested = new.standards is None or not new.standards
            standards = suggested_standards(text) if suggested else clean_standards(new.standards or [])
            planned.append((new.slot, text, phrase, due, standards, suggested))
        return planned

    def _review(
        self,
        session: UnitOfWork,
        caller: Caller,
        meeting: Meeting,
        reviews: dict[int, ReviewOutcome | None],
        now: datetime,
    ) -> list[Target]:
        """Apply each review; returns the targets flagged now for being carried past two meetings."""
        flagged: list[Target] = []
        targets = TargetRepository(session).many(caller.team_id, list(reviews))
        for target_id, chosen in reviews.items():
            target = targets.get(target_id)
            if target is None or target.mentee_id != meeting.mentee_id or target.status is not TargetStatus.OPEN:
                continue  # closed meanwhile (from a DM button), or not this mentee's
            outcome = chosen or ReviewOutcome.PROGRESSING
            meeting.reviews.append(MeetingTargetReview(team_id=caller.team_id, target_id=target.id, outcome=outcome))
            if outcome in CLOSING:
                close_target(target, CLOSING[outcome], caller.user_id, now)
                continue
            target.carried_count += 1
            target.updated_at = now
            if target.carried_count >= ROLLOVER_FLAG_AT and target.flagged_at is None:
                target.flagged_at = now
                flagged.append(target)
        session.flush()
        return flagged

    def _logged(
        self,
        session: UnitOfWork,
        meeting: Meeting,
        *,
        created: bool,
        new_targets: list[NewTarget],
        flagged: list[Target],
    ) -> Logged:
        mentee = PeopleRepository(session).get(meeting.team_id, meeting.mentee_id)
        assert mentee is not None
        targets = TargetRepository(session).many(meeting.team_id, [r.target_id for r in meeting.reviews])
        reviewed = [(targets[r.target_id], r.outcome) for r in meeting.reviews if r.target_id in targets]
        if not created:
            new_targets = [NewTarget(t, [], False) for t in TargetRepository(session).of_meeting(meeting.id)]
        return Logged(
            meeting=meeting,
            created=created,
            mentee=mentee,
            reviewed=reviewed,
            new_targets=new_targets,
            flagged=flagged,
            mentor_ids=MentorshipRepository(session).mentors_of(meeting.team_id, meeting.mentee_id),
        )

    def remember_mentee_message(self, team_id: str, meeting_id: int, channel: str, ts: str) -> None:
        with self.db.unit_of_work() as session:
            meeting = MeetingRepository(session).get(team_id, meeting_id)
            if meeting is not None:
                meeting.mentee_message_channel, meeting.mentee_message_ts = channel, ts

    # --- the mentee signs off --------------------------------------------------------------------------
    def sign_off(self, caller: Caller, meeting_id: int, comment: str | None, now: datetime) -> SignedOff:
        comment = blank_to_none(comment)
        if comment is not None and len(comment) > TEXT_LIMIT:
            raise FieldErrors({"comment": f"Keep your comment under {TEXT_LIMIT} characters."})
        with self.db.unit_of_work() as session:
            meeting = self._meeting(session, caller.team_id, meeting_id)
            require(Action.SIGN_OFF_MEETING, self._standings(session, caller, meeting))
            # Claimed in one conditional UPDATE: a double-click arriving twice at once signs (and tells) once.
            signed = MeetingRepository(session).claim_sign_off(caller.team_id, meeting.id, caller.user_id, comment, now)
            session.refresh(meeting, attribute_names=["signed_off_at", "signed_off_by", "mentee_comment", "updated_at"])
            if not signed:
                return SignedOff(meeting, created=False)
            AuditRepository(session).record(
                caller.team_id,
                caller.user_id,
                "meeting.sign_off",
                now,
                subject_id=meeting.mentee_id,
                record_type="meeting",
                record_id=meeting.id,
            )
            return SignedOff(meeting, created=True)

    def summary(self, team_id: str, meeting_id: int) -> Logged:
        """A stored meeting with what was reviewed and set in it, to show it again (after a sign-off, say)."""
        with self.db.unit_of_work() as session:
            meeting = self._meeting(session, team_id, meeting_id)
            return self._logged(session, meeting, created=False, new_targets=[], flagged=[])

    def read(self, caller: Caller, meeting_id: int) -> Meeting:
        with self.db.unit_of_work() as session:
            meeting = self._meeting(session, caller.team_id, meeting_id)
            require(Action.READ_MEETING, self._standings(session, caller, meeting))
            return meeting

    # --- the author corrects it --------------------------------------------------------------------------
    def prepare_correction(self, caller: Caller, meeting_id: int, now: datetime) -> tuple[Meeting, date]:
        with self.db.unit_of_work() as session:
            meeting = self._editable(session, caller, meeting_id, now)
            return meeting, self._today(session, caller, now)

    def correct(self, caller: Caller, meeting_id: int, draft: MeetingDraft, now: datetime) -> Corrected:
        errors = check_fields(draft)
        with self.db.unit_of_work() as session:
            meeting = self._editable(session, caller, meeting_id, now)
            mentorship = session.get(Mentorship, meeting.mentorship_id)
            assert mentorship is not None
            today = self._today(session, caller, now)
            if draft.held_on is not None and HELD_ON not in errors:
                problem = held_on_problem(draft.held_on, mentorship, today)
                if problem:
                    errors[HELD_ON] = problem
            if errors:
                raise FieldErrors(errors)
            assert draft.held_on is not None and draft.notes is not None
            after = {
                HELD_ON: draft.held_on,
                DURATION: draft.duration_minutes,
                NOTES: draft.notes.strip(),
                WELLBEING_SCORE: draft.wellbeing,
                WELLBEING_NOTE: blank_to_none(draft.wellbeing_note),
                NEXT_MEETING: draft.next_meeting_on,
            }
            before = fields_of(meeting)
            changes = {
                key: [jsonable(before[key]), jsonable(value)] for key, value in after.items() if before[key] != value
            }
            if not changes:
                return Corrected(meeting, [], sign_off_reset=False)
            meeting.held_on = draft.held_on
            meeting.duration_minutes = draft.duration_minutes
            meeting.notes = draft.notes.strip()
            meeting.wellbeing = draft.wellbeing
            meeting.wellbeing_note = blank_to_none(draft.wellbeing_note)
            meeting.next_meeting_on = draft.next_meeting_on
            meeting.updated_at = now
            reset = meeting.signed_off_at is not None and bool(set(changes) - {NEXT_MEETING})
            if reset:
                changes["signed_off_at"] = [jsonable(meeting.signed_off_at), None]
                meeting.signed_off_at = meeting.signed_off_by = None
            MeetingRepository(session).add_revision(
                MeetingRevision(
                    team_id=caller.team_id,
                    meeting_id=meeting.id,
                    changed_by=caller.user_id,
                    changed_at=now,
                    changes=changes,
                )
            )
            AuditRepository(session).record(
                caller.team_id,
                caller.user_id,
                "meeting.correct",
                now,
                subject_id=meeting.mentee_id,
                record_type="meeting",
                record_id=meeting.id,
                detail=", ".join(sorted(changes)),
            )
            labels = [FIELD_LABEL[key] for key in after if key in changes]
            return Corrected(meeting, labels, sign_off_reset=reset)

    def revisions(self, team_id: str, meeting_id: int) -> Sequence[MeetingRevision]:
        with self.db.unit_of_work() as session:
            meeting = self._meeting(session, team_id, meeting_id)
            return MeetingRepository(session).revisions(meeting.id)

    # --- cadence -------------------------------------------------------------------------------------------
    def set_cadence(
        self,
        caller: Caller,
        mentee_id: str,
        cadence: MeetingCadence | None,
        directory: Directory,
        now: datetime,
    ) -> CadenceSet:
        """Show (cadence None) or change how often a mentee meets their mentor."""
        looked = look_up(self.db, directory, caller.team_id, mentee_id, now)
        with self.db.unit_of_work() as session:
            mentee = ensure_person(session, looked, caller.team_id, now)
            repo = MentorshipRepository(session)
            require(Action.SET_CADENCE, caller.towards(mentee.user_id, repo.mentors_of(caller.team_id, mentee.user_id)))
            live = [m for m in repo.active_for(caller.team_id, mentee.user_id) if m.mentee_id == mentee.user_id]
            if not live:
                raise InvalidInput(
                    f"<@{mentee.user_id}> has no mentor yet. An admin can start one with `/mentor assign`."
                )
            own = [m for m in live if m.mentor_id == caller.user_id]
            chosen = own or live
            changed = False
            if cadence is not None:
                for mentorship in chosen:
                    if mentorship.meeting_cadence is not cadence:
                        mentorship.meeting_cadence = cadence
                        changed = True
                        AuditRepository(session).record(
                            caller.team_id,
                            caller.user_id,
                            "mentorship.cadence",
                            now,
                            subject_id=mentee.user_id,
                            record_type="mentorship",
                            record_id=mentorship.id,
                            detail=cadence.value,
                        )
            return CadenceSet(mentee.user_id, list(chosen), changed)

    # --- helpers ---------------------------------------------------------------------------------------------
    def _today(self, session: UnitOfWork, caller: Caller, now: datetime) -> date:
        me = PeopleRepository(session).get(caller.team_id, caller.user_id)
        return now.astimezone(person_tz(me, self.school_tz)).date()

    def _meeting(self, session: UnitOfWork, team_id: str, meeting_id: int) -> Meeting:
        meeting = MeetingRepository(session).get(team_id, meeting_id)
        if meeting is None:
            raise NotFound("I can't find that meeting: it may have been removed.")
        return meeting

    def _standings(self, session: UnitOfWork, caller: Caller, meeting: Meeting) -> set[Standing]:
        mentor_ids = MentorshipRepository(session).mentors_of(caller.team_id, meeting.mentee_id)
        standings = caller.towards(meeting.mentee_id, mentor_ids)
        if meeting.author_id == caller.user_id:
            standings.add(Standing.AUTHOR)
        return standings

    def _editable(self, session: UnitOfWork, caller: Caller, meeting_id: int, now: datetime) -> Meeting:
        meeting = self._meeting(session, caller.team_id, meeting_id)
        require(Action.EDIT_MEETING, self._standings(session, caller, meeting))
        if now - meeting.created_at > EDIT_WINDOW:
            raise InvalidInput(
                f"Meeting notes can be corrected for {EDIT_WINDOW.days} days after they're logged; these were logged "
                f"on {describe(meeting.created_at.astimezone(self.school_tz).date())}. Add what changed to the next "
                "meeting's notes instead."
            )
        return meeting


def passed_in_due_box(passed: PassedDateError) -> str:
    """A day and month just gone, in the meeting form: name both choices and how to type each."""
    return (
        f"“{passed.raw}” has passed ({describe(passed.passed)}). Type “{passed.passed:%d/%m/%Y}” in Due to keep "
        f"this year's date (the target starts overdue) or “{passed.next_year:%d/%m/%Y}” for next year's."
    )
