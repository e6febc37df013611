"""Slack installations (OAuth mode): each workspace's bot token, and the OAuth `state` of installs under way.

The tables are slack_sdk's own (`SQLAlchemyInstallationStore`, `SQLAlchemyOAuthStateStore`), built here on our
metadata so that Alembic creates them (migration 0010) and the privacy registry classifies them; the stores are
slack_sdk's, pointed at these tables. Nothing here creates tables (`create_tables()` is never called).

Tokens are secrets: they are never exported, never logged, and only `SlackClients` reads them.
"""

from __future__ import annotations

import logging

from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine, and_, desc, select

from storage.base import Base

INSTALLATIONS_TABLE = "slack_installations"
BOTS_TABLE = "slack_bots"
STATES_TABLE = "slack_oauth_states"
# An install started in a browser must come back from Slack within this (Bolt's default).
STATE_EXPIRES_SECONDS = 600

installations = SQLAlchemyInstallationStore.build_installations_table(Base.metadata, INSTALLATIONS_TABLE)
bots = SQLAlchemyInstallationStore.build_bots_table(Base.metadata, BOTS_TABLE)
oauth_states = SQLAlchemyOAuthStateStore.build_oauth_states_table(Base.metadata, STATES_TABLE)

log = logging.getLogger(__name__)


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
