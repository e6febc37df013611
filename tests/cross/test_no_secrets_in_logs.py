"""Tokens, the signing secret and what people type never reach the logs, even at DEBUG.

A whole observation runs through the real HTTP endpoint with the bot's own logging set up as `python -m bot`
sets it up (LOG_LEVEL=DEBUG), in text and in JSON (LOG_FORMAT=json), and every log record, and everything
printed, is searched. JSON lines name the Slack request (its id, also sent back as X-Request-Id) and workspace.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import replace
from functools import partial
from typing import Any

import pytest
from pydantic import SecretStr
from slack_bolt import BoltRequest

from bot.app.bootstrap import Deps
from bot.app.logging_setup import configure_logging
from bot.app.slack_app import create_app
from handlers.observations import ids as observation_ids
from tests.support.clock import FakeClock
from tests.support.driver import SlackDriver, state_for, wait_until
from tests.support.emulator import SlackEmulator
from tests.support.observations import button, dms_to, full_answers, open_form, submit
from tests.support.people import ADMIN, AMY, BEN, LEO, SIGNING_SECRET
from tests.support.school import add_people, enrol
from tests.support.slack import mention

STRENGTHS = "Kept a calm, purposeful atmosphere; Jamie's question was handled beautifully."
CONCERN = "Raised his voice at a pupil during the plenary."
REFLECTION = "I felt rushed at the end and will plan the plenary properly."
NOISY = ("slack_bolt", "slack_sdk", "urllib3", "alembic", "uvicorn", "uvicorn.error")


@pytest.fixture(params=["text", "json"])
def log_format(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def bot_logging(
    caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str], emulator: SlackEmulator, log_format: str
) -> Iterator[None]:
    """Logging exactly as `python -m bot` configures it at DEBUG, with pytest listening in; restored after."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level, {name: logging.getLogger(name).level for name in NOISY})
    configure_logging("DEBUG", [emulator.bot_token, SIGNING_SECRET], log_format=log_format)
    # configure_logging replaced the root handlers; pytest adds its own again for the test itself (caplog).
    yield
    root.handlers[:], root.level = saved[0], saved[1]
    for name, level in saved[2].items():
        logging.getLogger(name).setLevel(level)


@pytest.fixture(autouse=True)
def school(bot_logging: None, slack: SlackDriver, emulator: SlackEmulator, clock: FakeClock) -> None:
    add_people(emulator, ADMIN, AMY, BEN, LEO)
    enrol(slack, clock, mentees={BEN: "trainee"}, lead=LEO, reset=False)


def test_a_whole_observation_at_debug_logs_no_token_secret_or_note(
    slack: SlackDriver,
    emulator: SlackEmulator,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    log_format: str,
) -> None:
    # The mentor records an observation with a concern (so the lead mentor is alerted too)…
    view = open_form(slack, mention(BEN))
    answers = full_answers(**{"field:strengths": STRENGTHS, "field:concerns": CONCERN, "field:on_track": "no"})
    assert submit(slack, view, answers) is None
    [to_ben] = wait_until(lambda: dms_to(emulator, BEN), what="the teacher's DM")
    wait_until(lambda: dms_to(emulator, LEO), what="the lead mentor's alert")
    # …a second submission with a mistake is refused field by field…
    errors = submit(slack, open_form(slack, mention(BEN)), full_answers(date="2030-01-01"))
    assert errors["response_action"] == "errors"
    # …and the teacher reflects.
    reflect = button(to_ben, observation_ids.REFLECT_ACTION)
    slack.click(
        observation_ids.REFLECT_ACTION, user=BEN, value=reflect["value"], message=to_ben, channel=to_ben["channel"]
    )
    reflection_view = wait_until(
        lambda: [v for v in emulator.open_views() if v.get("callback_id") == observation_ids.REFLECT_CALLBACK],
        what="modal",
    )[0]
    assert (
        submit(slack, reflection_view, {"reflection": REFLECTION, "reflection_next_steps": "Exit tickets."}, user=BEN)
        is None
    )
    wait_until(lambda: [m for m in dms_to(emulator, AMY) if "added their reflection" in m["text"]], what="notice")
    # A stray token in a log line, as a careless future change might write it, is redacted from the output.
    logging.getLogger("bot.test").warning("calling Slack with %s", emulator.bot_token)

    # At DEBUG the Slack SDK logs every request and response body, notes included: the bot keeps it at INFO.
    for library in ("slack_sdk.web.base_client", "slack_sdk.webhook.client", "slack_bolt.App"):
        assert not logging.getLogger(library).isEnabledFor(logging.DEBUG), f"{library} would log message bodies"

    secrets = {"bot token": emulator.bot_token, "signing secret": SIGNING_SECRET}
    notes = {"strengths": STRENGTHS, "concern": CONCERN, "reflection": REFLECTION}
    assert caplog.records, "no log records were captured: the test would prove nothing"
    for record in caplog.records:
        if record.name == "bot.test":
            continue
        logged = caplog.handler.format(record)
        for what, value in {**secrets, **notes}.items():
            assert value not in logged, f"the {what} is in a log record from {record.name}: {logged[:300]}"
    printed = capsys.readouterr()
    output = printed.out + printed.err
    assert "calling Slack with [redacted]" in output
    for what, value in {**secrets, **notes}.items():
        assert value not in output, f"the {what} was printed: {output[:300]}"
    if log_format == "json":  # one JSON object per line, nothing else
        lines = [json.loads(line) for line in printed.err.splitlines()]
        keys = {"time", "level", "logger", "message", "request_id", "team_id"}
        assert lines and all(set(line) >= keys for line in lines)


@pytest.mark.parametrize("log_format", ["json"])
def test_json_lines_name_the_request_and_the_workspace(
    slack: SlackDriver, emulator: SlackEmulator, capsys: pytest.CaptureFixture[str], log_format: str
) -> None:
    view = open_form(slack, mention(BEN))
    emulator.fail_next("chat.postMessage", error="channel_not_found")  # the teacher's DM fails, in the listener
    capsys.readouterr()
    result = slack.submit(view, state_for(view, full_answers(**{"field:strengths": STRENGTHS})), user=AMY)
    wait_until(lambda: [m for m in dms_to(emulator, AMY) if "Saved your observation" in m["text"]], what="the reply")

    request_id = {k.lower(): v for k, v in result.headers.items()}["x-request-id"]
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    [failed] = [line for line in lines if line["message"].startswith("Could not DM")]
    assert (failed["request_id"], failed["team_id"], failed["level"]) == (request_id, "T0001", "WARNING")
    assert all(STRENGTHS not in line["message"] for line in lines)


@pytest.mark.parametrize("log_format", ["json"])
def test_socket_mode_requests_get_their_own_request_id_and_workspace(
    deps: Deps, emulator: SlackEmulator, capsys: pytest.CaptureFixture[str], log_format: str
) -> None:
    """Socket Mode requests reach Bolt without passing through the web server, which names HTTP requests."""
    settings = deps.settings.model_copy(update={"slack_app_token": SecretStr("xapp-1-A0001-socket")})
    app = create_app(replace(deps, settings=settings))
    capsys.readouterr()

    for n in (1, 2):  # each as Bolt's Socket Mode handler hands it over: the payload, unsigned
        emulator.fail_next("views.publish", error="internal_error")
        event = {"type": "app_home_opened", "user": AMY, "tab": "home", "event_ts": f"1764000000.00000{n}"}
        body = {"type": "event_callback", "team_id": "T0001", "api_app_id": "A0001", "event": event}
        app.dispatch(BoltRequest(body={**body, "event_id": f"Ev0{n}", "event_time": 1764000000}, mode="socket_mode"))
        wait_until(partial(_published_at_least, emulator, n), what="the Home publish")

    logged: list[dict[str, Any]] = []

    def home_failures() -> list[dict[str, Any]]:
        logged.extend(json.loads(line) for line in capsys.readouterr().err.splitlines())
        found = [line for line in logged if line["message"].startswith("Could not publish the Home tab")]
        return found if len(found) == 2 else []

    lines = wait_until(home_failures, what="both failures logged")
    assert [line["team_id"] for line in lines] == ["T0001", "T0001"]
    first, second = (line["request_id"] for line in lines)
    assert first and second and first != second


def _published_at_least(emulator: SlackEmulator, count: int) -> bool:
    return len(emulator.calls_to("views.publish")) >= count
