"""The same payload ten times at once, and a meeting review racing a target button (issue 13, points 10–11).

* Ten identical deliveries of an observation correction, a meeting correction, the Home tab's **Set target**
  or a **Nudge**, all at the same moment, store once and tell once: each request carries a key (the modal's
  view id, the click's trigger id) claimed in the transaction that acts on it.
* A meeting that reviews a target as dropped while its mentor presses **Met** on it: whichever closes it
  first stands, and the status, the audit log, the meeting's review and everyone's messages agree on it;
  the one who lost is told what actually happened.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select

from handlers.home import ids as home_ids
from handlers.meetings import ids as meeting_ids
from handlers.observations import ids as observation_ids
from handlers.targets import ids as target_ids
from storage.digests import Nudge
from storage.meetings import MeetingRevision, MeetingTargetReview
from storage.observations import ObservationRevision
from storage.roster import AuditEntry
from storage.targets import Target, TargetDraft, TargetStatus
from tests.cross.school import School, Stack, directory, modal, nudge_click, seed_school
from tests.support.driver import HttpResult, state_for
from tests.support.observations import full_answers
from tests.support.replay import at_once, captured
from tests.support.slack import block_text, mention

TIMES = 10


@pytest.fixture
def school(fresh: Stack) -> School:
    return seed_school(fresh.deps, fresh.emulator)


def count(stack: Stack, model: Any, *where: Any) -> int:
    with stack.deps.db.unit_of_work() as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def messages_to(stack: Stack, user: str, containing: str = "") -> list[dict[str, Any]]:
    stack.settle()
    return [
        m
        for m in stack.emulator.messages_to(user)
        if containing in m.get("text", "") + block_text(m.get("blocks") or [])
    ]


@dataclass(frozen=True)
class Twins:
    """One request to send ten times at once, and what must then be true exactly once."""

    name: str
    prepare: Callable[[Stack, School], Callable[[], HttpResult]]
    stored: Callable[[Stack, School], int]  # the rows the request stores
    audited: str | None  # its audit action, if it has one
    told: Callable[[School], list[tuple[str, str]]]  # (person, words) each told once


def _observation_correction(stack: Stack, school: School) -> Callable[[], HttpResult]:
    p, observation = school.people, str(school.observation_id)
    view = modal(
        stack.slack, lambda: stack.slack.click(observation_ids.EDIT_ACTION, user=p.author, value=observation), "edit"
    )
    state = state_for(view, full_answers(**{"field:next_steps": "Hinge questions daily."}))
    return captured(stack.slack, lambda: stack.slack.submit(view, state, user=p.author))


def _meeting_correction(stack: Stack, school: School) -> Callable[[], HttpResult]:
    p, meeting = school.people, str(school.meeting_id)
    view = modal(stack.slack, lambda: stack.slack.click(meeting_ids.CORRECT, user=p.author, value=meeting), "correct")
    state = state_for(view, {"held_on": "2026-11-23", "notes": "Corrected notes.", "wellbeing": "4"})
    return captured(stack.slack, lambda: stack.slack.submit(view, state, user=p.author))


def _home_target(stack: Stack, school: School) -> Callable[[], HttpResult]:
    p = school.people
    view = modal(
        stack.slack, lambda: stack.slack.click(home_ids.SET_TARGET_ACTION, user=p.mentor, value=p.mentee), "target"
    )
    state = state_for(view, {home_ids.TARGET_TEXT: "Use exit tickets in every lesson by Friday"})
    return captured(stack.slack, lambda: stack.slack.submit(view, state, user=p.mentor))


TWINS = [
    Twins(
        "observation correction",
        _observation_correction,
        lambda stack, _: count(stack, ObservationRevision),
        "observation.edit",
        lambda s: [(s.people.mentee, "corrected the observation"), (s.people.author, "Your correction is saved")],
    ),
    Twins(
        "meeting correction",
        _meeting_correction,
        lambda stack, _: count(stack, MeetingRevision),
        "meeting.correct",
        lambda s: [(s.people.author, "Your correction is saved"), (s.people.author, "")],
    ),
    Twins(
        "Home tab Set target",
        _home_target,
        lambda stack, s: count(stack, TargetDraft, TargetDraft.set_by == s.people.mentor),
        None,
        lambda s: [(s.people.mentor, "exit tickets"), (s.people.mentor, "")],
    ),
    Twins(
        "Nudge",
        nudge_click,
        lambda stack, _: count(stack, Nudge),  # the day's claim on the mentor, then the message
        None,
        lambda s: [(s.people.mentor, "noticed there's no meeting logged"), (s.people.mentor, "")],
    ),
]


@pytest.mark.parametrize("twins", TWINS, ids=[t.name for t in TWINS])
def test_the_same_payload_ten_times_at_once_stores_once_and_tells_once(
    twins: Twins, fresh: Stack, school: School
) -> None:
    send = twins.prepare(fresh, school)
    fresh.settle()
    fresh.emulator.reset()

    results = at_once(*[send] * TIMES)

    assert all(r.status == 200 for r in results), [r.status for r in results]
    fresh.settle()
    assert twins.stored(fresh, school) == 1
    if twins.audited:
        assert count(fresh, AuditEntry, AuditEntry.action == twins.audited) == 1
    for person, words in twins.told(school):
        told = messages_to(fresh, person, words)
        assert len(told) == 1, f"{person} was told {len(told)} times: {[m.get('text') for m in told]}"


# --- a meeting review racing the Met button ---------------------------------------------------------------------

TRIALS = 10


def _new_target(stack: Stack, school: School, n: int) -> int:
    p = school.people
    caller = school.caller(stack.deps, p.mentor)
    drafted = stack.deps.targets.draft(
        caller, p.mentee, f"Race {n}: use mini whiteboards by Friday", directory(stack.deps), stack.deps.now()
    )
    return stack.deps.targets.confirm(caller, drafted.draft.key, stack.deps.now()).target.id


def test_a_meeting_review_racing_the_met_button_ends_one_way_everywhere(fresh: Stack, school: School) -> None:
    outcomes = [_race(fresh, school, n) for n in range(TRIALS)]

    assert set(outcomes) <= {TargetStatus.MET, TargetStatus.DROPPED}


def _race(fresh: Stack, school: School, n: int) -> TargetStatus:
    """One trial: the meeting (reviewing the target as dropped) and Met, sent at the same moment."""
    p = school.people
    target_id = _new_target(fresh, school, n)
    view = modal(fresh.slack, lambda: fresh.slack.command("/meeting", mention(p.mentee), user=p.mentor), "/meeting")
    answers = {"held_on": "2026-11-24", "notes": f"Meeting {n}.", "wellbeing": "4"}
    answers[f"{meeting_ids.REVIEW_BLOCK}{target_id}"] = "dropped"
    meeting = captured(fresh.slack, lambda: fresh.slack.submit(view, state_for(view, answers), user=p.mentor))
    met = captured(
        fresh.slack,
        lambda: fresh.slack.click(
            target_ids.TARGET_MET, user=p.mentor, value=str(target_id), block_id=f"target:{target_id}"
        ),
    )
    fresh.settle()
    fresh.emulator.reset()

    results = at_once(meeting, met)

    assert all(r.status == 200 for r in results)
    fresh.settle()
    with fresh.deps.db.unit_of_work() as session:
        target = session.get(Target, target_id)
        assert target is not None
        status = target.status
        reviews = [
            str(r)
            for r in session.scalars(
                select(MeetingTargetReview.outcome).where(MeetingTargetReview.target_id == target_id)
            )
        ]
    met_audits = count(fresh, AuditEntry, AuditEntry.action == "target.met", AuditEntry.record_id == target_id)
    told_met = messages_to(fresh, p.mentee, "marked your target *met*")
    confirmation = " ".join(m.get("text", "") + block_text(m.get("blocks") or []) for m in messages_to(fresh, p.mentor))
    replies = " ".join(str(r.get("text", "")) for r in fresh.emulator.responses)
    if status is TargetStatus.MET:  # the button won: the meeting's review was not applied, and it says so
        assert [met_audits, len(told_met), reviews] == [1, 1, []], n
        assert "Already closed before this meeting was saved" in confirmation, n
    else:  # the meeting won: nothing anywhere says met, and the one who pressed Met is told
        assert status is TargetStatus.DROPPED, (n, status)
        assert [met_audits, len(told_met), reviews] == [0, 0, ["dropped"]], n
        assert "already closed" in replies, n
    return status
