"""Saving a meeting, a correction and a sign-off comment from their modals, then telling the right people."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.app.bootstrap import Deps
from bot.meetings.forms import HELD_ON, Corrected, Logged, SignedOff
from handlers.home.events import refresh_homes
from handlers.meetings.blocks import (
    COMMENT,
    COMMENT_CALLBACK,
    CORRECT_CALLBACK,
    MEETING_CALLBACK,
    corrected_notice,
    mentee_notes_message,
    mentor_confirmation,
    read_comment,
    read_meeting_state,
    signed_off_notice,
)
from handlers.slack.directory import SlackDirectory
from handlers.slack.replies import save_or_explain, send_dm
from storage.meetings import Meeting

log = logging.getLogger(__name__)


def register(app: App, deps: Deps) -> None:
    @app.view(MEETING_CALLBACK)
    def meeting_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        metadata = json.loads(view.get("private_metadata") or "{}")
        draft = read_meeting_state(view["state"]["values"], metadata)
        directory = SlackDirectory(client)
        team_id, now = body["team"]["id"], deps.now()
        user_id = body["user"]["id"]

        def save() -> Logged:
            caller = deps.roster.caller(team_id, user_id, directory, now)
            return deps.meetings.log(caller, draft, view["id"], directory, now)

        logged = save_or_explain(ack, view, save, problem_block=HELD_ON, what="a meeting")
        if logged is None:
            return
        ack()
        if logged.created:  # a retry of the same submission tells nobody twice
            _share(client, deps, logged)
            refresh_homes(deps, client, team_id, [logged.meeting.mentee_id, *logged.mentor_ids, user_id])

    @app.view(CORRECT_CALLBACK)
    def correction_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        metadata = json.loads(view.get("private_metadata") or "{}")
        draft = read_meeting_state(view["state"]["values"], {})
        directory = SlackDirectory(client)
        team_id, now = body["team"]["id"], deps.now()
        user_id = body["user"]["id"]

        def save() -> Corrected:
            caller = deps.roster.caller(team_id, user_id, directory, now)
            return deps.meetings.correct(caller, int(metadata.get("meeting", 0)), draft, now)

        corrected = save_or_explain(ack, view, save, problem_block=HELD_ON, what="a meeting's correction")
        if corrected is None:
            return
        ack()
        meeting = corrected.meeting
        if not corrected.changed:
            send_dm(client, user_id, "Nothing had changed, so the notes are as they were.")
            return
        _refresh_mentee_message(client, deps, meeting)
        send_dm(client, meeting.mentee_id, corrected_notice(corrected))
        send_dm(
            client,
            user_id,
            f"Your correction is saved ({', '.join(corrected.changed)}), with your name and the time."
            + (" The mentee has been asked to sign off again." if corrected.sign_off_reset else ""),
        )
        refresh_homes(deps, client, team_id, [meeting.mentee_id, user_id])

    @app.view(COMMENT_CALLBACK)
    def comment_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        metadata = json.loads(view.get("private_metadata") or "{}")
        comment = read_comment(view["state"]["values"])
        directory = SlackDirectory(client)
        team_id, now = body["team"]["id"], deps.now()
        user_id = body["user"]["id"]

        def save() -> SignedOff:
            caller = deps.roster.caller(team_id, user_id, directory, now)
            return deps.meetings.sign_off(caller, int(metadata.get("meeting", 0)), comment, now)

        signed = save_or_explain(ack, view, save, problem_block=COMMENT, what="a sign-off")
        if signed is None:
            return
        ack()
        _refresh_mentee_message(client, deps, signed.meeting)
        if signed.created:
            send_dm(client, signed.meeting.author_id, signed_off_notice(signed.meeting))


def _share(client: WebClient, deps: Deps, logged: Logged) -> None:
    meeting = logged.meeting
    text, blocks = mentee_notes_message(logged)
    sent = send_dm(client, meeting.mentee_id, text, blocks)
    if sent and sent.get("channel") and sent.get("ts"):
        deps.meetings.remember_mentee_message(meeting.team_id, meeting.id, sent["channel"], sent["ts"])
    text, blocks = mentor_confirmation(logged, dm_failed=not sent)
    send_dm(client, meeting.author_id, text, blocks)


def _refresh_mentee_message(client: WebClient, deps: Deps, meeting: Meeting) -> None:
    """Show the notes DM as it now stands (signed off, or corrected and waiting for sign-off again)."""
    if not (meeting.mentee_message_channel and meeting.mentee_message_ts):
        return
    text, blocks = mentee_notes_message(deps.meetings.summary(meeting.team_id, meeting.id))
    try:
        client.chat_update(
            channel=meeting.mentee_message_channel, ts=meeting.mentee_message_ts, text=text, blocks=blocks
        )
    except SlackApiError as exc:
        log.warning("Could not update the mentee's meeting notes message: %s", exc.response.get("error"))
