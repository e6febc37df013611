"""Mentor certification in Slack: `/evidence` (a reflection), `/evidence training`, the lead mentor's comment,
tick and panel-outcome modals, and the logic of `/mentor portfolio [@mentor]` and `/mentor register` (the roster's
`/mentor` command dispatches to `mentor_subcommand`)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.app.bootstrap import Deps
from bot.certification.portfolio import filename, portfolio_pdf
from bot.certification.service import COMMENT, CRITERION, LEVEL, TEXT, TOPIC
from bot.core.errors import InvalidInput
from bot.core.permissions import Action, Standing, is_allowed, require
from bot.roster.service import Caller
from handlers.certification import ids
from handlers.certification.blocks import (
    comment_dm,
    comment_modal,
    outcome_dm,
    outcome_modal,
    portfolio_reply,
    read_comment_state,
    read_outcome_state,
    read_reflection_state,
    read_tick_state,
    read_training_state,
    reflection_modal,
    register_reply,
    tick_modal,
    training_modal,
)
from handlers.slack import parsing
from handlers.slack.answers import answers, modal_submission
from handlers.slack.context import RefreshHomes
from handlers.slack.modal_first import ModalFirst
from handlers.slack.replies import send_dm

log = logging.getLogger(__name__)

USAGE = (
    "Usage: `/evidence` writes a reflection for your certification portfolio; `/evidence training` logs a mentor "
    "training session (date, hours, provider, topic). `/mentor portfolio` sends your portfolio PDF."
)
PORTFOLIO_USAGE = "/mentor portfolio [@mentor]"
REGISTER_USAGE = "/mentor register"

# What a `/mentor` sub-command of this feature does once acknowledged: (deps, caller, client, now) -> reply.
SubcommandRun = Callable[[Deps, Caller, WebClient, datetime], dict[str, Any]]


def register(app: App) -> None:
    app.command(ids.EVIDENCE)(evidence_command)
    app.view(ids.REFLECTION_CALLBACK)(reflection_submitted)
    app.view(ids.TRAINING_CALLBACK)(training_submitted)
    app.action(ids.REFLECT_OPEN)(open_reflection)
    app.action(ids.TRAINING_OPEN)(open_training)
    app.action(ids.COMMENT_OPEN)(open_comment)
    app.action(ids.TICK_OPEN)(open_tick)
    app.action(ids.OUTCOME_OPEN)(open_outcome)
    app.view(ids.COMMENT_CALLBACK)(comment_submitted)
    app.view(ids.TICK_CALLBACK)(tick_submitted)
    app.view(ids.OUTCOME_CALLBACK)(outcome_submitted)


# --- /evidence ---------------------------------------------------------------------------------------------------
@answers(opens="Certification")
def evidence_command(
    ack: Ack, command: dict[str, Any], modal: ModalFirst, caller: Callable[[], Caller], now: datetime, deps: Deps
) -> None:
    words = [w.lower() for w in parsing.tokens(command.get("text", ""))]
    if words not in ([], [ids.TRAINING_WORD]):
        ack(response_type="ephemeral", text=USAGE)
        return
    ack()
    if words == [ids.TRAINING_WORD]:
        _open_training(modal, caller(), now, deps)
    else:
        modal.open(reflection_modal(deps.certification.reflection_form(caller(), now)))


def _open_training(modal: ModalFirst, me: Caller, now: datetime, deps: Deps) -> None:
    require(Action.ADD_EVIDENCE, me.standings)
    modal.open(training_modal(deps.certification.today(now)))


@answers(notice="Certification")
def open_reflection(
    ack: Ack, body: dict[str, Any], modal: ModalFirst, caller: Callable[[], Caller], now: datetime, deps: Deps
) -> None:
    ack()
    modal.open(reflection_modal(deps.certification.reflection_form(caller(), now)))


@answers(notice="Certification")
def open_training(
    ack: Ack, body: dict[str, Any], modal: ModalFirst, caller: Callable[[], Caller], now: datetime, deps: Deps
) -> None:
    ack()
    _open_training(modal, caller(), now, deps)


@modal_submission(problem_block=TEXT, what="a reflection")
def reflection_submitted(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    caller: Callable[[], Caller],
    now: datetime,
    deps: Deps,
    refresh_homes: RefreshHomes,
) -> None:
    saved = deps.certification.add_reflection(caller(), read_reflection_state(view["state"]["values"]), view["id"], now)
    ack()
    if saved.created:
        refresh_homes([body["user"]["id"]])


@modal_submission(problem_block=TOPIC, what="a training session")
def training_submitted(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    caller: Callable[[], Caller],
    now: datetime,
    deps: Deps,
    refresh_homes: RefreshHomes,
) -> None:
    saved = deps.certification.log_training(caller(), read_training_state(view["state"]["values"]), view["id"], now)
    ack()
    if saved.created:
        refresh_homes([body["user"]["id"]])


# --- /mentor portfolio and /mentor register ---------------------------------------------------------------------
def mentor_subcommand(sub: str, args: list[str]) -> SubcommandRun:
    """Check the words of `/mentor portfolio [@mentor]` or `/mentor register`; the run does the work."""
    if sub == "register":
        if args:
            raise InvalidInput("`/mentor register` takes no more words.")
        return lambda deps, me, client, now: register_reply(deps.certification.register(me))
    if len(args) > 1:
        raise InvalidInput("Name at most one mentor.")
    mentor_id = parsing.user_id(args[0], what="a mentor") if args else None

    def run(deps: Deps, me: Caller, client: WebClient, now: datetime) -> dict[str, Any]:
        whose = mentor_id or me.user_id
        progress = deps.certification.progress(me, whose, now, audit="portfolio")
        _send_portfolio(client, me, progress, deps)
        lead = whose != me.user_id and is_allowed(Action.RECORD_PANEL_OUTCOME, {Standing.LEAD} & me.standings)
        return portfolio_reply(progress, lead_may_act=lead, for_self=whose == me.user_id)

    return run


def _send_portfolio(client: WebClient, me: Caller, progress: Any, deps: Deps) -> None:
    """The portfolio PDF, uploaded into the requester's DM (after the reply, in the same listener)."""
    dates = deps.certification.record_dates(me.team_id, progress.mentor_id)
    pdf = portfolio_pdf(progress, deps.settings.tz, record_dates=dates)
    try:
        channel = client.conversations_open(users=me.user_id)["channel"]["id"]
        client.files_upload_v2(
            channel=channel,
            initial_comment=f"The certification portfolio of <@{progress.mentor_id}>, as it stands today.",
            file_uploads=[{"content": pdf, "filename": f"{filename(progress)}.pdf", "title": "Mentor portfolio"}],
        )
    except SlackApiError as exc:
        log.warning("Could not upload a portfolio: %s", exc.response.get("error"))
        send_dm(client, me.user_id, "Sorry, I couldn't upload the portfolio just now: please try again in a minute.")


# --- lead mentors' modals ----------------------------------------------------------------------------------------
def _mentor_of(body: dict[str, Any]) -> str:
    value = str((body.get("actions") or [{}])[0].get("value") or "")
    return parsing.user_id(f"<@{value}>", what="a mentor")


def _metadata_mentor(view: dict[str, Any]) -> str:
    return str(json.loads(view.get("private_metadata") or "{}").get("mentor") or "")


@answers(notice="Certification")
def open_comment(
    ack: Ack, body: dict[str, Any], modal: ModalFirst, caller: Callable[[], Caller], now: datetime, deps: Deps
) -> None:
    ack()
    me = caller()
    require(Action.COMMENT_ON_EVIDENCE, me.standings)
    progress = deps.certification.lead_view(me, _mentor_of(body), now)
    if not progress.reflections:
        raise InvalidInput(f"<@{progress.mentor_id}> hasn't written a reflection yet.")
    modal.open(comment_modal(progress))


@answers(notice="Certification")
def open_tick(
    ack: Ack, body: dict[str, Any], modal: ModalFirst, caller: Callable[[], Caller], now: datetime, deps: Deps
) -> None:
    ack()
    me = caller()
    require(Action.TICK_CRITERION, me.standings)
    modal.open(tick_modal(deps.certification.lead_view(me, _mentor_of(body), now)))


@answers(notice="Certification")
def open_outcome(
    ack: Ack, body: dict[str, Any], modal: ModalFirst, caller: Callable[[], Caller], now: datetime, deps: Deps
) -> None:
    ack()
    me = caller()
    require(Action.RECORD_PANEL_OUTCOME, me.standings)
    modal.open(outcome_modal(deps.certification.lead_view(me, _mentor_of(body), now)))


@modal_submission(problem_block=COMMENT, what="a comment")
def comment_submitted(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    client: WebClient,
    caller: Callable[[], Caller],
    now: datetime,
    deps: Deps,
) -> None:
    reflection_id, text = read_comment_state(view["state"]["values"])
    reflection, created = deps.certification.comment(caller(), reflection_id, text, view["id"], now)
    ack()
    if created:
        send_dm(
            client,
            reflection.mentor_id,
            comment_dm(body["user"]["id"], reflection.written_on, reflection.comment or ""),
        )


@modal_submission(problem_block=CRITERION, what="a ticked criterion")
def tick_submitted(
    ack: Ack,
    view: dict[str, Any],
    caller: Callable[[], Caller],
    now: datetime,
    deps: Deps,
    refresh_homes: RefreshHomes,
) -> None:
    criterion, on, note = read_tick_state(view["state"]["values"])
    mentor_id = _metadata_mentor(view)
    _, created = deps.certification.tick(caller(), mentor_id, criterion, on, note, now)
    ack()
    if created:
        refresh_homes([mentor_id])


@modal_submission(problem_block=LEVEL, what="a panel outcome")
def outcome_submitted(
    ack: Ack,
    view: dict[str, Any],
    client: WebClient,
    caller: Callable[[], Caller],
    now: datetime,
    deps: Deps,
    refresh_homes: RefreshHomes,
) -> None:
    level, outcome, panel_on, more = read_outcome_state(view["state"]["values"])
    mentor_id = _metadata_mentor(view)
    row, created = deps.certification.record_outcome(
        caller(), mentor_id, level, outcome, panel_on, more, view["id"], now
    )
    ack()
    if created and row is not None:
        found = deps.certification.scheme.level(row.level)
        send_dm(
            client,
            mentor_id,
            outcome_dm(found.label if found else row.level, row.outcome, row.panel_on, row.more_evidence),
        )
        refresh_homes([mentor_id])
