"""Running slash commands as a person does and reading what they see (text and blocks)."""

from __future__ import annotations

from typing import Any

from handlers.slack.modal_first import PLACEHOLDER_CALLBACK
from tests.support.driver import SlackDriver, wait_until
from tests.support.emulator import SlackEmulator
from tests.support.people import mention

__all__ = ["block_text", "mention", "modal_on_screen", "modals_opened", "reply_to"]


def modals_opened(emulator: SlackEmulator) -> int:
    """How many modals the bot has put on screen with a trigger (views.open or views.push), for `modal_on_screen`."""
    return len(emulator.calls_to("views.open")) + len(emulator.calls_to("views.push"))


def modal_on_screen(
    emulator: SlackEmulator, *, opened_before: int, what: str = "the modal", timeout: float = 5.0
) -> dict[str, Any]:
    """The modal the person sees once the bot has opened one more than `opened_before` (see `modals_opened`) and
    it shows the form itself rather than the "Opening …" placeholder: the view as it stands after any update."""

    def ready() -> dict[str, Any]:  # empty until the form is there
        if modals_opened(emulator) <= opened_before:
            return {}
        view = emulator.modal_on_screen()
        return view if view is not None and view.get("callback_id") != PLACEHOLDER_CALLBACK else {}

    return wait_until(ready, what=what, timeout=timeout)


def block_text(blocks: list[dict[str, Any]]) -> str:
    """Every piece of text in a list of blocks, as a person would read it."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") in ("mrkdwn", "plain_text") and isinstance(node.get("text"), str):
                parts.append(node["text"])
                return
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(blocks)
    return "\n".join(parts)


def reply_to(slack: SlackDriver, command: str, text: str, *, user: str, team_id: str | None = None) -> str:
    """Run a slash command and return the ephemeral reply the user sees (ack or response_url)."""
    before = len(slack.emulator.responses)
    result = slack.command(command, text, user=user, team_id=team_id)
    assert result.status == 200, result.text
    if result.body:
        body = result.json
        assert body["response_type"] == "ephemeral"
        return str(body["text"])
    response = wait_until(lambda: slack.emulator.responses[before:], what="the bot's reply")[0]
    assert response.get("response_type") == "ephemeral"
    return str(response["text"]) + "\n" + block_text(response.get("blocks", []))
