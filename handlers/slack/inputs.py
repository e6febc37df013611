"""Modal inputs built one way (every element's action id is VALUE) and read back from a submission's state."""

from __future__ import annotations

from datetime import date
from typing import Any

from handlers.slack.blocks import Block, truncate, user_text

VALUE = "value"


def plain(text: str, limit: int = 75) -> dict[str, Any]:
    return {"type": "plain_text", "text": truncate(text, limit)}


def option(text: str, value: str) -> dict[str, Any]:
    return {"text": plain(text), "value": value}


def quoted(text: str | None) -> str:
    """Typed text as a mrkdwn quote, escaped (handlers/slack/blocks.py `user_text`)."""
    return "\n".join(f">{line}" for line in user_text(text or "").splitlines() or [""])


def field(block_id: str, label: str, element: dict[str, Any], *, optional: bool = False, hint: str = "") -> Block:
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": plain(label, 2000),
        "element": {**element, "action_id": VALUE},
        "optional": optional,
    }
    if hint:
        block["hint"] = plain(hint, 2000)
    return block


def text_element(limit: int, initial: str | None = None, *, multiline: bool = True) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "plain_text_input", "multiline": multiline, "max_length": limit}
    if initial:
        element["initial_value"] = initial[:limit]
    return element


def date_element(initial: date | None) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "datepicker"}
    if initial:
        element["initial_date"] = initial.isoformat()
    return element


def modal(
    callback_id: str, title: str, blocks: list[Block], *, submit: str | None, metadata: str = ""
) -> dict[str, Any]:
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain(title, 24),
        "close": plain("Cancel" if submit else "Close", 24),
        "private_metadata": metadata,
        "blocks": blocks,
    }
    if submit:
        view["submit"] = plain(submit, 24)
    return view


def state_value(values: dict[str, Any], block_id: str) -> dict[str, Any]:
    return dict((values.get(block_id) or {}).get(VALUE) or {})


def read_text(values: dict[str, Any], block_id: str) -> str | None:
    value = state_value(values, block_id).get("value")
    return value if isinstance(value, str) else None


def read_date(values: dict[str, Any], block_id: str) -> date | None:
    raw = state_value(values, block_id).get("selected_date")
    try:
        return date.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        return None


def read_selected(values: dict[str, Any], block_id: str) -> str | None:
    chosen = state_value(values, block_id).get("selected_option") or {}
    value = chosen.get("value") if isinstance(chosen, dict) else None
    return value if isinstance(value, str) else None


def read_checked(values: dict[str, Any], block_id: str) -> set[str]:
    chosen = state_value(values, block_id).get("selected_options") or []
    return {str(o.get("value")) for o in chosen if isinstance(o, dict)}


def read_user(values: dict[str, Any], block_id: str) -> str | None:
    user = state_value(values, block_id).get("selected_user")
    return user if isinstance(user, str) and user else None


def read_users(values: dict[str, Any], block_id: str) -> list[str]:
    users = state_value(values, block_id).get("selected_users") or []
    return [u for u in users if isinstance(u, str) and u]
