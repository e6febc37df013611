"""Engine, sessions (one unit of work per use case) and migrations."""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeAlias

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, literal_column, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

# What `Database.unit_of_work()` yields: services hand it to repositories and read models, never query it.
UnitOfWork: TypeAlias = Session
# A unique constraint refused a row: another request (a retry, a second worker) got there first.
Conflict: TypeAlias = IntegrityError

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
MIGRATION_LOCK = 0x6D656E746F72  # PostgreSQL advisory lock key held while migrating ("mentor")


def insert_ignoring_conflicts(
    session: Session, model: type[Any], values: dict[str, Any], *, on: list[str], where: Any = None
) -> bool:
    """INSERT … ON CONFLICT DO NOTHING on SQLite and PostgreSQL: safe when two requests race to create a row.

    Returns True when this call inserted the row.
    """
    dialect = session.get_bind().dialect.name
    insert = sqlite_insert if dialect == "sqlite" else postgresql_insert
    statement = insert(model).values(**values).on_conflict_do_nothing(index_elements=on, index_where=where)
    # RETURNING, not rowcount: psycopg reports -1 rows for this statement, which would read as "inserted".
    inserted: Any = session.execute(statement.returning(literal_column("1"))).first()
    return inserted is not None


def advisory_key(name: str) -> int:
    """A PostgreSQL advisory lock key for a named job or step."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


class DatabaseUnavailable(Exception):
    """The database could not be reached; the message names it without its password."""


def normalise_url(raw: str) -> URL:
    """Accept the URLs people paste (postgres://, postgresql://) and pick the psycopg 3 driver."""
    url = make_url(raw.replace("postgres://", "postgresql://", 1) if raw.startswith("postgres://") else raw)
    if url.get_backend_name() == "postgresql" and url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    return url


def safe_url(url: URL | str) -> str:
    """The URL with any password hidden, fit for logs and error messages."""
    return (url if isinstance(url, URL) else make_url(url)).render_as_string(hide_password=True)


# Slack shows its own error when it has no answer within 3 s. A request waiting on another's lock gives up
# well inside that, so the person is told in words ("couldn't save just now", the form still open).
LOCK_TIMEOUT_MS = 1500
# PostgreSQL only: a statement running longer than this is stopped, for the same reason.
STATEMENT_TIMEOUT_MS = 2500


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")  # readers don't block the writer
    cursor.execute(f"PRAGMA busy_timeout={LOCK_TIMEOUT_MS}")
    cursor.close()


def _postgresql_timeouts(lock_timeout_ms: int, statement_timeout_ms: int) -> Callable[[Any, Any], None]:
    def set_timeouts(dbapi_connection: Any, _record: Any) -> None:
        # Session settings, once per new connection; committed so that a rollback later can't undo them.
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET lock_timeout = {int(lock_timeout_ms)}")
            cursor.execute(f"SET statement_timeout = {int(statement_timeout_ms)}")
        dbapi_connection.commit()

    return set_timeouts


def _sqlite_manual_transactions(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy's "begin" event issues BEGIN itself


def make_engine(raw_url: str, *, statement_timeout_ms: int = STATEMENT_TIMEOUT_MS, **kwargs: Any) -> Engine:
    """The engine, with a bounded wait for locks (both backends) and for statements (PostgreSQL; 0: none)."""
    url = normalise_url(raw_url)
    # A failed statement's parameters can hold meeting notes or observation text: keep them out of errors and logs.
    kwargs.setdefault("hide_parameters", True)
    if url.get_backend_name() == "sqlite":
        database = url.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    engine = create_engine(url, pool_pre_ping=True, **kwargs)
    if url.get_backend_name() == "postgresql":
        event.listen(engine, "connect", _postgresql_timeouts(LOCK_TIMEOUT_MS, statement_timeout_ms))
    return engine


class Database:
    """Owns the engine and hands out units of work."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._watcher: sqlite3.Connection | None = None
        self._watcher_lock = threading.Lock()

    def data_version(self) -> str:
        """A value that changes whenever a write is committed anywhere in the database, by any process.

        For reads that may be shared while it stays the same (bot/home/shared_reads.py). PostgreSQL: the current
        snapshot (its oldest and next transaction ids and those in progress): read-only transactions take no id, so
        it moves only when something writes. SQLite: `PRAGMA data_version` on a connection kept for asking it, which
        never writes, so its number moves with every commit made through any other connection.
        """
        dialect = self.engine.dialect.name
        if dialect == "postgresql":
            with self.engine.connect() as connection:
                return str(connection.execute(text("SELECT pg_current_snapshot()::text")).scalar())
        if dialect == "sqlite" and self.engine.url.database not in (None, "", ":memory:"):
            with self._watcher_lock:
                if self._watcher is None:
                    self._watcher = sqlite3.connect(
                        str(self.engine.url.database), check_same_thread=False, isolation_level=None
                    )
                return str(self._watcher.execute("PRAGMA data_version").fetchone()[0])
        # An in-memory database has no second connection to watch from: nothing may be shared.
        return f"unversioned {time.monotonic_ns()}"

    def dispose(self) -> None:
        """Close every connection this database holds."""
        with self._watcher_lock:
            if self._watcher is not None:
                self._watcher.close()
                self._watcher = None
        self.engine.dispose()

    @classmethod
    def from_url(cls, raw_url: str, **kwargs: Any) -> Database:
        return cls(make_engine(raw_url, **kwargs))

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def wait_until_reachable(
        self, *, attempts: int = 5, first_delay: float = 0.5, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        """Retry with backoff: a database restarting alongside the bot should not stop it."""
        delay = first_delay
        for attempt in range(1, attempts + 1):
            try:
                with self.engine.connect() as connection:
                    connection.execute(text("SELECT 1"))
                return
            except OperationalError as exc:
                reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
                if attempt == attempts:
                    raise DatabaseUnavailable(
                        f"Cannot reach the database at {safe_url(self.engine.url)} after {attempts} attempts "
                        f"({reason}). Check DATABASE_URL and that the database server is running."
                    ) from None
                log.warning("Database not reachable yet (attempt %d/%d): %s", attempt, attempts, reason)
                sleep(delay)
                delay *= 2

    def health_problem(self, *, script_location: Path = MIGRATIONS_DIR) -> str | None:
        """None when the database answers and its schema is at the latest migration; else a short reason."""
        if not hasattr(self, "_script_heads"):
            script = ScriptDirectory.from_config(self.alembic_config(script_location=script_location))
            self._script_heads = set(script.get_heads())
        try:
            with self.engine.connect() as connection:
                current = set(MigrationContext.configure(connection).get_current_heads())
        except OperationalError as exc:
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else "no answer"
            return f"database unreachable ({reason[:120]})"
        if current != self._script_heads:
            return "database schema not at the latest migration: run `python -m bot migrate`"
        return None

    @contextmanager
    def job_lock(self, name: str) -> Iterator[bool]:
        """True for the one process holding `name` (a job in a workspace) until the block ends.

        PostgreSQL: a session advisory lock, taken without waiting, so a second worker running the same job for
        the same workspace skips it. SQLite runs in one process, whose scheduler already runs a job once at a
        time: always True.
        """
        if self.engine.dialect.name != "postgresql":
            yield True
            return
        key = advisory_key(name)
        with self.engine.connect() as connection:
            got = bool(connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar())
            connection.commit()
            try:
                yield got
            finally:
                if got:
                    connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                    connection.commit()

    def alembic_config(self, engine: Engine | None = None, *, script_location: Path = MIGRATIONS_DIR) -> Config:
        config = Config()
        config.set_main_option("script_location", str(script_location))
        config.attributes["engine"] = engine or self.engine
        return config

    def pending_migrations(self, *, script_location: Path = MIGRATIONS_DIR) -> list[str]:
        script = ScriptDirectory.from_config(self.alembic_config(script_location=script_location))
        with self.engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_heads()
        lower = current[0] if current else "base"
        pending = script.iterate_revisions("heads", lower)
        return [rev.revision for rev in reversed(list(pending)) if rev.revision not in current]

    def migrate(self, *, script_location: Path = MIGRATIONS_DIR) -> list[str]:
        """Apply every pending migration, each in its own transaction; returns what was applied.

        A migration that fails is rolled back whole (SQLite included), so the schema is never half-upgraded.
        """
        pending = self.pending_migrations(script_location=script_location)
        if not pending:
            return []
        engine = self.engine
        if engine.dialect.name == "postgresql":
            # A schema change may rewrite a large table: no statement timeout (the lock timeout stays).
            engine = make_engine(self.engine.url.render_as_string(hide_password=False), statement_timeout_ms=0)
        elif engine.dialect.name == "sqlite":
            # Python's sqlite3 runs DDL outside transactions; this engine makes every statement transactional.
            engine = create_engine(self.engine.url, hide_parameters=True)
            event.listen(engine, "connect", _sqlite_pragmas)
            event.listen(engine, "connect", _sqlite_manual_transactions)
            event.listen(engine, "begin", lambda connection: connection.exec_driver_sql("BEGIN"))
        try:
            if engine.dialect.name == "postgresql":
                # Several processes starting at once: one migrates, the others wait for it, then find nothing to do.
                with engine.connect() as connection:
                    take = text("SELECT pg_try_advisory_lock(:k)")
                    while not connection.execute(take, {"k": MIGRATION_LOCK}).scalar():
                        connection.commit()
                        time.sleep(0.2)
                    connection.commit()
                    try:
                        pending = self.pending_migrations(script_location=script_location)
                        if pending:
                            command.upgrade(self.alembic_config(engine, script_location=script_location), "head")
                    finally:
                        connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATION_LOCK})
                        connection.commit()
            else:
                command.upgrade(self.alembic_config(engine, script_location=script_location), "head")
        finally:
            if engine is not self.engine:
                engine.dispose()
        return pending
