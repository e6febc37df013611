"""Support plans in Slack: `/concern plan @mentee` (wired in listeners.py), Start a support plan (Home, a
concern's trail, an early warning), See the plan, I've seen it, Record the review; and the review reminders
the scheduler sends.
"""

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
from bot.concerns.plans import AREAS, NOTES
from bot.core.directory import Directory
from bot.roster.service import Caller
from handlers.concerns import ids
from handlers.concerns.plan_blocks import (
    mentee_plan_dm,
    plan_modal,
    plan_started_notice,
    plan_view_modal,
    read_plan_state,
    read_review_state,
    review_modal,
    review_reminder,
    reviewed_notice,
)
from handlers.slack import parsing
from handlers.slack.answers import answers, modal_submission
from handlers.slack.context import RefreshHomes
from handlers.slack.modal_first import ModalFirst
from handlers.slack.replies import SLACK_FAILURES, failure_reason, may_have_arrived, record_id, send_dm

log = logging.getLogger(__name__)


def register(app: App) -> None:
    app.action(ids.START_PLAN)(start_plan)
    app.action(ids.PLAN_FROM_CONCERN)(plan_from_concern)
    app.view(ids.PLAN_CALLBACK)(plan_submitted)
    app.action(ids.SEE_PLAN)(see_plan)
    app.action(ids.SIGN_PLAN)(sign_plan)
    app.action(ids.REVIEW_PLAN)(open_review)
    app.view(ids.PLAN_REVIEW_CALLBACK)(review_submitted)


@answers(notice="Support plan")
def start_plan(
    ack: Ack,
    body: dict[str, Any],
    modal: ModalFirst,
    caller: Callable[[], Caller],
    now: datetime,
    directory: Directory,
    deps: Deps,
) -> None:
    ack()
    value = str((body.get("actions") or [{}])[0].get("value") or "")
    mentee_id = None if value in ("", ids.ASK_WHO) else parsing.user_id(f"<@{value}>", what="a mentee")
    form = deps.plans.prepare(caller(), mentee_id, directory, now)
    modal.open(plan_modal(form))


@answers(notice="Support plan")
def plan_from_concern(
    ack: Ack,
    body: dict[str, Any],
    modal: ModalFirst,
    caller: Callable[[], Caller],
    now: datetime,
    directory: Directory,
    deps: Deps,
) -> None:
    ack()
    form = deps.plans.prepare(caller(), None, directory, now, concern_id=record_id(body))
    modal.open(plan_modal(form))


@modal_submission(problem_block=AREAS, what="a support plan")
def plan_submitted(
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
    draft = read_plan_state(view["state"]["values"], metadata)
    started = deps.plans.start(caller(), draft, view["id"], directory, now)
    ack()
    if not started.created:  # a retry of the same submission tells nobody twice
        return
    plan = started.view.plan
    reached = send_dm(client, plan.mentee_id, *mentee_plan_dm(started.view)) is not None
    for mentor_id in started.mentor_ids:
        send_dm(client, mentor_id, f"<@{plan.owner_id}> started a support plan for <@{plan.mentee_id}>.")
    send_dm(client, body["user"]["id"], plan_started_notice(started.view, mentee_reached=reached))
    refresh_homes([body["user"]["id"], plan.mentee_id, *started.mentor_ids])


@answers(notice="Support plan")
def see_plan(
    ack: Ack, body: dict[str, Any], modal: ModalFirst, caller: Callable[[], Caller], now: datetime, deps: Deps
) -> None:
    ack()
    modal.open(plan_view_modal(deps.plans.read(caller(), record_id(body), now)))


@answers(notice="Support plan")
def sign_plan(
    ack: Ack,
    body: dict[str, Any],
    client: WebClient,
    caller: Callable[[], Caller],
    now: datetime,
    deps: Deps,
    refresh_homes: RefreshHomes,
) -> None:
    ack()
    view, signed = deps.plans.sign(caller(), record_id(body), now)
    plan = view.plan
    if (body.get("container") or {}).get("type") == "message":
        container = body["container"]
        text, blocks = mentee_plan_dm(view)
        try:
            client.chat_update(channel=container["channel_id"], ts=container["message_ts"], text=text, blocks=blocks)
        except SlackApiError as exc:
            log.warning("Could not update the plan message: %s", exc.response.get("error"))
    if signed:
        send_dm(client, plan.owner_id, f"<@{plan.mentee_id}> has signed their support plan as seen.")
        refresh_homes([plan.mentee_id, plan.owner_id])


@answers(notice="Support plan")
def open_review(ack: Ack, body: dict[str, Any], modal: ModalFirst, caller: Callable[[], Caller], deps: Deps) -> None:
    ack()
    modal.open(review_modal(deps.plans.prepare_review(caller(), record_id(body))))


@modal_submission(problem_block=NOTES, what="a plan's review")
def review_submitted(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    client: WebClient,
    caller: Callable[[], Caller],
    now: datetime,
    deps: Deps,
    refresh_homes: RefreshHomes,
) -> None:
    plan_id = int(json.loads(view.get("private_metadata") or "{}").get("plan") or 0)
    outcome, notes, next_review_on = read_review_state(view["state"]["values"])
    reviewed = deps.plans.review(caller(), plan_id, outcome, notes, next_review_on, view["id"], now)
    ack()
    if not reviewed.created:
        return
    notice = reviewed_notice(reviewed)
    send_dm(client, body["user"]["id"], notice)
    send_dm(client, reviewed.plan.mentee_id, notice)
    refresh_homes([body["user"]["id"], reviewed.plan.mentee_id, reviewed.plan.owner_id])


# --- the scheduler's job --------------------------------------------------------------------------------------
def send_review_reminders(deps: Deps, client: WebClient, team_id: str) -> int:
    """Remind each plan's owner a week before its review and on the day (school days), each claimed once."""
    sent = 0
    for reminder in deps.plans.due_reminders(team_id, deps.now()):
        if not deps.plans.claim_reminder(reminder):
            continue
        text, blocks = review_reminder(reminder)
        try:
            client.chat_postMessage(channel=reminder.owner_id, text=text, blocks=blocks)
        except SLACK_FAILURES as exc:
            if may_have_arrived(exc):  # a timeout: it may have been posted, so the claim stands
                log.warning("A plan review reminder may not have arrived (%s); not resending it", failure_reason(exc))
                continue
            log.warning("Could not send a plan review reminder: %s", failure_reason(exc))
            deps.plans.release_reminder(reminder)
            continue
        sent += 1
    return sent
