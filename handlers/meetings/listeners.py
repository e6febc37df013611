"""/meeting and its buttons and modals: `/meeting [@mentee]` opens the meeting modal, `/meeting cadence
@mentee [weekly|fortnightly|twice-a-term]` shows or changes how often they meet; Sign off (with or without
a comment), Correct the notes, Log meeting; saving a meeting, a correction and a sign-off comment, then
telling the right people.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.app.bootstrap import Deps
from bot.core.directory import Directory
from bot.core.errors import InvalidInput
from bot.core.vocabulary import CADENCE_WORDS
from bot.meetings.service import Logged
from bot.roster.service import Caller
from handlers.meetings import ids
from handlers.meetings.blocks import (
    cadence_text,
    corrected_notice,
    mentee_notes_message,
    mentor_confirmation,
    signed_off_notice,
)
from handlers.meetings.modals import comment_modal, correction_modal, meeting_modal, read_comment, read_meeting_state
from handlers.slack import parsing
from handlers.slack.answers import answers, modal_submission
from handlers.slack.blocks import user_text
from handlers.slack.context import RefreshHomes
from handlers.slack.modal_first import ModalFirst
from handlers.slack.replies import SLACK_FAILURES, failure_reason, record_id, say, send_dm
from storage.meetings import Meeting

log = logging.getLogger(__name__)

USAGE = (
    "Usage: `/meeting @mentee` to log a meeting, or `/meeting cadence @mentee weekly|fortnightly|twice-a-term` "
    "to see or change how often you meet."
)


def register(app: App) -> None:
    app.command(ids.MEETING)(meeting_command)
    app.action(ids.SIGN_OFF)(sign_off)
    app.action(ids.SIGN_OFF_WITH_COMMENT)(sign_off_with_comment)
    app.action(ids.CORRECT)(correct)
    app.action(ids.LOG_MEETING)(log_meeting)
    app.view(ids.MEETING_CALLBACK)(meeting_submitted)
    app.view(ids.CORRECT_CALLBACK)(correction_submitted)
    app.view(ids.COMMENT_CALLBACK)(comment_submitted)


# --- /meeting ------------------------------------------------------------------------------------------


@answers(opens="Log meeting")
def meeting_command(
    ack: Ack,
    command: dict[str, Any],
    respond: Respond,
    modal: ModalFirst,
    caller: Callable[[], Caller],
    now: datetime,
    directory: Directory,
    deps: Deps,
) -> None:
    words = parsing.tokens(command.get("text", ""))
    try:
        if words and words[0].lower() == "cadence":
            modal.not_needed()  # answered in words
            _cadence(ack, respond, caller, now, directory, deps, words[1:])
            return
        if words and words[0].lower() == "help":
            raise InvalidInput("Here's how to use it.")
        if len(words) > 1:
            raise InvalidInput("Name one mentee.")
        mentee_id = parsing.user_id(words[0], what="a mentee") if words else None
    except InvalidInput as exc:
        if ack.response is not None:  # a refusal from the cadence change itself, after the acknowledgement
            raise
        ack(response_type="ephemeral", text=f"{exc}\n{USAGE}")
        return
    ack()
    _open_meeting_modal(modal, caller, mentee_id, now, directory, deps)


def _cadence(
    ack: Ack,
    respond: Respond,
    caller: Callable[[], Caller],
    now: datetime,
    directory: Directory,
    deps: Deps,
    args: list[str],
) -> None:
    if not args or len(args) > 2:
        raise InvalidInput("Name the mentee, then (to change it) weekly, fortnightly or twice-a-term.")
    mentee_id = parsing.user_id(args[0], what="a mentee")
    cadence = None
    if len(args) == 2:
        cadence = CADENCE_WORDS.get(args[1].lower())
        if cadence is None:
            raise InvalidInput(
                f"“{user_text(args[1], slack_escaped=True)}” isn't a cadence: use weekly, fortnightly or twice-a-term."
            )
    ack()
    text = cadence_text(deps.meetings.set_cadence(caller(), mentee_id, cadence, directory, now))
    respond(response_type="ephemeral", replace_original=False, text=text)


def _open_meeting_modal(
    modal: ModalFirst,
    caller: Callable[[], Caller],
    mentee_id: str | None,
    now: datetime,
    directory: Directory,
    deps: Deps,
) -> None:
    """Check, then open the modal; a refusal is raised for the reply."""
    if mentee_id is None:
        mentee_id = deps.meetings.sole_mentee(caller())
        if mentee_id is None:
            raise InvalidInput("Name the mentee you met: `/meeting @mentee`.")
    form = deps.meetings.prepare(caller(), mentee_id, directory, now)
    modal.open(meeting_modal(form))


# --- buttons -------------------------------------------------------------------------------------------


@answers()
def sign_off(
    ack: Ack,
    body: dict[str, Any],
    client: WebClient,
    respond: Respond,
    caller: Callable[[], Caller],
    now: datetime,
    deps: Deps,
) -> None:
    ack()
    signed = deps.meetings.sign_off(caller(), record_id(body), None, now)
    meeting = signed.meeting
    container = body.get("container") or {}
    channel = str(meeting.mentee_message_channel or container.get("channel_id") or "")
    ts = str(meeting.mentee_message_ts or container.get("message_ts") or "")
    text, blocks = mentee_notes_message(deps.meetings.summary(body["team"]["id"], meeting.id))
    try:
        client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
    except SLACK_FAILURES as exc:
        log.warning("Could not update the signed-off notes message: %s", failure_reason(exc))
        say(respond, "Signed off. Thank you!")
    if signed.created:
        send_dm(client, meeting.author_id, signed_off_notice(meeting))


@answers(opens="Sign off with comment")
def sign_off_with_comment(ack: Ack, body: dict[str, Any], modal: ModalFirst) -> None:
    ack()
    # Nothing to check first (who may sign is checked when it's submitted), but the turn after the ack may wait.
    modal.open(comment_modal(record_id(body)))


@answers(opens="Correct meeting")
def correct(
    ack: Ack, body: dict[str, Any], modal: ModalFirst, caller: Callable[[], Caller], now: datetime, deps: Deps
) -> None:
    ack()
    meeting, _ = deps.meetings.prepare_correction(caller(), record_id(body), now)
    modal.open(correction_modal(meeting))


@answers(opens="Log meeting")
def log_meeting(
    ack: Ack,
    body: dict[str, Any],
    modal: ModalFirst,
    caller: Callable[[], Caller],
    now: datetime,
    directory: Directory,
    deps: Deps,
) -> None:
    ack()
    mentee_id = body["actions"][0].get("value") or None
    _open_meeting_modal(modal, caller, mentee_id, now, directory, deps)


# --- modals --------------------------------------------------------------------------------------------


@modal_submission(problem_block=ids.HELD_ON, what="a meeting")
def meeting_submitted(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    client: WebClient,
    caller: Callable[[], Caller],
    now: datetime,
    directory: Directory,
    deps: Deps,
    refresh_homes: RefreshHomes,
) -> None:
    metadata = json.loads(view.get("private_metadata") or "{}")
    draft = read_meeting_state(view["state"]["values"], metadata)
    logged = deps.meetings.log(caller(), draft, view["id"], directory, now)
    ack()
    if logged.created:  # a retry of the same submission tells nobody twice
        _share(client, deps, logged)
        refresh_homes([logged.meeting.mentee_id, *logged.mentor_ids, body["user"]["id"]])


@modal_submission(problem_block=ids.HELD_ON, what="a meeting's correction")
def correction_submitted(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    client: WebClient,
    caller: Callable[[], Caller],
    now: datetime,
    deps: Deps,
    refresh_homes: RefreshHomes,
) -> None:
    metadata = json.loads(view.get("private_metadata") or "{}")
    draft = read_meeting_state(view["state"]["values"], {})
    user_id = body["user"]["id"]
    corrected = deps.meetings.correct(caller(), int(metadata.get("meeting", 0)), draft, now, submission_key=view["id"])
    ack()
    if corrected.repeat:
        return  # the same Save again: told the first time
    meeting = corrected.meeting
    if not corrected.changed:
        send_dm(client, user_id, "Nothing had changed, so the notes are as they were.")
        return
    _refresh_mentee_message(client, deps, meeting)
    if corrected.mentee_sees:
        send_dm(client, meeting.mentee_id, corrected_notice(corrected))
    send_dm(
        client,
        user_id,
        f"Your correction is saved ({user_text(', '.join(corrected.changed))}), with your name and the time."
        + (" The mentee has been asked to sign off again." if corrected.sign_off_reset else ""),
    )
    refresh_homes([meeting.mentee_id, user_id])


@modal_submission(problem_block=ids.COMMENT, what="a sign-off")
def comment_submitted(
    ack: Ack,
    view: dict[str, Any],
    client: WebClient,
    caller: Callable[[], Caller],
    now: datetime,
    deps: Deps,
) -> None:
    metadata = json.loads(view.get("private_metadata") or "{}")
    comment = read_comment(view["state"]["values"])
    signed = deps.meetings.sign_off(caller(), int(metadata.get("meeting", 0)), comment, now)
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
    except SLACK_FAILURES as exc:
        log.warning("Could not update the mentee's meeting notes message: %s", failure_reason(exc))
