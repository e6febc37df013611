"""How long building every digest takes as the cohort grows: time, SQL queries and peak memory.

    python bench/digest.py                          # 1 000, 10 000 and 50 000 mentees on SQLite (+ PostgreSQL*)
    python bench/digest.py --sizes 1000 --backends sqlite

* PostgreSQL runs when BENCH_DATABASE_URL (or TEST_DATABASE_URL) names a server; the benchmark works in a
  throw-away schema and drops it afterwards.

Each mentee gets a term of history: a meeting a week for 12 weeks, a target a fortnight (half closed),
two observations each half term with all nine standards rated. "Build" is everything a digest run does
before talking to Slack: the queries, the lead mentor's pages and the SLT summary.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, insert, text
from sqlalchemy.engine import make_url

from bot.app.bootstrap import Deps, bootstrap
from bot.app.settings import Settings
from bot.digests.service import Week
from handlers.digests.blocks import lead_digest, slt_summary
from storage.db import Database
from storage.meetings import Meeting
from storage.observations import Observation, ObservationEntry, Rating
from storage.roster import MeetingCadence, MenteeKind, Mentorship, Role, RoleGrant, Workspace
from storage.targets import Target, TargetStatus

TEAM = "TBENCH"
WEEK = Week(2026, 50)  # 7–13 December: late in the autumn term, a full term of history behind it
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


def seed(db: Database, mentees: int) -> None:
    rng = random.Random(mentees)
    now = datetime(2026, 12, 11, 12, 0, tzinfo=UTC)
    created = datetime(2026, 9, 7, 8, 0, tzinfo=UTC)
    mentors = max(1, mentees // 3)
    with db.unit_of_work() as session:
        session.add(Workspace(team_id=TEAM, slt_channel_id="CSLT", created_at=created, updated_at=created))
        session.flush()
        session.add(RoleGrant(team_id=TEAM, user_id="ULEAD", role=Role.LEAD, granted_by="UADMIN", granted_at=created))

    def mentorships() -> Iterator[dict[str, Any]]:
        for n in range(mentees):
            yield dict(
                id=n + 1,
                team_id=TEAM,
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
        for n in range(mentees):
            for week in range(13):
                if rng.random() < 0.85:  # some weeks are missed
                    held = TERM_START + timedelta(days=7 * week + rng.randrange(5))
                    yield dict(
                        team_id=TEAM,
                        mentorship_id=n + 1,
                        mentee_id=f"UE{n:06d}",
                        author_id=f"UM{n % mentors:06d}",
                        held_on=held,
                        notes="Discussed questioning.",
                        submission_key=f"M{n}-{week}",
                        created_at=created,
                        updated_at=created,
                    )

    def targets() -> Iterator[dict[str, Any]]:
        for n in range(mentees):
            for fortnight in range(7):
                set_on = created + timedelta(days=14 * fortnight)
                closed = rng.random() < 0.5
                yield dict(
                    team_id=TEAM,
                    mentorship_id=n + 1,
                    mentee_id=f"UE{n:06d}",
                    set_by=f"UM{n % mentors:06d}",
                    text="Use cold calling",
                    due_on=(set_on + timedelta(days=10)).date(),
                    standards=["4"],
                    status=TargetStatus.MET if closed else TargetStatus.OPEN,
                    carried_count=rng.randrange(3),
                    closed_at=set_on + timedelta(days=9) if closed else None,
                    submission_key=f"T{n}-{fortnight}",
                    created_at=set_on,
                    updated_at=set_on,
                )

    observation_days = [date(2026, 9, 21), date(2026, 10, 12), date(2026, 11, 9), date(2026, 12, 7)]

    def observations() -> Iterator[dict[str, Any]]:
        for n in range(mentees):
            for i, day in enumerate(observation_days):
                yield dict(
                    id=n * len(observation_days) + i + 1,
                    team_id=TEAM,
                    teacher_id=f"UE{n:06d}",
                    observer_id=f"UM{n % mentors:06d}",
                    mentorship_id=n + 1,
                    form_key="ect",
                    observed_on=day,
                    on_track=rng.random() > 0.05,
                    has_concern=rng.random() < 0.03,
                    reflected_at=now if rng.random() < 0.8 else None,
                    submission_key=f"O{n}-{i}",
                    created_at=created,
                    updated_at=created,
                )

    def entries() -> Iterator[dict[str, Any]]:
        for observation_id in range(1, mentees * len(observation_days) + 1):
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


def bench_deps(db: Database) -> Deps:
    """Everything built as the bot builds it, over the benchmark's database, with the default settings."""
    values: dict[str, Any] = {
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "SLACK_SIGNING_SECRET": "bench",
        "DATABASE_URL": db.engine.url.render_as_string(hide_password=False),
    }
    return bootstrap(Settings(_env_file=None, **values), db=db)  # type: ignore[call-arg]


def measure(deps: Deps) -> tuple[float, int, float, int]:
    """Seconds, queries, peak MiB of Python allocations, and lead-digest messages for one full build."""
    db = deps.db
    queries = 0

    def count(*_: Any) -> None:
        nonlocal queries
        queries += 1

    def build() -> int:
        school = deps.digests.build(TEAM, WEEK)
        digest = lead_digest(school)
        slt_summary(school, None)
        return len(digest.messages)

    event.listen(db.engine, "before_cursor_execute", count)
    started = time.perf_counter()
    messages = build()
    elapsed = time.perf_counter() - started
    event.remove(db.engine, "before_cursor_execute", count)
    # Memory in a second pass: tracing allocations slows Python down and would spoil the timing.
    tracemalloc.start()
    build()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return elapsed, queries, peak / 2**20, messages


def database(backend: str, workdir: Path) -> tuple[Database, Any]:
    if backend == "sqlite":
        path = workdir / f"bench-{uuid.uuid4().hex[:6]}.db"
        db = Database.from_url(f"sqlite:///{path}")
        db.migrate()
        return db, lambda: path.unlink(missing_ok=True)
    base = make_url(os.environ.get("BENCH_DATABASE_URL") or os.environ["TEST_DATABASE_URL"])
    schema = f"mentorbot_bench_{uuid.uuid4().hex[:8]}"
    admin = Database.from_url(base.render_as_string(hide_password=False))
    with admin.engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = base.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
    db = Database.from_url(url)
    db.migrate()

    def drop() -> None:
        db.engine.dispose()
        with admin.engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.engine.dispose()

    return db, drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,50000")
    default_backends = (
        "sqlite,postgresql"
        if (os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL"))
        else "sqlite"
    )
    parser.add_argument("--backends", default=default_backends)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"{'backend':<11}{'mentees':>9}{'seed s':>9}{'build s':>9}{'queries':>9}{'peak MiB':>10}{'messages':>10}")
    with tempfile.TemporaryDirectory() as workdir:
        for backend in args.backends.split(","):
            for size in sizes:
                db, cleanup = database(backend, Path(workdir))
                try:
                    started = time.perf_counter()
                    seed(db, size)
                    seeded = time.perf_counter() - started
                    deps = bench_deps(db)
                    measure(deps)  # warm the caches and the query plans, as a running bot would have them
                    elapsed, queries, peak, messages = measure(deps)
                    print(
                        f"{backend:<11}{size:>9,}{seeded:>9.1f}{elapsed:>9.2f}{queries:>9}{peak:>10.1f}{messages:>10}",
                        flush=True,
                    )
                finally:
                    cleanup()


if __name__ == "__main__":
    main()
