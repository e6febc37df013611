"""Nothing lost, nothing doubled.

* Slack's retries (`X-Slack-Retry-Num`) of a modal submission, and the same submission arriving twice at once,
  store once and tell people once: observations, meetings and reflections.
* A double-click on a button (confirming a target, signing off meeting notes, marking a target ready, closing
  it), one after the other or both at once, stores once and tells people once.
* A database error while saving keeps the modal open with a message beside the first field (Slack then keeps
  everything typed), stores nothing at all, and pressing Save again stores it once.
* The Web API client waits out 429s for as long as Retry-After says, retries 5xx answers and dropped
  connections: the teacher still gets exactly one DM.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from slack_sdk.http_retry import builtin_handlers
from slack_sdk.http_retry import handler as retry_handler
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from bot.app.settings import Settings
from bot.app.slack_client import make_web_client
from handlers.meetings import ids as meeting_ids
from handlers.observations import ids as observation_ids
from handlers.slack.replies import SAVE_FAILED
from handlers.targets import ids as target_ids
from storage.meetings import Meeting, MeetingRevision
from storage.observations import Observation, ObservationRevision
from storage.roster import AuditEntry, AuditRepository
from storage.targets import Target, TargetDraft
from tests.cross.school import School, Stack, command, modal, seed_school
from tests.support.driver import HttpResult, state_for
from tests.support.observations import full_answers
from tests.support.people import SIGNING_SECRET
from tests.support.slack import mention

RETRY = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}


@pytest.fixture
def school(fresh: Stack) -> School:
    return seed_school(fresh.deps, fresh.emulator)


def count(stack: Stack, model: Any, *where: Any) -> int:
    with stack.deps.db.unit_of_work() as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def dms(stack: Stack, user: str, containing: str) -> list[dict[str, Any]]:
    stack.settle()
    return [m for m in stack.emulator.messages_to(user) if containing in m.get("text", "")]


def together(*requests: Callable[[], HttpResult]) -> list[HttpResult]:
    """Send requests at the same moment, as a double-click or a retry racing the first delivery does."""
    start = threading.Barrier(len(requests))

    def send(request: Callable[[], HttpResult]) -> HttpResult:
        start.wait()
        return request()

    with ThreadPoolExecutor(len(requests)) as pool:
        return list(pool.map(send, requests))


def twice(mode: str, request: Callable[..., HttpResult]) -> list[HttpResult]:
    """The same request again: Slack's retries after the first (with their headers), or two at once."""
    if mode == "retry":
        return [request(), request(extra_headers=RETRY), request(extra_headers={**RETRY, "X-Slack-Retry-Num": "2"})]
    return together(request, request)


def twice_and_settled(stack: Stack, mode: str, request: Callable[..., HttpResult]) -> list[HttpResult]:
    """`twice`, then wait for every listener it set off (they finish after Slack has had its ack)."""
    results = twice(mode, request)
    stack.settle()
    return results


MODES = ["retry", "together"]


# --- modal submissions --------------------------------------------------------------------------------------------


def observation_form(stack: Stack, school: School) -> dict[str, Any]:
    p = school.people
    return modal(stack.slack, lambda: stack.slack.command("/observe", mention(p.mentee), user=p.mentor), "/observe")


def meeting_form(stack: Stack, school: School) -> dict[str, Any]:
    p = school.people
    return modal(stack.slack, lambda: stack.slack.command("/meeting", mention(p.mentee), user=p.mentor), "/meeting")


def reflection_form(stack: Stack, school: School) -> dict[str, Any]:
    p, observation = school.people, str(school.observation_id)
    return modal(
        stack.slack,
        lambda: stack.slack.click(observation_ids.REFLECT_ACTION, user=p.mentee, value=observation),
        "reflect",
    )


MEETING_ANSWERS = {
    "held_on": "2026-11-24",
    "notes": "Planned Year 5 fractions.",
    "wellbeing": "4",
    "new_text_0": "Use mini whiteboards in every lesson by Friday",
}
REFLECTION_ANSWERS = {"reflection": "I rushed the plenary.", "reflection_next_steps": "Exit tickets."}


@pytest.mark.parametrize("mode", MODES)
def test_an_observation_sent_again_is_stored_once_and_told_once(mode: str, fresh: Stack, school: School) -> None:
    p = school.people
    view = observation_form(fresh, school)

    results = twice_and_settled(
        fresh, mode, lambda **kw: fresh.slack.submit(view, state_for(view, full_answers()), user=p.mentor, **kw)
    )

    assert all(r.status == 200 and not r.body for r in results)  # each delivery closes the modal
    assert count(fresh, Observation, Observation.observer_id == p.mentor) == 1
    assert len(dms(fresh, p.mentee, "observed your lesson")) == 1
    assert len(dms(fresh, p.mentor, "Saved your observation")) == 1
    assert count(fresh, AuditEntry, AuditEntry.action == "observation.create", AuditEntry.actor_id == p.mentor) == 1


@pytest.mark.parametrize("mode", MODES)
def test_a_meeting_sent_again_is_stored_once_and_told_once(mode: str, fresh: Stack, school: School) -> None:
    p = school.people
    view = meeting_form(fresh, school)

    results = twice_and_settled(
        fresh, mode, lambda **kw: fresh.slack.submit(view, state_for(view, MEETING_ANSWERS), user=p.mentor, **kw)
    )

    assert all(r.status == 200 and not r.body for r in results)
    assert count(fresh, Meeting, Meeting.author_id == p.mentor) == 1
    assert count(fresh, Target, Target.text == "Use mini whiteboards in every lesson") == 1
    assert len(dms(fresh, p.mentee, "please sign them off")) == 1
    assert len(fresh.emulator.messages_to(p.mentor)) == 1  # the confirmation
    assert count(fresh, AuditEntry, AuditEntry.action == "meeting.create", AuditEntry.actor_id == p.mentor) == 1


@pytest.mark.parametrize("mode", MODES)
def test_a_reflection_sent_again_is_stored_once_and_told_once(mode: str, fresh: Stack, school: School) -> None:
    p = school.people
    view = reflection_form(fresh, school)

    results = twice_and_settled(
        fresh, mode, lambda **kw: fresh.slack.submit(view, state_for(view, REFLECTION_ANSWERS), user=p.mentee, **kw)
    )

    assert all(r.status == 200 and not r.body for r in results)
    with fresh.deps.db.unit_of_work() as session:
        stored = session.get(Observation, school.observation_id)
        assert stored is not None and stored.reflection == "I rushed the plenary."
    for told in (p.author, p.observer, p.mentor):  # the observers and the mentee's mentor
        assert len(dms(fresh, told, "added their reflection")) == 1, told
    assert count(fresh, AuditEntry, AuditEntry.action == "observation.reflect") == 1


def test_a_changed_reflection_is_kept_and_recorded_but_nobody_is_told_twice(fresh: Stack, school: School) -> None:
    p = school.people
    view = reflection_form(fresh, school)
    fresh.slack.submit(view, state_for(view, REFLECTION_ANSWERS), user=p.mentee)
    again = reflection_form(fresh, school)

    fresh.slack.submit(
        again, state_for(again, {"reflection": "I rushed the plenary; next time, a timer."}), user=p.mentee
    )

    with fresh.deps.db.unit_of_work() as session:
        stored = session.get(Observation, school.observation_id)
        assert stored is not None and stored.reflection == "I rushed the plenary; next time, a timer."
        assert stored.reflection_next_steps is None
    assert count(fresh, AuditEntry, AuditEntry.action == "observation.reflect") == 2
    assert len(dms(fresh, p.mentor, "added their reflection")) == 1


# --- double-clicks ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_confirming_a_target_twice_sets_it_once(mode: str, fresh: Stack, school: School) -> None:
    p = school.people
    command(fresh.slack, "/target", f"{mention(p.mentee)} Use exit tickets in every lesson by Friday", user=p.mentor)
    with fresh.deps.db.unit_of_work() as session:
        key = session.scalars(select(TargetDraft.key).where(TargetDraft.set_by == p.mentor)).one()

    twice_and_settled(
        fresh,
        mode,
        lambda **kw: fresh.slack.click(
            target_ids.DRAFT_CONFIRM, user=p.mentor, value=key, block_id=f"target_draft:{key}", **kw
        ),
    )

    assert count(fresh, Target, Target.set_by == p.mentor) == 1
    assert len(dms(fresh, p.mentee, "set you a new target")) == 1
    assert count(fresh, AuditEntry, AuditEntry.action == "target.create", AuditEntry.actor_id == p.mentor) == 1


@pytest.mark.parametrize("mode", MODES)
def test_signing_off_twice_signs_once_and_tells_the_author_once(mode: str, fresh: Stack, school: School) -> None:
    p = school.people
    message = {"ts": "1700000000.000300", "type": "message", "text": "notes"}

    twice_and_settled(
        fresh,
        mode,
        lambda **kw: fresh.slack.click(
            meeting_ids.SIGN_OFF, user=p.mentee, value=str(school.meeting_id), message=message, channel="D0001", **kw
        ),
    )

    with fresh.deps.db.unit_of_work() as session:
        meeting = session.get(Meeting, school.meeting_id)
        assert meeting is not None and meeting.signed_off_by == p.mentee
    assert len(dms(fresh, p.author, "signed off the notes")) == 1
    assert count(fresh, AuditEntry, AuditEntry.action == "meeting.sign_off") == 1


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("action_id", "who", "told", "audited"),
    [
        (target_ids.TARGET_READY, "mentee", ("author", "is ready for review"), "target.ready"),
        (target_ids.TARGET_MET, "mentor", ("mentee", "marked your target"), "target.met"),
    ],
)
def test_a_target_button_pressed_twice_acts_once(
    mode: str, action_id: str, who: str, told: tuple[str, str], audited: str, fresh: Stack, school: School
) -> None:
    p, target = school.people, str(school.target_id)

    twice_and_settled(
        fresh,
        mode,
        lambda **kw: fresh.slack.click(
            action_id, user=getattr(p, who), value=target, block_id=f"target:{target}", **kw
        ),
    )

    recipient, words = told
    assert len(dms(fresh, getattr(p, recipient), words)) == 1
    assert count(fresh, AuditEntry, AuditEntry.action == audited) == 1


# --- a database error while saving ---------------------------------------------------------------------------------


@pytest.fixture
def database_fails_once(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The next audit entry written for one of the given actions fails as a lost database connection would.

    The audit entry is the last thing each use case writes, so everything before it in the same transaction
    must be rolled back with it: nothing half-stored.
    """
    failing: list[str] = []
    record = AuditRepository.record

    def flaky(self: AuditRepository, team_id: str, actor_id: str, action: str, *args: Any, **kwargs: Any) -> None:
        if action in failing:
            failing.remove(action)
            raise OperationalError("INSERT INTO audit_log …", {}, ConnectionResetError("server closed the connection"))
        record(self, team_id, actor_id, action, *args, **kwargs)

    monkeypatch.setattr(AuditRepository, "record", flaky)
    yield failing


def _observation_correction(stack: Stack, school: School) -> dict[str, Any]:
    p, observation = school.people, str(school.observation_id)
    return modal(
        stack.slack, lambda: stack.slack.click(observation_ids.EDIT_ACTION, user=p.author, value=observation), "e"
    )


def _meeting_correction(stack: Stack, school: School) -> dict[str, Any]:
    p, meeting = school.people, str(school.meeting_id)
    return modal(stack.slack, lambda: stack.slack.click(meeting_ids.CORRECT, user=p.author, value=meeting), "correct")


def _comment(stack: Stack, school: School) -> dict[str, Any]:
    p, meeting = school.people, str(school.meeting_id)
    return modal(
        stack.slack,
        lambda: stack.slack.click(meeting_ids.SIGN_OFF_WITH_COMMENT, user=p.mentee, value=meeting),
        "comment",
    )


def _stored_observations(stack: Stack, school: School) -> int:
    return count(stack, Observation, Observation.observer_id == school.people.mentor)


def _stored_meetings(stack: Stack, school: School) -> int:
    return count(stack, Meeting, Meeting.author_id == school.people.mentor) + count(
        stack, Target, Target.set_by == school.people.mentor
    )


def _stored_reflection(stack: Stack, school: School) -> int:
    with stack.deps.db.unit_of_work() as session:
        observation = session.get(Observation, school.observation_id)
        return int(observation is not None and observation.reflection is not None)


def _stored_correction(stack: Stack, school: School) -> int:
    return count(stack, ObservationRevision)


def _stored_meeting_correction(stack: Stack, school: School) -> int:
    return count(stack, MeetingRevision)


def _stored_sign_off(stack: Stack, school: School) -> int:
    with stack.deps.db.unit_of_work() as session:
        meeting = session.get(Meeting, school.meeting_id)
        return int(meeting is not None and meeting.signed_off_at is not None)


# (name, open the modal, who submits, what they type, the audit action that fails, what is stored, who is told)
FORMS = [
    ("observation", observation_form, "mentor", full_answers(), "observation.create", _stored_observations),
    ("meeting", meeting_form, "mentor", MEETING_ANSWERS, "meeting.create", _stored_meetings),
    ("reflection", reflection_form, "mentee", REFLECTION_ANSWERS, "observation.reflect", _stored_reflection),
    (
        "observation correction",
        _observation_correction,
        "author",
        full_answers(**{"field:next_steps": "Hinge questions daily."}),
        "observation.edit",
        _stored_correction,
    ),
    (
        "meeting correction",
        _meeting_correction,
        "author",
        {"held_on": "2026-11-23", "notes": "Corrected notes.", "wellbeing": "4"},
        "meeting.correct",
        _stored_meeting_correction,
    ),
    ("sign-off comment", _comment, "mentee", {"comment": "Agreed, with thanks."}, "meeting.sign_off", _stored_sign_off),
]


@pytest.mark.parametrize(("name", "form", "who", "answers", "fails", "stored"), FORMS, ids=[f[0] for f in FORMS])
def test_a_database_error_keeps_the_modal_open_with_nothing_stored_and_save_again_stores_once(
    name: str,
    form: Callable[[Stack, School], dict[str, Any]],
    who: str,
    answers: dict[str, Any],
    fails: str,
    stored: Callable[[Stack, School], int],
    fresh: Stack,
    school: School,
    database_fails_once: list[str],
) -> None:
    view, user = form(fresh, school), getattr(school.people, who)
    state = state_for(view, answers)
    messages_before = len(fresh.emulator.calls_to("chat.postMessage"))
    database_fails_once.append(fails)

    failed = fresh.slack.submit(view, state, user=user)

    assert failed.status == 200 and failed.body, "the modal must stay open"
    reply = failed.json
    assert reply["response_action"] == "errors"
    [(block_id, message)] = reply["errors"].items()
    inputs = [b["block_id"] for b in view["blocks"] if b["type"] == "input"]
    assert block_id in inputs and message == SAVE_FAILED  # shown beside a field of the open modal
    fresh.settle()
    assert stored(fresh, school) == 0, "nothing half-stored"
    assert len(fresh.emulator.calls_to("chat.postMessage")) == messages_before, "nobody told of what wasn't saved"

    again = fresh.slack.submit(view, state, user=user)  # the same view, as typed: Slack kept it

    assert again.status == 200 and not again.body, again.text
    fresh.settle()
    assert stored(fresh, school) >= 1
    assert count(fresh, AuditEntry, AuditEntry.action == fails, AuditEntry.actor_id == user) == 1


# --- the Web API client ---------------------------------------------------------------------------------------------


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """How long the Web API client's retry handlers would have slept: recorded, not slept, no jitter."""
    slept: list[float] = []

    class Clock:
        @staticmethod
        def sleep(seconds: float) -> None:
            slept.append(seconds)

    class NoJitter:
        @staticmethod
        def random() -> float:
            return 0.0

    monkeypatch.setattr(builtin_handlers, "time", Clock)
    monkeypatch.setattr(builtin_handlers, "random", NoJitter)
    monkeypatch.setattr(retry_handler, "time", Clock)
    return slept


def test_a_429_then_a_500_on_the_teachers_dm_still_deliver_exactly_one(
    fresh: Stack, school: School, waits: list[float]
) -> None:
    p = school.people
    view = observation_form(fresh, school)
    fresh.emulator.fail_next("chat.postMessage", status=429, retry_after=7)
    fresh.emulator.fail_next("chat.postMessage", status=500)

    result = fresh.slack.submit(view, state_for(view, full_answers()), user=p.mentor)

    assert result.status == 200 and not result.body
    assert len(dms(fresh, p.mentee, "observed your lesson")) == 1
    assert len(dms(fresh, p.mentor, "Saved your observation")) == 1
    to_teacher = [c for c in fresh.emulator.calls_to("chat.postMessage") if c.params.get("channel") == p.mentee]
    assert [c.status for c in to_teacher] == [429, 500, 200]
    assert waits[0] == 7  # Retry-After, honoured
    assert len(waits) == 2 and 0 < waits[1] < 7  # then a short backoff after the 500
    assert count(fresh, Observation, Observation.observer_id == p.mentor) == 1


class DropsFirstConnection:
    """A Web API stand-in whose first connection is dropped without an answer; later ones succeed."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.connections = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}/api/"

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            with connection:
                self.connections += 1
                connection.recv(65536)
                if self.connections == 1:
                    continue  # closed with no answer: the client sees RemoteDisconnected
                body = b'{"ok": true, "channel": "D0001", "ts": "1700000000.000100"}'
                connection.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                    + str(len(body)).encode()
                    + b"\r\nConnection: close\r\n\r\n"
                    + body
                )

    def close(self) -> None:
        self.listener.close()


def test_a_dropped_connection_is_retried(waits: list[float]) -> None:
    server = DropsFirstConnection()
    try:
        values: dict[str, Any] = {
            "SLACK_BOT_TOKEN": "xoxb-test-token",
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "DATABASE_URL": "sqlite://",
            "SLACK_API_URL": server.url,
        }
        client = make_web_client(Settings(_env_file=None, **values))  # type: ignore[call-arg]

        response = client.chat_postMessage(channel="U0001", text="hello")

        assert response["ok"] and server.connections == 2
    finally:
        server.close()
