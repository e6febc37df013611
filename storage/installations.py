"""Slack installations (OAuth mode): each workspace's bot token, and the OAuth `state` of installs under way.

The tables are slack_sdk's own (`SQLAlchemyInstallationStore`, `SQLAlchemyOAuthStateStore`), built here on our
metadata so that Alembic creates them (migration 0010) and the privacy registry classifies them; the stores are
slack_sdk's, pointed at these tables. Nothing here creates tables (`create_tables()` is never called).

Tokens are secrets: they are never exported, never logged, and only `SlackClients` reads them.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.sqlalchemy_utils import normalize_datetime_for_db
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine, and_, desc, select, text, update

from storage.base import Base
from storage.db import advisory_key

INSTALLATIONS_TABLE = "slack_installations"
BOTS_TABLE = "slack_bots"
STATES_TABLE = "slack_oauth_states"
# An install started in a browser must come back from Slack within this (Bolt's default).
STATE_EXPIRES_SECONDS = 600

installations = SQLAlchemyInstallationStore.build_installations_table(Base.metadata, INSTALLATIONS_TABLE)
bots = SQLAlchemyInstallationStore.build_bots_table(Base.metadata, BOTS_TABLE)
oauth_states = SQLAlchemyOAuthStateStore.build_oauth_states_table(Base.metadata, STATES_TABLE)

log = logging.getLogger(__name__)
# SQLite: the workspaces whose token a thread of this process is refreshing (see `refreshing`).
_REFRESHING: dict[tuple[str, str], threading.Lock] = {}
_REFRESHING_GUARD = threading.Lock()


class InstallationStore(SQLAlchemyInstallationStore):
    """slack_sdk's store on our tables, plus the list of installed workspaces the scheduler walks."""

    def __init__(self, client_id: str, engine: Engine) -> None:
        super().__init__(client_id=client_id, engine=engine, logger=log)
        self.metadata = Base.metadata
        self.installations = installations
        self.bots = bots

    def create_tables(self) -> None:  # pragma: no cover - the migrations own the schema
        raise RuntimeError("The installation tables come from the migrations: run `python -m bot migrate`")

    def find_bot_for_team(self, team_id: str) -> Bot | None:
        """The latest bot installed in this workspace, whether or not it belongs to an Enterprise Grid org."""
        c = bots.c
        query = (
            select(bots)
            .where(and_(c.client_id == self.client_id, c.team_id == team_id, c.bot_token.is_not(None)))
            .order_by(desc(c.installed_at))
            .limit(1)
        )
        with self.engine.connect() as connection:
            row = connection.execute(query).mappings().first()
        return self.build_bot_entity(row) if row is not None else None

    @contextmanager
    def refreshing(self, key: str) -> Iterator[None]:
        """One thread of one worker at a time refreshes an installation's token (a workspace's, or an org's: `key`);
        the others wait, then find it fresh.

        PostgreSQL: a transaction advisory lock (waited for, under the connection's lock_timeout), which holds
        across processes. SQLite serves one process: a lock in this process.
        """
        if self.engine.dialect.name != "postgresql":
            with _REFRESHING_GUARD:
                lock = _REFRESHING.setdefault((str(self.engine.url), key), threading.Lock())
            with lock:
                yield
            return
        with self.engine.connect() as connection, connection.begin():
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": advisory_key(f"refresh:{key}")})
            yield

    def replace_bot_token(self, old_token: str, refreshed: Bot) -> bool:
        """Keep a refreshed bot token (token rotation) in place of `old_token`, in the bot and installation rows
        that hold it (a workspace's, or an org-wide install's). False when `old_token` was no longer there:
        another worker refreshed it first."""
        stored = refreshed.to_dict()  # the expiry as slack_sdk's own store writes it
        values = {
            "bot_token": refreshed.bot_token,
            "bot_refresh_token": refreshed.bot_refresh_token,
            "bot_token_expires_at": normalize_datetime_for_db(stored.get("bot_token_expires_at")),
        }
        with self.engine.begin() as connection:
            replaced = 0
            for table in (bots, installations):
                c = table.c
                result = connection.execute(
                    update(table).where(and_(c.client_id == self.client_id, c.bot_token == old_token)).values(**values)
                )
                replaced += result.rowcount if table is bots else 0
        return replaced > 0

    def org_bots(self) -> list[Bot]:
        """The latest org-wide install of each Enterprise Grid org: no team id, one bot token for every workspace
        of the org that has approved the app (Slack lists them: auth.teams.list)."""
        c = bots.c
        query = (
            select(bots)
            .where(
                and_(
                    c.client_id == self.client_id,
                    c.enterprise_id.is_not(None),
                    c.team_id.is_(None),
                    c.is_enterprise_install.is_(True),
                    c.bot_token.is_not(None),
                )
            )
            .order_by(c.enterprise_id, desc(c.installed_at))
        )
        latest: dict[str, Bot] = {}
        with self.engine.connect() as connection:
            for row in connection.execute(query).mappings():
                latest.setdefault(str(row["enterprise_id"]), self.build_bot_entity(row))
        return list(latest.values())

    def team_ids(self) -> list[str]:
        """Every workspace with a bot token installed for this app (not Enterprise Grid org-wide installs)."""
        c = bots.c
        query = (
            select(c.team_id)
            .where(and_(c.client_id == self.client_id, c.team_id.is_not(None), c.bot_token.is_not(None)))
            .distinct()
            .order_by(c.team_id)
        )
        with self.engine.connect() as connection:
            return [str(team_id) for (team_id,) in connection.execute(query)]


class OAuthStateStore(SQLAlchemyOAuthStateStore):
    """slack_sdk's state store on our table: each install's `state` is used once and expires."""

    def __init__(self, engine: Engine, *, expiration_seconds: int = STATE_EXPIRES_SECONDS) -> None:
        # slack_sdk logs each state it consumes at DEBUG: a state is a one-time secret, so that logger stays at INFO.
        quiet = logging.getLogger(f"{__name__}.states")
        quiet.setLevel(logging.INFO)
        super().__init__(expiration_seconds=expiration_seconds, engine=engine, logger=quiet)
        self.metadata = Base.metadata
        self.oauth_states = oauth_states

    def create_tables(self) -> None:  # pragma: no cover - the migrations own the schema
        raise RuntimeError("The OAuth state table comes from the migrations: run `python -m bot migrate`")
