"""The App Home tab: published when someone opens it, and again for the people whose Home a change touches.

Other features never import this module: the app's middleware hands their listeners a `refresh_homes`
bound to the request (handlers/slack/context.py). Publishing never raises, so a Home that can't be built
or published never breaks the action that changed something. Lead mentors', SLT's and admins' Homes are
not pushed on every change in the school: Slack sends `app_home_opened` each time the tab is opened, and
they are rebuilt then.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core.directory import Directory
from bot.core.errors import DomainError
from bot.home.service import HomeService
from bot.roster.service import Caller, RosterService
from handlers.home.blocks import Pages, home_view

log = logging.getLogger(__name__)

# Builds a caller's Home view as it stands at `now`, on the given pages.
BuildView = Callable[[Caller, datetime, Pages | None], dict[str, Any]]


def build_home_view(service: HomeService, caller: Caller, now: datetime, pages: Pages | None) -> dict[str, Any]:
    """The caller's Home view as it stands at `now`: the one recipe, whichever thread or process runs it."""
    return home_view(service.build(caller, now), pages)


class HomePublisher:
    """Builds a person's Home as it stands and publishes it; built once by the composition root.

    `build_view` builds the view; by default in the calling thread, or wherever the server chose
    (bot/app/home_processes.py builds it in helper processes)."""

    def __init__(self, roster: RosterService, service: HomeService, build_view: BuildView | None = None) -> None:
        self.roster = roster
        self.service = service
        self.build_view: BuildView = build_view or self._build_here

    def _build_here(self, caller: Caller, now: datetime, pages: Pages | None) -> dict[str, Any]:
        return build_home_view(self.service, caller, now, pages)

    def publish(
        self,
        client: WebClient,
        directory: Directory,
        team_id: str,
        user_id: str,
        now: datetime,
        pages: Pages | None = None,
    ) -> bool:
        """Build the person's Home as it stands now and publish it; False (logged, never raised) if that failed."""
        try:
            caller = self.roster.caller(team_id, user_id, directory, now)
            view = self.build_view(caller, now, pages)
            client.views_publish(user_id=user_id, view=view)
            return True
        except SlackApiError as exc:
            log.warning("Could not publish the Home tab of %s: %s", user_id, exc.response.get("error"))
        except DomainError as exc:  # e.g. Slack no longer knows the person
            log.info("No Home tab for %s: %s", user_id, type(exc).__name__)
        except Exception:
            # Logged with its traceback but without the view: it can hold meeting notes.
            log.exception("Could not build the Home tab of %s in team %s", user_id, team_id)
        return False

    def refresh(
        self, client: WebClient, directory: Directory, team_id: str, user_ids: Iterable[str | None], now: datetime
    ) -> None:
        """Republish the Homes a change shows on (each person once), after the change has been acknowledged."""
        for user_id in dict.fromkeys(u for u in user_ids if u):
            self.publish(client, directory, team_id, user_id, now)
