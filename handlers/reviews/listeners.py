"""`/review @teacher` (the modal drafted from the records), saving it, Sign, Add a comment and Correct.

Listeners are module-level functions; `caller`, `now`, `directory`, `deps` and `refresh_homes` come from the
app's middleware (handlers/slack/context.py), and `@answers` / `@modal_submission` turn a refusal into the
reply (handlers/slack/answers.py).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.app.bootstrap import Deps
from bot.core.directory import Directory
from bot.core.errors import InvalidInput
from bot.reviews.report import review_csv, review_pdf
from bot.reviews.writing import EVIDENCE, ReviewView
from bot.roster.service import Caller
from handlers.reviews import ids
from handlers.reviews.blocks import comment_modal, read_comment, read_review_state, review_message, review_modal
from handlers.slack import parsing
from handlers.slack.answers import answers, modal_submission
from handlers.slack.blocks import user_text
from handlers.slack.context import RefreshHomes
from handlers.slack.modal_first import ModalFirst
from handlers.slack.replies import record_id, say, send_dm

log = logging.getLogger(__name__)

USAGE = (
    "Usage: `/review @teacher` to write their next review, or `/review @teacher term 3` (or `interim`, or a "
    "review point's name) for a particular one; `/review report @teacher [term 3]` for a review's PDF and CSV."
)


def register(app: App) -> None:
    app.command(ids.REVIEW)(review_command)
    app.view(ids.REVIEW_CALLBACK)(review_submitted)
    app.view(ids.COMMENT_CALLBACK)(comment_submitted)
    app.action(ids.SIGN)(sign_clicked)
    app.action(ids.COMMENT)(comment_clicked)
    app.action(ids.CORRECT)(correct_clicked)


# --- /review -------------------------------------------------------------------------------------------


@answers(opens="Progress review")
def review_command(
    ack: Ack,
    command: dict[str, Any],
    respond: Respond,
    client: WebClient,
    modal: ModalFirst,
    caller: Callable[[], Caller],
    now: datetime,
    directory: Directory,
    deps: Deps,
) -> None:
    words = parsing.tokens(command.get("text", ""))
    try:
        if not words or words[0].lower() == "help":
            raise InvalidInput("Name the teacher whose review you are writing.")
        if words[0].lower() == "report":
            if len(words) < 2:
                raise InvalidInput("Name the teacher whose review report you want.")
            report_for = parsing.user_id(words[1], what="a teacher")
        else:
            report_for = None
            mentee_id = parsing.user_id(words[0], what="a teacher")
            choice = " ".join(words[1:]) or None
    except InvalidInput as exc:
        ack(response_type="ephemeral", text=f"{exc}\n{USAGE}")
        return
    ack()
    if report_for is not None:
        modal.not_needed()  # the report comes as files in the DM
        _send_report(respond, client, caller(), report_for, " ".join(words[2:]) or None, now, deps)
        return
    form = deps.review_writing.prepare(caller(), mentee_id, directory, now, choice=choice)
    modal.open(review_modal(form))


def _send_report(
    respond: Respond, client: WebClient, me: Caller, mentee_id: str, which: str | None, now: datetime, deps: Deps
) -> None:
    """The review's PDF and CSV, uploaded into the requester's DM (a refusal is raised for the reply)."""
    data = deps.review_reports.report(me, mentee_id, which, now)
    title = user_text(data.title)
    say(respond, f"Preparing {title} for <@{mentee_id}>: the PDF and CSV will be in our DM in a moment.")
    pdf, summarised = review_pdf(data, deps.settings.tz)
    csv = review_csv(data, deps.settings.tz)
    note = " It was summarised to fit Slack's upload limit (no chart, shorter quotes)." if summarised else ""
    try:
        channel = client.conversations_open(users=me.user_id)["channel"]["id"]
        client.files_upload_v2(
            channel=channel,
            initial_comment=f"{title} for <@{mentee_id}>: the report as a PDF and a CSV of the same fields.{note}",
            file_uploads=[
                {"content": pdf, "filename": f"{data.filename}.pdf", "title": f"{data.title}: {data.teacher}"},
                {"content": csv, "filename": f"{data.filename}.csv", "title": "The same fields as CSV"},
            ],
        )
    except SlackApiError as exc:
        log.warning("Could not upload a review report: %s", exc.response.get("error"))
        say(respond, "Sorry, I couldn't upload the report just now: please try again in a minute.")


@modal_submission(problem_block=EVIDENCE, what="a review")
def review_submitted(
    ack: Ack,
    view: dict[str, Any],
    client: WebClient,
    caller: Callable[[], Caller],
    now: datetime,
    directory: Directory,
    deps: Deps,
    refresh_homes: RefreshHomes,
) -> None:
    metadata = json.loads(view.get("private_metadata") or "{}")
    typed = read_review_state(view["state"]["values"], metadata)
    saved = deps.review_writing.save(caller(), typed, view["id"], directory, now)
    ack()
    if saved.created:  # a retry of the same submission tells nobody twice
        _send_to_signers(client, saved.view)
        review = saved.view.review
        refresh_homes([review.mentee_id, review.author_id, *(s.signer_id for s in saved.view.signatures)])


def _send_to_signers(client: WebClient, view: ReviewView) -> None:
    """The review to everyone asked to sign it, and to its author (with Correct)."""
    asked = [s.signer_id for s in view.waiting_for]
    for user in dict.fromkeys([*asked, view.review.author_id]):
        text, blocks = review_message(view, for_user=user)
        send_dm(client, user, text, blocks)


# --- buttons -------------------------------------------------------------------------------------------


@answers()
def sign_clicked(
    ack: Ack,
    body: dict[str, Any],
    client: WebClient,
    caller: Callable[[], Caller],
    now: datetime,
    deps: Deps,
    refresh_homes: RefreshHomes,
) -> None:
    ack()
    me = caller()
    view, locked = deps.review_writing.sign(me, record_id(body), now)
    _replace_clicked(body, client, view, me.user_id)
    review = view.review
    if locked:
        for signer in dict.fromkeys([review.author_id, *(s.signer_id for s in view.signatures)]):
            if signer != me.user_id:
                send_dm(
                    client,
                    signer,
                    f":lock: {user_text(review.title)} for <@{review.mentee_id}> is signed by everyone and locked.",
                )
        refresh_homes([review.mentee_id, review.author_id])


@answers(opens="Comment")
def comment_clicked(ack: Ack, body: dict[str, Any], modal: ModalFirst) -> None:
    ack()
    modal.open(comment_modal(record_id(body)))


@modal_submission(problem_block=ids.COMMENT_BLOCK, what="a review comment")
def comment_submitted(
    ack: Ack, view: dict[str, Any], client: WebClient, caller: Callable[[], Caller], now: datetime, deps: Deps
) -> None:
    metadata = json.loads(view.get("private_metadata") or "{}")
    me = caller()
    review_id, text = int(metadata.get("review", 0)), read_comment(view["state"]["values"])
    saved = deps.review_writing.comment(me, review_id, text, now, view["id"])
    ack()
    if saved.created:  # a retry or replay of the same comment tells the author once
        review = saved.view.review
        send_dm(client, review.author_id, f"<@{me.user_id}> commented on {user_text(review.title)}: see the review.")


@answers(notice="Correct a review")
def correct_clicked(
    ack: Ack,
    body: dict[str, Any],
    modal: ModalFirst,
    caller: Callable[[], Caller],
    now: datetime,
    directory: Directory,
    deps: Deps,
) -> None:
    ack()
    me = caller()
    review = deps.review_writing.view(me, record_id(body)).review
    form = deps.review_writing.prepare(me, review.mentee_id, directory, now, correct=review.id)
    modal.open(review_modal(form))


def _replace_clicked(body: dict[str, Any], client: WebClient, view: ReviewView, user_id: str) -> None:
    container = body.get("container") or {}
    channel = (body.get("channel") or {}).get("id") or container.get("channel_id")
    ts = (body.get("message") or {}).get("ts") or container.get("message_ts")
    if not channel or not ts:
        return
    text, blocks = review_message(view, for_user=user_id)
    try:
        client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
    except SlackApiError as exc:
        log.warning("Could not update a review message: %s", exc.response.get("error"))
