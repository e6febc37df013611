"""Buttons on meeting messages: Sign off (with or without a comment), Correct the notes, Log meeting."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.app.bootstrap import Deps
from bot.core.errors import DomainError
from handlers.meetings.blocks import (
    CORRECT,
    LOG_MEETING,
    SIGN_OFF,
    SIGN_OFF_WITH_COMMENT,
    comment_modal,
    correction_modal,
    mentee_notes_message,
    signed_off_notice,
)
from handlers.meetings.command import open_meeting_modal
from handlers.slack.directory import SlackDirectory
from handlers.slack.replies import record_id, say, send_dm

log = logging.getLogger(__name__)


def register(app: App, deps: Deps) -> None:
    @app.action(SIGN_OFF)
    def sign_off(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        team_id, now = body["team"]["id"], deps.now()
        try:
            caller = deps.roster.caller(team_id, body["user"]["id"], SlackDirectory(client), now)
            signed = deps.meetings.sign_off(caller, record_id(body), None, now)
        except DomainError as exc:
            say(respond, str(exc))
            return
        meeting = signed.meeting
        container = body.get("container") or {}
        channel = str(meeting.mentee_message_channel or container.get("channel_id") or "")
        ts = str(meeting.mentee_message_ts or container.get("message_ts") or "")
        text, blocks = mentee_notes_message(deps.meetings.summary(team_id, meeting.id))
        try:
            client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
        except SlackApiError as exc:
            log.warning("Could not update the signed-off notes message: %s", exc.response.get("error"))
            say(respond, "Signed off. Thank you!")
        if signed.created:
            send_dm(client, meeting.author_id, signed_off_notice(meeting))

    @app.action(SIGN_OFF_WITH_COMMENT)
    def sign_off_with_comment(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        # Open at once (trigger ids last three seconds); who may sign is checked when it's submitted.
        client.views_open(trigger_id=body["trigger_id"], view=comment_modal(record_id(body)))

    @app.action(CORRECT)
    def correct(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        team_id, now = body["team"]["id"], deps.now()
        try:
            caller = deps.roster.caller(team_id, body["user"]["id"], SlackDirectory(client), now)
            meeting, _ = deps.meetings.prepare_correction(caller, record_id(body), now)
        except DomainError as exc:
            say(respond, str(exc))
            return
        client.views_open(trigger_id=body["trigger_id"], view=correction_modal(meeting))

    @app.action(LOG_MEETING)
    def log_meeting(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        problem = open_meeting_modal(
            deps,
            client,
            team_id=body["team"]["id"],
            user_id=body["user"]["id"],
            mentee_id=body["actions"][0].get("value") or None,
            trigger_id=body["trigger_id"],
        )
        if problem:
            say(respond, problem)
