"""The Bolt app: configured, with every listener registered. Nothing runs at import."""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from typing import Any

from slack_bolt import App, BoltResponse

from bot.app.bootstrap import Deps
from bot.app.home_processes import HomeHelpers
from bot.app.middleware import listener_context
from bot.app.oauth import NOT_INSTALLED, authorize_by_workspace, install_flow
from handlers.certification import listeners as certification
from handlers.coaching import listeners as coaching
from handlers.concerns import listeners as concerns
from handlers.digests import listeners as digests
from handlers.home import listeners as home
from handlers.home.publishing import HomePublisher
from handlers.installations import listeners as installations
from handlers.meetings import listeners as meetings
from handlers.observations import listeners as observations
from handlers.reviews import listeners as reviews
from handlers.roster import listeners as roster
from handlers.slack.replies import SORRY
from handlers.targets import listeners as targets
from handlers.visits import listeners as visits

log = logging.getLogger(__name__)

# Bolt runs each listener, its ack() included, in this pool. Bolt's own has 5 threads: while five listeners wait
# on Slack (views.open, users.info) or the database after their ack, every new request's ack waits for a thread,
# and Slack gives up at 3 s. The web server runs at most 40 requests at once (Starlette's thread pool), so with as
# many listener threads no ack ever waits behind another request's work.
LISTENER_THREADS = 40


def create_app(
    deps: Deps,
    *,
    verify_token: bool = True,
    listener_executor: Executor | None = None,
    home_helpers: HomeHelpers | None = None,
    placeholder_after: float | None = None,
) -> App:
    """The app: with the bot token (token mode), or authorizing each request by its workspace's installation
    (OAuth mode: Bolt's install flow over our stores, bot/app/oauth.py). Home tabs are built and published by
    `home_helpers` (the server's helper processes), or in the listener's thread. `placeholder_after`: seconds
    before a slow modal's placeholder goes out (default: the MODAL_PLACEHOLDER_SECONDS setting)."""
    settings = deps.settings
    oauth: dict[str, Any] = {}
    installations = deps.slack.installations
    if installations is not None:
        oauth = {
            "oauth_flow": install_flow(settings, deps.slack.client, installations),
            "authorize": authorize_by_workspace(settings, deps.slack.client, installations),
            "user_facing_authorize_error_message": NOT_INSTALLED,
        }
    app = App(
        client=deps.slack.client,
        signing_secret=settings.slack_signing_secret.get_secret_value(),
        token_verification_enabled=verify_token,
        **oauth,
        # Listeners run in Bolt's thread pool; Slack gets its ack as soon as ack() is called.
        process_before_response=False,
        # Each listener runs with its request's log context (request id, team id): see ContextCopying.
        listener_executor=ContextCopying(
            listener_executor or ThreadPoolExecutor(max_workers=LISTENER_THREADS, thread_name_prefix="bolt-listener")
        ),
        logger=logging.getLogger("slack_bolt.App"),
    )

    @app.error
    def on_unexpected_error(error: Exception, body: dict[str, Any], respond: Any) -> BoltResponse | None:
        # Log the failure with its traceback but never the payload: it can hold personal notes.
        log.error(
            "Unhandled error in %s from team %s",
            body.get("type") or body.get("command") or "request",
            body.get("team_id") or (body.get("team") or {}).get("id"),
            exc_info=error,
        )
        if respond is not None and (body.get("response_url") or body.get("response_urls")):
            try:
                respond(response_type="ephemeral", replace_original=False, text=SORRY)
            except Exception:
                log.warning("Could not tell the user about the error")
        return None

    after = settings.modal_placeholder_seconds if placeholder_after is None else placeholder_after
    app.use(listener_context(deps, home_publisher(deps, home_helpers), placeholder_after=after))
    register_listeners(app)
    return app


class ContextCopying(Executor):
    """Runs each task in a copy of the submitting thread's context variables (the log lines' request id)."""

    def __init__(self, inner: Executor) -> None:
        self.inner = inner

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        return self.inner.submit(contextvars.copy_context().run, fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.inner.shutdown(wait=wait, cancel_futures=cancel_futures)


def register_listeners(app: App) -> None:
    """Wire every feature's listeners (each feature's `register` only wires its module-level functions)."""
    for feature in (
        roster,
        home,
        observations,
        meetings,
        targets,
        digests,
        reviews,
        concerns,
        installations,
        certification,
        coaching,
        visits,
    ):
        feature.register(app)


def home_publisher(deps: Deps, home_helpers: HomeHelpers | None = None) -> HomePublisher:
    return HomePublisher(deps.roster, deps.home, home_helpers.publish if home_helpers is not None else None)
