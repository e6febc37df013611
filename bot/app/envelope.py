"""The shape of what Slack sends, checked once at the door, before any listener reads it.

A request that passed the signature check but isn't shaped as Slack shapes it (a JSON list, a button
without an action id, a modal whose state isn't a mapping, text with a lone surrogate...) can only come
from something holding the signing secret, or a fault: it gets a 400 and one log line, rather than a
traceback from deep inside a listener and a 500. Only what Bolt and our listeners read is checked, so a
field Slack adds tomorrow passes.
"""

from __future__ import annotations

import json
from typing import Any

INTERACTIVE = {"block_actions", "block_suggestion", "view_submission", "view_closed", "shortcut", "message_action"}
COMMAND_FIELDS = ("command", "user_id", "team_id", "trigger_id", "response_url")
STATE_FIELDS = {
    "value": str,
    "selected_date": str,
    "selected_time": str,
    "selected_user": str,
    "selected_channel": str,
    "selected_conversation": str,
    "selected_option": dict,
    "selected_options": list,
    "selected_users": list,
}
MAX_DEPTH = 64
# The record ids our modals carry in their private_metadata (the rest are user ids, form names and flags).
ID_KEYS = {"meeting", "observation", "edit", "target"}
MAX_ID = 2**31 - 1  # PostgreSQL's integer


def _plain(value: Any) -> bool:
    return value is None or (isinstance(value, (str, int, bool)) and not isinstance(value, float))


def _plain_list(value: Any) -> bool:
    return isinstance(value, list) and all(_plain(v) for v in value)


def _record_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_ID


class Malformed(Exception):
    """What is wrong, in a few words fit for a log line (never a value from the request)."""


def check(body: Any) -> None:
    """Raise Malformed when `body` (as Bolt parsed it) is not shaped as Slack sends it."""
    if not isinstance(body, dict):
        raise Malformed(f"the body is a {type(body).__name__}, not an object")
    _plain_text(body, 0)
    if "command" in body:
        _command(body)
    elif "type" in body:
        kind = body["type"]
        if not isinstance(kind, str):
            raise Malformed("type is not a string")
        if kind in INTERACTIVE:
            _interactive(kind, body)
        elif kind == "url_verification":
            _field(body, "challenge", str, "url_verification")
        elif kind == "event_callback":
            _event(body)
        # Any other type is Bolt's to refuse (404), as it refuses one we have no listener for.
    else:
        raise Malformed("neither a command, an interaction nor an event")


def _plain_text(node: Any, depth: int) -> None:
    """No lone surrogates (they can't be stored or sent on), and no absurd nesting."""
    if depth > MAX_DEPTH:
        raise Malformed("nested too deeply")
    if isinstance(node, str):
        try:
            node.encode("utf-8")
        except UnicodeEncodeError:
            raise Malformed("text that is not valid Unicode") from None
    elif isinstance(node, dict):
        for key, value in node.items():
            _plain_text(key, depth + 1)
            _plain_text(value, depth + 1)
    elif isinstance(node, list):
        for value in node:
            _plain_text(value, depth + 1)


def _field(node: dict[str, Any], name: str, kind: type, where: str, *, optional: bool = False) -> Any:
    value = node.get(name)
    if value is None and optional:
        return None
    if not isinstance(value, kind) or (kind is str and not optional and not value and name != "text"):
        raise Malformed(f"{where}.{name} is missing or not a {kind.__name__}")
    return value


def _command(body: dict[str, Any]) -> None:
    for name in COMMAND_FIELDS:
        _field(body, name, str, "command")
    _field(body, "text", str, "command")


def _who(kind: str, body: dict[str, Any]) -> None:
    _field(_field(body, "user", dict, kind), "id", str, f"{kind}.user")
    team = body.get("team")
    if team is None:
        _field(_field(body, "enterprise", dict, kind), "id", str, f"{kind}.enterprise")
    else:
        _field(_field(body, "team", dict, kind), "id", str, f"{kind}.team")


def _interactive(kind: str, body: dict[str, Any]) -> None:
    _who(kind, body)
    for name in ("trigger_id", "response_url", "callback_id"):
        _field(body, name, str, kind, optional=True)
    for name in ("container", "channel", "message"):
        _field(body, name, dict, kind, optional=True)
    if kind in ("block_actions", "block_suggestion"):
        container = _field(body, "container", dict, kind)
        if container.get("type") == "view":
            _field(body, "view", dict, kind)
    if kind == "block_actions":
        actions = _field(body, "actions", list, kind)
        if not actions:
            raise Malformed("block_actions.actions is empty")
        for action in actions:
            if not isinstance(action, dict):
                raise Malformed("an action is not an object")
            _field(action, "action_id", str, "action")
            _field(action, "block_id", str, "action", optional=True)
            _state_value(action, "action")
    if kind in ("view_submission", "view_closed") or body.get("view") is not None:
        _view(_field(body, "view", dict, kind), kind)


def _view(view: dict[str, Any], kind: str) -> None:
    where = f"{kind}.view"
    _field(view, "id", str, where)
    _field(view, "callback_id", str, where, optional=True)
    metadata = _field(view, "private_metadata", str, where, optional=True) or ""
    if view.get("type") == "modal" and metadata:
        # Every modal we open carries a JSON object of plain values (ids and names) here.
        try:
            decoded = json.loads(metadata)
        except ValueError:
            raise Malformed(f"{where}.private_metadata is not JSON") from None
        if not isinstance(decoded, dict) or not all(_plain(v) or _plain_list(v) for v in decoded.values()):
            raise Malformed(f"{where}.private_metadata is not an object of plain values")
        for key in ID_KEYS & decoded.keys():
            if decoded[key] is not None and not _record_id(decoded[key]):
                raise Malformed(f"{where}.private_metadata.{key} is not a record id")
        if not (_plain_list(decoded.get("reviews", [])) and all(_record_id(v) for v in decoded.get("reviews", []))):
            raise Malformed(f"{where}.private_metadata.reviews is not a list of record ids")
    blocks = _field(view, "blocks", list, where, optional=True) or []
    if not all(isinstance(block, dict) for block in blocks):
        raise Malformed(f"{where}.blocks holds something that is not a block")
    state = _field(view, "state", dict, where, optional=kind != "view_submission")
    values = _field(state, "values", dict, f"{where}.state") if state is not None else {}
    for block in values.values():
        if not isinstance(block, dict):
            raise Malformed(f"{where}.state.values holds something that is not a block's state")
        for element in block.values():
            if not isinstance(element, dict):
                raise Malformed(f"{where}.state.values holds something that is not an element's state")
            _state_value(element, f"{where}.state")


def _state_value(element: dict[str, Any], where: str) -> None:
    for name, kind in STATE_FIELDS.items():
        if name in element:
            _field(element, name, kind, where, optional=True)
    for option in element.get("selected_options") or []:
        if not isinstance(option, dict):
            raise Malformed(f"{where}.selected_options holds something that is not an option")
    option = element.get("selected_option")
    if isinstance(option, dict):
        _field(option, "value", str, f"{where}.selected_option")


def _event(body: dict[str, Any]) -> None:
    _field(body, "team_id", str, "event_callback", optional="enterprise_id" in body)
    event = _field(body, "event", dict, "event_callback")
    kind = _field(event, "type", str, "event")
    if kind == "app_home_opened":
        _field(event, "user", str, "app_home_opened")
        _field(event, "tab", str, "app_home_opened", optional=True)
