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
import sys
import tempfile
import time
import tracemalloc
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, text
from sqlalchemy.engine import make_url

from bot.app.bootstrap import Deps, bootstrap
from bot.app.settings import Settings
from bot.digests.service import Week
from handlers.digests.blocks import lead_digest, slt_summary
from storage.db import Database
from tests.support.seeding import TEAM, seed_term

WEEK = Week(2026, 50)  # 7–13 December: late in the autumn term, a full term of history behind it


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
                    seed_term(db, size)
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
