"""Text that can never be saved is refused where it is typed, before anything reads it.

A NUL (and any C0 control character but newline and tab) can never be stored on PostgreSQL, and telling the
person to press Save again would never help: it is refused beside the field that holds it (the form stays
open as typed), or in an ephemeral answer to a slash command. Nothing is stored, on either backend.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from handlers.observations import ids as observation_ids
from storage.observations import Observation
from storage.targets import TargetDraft
from tests.cross.school import School, Stack, command, modal, seed_school
from tests.support.driver import state_for
from tests.support.observations import full_answers
from tests.support.slack import mention


@pytest.fixture
def school(fresh: Stack) -> School:
    return seed_school(fresh.deps, fresh.emulator)


def count(stack: Stack, model: Any, *where: Any) -> int:
    with stack.deps.db.unit_of_work() as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def observation_form(stack: Stack, school: School) -> dict[str, Any]:
    p = school.people
    return modal(stack.slack, lambda: stack.slack.command("/observe", mention(p.mentee), user=p.mentor), "/observe")


@pytest.mark.parametrize("character", ["\x00", "\x1b", "\r", "\x7f\x08"])
def test_a_control_character_in_a_form_is_refused_beside_its_field(
    character: str, fresh: Stack, school: School
) -> None:
    p = school.people
    view = observation_form(fresh, school)
    answers = full_answers(**{"field:strengths": f"Warm routines{character} and calm starts"})

    result = fresh.slack.submit(view, state_for(view, answers), user=p.mentor)

    assert result.status == 200
    assert result.json["response_action"] == "errors"
    [(block, message)] = result.json["errors"].items()
    assert block == observation_ids.field_block_id("strengths")
    assert "Strengths" in message and "control character" in message and "Save again" not in message
    fresh.settle()
    assert count(fresh, Observation, Observation.observer_id == p.mentor) == 0
    assert fresh.emulator.messages_to(p.mentee) == []


def test_newlines_and_tabs_are_kept(fresh: Stack, school: School) -> None:
    p = school.people
    view = observation_form(fresh, school)
    answers = full_answers(**{"field:strengths": "Warm routines\n\tand calm starts"})

    result = fresh.slack.submit(view, state_for(view, answers), user=p.mentor)

    assert result.status == 200 and not result.body
    fresh.settle()
    [stored] = _observations_by(fresh, p.mentor)
    assert stored.text("strengths") == "Warm routines\n\tand calm starts"


def _observations_by(stack: Stack, user: str) -> list[Observation]:
    with stack.deps.db.unit_of_work() as session:
        found = session.scalars(select(Observation).where(Observation.observer_id == user)).all()
        for o in found:
            o.entries  # noqa: B018 - loaded while the session is open
        session.expunge_all()
        return list(found)


def test_a_control_character_in_a_command_is_answered_ephemerally(fresh: Stack, school: School) -> None:
    p = school.people
    drafts = count(fresh, TargetDraft)

    reply = command(fresh.slack, "/target", f"{mention(p.mentee)} Mark books\x00 by Friday", user=p.mentor)

    assert "/target" in reply and "control character" in reply
    fresh.settle()
    assert count(fresh, TargetDraft) == drafts
