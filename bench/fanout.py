"""Friday at scale: one digest week for many workspaces, delivered against Slack's per-channel rate limit.

    python bench/fanout.py                                   # 1 000 workspaces of 50 mentees, SQLite temp file
    python bench/fanout.py --workspaces 100 --workers 1      # one workspace after another, to compare
    python bench/fanout.py --database postgresql://postgres@127.0.0.1:5432/test

Each workspace is seeded as bench/digest.py seeds its school (tests/support/seeding.py: a term of history per
mentee, three mentees to a mentor, a lead mentor and an SLT channel) and installed, as the OAuth flow leaves it:
its own bot token in the app's installation store (tests/support/installs.py), which the emulator
(tests/support/emulator) maps back to the workspace. The bot runs in OAuth mode, so each workspace's client
is built from its installation, as in production. The emulator enforces Slack's limit of about one
message a second in each channel of each workspace (HTTP 429 with Retry-After beyond it). The bot's own digest
job (bot/app/scheduler.py) runs as the scheduler runs it on a Friday after DIGEST_TIME: DIGEST_WORKERS
workspaces at once, each with its own client. A second run follows, and must send nothing.

Printed: seconds to deliver everything; the rate-limit bound (the busiest channel's messages at one a second:
no sender could be faster) and the ratio to it; messages, uploads and 429s; digests sent more than once (must
be 0); the process's peak resident memory (the emulator and the seeding included) and the job's peak Python
allocations (tracemalloc, in a separate run only when --trace-memory is given, as tracing slows Python down).
"""

from __future__ import annotations

import argparse
import collections
import os
import resource
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import logging

from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.app.bootstrap import Deps, bootstrap
from bot.app.scheduler import _digest_job
from bot.app.settings import Settings
from storage.db import Database
from tests.support.emulator import SlackEmulator
from tests.support.installs import install_workspaces, oauth_settings
from tests.support.seeding import seed_schools

FRIDAY = datetime(2026, 12, 11, 16, 0, tzinfo=ZoneInfo("Europe/London"))  # week 50, after the 15:00 send time


@contextmanager
def database(url: str | None) -> Iterator[Database]:
    """A migrated database: a temporary SQLite file, or a throw-away PostgreSQL schema."""
    with tempfile.TemporaryDirectory() as workdir:
        if url is None:
            db = Database.from_url(f"sqlite:///{Path(workdir) / 'bench-fanout.db'}")
            admin, schema = None, ""
        else:
            base = make_url(url)
            schema = f"mentorbot_fanout_{uuid.uuid4().hex[:8]}"
            admin = Database.from_url(base.render_as_string(hide_password=False))
            with admin.engine.begin() as connection:
                connection.execute(text(f'CREATE SCHEMA "{schema}"'))
            db = Database.from_url(
                base.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
            )
        try:
            db.migrate()
            yield db
        finally:
            db.engine.dispose()
            if admin is not None:
                with admin.engine.begin() as connection:
                    connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                admin.engine.dispose()


def fanout_deps(db: Database, emulator: SlackEmulator, workers: int) -> Deps:
    """The bot in OAuth mode: each workspace's client from its installation."""
    url = db.engine.url.render_as_string(hide_password=False)
    return bootstrap(oauth_settings(emulator, url, DIGEST_WORKERS=str(workers)), clock=lambda: FRIDAY, db=db)


def posted(
    emulator: SlackEmulator,
) -> tuple[collections.Counter[tuple[str, str]], collections.Counter[tuple[str, str]]]:
    """Accepted messages per (workspace, channel), and among them the top-level digests (tagged with metadata)."""
    messages: collections.Counter[tuple[str, str]] = collections.Counter()
    digests: collections.Counter[tuple[str, str]] = collections.Counter()
    for call in emulator.calls_to("chat.postMessage"):
        if call.status != 200 or not (call.response or {}).get("ok"):
            continue
        key = (emulator.team_of(call.token) or "", str((call.response or {}).get("channel")))
        messages[key] += 1
        if call.params.get("metadata") and not call.params.get("thread_ts"):
            digests[key] += 1
    return messages, digests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workspaces", type=int, default=1000)
    parser.add_argument("--mentees", type=int, default=50, help="per workspace (default 50)")
    parser.add_argument("--workers", type=int, default=Settings.model_fields["digest_workers"].default)
    parser.add_argument("--rate", type=float, default=1.0, help="messages a second per channel (default 1)")
    parser.add_argument("--database", default=None, help="a PostgreSQL URL (default: a temporary SQLite file)")
    parser.add_argument("--trace-memory", action="store_true", help="a second delivery under tracemalloc")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    backend = make_url(args.database).get_backend_name() if args.database else "sqlite"
    teams = [f"TF{n:05d}" for n in range(args.workspaces)]
    print(
        f"bench/fanout.py: {backend}, {args.workspaces} workspaces × {args.mentees} mentees, "
        f"DIGEST_WORKERS={args.workers}, {args.rate:g} message/s per channel, {os.cpu_count()} CPUs",
        flush=True,
    )
    with database(args.database) as db:
        started = time.perf_counter()
        seed_schools(db, teams, args.mentees)
        print(f"seeded in {time.perf_counter() - started:.1f} s", flush=True)
        emulator = SlackEmulator(team_id="TBENCHHOME").start()
        try:
            started = time.perf_counter()
            install_workspaces(db, emulator, teams)
            print(f"installed in {time.perf_counter() - started:.1f} s", flush=True)
            emulator.add_user("ULEAD", "lead", real_name="Lead Mentor")
            emulator.add_channel("CSLT", "slt")
            emulator.limit_channels(args.rate)
            deps = fanout_deps(db, emulator, args.workers)
            rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

            started = time.perf_counter()
            _digest_job(deps)
            elapsed = time.perf_counter() - started
            rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            messages, digests = posted(emulator)
            limited = sum(1 for call in emulator.calls_to("chat.postMessage") if call.status == 429)
            uploads = len(emulator.calls_to("files.completeUploadExternal"))

            _digest_job(deps)  # the next tick: everything is claimed and sent, so nothing goes again
            again_messages, again_digests = posted(emulator)

            busiest = max(messages.values(), default=0)
            bound = busiest / args.rate
            expected = {(team, channel) for team, channel in digests}
            missing = sum(1 for team in teams for kind in ("lead", "slt") if not _has(digests, team, kind, emulator))
            twice = sum(count - 1 for count in again_digests.values() if count > 1)
            print(f"delivered in         {elapsed:8.1f} s  ({args.workspaces / elapsed:.1f} workspaces/s)")
            print(f"rate-limit bound     {bound:8.1f} s  (busiest channel: {busiest} messages at {args.rate:g}/s)")
            print(f"ratio to the bound   {elapsed / bound if bound else float('nan'):8.1f}×")
            print(
                f"messages             {sum(messages.values()):8}  in {len(messages)} channels "
                f"({len(expected)} digests, {uploads} uploads, {limited} answered 429)"
            )
            print(f"digests missing      {missing:8}")
            print(
                f"sent twice           {twice:8}  (a second run sent "
                f"{sum(again_messages.values()) - sum(messages.values())} more messages)"
            )
            print(f"peak RSS             {rss_peak:8.0f} MiB (before the job: {rss_before:.0f} MiB)")
            if args.trace_memory:
                emulator.reset()
                with db.unit_of_work() as session:
                    session.execute(text("DELETE FROM digest_deliveries"))
                tracemalloc.start()
                _digest_job(deps)
                _, peak = tracemalloc.get_traced_memory()
                tracemalloc.stop()
                print(f"job's peak Python allocations {peak / 2**20:.0f} MiB (tracemalloc)")
            if missing or twice or again_messages != messages:
                raise SystemExit("FAILED: a digest is missing or was sent twice")
        finally:
            emulator.stop()


def _has(digests: collections.Counter[tuple[str, str]], team: str, kind: str, emulator: SlackEmulator) -> bool:
    slt = emulator._canonical("CSLT")
    return any(t == team and ((channel == slt) == (kind == "slt")) for t, channel in digests)


if __name__ == "__main__":
    main()
