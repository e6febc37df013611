"""OAuth mode: Bolt's install flow over our stores and pages, and the authorization of each request by workspace.

Bolt serves the install (`/slack/install`: our page with its "Add to Slack" link, and the state cookie) and the
redirect (`/slack/oauth_redirect`: the state checked and used once, the code exchanged with `oauth.v2.access` at
SLACK_API_URL, the installation saved). bot/app/web.py routes both GETs here.
"""

from __future__ import annotations

import logging
import re

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_bolt.oauth import OAuthFlow
from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from bot.app.settings import Settings
from handlers.installations import html_pages as pages
from storage.installations import InstallationStore, OAuthStateStore

log = logging.getLogger(__name__)

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
_HTML = {"Content-Type": "text/html; charset=utf-8"}
# The reply to a request from a workspace with no installation (never installed, or uninstalled).
NOT_INSTALLED = (
    "mentor-bot is not installed in this workspace (or was uninstalled), so it can't do that. "
    "Ask a workspace admin to install it; any records your school had are still there."
)


class InstallFlow(OAuthFlow):
    """Bolt's OAuth flow with our install page."""

    def build_install_page_html(self, url: str, request: BoltRequest) -> str:
        return pages.install_page(url)


def _succeeded(args: SuccessArgs) -> BoltResponse:
    installation = args.installation
    log.info("mentor-bot was installed in workspace %s", installation.team_id or installation.enterprise_id)
    return BoltResponse(status=200, body=pages.success_page(installation.team_name), headers=dict(_HTML))


def _failed(args: FailureArgs) -> BoltResponse:
    # The reason can come from the browser's query (`error=`): only a short code is kept, for the log and the page.
    reason = args.reason if re.fullmatch(r"[a-z_]{1,40}", args.reason or "") else "unrecognised"
    log.warning("An install did not finish: %s", reason)  # never the code, the state or a token
    status = args.suggested_status_code
    return BoltResponse(status=status, body=pages.failure_page(reason, INSTALL_PATH), headers=dict(_HTML))


def oauth_settings(settings: Settings, installations: InstallationStore, states: OAuthStateStore) -> OAuthSettings:
    if settings.slack_client_id is None or settings.slack_client_secret is None:
        raise ValueError("OAuth mode needs SLACK_CLIENT_ID and SLACK_CLIENT_SECRET")
    return OAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret.get_secret_value(),
        scopes=list(pages.SCOPES),
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        installation_store=installations,
        installation_store_bot_only=True,  # the bot acts with its own token only; no user tokens are asked for
        state_store=states,
        state_expiration_seconds=states.expiration_seconds,
        callback_options=CallbackOptions(success=_succeeded, failure=_failed),
    )


def install_flow(settings: Settings, client: WebClient, installations: InstallationStore) -> InstallFlow:
    """The flow; `client` (no token, base URL SLACK_API_URL) makes the token exchange and its auth.test."""
    states = OAuthStateStore(installations.engine)
    return InstallFlow(client=client, settings=oauth_settings(settings, installations, states), logger=log)


def authorize_by_workspace(
    settings: Settings, client: WebClient, installations: InstallationStore
) -> InstallationStoreAuthorize:
    """Each request's token, from the installation for its team (and enterprise) id.

    The auth.test Bolt makes for a token is cached (per token): after the first request from a workspace, no Slack
    call stands between a request and its listener. An uninstalled workspace has no token, so nothing is cached
    for it any more.
    """
    return InstallationStoreAuthorize(
        logger=log,
        installation_store=installations,
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret.get_secret_value() if settings.slack_client_secret else None,
        bot_only=True,
        cache_enabled=True,
        client=client,
    )


def install_routes(bolt_app: App, settings: Settings) -> list[Route]:
    """The GET pages of OAuth mode, for bot/app/web.py: install, Slack's redirect back, and /privacy."""
    flow = bolt_app.oauth_flow
    if flow is None:
        raise ValueError("The app has no OAuth flow: install pages are for OAuth mode")
    privacy_html = pages.privacy_page(settings.retention_days)

    async def install(request: Request) -> Response:
        bolt_response = await run_in_threadpool(flow.handle_installation, to_bolt_request(request, b""))
        return to_starlette_response(bolt_response)

    async def redirected(request: Request) -> Response:
        bolt_response = await run_in_threadpool(flow.handle_callback, to_bolt_request(request, b""))
        return to_starlette_response(bolt_response)

    async def privacy(request: Request) -> Response:
        return HTMLResponse(privacy_html)

    return [
        Route(INSTALL_PATH, install, methods=["GET"]),
        Route(REDIRECT_PATH, redirected, methods=["GET"]),
        Route(pages.PRIVACY_PATH, privacy, methods=["GET"]),
    ]
