"""Tests for the Slack Web API emulator, driven through the real slack_sdk WebClient over HTTP."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler, ServerErrorRetryHandler
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator

from tests.support.emulator import Call, SlackEmulator


@pytest.fixture
def emu() -> Iterator[SlackEmulator]:
    emulator = SlackEmulator().start()
    emulator.add_user("U1", "alice", real_name="Alice Adams", email="alice@school.example", is_admin=True)
    emulator.add_user("U2", "bob", real_name="Bob Brown", tz="America/New_York")
    emulator.add_user("U9", "gone", deleted=True)
    emulator.add_channel("C1", "staffroom")
    emulator.add_channel("C2", "governors", is_member=False)
    emulator.add_channel("C3", "secret", is_member=False, is_private=True)
    yield emulator
    emulator.stop()


@pytest.fixture
def client(emu: SlackEmulator) -> WebClient:
    return WebClient(base_url=emu.api_url, token=emu.bot_token)


def _error(exc: pytest.ExceptionInfo[SlackApiError]) -> str:
    return str(exc.value.response["error"])


GO = {"type": "plain_text", "text": "Go"}
BOLD = {"bold": True}
MENTION = {"type": "user", "user_id": "U1"}


def section(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}, **extra}


def modal(blocks: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": "observation",
        "title": {"type": "plain_text", "text": "Observation"},
        "submit": {"type": "plain_text", "text": "Save"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": json.dumps({"teacher": "U2"}),
        "blocks": blocks if blocks is not None else [section("Hello")],
    }
    view.update(extra)
    return view


def post_json(url: str, payload: dict[str, Any]) -> tuple[int, Any]:
    request = urllib.request.Request(
        url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


# --- basics -------------------------------------------------------------------------------------------


def test_urls_and_auth_test(emu: SlackEmulator, client: WebClient) -> None:
    assert emu.api_url.startswith("http://127.0.0.1:") and emu.api_url.endswith("/api/")
    assert emu.api_url == emu.base_url + "/api/"
    response = client.auth_test()
    assert response["team_id"] == "T0001"
    assert response["user_id"] == "UBOT"
    assert response["team"] == "Test School"
    assert response["bot_id"]
    assert [c.method for c in emu.calls] == ["auth.test"]
    assert emu.calls[0].token == emu.bot_token


def test_auth_is_checked(emu: SlackEmulator) -> None:
    with pytest.raises(SlackApiError) as wrong:
        WebClient(base_url=emu.api_url, token="xoxb-wrong").auth_test()
    assert _error(wrong) == "invalid_auth"
    with pytest.raises(SlackApiError) as missing:
        WebClient(base_url=emu.api_url).auth_test()
    assert _error(missing) == "not_authed"


def test_unknown_method(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as exc:
        client.api_call("reminders.add", json={"text": "x"})
    assert _error(exc) == "unknown_method"


def test_context_manager() -> None:
    with SlackEmulator(bot_token="xoxb-other").start() as emu:
        assert WebClient(base_url=emu.api_url, token="xoxb-other").auth_test()["ok"]
    with SlackEmulator() as emu2:
        assert WebClient(base_url=emu2.api_url, token=emu2.bot_token).auth_test()["ok"]


# --- messages -----------------------------------------------------------------------------------------


def test_post_message_recorded_and_readable(emu: SlackEmulator, client: WebClient) -> None:
    first = client.chat_postMessage(channel="C1", text="Hello staff", blocks=[section("*Hello* staff")])
    second = client.chat_postMessage(channel="C1", text="Again")
    assert first["channel"] == "C1"
    assert first["message"]["text"] == "Hello staff"
    assert first["message"]["blocks"] == [section("*Hello* staff")]
    assert float(second["ts"]) > float(first["ts"])
    assert len(first["ts"].split(".")[1]) == 6
    messages = emu.messages_to("C1")
    assert [m["text"] for m in messages] == ["Hello staff", "Again"]
    assert messages[0]["blocks"] == [section("*Hello* staff")]
    assert emu.calls_to("chat.postMessage")[0].params["channel"] == "C1"
    assert emu.block_errors == []
    assert emu.warnings == []


def test_form_encoded_and_query_string_arguments(emu: SlackEmulator, client: WebClient) -> None:
    blocks = [section("form")]
    client.api_call("chat.postMessage", params={"channel": "C1", "text": "t", "blocks": json.dumps(blocks)})
    client.api_call("chat.postMessage", http_verb="GET", params={"channel": "C1", "text": "from the query"})
    calls = emu.calls_to("chat.postMessage")
    assert calls[0].params["blocks"] == blocks  # JSON string decoded
    assert calls[1].params["text"] == "from the query"
    assert len(emu.messages_to("C1")) == 2


def test_channel_errors(emu: SlackEmulator, client: WebClient) -> None:
    cases = [("C404", "channel_not_found"), ("C2", "not_in_channel"), ("C3", "channel_not_found")]
    for channel, expected in cases:
        with pytest.raises(SlackApiError) as exc:
            client.chat_postMessage(channel=channel, text="hi")
        assert _error(exc) == expected, channel
    assert emu.messages_to("C2") == []  # failed calls are not messages
    assert len(emu.calls_to("chat.postMessage")) == 3


def test_no_text(emu: SlackEmulator, client: WebClient) -> None:
    with pytest.raises(SlackApiError) as exc:
        client.api_call("chat.postMessage", json={"channel": "C1"})
    assert _error(exc) == "no_text"
    assert len(emu.block_errors) == 1


def test_blocks_without_text_is_a_warning(emu: SlackEmulator, client: WebClient) -> None:
    with pytest.warns(UserWarning):  # slack_sdk itself warns too
        client.chat_postMessage(channel="C1", blocks=[section("only blocks")])
    assert emu.block_errors == []
    assert len(emu.warnings) == 1 and "text" in emu.warnings[0]


def test_dm_via_conversations_open(emu: SlackEmulator, client: WebClient) -> None:
    opened = client.conversations_open(users="U1")
    dm = opened["channel"]["id"]
    assert dm.startswith("D")
    assert client.conversations_open(users="U1")["channel"]["id"] == dm  # stable
    client.chat_postMessage(channel=dm, text="via D")
    by_user = client.chat_postMessage(channel="U1", text="via U")
    assert by_user["channel"] == dm
    assert [m["text"] for m in emu.messages_to("U1")] == ["via D", "via U"]
    assert [m["text"] for m in emu.messages_to(dm)] == ["via D", "via U"]
    assert emu.messages_to("U2") == []
    assert client.conversations_info(channel=dm)["channel"]["user"] == "U1"


def test_dm_to_missing_or_deactivated_user(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as unknown:
        client.conversations_open(users="U404")
    assert _error(unknown) == "user_not_found"
    with pytest.raises(SlackApiError) as disabled:
        client.conversations_open(users="U9")
    assert _error(disabled) == "user_disabled"
    for user in ("U404", "U9"):
        with pytest.raises(SlackApiError) as exc:
            client.chat_postMessage(channel=user, text="hi")
        assert _error(exc) == "channel_not_found"


def test_ephemeral_update_delete(emu: SlackEmulator, client: WebClient) -> None:
    ephemeral = client.chat_postEphemeral(channel="C1", user="U1", text="only you")
    assert ephemeral["message_ts"]
    assert [m["user"] for m in emu.messages_to("C1")] == ["U1"]
    with pytest.raises(SlackApiError) as no_user:
        client.chat_postEphemeral(channel="C1", user="U404", text="x")
    assert _error(no_user) == "user_not_found"

    posted = client.chat_postMessage(channel="C1", text="draft")
    updated = client.chat_update(channel="C1", ts=posted["ts"], text="final", blocks=[section("final")])
    assert updated["ts"] == posted["ts"] and updated["text"] == "final"
    assert [m["text"] for m in emu.history("C1")] == ["final"]
    with pytest.raises(SlackApiError) as missing:
        client.chat_update(channel="C1", ts="1.000001", text="x")
    assert _error(missing) == "message_not_found"
    client.chat_delete(channel="C1", ts=posted["ts"])
    assert emu.history("C1") == []


def test_conversations_info_and_join(emu: SlackEmulator, client: WebClient) -> None:
    assert client.conversations_info(channel="C1")["channel"]["is_member"] is True
    assert client.conversations_info(channel="C2")["channel"]["is_member"] is False
    with pytest.raises(SlackApiError) as exc:
        client.conversations_info(channel="C404")
    assert _error(exc) == "channel_not_found"
    joined = client.conversations_join(channel="C2")
    assert joined["channel"]["is_member"] is True
    client.chat_postMessage(channel="C2", text="now I can post")
    assert len(emu.messages_to("C2")) == 1


# --- users --------------------------------------------------------------------------------------------


def test_users_info(client: WebClient) -> None:
    user = client.users_info(user="U1")["user"]
    assert user["id"] == "U1" and user["team_id"] == "T0001"
    assert user["name"] == "alice" and user["real_name"] == "Alice Adams"
    assert user["profile"]["email"] == "alice@school.example"
    assert user["profile"]["display_name"] == "alice"
    assert user["is_admin"] is True and user["is_owner"] is False and user["deleted"] is False
    assert user["tz"] == "Europe/London" and user["tz_offset"] in (0, 3600)
    assert isinstance(user["updated"], int)
    assert client.users_info(user="U2")["user"]["tz_offset"] in (-5 * 3600, -4 * 3600)
    assert client.users_info(user="U9")["user"]["deleted"] is True
    with pytest.raises(SlackApiError) as exc:
        client.users_info(user="U404")
    assert _error(exc) == "user_not_found"


def test_users_lookup_by_email(client: WebClient) -> None:
    assert client.users_lookupByEmail(email="ALICE@school.example")["user"]["id"] == "U1"
    with pytest.raises(SlackApiError) as exc:
        client.users_lookupByEmail(email="nobody@school.example")
    assert _error(exc) == "users_not_found"


# --- Block Kit validation for messages -------------------------------------------------------------------


def test_section_text_over_3000_rejected(emu: SlackEmulator, client: WebClient) -> None:
    with pytest.raises(SlackApiError) as exc:
        client.chat_postMessage(channel="C1", text="long", blocks=[section("x" * 3001)])
    assert _error(exc) == "invalid_blocks"
    assert exc.value.response["errors"]
    assert len(emu.block_errors) == 1
    assert "chat.postMessage" in emu.block_errors[0]
    assert "/blocks/0" in emu.block_errors[0] and "3000" in emu.block_errors[0]
    assert emu.messages_to("C1") == []


def test_51_blocks_rejected(emu: SlackEmulator, client: WebClient) -> None:
    client.chat_postMessage(channel="C1", text="ok", blocks=[{"type": "divider"}] * 50)
    assert emu.block_errors == []
    with pytest.raises(SlackApiError) as exc:
        client.chat_postMessage(channel="C1", text="too many", blocks=[{"type": "divider"}] * 51)
    assert _error(exc) == "invalid_blocks"
    assert any("50" in e for e in emu.block_errors)


def test_header_and_long_text_limits(emu: SlackEmulator, client: WebClient) -> None:
    header = {"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}
    with pytest.raises(SlackApiError):
        client.chat_postMessage(channel="C1", text="t", blocks=[header])
    mrkdwn_header = {"type": "header", "text": {"type": "mrkdwn", "text": "*h*"}}
    with pytest.raises(SlackApiError):
        client.chat_postMessage(channel="C1", text="t", blocks=[mrkdwn_header])
    with pytest.raises(SlackApiError) as too_long:
        client.chat_postMessage(channel="C1", text="x" * 40_001)
    assert _error(too_long) == "msg_too_long"
    assert len(emu.block_errors) == 3


@pytest.mark.parametrize(
    ("block", "needle"),
    [
        ({"type": "section", "txt": {"type": "mrkdwn", "text": "typo"}}, "text or fields"),
        (section("x", colour="red"), "unknown key 'colour'"),
        ({"type": "sectoin", "text": {"type": "mrkdwn", "text": "x"}}, "unknown block type"),
        (section("x") | {"text": "a bare string"}, "got a string"),
        (
            {
                "type": "actions",
                "elements": [{"type": "button", "acton_id": "go", "text": GO}],
            },
            "unknown key 'acton_id'",
        ),
        ({"type": "actions", "elements": [{"type": "buton", "text": GO}]}, "buton"),
        ({"type": "actions", "elements": []}, "empty"),
        (
            section(
                "pick",
                accessory={
                    "type": "static_select",
                    "action_id": "pick",
                    "options": [{"text": {"type": "plain_text", "text": "A"}, "vaule": "a"}],
                },
            ),
            "vaule",
        ),
        (
            {
                "type": "actions",
                "elements": [
                    {"type": "button", "action_id": "same", "text": {"type": "plain_text", "text": "A"}},
                    {"type": "button", "action_id": "same", "text": {"type": "plain_text", "text": "B"}},
                ],
            },
            "duplicate action_id",
        ),
    ],
)
def test_malformed_blocks_rejected(
    emu: SlackEmulator,
    client: WebClient,
    block: dict[str, Any],
    needle: str,
) -> None:
    with pytest.raises(SlackApiError) as exc:
        client.chat_postMessage(channel="C1", text="fallback", blocks=[block])
    assert _error(exc) == "invalid_blocks"
    assert any(needle in e for e in emu.block_errors), emu.block_errors


def test_duplicate_block_ids_rejected(emu: SlackEmulator, client: WebClient) -> None:
    blocks = [section("a", block_id="same"), section("b", block_id="same")]
    with pytest.raises(SlackApiError):
        client.chat_postMessage(channel="C1", text="t", blocks=blocks)
    assert any("duplicate block_id" in e for e in emu.block_errors)


def test_rich_valid_message_passes(emu: SlackEmulator, client: WebClient) -> None:
    plain = {"type": "plain_text", "text": "Choose", "emoji": True}
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "Weekly digest"}},
        section("*Targets*", block_id="targets", fields=[{"type": "mrkdwn", "text": "a"}]),
        {"type": "divider"},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "Updated <!date^1700000000^{date}|x>"}]},
        {
            "type": "actions",
            "block_id": "acts",
            "elements": [
                {"type": "button", "action_id": "open", "text": plain, "value": "1", "style": "primary"},
                {
                    "type": "static_select",
                    "action_id": "pick",
                    "placeholder": plain,
                    "options": [{"text": {"type": "plain_text", "text": "A"}, "value": "a"}],
                },
                {"type": "users_select", "action_id": "who", "placeholder": plain},
                {"type": "datepicker", "action_id": "when", "initial_date": "2026-11-24"},
                {
                    "type": "overflow",
                    "action_id": "more",
                    "options": [{"text": {"type": "plain_text", "text": "Delete"}, "value": "del"}],
                },
            ],
        },
        {
            "type": "rich_text",
            "elements": [
                {"type": "rich_text_section", "elements": [{"type": "text", "text": "Hi", "style": BOLD}]},
                {
                    "type": "rich_text_list",
                    "style": "bullet",
                    "elements": [{"type": "rich_text_section", "elements": [MENTION]}],
                },
            ],
        },
    ]
    client.chat_postMessage(channel="C1", text="digest", blocks=blocks)
    assert emu.block_errors == []


def test_response_url_posts_recorded_and_validated(emu: SlackEmulator) -> None:
    status, body = post_json(emu.response_url("cmd-1"), {"response_type": "ephemeral", "text": "Done"})
    assert status == 200 and body["ok"] is True
    replace = {"replace_original": True, "text": "t", "blocks": [section("ok")]}
    status, _ = post_json(emu.response_url(), replace)
    assert status == 200
    assert [r["_key"] for r in emu.responses] == ["cmd-1", "default"]
    assert emu.responses[0]["text"] == "Done"
    assert emu.block_errors == []
    status, body = post_json(emu.response_url("bad"), {"text": "t", "blocks": [section("y" * 3001)]})
    assert status == 400 and body["error"] == "invalid_blocks"
    assert len(emu.responses) == 2
    assert emu.block_errors and emu.block_errors[0].startswith("response_url[bad]")
    assert emu.calls == []  # response_url posts are not Web API calls


# --- views --------------------------------------------------------------------------------------------


def test_valid_modal_opens_with_issued_trigger(emu: SlackEmulator, client: WebClient) -> None:
    trigger = emu.new_trigger_id()
    opened = client.views_open(trigger_id=trigger, view=modal())
    view = opened["view"]
    assert view["id"].startswith("V") and view["hash"]
    assert view["callback_id"] == "observation"
    assert view["state"] == {"values": {}}
    assert view["root_view_id"] == view["id"]
    [open_view] = emu.open_views()
    assert open_view["id"] == view["id"]
    assert json.loads(open_view["private_metadata"]) == {"teacher": "U2"}
    assert open_view["blocks"] == [section("Hello")]
    with pytest.raises(SlackApiError) as reused:
        client.views_open(trigger_id=trigger, view=modal())
    assert _error(reused) == "exchanged_trigger_id"
    assert emu.block_errors == []


def test_unissued_and_expired_trigger_ids_rejected(emu: SlackEmulator, client: WebClient) -> None:
    with pytest.raises(SlackApiError) as unissued:
        client.views_open(trigger_id="12345.98765.abcd2358fdea", view=modal())
    assert _error(unissued) == "invalid_trigger_id"
    emu.trigger_ttl = 0.05
    trigger = emu.new_trigger_id()
    time.sleep(0.1)
    with pytest.raises(SlackApiError) as expired:
        client.views_open(trigger_id=trigger, view=modal())
    assert _error(expired) == "expired_trigger_id"
    assert emu.open_views() == []


def test_modal_with_101_blocks_rejected(emu: SlackEmulator, client: WebClient) -> None:
    with pytest.raises(SlackApiError) as exc:
        client.views_open(trigger_id=emu.new_trigger_id(), view=modal([{"type": "divider"}] * 101))
    assert _error(exc) == "invalid_arguments"
    assert exc.value.response["response_metadata"]["messages"]
    assert any("views.open" in e and "100" in e for e in emu.block_errors)
    assert emu.open_views() == []


def test_modal_title_of_30_chars_rejected(emu: SlackEmulator, client: WebClient) -> None:
    view = modal(title={"type": "plain_text", "text": "T" * 30})
    with pytest.raises(SlackApiError) as exc:
        client.views_open(trigger_id=emu.new_trigger_id(), view=view)
    assert _error(exc) == "invalid_arguments"
    assert any("title" in e for e in emu.block_errors)


def test_trigger_survives_a_rejected_view(emu: SlackEmulator, client: WebClient) -> None:
    trigger = emu.new_trigger_id()
    with pytest.raises(SlackApiError):
        client.views_open(trigger_id=trigger, view=modal(submit={"type": "plain_text", "text": "S" * 25}))
    assert client.views_open(trigger_id=trigger, view=modal())["ok"]


@pytest.mark.parametrize(
    ("view", "needle"),
    [
        (modal([{"type": "input", "label": {"type": "plain_text", "text": "Notes"}}]), "requires an element"),
        (
            modal(
                [
                    {
                        "type": "input",
                        "label": {"type": "plain_text", "text": "Notes"},
                        "element": {"type": "plain_text_input", "action_id": "notes"},
                    }
                ],
                submit=None,
            ),
            "submit",
        ),
        (modal([section("a", block_id="b1"), section("b", block_id="b1")]), "duplicate block_id"),
        (modal(private_metadata="m" * 3001), "private_metadata"),
        (modal(callback_id="c" * 256), "callback_id"),
        (modal(titel={"type": "plain_text", "text": "x"}), "unknown key 'titel'"),
        (modal(type="dialog"), "type"),
    ],
)
def test_invalid_views_rejected(
    emu: SlackEmulator,
    client: WebClient,
    view: dict[str, Any],
    needle: str,
) -> None:
    view = {k: v for k, v in view.items() if v is not None}
    with pytest.raises(SlackApiError) as exc:
        client.views_open(trigger_id=emu.new_trigger_id(), view=view)
    assert _error(exc) == "invalid_arguments"
    assert any(needle in e for e in emu.block_errors), emu.block_errors


def test_form_with_inputs_passes(emu: SlackEmulator, client: WebClient) -> None:
    label = {"type": "plain_text", "text": "Label"}
    blocks: list[dict[str, Any]] = [
        {
            "type": "input",
            "block_id": "notes",
            "label": label,
            "element": {"type": "plain_text_input", "action_id": "v", "multiline": True},
        },
        {
            "type": "input",
            "block_id": "teacher",
            "label": label,
            "element": {"type": "users_select", "action_id": "v"},
        },
        {
            "type": "input",
            "block_id": "date",
            "label": label,
            "optional": True,
            "element": {"type": "datepicker", "action_id": "v"},
        },
        {
            "type": "input",
            "block_id": "focus",
            "label": label,
            "hint": {"type": "plain_text", "text": "Pick some"},
            "element": {
                "type": "checkboxes",
                "action_id": "v",
                "options": [{"text": {"type": "mrkdwn", "text": "*Behaviour*"}, "value": "behaviour"}],
            },
        },
    ]
    client.views_open(trigger_id=emu.new_trigger_id(), view=modal(blocks))
    assert emu.block_errors == []


def test_views_update_and_hash_conflict(emu: SlackEmulator, client: WebClient) -> None:
    view = client.views_open(trigger_id=emu.new_trigger_id(), view=modal(external_id="obs-1"))["view"]
    step_2 = modal([section("Step 2")])
    updated = client.views_update(view_id=view["id"], hash=view["hash"], view=step_2)["view"]
    assert updated["id"] == view["id"] and updated["hash"] != view["hash"]
    assert emu.open_views()[0]["blocks"] == [section("Step 2")]
    with pytest.raises(SlackApiError) as conflict:
        client.views_update(view_id=view["id"], hash=view["hash"], view=modal([section("Stale")]))
    assert _error(conflict) == "hash_conflict"
    by_external = client.views_update(external_id="obs-1", view=modal([section("Step 3")]))["view"]
    assert by_external["id"] == view["id"]
    with pytest.raises(SlackApiError) as missing:
        client.views_update(view_id="V404", view=modal())
    assert _error(missing) == "not_found"


def test_views_push_stack(emu: SlackEmulator, client: WebClient) -> None:
    root = client.views_open(trigger_id=emu.new_trigger_id(), view=modal())["view"]
    pushed = client.views_push(trigger_id=emu.new_trigger_id(), view=modal([section("Pushed")]))["view"]
    assert pushed["root_view_id"] == root["id"] and pushed["previous_view_id"] == root["id"]
    client.views_push(trigger_id=emu.new_trigger_id(), view=modal([section("Third")]))
    with pytest.raises(SlackApiError) as exc:
        client.views_push(trigger_id=emu.new_trigger_id(), view=modal([section("Fourth")]))
    assert _error(exc) == "push_limit_reached"
    assert len(emu.open_views()) == 3
    emu.close_view(root["id"])
    assert emu.open_views() == []


def test_a_closed_modal_cannot_be_updated(emu: SlackEmulator, client: WebClient) -> None:
    opened = client.views_open(trigger_id=emu.new_trigger_id(), view=modal([section("Loading")]))["view"]
    client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal([section("Ready")]))
    on_screen = emu.modal_on_screen()
    assert on_screen is not None and on_screen["blocks"][0]["text"]["text"] == "Ready"
    emu.close_view(opened["id"])
    with pytest.raises(SlackApiError) as exc:
        client.views_update(view_id=opened["id"], view=modal([section("Too late")]))
    assert _error(exc) == "not_found" and emu.modal_on_screen() is None


def test_views_publish_home(emu: SlackEmulator, client: WebClient) -> None:
    home = {"type": "home", "blocks": [section("Your mentees")]}
    first = client.views_publish(user_id="U1", view=home)["view"]
    assert emu.published_home("U1") is not None
    again = client.views_publish(user_id="U1", hash=first["hash"], view={**home, "blocks": [section("v2")]})
    assert (emu.published_home("U1") or {})["blocks"] == [section("v2")]
    with pytest.raises(SlackApiError) as conflict:
        client.views_publish(user_id="U1", hash=first["hash"], view=home)
    assert _error(conflict) == "hash_conflict"
    assert again["view"]["id"] == first["id"]
    assert emu.published_home("U2") is None
    with pytest.raises(SlackApiError) as exc:
        client.views_publish(user_id="U1", view={**home, "blocks": [{"type": "divider"}] * 101})
    assert _error(exc) == "invalid_arguments"
    with pytest.raises(SlackApiError):
        client.views_publish(user_id="U1", view={**home, "submit": {"type": "plain_text", "text": "No"}})
    assert any("100" in e for e in emu.block_errors)
    assert any("submit" in e for e in emu.block_errors)
    assert all(e.startswith("views.publish: ") for e in emu.block_errors)


# --- failure injection ----------------------------------------------------------------------------------


def test_rate_limit_honoured_by_retry_handler(emu: SlackEmulator, client: WebClient) -> None:
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=1))
    emu.fail_next("chat.postMessage", status=429, retry_after=0)
    response = client.chat_postMessage(channel="C1", text="eventually")
    assert response["ok"]
    calls = emu.calls_to("chat.postMessage")
    assert [c.status for c in calls] == [429, 200]
    assert len(emu.messages_to("C1")) == 1


def test_rate_limit_without_retry_surfaces(emu: SlackEmulator, client: WebClient) -> None:
    emu.fail_next("users.info", status=429, retry_after=7)
    with pytest.raises(SlackApiError) as exc:
        client.users_info(user="U1")
    assert exc.value.response.status_code == 429
    assert exc.value.response.headers["Retry-After"] == "7"
    assert _error(exc) == "ratelimited"
    assert client.users_info(user="U1")["ok"]  # only the next call fails


def test_channel_limit_and_a_crowded_channel(emu: SlackEmulator, client: WebClient) -> None:
    emu.limit_channels(1.0)
    emu.crowd_channel(emu.bot_token, "C1")
    time.sleep(1.2)  # however long the app takes to come, someone else posted just before it
    with pytest.raises(SlackApiError) as exc:
        client.chat_postMessage(channel="C1", text="first try")
    assert exc.value.response.status_code == 429 and exc.value.response.headers["Retry-After"] == "1"
    assert client.chat_postMessage(channel="U1", text="another channel is free")["ok"]
    with pytest.raises(SlackApiError):  # the limit runs from the crowding post
        client.chat_postMessage(channel="C1", text="too soon")
    time.sleep(1.05)
    assert client.chat_postMessage(channel="C1", text="after Retry-After")["ok"]
    assert [m["text"] for m in emu.messages_to("C1")] == ["after Retry-After"]


def test_server_error(emu: SlackEmulator, client: WebClient) -> None:
    emu.fail_next("chat.postMessage", status=500)
    with pytest.raises(SlackApiError) as exc:
        client.chat_postMessage(channel="C1", text="x")
    assert exc.value.response.status_code == 500

    no_wait = FixedValueRetryIntervalCalculator(0)
    retrying = WebClient(
        base_url=emu.api_url,
        token=emu.bot_token,
        retry_handlers=[
            ServerErrorRetryHandler(max_retry_count=1, interval_calculator=no_wait),
        ],
    )
    emu.fail_next("chat.postMessage", status=500)
    assert retrying.chat_postMessage(channel="C1", text="y")["ok"]
    assert [c.status for c in emu.calls_to("chat.postMessage")] == [500, 500, 200]


def test_injected_error_repeats(emu: SlackEmulator, client: WebClient) -> None:
    emu.fail_next("conversations.info", error="channel_not_found", times=2)
    for _ in range(2):
        with pytest.raises(SlackApiError) as exc:
            client.conversations_info(channel="C1")
        assert _error(exc) == "channel_not_found"
    assert client.conversations_info(channel="C1")["ok"]


def test_reset(emu: SlackEmulator, client: WebClient) -> None:
    client.chat_postMessage(channel="C1", text="x")
    with pytest.raises(SlackApiError):
        client.chat_postMessage(channel="C1", text="x", blocks=[section("z" * 3001)])
    emu.fail_next("auth.test", error="fatal_error")
    post_json(emu.response_url(), {"text": "r"})
    emu.reset()
    assert emu.calls == [] and emu.responses == [] and emu.block_errors == []
    assert client.auth_test()["ok"]  # injection cleared
    assert client.users_info(user="U1")["ok"]  # users stay
    assert client.chat_postMessage(channel="C1", text="again")["ok"]  # channels stay
    assert isinstance(emu.calls[0], Call)


# --- files ----------------------------------------------------------------------------------------------


def test_files_upload_v2(emu: SlackEmulator, client: WebClient) -> None:
    response = client.files_upload_v2(
        channel="C1",
        content=b"\x89PNG fake",
        filename="x.png",
        title="Lesson plan",
        initial_comment="Here it is",
    )
    assert response["file"]["title"] == "Lesson plan"
    [uploaded] = emu.uploaded_files
    assert uploaded["content"] == b"\x89PNG fake"
    assert uploaded["title"] == "Lesson plan"
    assert uploaded["filename"] == "x.png"
    assert uploaded["channel_id"] == "C1"
    assert uploaded["initial_comment"] == "Here it is"
    assert [c.method for c in emu.calls] == ["files.getUploadURLExternal", "files.completeUploadExternal"]


def test_files_upload_v2_channel_errors(emu: SlackEmulator, client: WebClient) -> None:
    for channel, expected in [("C404", "channel_not_found"), ("C2", "not_in_channel")]:
        with pytest.raises(SlackApiError) as exc:
            client.files_upload_v2(channel=channel, content=b"data", filename="notes.txt", title="Notes")
        assert _error(exc) == expected
    assert emu.uploaded_files == []
    dm = client.files_upload_v2(channel="U1", content="text content", filename="notes.txt", title="Notes")
    assert dm["ok"] and emu.uploaded_files[0]["content"] == b"text content"


# --- OAuth and several workspaces ----------------------------------------------------------------------------------


def test_oauth_exchanges_a_code_once_for_a_token_of_that_workspace(emu: SlackEmulator) -> None:
    anonymous = WebClient(base_url=emu.api_url)
    code = emu.authorize("T0002", "Osprey Academy", user_id="UADMIN2")

    granted = anonymous.oauth_v2_access(client_id=emu.client_id, client_secret=emu.client_secret, code=code)
    with pytest.raises(SlackApiError) as reused:
        anonymous.oauth_v2_access(client_id=emu.client_id, client_secret=emu.client_secret, code=code)
    with pytest.raises(SlackApiError) as bad_secret:
        anonymous.oauth_v2_access(client_id=emu.client_id, client_secret="nope", code=emu.authorize("T0002"))

    assert granted["team"] == {"id": "T0002", "name": "Osprey Academy"}
    assert granted["authed_user"] == {"id": "UADMIN2"} and granted["token_type"] == "bot"
    token = str(granted["access_token"])
    assert token.startswith("xoxb-") and token == emu.token_for("T0002")
    assert _error(reused) == "invalid_code" and _error(bad_secret) == "bad_client_secret"
    assert WebClient(base_url=emu.api_url, token=token).auth_test()["team_id"] == "T0002"


def test_each_token_answers_for_its_own_workspace_and_a_revoked_one_is_refused(
    emu: SlackEmulator, client: WebClient
) -> None:
    token = emu.add_workspace("T0002", "Osprey Academy")
    emu.add_user("U22", "osprey", team_id="T0002")
    other = WebClient(base_url=emu.api_url, token=token)

    assert client.auth_test()["team_id"] == "T0001" and other.auth_test()["team_id"] == "T0002"
    assert other.users_info(user="U22")["user"]["id"] == "U22"
    with pytest.raises(SlackApiError) as foreign:
        client.users_info(user="U22")  # a person of another workspace
    emu.revoke(token, "account_inactive")
    with pytest.raises(SlackApiError) as revoked:
        other.auth_test()

    assert _error(foreign) == "user_not_found" and _error(revoked) == "account_inactive"
    assert [c.method for c in emu.calls_by(token)] == ["auth.test", "users.info", "auth.test"]
