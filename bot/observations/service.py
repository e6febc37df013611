"""Lesson observations: who may record and read them, validation, corrections and reflections."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core.directory import Directory
from bot.core.errors import FieldErrors, InvalidInput, NotAllowed, NotFound
from bot.core.permissions import Action, Standing, is_allowed, require
from bot.core.vocabulary import RATING_LABEL
from bot.observations.forms import FieldKind, FieldRole, FormLibrary, ObservationForm
from bot.roster.people import ensure_person, look_up, look_up_all
from bot.roster.service import Caller
from storage.db import Conflict, Database, UnitOfWork
from storage.observations import Observation, ObservationEntry, ObservationRepository, ObservationRevision, Rating
from storage.roster import (
    AuditRepository,
    MenteeKind,
    Mentorship,
    MentorshipRepository,
    PeopleRepository,
    Person,
    Role,
    RoleRepository,
)

EDIT_WINDOW = timedelta(days=7)
TEXT_LIMIT = 3000
SHORT_LIMIT = 150


# Names of the lesson-detail fields every form shares; used as keys for field errors too.
DATE, SUBJECT, CLASS_GROUP, PUPILS, DURATION, FOCUS = "date", "subject", "class_group", "pupils", "duration", "focus"
TEACHER, SECOND_OBSERVER = "teacher", "second_observer"


def comment_key(field_key: str) -> str:
    return f"comment:{field_key}"


@dataclass(frozen=True)
class ObservationDraft:
    """What the observer typed, read from the modal but not yet checked against the rules."""

    teacher_id: str | None
    form_key: str
    observed_on: date | None
    subject: str | None = None
    class_group: str | None = None
    pupils: int | None = None
    duration_minutes: int | None = None
    focus: str | None = None
    second_observer_id: str | None = None
    ratings: dict[str, Rating | None] = field(default_factory=dict)
    comments: dict[str, str | None] = field(default_factory=dict)
    texts: dict[str, str | None] = field(default_factory=dict)
    on_track: bool | None = None


@dataclass(frozen=True)
class Prepared:
    teacher: Person
    mentorship: Mentorship
    form: ObservationForm
    today: date


@dataclass(frozen=True)
class Recorded:
    observation: Observation
    form: ObservationForm
    created: bool
    teacher: Person
    observer: Person
    mentor_ids: list[str]
    lead_ids: list[str]

    @property
    def needs_lead_attention(self) -> bool:
        return self.observation.on_track is False or self.observation.has_concern


@dataclass(frozen=True)
class Edited:
    observation: Observation
    form: ObservationForm
    changed: list[str]  # labels of what changed


@dataclass(frozen=True)
class Readable:
    """An observation someone may read, with the names needed to show it."""

    observation: Observation
    form: ObservationForm
    people: dict[str, Person]
    can_edit: bool
    can_reflect: bool

    def name(self, user_id: str | None) -> str:
        if user_id is None:
            return ""
        person = self.people.get(user_id)
        return person.display if person else user_id


class ObservationService:
    def __init__(self, db: Database, forms: FormLibrary, school_tz: ZoneInfo) -> None:
        self.db = db
        self.forms = forms
        self.school_tz = school_tz

    def today(self, now: datetime) -> date:
        return now.astimezone(self.school_tz).date()

    # --- opening the form ------------------------------------------------------------------------
    def prepare(self, caller: Caller, teacher_id: str, directory: Directory, now: datetime) -> Prepared:
        """Check the caller may observe this teacher before the modal opens."""
        looked = look_up(self.db, directory, caller.team_id, teacher_id, now)
        with self.db.unit_of_work() as session:
            teacher = ensure_person(session, looked, caller.team_id, now)
            mentorship = self._mentorship_for(session, caller, teacher)
            return Prepared(teacher, mentorship, self.forms.default_for(mentorship.mentee_kind), self.today(now))

    def _mentorship_for(self, session: UnitOfWork, caller: Caller, teacher: Person) -> Mentorship:
        mentorships = MentorshipRepository(session)
        mentor_ids = mentorships.mentors_of(caller.team_id, teacher.user_id)
        if teacher.user_id == caller.user_id:
            raise InvalidInput("You can't observe yourself: choose the teacher you watched.")
        require(Action.OBSERVE, caller.towards(teacher.user_id, mentor_ids))
        live = [m for m in mentorships.active_for(caller.team_id, teacher.user_id) if m.mentee_id == teacher.user_id]
        if not live:
            raise InvalidInput(
                f"<@{teacher.user_id}> has no mentor yet, so there is nothing to record an observation against. "
                "An admin can start a mentorship with `/mentor assign`."
            )
        return live[0]

    # --- saving ------------------------------------------------------------------------------------
    def record(
        self, caller: Caller, draft: ObservationDraft, submission_key: str, directory: Directory, now: datetime
    ) -> Recorded:
        """Store a new observation once, however many times Slack sends the same submission."""
        form = self._form(draft.form_key)
        errors = self._check(draft, form)
        today = self.today(now)
        if draft.observed_on is not None and draft.observed_on > today:
            errors[DATE] = f"The lesson can't be in the future: today is {today:%A %-d %B}."
        if draft.teacher_id is None:
            errors[TEACHER] = "Choose the teacher you observed."
        if errors:
            raise FieldErrors(errors)
        assert draft.teacher_id is not None and draft.observed_on is not None
        looked = look_up_all(self.db, directory, caller.team_id, [draft.teacher_id, draft.second_observer_id], now)
        try:
            with self.db.unit_of_work() as session:
                repo = ObservationRepository(session)
                existing = repo.by_submission(caller.team_id, submission_key)
                if existing is not None:
                    return self._recorded(session, caller, existing, form, created=False)
                teacher = ensure_person(session, looked[0], caller.team_id, now)
                try:
                    mentorship = self._mentorship_for(session, caller, teacher)
                except (InvalidInput, NotAllowed) as exc:
                    raise FieldErrors({TEACHER: str(exc)}) from None
                self._check_dates(draft.observed_on, mentorship, now)
                for second_observer in looked[1:]:
                    ensure_person(session, second_observer, caller.team_id, now)
                observation = Observation(
                    team_id=caller.team_id,
                    teacher_id=teacher.user_id,
                    observer_id=caller.user_id,
                    mentorship_id=mentorship.id,
                    form_key=form.key,
                    submission_key=submission_key,
                    created_at=now,
                    updated_at=now,
                )
                _apply(observation, draft, form)
                repo.add(observation)
                AuditRepository(session).record(
                    caller.team_id,
                    caller.user_id,
                    "observation.create",
                    now,
                    subject_id=teacher.user_id,
                    record_type="observation",
                    record_id=observation.id,
                )
                return self._recorded(session, caller, observation, form, created=True)
        except Conflict:
            # Two deliveries of one submission raced: the other one stored it.
            with self.db.unit_of_work() as session:
                existing = ObservationRepository(session).by_submission(caller.team_id, submission_key)
                if existing is None:
                    raise
                return self._recorded(session, caller, existing, form, created=False)

    def _recorded(
        self, session: UnitOfWork, caller: Caller, observation: Observation, form: ObservationForm, *, created: bool
    ) -> Recorded:
        people = PeopleRepository(session)
        teacher = people.get(caller.team_id, observation.teacher_id)
        observer = people.get(caller.team_id, observation.observer_id)
        assert teacher is not None and observer is not None
        return Recorded(
            observation=observation,
            form=form,
            created=created,
            teacher=teacher,
            observer=observer,
            mentor_ids=MentorshipRepository(session).mentors_of(caller.team_id, observation.teacher_id),
            lead_ids=RoleRepository(session).holders(caller.team_id, Role.LEAD),
        )

    def _form_of(self, observation: Observation) -> ObservationForm:
        """The form an observation was recorded on; if a school has since removed it, the default one."""
        return self.forms.get(observation.form_key) or self.forms.default_for(MenteeKind.ECT)

    def _form(self, key: str) -> ObservationForm:
        form = self.forms.get(key)
        if form is None:
            raise FieldErrors({"form": "That form is no longer available: choose another."})
        return form

    def _check(self, draft: ObservationDraft, form: ObservationForm) -> dict[str, str]:
        errors: dict[str, str] = {}
        if draft.observed_on is None:
            errors[DATE] = "Choose the date of the lesson."
        for form_field in form.fields:
            if form_field.kind is FieldKind.RATING:
                if form_field.required and draft.ratings.get(form_field.key) is None:
                    errors[form_field.key] = "Choose a rating (N/A if this lesson didn't show it)."
            elif form_field.kind is FieldKind.YES_NO:
                if form_field.required and draft.on_track is None:
                    errors[form_field.key] = "Say whether the teacher is on track."
            elif form_field.required and not (draft.texts.get(form_field.key) or "").strip():
                errors[form_field.key] = f"Please fill in “{form_field.label}”."
        too_long = [(key, text) for key, text in draft.texts.items()]
        too_long += [(comment_key(key), text) for key, text in draft.comments.items()]
        too_long += [(SUBJECT, draft.subject), (CLASS_GROUP, draft.class_group), (FOCUS, draft.focus)]
        for key, value in too_long:
            limit = TEXT_LIMIT if key != SUBJECT and key != CLASS_GROUP else SHORT_LIMIT
            if value is not None and len(value) > limit:
                errors.setdefault(key, f"Please keep this under {limit} characters (it has {len(value)}).")
        if draft.pupils is not None and not 1 <= draft.pupils <= 200:
            errors[PUPILS] = "Enter the number of pupils, between 1 and 200."
        if draft.duration_minutes is not None and not 5 <= draft.duration_minutes <= 480:
            errors[DURATION] = "Enter the lesson's length in minutes, between 5 and 480."
        if draft.second_observer_id is not None and draft.second_observer_id in (draft.teacher_id,):
            errors[SECOND_OBSERVER] = "The second observer can't be the teacher being observed."
        return errors

    def _check_dates(self, observed_on: date, mentorship: Mentorship, now: datetime) -> None:
        today = self.today(now)
        if observed_on > today:
            raise FieldErrors({DATE: f"The lesson can't be in the future: today is {today:%A %-d %B}."})
        if observed_on < mentorship.start_date:
            raise FieldErrors(
                {DATE: f"That's before the mentorship started ({mentorship.start_date:%-d %B %Y}): check the date."}
            )

    # --- corrections ---------------------------------------------------------------------------
    def editable(self, caller: Caller, observation_id: int, now: datetime) -> tuple[Observation, ObservationForm]:
        with self.db.unit_of_work() as session:
            observation = self._get(session, caller, observation_id)
            self._require_editable(session, caller, observation, now)
            return observation, self._form(observation.form_key)

    def _require_editable(self, session: UnitOfWork, caller: Caller, observation: Observation, now: datetime) -> None:
        require(Action.EDIT_OBSERVATION, self._standings(session, caller, observation))
        if now - observation.created_at > EDIT_WINDOW:
            raise NotAllowed(
                "Observations can be corrected for 7 days after they are recorded; this one is older. "
                "Record a new observation or add a note with your lead mentor."
            )

    def edit(self, caller: Caller, observation_id: int, draft: ObservationDraft, now: datetime) -> Edited:
        with self.db.unit_of_work() as session:
            observation = self._get(session, caller, observation_id)
            self._require_editable(session, caller, observation, now)
            form = self._form(observation.form_key)
            errors = self._check(draft, form)
            if errors:
                raise FieldErrors(errors)
            assert draft.observed_on is not None
            mentorship = session.get(Mentorship, observation.mentorship_id) if observation.mentorship_id else None
            if mentorship is not None:
                self._check_dates(draft.observed_on, mentorship, now)
            before = _snapshot(observation, form)
            _apply(observation, draft, form)
            after = _snapshot(observation, form)
            changes = {
                label: [before.get(label), after.get(label)] for label in after if before.get(label) != after[label]
            }
            if changes:
                observation.updated_at = now
                ObservationRepository(session).add_revision(
                    ObservationRevision(
                        observation_id=observation.id, changed_by=caller.user_id, changed_at=now, changes=changes
                    )
                )
                AuditRepository(session).record(
                    caller.team_id,
                    caller.user_id,
                    "observation.edit",
                    now,
                    subject_id=observation.teacher_id,
                    record_type="observation",
                    record_id=observation.id,
                    detail=", ".join(changes)[:500],
                )
            return Edited(observation, form, list(changes))

    # --- the teacher's reflection --------------------------------------------------------------------
    def reflect(
        self, caller: Caller, observation_id: int, reflection: str, next_steps: str | None, now: datetime
    ) -> Recorded:
        errors = {}
        if not reflection.strip():
            errors["reflection"] = "Write a few words of reflection before saving."
        for key, value in (("reflection", reflection), ("reflection_next_steps", next_steps or "")):
            if len(value) > TEXT_LIMIT:
                errors[key] = f"Please keep this under {TEXT_LIMIT} characters (it has {len(value)})."
        if errors:
            raise FieldErrors(errors)
        with self.db.unit_of_work() as session:
            observation = self._get(session, caller, observation_id)
            require(Action.REFLECT_ON_OBSERVATION, self._standings(session, caller, observation))
            text, steps = reflection.strip(), (next_steps or "").strip() or None
            # Claimed in one conditional UPDATE, so two deliveries at once can't both be the first reflection.
            first_time = ObservationRepository(session).claim_first_reflection(caller.team_id, observation.id, now)
            session.refresh(observation, attribute_names=["reflection", "reflection_next_steps", "reflected_at"])
            if not first_time and (observation.reflection, observation.reflection_next_steps) == (text, steps):
                # The same words again (Slack's retry, a second press of Save): nothing to store or record.
                return self._recorded(session, caller, observation, self._form_of(observation), created=False)
            observation.reflection, observation.reflection_next_steps = text, steps
            observation.reflected_at = now
            AuditRepository(session).record(
                caller.team_id,
                caller.user_id,
                "observation.reflect",
                now,
                subject_id=observation.teacher_id,
                record_type="observation",
                record_id=observation.id,
            )
            return self._recorded(session, caller, observation, self._form(observation.form_key), created=first_time)

    def remember_teacher_message(self, team_id: str, observation_id: int, channel: str, ts: str) -> None:
        with self.db.unit_of_work() as session:
            observation = ObservationRepository(session).get(team_id, observation_id)
            if observation is not None:
                observation.teacher_message_channel, observation.teacher_message_ts = channel, ts

    def for_reflection(self, caller: Caller, observation_id: int) -> Readable:
        """The observation, for the teacher about to write their reflection (the table says who may)."""
        with self.db.unit_of_work() as session:
            observation = self._get(session, caller, observation_id)
            require(Action.REFLECT_ON_OBSERVATION, self._standings(session, caller, observation))
            people = PeopleRepository(session).many(caller.team_id, {observation.observer_id})
            return Readable(observation, self._form_of(observation), people, can_edit=False, can_reflect=True)

    # --- reading ---------------------------------------------------------------------------------------
    def read(self, caller: Caller, observation_id: int, now: datetime) -> Readable:
        """One observation, for someone allowed to read it; the read is written to the audit log."""
        with self.db.unit_of_work() as session:
            observation = self._get(session, caller, observation_id)
            standings = self._standings(session, caller, observation)
            require(Action.READ_OBSERVATION, standings)
            AuditRepository(session).record(
                caller.team_id,
                caller.user_id,
                "observation.read",
                now,
                subject_id=observation.teacher_id,
                record_type="observation",
                record_id=observation.id,
            )
            ids = {observation.teacher_id, observation.observer_id, observation.second_observer_id} - {None}
            people = PeopleRepository(session).many(caller.team_id, {i for i in ids if i})
            can_edit = Standing.AUTHOR in standings and now - observation.created_at <= EDIT_WINDOW
            return Readable(observation, self._form_of(observation), people, can_edit, Standing.MENTEE in standings)

    def history(self, caller: Caller, teacher_id: str, now: datetime) -> list[Readable]:
        """A teacher's observations the caller may read, oldest first."""
        with self.db.unit_of_work() as session:
            observations = ObservationRepository(session).of_teacher(caller.team_id, teacher_id)
            mentor_ids = MentorshipRepository(session).mentors_of(caller.team_id, teacher_id)
            general = caller.towards(teacher_id, mentor_ids)
            visible = [
                o for o in observations if is_allowed(Action.READ_OBSERVATION, general | _record_standing(caller, o))
            ]
            if not visible:
                require(Action.READ_OBSERVATION, general)  # explains who may, rather than an empty list
            ids = {teacher_id} | {o.observer_id for o in visible}
            people = PeopleRepository(session).many(caller.team_id, ids)
            AuditRepository(session).record(
                caller.team_id,
                caller.user_id,
                "observation.history",
                now,
                subject_id=teacher_id,
                record_type="observation",
            )
            return [Readable(o, self._form_of(o), people, False, False) for o in visible]

    def _standings(self, session: UnitOfWork, caller: Caller, observation: Observation) -> set[Standing]:
        mentor_ids = MentorshipRepository(session).mentors_of(caller.team_id, observation.teacher_id)
        return caller.towards(observation.teacher_id, mentor_ids) | _record_standing(caller, observation)

    def _get(self, session: UnitOfWork, caller: Caller, observation_id: int) -> Observation:
        observation = ObservationRepository(session).get(caller.team_id, observation_id)
        if observation is None:
            raise NotFound("I can't find that observation. It may have been removed.")
        return observation


def _record_standing(caller: Caller, observation: Observation) -> set[Standing]:
    standings = set()
    if observation.observer_id == caller.user_id:
        standings.add(Standing.AUTHOR)
    if observation.second_observer_id == caller.user_id:
        standings.add(Standing.OBSERVER)
    return standings


def _apply(observation: Observation, draft: ObservationDraft, form: ObservationForm) -> None:
    """Copy a checked draft onto the stored observation, one entry per answered field."""
    assert draft.observed_on is not None
    observation.observed_on = draft.observed_on
    observation.subject = _clean(draft.subject)
    observation.class_group = _clean(draft.class_group)
    observation.pupils = draft.pupils
    observation.duration_minutes = draft.duration_minutes
    observation.focus = _clean(draft.focus)
    observation.second_observer_id = draft.second_observer_id
    entries = {e.key: e for e in observation.entries}
    wanted: dict[str, tuple[Rating | None, str | None]] = {}
    for position, form_field in enumerate(form.fields):
        if form_field.kind is FieldKind.RATING:
            wanted[form_field.key] = (draft.ratings.get(form_field.key), _clean(draft.comments.get(form_field.key)))
        elif form_field.kind is FieldKind.YES_NO:
            wanted[form_field.key] = (None, None if draft.on_track is None else ("yes" if draft.on_track else "no"))
        else:
            wanted[form_field.key] = (None, _clean(draft.texts.get(form_field.key)))
        rating, text = wanted[form_field.key]
        entry = entries.get(form_field.key)
        if rating is None and text is None:
            if entry is not None:
                observation.entries.remove(entry)
            continue
        if entry is None:
            entry = ObservationEntry(key=form_field.key, position=position)
            observation.entries.append(entry)
        entry.rating, entry.text, entry.position = rating, text, position
    on_track_field = form.with_role(FieldRole.ON_TRACK)
    observation.on_track = draft.on_track if on_track_field is not None else None
    concerns_field = form.with_role(FieldRole.CONCERNS)
    observation.has_concern = bool(concerns_field and _clean(draft.texts.get(concerns_field.key)))


def _snapshot(observation: Observation, form: ObservationForm) -> dict[str, str | None]:
    """Every answer as text, by label: what a revision records."""
    values: dict[str, str | None] = {
        "Date": observation.observed_on.isoformat() if observation.observed_on else None,
        "Subject": observation.subject,
        "Class/year group": observation.class_group,
        "Pupils": str(observation.pupils) if observation.pupils is not None else None,
        "Duration": str(observation.duration_minutes) if observation.duration_minutes is not None else None,
        "Lesson context": observation.focus,
        "Second observer": observation.second_observer_id,
    }
    for form_field in form.fields:
        entry = observation.entry(form_field.key)
        label = form_field.label.split(" ", 1)[0] if form_field.kind is FieldKind.RATING else form_field.label
        if form_field.kind is FieldKind.RATING:
            label = f"Standard {label}" if label[:1].isdigit() else form_field.label
            values[f"{label} rating"] = RATING_LABEL[entry.rating] if entry and entry.rating else None
            values[f"{label} comment"] = entry.text if entry else None
        else:
            values[label] = entry.text if entry else None
    return values


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None
