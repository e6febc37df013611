"""Seeding many mentees fast, shared by the benchmarks (bench/) and the tests that check query counts.

Plain inserts in chunks (no services, no Slack), so 50 000 mentees take seconds. Imports nothing from pytest:
bench/ runs from a fresh clone without the dev extras.

* `seed_term(db, mentees)`: a school with a term of history per mentee (bench/digest.py, bench/home.py).
* `seed_schools(db, teams, mentees)`: that school in each of many workspaces (bench/fanout.py).
* `add_mentorships(db, pairs, ...)`: (mentor, mentee) mentorships with no history yet.
* `count_queries(db)`: the SQL statements run inside a `with` block.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import event, insert, text

from storage.db import Database
from storage.meetings import Meeting
from storage.observations import Observation, ObservationEntry, Rating
from storage.roster import MeetingCadence, MenteeKind, Mentorship, Role, RoleGrant, Workspace
from storage.targets import Target, TargetStatus

TEAM = "TBENCH"  # the benchmarks' workspace
TERM_START = date(2026, 9, 7)
STANDARDS = [f"standard_{n}" for n in range(1, 9)] + ["part_two"]
RATINGS = [Rating.NOT_DEMONSTRATED, Rating.PARTLY, Rating.PARTLY, Rating.FULLY, Rating.FULLY, Rating.NOT_APPLICABLE]
CHUNK = 20_000


def chunks(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def seed_term(db: Database, mentees: int) -> None:
    """`mentees` mentees, three to a mentor, each with a term of history: a meeting most weeks for 13 weeks, a
    target a fortnight (about half met), an observation each half term with every standard rated."""
    seed_schools(db, [TEAM], mentees)


def seed_schools(db: Database, teams: list[str], mentees: int) -> None:
    """`seed_term`'s school in each of `teams` (bench/fanout.py: a thousand schools), inserted in shared chunks.
    Each school has lead mentor ULEAD and SLT channel CSLT; people's ids repeat from school to school, as
    they would in separate Slack workspaces."""
    rng = random.Random(mentees)
    now = datetime(2026, 12, 11, 12, 0, tzinfo=UTC)
    created = datetime(2026, 9, 7, 8, 0, tzinfo=UTC)
    mentors = max(1, mentees // 3)
    with db.unit_of_work() as session:
        for team in teams:
            session.add(Workspace(team_id=team, slt_channel_id="CSLT", created_at=created, updated_at=created))
        session.flush()
        for team in teams:
            session.add(
                RoleGrant(team_id=team, user_id="ULEAD", role=Role.LEAD, granted_by="UADMIN", granted_at=created)
            )
    schools = [(team, school * mentees) for school, team in enumerate(teams)]  # (team, first id - 1)

    def mentorships() -> Iterator[dict[str, Any]]:
        for team, first in schools:
            for n in range(mentees):
                yield dict(
                    id=first + n + 1,
                    team_id=team,
                    mentor_id=f"UM{n % mentors:06d}",
                    mentee_id=f"UE{n:06d}",
                    mentee_kind=(MenteeKind.TRAINEE, MenteeKind.ECT, MenteeKind.STAFF)[n % 3],
                    start_date=TERM_START,
                    end_date=date(2027, 9, 6),
                    meeting_cadence=MeetingCadence.WEEKLY,
                    observations_per_half_term=2,
                    created_by="UADMIN",
                    created_at=created,
                )

    def meetings() -> Iterator[dict[str, Any]]:
        for team, first in schools:
            for n in range(mentees):
                for week in range(13):
                    if rng.random() < 0.85:  # some weeks are missed
                        held = TERM_START + timedelta(days=7 * week + rng.randrange(5))
                        yield dict(
                            team_id=team,
                            mentorship_id=first + n + 1,
                            mentee_id=f"UE{n:06d}",
                            author_id=f"UM{n % mentors:06d}",
                            held_on=held,
                            notes="Discussed questioning.",
                            submission_key=f"M{first + n}-{week}",
                            created_at=created,
                            updated_at=created,
                        )

    def targets() -> Iterator[dict[str, Any]]:
        for team, first in schools:
            for n in range(mentees):
                for fortnight in range(7):
                    set_on = created + timedelta(days=14 * fortnight)
                    closed = rng.random() < 0.5
                    yield dict(
                        team_id=team,
                        mentorship_id=first + n + 1,
                        mentee_id=f"UE{n:06d}",
                        set_by=f"UM{n % mentors:06d}",
                        text="Use cold calling",
                        due_on=(set_on + timedelta(days=10)).date(),
                        standards=["4"],
                        status=TargetStatus.MET if closed else TargetStatus.OPEN,
                        carried_count=rng.randrange(3),
                        closed_at=set_on + timedelta(days=9) if closed else None,
                        submission_key=f"T{first + n}-{fortnight}",
                        created_at=set_on,
                        updated_at=set_on,
                    )

    observation_days = [date(2026, 9, 21), date(2026, 10, 12), date(2026, 11, 9), date(2026, 12, 7)]

    def observations() -> Iterator[dict[str, Any]]:
        for team, first in schools:
            for n in range(mentees):
                for i, day in enumerate(observation_days):
                    yield dict(
                        id=(first + n) * len(observation_days) + i + 1,
                        team_id=team,
                        teacher_id=f"UE{n:06d}",
                        observer_id=f"UM{n % mentors:06d}",
                        mentorship_id=first + n + 1,
                        form_key="ect",
                        observed_on=day,
                        on_track=rng.random() > 0.05,
                        has_concern=rng.random() < 0.03,
                        reflected_at=now if rng.random() < 0.8 else None,
                        submission_key=f"O{first + n}-{i}",
                        created_at=created,
                        updated_at=created,
                    )

    def entries() -> Iterator[dict[str, Any]]:
        for observation_id in range(1, len(teams) * mentees * len(observation_days) + 1):
            for position, key in enumerate(STANDARDS):
                yield dict(observation_id=observation_id, key=key, position=position, rating=rng.choice(RATINGS))

    for model, rows in (
        (Mentorship, mentorships()),
        (Meeting, meetings()),
        (Target, targets()),
        (Observation, observations()),
        (ObservationEntry, entries()),
    ):
        for batch in chunks(rows):
            with db.unit_of_work() as session:
                session.execute(insert(model), batch)
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as connection:
            for table in ("mentorships", "meetings", "targets", "observations", "observation_entries"):
                connection.execute(text(f"ANALYZE {table}"))
                connection.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
                )


def add_mentorships(
    db: Database,
    pairs: Iterable[tuple[str, str]],
    *,
    team: str,
    start: date,
    end: date,
    at: datetime,
    created_by: str,
    kind: MenteeKind = MenteeKind.ECT,
) -> dict[str, int]:
    """Weekly mentorships for (mentor, mentee) pairs, in one insert; each mentee's mentorship id."""
    rows = [
        dict(
            team_id=team,
            mentor_id=mentor,
            mentee_id=mentee,
            mentee_kind=kind,
            start_date=start,
            end_date=end,
            meeting_cadence=MeetingCadence.WEEKLY,
            observations_per_half_term=2,
            created_by=created_by,
            created_at=at,
        )
        for mentor, mentee in pairs
    ]
    with db.unit_of_work() as session:
        made = session.execute(insert(Mentorship).returning(Mentorship.id, Mentorship.mentee_id), rows)
        return {mentee: id_ for id_, mentee in made}


@contextmanager
def count_queries(db: Database) -> Iterator[list[str]]:
    """Every SQL statement the database runs inside the block, in order."""
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
