"""Small helpers for answering Slack the same way everywhere."""

from __future__ import annotations

import http.client
import logging
import socket
import urllib.error
from collections.abc import Callable
from typing import Any, TypeVar

from slack_bolt import Ack, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.core.errors import DomainError, FieldErrors
from handlers.slack.blocks import section

T = TypeVar("T")

# What a call to Slack can fail with: Slack's own refusal (SlackApiError), a timeout or a dropped or refused
# connection once the client's retries are spent (OSError: socket timeouts, URLError, ConnectionError), a
# broken HTTP answer, or the client's own errors. One message failing never stops the next one.
SLACK_FAILURES: tuple[type[Exception], ...] = (SlackClientError, OSError, http.client.HTTPException)


def may_have_arrived(exc: BaseException) -> bool:
    """A send that failed this way may still have been delivered: a timeout or a connection dropped after the
    request went out, or Slack's own server error. Keep its claim rather than send it again.

    False when Slack answered with a refusal (`ok: false`) or the connection was never made.
    """
    if isinstance(exc, SlackApiError):
        return exc.response.status_code >= 500
    if isinstance(exc, urllib.error.URLError) and not isinstance(exc, urllib.error.HTTPError):
        return not isinstance(exc.reason, ConnectionRefusedError | socket.gaierror)
    return isinstance(exc, OSError | http.client.HTTPException)


def failure_reason(exc: BaseException) -> str:
    """Why a call to Slack failed, for the log: Slack's error code, or the kind of failure. Never a body."""
    if isinstance(exc, SlackApiError):
        return str(exc.response.get("error"))
    return type(exc).__name__


log = logging.getLogger(__name__)

# An unexpected failure, told to the person (the app's error handler logs the cause).
SORRY = (
    "Sorry, something went wrong on my side and I couldn't finish that. "
    "Nothing you had already saved was lost; please try again in a minute."
)


def say(respond: Respond, text: str) -> None:
    """An ephemeral reply through the request's response_url, beside whatever was clicked."""
    respond(response_type="ephemeral", replace_original=False, text=text)


def record_id(body: dict[str, Any]) -> int:
    """The record id a button carries as its value; 0 (found nowhere) when it isn't one."""
    actions = body.get("actions") or [{}]
    value = str(actions[0].get("value") or "")
    # ASCII digits only ("²".isdigit() is true), and no more than an id column holds.
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 9 else 0


def request_id(body: dict[str, Any]) -> str:
    """Slack's id for this one request: a button press or command (its trigger id, else the action's time).

    The same payload delivered again (a double-click's twin, a retry, a replay) carries the same id; a new
    press carries a new one. Modal saves use their view id instead (what a double-click on Save shares).
    """
    actions = body.get("actions") or [{}]
    return str(body.get("trigger_id") or actions[0].get("action_ts") or "")


def notice_modal(title: str, text: str) -> dict[str, Any]:
    """A one-message modal: how a button press is answered when there's nothing else to open."""
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": title[:24]},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": [section(text)],
    }


def field_errors_for_view(view: dict[str, Any], errors: dict[str, str]) -> dict[str, str]:
    """Slack only shows errors on input blocks the modal has; anything else goes on the first one."""
    inputs = [b["block_id"] for b in view.get("blocks", []) if b.get("type") == "input" and b.get("block_id")]
    shown: dict[str, str] = {}
    for block_id, message in errors.items():
        target = block_id if block_id in inputs else (inputs[0] if inputs else block_id)
        shown[target] = (shown[target] + " " + message) if target in shown else message
    return {k: v[:2000] for k, v in shown.items()}


SAVE_FAILED = "Sorry, I couldn't save that just now. Everything you typed is still here: please press Save again."


def ack_save_failed(ack: Ack, view: dict[str, Any], block_id: str, what: str) -> None:
    """After an unexpected error while saving (the database gone, say): keep the modal open with what was typed.

    Call it from an `except Exception` and don't re-raise: once a listener raises, Bolt replaces the ack it
    already has with an empty 500, and Slack would show its own error instead of this message. The cause is
    logged here, with its traceback but never the payload (it holds what the person typed).
    """
    log.error("Could not save %s", what, exc_info=True)
    ack(response_action="errors", errors=field_errors_for_view(view, {block_id: SAVE_FAILED}))


def save_or_explain(
    ack: Ack,
    view: dict[str, Any],
    save: Callable[[], T],
    *,
    problem_block: str,
    what: str,
    field_block: Callable[[str], str] = lambda key: key,
) -> T | None:
    """Run a modal's save; on any problem, answer Slack with errors beside the fields and return None.

    Field errors go beside their fields, a refusal or other rule beside `problem_block`, and an
    unexpected failure keeps the modal open with everything typed (see `ack_save_failed`).
    The caller acks (closing the modal) only when a result comes back.
    """
    try:
        return save()
    except FieldErrors as exc:
        errors = {field_block(key): message for key, message in exc.errors.items()}
        ack(response_action="errors", errors=field_errors_for_view(view, errors))
    except DomainError as exc:
        ack(response_action="errors", errors=field_errors_for_view(view, {problem_block: str(exc)}))
    except Exception:
        ack_save_failed(ack, view, problem_block, what)
    return None


def send_dm(client: WebClient, user_id: str, text: str, blocks: list[dict[str, Any]] | None = None) -> dict | None:
    """DM someone; returns Slack's answer, or None when they can't be reached (logged without content).

    Slack refusing, timing out or dropping the connection are all answered the same way, so the caller's
    next message (the observer's confirmation after the teacher's DM, say) and its Home refreshes still go.
    """
    try:
        response = client.chat_postMessage(channel=user_id, text=text, blocks=blocks)
    except SLACK_FAILURES as exc:
        log.warning("Could not DM %s: %s", user_id, failure_reason(exc))
        return None
    return response.data if isinstance(response.data, dict) else None
