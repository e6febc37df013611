"""Coaching in Slack: `/mentor staff …` and `/mentor triplets <subject> [term]` (parsed here, dispatched from
/mentor), the proposal's Approve / Regenerate / Swap two people, each triplet's group DM (Book our session), the
check back (Yes, we met / Not yet), takeaways, and the Home tab's Propose triplets.

Buttons in a group DM or on the Home tab may be pressed by anyone who sees them: the service checks the presser
is in the triplet (or may arrange triplets) before anything changes, and a repeat changes nothing and tells
nobody twice.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient

from bot.app.bootstrap import Deps
from bot.coaching.service import SESSION_ON, SHARE, TAKEAWAY, RoundView, TripletView
from bot.core.directory import Directory
from bot.core.errors import InvalidInput
from bot.core.permissions import Action, require
from bot.roster.service import Caller
from handlers.coaching import ids
from handlers.coaching.blocks import (
    SHARE_VALUE,
    added_text,
    approved_message,
    away_text,
    book_modal,
    booked_text,
    met_message,
    not_met_message,
    proposal_message,
    propose_modal,
    staff_text,
    swap_modal,
    takeaway_modal,
    takeaway_posted,
    triplet_dm,
)
from handlers.slack import parsing
from handlers.slack.answers import answers, modal_submission
from handlers.slack.blocks import Block, section
from handlers.slack.context import RefreshHomes
from handlers.slack.inputs import read_checked, read_date, read_selected, read_text
from handlers.slack.modal_first import ModalFirst
from handlers.slack.replies import SLACK_FAILURES, failure_reason, record_id, send_dm

log = logging.getLogger(__name__)

STAFF_USAGE = "/mentor staff [list] | add @person [@person…] [phase] | away @person [term] | remove @person"
TRIPLETS_USAGE = "/mentor triplets <subject: maths, reading, writing…> [term, e.g. spring]"


class Request(Protocol):
    """What a /mentor sub-command works with once acknowledged (handlers/roster/listeners.py `Request`)."""

    deps: Deps
    caller: Caller
    directory: Directory
    client: WebClient
    now: datetime
    request_key: str  # Slack's id for the command: a replay of it is the same request


Run = Callable[[Any], dict[str, Any]]


def register(app: App) -> None:
    app.action(ids.APPROVE)(approve)
    app.action(ids.REGENERATE)(regenerate)
    app.action(ids.SWAP)(open_swap)
    app.view(ids.SWAP_CALLBACK)(swap_submitted)
    app.action(ids.BOOK_SESSION)(open_booking)
    app.view(ids.BOOK_CALLBACK)(booking_submitted)
    app.action(ids.MET)(met)
    app.action(ids.NOT_MET)(not_met)
    app.action(ids.ADD_TAKEAWAY)(open_takeaway)
    app.view(ids.TAKEAWAY_CALLBACK)(takeaway_submitted)
    app.action(ids.PROPOSE_TRIPLETS)(open_propose)
    app.view(ids.PROPOSE_CALLBACK)(propose_submitted)


# --- /mentor staff and /mentor triplets (dispatched from handlers/roster/listeners.py) --------------------------
def parse_staff(args: list[str]) -> Run:
    """Check the words; raise InvalidInput (shown with the usage) before anything is stored."""
    sub = args[0].lower() if args else "list"
    rest = args[1:]
    if sub == "list" and not rest:
        return lambda r: staff_text(r.deps.coaching.staff_list(r.caller, r.now))
    if sub == "add":
        people = [w for w in rest if parsing.is_user_mention(w)]
        words = [w for w in rest if not parsing.is_user_mention(w)]
        if not people:
            raise InvalidInput("Name the people to add, then (optionally) their phase, e.g. KS1.")
        if words and rest.index(words[0]) < len(people):
            raise InvalidInput("Name the people first, then their phase.")
        user_ids = [parsing.user_id(w) for w in people]
        phase = " ".join(words) or None

        def add(r: Request) -> dict[str, Any]:
            added = r.deps.coaching.add_staff(r.caller, user_ids, phase, r.directory, r.now)
            return {"text": added_text(added, phase)}

        return add
    if sub == "away":
        if not rest:
            raise InvalidInput("Name the person, then the term they are away (this term if you leave it out).")
        who = parsing.user_id(rest[0])
        term = " ".join(rest[1:]) or None

        def away(r: Request) -> dict[str, Any]:
            found, created = r.deps.coaching.mark_away(r.caller, who, term, r.now)
            return {"text": away_text(who, found, created)}

        return away
    if sub == "remove" and len(rest) == 1:
        who = parsing.user_id(rest[0])

        def remove(r: Request) -> dict[str, Any]:
            removed = r.deps.coaching.remove_staff(r.caller, who, r.now)
            if not removed:
                return {"text": f"<@{who}> wasn't on the staff list, so nothing changed."}
            return {"text": f"<@{who}> is no longer on the staff list. Their past triplets and visits are kept."}

        return remove
    raise InvalidInput("Say list, add, away or remove.")


def parse_triplets(args: list[str]) -> Run:
    if not args:
        raise InvalidInput("Name the subject: maths, reading, writing, or any subject your school coaches.")
    subject, term = args[0], " ".join(args[1:]) or None

    def propose(r: Request) -> dict[str, Any]:
        return proposal_message(r.deps.coaching.propose(r.caller, subject, term, r.now, r.request_key)[0])

    return propose


# --- the proposal ----------------------------------------------------------------------------------------------
def _round_and_version(body: dict[str, Any]) -> tuple[int, int]:
    value = str((body.get("actions") or [{}])[0].get("value") or "")
    first, _, second = value.partition(":")
    if not (first.isascii() and first.isdigit() and second.isascii() and second.isdigit()):
        return 0, 0
    if len(first) > 9 or len(second) > 9:
        return 0, 0
    return int(first), int(second)


def _replace(respond: Respond, message: dict[str, Any]) -> None:
    respond(replace_original=True, response_type="ephemeral", **message)


@answers()
def approve(
    ack: Ack,
    body: dict[str, Any],
    respond: Respond,
    client: WebClient,
    caller: Callable[[], Caller],
    now: datetime,
    deps: Deps,
    refresh_homes: RefreshHomes,
) -> None:
    ack()
    round_id, version = _round_and_version(body)
    view, approved = deps.coaching.approve(caller(), round_id, version, now)
    told = _tell_triplets(client, deps, view) if approved else sum(1 for _ in view.groups)
    _replace(respond, approved_message(view, told))
    if approved:
        refresh_homes([u for g in view.groups for u in g.user_ids][:60])


def _tell_triplets(client: WebClient, deps: Deps, view: RoundView) -> int:
    """Open each triplet's group DM and introduce them; the DM's id is kept for the session's messages."""
    told = 0
    for group in view.groups:
        triplet = _triplet(deps, view, group.triplet_id, group.user_ids)
        try:
            channel = str(client.conversations_open(users=",".join(group.user_ids))["channel"]["id"])
            text, blocks = triplet_dm(triplet)
            client.chat_postMessage(channel=channel, text=text, blocks=blocks)
        except SLACK_FAILURES as exc:
            log.warning("Could not open triplet %s's group DM: %s", group.triplet_id, failure_reason(exc))
            continue
        deps.coaching.set_channel(view.team_id, group.triplet_id, channel)
        told += 1
    return told


def _triplet(deps: Deps, view: RoundView, triplet_id: int, user_ids: list[str]) -> TripletView:
    return TripletView(
        triplet_id,
        view.team_id,
        view.subject,
        view.term,
        view.window_start,
        view.window_end,
        user_ids,
        None,
        None,
        None,
    )


@answers()
def regenerate(
    ack: Ack, body: dict[str, Any], respond: Respond, caller: Callable[[], Caller], now: datetime, deps: Deps
) -> None:
    ack()
    round_id, version = _round_and_version(body)
    _replace(respond, proposal_message(deps.coaching.regenerate(caller(), round_id, version, now)))


@answers(notice="Swap two people")
def open_swap(ack: Ack, body: dict[str, Any], modal: ModalFirst, caller: Callable[[], Caller], deps: Deps) -> None:
    ack()
    who = caller()
    require(Action.ARRANGE_TRIPLETS, who.standings)
    round_id, version = _round_and_version(body)
    view = deps.coaching.round_view(who.team_id, round_id)
    if view.version != version:
        raise InvalidInput("This proposal has changed since you saw it: use the newest one.")
    names = deps.roster.names(who.team_id, {u for g in view.groups for u in g.user_ids})
    modal.open(swap_modal(view, names, body.get("response_url")))


@modal_submission(problem_block=ids.FIRST, what="a swap")
def swap_submitted(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    client: WebClient,
    caller: Callable[[], Caller],
    now: datetime,
    deps: Deps,
) -> None:
    values = view["state"]["values"]
    metadata = json.loads(view.get("private_metadata") or "{}")
    first, second = read_selected(values, ids.FIRST), read_selected(values, ids.SECOND)
    if not first or not second:
        raise InvalidInput("Choose two people.")
    updated = deps.coaching.swap(
        caller(), int(metadata.get("round") or 0), int(metadata.get("version") or 0), first, second, now
    )
    ack()
    message = proposal_message(updated)
    url = str(metadata.get("url") or "")
    if url:
        try:
            WebhookClient(url).send(replace_original=True, response_type="ephemeral", **message)
            return
        except SLACK_FAILURES as exc:
            log.warning("Could not update the proposal after a swap: %s", failure_reason(exc))
    send_dm(client, body["user"]["id"], message["text"], message["blocks"])


@answers(notice="Propose triplets")
def open_propose(
    ack: Ack, body: dict[str, Any], modal: ModalFirst, caller: Callable[[], Caller], now: datetime, deps: Deps
) -> None:
    ack()
    terms = deps.coaching.terms_ahead(caller(), now)
    modal.open(propose_modal(terms))


@modal_submission(problem_block=ids.SUBJECT, what="a triplet proposal")
def propose_submitted(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    client: WebClient,
    caller: Callable[[], Caller],
    now: datetime,
    deps: Deps,
) -> None:
    values = view["state"]["values"]
    subject, term = read_selected(values, ids.SUBJECT), read_selected(values, ids.TERM)
    proposal, created = deps.coaching.propose(caller(), subject or "", term, now, view["id"])
    ack()
    if not created:  # the same Save again: the proposal was sent already
        return
    message = proposal_message(proposal)
    send_dm(client, body["user"]["id"], message["text"], message["blocks"])


# --- the triplet's session -------------------------------------------------------------------------------------
def _post(client: WebClient, triplet: TripletView, text: str, blocks: list[Block]) -> None:
    """Into the triplet's group DM (to each member's DM if it has none)."""
    if triplet.channel_id:
        try:
            client.chat_postMessage(channel=triplet.channel_id, text=text, blocks=blocks)
            return
        except SLACK_FAILURES as exc:
            log.warning("Could not post to triplet %s: %s", triplet.triplet_id, failure_reason(exc))
    for user_id in triplet.user_ids:
        send_dm(client, user_id, text, blocks)


def _triplet_id(view: dict[str, Any]) -> int:
    value = json.loads(view.get("private_metadata") or "{}").get("triplet")
    return value if isinstance(value, int) else 0


@answers(notice="Book our session")
def open_booking(
    ack: Ack, body: dict[str, Any], modal: ModalFirst, caller: Callable[[], Caller], now: datetime, deps: Deps
) -> None:
    ack()
    triplet = deps.coaching.prepare(caller(), record_id(body))
    modal.open(book_modal(triplet, deps.coaching.today(now)))


@modal_submission(problem_block=SESSION_ON, what="a coaching session")
def booking_submitted(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    client: WebClient,
    caller: Callable[[], Caller],
    now: datetime,
    deps: Deps,
    refresh_homes: RefreshHomes,
) -> None:
    on = read_date(view["state"]["values"], SESSION_ON)
    booked = deps.coaching.book(caller(), _triplet_id(view), on, now)
    ack()
    if booked.changed:
        user_id = body["user"]["id"]
        text = booked_text(booked.triplet, user_id)
        _post(client, booked.triplet, text, [section(text)])
        refresh_homes(booked.triplet.user_ids)


@answers(notice="Coaching")
def met(
    ack: Ack, body: dict[str, Any], client: WebClient, caller: Callable[[], Caller], now: datetime, deps: Deps
) -> None:
    ack()
    _answer(body, client, caller(), now, deps, met=True)


@answers(notice="Coaching")
def not_met(
    ack: Ack, body: dict[str, Any], client: WebClient, caller: Callable[[], Caller], now: datetime, deps: Deps
) -> None:
    ack()
    _answer(body, client, caller(), now, deps, met=False)


def _answer(body: dict[str, Any], client: WebClient, who: Caller, now: datetime, deps: Deps, *, met: bool) -> None:
    answered = deps.coaching.answer_met(who, record_id(body), met, now)
    if answered.changed:
        message = met_message if met else not_met_message
        _post(client, answered.triplet, *message(answered.triplet, who.user_id))


@answers(notice="My takeaway")
def open_takeaway(ack: Ack, body: dict[str, Any], modal: ModalFirst, caller: Callable[[], Caller], deps: Deps) -> None:
    ack()
    who = caller()
    triplet = deps.coaching.prepare(who, record_id(body))
    modal.open(takeaway_modal(triplet, who.user_id))


@modal_submission(problem_block=TAKEAWAY, what="a takeaway")
def takeaway_submitted(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    client: WebClient,
    caller: Callable[[], Caller],
    now: datetime,
    deps: Deps,
) -> None:
    values = view["state"]["values"]
    text, share = read_text(values, TAKEAWAY), SHARE_VALUE in read_checked(values, SHARE)
    saved = deps.coaching.add_takeaway(caller(), _triplet_id(view), text, share, now)
    ack()
    if saved.changed:
        user_id = body["user"]["id"]
        _post(client, saved.triplet, *takeaway_posted(user_id, saved.triplet.takeaways[user_id], share))
