"""One check of what people type, at the edge, before any listener reads it: characters that can't be saved.

A NUL (and the other C0 control characters, bar newline and tab) can never be stored on PostgreSQL, and
nobody means to type one: it comes in with pasted text. Telling the person to press Save again would never
work, so every modal's Save and every slash command is checked here first (by the decorators in
answers.py) and the person is told which field to fix.
"""

from __future__ import annotations

import re
from typing import Any

_UNSAVABLE = re.compile(r"[\x00-\x08\x0b-\x1f]")

HOW_TO_FIX = "retype that part, or paste it again as plain text"


def has_unsavable(text: object) -> bool:
    return isinstance(text, str) and _UNSAVABLE.search(text) is not None


def unsavable_fields(view: dict[str, Any]) -> dict[str, str]:
    """Block id → a field error naming the field, for every typed value in the modal's state that can't be saved."""
    labels = {
        block.get("block_id"): str((block.get("label") or {}).get("text") or "This field")
        for block in view.get("blocks") or []
        if block.get("type") == "input"
    }
    errors: dict[str, str] = {}
    values = (view.get("state") or {}).get("values") or {}
    for block_id, elements in values.items():
        if not isinstance(elements, dict):
            continue
        if any(has_unsavable(element.get("value")) for element in elements.values() if isinstance(element, dict)):
            label = labels.get(block_id, "This field")
            errors[block_id] = f"“{label}” holds an invisible control character that can't be saved: {HOW_TO_FIX}."
    return errors


def unsavable_command(command: dict[str, Any] | None) -> str | None:
    """The ephemeral answer to a slash command whose text can't be saved, or None when it's fine."""
    if not command or not has_unsavable(command.get("text")):
        return None
    name = str(command.get("command") or "the command")
    return f"What you typed after {name} holds an invisible control character that can't be saved: {HOW_TO_FIX}."
