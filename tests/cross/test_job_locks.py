"""A scheduled job for one workspace runs in one worker at a time (PostgreSQL advisory locks, held while it runs).

SQLite serves one process, whose scheduler already runs each job once at a time: the lock is always granted.
"""

from __future__ import annotations

from storage.db import Database


def test_a_job_held_by_one_worker_is_skipped_by_another_and_free_again_after(db: Database) -> None:
    other = Database.from_url(db.engine.url.render_as_string(hide_password=False))  # a second worker's connections
    try:
        with (
            db.job_lock("digest:T0001") as first,
            other.job_lock("digest:T0001") as second,
            other.job_lock("digest:T0002") as elsewhere,
        ):
            held_elsewhere = (second, elsewhere)
        with other.job_lock("digest:T0001") as after:
            pass
    finally:
        other.engine.dispose()

    assert first is True and after is True and held_elsewhere[1] is True
    assert held_elsewhere[0] is (db.engine.dialect.name != "postgresql")
