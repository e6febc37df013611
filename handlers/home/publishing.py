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

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core.directory import Directory
from bot.core.errors import DomainError
from bot.home.service import HomeService
from bot.roster.service import RosterService
from handlers.home.blocks import Pages, home_view

log = logging.getLogger(__name__)

# Publishes a person's Home somewhere else (a helper process): True/False as `publish`, None if it could not
# be handed over, so it is done here. Arguments: the request's client, team id, user id, now, pages.
PublishElsewhere = Callable[[WebClient, str, str, datetime, Pages | None], bool | None]


class HomePublisher:
    """Builds a person's Home as it stands and publishes it; built once by the composition root.

    With `elsewhere`, the whole of it (who is asking, building, publishing) is handed to another process when
    possible (bot/app/home_processes.py), and done in the calling thread when not."""

    def __init__(self, roster: RosterService, service: HomeService, elsewhere: PublishElsewhere | None = None) -> None:
        self.roster = roster
        self.service = service
        self.elsewhere = elsewhere

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
        if self.elsewhere is not None:
            published = self.elsewhere(client, team_id, user_id, now, pages)
            if published is not None:
                return published
        try:
            caller = self.roster.caller(team_id, user_id, directory, now)
            view = home_view(self.service.build(caller, now), pages)
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
