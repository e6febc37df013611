"""`/mentor …`: help, the roster, roles and settings. Every reply is ephemeral."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.app.bootstrap import Deps
from bot.core.directory import Directory
from bot.core.errors import InvalidInput, NotAllowed
from bot.core.permissions import Standing
from bot.core.vocabulary import KIND_LABEL, ROLE_MEMBER
from bot.core.vocabulary import KIND_WORDS as KINDS
from bot.core.vocabulary import ROLE_WORDS as ROLES
from bot.core.words import a
from bot.privacy.service import audit_trail
from bot.reviews.service import PLACEMENT_END_NAMES
from bot.roster.csv_import import parse_date
from bot.roster.service import Caller
from handlers.certification import listeners as certification
from handlers.coaching import listeners as coaching
from handlers.roster import ids
from handlers.roster.blocks import audit_blocks, help_blocks, roster_blocks, usage_text
from handlers.roster.induction import induction_modal, induction_submitted, parse_points, schedule_text
from handlers.slack import parsing
from handlers.slack.answers import answers
from handlers.slack.blocks import user_text
from handlers.slack.modal_first import ModalFirst
from storage.roster import MenteeKind

log = logging.getLogger(__name__)

USAGE = {
    "assign": "/mentor assign @mentor @mentee [trainee|ect|staff] [probation <end date>]",
    "probation": "/mentor probation @mentee <end date, e.g. 2027-07-16>",
    "unassign": "/mentor unassign @mentor @mentee",
    "role": "/mentor role add|remove @person lead|slt|admin|tutor|head",
    "slt-channel": "/mentor slt-channel #channel",
    "induction": "/mentor induction @ect [absent <days to add>]",
    "reviews": "/mentor reviews @trainee <name> <date> [<name> <date>…] [end <date>]",
    "list": "/mentor list [@person]",
    "audit": "/mentor audit [@person]",
    "portfolio": certification.PORTFOLIO_USAGE,
    "register": certification.REGISTER_USAGE,
    "staff": coaching.STAFF_USAGE,
    "triplets": coaching.TRIPLETS_USAGE,
    "help": "/mentor help",
}


@dataclass(frozen=True)
class Request:
    """What a sub-command works with once the command is acknowledged."""

    deps: Deps
    caller: Caller
    directory: Directory
    client: WebClient
    now: datetime
    request_key: str = ""  # Slack's trigger id for the command: a replay of it carries the same one


@dataclass(frozen=True)
class Parsed:
    """A sub-command whose words made sense; `run` does the work once the command is acknowledged."""

    run: Callable[[Request], dict[str, Any]]
    # A sub-command that opens a modal instead of replying: returns the view to open.
    modal: Callable[[Request], dict[str, Any]] | None = None


def parse(text: str) -> Parsed:
    """Check the words before anything is stored or fetched; raise InvalidInput with the right usage."""
    words = parsing.tokens(text)
    sub = words[0].lower() if words else "help"
    args = words[1:]
    if sub not in USAGE:
        known = ", ".join(f"`{name}`" for name in USAGE)
        raise InvalidInput(
            f"I don't know `/mentor {user_text(words[0], slack_escaped=True)}`. Try {known}, or `/mentor help`."
        )
    try:
        return _PARSERS[sub](args)
    except InvalidInput as exc:
        raise InvalidInput(usage_text(str(exc), USAGE[sub])) from None


def _parse_help(args: list[str]) -> Parsed:
    return Parsed(lambda r: {"text": "mentor-bot help", "blocks": help_blocks(r.caller)})


def _parse_list(args: list[str]) -> Parsed:
    if len(args) > 1:
        raise InvalidInput("Name at most one person.")
    about = parsing.user_id(args[0]) if args else None

    def run(r: Request) -> dict[str, Any]:
        overview = r.deps.roster.overview(r.caller, about)
        shown_about = about if about is not None else (None if r.caller.standings & _LEADERS else r.caller.user_id)
        text, blocks = roster_blocks(overview, about=shown_about)
        return {"text": text, "blocks": blocks}

    return Parsed(run)


def _probation_date(raw: str) -> date:
    end = parse_date(raw)
    if end is None:
        raise InvalidInput(f"“{raw}” isn't a date I can read: write it like 2027-07-16 or 16/07/2027.")
    return end


def _parse_assign(args: list[str]) -> Parsed:
    probation_end = None
    if len(args) >= 4 and args[-2].lower() == "probation":
        probation_end = _probation_date(args[-1])
        args = args[:-2]
    if len(args) not in (2, 3):
        raise InvalidInput("Name the mentor, then the mentee.")
    mentor_id = parsing.user_id(args[0], what="a mentor")
    mentee_id = parsing.user_id(args[1], what="a mentee")
    kind = MenteeKind.ECT
    if len(args) == 3:
        if args[2].lower() not in KINDS:
            raise InvalidInput(
                f"“{user_text(args[2], slack_escaped=True)}” isn't a kind of mentee: use trainee, ect or staff."
            )
        kind = KINDS[args[2].lower()]

    def run(r: Request) -> dict[str, Any]:
        today = r.now.astimezone(r.deps.settings.tz).date()
        result = r.deps.roster.assign(
            r.caller, mentor_id, mentee_id, kind, r.directory, r.now, today=today, probation_end=probation_end
        )
        m = result.mentorship
        if not result.created:
            return {
                "text": f"<@{mentor_id}> already mentors <@{mentee_id}> (since {m.start_date:%-d %B %Y}). "
                "Nothing changed."
            }
        return {
            "text": f":white_check_mark: <@{mentor_id}> now mentors <@{mentee_id}> as "
            f"{a(KIND_LABEL[kind])}, from {m.start_date:%A %-d %B %Y} "
            f"to {m.end_date:%-d %B %Y}, meeting weekly."
            + (f" Probation ends {m.probation_end:%-d %B %Y}." if m.probation_end else "")
        }

    return Parsed(run)


def _parse_probation(args: list[str]) -> Parsed:
    if len(args) != 2:
        raise InvalidInput("Name the mentee, then the date their probation ends.")
    mentee_id = parsing.user_id(args[0], what="a mentee")
    end = _probation_date(args[1])

    def run(r: Request) -> dict[str, Any]:
        today = r.now.astimezone(r.deps.settings.tz).date()
        r.deps.roster.set_probation(r.caller, mentee_id, end, r.now, today=today)
        return {
            "text": f":white_check_mark: <@{mentee_id}>'s probation ends on {end:%A %-d %B %Y}. SLT will be told "
            "once it is half way through if there is an open concern, a support plan or a “not on track” observation."
        }

    return Parsed(run)


def _parse_unassign(args: list[str]) -> Parsed:
    if len(args) != 2:
        raise InvalidInput("Name the mentor, then the mentee.")
    mentor_id = parsing.user_id(args[0], what="a mentor")
    mentee_id = parsing.user_id(args[1], what="a mentee")

    def run(r: Request) -> dict[str, Any]:
        r.deps.roster.unassign(r.caller, mentor_id, mentee_id, r.now)
        return {
            "text": f"<@{mentor_id}> no longer mentors <@{mentee_id}>. "
            "Their meetings, observations and targets are kept."
        }

    return Parsed(run)


def _parse_role(args: list[str]) -> Parsed:
    if len(args) != 3 or args[0].lower() not in ("add", "remove"):
        raise InvalidInput("Say add or remove, then the person, then the role.")
    adding = args[0].lower() == "add"
    who = parsing.user_id(args[1])
    if args[2].lower() not in ROLES:
        raise InvalidInput(
            f"“{user_text(args[2], slack_escaped=True)}” isn't a role: use lead, slt, admin, tutor or head."
        )
    role = ROLES[args[2].lower()]
    member = a(ROLE_MEMBER[role])

    def run(r: Request) -> dict[str, Any]:
        if adding:
            changed = r.deps.roster.grant_role(r.caller, who, role, r.directory, r.now)
            text = f"<@{who}> is now {member}." if changed else f"<@{who}> is already {member}."
        else:
            changed = r.deps.roster.revoke_role(r.caller, who, role, r.now)
            text = f"<@{who}> is no longer {member}." if changed else f"<@{who}> wasn't {member}, so nothing changed."
        return {"text": text}

    return Parsed(run)


def _parse_slt_channel(args: list[str]) -> Parsed:
    if len(args) != 1:
        raise InvalidInput("Name one channel.")
    channel = parsing.channel_id(args[0])

    def run(r: Request) -> dict[str, Any]:
        r.deps.roster.set_slt_channel(r.caller, channel, r.now)
        text = f"The weekly SLT summary will be posted in <#{channel}>."
        if not _bot_is_member(r.client, channel):
            text += f" I'm not in <#{channel}> yet: type `/invite @mentor-bot` there so I can post."
        return {"text": text}

    return Parsed(run)


def _parse_audit(args: list[str]) -> Parsed:
    if len(args) > 1:
        raise InvalidInput("Name at most one person.")
    about = parsing.user_id(args[0]) if args else None

    def run(r: Request) -> dict[str, Any]:
        trail = audit_trail(r.deps.db, r.caller, about=about)
        text, blocks = audit_blocks(trail, r.deps.settings.tz)
        return {"text": text, "blocks": blocks}

    return Parsed(run)


def _parse_induction(args: list[str]) -> Parsed:
    if not args or len(args) not in (1, 3) or (len(args) == 3 and args[1].lower() != "absent"):
        raise InvalidInput("Name the ECT (then, to add days absent, `absent` and the number of days).")
    mentee_id = parsing.user_id(args[0], what="an ECT")
    if len(args) == 3:
        if not args[2].isdigit() or int(args[2]) == 0:
            raise InvalidInput("Days absent to add is a whole number above zero.")
        days = int(args[2])

        def add(r: Request) -> dict[str, Any]:
            schedule = r.deps.reviews.add_absence(r.caller, mentee_id, days, r.now)
            total = schedule.induction.days_absent if schedule.induction else days
            headline = f"Added {days} days' absence for <@{mentee_id}> ({total} in total). Their review schedule:"
            return {"text": schedule_text(schedule, headline)}

        return Parsed(add)

    def form(r: Request) -> dict[str, Any]:
        return induction_modal(r.deps.reviews.induction_form(r.caller, mentee_id, r.directory, r.now))

    return Parsed(lambda r: {}, modal=form)


def _parse_reviews(args: list[str]) -> Parsed:
    if len(args) < 3:
        raise InvalidInput("Name the trainee, then each review point's name and date.")
    mentee_id = parsing.user_id(args[0], what="a trainee")
    points = parse_points(args[1:])

    def run(r: Request) -> dict[str, Any]:
        schedule = r.deps.reviews.set_points(r.caller, mentee_id, points, r.now)
        ends = next((day for name, day in points if name.lower() in PLACEMENT_END_NAMES), None)
        ending = f" The placement (and the mentorship) ends {ends:%A %-d %B %Y}." if ends else ""
        return {"text": schedule_text(schedule, f"Review points saved for <@{mentee_id}>:{ending}")}

    return Parsed(run)


_PARSERS: dict[str, Callable[[list[str]], Parsed]] = {
    "help": _parse_help,
    "list": _parse_list,
    "assign": _parse_assign,
    "unassign": _parse_unassign,
    "probation": _parse_probation,
    "role": _parse_role,
    "slt-channel": _parse_slt_channel,
    "audit": _parse_audit,
    "induction": _parse_induction,
    "reviews": _parse_reviews,
    "portfolio": lambda args: _certification("portfolio", args),
    "register": lambda args: _certification("register", args),
    "staff": lambda args: Parsed(coaching.parse_staff(args)),
    "triplets": lambda args: Parsed(coaching.parse_triplets(args)),
}


def _certification(sub: str, args: list[str]) -> Parsed:
    run = certification.mentor_subcommand(sub, args)  # the words are checked here; the logic is the feature's
    return Parsed(lambda r: run(r.deps, r.caller, r.client, r.now))


_LEADERS = frozenset({Standing.LEAD, Standing.SLT, Standing.ADMIN})


def _bot_is_member(client: WebClient, channel: str) -> bool:
    try:
        info = client.conversations_info(channel=channel)
    except SlackApiError:
        return False
    return bool(info["channel"].get("is_member"))


def register(app: App) -> None:
    app.command(ids.MENTOR)(mentor_command)
    app.view(ids.INDUCTION_CALLBACK)(induction_submitted)


@answers(opens="Induction details")
def mentor_command(
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
    try:
        parsed = parse(command.get("text", ""))
    except InvalidInput as exc:
        ack(response_type="ephemeral", text=str(exc))
        return
    ack()
    if parsed.modal is None:
        modal.not_needed()  # answered in words
    try:
        request = Request(deps, caller(), directory, client, now, str(command.get("trigger_id") or ""))
        if parsed.modal is not None:
            modal.open(parsed.modal(request))
            return
        reply = parsed.run(request)
    except NotAllowed as exc:
        raise NotAllowed(_with_whom_to_ask(str(exc), deps, command["team_id"])) from exc
    respond(response_type="ephemeral", replace_original=False, **reply)


def _with_whom_to_ask(refusal: str, deps: Deps, team_id: str) -> str:
    admins = deps.roster.admins(team_id)[:5]
    if not admins:
        return refusal + " Ask a Slack workspace admin or owner."
    return refusal + " Ask " + ", ".join(f"<@{a}>" for a in admins) + "."
