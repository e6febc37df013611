"""The Set target modal the Home tab opens: the words go through /target's own draft."""

from __future__ import annotations

import json
from typing import Any

from bot.targets.service import TEXT_LIMIT
from handlers.home.ids import TARGET_CALLBACK, TARGET_TEXT, VALUE
from handlers.slack.blocks import section
from handlers.targets.blocks import mrkdwn
from storage.roster import Person

# --- the Set target modal --------------------------------------------------------------------------------------------


def target_modal(mentee: Person) -> dict[str, Any]:
    """What the Home's **Set target** opens: the mentee preset, the target in plain words, as after /target."""
    return {
        "type": "modal",
        "callback_id": TARGET_CALLBACK,
        "title": {"type": "plain_text", "text": "Set a target"},
        "submit": {"type": "plain_text", "text": "Next"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": json.dumps({"mentee": mentee.user_id}),
        "blocks": [
            section(f"New target for *{mrkdwn(mentee.display)}* (<@{mentee.user_id}>)"),
            {
                "type": "input",
                "block_id": TARGET_TEXT,
                "label": {"type": "plain_text", "text": "What will they do, and by when?"},
                "hint": {
                    "type": "plain_text",
                    "text": "As you'd type it after /target, e.g. “Use cold calling in every lesson by Monday week”. "
                    "I'll show you the date I understood before anything is saved.",
                },
                "element": {
                    "type": "plain_text_input",
                    "action_id": VALUE,
                    "multiline": True,
                    "max_length": TEXT_LIMIT,
                },
            },
        ],
    }


def read_target_text(view: dict[str, Any]) -> str:
    values = view.get("state", {}).get("values", {})
    return str((values.get(TARGET_TEXT, {}).get(VALUE) or {}).get("value") or "")


def target_sent_modal(mentee_id: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Set a target"},
        "close": {"type": "plain_text", "text": "Done"},
        "blocks": [
            section(
                f":mailbox_with_mail: I've put the target for <@{mentee_id}> in your messages with me (the "
                "*Messages* tab), with the date I understood. Press *Confirm* there to save it and send it to them, "
                "or change the date first."
            )
        ],
    }
