"""The App Home tab: published when someone opens it, and again for the people whose Home a change touches.

`publish_home` is what other handlers call after a change (a meeting logged, a target set or closed, an
observation saved or reflected on); it never raises, so a Home that can't be built or published never
breaks the action that changed something. Lead mentors', SLT's and admins' Homes are not pushed on every
change in the school: Slack sends `app_home_opened` each time the tab is opened, and they are rebuilt then.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.app.bootstrap import Deps
from bot.core.errors import DomainError
from bot.home.service import HomeService, HomeSettings
from handlers.home.blocks import Pages, home_view
from handlers.slack.directory import SlackDirectory

log = logging.getLogger(__name__)


def home_service(deps: Deps) -> HomeService:
    settings = deps.settings
    return HomeService(
        deps.db,
        deps.calendar,
        deps.forms,
        settings.tz,
        HomeSettings(
            calendar_name=deps.calendar.name, digest_day=settings.digest_day, digest_time=settings.digest_time
        ),
        reviews=deps.reviews,
    )


def publish_home(deps: Deps, client: WebClient, team_id: str, user_id: str, pages: Pages | None = None) -> bool:
    """Build the person's Home as it stands now and publish it; False (logged, never raised) if that failed."""
    try:
        now = deps.now()
        caller = deps.roster.caller(team_id, user_id, SlackDirectory(client), now)
        view = home_view(home_service(deps).build(caller, now), pages)
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


def refresh_homes(deps: Deps, client: WebClient, team_id: str, user_ids: Iterable[str | None]) -> None:
    """Republish the Homes a change shows on (each person once), after the change has been acknowledged."""
    for user_id in dict.fromkeys(u for u in user_ids if u):
        publish_home(deps, client, team_id, user_id)


def register(app: App, deps: Deps) -> None:
    @app.event("app_home_opened")
    def app_home_opened(event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        team_id = body.get("team_id") or (event.get("view") or {}).get("team_id")
        user_id = event.get("user")
        if not team_id or not user_id:
            return
        publish_home(deps, client, team_id, user_id)
