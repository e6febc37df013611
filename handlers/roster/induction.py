"""`/mentor induction @ect` (the induction details modal), `/mentor induction @ect absent N` and
`/mentor reviews @trainee <name> <date>…` (a provider's review points)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.app.bootstrap import Deps
from bot.core.errors import InvalidInput
from bot.reviews.induction import ABSENT, BODY, DOB, FRACTION, LEFT_ON, START, TRN, TUTOR, InductionInput
from bot.reviews.service import InductionForm, MenteeSchedule
from bot.roster.service import Caller
from handlers.reviews.wording import schedule_lines
from handlers.roster.ids import INDUCTION_CALLBACK
from handlers.slack.answers import modal_submission
from handlers.slack.blocks import Block, context, section, truncate, user_text
from handlers.slack.replies import send_dm

VALUE = "value"
_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{4})$")


def _input(block_id: str, label: str, element: dict[str, Any], *, optional: bool = False, hint: str = "") -> Block:
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": {"type": "plain_text", "text": label},
        "element": {**element, "action_id": VALUE},
        "optional": optional,
    }
    if hint:
        block["hint"] = {"type": "plain_text", "text": hint}
    return block


def _text(initial: str | None, max_length: int = 200) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "plain_text_input", "max_length": max_length}
    if initial:
        element["initial_value"] = initial
    return element


def _picker(initial: date | None) -> dict[str, Any]:
    return {"type": "datepicker", **({"initial_date": initial.isoformat()} if initial else {})}


def induction_modal(form: InductionForm) -> dict[str, Any]:
    i = form.induction
    fraction = "1" if i is None or i.fte_percent == 100 else f"{i.fte_percent / 100:g}"
    tutor: dict[str, Any] = {"type": "users_select"}
    if i is not None and i.tutor_id:
        tutor["initial_user"] = i.tutor_id
    blocks = [
        section(f"Induction details for <@{form.mentee_id}>. The review schedule is worked out from them."),
        _input(START, "Induction start date", _picker(i.start_date if i else form.today)),
        _input(FRACTION, "Full time (1) or part-time fraction", _text(fraction, 10), hint="For example 1, 0.6 or 60%."),
        _input(BODY, "Appropriate body", _text(i.appropriate_body if i else None), optional=True),
        _input(TUTOR, "Induction tutor", tutor, optional=True),
        _input(TRN, "Teacher reference number", _text(i.trn if i else None, 16), optional=True, hint="7 digits."),
        _input(
            DOB,
            "Date of birth",
            _picker(i.date_of_birth if i else None),
            optional=True,
            hint="Appropriate bodies' forms ask for it.",
        ),
        _input(
            ABSENT,
            "Days absent so far",
            _text(str(i.days_absent) if i else "0", 5),
            hint="30 days or more in total extends induction by the days absent.",
        ),
        _input(
            LEFT_ON, "Leaving date (if leaving before induction ends)", _picker(i.left_on if i else None), optional=True
        ),
        context(
            "The teacher reference number and date of birth are personal data: "
            "only leaders and the teacher's reviewers see them."
        ),
    ]
    return {
        "type": "modal",
        "callback_id": INDUCTION_CALLBACK,
        "title": {"type": "plain_text", "text": "Induction details"},
        "submit": {"type": "plain_text", "text": "Save"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": json.dumps({"mentee": form.mentee_id}),
        "blocks": blocks,
    }


def _value(values: dict[str, Any], block_id: str) -> dict[str, Any]:
    return values.get(block_id, {}).get(VALUE) or {}


def _date_of(values: dict[str, Any], block_id: str) -> date | None:
    raw = _value(values, block_id).get("selected_date")
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def read_induction(values: dict[str, Any]) -> InductionInput:
    return InductionInput(
        start=_date_of(values, START),
        fraction=_value(values, FRACTION).get("value"),
        appropriate_body=_value(values, BODY).get("value"),
        tutor_id=_value(values, TUTOR).get("selected_user"),
        trn=_value(values, TRN).get("value"),
        date_of_birth=_date_of(values, DOB),
        days_absent=_value(values, ABSENT).get("value"),
        left_on=_date_of(values, LEFT_ON),
    )


def schedule_text(schedule: MenteeSchedule, headline: str) -> str:
    lines = [headline]
    if schedule.plan is not None:
        plan = schedule.plan
        part = "" if schedule.induction is None or schedule.induction.fte_percent == 100 else " (part time, pro rata)"
        lines.append(f"Induction: {plan.terms} terms{part}, expected to end {plan.end:%-d %B %Y}.")
        lines += [user_text(note) for note in plan.notes]
    lines += schedule_lines(schedule, limit=12)
    return truncate("\n".join(lines), 3000)


def parse_date(word: str) -> date | None:
    if not _DATE.match(word):
        return None
    try:
        if "/" in word:
            return datetime.strptime(word, "%d/%m/%Y").date()
        return date.fromisoformat(word)
    except ValueError:
        return None


def parse_points(words: list[str]) -> list[tuple[str, date]]:
    """`Mid-point 2026-12-04 Final review 19/03/2027` → [("Mid-point", 4 Dec 2026), ("Final review", 19 Mar 2027)]."""
    points: list[tuple[str, date]] = []
    name: list[str] = []
    for word in words:
        day = parse_date(word)
        if day is None:
            name.append(word)
            continue
        if not name:
            raise InvalidInput(f"Give each review point a name before its date ({word}).")
        label = " ".join(name)[:80]
        points.append((label, day))
        name = []
    if name or not points:
        raise InvalidInput("Give each review point a name and then a date, written 2026-12-04 or 4/12/2026.")
    return points


@modal_submission(problem_block=START, what="induction details")
def induction_submitted(
    ack: Ack, view: dict[str, Any], client: WebClient, caller: Callable[[], Caller], now: datetime, deps: Deps
) -> None:
    metadata = json.loads(view.get("private_metadata") or "{}")
    mentee_id = str(metadata.get("mentee", ""))
    me = caller()
    saved = deps.reviews.set_induction(me, mentee_id, read_induction(view["state"]["values"]), now, view["id"])
    ack()
    if saved.repeat:  # a retry or replay of the same submission: told once already
        return
    headline = f":white_check_mark: Induction details saved for <@{mentee_id}>. Their review schedule:"
    send_dm(client, me.user_id, schedule_text(saved.schedule, headline))
