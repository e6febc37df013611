"""Sends requests to the bot's real HTTP endpoint, signed and shaped exactly as Slack sends them."""

from __future__ import annotations

import contextlib
import http.client
import itertools
import json
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from slack_sdk.signature import SignatureVerifier

from tests.support.emulator import SlackEmulator

T = TypeVar("T")
_counter = itertools.count(1)


@dataclass
class HttpResult:
    status: int
    body: bytes
    headers: dict[str, str]

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def wait_until(condition: Callable[[], T], *, timeout: float = 5.0, what: str = "condition") -> T:
    """Poll until `condition()` is truthy: listeners finish after Slack has had its ack."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"Timed out waiting for {what}")
        time.sleep(0.01)


class SlackDriver:
    """Plays the part of Slack's servers (and of the people using Slack)."""

    def __init__(
        self,
        base_url: str,
        signing_secret: str,
        emulator: SlackEmulator,
        *,
        team_id: str = "T0001",
        team_domain: str = "test-school",
        api_app_id: str = "A0001",
    ) -> None:
        self.url = base_url.rstrip("/") + "/slack/events"
        self.verifier = SignatureVerifier(signing_secret)
        self.emulator = emulator
        self.team_id = team_id
        self.team_domain = team_domain
        self.api_app_id = api_app_id

    # --- raw HTTP -------------------------------------------------------------------------------
    def post(
        self,
        body: bytes,
        content_type: str,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> HttpResult:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        if signature is None:
            signature = self.verifier.generate_signature(timestamp=ts, body=body.decode("utf-8", "replace")) or ""
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature,
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
            **(extra_headers or {}),
        }
        target = urllib.parse.urlsplit(self.url)
        connection = http.client.HTTPConnection(target.hostname or "127.0.0.1", target.port, timeout=10)
        try:
            # The server may answer (413) before reading everything we send: its answer is still waiting.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                connection.request("POST", target.path, body=body, headers=headers)
            response = connection.getresponse()
            return HttpResult(response.status, response.read(), dict(response.getheaders()))
        finally:
            connection.close()

    def _form(self, fields: dict[str, str], **kwargs: Any) -> HttpResult:
        return self.post(urllib.parse.urlencode(fields).encode(), "application/x-www-form-urlencoded", **kwargs)

    def _payload(self, payload: dict[str, Any], **kwargs: Any) -> HttpResult:
        return self._form({"payload": json.dumps(payload)}, **kwargs)

    # --- what people do ---------------------------------------------------------------------------
    def command(
        self,
        command: str,
        text: str,
        *,
        user: str,
        channel: str = "C0GENERAL",
        team_id: str | None = None,
        **kwargs: Any,
    ) -> HttpResult:
        """A slash command, form-encoded as Slack sends it."""
        n = next(_counter)
        fields = {
            "token": "legacy-verification-token",
            "team_id": team_id or self.team_id,
            "team_domain": self.team_domain,
            "channel_id": channel,
            "channel_name": "general",
            "user_id": user,
            "user_name": user.lower(),
            "command": command,
            "text": text,
            "api_app_id": self.api_app_id,
            "is_enterprise_install": "false",
            "response_url": self.emulator.response_url(f"cmd-{n}"),
            "trigger_id": self.emulator.new_trigger_id(),
        }
        return self._form(fields, **kwargs)

    def _user(self, user: str, team_id: str | None) -> dict[str, Any]:
        return {"id": user, "username": user.lower(), "name": user.lower(), "team_id": team_id or self.team_id}

    def click(
        self,
        action_id: str,
        *,
        user: str,
        value: str | None = None,
        block_id: str = "actions",
        view: dict[str, Any] | None = None,
        message: dict[str, Any] | None = None,
        channel: str | None = None,
        team_id: str | None = None,
        extra_action: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> HttpResult:
        """A button press (block_actions), from a message or a view; `extra_action` for selects etc."""
        n = next(_counter)
        action: dict[str, Any] = {
            "type": "button",
            "action_id": action_id,
            "block_id": block_id,
            "text": {"type": "plain_text", "text": "Button"},
            "action_ts": f"{time.time():.6f}",
        }
        if value is not None:
            action["value"] = value
        action.update(extra_action or {})
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": self._user(user, team_id),
            "api_app_id": self.api_app_id,
            "token": "legacy-verification-token",
            "trigger_id": self.emulator.new_trigger_id(),
            "team": {"id": team_id or self.team_id, "domain": self.team_domain},
            "enterprise": None,
            "is_enterprise_install": False,
            "actions": [action],
        }
        if view is not None:
            payload["container"] = {"type": "view", "view_id": view.get("id")}
            payload["view"] = view
        else:
            ts = (message or {}).get("ts", "1700000000.000100")
            payload["container"] = {"type": "message", "message_ts": ts, "channel_id": channel or "D0001"}
            payload["channel"] = {"id": channel or "D0001", "name": "directmessage"}
            payload["message"] = message or {"ts": ts, "type": "message", "text": ""}
            payload["response_url"] = self.emulator.response_url(f"act-{n}")
        return self._payload(payload, **kwargs)

    def submit(
        self,
        view: dict[str, Any],
        values: dict[str, dict[str, dict[str, Any]]],
        *,
        user: str,
        team_id: str | None = None,
        **kwargs: Any,
    ) -> HttpResult:
        """Submit a modal the bot opened, with the state Slack would send for what was typed."""
        submitted = {
            "id": view["id"],
            "team_id": team_id or self.team_id,
            "type": view.get("type", "modal"),
            "blocks": view.get("blocks", []),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "state": {"values": values},
            "hash": view.get("hash", "1700000000.abcdef"),
            "title": view.get("title"),
            "clear_on_close": False,
            "notify_on_close": False,
            "close": view.get("close"),
            "submit": view.get("submit"),
            "previous_view_id": None,
            "root_view_id": view["id"],
            "app_id": self.api_app_id,
            "external_id": "",
            "app_installed_team_id": team_id or self.team_id,
            "bot_id": "B0001",
        }
        payload = {
            "type": "view_submission",
            "team": {"id": team_id or self.team_id, "domain": self.team_domain},
            "user": self._user(user, team_id),
            "api_app_id": self.api_app_id,
            "token": "legacy-verification-token",
            "trigger_id": self.emulator.new_trigger_id(),
            "view": submitted,
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        }
        return self._payload(payload, **kwargs)

    def event(
        self, event: dict[str, Any], *, team_id: str | None = None, org_install: str | None = None, **kwargs: Any
    ) -> HttpResult:
        """An Events API callback, JSON as Slack sends it. `org_install`: the enterprise id of an org-wide install
        the event comes to through workspace `team_id`."""
        n = next(_counter)
        team = team_id or self.team_id
        envelope = {
            "token": "legacy-verification-token",
            "team_id": team,
            "enterprise_id": org_install,
            "api_app_id": self.api_app_id,
            "event": {"event_ts": f"{time.time():.6f}", **event},
            "type": "event_callback",
            "event_id": f"Ev{n:08d}",
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "enterprise_id": org_install,
                    "team_id": None if org_install else team,
                    "user_id": "UBOT",
                    "is_bot": True,
                    "is_enterprise_install": org_install is not None,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": f"4-event-context-{n}",
        }
        return self.post(json.dumps(envelope).encode(), "application/json", **kwargs)

    def open_home(self, user: str, *, team_id: str | None = None) -> HttpResult:
        return self.event({"type": "app_home_opened", "user": user, "channel": "D0001", "tab": "home"}, team_id=team_id)


def state_for(view: dict[str, Any], answers: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    """view.state.values as Slack builds it: every input block, with what the user entered (or nothing).

    `answers` maps block_id to a plain value: option value for selects and radios, ISO date for
    datepickers, user id for user selects, text for text and number inputs.
    """
    values: dict[str, dict[str, dict[str, Any]]] = {}
    for block in view.get("blocks", []):
        if block.get("type") != "input":
            continue
        element = block["element"]
        kind, action_id = element["type"], element.get("action_id", "")
        answer = answers.get(block["block_id"])
        state: dict[str, Any] = {"type": kind}
        if kind in ("static_select", "radio_buttons"):
            grouped = [o for group in element.get("option_groups", []) for o in group["options"]]
            option = next((o for o in element.get("options", grouped) if o["value"] == answer), None)
            if answer is not None and option is None:
                raise AssertionError(f"{answer!r} is not an option of {block['block_id']}")
            state["selected_option"] = option
        elif kind in ("multi_static_select", "checkboxes"):
            state["selected_options"] = [o for o in element.get("options", []) if o["value"] in (answer or [])]
        elif kind == "datepicker":
            state["selected_date"] = answer
        elif kind == "users_select":
            state["selected_user"] = answer
        elif kind == "multi_users_select":
            state["selected_users"] = list(answer or [])
        elif kind in ("plain_text_input", "number_input"):
            state["value"] = None if answer is None else str(answer)
        else:
            raise AssertionError(f"state_for does not know {kind}")
        values[block["block_id"]] = {action_id: state}
    return values
