"""Driving /observe as a person does: open the form, fill every field, submit, and find the DM's buttons."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from storage.db import Database
from storage.observations import Observation
from tests.support.driver import SlackDriver, state_for
from tests.support.emulator import SlackEmulator
from tests.support.people import AMY
from tests.support.slack import block_text, modal_on_screen, modals_opened

STANDARDS = [f"standard_{n}" for n in range(1, 9)] + ["part_two"]


def open_form(slack: SlackDriver, text: str, *, user: str = AMY) -> dict[str, Any]:
    before = modals_opened(slack.emulator)
    result = slack.command("/observe", text, user=user)
    assert result.status == 200 and not result.body
    return modal_on_screen(slack.emulator, opened_before=before, what="the modal")


def full_answers(**overrides: Any) -> dict[str, Any]:
    answers: dict[str, Any] = {
        "date": "2026-11-24",
        "subject": "Maths",
        "class_group": "Year 5",
        "pupils": "28",
        "duration": "50",
        "focus": "Equivalent fractions with bar models",
        **{f"field:{key}": "partly" for key in STANDARDS},
        "field:standard_7": "fully",
        "field:standard_3": "not",
        "comment:standard_3": "Misconception about denominators went unaddressed.",
        "field:strengths": "Warm, calm routines; pupils settled within a minute.",
        "field:development": "Check understanding before moving on.",
        "field:on_track": "yes",
        "field:next_steps": "Plan hinge questions for each lesson next week.",
    }
    answers.update(overrides)
    return answers


def submit(slack: SlackDriver, view: dict[str, Any], answers: dict[str, Any], *, user: str = AMY) -> Any:
    result = slack.submit(view, state_for(view, answers), user=user)
    assert result.status == 200, result.text
    return result.json if result.body else None


def dms_to(emulator: SlackEmulator, user: str) -> list[dict[str, Any]]:
    return emulator.messages_to(user)


def button(message: dict[str, Any], action_id: str) -> dict[str, Any]:
    for block in message.get("blocks", []):
        for element in [*block.get("elements", []), block.get("accessory") or {}]:
            if element.get("action_id") == action_id:
                return dict(element)
    raise AssertionError(f"no {action_id} button in {block_text(message.get('blocks', []))}")


def observations(db: Database) -> list[Observation]:
    with db.unit_of_work() as session:
        rows = session.scalars(select(Observation).order_by(Observation.id)).all()
        for row in rows:
            _ = row.entries
        return list(rows)
