"""manifest.yml and the code must agree: every command, event, scope and interactivity."""

from __future__ import annotations

import re
from typing import Any

import yaml
from slack_bolt import App

from bot.app.bootstrap import Deps
from bot.app.slack_app import register_listeners
from tests.support.cli import ROOT

MANIFEST = yaml.safe_load((ROOT / "manifest.yml").read_text())

# The bot scope each Web API method needs. A method missing here fails the test: add it and its scope.
METHOD_SCOPES: dict[str, str | None] = {
    "auth_test": None,
    "auth_teams_list": None,  # an org-wide install's workspaces: Slack asks no scope for it
    "chat_postMessage": "chat:write",
    "chat_postEphemeral": "chat:write",
    "chat_update": "chat:write",
    "chat_delete": "chat:write",
    "conversations_open": "im:write",
    "conversations_info": "channels:read",
    "conversations_history": "im:history",
    "users_info": "users:read",
    "users_list": "users:read",
    "users_lookupByEmail": "users:read.email",
    "views_open": None,
    "views_push": None,
    "views_update": None,
    "views_publish": None,
    "files_upload_v2": "files:write",
    "files_getUploadURLExternal": "files:write",
    "files_completeUploadExternal": "files:write",
}


class RecordingApp(App):
    """A Bolt app that remembers what the handlers register."""

    def __init__(self) -> None:
        super().__init__(token="xoxb-recording", signing_secret="s", token_verification_enabled=False)
        self.commands: set[str] = set()
        self.events: set[str] = set()
        self.interactive: list[str] = []

    def command(self, command: Any, *args: Any, **kwargs: Any) -> Any:
        self.commands.add(command)
        return super().command(command, *args, **kwargs)

    def event(self, event: Any, *args: Any, **kwargs: Any) -> Any:
        self.events.add(event if isinstance(event, str) else event["type"])
        return super().event(event, *args, **kwargs)

    def action(self, constraints: Any, *args: Any, **kwargs: Any) -> Any:
        self.interactive.append(str(constraints))
        return super().action(constraints, *args, **kwargs)

    def view(self, constraints: Any, *args: Any, **kwargs: Any) -> Any:
        self.interactive.append(str(constraints))
        return super().view(constraints, *args, **kwargs)


def registered(deps: Deps) -> RecordingApp:
    app = RecordingApp()
    register_listeners(app)
    return app


def test_slash_commands_match(deps: Deps) -> None:
    declared = {c["command"] for c in MANIFEST["features"]["slash_commands"]}
    assert declared == registered(deps).commands
    for command in MANIFEST["features"]["slash_commands"]:
        assert command["should_escape"] is True, "mentions must arrive as <@U…|name>"
        assert command["url"].endswith("/slack/events")


def test_events_match(deps: Deps) -> None:
    declared = set(MANIFEST["settings"]["event_subscriptions"]["bot_events"])
    assert declared == registered(deps).events


def test_interactivity_is_on_when_the_code_has_buttons_or_modals(deps: Deps) -> None:
    app = registered(deps)
    interactivity = MANIFEST["settings"]["interactivity"]
    if app.interactive:
        assert interactivity["is_enabled"] is True
    assert interactivity["request_url"].endswith("/slack/events")


def test_home_tab_is_enabled_when_the_code_publishes_it(deps: Deps) -> None:
    if "app_home_opened" in registered(deps).events:
        assert MANIFEST["features"]["app_home"]["home_tab_enabled"] is True


def _web_api_methods_used() -> set[str]:
    pattern = re.compile(r"\bclient\.([a-zA-Z_0-9]+)\(")
    used: set[str] = set()
    for folder in ("bot", "handlers"):
        for path in (ROOT / folder).rglob("*.py"):
            used |= set(pattern.findall(path.read_text()))
    return used


def test_every_web_api_method_used_has_its_scope_declared() -> None:
    declared = set(MANIFEST["oauth_config"]["scopes"]["bot"])
    used = _web_api_methods_used()
    unknown = used - METHOD_SCOPES.keys()
    assert not unknown, f"add these methods and their scopes to METHOD_SCOPES: {sorted(unknown)}"
    needed = {scope for m in used if (scope := METHOD_SCOPES[m])}
    assert needed <= declared, f"manifest.yml lacks scopes: {sorted(needed - declared)}"
    if MANIFEST["features"]["slash_commands"]:
        assert "commands" in declared


def test_the_install_asks_for_exactly_the_manifest_scopes_each_with_its_reason() -> None:
    from handlers.installations.html_pages import SCOPES

    assert list(SCOPES) == MANIFEST["oauth_config"]["scopes"]["bot"]
    assert all(why.strip() for why in SCOPES.values())
    assert [url.endswith("/slack/oauth_redirect") for url in MANIFEST["oauth_config"]["redirect_urls"]] == [True]
