"""`/review @mentee` (the modal drafted from the records), saving it, Sign, Add a comment and corrections.

Listeners are module-level functions; they find the services in Bolt's context (`deps`, put there by the
middleware `register` adds until the app-wide middleware does it for every feature).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.app.bootstrap import Deps
from bot.core.errors import DomainError, InvalidInput
from bot.reviews.writing import EVIDENCE, ReviewView
from handlers.reviews.blocks import comment_modal, read_comment, read_review_state, review_message, review_modal
from handlers.reviews.ids import (
    COMMENT,
    COMMENT_BLOCK,
    COMMENT_CALLBACK,
    CORRECT,
    REVIEW,
    REVIEW_CALLBACK,
    SIGN,
)
from handlers.slack import parsing
from handlers.slack.directory import SlackDirectory
from handlers.slack.replies import notice_modal, record_id, save_or_explain, say, send_dm

log = logging.getLogger(__name__)

USAGE = (
    "Usage: `/review @teacher` to write their next review, or `/review @teacher term 3` (or `interim`, or a "
    "review point's name) for a particular one."
)


def _deps(context: BoltContext) -> Deps:
    deps = context["deps"]
    assert isinstance(deps, Deps)
    return deps


def review_command(
    ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient, context: BoltContext
) -> None:
    words = parsing.tokens(command.get("text", ""))
    try:
        if not words or words[0].lower() == "help":
            raise InvalidInput("Name the teacher whose review you are writing.")
        if words[0].lower() == "report":
            raise InvalidInput("Review reports are not ready yet.")
        mentee_id = parsing.user_id(words[0], what="a teacher")
        choice = " ".join(words[1:]) or None
    except InvalidInput as exc:
        ack(response_type="ephemeral", text=f"{exc}\n{USAGE}")
        return
    ack()
    problem = open_review(
        _deps(context), client, command["team_id"], command["user_id"], mentee_id, command["trigger_id"], choice=choice
    )
    if problem:
        say(respond, problem)


def open_review(
    deps: Deps,
    client: WebClient,
    team_id: str,
    user_id: str,
    mentee_id: str,
    trigger_id: str,
    *,
    correct: int | None = None,
    choice: str | None = None,
) -> str | None:
    """Check, draft and open the modal; returns what to tell the user when it can't open."""
    directory = SlackDirectory(client)
    now = deps.now()
    try:
        caller = deps.roster.caller(team_id, user_id, directory, now)
        form = deps.review_writing.prepare(caller, mentee_id, directory, now, correct=correct, choice=choice)
    except DomainError as exc:
        return str(exc)
    client.views_open(trigger_id=trigger_id, view=review_modal(form))
    return None


def review_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    deps = _deps(context)
    metadata = json.loads(view.get("private_metadata") or "{}")
    typed = read_review_state(view["state"]["values"], metadata)
    directory = SlackDirectory(client)
    team_id, user_id, now = body["team"]["id"], body["user"]["id"], deps.now()

    def save() -> Any:
        caller = deps.roster.caller(team_id, user_id, directory, now)
        return deps.review_writing.save(caller, typed, view["id"], directory, now)

    saved = save_or_explain(ack, view, save, problem_block=EVIDENCE, what="a review")
    if saved is None:
        return
    ack()
    if saved.created:
        _send_to_signers(client, saved.view)


def _send_to_signers(client: WebClient, view: ReviewView) -> None:
    """The review to everyone asked to sign it, and to its author with a Correct button."""
    r = view.review
    asked = [s.signer_id for s in view.waiting_for]
    for user in dict.fromkeys([*asked, r.author_id]):
        text, blocks = review_message(view, for_user=user)
        send_dm(client, user, text, blocks)


def sign_clicked(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext) -> None:
    ack()
    deps = _deps(context)
    team_id, user_id, now = body["team"]["id"], body["user"]["id"], deps.now()
    try:
        caller = deps.roster.caller(team_id, user_id, SlackDirectory(client), now)
        view, locked = deps.review_writing.sign(caller, record_id(body), now)
    except DomainError as exc:
        say(respond, str(exc))
        return
    _replace_clicked(body, client, view, user_id)
    if locked:
        for signer in dict.fromkeys([view.review.author_id, *(s.signer_id for s in view.signatures)]):
            if signer != user_id:
                send_dm(
                    client,
                    signer,
                    f":lock: {view.review.title} for <@{view.review.mentee_id}> is signed by everyone and locked.",
                )


def comment_clicked(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    ack()
    client.views_open(trigger_id=body["trigger_id"], view=comment_modal(record_id(body)))


def comment_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    deps = _deps(context)
    metadata = json.loads(view.get("private_metadata") or "{}")
    team_id, user_id, now = body["team"]["id"], body["user"]["id"], deps.now()

    def save() -> ReviewView:
        caller = deps.roster.caller(team_id, user_id, SlackDirectory(client), now)
        return deps.review_writing.comment(
            caller, int(metadata.get("review", 0)), read_comment(view["state"]["values"]), now
        )

    saved = save_or_explain(ack, view, save, problem_block=COMMENT_BLOCK, what="a review comment")
    if saved is None:
        return
    ack()
    send_dm(client, saved.review.author_id, f"<@{user_id}> commented on {saved.review.title}: see the review.")


def correct_clicked(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext) -> None:
    ack()
    deps = _deps(context)
    team_id, user_id = body["team"]["id"], body["user"]["id"]
    try:
        caller = deps.roster.caller(team_id, user_id, SlackDirectory(client), deps.now())
        review = deps.review_writing.view(caller, record_id(body)).review
    except DomainError as exc:
        say(respond, str(exc))
        return
    problem = open_review(deps, client, team_id, user_id, review.mentee_id, body["trigger_id"], correct=review.id)
    if problem:
        client.views_open(trigger_id=body["trigger_id"], view=notice_modal("Correct a review", problem))


def _replace_clicked(body: dict[str, Any], client: WebClient, view: ReviewView, user_id: str) -> None:
    channel = (body.get("channel") or body.get("container") or {}).get("id") or (body.get("container") or {}).get(
        "channel_id"
    )
    ts = (body.get("message") or {}).get("ts") or (body.get("container") or {}).get("message_ts")
    if not channel or not ts:
        return
    text, blocks = review_message(view, for_user=user_id)
    try:
        client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
    except SlackApiError as exc:
        log.warning("Could not update a review message: %s", exc.response.get("error"))


def register(app: App, deps: Deps) -> None:
    def with_deps(context: BoltContext, next: Callable[[], None]) -> None:
        context.setdefault("deps", deps)
        next()

    app.use(with_deps)
    app.command(REVIEW)(review_command)
    app.view(REVIEW_CALLBACK)(review_submitted)
    app.view(COMMENT_CALLBACK)(comment_submitted)
    app.action(SIGN)(sign_clicked)
    app.action(COMMENT)(comment_clicked)
    app.action(CORRECT)(correct_clicked)
