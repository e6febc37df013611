"""The Block Kit checks work on a builder's output directly, without the emulator's HTTP server."""

from __future__ import annotations

from handlers.digests.blocks import admin_notice
from handlers.home.modals import target_sent_modal
from tests.support.emulator import message_errors, validate_view


def test_a_builders_modal_and_message_are_checked_without_http() -> None:
    assert validate_view(target_sent_modal("UBEN0001")) == []
    notice = admin_notice("The digest could not be posted.")
    assert message_errors({"text": notice.text, "blocks": notice.blocks}) == []


def test_what_slack_would_reject_is_named_with_where_it_is() -> None:
    modal = {**target_sent_modal("UBEN0001"), "titel": "typo"}
    modal["title"] = {"type": "plain_text", "text": "A title far longer than Slack allows"}

    errors = validate_view(modal)

    assert "/view/titel: unknown key 'titel' for a view" in errors
    assert any(e.startswith("/view/title") and "24" in e for e in errors), errors
    assert message_errors({}) == ["/text: no text, blocks or attachments"]
    assert message_errors({"text": "x", "blocks": [{"type": "section"}]}) != []
