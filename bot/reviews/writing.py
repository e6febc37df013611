"""Writing a review: the draft from the records, saving it, signatures, the lock, and corrections.

Rules:
* a progress review or a provider review point is written by the mentee's mentor (or an induction tutor);
  a formal or interim assessment only by the induction tutor or the headteacher, never the mentor;
* the draft covers the records since the last review (or the item's own start) up to today;
* the reviewer writes the evidence, on track yes/no and the agreed targets (each becomes a target with its
  due date); the final formal assessment also needs its outcome;
* saving asks the mentee to sign; an assessment also asks the induction tutor and the headteacher (the
  reviewer's own signature is given by saving). When everyone has signed, the review is locked;
* a correction is a new version: the old one is kept (superseded) and every signature is asked for again;
* the view id of the submission is the idempotency key: a retry stores one review.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.core.directory import Directory
from bot.core.errors import FieldErrors, InvalidInput, NotAllowed, NotFound
from bot.core.permissions import Action, Standing, require
from bot.reviews.draft import build_figures
from bot.reviews.questions import Question, Questions
from bot.reviews.service import ItemState, MenteeSchedule, ReviewService, choice_name, writing_action
from bot.roster.people import ensure_person, look_up
from bot.roster.service import Caller
from storage.reviews import (
    Capacity,
    Outcome,
    Review,
    ReviewKind,
    ReviewRepository,
    ReviewSignature,
    ReviewStatus,
    records_between,
)
from storage.roster import (
    AuditRepository,
    MeetingCadence,
    MentorshipRepository,
    PeopleRepository,
    Role,
    RoleRepository,
)
from storage.submission_keys import SubmissionKeyRepository
from storage.targets import Target, TargetStatus

EVIDENCE, ON_TRACK, OUTCOME, PROBLEM = "evidence", "on_track", "outcome", "evidence"
TARGET_SLOTS = 3
EVIDENCE_MIN = 40  # a sentence or two: appropriate bodies send back reviews with no evidence


def target_field(kind: str, slot: int) -> str:
    return f"target_{kind}_{slot}"


def question_field(key: str) -> str:
    return f"q_{key}"


@dataclass(frozen=True)
class ReviewForm:
    """What the review modal opens with."""

    mentee_id: str
    mentee_name: str
    state: ItemState
    period_start: date
    period_end: date
    figures: dict[str, Any]
    schedule: MenteeSchedule
    correcting: Review | None = None
    questions: tuple[Question, ...] = ()


@dataclass(frozen=True)
class ReviewInput:
    mentee_id: str
    point_key: str
    on_track: bool | None
    evidence: str | None
    targets: list[tuple[str, date | None]] = field(default_factory=list)
    outcome: Outcome | None = None
    corrects: int | None = None  # the review this is a new version of
    answers: dict[str, str] = field(default_factory=dict)  # the appropriate body's questions, by key


@dataclass(frozen=True)
class ReviewView:
    review: Review
    signatures: Sequence[ReviewSignature]
    names: dict[str, str]
    targets: Sequence[Target] = ()
    question_labels: dict[str, str] = field(default_factory=dict)

    def name(self, user_id: str) -> str:
        return self.names.get(user_id, user_id)

    def question_label(self, key: str) -> str:
        return self.question_labels.get(key, key.replace("_", " ").capitalize())

    @property
    def waiting_for(self) -> list[ReviewSignature]:
        return [s for s in self.signatures if s.signed_at is None]


@dataclass(frozen=True)
class Saved:
    view: ReviewView
    created: bool


class ReviewWriting:
    def __init__(self, schedules: ReviewService, questions: Questions | None = None) -> None:
        self.schedules = schedules
        self.questions = questions or Questions("Appropriate body")
        self.db = schedules.db
        self.calendar = schedules.calendar

    # --- the draft ---------------------------------------------------------------------------------------

    def prepare(
        self,
        caller: Caller,
        mentee_id: str,
        directory: Directory,
        now: datetime,
        *,
        correct: int | None = None,
        choice: str | None = None,
    ) -> ReviewForm:
        today = self.schedules.today(now)
        if caller.user_id == mentee_id:
            raise NotAllowed("You can't write a review of yourself: your mentor or induction tutor does.")
        looked = look_up(self.db, directory, caller.team_id, mentee_id, now)  # Slack, before the transaction
        with self.db.unit_of_work() as session:
            mentee = ensure_person(session, looked, caller.team_id, now)
            mentor_ids = MentorshipRepository(session).mentors_of(caller.team_id, mentee_id)
            found = self.schedules.schedules_in(session, caller.team_id, today, {mentee_id})
            correcting = ReviewRepository(session).get(caller.team_id, correct) if correct is not None else None
        standings = caller.towards(mentee_id, mentor_ids)
        if not found:
            require(Action.READ_REVIEWS, standings)
            raise NotFound(f"<@{mentee_id}> isn't being mentored as an ECT or a trainee now, so has no reviews.")
        schedule = found[0]
        if correct is not None:
            if correcting is None or correcting.mentee_id != mentee_id:
                raise NotFound("I can't find that review.")
            state = next((s for s in schedule.items if s.item.key == correcting.point_key), None)
        else:
            state = schedule.to_write(today, choice)
        if state is None:
            require(Action.READ_REVIEWS, standings)
            if schedule.missing:
                raise InvalidInput(schedule.missing)
            names = ", ".join(
                f"{s.item.title} (`/review <@{mentee_id}> {choice_name(s.item)}`)"
                for s in schedule.items
                if s.state not in ("done", "signing")
            )
            if choice:
                raise InvalidInput(f"<@{mentee_id}> has no review called “{choice}” to write. Still to do: {names}.")
            raise InvalidInput(
                f"<@{mentee_id}> has no review due to write now." + (f" Still to do: {names}." if names else "")
            )
        require(writing_action(state.item.kind), standings)
        with self.db.unit_of_work() as session:
            start, end = self._period(session, caller.team_id, schedule, state, today, correcting)
            figures = self._figures(session, caller.team_id, mentee_id, start, end, schedule)
        questions = self.questions.for_kind(state.item.kind)
        return ReviewForm(mentee_id, mentee.display, state, start, end, figures, schedule, correcting, questions)

    def _period(
        self,
        session: Session,
        team_id: str,
        schedule: MenteeSchedule,
        state: ItemState,
        today: date,
        correcting: Review | None,
    ) -> tuple[date, date]:
        if correcting is not None:
            return correcting.period_start, correcting.period_end
        earlier = [
            r
            for r in ReviewRepository(session).current(team_id, [schedule.mentorship_id])
            if r.period_end < max(today, state.item.period_start)
        ]
        start = state.item.period_start
        if earlier:
            start = max(start, earlier[-1].period_end + timedelta(days=1))
        return start, max(start, today)

    def _figures(
        self, session: Session, team_id: str, mentee_id: str, start: date, end: date, schedule: MenteeSchedule
    ) -> dict[str, Any]:
        records = records_between(session, team_id, mentee_id, start, end)
        mentorship = MentorshipRepository(session).active_pair(team_id, schedule.mentor_id, mentee_id)
        cadence = mentorship.meeting_cadence if mentorship else None
        return build_figures(
            start=start,
            end=end,
            meetings=records.meetings,
            targets=records.targets,
            observations=records.observations,
            cadence=cadence or MeetingCadence.WEEKLY,
            calendar=self.calendar,
        )

    # --- saving ----------------------------------------------------------------------------------------

    def save(self, caller: Caller, typed: ReviewInput, key: str, directory: Directory, now: datetime) -> Saved:
        form = self.prepare(
            caller,
            typed.mentee_id,
            directory,
            now,
            correct=typed.corrects,
            choice=None if typed.corrects else typed.point_key,
        )
        item = form.state.item
        if item.key != typed.point_key:
            raise InvalidInput("The schedule changed while the form was open: close it and run `/review` again.")
        today = self.schedules.today(now)
        errors: dict[str, str] = {}
        evidence = (typed.evidence or "").strip()
        if len(evidence) < EVIDENCE_MIN:
            errors[EVIDENCE] = (
                "Write the evidence against the Teachers' Standards in a sentence or two: appropriate bodies send "
                "back reviews that only list statements."
            )
        if typed.on_track is None:
            errors[ON_TRACK] = "Say whether they are on track."
        if item.kind is ReviewKind.FORMAL and item.final and typed.outcome is None:
            errors[OUTCOME] = "The final assessment needs its outcome."
        for question in form.questions:
            if question.required and not (typed.answers.get(question.key) or "").strip():
                errors[question_field(question.key)] = "The appropriate body asks for an answer to this."
        for slot, (text, due) in enumerate(typed.targets):
            if text and due is None:
                errors[target_field("due", slot)] = "Pick the date this target is due."
            elif text and due is not None and due < today:
                errors[target_field("due", slot)] = "A target's due date can't be in the past."
        if errors:
            raise FieldErrors(errors)
        try:
            with self.db.unit_of_work() as session:
                repo = ReviewRepository(session)
                existing = repo.by_key(caller.team_id, key)
                if existing is not None:
                    return Saved(self.view_of(session, existing), created=False)
                review = self._store(session, caller, typed, form, evidence, key, now)
                return Saved(self.view_of(session, review), created=True)
        except IntegrityError:
            with self.db.unit_of_work() as session:
                existing = ReviewRepository(session).by_key(caller.team_id, key)
                if existing is None:
                    raise
                return Saved(self.view_of(session, existing), created=False)

    def _store(
        self,
        session: Session,
        caller: Caller,
        typed: ReviewInput,
        form: ReviewForm,
        evidence: str,
        key: str,
        now: datetime,
    ) -> Review:
        item = form.state.item
        repo = ReviewRepository(session)
        version, supersedes = 1, None
        if form.correcting is not None:
            old = repo.get(caller.team_id, form.correcting.id)
            assert old is not None
            if old.status is ReviewStatus.SUPERSEDED:
                raise InvalidInput("That version has already been corrected: correct the latest one.")
            old.status = ReviewStatus.SUPERSEDED
            version, supersedes = old.version + 1, old.id
        review = Review(
            team_id=caller.team_id,
            mentorship_id=form.schedule.mentorship_id,
            mentee_id=typed.mentee_id,
            kind=item.kind,
            point_key=item.key,
            title=item.title,
            term_number=item.term_number,
            period_start=form.period_start,
            period_end=form.period_end,
            version=version,
            supersedes_id=supersedes,
            author_id=caller.user_id,
            on_track=bool(typed.on_track),
            evidence=evidence,
            outcome=typed.outcome if item.kind is ReviewKind.FORMAL and item.final else None,
            figures=form.figures,
            target_ids=[],
            answers={q.key: answer for q in form.questions if (answer := (typed.answers.get(q.key) or "").strip())},
            status=ReviewStatus.SIGNING,
            submission_key=key,
            created_at=now,
        )
        repo.add(review)
        target_ids = []
        for slot, (text, due) in enumerate(typed.targets):
            if not text or due is None:
                continue
            target = Target(
                team_id=caller.team_id,
                mentorship_id=form.schedule.mentorship_id,
                mentee_id=typed.mentee_id,
                set_by=caller.user_id,
                text=text.strip(),
                due_on=due,
                due_phrase=None,
                standards=[],
                status=TargetStatus.OPEN,
                carried_count=0,
                submission_key=f"review:{review.id}:{slot}",
                created_at=now,
                updated_at=now,
            )
            session.add(target)
            session.flush()
            target_ids.append(target.id)
        review.target_ids = target_ids
        for capacity, signer in self._signers(session, caller, item.kind, form.schedule):
            session.add(
                ReviewSignature(
                    team_id=caller.team_id,
                    review_id=review.id,
                    capacity=capacity,
                    signer_id=signer,
                    signed_at=now if signer == caller.user_id and capacity is not Capacity.MENTEE else None,
                )
            )
        session.flush()
        AuditRepository(session).record(
            caller.team_id,
            caller.user_id,
            "review.correct" if supersedes else "review.save",
            now,
            subject_id=typed.mentee_id,
            record_type="review",
            record_id=review.id,
            detail=item.kind.value,
        )
        return review

    def _signers(
        self, session: Session, caller: Caller, kind: ReviewKind, schedule: MenteeSchedule
    ) -> list[tuple[Capacity, str]]:
        signers = [(Capacity.MENTEE, schedule.mentee_id)]
        if kind not in (ReviewKind.FORMAL, ReviewKind.INTERIM):
            capacity = Capacity.MENTOR if caller.user_id == schedule.mentor_id else Capacity.TUTOR
            return [(capacity, caller.user_id), *signers]
        roles = RoleRepository(session)
        tutor = schedule.induction.tutor_id if schedule.induction else None
        if Standing.TUTOR in caller.standings and (tutor is None or Standing.HEAD not in caller.standings):
            tutor = tutor or caller.user_id
        tutor = tutor or next(iter(roles.holders(caller.team_id, Role.TUTOR)), None)
        head = caller.user_id if Standing.HEAD in caller.standings else None
        head = head or next(iter(roles.holders(caller.team_id, Role.HEAD)), None)
        if tutor is None or head is None:
            missing, role = ("an induction tutor", "tutor") if tutor is None else ("a headteacher", "head")
            raise InvalidInput(
                f"An assessment is signed by the induction tutor and the headteacher, and this school has no "
                f"{missing} yet: an admin grants it with `/mentor role add @person {role}`."
            )
        return [(Capacity.TUTOR, tutor), (Capacity.HEAD, head), *signers]

    # --- signing ---------------------------------------------------------------------------------------

    def sign(self, caller: Caller, review_id: int, now: datetime) -> tuple[ReviewView, bool]:
        """Sign every signature the caller was asked for; returns the view and whether this locked it."""
        with self.db.unit_of_work() as session:
            review = self._review(session, caller.team_id, review_id)
            mine = [s for s in ReviewRepository(session).signatures(review.id) if s.signer_id == caller.user_id]
            if not mine:
                raise NotAllowed("You weren't asked to sign this review.")
            if review.status is ReviewStatus.SUPERSEDED:
                raise InvalidInput("This version was corrected: sign the new version instead.")
            unsigned = [signature for signature in mine if signature.signed_at is None]
            if not unsigned:  # signed already (a second click, a replay): nothing changes, nobody is told again
                return self.view_of(session, review), False
            for signature in unsigned:
                signature.signed_at = now
            session.flush()
            locked = False
            if review.locked_at is None and all(s.signed_at for s in ReviewRepository(session).signatures(review.id)):
                review.status, review.locked_at, locked = ReviewStatus.LOCKED, now, True
            AuditRepository(session).record(
                caller.team_id,
                caller.user_id,
                "review.sign",
                now,
                subject_id=review.mentee_id,
                record_type="review",
                record_id=review.id,
            )
            return self.view_of(session, review), locked

    def comment(self, caller: Caller, review_id: int, text: str, now: datetime, submission_key: str = "") -> Saved:
        """Save the signer's comment once, however often Slack sends it: `submission_key` is the modal's view id."""
        text = text.strip()
        if not text:
            raise FieldErrors({"comment": "Write your comment."})
        with self.db.unit_of_work() as session:
            # The first write: a repeat arriving at the same moment waits here, then finds the key taken.
            repeat = SubmissionKeyRepository(session).is_repeat(caller.team_id, "review.comment", submission_key, now)
            review = self._review(session, caller.team_id, review_id)
            mine = [s for s in ReviewRepository(session).signatures(review.id) if s.signer_id == caller.user_id]
            if not mine:
                raise NotAllowed("You weren't asked to sign this review, so can't comment on it.")
            if repeat:
                return Saved(self.view_of(session, review), created=False)
            if review.locked_at is not None:
                raise InvalidInput("This review is signed and locked: a correction is a new version.")
            mine[0].comment = text
            AuditRepository(session).record(
                caller.team_id, caller.user_id, "review.comment", now, subject_id=review.mentee_id,
                record_type="review", record_id=review.id,
            )  # fmt: skip
            return Saved(self.view_of(session, review), created=True)

    # --- reading ---------------------------------------------------------------------------------------

    def view(self, caller: Caller, review_id: int) -> ReviewView:
        with self.db.unit_of_work() as session:
            review = self._review(session, caller.team_id, review_id)
            self._require_reader(session, caller, review.mentee_id)
            return self.view_of(session, review)

    def reviews_of(self, caller: Caller, mentee_id: str) -> list[ReviewView]:
        with self.db.unit_of_work() as session:
            self._require_reader(session, caller, mentee_id)
            return [self.view_of(session, r) for r in ReviewRepository(session).for_mentee(caller.team_id, mentee_id)]

    def _require_reader(self, session: Session, caller: Caller, mentee_id: str) -> None:
        mentor_ids = MentorshipRepository(session).mentors_of(caller.team_id, mentee_id)
        require(Action.READ_REVIEWS, caller.towards(mentee_id, mentor_ids))

    def _review(self, session: Session, team_id: str, review_id: int) -> Review:
        review = ReviewRepository(session).get(team_id, review_id)
        if review is None:
            raise NotFound("I can't find that review.")
        return review

    def view_of(self, session: Session, review: Review) -> ReviewView:
        signatures = ReviewRepository(session).signatures(review.id)
        ids = {review.mentee_id, review.author_id, *(s.signer_id for s in signatures)}
        people = PeopleRepository(session).many(review.team_id, ids)
        targets = [session.get(Target, t) for t in review.target_ids or []]
        return ReviewView(
            review,
            signatures,
            {uid: p.display for uid, p in people.items()},
            [t for t in targets if t is not None],
            {q.key: q.label for q in self.questions.questions},
        )
