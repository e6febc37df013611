"""The meeting modal, its correction modal and the sign-off comment modal, and reading what was typed."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from bot.core.due_dates import describe
from bot.core.vocabulary import CADENCE_LABEL, KIND_LABEL, OUTCOME_LABEL
from bot.meetings.forms import (
    DURATION_RANGE,
    NEW_TARGET_SLOTS,
    WELLBEING,
    MeetingDraft,
    MeetingForm,
    NewTargetDraft,
)
from bot.targets.checks import TEXT_LIMIT
from handlers.meetings.ids import (
    COMMENT,
    COMMENT_CALLBACK,
    CORRECT_CALLBACK,
    DURATION,
    HELD_ON,
    MEETING_CALLBACK,
    NEXT_MEETING,
    NOTES,
    REVIEW_BLOCK,
    VALUE,
    WELLBEING_NOTE,
    WELLBEING_SCORE,
    new_target_field,
)
from handlers.slack.blocks import Block, context, divider, section, truncate
from handlers.targets.blocks import (
    mrkdwn,
    standards_options,
    target_line,
)
from storage.meetings import Meeting, ReviewOutcome

MODAL_BLOCK_LIMIT = 100


def _input(
    block_id: str,
    label: str,
    element: dict[str, Any],
    *,
    optional: bool = False,
    hint: str | None = None,
) -> Block:
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": {"type": "plain_text", "text": truncate(label, 2000)},
        "element": {**element, "action_id": VALUE},
        "optional": optional,
    }
    if hint:
        block["hint"] = {"type": "plain_text", "text": truncate(hint, 2000)}
    return block


def _text_input(
    *, multiline: bool = False, initial: str | None = None, placeholder: str | None = None, max_length: int = TEXT_LIMIT
) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "plain_text_input", "multiline": multiline, "max_length": max_length}
    if initial:
        element["initial_value"] = initial
    if placeholder:
        element["placeholder"] = {"type": "plain_text", "text": placeholder}
    return element


def _date_input(initial: date | None) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "datepicker"}
    if initial is not None:
        element["initial_date"] = initial.isoformat()
    return element


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": text}, "value": value}


def _wellbeing_element(initial: int | None) -> dict[str, Any]:
    options = [_option(f"{score} · {label}", str(score)) for score, label in WELLBEING.items()]
    element: dict[str, Any] = {"type": "radio_buttons", "options": options}
    if initial is not None and initial in WELLBEING:
        element["initial_option"] = options[initial - 1]
    return element


def _duration_element(initial: int | None) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "number_input",
        "is_decimal_allowed": False,
        "min_value": str(DURATION_RANGE[0]),
        "max_value": str(DURATION_RANGE[1]),
    }
    if initial is not None:
        element["initial_value"] = str(initial)
    return element


def _meeting_fields(
    *, held_on: date | None, duration: int | None, notes: str | None, wellbeing: int | None, wellbeing_note: str | None
) -> list[Block]:
    return [
        _input(
            HELD_ON,
            "Date of the meeting",
            _date_input(held_on),
            hint="Logging it late? Choose the day it happened.",
        ),
        _input(DURATION, "Length (minutes)", _duration_element(duration), optional=True),
        _input(
            NOTES,
            "What you discussed",
            _text_input(multiline=True, initial=notes),
            hint="Shared with your mentee, who signs them off.",
        ),
        _input(WELLBEING_SCORE, "Wellbeing: how are they doing?", _wellbeing_element(wellbeing), optional=True),
        _input(WELLBEING_NOTE, "Wellbeing note", _text_input(multiline=True, initial=wellbeing_note), optional=True),
    ]


# --- the meeting modal ------------------------------------------------------------------------------


def meeting_modal(form: MeetingForm) -> dict[str, Any]:
    mentee, mentorship = form.mentee, form.mentorship
    blocks: list[Block] = [
        section(
            f"Meeting with *{mrkdwn(mentee.display)}* ({KIND_LABEL[mentorship.mentee_kind]}), "
            f"meeting {CADENCE_LABEL[mentorship.meeting_cadence]}."
        ),
        context(_previous_summary(form)),
        *_meeting_fields(held_on=form.today, duration=None, notes=None, wellbeing=None, wellbeing_note=None),
        divider(),
        section(f"*Open targets ({form.open_total})*" + ("" if form.open_targets else "\nNone open.")),
    ]
    outcomes = [_option(label, outcome.value) for outcome, label in OUTCOME_LABEL.items()]
    progressing = next(o for o in outcomes if o["value"] == ReviewOutcome.PROGRESSING.value)
    for target in form.open_targets:
        blocks.append(
            _input(
                REVIEW_BLOCK + str(target.id),
                _plain(target_line(target, form.today)),
                {"type": "radio_buttons", "options": outcomes, "initial_option": progressing},
                optional=True,
            )
        )
    if form.open_total > len(form.open_targets):
        hidden = form.open_total - len(form.open_targets)
        blocks.append(
            context(
                f"{hidden} more open targets aren't listed here (a modal has room for {len(form.open_targets)}): "
                f"close them with `/target list @{mentee.name}`."
            )
        )
    blocks += [
        divider(),
        section("*New targets*"),
        context(
            "Write each as an action you could see in a lesson. Leave “Due” blank to take the date from the "
            "words (“… by Friday”), or else the next meeting. Standards left blank are suggested from the words."
        ),
    ]
    for slot in range(NEW_TARGET_SLOTS):
        blocks += [
            _input(
                new_target_field("text", slot),
                f"New target {slot + 1}",
                _text_input(multiline=True, placeholder="e.g. Use cold calling in every lesson by Monday week"),
                optional=True,
            ),
            _input(
                new_target_field("due", slot),
                "Due",
                _text_input(placeholder="e.g. by Friday, end of term, 30/11", max_length=200),
                optional=True,
            ),
            _input(
                new_target_field("standards", slot),
                "Teachers' Standards",
                {
                    "type": "multi_static_select",
                    "placeholder": {"type": "plain_text", "text": "Suggested if left blank"},
                    **standards_options(),
                },
                optional=True,
            ),
        ]
    blocks.append(divider())
    blocks.append(_input(NEXT_MEETING, "Next meeting", _date_input(None), optional=True))
    assert len(blocks) <= MODAL_BLOCK_LIMIT, len(blocks)
    metadata = {"mentee": mentee.user_id, "reviews": [t.id for t in form.open_targets]}
    return {
        "type": "modal",
        "callback_id": MEETING_CALLBACK,
        "title": {"type": "plain_text", "text": "Log meeting"},
        "submit": {"type": "plain_text", "text": "Save and share"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": json.dumps(metadata),
        "blocks": blocks,
    }


def _plain(markdown: str) -> str:
    """An input label is plain text: drop the mrkdwn emphasis and entities target_line adds."""
    return markdown.replace("*", "").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _previous_summary(form: MeetingForm) -> str:
    previous = form.previous
    if previous is None:
        return f"This is the first meeting logged with {mrkdwn(form.mentee.display)}."
    line = f"Last meeting: {describe(previous.held_on)}"
    if previous.next_meeting_on is not None:
        line += f"; this one was planned for {describe(previous.next_meeting_on)}"
    summary = " ".join(previous.notes.split())
    return f"{line}.\n>{mrkdwn(truncate(summary, 280))}"


def correction_modal(meeting: Meeting) -> dict[str, Any]:
    blocks: list[Block] = [
        context(
            f"Correcting your meeting with <@{meeting.mentee_id}> logged for {describe(meeting.held_on)}. "
            "The change is kept with your name and the time"
            + (", and they'll be asked to sign off again." if meeting.signed_off_at else ".")
        ),
        *_meeting_fields(
            held_on=meeting.held_on,
            duration=meeting.duration_minutes,
            notes=meeting.notes,
            wellbeing=meeting.wellbeing,
            wellbeing_note=meeting.wellbeing_note,
        ),
        _input(NEXT_MEETING, "Next meeting", _date_input(meeting.next_meeting_on), optional=True),
    ]
    return {
        "type": "modal",
        "callback_id": CORRECT_CALLBACK,
        "title": {"type": "plain_text", "text": "Correct meeting"},
        "submit": {"type": "plain_text", "text": "Save correction"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": json.dumps({"meeting": meeting.id}),
        "blocks": blocks,
    }


def comment_modal(meeting_id: int) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": COMMENT_CALLBACK,
        "title": {"type": "plain_text", "text": "Sign off with comment"},
        "submit": {"type": "plain_text", "text": "Sign off"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": json.dumps({"meeting": meeting_id}),
        "blocks": [
            _input(
                COMMENT,
                "Your comment",
                _text_input(multiline=True),
                hint="Anything you'd add or see differently. Your mentor sees it with your sign-off.",
            )
        ],
    }


# --- reading what was submitted ----------------------------------------------------------------------


def _value(values: dict[str, Any], block_id: str) -> dict[str, Any]:
    return values.get(block_id, {}).get(VALUE) or {}


def _text(values: dict[str, Any], block_id: str) -> str | None:
    return _value(values, block_id).get("value")


def _date(values: dict[str, Any], block_id: str) -> date | None:
    raw = _value(values, block_id).get("selected_date")
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _selected(values: dict[str, Any], block_id: str) -> str | None:
    option = _value(values, block_id).get("selected_option")
    return option.get("value") if isinstance(option, dict) else None


def read_meeting_state(values: dict[str, Any], metadata: dict[str, Any]) -> MeetingDraft:
    duration_text = (_text(values, DURATION) or "").strip() or None
    duration = int(duration_text) if duration_text and duration_text.isdigit() else None
    wellbeing = _selected(values, WELLBEING_SCORE)
    reviews: dict[int, ReviewOutcome | None] = {}
    for target_id in metadata.get("reviews", []):
        chosen = _selected(values, REVIEW_BLOCK + str(target_id))
        reviews[int(target_id)] = ReviewOutcome(chosen) if chosen in set(ReviewOutcome) else None
    new_targets = []
    for slot in range(NEW_TARGET_SLOTS):
        options = _value(values, new_target_field("standards", slot)).get("selected_options") or []
        new_targets.append(
            NewTargetDraft(
                slot=slot,
                text=_text(values, new_target_field("text", slot)),
                due_text=_text(values, new_target_field("due", slot)),
                standards=[o["value"] for o in options if isinstance(o, dict)] or None,
            )
        )
    return MeetingDraft(
        mentee_id=str(metadata.get("mentee", "")),
        held_on=_date(values, HELD_ON),
        notes=_text(values, NOTES),
        duration_minutes=duration,
        duration_text=duration_text,
        wellbeing=int(wellbeing) if wellbeing and wellbeing.isdigit() else None,
        wellbeing_note=_text(values, WELLBEING_NOTE),
        next_meeting_on=_date(values, NEXT_MEETING),
        reviews=reviews,
        new_targets=new_targets,
    )


def read_comment(values: dict[str, Any]) -> str | None:
    return _text(values, COMMENT)
