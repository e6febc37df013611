"""Driving mentor certification as people do: a term of mentoring through the bot's own commands, `/evidence`
reflections and training, and the lead mentor's buttons on `/mentor portfolio @mentor`."""

from __future__ import annotations

import io
import time
from datetime import date, datetime, timedelta
from typing import Any

from pypdf import PdfReader

from handlers.meetings import ids as meeting_ids
from handlers.observations import ids as observation_ids
from tests.support.clock import FakeClock
from tests.support.driver import SlackDriver, state_for, wait_until
from tests.support.emulator import SlackEmulator
from tests.support.observations import STANDARDS, button
from tests.support.people import AMY, BEN, LONDON, NOW
from tests.support.slack import mention, modal_on_screen, modals_opened

PRIVATE_NOTES = "Ben told me in confidence that he is struggling to sleep."
MENTEE_REFLECTION = "I rushed the plenary and lost the back row."


def open_view(slack: SlackDriver, command: str, text: str, *, user: str) -> dict[str, Any]:
    before = modals_opened(slack.emulator)
    result = slack.command(command, text, user=user)
    assert result.status == 200 and not result.body, result.text
    return modal_on_screen(slack.emulator, opened_before=before, what=f"the {command} modal")


def submit(slack: SlackDriver, view: dict[str, Any], answers: dict[str, Any], *, user: str) -> Any:
    result = slack.submit(view, state_for(view, answers), user=user)
    assert result.status == 200, result.text
    return result.json if result.body else None


def latest_dm(emulator: SlackEmulator, user: str, count: int) -> dict[str, Any]:
    wait_until(lambda: len(emulator.messages_to(user)) >= count, what=f"DM {count} to {user}")
    call = [c for c in emulator.calls_to("chat.postMessage") if c.params.get("channel") == user][-1]
    assert call.response is not None
    channel, ts = call.response["channel"], call.response["ts"]
    return {**next(m for m in emulator.history(channel) if m["ts"] == ts), "channel": channel}


def at(clock: FakeClock, day: date, hour: int = 16) -> None:
    clock.now = datetime.combine(day, datetime.min.time(), tzinfo=LONDON) + timedelta(hours=hour)


def log_meeting(
    slack: SlackDriver,
    clock: FakeClock,
    day: date,
    *,
    target: str | None = None,
    review: dict[str, str] | None = None,
    signed: bool = True,
) -> None:
    """Amy logs a meeting with Ben on `day` (setting a target, reviewing others); Ben signs the notes off."""
    at(clock, day)
    emulator = slack.emulator
    before = len(emulator.messages_to(BEN))
    view = open_view(slack, "/meeting", mention(BEN), user=AMY)
    answers: dict[str, Any] = {
        "held_on": day.isoformat(),
        "duration": "40",
        "notes": f"Talked through the week of {day:%-d %B}.",
        "wellbeing": "3",
        "wellbeing_note": PRIVATE_NOTES,
    }
    if target:
        answers["new_text_0"] = target
    answers |= {f"review:{target_id}": outcome for target_id, outcome in (review or {}).items()}
    assert submit(slack, view, answers, user=AMY) is None
    signed_before = len(_signed_notices(emulator))
    notes = latest_dm(emulator, BEN, before + 1)
    assert "Meeting notes" in str(notes.get("blocks"))
    if signed:
        sign = button(notes, meeting_ids.SIGN_OFF)
        result = slack.click(
            meeting_ids.SIGN_OFF,
            user=BEN,
            value=sign["value"],
            block_id=_block_of(notes, meeting_ids.SIGN_OFF),
            message=notes,
            channel=notes["channel"],
        )
        assert result.status == 200
        wait_until(lambda: len(_signed_notices(emulator)) > signed_before, what="the sign-off notice")


def _signed_notices(emulator: SlackEmulator) -> list[dict[str, Any]]:
    return [m for m in emulator.messages_to(AMY) if "signed off the notes" in str(m.get("text"))]


def _block_of(message: dict[str, Any], action_id: str) -> str:
    for block in message.get("blocks", []):
        if any(isinstance(e, dict) and e.get("action_id") == action_id for e in block.get("elements", [])):
            return str(block.get("block_id", ""))
    return "actions"


def observe(slack: SlackDriver, clock: FakeClock, day: date, *, reflect: bool = False) -> None:
    """Amy observes Ben on `day`, with written feedback; Ben may add his reflection."""
    at(clock, day, 12)
    emulator = slack.emulator
    before = len(emulator.messages_to(BEN))
    view = open_view(slack, "/observe", mention(BEN), user=AMY)
    answers: dict[str, Any] = {
        "date": day.isoformat(),
        "subject": "Maths",
        "class_group": "Year 5",
        **{f"field:{key}": "partly" for key in STANDARDS},
        "field:strengths": f"Calm routines on {day:%-d %B}.",
        "field:development": "Check understanding before moving on.",
        "field:on_track": "yes",
        "field:next_steps": "Hinge questions.",
    }
    assert submit(slack, view, answers, user=AMY) is None
    to_ben = wait_until(lambda: emulator.messages_to(BEN)[before:], what="the observation DM")[0]
    if reflect:
        reflect_button = button(to_ben, observation_ids.REFLECT_ACTION)
        slack.click(observation_ids.REFLECT_ACTION, user=BEN, value=reflect_button["value"], message=to_ben)
        modal = wait_until(
            lambda: [v for v in emulator.open_views() if v.get("callback_id") == observation_ids.REFLECT_CALLBACK],
            what="the reflection modal",
        )[-1]
        answers = {"reflection": MENTEE_REFLECTION, "reflection_next_steps": "Exit tickets."}
        assert submit(slack, modal, answers, user=BEN) is None


def back_to_now(clock: FakeClock) -> None:
    clock.now = NOW


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def quiet(emulator: SlackEmulator, *, for_seconds: float = 0.3, timeout: float = 10.0) -> None:
    """Wait until the bot has made no Web API call for a moment: listeners finish after their ack, and a Home
    refreshed by the last change must not be taken for the one a test opens next."""
    deadline = time.monotonic() + timeout
    last, since = len(emulator.calls), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.05)
        count = len(emulator.calls)
        if count != last:
            last, since = count, time.monotonic()
        elif time.monotonic() - since >= for_seconds:
            return
    raise AssertionError("the bot kept calling Slack")
