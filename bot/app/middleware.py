"""The global Bolt middleware: what every listener may ask for by name (see handlers/slack/context.py).

For each request it puts into Bolt's context `now` (the clock, read once), `directory` (SlackDirectory on
the request's Web API client), `deps`, `caller` (the roster's Caller for the request's team and user,
looked up on first use — after the listener has acknowledged, and outside any database transaction for
its users.info call), `refresh_homes` (the Home tabs of the people a change shows on), `after_ack` (the
turns work after an ack takes: handlers/slack/pacing.py) and `placeholder_timing` (when the request arrived,
and how long a listener may take before a placeholder modal goes out: handlers/slack/modal_first.py).

Turning a `DomainError` into the reply cannot happen here: Bolt runs global middleware to the end before
the listener starts in its thread pool. It is written once in handlers/slack/answers.py, which wraps
every listener.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.app.bootstrap import Deps
from bot.app.logging_setup import REQUEST_ID, TEAM_ID
from bot.roster.service import Caller
from handlers.home.publishing import HomePublisher
from handlers.slack.directory import SlackDirectory
from handlers.slack.modal_first import PLACEHOLDER_AFTER_SECONDS, PlaceholderTiming
from handlers.slack.pacing import AfterAck


def _team_and_user(body: dict[str, Any]) -> tuple[str | None, str | None]:
    """Who sent the request, read the way each payload carries it (slash commands keep them flat)."""
    if "command" in body:
        return body.get("team_id"), body.get("user_id")
    team = (body.get("team") or {}).get("id") or body.get("team_id")
    user = (body.get("user") or {}).get("id") or (body.get("event") or {}).get("user")
    return team, user


class _LazyCaller:
    """The request's Caller, looked up once, on first call."""

    def __init__(self, lookup: Callable[[], Caller]) -> None:
        self._lookup = lookup
        self._caller: Caller | None = None

    def __call__(self) -> Caller:
        if self._caller is None:
            self._caller = self._lookup()
        return self._caller


def listener_context(
    deps: Deps,
    homes: HomePublisher,
    after_ack: AfterAck | None = None,
    *,
    placeholder_after: float = PLACEHOLDER_AFTER_SECONDS,
) -> Callable[..., None]:
    """The middleware function, bound to the app's services, Home publisher, turns for work after acks and the
    seconds a listener has to open its modal before a placeholder goes out."""
    pacing = after_ack or AfterAck()
    socket_mode = deps.settings.socket_mode

    def put_into_context(
        body: dict[str, Any], context: BoltContext, client: WebClient, next_: Callable[[], None]
    ) -> None:
        context["placeholder_timing"] = PlaceholderTiming(arrived=time.monotonic(), after=placeholder_after)
        now = deps.now()
        directory = SlackDirectory(client)
        team_id, user_id = _team_and_user(body)
        if socket_mode:
            # Over HTTP the web server gives each request its log lines' id; Socket Mode requests never pass
            # through it. Set in the thread that hands the listener over, whose context the listener copies.
            REQUEST_ID.set(uuid.uuid4().hex[:16])
            TEAM_ID.set(team_id)

        def lookup() -> Caller:
            if not team_id or not user_id:
                raise LookupError("This request names no team and user")
            return deps.roster.caller(team_id, user_id, directory, now)

        def refresh_homes(user_ids: Iterable[str | None]) -> None:
            if team_id:
                homes.refresh(client, directory, team_id, user_ids, now)

        context["now"] = now
        context["directory"] = directory
        context["deps"] = deps
        context["caller"] = _LazyCaller(lookup)
        context["homes"] = homes
        context["refresh_homes"] = refresh_homes
        context["after_ack"] = pacing
        next_()

    return put_into_context
