"""Driving /meeting as a mentor does: open the modal, fill it and submit it."""

from __future__ import annotations

from typing import Any

from tests.support.driver import SlackDriver, state_for
from tests.support.people import AMY, BEN
from tests.support.slack import mention, modal_on_screen, modals_opened

MEETING = "/meeting"


def open_modal(slack: SlackDriver, text: str = "", *, user: str = AMY) -> dict[str, Any]:
    before = modals_opened(slack.emulator)
    result = slack.command(MEETING, text or mention(BEN, "ben"), user=user)
    assert result.status == 200 and not result.body, result.text
    return modal_on_screen(slack.emulator, opened_before=before, what="the meeting modal")


def submit(slack: SlackDriver, view: dict[str, Any], answers: dict[str, Any], *, user: str = AMY) -> Any:
    result = slack.submit(view, state_for(view, answers), user=user)
    assert result.status == 200, result.text
    return result.json if result.body else None


NOTES = "Talked through the Year 5 fractions lesson.\nBehaviour at transitions is improving."


def answers(view: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    filled: dict[str, Any] = {"held_on": "2026-11-24", "duration": "40", "notes": NOTES, "wellbeing": "4"}
    filled.update(overrides)
    return filled
