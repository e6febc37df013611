"""`python -m bot worker`: the scheduled jobs (meeting and review reminders, the weekly digests, support plan
reminders, probation mid-points, early warnings, data retention) without the web server.

Run it beside web processes started with SCHEDULER=off. Two workers at once send nothing twice: every
message is claimed in the database before it goes, and on PostgreSQL each job takes a lock per workspace
(bot/app/scheduler.py). `--once` runs every job once now and exits (for cron, or to check a set-up).
"""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

from bot.app.scheduler import build_scheduler
from bot.app.settings import Settings
from bot.cli.common import ready_deps
from bot.cli.serve import _check_bot_token

log = logging.getLogger("bot")


def run(settings: Settings, *, once: bool = False) -> None:
    deps = ready_deps(settings)
    _check_bot_token(settings, deps)
    scheduler = build_scheduler(deps)
    if once:
        jobs = scheduler.get_jobs()  # not started: the jobs as built, in order
        for job in jobs:
            log.info("Running %s", job.name)
            job.func(*job.args, **job.kwargs)  # each job logs and survives its own failures, workspace by workspace
        print(f"Ran {len(jobs)} scheduled jobs once: {', '.join(job.name for job in jobs)}.")
        return
    stop = threading.Event()

    def stopping(signum: int, _frame: FrameType | None) -> None:
        log.info("Stopping the worker (signal %d): letting a running job finish", signum)
        stop.set()

    signal.signal(signal.SIGTERM, stopping)
    signal.signal(signal.SIGINT, stopping)
    scheduler.start()
    log.info("Worker running: reminders, digests and data retention for the workspaces in the database")
    stop.wait()
    scheduler.shutdown(wait=True)
    log.info("Worker stopped")
