"""The App Home tab's read model: each section's rows in a handful of grouped statements, whatever the cohort."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.orm import Session, aliased

from storage.meetings import Meeting
from storage.observations import Observation, ranked_observations
from storage.queries.digests import leads_and_slt, slt_channel
from storage.roster import Mentorship, Person, Role, RoleGrant
from storage.targets import Target, TargetStatus


class HomeQueries:
    """Reads for one workspace's Home tabs. Every query is limited to `team_id`."""

    def __init__(self, session: Session, team_id: str) -> None:
        self.session = session
        self.team_id = team_id

    # --- mentee ----------------------------------------------------------------------------------------------------
    def live_mentors_of(self, mentee_id: str) -> list[str]:
        rows = self.session.scalars(
            select(Mentorship.mentor_id)
            .where(Mentorship.team_id == self.team_id, Mentorship.mentee_id == mentee_id, Mentorship.ended_at.is_(None))
            .order_by(Mentorship.start_date, Mentorship.id)
        )
        return list(dict.fromkeys(rows))

    # --- mentor: five queries however many mentees ---------------------------------------------------------------
    def _mine(self, mentor_id: str) -> Any:
        return (
            select(Mentorship.mentee_id)
            .where(Mentorship.team_id == self.team_id, Mentorship.mentor_id == mentor_id, Mentorship.ended_at.is_(None))
            .scalar_subquery()
        )

    def mentorships_of_mentees(self, mentor_id: str) -> list[Mentorship]:
        """The live mentorships of the mentor's mentees (theirs with the mentor, and with any other mentor)."""
        return list(
            self.session.scalars(
                select(Mentorship)
                .where(
                    Mentorship.team_id == self.team_id,
                    Mentorship.ended_at.is_(None),
                    Mentorship.mentee_id.in_(self._mine(mentor_id)),
                )
                .order_by(Mentorship.mentee_id, Mentorship.start_date, Mentorship.id)
            )
        )

    def latest_meetings(self, mentor_id: str) -> dict[str, tuple[date, date | None]]:
        """Each of the mentor's mentees' latest meeting, and the next one it planned: mentee -> (held, planned)."""
        ranked = (
            select(
                Meeting.mentee_id,
                Meeting.held_on,
                Meeting.next_meeting_on,
                func.row_number()
                .over(partition_by=Meeting.mentee_id, order_by=(Meeting.held_on.desc(), Meeting.id.desc()))
                .label("recency"),
            )
            .where(Meeting.team_id == self.team_id, Meeting.mentee_id.in_(self._mine(mentor_id)))
            .subquery()
        )
        rows = self.session.execute(
            select(ranked.c.mentee_id, ranked.c.held_on, ranked.c.next_meeting_on).where(ranked.c.recency == 1)
        )
        return {mentee_id: (held_on, planned) for mentee_id, held_on, planned in rows}

    def observations_in(self, mentor_id: str, start: date, end: date) -> dict[str, tuple[int, bool, int]]:
        """Per mentee of the mentor: observations between `start` and `end`, whether any of those raised a
        concern, and reflections owed on any observation up to `end`."""
        in_half = and_(Observation.observed_on >= start, Observation.observed_on <= end)
        rows = self.session.execute(
            select(
                Observation.teacher_id,
                func.sum(case((in_half, 1), else_=0)),
                func.sum(case((and_(in_half, Observation.has_concern.is_(True)), 1), else_=0)),
                func.sum(case((Observation.reflected_at.is_(None), 1), else_=0)),
            )
            .where(
                Observation.team_id == self.team_id,
                Observation.teacher_id.in_(self._mine(mentor_id)),
                Observation.observed_on <= end,
            )
            .group_by(Observation.teacher_id)
        )
        return {
            teacher_id: (int(count or 0), bool(concerns), int(owed or 0)) for teacher_id, count, concerns, owed in rows
        }

    def latest_on_track(self, mentor_id: str) -> dict[str, bool | None]:
        """ "On track?" from each of the mentor's mentees' latest observation."""
        ranked = ranked_observations(self.team_id, Observation.teacher_id.in_(self._mine(mentor_id))).subquery()
        rows = self.session.execute(select(ranked.c.teacher_id, ranked.c.on_track).where(ranked.c.recency == 1))
        return {teacher_id: value for teacher_id, value in rows}

    def open_targets(self, mentor_id: str, today: date) -> dict[str, tuple[int, int, int]]:
        """Open targets of the mentor's mentees: mentee -> (open, overdue, carried over at two meetings or more)."""
        rows = self.session.execute(
            select(
                Target.mentee_id,
                func.count(),
                func.sum(case((Target.due_on < today, 1), else_=0)),
                func.sum(case((Target.carried_count >= 2, 1), else_=0)),
            )
            .where(
                Target.team_id == self.team_id,
                Target.mentee_id.in_(self._mine(mentor_id)),
                Target.status == TargetStatus.OPEN,
            )
            .group_by(Target.mentee_id)
        )
        return {
            mentee_id: (int(open_ or 0), int(overdue or 0), int(rolled or 0))
            for mentee_id, open_, overdue, rolled in rows
        }

    # --- admin: roster health, no observation or meeting content ---------------------------------------------------
    def without_mentor(self, today: date, pseudonym_prefix: str) -> list[tuple[str, str, datetime, date]]:
        """(mentee, last mentor, ended at, planned end) of mentees whose last mentorship ended before its planned
        end, who are still here and weren't erased (their id doesn't start with `pseudonym_prefix`)."""
        other = aliased(Mentorship)
        has_live = (
            exists()
            .where(other.team_id == self.team_id, other.mentee_id == Mentorship.mentee_id, other.ended_at.is_(None))
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
            .where(Mentorship.team_id == self.team_id, ~has_live)
            .subquery()
        )
        person = aliased(Person)
        rows = self.session.execute(
            select(ranked.c.mentee_id, ranked.c.mentor_id, ranked.c.ended_at, ranked.c.end_date)
            .outerjoin(person, and_(person.team_id == self.team_id, person.user_id == ranked.c.mentee_id))
            .where(
                ranked.c.recency == 1,
                ranked.c.end_date >= today,
                func.coalesce(person.deleted, False).is_(False),
                ~ranked.c.mentee_id.startswith(pseudonym_prefix),
            )
            .order_by(ranked.c.ended_at.desc(), ranked.c.mentee_id)
        )
        return [(mentee, mentor, ended_at, end_date) for mentee, mentor, ended_at, end_date in rows]

    def ending_by(self, day: date) -> list[tuple[str, str, date]]:
        """(mentor, mentee, planned end) of live mentorships planned to end by `day`."""
        rows = self.session.execute(
            select(Mentorship.mentor_id, Mentorship.mentee_id, Mentorship.end_date)
            .where(Mentorship.team_id == self.team_id, Mentorship.ended_at.is_(None), Mentorship.end_date <= day)
            .order_by(Mentorship.end_date, Mentorship.mentee_id, Mentorship.mentor_id)
        )
        return [(mentor, mentee, end_date) for mentor, mentee, end_date in rows]

    def leads_and_slt(self) -> tuple[list[str], list[str]]:
        return leads_and_slt(self.session, self.team_id)

    def slt_channel(self) -> str | None:
        return slt_channel(self.session, self.team_id)

    def admins(self) -> list[str]:
        """Who sets the bot up: admins granted in the bot, then the workspace's Slack admins."""
        granted = self.session.scalars(
            select(RoleGrant.user_id)
            .where(RoleGrant.team_id == self.team_id, RoleGrant.role == Role.ADMIN)
            .order_by(RoleGrant.granted_at)
        )
        slack_admins = self.session.scalars(
            select(Person.user_id)
            .where(Person.team_id == self.team_id, Person.is_workspace_admin.is_(True), Person.deleted.is_(False))
            .order_by(Person.user_id)
        )
        return list(dict.fromkeys([*granted, *slack_admins]))
