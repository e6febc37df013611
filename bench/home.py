"""How long building an App Home tab takes as the cohort grows: time, SQL queries and blocks, per role.

    python bench/home.py                            # 50, 500 and 5 000 mentees on SQLite (+ PostgreSQL*)
    python bench/home.py --sizes 500 --backends sqlite

* PostgreSQL runs when BENCH_DATABASE_URL (or TEST_DATABASE_URL) names a server; the benchmark works in a
  throw-away schema and drops it afterwards.

The school is seeded exactly as for bench/digest.py (a term of meetings, targets and observations per
mentee, three mentees to a mentor). "Build" is everything publishing a Home does before talking to Slack:
the read model's queries and the Block Kit. Rows: the lead mentor (the whole cohort), someone who is lead
mentor, SLT and admin at once, a mentor (three mentees) and a mentee. "first" is a Home built from nothing;
"shared" is the next one while nothing was written (bot/home/shared_reads.py: leaders' Homes share the school's
week and review schedules, so a second leader's Home costs only what is theirs alone).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event

from bench.digest import bench_deps, database
from bot.home.service import HomeService
from bot.home.shared_reads import SharedReads
from bot.roster.service import Caller
from handlers.home.blocks import home_view
from storage.db import Database
from storage.roster import Person, Role
from tests.support.seeding import TEAM, seed_term

NOW = datetime(2026, 12, 11, 12, 0, tzinfo=UTC)  # the Friday of the week bench/digest.py reports on
VIEWERS = {
    "lead mentor": Caller(TEAM, "ULEAD", frozenset({Role.LEAD}), False, False, False),
    "lead+SLT+admin": Caller(TEAM, "ULEAD", frozenset({Role.LEAD, Role.SLT, Role.ADMIN}), False, False, False),
    "mentor": Caller(TEAM, "UM000000", frozenset(), False, True, False),
    "mentee": Caller(TEAM, "UE000000", frozenset(), False, False, True),
}


def measure(db: Database, service: HomeService, viewer: Caller) -> tuple[float, int, int]:
    """Seconds, queries and blocks for one Home, built as publish_home builds it."""
    queries = 0

    def count(*_: Any) -> None:
        nonlocal queries
        queries += 1

    event.listen(db.engine, "before_cursor_execute", count)
    started = time.perf_counter()
    view = home_view(service.build(viewer, NOW))
    elapsed = time.perf_counter() - started
    event.remove(db.engine, "before_cursor_execute", count)
    return elapsed, queries, len(view["blocks"])


def add_viewers(db: Database) -> None:
    """The viewers as the directory last saw them, as every person who has used the bot is (the certification
    section is built only for someone the bot knows)."""
    with db.unit_of_work() as session:
        for user_id in {viewer.user_id for viewer in VIEWERS.values()}:
            session.add(Person(team_id=TEAM, user_id=user_id, name=user_id.lower(), refreshed_at=NOW))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="50,500,5000")
    default_backends = (
        "sqlite,postgresql"
        if (os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL"))
        else "sqlite"
    )
    parser.add_argument("--backends", default=default_backends)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(
        f"{'backend':<11}{'mentees':>9}  {'home of':<16}{'first s':>9}{'queries':>9}"
        f"{'shared s':>10}{'queries':>9}{'blocks':>8}"
    )
    with tempfile.TemporaryDirectory() as workdir:
        for backend in args.backends.split(","):
            for size in sizes:
                db, cleanup = database(backend, Path(workdir))
                try:
                    seed_term(db, size)
                    add_viewers(db)
                    service = bench_deps(db).home  # the Home read model as the bot builds it
                    for label, viewer in VIEWERS.items():
                        measure(db, service, viewer)  # warm the caches and query plans, as a running bot has them
                        service.shared = SharedReads(db.data_version, max_age=300)  # nothing shared yet
                        first, first_queries, blocks = measure(db, service, viewer)
                        shared, shared_queries, _ = measure(db, service, viewer)
                        print(
                            f"{backend:<11}{size:>9,}  {label:<16}{first:>9.3f}{first_queries:>9}"
                            f"{shared:>10.3f}{shared_queries:>9}{blocks:>8}",
                            flush=True,
                        )
                finally:
                    cleanup()


if __name__ == "__main__":
    main()
