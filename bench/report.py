"""How long a review takes to draft and to print for a teacher with two years of weekly records.

    python bench/report.py                       # SQLite (+ PostgreSQL*)
    python bench/report.py --backends sqlite --out /tmp/review.pdf

* PostgreSQL runs when BENCH_DATABASE_URL (or TEST_DATABASE_URL) names a server; the benchmark works in a
  throw-away schema and drops it afterwards.

The teacher is a full-time ECT who started on 2 September 2026. Every school week of the two years has a
meeting and a target (half of them met), and every half term two observations with all nine standards
rated and strengths, development points and a reflection written. On 20 July 2028 the induction tutor
opens their first review, written late, so the draft covers all two years: "draft" is
`ReviewWriting.prepare` (the records read and the figures built), "save" stores it with three agreed
targets, "report" reads it for the report (with the audit entry), "PDF" and "CSV" render it.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, insert

from bench.digest import bench_deps, database
from bot.core.directory import DirectoryUser
from bot.reviews.induction import InductionInput
from bot.reviews.report import review_csv, review_pdf
from bot.reviews.writing import ReviewInput
from storage.db import Database
from storage.meetings import Meeting
from storage.observations import Observation, ObservationEntry, Rating
from storage.roster import MeetingCadence, MenteeKind, Mentorship, Person, Role, RoleGrant, Workspace
from storage.targets import Target, TargetStatus
from tests.support.seeding import chunks

TEAM, MENTOR, ECT, TUTOR, HEAD = "TBENCH", "UMENTOR", "UECT", "UTUTOR", "UHEAD"
START = date(2026, 9, 2)
NOW = datetime(2028, 7, 20, 11, 0, tzinfo=UTC)
STANDARDS = [f"standard_{n}" for n in range(1, 9)] + ["part_two"]
RATINGS = [Rating.NOT_DEMONSTRATED, Rating.PARTLY, Rating.PARTLY, Rating.FULLY]
T = TypeVar("T")


class Nobody:
    """No Slack in a benchmark: everyone is already known to the database."""

    def user(self, user_id: str) -> DirectoryUser | None:
        return None

    def user_by_email(self, email: str) -> DirectoryUser | None:
        return None


def seed(db: Database) -> dict[str, int]:
    created = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)
    with db.unit_of_work() as session:
        session.add(Workspace(team_id=TEAM, name="Bench Primary School", created_at=created, updated_at=created))
        session.flush()
        for user_id, name in ((MENTOR, "Amy Mentor"), (ECT, "Dev Early"), (TUTOR, "Tia Tutor"), (HEAD, "Hal Head")):
            session.add(Person(team_id=TEAM, user_id=user_id, name=name, real_name=name, refreshed_at=NOW))
        for user_id, role in ((TUTOR, Role.TUTOR), (HEAD, Role.HEAD)):
            session.add(RoleGrant(team_id=TEAM, user_id=user_id, role=role, granted_by="UADMIN", granted_at=created))
        session.add(
            Mentorship(
                id=1, team_id=TEAM, mentor_id=MENTOR, mentee_id=ECT, mentee_kind=MenteeKind.ECT, start_date=START,
                end_date=date(2028, 7, 21), meeting_cadence=MeetingCadence.WEEKLY, created_by="UADMIN",
                created_at=created,
            )
        )  # fmt: skip
    weeks = [START + timedelta(weeks=w) for w in range(100)]
    weeks = [w for w in weeks if w < NOW.date()]

    def meetings() -> Iterator[dict[str, Any]]:
        for n, week in enumerate(weeks):
            yield dict(
                team_id=TEAM, mentorship_id=1, mentee_id=ECT, author_id=MENTOR, held_on=week,
                notes="Discussed questioning and behaviour routines.", mentee_comment="Useful: I'll try it.",
                signed_off_at=created, signed_off_by=ECT, submission_key=f"M{n}", created_at=created,
                updated_at=created,
            )  # fmt: skip

    def targets() -> Iterator[dict[str, Any]]:
        for n, week in enumerate(weeks):
            set_on = datetime.combine(week, datetime.min.time(), tzinfo=UTC) + timedelta(hours=16)
            met = n % 2 == 0
            yield dict(
                team_id=TEAM, mentorship_id=1, mentee_id=ECT, set_by=MENTOR, text=f"Hinge question in lesson {n}",
                due_on=week + timedelta(days=7), standards=[str(1 + n % 8)],
                status=TargetStatus.MET if met else TargetStatus.OPEN, carried_count=n % 3,
                closed_at=set_on + timedelta(days=6) if met else None, submission_key=f"T{n}", created_at=set_on,
                updated_at=set_on,
            )  # fmt: skip

    observed = [w + timedelta(days=2) for w in weeks[::3]]

    def observations() -> Iterator[dict[str, Any]]:
        for n, day in enumerate(observed):
            yield dict(
                id=n + 1, team_id=TEAM, teacher_id=ECT, observer_id=MENTOR, mentorship_id=1, form_key="ect",
                observed_on=day, on_track=True, has_concern=False, reflection="I rushed the plenary again.",
                reflected_at=created, submission_key=f"O{n}", created_at=created, updated_at=created,
            )  # fmt: skip

    def entries() -> Iterator[dict[str, Any]]:
        for n in range(len(observed)):
            for position, key in enumerate(STANDARDS):
                yield dict(observation_id=n + 1, key=key, position=position, rating=RATINGS[(n + position) % 4])
            for position, (key, words) in enumerate(
                (("strengths", "Calm, warm routines."), ("development", "Check understanding before moving on.")),
                start=len(STANDARDS),
            ):
                yield dict(observation_id=n + 1, key=key, position=position, text=words)

    for model, rows in ((Meeting, meetings()), (Target, targets()), (Observation, observations()),
                        (ObservationEntry, entries())):  # fmt: skip
        for batch in chunks(rows):
            with db.unit_of_work() as session:
                session.execute(insert(model), batch)
    return {"weeks": len(weeks), "meetings": len(weeks), "targets": len(weeks), "observations": len(observed)}


def timed(db: Database, work: Callable[[], T]) -> tuple[T, float, int]:
    queries = 0

    def count(*_: Any) -> None:
        nonlocal queries
        queries += 1

    event.listen(db.engine, "before_cursor_execute", count)
    started = time.perf_counter()
    result = work()
    elapsed = time.perf_counter() - started
    event.remove(db.engine, "before_cursor_execute", count)
    return result, elapsed, queries


def run(db: Database, out: Path | None) -> list[tuple[str, float, int, str]]:
    deps = bench_deps(db)
    admin_caller = deps.roster.caller(TEAM, TUTOR, Nobody(), NOW)
    from dataclasses import replace

    lead = replace(admin_caller, roles=frozenset({Role.LEAD}))
    deps.reviews.set_induction(lead, ECT, InductionInput(start=START, fraction="1", tutor_id=TUTOR), NOW)
    tutor = deps.roster.caller(TEAM, TUTOR, Nobody(), NOW)
    rows: list[tuple[str, float, int, str]] = []
    form, seconds, queries = timed(db, lambda: deps.review_writing.prepare(tutor, ECT, Nobody(), NOW, choice="term 1"))
    f = form.figures
    rows.append(("draft", seconds, queries, f"{f['meetings']['held']} meetings, {len(f['observations'])} observations"))
    typed = ReviewInput(
        mentee_id=ECT, point_key="term:1", on_track=True,
        evidence="Standards 1, 4 and 7: consistent routines and well-structured lessons across two years of records.",
        targets=[(f"Agreed target {i}", date(2028, 9, 30)) for i in range(3)],
        answers={"entitlement": "Yes."},
    )  # fmt: skip
    saved, seconds, queries = timed(db, lambda: deps.review_writing.save(tutor, typed, "bench-review", Nobody(), NOW))
    rows.append(("save", seconds, queries, f"review {saved.view.review.id}"))
    data, seconds, queries = timed(db, lambda: deps.review_reports.report(tutor, ECT, None, NOW))
    rows.append(("report", seconds, queries, ""))
    (pdf, summarised), seconds, queries = timed(db, lambda: review_pdf(data, deps.settings.tz))
    rows.append(("PDF", seconds, queries, f"{len(pdf) / 1024:.0f} KiB{' (summarised)' if summarised else ''}"))
    csv, seconds, queries = timed(db, lambda: review_csv(data, deps.settings.tz))
    rows.append(("CSV", seconds, queries, f"{len(csv)} bytes"))
    if out is not None:
        out.write_bytes(pdf)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    default_backends = (
        "sqlite,postgresql"
        if (os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL"))
        else "sqlite"
    )
    parser.add_argument("--backends", default=default_backends)
    parser.add_argument("--out", type=Path, help="also write the PDF here")
    args = parser.parse_args()
    print(f"{'backend':<11}{'step':<8}{'seconds':>9}{'queries':>9}  notes")
    with tempfile.TemporaryDirectory() as workdir:
        for backend in args.backends.split(","):
            db, cleanup = database(backend, Path(workdir))
            try:
                seeded = seed(db)
                for step, seconds, queries, notes in run(db, args.out):
                    print(f"{backend:<11}{step:<8}{seconds:>9.3f}{queries:>9}  {notes}")
                print(f"{'':<11}seeded: {seeded}")
            finally:
                db.engine.dispose()
                cleanup()


if __name__ == "__main__":
    main()
