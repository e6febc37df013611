"""The roster: who mentors whom, who holds which role, where the SLT summary goes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Protocol

from sqlalchemy.orm import Session

from bot.core.directory import Directory, DirectoryUser
from bot.core.errors import InvalidInput, NotAllowed
from bot.core.permissions import Action, Standing, require
from bot.roster.people import ensure_person, look_up, remember
from storage.coaching import CoachingRepository, StaffMember
from storage.db import Database
from storage.roster import (
    AuditRepository,
    MeetingCadence,
    MenteeKind,
    Mentorship,
    MentorshipRepository,
    PeopleRepository,
    Person,
    Role,
    RoleGrant,
    RoleRepository,
    WorkspaceRepository,
)
from storage.submission_keys import SubmissionKeyRepository

ROLE_STANDING = {
    Role.LEAD: Standing.LEAD,
    Role.SLT: Standing.SLT,
    Role.ADMIN: Standing.ADMIN,
    Role.TUTOR: Standing.TUTOR,
    Role.HEAD: Standing.HEAD,
}


def default_end_date(start: date) -> date:
    """A mentorship lasts one academic year by default: the day before the same date next year."""
    try:
        return start.replace(year=start.year + 1) - timedelta(days=1)
    except ValueError:  # 29 February
        return start.replace(year=start.year + 1, day=28)


@dataclass(frozen=True)
class Caller:
    team_id: str
    user_id: str
    roles: frozenset[Role]
    is_workspace_admin: bool
    mentors_someone: bool
    is_mentored: bool

    @property
    def standings(self) -> frozenset[Standing]:
        standings = {ROLE_STANDING[role] for role in self.roles}
        if self.is_workspace_admin:
            standings.add(Standing.ADMIN)
        if self.mentors_someone:
            standings.add(Standing.MENTOR)
        if self.is_mentored:
            standings.add(Standing.MENTEE)
        return frozenset(standings or {Standing.NONE})

    @property
    def is_admin(self) -> bool:
        return Standing.ADMIN in self.standings

    def towards(self, subject_id: str, subject_mentor_ids: Iterable[str]) -> set[Standing]:
        """The caller's standing towards one person's records: their roles, plus mentee or mentor of them."""
        standings = {ROLE_STANDING[role] for role in self.roles}
        if self.is_workspace_admin:
            standings.add(Standing.ADMIN)
        if self.user_id == subject_id:
            standings.add(Standing.MENTEE)
        if self.user_id in set(subject_mentor_ids):
            standings.add(Standing.MENTOR)
        return standings


@dataclass(frozen=True)
class Assignment:
    mentorship: Mentorship
    mentor: Person
    mentee: Person
    created: bool


@dataclass(frozen=True)
class RosterOverview:
    """Mentorships and roles, with the names needed to show them."""

    mentorships: Sequence[Mentorship]
    grants: Sequence[RoleGrant]
    people: dict[str, Person] = field(default_factory=dict)
    slt_channel_id: str | None = None

    def name(self, user_id: str) -> str:
        person = self.people.get(user_id)
        return person.display if person else user_id


@dataclass(frozen=True)
class InductionColumns:
    """A roster row's optional induction columns, as typed (checked by whoever applies them)."""

    start: date | None
    fraction: str | None = None
    appropriate_body: str | None = None
    tutor_email: str | None = None
    trn: str | None = None


@dataclass(frozen=True)
class StaffColumns:
    """A roster row's optional coaching columns about the mentee: phase, key stage, year group, subject. A row with
    any of them puts the mentee (with these details) and the mentor on the coaching staff list."""

    phase: str | None = None
    key_stage: str | None = None
    year_group: str | None = None
    subject: str | None = None


@dataclass(frozen=True)
class ImportRow:
    """One line of a roster file; `problems` are what is wrong with its format (then kind or start may be None)."""

    line: int
    mentor_email: str
    mentee_email: str
    kind: MenteeKind | None
    start: date | None
    problems: tuple[str, ...] = ()
    probation_end: date | None = None  # the optional fifth column
    induction: InductionColumns | None = None  # the optional sixth to tenth columns
    staff: StaffColumns | None = None  # the optional eleventh to fourteenth: the mentee, for coaching


class InductionImport(Protocol):
    """Checks and stores a row's induction columns: the reviews feature's rules, supplied by the caller."""

    def problems(self, row: ImportRow, now: datetime) -> list[str]: ...

    def apply(
        self, session: Session, mentorship: Mentorship, row: ImportRow, tutor_id: str | None, now: datetime
    ) -> None: ...


@dataclass(frozen=True)
class ImportReport:
    created: int
    unchanged: int
    inductions: int = 0


class RosterService:
    def __init__(self, db: Database) -> None:
        self.db = db

    def caller(self, team_id: str, user_id: str, directory: Directory, now: datetime) -> Caller:
        looked = look_up(self.db, directory, team_id, user_id, now)
        with self.db.unit_of_work() as session:
            person = ensure_person(session, looked, team_id, now)
            roles = RoleRepository(session).roles_of(team_id, user_id)
            mentorships = MentorshipRepository(session).active_for(team_id, user_id)
            return Caller(
                team_id=team_id,
                user_id=user_id,
                roles=frozenset(roles),
                is_workspace_admin=person.is_workspace_admin and not person.deleted,
                mentors_someone=any(m.mentor_id == user_id for m in mentorships),
                is_mentored=any(m.mentee_id == user_id for m in mentorships),
            )

    def admins(self, team_id: str) -> list[str]:
        """Granted admins, then workspace admins the bot has met: the people to ask for roster changes."""
        with self.db.unit_of_work() as session:
            granted = RoleRepository(session).holders(team_id, Role.ADMIN)
            slack_admins = PeopleRepository(session).workspace_admins(team_id)
            return list(dict.fromkeys([*granted, *slack_admins]))

    def names(self, team_id: str, user_ids: set[str]) -> dict[str, str]:
        """The stored names of these people (real name, else handle); those never met are left out."""
        with self.db.unit_of_work() as session:
            return {user_id: p.display for user_id, p in PeopleRepository(session).many(team_id, user_ids).items()}

    def meet(self, team_id: str, found: Sequence[DirectoryUser], now: datetime) -> None:
        """Remember people Slack told us about unasked (a workspace's admins, say)."""
        with self.db.unit_of_work() as session:
            WorkspaceRepository(session).ensure(team_id, now)
            for user in found:
                remember(session, team_id, user, now)

    def assign(
        self,
        caller: Caller,
        mentor_id: str,
        mentee_id: str,
        kind: MenteeKind,
        directory: Directory,
        now: datetime,
        *,
        today: date,
        probation_end: date | None = None,
    ) -> Assignment:
        require(Action.CHANGE_ROSTER, caller.standings)
        if mentor_id == mentee_id:
            raise InvalidInput("A person can't mentor themselves: name two different people.")
        _check_probation_end(probation_end, today)
        looked_mentor = look_up(self.db, directory, caller.team_id, mentor_id, now)
        looked_mentee = look_up(self.db, directory, caller.team_id, mentee_id, now)
        with self.db.unit_of_work() as session:
            mentor = ensure_person(session, looked_mentor, caller.team_id, now)
            mentee = ensure_person(session, looked_mentee, caller.team_id, now)
            for person in (mentor, mentee):
                _require_real_person(person)
            repo = MentorshipRepository(session)
            existing = repo.active_pair(caller.team_id, mentor_id, mentee_id)
            if existing is not None:
                return Assignment(existing, mentor, mentee, created=False)
            mentorship, created = repo.add_unless_active(
                Mentorship(
                    team_id=caller.team_id,
                    mentor_id=mentor_id,
                    mentee_id=mentee_id,
                    mentee_kind=kind,
                    start_date=today,
                    end_date=default_end_date(today),
                    meeting_cadence=MeetingCadence.WEEKLY,
                    probation_end=probation_end,
                    created_by=caller.user_id,
                    created_at=now,
                )
            )
            if not created:  # the same assignment, sent twice at once
                return Assignment(mentorship, mentor, mentee, created=False)
            AuditRepository(session).record(
                caller.team_id,
                caller.user_id,
                "mentorship.assign",
                now,
                subject_id=mentee_id,
                record_type="mentorship",
                record_id=mentorship.id,
            )
            return Assignment(mentorship, mentor, mentee, created=True)

    def unassign(self, caller: Caller, mentor_id: str, mentee_id: str, now: datetime) -> Mentorship:
        require(Action.CHANGE_ROSTER, caller.standings)
        with self.db.unit_of_work() as session:
            mentorship = MentorshipRepository(session).active_pair(caller.team_id, mentor_id, mentee_id)
            if mentorship is None:
                raise InvalidInput(f"<@{mentor_id}> isn't mentoring <@{mentee_id}>, so there is nothing to end.")
            mentorship.ended_at = now
            mentorship.ended_by = caller.user_id
            AuditRepository(session).record(
                caller.team_id,
                caller.user_id,
                "mentorship.unassign",
                now,
                subject_id=mentee_id,
                record_type="mentorship",
                record_id=mentorship.id,
            )
            return mentorship

    def grant_role(self, caller: Caller, user_id: str, role: Role, directory: Directory, now: datetime) -> bool:
        require(Action.CHANGE_ROSTER, caller.standings)
        looked = look_up(self.db, directory, caller.team_id, user_id, now)
        with self.db.unit_of_work() as session:
            _require_real_person(ensure_person(session, looked, caller.team_id, now))
            granted = RoleRepository(session).grant(caller.team_id, user_id, role, caller.user_id, now)
            if granted:
                AuditRepository(session).record(
                    caller.team_id, caller.user_id, "role.grant", now, subject_id=user_id, detail=role.value
                )
            return granted

    def revoke_role(self, caller: Caller, user_id: str, role: Role, now: datetime) -> bool:
        require(Action.CHANGE_ROSTER, caller.standings)
        with self.db.unit_of_work() as session:
            revoked = RoleRepository(session).revoke(caller.team_id, user_id, role)
            if revoked:
                AuditRepository(session).record(
                    caller.team_id, caller.user_id, "role.revoke", now, subject_id=user_id, detail=role.value
                )
            return revoked

    def forget_request_keys(self, before: datetime) -> int:
        """Request keys older than any repeat Slack (or a replay) could still deliver."""
        with self.db.unit_of_work() as session:
            return SubmissionKeyRepository(session).delete_before(before)

    def set_slt_channel(self, caller: Caller, channel_id: str, now: datetime) -> None:
        require(Action.CHANGE_ROSTER, caller.standings)
        with self.db.unit_of_work() as session:
            workspace = WorkspaceRepository(session).ensure(caller.team_id, now)
            if workspace.slt_channel_id == channel_id:
                return  # already that channel (the same command again): nothing to record
            workspace.slt_channel_id = channel_id
            workspace.updated_at = now
            AuditRepository(session).record(
                caller.team_id, caller.user_id, "settings.slt_channel", now, detail=channel_id
            )

    def overview(self, caller: Caller, about: str | None = None) -> RosterOverview:
        """The whole roster for leaders; one person's part for them, or for leaders asking about them."""
        asking_about_someone_else = about is not None and about != caller.user_id
        if about is None or asking_about_someone_else:
            try:
                require(Action.VIEW_ROSTER, caller.standings)
            except NotAllowed:
                if asking_about_someone_else:
                    raise
                about = caller.user_id
        with self.db.unit_of_work() as session:
            mentorships_repo = MentorshipRepository(session)
            roles_repo = RoleRepository(session)
            workspace = WorkspaceRepository(session).get(caller.team_id)
            if about is None:
                mentorships = mentorships_repo.active(caller.team_id)
                grants = roles_repo.all(caller.team_id)
            else:
                mentorships = mentorships_repo.active_for(caller.team_id, about)
                grants = [g for g in roles_repo.all(caller.team_id) if g.user_id == about]
            ids = {m.mentor_id for m in mentorships} | {m.mentee_id for m in mentorships}
            ids |= {g.user_id for g in grants} | ({about} if about else set())
            people = PeopleRepository(session).many(caller.team_id, ids)
            return RosterOverview(
                mentorships=mentorships,
                grants=grants,
                people=people,
                slt_channel_id=workspace.slt_channel_id if workspace else None,
            )

    def set_probation(self, caller: Caller, mentee_id: str, end: date, now: datetime, *, today: date) -> int:
        """The end of a mentee's probation, on each of their live mentorships: how many were changed."""
        require(Action.CHANGE_ROSTER, caller.standings)
        _check_probation_end(end, today)
        with self.db.unit_of_work() as session:
            changed = MentorshipRepository(session).set_probation(caller.team_id, mentee_id, end)
            if not changed:
                raise InvalidInput(f"<@{mentee_id}> has no mentor at the moment: assign one first.")
            AuditRepository(session).record(
                caller.team_id,
                caller.user_id,
                "mentorship.probation",
                now,
                subject_id=mentee_id,
                record_type="mentorship",
                detail=end.isoformat(),
            )
            return changed

    def import_rows(
        self,
        team_id: str,
        rows: Sequence[ImportRow],
        directory: Directory,
        now: datetime,
        induction: InductionImport | None = None,
    ) -> ImportReport:
        """All rows or none: every problem is collected with its line number before anything is stored."""
        problems: list[str] = []
        resolved: list[tuple[ImportRow, str, str, str | None]] = []
        cache: dict[str, DirectoryUser | None] = {}

        def resolve(email: str) -> str | None:
            key = email.lower()
            if key not in cache:
                found = directory.user_by_email(email)
                usable = found is not None and not found.deleted and not found.is_bot
                cache[key] = found if usable else None
            found = cache[key]
            return found.user_id if found else None

        seen_pairs: dict[tuple[str, str], int] = {}
        for row in rows:  # every kind of problem, for every row, in one pass
            row_problems = list(row.problems)
            ids: list[str | None] = []
            for email in (row.mentor_email, row.mentee_email):
                user_id = resolve(email) if "@" in email else None
                if user_id is None and "@" in email:
                    row_problems.append(f"no active Slack user has the email {email}")
                ids.append(user_id)
            mentor_id, mentee_id = ids
            tutor_id = None
            if row.induction is not None:
                tutor_email = row.induction.tutor_email or ""
                tutor_id = resolve(tutor_email) if "@" in tutor_email else None
                if tutor_id is None and "@" in tutor_email:
                    row_problems.append(f"no active Slack user has the induction tutor's email {tutor_email}")
                if induction is None:
                    row_problems.append("induction details can't be imported here")
                else:
                    row_problems += induction.problems(row, now)
            if mentor_id is not None and mentor_id == mentee_id:
                row_problems.append("the mentor and the mentee are the same person")
            pair = (mentor_id or row.mentor_email.lower(), mentee_id or row.mentee_email.lower())
            if all(pair):
                if pair in seen_pairs:
                    row_problems.append(f"the same pair is already on line {seen_pairs[pair]}")
                else:
                    seen_pairs[pair] = row.line
            if row_problems:
                problems.append(f"line {row.line}: " + "; ".join(row_problems))
            elif mentor_id is not None and mentee_id is not None:
                resolved.append((row, mentor_id, mentee_id, tutor_id))
        if problems:
            raise InvalidInput("Nothing was imported. Fix these rows and run the import again:\n" + "\n".join(problems))

        created = unchanged = inductions = 0
        with self.db.unit_of_work() as session:
            WorkspaceRepository(session).ensure(team_id, now)
            repo = MentorshipRepository(session)
            for row, mentor_id, mentee_id, tutor_id in resolved:
                tutor = row.induction.tutor_email if row.induction else None
                for email in (row.mentor_email, row.mentee_email, *([tutor] if tutor else [])):
                    user = cache[email.lower()]
                    if user is not None:
                        remember(session, team_id, user, now)
                mentorship = repo.active_pair(team_id, mentor_id, mentee_id)
                if mentorship is None:
                    mentorship = self._import_one(session, team_id, row, mentor_id, mentee_id, now)
                    created += 1
                else:
                    unchanged += 1
                if row.induction is not None and induction is not None:
                    induction.apply(session, mentorship, row, tutor_id, now)
                    inductions += 1
                if row.staff is not None:
                    _join_staff_list(session, team_id, mentee_id, row.staff, now)
                    _join_staff_list(session, team_id, mentor_id, None, now)
        return ImportReport(created=created, unchanged=unchanged, inductions=inductions)

    def _import_one(
        self, session: Session, team_id: str, row: ImportRow, mentor_id: str, mentee_id: str, now: datetime
    ) -> Mentorship:
        assert row.kind is not None and row.start is not None  # a row without them has problems
        mentorship = MentorshipRepository(session).add(
            Mentorship(
                team_id=team_id,
                mentor_id=mentor_id,
                mentee_id=mentee_id,
                mentee_kind=row.kind,
                start_date=row.start,
                end_date=default_end_date(row.start),
                meeting_cadence=MeetingCadence.WEEKLY,
                probation_end=row.probation_end,
                created_by="roster-import",
                created_at=now,
            )
        )
        AuditRepository(session).record(
            team_id,
            "roster-import",
            "mentorship.assign",
            now,
            subject_id=mentee_id,
            record_type="mentorship",
            record_id=mentorship.id,
        )
        return mentorship


def _join_staff_list(session: Session, team_id: str, user_id: str, details: StaffColumns | None, now: datetime) -> None:
    """Put someone on the coaching staff list (or update their details) from a roster row."""
    repo = CoachingRepository(session)
    member = repo.staff_member(team_id, user_id)
    if member is None:
        member = repo.add_staff(
            StaffMember(
                team_id=team_id, user_id=user_id, active=True, added_by="roster-import", created_at=now, updated_at=now
            )
        )
    member.active = True
    if details is not None:
        member.phase = details.phase or member.phase
        member.key_stage = details.key_stage or member.key_stage
        member.year_group = details.year_group or member.year_group
        member.subject = details.subject or member.subject
        member.updated_at = now


def _check_probation_end(end: date | None, today: date) -> None:
    if end is not None and end <= today:
        raise InvalidInput(f"The probation end date {end:%-d %B %Y} has passed: give the date it ends.")


def _require_real_person(person: Person) -> None:
    if person.is_bot:
        raise InvalidInput(f"<@{person.user_id}> is a bot, not a member of staff.")
    if person.deleted:
        raise InvalidInput(f"<@{person.user_id}> has left this Slack workspace.")
