"""Slack failing part-way through what the bot sends: each message is independent.

The teacher's DM timing out still leaves the observer told, the lead alerted and the Homes refreshed; the log
says so in one line, without the message.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from sqlalchemy import func, select

from storage.observations import Observation
from tests.cross.school import School, Stack, modal, seed_school
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


def test_a_timed_out_dm_to_the_teacher_still_tells_the_observer_and_refreshes_homes(
    fresh: Stack, school: School, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    p = school.people
    view = observation_form(fresh, school)
    monkeypatch.setattr(fresh.deps.slack.client, "timeout", 1)  # Bolt copies it into each request's client
    fresh.emulator.delay_next("chat.postMessage", 3, channel=p.mentee)

    with caplog.at_level(logging.WARNING):
        result = fresh.slack.submit(view, state_for(view, full_answers()), user=p.mentor)
        assert result.status == 200 and not result.body
        fresh.settle()

    assert count(fresh, Observation, Observation.observer_id == p.mentor) == 1
    assert [m for m in fresh.emulator.messages_to(p.mentor) if "Saved your observation" in m.get("text", "")]
    published = {call.params.get("user_id") for call in fresh.emulator.calls_to("views.publish")}
    assert {p.mentee, p.mentor} <= published
    [line] = [r.getMessage() for r in caplog.records if "Could not DM" in r.getMessage()]
    assert p.mentee in line and ("timeout" in line.lower() or "Timeout" in line)
    assert not any(r.exc_info for r in caplog.records if r.levelno >= logging.ERROR)


def test_slack_refusing_one_dm_lets_the_others_go(fresh: Stack, school: School) -> None:
    p = school.people
    view = observation_form(fresh, school)
    # Slack answers the teacher's DM with a 500 three times over: the client's retries are spent.
    fresh.emulator.fail_next("chat.postMessage", status=500, times=3)

    result = fresh.slack.submit(view, state_for(view, full_answers(**{"field:on_track": "no"})), user=p.mentor)

    assert result.status == 200 and not result.body
    fresh.settle()
    assert [m for m in fresh.emulator.messages_to(p.mentor) if "Saved your observation" in m.get("text", "")]
    assert fresh.emulator.messages_to(p.lead)  # the lead's alert still goes
