"""Validly signed but malformed requests answer 400 with one log line: never a 500 or a traceback.

Slack never sends these; something holding the signing secret (or a bug on Slack's side) might. Each is
signed with the real secret and sent to the real endpoint, so it passes the signature check and reaches
the parsing behind it.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.parse
from typing import Any

import pytest

from storage.db import Database
from storage.schema import Base
from tests.support.driver import SlackDriver
from tests.support.emulator import SlackEmulator

ADMIN = "UADMIN01"
RESPONSE_URL = "{response_url}"  # replaced by the emulator's before sending
TRIGGER_ID = "{trigger_id}"  # likewise
FORM = "application/x-www-form-urlencoded"
JSON_TYPE = "application/json"


def form(fields: dict[str, str]) -> tuple[bytes, str]:
    return urllib.parse.urlencode(fields).encode(), FORM


def payload(value: Any) -> tuple[bytes, str]:
    return form({"payload": value if isinstance(value, str) else json.dumps(value)})


def event_body(value: Any) -> tuple[bytes, str]:
    return (value if isinstance(value, str) else json.dumps(value)).encode(), JSON_TYPE


USER = {"id": ADMIN, "username": "head", "name": "head", "team_id": "T0001"}
TEAM = {"id": "T0001", "domain": "test-school"}


def action(action_id: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "block_actions",
        "user": USER,
        "api_app_id": "A0001",
        "team": TEAM,
        "trigger_id": TRIGGER_ID,
        "container": {"type": "message", "message_ts": "1700000000.000100", "channel_id": "D0001"},
        "channel": {"id": "D0001", "name": "directmessage"},
        "response_url": RESPONSE_URL,
        "actions": [{"type": "button", "action_id": action_id, "block_id": "actions", "value": "1"}],
    }
    body.update(overrides)
    return body


def submission(callback_id: str, **view_overrides: Any) -> dict[str, Any]:
    view: dict[str, Any] = {
        "id": "V0001",
        "team_id": "T0001",
        "type": "modal",
        "callback_id": callback_id,
        "private_metadata": "",
        "blocks": [],
        "state": {"values": {}},
        "hash": "1.a",
    }
    view.update(view_overrides)
    return {"type": "view_submission", "team": TEAM, "user": USER, "api_app_id": "A0001", "view": view}


def command(**overrides: str) -> dict[str, str]:
    fields = {
        "team_id": "T0001",
        "team_domain": "test-school",
        "channel_id": "C0GENERAL",
        "user_id": ADMIN,
        "command": "/mentor",
        "text": "help",
        "api_app_id": "A0001",
        "response_url": RESPONSE_URL,
        "trigger_id": TRIGGER_ID,
    }
    fields.update(overrides)
    return {k: v for k, v in fields.items() if v != "<absent>"}


ACTIONS = [
    "observation_view",
    "observation_reflect_open",
    "observation_edit_open",
    "meeting_sign_off",
    "meeting_sign_off_with_comment",
    "meeting_correct",
    "meeting_log_open",
    "target_draft_confirm",
    "target_draft_due",
    "target_draft_standards",
    "target_ready",
    "target_met",
    "target_not_met",
    "target_drop",
    "target_due",
    "target_standards",
    "digest_nudge_mentor",
    "home_more",
    "home_back",
    "home_log_meeting",
    "home_observe",
    "home_set_target",
    "home_reflect",
]
CALLBACKS = [
    "observation_submit",
    "observation_edit",
    "observation_reflect",
    "meeting_log",
    "meeting_correct",
    "meeting_sign_off_comment",
    "home_target",
]

CASES: dict[str, tuple[bytes, str]] = {
    "payload not JSON": payload("{not json"),
    "payload truncated JSON": payload('{"type": "block_actions", "user": {"id": "U'),
    "payload a list": payload([1, 2]),
    "payload a string": payload('"block_actions"'),
    "payload null": payload("null"),
    "payload a number": payload("42"),
    "payload empty object": payload({}),
    "payload deeply nested": payload("[" * 100_000 + "]" * 100_000),
    "payload type not a string": payload({"type": ["block_actions"], "user": USER, "team": TEAM}),
    "payload lone surrogate": payload('{"type": "block_actions", "user": {"id": "\\udc80"}, "team": {"id": "T0001"}}'),
    "two payloads": (b"payload=%7B%7D&payload=%7B%7D", FORM),
    "JSON body a list": event_body([{"type": "event_callback"}]),
    "JSON body not JSON": event_body("{oops"),
    "JSON body null": event_body("null"),
    "event without event": event_body({"type": "event_callback", "team_id": "T0001", "api_app_id": "A0001"}),
    "event a string": event_body({"type": "event_callback", "team_id": "T0001", "event": "app_home_opened"}),
    "event user a list": event_body(
        {"type": "event_callback", "team_id": "T0001", "event": {"type": "app_home_opened", "user": ["U1"]}}
    ),
    "url_verification without challenge": event_body({"type": "url_verification"}),
    "url_verification challenge an object": event_body({"type": "url_verification", "challenge": {"a": 1}}),
    "form for a JSON content type": (b"command=%2Fmentor&text=help", JSON_TYPE),
    "JSON for a form content type": (json.dumps({"command": "/mentor"}).encode(), FORM),
    "command without user": form(command(user_id="<absent>")),
    "command without team": form(command(team_id="<absent>")),
    "command without text": form(command(text="<absent>")),
    "command observe without user": form(command(command="/observe", user_id="<absent>")),
    "command target without user": form(command(command="/target", user_id="<absent>", text="list")),
    "command meeting without trigger": form(command(command="/meeting", trigger_id="<absent>")),
}
for action_id in ACTIONS:
    CASES[f"{action_id}: actions not a list"] = payload(action(action_id, actions="x"))
    CASES[f"{action_id}: user a string"] = payload(action(action_id, user=ADMIN))
    CASES[f"{action_id}: no user"] = payload({k: v for k, v in action(action_id).items() if k != "user"})
    CASES[f"{action_id}: team null"] = payload(action(action_id, team=None))
    CASES[f"{action_id}: value an object"] = payload(
        action(action_id, actions=[{"type": "button", "action_id": action_id, "value": {"id": 1}}])
    )
    CASES[f"{action_id}: from a view, without the view"] = payload(
        action(action_id, container={"type": "view", "view_id": "V0001"})
    )
    CASES[f"{action_id}: no container"] = payload({k: v for k, v in action(action_id).items() if k != "container"})
for callback_id in CALLBACKS:
    CASES[f"{callback_id}: no view"] = payload({k: v for k, v in submission(callback_id).items() if k != "view"})
    CASES[f"{callback_id}: state null"] = payload(submission(callback_id, state=None))
    CASES[f"{callback_id}: values a list"] = payload(submission(callback_id, state={"values": []}))
    CASES[f"{callback_id}: metadata not JSON"] = payload(submission(callback_id, private_metadata="{oops"))
    CASES[f"{callback_id}: metadata a nested object"] = payload(
        submission(callback_id, private_metadata=json.dumps({"meeting": {"id": 1}, "mentee": [1]}))
    )
    for bad in ({"meeting": "x"}, {"observation": 10**30}, {"edit": -1}, {"reviews": ["x"]}, {"reviews": 3}):
        CASES[f"{callback_id}: metadata {bad}"] = payload(submission(callback_id, private_metadata=json.dumps(bad)))
    CASES[f"{callback_id}: metadata a list"] = payload(submission(callback_id, private_metadata="[1]"))
    CASES[f"{callback_id}: blocks a string"] = payload(submission(callback_id, blocks="x"))
    CASES[f"{callback_id}: value wrong type"] = payload(
        submission(
            callback_id,
            state={"values": {"b": {"a": {"type": "plain_text_input", "value": ["x"]}}}},
            blocks=[{"type": "input", "block_id": "b", "element": {"type": "plain_text_input", "action_id": "a"}}],
        )
    )


# Well formed, but asking for something that isn't there: Slack's usual answers, and no traceback either.
ODD: dict[str, tuple[bytes, str]] = {
    "payload unknown type": payload({"type": "dialog_submission", "user": USER, "team": TEAM}),
    "command unknown": form(command(command="/nonsense")),
    # Decoded with U+FFFD in its place, as any bad escape is.
    "command with an encoded lone surrogate": (
        form(command(text="help"))[0].replace(b"text=help", b"text=%ED%A0%80"),
        FORM,
    ),
    "command with a NUL": form(command(text="list\x00")),
}
for action_id in ACTIONS:
    for value in ("9" * 40, "²", "-1", "0", "1.5", ""):
        button = {"type": "button", "action_id": action_id, "block_id": "b", "value": value}
        ODD[f"{action_id}: value {value!r}"] = payload(action(action_id, actions=[button]))
for callback_id in CALLBACKS:
    metadata = {"meeting": 999_999, "observation": 999_999, "edit": 999_999, "mentee": "UNOBODY1", "reviews": [999_999]}
    ODD[f"{callback_id}: ids of nothing"] = payload(submission(callback_id, private_metadata=json.dumps(metadata)))


@pytest.fixture(autouse=True)
def people(emulator: SlackEmulator) -> None:
    emulator.add_user(ADMIN, "head", is_admin=True)


def row_counts(db: Database) -> int:
    from sqlalchemy import func, select

    with db.unit_of_work() as session:
        return sum(session.scalar(select(func.count()).select_from(t)) or 0 for t in Base.metadata.sorted_tables)


def send_all(
    slack: SlackDriver, cases: dict[str, tuple[bytes, str]], caplog: pytest.LogCaptureFixture
) -> dict[str, tuple[int, list[str], bool]]:
    caplog.set_level(logging.INFO)
    results: dict[str, tuple[int, list[str], bool]] = {}
    for n, (name, (body, content_type)) in enumerate(cases.items()):
        caplog.clear()
        response_url = urllib.parse.quote(slack.emulator.response_url(f"malformed-{n}"), safe="").encode()
        trigger_id = slack.emulator.new_trigger_id().encode()
        body = body.replace(b"%7Bresponse_url%7D", response_url).replace(b"%7Btrigger_id%7D", trigger_id)
        body = body.replace(b"{response_url}", response_url).replace(b"{trigger_id}", trigger_id)
        status = slack.post(body, content_type).status
        time.sleep(0.05)  # let a listener that runs after the ack log what it logs
        lines = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
        tracebacks = any(r.exc_info for r in caplog.records)
        results[name] = (status, lines, tracebacks)
    return results


def test_every_malformed_signed_request_answers_400_and_logs_one_line_without_a_traceback(
    slack: SlackDriver, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    results = send_all(slack, CASES, caplog)

    wrong = {name: result for name, result in results.items() if result[0] != 400 or len(result[1]) != 1 or result[2]}
    assert not wrong, "\n".join(f"{name}: {r}" for name, r in wrong.items())
    assert all("not shaped as Slack sends it" in result[1][0] for result in results.values())
    assert row_counts(db) == 0
    assert slack.command("/mentor", "help", user=ADMIN).status == 200  # still serving


def test_well_formed_requests_for_nothing_get_no_500_and_no_traceback(
    slack: SlackDriver, caplog: pytest.LogCaptureFixture
) -> None:
    results = send_all(slack, ODD, caplog)

    wrong = {name: result for name, result in results.items() if result[0] >= 500 or result[2] or len(result[1]) > 1}
    assert not wrong, "\n".join(f"{name}: {r}" for name, r in wrong.items())
