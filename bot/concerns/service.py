"""Concerns: raised about a mentee, told at once to lead mentors and SLT, followed on a dated trail, resolved.

Who reads a concern is the permission table's READ_CONCERN, narrowed for each concern by
`concern_standings`: the mentee sees it only once it has been discussed with them (the policy requires it
to be raised with them), and a wellbeing concern stays with lead mentors, SLT and its raiser unless the
raiser chose to share it. Every read is written to the audit log. Nothing is edited in place: updates,
the date it was discussed and the resolution are entries on the trail, each with author and time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.concerns.reads import ConcernSummary as ConcernSummary
from bot.concerns.reads import OpenConcern as OpenConcern
from bot.concerns.reads import concern_standings as concern_standings
from bot.concerns.reads import open_concerns as open_concerns
from bot.concerns.reads import visible_to_mentee as visible_to_mentee
from bot.core.directory import Directory
from bot.core.errors import FieldErrors, InvalidInput, NotFound
from bot.core.permissions import Action, Standing, is_allowed, require
from bot.core.vocabulary import CONCERN_STATUS_LABEL as OUTCOME_LABEL
from bot.observations.forms import FieldRole, FormLibrary
from bot.roster.people import ensure_person, look_up
from bot.roster.service import Caller
from bot.targets.checks import STANDARDS, clean_standards
from storage.concerns import (
    Concern,
    ConcernCategory,
    ConcernEntry,
    ConcernRepository,
    ConcernStatus,
    EntryKind,
    WarningRepository,
)
from storage.db import Conflict, Database, UnitOfWork
from storage.observations import ObservationRepository, Rating
from storage.roster import AuditRepository, MentorshipRepository, PeopleRepository, Person, Role, RoleRepository

TEXT_LIMIT = 3000

# Field (and block) ids of the concern and trail modals: service errors are keyed by them.
CATEGORY, SEEN_ON, WHAT_SEEN, DONE, DISCUSSED_ON, STANDARDS_FIELD, SHARE = (
    "category",
    "seen_on",
    "what_seen",
    "done",
    "discussed_on",
    "standards",
    "share",
)
HAPPENED, AGREED, OUTCOME, REASON = "happened", "agreed", "outcome", "reason"


@dataclass(frozen=True)
class ConcernForm:
    """What the concern modal opens with."""

    mentee: Person
    today: date
    observation_id: int | None = None
    seen_on: date | None = None
    what_seen: str | None = None
    standards: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ConcernDraft:
    mentee_id: str
    category: ConcernCategory | None
    seen_on: date | None
    what_seen: str | None
    done_so_far: str | None = None
    discussed_on: date | None = None
    standards: list[str] = field(default_factory=list)
    shared: bool = False
    observation_id: int | None = None


@dataclass(frozen=True)
class Raised:
    concern: Concern
    created: bool
    told: list[str]  # lead mentors and SLT to DM (the raiser is not told about their own concern)
    mentee: Person


@dataclass(frozen=True)
class ConcernView:
    concern: Concern
    entries: list[ConcernEntry]
    names: dict[str, str]
    can_add: bool
    can_resolve: bool

    def name(self, user_id: str) -> str:
        return self.names.get(user_id, user_id)


@dataclass(frozen=True)
class Added:
    concern: Concern
    entry: ConcernEntry
    created: bool
    newly_discussed: bool  # the mentee can now see it


def _clean(text: str | None) -> str | None:
    text = (text or "").strip()
    return text or None


class ConcernService:
    def __init__(self, db: Database, forms: FormLibrary, school_tz: ZoneInfo) -> None:
        self.db = db
        self.forms = forms
        self.school_tz = school_tz

    def today(self, now: datetime) -> date:
        return now.astimezone(self.school_tz).date()

    # --- raising ----------------------------------------------------------------------------------------
    def prepare(self, caller: Caller, mentee_id: str, directory: Directory, now: datetime) -> ConcernForm:
        """Check the caller may raise a concern about the mentee, before the modal opens."""
        looked = look_up(self.db, directory, caller.team_id, mentee_id, now)
        with self.db.unit_of_work() as session:
            mentee = ensure_person(session, looked, caller.team_id, now)
            self._may_raise(session, caller, mentee.user_id)
            return ConcernForm(mentee, self.today(now))

    def prepare_from_observation(self, caller: Caller, observation_id: int, now: datetime) -> ConcernForm:
        """The concern modal filled in from an observation that recorded a concern or "not on track"."""
        with self.db.unit_of_work() as session:
            observation = ObservationRepository(session).get(caller.team_id, observation_id)
            if observation is None:
                raise NotFound("I can't find that observation. It may have been removed.")
            mentor_ids = MentorshipRepository(session).mentors_of(caller.team_id, observation.teacher_id)
            standings = caller.towards(observation.teacher_id, mentor_ids)
            if observation.observer_id == caller.user_id:
                standings.add(Standing.AUTHOR)
            require(Action.READ_OBSERVATION, standings)
            self._may_raise(session, caller, observation.teacher_id)
            mentee = PeopleRepository(session).get(caller.team_id, observation.teacher_id)
            assert mentee is not None
            form = self.forms.get(observation.form_key)
            lines = []
            concerns_field = form.with_role(FieldRole.CONCERNS) if form else None
            concern_text = observation.text(concerns_field.key) if concerns_field else None
            if concern_text:
                lines.append(concern_text.strip())
            if observation.on_track is False:
                lines.append("The observer judged the teacher not yet on track.")
            weak = [
                r
                for r in (form.ratings if form else ())
                if (e := observation.entry(r.key)) is not None and e.rating is Rating.NOT_DEMONSTRATED
            ]
            if weak:
                lines.append("Not demonstrated: " + "; ".join(r.label for r in weak) + ".")
            lines.append(
                f"(From the observation of {observation.observed_on:%-d %B %Y} by <@{observation.observer_id}>.)"
            )
            standards = clean_standards(
                ["P2" if r.key == "part_two" else r.key.removeprefix("standard_") for r in weak]
            )
            return ConcernForm(
                mentee,
                self.today(now),
                observation_id=observation.id,
                seen_on=observation.observed_on,
                what_seen="\n".join(lines)[:TEXT_LIMIT],
                standards=standards,
            )

    def prepare_from_warning(self, caller: Caller, episode_id: int, now: datetime) -> ConcernForm:
        """The concern modal filled in from an early warning's evidence."""
        with self.db.unit_of_work() as session:
            episode = WarningRepository(session).get(caller.team_id, episode_id)
            if episode is None:
                raise NotFound("I can't find that early warning.")
            self._may_raise(session, caller, episode.mentee_id)
            mentee = PeopleRepository(session).get(caller.team_id, episode.mentee_id)
            if mentee is None:
                raise NotFound("I can't find that person.")
            raised_on = episode.raised_at.astimezone(self.school_tz).date()
            return ConcernForm(
                mentee,
                self.today(now),
                seen_on=raised_on,
                what_seen=f"Early warning from the records: {episode.evidence}.",
            )

    def raise_concern(
        self, caller: Caller, draft: ConcernDraft, submission_key: str, directory: Directory, now: datetime
    ) -> Raised:
        """Store the concern once, however often Slack sends the submission; say who is to be told."""
        errors = self._check(draft, self.today(now))
        looked = look_up(self.db, directory, caller.team_id, draft.mentee_id, now) if draft.mentee_id else None
        try:
            with self.db.unit_of_work() as session:
                repo = ConcernRepository(session)
                existing = repo.by_submission(caller.team_id, submission_key)
                if existing is not None:
                    return self._raised(session, existing, created=False)
                if looked is None:
                    raise InvalidInput("This form names no one: open it again with `/concern @mentee`.")
                mentee = ensure_person(session, looked, caller.team_id, now)
                self._may_raise(session, caller, mentee.user_id)
                if errors:
                    raise FieldErrors(errors)
                assert draft.category is not None and draft.seen_on is not None and draft.what_seen
                live = [
                    m
                    for m in MentorshipRepository(session).active_for(caller.team_id, mentee.user_id)
                    if m.mentee_id == mentee.user_id
                ]
                concern = repo.add(
                    Concern(
                        team_id=caller.team_id,
                        mentorship_id=live[0].id if live else None,
                        mentee_id=mentee.user_id,
                        raised_by=caller.user_id,
                        category=draft.category,
                        seen_on=draft.seen_on,
                        what_seen=draft.what_seen.strip(),
                        done_so_far=_clean(draft.done_so_far),
                        standards=clean_standards(draft.standards),
                        discussed_on=draft.discussed_on,
                        shared=draft.shared and draft.category is ConcernCategory.WELLBEING,
                        observation_id=draft.observation_id,
                        status=ConcernStatus.OPEN,
                        submission_key=submission_key,
                        created_at=now,
                        updated_at=now,
                    )
                )
                self._audit(session, caller, "concern.create", concern, now)
                return self._raised(session, concern, created=True)
        except Conflict:
            with self.db.unit_of_work() as session:  # two deliveries of one submission raced: the other stored it
                existing = ConcernRepository(session).by_submission(caller.team_id, submission_key)
                if existing is None:
                    raise
                return self._raised(session, existing, created=False)

    def told(self, team_id: str, concern_id: int, recipients: Sequence[str], now: datetime) -> None:
        """The concern's details went to these people by DM: each such read is in the audit log."""
        with self.db.unit_of_work() as session:
            audit = AuditRepository(session)
            concern = ConcernRepository(session).get(team_id, concern_id)
            if concern is None:
                return
            for user_id in recipients:
                audit.record(
                    team_id,
                    user_id,
                    "concern.read",
                    now,
                    subject_id=concern.mentee_id,
                    record_type="concern",
                    record_id=concern.id,
                    detail="dm",
                )

    # --- reading ----------------------------------------------------------------------------------------
    def read(self, caller: Caller, concern_id: int, now: datetime) -> ConcernView:
        with self.db.unit_of_work() as session:
            concern = self._get(session, caller, concern_id)
            standings = self._standings(session, caller, concern)
            require(Action.READ_CONCERN, standings)
            self._audit(session, caller, "concern.read", concern, now)
            return self._view(session, concern, standings)

    # --- the trail --------------------------------------------------------------------------------------
    def prepare_entry(self, caller: Caller, concern_id: int, action: Action) -> Concern:
        """Check before the update or resolution modal opens."""
        with self.db.unit_of_work() as session:
            concern = self._get(session, caller, concern_id)
            require(action, self._standings(session, caller, concern))
            if concern.status is not ConcernStatus.OPEN:
                raise InvalidInput(f"This concern is already {OUTCOME_LABEL[concern.status]}.")
            return concern

    def add(
        self,
        caller: Caller,
        concern_id: int,
        happened: str | None,
        agreed: str | None,
        discussed_on: date | None,
        submission_key: str,
        now: datetime,
    ) -> Added:
        errors: dict[str, str] = {}
        happened, agreed = _clean(happened), _clean(agreed)
        if happened is None:
            errors[HAPPENED] = "Say what happened."
        for key, text in ((HAPPENED, happened), (AGREED, agreed)):
            if text and len(text) > TEXT_LIMIT:
                errors[key] = f"Keep this under {TEXT_LIMIT} characters."
        if discussed_on is not None and discussed_on > self.today(now):
            errors[DISCUSSED_ON] = "That date is in the future: say when it was discussed."
        with self.db.unit_of_work() as session:
            repo = ConcernRepository(session)
            existing = repo.entry_by_submission(caller.team_id, submission_key)
            if existing is not None:
                return Added(existing.concern, existing, created=False, newly_discussed=False)
            concern = self._get(session, caller, concern_id)
            require(Action.ADD_TO_CONCERN, self._standings(session, caller, concern))
            if concern.status is not ConcernStatus.OPEN:
                raise InvalidInput(f"This concern is already {OUTCOME_LABEL[concern.status]}.")
            if errors:
                raise FieldErrors(errors)
            newly = discussed_on is not None and repo.claim_discussed(caller.team_id, concern.id, discussed_on, now)
            entry = repo.add_entry(
                ConcernEntry(
                    team_id=caller.team_id,
                    concern_id=concern.id,
                    author_id=caller.user_id,
                    kind=EntryKind.DISCUSSED if newly else EntryKind.UPDATE,
                    happened=happened,
                    agreed=agreed,
                    on_date=discussed_on,
                    submission_key=submission_key,
                    created_at=now,
                )
            )
            self._audit(session, caller, "concern.update", concern, now)
            session.refresh(concern)
            return Added(concern, entry, created=True, newly_discussed=newly)

    def resolve(
        self,
        caller: Caller,
        concern_id: int,
        outcome: ConcernStatus | None,
        reason: str | None,
        submission_key: str,
        now: datetime,
    ) -> Added:
        errors: dict[str, str] = {}
        reason = _clean(reason)
        if outcome is None or outcome is ConcernStatus.OPEN:
            errors[OUTCOME] = "Choose how it was resolved."
        if reason is None:
            errors[REASON] = "Give the reason, for the record."
        elif len(reason) > TEXT_LIMIT:
            errors[REASON] = f"Keep this under {TEXT_LIMIT} characters."
        with self.db.unit_of_work() as session:
            repo = ConcernRepository(session)
            existing = repo.entry_by_submission(caller.team_id, submission_key)
            if existing is not None:
                return Added(existing.concern, existing, created=False, newly_discussed=False)
            concern = self._get(session, caller, concern_id)
            require(Action.RESOLVE_CONCERN, self._standings(session, caller, concern))
            if errors:
                raise FieldErrors(errors)
            assert outcome is not None
            if not repo.claim_close(caller.team_id, concern.id, outcome, now):
                raise InvalidInput(f"This concern is already {OUTCOME_LABEL[concern.status]}.")
            entry = repo.add_entry(
                ConcernEntry(
                    team_id=caller.team_id,
                    concern_id=concern.id,
                    author_id=caller.user_id,
                    kind=EntryKind.RESOLUTION,
                    happened=reason,
                    outcome=outcome,
                    submission_key=submission_key,
                    created_at=now,
                )
            )
            self._audit(session, caller, "concern.resolve", concern, now, detail=outcome.value)
            session.refresh(concern)
            return Added(concern, entry, created=True, newly_discussed=False)

    # --- helpers ----------------------------------------------------------------------------------------
    def _may_raise(self, session: UnitOfWork, caller: Caller, mentee_id: str) -> None:
        if mentee_id == caller.user_id:
            raise InvalidInput("You can't raise a concern about yourself: talk to your mentor or lead mentor.")
        mentor_ids = MentorshipRepository(session).mentors_of(caller.team_id, mentee_id)
        require(Action.RAISE_CONCERN, caller.towards(mentee_id, mentor_ids))

    def _check(self, draft: ConcernDraft, today: date) -> dict[str, str]:
        errors: dict[str, str] = {}
        if draft.category is None:
            errors[CATEGORY] = "Choose what the concern is about."
        if draft.seen_on is None:
            errors[SEEN_ON] = "Say when it was seen."
        elif draft.seen_on > today:
            errors[SEEN_ON] = "That date is in the future: say when it was seen."
        what = _clean(draft.what_seen)
        if what is None:
            errors[WHAT_SEEN] = "Say what was seen: the facts, dated, as you would tell the mentee."
        elif len(what) > TEXT_LIMIT:
            errors[WHAT_SEEN] = f"Keep this under {TEXT_LIMIT} characters."
        done = _clean(draft.done_so_far)
        if done and len(done) > TEXT_LIMIT:
            errors[DONE] = f"Keep this under {TEXT_LIMIT} characters."
        if draft.discussed_on is not None and draft.discussed_on > today:
            errors[DISCUSSED_ON] = "That date is in the future: leave it empty until it has been discussed."
        unknown = [s for s in draft.standards if s not in STANDARDS]
        if unknown:
            errors[STANDARDS_FIELD] = "Choose standards from the list."
        return errors

    def _get(self, session: UnitOfWork, caller: Caller, concern_id: int) -> Concern:
        concern = ConcernRepository(session).get(caller.team_id, concern_id)
        if concern is None:
            raise NotFound("I can't find that concern.")
        return concern

    def _standings(self, session: UnitOfWork, caller: Caller, concern: Concern) -> set[Standing]:
        mentor_ids = MentorshipRepository(session).mentors_of(caller.team_id, concern.mentee_id)
        standings = caller.towards(concern.mentee_id, mentor_ids)
        if concern.raised_by == caller.user_id:
            standings.add(Standing.AUTHOR)
        return concern_standings(standings, concern)

    def _view(self, session: UnitOfWork, concern: Concern, standings: set[Standing]) -> ConcernView:
        entries = list(concern.entries)
        ids = {concern.mentee_id, concern.raised_by, *(e.author_id for e in entries)}
        people = PeopleRepository(session).many(concern.team_id, ids)
        is_open = concern.status is ConcernStatus.OPEN
        return ConcernView(
            concern,
            entries,
            {uid: p.display for uid, p in people.items()},
            can_add=is_open and is_allowed(Action.ADD_TO_CONCERN, standings),
            can_resolve=is_open and is_allowed(Action.RESOLVE_CONCERN, standings),
        )

    def _raised(self, session: UnitOfWork, concern: Concern, *, created: bool) -> Raised:
        roles = RoleRepository(session)
        told = [
            u
            for u in dict.fromkeys(roles.holders(concern.team_id, Role.LEAD) + roles.holders(concern.team_id, Role.SLT))
        ]
        mentee = PeopleRepository(session).get(concern.team_id, concern.mentee_id)
        assert mentee is not None
        return Raised(concern, created, [u for u in told if u != concern.raised_by], mentee)

    @staticmethod
    def _audit(
        session: UnitOfWork, caller: Caller, action: str, concern: Concern, now: datetime, *, detail: str | None = None
    ) -> None:
        AuditRepository(session).record(
            caller.team_id,
            caller.user_id,
            action,
            now,
            subject_id=concern.mentee_id,
            record_type="concern",
            record_id=concern.id,
            detail=detail,
        )
