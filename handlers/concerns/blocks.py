"""Block Kit for concerns: the modals, the DM to lead mentors and SLT, the trail, and lines for Homes and digests."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from bot.concerns.service import (
    AGREED,
    CATEGORY,
    DISCUSSED_ON,
    DONE,
    HAPPENED,
    OUTCOME,
    REASON,
    SEEN_ON,
    SHARE,
    STANDARDS_FIELD,
    TEXT_LIMIT,
    WHAT_SEEN,
    Added,
    ConcernDraft,
    ConcernForm,
    ConcernView,
    Raised,
)
from bot.core.vocabulary import CONCERN_CATEGORY_LABEL as CATEGORY_LABEL
from bot.core.vocabulary import CONCERN_STATUS_LABEL as OUTCOME_LABEL
from bot.targets.service import STANDARDS, standards_text
from handlers.concerns.ids import (
    ACTIONS_BLOCK,
    ADD_ACTION,
    ADD_CALLBACK,
    PLAN_FROM_CONCERN,
    RAISE_CALLBACK,
    RESOLVE_ACTION,
    RESOLVE_CALLBACK,
    TRAIL_CALLBACK,
    VIEW_ACTION,
)
from handlers.slack.blocks import Block, button, context, header, section, truncate, user_text
from storage.concerns import Concern, ConcernCategory, ConcernStatus, EntryKind

VALUE = "value"
SHARED, PRIVATE = "shared", "private"
VIEW_BLOCK_LIMIT = 100


def escaped(text: str) -> str:
    """Typed text, safe in mrkdwn: the one rule every feature uses (handlers/slack/blocks.py `user_text`)."""
    return user_text(text)


def quoted(text: str) -> str:
    return "\n".join(f">{line}" for line in escaped(text).splitlines() or [""])


def _plain(text: str, limit: int = 75) -> dict[str, Any]:
    return {"type": "plain_text", "text": truncate(text, limit)}


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": _plain(text), "value": value}


def _input(block_id: str, label: str, element: dict[str, Any], *, optional: bool = False, hint: str = "") -> Block:
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": _plain(label, 2000),
        "element": {**element, "action_id": VALUE},
        "optional": optional,
    }
    if hint:
        block["hint"] = _plain(hint, 2000)
    return block


def _text_element(initial: str | None = None, *, multiline: bool = True) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "plain_text_input", "multiline": multiline, "max_length": TEXT_LIMIT}
    if initial:
        element["initial_value"] = initial[:TEXT_LIMIT]
    return element


def _date_element(initial: date | None) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "datepicker"}
    if initial:
        element["initial_date"] = initial.isoformat()
    return element


CATEGORY_OPTIONS = [_option(label, category.value) for category, label in CATEGORY_LABEL.items()]
STANDARD_OPTIONS = [_option(label, code) for code, label in STANDARDS.items()]
SHARE_OPTIONS = [
    _option("Keep it with lead mentors and SLT", PRIVATE),
    _option("Share it with the mentors (and the mentee once discussed)", SHARED),
]
OUTCOME_OPTIONS = [
    _option(label.capitalize(), s.value) for s, label in OUTCOME_LABEL.items() if s is not ConcernStatus.OPEN
]


# --- raising ------------------------------------------------------------------------------------------------------
def concern_modal(form: ConcernForm) -> dict[str, Any]:
    mentee = form.mentee
    intro = f"A concern about *{escaped(mentee.display)}*. Lead mentors and SLT are told at once, by DM."
    if form.observation_id is not None:
        intro += " The evidence from the observation is filled in below: change it as you need."
    standards: dict[str, Any] = {
        "type": "multi_static_select",
        "options": STANDARD_OPTIONS,
        "placeholder": _plain("Standards"),
    }
    if form.standards:
        standards["initial_options"] = [o for o in STANDARD_OPTIONS if o["value"] in form.standards]
    blocks: list[Block] = [
        section(intro),
        _input(CATEGORY, "What is it about?", {"type": "static_select", "options": CATEGORY_OPTIONS}),
        _input(SEEN_ON, "When was it seen?", _date_element(form.seen_on or form.today)),
        _input(
            WHAT_SEEN,
            "What was seen",
            _text_element(form.what_seen),
            hint="The facts, as you would tell the mentee: what, where, and how often.",
        ),
        _input(DONE, "What has been done so far", _text_element(), optional=True),
        _input(
            DISCUSSED_ON,
            "Discussed with the mentee on",
            _date_element(None),
            optional=True,
            hint="Leave empty if it hasn't been raised with them yet. They see the concern once it has.",
        ),
        _input(STANDARDS_FIELD, "Teachers' Standards it touches", standards, optional=True),
        _input(
            SHARE,
            "For a wellbeing concern",
            {"type": "radio_buttons", "options": SHARE_OPTIONS, "initial_option": SHARE_OPTIONS[0]},
            optional=True,
            hint="A wellbeing concern stays with lead mentors and SLT unless you share it.",
        ),
    ]
    return {
        "type": "modal",
        "callback_id": RAISE_CALLBACK,
        "title": _plain("Raise a concern", 24),
        "submit": _plain("Save", 24),
        "close": _plain("Cancel", 24),
        "private_metadata": json.dumps({"mentee": mentee.user_id, "observation": form.observation_id}),
        "blocks": blocks,
    }


def _value(values: dict[str, Any], block_id: str) -> dict[str, Any]:
    return dict((values.get(block_id) or {}).get(VALUE) or {})


def _date(values: dict[str, Any], block_id: str) -> date | None:
    raw = _value(values, block_id).get("selected_date")
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _selected(values: dict[str, Any], block_id: str) -> str | None:
    option = _value(values, block_id).get("selected_option") or {}
    return option.get("value")


def read_concern_state(values: dict[str, Any], metadata: dict[str, Any]) -> ConcernDraft:
    category = _selected(values, CATEGORY)
    observation = metadata.get("observation")
    return ConcernDraft(
        mentee_id=str(metadata.get("mentee") or ""),
        category=ConcernCategory(category) if category in set(ConcernCategory) else None,
        seen_on=_date(values, SEEN_ON),
        what_seen=_value(values, WHAT_SEEN).get("value"),
        done_so_far=_value(values, DONE).get("value"),
        discussed_on=_date(values, DISCUSSED_ON),
        standards=[o["value"] for o in _value(values, STANDARDS_FIELD).get("selected_options") or []],
        shared=_selected(values, SHARE) == SHARED,
        observation_id=int(observation) if isinstance(observation, int) else None,
    )


def _facts(concern: Concern, names: dict[str, str] | None = None) -> list[str]:
    lines = [
        f"*{CATEGORY_LABEL[concern.category]}* · seen {concern.seen_on:%-d %B %Y} · raised by <@{concern.raised_by}>",
        f"*What was seen*\n{quoted(concern.what_seen)}",
    ]
    if concern.done_so_far:
        lines.append(f"*What has been done so far*\n{quoted(concern.done_so_far)}")
    if concern.standards:
        lines.append(f"*Standards:* {standards_text(concern.standards)}")
    discussed = (
        f"Discussed with the mentee on {concern.discussed_on:%-d %B %Y}."
        if concern.discussed_on
        else "Not yet discussed with the mentee: they don't see it until it has been."
    )
    lines.append(discussed)
    if concern.category is ConcernCategory.WELLBEING:
        lines.append("Shared with the mentors." if concern.shared else "Kept with lead mentors and SLT.")
    return lines


def _buttons(concern_id: int, *, view: bool = True, add: bool = True, resolve: bool = True) -> Block:
    elements = []
    if view:
        elements.append(button("See the trail", VIEW_ACTION, str(concern_id)))
    if add:
        elements.append(button("Add an update", ADD_ACTION, str(concern_id)))
    if resolve:
        elements.append(button("Resolve", RESOLVE_ACTION, str(concern_id)))
        elements.append(button("Start a support plan", PLAN_FROM_CONCERN, str(concern_id)))
    return {"type": "actions", "block_id": f"{ACTIONS_BLOCK}:{concern_id}", "elements": elements}


def concern_dm(raised: Raised) -> tuple[str, list[Block]]:
    """The DM every lead mentor and SLT member gets when a concern is raised."""
    concern = raised.concern
    text = f"A concern about {user_text(raised.mentee.display)} was raised by <@{concern.raised_by}>"
    blocks: list[Block] = [
        header(f"Concern: {raised.mentee.display}"),
        section(f":warning: <@{concern.raised_by}> raised a concern about <@{concern.mentee_id}>."),
        *(section(line) for line in _facts(concern)),
        _buttons(concern.id),
        context("Sent to lead mentors and SLT only. Every time a concern is read, it is written to the audit log."),
    ]
    return text, blocks


def raiser_confirmation(raised: Raised) -> tuple[str, list[Block]]:
    told = len(raised.told)
    text = f"Your concern about <@{raised.concern.mentee_id}> is recorded."
    if told:
        text += f" I've told the lead mentors and SLT by DM ({told} {'person' if told == 1 else 'people'})."
    else:
        text += " There is no lead mentor or SLT member to tell yet: an admin can add one with `/mentor role add`."
    if raised.concern.discussed_on is None:
        text += " When you've discussed it with them, add that with *Add an update*: they see it from then on."
    return text, [section(text), _buttons(raised.concern.id, resolve=False)]


def when(moment: datetime) -> str:
    """A moment as Slack shows it in each reader's own time zone."""
    return f"<!date^{int(moment.timestamp())}^{{date_short}} {{time}}|{moment:%-d %b %Y %H:%M} UTC>"


# --- the trail ----------------------------------------------------------------------------------------------------
ENTRY_LABEL = {
    EntryKind.UPDATE: "Update",
    EntryKind.DISCUSSED: "Discussed with the mentee",
    EntryKind.RESOLUTION: "",
    EntryKind.AGREED_ACTIONS: "Agreed with SLT at the probation mid-point",
}


def trail_modal(view: ConcernView) -> dict[str, Any]:
    concern = view.concern
    blocks: list[Block] = [section(f"*Concern about {escaped(view.name(concern.mentee_id))}*")]
    blocks += [section(line) for line in _facts(concern)]
    blocks.append(
        context(f"Raised {concern.created_at:%-d %B %Y, %H:%M} UTC · status: {OUTCOME_LABEL[concern.status]}")
    )
    blocks.append({"type": "divider"})
    if not view.entries:
        blocks.append(section("Nothing added to the trail yet."))
    for entry in view.entries[-40:]:
        if entry.kind is EntryKind.RESOLUTION:
            title = f"*{OUTCOME_LABEL[entry.outcome or ConcernStatus.RESOLVED].capitalize()}*"
        else:
            title = f"*{ENTRY_LABEL[entry.kind]}*"
            if entry.on_date and entry.kind is EntryKind.AGREED_ACTIONS:
                title += f" · next review by {entry.on_date:%-d %B %Y}"
            elif entry.on_date:
                title += f" on {entry.on_date:%-d %B %Y}"
        lines = [f"{title} · <@{entry.author_id}>, {when(entry.created_at)}"]
        if entry.happened:
            lines.append(quoted(entry.happened))
        if entry.agreed:
            lines.append(f"_Agreed:_\n{quoted(entry.agreed)}")
        blocks.append(section("\n".join(lines)))
    if view.can_add or view.can_resolve:
        blocks.append(_buttons(concern.id, view=False, add=view.can_add, resolve=view.can_resolve))
    return {
        "type": "modal",
        "callback_id": TRAIL_CALLBACK,
        "title": _plain("Concern", 24),
        "close": _plain("Close", 24),
        "private_metadata": json.dumps({"concern": concern.id}),
        "blocks": blocks[:VIEW_BLOCK_LIMIT],
    }


def add_modal(concern: Concern) -> dict[str, Any]:
    blocks: list[Block] = [
        section(f"Add to the trail of the concern about <@{concern.mentee_id}>. Nothing already there is changed."),
        _input(HAPPENED, "What happened", _text_element()),
        _input(AGREED, "What was agreed", _text_element(), optional=True),
    ]
    if concern.discussed_on is None:
        blocks.append(
            _input(
                DISCUSSED_ON,
                "Discussed with the mentee on",
                _date_element(None),
                optional=True,
                hint="Once it has been discussed with them, the mentee sees the concern and its trail.",
            )
        )
    return {
        "type": "modal",
        "callback_id": ADD_CALLBACK,
        "title": _plain("Add an update", 24),
        "submit": _plain("Save", 24),
        "close": _plain("Cancel", 24),
        "private_metadata": json.dumps({"concern": concern.id}),
        "blocks": blocks,
    }


def read_add_state(values: dict[str, Any]) -> tuple[str | None, str | None, date | None]:
    return _value(values, HAPPENED).get("value"), _value(values, AGREED).get("value"), _date(values, DISCUSSED_ON)


def resolve_modal(concern: Concern) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": RESOLVE_CALLBACK,
        "title": _plain("Resolve concern", 24),
        "submit": _plain("Save", 24),
        "close": _plain("Cancel", 24),
        "private_metadata": json.dumps({"concern": concern.id}),
        "blocks": [
            section(f"Close the concern about <@{concern.mentee_id}>. The trail is kept as it is."),
            _input(OUTCOME, "Outcome", {"type": "radio_buttons", "options": OUTCOME_OPTIONS}),
            _input(REASON, "Reason", _text_element()),
        ],
    }


def read_resolve_state(values: dict[str, Any]) -> tuple[ConcernStatus | None, str | None]:
    outcome = _selected(values, OUTCOME)
    status = ConcernStatus(outcome) if outcome in set(ConcernStatus) else None
    return status, _value(values, REASON).get("value")


def added_notice(added: Added) -> str:
    concern = added.concern
    if added.entry.kind is EntryKind.RESOLUTION:
        return (
            f"The concern about <@{concern.mentee_id}> is now {OUTCOME_LABEL[concern.status]}, "
            f"by <@{added.entry.author_id}>: {escaped(added.entry.happened or '')}"
        )
    return f"<@{added.entry.author_id}> added to the trail of the concern about <@{concern.mentee_id}>."


def discussed_dm(concern: Concern) -> tuple[str, list[Block]]:
    """To the mentee, once the concern has been discussed with them: what was recorded."""
    text = "A concern discussed with you has been recorded"
    blocks: list[Block] = [
        section(
            f"After your conversation on {concern.discussed_on:%-d %B %Y}, this concern is recorded. "
            "You can read it and its trail here at any time."
        ),
        *(section(line) for line in _facts(concern)[:-1]),
        _buttons(concern.id, add=False, resolve=False),
    ]
    return text, blocks
